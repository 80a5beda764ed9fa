//! Applying `MIGRATION_APPROVED` comments to a file's findings: a finding
//! its statement's approval covers is marked approved, with the reason; an
//! approval that is broken or approves nothing is itself a finding. These
//! two rules are declared here, beside the code that finds them.

use super::action::Action;
use super::approval::Approval;
use super::MigrationFile;
use crate::finding::Finding;
use crate::rule::Class;

crate::declare_rule! {
    /// ## What it does
    /// Flags a `MIGRATION_APPROVED` comment that cannot approve anything: no `:`,
    /// a blank reason, an empty or unknown rule list, or a marker written in
    /// another case or with a hyphen (`-- migration_approved: ...`), which
    /// would otherwise be a comment silently ignored.
    ///
    /// ## Why it blocks a release
    /// An approval is an audit record: one without a reason records nothing,
    /// so it approves nothing and the statement stays blocked.
    ///
    /// ## How to ship it safely
    /// `-- MIGRATION_APPROVED: <why this is safe>`, or
    /// `-- MIGRATION_APPROVED(rule-id, ...): <why>` with ids from `shipgate rules`.
    pub INVALID_APPROVAL = { id: "invalid-approval", domain: Migration, default: Error, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// Flags a valid approval comment whose statement has no finding it approves.
    ///
    /// An approval that names a contract rule (`MIGRATION_APPROVED(contract-too-soon): ...`)
    /// is judged only when the contract rules ran: `check --only migrations` and
    /// `lint` outside a repository do not run them, so they do not call it unused.
    ///
    /// ## Why it blocks a release
    /// It does not block. An approval in the wrong place usually means the
    /// statement it was meant for is still blocked, or was changed.
    ///
    /// ## How to ship it safely
    /// Move the comment onto the statement's line (after its `;`) or just above
    /// it, or remove it.
    pub UNUSED_APPROVAL = { id: "unused-approval", domain: Migration, default: Warning, class: Other };
}

/// Marks the findings of `ap`'s statement that it covers approved: a plain
/// approval covers contract-class findings, a listed rule covers that rule.
/// Returns whether it approved any.
pub fn approve(ap: &Approval, reason: &str, findings: &mut [Finding]) -> bool {
    let mut used = false;
    for f in findings.iter_mut() {
        if f.statement != ap.statement || ap.statement.is_none() || f.approved {
            continue;
        }
        let covered = match &ap.rules {
            Some(ids) => ids.iter().any(|id| id == f.rule),
            None => f.meta.class == Class::Contract,
        };
        if covered {
            f.approved = true;
            f.approval_reason = Some(reason.to_string());
            used = true;
        }
    }
    used
}

/// True when `ap` sits on a statement that can remove rows (a `DELETE` with
/// a `WHERE`, which no static rule flags) and covers `dry-run-row-loss`:
/// that is the approval `shipgate dry-run` needs when the statement removes
/// rows, so it is not unused.
fn approves_row_loss(file: &MigrationFile, ap: &Approval) -> bool {
    let covers = ap
        .rules
        .as_ref()
        .is_none_or(|ids| ids.iter().any(|id| id == "dry-run-row-loss"));
    let removes_rows = ap.statement.and_then(|i| file.statements.get(i)).is_some_and(|s| {
        s.actions
            .iter()
            .any(|a| matches!(a, Action::Delete { .. } | Action::DeleteKeys { .. }))
    });
    covers && removes_rows
}

/// Marks approved findings and reports approvals that are broken or approve nothing.
pub fn apply(file: &MigrationFile, findings: &mut Vec<Finding>) {
    let mut extra = Vec::new();
    for ap in &file.approvals {
        let location = file.location(&ap.span);
        let reason = match &ap.reason {
            Ok(r) => r,
            Err(problem) => {
                extra.push(
                    Finding::new(&INVALID_APPROVAL, format!("This approval approves nothing: {problem}"))
                        .help("write `-- MIGRATION_APPROVED: <why this is safe>` on the statement's line or just above it")
                        .at(&file.path, ap.span.clone(), location),
                );
                continue;
            }
        };
        if !approve(ap, reason, findings) && !approves_row_loss(file, ap) {
            let lock_only = ap.statement.is_some()
                && findings
                    .iter()
                    .any(|f| f.statement == ap.statement && f.meta.class == Class::Lock);
            let what = match &ap.rules {
                Some(ids) => format!("no `{}` finding", ids.join("`, `")),
                None if lock_only => {
                    "only lock-safety findings, which are approved by naming them: `MIGRATION_APPROVED(<rule-id>): <reason>`"
                        .to_string()
                }
                None => "no destructive or breaking finding".to_string(),
            };
            extra.push(
                Finding::new(
                    &UNUSED_APPROVAL,
                    format!("This approval approves nothing: its statement has {what}"),
                )
                .help("remove the comment, or move it onto the statement it is meant for")
                .at(&file.path, ap.span.clone(), location),
            );
        }
    }
    findings.extend(extra);
}
