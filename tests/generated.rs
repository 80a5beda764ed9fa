//! Checked-in files generated from code: rule pages, the lock table and the config schema.
//! Stale files fail the test; `SHIPGATE_BLESS=1 cargo test --test generated` rewrites them.

use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    std::env::var_os("SHIPGATE_BLESS").is_some()
}

/// Compares `want` with the file at `path`, or writes it when blessing.
fn check_file(path: &Path, want: &str) -> Option<String> {
    if bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, want).unwrap();
        return None;
    }
    match std::fs::read_to_string(path) {
        Ok(have) if have == want => None,
        Ok(_) => Some(format!("{} is stale", path.display())),
        Err(_) => Some(format!("{} is missing", path.display())),
    }
}

#[test]
fn rule_pages_are_current() {
    let dir = root().join("docs/rules");
    let mut problems = Vec::new();
    let mut expected = std::collections::BTreeSet::new();
    for meta in shipgate::registry::all() {
        let name = format!("{}.md", meta.id);
        problems.extend(check_file(&dir.join(&name), &shipgate::registry::page(meta)));
        expected.insert(name);
    }
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md") && name != "README.md" && !expected.contains(&name) {
            problems.push(format!("docs/rules/{name} documents no rule"));
        }
    }
    let index: String =
        std::iter::once("# Rules\n\n| Rule | Domain | Default | Summary |\n|---|---|---|---|\n".to_string())
            .chain(shipgate::registry::all().iter().map(|m| {
                format!(
                    "| [`{0}`]({0}.md) | {1} | {2} | {3} |\n",
                    m.id,
                    m.domain.as_str(),
                    m.default.as_str(),
                    m.summary()
                )
            }))
            .collect();
    problems.extend(check_file(&dir.join("README.md"), &index));
    assert!(
        problems.is_empty(),
        "{}\nrun `SHIPGATE_BLESS=1 cargo test --test generated`",
        problems.join("\n")
    );
}

#[test]
fn lock_table_page_is_current() {
    let problem = check_file(&root().join("docs/locks.md"), &shipgate::migration::locks::markdown());
    assert!(
        problem.is_none(),
        "{problem:?}; run `SHIPGATE_BLESS=1 cargo test --test generated`"
    );
}

#[test]
fn config_schema_is_current() {
    let want = serde_json::to_string_pretty(&shipgate::config::json_schema()).unwrap() + "\n";
    let problem = check_file(&root().join("schemas/config.schema.json"), &want);
    assert!(
        problem.is_none(),
        "{problem:?}; run `SHIPGATE_BLESS=1 cargo test --test generated`"
    );
}

#[test]
fn every_rule_has_a_documented_page() {
    for meta in shipgate::registry::all() {
        for heading in [
            "## What it does",
            "## Why it blocks a release",
            "## How to ship it safely",
        ] {
            assert!(meta.doc.contains(heading), "{} lacks `{heading}`", meta.id);
            // Markdown needs the blank line: without it the heading runs into the paragraph above.
            let at = meta.doc.find(heading).unwrap_or(0);
            assert!(
                meta.doc[..at].trim().is_empty() || meta.doc[..at].trim_end_matches(' ').ends_with("\n\n"),
                "{}: no blank line before `{heading}`",
                meta.id
            );
        }
        assert!(!meta.summary().is_empty(), "{} has no summary", meta.id);
        let id = meta.id;
        assert!(
            id.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{id} is not kebab-case"
        );
    }
}

#[test]
fn example_config_parses_and_names_every_key() {
    let text = std::fs::read_to_string(root().join("shipgate.example.yml")).unwrap();
    shipgate::config::parse(&text).expect("shipgate.example.yml parses");
    // Every property of the schema appears in the example.
    let schema = shipgate::config::json_schema();
    let mut keys = Vec::new();
    collect_keys(&schema, &schema, &mut keys);
    for k in keys {
        assert!(
            text.contains(&format!("{k}:")),
            "shipgate.example.yml does not show `{k}`"
        );
    }
}

fn collect_keys(node: &serde_json::Value, root: &serde_json::Value, out: &mut Vec<String>) {
    if let Some(r) = node.get("$ref").and_then(|r| r.as_str()) {
        let target = r.trim_start_matches("#/").split('/').fold(root, |v, seg| &v[seg]);
        return collect_keys(target, root, out);
    }
    if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
        for (k, v) in props {
            out.push(k.clone());
            collect_keys(v, root, out);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(list) = node.get(key).and_then(|l| l.as_array()) {
            for v in list {
                collect_keys(v, root, out);
            }
        }
    }
}
