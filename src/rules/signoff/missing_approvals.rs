//! `missing-approvals`: fewer approving reviews on the head commit than the policy asks for.

use super::SignoffCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a pull request with fewer approving reviews than
    /// `signoff.min_approvals` asks for (default `{ any-change: 1 }`: one
    /// approval on every pull request). An approval counts when it is the
    /// reviewer's latest decisive review, it is on the head commit, and the
    /// reviewer is not the author and has at least `write` permission. Each
    /// reviewer counts once. Only `shipgate ci` checks approvals.
    ///
    /// ## Why it blocks a release
    /// Release runbooks ask for a review of every change ("Reviewer (any)"),
    /// some for two ("code review approved by 2+ engineers"). An approval of
    /// an older commit did not review the code that ships; an approval by
    /// the author, or by someone who may not push, reviews nothing.
    ///
    /// ## How to ship it safely
    /// Ask reviewers with `write` permission to approve the head commit. The
    /// finding names who approved and where (an old commit, for instance).
    /// `signoff.min_approvals: { any-change: 2 }` asks for two approvals;
    /// `{ schema-destructive: 2 }` only for destructive migrations.
    pub MISSING_APPROVALS = { id: "missing-approvals", domain: Signoff, default: Error, class: Other };
}

/// One finding (without a file) when the approvals fall short.
pub fn check(cx: &SignoffCx, out: &mut Vec<Finding>) {
    let Some(a) = cx.approvals.filter(|a| !a.met()) else {
        return;
    };
    let classes = a
        .classes
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let reviews = |n: usize| if n == 1 { "review" } else { "reviews" };
    let mut msg = format!(
        "The pull request needs {} approving {} on its head commit (for {classes}) and has {}",
        a.needed,
        reviews(a.needed as usize),
        a.counted.len()
    );
    if !a.counted.is_empty() {
        msg.push_str(&format!(" (by {})", a.counted.join(", ")));
    }
    msg.push_str("; the change cannot ship without them");
    for x in &a.rejected {
        msg.push_str(&format!(
            "; {} did not count: {}",
            x.evidence.describe(),
            x.why.message()
        ));
    }
    out.push(
        Finding::new(&MISSING_APPROVALS, msg)
            .help("reviewers with `write` permission, other than the author, approve the head commit"),
    );
}
