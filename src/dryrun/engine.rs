//! Runs pending migrations on a real PostgreSQL inside one transaction that
//! is always rolled back, and records what each statement did: locks taken,
//! storage rewritten, rows counted, catalog changed, time spent.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::catalog::{self, quote_ident, Origin, Snapshot, XactStats};
use super::classify;
use super::model::*;
use super::restore;
use super::target;
use crate::migration::MigrationFile;

/// How the run behaves (from the command line).
#[derive(Debug, Clone)]
pub struct Settings {
    pub lock_timeout_ms: u64,
    pub statement_timeout_ms: u64,
    pub exact_count_limit: i64,
    pub large_table_rows: i64,
    pub scratch: bool,
    /// Every pending migration is one change (`--base`): what existed before
    /// the first one is what counts as already there.
    pub one_change: bool,
    /// `--with-rollback`: run each migration's rollback after it, compare, undo.
    pub with_rollback: bool,
}

/// One migration to run: its parsed file, or why it could not be read.
pub struct Pending<'a> {
    pub display: String,
    pub file: Result<&'a MigrationFile, String>,
    /// Its rollback, when it has one (run only with `--with-rollback`).
    pub rollback: Option<&'a MigrationFile>,
}

/// Why the run could not be evaluated (exit 3), or was refused (exit 2).
#[derive(Debug)]
pub enum EngineError {
    /// Refused before touching anything (old server): exit 2.
    Refused(String),
    /// Connection lost, server gone, or an internal query failed: exit 3.
    Failed(String),
    /// Ctrl-C: rolled back, exit 3.
    Interrupted,
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Refused(m) | EngineError::Failed(m) => f.write_str(m),
            EngineError::Interrupted => {
                f.write_str("The dry run was interrupted, so its transaction was rolled back and nothing was evaluated")
            }
        }
    }
}

/// The oldest server the dry run accepts (`server_version_num`).
pub const MIN_SERVER_VERSION: i64 = 120000;

/// Checks the server version; `Err` with the message to show when too old.
pub fn check_version(version_num: i64, version: &str) -> Result<(), String> {
    if version_num < MIN_SERVER_VERSION {
        return Err(format!(
            "The server runs PostgreSQL {version}, older than 12, so shipgate refuses to dry-run on it"
        ));
    }
    Ok(())
}

fn is_connection_lost(client: &Client, e: &tokio_postgres::Error) -> bool {
    if client.is_closed() || e.is_closed() {
        return true;
    }
    match e.code().map(|c| c.code()) {
        // admin_shutdown, crash_shutdown, cannot_connect_now, and the connection exceptions.
        Some(code) => matches!(code, "57P01" | "57P02" | "57P03") || code.starts_with("08"),
        None => e.as_db_error().is_none(),
    }
}

pub fn describe(e: &tokio_postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => format!("{} ({})", db.message(), db.code().code()),
        None => {
            // With its causes: "error performing TLS handshake: invalid peer certificate: ...".
            let mut out = e.to_string();
            let mut cause = std::error::Error::source(e);
            while let Some(c) = cause {
                let text = c.to_string();
                if !out.contains(&text) {
                    out = format!("{out}: {text}");
                }
                cause = c.source();
            }
            out
        }
    }
}

/// `SqlError` for a failed statement, with PostgreSQL's position mapped into the file.
fn sql_error(file: &MigrationFile, span: &std::ops::Range<usize>, e: &tokio_postgres::Error) -> SqlError {
    let Some(db) = e.as_db_error() else {
        return SqlError {
            code: String::new(),
            message: describe(e),
            detail: None,
            hint: None,
            line: None,
            column: None,
            position: None,
            internal_query: None,
            internal_position: None,
            context: None,
        };
    };
    let mut out = SqlError {
        code: db.code().code().to_string(),
        message: db.message().to_string(),
        detail: db.detail().map(str::to_string),
        hint: db.hint().map(str::to_string),
        line: None,
        column: None,
        position: None,
        internal_query: None,
        internal_position: None,
        context: db.where_().map(str::to_string),
    };
    match db.position() {
        Some(tokio_postgres::error::ErrorPosition::Original(p)) => {
            out.position = Some(*p);
            let text = file.src.get(span.clone()).unwrap_or("");
            let byte = text
                .char_indices()
                .nth((*p as usize).saturating_sub(1))
                .map_or(text.len(), |(b, _)| b);
            let (line, column) = file.lines.position(&file.src, span.start + byte);
            out.line = Some(line);
            out.column = Some(column);
        }
        Some(tokio_postgres::error::ErrorPosition::Internal { position, query }) => {
            out.internal_position = Some(*position);
            out.internal_query = Some(query.clone());
        }
        None => {}
    }
    out
}

/// The statement's first line, at most 80 characters.
pub fn preview(text: &str) -> String {
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let mut out: String = line.chars().take(80).collect();
    if line.chars().count() > 80 || text.trim().lines().count() > 1 {
        out.push_str(" …");
    }
    out
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 1000.0).round() / 1000.0
}

#[derive(Debug, Clone, Copy)]
struct Count {
    rows: i64,
    exact: bool,
}

/// The state of one connection's run.
pub struct Session<'c> {
    client: &'c Client,
    settings: Settings,
    version_num: i64,
    /// The next snapshot must be a full one (after a commit: our row markers changed).
    full_next: bool,
    /// Rows per table, as of the last observation.
    counts: HashMap<u32, Count>,
    /// Transaction statistics at the last observation (reset by a commit).
    last_stats: HashMap<u32, XactStats>,
    /// Locks held at the last observation.
    baseline: BTreeSet<(u32, String)>,
    /// Our transaction's id; a change means the transaction ended.
    txid: Option<i64>,
    /// Inside a transaction right now (false only between scratch commits).
    in_tx: bool,
}

/// What a finished run hands back.
pub struct RunOutcome {
    pub migrations: Vec<MigrationRun>,
}

impl<'c> Session<'c> {
    pub fn new(client: &'c Client, settings: Settings, version_num: i64) -> Self {
        Session {
            client,
            settings,
            version_num,
            full_next: true,
            counts: HashMap::new(),
            last_stats: HashMap::new(),
            baseline: BTreeSet::new(),
            txid: None,
            in_tx: false,
        }
    }

    fn fail(&self, what: &str, e: &tokio_postgres::Error) -> EngineError {
        if is_connection_lost(self.client, e) {
            EngineError::Failed(format!(
                "The connection to the database was lost while {what} ({}), so the dry run could not finish; PostgreSQL rolls back an open transaction when its connection ends",
                describe(e)
            ))
        } else {
            EngineError::Failed(format!(
                "PostgreSQL rejected shipgate's own query while {what} ({}), so the dry run could not finish",
                describe(e)
            ))
        }
    }

    async fn exec(&self, sql: &str, what: &str) -> Result<(), EngineError> {
        self.client.batch_execute(sql).await.map_err(|e| self.fail(what, &e))
    }

    async fn text(&self, sql: &str, what: &str) -> Result<String, EngineError> {
        let rows = self
            .client
            .query_typed(sql, &[])
            .await
            .map_err(|e| self.fail(what, &e))?;
        Ok(rows
            .first()
            .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
            .unwrap_or_default())
    }

    /// Session-level timeouts: they outlive our commits in scratch mode.
    pub async fn set_timeouts(&self) -> Result<(), EngineError> {
        self.exec(
            &format!(
                "SET lock_timeout = '{}ms'; SET statement_timeout = '{}ms'",
                self.settings.lock_timeout_ms, self.settings.statement_timeout_ms
            ),
            "setting the timeouts",
        )
        .await
    }

    async fn begin(&mut self) -> Result<(), EngineError> {
        self.exec("BEGIN", "starting the transaction").await?;
        self.in_tx = true;
        self.txid = None;
        self.full_next = true;
        self.last_stats.clear();
        self.baseline.clear();
        Ok(())
    }

    /// Commits: only a scratch database, which is dropped afterwards, ever gets here.
    async fn commit_scratch(&mut self) -> Result<(), EngineError> {
        if !self.settings.scratch {
            return Err(EngineError::Failed(
                "shipgate refused to commit on the source database; this is a bug".into(),
            ));
        }
        self.exec("COMMIT", "committing in the scratch database").await?;
        self.in_tx = false;
        Ok(())
    }

    /// Rolls back whatever is open.
    pub async fn rollback(&mut self) -> Result<(), EngineError> {
        self.exec("ROLLBACK", "rolling back").await?;
        self.in_tx = false;
        Ok(())
    }

    /// Reads a snapshot: the small head query, then only the sections it says changed.
    async fn read(&mut self, what: &str, prev: Option<&Snapshot>) -> Result<Snapshot, EngineError> {
        let unreadable = |e: String| EngineError::Failed(format!("{e} while {what}"));
        let head = self.text(&catalog::head_sql(&self.baseline), what).await?;
        let mut v: serde_json::Value = serde_json::from_str(&head).map_err(|e| unreadable(e.to_string()))?;
        let reads = catalog::plan_reads(prev, &catalog::fp_of(&v));
        if let Some(sql) = catalog::sections_sql(self.version_num, prev, &reads) {
            let text = self.text(&sql, what).await?;
            let sections: serde_json::Value = serde_json::from_str(&text).map_err(|e| unreadable(e.to_string()))?;
            if let (Some(into), Some(from)) = (v.as_object_mut(), sections.as_object()) {
                into.extend(from.clone());
            }
        }
        catalog::read_snapshot(&v, prev, &self.baseline)
            .map_err(unreadable)?
            .ok_or_else(|| unreadable("an unreadable catalog snapshot".into()))
    }

    /// A catalog snapshot; with `prev`, only what changed since it is read.
    async fn snapshot(&mut self, what: &str, prev: Option<&Snapshot>) -> Result<Snapshot, EngineError> {
        let prev = if self.full_next { None } else { prev };
        let snap = self.read(what, prev).await?;
        self.full_next = false;
        // Self-check for the incremental snapshots (used by the tests): the
        // incremental one must equal a full one.
        if prev.is_some() && std::env::var_os("SHIPGATE_DRY_RUN_CHECK_SNAPSHOTS").is_some() {
            let full = self.read(what, None).await?;
            let origin = catalog::Origin { snapshot: &full };
            let d = catalog::diff(&snap, &full, &origin);
            let same = d.is_empty()
                && snap.rels == full.rels
                && snap.cols == full.cols
                && snap.cons == full.cons
                && snap.idx == full.idx
                && snap.funcs == full.funcs
                && snap.policies == full.policies
                && snap.triggers == full.triggers
                && snap.types == full.types
                && snap.enums == full.enums
                && snap.schemas == full.schemas
                && snap.exts == full.exts
                && snap.locks == full.locks;
            if !same {
                return Err(EngineError::Failed(format!(
                    "the incremental catalog snapshot differs from a full one while {what}: {d:?}"
                )));
            }
        }
        match self.txid {
            Some(t) if t != snap.txid => {
                return Err(EngineError::Failed(format!(
                    "The dry run's transaction ended unexpectedly while {what}, so the run stopped; check the database for committed changes"
                )))
            }
            Some(_) => {}
            None => self.txid = Some(snap.txid),
        }
        Ok(snap)
    }

    /// Our relation locks now (only what changed since `baseline` travels).
    async fn locks_now(&self) -> Result<BTreeSet<(u32, String)>, EngineError> {
        let sql = format!("SELECT {}::text", catalog::locks_sql(&self.baseline));
        let text = self.text(&sql, "reading locks").await?;
        let v: serde_json::Value = serde_json::from_str(if text.is_empty() { "null" } else { &text })
            .map_err(|e| EngineError::Failed(format!("unreadable lock list: {e}")))?;
        Ok(catalog::merge_locks(&self.baseline, &v))
    }

    /// Counts the rows of `oids` (ordinary tables of `snap`): exactly up to
    /// the limit, else `estimate` (or `reltuples`). A failing count (a lock
    /// timeout, a permission) falls back to the estimate without harming the run.
    async fn count(&mut self, snap: &Snapshot, oids: &[u32], estimate: &HashMap<u32, i64>) -> Result<(), EngineError> {
        let limit = self.settings.exact_count_limit.max(0);
        let mut scan = Vec::new();
        for oid in oids {
            let Some(rel) = snap.rels.get(oid).filter(|r| r.is_table()) else {
                continue;
            };
            let fallback = estimate.get(oid).copied().unwrap_or_else(|| rel.tuples.max(0.0) as i64);
            // Only a table known to be large is estimated without looking (reltuples < 0: never analysed).
            let known_large = !estimate.contains_key(oid) && rel.tuples > limit as f64;
            if !rel.can_select || known_large {
                self.counts.insert(
                    *oid,
                    Count {
                        rows: fallback,
                        exact: false,
                    },
                );
            } else {
                scan.push((*oid, rel.quoted(), fallback));
            }
        }
        if scan.is_empty() {
            return Ok(());
        }
        for chunk in scan.chunks(200) {
            let values: Vec<String> = chunk
                .iter()
                .map(|(oid, quoted, _)| {
                    format!(
                        "({oid}::int8, (SELECT pg_catalog.count(*) FROM (SELECT 1 FROM ONLY {quoted} LIMIT {}) s))",
                        limit.saturating_add(1)
                    )
                })
                .collect();
            let sql = format!(
                "SELECT pg_catalog.json_agg(pg_catalog.json_build_array(v.o, v.n))::text FROM (VALUES {}) v(o, n)",
                values.join(", ")
            );
            self.exec("SAVEPOINT shipgate_dry_run_count", "counting rows").await?;
            let got = self.client.query_typed(&sql, &[]).await;
            let text = match got {
                Ok(rows) => {
                    self.exec("RELEASE SAVEPOINT shipgate_dry_run_count", "counting rows")
                        .await?;
                    rows.first()
                        .and_then(|r| r.try_get::<_, Option<String>>(0).ok().flatten())
                        .unwrap_or_default()
                }
                Err(e) if is_connection_lost(self.client, &e) => return Err(self.fail("counting rows", &e)),
                Err(_) => {
                    self.exec("ROLLBACK TO SAVEPOINT shipgate_dry_run_count", "counting rows")
                        .await?;
                    String::new()
                }
            };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
            let mut got: HashMap<u32, i64> = HashMap::new();
            for r in v.as_array().into_iter().flatten() {
                if let (Some(o), Some(n)) = (r.get(0).and_then(|x| x.as_u64()), r.get(1).and_then(|x| x.as_i64())) {
                    got.insert(u32::try_from(o).unwrap_or(0), n);
                }
            }
            for (oid, _, fallback) in chunk {
                let count = match got.get(oid) {
                    Some(n) if *n <= limit => Count { rows: *n, exact: true },
                    _ => Count {
                        rows: *fallback,
                        exact: false,
                    },
                };
                self.counts.insert(*oid, count);
            }
        }
        Ok(())
    }

    /// Begins the run: transaction, first snapshot, row counts of every table.
    pub async fn start(&mut self) -> Result<Snapshot, EngineError> {
        self.begin().await?;
        let snap = self.snapshot("taking the first catalog snapshot", None).await?;
        self.last_stats = snap.stats.clone();
        self.count(&snap, &snap.tables(), &HashMap::new()).await?;
        self.baseline = self.locks_now().await?;
        Ok(snap)
    }

    /// Runs every pending migration in order; stops at the first failure.
    pub async fn run_all(
        &mut self,
        pending: &[Pending<'_>],
        first: Snapshot,
        progress: &mut dyn FnMut(&str),
    ) -> Result<RunOutcome, EngineError> {
        let run_origin = first.clone();
        let mut current = first;
        let mut migrations = Vec::new();
        let mut stopped: Option<String> = None;
        for p in pending {
            if let Some(why) = &stopped {
                migrations.push(not_run(&p.display, p.file.as_ref().ok().copied(), why.clone()));
                continue;
            }
            let file = match &p.file {
                Ok(f) => *f,
                Err(why) => {
                    let reason = format!("shipgate cannot read it: {why}");
                    migrations.push(not_run(&p.display, None, reason));
                    stopped = Some(format!("the earlier migration `{}` cannot be read", p.display));
                    continue;
                }
            };
            let undo = match p.rollback.filter(|_| self.settings.with_rollback) {
                Some(rb) => Some((rb, current.clone(), self.counts.clone())),
                None => None,
            };
            let (mut run, mut after) = self.run_file(file, current, &run_origin).await?;
            progress(&format!(
                "dry-run: {} {} in {:.1} ms",
                run.file,
                match run.status {
                    MigrationStatus::Applied => "applied",
                    MigrationStatus::Failed => "failed",
                    MigrationStatus::NotRun => "not run",
                },
                run.duration_ms
            ));
            if let Some((rb, before, counts)) = undo.filter(|_| run.status == MigrationStatus::Applied) {
                let t0 = Instant::now();
                let tried = self.try_rollback(rb, &before, &counts).await?;
                after = self.resume(&file.path).await?;
                progress(&format!(
                    "dry-run: its rollback {} ran, was compared and undone in {:.1} ms",
                    tried.file,
                    ms(t0.elapsed())
                ));
                run.rollback = Some(tried);
            }
            if run.status == MigrationStatus::Failed {
                stopped = Some(format!("the earlier migration `{}` failed", run.file));
            }
            migrations.push(run);
            current = after;
        }
        Ok(RunOutcome { migrations })
    }

    async fn run_file(
        &mut self,
        file: &MigrationFile,
        before: Snapshot,
        run_origin: &Snapshot,
    ) -> Result<(MigrationRun, Snapshot), EngineError> {
        let started = Instant::now();
        let file_origin = before.clone();
        let counts_at_start = self.counts.clone();
        let mut prev = before.clone();
        let mut statements = Vec::new();
        let mut failed = false;
        let mut touched: BTreeMap<u32, (String, XactStats)> = BTreeMap::new();
        let mut dropped_tables: BTreeMap<u32, String> = BTreeMap::new();
        for (i, stmt) in file.statements.iter().enumerate() {
            let loc = file.location(&stmt.span);
            let text = file.src.get(stmt.span.clone()).unwrap_or("");
            let mut run = StatementRun::new(i, &loc, preview(text), StatementStatus::Ran);
            if failed {
                run.status = StatementStatus::NotRun;
                statements.push(run);
                continue;
            }
            let skip = classify::skip_reason(file, i);
            let autocommit = match &skip {
                Some(s) if s.kind == SkipKind::NonTransactional && self.settings.scratch => true,
                Some(s) => {
                    run.status = StatementStatus::Skipped;
                    run.skip = Some(s.clone());
                    statements.push(run);
                    continue;
                }
                None => false,
            };
            if autocommit {
                self.commit_scratch().await?;
                run.autocommit = true;
            }
            let sent = self.send(file, i, &mut run).await?;
            if autocommit {
                self.begin().await?;
            }
            if !sent {
                failed = true;
                statements.push(run);
                continue;
            }
            if is_set_statement(text) {
                self.enforce_timeouts().await?;
            }
            let origin = if self.settings.one_change {
                run_origin
            } else {
                &file_origin
            };
            let now = self
                .observe(
                    &prev,
                    origin,
                    &mut run,
                    &mut touched,
                    &mut dropped_tables,
                    &file.path,
                    loc.line,
                )
                .await?;
            prev = now;
            statements.push(run);
        }
        let origin = if self.settings.one_change {
            run_origin
        } else {
            &file_origin
        };
        let mut catalog_diff = catalog::diff(&before, &prev, &Origin { snapshot: origin });
        catalog::mark_replacements(&mut catalog_diff);
        let replaced: BTreeSet<(&'static str, String)> = catalog_diff
            .iter()
            .filter(|c| c.replaced)
            .map(|c| (c.object, c.name.clone()))
            .collect();
        for s in &mut statements {
            for c in &mut s.changes {
                if c.change == ChangeKind::Removed && replaced.contains(&(c.object, c.name.clone())) {
                    c.replaced = true;
                    c.breaking = false;
                }
            }
        }
        let mut row_counts = Vec::new();
        for (oid, (name, stats)) in &touched {
            let b = counts_at_start.get(oid);
            let a = self.counts.get(oid);
            row_counts.push(RowCount {
                table: name.clone(),
                before: b.map(|c| c.rows),
                after: if dropped_tables.contains_key(oid) {
                    None
                } else {
                    a.map(|c| c.rows)
                },
                exact: b.is_none_or(|c| c.exact) && a.is_none_or(|c| c.exact),
                inserted: stats.inserted,
                updated: stats.updated,
                deleted: stats.deleted,
                preexisting: origin.rels.contains_key(oid),
            });
        }
        for oid in dropped_tables.keys() {
            self.counts.remove(oid);
        }
        if failed {
            if self.settings.scratch {
                // Production rolls the failed file back; so does the scratch database.
                self.rollback().await?;
                self.begin().await?;
            }
        } else if self.settings.scratch {
            self.commit_scratch().await?;
            self.begin().await?;
        }
        let run = MigrationRun {
            file: file.path.clone(),
            status: if failed {
                MigrationStatus::Failed
            } else {
                MigrationStatus::Applied
            },
            reason: None,
            duration_ms: ms(started.elapsed()),
            catalog_diff,
            row_counts,
            statements,
            rollback: None,
        };
        Ok((run, prev))
    }

    /// Sends statement `i` of `file`; `false` when PostgreSQL refused it (the
    /// error is in `run`). A lost connection ends the run.
    async fn send(&self, file: &MigrationFile, i: usize, run: &mut StatementRun) -> Result<bool, EngineError> {
        let span = file.statements[i].span.clone();
        let text = file.src.get(span.clone()).unwrap_or("");
        let t0 = Instant::now();
        let res = self.client.execute_typed(text, &[]).await;
        run.duration_ms = ms(t0.elapsed());
        let Err(e) = res else {
            return Ok(true);
        };
        if is_connection_lost(self.client, &e) {
            return Err(EngineError::Failed(format!(
                "The connection to the database was lost while running `{}` line {} ({}), so the dry run could not finish; PostgreSQL rolls back an open transaction when its connection ends",
                file.path,
                run.line,
                describe(&e)
            )));
        }
        run.status = StatementStatus::Failed;
        run.error = Some(sql_error(file, &span, &e));
        Ok(false)
    }

    /// `--with-rollback`: runs `rb` in a savepoint right after its migration,
    /// compares the catalog and every table's row count with `before` (the
    /// state before the migration), then rolls back to the savepoint.
    async fn try_rollback(
        &mut self,
        rb: &MigrationFile,
        before: &Snapshot,
        counts_before: &HashMap<u32, Count>,
    ) -> Result<RollbackRun, EngineError> {
        self.exec("SAVEPOINT shipgate_dry_run_rollback", "starting the rollback")
            .await?;
        let mut statements = Vec::new();
        let mut failed = false;
        for (i, stmt) in rb.statements.iter().enumerate() {
            let text = rb.src.get(stmt.span.clone()).unwrap_or("");
            let mut run = StatementRun::new(i, &rb.location(&stmt.span), preview(text), StatementStatus::Ran);
            if failed {
                run.status = StatementStatus::NotRun;
            } else if let Some(skip) = classify::skip_reason(rb, i) {
                run.status = StatementStatus::Skipped;
                run.skip = Some(skip);
            } else {
                failed = !self.send(rb, i, &mut run).await?;
                if !failed && is_set_statement(text) {
                    self.enforce_timeouts().await?;
                }
            }
            statements.push(run);
        }
        let mut differences = Vec::new();
        if !failed {
            self.full_next = true;
            let what = format!("reading the catalog after the rollback `{}`", rb.path);
            let after = self.snapshot(&what, None).await?;
            let kept = std::mem::take(&mut self.counts);
            let counted = self.count(&after, &after.tables(), &HashMap::new()).await;
            let counts_after = std::mem::replace(&mut self.counts, kept);
            counted?;
            let rows = |snap: &Snapshot, counts: &HashMap<u32, Count>| {
                restore::rows_by_name(snap, counts.iter().map(|(o, c)| (o, c.rows, c.exact)))
            };
            differences = restore::compare(
                before,
                &rows(before, counts_before),
                &after,
                &rows(&after, &counts_after),
            );
        }
        self.exec(
            "ROLLBACK TO SAVEPOINT shipgate_dry_run_rollback; RELEASE SAVEPOINT shipgate_dry_run_rollback",
            "undoing the rollback",
        )
        .await?;
        Ok(RollbackRun {
            file: rb.path.clone(),
            status: if failed {
                MigrationStatus::Failed
            } else {
                MigrationStatus::Applied
            },
            statements,
            differences,
        })
    }

    /// After a rollback was undone: a full snapshot of the migrated state, and
    /// the statistics and locks the next observation starts from.
    async fn resume(&mut self, path: &str) -> Result<Snapshot, EngineError> {
        self.full_next = true;
        let now = self
            .snapshot(
                &format!("reading the catalog after undoing the rollback of `{path}`"),
                None,
            )
            .await?;
        self.last_stats = now.stats.clone();
        self.baseline = self.locks_now().await?;
        Ok(now)
    }

    /// After a statement that may change a timeout: keeps the dry run's own as upper bounds.
    async fn enforce_timeouts(&self) -> Result<(), EngineError> {
        let text = self
            .text(
                "SELECT pg_catalog.json_build_array(pg_catalog.current_setting('lock_timeout'), pg_catalog.current_setting('statement_timeout'))::text",
                "reading the timeouts",
            )
            .await?;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let read = |i: usize| {
            v.get(i)
                .and_then(|x| x.as_str())
                .and_then(|s| target::parse_duration(s).ok())
                .unwrap_or(0)
        };
        let mut sets = Vec::new();
        let exceeds = |have: u64, ours: u64| ours > 0 && (have == 0 || have > ours);
        if exceeds(read(0), self.settings.lock_timeout_ms) {
            sets.push(format!("SET lock_timeout = '{}ms'", self.settings.lock_timeout_ms));
        }
        if exceeds(read(1), self.settings.statement_timeout_ms) {
            sets.push(format!(
                "SET statement_timeout = '{}ms'",
                self.settings.statement_timeout_ms
            ));
        }
        if !sets.is_empty() {
            self.exec(&sets.join("; "), "restoring the timeouts").await?;
        }
        Ok(())
    }

    /// Records what the statement just run did, compared with `prev`.
    #[allow(clippy::too_many_arguments)]
    async fn observe(
        &mut self,
        prev: &Snapshot,
        origin: &Snapshot,
        run: &mut StatementRun,
        touched: &mut BTreeMap<u32, (String, XactStats)>,
        dropped_tables: &mut BTreeMap<u32, String>,
        path: &str,
        line: usize,
    ) -> Result<Snapshot, EngineError> {
        let what = format!("observing `{path}` line {line}");
        let now = self.snapshot(&what, Some(prev)).await?;
        let large = self.settings.large_table_rows;
        let rows_of = |counts: &HashMap<u32, Count>, oid: u32| -> Option<i64> {
            let table = match prev.rels.get(&oid) {
                Some(r) if r.is_index() => prev.idx.get(&oid).map(|i| i.table).unwrap_or(oid),
                _ => oid,
            };
            counts.get(&table).map(|c| c.rows)
        };
        let lock = |counts: &HashMap<u32, Count>, oid: u32, mode: &str| -> Option<Lock> {
            let r = now.rels.get(&oid).or_else(|| prev.rels.get(&oid))?;
            let rows = rows_of(counts, oid);
            Some(Lock {
                relation: r.qualified(),
                kind: r.kind_label().to_string(),
                mode: mode.to_string(),
                rows,
                large: rows.is_some_and(|n| n > large),
                preexisting: origin.rels.contains_key(&oid),
            })
        };
        // Locks: what this statement holds that the run did not hold before.
        for (oid, mode) in now.locks.difference(&self.baseline) {
            run.locks.extend(lock(&self.counts, *oid, mode));
        }
        // And what it could not be seen taking, because the run already held it.
        let mut touched_rels = catalog::touched_rels(prev, &now);
        touched_rels.extend(
            now.stats
                .iter()
                .filter(|(o, s)| self.last_stats.get(o) != Some(*s))
                .map(|(o, _)| *o),
        );
        let mut strongest: BTreeMap<u32, &str> = BTreeMap::new();
        for (oid, mode) in self.baseline.iter().filter(|(o, _)| touched_rels.contains(o)) {
            if now.locks.contains(&(*oid, mode.clone())) {
                let m = strongest.entry(*oid).or_insert(mode.as_str());
                if lock_strength(mode) > lock_strength(m) {
                    *m = mode.as_str();
                }
            }
        }
        for (oid, mode) in strongest {
            // ACCESS SHARE is also what shipgate's own row counts take: not worth showing.
            let shown_new = now
                .locks
                .iter()
                .filter(|(o, m)| *o == oid && !self.baseline.contains(&(*o, m.clone())))
                .any(|(_, m)| lock_strength(m) >= lock_strength(mode));
            if mode != "AccessShareLock" && !shown_new {
                run.held_locks.extend(lock(&self.counts, oid, mode));
            }
        }
        self.baseline = now.locks.clone();
        // Rewrites: same relation, new storage.
        for (oid, r) in &prev.rels {
            if let Some(r2) = now.rels.get(oid) {
                if matches!(r.kind, 'r' | 'm' | 'i') && r.filenode != 0 && r2.filenode != 0 && r.filenode != r2.filenode
                {
                    run.rewrites.push(Rewrite {
                        relation: r2.qualified(),
                        kind: r2.kind_label().to_string(),
                        rows: rows_of(&self.counts, *oid),
                        bytes: (r.pages > 0).then(|| r.pages.saturating_mul(8192)),
                    });
                }
            }
        }
        // Row statistics since the last observation.
        let mut deltas: HashMap<u32, XactStats> = HashMap::new();
        for (oid, s) in &now.stats {
            let last = self.last_stats.get(oid).copied().unwrap_or_default();
            // A TRUNCATE resets the transaction's counters of its table.
            let d = if s.inserted < last.inserted || s.deleted < last.deleted || s.updated < last.updated {
                *s
            } else {
                XactStats {
                    inserted: s.inserted - last.inserted,
                    updated: s.updated - last.updated,
                    deleted: s.deleted - last.deleted,
                }
            };
            if d != XactStats::default() {
                deltas.insert(*oid, d);
            }
        }
        self.last_stats = now.stats.clone();
        let mut recount: BTreeSet<u32> = deltas
            .iter()
            .filter(|(_, d)| d.inserted != 0 || d.deleted != 0)
            .map(|(o, _)| *o)
            .collect();
        for (oid, r) in &now.rels {
            if !r.is_table() {
                continue;
            }
            match prev.rels.get(oid) {
                None => {
                    recount.insert(*oid);
                }
                Some(p) if p.filenode != r.filenode => {
                    recount.insert(*oid);
                }
                _ => {}
            }
        }
        let before_counts = self.counts.clone();
        if !recount.is_empty() {
            let mut estimate = HashMap::new();
            for oid in &recount {
                let d = deltas.get(oid).copied().unwrap_or_default();
                if let Some(c) = before_counts.get(oid) {
                    estimate.insert(*oid, (c.rows + d.inserted - d.deleted).max(0));
                }
            }
            let oids: Vec<u32> = recount.iter().copied().collect();
            self.count(&now, &oids, &estimate).await?;
            self.baseline = self.locks_now().await?;
        }
        let mut row_oids: BTreeSet<u32> = recount.clone();
        row_oids.extend(deltas.keys().copied());
        for oid in row_oids {
            let Some(r) = now.rels.get(&oid).filter(|r| r.is_table()) else {
                continue;
            };
            let d = deltas.get(&oid).copied().unwrap_or_default();
            let b = before_counts.get(&oid).copied();
            let a = self.counts.get(&oid).copied();
            run.rows.push(RowCount {
                table: r.qualified(),
                before: b.map(|c| c.rows),
                after: a.map(|c| c.rows),
                exact: b.is_none_or(|c| c.exact) && a.is_none_or(|c| c.exact),
                inserted: d.inserted,
                updated: d.updated,
                deleted: d.deleted,
                preexisting: origin.rels.contains_key(&oid),
            });
            let entry = touched
                .entry(oid)
                .or_insert_with(|| (r.qualified(), XactStats::default()));
            entry.0 = r.qualified();
            entry.1.inserted += d.inserted;
            entry.1.updated += d.updated;
            entry.1.deleted += d.deleted;
        }
        // Dropped tables take their rows with them.
        for (oid, r) in &prev.rels {
            if r.is_table() && !now.rels.contains_key(oid) {
                let b = before_counts.get(oid).copied();
                run.rows.push(RowCount {
                    table: r.qualified(),
                    before: b.map(|c| c.rows),
                    after: None,
                    exact: b.is_none_or(|c| c.exact),
                    inserted: 0,
                    updated: 0,
                    deleted: 0,
                    preexisting: origin.rels.contains_key(oid),
                });
                touched
                    .entry(*oid)
                    .or_insert_with(|| (r.qualified(), XactStats::default()));
                dropped_tables.insert(*oid, r.qualified());
            }
        }
        run.changes = catalog::diff(prev, &now, &Origin { snapshot: origin });
        Ok(now)
    }

    /// Sequences' last values (outside the transaction), to report what a rollback cannot rewind.
    pub async fn sequences(&self) -> Result<BTreeMap<String, Option<i64>>, EngineError> {
        let text = self
            .text(
                "SELECT pg_catalog.json_agg(pg_catalog.json_build_array(s.schemaname, s.sequencename, s.last_value))::text \
                 FROM pg_catalog.pg_sequences s WHERE s.schemaname <> 'information_schema' AND s.schemaname !~ '^pg_'",
                "reading sequences",
            )
            .await?;
        let v: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut out = BTreeMap::new();
        for r in v.as_array().into_iter().flatten() {
            let schema = r.get(0).and_then(|x| x.as_str()).unwrap_or("");
            let name = r.get(1).and_then(|x| x.as_str()).unwrap_or("");
            out.insert(catalog::qualify(schema, name), r.get(2).and_then(|x| x.as_i64()));
        }
        Ok(out)
    }

    pub fn in_transaction(&self) -> bool {
        self.in_tx
    }
}

/// A lock mode's rank, weakest first.
fn lock_strength(mode: &str) -> usize {
    catalog::LOCK_MODES.iter().position(|m| *m == mode).unwrap_or(0)
}

fn is_set_statement(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    matches!(first.as_str(), "set" | "reset")
}

fn not_run(display: &str, file: Option<&MigrationFile>, reason: String) -> MigrationRun {
    let statements = file
        .map(|f| {
            f.statements
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let loc = f.location(&s.span);
                    StatementRun::new(
                        i,
                        &loc,
                        preview(f.src.get(s.span.clone()).unwrap_or("")),
                        StatementStatus::NotRun,
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    MigrationRun {
        file: display.to_string(),
        status: MigrationStatus::NotRun,
        reason: Some(reason),
        duration_ms: 0.0,
        catalog_diff: Vec::new(),
        row_counts: Vec::new(),
        statements,
        rollback: None,
    }
}

/// Connects with a connect timeout; the error names the redacted URL.
pub async fn connect(
    target: &super::target::Target,
    shown: &str,
) -> Result<(Client, tokio::task::JoinHandle<()>), EngineError> {
    let mut config = target.config.clone();
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    if config.get_application_name().is_none() {
        config.application_name("shipgate dry-run");
    }
    let (client, connection) = config.connect(target.tls.clone()).await.map_err(|e| {
        EngineError::Failed(format!(
            "Cannot connect to `{shown}` ({}), so the dry run could not be evaluated",
            describe(&e)
        ))
    })?;
    let task = tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok((client, task))
}

/// The server and the session: `server_version_num`, `server_version`,
/// `current_database()`, and whether the connection is encrypted.
pub struct ServerInfo {
    pub version_num: i64,
    pub version: String,
    pub database: String,
    pub tls: bool,
}

pub async fn server_info(client: &Client) -> Result<ServerInfo, EngineError> {
    let rows = client
        .query_typed(
            "SELECT pg_catalog.current_setting('server_version_num')::int8, pg_catalog.current_setting('server_version'), pg_catalog.current_database()::text, \
             coalesce((SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()), false)",
            &[],
        )
        .await
        .map_err(|e| EngineError::Failed(format!("Cannot read the server version ({})", describe(&e))))?;
    let row = rows
        .first()
        .ok_or_else(|| EngineError::Failed("The server did not report its version".into()))?;
    let num: i64 = row.try_get(0).unwrap_or(0);
    let version: String = row.try_get(1).unwrap_or_default();
    // `15.18 (Debian 15.18-0+deb12u1)` → `15.18`.
    let version = version.split_whitespace().next().unwrap_or("").to_string();
    Ok(ServerInfo {
        version_num: num,
        version,
        database: row.try_get(2).unwrap_or_default(),
        tls: row.try_get(3).unwrap_or(false),
    })
}

/// A name for the throwaway database: unique per process and moment.
pub fn scratch_name() -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() % 1_000_000_000)
        .unwrap_or(0);
    format!("shipgate_dry_run_{}_{nanos}", std::process::id())
}

/// `CREATE DATABASE scratch TEMPLATE source`, from a maintenance connection.
pub async fn create_scratch(maint: &Client, scratch: &str, source: &str) -> Result<(), EngineError> {
    let sql = format!(
        "CREATE DATABASE {} TEMPLATE {}",
        quote_ident(scratch),
        quote_ident(source)
    );
    maint.batch_execute(&sql).await.map_err(|e| {
        EngineError::Failed(format!(
            "Cannot copy `{source}` into a scratch database ({}), so the dry run could not be evaluated; `CREATE DATABASE ... TEMPLATE` needs the CREATEDB privilege and no other session connected to `{source}`",
            describe(&e)
        ))
    })
}

/// Drops the throwaway database, forcing out stray sessions where the server can.
pub async fn drop_scratch(maint: &Client, scratch: &str, version_num: i64) -> Result<(), EngineError> {
    let force = if version_num >= 130000 { " WITH (FORCE)" } else { "" };
    let sql = format!("DROP DATABASE IF EXISTS {}{force}", quote_ident(scratch));
    let mut last = None;
    // The scratch connection may still be closing on the server side.
    for _ in 0..10 {
        match maint.batch_execute(&sql).await {
            Ok(()) => return Ok(()),
            Err(e) => {
                last = Some(describe(&e));
                tokio::time::sleep(Duration::from_millis(300)).await;
            }
        }
    }
    Err(EngineError::Failed(format!(
        "Cannot drop the scratch database `{scratch}` ({}); drop it by hand",
        last.unwrap_or_default()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn old_servers_are_refused() {
        assert!(check_version(110022, "11.22").is_err());
        assert!(check_version(120000, "12.0").is_ok());
        assert!(check_version(150018, "15.18").is_ok());
    }

    #[test]
    fn previews_are_one_short_line() {
        assert_eq!(preview("SELECT 1;"), "SELECT 1;");
        assert_eq!(preview("\n  CREATE TABLE t (\n a int\n);"), "CREATE TABLE t ( …");
        let long = format!("SELECT '{}';", "é".repeat(100));
        assert!(preview(&long).chars().count() <= 82);
    }
}
