//! Traffic that goes down from one phase (or step) to the next.
use super::{exposures, pct, RolloutCx};
use crate::finding::{Finding, Related};

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase (or an intermediate step) whose share of traffic is lower
    /// than the one before it, such as 50% followed by 30%. A phase with only an
    /// allowlist counts as 0%.
    ///
    /// ## Why it blocks a release
    /// Users who already had the feature lose it when the rollout advances:
    /// sessions break, data written by the new path is read by the old one, and
    /// the metrics of the smaller phase are not comparable with the larger one.
    /// Argo Rollouts accepts decreasing weights; shipgate does not.
    ///
    /// ## How to ship it safely
    /// Order the phases by increasing traffic. To go back, move
    /// `current_phase` back to an earlier phase: that is a rollback, and it
    /// needs no approvers.
    pub RULE = { id: "traffic-decrease", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let ramp = exposures(m);
    for pair in ramp.windows(2) {
        let (prev, next) = (&pair[0], &pair[1]);
        if next.percent < prev.percent {
            let from = if prev.step {
                format!("a step of phase {}", prev.phase.label())
            } else {
                format!("phase {}", prev.phase.label())
            };
            let to = if next.step {
                format!("a step of phase {}", next.phase.label())
            } else {
                format!("phase {}", next.phase.label())
            };
            out.push(
                m.finding(
                    &RULE,
                    next.ptr,
                    format!(
                    "Traffic goes down from {} in {from} to {} in {to}, so users who already have the feature lose it",
                    pct(prev.percent),
                    pct(next.percent)
                ),
                    "order phases by increasing traffic; to go back, move `current_phase` to an earlier phase instead",
                )
                .related(Related {
                    file: None,
                    location: m.location(&m.span(prev.ptr)),
                    span: Some(m.span(prev.ptr)),
                    label: format!("traffic was {} here", pct(prev.percent)),
                }),
            );
        }
    }
}
