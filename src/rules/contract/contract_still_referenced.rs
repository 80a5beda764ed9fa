//! A DROP or RENAME of what the application code still uses.

use super::{at, related, what, ContractCx};
use crate::contract::Via;
use crate::finding::{Finding, Severity};

crate::declare_rule! {
    /// ## What it does
    /// Flags a migration that the change adds when it drops or renames a
    /// column, table, view, function, type or enum value that the
    /// application code at the change's head still refers to by its old
    /// name. The finding names the first references as `file:line`; the
    /// JSON report has all of them in `related`.
    ///
    /// A reference is:
    /// - a field of an ORM schema file resolved to its table and column
    ///   (Prisma, Diesel, Drizzle, SQLAlchemy, Django);
    /// - SQL in a string literal of TypeScript/JavaScript, Python, Go, Rust,
    ///   Ruby, Java/Kotlin or PHP (template literals, triple quotes, raw
    ///   strings, heredocs and text blocks included), read with shipgate's
    ///   own SQL lexer: a column counts when the statement ties it to its
    ///   table (`FROM`, `JOIN`, `INSERT INTO`, `UPDATE`, qualified by the
    ///   table or its alias, or unqualified); a table, view, function or
    ///   type when the statement names it; an enum value when the statement
    ///   has it as a string;
    /// - a bare identifier anywhere else in code (not in comments), only
    ///   when the name is distinctive: a compound name (`old_field`,
    ///   `documentId`, `members_archive`; never a single word such as
    ///   `email` or `document`, which code uses for everything) and, for a
    ///   column, one that no other table of the schema has
    ///   (`members.status` is not matched by `order.status`). A snake_case
    ///   name also matches its camelCase form (`old_field`, `oldField`).
    ///
    /// Not code: the migrations (and any folder named `migrations` or
    /// `migrate`), Markdown and other documentation, `docs/`,
    /// changelogs, `vendor/`, `node_modules/`, `*.min.js`, files whose head
    /// says `@generated` or `DO NOT EDIT` (except ORM schema files), files
    /// that `.gitignore` hides, and the globs in `migrations.contract_ignore`.
    /// For a rename, only the old name is a stale reference.
    ///
    ///
    /// A finding whose every reference is a bare identifier is a warning,
    /// not an error: such a name is as often something else (a CLI option, a
    /// local variable, a field of another struct) as the column. On real
    /// histories (documenso, inbox-zero, defguard) those were the false
    /// matches, while SQL and ORM references were right.
    ///
    /// ## Why it blocks a release
    /// The code in this very change still reads the old name: the first
    /// query after the migration runs fails, in the new release as in the
    /// old one. A plain `-- MIGRATION_APPROVED: …` approves the data loss,
    /// not the broken code, so it does not silence this rule.
    ///
    /// ## How to ship it safely
    /// Follow expand/contract (`docs/expand-contract.md`): stop using the
    /// old name in the code and release that; drop or rename it in a later
    /// change, at least `migrations.contract_min_age` later
    /// (`contract-too-soon`). If a reference is a false match, add its file
    /// to `migrations.contract_ignore`, or approve the statement for this
    /// rule by name: `-- MIGRATION_APPROVED(contract-still-referenced): <reason>`.
    pub RULE = { id: "contract-still-referenced", domain: Contract, default: Error, class: Lock };
}

/// How many references the message names.
const NAMED: usize = 3;

pub fn check(cx: &ContractCx, out: &mut Vec<Finding>) {
    for (c, refs) in cx.contractions.iter().zip(cx.references) {
        if refs.is_empty() {
            continue;
        }
        let mut places: Vec<String> = refs
            .iter()
            .take(NAMED)
            .map(|r| format!("{}:{}", r.path, r.line))
            .collect();
        if refs.len() > NAMED {
            let last = format!("{} and {} more", places.pop().unwrap_or_default(), refs.len() - NAMED);
            places.push(last);
        }
        let uses = if c.rename { "the old name" } else { "it" };
        // Found only as a bare word: another thing of the same name (a CLI
        // option, a local variable) is as likely as the column, so it warns.
        let by_name_only = refs.iter().all(|r| r.via == Via::Identifier);
        let message = if by_name_only {
            format!(
                "{} may break the code that still names {uses}, found by name only (no SQL or ORM schema uses it): {}",
                what(c),
                places.join(", ")
            )
        } else {
            format!(
                "{} breaks the code that still uses {uses}: {}",
                what(c),
                places.join(", ")
            )
        };
        let help = if by_name_only {
            "if these name the column, stop using it and release first; if they are other things of the same name, list the files in `migrations.contract_ignore`"
        } else {
            "stop using it in the code and release that first; contract in a later change"
        };
        let mut f = at(c, Finding::new(&RULE, message).help(help));
        if by_name_only {
            f.severity = Severity::Warning;
        }
        let name = &c.target.name;
        for r in refs {
            let label = format!("still uses `{}`", c.target.display());
            f = f.related(related(r, name, label));
        }
        out.push(f);
    }
}
