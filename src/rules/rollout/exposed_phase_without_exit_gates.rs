//! An exposed phase with no exit gate.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase that has users (a percentage above 0, or an allowlist) but
    /// no `exit` gates. An internal phase with only an allowlist is exposed: its
    /// users are real, and it is where problems should show first. A dark phase
    /// (`percentage: 0`, no allowlist) needs none.
    ///
    /// ## Why it blocks a release
    /// Without an exit gate, nothing says when the phase has succeeded, and the
    /// rollout advances on a calendar instead of on evidence.
    ///
    /// ## How to ship it safely
    /// Give the phase the conditions it must meet before advancing:
    ///
    /// ```yaml
    /// exit: [{ metric: error_rate, max: 2% }, { metric: p95_latency, max: 500ms }]
    /// ```
    pub RULE = { id: "exposed-phase-without-exit-gates", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        if phase.is_exposed() && phase.exit.is_empty() {
            let f = match &phase.exit_ptr {
                Some(p) => m.finding_at_key(
                    &RULE,
                    p,
                    format!(
                        "Phase {} has users but an empty `exit` list, so nothing decides when it may advance",
                        phase.label()
                    ),
                    "add gates such as `exit: [{ metric: error_rate, max: 2% }]`",
                ),
                None => m.finding(
                    &RULE,
                    phase.anchor(),
                    format!(
                        "Phase {} has users but no `exit` gates, so nothing decides when it may advance",
                        phase.label()
                    ),
                    "add gates such as `exit: [{ metric: error_rate, max: 2% }]`",
                ),
            };
            out.push(f);
        }
    }
}
