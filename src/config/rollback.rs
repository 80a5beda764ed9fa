//! `migrations.rollback:` in shipgate.yml: whether a migration needs a
//! rollback, and where reverse scripts live when no framework says.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The `migrations.rollback` section of `shipgate.yml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct RollbackConfig {
    /// Which migrations a change adds must come with a rollback (rule
    /// `missing-rollback`): `none` (default), `destructive` (a file with a
    /// destructive or breaking statement) or `all`.
    #[serde(default)]
    pub require: RequireRollback,
    /// Where reverse scripts live when the framework has no down file or
    /// section of its own: a path from the repository root with `{version}`
    /// and `{name}` taken from the migration's name, e.g.
    /// `rollbacks/{version}_{name}.sql`.
    #[serde(default, deserialize_with = "pattern")]
    pub path: Option<String>,
}

/// Which migrations need a rollback.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RequireRollback {
    /// No migration needs one.
    #[default]
    None,
    /// A migration with a destructive or breaking statement (any finding of
    /// the contract class, approved or not, or a drop, truncate or delete).
    Destructive,
    /// Every migration.
    All,
}

fn pattern<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let p = Option::<String>::deserialize(d)?;
    match &p {
        Some(s) if !s.contains("{version}") && !s.contains("{name}") => Err(serde::de::Error::custom(format!(
            "`{s}` names one file for every migration; put `{{version}}` and/or `{{name}}` in it"
        ))),
        _ => Ok(p),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn require_is_none_by_default_and_a_path_needs_a_placeholder() {
        let c = crate::config::parse("version: 1\n").unwrap();
        assert_eq!(c.migrations.rollback, RollbackConfig::default());
        assert_eq!(c.migrations.rollback.require, RequireRollback::None);
        let c = crate::config::parse(
            "migrations:\n  rollback: {require: destructive, path: 'rollbacks/{version}_{name}.sql'}\n",
        )
        .unwrap();
        assert_eq!(c.migrations.rollback.require, RequireRollback::Destructive);
        assert_eq!(
            c.migrations.rollback.path.as_deref(),
            Some("rollbacks/{version}_{name}.sql")
        );
        let (msg, pos) = crate::config::parse("migrations:\n  rollback:\n    path: rollbacks/down.sql\n").unwrap_err();
        assert!(msg.contains("`{version}`"), "{msg}");
        assert_eq!(pos.map(|p| p.line), Some(3));
        assert!(crate::config::parse("migrations:\n  rollback: {require: some}\n").is_err());
    }
}
