//! Sign-off rules: findings from the evaluated sign-offs (by
//! `crate::signoff`, plain data, no network), one rule per file.

mod missing_signoff;
mod push_time_unverified;

pub use missing_signoff::MISSING_SIGNOFF;
pub use push_time_unverified::SIGNOFF_PUSH_TIME_UNVERIFIED;

use crate::finding::Finding;
use crate::rule::RuleMeta;
use crate::signoff::SignoffResult;

/// Every sign-off rule's metadata.
pub static META: &[&RuleMeta] = &[&MISSING_SIGNOFF, &SIGNOFF_PUSH_TIME_UNVERIFIED];

/// The findings of every sign-off rule, in result order.
pub fn check(results: &[SignoffResult]) -> Vec<Finding> {
    let mut out = missing_signoff::check(results);
    out.extend(push_time_unverified::check(results));
    out
}
