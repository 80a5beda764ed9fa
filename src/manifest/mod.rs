//! Rollout manifests: discovery under `rollouts.paths`, reading with limits
//! (size, UTF-8, YAML alias bombs and depth), the JSON Schema and the model
//! the rollout rules judge. The rollout gate (`gates::rollouts`) runs the
//! rules and records the phase changes of `--base`.

pub mod history;
pub mod input;
pub mod model;
pub mod schema;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde_json::Value;

pub use crate::config::rollouts::RolloutsConfig;
use crate::error::AppError;
use crate::finding::{Finding, Location};
use input::INVALID_ROLLOUT_MANIFEST;
use model::{fmt_num, Manifest};
pub use schema::{json_schema, SCHEMA_TEXT};

/// The commented example manifest `shipgate init` writes to `rollouts/example.yml`.
pub const EXAMPLE_MANIFEST: &str = include_str!("example.yml");

/// The runbook the example manifest names as its `rollback_plan`.
pub const EXAMPLE_RUNBOOK: &str = include_str!("example-runbook.md");

/// Where `init` writes the example's runbook.
pub const EXAMPLE_RUNBOOK_PATH: &str = "docs/runbooks/example-feature.md";

/// The registry rows the example manifest's `flag` and `kill_switch` need,
/// appended by `init` to the registry skeleton it writes.
pub const EXAMPLE_FLAG_ROWS: &str = "\
| `example_feature_enabled` | @your-team | off | release | rollout | | |
| `example_feature_kill_switch` | @your-team | on | kill-switch | permanent | | |
";

/// A manifest larger than this is refused unread: manifests are a few
/// kilobytes, and a pre-push hook must not stall on a stray data file.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// A manifest file's content, read with the size limit.
#[derive(Debug, Clone)]
pub enum Content {
    Bytes(Vec<u8>),
    /// Larger than [`MAX_MANIFEST_BYTES`]: its size, unread.
    TooLarge(u64),
}

/// The manifest at the merge base, with `--base`.
#[derive(Debug, Clone)]
pub enum Base {
    /// No `--base`: no change records.
    NotCompared,
    /// The manifest did not exist at the merge base.
    Absent,
    /// Its text at the merge base.
    Present(String),
}

/// One manifest to check.
#[derive(Debug, Clone)]
pub struct Source {
    /// Path relative to the repository root, as reported.
    pub path: String,
    pub content: Content,
    pub base: Base,
    /// Findings are reported (false: only read for cross-manifest rules and flag references).
    pub checked: bool,
    /// With `--base`, when the change moves `current_phase` forward from a
    /// phase with a `bake`: when that phase was entered (read from git).
    pub entered: Option<history::PhaseEntry>,
}

/// Reads a manifest, refusing to read more than [`MAX_MANIFEST_BYTES`].
pub fn read(path: &Path) -> std::io::Result<Content> {
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if len > MAX_MANIFEST_BYTES {
        return Ok(Content::TooLarge(len));
    }
    let mut bytes = Vec::new();
    file.take(MAX_MANIFEST_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_MANIFEST_BYTES {
        return Ok(Content::TooLarge(bytes.len() as u64));
    }
    Ok(Content::Bytes(bytes))
}

/// Manifests matched by `rollouts.paths` below `root`: (relative path, absolute path), sorted.
pub fn discover(root: &Path, opts: &RolloutsConfig) -> Result<Vec<(String, PathBuf)>, AppError> {
    let mut set = globset::GlobSetBuilder::new();
    let mut bases: Vec<String> = Vec::new();
    for pat in &opts.paths {
        let pat = pat.trim_start_matches("./");
        let glob = globset::GlobBuilder::new(pat)
            .literal_separator(true)
            .build()
            .map_err(|e| AppError::Usage(format!("`rollouts.paths` has an invalid glob `{pat}`: {e}")))?;
        set.add(glob);
        let segs: Vec<&str> = pat.split('/').collect();
        let literal: Vec<&str> = segs
            .iter()
            .take(segs.len().saturating_sub(1))
            .take_while(|s| !s.contains(['*', '?', '[', '{']))
            .copied()
            .collect();
        bases.push(literal.join("/"));
    }
    let set = set
        .build()
        .map_err(|e| AppError::Usage(format!("`rollouts.paths` is invalid: {e}")))?;
    bases.sort();
    bases.dedup();
    // Walk a directory once, even when one base lies inside another.
    let mut walk: Vec<String> = Vec::new();
    for b in bases {
        let covered = walk
            .iter()
            .any(|w| w.is_empty() || b == *w || b.starts_with(&format!("{w}/")));
        if !covered {
            walk.push(b);
        }
    }
    let mut found = BTreeMap::new();
    for base in walk {
        let dir = if base.is_empty() {
            root.to_path_buf()
        } else {
            root.join(&base)
        };
        if !dir.is_dir() {
            continue;
        }
        for entry in ignore::WalkBuilder::new(&dir).require_git(false).build() {
            let entry = entry.map_err(|e| AppError::Evaluate(format!("cannot walk {}: {e}", dir.display())))?;
            let abs = entry.path();
            if !abs.is_file() {
                continue;
            }
            let rel = abs
                .strip_prefix(root)
                .unwrap_or(abs)
                .to_string_lossy()
                .replace('\\', "/");
            if set.is_match(&rel) {
                found.insert(rel, abs.to_path_buf());
            }
        }
    }
    Ok(found.into_iter().collect())
}

/// Reads manifest text into a model, or the finding that says why it cannot
/// be read (with the text to show, when there is any).
#[allow(clippy::result_large_err)]
pub fn load(path: &str, content: &Content) -> Result<Manifest, (Finding, Option<String>)> {
    let unreadable = |message: String, help: &str| {
        let mut f = Finding::new(&INVALID_ROLLOUT_MANIFEST, message).help(help);
        f.file = Some(path.to_string());
        f
    };
    let at = |f: Finding, line: usize, column: usize| {
        let mut f = f;
        f.location = Some(Location {
            line,
            column,
            end_line: line,
            end_column: column + 1,
        });
        f
    };
    let bytes = match content {
        Content::TooLarge(n) => {
            let f = unreadable(
                format!(
                    "This rollout manifest is {}, more than the {} a manifest may be, so shipgate does not read it",
                    size(*n),
                    size(MAX_MANIFEST_BYTES)
                ),
                "a manifest describes one feature's rollout in a few kilobytes; move other files out of `rollouts.paths`",
            );
            return Err((at(f, 1, 1), None));
        }
        Content::Bytes(b) => b.as_slice(),
    };
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Some(nul) = bytes.iter().position(|&b| b == 0) {
        let line = 1 + bytes[..nul].iter().filter(|&&b| b == b'\n').count();
        let line_start = bytes[..nul].iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = 1 + nul - line_start;
        let f = unreadable(
            format!("This rollout manifest is binary (a NUL byte at line {line}, column {column}), so it cannot be read as YAML"),
            "save the manifest as UTF-8 YAML text, or move the binary file out of `rollouts.paths`",
        );
        return Err((at(f, line, column), None));
    }
    let src = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(e) => {
            let offset = e.valid_up_to();
            let text = String::from_utf8_lossy(bytes).into_owned();
            let byte = bytes.get(offset).copied().unwrap_or(0);
            let m = Manifest::new(path.to_string(), text.clone(), empty_doc());
            let span = offset..offset + '\u{FFFD}'.len_utf8();
            let loc = m.location(&span);
            let f = Finding::new(
                &INVALID_ROLLOUT_MANIFEST,
                format!(
                    "This rollout manifest is not UTF-8 text (byte `0x{byte:02x}` at line {}, column {}), so it cannot be read as YAML",
                    loc.line, loc.column
                ),
            )
            .help("save the manifest as UTF-8")
            .at(path, span, loc);
            return Err((f, Some(text)));
        }
    };
    match crate::yaml::parse(&src) {
        Ok(doc) => Ok(Manifest::new(path.to_string(), src, doc)),
        Err(e) => {
            let start = e.pos.offset.min(src.len());
            let span = match src[start..].chars().next() {
                Some(c) => start..start + c.len_utf8(),
                // At the end of the file: underline its last character.
                None => src.char_indices().last().map_or(0..0, |(i, c)| i..i + c.len_utf8()),
            };
            let line = e.pos.line.max(1);
            let column = e.pos.column.max(1);
            let loc = Location {
                line,
                column,
                end_line: line,
                end_column: column + 1,
            };
            let f = Finding::new(
                &INVALID_ROLLOUT_MANIFEST,
                format!(
                    "This rollout manifest is not valid YAML, so it cannot be checked: {}",
                    e.message
                ),
            )
            .help("fix the YAML at this position; one document per file, modest anchors and nesting")
            .at(path, span, loc);
            Err((f, Some(src)))
        }
    }
}

fn empty_doc() -> crate::yaml::YamlDoc {
    crate::yaml::YamlDoc {
        value: Value::Null,
        values: Default::default(),
        keys: Default::default(),
    }
}

fn size(n: u64) -> String {
    if n >= 1 << 20 {
        let mib = n as f64 / f64::from(1u32 << 20);
        format!("{} MiB", fmt_num((mib * 10.0).round() / 10.0))
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unreadable_input_is_a_located_finding() {
        let (f, _) = load("m.yml", &Content::Bytes(b"a: 1\nb: \xff\n".to_vec())).unwrap_err();
        assert_eq!(f.location.unwrap().line, 2);
        let (f, _) = load("m.yml", &Content::Bytes(b"a: 1\n\0".to_vec())).unwrap_err();
        assert!(f.message.contains("binary"), "{}", f.message);
        let (f, _) = load("m.yml", &Content::Bytes(b"a: [1,\nb: 2\n".to_vec())).unwrap_err();
        assert!(f.location.unwrap().line >= 2, "{f:?}");
        let (f, _) = load("m.yml", &Content::TooLarge(50 << 20)).unwrap_err();
        assert!(f.message.contains("50 MiB"), "{}", f.message);
    }

    #[test]
    fn config_rejects_a_factor_that_cannot_grow() {
        let e = crate::config::parse("rollouts:\n  max_step_factor: 1\n").unwrap_err();
        assert!(e.0.contains("greater than 1"), "{}", e.0);
        assert_eq!(e.1.unwrap().line, 2);
        let c = crate::config::parse("rollouts:\n  require_kill_switch: true\n").unwrap();
        assert!(c.rollouts.require_kill_switch);
        assert_eq!(c.rollouts.max_step_factor, 2.0);
    }
}
