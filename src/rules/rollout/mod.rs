//! Rollout manifest rules, one per file.

use crate::registry::RuleMeta;

/// Every rollout rule's metadata.
pub static META: &[&RuleMeta] = &[];
