//! An exposed phase with no rollback trigger.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase that has users (a percentage above 0, or an allowlist) but
    /// no `rollback` triggers. A dark phase (`percentage: 0`, no allowlist)
    /// needs none.
    ///
    /// ## Why it blocks a release
    /// A rollback trigger is the decision, taken before anything goes wrong, of
    /// when to turn the feature off. Without one the decision is taken during
    /// the incident, late and under pressure.
    ///
    /// ## How to ship it safely
    /// ```yaml
    /// rollback: [{ metric: error_rate, above: 5%, window: 15m }]
    /// ```
    pub RULE = { id: "exposed-phase-without-rollback-triggers", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        if phase.is_exposed() && phase.rollback.is_empty() {
            let f = match &phase.rollback_ptr {
                Some(p) => m.finding_at_key(
                    &RULE,
                    p,
                    format!(
                        "Phase {} has users but an empty `rollback` list, so nothing says when to turn the feature off",
                        phase.label()
                    ),
                    "add triggers such as `rollback: [{ metric: error_rate, above: 5%, window: 15m }]`",
                ),
                None => m.finding(
                    &RULE,
                    phase.anchor(),
                    format!(
                        "Phase {} has users but no `rollback` triggers, so nothing says when to turn the feature off",
                        phase.label()
                    ),
                    "add triggers such as `rollback: [{ metric: error_rate, above: 5%, window: 15m }]`",
                ),
            };
            out.push(f);
        }
    }
}
