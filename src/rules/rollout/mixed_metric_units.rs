//! One metric written with different units (or none) in different places.
use std::collections::HashMap;

use super::{fmt_num, RolloutCx};
use crate::finding::Finding;
use crate::manifest::model::{Dimension, Node, Quantity, Unit};

crate::declare_rule! {
    /// ## What it does
    /// Flags a metric whose thresholds, across the exit gates and rollback
    /// triggers of every phase, are written in different units: `5%` in one
    /// place and `0.05` in another, or `500ms` and `5m`. The first threshold of
    /// the metric sets its unit; every threshold written otherwise is flagged.
    ///
    /// ## Why it blocks a release
    /// Mixed units are how off-by-a-factor mistakes look in review: `0.05`
    /// next to `5%` is 0.05% to a monitoring system that reads percent, a gate
    /// a hundred times stricter than meant; `5m` next to `500ms` is a latency
    /// gate six hundred times looser. Comparisons between phases
    /// (`exit-threshold-loosened`, `rollback-trigger-inside-exit-band`) are
    /// also only meaningful in one unit.
    ///
    /// ## How to ship it safely
    /// Write every threshold of a metric in one unit: `error_rate` always in
    /// `%`, `p95_latency` always in `ms`.
    pub RULE = { id: "mixed-metric-units", domain: Rollout, default: Error, class: Other };
}

/// `value` written in `unit`, when the conversion is exact enough to suggest.
fn converted(q: &Quantity, unit: Unit) -> Option<String> {
    let ms = q.millis()?;
    let per = Quantity {
        value: 1.0,
        unit,
        text: String::new(),
    }
    .millis()?;
    Some(format!("{}{}", fmt_num(ms / per), unit.suffix()))
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let mut first: HashMap<&str, &Node<Quantity>> = HashMap::new();
    for phase in &m.phases {
        let thresholds = phase
            .exit
            .iter()
            .map(|g| (&g.metric.value, &g.threshold))
            .chain(phase.rollback.iter().map(|t| (&t.metric.value, &t.threshold)));
        for (metric, t) in thresholds {
            let Some(reference) = first.get(metric.as_str()) else {
                first.insert(metric, t);
                continue;
            };
            let (want, have) = (reference.value.unit, t.value.unit);
            if want == have {
                continue;
            }
            let help = match (want.dimension(), have.dimension()) {
                (Dimension::Time, Dimension::Time) => format!(
                    "write every threshold of `{metric}` in `{}`: `{}` is `{}`",
                    want.suffix(),
                    t.value.text,
                    converted(&t.value, want).unwrap_or_default()
                ),
                (_, _) if want == Unit::None => format!(
                    "write every threshold of `{metric}` without a unit, as at line {}",
                    m.line_of(&reference.ptr)
                ),
                _ => format!(
                    "write every threshold of `{metric}` in `{}`, as at line {}",
                    want.suffix(),
                    m.line_of(&reference.ptr)
                ),
            };
            out.push(m.finding(
                &RULE,
                &t.ptr,
                format!(
                    "Metric `{metric}` is `{}` here but `{}` at line {}, so its thresholds mix units and one of them is likely off by a factor",
                    t.value.text,
                    reference.value.text,
                    m.line_of(&reference.ptr)
                ),
                help,
            ));
        }
    }
}
