//! Migration rules, one per file, registered once in [`RULES`]. A rule
//! takes a [`MigrationCx`] (one statement, the schema before it, the file
//! around it) and pushes findings; it never parses. The engine that builds
//! the context and applies approvals is `engine.rs`.

use super::Table;
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind, Name, ObjectKind};
use crate::migration::lex::RawStatement;
use crate::migration::schema_model::Catalog;
use crate::migration::statement::{ParseStatus, Statement};
use crate::migration::{token_facts, MigrationFile};

mod ban_add_column_volatile_default;
mod ban_add_not_null_column;
mod ban_alter_column_type;
mod ban_cluster;
mod ban_column_type_rewrite;
mod ban_concurrently_in_transaction;
mod ban_delete_seeded_rows;
mod ban_delete_without_where;
mod ban_drop_column;
mod ban_drop_database;
mod ban_drop_default;
mod ban_drop_function;
mod ban_drop_object;
mod ban_drop_schema;
mod ban_drop_sequence;
mod ban_drop_table;
mod ban_drop_type;
mod ban_drop_view;
mod ban_enum_value_in_same_transaction;
mod ban_lock_table;
mod ban_long_identifier;
mod ban_nested_transaction;
mod ban_rename_column;
mod ban_rename_enum_value;
mod ban_rename_object;
mod ban_rename_table;
mod ban_set_not_null;
mod ban_set_schema;
mod ban_set_unlogged;
mod ban_truncate;
mod ban_uncommitted_transaction;
mod ban_update_without_where;
mod ban_vacuum_full;
mod ban_validate_in_same_transaction;
mod drops;
mod engine;
pub mod missing_rollback;
mod require_concurrent_index_creation;
mod require_concurrent_index_drop;
mod require_concurrent_partition_detach;
mod require_concurrent_refresh;
mod require_concurrent_reindex;
mod require_lock_timeout;
mod require_not_valid_constraint;
mod require_unique_using_index;
mod unparsed_destructive;
mod unparsed_statement;

pub use crate::migration::apply_approvals::{approve, INVALID_APPROVAL, UNUSED_APPROVAL};
pub use crate::migration::input::{INVALID_MIGRATION_FILE, MODIFIED_APPLIED_MIGRATION, PSQL_META_COMMAND};
pub use drops::{drops, drops_judged, labels};
pub use engine::{check_file, replay, EngineOptions};
pub use unparsed_destructive::RULE as UNPARSED_DESTRUCTIVE;
pub use unparsed_statement::RULE as UNPARSED_STATEMENT;

/// A statement rule's check.
pub type RuleFn = fn(&MigrationCx, &mut Vec<Finding>);

/// Every migration rule, once, in report order: the statement rules run on
/// each statement by the engine, then the rules reported elsewhere.
pub static RULES: &Table<RuleFn> = super::table![
    ban_drop_table,
    ban_drop_column,
    ban_drop_view,
    ban_drop_function,
    ban_drop_type,
    ban_drop_schema,
    ban_drop_sequence,
    ban_drop_database,
    ban_drop_object,
    ban_rename_table,
    ban_rename_column,
    ban_rename_enum_value,
    ban_rename_object,
    ban_set_schema,
    ban_alter_column_type,
    ban_column_type_rewrite,
    ban_set_not_null,
    ban_add_not_null_column,
    ban_add_column_volatile_default,
    ban_truncate,
    ban_delete_without_where,
    ban_delete_seeded_rows,
    ban_update_without_where,
    ban_drop_default,
    ban_set_unlogged,
    require_concurrent_index_creation,
    require_concurrent_index_drop,
    ban_concurrently_in_transaction,
    require_not_valid_constraint,
    require_unique_using_index,
    require_lock_timeout,
    ban_vacuum_full,
    ban_cluster,
    ban_enum_value_in_same_transaction,
    require_concurrent_reindex,
    require_concurrent_partition_detach,
    require_concurrent_refresh,
    ban_lock_table,
    ban_validate_in_same_transaction,
    ban_nested_transaction,
    ban_uncommitted_transaction,
    ban_long_identifier,
    unparsed_destructive,
    unparsed_statement,
    ;
    (&INVALID_APPROVAL, "migration/apply_approvals.rs, applying approvals"),
    (&UNUSED_APPROVAL, "migration/apply_approvals.rs, applying approvals"),
    (&INVALID_MIGRATION_FILE, "migration/input.rs and gates/migrations.rs, reading a file"),
    (&PSQL_META_COMMAND, "migration/input.rs, reading a file"),
    (&MODIFIED_APPLIED_MIGRATION, "gates/migrations.rs, with --base"),
    (&missing_rollback::RULE, "gates/migrations.rs, a file-level check"),
];

/// What a rule sees: one statement's actions, with the schema as it was
/// before the statement and the state of the file around it.
pub struct MigrationCx<'a> {
    pub file: &'a MigrationFile,
    pub stmt: &'a Statement,
    pub actions: &'a [Action],
    pub catalog: &'a Catalog,
    pub in_transaction: bool,
    pub lock_timeout_set: bool,
    /// The statements after this one in the file (or in its DO block).
    pub later: &'a [Statement],
    /// Set while checking the statements inside a DO block or a called routine.
    pub in_do_block: bool,
    /// The statement as lexed (its tokens); `None` inside a DO block.
    pub raw: Option<&'a RawStatement>,
    /// Enum values added earlier in the current transaction.
    pub enum_values_added: &'a [String],
    pub assume_lock_timeout: bool,
    /// Inside a `BEGIN` of the file that no `COMMIT` has closed yet.
    pub explicit_tx: bool,
    /// Inside the transaction the framework opened around the file (no
    /// `COMMIT` of the file has ended it yet).
    pub framework_tx: bool,
    /// Constraints (table, name) added `NOT VALID` earlier in the current transaction.
    pub not_valid_added: &'a [(Name, String, ConstraintKind)],
}

impl MigrationCx<'_> {
    /// True when the change adds the column: in an earlier statement, or in
    /// this one (`ADD COLUMN c ..., ALTER COLUMN c ...`).
    pub fn column_added(&self, table: &Name, column: &str) -> bool {
        self.catalog.column_is_new(table, column)
            || self
                .actions
                .iter()
                .any(|a| matches!(a, Action::AddColumn { table: t, column: c } if t == table && c.name == column))
    }

    /// True when a later statement of the file creates the object again
    /// (`DROP ...; CREATE ...` replaces it rather than removing it).
    pub fn recreated_later(&self, kind: ObjectKind, name: &Name) -> bool {
        self.later.iter().flat_map(|s| &s.actions).any(|a| match a {
            Action::Create { kind: k, name: n, .. } => same_kind(*k, kind) && n == name,
            Action::CreateTable { table, .. } => kind == ObjectKind::Table && table == name,
            Action::CreateIndex { name: Some(n), .. } => kind == ObjectKind::Index && n == name,
            Action::AddConstraint { constraint, .. } => {
                kind == ObjectKind::Constraint && constraint.name.as_deref() == Some(name.name.as_str())
            }
            _ => false,
        })
    }

    /// True when dropping `name` loses nothing: it was created by this change,
    /// or it is re-created later in the file. A re-created table, sequence,
    /// schema or database starts empty, and a `CASCADE` drop takes dependents
    /// that nothing re-creates, so neither counts as a replacement.
    pub fn drop_is_replacement(&self, kind: ObjectKind, name: &Name, cascade: bool) -> bool {
        let holds_data = matches!(
            kind,
            ObjectKind::Table | ObjectKind::Sequence | ObjectKind::Schema | ObjectKind::Database
        );
        self.catalog.is_new(kind, name) || (!holds_data && !cascade && self.recreated_later(kind, name))
    }

    /// When `ty` is an enum whose labels the model knows, and a later
    /// statement of the file gives its name to a known enum (`CREATE TYPE
    /// <ty> AS ENUM (...)`, or the rename of an enum to `<ty>`): the labels
    /// of `ty` that enum lacks (none: every value of `ty` still exists).
    pub fn enum_name_taken_later(&self, ty: &Name) -> Option<Vec<String>> {
        let old = self.catalog.enums.get(ty)?;
        let later = || self.later.iter().flat_map(|s| &s.actions);
        let labels_of = |n: &Name| {
            later()
                .find_map(|a| match a {
                    Action::EnumLabels { ty, labels } if ty == n => Some(labels.as_slice()),
                    _ => None,
                })
                .or_else(|| self.catalog.enums.get(n).map(Vec::as_slice))
        };
        let new = later().find_map(|a| match a {
            Action::EnumLabels { ty: t, labels } if t == ty => Some(labels.as_slice()),
            Action::Rename {
                kind: ObjectKind::Type,
                from,
                to,
                ..
            } if from.schema == ty.schema && *to == ty.name => labels_of(from),
            _ => None,
        })?;
        Some(old.iter().filter(|l| !new.contains(l)).cloned().collect())
    }

    /// Why the statement could not be understood, when it could not.
    pub fn unparsed_reason(&self) -> Option<&str> {
        match &self.stmt.status {
            ParseStatus::Unparsed { reason } => Some(reason),
            _ => None,
        }
    }

    /// The string literals the statement uses as values (none inside a DO block).
    pub fn value_literals(&self) -> Vec<String> {
        self.raw
            .map(|raw| token_facts::value_literals(&self.file.src, raw))
            .unwrap_or_default()
    }

    /// The clause of a several-action `ALTER TABLE` that `is` picks from
    /// the clauses' words (`["drop", "column", "email"]`), to point a finding
    /// at it; `None` for a statement of one action, or inside a DO block.
    pub fn clause(&self, is: impl Fn(&[String]) -> bool) -> Option<std::ops::Range<usize>> {
        let clauses = token_facts::alter_table_clauses(&self.file.src, self.raw?);
        if clauses.len() < 2 {
            return None;
        }
        clauses.into_iter().find(|c| is(&c.words)).map(|c| c.span)
    }

    /// [`clause`](Self::clause) for a column: the one that starts with
    /// `with[0]`, holds the other words of `with` and names `column`.
    pub fn column_clause(&self, column: &str, with: &[&str]) -> Option<std::ops::Range<usize>> {
        self.clause(|w| {
            w.first().map(String::as_str) == with.first().copied()
                && with.iter().skip(1).all(|x| w.iter().any(|y| y == x))
                && w.iter().skip(1).any(|y| y.eq_ignore_ascii_case(column))
        })
    }

    /// The first name longer than `max` bytes a `CREATE` or `ALTER` writes
    /// (none inside a DO block).
    pub fn long_name(&self, max: usize) -> Option<String> {
        self.raw
            .and_then(|raw| token_facts::long_name(&self.file.src, raw, max))
    }
}

fn same_kind(a: ObjectKind, b: ObjectKind) -> bool {
    let norm = |k| match k {
        ObjectKind::Procedure => ObjectKind::Function,
        ObjectKind::MaterializedView => ObjectKind::View,
        ObjectKind::Domain => ObjectKind::Type,
        k => k,
    };
    norm(a) == norm(b)
}
