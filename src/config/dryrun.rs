//! `dry_run:` in shipgate.yml (read by `shipgate dry-run`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `dry_run` section of `shipgate.yml`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct DryRunConfig {
    /// Validation queries run before and after the pending migrations, inside
    /// the dry run's rolled-back transaction (rule `dry-run-check-changed`).
    #[serde(default)]
    pub checks: Vec<DryRunCheck>,
}

/// One validation query.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub struct DryRunCheck {
    /// What the query measures, for the report: `cases per status`.
    pub name: String,
    /// A read-only query. With two or more columns, the last one is the value
    /// and the others name the row (`SELECT status, count(*) FROM cases GROUP BY status`).
    pub sql: String,
    /// What must hold after the migrations. Default `unchanged`.
    #[serde(default)]
    pub expect: Expect,
}

/// What a validation query must show after the pending migrations.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Expect {
    /// The same rows and values as before the migrations.
    #[default]
    Unchanged,
    /// The query returns exactly this value (one row, one column), compared as text
    /// (numbers by value): `equal: 0`.
    Equal(serde_json::Value),
}

#[cfg(test)]
mod tests {
    use super::Expect;

    #[test]
    fn expect_is_unchanged_by_default_or_equal_to_a_value() {
        let src = "dry_run:\n  checks:\n    - {name: a, sql: 'SELECT 1'}\n    - {name: b, sql: 'SELECT 1', expect: unchanged}\n    - {name: c, sql: 'SELECT 1', expect: {equal: 0}}\n";
        let c = crate::config::parse(src).unwrap();
        let expects: Vec<&Expect> = c.dry_run.checks.iter().map(|c| &c.expect).collect();
        assert_eq!(
            expects,
            [
                &Expect::Unchanged,
                &Expect::Unchanged,
                &Expect::Equal(serde_json::json!(0))
            ]
        );
        let (msg, pos) =
            crate::config::parse("dry_run:\n  checks:\n    - {name: a, sql: x, expect: same}\n").unwrap_err();
        assert!(msg.contains("same"), "{msg}");
        assert_eq!(pos.map(|p| p.line), Some(3));
    }
}
