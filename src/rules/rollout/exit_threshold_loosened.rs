//! An exit gate that is looser in a later phase than in an earlier one.
use std::collections::HashMap;

use super::RolloutCx;
use crate::finding::Finding;
use crate::manifest::model::{Bound, Node, Quantity};

crate::declare_rule! {
    /// ## What it does
    /// Warns when an exit gate on a metric is looser in a later phase than in
    /// the phase before it that gates the same metric: a `max` that goes up
    /// (`error_rate` max 1% in canary, 2% in GA) or a `min` that goes down.
    /// Thresholds written in different units are left to `mixed-metric-units`.
    ///
    /// ## Why it blocks a release
    /// It does not block: it is a warning. Usually each phase should meet a
    /// stricter bar than the last, because it exposes more users. Sometimes a
    /// looser bar is intended: a p99 latency of an ingestion pipeline grows with
    /// the volume it ingests, so `max: 5m` at 10% and `max: 10m` at 100% can be
    /// right. The warning asks the reviewer to confirm it.
    ///
    /// ## How to ship it safely
    /// Keep the threshold equal or tighter in each later phase. If the looser
    /// bar is deliberate, say why in the pull request, and if your team
    /// loosens thresholds on purpose often, set
    /// `rules: { exit-threshold-loosened: off }` in shipgate.yml.
    pub RULE = { id: "exit-threshold-loosened", domain: Rollout, default: Warning, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    // (metric, bound) → the threshold of the latest earlier phase that gates it, and that phase's label.
    let mut last: HashMap<(String, bool), (&Node<Quantity>, String)> = HashMap::new();
    for phase in &m.phases {
        for g in &phase.exit {
            let key = (g.metric.value.clone(), g.bound == Bound::Max);
            let Some((prev, prev_phase)) = last.get(&key) else {
                continue;
            };
            let (pd, pv) = prev.value.normalized();
            let (d, v) = g.threshold.value.normalized();
            // Thresholds in different units are `mixed-metric-units`, not a loosening.
            if pd != d || prev.value.unit != g.threshold.value.unit {
                continue;
            }
            let loosened = match g.bound {
                Bound::Max => v > pv,
                Bound::Min => v < pv,
            };
            if loosened {
                let word = if g.bound == Bound::Max { "max" } else { "min" };
                out.push(m.finding(
                    &RULE,
                    &g.threshold.ptr,
                    format!(
                        "The exit gate on `{}` loosens from {word} {} in phase {prev_phase} to {word} {} in phase {}, so the larger audience is held to a weaker bar",
                        g.metric.value,
                        prev.value.text,
                        g.threshold.value.text,
                        phase.label()
                    ),
                    format!(
                        "keep `{word}: {}` or tighter, or confirm in review that the looser bar is intended",
                        prev.value.text
                    ),
                ));
            }
        }
        for g in &phase.exit {
            last.insert(
                (g.metric.value.clone(), g.bound == Bound::Max),
                (&g.threshold, phase.label()),
            );
        }
    }
}
