//! Rollout manifests: discovery under `rollouts.paths`, reading with limits
//! (size, UTF-8, YAML alias bombs and depth), the JSON Schema, the model the
//! rollout rules judge, and the phase-advance change records of `--base`.

pub mod model;
pub mod schema;

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

use crate::app::{AppError, Report};
use crate::config::Config;
use crate::finding::{Finding, Location};
use crate::flags::{FlagRef, FlagRegistry};
use crate::rules::rollout::{self as rules, Cx, INVALID_ROLLOUT_MANIFEST};
use model::Manifest;
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

/// `rollouts:` in shipgate.yml.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RolloutsConfig {
    /// Glob patterns (relative to the repository root, `*` does not cross `/`)
    /// of rollout manifests.
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// A phase or step may expose at most this many times the previous non-zero
    /// exposure (`traffic-step-too-large`). Greater than 1.
    #[serde(default = "default_step_factor", deserialize_with = "step_factor")]
    #[schemars(extend("exclusiveMinimum" = 1))]
    pub max_step_factor: f64,
    /// The first non-zero exposure of a rollout, in percent, is at most this
    /// (`traffic-step-too-large`). From 0 (exclusive) to 100.
    #[serde(default = "default_first_percentage", deserialize_with = "first_percentage")]
    #[schemars(extend("exclusiveMinimum" = 0, "maximum" = 100))]
    pub max_first_percentage: f64,
    /// A manifest without `kill_switch` is an error rather than a warning
    /// (`missing-kill-switch`).
    #[serde(default)]
    pub require_kill_switch: bool,
}

impl Default for RolloutsConfig {
    fn default() -> Self {
        RolloutsConfig {
            paths: default_paths(),
            max_step_factor: default_step_factor(),
            max_first_percentage: default_first_percentage(),
            require_kill_switch: false,
        }
    }
}

fn default_paths() -> Vec<String> {
    vec!["rollouts/*.yml".into(), "rollouts/*.yaml".into()]
}

fn default_step_factor() -> f64 {
    2.0
}

fn default_first_percentage() -> f64 {
    10.0
}

fn step_factor<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v > 1.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "max_step_factor must be greater than 1 (got {v}); 2 lets each step double the exposure"
        )))
    }
}

fn first_percentage<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    let v = f64::deserialize(d)?;
    if v.is_finite() && v > 0.0 && v <= 100.0 {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "max_first_percentage must be above 0 and at most 100 (got {v})"
        )))
    }
}

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

/// The rollout gate. Returns the flag references found in manifests, for the flag gate.
pub fn run(
    root: &Path,
    config: &Config,
    base: Option<&str>,
    registry: Option<&FlagRegistry>,
    report: &mut Report,
) -> Result<Vec<FlagRef>, AppError> {
    let files = discover(root, &config.rollouts)?;
    let changed = match base {
        None => None,
        Some(rev) => {
            let mb = crate::git::merge_base(root, rev)?;
            let prefix = crate::git::prefix(root)?;
            // Changed manifests, with the path a renamed one had at the base.
            let mut paths = std::collections::HashMap::new();
            for (change, path) in crate::git::changes_since(root, &mb)? {
                if change == crate::git::Change::Deleted {
                    continue;
                }
                if let Some(rel) = path.strip_prefix(&prefix) {
                    let from = match change {
                        crate::git::Change::Renamed { from } => from.strip_prefix(&prefix).map(str::to_string),
                        _ => None,
                    };
                    paths.insert(rel.to_string(), from);
                }
            }
            Some((mb, paths))
        }
    };
    let mut sources = Vec::new();
    for (rel, abs) in files {
        let content = read(&abs).map_err(|e| AppError::Evaluate(format!("cannot read {}: {e}", abs.display())))?;
        let (checked, base) = match &changed {
            None => (true, Base::NotCompared),
            Some((mb, paths)) if paths.contains_key(&rel) => {
                let at_base = paths[&rel].as_deref().unwrap_or(&rel);
                let base = match crate::git::show(root, mb, at_base)? {
                    Some(text) => Base::Present(text),
                    None => Base::Absent,
                };
                (true, base)
            }
            Some(_) => (false, Base::NotCompared),
        };
        sources.push(Source {
            path: rel,
            content,
            base,
            checked,
        });
    }
    let registry_path = match registry {
        Some(r) => r.path.clone(),
        None => config.flags.registry_path().0,
    };
    Ok(check_sources(
        root,
        &config.rollouts,
        sources,
        registry,
        &registry_path,
        report,
    ))
}

/// Checks manifests that are already read: everything but discovery and git.
/// `root` resolves `rollback_plan` paths.
pub fn check_sources(
    root: &Path,
    opts: &RolloutsConfig,
    sources: Vec<Source>,
    registry: Option<&FlagRegistry>,
    registry_path: &str,
    report: &mut Report,
) -> Vec<FlagRef> {
    let mut parsed: Vec<(Manifest, Source, bool)> = Vec::new();
    for source in sources {
        let _reading = crate::reading::file(&source.path);
        match load(&source.path, &source.content) {
            Ok(mut m) => {
                m.rollback_plan_exists = m
                    .rollback_plan
                    .as_ref()
                    .is_some_and(|p| rollback_plan_exists(root, &p.value));
                let schema_errors = schema::validate(&m);
                let valid = schema_errors.is_empty();
                if source.checked {
                    report.findings.extend(schema_errors);
                }
                parsed.push((m, source, valid));
            }
            Err((finding, text)) => {
                if source.checked {
                    report.stats.manifests += 1;
                    report.invalid_inputs += 1;
                    if let Some(text) = text {
                        report.sources.insert(source.path.clone(), text);
                    }
                    report.findings.push(finding);
                }
            }
        }
    }
    let mut refs = Vec::new();
    for (m, source, valid) in &parsed {
        let _reading = crate::reading::file(&source.path);
        refs.extend(flag_refs(m));
        if !source.checked {
            continue;
        }
        report.stats.manifests += 1;
        let base = match &source.base {
            Base::Present(text) => base_manifest(&source.path, text),
            _ => None,
        };
        let base_phase = base
            .as_ref()
            .and_then(|b| b.current_phase.as_ref())
            .map(|c| c.value.as_str());
        if *valid {
            let cx = Cx {
                manifest: m,
                options: opts,
                registry,
                registry_path,
                base_phase,
            };
            report.findings.extend(rules::check(&cx));
            if !matches!(source.base, Base::NotCompared) {
                report.changes.extend(phase_change(m, base.as_ref()));
            }
        }
        report.sources.insert(m.path.clone(), m.src.clone());
    }
    let all: Vec<(&Manifest, bool)> = parsed.iter().map(|(m, s, valid)| (m, s.checked && *valid)).collect();
    report.findings.extend(rules::check_across_manifests(&all));
    refs
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
        format!("{} MiB", rules::fmt_num((mib * 10.0).round() / 10.0))
    } else {
        format!("{n} bytes")
    }
}

/// Whether `plan` names a file inside the repository at `root`.
fn rollback_plan_exists(root: &Path, plan: &str) -> bool {
    let plan = plan.trim();
    let plan = plan.split('#').next().unwrap_or(plan);
    if plan.contains("://") || plan.is_empty() {
        return false;
    }
    let p = Path::new(plan);
    if p.components()
        .any(|c| matches!(c, Component::ParentDir | Component::RootDir | Component::Prefix(_)))
    {
        return false;
    }
    root.join(p).is_file()
}

/// The manifest as it was at the merge base, when it can be read.
fn base_manifest(path: &str, text: &str) -> Option<Manifest> {
    if text.len() as u64 > MAX_MANIFEST_BYTES {
        return None;
    }
    let doc = crate::yaml::parse(text).ok()?;
    Some(Manifest::new(path.to_string(), text.to_string(), doc))
}

/// The change record for a manifest whose `current_phase` moved since the merge base.
fn phase_change(m: &Manifest, base: Option<&Manifest>) -> Option<Value> {
    let current = m.current_phase.as_ref()?;
    let to = m.current_index()?;
    let from_name = base.and_then(|b| b.current_phase.as_ref()).map(|c| c.value.as_str());
    if from_name == Some(current.value.as_str()) {
        return None;
    }
    let from = from_name.and_then(|n| m.phase_index(n).or_else(|| base.and_then(|b| b.phase_index(n))));
    let feature = m.feature.as_ref().map(|f| f.value.clone());
    let line = m.line_of(&current.ptr);
    let record = |kind: &str, approvers: Vec<String>| {
        json!({
            "kind": kind,
            "feature": feature,
            "file": m.path,
            "line": line,
            "from": from_name,
            "to": current.value,
            "approvers": approvers,
            // The last phase: general availability.
            "final": to + 1 == m.phases.len(),
        })
    };
    match from {
        Some(f) if to < f => Some(record("phase-rollback", Vec::new())),
        _ => {
            // Every phase entered needs its sign-offs: the new one, and any skipped on the way.
            let first = match (from_name, from) {
                (Some(_), Some(f)) => f + 1,
                (Some(_), None) => to,
                (None, _) => 0,
            };
            let mut approvers: Vec<String> = Vec::new();
            for p in &m.phases[first.min(to)..=to] {
                for a in &p.approvers {
                    if !approvers.contains(a) {
                        approvers.push(a.clone());
                    }
                }
            }
            Some(record("phase-advance", approvers))
        }
    }
}

/// Where the manifest names flags (`flag`, `kill_switch`), for the flag gate.
fn flag_refs(m: &Manifest) -> Vec<FlagRef> {
    let exposed = m.current_index().map(|i| {
        m.phases[..=i.min(m.phases.len().saturating_sub(1))]
            .iter()
            .any(|p| p.is_exposed())
    });
    [(&m.flag, exposed), (&m.kill_switch, None)]
        .into_iter()
        .filter_map(|(node, exposed)| Some((node.as_ref()?, exposed)))
        .map(|(node, exposed)| {
            let loc = m.location(&m.span(&node.ptr));
            FlagRef {
                flag: node.value.clone(),
                file: m.path.clone(),
                line: loc.line,
                column: loc.column,
                end_column: loc.end_column,
                exposed,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(src: &str) -> Manifest {
        load("m.yml", &Content::Bytes(src.as_bytes().to_vec())).unwrap()
    }

    const PHASES: &str = "current_phase: b\nphases:\n  - name: a\n    audience: { percentage: 5 }\n  - name: b\n    audience: { percentage: 10 }\n    approvers: [lead]\n  - name: c\n    audience: { percentage: 20 }\n    approvers: [owner]\n";

    #[test]
    fn advancing_names_the_new_phase_and_its_approvers() {
        let m = manifest(PHASES);
        let base = manifest(&PHASES.replace("current_phase: b", "current_phase: a"));
        let c = phase_change(&m, Some(&base)).unwrap();
        assert_eq!(c["kind"], "phase-advance");
        assert_eq!(c["from"], "a");
        assert_eq!(c["to"], "b");
        assert_eq!(c["approvers"], json!(["lead"]));
    }

    #[test]
    fn moving_back_is_a_rollback_without_approvers() {
        let m = manifest(PHASES);
        let base = manifest(&PHASES.replace("current_phase: b", "current_phase: c"));
        let c = phase_change(&m, Some(&base)).unwrap();
        assert_eq!(c["kind"], "phase-rollback");
        assert_eq!(c["approvers"], json!([]));
    }

    #[test]
    fn an_unchanged_phase_is_no_change() {
        let m = manifest(PHASES);
        assert!(phase_change(&m, Some(&m.clone())).is_none());
    }

    #[test]
    fn rollback_plans_stay_inside_the_repository() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        assert!(rollback_plan_exists(root, "Cargo.toml"));
        assert!(rollback_plan_exists(root, "Cargo.toml#section"));
        assert!(!rollback_plan_exists(root, "../main/Cargo.toml"));
        assert!(!rollback_plan_exists(root, "/etc/passwd"));
        assert!(!rollback_plan_exists(root, "https://wiki/runbook"));
        assert!(!rollback_plan_exists(root, "src"));
    }

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
