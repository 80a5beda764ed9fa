//! Rules: pure functions from parsed models to findings, one per file.

pub mod dryrun;
pub mod flags;
pub mod migration;
pub mod rollout;
pub mod signoff;

use crate::rule::RuleMeta;

/// Every rule's metadata, for `shipgate rules`, `explain` and configuration.
pub static ALL_META: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
    let mut v: Vec<&'static RuleMeta> = migration::RULES.iter().map(|(m, _)| *m).collect();
    v.extend(migration::OTHER_META.iter().copied());
    v.extend(rollout::META.iter().copied());
    v.extend(flags::META.iter().copied());
    v.extend(dryrun::RULES.iter().map(|(m, _)| *m));
    v.extend(signoff::META.iter().copied());
    v
});

#[cfg(test)]
mod tests {
    /// `rule::IDS` (read from the sources by `build.rs`) is exactly the table's ids.
    #[test]
    fn the_bottom_id_list_is_the_table() {
        let mut table: Vec<&str> = super::ALL_META.iter().map(|m| m.id).collect();
        table.sort_unstable();
        assert_eq!(crate::rule::IDS, table.as_slice());
    }
}
