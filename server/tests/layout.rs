//! The shape of the code, checked: no product file over 700 lines, and no
//! circle in the module import graph of the server, the app or the sandbox
//! (a module that uses another must not be used by it, directly or round
//! about). A newcomer reads the crates top-down; a circle has no top.
//!
//! Imports are read from the source text: `use crate::…`, `use super::…`
//! (braces expanded) and inline `crate::a::b` paths, outside `#[cfg(test)]`
//! modules. A path names the longest module prefix that is a file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::{BTreeMap, BTreeSet},
    path::{Path, PathBuf},
};

const MAX_LINES: usize = 700;

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

/// Module path of a file below `src`: `sync/hubspot/rows.rs` → `sync::hubspot::rows`.
fn module_of(src: &Path, file: &Path) -> String {
    let rel = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    if parts.last().is_some_and(|p| p == "mod") {
        parts.pop();
    }
    if parts == ["lib"] || parts == ["main"] {
        parts.clear();
    }
    parts.join("::")
}

/// The source without its test modules (everything from the first
/// `#[cfg(test)]` on, which is where this codebase keeps them).
fn product_text(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

/// Splits the items of a brace group at top-level commas.
fn items(group: &str) -> Vec<String> {
    let (mut depth, mut cur, mut out) = (0, String::new(), Vec::new());
    for c in group.chars() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    out.push(cur);
    out.into_iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Every `crate::…`, `super::…` and `self::…` path in `use` trees and
/// inline paths.
fn paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let word = |c: char| c.is_alphanumeric() || c == '_';
    // use trees
    for stmt in text.split(';') {
        let Some(start) = stmt.find("use ") else {
            continue;
        };
        if start > 0 && stmt[..start].chars().last().is_some_and(word) {
            continue;
        }
        expand("", &tidy(&stmt[start + 4..]), &mut out);
    }
    // inline paths
    for root in ["crate::", "super::"] {
        let mut rest = text;
        while let Some(i) = rest.find(root) {
            let before_ok = i == 0 || !rest[..i].chars().last().is_some_and(word);
            let tail = &rest[i..];
            let end = tail
                .find(|c: char| !(word(c) || c == ':'))
                .unwrap_or(tail.len());
            if before_ok {
                out.push(tail[..end].trim_end_matches(':').to_owned());
            }
            rest = &rest[i + root.len()..];
        }
    }
    out.retain(|p| p.starts_with("crate") || p.starts_with("super") || p.starts_with("self"));
    out
}

/// A use tree on one line, with no space but in `x as y`.
fn tidy(tree: &str) -> String {
    let one: Vec<&str> = tree.split_whitespace().collect();
    let mut text = one.join(" ");
    for p in ["::", "{", "}", ","] {
        text = text
            .replace(&format!(" {p}"), p)
            .replace(&format!("{p} "), p);
    }
    text
}

fn expand(prefix: &str, tree: &str, out: &mut Vec<String>) {
    let joined = |p: &str, t: &str| {
        if p.is_empty() {
            t.to_owned()
        } else {
            format!("{p}::{t}")
        }
    };
    match tree.find('{') {
        Some(i) if tree.ends_with('}') => {
            let head = tree[..i].trim_end_matches("::");
            let inner = &tree[i + 1..tree.len() - 1];
            for item in items(inner) {
                expand(&joined(prefix, head), &item, out);
            }
        }
        _ => {
            let path = tree.split(" as ").next().unwrap_or(tree);
            out.push(joined(prefix, path.trim_end_matches("::*")));
        }
    }
}

/// The module a path from `current` names: the longest prefix that is a
/// module of the crate.
fn resolve(current: &str, path: &str, modules: &BTreeSet<String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").filter(|s| !s.is_empty()).collect();
    let mut base: Vec<String> = Vec::new();
    match segs.first() {
        Some(&"crate") => {
            segs.remove(0);
        }
        Some(&"super") | Some(&"self") => {
            base = current
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            while segs.first() == Some(&"super") {
                base.pop();
                segs.remove(0);
            }
            if segs.first() == Some(&"self") {
                segs.remove(0);
            }
        }
        _ => return None,
    }
    let full: Vec<String> = base
        .into_iter()
        .chain(segs.iter().map(|s| (*s).to_owned()))
        .collect();
    (1..=full.len())
        .rev()
        .map(|n| full[..n].join("::"))
        .find(|m| modules.contains(m))
}

/// A circle of the import graph, if any.
fn find_cycle(edges: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let from = stack.iter().position(|n| n == next).unwrap_or(0);
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(next.clone());
                    return Some(cycle);
                }
                Some(_) => {}
                None => {
                    if let Some(c) = visit(next, edges, state, stack) {
                        return Some(c);
                    }
                }
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for node in edges.keys() {
        if !state.contains_key(node.as_str())
            && let Some(c) = visit(node, edges, &mut state, &mut Vec::new())
        {
            return Some(c);
        }
    }
    None
}

fn import_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let modules: BTreeSet<String> = files.iter().map(|f| module_of(src, f)).collect();
    let mut edges = BTreeMap::new();
    for file in &files {
        let module = module_of(src, file);
        let text = std::fs::read_to_string(file).unwrap();
        let deps: BTreeSet<String> = paths(product_text(&text))
            .iter()
            .filter_map(|p| resolve(&module, p, &modules))
            // A module's own children and ancestors (`mod` declarations,
            // re-exports) are its own business.
            .filter(|d| {
                d != &module
                    && !module.starts_with(&format!("{d}::"))
                    && !d.starts_with(&format!("{module}::"))
                    && !d.is_empty()
            })
            .collect();
        edges.insert(module, deps);
    }
    edges
}

#[test]
fn no_product_file_is_over_700_lines() {
    let mut long = Vec::new();
    for krate in ["app", "server", "sandbox", "frontend"] {
        let mut files = Vec::new();
        rust_files(&workspace().join(krate).join("src"), &mut files);
        for f in files {
            let n = std::fs::read_to_string(&f).unwrap().lines().count();
            if n > MAX_LINES {
                long.push(format!("{} ({n} lines)", f.display()));
            }
        }
    }
    assert!(long.is_empty(), "split these by concern: {long:#?}");
}

#[test]
fn module_imports_have_no_circles() {
    for krate in ["server", "app", "sandbox"] {
        let edges = import_graph(&workspace().join(krate).join("src"));
        assert!(edges.len() > 5, "{krate}: the graph was read");
        if let Some(cycle) = find_cycle(&edges) {
            panic!(
                "{krate}: modules import each other in a circle: {}",
                cycle.join(" → ")
            );
        }
    }
}

#[test]
fn the_reader_sees_imports_as_written() {
    let mut out = Vec::new();
    expand(
        "",
        &tidy("crate::{\n    db::{Db, now_ms},\n    sync::properties as props,\n}"),
        &mut out,
    );
    assert_eq!(
        out,
        [
            "crate::db::Db",
            "crate::db::now_ms",
            "crate::sync::properties"
        ]
    );
    let modules: BTreeSet<String> = ["sync", "sync::hubspot", "db"].map(str::to_owned).into();
    assert_eq!(
        resolve("sync::hubspot::lanes", "super::hubspot::Ctx", &modules).as_deref(),
        Some("sync::hubspot")
    );
    let mut edges = BTreeMap::new();
    edges.insert("a".to_owned(), BTreeSet::from(["b".to_owned()]));
    edges.insert("b".to_owned(), BTreeSet::from(["a".to_owned()]));
    assert_eq!(
        find_cycle(&edges),
        Some(vec!["a".into(), "b".into(), "a".into()])
    );
}
