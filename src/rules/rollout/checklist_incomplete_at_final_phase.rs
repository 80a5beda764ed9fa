//! Go/no-go: the last phase is current while checklist items are open.
use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags every `checklist` item that is not `done: true` when
    /// `current_phase` is the last phase of the manifest. Items may stay open
    /// in earlier phases.
    ///
    /// ## Why it blocks a release
    /// The checklist is the go/no-go for reaching everybody: backups verified,
    /// support briefed, dashboards in place. Entering the last phase with open
    /// items means going "go" without them.
    ///
    /// ## How to ship it safely
    /// Finish the item and set `done: true` in the same pull request that moves
    /// `current_phase` to the last phase, or stay in the previous phase.
    pub RULE = { id: "checklist-incomplete-at-final-phase", domain: Rollout, default: Error, class: Other };
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    let (Some(current), Some(last)) = (m.current_index(), m.phases.len().checked_sub(1)) else {
        return;
    };
    if current != last {
        return;
    }
    let phase = &m.phases[last];
    for item in m.checklist.iter().filter(|i| !i.is_done()) {
        let at = match (&item.done, &item.item) {
            (Some(d), _) => &d.ptr,
            (None, Some(i)) => &i.ptr,
            (None, None) => &item.ptr,
        };
        out.push(m.finding(
            &RULE,
            at,
            format!(
                "Checklist item `{}` is not done while the last phase {} is current, so the rollout reached everybody without its go/no-go",
                item.label(),
                phase.label()
            ),
            "finish the item and set `done: true`, or move `current_phase` back to the previous phase",
        ));
    }
}
