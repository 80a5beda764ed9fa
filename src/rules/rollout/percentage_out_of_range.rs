//! A traffic percentage below 0 or above 100.
use super::{fmt_num, RolloutCx};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags an `audience.percentage` or a `steps` value outside 0–100.
    ///
    /// ## Why it blocks a release
    /// A share of traffic above 100% or below 0% does not exist: flag services
    /// clamp it, reject it or wrap it, and which one you get decides whether
    /// everybody or nobody gets the feature.
    ///
    /// ## How to ship it safely
    /// Write the share of traffic the phase should reach, from `0` to `100`.
    /// General availability is `percentage: 100`.
    pub RULE = { id: "percentage-out-of-range", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        let values = phase
            .steps
            .iter()
            .map(|s| (s, "step"))
            .chain(phase.percentage.iter().map(|p| (p, "percentage")));
        for (node, what) in values {
            if !(0.0..=100.0).contains(&node.value) {
                out.push(m.finding(
                    &RULE,
                    &node.ptr,
                    format!(
                        "Phase {} has a {what} of {}%, outside 0–100, so no flag service can serve it as written",
                        phase.label(),
                        fmt_num(node.value)
                    ),
                    "use a share of traffic from 0 to 100; general availability is `percentage: 100`",
                ));
            }
        }
    }
}
