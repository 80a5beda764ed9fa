//! `unsigned-commit`: a commit of the pull request whose signature GitHub did not verify.

use super::SignoffCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// With `signoff.require_signed_commits: true`, flags each commit of the
    /// pull request that GitHub does not show as verified
    /// (`commit.verification.verified`), with GitHub's `reason` (`unsigned`,
    /// `unknown_key`, `bad_email`, ...). Only `shipgate ci` checks it; when
    /// the commits cannot be read, the gate was not evaluated (exit 3).
    ///
    /// ## Why it blocks a release
    /// A commit's author name and email are whatever the pusher typed. A
    /// verified signature ties the commit to a key GitHub knows for that
    /// account, so the change that ships is the one its author wrote.
    ///
    /// ## How to ship it safely
    /// Sign the commits (`git commit -S`, or `git rebase --exec 'git commit
    /// --amend --no-edit -S' <base>`) with a key added to the author's GitHub
    /// account, and push again.
    pub UNSIGNED_COMMIT = { id: "unsigned-commit", domain: Signoff, default: Error, class: Other };
}

/// One finding (without a file) per commit that is not verified.
pub fn check(cx: &SignoffCx, out: &mut Vec<Finding>) {
    out.extend(
        cx.commits
            .unwrap_or_default()
            .iter()
            .filter(|c| !c.verified)
            .map(|c| {
                Finding::new(
                    &UNSIGNED_COMMIT,
                    format!(
                        "Commit `{}` is not verified by GitHub (`{}`); `signoff.require_signed_commits` asks for signed commits",
                        c.sha.get(..7).unwrap_or(&c.sha),
                        c.reason
                    ),
                )
                .help("sign the commit with a key on the author's GitHub account and push again")
            })
    );
}
