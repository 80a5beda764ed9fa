//! A bake time shorter than the window its gates measure over.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase whose `bake` is shorter than the `window` of one of its
    /// rollback triggers (or exit gates, when they name a window): `bake: 10m`
    /// with `rollback: [{ metric: error_rate, above: 5%, window: 15m }]`.
    ///
    /// ## Why it blocks a release
    /// The phase can advance before a single full window of the metric has
    /// been observed: the trigger has never had the chance to fire, and the
    /// next, larger phase inherits an unmeasured risk.
    ///
    /// ## How to ship it safely
    /// Bake for at least the longest window of the phase, preferably several:
    /// `bake: 1d` with `window: 15m`.
    pub RULE = { id: "bake-shorter-than-metric-window", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        let Some(bake) = &phase.bake else { continue };
        let Some(bake_ms) = bake.value.millis() else { continue };
        let windows = phase
            .rollback
            .iter()
            .filter_map(|t| Some((&t.metric.value, t.window.as_ref()?)))
            .chain(
                phase
                    .exit
                    .iter()
                    .filter_map(|g| Some((&g.metric.value, g.window.as_ref()?))),
            );
        let longest = windows
            .filter_map(|(metric, w)| Some((w.value.millis()?, metric, w)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some((w_ms, metric, w)) = longest {
            if bake_ms < w_ms {
                out.push(m.finding(
                    &RULE,
                    &bake.ptr,
                    format!(
                        "Phase {} bakes for {} but `{metric}` is measured over {} (line {}), so the phase can advance before one full window has been observed",
                        phase.label(),
                        bake.value.text,
                        w.value.text,
                        m.line_of(&w.ptr)
                    ),
                    format!("bake for at least `{}`, or shorten the window", w.value.text),
                ));
            }
        }
    }
}
