//! A beta flag's last code reference removed before a release read its GA flag.
use super::FlagCx;
use crate::finding::{Finding, Severity};
use crate::flags::history::Release;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// With `--base` (in the pre-push hook and in `shipgate ci`), reports a
    /// change that removes the last code reference to a `beta_*` flag while the
    /// latest release did not read its GA flag yet.
    ///
    /// The GA flag is the beta row's `Replaced by` (in the registry now or at
    /// the merge base), else `ga_<rest>` when the code reads it; a beta flag
    /// with neither is removed, not cut over, and is not judged. The latest
    /// release is the newest tag matching `flags.release_tags` (default `v*`)
    /// reachable from HEAD; its code is searched with the same reference
    /// patterns. When no such tag exists, the rule says so in a note: it cannot
    /// tell which code users run.
    ///
    /// ## Why it blocks a release
    /// During the deploy, instances of the previous release still serve users.
    /// They read only `beta_x`; once the new release stops reading it and the
    /// flag's state moves to `ga_x`, those instances lose the feature. Release
    /// runbooks ask for one release of dual reads: the release before the
    /// cutover reads both flags.
    ///
    /// ## How to ship it safely
    /// First release code that reads `ga_x` as well as `beta_x`
    /// (`isEnabled("ga_x") || isEnabled("beta_x")`). After that release is
    /// tagged and deployed, remove the `beta_x` reads and its row.
    pub RULE = { id: "beta-cutover-without-dual-read", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for c in m.cutovers {
        let (beta, ga) = (&c.removed.flag, &c.ga);
        let mut f = match &c.release {
            Release::Tag { reads_ga: true, .. } => continue,
            Release::Tag { tag, .. } => Finding::new(
                &RULE,
                format!(
                    "This change removes the last code reference to `{beta}` (`{}` line {} at the merge base), but the latest release `{tag}` does not read `{ga}` yet, so its instances lose the feature during the deploy",
                    c.removed.file, c.removed.line
                ),
            )
            .help(format!("release code that reads both `{ga}` and `{beta}` first; remove `{beta}` in the release after")),
            Release::NoTag { glob } => {
                let mut f = Finding::new(
                    &RULE,
                    format!(
                        "This change removes the last code reference to `{beta}`, and no tag matching `{glob}` is reachable from HEAD, so whether the running release reads `{ga}` is not known"
                    ),
                )
                .help("set `flags.release_tags` to the glob of your release tags, and fetch the tags (`fetch-depth: 0` in actions/checkout)");
                f.severity = Severity::Note;
                f
            }
        };
        if let Some(e) = m.registry.get(beta).or_else(|| m.registry.get(ga)) {
            f = m.at_row(f, e, Column::Flag);
        }
        out.push(f);
    }
}
