//! No import circle between the modules of a hand-written crate: a crate reads as floors, and a
//! lower module never reaches back into one that imports it.
//!
//! Every `crate::…` and `super::…` path in a module's source is an edge to the module it names
//! (the longest prefix that is a module of the crate). Edges between a module and its own
//! ancestors are left out: a folder's `mod.rs` and its children share helpers by design. A
//! strongly connected group of two or more modules is a circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The crates written by hand, by source folder.
const CRATES: &[&str] = &[
    "runtime/src",
    "reference/src",
    "conformance/src",
    "xtask/src",
];

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// Every module of the crate under `source`, by path (`diff::schema`; the root is ``).
fn modules(source: &Path) -> BTreeMap<String, PathBuf> {
    let mut found = BTreeMap::new();
    let mut folders = vec![source.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("a readable source folder") {
            let path = entry.expect("a readable entry").path();
            if path.is_dir() {
                folders.push(path);
                continue;
            }
            if path.extension().is_none_or(|extension| extension != "rs") {
                continue;
            }
            let relative = path.strip_prefix(source).expect("under the source folder");
            let mut segments: Vec<String> = relative
                .with_extension("")
                .iter()
                .map(|segment| segment.to_string_lossy().into_owned())
                .collect();
            if matches!(
                segments.last().map(String::as_str),
                Some("mod" | "lib" | "main")
            ) {
                segments.pop();
            }
            found.insert(segments.join("::"), path);
        }
    }
    found
}

/// The module that `path` (segments after `crate` or resolved `super`s) names: its longest
/// prefix that is a module.
fn target(path: &[String], modules: &BTreeMap<String, PathBuf>) -> Option<String> {
    (1..=path.len())
        .rev()
        .map(|length| path[..length].join("::"))
        .find(|candidate| modules.contains_key(candidate))
}

/// The paths a module's code names through `crate::` or `super::`, resolved to segments from
/// the crate root. `use` groups (`crate::a::{b, c}`) count as their prefix, which is enough to
/// name the module.
fn named_paths(module: &str, text: &str) -> Vec<Vec<String>> {
    let own: Vec<&str> = if module.is_empty() {
        Vec::new()
    } else {
        module.split("::").collect()
    };
    let mut paths = Vec::new();
    for line in text.lines() {
        let code = line.split("//").next().unwrap_or("");
        for (start, _) in code
            .match_indices("crate::")
            .chain(code.match_indices("super::"))
        {
            let preceded_by_ident = code[..start]
                .chars()
                .last()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':');
            if preceded_by_ident {
                continue;
            }
            let rest: String = code[start..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let mut segments: Vec<&str> = rest.split("::").filter(|s| !s.is_empty()).collect();
            let mut base: Vec<&str> = if segments.first() == Some(&"crate") {
                segments.remove(0);
                Vec::new()
            } else {
                // `super` from a file module is its parent; chains climb further.
                let mut base = own.clone();
                while segments.first() == Some(&"super") {
                    segments.remove(0);
                    base.pop();
                }
                base
            };
            base.extend(segments);
            paths.push(base.into_iter().map(str::to_owned).collect());
        }
    }
    paths
}

fn is_ancestor(ancestor: &str, module: &str) -> bool {
    ancestor.is_empty() || module.starts_with(&format!("{ancestor}::"))
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

fn import_edges(source: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let modules = modules(source);
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in &modules {
        let text = std::fs::read_to_string(path).expect("a readable source file");
        let targets = edges.entry(module.clone()).or_default();
        for named in named_paths(module, &text) {
            let Some(target) = target(&named, &modules) else {
                continue;
            };
            if target != *module && !is_ancestor(&target, module) && !is_ancestor(module, &target) {
                targets.insert(target);
            }
        }
    }
    edges
}

/// The same edges between top-level modules (the crate's floors): `runner` using
/// `checks::lifecycle` is `runner` using `checks`.
fn floor_edges(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let floor = |module: &str| module.split("::").next().unwrap_or("").to_owned();
    let mut floors: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, targets) in edges {
        let entry = floors.entry(floor(from)).or_default();
        entry.extend(
            targets
                .iter()
                .map(|target| floor(target))
                .filter(|target| *target != floor(from) && !target.is_empty()),
        );
    }
    floors.remove("");
    floors
}

fn problems(source: &Path) -> Vec<String> {
    let edges = import_edges(source);
    let mut problems: Vec<String> = circles(&edges)
        .into_iter()
        .map(|circle| format!("modules {}", circle.join(" ↔ ")))
        .collect();
    problems.extend(
        circles(&floor_edges(&edges))
            .into_iter()
            .map(|circle| format!("floors {}", circle.join(" ↔ "))),
    );
    problems
}

#[test]
fn no_hand_written_crate_has_an_import_circle() {
    let root = workspace_root();
    let mut found = Vec::new();
    for source in CRATES {
        for problem in problems(&root.join(source)) {
            found.push(format!("{source}: {problem}"));
        }
    }
    assert!(found.is_empty(), "import circles:\n{}", found.join("\n"));
}

#[test]
fn the_checker_finds_circles_between_modules_and_between_floors() {
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
    write("checks/mod.rs", "mod lifecycle;\nuse super::runner::Run;\n");
    write(
        "checks/lifecycle.rs",
        "use super::Check; // a child using its parent: fine\n",
    );
    // A module circle: spec ↔ values.
    write("spec.rs", "fn f() { crate::values::example(); }\n");
    write("values.rs", "use crate::spec::Spec;\n");
    let found = problems(&folder);
    std::fs::remove_dir_all(&folder).unwrap();
    assert_eq!(
        found,
        [
            "modules spec ↔ values",
            "floors checks ↔ runner",
            "floors spec ↔ values",
        ]
    );
}
