//! Rules: pure functions from parsed models to findings, one per file.

pub mod dryrun;
pub mod flags;
pub mod migration;
pub mod rollout;
pub mod signoff;

use crate::registry::RuleMeta;

/// Every rule's metadata, for `shipgate rules`, `explain` and configuration.
pub static ALL_META: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<&'static RuleMeta> = migration::RULES.iter().map(|(m, _)| *m).collect();
    v.extend(migration::OTHER_META.iter().copied());
    v.extend(rollout::META.iter().copied());
    v.extend(flags::META.iter().copied());
    v.extend(dryrun::META.iter().copied());
    v.extend(signoff::META.iter().copied());
    v
});
