//! The rollout gate: discovers the manifests, reads each (and its version at
//! the merge base), runs the rollout rules and records phase changes. Returns
//! the flag references in manifests, for the flag gate.

use std::path::{Component, Path};

use crate::config::Config;
use crate::error::AppError;
use crate::flags::{FlagRef, FlagRegistry};
use crate::manifest::history::PhaseEntry;
use crate::manifest::model::Manifest;
use crate::manifest::{discover, load, read, schema, Base, RolloutsConfig, Source, MAX_MANIFEST_BYTES};
use crate::outcome::{Change, PhaseChange, Report};
use crate::rules::rollout::{self as rules, RolloutCx};

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
        let (checked, base, entered) = match &changed {
            None => (true, Base::NotCompared, None),
            Some((mb, paths)) if paths.contains_key(&rel) => {
                let at_base = paths[&rel].as_deref().unwrap_or(&rel);
                match crate::git::show(root, mb, at_base)? {
                    Some(text) => {
                        let entered = phase_entered(root, mb, at_base, &text, &rel, &content)?;
                        (true, Base::Present(text), entered)
                    }
                    None => (true, Base::Absent, None),
                }
            }
            Some(_) => (false, Base::NotCompared, None),
        };
        sources.push(Source {
            path: rel,
            content,
            base,
            checked,
            entered,
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

/// When the manifest at `rel` moves `current_phase` forward since the merge
/// base `mb` (where it was `at_base`, with `base_text`), leaving a phase with a
/// `bake`: the commit that entered that phase, and when the change leaves it
/// (HEAD's time, or now when the manifest is not committed). A shallow clone
/// cannot say, and is not evaluated (never a pass).
fn phase_entered(
    root: &Path,
    mb: &str,
    at_base: &str,
    base_text: &str,
    rel: &str,
    content: &crate::manifest::Content,
) -> Result<Option<PhaseEntry>, AppError> {
    let (Some(base), Ok(head)) = (base_manifest(at_base, base_text), load(rel, content)) else {
        return Ok(None);
    };
    let Some(left) = base.current_phase.as_ref().map(|c| c.value.clone()) else {
        return Ok(None);
    };
    let (Some(from), Some(to)) = (head.phase_index(&left), head.current_index()) else {
        return Ok(None);
    };
    // The bake agreed at the base counts too: a change may not shorten it and advance.
    if to <= from || (head.bake(&left).is_none() && base.bake(&left).is_none()) {
        return Ok(None);
    }
    if crate::git::is_shallow(root)? {
        return Err(AppError::Evaluate(format!(
            "{rel}: `phase-advanced-before-bake` needs the manifest's history to find when `{left}` was entered: {}",
            crate::git::SHALLOW_HINT
        )));
    }
    // A change not committed yet leaves the phase now.
    let committed = match (crate::git::show(root, "HEAD", rel)?, content) {
        (Some(text), crate::manifest::Content::Bytes(b)) => text.as_bytes() == b.as_slice(),
        _ => false,
    };
    let when = if committed {
        crate::git::commit_time(root, "HEAD")?
    } else {
        chrono::Utc::now().timestamp()
    };
    crate::manifest::history::phase_entry(root, mb, at_base, &left, when)
}

/// Checks manifests that are already read: everything but discovery and git
/// (the history of `Source::entered` is read before).
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
        if *valid {
            let cx = RolloutCx {
                manifest: m,
                options: opts,
                registry,
                registry_path,
                base: base.as_ref(),
                entered: source.entered.as_ref(),
            };
            report.findings.extend(rules::check(&cx));
            // A kill switch stays available: the flag gate's `kill-switch-removed`.
            if let (Some(was), None) = (base.as_ref().and_then(|b| b.kill_switch.as_ref()), &m.kill_switch) {
                report
                    .findings
                    .push(crate::rules::flags::kill_switch_removed_from_manifest(
                        &m.path, &was.value,
                    ));
            }
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
fn phase_change(m: &Manifest, base: Option<&Manifest>) -> Option<Change> {
    let current = m.current_phase.as_ref()?;
    let to = m.current_index()?;
    let from_name = base.and_then(|b| b.current_phase.as_ref()).map(|c| c.value.as_str());
    if from_name == Some(current.value.as_str()) {
        return None;
    }
    let from = from_name.and_then(|n| m.phase_index(n).or_else(|| base.and_then(|b| b.phase_index(n))));
    let feature = m.feature.as_ref().map(|f| f.value.clone());
    let line = m.line_of(&current.ptr);
    let record = |approvers: Vec<String>| PhaseChange {
        feature: feature.clone(),
        file: m.path.clone(),
        line,
        from: from_name.map(str::to_string),
        to: current.value.clone(),
        approvers,
        // The last phase: general availability.
        is_final: to + 1 == m.phases.len(),
    };
    match from {
        Some(f) if to < f => Some(Change::PhaseRollback(record(Vec::new()))),
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
            Some(Change::PhaseAdvance(record(approvers)))
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
    [(&m.flag, exposed, false), (&m.kill_switch, None, true)]
        .into_iter()
        .filter_map(|(node, exposed, kill_switch)| Some((node.as_ref()?, exposed, kill_switch)))
        .map(|(node, exposed, kill_switch)| {
            let loc = m.location(&m.span(&node.ptr));
            FlagRef {
                flag: node.value.clone(),
                file: m.path.clone(),
                line: loc.line,
                column: loc.column,
                end_column: loc.end_column,
                exposed,
                kill_switch,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::Content;
    use serde_json::json;

    fn manifest(src: &str) -> Manifest {
        load("m.yml", &Content::Bytes(src.as_bytes().to_vec())).unwrap()
    }

    const PHASES: &str = "current_phase: b\nphases:\n  - name: a\n    audience: { percentage: 5 }\n  - name: b\n    audience: { percentage: 10 }\n    approvers: [lead]\n  - name: c\n    audience: { percentage: 20 }\n    approvers: [owner]\n";

    #[test]
    fn advancing_names_the_new_phase_and_its_approvers() {
        let m = manifest(PHASES);
        let base = manifest(&PHASES.replace("current_phase: b", "current_phase: a"));
        let c = serde_json::to_value(phase_change(&m, Some(&base)).unwrap()).unwrap();
        assert_eq!(c["kind"], "phase-advance");
        assert_eq!(c["from"], "a");
        assert_eq!(c["to"], "b");
        assert_eq!(c["approvers"], json!(["lead"]));
    }

    #[test]
    fn moving_back_is_a_rollback_without_approvers() {
        let m = manifest(PHASES);
        let base = manifest(&PHASES.replace("current_phase: b", "current_phase: c"));
        let c = serde_json::to_value(phase_change(&m, Some(&base)).unwrap()).unwrap();
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
}
