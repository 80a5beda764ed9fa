//! The engine: runs every statement rule on every statement of a file, in
//! order, with the schema each statement sees, then locates the findings
//! and applies the file's approvals.

use super::{require_lock_timeout, MigrationCx, RULES};
use crate::finding::Finding;
use crate::migration::action::{Action, ConstraintKind, Name};
use crate::migration::lex::RawStatement;
use crate::migration::routines::{embedded, routine_body};
use crate::migration::schema_model::Catalog;
use crate::migration::statement::Statement;
use crate::migration::{apply_approvals, input, Execution, MigrationFile};
use crate::rule::RuleMeta;

/// Options the engine needs from configuration.
#[derive(Debug, Clone, Copy, Default)]
pub struct EngineOptions {
    pub assume_lock_timeout: bool,
}

/// Rules reported at their first statement of a file only: one fix covers them all.
static ONCE_PER_FILE: &[&RuleMeta] = &[&require_lock_timeout::RULE];

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

/// One statement to judge: the statement itself, or one its DO block or a
/// called routine runs (then `raw` is `None`).
struct Judged<'a> {
    stmt: &'a Statement,
    later: &'a [Statement],
    raw: Option<&'a RawStatement>,
}

impl FileState {
    /// The context of `at`, the one place a [`MigrationCx`] is built.
    fn cx<'a>(
        &'a self,
        file: &'a MigrationFile,
        catalog: &'a Catalog,
        opts: EngineOptions,
        at: Judged<'a>,
    ) -> MigrationCx<'a> {
        MigrationCx {
            file,
            stmt: at.stmt,
            actions: &at.stmt.actions,
            catalog,
            in_transaction: file.wrapped || self.explicit_tx,
            lock_timeout_set: self.lock_timeout_set,
            later: at.later,
            in_do_block: at.raw.is_none(),
            raw: at.raw,
            enum_values_added: &self.enum_values_added,
            assume_lock_timeout: opts.assume_lock_timeout,
            explicit_tx: self.explicit_tx,
            framework_tx: matches!(file.execution, Execution::Transaction | Execution::Flyway) && !self.committed,
            not_valid_added: &self.not_valid_added,
        }
    }

    /// Carries what statement `stmt` did to the transaction into the state.
    fn after(&mut self, stmt: &Statement, in_tx_before: bool) {
        for a in &stmt.actions {
            match a {
                Action::Begin => self.explicit_tx = true,
                // A COMMIT (or ROLLBACK) ends whatever transaction is open: the
                // file's own, the framework's, or PostgreSQL's implicit one.
                Action::Commit => {
                    self.explicit_tx = false;
                    self.committed = true;
                    self.enum_values_added.clear();
                    self.not_valid_added.clear();
                }
                Action::AddEnumValue { value, .. } => self.enum_values_added.push(value.clone()),
                Action::AddConstraint { table, constraint } if constraint.not_valid && in_tx_before => {
                    if let Some(name) = &constraint.name {
                        self.not_valid_added
                            .push((table.clone(), name.clone(), constraint.kind));
                    }
                }
                Action::SetTimeout { lock: true, .. } => self.lock_timeout_set = true,
                _ => {}
            }
        }
    }

    /// False for a once-per-file rule that has already fired in the file.
    fn first_time(&mut self, f: &Finding) -> bool {
        if !ONCE_PER_FILE.iter().any(|m| m.id == f.rule) {
            return true;
        }
        let first = !self.reported.contains(&f.rule);
        self.reported.push(f.rule);
        first
    }
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
        let at = Judged {
            stmt,
            later: &file.statements[i + 1..],
            raw: file.lexed.statements.get(i),
        };
        let mut found = crate::rules::run(RULES, &state.cx(file, catalog, opts, at));
        found.extend(check_embedded(file, i, stmt, catalog, &state, opts));
        catalog.routines.extend(routine_body(file, i, stmt));
        found.retain(|f| state.first_time(f));
        for mut f in found {
            // A rule may point at a clause of the statement; by default the finding is the statement.
            let span = f.span.take().unwrap_or_else(|| stmt.span.clone());
            let location = file.location(&span);
            f = f.at(&file.path, span, location);
            f.statement = Some(i);
            findings.push(f);
        }
        state.after(stmt, file.wrapped || state.explicit_tx);
        for a in &stmt.actions {
            catalog.apply(a);
        }
    }
    findings.extend(input::file_findings(file));
    apply_approvals::apply(file, &mut findings);
    findings
}

/// The findings on the statements statement `i` runs besides itself (its DO
/// block's, then each called routine's), in order: each sees the schema the
/// ones before it left, and the ones after it (a DROP POLICY then CREATE
/// POLICY inside one block is a replacement). They are located at statement `i`.
fn check_embedded(
    file: &MigrationFile,
    i: usize,
    stmt: &Statement,
    catalog: &mut Catalog,
    state: &FileState,
    opts: EngineOptions,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for group in embedded(file, i, stmt, &catalog.routines) {
        for (j, st) in group.statements.iter().enumerate() {
            let at = Judged {
                stmt: st,
                later: &group.statements[j + 1..],
                raw: None,
            };
            let found = crate::rules::run(RULES, &state.cx(file, catalog, opts, at));
            out.extend(
                found
                    .into_iter()
                    .filter(|f| f.rule != super::UNPARSED_STATEMENT.id)
                    .map(|mut f| {
                        f.message = format!("{} ({})", f.message, group.place);
                        f.span = None;
                        f
                    }),
            );
            for a in &st.actions {
                // Rows a called routine inserts come from its arguments and
                // variables: they are not seeded reference data.
                if !(group.in_routine && matches!(a, Action::Insert { .. })) {
                    catalog.apply(a);
                }
            }
        }
    }
    out
}
