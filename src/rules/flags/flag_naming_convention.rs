//! A flag name that does not follow `flags.naming`.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// When `flags.naming` is set, reports every documented flag whose name does
    /// not match that regular expression in full.
    ///
    /// ## Why it blocks a release
    /// A naming convention is how a team finds its flags: in code search, in the
    /// flag service, in dashboards and in clean-up scripts (`beta_*` becomes
    /// `ga_*`, `*_enabled` are booleans). A flag that breaks it is missed by all of
    /// them, and renaming it after it ships means a migration of live state.
    ///
    /// ## How to ship it safely
    /// Rename the flag before it ships, in code, manifests and the registry, to
    /// match the convention:
    ///
    /// ```yaml
    /// flags:
    ///   naming: '(beta_|ga_)?[a-z][a-z0-9_]*'
    /// ```
    pub RULE = { id: "flag-naming-convention", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    let Some((src, re)) = m.naming else { return };
    for e in &m.registry.entries {
        if re.is_match(&e.name) {
            continue;
        }
        let f = Finding::new(
            &RULE,
            format!(
                "Flag `{}` does not match the naming convention `{src}` of `flags.naming`, so searches and clean-ups that rely on it miss the flag",
                e.name
            ),
        )
        .help(format!("rename the flag in code, manifests and the registry to match `{src}`"));
        out.push(m.at_row(f, e, Column::Flag));
    }
}
