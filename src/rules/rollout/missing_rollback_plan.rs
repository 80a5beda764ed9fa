//! A rollback plan that is not in the repository.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a manifest without `rollback_plan`, or whose `rollback_plan` names
    /// a file that does not exist in the repository (paths are relative to the
    /// repository root; absolute paths, `..` and URLs do not count).
    ///
    /// ## Why it blocks a release
    /// The rollback plan is what on-call reads at 3 a.m. A link to a file that
    /// was never written, or was moved, is discovered during the incident.
    ///
    /// ## How to ship it safely
    /// Commit the runbook with the manifest and point at it:
    ///
    /// ```yaml
    /// rollback_plan: docs/runbooks/ingestion-v2.md
    /// ```
    pub RULE = { id: "missing-rollback-plan", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    match &m.rollback_plan {
        None => out.push(m.finding(
            &RULE,
            "",
            "The manifest names no `rollback_plan`, so on-call has no written way back if the rollout goes wrong",
            "add `rollback_plan: docs/runbooks/<feature>.md` and commit the runbook",
        )),
        Some(plan) if !m.rollback_plan_exists => out.push(m.finding(
            &RULE,
            &plan.ptr,
            format!(
                "Rollback plan `{}` does not exist in the repository, so on-call has no written way back if the rollout goes wrong",
                plan.value
            ),
            "commit the runbook at that path, or fix the path (relative to the repository root)",
        )),
        Some(_) => {}
    }
}
