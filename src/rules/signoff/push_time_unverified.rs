//! `signoff-push-time-unverified`: a label sign-off judged by the timeline's order alone.

use super::SignoffCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Warns when a sign-off label counted although GitHub could not say when
    /// the pull request's head commit was pushed: the token could not read
    /// the head's check suites, or the base repository has none for it (a
    /// fork whose CI runs on `push` only, under `pull_request_target`), so the
    /// label was judged by where it sits in the pull request's timeline,
    /// after the head commit.
    ///
    /// ## Why it blocks a release
    /// It does not block (a warning); it says the sign-off is weaker than it
    /// looks. A label only counts when it was given after the latest push. The
    /// timeline lists commits by the date written in the commit, which its
    /// author chooses: a commit pushed after the sign-off but dated earlier
    /// would look older than the label. The time GitHub first saw the commit
    /// (its check suite) cannot be forged; without it the label is taken on
    /// the timeline's word.
    ///
    /// ## How to ship it safely
    /// Give the workflow's token `checks: read` (the default `GITHUB_TOKEN`
    /// permissions include it; an explicit `permissions:` block must list
    /// it). When the head has no check suite in the base repository, the
    /// permission is not the cause: run a workflow on `pull_request` as well
    /// (one job that does nothing is enough), so that GitHub creates a check
    /// suite for the head. Or have the signer approve the head commit with a
    /// review, which is bound to the commit itself.
    pub SIGNOFF_PUSH_TIME_UNVERIFIED = { id: "signoff-push-time-unverified", domain: Signoff, default: Warning, class: Other };
}

/// One finding (without a file) per sign-off met with a caveat.
pub fn check(cx: &SignoffCx, out: &mut Vec<Finding>) {
    out.extend(cx.results.iter().filter(|r| r.met()).filter_map(|r| {
        let caveat = r.caveat.as_ref()?;
        // No check suite at all: `checks: read` would change nothing.
        let help = if caveat == crate::signoff::evaluate::NO_SUITES {
            "run a workflow on `pull_request` as well (one job that does nothing is enough): its check suite \
                     tells when GitHub saw the head; or have the signer approve the head commit"
        } else {
            "add `checks: read` to the workflow's `permissions:`"
        };
        Some(
            Finding::new(
                &SIGNOFF_PUSH_TIME_UNVERIFIED,
                format!("Sign-off `{}` counted with a caveat: {caveat}", r.signoff),
            )
            .help(help),
        )
    }));
}
