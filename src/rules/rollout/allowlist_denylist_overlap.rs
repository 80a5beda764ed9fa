//! Audience lists that both include and exclude the same tenants.
use std::collections::HashSet;

use super::RolloutCx;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a phase whose `allowlist` and `denylist` can match the same name:
    /// the same entry in both, a denylist glob that matches an allowlisted name
    /// (`enterprise-*` and `enterprise-acme`), or two globs that match a common
    /// name (`*-beta` and `enterprise-*` both match `enterprise-beta`). Globs
    /// use `*` (any run of characters) and `?` (one character); every other
    /// character is literal.
    ///
    /// ## Why it blocks a release
    /// Which list wins is up to the flag service, and differs between them:
    /// the tenant you meant to protect may get the feature, or the tenant you
    /// promised it to may not.
    ///
    /// ## How to ship it safely
    /// Make the lists disjoint: remove the name from one list, or narrow the
    /// glob (`enterprise-eu-*` instead of `enterprise-*`).
    pub RULE = { id: "allowlist-denylist-overlap", domain: Rollout, default: Error, class: Other };
}

/// A name both patterns match, if there is one.
pub fn common_match(p: &str, q: &str) -> Option<String> {
    let p: Vec<char> = p.chars().collect();
    let q: Vec<char> = q.chars().collect();
    let mut failed = HashSet::new();
    walk(&p, &q, 0, 0, &mut failed)
}

fn walk(p: &[char], q: &[char], i: usize, j: usize, failed: &mut HashSet<(usize, usize)>) -> Option<String> {
    if failed.contains(&(i, j)) {
        return None;
    }
    let prefixed = |c: char, rest: Option<String>| rest.map(|r| format!("{c}{r}"));
    let any = |c: char| if c == '?' { 'x' } else { c };
    let found = if i == p.len() && j == q.len() {
        Some(String::new())
    } else if p.get(i) == Some(&'*') {
        walk(p, q, i + 1, j, failed).or_else(|| match q.get(j) {
            Some('*') => walk(p, q, i, j + 1, failed),
            Some(&c) => prefixed(any(c), walk(p, q, i, j + 1, failed)),
            None => None,
        })
    } else if q.get(j) == Some(&'*') {
        walk(p, q, i, j + 1, failed).or_else(|| match p.get(i) {
            Some(&c) => prefixed(any(c), walk(p, q, i + 1, j, failed)),
            None => None,
        })
    } else {
        match (p.get(i), q.get(j)) {
            (Some(&a), Some(&b)) if a == b || a == '?' || b == '?' => {
                let c = if a == '?' { any(b) } else { a };
                prefixed(c, walk(p, q, i + 1, j + 1, failed))
            }
            _ => None,
        }
    };
    if found.is_none() {
        failed.insert((i, j));
    }
    found
}

fn is_glob(s: &str) -> bool {
    s.contains(['*', '?'])
}

pub fn check(cx: &RolloutCx, out: &mut Vec<Finding>) {
    let m = cx.manifest;
    for phase in &m.phases {
        for deny in &phase.denylist {
            for allow in &phase.allowlist {
                let Some(name) = common_match(&allow.value, &deny.value) else {
                    continue;
                };
                let what = if !is_glob(&allow.value) && !is_glob(&deny.value) {
                    format!(
                        "`{}` is in both `allowlist` (line {}) and `denylist`",
                        deny.value,
                        m.line_of(&allow.ptr)
                    )
                } else if !is_glob(&allow.value) {
                    format!(
                        "`{}` in `denylist` matches `{}` in `allowlist` (line {})",
                        deny.value,
                        allow.value,
                        m.line_of(&allow.ptr)
                    )
                } else {
                    format!(
                        "`{}` in `denylist` and `{}` in `allowlist` (line {}) both match names such as `{name}`",
                        deny.value,
                        allow.value,
                        m.line_of(&allow.ptr)
                    )
                };
                out.push(m.finding(
                    &RULE,
                    &deny.ptr,
                    format!(
                        "In phase {}, {what}, so whether they get the feature depends on the flag service",
                        phase.label()
                    ),
                    "make the lists disjoint: remove the name from one of them, or narrow the glob",
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::common_match;

    #[test]
    fn globs_intersect() {
        assert_eq!(common_match("acme", "acme").as_deref(), Some("acme"));
        assert_eq!(
            common_match("enterprise-acme", "enterprise-*").as_deref(),
            Some("enterprise-acme")
        );
        assert_eq!(
            common_match("enterprise-*", "*-beta").as_deref(),
            Some("enterprise-beta")
        );
        assert_eq!(common_match("a*b", "a*c*b").as_deref(), Some("acb"));
        assert_eq!(common_match("team-?", "team-a").as_deref(), Some("team-a"));
        assert!(common_match("internal-*", "enterprise-*").is_none());
        assert!(common_match("acme", "acme-corp").is_none());
        assert!(common_match("*a", "*b").is_none());
    }
}
