//! With `--base REV`: the flags a change adds, removes and changes, found by
//! comparing the registry at the merge base with the working tree. The
//! records go to `changes` in the JSON report, for the PR summary.

use std::path::Path;

use super::{env_flag, field_changes, normalized_index, Column, FlagEntry, FlagRegistry};
use crate::error::AppError;
use crate::outcome::{Change, EnvFields, FromTo, Report};

/// Pushes the change records of the registry at `rel` since the merge base with `rev`;
/// returns the merge base and the registry there.
pub fn record(
    root: &Path,
    rel: &str,
    current: Option<&FlagRegistry>,
    rev: &str,
    report: &mut Report,
) -> Result<(String, FlagRegistry), AppError> {
    let mb = crate::git::merge_base(root, rev)?;
    let old = match crate::git::show(root, &mb, rel)? {
        Some(text) => FlagRegistry::parse(rel, &text),
        None => FlagRegistry::default(),
    };
    let empty = FlagRegistry::default();
    report.changes.extend(diff(&old, current.unwrap_or(&empty), rel));
    Ok((mb, old))
}

/// A `FEATURE_X=` value an environment file changes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvChange {
    pub flag: String,
    pub variable: String,
    pub file: String,
    pub line: usize,
    pub from: Option<String>,
    pub to: Option<String>,
}

/// Pushes a `flag-env-changed` record for each `FEATURE_X=` value that an
/// environment file matching `globs` (`flags.env_files`) changes since the
/// merge base with `rev`: the flag, the variable, and its old and new value
/// (`null` when absent); returns them.
pub fn record_env(
    root: &Path,
    globs: &[String],
    registry: Option<&FlagRegistry>,
    rev: &str,
    report: &mut Report,
) -> Result<Vec<EnvChange>, AppError> {
    let mut set = globset::GlobSetBuilder::new();
    for g in globs {
        let glob = globset::GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| AppError::Usage(format!("`flags.env_files`: {e}")))?;
        set.add(glob);
    }
    let set = set
        .build()
        .map_err(|e| AppError::Usage(format!("`flags.env_files`: {e}")))?;
    let mb = crate::git::merge_base(root, rev)?;
    let prefix = crate::git::prefix(root)?;
    let empty = FlagRegistry::default();
    let reg = registry.unwrap_or(&empty);
    let norm = normalized_index(reg);
    let mut out = Vec::new();
    for (_, path) in crate::git::changes_since(root, &mb)? {
        let Some(rel) = path.strip_prefix(&prefix).filter(|p| set.is_match(p)) else {
            continue;
        };
        let old = crate::git::show(root, &mb, rel)?.unwrap_or_default();
        // A file the change deleted has no values; one that cannot be read is not judged.
        let new = match std::fs::read_to_string(root.join(rel)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(AppError::Evaluate(format!(
                    "cannot read the environment file {rel}: {e}"
                )))
            }
        };
        for (var, line, from, to) in env_diff(&old, &new) {
            let Some(flag) = env_flag(&var["FEATURE_".len()..], reg, &norm) else {
                continue;
            };
            report.changes.push(Change::FlagEnvChanged {
                flag: flag.clone(),
                variable: var.clone(),
                file: rel.to_string(),
                line,
                fields: EnvFields {
                    value: FromTo {
                        from: from.clone(),
                        to: to.clone(),
                    },
                },
            });
            out.push(EnvChange {
                flag,
                variable: var,
                file: rel.to_string(),
                line,
                from,
                to,
            });
        }
    }
    Ok(out)
}

/// The `FEATURE_X=value` assignments of an environment file: variable, line, value
/// (`export` and quotes dropped, a ` #` comment cut).
fn env_values(text: &str) -> Vec<(String, usize, String)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        let line = line.strip_prefix("export ").unwrap_or(line).trim_start();
        let Some((var, value)) = line.split_once('=') else {
            continue;
        };
        let var = var.trim();
        if !var.starts_with("FEATURE_") || var.len() == "FEATURE_".len() {
            continue;
        }
        let value = value.trim();
        let value = match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or(""),
            _ => value.split(" #").next().unwrap_or("").trim(),
        };
        out.push((var.to_string(), i + 1, value.to_string()));
    }
    out
}

/// The variables whose value differs between `old` and `new`: variable, line
/// in `new` (or `old` when removed), old value, new value (the last assignment counts).
fn env_diff(old: &str, new: &str) -> Vec<(String, usize, Option<String>, Option<String>)> {
    let last = |t: &str| {
        let mut m: std::collections::BTreeMap<String, (usize, String)> = Default::default();
        for (var, line, value) in env_values(t) {
            m.insert(var, (line, value));
        }
        m
    };
    let (old, new) = (last(old), last(new));
    let mut out = Vec::new();
    for (var, (line, value)) in &new {
        let before = old.get(var).map(|(_, v)| v.clone());
        if before.as_deref() != Some(value.as_str()) {
            out.push((var.clone(), *line, before, Some(value.clone())));
        }
    }
    for (var, (line, value)) in &old {
        if !new.contains_key(var) {
            out.push((var.clone(), *line, Some(value.clone()), None));
        }
    }
    out
}

fn fields(e: &FlagEntry) -> Vec<(String, String)> {
    Column::ALL
        .into_iter()
        .filter(|c| *c != Column::Flag)
        .filter_map(|c| e.text(c).map(|t| (c.key().to_string(), t.to_string())))
        .collect()
}

/// Change records from `old` to `new`: added and changed flags in the new
/// registry's order, then removed flags in the old one's.
pub fn diff(old: &FlagRegistry, new: &FlagRegistry, path: &str) -> Vec<Change> {
    let mut out = Vec::new();
    for e in &new.entries {
        match old.get(&e.name) {
            None => out.push(Change::FlagAdded {
                flag: e.name.clone(),
                file: path.to_string(),
                line: e.line,
                fields: fields(e),
            }),
            Some(o) => {
                let changed = field_changes(o, e);
                if !changed.is_empty() {
                    let fields = changed
                        .into_iter()
                        .map(|(k, (from, to))| (k.to_string(), FromTo { from, to }))
                        .collect();
                    out.push(Change::FlagChanged {
                        flag: e.name.clone(),
                        file: path.to_string(),
                        line: e.line,
                        fields,
                    });
                }
            }
        }
    }
    for o in &old.entries {
        if new.get(&o.name).is_none() {
            out.push(Change::FlagRemoved {
                flag: o.name.clone(),
                file: path.to_string(),
                fields: fields(o),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_values_changed_added_and_removed() {
        let old = "FEATURE_A=false\nFEATURE_B=\"on\"\nFEATURE_GONE=1\nOTHER=x\n";
        let new = "# prod\nexport FEATURE_A=true # launch\nFEATURE_B='on'\nFEATURE_C=1\nOTHER=y\n";
        let some = |s: &str| Some(s.to_string());
        assert_eq!(
            env_diff(old, new),
            [
                ("FEATURE_A".to_string(), 2, some("false"), some("true")),
                ("FEATURE_C".to_string(), 4, None, some("1")),
                ("FEATURE_GONE".to_string(), 3, some("1"), None),
            ]
        );
    }

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
