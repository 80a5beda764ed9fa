//! Contract rules (issue #13), one per file: a migration that drops or
//! renames what the application code still uses, or stopped using too
//! recently. Each takes the `ContractCx` (the DROPs and RENAMEs the change
//! adds, the references found in the code, the removals found in history)
//! and pushes findings at the statement; none reads a file or runs git.

mod contract_still_referenced;
mod contract_too_soon;

use super::Table;
use crate::contract::history::Removal;
use crate::contract::{Contraction, Reference};
use crate::finding::{Finding, Location, Related};

/// A contract rule's check.
pub type RuleFn = fn(&ContractCx<'_>, &mut Vec<Finding>);

/// Every contract rule, once, in report order.
pub static RULES: &Table<RuleFn> = super::table![contract_still_referenced, contract_too_soon,];

/// What the contract rules see. The vectors are indexed like `contractions`.
pub struct ContractCx<'a> {
    pub contractions: &'a [Contraction],
    /// The references in the code at the head (the work tree).
    pub references: &'a [Vec<Reference>],
    /// The removal of the last reference, when history was searched and
    /// found one within the minimum age.
    pub removals: &'a [Option<Removal>],
    /// The head commit's time, seconds since the epoch.
    pub head_time: i64,
    /// `migrations.contract_min_age` in seconds; 0 turns `contract-too-soon` off.
    pub min_age: i64,
    /// `migrations.contract_min_age` as written.
    pub min_age_text: String,
}

/// Runs every contract rule.
pub fn check(cx: &ContractCx) -> Vec<Finding> {
    super::run(RULES, cx)
}

/// A finding at the DROP or RENAME statement.
fn at(c: &Contraction, f: Finding) -> Finding {
    let mut f = f.at(&c.file, c.span.clone(), c.location);
    f.statement = Some(c.statement);
    f
}

/// `Dropping column `members.old_field``, `Renaming table `members``.
fn what(c: &Contraction) -> String {
    let verb = if c.rename { "Renaming" } else { "Dropping" };
    format!("{verb} {} `{}`", c.target.kind_label(), c.target.display())
}

/// A reference as a related place, labelled.
fn related(r: &Reference, name: &str, label: String) -> Related {
    Related {
        file: Some(r.path.clone()),
        location: Location {
            line: r.line,
            column: r.column,
            end_line: r.line,
            end_column: r.column + name.chars().count(),
        },
        span: None,
        label,
    }
}

/// `3 days`, `5 hours`, `0 days`.
fn age(seconds: i64) -> String {
    let s = seconds.max(0);
    match (s / 86_400, s / 3_600) {
        (1, _) => "1 day".into(),
        (0, 1) => "1 hour".into(),
        (0, h) if h > 0 => format!("{h} hours"),
        (d, _) => format!("{d} days"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::contract::{Target, Via};

    fn contraction() -> Contraction {
        Contraction {
            target: Target::column("members", "old_field", true),
            file: "migrations/2_drop.sql".into(),
            span: 0..40,
            location: Location {
                line: 1,
                column: 1,
                end_line: 1,
                end_column: 41,
            },
            statement: 0,
            approvals: Vec::new(),
            rename: false,
        }
    }

    fn reference(path: &str, line: usize) -> Reference {
        Reference {
            target: 0,
            path: path.into(),
            line,
            column: 5,
            via: Via::Sql,
        }
    }

    fn run(refs: Vec<Reference>, removal: Option<Removal>, min_age: i64) -> Vec<Finding> {
        let cs = [contraction()];
        check(&ContractCx {
            contractions: &cs,
            references: &[refs],
            removals: &[removal],
            head_time: 100 * 86_400,
            min_age,
            min_age_text: "14d".into(),
        })
    }

    #[test]
    fn a_reference_at_the_head_is_still_referenced_with_every_place_related() {
        let refs: Vec<_> = (1..=5).map(|l| reference("src/m.ts", l)).collect();
        let f = run(refs, None, 14 * 86_400);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "contract-still-referenced");
        assert!(
            f[0].message.contains("src/m.ts:1, src/m.ts:2, src/m.ts:3 and 2 more"),
            "{}",
            f[0].message
        );
        assert_eq!(f[0].related.len(), 5);
        assert_eq!(f[0].statement, Some(0));
    }

    #[test]
    fn a_recent_removal_is_too_soon_an_old_one_or_a_zero_min_age_is_not() {
        let removal = |days: i64, commit: Option<&str>| Removal {
            commit: commit.map(str::to_string),
            time: (100 - days) * 86_400,
            path: "src/m.ts".into(),
            line: 3,
        };
        let f = run(Vec::new(), Some(removal(3, Some("abc"))), 14 * 86_400);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].rule, "contract-too-soon");
        assert!(f[0].message.contains("3 days"), "{}", f[0].message);
        let f = run(Vec::new(), Some(removal(0, None)), 14 * 86_400);
        assert!(f[0].message.contains("this change"), "{}", f[0].message);
        assert!(run(Vec::new(), Some(removal(30, Some("abc"))), 14 * 86_400).is_empty());
        assert!(run(Vec::new(), Some(removal(3, Some("abc"))), 0).is_empty());
        assert!(run(Vec::new(), None, 14 * 86_400).is_empty());
    }
}
