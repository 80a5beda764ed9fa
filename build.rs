//! Writes every rule id (from the `declare_rule!` blocks under `src/`) to
//! `$OUT_DIR/rule_ids.rs`, so that the bottom layer (`rule::IDS`) can check
//! a rule id without importing the rules. A unit test in `src/rules/mod.rs`
//! checks the list against the table of rules.

use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=src");
    let mut ids = Vec::new();
    collect(Path::new("src"), &mut ids);
    ids.sort();
    ids.dedup();
    let list: String = ids.iter().map(|id| format!("{id:?}, ")).collect();
    let out = Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR")).join("rule_ids.rs");
    std::fs::write(out, format!("&[{list}]\n")).expect("write rule_ids.rs");
}

fn collect(dir: &Path, ids: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("read src")
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, ids);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("read a source file");
            for block in text.split("declare_rule! {").skip(1) {
                let id = block
                    .split_once("id: \"")
                    .and_then(|(_, rest)| rest.split_once('"'))
                    .map(|(id, _)| id.to_string());
                ids.extend(id);
            }
        }
    }
}
