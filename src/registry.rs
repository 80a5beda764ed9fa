//! The rule registry: one table of every rule's id, domain, default
//! severity and documentation, which is the rule's doc comment.

use crate::finding::Severity;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Domain {
    Migration,
    Rollout,
    Flags,
    Signoff,
    Config,
}

impl Domain {
    pub fn as_str(self) -> &'static str {
        match self {
            Domain::Migration => "migration",
            Domain::Rollout => "rollout",
            Domain::Flags => "flags",
            Domain::Signoff => "signoff",
            Domain::Config => "config",
        }
    }
}

/// Whether an approval comment without a rule list approves the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Destructive or breaking (contract): approvable by a plain approval.
    Contract,
    /// Lock safety: approvable only by naming the rule.
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
        pub static $name: $crate::registry::RuleMeta = $crate::registry::RuleMeta {
            id: $id,
            domain: $crate::registry::Domain::$domain,
            default: $crate::finding::Severity::$sev,
            class: $crate::registry::Class::$class,
            doc: concat!($($doc, "\n"),*),
        };
    };
}

/// Every rule shipgate knows, in display order.
pub fn all() -> Vec<&'static RuleMeta> {
    let mut v: Vec<&'static RuleMeta> = crate::rules::ALL_META.to_vec();
    v.sort_by_key(|m| (m.domain as u8, m.id));
    v
}

pub fn find(id: &str) -> Option<&'static RuleMeta> {
    crate::rules::ALL_META.iter().copied().find(|m| m.id == id)
}

/// The rule's page as Markdown: a title, then its documentation.
pub fn page(meta: &RuleMeta) -> String {
    let doc: String = meta
        .doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "# {}\n\nDomain: {} · default severity: {} · {}\n\n{}\n",
        meta.id,
        meta.domain.as_str(),
        meta.default.as_str(),
        match meta.class {
            Class::Contract => "approvable with `-- MIGRATION_APPROVED: <reason>`",
            Class::Lock => "approvable with `-- MIGRATION_APPROVED(<rule-id>): <reason>`",
            Class::Other => "not approvable by comment",
        },
        doc.trim()
    )
}
