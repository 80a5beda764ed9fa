//! Flag registry rules, one per file.

use crate::registry::RuleMeta;

/// Every flag rule's metadata.
pub static META: &[&RuleMeta] = &[];
