//! The layers (docs/architecture.md) as a test: reads `src/`, builds the
//! graph of top-level modules from `crate::` paths, and fails on an import
//! from a lower layer into a higher one, or on a cycle among top-level
//! modules, naming the file and line.
//!
//! `#[cfg(test)] mod … { … }` blocks are skipped (rustfmt puts their closing
//! brace at the indentation of the `mod` line, which is how their end is
//! found): a unit test may reach across layers to build its fixtures.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Bottom first. A module may import its own layer and those below it; the
/// modules of one layer must not form a cycle.
const LAYERS: &[(&str, &[&str])] = &[
    (
        "bottom",
        &[
            "rule", "finding", "config", "outcome", "error", "exit", "yaml", "reading", "suggest", "git", "parallel",
            "walk",
        ],
    ),
    (
        "inputs and models",
        &["migration", "manifest", "flags", "signoff", "dryrun", "contract"],
    ),
    ("rules", &["rules", "registry"]),
    ("gates", &["gates"]),
    ("outside", &["app", "report", "github", "hook", "cli", "fuzz"]),
];

/// One `crate::<to>` reference in module `from`, at `file:line`.
#[derive(Debug, Clone)]
struct Edge {
    from: String,
    to: String,
    file: String,
    line: usize,
}

#[test]
fn imports_run_down_the_layers_without_cycles() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let modules = top_level_modules(&src);
    let edges = edges(&src, &modules);
    assert!(edges.len() > 100, "too few imports found: the scanner is broken");
    let problems = check(LAYERS, &modules, &edges);
    assert!(problems.is_empty(), "layer violations:\n{}", problems.join("\n"));
}

/// What only the models may use: a rule reads the model, it never parses.
/// (A `regex::Regex` that the model compiled may be passed in; building one is parsing.)
const PARSING: &[&str] = &[
    "sqlparser::",
    "crate::migration::lex::lex",
    "crate::migration::recognise",
    "Regex::new",
    "pulldown_cmark",
    "saphyr",
];

#[test]
fn rules_never_parse() {
    let mut files = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules"), &mut files);
    assert!(files.len() > 50, "too few rule files found: the walk is broken");
    let mut problems = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        problems.extend(
            parsing_calls(&text)
                .into_iter()
                .map(|(line, what)| format!("{}:{line}: `{what}`: parsing belongs in the model", file.display())),
        );
    }
    assert!(problems.is_empty(), "rules that parse:\n{}", problems.join("\n"));
}

#[test]
fn the_parse_check_catches_a_rule_that_lexes() {
    let text = "use crate::migration::action::Action;\n// sqlparser:: in a comment\nfn f() { crate::migration::lex::lex(\"x\"); }\n";
    assert_eq!(parsing_calls(text), vec![(3, "crate::migration::lex::lex")]);
}

/// The (1-based line, pattern) of each use of a parser, outside `//` comments.
fn parsing_calls(text: &str) -> Vec<(usize, &'static str)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or("");
        out.extend(PARSING.iter().filter(|p| code.contains(*p)).map(|p| (i + 1, *p)));
    }
    out
}

#[test]
fn the_checker_catches_an_upward_import_and_a_cycle() {
    let layers: &[(&str, &[&str])] = &[("low", &["a", "b"]), ("high", &["c"])];
    let modules: BTreeSet<String> = ["a", "b", "c"].map(String::from).into();
    let e = |from: &str, to: &str, line| Edge {
        from: from.into(),
        to: to.into(),
        file: format!("src/{from}.rs"),
        line,
    };
    // Downward and within a layer, no cycle: clean.
    assert_eq!(
        check(layers, &modules, &[e("c", "a", 1), e("a", "b", 2)]),
        Vec::<String>::new()
    );
    let problems = check(layers, &modules, &[e("a", "c", 7), e("a", "b", 2), e("b", "a", 3)]);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("src/a.rs:7") && p.contains("`a` (low) imports `c` (high)")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("cycle") && p.contains("src/a.rs:2") && p.contains("src/b.rs:3")),
        "{problems:?}"
    );
    // A module missing from the table is a failure, not a free pass.
    let more: BTreeSet<String> = ["a", "b", "c", "d"].map(String::from).into();
    assert!(check(layers, &more, &[]).iter().any(|p| p.contains("`d`")));
    // The scanner: `use crate::{…}` groups, paths in code, comments and test modules.
    let text = "use crate::{a::X, b};\n// crate::c in a comment\nfn f() { crate::c::g(); }\n#[cfg(test)]\nmod tests {\n    use crate::c;\n}\n";
    let found = references(text);
    assert_eq!(found, [("a".into(), 1), ("b".into(), 1), ("c".into(), 3)]);
}

/// Every problem: modules missing from the table, upward imports, cycles.
fn check(layers: &[(&str, &[&str])], modules: &BTreeSet<String>, edges: &[Edge]) -> Vec<String> {
    let layer_of: BTreeMap<&str, (usize, &str)> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, (name, ms))| ms.iter().map(move |m| (*m, (i, *name))))
        .collect();
    let mut out: Vec<String> = modules
        .iter()
        .filter(|m| !layer_of.contains_key(m.as_str()))
        .map(|m| format!("module `{m}` is in no layer: add it to LAYERS in tests/architecture.rs"))
        .collect();
    for e in edges {
        let (Some(&(from, from_name)), Some(&(to, to_name))) =
            (layer_of.get(e.from.as_str()), layer_of.get(e.to.as_str()))
        else {
            continue;
        };
        if from < to {
            out.push(format!(
                "{}:{}: `{}` ({from_name}) imports `{}` ({to_name}), a higher layer",
                e.file, e.line, e.from, e.to
            ));
        }
    }
    for cycle in cycles(edges) {
        let lines: Vec<String> = edges
            .iter()
            .filter(|e| cycle.contains(&e.from) && cycle.contains(&e.to))
            .map(|e| format!("  {}:{}: `{}` imports `{}`", e.file, e.line, e.from, e.to))
            .collect();
        let names: Vec<&str> = cycle.iter().map(String::as_str).collect();
        out.push(format!("cycle among {}:\n{}", names.join(", "), lines.join("\n")));
    }
    out
}

/// The strongly connected components with more than one module (Tarjan's algorithm).
fn cycles(edges: &[Edge]) -> Vec<BTreeSet<String>> {
    let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for e in edges {
        next.entry(&e.from).or_default().insert(&e.to);
        next.entry(&e.to).or_default();
    }
    struct State<'a> {
        next: &'a BTreeMap<&'a str, BTreeSet<&'a str>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        out: Vec<BTreeSet<String>>,
    }
    fn visit<'a>(s: &mut State<'a>, v: &'a str) {
        let i = s.index.len();
        s.index.insert(v, i);
        s.low.insert(v, i);
        s.stack.push(v);
        for &w in &s.next[v] {
            if !s.index.contains_key(w) {
                visit(s, w);
                let lw = s.low[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(lw);
            } else if s.stack.contains(&w) {
                let iw = s.index[w];
                let lv = s.low.get_mut(v).expect("visited");
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut scc = BTreeSet::new();
            while let Some(w) = s.stack.pop() {
                scc.insert(w.to_string());
                if w == v {
                    break;
                }
            }
            if scc.len() > 1 {
                s.out.push(scc);
            }
        }
    }
    let mut s = State {
        next: &next,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        out: Vec::new(),
    };
    for &v in next.keys() {
        if !s.index.contains_key(v) {
            visit(&mut s, v);
        }
    }
    s.out
}

/// `src/x.rs` and `src/x/` are module `x`; `lib.rs` declares inline ones (`pub mod app { … }`).
fn top_level_modules(src: &Path) -> BTreeSet<String> {
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("src/lib.rs");
    lib.lines()
        .filter_map(|l| {
            l.trim()
                .strip_prefix("pub mod")
                .or_else(|| l.trim().strip_prefix("mod"))
        })
        .map(|rest| rest.trim().trim_end_matches([';', '{']).trim().to_string())
        .collect()
}

/// Every cross-module reference under `src/`.
fn edges(src: &Path, modules: &BTreeSet<String>) -> Vec<Edge> {
    let mut files = Vec::new();
    walk(src, &mut files);
    let mut out = Vec::new();
    for path in files {
        let rel = path.strip_prefix(src).expect("under src");
        let rel_str = rel.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(&path).expect("source file");
        let owner = |line: usize| -> Option<String> {
            match rel_str.as_str() {
                "main.rs" => None,
                "lib.rs" => inline_module(&text, line),
                _ => Some(rel_str.split(['/', '.']).next().unwrap_or_default().to_string()),
            }
        };
        for (to, line) in references(&text) {
            let Some(from) = owner(line) else { continue };
            if from != to && modules.contains(&to) {
                out.push(Edge {
                    from,
                    to,
                    file: format!("src/{rel_str}"),
                    line,
                });
            }
        }
    }
    out
}

/// The inline `pub mod NAME {` of `lib.rs` that holds 1-based `line`.
fn inline_module(text: &str, line: usize) -> Option<String> {
    let mut current = None;
    for (i, l) in text.lines().enumerate() {
        if let Some(name) = l.strip_prefix("pub mod").and_then(|r| r.trim().strip_suffix('{')) {
            current = Some(name.trim().to_string());
        } else if l == "}" {
            if i + 1 == line {
                return current;
            }
            current = None;
        }
        if i + 1 == line {
            return current;
        }
    }
    None
}

/// Every `.rs` file under `dir`, in a stable order (the `ignore` crate's
/// walker, as the flag search uses; `.gitignore` does not hide sources).
fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    let walker = ignore::WalkBuilder::new(dir)
        .standard_filters(false)
        .sort_by_file_path(|a, b| a.cmp(b))
        .build();
    out.extend(
        walker
            .map(|e| e.expect("dir entry").into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "rs")),
    );
}

/// The top-level module of each `crate::` path in `text`, with its 1-based
/// line; comments and `#[cfg(test)]` modules skipped.
fn references(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut skip_until: Option<String> = None;
    for (i, line) in lines.iter().enumerate() {
        if let Some(end) = &skip_until {
            if line == end {
                skip_until = None;
            }
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed == "#[cfg(test)]" {
            let next = lines.get(i + 1).map_or("", |l| l.trim_start());
            if (next.starts_with("mod ") || next.starts_with("pub mod ")) && next.ends_with('{') {
                skip_until = Some(format!("{}}}", &line[..line.len() - trimmed.len()]));
            }
            continue;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        let code = line.split(" //").next().unwrap_or(line);
        let mut rest = code;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a::X, b};`, perhaps over several lines: the
                // first name of each item at depth one.
                let following = lines[i + 1..].iter().take(50).copied().collect::<Vec<_>>().join("\n");
                let whole = format!("{group}\n{following}");
                let group = whole.as_str();
                let mut depth = 0;
                let mut item_start = true;
                for (j, c) in group.char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => item_start = true,
                        c if item_start && (c.is_alphanumeric() || c == '_') => {
                            out.push((ident(&group[j..]), i + 1));
                            item_start = false;
                        }
                        _ => {}
                    }
                }
            } else {
                out.push((ident(rest), i + 1));
            }
        }
    }
    out
}

fn ident(s: &str) -> String {
    s.chars().take_while(|c| c.is_alphanumeric() || *c == '_').collect()
}
