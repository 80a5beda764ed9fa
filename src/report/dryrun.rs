//! Output of `shipgate dry-run`: the common reporters for the findings, plus
//! the dry-run section. JSON is the contract's document with one more field,
//! `dry_run`; human and Markdown put the section before the findings.

use std::fmt::Write;

use crate::dryrun::model::*;
use crate::dryrun::target::format_duration;
use crate::gates::dryrun::Outcome;
use crate::report::markdown::escape;
use crate::report::{self, Format};

/// Renders the outcome in `format`.
pub fn render(outcome: &Outcome, format: Format, color: bool) -> String {
    match format {
        Format::Json => json(outcome),
        Format::Human => format!(
            "{}{}",
            human(&outcome.run),
            report::human::render(&outcome.report, color)
        ),
        Format::Markdown => format!(
            "{}{}",
            report::markdown::render(&outcome.report),
            markdown(&outcome.run)
        ),
        other => report::render(&outcome.report, other, color),
    }
}

/// The contract's JSON report with `dry_run` added.
pub fn json(outcome: &Outcome) -> String {
    let mut v = report::json::value(&outcome.report);
    if let Some(map) = v.as_object_mut() {
        map.insert(
            "dry_run".into(),
            serde_json::to_value(&outcome.run).unwrap_or(serde_json::Value::Null),
        );
    }
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}

fn how(run: &RunReport) -> String {
    let how = match (&run.mode, &run.scratch_database) {
        (Mode::ScratchDatabase, Some(name)) => format!("in the scratch database `{name}`, dropped afterwards"),
        _ => "in one transaction, rolled back".to_string(),
    };
    // Which migrations were left out as already applied, and by whose record.
    let skipped: Vec<String> = run
        .history
        .iter()
        .filter(|h| h.exists)
        .map(|h| format!("{} already applied per `{}`", h.applied, h.table))
        .collect();
    if skipped.is_empty() {
        how
    } else {
        format!("{how}; {}", skipped.join(", "))
    }
}

fn rows(n: Option<i64>, exact: bool) -> String {
    match n {
        None => "-".into(),
        Some(n) if exact => n.to_string(),
        Some(n) => format!("~{n}"),
    }
}

fn bytes(n: i64) -> String {
    match n {
        n if n >= 1 << 30 => format!("{:.1} GiB", n as f64 / (1u64 << 30) as f64),
        n if n >= 1 << 20 => format!("{:.1} MiB", n as f64 / (1u64 << 20) as f64),
        n if n >= 1 << 10 => format!("{} KiB", n >> 10),
        n => format!("{n} B"),
    }
}

fn change_line(c: &Change) -> String {
    let sign = match c.change {
        ChangeKind::Added => "+",
        ChangeKind::Removed => "-",
        ChangeKind::Renamed | ChangeKind::Changed => "~",
    };
    let mut s = format!("{sign} {} {}", c.object.replace('_', " "), c.name);
    if let Some(d) = &c.detail {
        let _ = write!(s, ": {d}");
    }
    if c.replaced {
        s.push_str(" (re-created)");
    } else if c.breaking {
        s.push_str(" [breaking]");
    }
    s
}

fn parity(r: &RowCount) -> String {
    let lost = r.lost();
    let mark = if r.preexisting && lost > 0 { " (data lost)" } else { "" };
    let after = match r.after {
        None => "dropped".to_string(),
        a => rows(a, r.exact),
    };
    format!("{} {} → {}{mark}", r.table, rows(r.before, r.exact), after)
}

/// Locks worth a reader's attention: on relations that existed before the
/// change (nobody waits for a relation the migration just created), not on
/// indexes (they follow their table), not the row-level modes on sequences.
/// The JSON report has them all.
fn shown_locks(locks: &[Lock]) -> Vec<String> {
    locks
        .iter()
        .filter(|l| l.preexisting && l.kind != "index" && l.kind != "partitioned_index")
        .filter(|l| l.kind != "sequence" || l.mode == "AccessExclusiveLock")
        .map(|l| match (l.rows, l.kind.as_str()) {
            (Some(n), "table") => format!("{} {} ({n} rows)", l.sql_mode(), l.relation),
            _ => format!("{} {}", l.sql_mode(), l.relation),
        })
        .collect()
}

/// The human section: one block per migration, one line per statement.
pub fn human(run: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "dry-run on {} (PostgreSQL {}{}) {}; lock_timeout {}, statement_timeout {}\n",
        run.database,
        run.server_version,
        if run.tls { ", TLS" } else { "" },
        how(run),
        format_duration(run.lock_timeout_ms),
        format_duration(run.statement_timeout_ms)
    );
    for m in &run.migrations {
        let status = match m.status {
            MigrationStatus::Applied => format!("applied in {:.1} ms", m.duration_ms),
            MigrationStatus::Failed => format!("failed after {:.1} ms", m.duration_ms),
            MigrationStatus::NotRun => format!("not run: {}", m.reason.as_deref().unwrap_or("")),
        };
        let _ = writeln!(out, "{}: {status}", m.file);
        for s in &m.statements {
            let head = match s.status {
                StatementStatus::Ran => format!("{:>8.1} ms", s.duration_ms),
                StatementStatus::Failed => "  failed   ".to_string(),
                StatementStatus::Skipped => "  skipped  ".to_string(),
                StatementStatus::NotRun => "  not run  ".to_string(),
            };
            if m.status == MigrationStatus::NotRun {
                continue;
            }
            let _ = writeln!(out, "  {:>5}:{:<3} {head}  {}", s.line, s.column, s.sql);
            let pad = "                         ";
            if let Some(skip) = &s.skip {
                let _ = writeln!(out, "{pad}{}", skip.message);
            }
            if s.autocommit {
                let _ = writeln!(
                    out,
                    "{pad}ran outside a transaction (scratch database); its locks were not observed"
                );
            }
            if let Some(e) = &s.error {
                let at = match (e.line, e.column) {
                    (Some(l), Some(c)) => format!(" at {l}:{c}"),
                    _ => String::new(),
                };
                let _ = writeln!(out, "{pad}error {}{at}: {}", e.code, e.message);
            }
            let locks = shown_locks(&s.locks);
            if !locks.is_empty() {
                let _ = writeln!(out, "{pad}locks: {}", locks.join(", "));
            }
            let held = shown_locks(&s.held_locks);
            if !held.is_empty() {
                let _ = writeln!(out, "{pad}already held by the run: {}", held.join(", "));
            }
            for r in &s.rewrites {
                let size = r.bytes.map(|b| format!(", {}", bytes(b))).unwrap_or_default();
                let what = if r.kind == "index" { "rebuilt" } else { "rewrote" };
                let _ = writeln!(
                    out,
                    "{pad}{what} {} {} ({} rows{size})",
                    r.kind.replace('_', " "),
                    r.relation,
                    rows(r.rows, true),
                );
            }
            for c in &s.changes {
                let _ = writeln!(out, "{pad}{}", change_line(c));
            }
            for r in s
                .rows
                .iter()
                .filter(|r| r.inserted > 0 || r.updated > 0 || r.deleted > 0 || (r.preexisting && r.before != r.after))
            {
                let counters: Vec<String> = [(r.inserted, "inserted"), (r.updated, "updated"), (r.deleted, "deleted")]
                    .iter()
                    .filter(|(n, _)| *n > 0)
                    .map(|(n, what)| format!("{n} {what}"))
                    .collect();
                let counters = if counters.is_empty() {
                    String::new()
                } else {
                    format!(" ({})", counters.join(", "))
                };
                let _ = writeln!(out, "{pad}rows {}{counters}", parity(r));
            }
        }
        if !m.row_counts.is_empty() {
            let list: Vec<String> = m.row_counts.iter().map(parity).collect();
            let _ = writeln!(out, "  row counts: {}", list.join("; "));
        }
        if let Some(rb) = &m.rollback {
            let _ = writeln!(out, "  rollback {}: {}", rb.file, rollback_verdict(rb));
        }
        out.push('\n');
    }
    if !run.sequences_advanced.is_empty() {
        let list: Vec<String> = run
            .sequences_advanced
            .iter()
            .map(|s| format!("{} {} → {}", s.sequence, rows(s.before, true), rows(s.after, true)))
            .collect();
        let _ = writeln!(
            out,
            "sequences advanced (a rollback does not rewind sequences): {}\n",
            list.join(", ")
        );
    }
    out
}

/// What a `--with-rollback` rollback did: "restores the state before the
/// migration", "leaves 2 differences (rollback-not-restoring)" or "failed".
fn rollback_verdict(rb: &RollbackRun) -> String {
    match (rb.status, rb.differences.len()) {
        (MigrationStatus::Failed, _) => "failed (dry-run-statement-failed)".to_string(),
        (_, 0) => "restores the state before the migration".to_string(),
        (_, n) => format!(
            "leaves {n} difference{} (rollback-not-restoring)",
            if n == 1 { "" } else { "s" }
        ),
    }
}

/// The Markdown section for the PR summary; everything from the repository
/// or the database is escaped.
pub fn markdown(run: &RunReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#### Dry run\n\n{} · PostgreSQL {}{} · {}\n",
        escape(&run.database),
        escape(&run.server_version),
        if run.tls { " · TLS" } else { "" },
        escape(&how(run))
    );
    let _ = writeln!(
        out,
        "| Migration | Result | Time | Catalog changes | Row counts | Locks |\n|---|---|---|---|---|---|"
    );
    for m in &run.migrations {
        let result = match m.status {
            MigrationStatus::Applied => "applied".to_string(),
            MigrationStatus::Failed => "**failed**".to_string(),
            MigrationStatus::NotRun => format!("not run: {}", escape(m.reason.as_deref().unwrap_or(""))),
        };
        let breaking = m.catalog_diff.iter().filter(|c| c.breaking && !c.replaced).count();
        let changes = if breaking > 0 {
            format!("{} ({breaking} breaking)", m.catalog_diff.len())
        } else {
            m.catalog_diff.len().to_string()
        };
        let counts: Vec<String> = m.row_counts.iter().map(|r| escape(&parity(r))).collect();
        let mut locks: Vec<String> = m
            .statements
            .iter()
            .flat_map(|s| &s.locks)
            .filter(|l| l.mode == "AccessExclusiveLock" || l.mode == "ShareLock" || l.mode == "ExclusiveLock")
            .filter(|l| l.kind != "index")
            .map(|l| escape(&format!("{} {}", l.sql_mode(), l.relation)))
            .collect();
        locks.dedup();
        let _ = writeln!(
            out,
            "| {} | {result} | {:.1} ms | {changes} | {} | {} |",
            escape(&m.file),
            m.duration_ms,
            if counts.is_empty() {
                "-".into()
            } else {
                counts.join("<br>")
            },
            if locks.is_empty() {
                "-".into()
            } else {
                locks.join("<br>")
            },
        );
    }
    out.push('\n');
    // `--with-rollback`: what each rollback did, as the human report says it.
    let rollbacks: Vec<String> = run
        .migrations
        .iter()
        .filter_map(|m| {
            let rb = m.rollback.as_ref()?;
            Some(format!(
                "- rollback {} of {}: {}\n",
                escape(&rb.file),
                escape(&m.file),
                escape(&rollback_verdict(rb))
            ))
        })
        .collect();
    if !rollbacks.is_empty() {
        let _ = writeln!(out, "{}", rollbacks.concat());
    }
    for m in run.migrations.iter().filter(|m| m.status != MigrationStatus::NotRun) {
        let _ = writeln!(
            out,
            "<details><summary>{}</summary>\n\n| Line | Statement | Time | Locks | Rewrites | Changes |\n|---|---|---|---|---|---|",
            escape(&m.file)
        );
        for s in &m.statements {
            let time = match s.status {
                StatementStatus::Ran => format!("{:.1} ms", s.duration_ms),
                StatementStatus::Failed => "failed".into(),
                StatementStatus::Skipped => "skipped".into(),
                StatementStatus::NotRun => "not run".into(),
            };
            let locks: Vec<String> = s
                .locks
                .iter()
                .map(|l| escape(&format!("{} {}", l.sql_mode(), l.relation)))
                .collect();
            let rewrites: Vec<String> = s.rewrites.iter().map(|r| escape(&r.relation)).collect();
            let mut changes: Vec<String> = s.changes.iter().map(|c| escape(&change_line(c))).collect();
            if let Some(e) = &s.error {
                changes.push(escape(&format!("error {}: {}", e.code, e.message)));
            }
            if let Some(k) = &s.skip {
                changes.push(escape(&k.message));
            }
            let _ = writeln!(
                out,
                "| {} | {} | {time} | {} | {} | {} |",
                s.line,
                escape(&s.sql),
                locks.join("<br>"),
                rewrites.join("<br>"),
                changes.join("<br>")
            );
        }
        out.push_str("\n</details>\n\n");
    }
    out
}
