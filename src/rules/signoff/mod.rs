//! Sign-off rules: findings from the evaluated sign-offs (by
//! `crate::signoff`, plain data, no network), one rule per file.

mod missing_approvals;
mod missing_signoff;
mod open_blocking_issues;
mod push_time_unverified;
mod unsigned_commit;

pub use missing_approvals::MISSING_APPROVALS;
pub use missing_signoff::MISSING_SIGNOFF;
pub use open_blocking_issues::OPEN_BLOCKING_ISSUES;
pub use push_time_unverified::SIGNOFF_PUSH_TIME_UNVERIFIED;
pub use unsigned_commit::UNSIGNED_COMMIT;

use super::Check::Cx;
use super::Table;
use crate::finding::Finding;
use crate::signoff::approvals::Approvals;
use crate::signoff::blocking::OpenIssue;
use crate::signoff::{CommitVerification, SignoffResult};

/// What the sign-off rules read about one pull request.
#[derive(Debug, Default, Clone, Copy)]
pub struct SignoffCx<'a> {
    /// The required sign-offs, evaluated.
    pub results: &'a [SignoffResult],
    /// The approvals it needs and has (`None`: it needs none).
    pub approvals: Option<&'a Approvals>,
    /// The open blocking issues (`None`: not looked up).
    pub blocking: Option<&'a [OpenIssue]>,
    /// The pull request's commits and their verification (`None`: not asked for).
    pub commits: Option<&'a [CommitVerification]>,
}

/// A sign-off rule's check.
pub type RuleFn = fn(&SignoffCx, &mut Vec<Finding>);

/// Every sign-off rule, once, in report order.
pub static RULES: &Table<RuleFn> = &[
    (&MISSING_SIGNOFF, Cx(missing_signoff::check)),
    (&MISSING_APPROVALS, Cx(missing_approvals::check)),
    (&SIGNOFF_PUSH_TIME_UNVERIFIED, Cx(push_time_unverified::check)),
    (&OPEN_BLOCKING_ISSUES, Cx(open_blocking_issues::check)),
    (&UNSIGNED_COMMIT, Cx(unsigned_commit::check)),
];

/// The findings of every sign-off rule, in rule order.
pub fn check(cx: &SignoffCx) -> Vec<Finding> {
    super::run(RULES, cx)
}
