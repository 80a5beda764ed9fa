//! A flag whose production default is not off.
use super::FlagCx;
use crate::finding::Finding;
use crate::flags::Column;

crate::declare_rule! {
    /// ## What it does
    /// Reports a documented flag whose production default is not off.
    ///
    /// Off is `off`, `false`, `0`, `disabled`, `no` or `control`; any other
    /// `Default`, or none, is reported, unless the flag's `Type` is
    /// `kill-switch`, `ops` or `permission`, flags that exist to stay on.
    ///
    /// ## Why it blocks a release
    /// Release plans say "default OFF in production": a release or experiment flag
    /// that defaults on ships its feature to everyone the moment the code deploys,
    /// before any phase of the rollout, and a rollback of the flag service or a
    /// missing flag row turns it on everywhere. An empty default leaves the
    /// production state to chance.
    ///
    /// ## How to ship it safely
    /// Default the flag to `off` and turn it on through its rollout. If it is meant
    /// to stay on (a kill switch, an operational toggle, an entitlement), say so in
    /// `Type`:
    ///
    /// ```markdown
    /// | `ingestion_enabled` | @sre | on | kill-switch | permanent | | |
    /// ```
    pub RULE = { id: "flag-default-not-off", domain: Flags, default: Error, class: Other };
}

pub fn check(m: &FlagCx<'_>, out: &mut Vec<Finding>) {
    for e in &m.registry.entries {
        if !e.has(Column::Default) || e.kind.is_some_and(|k| k.is_permanent()) {
            continue;
        }
        let kind = e.kind.map_or("release", |k| k.as_str());
        let (message, help) = match e.text(Column::Default) {
            None => (
                format!("Flag `{}` documents no default, so its state in production is left to chance", e.name),
                "write `off` in the `Default` cell".to_string(),
            ),
            Some(d) if e.default_on() == Some(false) => {
                let _ = d;
                continue;
            }
            Some(d) => (
                format!(
                    "{} flag `{}` defaults to `{d}`, so its feature is live in production before the rollout starts",
                    capitalize(kind),
                    e.name
                ),
                "default it to `off` and turn it on through the rollout; a flag meant to stay on is a `kill-switch`, `ops` or `permission` flag".to_string(),
            ),
        };
        out.push(m.at_row(Finding::new(&RULE, message).help(help), e, Column::Default));
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
