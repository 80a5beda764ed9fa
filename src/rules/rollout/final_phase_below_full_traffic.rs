//! A rollout whose last phase stops below 100%.
use super::{pct, RolloutCx};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a manifest whose last phase reaches less than 100% of traffic
    /// (an allowlist-only phase counts as 0%), unless the rollout is marked
    /// `experiment: true` (on the manifest or on its last phase).
    ///
    /// ## Why it blocks a release
    /// A release that never reaches everybody leaves two code paths in
    /// production for good: the flag can never be removed, and every later
    /// change has to be tested both ways.
    ///
    /// ## How to ship it safely
    /// End with a general-availability phase:
    ///
    /// ```yaml
    /// - name: ga
    ///   audience: { percentage: 100 }
    /// ```
    ///
    /// or, for an A/B test that is meant to stop at a share, mark the manifest
    /// `experiment: true`.
    pub RULE = { id: "final-phase-below-full-traffic", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let Some(last) = m.phases.last() else { return };
    if m.experiment || last.experiment {
        return;
    }
    let exposure = last.exposure();
    // Out-of-range values are `percentage-out-of-range`.
    if (0.0..100.0).contains(&exposure) {
        out.push(m.finding(
            &RULE,
            last.exposure_anchor(),
            format!(
                "The last phase {} reaches {} of traffic, so the rollout never finishes and the flag can never be removed",
                last.label(),
                pct(exposure)
            ),
            "end with a phase at `percentage: 100`, or mark the rollout `experiment: true` if it is meant to stop here",
        ));
    }
}
