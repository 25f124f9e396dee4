//! The layering of docs/architecture.md, checked on the source: which
//! top-level module of `src/` names which other one (`crate::x`, or
//! `$crate::x` in macros; test modules excluded), with no cycles, and a pure
//! domain.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

/// Top-level modules that are only re-exported or only hold plumbing every
/// layer may use.
const SHARED: &[&str] = &["error", "hash"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("src is readable") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The top-level module a file belongs to (`src/metrics/family.rs` → `metrics`).
fn module_of(file: &Path) -> Option<String> {
    let relative = file.strip_prefix(SRC).ok()?;
    let first = relative.components().next()?.as_os_str().to_str()?;
    let name = first.trim_end_matches(".rs");
    (name != "lib").then(|| name.to_owned())
}

/// Lines that are code, not comments or doc text.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    let tests_at = text.find("#[cfg(test)]").unwrap_or(text.len());
    text[..tests_at]
        .lines()
        .map(str::trim_start)
        .filter(|l| !l.starts_with("//"))
}

/// Every `crate::name` / `$crate::name` mentioned in `line`.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        let name: String = after
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            found.push(name);
        }
        rest = after;
    }
    // `use crate::{a::X, b::Y}` form
    if let Some(open) = line.find("crate::{") {
        for part in line[open + "crate::{".len()..].split(',') {
            let name: String = part
                .trim()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() {
                found.push(name);
            }
        }
    }
    found
}

fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let modules: BTreeSet<String> = {
        let mut files = Vec::new();
        rust_files(Path::new(SRC), &mut files);
        files.iter().filter_map(|f| module_of(f)).collect()
    };
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in files {
        let Some(from) = module_of(&file) else { continue };
        let text = fs::read_to_string(&file).expect("source is readable");
        for line in code_lines(&text) {
            for to in crate_paths(line) {
                if to != from && modules.contains(&to) && !SHARED.contains(&to.as_str()) {
                    graph.entry(from.clone()).or_default().insert(to);
                }
            }
        }
    }
    graph
}

/// One cycle through `start`, if there is one.
fn cycle_from(graph: &BTreeMap<String, BTreeSet<String>>, start: &str) -> Option<Vec<String>> {
    let mut stack = vec![(start.to_owned(), vec![start.to_owned()])];
    let mut seen = BTreeSet::new();
    while let Some((node, path)) = stack.pop() {
        for next in graph.get(&node).into_iter().flatten() {
            if next == start {
                let mut cycle = path.clone();
                cycle.push(start.to_owned());
                return Some(cycle);
            }
            if seen.insert(next.clone()) {
                let mut longer = path.clone();
                longer.push(next.clone());
                stack.push((next.clone(), longer));
            }
        }
    }
    None
}

#[test]
fn top_level_modules_have_no_import_cycles() {
    let graph = module_graph();
    assert!(graph.len() > 3, "the scan found the modules: {graph:?}");
    let cycles: Vec<String> = graph
        .keys()
        .filter_map(|m| cycle_from(&graph, m))
        .map(|c| c.join(" -> "))
        .collect();
    assert!(cycles.is_empty(), "import cycles: {cycles:#?}\ngraph: {graph:#?}");
}

#[test]
fn the_domain_imports_nothing_above_it() {
    let graph = module_graph();
    let above: Vec<&String> = graph.get("domain").into_iter().flatten().collect();
    assert!(above.is_empty(), "domain imports {above:?}");
}

#[test]
fn the_scanner_sees_paths_in_both_forms() {
    assert_eq!(crate_paths("use crate::metrics::Family;"), ["metrics"]);
    assert_eq!(crate_paths("$crate::global()"), ["global"]);
    let grouped = crate_paths("use crate::{domain::Metric, ports::Repository};");
    assert!(grouped.contains(&"domain".to_owned()) && grouped.contains(&"ports".to_owned()));
    let mut graph = BTreeMap::new();
    graph.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    graph.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        cycle_from(&graph, "a"),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
