//! Migration rules, one per file, and the engine that runs them: it replays
//! the schema model, tracks transactions, looks inside DO blocks, and turns
//! hits into located findings with approvals applied.

use std::collections::BTreeMap;

use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind, Name, ObjectKind};
use crate::migration::approval::Approval;
use crate::migration::lex::lex;
use crate::migration::recognise::{string_value, toks, DYNAMIC_SQL_STARTS, PLPGSQL_LEADS};
use crate::migration::schema_model::Catalog;
use crate::migration::statement::{understand, Statement};
use crate::migration::MigrationFile;
use crate::rule::{Class, RuleMeta};

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
mod input;
pub mod missing_rollback;
mod require_concurrent_index_creation;
mod require_concurrent_index_drop;
mod require_concurrent_partition_detach;
mod require_concurrent_refresh;
mod require_concurrent_reindex;
mod require_lock_timeout;
mod require_not_valid_constraint;
mod require_unique_using_index;
mod unparsed;

pub use input::{
    INVALID_APPROVAL, INVALID_MIGRATION_FILE, MODIFIED_APPLIED_MIGRATION, PSQL_META_COMMAND, UNUSED_APPROVAL,
};
pub use unparsed::{UNPARSED_DESTRUCTIVE, UNPARSED_STATEMENT};

/// What a rule sees: one statement's actions, with the schema as it was
/// before the statement and the state of the file around it.
pub struct Cx<'a> {
    pub file: &'a MigrationFile,
    pub stmt: &'a Statement,
    pub actions: &'a [Action],
    pub catalog: &'a Catalog,
    pub in_transaction: bool,
    pub lock_timeout_set: bool,
    /// The statements after this one in the file.
    pub later: &'a [Statement],
    /// Set while checking the statements inside a DO block.
    pub in_do_block: bool,
    /// The statement as lexed (its tokens); `None` inside a DO block.
    pub raw: Option<&'a crate::migration::lex::RawStatement>,
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

impl Cx<'_> {
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

/// Shared by the drop rules: flags dropping an object of one of `kinds` that
/// existed before the change and is not re-created later in the file.
pub fn drops(cx: &Cx, out: &mut Vec<Hit>, meta: &'static RuleMeta, kinds: &[ObjectKind], help: &str) {
    drops_judged(cx, out, meta, kinds, help, |_, _| None);
}

/// [`drops`], with a rule's own judgement of a named object dropped without
/// `CASCADE` (which takes dependents the rule cannot see) first:
/// `Some(Ok(()))` clears the drop, `Some(Err(message))` flags it with that
/// message, `None` leaves it to the shared judgement.
pub fn drops_judged(
    cx: &Cx,
    out: &mut Vec<Hit>,
    meta: &'static RuleMeta,
    kinds: &[ObjectKind],
    help: &str,
    judge: impl Fn(&Cx, &Name) -> Option<Result<(), String>>,
) {
    for a in cx.actions {
        let Action::Drop {
            kind,
            names,
            on,
            cascade,
            if_exists,
            ..
        } = a
        else {
            continue;
        };
        if !kinds.contains(kind) {
            continue;
        }
        let relation = matches!(
            kind,
            ObjectKind::Table | ObjectKind::View | ObjectKind::MaterializedView
        );
        if names.is_empty() {
            // Dynamic SQL such as `EXECUTE 'DROP TABLE ' || t`: the name is not known.
            out.push(Hit::new(
                meta,
                format!(
                    "Dropping {} {} whose name is computed at run time cannot be shown to be safe",
                    article(kind.label()),
                    kind.label()
                ),
                help,
            ));
        }
        for n in names {
            // `DROP ... IF EXISTS` of a relation the migrations never showed: a no-op.
            if cx.drop_is_replacement(*kind, n, *cascade) || *if_exists && relation && cx.catalog.relation_never_seen(n)
            {
                continue;
            }
            match judge(cx, n).filter(|_| !*cascade) {
                Some(Ok(())) => continue,
                Some(Err(message)) => {
                    out.push(Hit::new(meta, message, help));
                    continue;
                }
                None => {}
            }
            let target = match on {
                Some(t) => format!("{} `{n}` on `{t}`", kind.label()),
                None => format!("{} `{n}`", kind.label()),
            };
            out.push(Hit::new(
                meta,
                format!("Dropping {target} breaks instances still running the previous release that use it"),
                help,
            ));
        }
    }
}

/// `label `a`` or `labels `a`, `b``, for the labels of an enum.
pub fn labels(labels: &[String]) -> String {
    let list = labels.iter().map(|l| format!("`{l}`")).collect::<Vec<_>>().join(", ");
    format!("label{} {list}", if labels.len() == 1 { "" } else { "s" })
}

/// `a` or `an`, for a label.
fn article(label: &str) -> &'static str {
    if label.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// A rule's verdict on one statement, before it is located.
pub struct Hit {
    pub meta: &'static RuleMeta,
    pub message: String,
    pub help: String,
}

impl Hit {
    pub fn new(meta: &'static RuleMeta, message: impl Into<String>, help: impl Into<String>) -> Self {
        Hit {
            meta,
            message: message.into(),
            help: help.into(),
        }
    }
}

type RuleFn = fn(&Cx, &mut Vec<Hit>);

/// Every statement rule, with its metadata.
pub static RULES: &[(&RuleMeta, RuleFn)] = &[
    (&ban_drop_table::RULE, ban_drop_table::check),
    (&ban_drop_column::RULE, ban_drop_column::check),
    (&ban_drop_view::RULE, ban_drop_view::check),
    (&ban_drop_function::RULE, ban_drop_function::check),
    (&ban_drop_type::RULE, ban_drop_type::check),
    (&ban_drop_schema::RULE, ban_drop_schema::check),
    (&ban_drop_sequence::RULE, ban_drop_sequence::check),
    (&ban_drop_database::RULE, ban_drop_database::check),
    (&ban_drop_object::RULE, ban_drop_object::check),
    (&ban_rename_table::RULE, ban_rename_table::check),
    (&ban_rename_column::RULE, ban_rename_column::check),
    (&ban_rename_enum_value::RULE, ban_rename_enum_value::check),
    (&ban_rename_object::RULE, ban_rename_object::check),
    (&ban_set_schema::RULE, ban_set_schema::check),
    (&ban_alter_column_type::RULE, ban_alter_column_type::check),
    (&ban_column_type_rewrite::RULE, ban_column_type_rewrite::check),
    (&ban_set_not_null::RULE, ban_set_not_null::check),
    (&ban_add_not_null_column::RULE, ban_add_not_null_column::check),
    (
        &ban_add_column_volatile_default::RULE,
        ban_add_column_volatile_default::check,
    ),
    (&ban_truncate::RULE, ban_truncate::check),
    (&ban_delete_without_where::RULE, ban_delete_without_where::check),
    (&ban_delete_seeded_rows::RULE, ban_delete_seeded_rows::check),
    (&ban_update_without_where::RULE, ban_update_without_where::check),
    (&ban_drop_default::RULE, ban_drop_default::check),
    (&ban_set_unlogged::RULE, ban_set_unlogged::check),
    (
        &require_concurrent_index_creation::RULE,
        require_concurrent_index_creation::check,
    ),
    (
        &require_concurrent_index_drop::RULE,
        require_concurrent_index_drop::check,
    ),
    (
        &ban_concurrently_in_transaction::RULE,
        ban_concurrently_in_transaction::check,
    ),
    (&require_not_valid_constraint::RULE, require_not_valid_constraint::check),
    (&require_unique_using_index::RULE, require_unique_using_index::check),
    (&require_lock_timeout::RULE, require_lock_timeout::check),
    (&ban_vacuum_full::RULE, ban_vacuum_full::check),
    (&ban_cluster::RULE, ban_cluster::check),
    (
        &ban_enum_value_in_same_transaction::RULE,
        ban_enum_value_in_same_transaction::check,
    ),
    // Lock safety and transaction structure (issue #20).
    (&require_concurrent_reindex::RULE, require_concurrent_reindex::check),
    (
        &require_concurrent_partition_detach::RULE,
        require_concurrent_partition_detach::check,
    ),
    (&require_concurrent_refresh::RULE, require_concurrent_refresh::check),
    (&ban_lock_table::RULE, ban_lock_table::check),
    (
        &ban_validate_in_same_transaction::RULE,
        ban_validate_in_same_transaction::check,
    ),
    (&ban_nested_transaction::RULE, ban_nested_transaction::check),
    (&ban_uncommitted_transaction::RULE, ban_uncommitted_transaction::check),
    (&ban_long_identifier::RULE, ban_long_identifier::check),
    (&unparsed::UNPARSED_DESTRUCTIVE, unparsed::check_destructive),
    (&unparsed::UNPARSED_STATEMENT, unparsed::check_unparsed),
];

/// Rules that are not run per statement.
pub static OTHER_META: &[&RuleMeta] = &[
    &INVALID_APPROVAL,
    &UNUSED_APPROVAL,
    &INVALID_MIGRATION_FILE,
    &PSQL_META_COMMAND,
    &MODIFIED_APPLIED_MIGRATION,
    &missing_rollback::RULE,
];

/// Per-file state the engine carries from statement to statement.
#[derive(Default)]
struct FileState {
    explicit_tx: bool,
    /// A `COMMIT` of the file ended the framework's transaction.
    committed: bool,
    lock_timeout_set: bool,
    enum_values_added: Vec<String>,
    not_valid_added: Vec<(Name, String, ConstraintKind)>,
    /// Rules reported once per file that have fired.
    reported: Vec<&'static str>,
}

/// Rules reported at their first statement of a file only: one fix covers them all.
static ONCE_PER_FILE: &[&RuleMeta] = &[&require_lock_timeout::RULE];

/// Options the engine needs from configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineOptions {
    pub assume_lock_timeout: bool,
}

/// Replays `file` into `catalog` without judging it (an already-applied migration).
pub fn replay(file: &MigrationFile, catalog: &mut Catalog) {
    for (i, s) in file.statements.iter().enumerate() {
        for a in &s.actions {
            catalog.apply(a);
        }
        catalog.routines.extend(routine_body(file, i, s));
    }
}

/// Checks one file: every rule on every statement, approvals applied.
pub fn check_file(file: &MigrationFile, catalog: &mut Catalog, opts: EngineOptions) -> Vec<Finding> {
    let mut findings = Vec::new();
    let mut state = FileState::default();
    for (i, stmt) in file.statements.iter().enumerate() {
        let in_tx_before = file.wrapped || state.explicit_tx;
        let mut hits = Vec::new();
        let cx = Cx {
            file,
            stmt,
            actions: &stmt.actions,
            catalog,
            in_transaction: in_tx_before,
            lock_timeout_set: state.lock_timeout_set,
            later: &file.statements[i + 1..],
            in_do_block: false,
            raw: file.lexed.statements.get(i),
            enum_values_added: &state.enum_values_added,
            assume_lock_timeout: opts.assume_lock_timeout,
            explicit_tx: state.explicit_tx,
            framework_tx: framework_tx(file, &state),
            not_valid_added: &state.not_valid_added,
        };
        run_rules(&cx, &mut hits);
        // The statements inside a DO block, or inside a routine this file
        // created and this statement calls, run in order: each sees the schema
        // the ones before it left, and the ones after it (a DROP POLICY then
        // CREATE POLICY inside one block is a replacement).
        let mut groups = vec![("inside a DO block".to_string(), do_block_statements(stmt, 0))];
        groups.extend(
            called_routines(file, i, stmt, &catalog.routines)
                .into_iter()
                .map(|(name, body)| (format!("inside `{name}`, called here"), embedded_statements(&body, 0))),
        );
        for (g, (place, inner)) in groups.iter().enumerate() {
            // Rows a called routine inserts come from its arguments and
            // variables: they are not seeded reference data.
            let in_routine = g > 0;
            for (j, st) in inner.iter().enumerate() {
                let cx = Cx {
                    file,
                    stmt: st,
                    actions: &st.actions,
                    catalog,
                    in_transaction: in_tx_before,
                    lock_timeout_set: state.lock_timeout_set,
                    later: &inner[j + 1..],
                    in_do_block: true,
                    raw: None,
                    enum_values_added: &state.enum_values_added,
                    assume_lock_timeout: opts.assume_lock_timeout,
                    explicit_tx: state.explicit_tx,
                    framework_tx: framework_tx(file, &state),
                    not_valid_added: &state.not_valid_added,
                };
                let mut inner_hits = Vec::new();
                run_rules(&cx, &mut inner_hits);
                hits.extend(
                    inner_hits
                        .into_iter()
                        .filter(|h| h.meta.id != UNPARSED_STATEMENT.id)
                        .map(|mut h| {
                            h.message = format!("{} ({place})", h.message);
                            h
                        }),
                );
                for a in &st.actions {
                    if !(in_routine && matches!(a, Action::Insert { .. })) {
                        catalog.apply(a);
                    }
                }
            }
        }
        catalog.routines.extend(routine_body(file, i, stmt));
        hits.retain(|h| {
            if !ONCE_PER_FILE.iter().any(|m| m.id == h.meta.id) {
                return true;
            }
            let first = !state.reported.contains(&h.meta.id);
            state.reported.push(h.meta.id);
            first
        });
        let location = file.location(&stmt.span);
        for h in hits {
            let mut f = Finding::new(h.meta, h.message)
                .help(h.help)
                .at(&file.path, stmt.span.clone(), location);
            f.statement = Some(i);
            findings.push(f);
        }
        for a in &stmt.actions {
            match a {
                Action::Begin => state.explicit_tx = true,
                // A COMMIT (or ROLLBACK) ends whatever transaction is open: the
                // file's own, the framework's, or PostgreSQL's implicit one.
                Action::Commit => {
                    state.explicit_tx = false;
                    state.committed = true;
                    state.enum_values_added.clear();
                    state.not_valid_added.clear();
                }
                Action::AddEnumValue { value, .. } => state.enum_values_added.push(value.clone()),
                Action::AddConstraint { table, constraint } if constraint.not_valid && in_tx_before => {
                    if let Some(name) = &constraint.name {
                        state
                            .not_valid_added
                            .push((table.clone(), name.clone(), constraint.kind));
                    }
                }
                Action::SetTimeout { lock: true, .. } => state.lock_timeout_set = true,
                _ => {}
            }
            catalog.apply(a);
        }
    }
    findings.extend(input::file_findings(file));
    apply_approvals(file, &mut findings);
    findings
}

/// Whether the transaction the framework opened around the file is still open.
fn framework_tx(file: &MigrationFile, state: &FileState) -> bool {
    matches!(
        file.execution,
        crate::migration::Execution::Transaction | crate::migration::Execution::Flyway
    ) && !state.committed
}

fn run_rules(cx: &Cx, hits: &mut Vec<Hit>) {
    for (_, rule) in RULES {
        rule(cx, hits);
    }
}

/// The name and body of the function or procedure statement `i` creates with
/// a quoted body (`AS $$ ... $$`), its `EXECUTE` strings folded.
fn routine_body(file: &MigrationFile, i: usize, stmt: &Statement) -> Option<(String, String)> {
    let name = stmt.actions.iter().find_map(|a| match a {
        Action::Create {
            kind: ObjectKind::Function | ObjectKind::Procedure,
            name,
            ..
        } => Some(name.name.trim_matches('"').to_ascii_lowercase()),
        _ => None,
    })?;
    let raw = file.lexed.statements.get(i)?;
    let t = toks(&file.src, &raw.tokens);
    let at = t.iter().position(|x| x.lower == "as")?;
    let body = t[at + 1..].iter().find_map(string_value)?;
    Some((name, crate::migration::recognise::fold_dynamic_sql(&body)))
}

/// The routines of `routines` (created by this file or earlier migrations)
/// that statement `i` calls (`SELECT f()`, `CALL p()`, `PERFORM f()` in a DO
/// block, a call in DML), with the body each has when called.
fn called_routines(
    file: &MigrationFile,
    i: usize,
    stmt: &Statement,
    routines: &BTreeMap<String, String>,
) -> Vec<(String, String)> {
    let Some(raw) = file.lexed.statements.get(i).filter(|_| !routines.is_empty()) else {
        return Vec::new();
    };
    let first = raw.tokens.first().map_or("", |x| x.text(&file.src));
    if ["create", "drop", "alter", "comment", "grant", "revoke"]
        .iter()
        .any(|k| first.eq_ignore_ascii_case(k))
    {
        return Vec::new();
    }
    // Names followed by `(`, in the statement and in its DO block's body.
    let mut called: Vec<String> = called_names(&file.src, &raw.tokens);
    for a in &stmt.actions {
        if let Action::Do { body, .. } = a {
            for r in &lex(body).statements {
                called.extend(called_names(body, &r.tokens));
            }
        }
    }
    // Looked up by name (routines are keyed without quotes): a statement
    // calls a few functions, a long history creates hundreds.
    let called: std::collections::BTreeSet<&str> = called.iter().map(|w| w.trim_matches('"')).collect();
    called
        .into_iter()
        .filter_map(|w| routines.get_key_value(w))
        .map(|(name, body)| (name.clone(), body.clone()))
        .collect()
}

/// The words directly followed by `(`: function-call shapes.
fn called_names(src: &str, t: &[crate::migration::lex::Token]) -> Vec<String> {
    t.windows(2)
        .filter(|w| w[1].text(src) == "(")
        .map(|w| {
            let text = w[0].text(src);
            match w[0].kind {
                crate::migration::lex::TokenKind::Word => text.to_ascii_lowercase(),
                _ => text.to_string(),
            }
        })
        .collect()
}

/// The statements a DO block runs: its body's statements, and SQL held in
/// its string literals (`EXECUTE 'DROP TABLE ' || t`).
fn do_block_statements(stmt: &Statement, depth: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    if depth > 4 {
        return out;
    }
    for a in &stmt.actions {
        if let Action::Do { body, .. } = a {
            out.extend(embedded_statements(body, depth));
        }
    }
    out
}

fn embedded_statements(body: &str, depth: usize) -> Vec<Statement> {
    let mut out = Vec::new();
    let lexed = lex(body);
    for raw in &lexed.statements {
        let t = toks(body, &raw.tokens);
        // SQL inside string literals, as passed to EXECUTE.
        for tok in &t {
            if let Some(s) = string_value(tok) {
                if s.split_whitespace()
                    .next()
                    .is_some_and(|w| DYNAMIC_SQL_STARTS.contains(&w.to_ascii_lowercase().as_str()))
                {
                    out.extend(embedded_statements(&s, depth + 1));
                }
            }
        }
        // Plain SQL statements, after PL/pgSQL's own keywords.
        for k in 0..t.len() {
            let starts = DYNAMIC_SQL_STARTS.contains(&t[k].lower.as_ref())
                && (k == 0 || PLPGSQL_LEADS.contains(&t[k - 1].lower.as_ref()) || t[k - 1].text == ";");
            if starts {
                let text = &body[t[k].start..raw.span.end];
                let sub = lex(text);
                if let Some(first) = sub.statements.first() {
                    let st = understand(text, first, crate::config::SqlDialect::Postgres);
                    out.extend(do_block_statements(&st, depth + 1));
                    out.push(st);
                }
                break;
            }
        }
    }
    out
}

/// Marks the findings of `ap`'s statement that it covers approved: a plain
/// approval covers contract-class findings, a listed rule covers that rule.
/// Returns whether it approved any.
pub fn approve(ap: &Approval, reason: &str, findings: &mut [Finding]) -> bool {
    let mut used = false;
    for f in findings.iter_mut() {
        if f.statement != ap.statement || ap.statement.is_none() || f.approved {
            continue;
        }
        let covered = match &ap.rules {
            Some(ids) => ids.iter().any(|id| id == f.rule),
            None => f.meta.class == Class::Contract,
        };
        if covered {
            f.approved = true;
            f.approval_reason = Some(reason.to_string());
            used = true;
        }
    }
    used
}

/// True when `ap` sits on a statement that can remove rows (a `DELETE` with
/// a `WHERE`, which no static rule flags) and covers `dry-run-row-loss`:
/// that is the approval `shipgate dry-run` needs when the statement removes
/// rows, so it is not unused.
fn approves_row_loss(file: &MigrationFile, ap: &Approval) -> bool {
    let covers = ap
        .rules
        .as_ref()
        // The dry-run rules import this module, not the other way round.
        .is_none_or(|ids| ids.iter().any(|id| id == "dry-run-row-loss"));
    let removes_rows = ap.statement.and_then(|i| file.statements.get(i)).is_some_and(|s| {
        s.actions
            .iter()
            .any(|a| matches!(a, Action::Delete { .. } | Action::DeleteKeys { .. }))
    });
    covers && removes_rows
}

/// Marks approved findings and reports approvals that are broken or approve nothing.
fn apply_approvals(file: &MigrationFile, findings: &mut Vec<Finding>) {
    let mut extra = Vec::new();
    for ap in &file.approvals {
        let location = file.location(&ap.span);
        let reason = match &ap.reason {
            Ok(r) => r,
            Err(problem) => {
                extra.push(
                    Finding::new(&INVALID_APPROVAL, format!("This approval approves nothing: {problem}"))
                        .help("write `-- MIGRATION_APPROVED: <why this is safe>` on the statement's line or just above it")
                        .at(&file.path, ap.span.clone(), location),
                );
                continue;
            }
        };
        if !approve(ap, reason, findings) && !approves_row_loss(file, ap) {
            let lock_only = ap.statement.is_some()
                && findings
                    .iter()
                    .any(|f| f.statement == ap.statement && f.meta.class == Class::Lock);
            let what = match &ap.rules {
                Some(ids) => format!("no `{}` finding", ids.join("`, `")),
                None if lock_only => {
                    "only lock-safety findings, which are approved by naming them: `MIGRATION_APPROVED(<rule-id>): <reason>`"
                        .to_string()
                }
                None => "no destructive or breaking finding".to_string(),
            };
            extra.push(
                Finding::new(
                    &UNUSED_APPROVAL,
                    format!("This approval approves nothing: its statement has {what}"),
                )
                .help("remove the comment, or move it onto the statement it is meant for")
                .at(&file.path, ap.span.clone(), location),
            );
        }
    }
    findings.extend(extra);
}
