//! `current_phase` moved forward past a phase.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// With `--base REV`, flags a change that moves `current_phase` forward by
    /// more than one phase, such as from `canary` straight to `ga`.
    ///
    /// ## Why it blocks a release
    /// The skipped phases' audiences never ran with their gates, and their
    /// approvers never signed off: the rollout reaches the larger audience on
    /// the evidence of a much smaller one.
    ///
    /// ## How to ship it safely
    /// Advance one phase per change, each with its approvers. Moving
    /// `current_phase` backwards is a rollback and is always allowed.
    pub RULE = { id: "phase-skipped", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let (Some(base), Some(current)) = (cx.base_phase(), &m.current_phase) else {
        return;
    };
    let (Some(from), Some(to)) = (m.phase_index(base), m.current_index()) else {
        return;
    };
    if to <= from + 1 {
        return;
    }
    let skipped: Vec<String> = m.phases[from + 1..to].iter().map(|p| p.label()).collect();
    let next = &m.phases[from + 1];
    out.push(m.finding(
        &RULE,
        &current.ptr,
        format!(
            "`current_phase` moves from `{base}` to `{}`, skipping phase{} {}, so the larger audience gets the feature without the gates and sign-offs in between",
            current.value,
            if skipped.len() == 1 { "" } else { "s" },
            skipped.join(", ")
        ),
        format!("advance one phase at a time: set `current_phase` to {} first", next.label()),
    ));
}
