//! A rollback trigger that fires on values the exit gate accepts.
use super::RolloutCx;
use crate::finding::Finding;
use crate::manifest::model::{Bound, Side};

crate::declare_rule! {
    /// ## What it does
    /// Flags a rollback trigger whose threshold lies inside the passing band of
    /// an exit gate on the same metric in the same phase: `exit: max: 2%` with
    /// `rollback: above: 1%` (values between 1% and 2% both pass the phase and
    /// roll it back), or `exit: min: 99%` with `rollback: below: 99.5%`.
    /// Thresholds in different units of time are compared after conversion;
    /// thresholds of different kinds are left to `mixed-metric-units`.
    ///
    /// ## Why it blocks a release
    /// The two thresholds contradict each other: the rollout either rolls back
    /// while healthy by its own definition, or a reviewer "fixes" the trigger
    /// during an incident. Usually one of the numbers is a typo.
    ///
    /// ## How to ship it safely
    /// Put the rollback threshold at or beyond the exit bound, so that the
    /// trigger only fires on values the phase would fail anyway:
    ///
    /// ```yaml
    /// exit:     [{ metric: error_rate, max: 2% }]
    /// rollback: [{ metric: error_rate, above: 5%, window: 15m }]
    /// ```
    pub RULE = { id: "rollback-trigger-inside-exit-band", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        for t in &phase.rollback {
            for g in phase.exit.iter().filter(|g| g.metric.value == t.metric.value) {
                let (gd, gv) = g.threshold.value.normalized();
                let (td, tv) = t.threshold.value.normalized();
                if gd != td {
                    continue;
                }
                let inside = match (g.bound, t.bound) {
                    (Bound::Max, Side::Above) => tv < gv,
                    (Bound::Min, Side::Below) => tv > gv,
                    _ => false,
                };
                if !inside {
                    continue;
                }
                let (side, bound, passes, fix) = match t.bound {
                    Side::Above => ("above", "max", "up to", "at or above"),
                    Side::Below => ("below", "min", "down to", "at or below"),
                };
                out.push(m.finding(
                    &RULE,
                    &t.threshold.ptr,
                    format!(
                        "In phase {}, `{}` rolls back {side} {} while the exit gate passes values {passes} {}, so a phase that is healthy by its own gate is rolled back",
                        phase.label(),
                        t.metric.value,
                        t.threshold.value.text,
                        g.threshold.value.text
                    ),
                    format!(
                        "put the rollback threshold {fix} the exit gate's `{bound}: {}` (line {})",
                        g.threshold.value.text,
                        m.line_of(&g.threshold.ptr)
                    ),
                ));
            }
        }
    }
}
