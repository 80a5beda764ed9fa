//! `current_phase` naming no phase.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a `current_phase` that is not the `name` of any phase of the manifest.
    ///
    /// ## Why it blocks a release
    /// Nobody can tell where the rollout is: which audience has the feature,
    /// which gates apply now, and which approvers the next advance needs.
    ///
    /// ## How to ship it safely
    /// Set `current_phase` to the name of one of the phases, exactly as written.
    pub RULE = { id: "unknown-current-phase", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let Some(current) = &m.current_phase else { return };
    if m.phases.is_empty() || m.phase_index(&current.value).is_some() {
        return;
    }
    let names: Vec<String> = m
        .phases
        .iter()
        .filter_map(|p| p.name.as_ref().map(|n| format!("`{}`", n.value)))
        .collect();
    out.push(m.finding(
        &RULE,
        &current.ptr,
        format!(
            "`current_phase` is `{}`, which names no phase, so nobody can tell which audience has the feature",
            current.value
        ),
        format!("set it to one of {}", names.join(", ")),
    ));
}
