//! `shipgate dry-run`: proves pending migrations on a real PostgreSQL inside
//! one transaction that is always rolled back, and sets what happened (locks,
//! rewrites, catalog changes, row counts) against the static verdict.
//!
//! This is the dry-run gate's runner; `dryrun` holds the engine and what it
//! observed, and `rules::dryrun` judges it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::{Duration, Instant};

use crate::config::dryrun::DryRunCheck;
use crate::config::rollback::RequireRollback;
use crate::config::Config;
use crate::dryrun::engine::{self, EngineError, Pending, Settings};
use crate::dryrun::model::{self, Mode, RunReport, SequenceAdvance};
use crate::dryrun::{checks, history, target};
use crate::error::AppError;
use crate::finding::Finding;
use crate::migration::discover::Candidate;
use crate::migration::rollback;
use crate::migration::schema_model::Catalog;
use crate::migration::{sql_text, MigrationFile};
use crate::outcome::Report;
use crate::rules::migration::missing_rollback;
use crate::rules::migration::{self as mrules, EngineOptions, INVALID_MIGRATION_FILE};

/// `shipgate dry-run` options (the common ones — `--format`, `--base`,
/// `--config`, `-q` — come with every command).
#[derive(clap::Args, Debug, Clone)]
pub struct DryRunArgs {
    /// PostgreSQL URL or `key=value` connection string; its password is never printed.
    /// `sslmode`: `disable`, `prefer` (default), `require`, `verify-ca`, `verify-full`
    /// (with `sslrootcert=FILE`, else the Mozilla roots).
    #[arg(long, env = "SHIPGATE_DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: String,
    /// Repository root.
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub repo: PathBuf,
    /// `lock_timeout` for every statement (`5s`, `500ms`, `2min`; `0` waits forever).
    #[arg(long, default_value = "5s", value_parser = target::parse_duration, value_name = "DURATION")]
    pub lock_timeout: u64,
    /// `statement_timeout` for every statement.
    #[arg(long, default_value = "60s", value_parser = target::parse_duration, value_name = "DURATION")]
    pub statement_timeout: u64,
    /// Tables with more rows than this are counted by estimate (`pg_class.reltuples`).
    #[arg(long, default_value_t = 1_000_000, value_parser = clap::value_parser!(i64).range(0..), value_name = "ROWS")]
    pub exact_count_limit: i64,
    /// An ACCESS EXCLUSIVE lock on a table with more rows than this is a warning.
    #[arg(long, default_value_t = 100_000, value_parser = clap::value_parser!(i64).range(0..), value_name = "ROWS")]
    pub large_table_rows: i64,
    /// Copy the database with `CREATE DATABASE ... TEMPLATE`, run there for real
    /// (including statements that cannot run in a transaction), then drop the copy.
    #[arg(long)]
    pub scratch_db: bool,
    /// Allow a database that is not on this machine (loopback or Unix socket).
    #[arg(long)]
    pub allow_remote: bool,
    /// Also run each pending migration's rollback right after it (in a savepoint),
    /// compare the catalog and every table's row count with the state before the
    /// migration (`rollback-not-restoring`), then undo it.
    #[arg(long)]
    pub with_rollback: bool,
}

/// A finished dry run: the common report (static and dry-run findings) and
/// the dry-run specifics.
pub struct Outcome {
    pub report: Report,
    pub run: RunReport,
}

impl From<EngineError> for AppError {
    fn from(e: EngineError) -> Self {
        match e {
            EngineError::Refused(m) => AppError::Usage(m),
            other => AppError::Evaluate(other.to_string()),
        }
    }
}

/// The migrations to replay statically (already applied) and the pending ones, in framework order.
/// The applied and the pending migrations, by the migration gate's own selection.
fn select(root: &Path, config: &Config, base: Option<&str>) -> Result<(Vec<Candidate>, Vec<Candidate>), AppError> {
    let (pending, applied): (Vec<_>, Vec<_>) = super::migrations::select_migrations(root, config, base)?
        .into_iter()
        .partition(|(_, s)| *s == super::migrations::Selected::New);
    Ok((
        applied.into_iter().map(|(c, _)| c).collect(),
        pending.into_iter().map(|(c, _)| c).collect(),
    ))
}

fn read(c: &Candidate, config: &Config) -> Result<MigrationFile, String> {
    let _reading = crate::reading::file(&c.rel);
    let bytes = std::fs::read(&c.abs).map_err(|e| format!("cannot read {}: {e}", c.abs.display()))?;
    let text = sql_text(&bytes)?.to_string();
    Ok(MigrationFile::parse(
        c.rel.clone(),
        text,
        config.migrations.dialect,
        c.execution(config.migrations.transaction),
    ))
}

/// Runs the dry run: static verdicts first, then the database.
pub fn run(
    args: &DryRunArgs,
    base: Option<&str>,
    config: &Config,
    progress: &mut dyn FnMut(&str),
) -> Result<Outcome, AppError> {
    let shown = target::redact(&args.database_url);
    let pg = target::parse(&args.database_url).map_err(AppError::Usage)?;
    check_target(args, &pg, &shown)?;

    // The static verdict, exactly as `check` reaches it.
    let selected = selection(args, base, config, &pg, &shown, progress)?;
    let mut checked = check_statically(&selected, base, config);
    let rollbacks = rollbacks(args, config, &selected.pending, &checked.files, &checked.findings);
    checked.findings.extend(rollbacks.findings);
    let files = &checked.files;
    progress(&format!(
        "dry-run: {} pending migration{} on {shown}",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    ));

    let pending_refs: Vec<Pending> = files
        .iter()
        .zip(&rollbacks.files)
        .map(|((display, f), rb)| Pending {
            display: display.clone(),
            file: f.as_ref().map_err(Clone::clone),
            rollback: rb.as_ref(),
        })
        .collect();
    let settings = settings(args, base);
    let mut run = database_run(&pg, &shown, &pending_refs, &config.dry_run.checks, settings, progress)?;
    run.history = selected.tables;
    let report = judge(checked, rollbacks.files, &run, args, config);
    Ok(Outcome { report, run })
}

/// The report: the dry-run rules' findings on what `run` observed, then the
/// static ones, with the text of every migration and rollback they point into.
fn judge(
    checked: Checked,
    rollback_files: Vec<Option<MigrationFile>>,
    run: &RunReport,
    args: &DryRunArgs,
    config: &Config,
) -> Report {
    let mut report = checked.report;
    report
        .findings
        .extend(crate::rules::dryrun::dry_run_check_changed::check(&run.checks));
    let opts = crate::rules::dryrun::Options {
        large_table_rows: args.large_table_rows,
    };
    for ((m, (_, f)), rb) in run.migrations.iter().zip(&checked.files).zip(&rollback_files) {
        if let (Some(rb), Some(rb_run)) = (rb, &m.rollback) {
            report
                .findings
                .extend(crate::rules::dryrun::check_rollback(&m.file, rb, rb_run, opts));
        }
        if let Ok(f) = f {
            let mine: Vec<Finding> = checked
                .findings
                .iter()
                .filter(|s| s.file.as_deref() == Some(f.path.as_str()))
                .cloned()
                .collect();
            report.findings.extend(crate::rules::dryrun::check(f, m, &mine, opts));
        }
    }
    report.findings.extend(checked.findings);
    for (_, f) in checked.files {
        if let Ok(f) = f {
            report.sources.insert(f.path.clone(), f.src);
        }
    }
    // A down section keeps its migration's path: the migration's text shows it.
    for rb in rollback_files.into_iter().flatten() {
        report.sources.entry(rb.path.clone()).or_insert(rb.src);
    }
    report.finish(config);
    report
}

/// Refuses a database that is not on this machine (unless `--allow-remote`)
/// and a repository that is not a directory.
fn check_target(args: &DryRunArgs, pg: &target::Target, shown: &str) -> Result<(), AppError> {
    match target::check_loopback(&pg.config) {
        Ok(()) => {}
        Err(host) if host.is_empty() => {
            return Err(AppError::Usage(format!(
                "The database URL `{shown}` names no host, so shipgate cannot tell where it would run; add one, e.g. `postgres://user@localhost/db`"
            )))
        }
        Err(_) if args.allow_remote => {}
        Err(host) => {
            return Err(AppError::Usage(format!(
                "The database host `{host}` is not this machine, so shipgate refuses to dry-run on it; pass `--allow-remote` if you mean it"
            )))
        }
    }
    if !args.repo.is_dir() {
        return Err(AppError::Usage(format!("{} is not a directory", args.repo.display())));
    }
    Ok(())
}

/// The applied and the pending migrations: by `--base`, or without it as the
/// database's history tables say (which it reports through `progress`).
fn selection(
    args: &DryRunArgs,
    base: Option<&str>,
    config: &Config,
    pg: &target::Target,
    shown: &str,
    progress: &mut dyn FnMut(&str),
) -> Result<history::Split, AppError> {
    let (mut applied, pending) = select(&args.repo, config, base)?;
    if base.is_some() {
        return Ok(history::Split {
            applied,
            pending,
            tables: Vec::new(),
        });
    }
    // Without `--base`, the database says which migrations it has applied.
    let split = split_by_history(pg, shown, pending)?;
    for h in &split.tables {
        progress(&if h.exists {
            format!(
                "dry-run: `{}` lists {} of the repository's migrations as applied",
                h.table, h.applied
            )
        } else {
            format!("dry-run: no `{}` table: the database has applied none of them", h.table)
        });
    }
    applied.extend(split.applied);
    Ok(history::Split { applied, ..split })
}

/// The pending migrations as read, and the static verdict on them.
struct Checked {
    /// Statistics so far (no findings yet).
    report: Report,
    /// Each pending migration by path: parsed, or why it cannot be read.
    files: Vec<(String, Result<MigrationFile, String>)>,
    findings: Vec<Finding>,
}

/// Replays the applied migrations, then checks the pending ones as `check` does.
fn check_statically(selected: &history::Split, base: Option<&str>, config: &Config) -> Checked {
    let opts = EngineOptions {
        assume_lock_timeout: config.migrations.assume_lock_timeout,
    };
    let mut catalog = Catalog::default();
    for c in &selected.applied {
        if let Ok(f) = read(c, config) {
            mrules::replay(&f, &mut catalog);
        }
    }
    let mut out = Checked {
        report: Report::default(),
        files: Vec::new(),
        findings: Vec::new(),
    };
    let stats = &mut out.report.stats;
    for (k, c) in selected.pending.iter().enumerate() {
        stats.migration_files += 1;
        match read(c, config) {
            Ok(f) => {
                if base.is_none() || k == 0 {
                    catalog.begin_change();
                }
                stats.statements += f.statements.len();
                stats.unparsed_statements += f.statements.iter().filter(|s| s.is_unparsed()).count();
                stats.recognised_statements += f
                    .statements
                    .iter()
                    .filter(|s| s.status == crate::migration::statement::ParseStatus::Recognised)
                    .count();
                out.findings.extend(mrules::check_file(&f, &mut catalog, opts));
                out.files.push((c.rel.clone(), Ok(f)));
            }
            Err(why) => {
                let mut f = Finding::new(
                    &INVALID_MIGRATION_FILE,
                    format!("This migration cannot be checked: {why}"),
                )
                .help("save it as UTF-8 SQL text");
                f.file = Some(c.rel.clone());
                out.findings.push(f);
                out.files.push((c.rel.clone(), Err(why)));
            }
        }
    }
    out
}

/// The engine's settings from the command line.
fn settings(args: &DryRunArgs, base: Option<&str>) -> Settings {
    Settings {
        lock_timeout_ms: args.lock_timeout,
        statement_timeout_ms: args.statement_timeout,
        exact_count_limit: args.exact_count_limit,
        large_table_rows: args.large_table_rows,
        scratch: args.scratch_db,
        one_change: base.is_some(),
        with_rollback: args.with_rollback,
    }
}

/// The pending migrations' rollbacks (`--with-rollback`), and the findings
/// about them: `missing-rollback` (under `--with-rollback` for every
/// migration without one, else as `migrations.rollback.require` asks) and
/// rollbacks that cannot be read.
struct Rollbacks {
    files: Vec<Option<MigrationFile>>,
    findings: Vec<Finding>,
}

fn rollbacks(
    args: &DryRunArgs,
    config: &Config,
    pending: &[Candidate],
    files: &[(String, Result<MigrationFile, String>)],
    statics: &[Finding],
) -> Rollbacks {
    let cfg = &config.migrations.rollback;
    let mut out = Rollbacks {
        files: Vec::new(),
        findings: Vec::new(),
    };
    let wanted = args.with_rollback || cfg.require != RequireRollback::None;
    for (c, (_, f)) in pending.iter().zip(files) {
        let Some(f) = f.as_ref().ok().filter(|_| wanted) else {
            out.files.push(None);
            continue;
        };
        let expected = rollback::expected(&c.rel, c.framework, cfg);
        match rollback::find(&args.repo, &c.rel, f, cfg) {
            None if args.with_rollback => {
                out.findings.push(missing_rollback::finding(
                    f,
                    "`--with-rollback` has nothing to run after it, so nothing shows it can be undone",
                    &expected,
                ));
                out.files.push(None);
            }
            None => {
                out.findings
                    .extend(missing_rollback::check(f, statics, cfg.require, false, &expected));
                out.files.push(None);
            }
            Some(_) if !args.with_rollback => out.files.push(None),
            Some(rb) => match rb.load(f, config.migrations.dialect) {
                Ok(file) => out.files.push(Some(file)),
                Err(why) => {
                    let mut finding = Finding::new(
                        &INVALID_MIGRATION_FILE,
                        format!("The rollback `{}` cannot be checked: {why}", rb.describe(&c.rel)),
                    )
                    .help("save it as UTF-8 SQL text");
                    finding.file = Some(rb.describe(&c.rel));
                    out.findings.push(finding);
                    out.files.push(None);
                }
            },
        }
    }
    out
}

/// Asks the migration history tables which of `pending` the database applied.
fn split_by_history(pg: &target::Target, shown: &str, pending: Vec<Candidate>) -> Result<history::Split, AppError> {
    let rt = runtime()?;
    let result = rt.block_on(async {
        let (client, task) = engine::connect(pg, shown).await?;
        let r = history::split(&client, pending).await;
        drop(client);
        let _ = task.await;
        r
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    result.map_err(AppError::from)
}

fn runtime() -> Result<tokio::runtime::Runtime, AppError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| AppError::Evaluate(format!("cannot start the async runtime: {e}")))
}

/// What Ctrl-C needs to clean up: queries to cancel, a scratch database to drop.
#[derive(Default)]
struct Cleanup {
    cancel: Vec<tokio_postgres::CancelToken>,
    scratch: Option<(target::Target, String, i64)>,
}

/// Connects, runs, rolls back; Ctrl-C cancels the running statement and
/// closes the connection, which makes PostgreSQL roll back.
fn database_run(
    pg: &target::Target,
    shown: &str,
    pending: &[Pending],
    checks: &[DryRunCheck],
    settings: Settings,
    progress: &mut dyn FnMut(&str),
) -> Result<RunReport, AppError> {
    let rt = runtime()?;
    let cleanup = Rc::new(RefCell::new(Cleanup::default()));
    let result = rt.block_on(async {
        let work = execute(pg, shown, pending, checks, settings, progress, cleanup.clone());
        tokio::select! {
            r = work => r,
            _ = tokio::signal::ctrl_c() => {
                let (tokens, scratch) = {
                    let mut c = cleanup.borrow_mut();
                    (std::mem::take(&mut c.cancel), c.scratch.take())
                };
                for t in tokens {
                    let _ = tokio::time::timeout(Duration::from_secs(2), t.cancel_query(pg.tls.clone())).await;
                }
                if let Some((cfg, name, version)) = scratch {
                    let _ = tokio::time::timeout(Duration::from_secs(10), async {
                        if let Ok((maint, _task)) = engine::connect(&cfg, shown).await {
                            let _ = engine::drop_scratch(&maint, &name, version).await;
                        }
                    })
                    .await;
                }
                Err(EngineError::Interrupted)
            }
        }
    });
    // Dropping the runtime closes every connection: an open transaction is rolled back by the server.
    rt.shutdown_timeout(Duration::from_secs(2));
    result.map_err(AppError::from)
}

async fn execute(
    pg: &target::Target,
    shown: &str,
    pending: &[Pending<'_>],
    checks: &[DryRunCheck],
    settings: Settings,
    progress: &mut dyn FnMut(&str),
    cleanup: Rc<RefCell<Cleanup>>,
) -> Result<RunReport, EngineError> {
    let started = Instant::now();
    let (client, task) = engine::connect(pg, shown).await?;
    let info = engine::server_info(&client).await?;
    let (num, version, db) = (info.version_num, info.version, info.database);
    engine::check_version(num, &version).map_err(EngineError::Refused)?;
    let tls = if info.tls { "TLS" } else { "not encrypted" };
    progress(&format!("dry-run: connected to {shown} (PostgreSQL {version}, {tls})"));
    let mut report = RunReport {
        database: shown.to_string(),
        tls: info.tls,
        server_version: version,
        mode: if settings.scratch {
            Mode::ScratchDatabase
        } else {
            Mode::Transaction
        },
        scratch_database: None,
        lock_timeout_ms: settings.lock_timeout_ms,
        statement_timeout_ms: settings.statement_timeout_ms,
        exact_count_limit: settings.exact_count_limit,
        large_table_rows: settings.large_table_rows,
        rolled_back: false,
        duration_ms: 0.0,
        migrations: Vec::new(),
        sequences_advanced: Vec::new(),
        history: Vec::new(),
        checks: Vec::new(),
    };
    if !settings.scratch {
        cleanup.borrow_mut().cancel.push(client.cancel_token());
        let (migrations, sequences, checked) = session(&client, pending, checks, settings, num, progress).await?;
        report.migrations = migrations;
        report.sequences_advanced = sequences;
        report.checks = checked;
        report.rolled_back = true;
        drop(client);
        let _ = task.await;
    } else {
        // The source must have no session for `CREATE DATABASE ... TEMPLATE`: ours goes first.
        drop(client);
        let _ = task.await;
        let maint_db = if db == "postgres" { "template1" } else { "postgres" };
        let maint_cfg = pg.with_dbname(maint_db);
        let (maint, maint_task) = engine::connect(&maint_cfg, shown).await?;
        let name = engine::scratch_name();
        engine::create_scratch(&maint, &name, &db).await?;
        cleanup.borrow_mut().scratch = Some((maint_cfg.clone(), name.clone(), num));
        progress(&format!("dry-run: copied `{db}` into the scratch database `{name}`"));
        report.scratch_database = Some(name.clone());
        let scratch_cfg = pg.with_dbname(&name);
        let result = async {
            let (sc, sc_task) = engine::connect(&scratch_cfg, shown).await?;
            cleanup.borrow_mut().cancel.push(sc.cancel_token());
            let r = session(&sc, pending, checks, settings, num, progress).await;
            drop(sc);
            let _ = sc_task.await;
            r
        }
        .await;
        let dropped = engine::drop_scratch(&maint, &name, num).await;
        cleanup.borrow_mut().scratch = None;
        drop(maint);
        let _ = maint_task.await;
        let (migrations, _, checked) = result?;
        dropped?;
        progress(&format!("dry-run: dropped the scratch database `{name}`"));
        report.migrations = migrations;
        report.checks = checked;
        report.rolled_back = true;
    }
    report.duration_ms = (started.elapsed().as_secs_f64() * 1e6).round() / 1e3;
    Ok(report)
}

/// What one connection's run observed: the migrations, the sequences that
/// advanced and the validation queries.
type SessionRun = (Vec<model::MigrationRun>, Vec<SequenceAdvance>, Vec<checks::CheckRun>);

/// One connection's run: timeouts, transaction, checks, every migration,
/// checks again, rollback.
async fn session(
    client: &tokio_postgres::Client,
    pending: &[Pending<'_>],
    queries: &[DryRunCheck],
    settings: Settings,
    version_num: i64,
    progress: &mut dyn FnMut(&str),
) -> Result<SessionRun, EngineError> {
    let scratch = settings.scratch;
    let mut s = engine::Session::new(client, settings, version_num);
    s.set_timeouts().await?;
    let before = if scratch {
        Default::default()
    } else {
        s.sequences().await?
    };
    let mut checked = Vec::new();
    let outcome = match s.start().await {
        Ok(first) => {
            async {
                checked = checks::before(client, queries).await?;
                let outcome = s.run_all(pending, first, progress).await?;
                // After a failed migration the state is not the release's: no second reading.
                if outcome
                    .migrations
                    .iter()
                    .all(|m| m.status == model::MigrationStatus::Applied)
                {
                    checks::after(client, queries, &mut checked).await?;
                }
                Ok(outcome)
            }
            .await
        }
        Err(e) => Err(e),
    };
    // Always roll back; after a lost connection the server has done it.
    let rolled = if s.in_transaction() && !client.is_closed() {
        s.rollback().await
    } else {
        Ok(())
    };
    let outcome = outcome?;
    rolled?;
    let mut advanced = Vec::new();
    if !scratch {
        let after = s.sequences().await?;
        for (name, value) in &after {
            let was = before.get(name).copied().flatten();
            if before.contains_key(name) && *value != was {
                advanced.push(SequenceAdvance {
                    sequence: name.clone(),
                    before: was,
                    after: *value,
                });
            }
        }
    }
    Ok((outcome.migrations, advanced, checked))
}
