//! A rollout without a kill switch.
use super::RolloutCx;
use crate::finding::{Finding, Severity};

crate::declare_rule! {
    /// ## What it does
    /// Warns when a manifest has no `kill_switch`. With
    /// `rollouts: { require_kill_switch: true }` in shipgate.yml it is an error.
    ///
    /// ## Why it blocks a release
    /// By default it does not block. A kill switch is an ops flag, on by
    /// default, that turns the whole feature off regardless of its rollout
    /// targeting: one switch on-call can flip without knowing which phase the
    /// rollout is in or how the release flag is targeted.
    ///
    /// ## How to ship it safely
    /// Add an ops flag to the registry (type `kill-switch`) and name it:
    ///
    /// ```yaml
    /// kill_switch: ingestion_enabled
    /// ```
    pub RULE = { id: "missing-kill-switch", domain: Rollout, default: Warning, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    if m.kill_switch.is_some() {
        return;
    }
    let at = m.flag.as_ref().map_or("", |f| f.ptr.as_str());
    let feature = m.feature.as_ref().map_or("this feature", |f| f.value.as_str());
    let mut f = m.finding_at_key(
        &RULE,
        at,
        format!(
            "Rollout `{feature}` has no `kill_switch`, so on-call has no single flag that turns the feature off whatever its targeting"
        ),
        "add `kill_switch: <ops flag>` and list that flag in the flag registry",
    );
    if cx.options.require_kill_switch {
        f.severity = Severity::Error;
    }
    out.push(f);
}
