//! A jump in traffic larger than the configured factor, or a first exposure above the cap.
use super::{exposures, fmt_num, pct, RolloutCx};
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a share of traffic more than `rollouts.max_step_factor` (default 2)
    /// times the previous non-zero exposure, and a first non-zero exposure above
    /// `rollouts.max_first_percentage` (default 10). A phase may ramp in steps
    /// with `steps: [20, 30, 40]` before its own `audience.percentage`; each
    /// step counts.
    ///
    /// ## Why it blocks a release
    /// Each phase is there to show a problem while it hurts few users. Going from
    /// 10% to 100% multiplies the blast radius by ten at once, and the exit gates
    /// of the 10% phase say little about load, caches and quotas at ten times
    /// the traffic.
    ///
    /// ## How to ship it safely
    /// Add intermediate steps to the phase, at most doubling each time:
    ///
    /// ```yaml
    /// - name: half
    ///   audience: { percentage: 50 }
    ///   steps: [20, 40]          # 10% → 20% → 40% → 50%
    /// ```
    ///
    /// or change `rollouts.max_step_factor` in shipgate.yml if your service
    /// scales differently.
    pub RULE = { id: "traffic-step-too-large", domain: Rollout, default: Error, class: Other };
}

/// Steps that ramp from `from` to `to` at most `factor` times each.
fn suggested_steps(from: f64, to: f64, factor: f64) -> Vec<String> {
    let mut steps = Vec::new();
    let mut x = from;
    while x * factor < to && steps.len() < 10 {
        x = (x * factor).floor().max(x + 1.0);
        steps.push(fmt_num(x));
    }
    steps
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let factor = cx.options.max_step_factor;
    let first_cap = cx.options.max_first_percentage;
    let mut prev: Option<f64> = None;
    for e in exposures(m) {
        if e.percent <= 0.0 {
            continue;
        }
        let where_ = if e.step {
            format!("a step of phase {}", e.phase.label())
        } else {
            format!("phase {}", e.phase.label())
        };
        match prev {
            None if e.percent > first_cap => {
                let steps = suggested_steps(first_cap.min(e.percent), e.percent, factor);
                out.push(m.finding(
                    &RULE,
                    e.ptr,
                    format!(
                        "The first exposure is {} in {where_}, above the {} a rollout may start with, so a defect reaches that many users before any gate has run",
                        pct(e.percent),
                        pct(first_cap)
                    ),
                    format!(
                        "start with a phase of at most {}{}, or raise `rollouts.max_first_percentage`",
                        pct(first_cap),
                        if steps.is_empty() { String::new() } else { format!(" and ramp with `steps: [{}]`", steps.join(", ")) }
                    ),
                ));
            }
            Some(p) if e.percent > p * factor => {
                let steps = suggested_steps(p, e.percent, factor);
                out.push(m.finding(
                    &RULE,
                    e.ptr,
                    format!(
                        "Traffic jumps from {} to {} in {where_}, more than {}× the previous exposure, so the blast radius grows faster than the gates can show a problem",
                        pct(p),
                        pct(e.percent),
                        fmt_num(factor)
                    ),
                    format!(
                        "add `steps: [{}]` to phase {}, or raise `rollouts.max_step_factor`",
                        steps.join(", "),
                        e.phase.label()
                    ),
                ));
            }
            _ => {}
        }
        prev = Some(prev.map_or(e.percent, |p: f64| p.max(e.percent)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_double() {
        assert_eq!(suggested_steps(10.0, 100.0, 2.0), ["20", "40", "80"]);
        assert_eq!(suggested_steps(10.0, 50.0, 2.0), ["20", "40"]);
        assert!(suggested_steps(50.0, 100.0, 2.0).is_empty());
    }
}
