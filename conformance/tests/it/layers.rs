//! The crate reads as floors: `contract` ← `values` ← `transport` ← `run` ← `checks` ←
//! `runner` ← `report` ← `lib`, with `error` beneath them all. A lower floor never uses a
//! higher one, and no two modules (files) use each other in a circle. This test reads the sources
//! and finds every `crate::…` and `super::…` path; `cargo test --test it layers -- --nocapture`
//! prints the edges it found.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The floors, lowest first.
const FLOORS: &[&str] = &[
    "error",
    "contract",
    "values",
    "transport",
    "run",
    "checks",
    "runner",
    "report",
    "lib",
];

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

/// A module's floor: its first segment, `lib` for the crate root.
fn floor(module: &[String]) -> &str {
    module.first().map_or("lib", String::as_str)
}

/// A module's name: its path, `lib` for the crate root.
fn node(module: &[String]) -> String {
    if module.is_empty() {
        return "lib".into();
    }
    module.join("::")
}

/// Every edge between two modules: (from, to) → how many paths.
fn edges() -> BTreeMap<(Vec<String>, Vec<String>), usize> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let mut modules = BTreeSet::new();
    let mut texts = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&root).unwrap();
        // The binary is a crate of its own, which uses the library's public API.
        if relative == Path::new("main.rs") {
            continue;
        }
        let module = module_of(relative);
        modules.insert(module.clone());
        texts.push((module, std::fs::read_to_string(file).unwrap()));
    }
    let mut edges = BTreeMap::new();
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
        let parts = [(module, &code[..tests]), (&inner, &code[tests..])];
        for (from, lines) in parts {
            for path in paths_in(&lines.join(" "), from, &modules) {
                let target = resolve(&path, &modules);
                if &target != module {
                    *edges.entry((module.clone(), target)).or_insert(0) += 1;
                }
            }
        }
    }
    edges
}

#[test]
fn no_floor_uses_a_higher_one() {
    let rank = |floor: &str| {
        FLOORS
            .iter()
            .position(|known| *known == floor)
            .unwrap_or_else(|| panic!("{floor} is no floor: add it to FLOORS"))
    };
    let mut between: BTreeMap<(String, String), usize> = BTreeMap::new();
    for ((from, to), count) in edges() {
        let (from, to) = (floor(&from).to_owned(), floor(&to).to_owned());
        if from != to {
            *between.entry((from, to)).or_insert(0) += count;
        }
    }
    let mut upward = Vec::new();
    for ((from, to), count) in &between {
        let direction = if rank(to) < rank(from) {
            "down"
        } else {
            upward.push(format!("{from} -> {to}"));
            "UP"
        };
        println!("{from:>9} -> {to:<9} {count:>3} paths  {direction}");
    }
    assert!(upward.is_empty(), "upward edges: {upward:?}");
}

#[test]
fn no_two_modules_use_each_other_in_a_circle() {
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, to) in edges().into_keys() {
        let (from, to) = (node(&from), node(&to));
        if from != to {
            graph.entry(from).or_default().insert(to);
        }
    }
    // A circle shows as a module that reaches itself.
    let mut circles = Vec::new();
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<&String> = graph[start].iter().collect();
        while let Some(next) = stack.pop() {
            if next == start {
                circles.push(start.clone());
                break;
            }
            if seen.insert(next) {
                stack.extend(graph.get(next).into_iter().flatten());
            }
        }
    }
    for (from, targets) in &graph {
        println!(
            "{from} -> {}",
            targets.iter().cloned().collect::<Vec<_>>().join(", ")
        );
    }
    assert!(circles.is_empty(), "modules in a circle: {circles:?}");
}
