//! A migration the change adds that has no rollback, as
//! `migrations.rollback.require` asks. File-level: the migration gate and the
//! dry run call [`check`] with what the model found.

use crate::config::rollback::RequireRollback;
use crate::finding::Finding;
use crate::migration::action::Action;
use crate::migration::MigrationFile;
use crate::rule::Class;

crate::declare_rule! {
    /// ## What it does
    /// Flags a migration that the change adds without a rollback, when
    /// `migrations.rollback.require` asks for one.
    ///
    /// `require` is `destructive` (the file has
    /// a destructive or breaking statement: any finding of the contract class,
    /// approved or not, or a drop, truncate or delete) or `all` (every file).
    /// The default, `none`, asks for none. `shipgate dry-run --with-rollback`
    /// reports every pending migration without a rollback, whatever `require` says.
    ///
    /// The rollback is the framework's own down file or section, found without
    /// configuration: golang-migrate and sqlx `<v>_<name>.down.sql` beside
    /// `<v>_<name>.up.sql`, Diesel `down.sql` beside `up.sql`, Flyway's undo
    /// migration `U<v>__<name>.sql` beside `V<v>__<name>.sql`, dbmate's
    /// `-- migrate:down` and goose's `-- +goose Down` section of the same file.
    /// Otherwise it is the file that `migrations.rollback.path`
    /// (`rollbacks/{version}_{name}.sql`) names. A down section or file with no
    /// statement is no rollback.
    ///
    /// `shipgate lint -` (stdin) does not check it: `--stdin-filename` only
    /// names the text, which has no neighbouring down file on disk (an editor's
    /// unsaved buffer, a file piped from elsewhere), so a rollback could not be
    /// found and asking for one would always fail. `shipgate lint PATH`,
    /// `check` and the pre-push hook check it.
    ///
    /// ## Why it blocks a release
    /// The runbook asks for the reverse migration to be prepared before the
    /// release. Written during an incident, under pressure, it is the
    /// migration most likely to be wrong.
    ///
    /// ## How to ship it safely
    /// Write the rollback where the help line says, and prove it restores
    /// with `shipgate dry-run --with-rollback`.
    pub RULE = { id: "missing-rollback", domain: Migration, default: Error, class: Other };
}

/// Why `require` asks `file` for a rollback: `Some(reason)`, or `None` when it does not.
pub fn required(file: &MigrationFile, findings: &[Finding], require: RequireRollback) -> Option<String> {
    match require {
        RequireRollback::None => None,
        RequireRollback::All => Some("`migrations.rollback.require: all` asks every migration for one".into()),
        RequireRollback::Destructive => destructive(file, findings)
            .map(|what| format!("`migrations.rollback.require: destructive` asks for one because {what}")),
    }
}

/// What makes the file destructive, for the message.
fn destructive(file: &MigrationFile, findings: &[Finding]) -> Option<String> {
    let mine = |f: &&Finding| f.file.as_deref() == Some(file.path.as_str());
    if let Some(f) = findings.iter().filter(mine).find(|f| f.meta.class == Class::Contract) {
        let line = f.location.map(|l| format!(" at line {}", l.line)).unwrap_or_default();
        return Some(format!("it has a `{}` finding{line}", f.rule));
    }
    file.statements.iter().find_map(|s| {
        let what = s.actions.iter().find_map(|a| match a {
            Action::Drop { kind, .. } => Some(format!("drops a {}", kind.label())),
            Action::DropColumn { column, .. } => Some(format!("drops column `{column}`")),
            Action::Truncate { .. } => Some("truncates a table".to_string()),
            Action::Delete { .. } | Action::DeleteKeys { .. } | Action::DeleteFilter { .. } => {
                Some("deletes rows".to_string())
            }
            _ => None,
        })?;
        Some(format!("it {what} at line {}", file.location(&s.span).line))
    })
}

/// The finding for `file` when it needs a rollback and has none. `expected`
/// says where the rollback would be found, for the help line.
pub fn check(
    file: &MigrationFile,
    findings: &[Finding],
    require: RequireRollback,
    has_rollback: bool,
    expected: &str,
) -> Option<Finding> {
    if has_rollback {
        return None;
    }
    let why = required(file, findings, require)?;
    Some(finding(file, &why, expected))
}

/// The finding for a migration without a rollback, for `why`, at the file's
/// first statement (line 1 when it has none), so annotations can show it.
pub fn finding(file: &MigrationFile, why: &str, expected: &str) -> Finding {
    let span = file.statements.first().map_or(0..0, |s| s.span.clone());
    let location = file.location(&span);
    Finding::new(&RULE, format!("Migration `{}` has no rollback; {why}", file.path))
        .help(format!("write its rollback as {expected}"))
        .at(&file.path, span, location)
}
