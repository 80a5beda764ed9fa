//! `missing-signoff`: a sign-off the pull request needs and does not have.

use super::SignoffCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a sign-off that the pull request needs and does not have: the
    /// sign-off policy (`signoff.require`, read from the base commit's
    /// `shipgate.yml`) requires it for a class of change the pull request
    /// makes (a destructive migration, a permission change, a phase advance,
    /// a change to the gate's own configuration, ...), and no label or
    /// approving review that counts gives it. Only `shipgate ci` checks
    /// sign-offs.
    ///
    /// ## Why it blocks a release
    /// Release runbooks name who must agree before some changes ship: the
    /// System Owner and the Backup/Recovery Owner before data is dropped, the
    /// Security Owner before permissions change. A sign-off is only worth
    /// something when the right person gave it, on the code that ships: a
    /// label added by the author, by someone without the permission, or
    /// before the latest push does not count.
    ///
    /// ## How to ship it safely
    /// Ask an allowed signer to add the sign-off's label (`signoff:<name>` by
    /// default) after the latest push, or to approve the pull request's head
    /// commit. The PR summary comment says, for each rejected label or
    /// review, why it did not count.
    pub MISSING_SIGNOFF = { id: "missing-signoff", domain: Signoff, default: Error, class: Other };
}

/// One finding (without a file) per sign-off that is not met.
pub fn check(cx: &SignoffCx, out: &mut Vec<Finding>) {
    for r in cx.results.iter().filter(|r| !r.met()) {
        let mut msg = format!(
            "Sign-off `{}` is missing (required for {}); the change cannot ship without it",
            r.signoff,
            r.classes
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        for x in &r.rejected {
            msg.push_str(&format!(
                "; {} did not count: {}",
                x.evidence.describe(),
                x.why.message()
            ));
        }
        out.push(Finding::new(&MISSING_SIGNOFF, msg).help(format!(
            "an allowed signer adds the label `{}` after the latest push, or approves the head commit",
            r.label
        )));
    }
}
