//! The rule registry: the table of every rule (the rules layer's `ALL_META`),
//! looked up by id, and each rule's page. A rule's own type is `rule::RuleMeta`.

pub use crate::rule::{Class, Domain, RuleMeta};

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
