//! `open-blocking-issues`: a launch while issues labelled P0/P1 (SEV-1/2) are open.

use super::SignoffCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags each open issue that carries a blocking label
    /// (`ci.blocking_issues.labels`, default `P0`, `P1`, `SEV-1`, `SEV-2`)
    /// when the change is a launch (`ci.blocking_issues.on`, default a
    /// rollout advancing into its final phase and a push to a release
    /// branch; `phase-advance` and `any-change` can be added). Pull requests
    /// are not issues. Only `shipgate ci` looks issues up; when it cannot,
    /// the gate was not evaluated (exit 3).
    ///
    /// ## Why it blocks a release
    /// Release runbooks hold a launch while a P0 or P1 (SEV-1, SEV-2) issue is
    /// open: shipping more change on top of an open incident makes it harder
    /// to find and to roll back.
    ///
    /// ## How to ship it safely
    /// Fix and close the issue, or have its owner relabel it when it does not
    /// block the launch; then re-run the gate.
    pub OPEN_BLOCKING_ISSUES = { id: "open-blocking-issues", domain: Signoff, default: Error, class: Other };
}

/// One finding (without a file) per open blocking issue.
pub fn check(cx: &SignoffCx, out: &mut Vec<Finding>) {
    out.extend(cx.blocking.unwrap_or_default().iter().map(|i| {
        let labels = i.labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
        let noun = if i.labels.len() == 1 { "label" } else { "labels" };
        Finding::new(
            &OPEN_BLOCKING_ISSUES,
            format!(
                "Issue #{} is open with the blocking {noun} {labels} ({}); the launch waits until it is closed",
                i.number, i.title
            ),
        )
        .help("close the issue when it is fixed, or relabel it if it does not block the launch")
    }));
}
