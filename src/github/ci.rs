//! `shipgate ci`: `check` on what the pull request changes, sign-offs
//! verified through the GitHub API, and one summary (PR comment, step
//! summary, annotations, outputs). Reads what Actions provides; never runs
//! the pull request's code and never trusts the event payload for labels.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde_json::{json, Value};

use super::client::{Client, Token};
use super::comment::{comment, Context};
use super::{ApiError, CommentOutcome, GitHub};
use crate::app::{self, AppError, Change, ExitStatus, Report, Verdict};
use crate::config::{Config, ConfigError};
use crate::finding::Severity;
use crate::report::markdown::Links;
use crate::rules::signoff::SignoffCx;
use crate::signoff::approvals::Approvals;
use crate::signoff::blocking::OpenIssue;
use crate::signoff::evaluate::{lookups, required_signoffs};
use crate::signoff::CommitVerification;
use crate::signoff::{classes_of_change, evaluate, ChangeFacts, ClassHit, PrFacts, SignoffResult, TimelineEvent};

/// GitHub shows at most this many characters of a comment.
pub const MAX_COMMENT: usize = 65_536;
/// `$GITHUB_STEP_SUMMARY` takes at most 1 MiB per step.
pub const MAX_STEP_SUMMARY: usize = 1024 * 1024;

/// `shipgate ci` options; everything else comes from the Actions environment.
#[derive(clap::Args, Debug, Clone)]
pub struct CiArgs {
    /// The checkout (repository root).
    #[arg(long, default_value = ".", value_name = "DIR")]
    pub dir: PathBuf,
    /// GitHub token (default: the `GITHUB_TOKEN` environment variable).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true, value_parser = parse_token)]
    pub token: Option<Token>,
    /// Also write SARIF to FILE.
    #[arg(long, visible_alias = "sarif-file", value_name = "FILE")]
    pub sarif: Option<PathBuf>,
    /// Where to write the JSON report (default: `shipgate-report.json` in `RUNNER_TEMP`, else in DIR).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Seconds one GitHub API call may spend on retries and rate limits (and
    /// the most the whole run sleeps on them); beyond it the run exits 3.
    #[arg(long, default_value_t = 120.0, value_name = "SECONDS", env = "SHIPGATE_API_BUDGET")]
    pub api_budget: f64,
    /// Post (or edit in place) the pull request summary comment (default: `ci.comment` in shipgate.yml, true).
    #[arg(long, value_name = "true|false", action = clap::ArgAction::Set)]
    pub comment: Option<bool>,
    /// `--config FILE`, read at the base commit (set from the common options).
    #[arg(skip)]
    pub config: Option<PathBuf>,
    /// `--fail-on warning` (set from the common options).
    #[arg(skip)]
    pub fail_on_warnings: bool,
    /// `--verbose`: every API request on stderr (set from the common options).
    #[arg(skip)]
    pub verbose: bool,
}

/// What one run produced, for the binary to print.
#[derive(Debug)]
pub struct CiRun {
    pub report: Report,
    /// The JSON report's `signoffs` section.
    pub signoffs: Value,
    /// Workflow commands (annotations), for stderr.
    pub annotations: String,
    /// Log lines, for stderr.
    pub log: Vec<String>,
    pub exit_status: ExitStatus,
}

impl CiRun {
    fn new(report: Report, signoffs: Value, log: Vec<String>) -> CiRun {
        CiRun {
            annotations: crate::report::github::render(&report),
            exit_status: report.exit_status(),
            report,
            signoffs,
            log,
        }
    }
}

/// The Actions environment, read once.
#[derive(Debug, Clone, Default)]
pub struct Env {
    pub event_name: Option<String>,
    pub event_path: Option<PathBuf>,
    pub repository: Option<String>,
    /// `GITHUB_SERVER_URL`: where the comment's links point (GitHub Enterprise Server works).
    pub server_url: Option<String>,
    pub api_url: Option<String>,
    pub graphql_url: Option<String>,
    pub output: Option<PathBuf>,
    pub step_summary: Option<PathBuf>,
    pub runner_temp: Option<PathBuf>,
}

impl Env {
    pub fn from_process() -> Env {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.is_empty());
        Env {
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            repository: var("GITHUB_REPOSITORY"),
            server_url: var("GITHUB_SERVER_URL"),
            api_url: var("GITHUB_API_URL"),
            graphql_url: var("GITHUB_GRAPHQL_URL"),
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            step_summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            runner_temp: var("RUNNER_TEMP").map(PathBuf::from),
        }
    }
}

fn parse_token(s: &str) -> Result<Token, String> {
    Ok(Token::new(s.trim()))
}

fn usage(m: impl Into<String>) -> AppError {
    AppError::Usage(m.into())
}

fn api(e: ApiError) -> AppError {
    AppError::Evaluate(format!("GitHub API: {e}"))
}

/// The configuration of the base commit (the policy a pull request cannot
/// change): `path` (`--config`, relative to the repository root) or the first
/// of the default names there.
pub fn base_config(root: &Path, base: &str, path: Option<&Path>) -> Result<Config, AppError> {
    let names: Vec<String> = match path {
        Some(p) => vec![p.to_string_lossy().trim_start_matches("./").to_string()],
        None => CONFIG_NAMES.map(String::from).to_vec(),
    };
    for name in &names {
        if let Some(src) = crate::git::show(root, base, name)? {
            return crate::config::parse(&src).map_err(|(message, pos)| {
                AppError::Config(ConfigError {
                    path: PathBuf::from(format!("{name} (at the base commit {})", short(base))),
                    message,
                    pos,
                    src: Some(src.clone()),
                })
            });
        }
    }
    match path {
        Some(p) => Err(usage(format!(
            "--config {}: no such file at the base commit {}",
            p.display(),
            short(base)
        ))),
        None => Ok(Config::default()),
    }
}

/// Where shipgate.yml may be, in order.
const CONFIG_NAMES: [&str; 4] = ["shipgate.yml", ".shipgate.yml", "shipgate.yaml", ".shipgate.yaml"];

fn short(sha: &str) -> &str {
    sha.get(..7).unwrap_or(sha)
}

/// What a pull request event says: its number, base, and the head and author
/// (which GitHub wrote; labels and reviews are never taken from the payload).
struct PrEvent {
    number: u64,
    base: String,
    head: String,
    author: Option<String>,
    branch: Option<String>,
}

fn pr_from_event(event: &Value) -> Result<PrEvent, AppError> {
    let pr = event
        .get("pull_request")
        .ok_or_else(|| usage("the event payload has no `pull_request`"))?;
    let number = pr
        .get("number")
        .and_then(Value::as_u64)
        .or_else(|| event.get("number").and_then(Value::as_u64))
        .ok_or_else(|| usage("the event payload has no pull request number"))?;
    let sha = |p: &str| {
        pr.pointer(p)
            .and_then(Value::as_str)
            .filter(|s| s.len() >= 7 && s.chars().all(|c| c.is_ascii_hexdigit()))
            .map(str::to_string)
            .ok_or_else(|| {
                usage(format!(
                    "the event payload has no valid `pull_request{}`",
                    p.replace('/', ".")
                ))
            })
    };
    let author = pr
        .pointer("/user/login")
        .and_then(Value::as_str)
        .filter(|l| !l.is_empty())
        .map(str::to_string);
    Ok(PrEvent {
        number,
        base: sha("/base/sha")?,
        head: sha("/head/sha")?,
        author,
        branch: super::head_branch(pr),
    })
}

/// The queued pull request's number (from `merge_group.head_ref`,
/// `refs/heads/gh-readonly-queue/<base>/pr-<number>-<sha>`) and the merge
/// group's parent commit, so that only that pull request's changes count.
fn merge_group_from_event(event: &Value) -> Result<(u64, String), AppError> {
    let mg = event
        .get("merge_group")
        .ok_or_else(|| usage("the event payload has no `merge_group`"))?;
    let head_ref = mg.get("head_ref").and_then(Value::as_str).unwrap_or("");
    let number = head_ref
        .rsplit('/')
        .next()
        .and_then(|last| last.strip_prefix("pr-"))
        .and_then(|rest| rest.split('-').next())
        .and_then(|n| n.parse::<u64>().ok())
        .ok_or_else(|| {
            usage(format!(
                "cannot find the pull request number in `merge_group.head_ref` ({head_ref})"
            ))
        })?;
    let base = mg
        .get("base_sha")
        .and_then(Value::as_str)
        .filter(|s| s.len() >= 7 && s.chars().all(|c| c.is_ascii_hexdigit()))
        .ok_or_else(|| usage("the event payload has no valid `merge_group.base_sha`"))?;
    Ok((number, base.to_string()))
}

/// Runs `shipgate ci`. When the gate cannot be evaluated (`ExitStatus::NotEvaluated`, a crash
/// included), scripts reading `$GITHUB_OUTPUT` see `verdict=error`, never a
/// stale or missing verdict.
pub fn run(args: &CiArgs, env: &Env) -> Result<CiRun, AppError> {
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run_event(args, env)));
    if let (Err(_) | Ok(Err(AppError::Evaluate(_))), Some(p)) = (&result, &env.output) {
        let _ = append_file(p, "verdict=error\n");
    }
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

fn run_event(args: &CiArgs, env: &Env) -> Result<CiRun, AppError> {
    let event_name = env
        .event_name
        .as_deref()
        .ok_or_else(|| usage("`shipgate ci` runs inside GitHub Actions: GITHUB_EVENT_NAME is not set"))?;
    if !matches!(
        event_name,
        "pull_request" | "pull_request_target" | "pull_request_review" | "merge_group" | "push"
    ) {
        return Err(AppError::Evaluate(format!(
            "`shipgate ci` does not evaluate `{event_name}` events (only pull_request, pull_request_target, pull_request_review, merge_group and push); nothing was passed"
        )));
    }
    let event_path = env
        .event_path
        .as_ref()
        .ok_or_else(|| usage("GITHUB_EVENT_PATH is not set"))?;
    let _reading = crate::reading::file(&event_path.to_string_lossy());
    let bytes = std::fs::read(event_path)
        .map_err(|e| AppError::Evaluate(format!("cannot read {}: {e}", event_path.display())))?;
    let (event, target) = parse_event(event_name, &bytes)?;
    let repo = env
        .repository
        .as_deref()
        .ok_or_else(|| usage("GITHUB_REPOSITORY is not set"))?;
    let token = args
        .token
        .clone()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| usage("no GitHub token: set GITHUB_TOKEN or pass --token"))?;
    let api_url = env.api_url.as_deref().unwrap_or("https://api.github.com");
    let budget = Duration::from_secs_f64(args.api_budget.clamp(0.1, 3600.0));
    let client = Client::new(api_url, env.graphql_url.as_deref(), repo, token, budget)
        .map_err(api)?
        .verbose(args.verbose);
    match target {
        None => with_count(release(args, env, &client, &event), &client),
        Some(t) => with_count(
            pull_request(args, env, &client, t.number, &t.base, t.known.as_ref()),
            &client,
        ),
    }
}

/// The pull request an event is about.
pub struct PrTarget {
    pub number: u64,
    /// The base commit.
    pub base: String,
    /// Head and author, except in a merge queue (read from the API then).
    pub known: Option<Known>,
}

/// Reads the event payload: the JSON, and the pull request it names (`None`
/// for `push`, whose payload the release check reads).
pub fn parse_event(event_name: &str, bytes: &[u8]) -> Result<(Value, Option<PrTarget>), AppError> {
    let event: Value =
        serde_json::from_slice(bytes).map_err(|e| usage(format!("GITHUB_EVENT_PATH is not JSON: {e}")))?;
    let target = match event_name {
        "push" => None,
        "merge_group" => {
            let (number, base) = merge_group_from_event(&event)?;
            Some(PrTarget {
                number,
                base,
                known: None,
            })
        }
        _ => {
            let e = pr_from_event(&event)?;
            Some(PrTarget {
                number: e.number,
                base: e.base,
                known: Some(Known {
                    head: e.head,
                    author: e.author,
                    branch: e.branch,
                }),
            })
        }
    };
    Ok((event, target))
}

/// Adds the request count to the run's log or error; an error leaves `verdict=error` in the outputs.
fn with_count(result: Result<CiRun, AppError>, client: &Client) -> Result<CiRun, AppError> {
    match result {
        Ok(mut run) => {
            run.log
                .push(format!("shipgate: {} GitHub API requests", client.requests()));
            Ok(run)
        }
        Err(AppError::Evaluate(m)) => Err(AppError::Evaluate(format!(
            "{m} ({} GitHub API requests)",
            client.requests()
        ))),
        Err(e) => Err(e),
    }
}

/// A push to a release branch: every pull request merged since the last
/// release tag must have had its sign-offs when it was merged.
pub fn release(args: &CiArgs, env: &Env, gh: &dyn GitHub, event: &Value) -> Result<CiRun, AppError> {
    let root = &args.dir;
    let branch = event
        .get("ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("refs/heads/"))
        .ok_or_else(|| usage("the push event has no branch `ref`"))?;
    let config = base_config(root, "HEAD", args.config.as_deref())?;
    let mut globs = globset::GlobSetBuilder::new();
    for g in &config.ci.release_branches {
        globs.add(globset::Glob::new(g).map_err(|e| usage(format!("`ci.release_branches`: {e}")))?);
    }
    let globs = globs
        .build()
        .map_err(|e| usage(format!("`ci.release_branches`: {e}")))?;
    if !globs.is_match(branch) {
        return Err(usage(format!(
            "`{branch}` is not a release branch (`ci.release_branches`); run `shipgate ci` on pushes to release branches only"
        )));
    }
    let tag = git_out(root, &["describe", "--tags", "--abbrev=0", "HEAD"]).map_err(|e| {
        AppError::Evaluate(format!(
            "no release tag before HEAD ({e}); check out with `fetch-depth: 0` so that tags are there"
        ))
    })?;
    let commits = git_out(root, &["rev-list", "--first-parent", &format!("{tag}..HEAD")])?;
    let mut log = vec![format!(
        "shipgate: checking pull requests merged into `{branch}` since `{tag}`"
    )];
    let mut report = Report::default();
    let mut prs: Vec<(u64, String)> = Vec::new();
    for sha in commits.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let numbers = gh.merged_pulls_for_commit(sha).map_err(api)?;
        if numbers.is_empty() {
            let mut f = crate::finding::Finding::new(
                &crate::rules::signoff::MISSING_SIGNOFF,
                format!(
                    "Commit `{}` reached `{branch}` without a pull request, so no sign-off was verified for it",
                    short(sha)
                ),
            );
            f.help = Some("merge changes to release branches through pull requests".into());
            report.findings.push(f);
        }
        for n in numbers {
            if !prs.iter().any(|(p, _)| *p == n) {
                prs.push((n, sha.to_string()));
            }
        }
    }
    let mut all = Vec::new();
    for (number, merge) in &prs {
        let pr = gh.pull_request(*number).map_err(api)?;
        let parent = git_out(root, &["rev-parse", &format!("{merge}^1")])?;
        // Judge the pull request as merged: a worktree at its merge commit, against the parent.
        let dir = env.runner_temp.clone().unwrap_or_else(std::env::temp_dir).join(format!(
            "shipgate-{}-{}",
            std::process::id(),
            short(merge)
        ));
        let dir_s = dir.display().to_string();
        git_out(root, &["worktree", "add", "--detach", "--force", &dir_s, merge])?;
        let known = Known {
            head: pr.head_sha.clone(),
            author: Some(pr.author.clone()),
            branch: pr.head_branch.clone(),
        };
        let judged = judge(
            &dir,
            gh,
            *number,
            &parent,
            Some(&known),
            pr.merged_at.as_deref(),
            args.config.as_deref(),
        );
        let _ = git_out(root, &["worktree", "remove", "--force", &dir_s]);
        let judged = judged?;
        for mut f in crate::rules::signoff::check(&judged.cx()) {
            f.message = format!("Pull request #{number}: {}", f.message);
            report.findings.push(f);
        }
        all.push(
            json!({"pull_request": number, "merge_commit": merge, "head": judged.head,
                        "classes": judged.hits, "results": judged.results, "approvals": judged.approvals}),
        );
    }
    let blocking = if config.ci.blocking_issues.applies_to_release() {
        Some(blocking_issues(gh, &config)?)
    } else {
        None
    };
    report.findings.extend(crate::rules::signoff::check(&SignoffCx {
        blocking: blocking.as_deref(),
        ..Default::default()
    }));
    report.fail_on_warnings = args.fail_on_warnings;
    report.finish(&config);
    log.push(format!("shipgate: {} pull requests since `{tag}`", prs.len()));
    let signoffs = json!({"release": {"branch": branch, "since": tag, "pull_requests": all},
                          "blocking_issues": blocking, "policy": config.signoff});
    write_outputs(args, env, &report, &signoffs, None)?;
    if let Some(p) = &env.step_summary {
        append_file(p, &comment(&report, &Context::default(), MAX_STEP_SUMMARY - 1024))?;
    }
    Ok(CiRun::new(report, signoffs, log))
}

fn git_out(root: &Path, args: &[&str]) -> Result<String, AppError> {
    Ok(crate::git::git(root, args)
        .map_err(|e| AppError::Evaluate(e.to_string()))?
        .trim()
        .to_string())
}

/// A pull request's head (and author) as the event says them.
pub struct Known {
    pub head: String,
    /// `None`: read from the API.
    pub author: Option<String>,
    /// The head branch; `None` for a fork's head (see [`super::head_branch`]).
    pub branch: Option<String>,
}

/// The pull request run, against any [`GitHub`]. Without `known` (a merge
/// queue) the pull request is read from the API.
pub fn pull_request(
    args: &CiArgs,
    env: &Env,
    gh: &dyn GitHub,
    number: u64,
    base: &str,
    known: Option<&Known>,
) -> Result<CiRun, AppError> {
    // In a merge queue the sign-offs are the pull request's, on its head now;
    // the summary comment stays the pull request run's.
    let merge_queue = known.is_none();
    let root = &args.dir;
    let mut log = Vec::new();
    if let Some(k) = known {
        contains_head(root, &k.head)?;
    }
    let judged = judge(root, gh, number, base, known, None, args.config.as_deref())?;
    let found = crate::rules::signoff::check(&judged.cx());
    let Judged {
        config,
        mut report,
        hits,
        results,
        approvals,
        blocking,
        commits,
        head,
    } = judged;
    report.findings.extend(found);
    report.fail_on_warnings = args.fail_on_warnings;
    report.finish(&config);
    let signoffs = json!({"pull_request": number, "head": head, "classes": hits, "results": results,
                          "approvals": approvals, "blocking_issues": blocking, "commits": commits,
                          "policy": config.signoff});
    let cx = Context {
        hits: &hits,
        results: &results,
        signers: Some(&config.signoff.signers),
        links: env
            .repository
            .as_deref()
            .and_then(|repo| Links::new(env.server_url.as_deref().unwrap_or("https://github.com"), repo, &head)),
    };
    let body = comment(&report, &cx, MAX_COMMENT);
    let saved = write_outputs(args, env, &report, &signoffs, Some(&body))?;
    if let Some(p) = &env.step_summary {
        append_file(p, &comment(&report, &cx, MAX_STEP_SUMMARY - 1024))?;
    }
    if args.comment.unwrap_or(config.ci.comment) && !merge_queue {
        let posted = gh.upsert_comment(number, &body);
        match posted {
            Ok(CommentOutcome::Created(id)) => log.push(format!("shipgate: posted the summary comment {id}")),
            Ok(CommentOutcome::Updated(id)) => log.push(format!("shipgate: updated the summary comment {id}")),
            Ok(CommentOutcome::CreatedBeside { id, why }) => log.push(format!(
                "shipgate: posted the summary comment {id} as a new one: other comments carry the marker, but the token's \
                 login could not be read to tell whether one is shipgate's own ({why}); none of them was edited"
            )),
            Err(ApiError::Forbidden(m)) => log.push(format!(
                "shipgate: the token may not comment on this pull request ({m}); a pull request from a fork gets a read-only token. \
                 The verdict stands. The comment is saved in {} (the `comment` output): upload it as an artifact and post it \
                 from a `workflow_run` job with `pull-requests: write` (README, \"Pull requests from forks\")",
                saved.as_ref().map_or("the report's folder".to_string(), |p| p.display().to_string())
            )),
            Err(e) => return Err(api(e)),
        }
    }
    Ok(CiRun::new(report, signoffs, log))
}

/// One pull request judged: its gate report (without sign-off findings),
/// classes of change and sign-off results.
struct Judged {
    config: Config,
    report: Report,
    hits: Vec<ClassHit>,
    results: Vec<SignoffResult>,
    approvals: Option<Approvals>,
    /// The open blocking issues, when the pull request is a launch.
    blocking: Option<Vec<OpenIssue>>,
    /// The commits and their verification, when `signoff.require_signed_commits`.
    commits: Option<Vec<CommitVerification>>,
    head: String,
}

impl Judged {
    /// What the sign-off rules read.
    fn cx(&self) -> SignoffCx<'_> {
        SignoffCx {
            results: &self.results,
            approvals: self.approvals.as_ref(),
            blocking: self.blocking.as_deref(),
            commits: self.commits.as_deref(),
        }
    }
}

/// Checks what the pull request changes (the checkout at `root` against
/// `base`) and evaluates its sign-offs. `merged_at`: only label events up to
/// the merge count (the release-branch check).
fn judge(
    root: &Path,
    gh: &dyn GitHub,
    number: u64,
    base: &str,
    known: Option<&Known>,
    merged_at: Option<&str>,
    config_path: Option<&Path>,
) -> Result<Judged, AppError> {
    let root = &root.to_path_buf();
    let config = base_config(root, base, config_path)?;
    let report = app::check(root, &config, Some(base), None)?;

    // What the pull request changes, by path.
    let mb = crate::git::merge_base(root, base)?;
    let top_prefix = crate::git::prefix(root)?;
    // A renamed file changes both paths (moving a file out of a high-risk path is a change to it).
    let changed: Vec<String> = crate::git::changes_since(root, &mb)?
        .into_iter()
        .flat_map(|(c, p)| match c {
            crate::git::Change::Renamed { from } => vec![p, from],
            _ => vec![p],
        })
        .filter_map(|p| p.strip_prefix(&top_prefix).map(str::to_string))
        .collect();
    let migration_actions = changed
        .iter()
        .filter(|p| p.to_ascii_lowercase().ends_with(".sql"))
        .filter_map(|p| report.sources.get(p).map(|src| (p, src)))
        .map(|(p, src)| {
            let file = crate::migration::MigrationFile::parse(p.clone(), src.clone(), config.migrations.dialect, false);
            (p.clone(), file.statements.into_iter().flat_map(|s| s.actions).collect())
        })
        .collect();
    let mut config_paths: Vec<String> = CONFIG_NAMES.map(String::from).to_vec();
    config_paths.extend(config_path.map(|p| p.to_string_lossy().trim_start_matches("./").to_string()));
    let hits = classes_of_change(
        &ChangeFacts {
            findings: &report.findings,
            changes: &report.changes,
            migration_actions,
            changed_files: &changed,
            config_paths: &config_paths,
        },
        &config.signoff,
    );
    let required = required_signoffs(&hits);
    // A launch waits for open P0/P1 issues (the release-branch check looks once, not per pull request).
    let final_advance = report
        .changes
        .iter()
        .any(|c| matches!(c, Change::PhaseAdvance(p) if p.is_final));
    let blocking = match merged_at {
        None if config.ci.blocking_issues.applies_to_pull_request(&hits, final_advance) => {
            Some(blocking_issues(gh, &config)?)
        }
        _ => None,
    };

    // Labels and reviews come fresh from the API, never from the payload.
    let (head, author, branch) = match known {
        Some(Known {
            head,
            author: Some(author),
            branch,
        }) => (head.clone(), author.clone(), branch.clone()),
        _ => {
            let pr = gh.pull_request(number).map_err(api)?;
            (known.map_or(pr.head_sha, |k| k.head.clone()), pr.author, pr.head_branch)
        }
    };
    let head = head.as_str();
    let mut facts = PrFacts {
        author,
        head_sha: head.to_string(),
        ..Default::default()
    };
    let mut results = Vec::new();
    let needed = crate::signoff::approvals::needed(&hits, &config.signoff);
    let mut approvals = None;
    if !required.is_empty() || needed.is_some() {
        // Only sign-off labels need the timeline.
        if !required.is_empty() {
            facts.timeline = gh.timeline(number).map_err(api)?;
        }
        if let Some(merged) = merged_at {
            // Labels added or removed after the merge say nothing about what was merged.
            facts.timeline.retain(|e| match e {
                TimelineEvent::Labeled { at, .. } | TimelineEvent::Unlabeled { at, .. } => at.as_str() <= merged,
                TimelineEvent::Pushed { .. } => true,
            });
        }
        facts.reviews = gh.reviews(number).map_err(api)?;
        if let Some(merged) = merged_at {
            // Neither do reviews submitted after the merge.
            facts
                .reviews
                .retain(|r| !r.submitted_at.is_empty() && r.submitted_at.as_str() <= merged);
        }
        let (labelers, users, teams) = lookups(&required, &facts, &config.signoff);
        // When the head was pushed only matters to a sign-off label.
        if labelers > 0 && config.signoff.stale_after_push {
            facts.head_seen = gh.commit_seen_at(head, branch.as_deref()).map_err(api)?;
        }
        for u in users {
            let p = gh.permission(&u).map_err(api)?;
            facts.permissions.insert(u, p);
        }
        for (t, u) in teams {
            let m = gh.team_member(&t, &u).map_err(api)?;
            facts.teams.insert((t, u), m);
        }
        results = evaluate(&required, &facts, &config.signoff);
        approvals = needed.map(|(n, classes)| crate::signoff::approvals::count(n, classes, &facts));
    }
    let mut report = report;
    crate::signoff::by_class::approve(&mut report.findings, &hits, &results);
    let commits = if config.signoff.require_signed_commits {
        Some(gh.pull_commits(number).map_err(api)?)
    } else {
        None
    };
    Ok(Judged {
        config,
        report,
        hits,
        results,
        approvals,
        blocking,
        commits,
        head: head.to_string(),
    })
}

/// The open issues carrying a label of `ci.blocking_issues` (one list per
/// label); when they cannot be listed the gate was not evaluated (`ExitStatus::NotEvaluated`).
fn blocking_issues(gh: &dyn GitHub, config: &Config) -> Result<Vec<OpenIssue>, AppError> {
    let mut per_label = Vec::new();
    for label in &config.ci.blocking_issues.labels {
        let issues = gh.open_issues(label).map_err(|e| {
            AppError::Evaluate(format!(
                "GitHub API: cannot list the open issues labelled `{label}` (`ci.blocking_issues`; the token needs `issues: read`): {e}"
            ))
        })?;
        per_label.push((label.clone(), issues));
    }
    Ok(crate::signoff::blocking::merge(per_label))
}

/// The JSON report of a `ci` run: the gate's report with its `signoffs` section.
pub fn json_report(report: &Report, signoffs: &Value) -> Value {
    let mut doc = crate::report::json::value(report);
    if let Value::Object(m) = &mut doc {
        m.insert("signoffs".into(), signoffs.clone());
    }
    doc
}

/// Writes the JSON report, SARIF, the comment body (`shipgate-comment.md`
/// beside the report, for a fork's `workflow_run` job) and `$GITHUB_OUTPUT`;
/// returns where the comment was saved.
fn write_outputs(
    args: &CiArgs,
    env: &Env,
    report: &Report,
    signoffs: &Value,
    comment: Option<&str>,
) -> Result<Option<PathBuf>, AppError> {
    let report_path = args.report.clone().unwrap_or_else(|| {
        env.runner_temp
            .clone()
            .unwrap_or_else(|| args.dir.clone())
            .join("shipgate-report.json")
    });
    let doc = json_report(report, signoffs);
    write_file(
        &report_path,
        &format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()),
    )?;
    if let Some(sarif) = &args.sarif {
        write_file(sarif, &crate::report::sarif::render(report))?;
    }
    let saved = match comment {
        Some(body) => {
            let p = report_path.with_file_name("shipgate-comment.md");
            write_file(&p, body)?;
            Some(p)
        }
        None => None,
    };
    if let Some(p) = &env.output {
        append_file(p, &outputs(report, &report_path, saved.as_deref()))?;
    }
    Ok(saved)
}

/// The checkout must contain the pull request's head: a `pull_request_target`
/// job checks out the base by default, where `check` would find nothing to
/// judge and pass. shipgate reads the head as data and never runs it.
fn contains_head(root: &Path, head: &str) -> Result<(), AppError> {
    if crate::git::is_ancestor(root, head, "HEAD").map_err(|e| AppError::Evaluate(e.to_string()))? {
        return Ok(());
    }
    Err(usage(format!(
        "the checkout does not contain the pull request's head commit {}: check it out (actions/checkout with `ref: ${{{{ github.event.pull_request.head.sha }}}}` for pull_request_target, `fetch-depth: 0`); shipgate reads it, never runs it",
        short(head)
    )))
}

fn write_file(path: &Path, text: &str) -> Result<(), AppError> {
    std::fs::write(path, text).map_err(|e| AppError::Evaluate(format!("cannot write {}: {e}", path.display())))
}

fn append_file(path: &Path, text: &str) -> Result<(), AppError> {
    use std::io::Write;
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| AppError::Evaluate(format!("cannot write {}: {e}", path.display())))
}

/// `$GITHUB_OUTPUT` lines, each value in a heredoc with a random delimiter.
pub fn outputs(report: &Report, report_path: &Path, comment: Option<&Path>) -> String {
    let verdict = match report.verdict() {
        Verdict::Pass => "pass",
        Verdict::Blocked => "blocked",
        Verdict::InvalidInput => "error",
    };
    let mut out = String::new();
    for (k, v) in [
        ("verdict", verdict.to_string()),
        ("errors", report.count(Severity::Error).to_string()),
        ("warnings", report.count(Severity::Warning).to_string()),
        ("report", report_path.display().to_string()),
    ]
    .into_iter()
    .chain(comment.map(|p| ("comment", p.display().to_string())))
    {
        let delim = delimiter(&v);
        let _ = write!(out, "{k}<<{delim}\n{v}\n{delim}\n");
    }
    out
}

/// A heredoc delimiter that does not occur in `value`.
fn delimiter(value: &str) -> String {
    use std::hash::{BuildHasher, Hasher};
    loop {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write(value.as_bytes());
        let d = format!("ghadelimiter_{:016x}", h.finish());
        if !value.contains(&d) {
            return d;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_use_heredocs_with_random_delimiters() {
        let out = outputs(
            &Report::default(),
            Path::new("/tmp/r.json"),
            Some(Path::new("/tmp/c.md")),
        );
        assert!(out.starts_with("verdict<<ghadelimiter_"), "{out}");
        assert!(out.contains("\npass\n"));
        assert!(out.contains("\n/tmp/r.json\n"));
        assert!(
            out.contains("comment<<ghadelimiter_") && out.contains("\n/tmp/c.md\n"),
            "{out}"
        );
        assert_ne!(delimiter("a"), delimiter("a"));
    }
}
