//! No import circle anywhere in the workspace's hand-written crates, and each crate's floors
//! in order: a crate reads top to bottom, and a lower module never reaches back into one that
//! uses it.
//!
//! Every `crate::…`, `super::…` and child-module path in a module's code (the groups of a
//! `use` taken apart, across lines; comments left out) is an edge to the module it names (the
//! longest prefix that is a module of the crate). Edges between a module and its own ancestors
//! or descendants are left out: a folder's `mod.rs` is the face of its children, and Rust lets
//! children use their parent's private items by design. A strongly connected group of two or
//! more modules is a circle; so is one between two floors (top-level modules) of a crate. Where
//! a crate lists its floors, no edge may climb from a lower floor to a higher one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates written by hand, by source folder, with their floors lowest first where the
/// crate is built as floors (a top-level module not listed is an error there).
const CRATES: &[(&str, &[&str])] = &[
    ("runtime/src", &[]),
    (
        "reference/src",
        &[
            "error", "ids", "failure", "caller", "config", "store", "engine", "domain", "api",
            "edge", "server", "lib",
        ],
    ),
    (
        "conformance/src",
        &[
            "error",
            "contract",
            "values",
            "transport",
            "run",
            "checks",
            "runner",
            "report",
            "lib",
        ],
    ),
    ("xtask/src", &[]),
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every `.rs` file under `directory`, recursively.
fn sources(directory: &Path, files: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            sources(&path, files);
        } else if path.extension().is_some_and(|extension| extension == "rs") {
            files.push(path);
        }
    }
}

/// The module path of a source file: `src/checks/lifecycle/mod.rs` is `["checks", "lifecycle"]`,
/// `src/lib.rs` is `[]`.
fn module_of(relative: &Path) -> Vec<String> {
    let mut segments: Vec<String> = relative
        .iter()
        .map(|segment| segment.to_string_lossy().into_owned())
        .collect();
    let file = segments.pop().unwrap();
    let stem = file.trim_end_matches(".rs");
    if stem != "mod" && stem != "lib" {
        segments.push(stem.to_owned());
    }
    segments
}

/// The paths `code` names, as module paths: `crate::a::b`, `super::b` and `child::b` (a path
/// from a child module of `module`), with the groups of a `use` (`crate::{a::X, b::{Y, Z}}`)
/// taken apart.
fn paths_in(code: &str, module: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<Vec<String>> {
    let mut found = Vec::new();
    let mut rest = code;
    let mut offset = 0;
    while let Some(position) = rest.find("::") {
        let before = &code[..offset + position];
        let identifier: String = before
            .chars()
            .rev()
            .take_while(|character| character.is_alphanumeric() || *character == '_')
            .collect::<String>()
            .chars()
            .rev()
            .collect();
        let start = offset + position - identifier.len();
        rest = &rest[position + 2..];
        offset += position + 2;
        // Only the first segment of a path starts one.
        if identifier.is_empty() || code[..start].ends_with("::") {
            continue;
        }
        let mut base: Vec<String> = match identifier.as_str() {
            "crate" => Vec::new(),
            "super" | "self" => module.to_vec(),
            child => {
                let mut path = module.to_vec();
                path.push(child.to_owned());
                if !modules.contains(&path) {
                    continue;
                }
                module.to_vec()
            }
        };
        let mut tail = &code[start..];
        if identifier == "crate" {
            tail = &tail["crate::".len()..];
        } else {
            while let Some(after) = tail.strip_prefix("super::") {
                base.pop();
                tail = after;
            }
            tail = tail.strip_prefix("self::").unwrap_or(tail);
        }
        for path in expand(tail) {
            let mut full = base.clone();
            full.extend(path);
            found.push(full);
        }
    }
    found
}

/// The module paths a `use` tree starting at `text` names (`a::b::X`, `{a::X, b::Y}`).
fn expand(text: &str) -> Vec<Vec<String>> {
    let identifier: String = text
        .chars()
        .take_while(|character| character.is_alphanumeric() || *character == '_')
        .collect();
    if identifier.is_empty() {
        let Some(group) = text.strip_prefix('{') else {
            return vec![Vec::new()];
        };
        let mut depth = 0;
        let mut items = Vec::new();
        let mut current = String::new();
        for character in group.chars() {
            match character {
                '{' => depth += 1,
                '}' if depth == 0 => break,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    items.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(character);
        }
        items.push(current);
        return items
            .iter()
            .map(|item| item.trim())
            .filter(|item| !item.is_empty())
            .flat_map(expand)
            .collect();
    }
    let rest = &text[identifier.len()..];
    match rest.strip_prefix("::") {
        Some(after) => expand(after)
            .into_iter()
            .map(|mut tail| {
                tail.insert(0, identifier.clone());
                tail
            })
            .collect(),
        None => vec![vec![identifier]],
    }
}

/// The longest prefix of `path` that is a known module.
fn resolve(path: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    (0..=path.len())
        .rev()
        .map(|length| path[..length].to_vec())
        .find(|prefix| modules.contains(prefix))
        .unwrap_or_default()
}

/// A module's name: its path, `lib` for the crate root.
fn node(module: &[String]) -> String {
    if module.is_empty() {
        return "lib".into();
    }
    module.join("::")
}

/// A module's floor: its first segment, `lib` for the crate root.
fn floor(module: &str) -> String {
    module.split("::").next().unwrap_or("lib").to_owned()
}

/// Every edge between two modules of the crate under `root`, by module name. Binaries
/// (`main.rs`, `bin/`) are crates of their own and are left out.
fn import_edges(root: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    sources(root, &mut files);
    let mut modules = BTreeSet::new();
    let mut texts = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(root).expect("under the source folder");
        if relative == Path::new("main.rs") || relative.starts_with("bin") {
            continue;
        }
        let module = module_of(relative);
        modules.insert(module.clone());
        texts.push((
            module,
            std::fs::read_to_string(file).expect("a readable source file"),
        ));
    }
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, text) in &texts {
        // A `use` spans lines; comments name paths without using them. A file's unit tests
        // (its last item, `mod tests`) are a child module: their `super` is the file.
        let code: Vec<&str> = text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .collect();
        let tests = code
            .iter()
            .position(|line| line.trim() == "mod tests {")
            .unwrap_or(code.len());
        let mut inner = module.clone();
        inner.push("tests".into());
        let targets = edges.entry(node(module)).or_default();
        for (from, lines) in [(module, &code[..tests]), (&inner, &code[tests..])] {
            for path in paths_in(&lines.join(" "), from, &modules) {
                let target = resolve(&path, &modules);
                if !target.starts_with(module) && !module.starts_with(&target) {
                    targets.insert(node(&target));
                }
            }
        }
    }
    edges
}

/// The same edges between floors.
fn floor_edges(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let mut floors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in edges {
        let entry = floors.entry(floor(from)).or_default();
        entry.extend(
            targets
                .iter()
                .map(|target| floor(target))
                .filter(|target| *target != floor(from)),
        );
    }
    floors
}

/// Strongly connected groups of two or more modules (Tarjan).
fn circles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on_stack: BTreeSet<&'a str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'a>(state: &mut State<'a>, node: &'a str) {
        let number = state.index.len();
        state.index.insert(node, number);
        state.low.insert(node, number);
        state.stack.push(node);
        state.on_stack.insert(node);
        for next in state.edges.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !state.index.contains_key(next) {
                visit(state, next);
                let low = state.low[node].min(state.low[next]);
                state.low.insert(node, low);
            } else if state.on_stack.contains(next) {
                let low = state.low[node].min(state.index[next]);
                state.low.insert(node, low);
            }
        }
        if state.low[node] == state.index[node] {
            let mut group = Vec::new();
            while let Some(member) = state.stack.pop() {
                state.on_stack.remove(member);
                group.push(member.to_owned());
                if member == node {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                state.found.push(group);
            }
        }
    }
    let mut state = State {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        found: Vec::new(),
    };
    for node in edges.keys() {
        if !state.index.contains_key(node.as_str()) {
            visit(&mut state, node);
        }
    }
    state.found
}

/// What is wrong with the crate under `root` whose floors are `order` (lowest first; empty
/// when the crate does not declare floors).
fn problems(root: &Path, order: &[&str]) -> Vec<String> {
    let edges = import_edges(root);
    let floors = floor_edges(&edges);
    let mut found: Vec<String> = circles(&edges)
        .into_iter()
        .map(|circle| format!("modules in a circle: {}", circle.join(" ↔ ")))
        .collect();
    found.extend(
        circles(&floors)
            .into_iter()
            .map(|circle| format!("floors in a circle: {}", circle.join(" ↔ "))),
    );
    if !order.is_empty() {
        let rank = |floor: &str| order.iter().position(|known| *known == floor);
        for (from, targets) in &floors {
            for to in targets {
                match (rank(from), rank(to)) {
                    (Some(from_rank), Some(to_rank)) if to_rank > from_rank => {
                        found.push(format!("a lower floor uses a higher one: {from} -> {to}"));
                    }
                    (None, _) => found.push(format!("{from} is no floor: add it to the list")),
                    (_, None) => found.push(format!("{to} is no floor: add it to the list")),
                    _ => {}
                }
            }
        }
    }
    found
}

#[test]
fn no_hand_written_crate_has_an_import_circle_or_climbs_its_floors() {
    let root = workspace_root();
    let mut found = Vec::new();
    for (source, floors) in CRATES {
        for problem in problems(&root.join(source), floors) {
            found.push(format!("{source}: {problem}"));
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn the_checker_finds_circles_and_climbs() {
    let folder = std::env::temp_dir().join(format!("imports-circle-{}", std::process::id()));
    let write = |file: &str, text: &str| {
        let path = folder.join(file);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    };
    write(
        "lib.rs",
        "mod checks;\nmod runner;\nmod spec;\nmod values;\n",
    );
    // A floor circle through a submodule: runner → checks::lifecycle, checks → runner.
    write("runner.rs", "use crate::checks::lifecycle::Model;\n");
    write(
        "checks/mod.rs",
        "mod lifecycle;\nuse super::{runner::Run, spec};\n",
    );
    write(
        "checks/lifecycle.rs",
        "// use crate::runner is only a comment\n",
    );
    // A module circle hidden in a group that spans lines: spec ↔ values.
    write("spec.rs", "use crate::{\n    values::example,\n};\n");
    write("values.rs", "fn f() { crate::spec::parse(); }\n");
    let found = problems(&folder, &["spec", "values", "checks", "runner", "lib"]);
    std::fs::remove_dir_all(&folder).unwrap();
    assert_eq!(
        found,
        [
            "modules in a circle: spec ↔ values",
            "floors in a circle: spec ↔ values",
            "floors in a circle: checks ↔ runner",
            "a lower floor uses a higher one: checks -> runner",
            "a lower floor uses a higher one: spec -> values",
        ]
    );
}
