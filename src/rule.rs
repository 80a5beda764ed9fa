//! A rule's identity: its id, domain, default severity, approval class and
//! documentation. The very bottom of the layers (it imports nothing):
//! findings carry it, and every rule declares itself with [`declare_rule!`].
//! The table of all rules is `registry`, in the rules layer.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Migration,
    Rollout,
    Flags,
    Signoff,
    Config,
    Contract,
}

impl Domain {
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Migration => "migration",
            Domain::Rollout => "rollout",
            Domain::Flags => "flags",
            Domain::Signoff => "signoff",
            Domain::Config => "config",
            Domain::Contract => "contract",
        }
    }
}

/// Whether an approval comment without a rule list approves the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Destructive or breaking (contract): approvable by a plain approval.
    Contract,
    /// Approvable only by naming the rule: lock safety, and the contract
    /// rules (a plain approval approves the data loss, not the timing).
    Lock,
    /// Everything else (input problems, hygiene).
    Other,
}

#[derive(Debug)]
pub struct RuleMeta {
    pub id: &'static str,
    pub domain: Domain,
    pub default: Severity,
    pub class: Class,
    /// Markdown documentation, from the rule's doc comment.
    pub doc: &'static str,
}

impl RuleMeta {
    /// The first sentence under "What it does".
    pub fn summary(&self) -> String {
        let mut lines = self.doc.lines().map(str::trim);
        lines.find(|l| l.starts_with("## What it does"));
        let mut out = String::new();
        for l in lines {
            if l.starts_with("##") || (l.is_empty() && !out.is_empty()) {
                break;
            }
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(l);
        }
        out
    }
}

impl PartialEq for RuleMeta {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}

/// Declares a rule: its doc comment is its page (`shipgate explain`).
#[macro_export]
macro_rules! declare_rule {
    (
        $(#[doc = $doc:expr])*
        pub $name:ident = { id: $id:expr, domain: $domain:ident, default: $sev:ident, class: $class:ident $(,)? };
    ) => {
        $(#[doc = $doc])*
        pub static $name: $crate::rule::RuleMeta = $crate::rule::RuleMeta {
            id: $id,
            domain: $crate::rule::Domain::$domain,
            default: $crate::rule::Severity::$sev,
            class: $crate::rule::Class::$class,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

/// Every rule id, read from the `declare_rule!` blocks by `build.rs`: what the
/// configuration and approval comments are checked against, below the rules.
pub static IDS: &[&str] = include!(concat!(env!("OUT_DIR"), "/rule_ids.rs"));

/// Whether `id` names a shipgate rule.
pub fn is_known(id: &str) -> bool {
    IDS.contains(&id)
}
