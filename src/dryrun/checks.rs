//! `dry_run.checks`: validation queries run inside the dry run's transaction,
//! before and after the pending migrations. Each query runs in a savepoint
//! that is rolled back, so it neither changes the database nor holds locks
//! that the engine would attribute to a migration, and a failing query does
//! not abort the run. The query runs as a subquery, so it can only read.

use serde::Serialize;
use tokio_postgres::{Client, SimpleQueryMessage};

use super::engine::{describe, EngineError};
use crate::config::dryrun::{DryRunCheck, Expect};

/// What a query returned: its rows, every value as PostgreSQL's text (`None` for NULL).
pub type Rows = Vec<Vec<Option<String>>>;

/// One check as the dry run saw it.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRun {
    pub name: String,
    pub expect: Expect,
    /// The result before the pending migrations.
    pub before: Option<Rows>,
    /// The result after them; `None` when the query was not run again (it
    /// failed before, or a migration failed).
    pub after: Option<Rows>,
    /// PostgreSQL's error: before the migrations when `before` is `None`,
    /// else after them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Runs one query in a savepoint that is always rolled back.
async fn query(client: &Client, sql: &str) -> Result<Result<Rows, String>, EngineError> {
    let lost = |e: tokio_postgres::Error| {
        EngineError::Failed(format!(
            "PostgreSQL rejected shipgate's own query while running the dry-run checks ({}), so the dry run could not finish",
            describe(&e)
        ))
    };
    // As a subquery, the text can only be one query: no `COMMIT`, no second
    // statement, no data-modifying `WITH`.
    let wrapped = format!(
        "SELECT * FROM (\n{}\n) AS shipgate_check",
        sql.trim().trim_end_matches(';')
    );
    client
        .batch_execute("SAVEPOINT shipgate_dry_run_check")
        .await
        .map_err(lost)?;
    let result = client.simple_query(&wrapped).await;
    client
        .batch_execute("ROLLBACK TO SAVEPOINT shipgate_dry_run_check; RELEASE SAVEPOINT shipgate_dry_run_check")
        .await
        .map_err(lost)?;
    Ok(match result {
        Err(e) => Err(describe(&e)),
        Ok(messages) => Ok(messages
            .iter()
            .filter_map(|m| match m {
                SimpleQueryMessage::Row(r) => Some((0..r.len()).map(|i| r.get(i).map(str::to_string)).collect()),
                _ => None,
            })
            .collect()),
    })
}

/// Runs every check before the migrations.
pub async fn before(client: &Client, checks: &[DryRunCheck]) -> Result<Vec<CheckRun>, EngineError> {
    let mut out = Vec::new();
    for c in checks {
        let (before, error) = split(query(client, &c.sql).await?);
        out.push(CheckRun {
            name: c.name.clone(),
            expect: c.expect.clone(),
            before,
            after: None,
            error,
        });
    }
    Ok(out)
}

/// Runs again, after the migrations, every check that ran before.
pub async fn after(client: &Client, checks: &[DryRunCheck], runs: &mut [CheckRun]) -> Result<(), EngineError> {
    for (c, run) in checks.iter().zip(runs.iter_mut()) {
        if run.before.is_some() {
            (run.after, run.error) = split(query(client, &c.sql).await?);
        }
    }
    Ok(())
}

fn split(r: Result<Rows, String>) -> (Option<Rows>, Option<String>) {
    match r {
        Ok(rows) => (Some(rows), None),
        Err(e) => (None, Some(e)),
    }
}
