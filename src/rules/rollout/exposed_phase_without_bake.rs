//! An exposed phase with no bake time, when `rollouts.require_bake` asks for one.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// With `rollouts: { require_bake: true }` in shipgate.yml, flags a phase
    /// that has users (a percentage above 0, or an allowlist) but no `bake`.
    /// Without that setting the rule is silent.
    ///
    /// ## Why it blocks a release
    /// `bake` is how long the phase runs before the rollout may advance; it
    /// is what `phase-advanced-before-bake` enforces. A phase without one can
    /// be left the minute it was entered, before anything slow has had the
    /// time to show.
    ///
    /// ## How to ship it safely
    /// Give every exposed phase its minimum duration: `bake: 2d`, or `bake: 7d`
    /// at 100%.
    pub RULE = { id: "exposed-phase-without-bake", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    if !cx.options.require_bake {
        return;
    }
    let m = cx.manifest;
    for phase in m.phases.iter().filter(|p| p.is_exposed() && p.bake.is_none()) {
        out.push(m.finding(
            &RULE,
            phase.anchor(),
            format!(
                "Phase {} has users but no `bake`, so nothing holds the rollout there before it advances",
                phase.label()
            ),
            "add the phase's minimum duration, such as `bake: 2d` (`rollouts.require_bake` asks for one)",
        ));
    }
}
