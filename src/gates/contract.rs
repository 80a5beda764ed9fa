//! The contract gate (issue #13): the DROPs and RENAMEs that the change's
//! migrations add, checked against the code at the head (a search of the
//! repository) and against history (git, bounded by the minimum age), then
//! the contract rules, with approvals that name them.

use std::path::Path;

use super::migrations::Facts;
use crate::config::Config;
use crate::contract::history::{self, Window};
use crate::contract::{tree, Reference, Target};
use crate::error::AppError;
use crate::finding::Finding;
use crate::migration::approval::Approval;
use crate::outcome::Report;
use crate::rules::contract::{check, ContractCx, RULES};
use crate::rules::migration::{approve, UNUSED_APPROVAL};

/// What the gate read, for the benchmark and `--verbose` callers.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Searched {
    /// Files of code read at the head.
    pub files: usize,
    /// Files that contain one of the names, and were parsed.
    pub parsed: usize,
    /// Commits whose files the history search read.
    pub commits: usize,
}

/// Runs the contract rules on what `facts` collected from the migrations
/// the change adds. `base` is `--base`: the merge base with it counts as
/// the change's start. Adds the findings to `report`.
pub fn run(
    root: &Path,
    config: &Config,
    base: Option<&str>,
    facts: &Facts,
    report: &mut Report,
) -> Result<Searched, AppError> {
    let cs = &facts.contractions;
    if cs.is_empty() {
        return Ok(Searched::default());
    }
    let options = tree::Options::new(&config.migrations.contract_ignore, facts.migrations.iter().cloned())
        .map_err(AppError::Usage)?;
    let targets: Vec<Target> = cs.iter().map(|c| c.target.clone()).collect();
    let found = tree::scan_tree(root, &targets, &options);
    if let Some(first) = found.errors.first() {
        return Err(AppError::Evaluate(format!(
            "cannot search the code for references to what the migrations drop: {first}"
        )));
    }
    let mut searched = Searched {
        files: found.searched,
        parsed: found.parsed,
        commits: 0,
    };
    let mut references: Vec<Vec<Reference>> = vec![Vec::new(); cs.len()];
    for r in found.references {
        let k = r.target;
        references[k].push(r);
    }
    let min_age = config.migrations.contract_min_age.seconds;
    let wanted: Vec<bool> = references.iter().map(Vec::is_empty).collect();
    let mut removals = vec![None; cs.len()];
    let mut head_time = 0;
    // Outside a git repository (or before its first commit) there is no
    // history to read: the age rule applies to repositories only.
    let repository = crate::git::commit_time(root, "HEAD").is_ok();
    if min_age > 0 && repository && wanted.iter().any(|w| *w) {
        let window = window(root, base, min_age)?;
        head_time = window.head_time;
        let h = history::last_removals(root, &targets, &wanted, &options, &window)?;
        removals = h.removals;
        searched.commits = h.commits_read;
    }
    let cx = ContractCx {
        contractions: cs,
        references: &references,
        removals: &removals,
        head_time,
        min_age,
        min_age_text: config.migrations.contract_min_age.to_string(),
    };
    report.stats.contract_files += searched.files;
    report.stats.contract_commits += searched.commits;
    let mut findings = check(&cx);
    apply_approvals(facts, &mut findings, report);
    report.findings.extend(findings);
    Ok(searched)
}

/// The history the age rule reads: from HEAD back to the minimum age.
fn window(root: &Path, base: Option<&str>, min_age: i64) -> Result<Window, AppError> {
    if crate::git::is_shallow(root)? {
        return Err(AppError::Evaluate(format!(
            "`contract-too-soon` cannot be evaluated: {}",
            crate::git::SHALLOW_HINT
        )));
    }
    let head_time = crate::git::commit_time(root, "HEAD")?;
    let bases = vec![match base {
        Some(rev) => crate::git::merge_base(root, rev)?,
        None => "HEAD".to_string(),
    }];
    Ok(Window {
        head: "HEAD".into(),
        bases,
        head_time,
        since: head_time - min_age,
    })
}

/// Approvals that name a contract rule approve its findings (a plain
/// approval does not: their class is `Lock`, not `Contract`); such an approval
/// is then not unused, whatever the migration gate concluded alone.
fn apply_approvals(facts: &Facts, findings: &mut [Finding], report: &mut Report) {
    for c in &facts.contractions {
        for ap in &c.approvals {
            let Ok(reason) = &ap.reason else { continue };
            let mut used = false;
            for f in findings
                .iter_mut()
                .filter(|f| f.file.as_deref() == Some(c.file.as_str()))
            {
                used |= approve(ap, reason, std::slice::from_mut(f));
            }
            if used {
                withdraw_unused(report, &c.file, ap);
            }
        }
    }
}

/// When the contract gate does not run (`check --only migrations`, `lint`
/// outside a repository), an approval on a DROP or RENAME that names a
/// contract rule cannot be judged: the migration gate's `unused-approval` for
/// it is withdrawn.
pub fn not_run(facts: &Facts, report: &mut Report) {
    let contract_rule = |id: &String| RULES.iter().any(|(meta, _)| meta.id == id);
    for c in &facts.contractions {
        for ap in &c.approvals {
            if ap.rules.as_ref().is_some_and(|ids| ids.iter().any(contract_rule)) {
                withdraw_unused(report, &c.file, ap);
            }
        }
    }
}

/// Removes the `unused-approval` finding of `ap`, in `file`, from `report`.
fn withdraw_unused(report: &mut Report, file: &str, ap: &Approval) {
    report.findings.retain(|f| {
        !(f.rule == UNUSED_APPROVAL.id && f.file.as_deref() == Some(file) && f.span == Some(ap.span.clone()))
    });
}
