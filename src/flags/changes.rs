//! With `--base REV`: the flags a change adds, removes and changes, found by
//! comparing the registry at the merge base with the working tree. The
//! records go to `changes` in the JSON report, for the PR summary.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::{field_changes, Column, FlagEntry, FlagRegistry};
use crate::error::AppError;
use crate::outcome::Report;

/// Pushes the change records of the registry at `rel` since the merge base with `rev`.
pub fn record(
    root: &Path,
    rel: &str,
    current: Option<&FlagRegistry>,
    rev: &str,
    report: &mut Report,
) -> Result<(), AppError> {
    let mb = crate::git::merge_base(root, rev)?;
    let old = match crate::git::show(root, &mb, rel)? {
        Some(text) => FlagRegistry::parse(rel, &text),
        None => FlagRegistry::default(),
    };
    let empty = FlagRegistry::default();
    report.changes.extend(diff(&old, current.unwrap_or(&empty), rel));
    Ok(())
}

fn fields(e: &FlagEntry) -> Map<String, Value> {
    Column::ALL
        .into_iter()
        .filter(|c| *c != Column::Flag)
        .filter_map(|c| e.text(c).map(|t| (c.key().to_string(), Value::from(t))))
        .collect()
}

/// Change records from `old` to `new`: added and changed flags in the new
/// registry's order, then removed flags in the old one's.
pub fn diff(old: &FlagRegistry, new: &FlagRegistry, path: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for e in &new.entries {
        match old.get(&e.name) {
            None => out.push(json!({
                "kind": "flag-added",
                "flag": e.name,
                "file": path,
                "line": e.line,
                "fields": fields(e),
            })),
            Some(o) => {
                let changed = field_changes(o, e);
                if !changed.is_empty() {
                    let f: Map<String, Value> = changed
                        .into_iter()
                        .map(|(k, (from, to))| (k.to_string(), json!({"from": from, "to": to})))
                        .collect();
                    out.push(json!({
                        "kind": "flag-changed",
                        "flag": e.name,
                        "file": path,
                        "line": e.line,
                        "fields": f,
                    }));
                }
            }
        }
    }
    for o in &old.entries {
        if new.get(&o.name).is_none() {
            out.push(json!({
                "kind": "flag-removed",
                "flag": o.name,
                "file": path,
                "fields": fields(o),
            }));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn added_removed_and_changed() {
        let head = "| Flag | Owner | Default |\n|---|---|---|\n";
        let old = FlagRegistry::parse("f.md", &format!("{head}| `a` | @x | off |\n| `b` | @x | off |\n"));
        let new = FlagRegistry::parse("f.md", &format!("{head}| `a` | @y | on |\n| `c` | @x | off |\n"));
        let d = diff(&old, &new, "f.md");
        assert_eq!(
            serde_json::to_value(&d).unwrap(),
            json!([
                {"kind": "flag-changed", "flag": "a", "file": "f.md", "line": 3,
                 "fields": {"default": {"from": "off", "to": "on"}, "owner": {"from": "@x", "to": "@y"}}},
                {"kind": "flag-added", "flag": "c", "file": "f.md", "line": 4,
                 "fields": {"owner": "@x", "default": "off"}},
                {"kind": "flag-removed", "flag": "b", "file": "f.md",
                 "fields": {"owner": "@x", "default": "off"}},
            ])
        );
    }
}
