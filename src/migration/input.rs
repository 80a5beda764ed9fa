//! What reading a migration file finds wrong with the file as a whole:
//! text that is not SQL, unterminated literals, psql meta-commands. These
//! rules are declared beside the reader that finds the problem.
use super::lex::SkipKind;
use super::MigrationFile;
use crate::finding::Finding;

crate::declare_rule! {
    /// ## What it does
    /// Flags a migration file shipgate cannot read as SQL text: not UTF-8,
    /// binary, too large, or ending inside a string, quoted identifier,
    /// dollar-quoted body or comment.
    ///
    /// ## Why it blocks a release
    /// What cannot be read cannot be checked, and the gate fails closed. A file
    /// that is not text at all (binary, not UTF-8, too large) is an input error:
    /// the verdict is `error` and the exit code 2. A file that ends inside a
    /// string or comment blocks like any other error.
    ///
    /// ## How to ship it safely
    /// Save the file as UTF-8 text and close the open quote or comment.
    pub INVALID_MIGRATION_FILE = { id: "invalid-migration-file", domain: Migration, default: Error, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// Notes psql meta-commands (`\i`, `\set`, `\connect`, ...), which shipgate skips.
    ///
    /// ## Why it blocks a release
    /// It does not block. A meta-command can include other files or switch
    /// databases, which shipgate does not follow.
    ///
    /// ## How to ship it safely
    /// Make sure included files are migrations shipgate also checks.
    pub PSQL_META_COMMAND = { id: "psql-meta-command", domain: Migration, default: Note, class: Other };
}

crate::declare_rule! {
    /// ## What it does
    /// With `--base`, flags a change to a migration file that already exists on
    /// the base branch.
    ///
    /// ## Why it blocks a release
    /// Environments that already applied the file never run the new version:
    /// they silently drift from the schema the code expects.
    ///
    /// ## How to ship it safely
    /// Revert the edit and write a new migration. Files older than
    /// `migrations.since` are not checked.
    pub MODIFIED_APPLIED_MIGRATION = { id: "modified-applied-migration", domain: Migration, default: Error, class: Other };
}

/// Findings about the file as a whole: unterminated literals, meta-commands.
pub fn file_findings(file: &MigrationFile) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some((at, what)) = file.lexed.unterminated {
        out.push(
            Finding::new(
                &INVALID_MIGRATION_FILE,
                format!("The file ends inside an unterminated {what}, so the rest of it cannot be checked"),
            )
            .help(format!("close the {what}"))
            .at(&file.path, at..at + 1, file.location(&(at..at + 1))),
        );
    }
    for s in &file.lexed.skipped {
        if let SkipKind::MetaCommand(cmd) = &s.what {
            out.push(
                Finding::new(
                    &PSQL_META_COMMAND,
                    format!("psql meta-command `{cmd}` is skipped and not followed"),
                )
                .help("make sure anything it includes is checked too")
                .at(&file.path, s.span.clone(), file.location(&s.span)),
            );
        }
    }
    out
}
