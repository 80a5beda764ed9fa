//! Rules: pure functions from parsed models to findings, one per file.

pub mod migration;

use crate::registry::RuleMeta;

/// Every rule's metadata, for `shipgate rules`, `explain` and configuration.
pub static ALL_META: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<&'static RuleMeta> = migration::RULES.iter().map(|(m, _)| *m).collect();
    v.extend(migration::OTHER_META.iter().copied());
    v
});
