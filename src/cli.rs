//! The command line: parsing, configuration loading and output. The only
//! module that writes to stdout and stderr.

use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::{self, AppError, ExitStatus, Gate, Report};
use crate::config::{self, Config, ConfigError};
use crate::report::{self, Format};

#[derive(Parser, Debug)]
#[command(name = "shipgate", version, about = "A release gate for database migrations, rollout manifests, feature flags and sign-offs", long_about = None)]
#[command(
    after_help = "Exit codes: 0 pass, 1 blocked, 2 usage or configuration error, 3 could not evaluate.\nDocs for a rule: `shipgate explain <rule>`; every rule: `shipgate rules`."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Args, Debug, Clone)]
pub struct Common {
    /// Output format (human is the default).
    #[arg(long, value_enum, global = true)]
    pub format: Option<Format>,
    /// Configuration file (default: shipgate.yml, then .shipgate.yml, at the repository root).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Only what changed since the merge base with REV.
    #[arg(long, global = true, value_name = "REV")]
    pub base: Option<String>,
    /// Print only blocking findings.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour in human output (NO_COLOR is honoured).
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// More detail on stderr (`ci`: every GitHub API request, never a token).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// The lowest severity that blocks (exit 1): `error`, or `warning` to block on unapproved warnings too.
    #[arg(long, value_enum, default_value_t = FailOn::Error, global = true)]
    pub fail_on: FailOn,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run every offline gate on the repository at DIR.
    Check {
        /// Repository root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Run one gate only.
        #[arg(long, value_enum)]
        only: Option<Gate>,
        #[command(flatten)]
        common: Common,
    },
    /// Run the migration rules on SQL files or directories (`-` reads stdin).
    Lint {
        /// Files or directories; `-` reads standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Name to report for standard input (its path decides the framework).
        #[arg(long, value_name = "PATH")]
        stdin_filename: Option<String>,
        #[command(flatten)]
        common: Common,
    },
    /// Apply pending migrations to a real PostgreSQL in a transaction that is always rolled back.
    ///
    /// Which migrations are pending: with `--base`, the ones the change adds;
    /// without it, the ones the framework's own history table in the database
    /// does not list as applied (`supabase_migrations.schema_migrations`,
    /// `_prisma_migrations`, `flyway_schema_history`, `schema_migrations` of
    /// golang-migrate or dbmate, `_sqlx_migrations`,
    /// `__diesel_schema_migrations`, `goose_db_version`). No such table: all of
    /// them. Plain SQL folders and Flyway's repeatable migrations always run.
    DryRun {
        #[command(flatten)]
        args: crate::gates::dryrun::DryRunArgs,
        #[command(flatten)]
        common: Common,
    },
    /// Inside GitHub Actions: check what the pull request changes, verify its sign-offs, post one summary.
    Ci {
        #[command(flatten)]
        args: crate::github::ci::CiArgs,
        #[command(flatten)]
        common: Common,
    },
    /// List every rule: id, domain, default severity, summary.
    Rules {
        #[command(flatten)]
        common: Common,
    },
    /// Print a rule's documentation page.
    Explain {
        /// Rule id, e.g. ban-drop-column.
        rule: String,
    },
    /// Write a commented shipgate.yml, docs/flags.md and an example rollout manifest (never overwrites).
    ///
    /// `migrations.since` is set just past the newest migration already in the
    /// repository: the history that shipped is replayed, never linted; every
    /// new migration is.
    Init {
        /// Repository root.
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write the pull-request workflow `.github/workflows/shipgate.yml`, the action pinned to this release.
        #[arg(long)]
        workflow: bool,
    },
    /// Print a JSON Schema.
    Schema {
        #[arg(value_enum)]
        which: SchemaKind,
    },
    /// Install or run the git pre-push hook (offline gates on what a push sends).
    Hook {
        #[command(subcommand)]
        command: crate::hook::HookCommand,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    Config,
    /// Rollout manifests (`schemas/rollout.schema.json`).
    Rollout,
}

/// The example configuration, every key commented.
pub const EXAMPLE_CONFIG: &str = include_str!("../shipgate.example.yml");

/// Runs the command line and returns its exit status. A panic (a bug, in any
/// thread) is reported in one line that names the file being read, and ends
/// as `NotEvaluated`: the gate could not be evaluated, never a pass.
pub fn run() -> ExitStatus {
    std::panic::set_hook(Box::new(report_panic));
    std::panic::catch_unwind(run_command).unwrap_or(ExitStatus::NotEvaluated)
}

/// The panic hook: one line on stderr for the first panic (a worker's panic
/// re-raised on the main thread is not reported twice), the backtrace only
/// when `RUST_BACKTRACE` asks for it.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if REPORTED.swap(true, std::sync::atomic::Ordering::SeqCst) {
        return;
    }
    let payload = info
        .payload()
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
        .unwrap_or("no message");
    // One line: the message may quote the file's text.
    let mut what: String = payload.escape_debug().collect();
    if let Some((cut, _)) = what.char_indices().nth(200) {
        what.truncate(cut);
        what.push('…');
    }
    let place = info
        .location()
        .map(|l| format!(" at {}:{}", l.file(), l.line()))
        .unwrap_or_default();
    let file = crate::reading::current()
        .map(|f| format!(" while reading `{f}`"))
        .unwrap_or_default();
    eprintln!(
        "error: shipgate crashed{file} ({what}{place}); this is a bug, please report it with that file; the gate could not be evaluated, nothing was passed"
    );
    if std::env::var_os("RUST_BACKTRACE").is_some_and(|v| v != "0") {
        eprintln!("{}", std::backtrace::Backtrace::force_capture());
    }
}

fn run_command() -> ExitStatus {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitStatus::InvalidInput
            } else {
                ExitStatus::Pass
            };
        }
    };
    match cli.command {
        Command::Check { dir, only, common } => {
            gate(&common, &dir, |cfg| app::check(&dir, cfg, common.base.as_deref(), only))
        }
        Command::Lint {
            paths,
            stdin_filename,
            common,
        } => {
            let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            let repository = crate::git::toplevel(&root);
            let root = repository.clone().unwrap_or(root);
            let (stdin, files): (Vec<_>, Vec<_>) = paths.into_iter().partition(|p| p.as_os_str() == "-");
            gate(&common, &root, |cfg| {
                let input = if stdin.is_empty() {
                    None
                } else {
                    let mut bytes = Vec::new();
                    std::io::stdin()
                        .read_to_end(&mut bytes)
                        .map_err(|e| AppError::Evaluate(format!("cannot read standard input: {e}")))?;
                    let text = crate::migration::sql_text(&bytes)
                        .map_err(|e| AppError::Usage(format!("standard input: {e}")))?;
                    Some((
                        stdin_filename.clone().unwrap_or_else(|| "<stdin>".into()),
                        text.to_string(),
                    ))
                };
                match &repository {
                    Some(top) => app::lint_in_repo(top, &files, input, cfg),
                    None => app::lint(&files, input, cfg),
                }
            })
        }
        Command::DryRun { args, common } => dry_run(&args, &common),
        Command::Ci { args, common } => ci(&args, &common),
        Command::Rules { common } => rules(&common),
        Command::Explain { rule } => match crate::registry::find(&rule) {
            Some(meta) => {
                print(&crate::registry::page(meta));
                ExitStatus::Pass
            }
            None => {
                let ids: Vec<&str> = crate::registry::all().iter().map(|m| m.id).collect();
                let close = ids
                    .iter()
                    .filter(|id| id.contains(rule.as_str()) || rule.contains(*id))
                    .copied()
                    .collect::<Vec<_>>();
                eprintln!(
                    "error: unknown rule `{rule}`{}",
                    if close.is_empty() {
                        String::new()
                    } else {
                        format!("; did you mean {}?", close.join(", "))
                    }
                );
                eprintln!("`shipgate rules` lists every rule");
                ExitStatus::InvalidInput
            }
        },
        Command::Init { dir, workflow } => init(&dir, workflow),
        Command::Hook { command } => hook(command),
        Command::Schema {
            which: SchemaKind::Config,
        } => {
            print(&(serde_json::to_string_pretty(&config::json_schema()).unwrap_or_default() + "\n"));
            ExitStatus::Pass
        }
        Command::Schema {
            which: SchemaKind::Rollout,
        } => {
            print(crate::manifest::SCHEMA_TEXT);
            ExitStatus::Pass
        }
    }
}

/// `shipgate hook install` and `shipgate hook run pre-push`.
fn hook(command: crate::hook::HookCommand) -> ExitStatus {
    use crate::hook::{install, pre_push, HookCommand, HookName};
    let (remote, _url) = match command {
        HookCommand::Install { force, dir } => {
            let exe = std::env::current_exe().ok().map(|p| p.canonicalize().unwrap_or(p));
            return match install::install(&dir, force, exe.as_deref()) {
                Ok(done) => {
                    eprintln!("{}", done.describe());
                    ExitStatus::Pass
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    e.exit_status()
                }
            };
        }
        HookCommand::Run {
            hook: HookName::PrePush { remote, url },
        } => (remote, url),
    };
    if crate::hook::skip_requested() {
        eprintln!("shipgate: pre-push gate skipped (SHIPGATE_SKIP is set)");
        return ExitStatus::Pass;
    }
    let mut input = String::new();
    if std::io::stdin().is_terminal() {
        eprintln!("error: `shipgate hook run pre-push` reads `<local ref> <local sha> <remote ref> <remote sha>` lines from standard input, as git gives them; install it with `shipgate hook install`");
        return ExitStatus::InvalidInput;
    }
    if let Err(e) = std::io::stdin().read_to_string(&mut input) {
        eprintln!("error: cannot read standard input: {e}");
        return ExitStatus::NotEvaluated;
    }
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let top = crate::git::toplevel(&cwd).unwrap_or(cwd);
    let result = pre_push::parse(&input)
        .and_then(|updates| pre_push::run(&top, remote.as_deref(), &updates, &mut |m| eprintln!("shipgate: {m}")));
    match result {
        Ok(outcomes) => {
            // Everything goes to stderr: git passes a hook's stdout through to its own (`git push --porcelain`).
            let color = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stderr().is_terminal();
            for o in &outcomes {
                match o {
                    pre_push::Outcome::Skipped { remote_ref, why } => eprintln!("shipgate: {remote_ref}: {why}"),
                    pre_push::Outcome::SameAs { remote_ref, other, .. } => {
                        eprintln!("shipgate: {remote_ref}: the same commit as {other}, checked above")
                    }
                    pre_push::Outcome::Checked { report, .. } => {
                        eprint!("{}", report::render(report, Format::Human, color))
                    }
                }
            }
            eprint!("{}", pre_push::verdict_text(&outcomes));
            pre_push::exit_status(&outcomes)
        }
        Err(e) => fail(
            &e,
            use_color(ColorChoice::Auto),
            "the push is blocked (SHIPGATE_SKIP=1 git push skips the gate)",
        ),
    }
}

/// Writes a report to stdout; a closed pipe is not an error, as in `print`.
fn print_report(report: &crate::app::Report, format: Format, color: bool) {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let _ = report::write(report, format, color, &mut out).and_then(|()| out.flush());
}

fn print(s: &str) {
    let mut out = std::io::stdout().lock();
    // A closed pipe (`shipgate rules | head`) is not an error worth a panic.
    let _ = out.write_all(s.as_bytes());
    let _ = out.flush();
}

fn use_color(c: ColorChoice) -> bool {
    match c {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()) && std::io::stdout().is_terminal()
        }
    }
}

/// Loads the configuration for `root`, runs `f` and reports.
fn gate(common: &Common, root: &Path, f: impl FnOnce(&Config) -> Result<Report, AppError>) -> ExitStatus {
    let cfg = match load_config(common, root) {
        Ok(c) => c,
        Err(e) => {
            print_config_error(&e, use_color(common.color));
            return ExitStatus::InvalidInput;
        }
    };
    match f(&cfg) {
        Ok(mut report) => {
            report.fail_on_warnings = common.fail_on == FailOn::Warning;
            let format = common.format.unwrap_or(Format::Human);
            // Quiet: only what blocks, counted against the whole report.
            if common.quiet && format == Format::Human {
                if report.findings.iter().any(|f| report.blocks(f)) {
                    print(&report::human::render_quiet(&report, use_color(common.color)));
                }
                return report.exit_status();
            }
            print_report(&report, format, use_color(common.color));
            report.exit_status()
        }
        Err(e) => fail(&e, use_color(common.color), "nothing was passed"),
    }
}

/// `shipgate ci`: annotations and progress on stderr, the report on stdout.
fn ci(args: &crate::github::ci::CiArgs, common: &Common) -> ExitStatus {
    if common.base.is_some() {
        eprintln!("error: `shipgate ci` compares with the pull request's base commit; --base does not apply");
        return ExitStatus::InvalidInput;
    }
    let args = crate::github::ci::CiArgs {
        config: common.config.clone(),
        fail_on_warnings: common.fail_on == FailOn::Warning,
        verbose: common.verbose,
        ..args.clone()
    };
    match crate::github::ci::run(&args, &crate::github::ci::Env::from_process()) {
        Ok(run) => {
            eprint!("{}", run.annotations);
            for l in &run.log {
                eprintln!("{l}");
            }
            let format = common.format.unwrap_or(Format::Human);
            if format == Format::Json {
                let doc = crate::github::ci::json_report(&run.report, &run.signoffs);
                print(&format!("{}\n", serde_json::to_string_pretty(&doc).unwrap_or_default()));
            } else {
                print(&report::render(&run.report, format, use_color(common.color)));
            }
            run.exit_status
        }
        Err(e) => fail(&e, use_color(common.color), "nothing was passed"),
    }
}

/// `shipgate dry-run`: progress on stderr, the report on stdout.
fn dry_run(args: &crate::gates::dryrun::DryRunArgs, common: &Common) -> ExitStatus {
    let cfg = match load_config(common, &args.repo) {
        Ok(c) => c,
        Err(e) => {
            print_config_error(&e, use_color(common.color));
            return ExitStatus::InvalidInput;
        }
    };
    let mut progress = |m: &str| {
        if !common.quiet {
            eprintln!("{m}");
        }
    };
    match crate::gates::dryrun::run(args, common.base.as_deref(), &cfg, &mut progress) {
        Ok(mut outcome) => {
            outcome.report.fail_on_warnings = common.fail_on == FailOn::Warning;
            let format = common.format.unwrap_or(Format::Human);
            if common.quiet && format == Format::Human {
                let report = &outcome.report;
                if report.findings.iter().any(|f| report.blocks(f)) {
                    print(&format!(
                        "{}{}",
                        crate::report::dryrun::human(&outcome.run),
                        report::human::render_quiet(report, use_color(common.color))
                    ));
                }
                return report.exit_status();
            }
            print(&crate::report::dryrun::render(
                &outcome,
                format,
                use_color(common.color),
            ));
            outcome.report.exit_status()
        }
        Err(e) => {
            eprintln!("error: {e}");
            if e.exit_status() == ExitStatus::NotEvaluated {
                eprintln!("shipgate could not evaluate the gate; nothing was passed");
            }
            e.exit_status()
        }
    }
}

fn load_config(common: &Common, root: &Path) -> Result<Config, ConfigError> {
    match &common.config {
        Some(p) => {
            if !p.is_file() {
                return Err(ConfigError {
                    path: p.clone(),
                    message: "no such configuration file".into(),
                    pos: None,
                    src: None,
                });
            }
            config::load(p)
        }
        None => match config::find(root) {
            Some(p) => config::load_found(root, &p),
            None => Ok(Config::default()),
        },
    }
}

/// Prints why a command could not run and returns its exit status;
/// `consequence` says what an evaluation error means for the user.
fn fail(e: &AppError, color: bool, consequence: &str) -> ExitStatus {
    if let AppError::Config(c) = e {
        print_config_error(c, color);
        return ExitStatus::InvalidInput;
    }
    eprintln!("error: {e}");
    if e.exit_status() == ExitStatus::NotEvaluated {
        eprintln!("shipgate could not evaluate the gate; {consequence}");
    }
    e.exit_status()
}

/// A configuration mistake, printed once: the diagnostic at its line of the file.
fn print_config_error(e: &ConfigError, color: bool) {
    eprint!("{}", report::config_error(e, color));
}

fn rules(common: &Common) -> ExitStatus {
    let all = crate::registry::all();
    let out = match common.format {
        Some(Format::Json) => {
            let v: Vec<_> = all
                .iter()
                .map(|m| serde_json::json!({"id": m.id, "domain": m.domain, "severity": m.default, "class": m.class, "summary": m.summary()}))
                .collect();
            serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
        }
        _ => {
            let w = all.iter().map(|m| m.id.len()).max().unwrap_or(0);
            all.iter()
                .map(|m| {
                    format!(
                        "{:<w$}  {:<9}  {:<7}  {}\n",
                        m.id,
                        m.domain.as_str(),
                        m.default.as_str(),
                        m.summary()
                    )
                })
                .collect()
        }
    };
    print(&out);
    ExitStatus::Pass
}

/// The pull-request workflow `init --workflow` writes: the README's, with
/// the action pinned to the release this binary comes from.
pub fn workflow_text() -> String {
    let repository = env!("CARGO_PKG_REPOSITORY")
        .trim_end_matches('/')
        .trim_end_matches(".git")
        .rsplitn(3, '/')
        .take(2)
        .collect::<Vec<_>>();
    let action = match repository.as_slice() {
        [name, owner] if !name.is_empty() && !owner.is_empty() && !owner.contains(':') => format!("{owner}/{name}"),
        _ => ACTION_PLACEHOLDER.to_string(),
    };
    WORKFLOW.replace("{action}", &format!("{action}@v{}", env!("CARGO_PKG_VERSION")))
}

/// The action's repository when the crate does not name one.
const ACTION_PLACEHOLDER: &str = "OWNER/shipgate";

const WORKFLOW: &str = r#"# .github/workflows/shipgate.yml
name: shipgate
on:
  pull_request:
    # labeled/unlabeled: a sign-off label re-runs the gate
    types: [opened, synchronize, reopened, labeled, unlabeled]
  pull_request_review:
    # an approving review re-runs the gate
    types: [submitted, dismissed]
permissions: {}
concurrency:
  group: shipgate-${{ github.event.pull_request.number }}
  cancel-in-progress: true
jobs:
  gate:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      pull-requests: write # the summary comment
      checks: read # when the head was pushed: sign-off labels older than the push are stale
      issues: read # open P0/P1 issues hold a launch (`ci.blocking_issues`)
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2
        with:
          fetch-depth: 0 # the merge base
          persist-credentials: false
      # The release this workflow was written by; pin it by full commit SHA for a tag that cannot move.
      - uses: {action}
"#;

const WORKFLOW_PATH: &str = ".github/workflows/shipgate.yml";

/// The example configuration with `migrations.since` just past the newest
/// migration already in the repository, and why.
fn init_config(dir: &Path) -> (String, Option<String>) {
    let cfg = config::MigrationsConfig::default();
    let found = crate::migration::discover::discover(dir, &cfg).unwrap_or_default();
    let Some((since, newest)) = crate::migration::discover::since_after(&found) else {
        return (EXAMPLE_CONFIG.to_string(), None);
    };
    // A file name is the repository's text: one line, no control characters, in a comment.
    let name: String = newest.rel.chars().filter(|c| !c.is_control()).collect();
    let versioned = found.iter().filter(|c| !c.version.is_empty()).count();
    let block = format!(
        "  # The repository had {} when `shipgate init` ran, the newest\n  \
         # {name}. They shipped already, so they are history: migrations whose version\n  \
         # sorts before `since` are replayed (their tables and columns count), never\n  \
         # linted. Every migration added after them is checked.\n  \
         since: \"{since}\"\n",
        report::plural(versioned, "migration")
    );
    let text = EXAMPLE_CONFIG.replacen("  # since: \"20240101000000\"\n", &block, 1);
    let unversioned = found.len() - versioned;
    let mut note = format!(
        "migrations.since = \"{since}\": {} (newest {name}) are history, replayed but not linted",
        report::plural(versioned, "existing migration")
    );
    if unversioned > 0 {
        note.push_str(&format!(
            "; {} without a version in the name (Flyway repeatable, or plain files) still linted",
            report::plural(unversioned, "migration file")
        ));
    }
    (text, Some(note))
}

/// Files `init` writes, by path.
fn init_files() -> Vec<(&'static str, &'static str)> {
    // The registry skeleton lists the example manifest's two flags, so that what init writes passes.
    static REGISTRY: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        format!(
            "{}{}",
            crate::flags::REGISTRY_SKELETON,
            crate::manifest::EXAMPLE_FLAG_ROWS
        )
    });
    vec![
        ("shipgate.yml", EXAMPLE_CONFIG),
        (crate::flags::DEFAULT_REGISTRY, REGISTRY.as_str()),
        ("rollouts/example.yml", crate::manifest::EXAMPLE_MANIFEST),
        (crate::manifest::EXAMPLE_RUNBOOK_PATH, crate::manifest::EXAMPLE_RUNBOOK),
    ]
}

fn init(dir: &Path, workflow: bool) -> ExitStatus {
    if !dir.is_dir() {
        eprintln!("error: {} is not a directory", dir.display());
        return ExitStatus::InvalidInput;
    }
    let (config_text, since) = init_config(dir);
    let mut files: Vec<(&str, String)> = init_files()
        .into_iter()
        .map(|(rel, body)| {
            (
                rel,
                if rel == "shipgate.yml" {
                    config_text.clone()
                } else {
                    body.to_string()
                },
            )
        })
        .collect();
    if workflow {
        files.push((WORKFLOW_PATH, workflow_text()));
    }
    let mut status = ExitStatus::Pass;
    let mut wrote_config = false;
    for (rel, body) in files {
        let path = dir.join(rel);
        if path.exists() {
            // Asked for by name and different from what init would write: the request was not carried out.
            let differs = rel == WORKFLOW_PATH && std::fs::read_to_string(&path).ok().as_deref() != Some(body.as_str());
            if differs {
                eprintln!(
                    "error: {} exists and differs from the workflow shipgate writes; it was not overwritten (compare it with README, \"Pull-request gate\")",
                    path.display()
                );
                status = status.worst(ExitStatus::InvalidInput);
            } else {
                eprintln!("kept     {} (exists; not overwritten)", path.display());
            }
            continue;
        }
        let res = path.parent().map_or(Ok(()), std::fs::create_dir_all).and_then(|_| {
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
                .and_then(|mut f| f.write_all(body.as_bytes()))
        });
        match res {
            Ok(()) => {
                eprintln!("created  {}", path.display());
                wrote_config |= rel == "shipgate.yml";
            }
            Err(e) => {
                eprintln!("error: cannot write {}: {e}", path.display());
                status = ExitStatus::NotEvaluated;
            }
        }
    }
    if let Some(note) = since.filter(|_| wrote_config) {
        eprintln!("\n{note}");
    }
    let workflow_step = if workflow {
        format!("commit {WORKFLOW_PATH}")
    } else {
        format!("shipgate init --workflow     (writes {WORKFLOW_PATH})")
    };
    eprintln!(
        "\nNext steps:\n  1. shipgate hook install      (checks what `git push` sends)\n  2. {workflow_step}\n  3. open a pull request: shipgate comments its verdict and the sign-offs it needs"
    );
    if workflow && workflow_text().contains(ACTION_PLACEHOLDER) {
        eprintln!("  (replace {ACTION_PLACEHOLDER} in {WORKFLOW_PATH} with the repository that publishes the action)");
    }
    status
}
