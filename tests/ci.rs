//! `shipgate ci` as Actions runs it, against a local HTTP server that plays
//! GitHub (`tests/fake_github`). Every request the binary makes must match an
//! operation of GitHub's OpenAPI description, and every canned answer its
//! response schema.

mod common;
use common::{git, write};

mod fake_github;
use fake_github::{committed, labeled, review, serve, Server, State, BOT, TOKEN};

use std::path::Path;
use std::process::{Command, Output};

use serde_json::{json, Value};

/// A repository whose pull request drops a column (approved): schema-destructive.
struct Repo {
    dir: tempfile::TempDir,
    base: String,
    head: String,
}

fn repo() -> Repo {
    repo_with(None, None)
}

/// The same, with `shipgate.yml` at the base and in the pull request.
fn repo_with(base_config: Option<&str>, pr_config: Option<&str>) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(
        p,
        "supabase/migrations/1_init.sql",
        "CREATE TABLE members (id int, email text);\n",
    );
    if let Some(c) = base_config {
        write(p, "shipgate.yml", c);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    git(p, &["checkout", "-qb", "feature"]);
    if let Some(c) = pr_config {
        write(p, "shipgate.yml", c);
    }
    write(
        p,
        "supabase/migrations/2_drop.sql",
        "SET lock_timeout = '5s';\n-- MIGRATION_APPROVED: email moved to contacts in 1.4\nALTER TABLE members DROP COLUMN email;\n",
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "drop email"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    Repo { dir, base, head }
}

fn state(r: &Repo) -> State {
    State::new(&r.base, &r.head)
}

/// #7 approved on its head by olivia (maintain, both sign-offs).
fn approved(r: &Repo) -> State {
    let mut st = state(r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    st
}

/// #7 labeled by both owners after its push.
fn labeled_by_owners(r: &Repo) -> State {
    let mut st = state(r);
    st.timeline.push(labeled("signoff:system-owner", "olivia", AFTER_PUSH));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", AFTER_PUSH));
    st
}

/// `st` with what every pull request needs besides its sign-offs: one
/// approving review of its head (olivia's, `signoff.min_approvals`' default).
fn in_order(mut st: State) -> State {
    let head = st.head.clone();
    st.reviews.push(review("olivia", "APPROVED", &head));
    st
}

/// Every sign-off of the run was met by a label, not by the approving review of [`in_order`].
fn assert_met_by_labels(run: &Run) {
    for r in run.report["signoffs"]["results"].as_array().unwrap() {
        assert_eq!(r["by"]["via"], "label", "{r}");
    }
}

struct Run {
    out: Output,
    report: Value,
    stdout: String,
    stderr: String,
    outputs: String,
    summary: String,
    /// `shipgate-comment.md` beside the report: the comment body, for a fork's `workflow_run` job.
    comment_file: String,
}

impl Run {
    /// Fails with everything the run printed unless it exited with `code`.
    fn expect_exit(&self, code: i32) {
        assert_eq!(self.out.status.code(), Some(code), "{}{}", self.stdout, self.stderr);
    }
}

fn run_ci(r: &Repo, server: &Server, budget: &str) -> Run {
    run_event(r, server, budget, "pull_request", &pr_event(r))
}

/// A `pull_request` event for #7, by alice, with labels the run must not trust.
fn pr_event(r: &Repo) -> Value {
    json!({"action": "synchronize", "number": 7, "pull_request": {
        "number": 7, "user": {"login": "alice"},
        "base": {"sha": r.base, "ref": "main"}, "head": {"sha": r.head, "ref": "feature"},
        "labels": [{"name": "signoff:system-owner"}, {"name": "signoff:backup-recovery-owner"}]}})
}

fn run_event(r: &Repo, server: &Server, budget: &str, name: &str, payload: &Value) -> Run {
    run_with(r, server, budget, name, payload, &[])
}

fn run_with(r: &Repo, server: &Server, budget: &str, name: &str, payload: &Value, extra: &[&str]) -> Run {
    let p = r.dir.path();
    let work = tempfile::tempdir().unwrap();
    let event = work.path().join("event.json");
    std::fs::write(&event, payload.to_string()).unwrap();
    let output = work.path().join("output");
    let summary = work.path().join("summary");
    let report = work.path().join("report.json");
    let sarif = work.path().join("shipgate.sarif");
    let out = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["ci", "--dir", ".", "--report"])
        .arg(&report)
        .arg("--sarif")
        .arg(&sarif)
        .args(extra)
        .current_dir(p)
        .env("NO_COLOR", "1")
        .env("GITHUB_EVENT_NAME", name)
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("GITHUB_SERVER_URL", SERVER)
        .env("GITHUB_API_URL", &server.url)
        .env("GITHUB_GRAPHQL_URL", format!("{}/graphql", server.url))
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_SHA", "0000000000000000000000000000000000000000")
        .env("SHIPGATE_API_BUDGET", budget)
        .output()
        .unwrap();
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let run = Run {
        report: serde_json::from_str(&read(&report)).unwrap_or(Value::Null),
        outputs: read(&output),
        summary: read(&summary),
        comment_file: read(&work.path().join("shipgate-comment.md")),
        out,
        stdout,
        stderr,
    };
    if matches!(run.out.status.code(), Some(0 | 1)) {
        let sarif: Value = serde_json::from_str(&read(&sarif)).expect("SARIF is JSON");
        common::assert_valid_sarif(&sarif);
    }
    record_requests(server, &run);
    // The token never appears in anything the run wrote.
    for text in [
        &run.stdout,
        &run.stderr,
        &run.outputs,
        &run.summary,
        &run.report.to_string(),
    ] {
        assert!(!text.contains(TOKEN), "the token leaked: {text}");
    }
    for c in &server.state.lock().unwrap().comments {
        assert!(!c["body"].to_string().contains(TOKEN));
    }
    fake_github::assert_matches_openapi(&server.state.lock().unwrap().log);
    run
}

/// `GITHUB_SERVER_URL` of the runs: a GitHub Enterprise Server, whose address the comment's links must use.
const SERVER: &str = "https://ghe.acme.test";

/// The comment as GitHub renders it: GFM to HTML (pulldown-cmark), raw HTML
/// passed through as GitHub's renderer does before its sanitiser.
fn rendered(markdown: &str) -> String {
    use pulldown_cmark::{html, Options, Parser};
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TASKLISTS | Options::ENABLE_GFM;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// The tags of `html`, in order (`/a` for a closing tag, `!--` for a comment).
fn tags(html: &str) -> Vec<String> {
    html.split('<')
        .skip(1)
        .map(|t| {
            if t.starts_with("!--") {
                return "!--".to_string();
            }
            t.chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '/')
                .collect()
        })
        .collect()
}

/// `html` without the contents of its `<code>` elements.
fn outside_code(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(i) = rest.find("<code>") {
        out.push_str(&rest[..i]);
        rest = rest[i..].split_once("</code>").map_or("", |(_, r)| r);
    }
    out + rest
}

/// What every rendered comment holds: only the elements shipgate writes (so
/// nothing from the repository became HTML), `<details>` balanced, one
/// marker, every link to a file at the head commit on the server, code
/// elements, and no `@name` that GitHub would turn into a mention.
fn assert_renders_safely(markdown: &str, head: &str) -> String {
    let html = rendered(markdown);
    let allowed = [
        "h3", "h4", "p", "strong", "em", "ul", "li", "a", "code", "details", "summary", "table", "thead", "tbody",
        "tr", "th", "td", "!--",
    ];
    for t in tags(&html) {
        assert!(allowed.contains(&t.trim_start_matches('/')), "<{t}> in {html}");
    }
    assert_eq!(
        html.matches("<details>").count(),
        html.matches("</details>").count(),
        "{html}"
    );
    assert_eq!(html.matches("<!--").count(), 1, "{html}");
    assert!(html.starts_with("<!-- shipgate:summary -->"), "{html}");
    for href in html.split("<a href=\"").skip(1) {
        let href = href.split('"').next().unwrap();
        assert!(
            href.starts_with(&format!("{SERVER}/acme/shop/blob/{head}/")),
            "a link elsewhere: {href}"
        );
    }
    assert!(html.contains("<code>"), "{html}");
    let text = outside_code(&html);
    for (i, _) in text.match_indices('@') {
        let next = text[i + 1..].chars().next().unwrap_or(' ');
        assert!(!next.is_ascii_alphanumeric(), "a live mention: {}", &text[i..]);
    }
    html
}

/// The summary comment the run posted, checked as rendered: returns its HTML.
fn rendered_comment(server: &Server, head: &str) -> String {
    assert_renders_safely(&comment_body(server), head)
}

/// Prints the run's request count and appends it to `target/tmp/ci-requests.txt`,
/// which `.ci/run` prints after the tests: one line per scenario run.
fn record_requests(server: &Server, run: &Run) {
    let requests = server.state.lock().unwrap().log.len();
    let test = std::thread::current().name().unwrap_or("?").to_string();
    let line = format!(
        "{test}: {requests} GitHub API requests (exit {:?})\n",
        run.out.status.code()
    );
    eprint!("{line}");
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ci-requests.txt");
    if let Ok(mut f) = std::fs::OpenOptions::new().create(true).append(true).open(path) {
        let _ = std::io::Write::write_all(&mut f, line.as_bytes());
    }
}

fn requests(server: &Server) -> usize {
    server.state.lock().unwrap().log.len()
}

/// The classes of change in the run's JSON report.
fn classes(run: &Run) -> Vec<String> {
    run.report["signoffs"]["classes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|c| c["class"].as_str().unwrap_or("").to_string())
        .collect()
}

fn rules(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .map(|a| a.iter().map(|f| f["rule"].as_str().unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn review_on_head_passes() {
    let r = repo();
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_eq!(run.report["verdict"], "pass");
    assert!(
        !rules(&run.report).contains(&"missing-signoff".to_string()),
        "{}",
        run.report
    );
    let classes = classes(&run);
    assert_eq!(classes, ["schema-destructive"]);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1);
    let body = s.comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- shipgate:summary -->"), "{body}");
    assert!(body.contains("met by approving review by olivia"), "{body}");
    let html = assert_renders_safely(body, &r.head);
    let approval = format!(
        "<a href=\"{SERVER}/acme/shop/blob/{}/supabase/migrations/2_drop.sql#L3\">",
        r.head
    );
    assert!(html.contains(&approval), "{html}");
    assert!(html.contains("<code>ban-drop-column</code>"), "{html}");
    // Settled: approvals and the sign-offs met are folded away.
    let details = html.split("<details>").nth(1).unwrap_or_default();
    assert!(
        details.contains("email moved to contacts") && details.contains("met by approving review"),
        "{html}"
    );
    assert!(run.outputs.contains("verdict<<ghadelimiter_"), "{}", run.outputs);
    assert!(run.outputs.contains("\npass\n"), "{}", run.outputs);
    assert!(run.summary.contains("shipgate: pass"), "{}", run.summary);
    assert!(run.stderr.contains("GitHub API requests"), "{}", run.stderr);
}

#[test]
fn author_self_label_is_rejected() {
    let r = repo();
    let mut st = state(&r);
    st.timeline
        .push(labeled("signoff:system-owner", "alice", "2026-01-02T00:00:00Z"));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", "2026-01-02T00:00:00Z"));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let missing: Vec<&Value> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "missing-signoff")
        .collect();
    assert_eq!(missing.len(), 1, "{}", run.report);
    assert_eq!(missing[0]["file"], Value::Null);
    assert!(
        missing[0]["message"]
            .as_str()
            .unwrap()
            .contains("cannot sign off their own"),
        "{}",
        missing[0]
    );
    let body = server.state.lock().unwrap().comments[0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(body.contains("met by label"), "{body}");
    assert!(body.contains("Did not count"), "{body}");
    // The run as reviewers and the job log see it, under snapshot review: exit
    // code, stdout, stderr and the comment. Commit ids vary with the clock,
    // the fake GitHub's address with its port.
    let seen = format!(
        "exit code: {:?}\n----- stdout -----\n{}\n----- stderr -----\n{}\n----- comment -----\n{body}",
        run.out.status.code(),
        run.stdout,
        run.stderr
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\b[0-9a-f]{40}\b", "[SHA]");
    settings.add_filter(&common::regex_escape(&server.url), "[API]");
    settings.bind(|| insta::assert_snapshot!("comment_blocked_by_a_self_label", seen));
    let html = assert_renders_safely(&body, &r.head);
    // The verdict, then the one next step.
    assert!(
        html.contains("<h3>⛔ shipgate: blocked</h3>\n<p><strong>Next step:</strong> needs <code>signoff:system-owner</code> from a collaborator with <code>write</code> permission"),
        "{html}"
    );
    assert!(
        html.contains("label <code>signoff:system-owner</code> added by alice"),
        "{html}"
    );
    assert!(
        run.stderr.contains("::error title=shipgate missing-signoff::"),
        "{}",
        run.stderr
    );
}

#[test]
fn label_before_a_new_push_is_stale() {
    let r = repo();
    let mut st = state(&r);
    st.timeline = vec![
        labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"),
        labeled("signoff:backup-recovery-owner", "bea", "2026-01-02T00:00:00Z"),
        committed(&r.head),
    ];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert!(
        run.report.to_string().contains("before the latest push"),
        "{}",
        run.report
    );
}

#[test]
fn a_502_then_success_is_retried() {
    let r = repo();
    let mut st = approved(&r);
    st.failures = vec![("/repos/acme/shop/issues/7/timeline".into(), 502, vec![])];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    let s = server.state.lock().unwrap();
    assert!(s.failures.is_empty(), "the 502 was served");
    assert_eq!(
        s.log.iter().filter(|q| q.path.contains("/issues/7/timeline")).count(),
        2,
        "{:?}",
        s.log
    );
}

#[test]
fn a_permanent_500_is_exit_3_never_a_pass() {
    let r = repo();
    let mut st = state(&r);
    st.down = true;
    let server = serve(st);
    // Verbose, so that every failed attempt is logged: none of it shows the token.
    let run = run_with(&r, &server, "1", "pull_request", &pr_event(&r), &["--verbose"]);
    run.expect_exit(3);
    assert!(run.stderr.contains(" -> 500 ("), "{}", run.stderr);
    assert!(run.stderr.contains("answered 500"), "{}", run.stderr);
    assert!(run.outputs.contains("verdict=error"), "{}", run.outputs);
    assert!(run.stderr.contains("GitHub API requests"), "{}", run.stderr);
}

#[test]
fn a_marker_planted_by_another_user_is_not_edited() {
    let r = repo();
    let mut st = approved(&r);
    st.comments = vec![json!({"id": 1, "user": {"login": "mallory"}, "body": "<!-- shipgate:summary --> all good"})];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments[0]["body"], "<!-- shipgate:summary --> all good");
    assert_eq!(s.comments.len(), 2);
    assert!(!s.log.iter().any(|q| q.method == "PATCH"));
}

#[test]
fn without_graphql_the_rest_login_tells_the_own_comment_from_a_planted_one() {
    let r = repo();
    let mut st = approved(&r);
    st.token_user = Some("release-bot".into());
    // GitHub Enterprise without GraphQL, say: the viewer query is not found.
    st.failures = vec![("/graphql".into(), 404, vec![])];
    st.comments = vec![
        json!({"id": 1, "user": {"login": "mallory"}, "body": "<!-- shipgate:summary --> all good"}),
        json!({"id": 2, "user": {"login": "release-bot"}, "body": "<!-- shipgate:summary -->\nold"}),
    ];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    let s = server.state.lock().unwrap();
    fake_github::assert_matches_openapi(&s.log);
    assert!(s.log.iter().any(|q| q.method == "GET" && q.path == "/user"));
    assert_eq!(s.comments.len(), 2, "no new comment");
    assert_eq!(s.comments[0]["body"], "<!-- shipgate:summary --> all good");
    assert!(s.comments[1]["body"].as_str().unwrap().contains("shipgate: pass"));
}

#[test]
fn when_the_tokens_login_cannot_be_read_no_marked_comment_is_edited() {
    let r = repo();
    let mut st = approved(&r);
    // GraphQL refuses the viewer and `GET /user` answers 403 (the Actions token).
    st.graphql_refuses = true;
    st.comments = vec![json!({"id": 1, "user": {"login": BOT}, "body": "<!-- shipgate:summary --> all good"})];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert!(run.stderr.contains("none of them was edited"), "{}", run.stderr);
    assert!(
        run.stderr.contains("Resource not accessible by integration"),
        "{}",
        run.stderr
    );
    let s = server.state.lock().unwrap();
    fake_github::assert_matches_openapi(&s.log);
    assert!(!s.log.iter().any(|q| q.method == "PATCH"));
    assert_eq!(s.comments.len(), 2);
    assert!(s.comments[1]["body"].as_str().unwrap().contains("shipgate: pass"));
}

#[test]
fn the_own_comment_is_found_beyond_the_first_page_and_edited() {
    let r = repo();
    let mut st = approved(&r);
    st.comments = (1..=150)
        .map(|i| json!({"id": i, "user": {"login": "someone"}, "body": "lgtm"}))
        .collect();
    st.comments
        .push(json!({"id": 999, "user": {"login": BOT}, "body": "<!-- shipgate:summary -->\nold"}));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 151, "no duplicate");
    assert!(s.comments[150]["body"].as_str().unwrap().contains("shipgate: pass"));
    assert!(s
        .log
        .iter()
        .any(|q| q.method == "PATCH" && q.path.ends_with("/issues/comments/999")));
    assert!(s.log.iter().any(|q| q.path.contains("page=2")));
}

#[test]
fn a_fork_without_comment_permission_still_gets_the_verdict() {
    let r = repo();
    let mut st = state(&r);
    st.read_only = true;
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert!(run.stderr.contains("workflow_run"), "{}", run.stderr);
    assert!(run.outputs.contains("blocked"), "{}", run.outputs);
    // The comment it could not post is saved for the `workflow_run` job, and named in the outputs.
    assert!(
        run.comment_file.starts_with("<!-- shipgate:summary -->"),
        "{}",
        run.comment_file
    );
    assert!(run.comment_file.contains("Sign-offs"), "{}", run.comment_file);
    assert!(run.outputs.contains("shipgate-comment.md"), "{}", run.outputs);
    assert!(run.stderr.contains("shipgate-comment.md"), "{}", run.stderr);
}

#[test]
fn primary_and_secondary_rate_limits_are_waited_out() {
    let r = repo();
    let mut st = approved(&r);
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    st.failures = vec![
        (
            "/repos/acme/shop/pulls/7/reviews".into(),
            403,
            vec![
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), reset.to_string()),
            ],
        ),
        // GitHub's secondary limit: 403, "You have exceeded a secondary rate limit", `retry-after`.
        (
            "/repos/acme/shop/issues/7/timeline".into(),
            403,
            vec![("retry-after".into(), "1".into())],
        ),
        (
            "/repos/acme/shop/issues/7/comments".into(),
            429,
            vec![("retry-after".into(), "1".into())],
        ),
    ];
    let server = serve(st);
    let started = std::time::Instant::now();
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert!(started.elapsed() >= std::time::Duration::from_secs(2));
    assert!(
        server.state.lock().unwrap().failures.is_empty(),
        "every limit was served"
    );
}

#[test]
fn a_secondary_rate_limit_beyond_the_budget_is_exit_3() {
    let r = repo();
    let mut st = approved(&r);
    // Without `retry-after` GitHub asks for at least a minute: more than the 2 s budget.
    st.failures = vec![("/repos/acme/shop/issues/7/timeline".into(), 429, vec![])];
    let server = serve(st);
    let started = std::time::Instant::now();
    let run = run_ci(&r, &server, "2");
    run.expect_exit(3);
    assert!(run.stderr.contains("secondary rate limit"), "{}", run.stderr);
    assert!(run.outputs.contains("verdict=error"), "{}", run.outputs);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "it did not wait a minute"
    );
}

#[test]
fn a_comment_post_that_timed_out_is_looked_up_not_posted_twice() {
    let r = repo();
    let mut st = approved(&r);
    st.slow_post = true;
    let server = serve(st);
    let run = run_ci(&r, &server, "4");
    run.expect_exit(0);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1, "posted twice");
    // The timed-out POST was found by listing again and then edited in place.
    assert!(s.log.iter().any(|q| q.method == "PATCH"), "{:?}", s.log);
    assert_eq!(
        s.log
            .iter()
            .filter(|q| q.method == "POST" && q.path.contains("/comments"))
            .count(),
        1
    );
}

#[test]
fn unsupported_events_are_exit_3_never_a_pass() {
    let r = repo();
    let outputs = r.dir.path().join("outputs");
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["ci"])
        .current_dir(r.dir.path())
        .env("GITHUB_EVENT_NAME", "deployment")
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_OUTPUT", &outputs)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "verdict=error\n");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`deployment`"), "{err}");
    assert!(!err.contains(TOKEN));
}

/// A crash (a bug; `SHIPGATE_TEST_PANIC` is test-only) while reading the
/// event payload is one line naming it, exit 3, and `verdict=error`.
#[test]
fn a_crash_is_exit_3_with_verdict_error_in_the_outputs() {
    let r = repo();
    let outputs = r.dir.path().join("outputs");
    let event = r.dir.path().join("event.json");
    std::fs::write(&event, pr_event(&r).to_string()).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["ci"])
        .current_dir(r.dir.path())
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_TOKEN", TOKEN)
        .env("GITHUB_OUTPUT", &outputs)
        .env("SHIPGATE_TEST_PANIC", "event.json")
        .env_remove("RUST_BACKTRACE")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(3), "{err}");
    assert_eq!(std::fs::read_to_string(&outputs).unwrap(), "verdict=error\n");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("event.json`") && err.contains("this is a bug"), "{err}");
}

#[test]
fn the_policy_comes_from_the_base_commit_and_team_signers_are_checked() {
    let base = "signoff:\n  signers:\n    system-owner:\n      teams: [acme/owners]\n";
    let relaxed = "signoff:\n  require:\n    schema-destructive: []\n    gate-config-change: []\n";
    let r = repo_with(Some(base), Some(relaxed));
    // bea (maintain, not in acme/owners) approves and labels: enough for backup-recovery-owner only.
    let mut st = state(&r);
    st.reviews = vec![review("bea", "APPROVED", &r.head)];
    st.timeline.push(labeled("signoff:system-owner", "bea", AFTER_PUSH));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let classes = &run.report["signoffs"]["classes"];
    assert_eq!(classes[0]["class"], "schema-destructive", "{classes}");
    assert_eq!(classes[0]["required"], json!(["system-owner", "backup-recovery-owner"]));
    assert_eq!(classes[1]["class"], "gate-config-change", "{classes}");
    let results = &run.report["signoffs"]["results"];
    assert_eq!(results[0]["signoff"], "system-owner");
    assert_eq!(results[0]["outcome"], "missing");
    let why = &results[0]["rejected"][0];
    assert_eq!(why["reason"], "not-allowed-signer", "{results}");
    assert_eq!(why["teams"], json!(["acme/owners"]), "{results}");
    let html = rendered_comment(&server, &r.head);
    assert!(html.contains("active member of acme/owners"), "{html}");
    // The team is named, not pinged.
    assert!(
        html.contains("needs <code>signoff:system-owner</code> from @\u{200b}acme/owners"),
        "{html}"
    );
    assert_eq!(results[1]["outcome"], "met", "{results}");
    assert!(server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path == "/orgs/acme/teams/owners/memberships/bea"));

    // olivia is in acme/owners: her approval on the head meets both.
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
}

#[test]
fn a_label_before_github_saw_a_backdated_head_is_stale() {
    let r = repo();
    let mut st = state(&r);
    // The commit claims an old date, so the timeline lists it before the labels;
    // GitHub's check suite says when the push really happened.
    st.timeline = vec![
        committed(&r.head),
        labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"),
        labeled("signoff:backup-recovery-owner", "bea", "2026-01-02T00:00:00Z"),
    ];
    st.head_seen = "2026-01-03T00:00:00Z".into();
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert!(
        run.report.to_string().contains("before the latest push"),
        "{}",
        run.report
    );
}

#[test]
fn labels_by_owners_after_the_push_pass() {
    let r = repo();
    let server = serve(in_order(labeled_by_owners(&r)));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
    let body = server.state.lock().unwrap().comments[0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(body.contains("met by label"), "{body}");
    let html = assert_renders_safely(&body, &r.head);
    assert!(!html.contains("Next step"), "a pass has nothing to do: {html}");
    // A typical pull request with no prior comment: at most 8 requests.
    assert!(requests(&server) <= 8, "{} requests", requests(&server));
}

const AFTER_PUSH: &str = "2026-01-02T00:00:00Z";

fn unlabeled(label: &str, actor: &str, at: &str) -> Value {
    let mut e = labeled(label, actor, at);
    e["event"] = json!("unlabeled");
    e
}

/// The sign-off result of the run's JSON report for `signoff`.
fn result<'a>(run: &'a Run, signoff: &str) -> &'a Value {
    run.report["signoffs"]["results"]
        .as_array()
        .and_then(|a| a.iter().find(|r| r["signoff"] == signoff))
        .unwrap_or_else(|| panic!("no result for {signoff}: {}", run.report))
}

fn comment_body(server: &Server) -> String {
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1, "{:?}", s.log);
    s.comments[0]["body"].as_str().unwrap().to_string()
}

#[test]
fn a_triage_only_users_label_does_not_count() {
    let r = repo();
    let mut st = state(&r);
    st.timeline.push(labeled("signoff:system-owner", "tom", AFTER_PUSH));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", AFTER_PUSH));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let owner = result(&run, "system-owner");
    assert_eq!(owner["outcome"], "missing", "{owner}");
    assert_eq!(owner["rejected"][0]["reason"], "no-permission", "{owner}");
    assert_eq!(owner["rejected"][0]["have"], "triage", "{owner}");
    assert_eq!(result(&run, "backup-recovery-owner")["outcome"], "met");
    let body = rendered_comment(&server, &r.head);
    assert!(body.contains("added by tom"), "{body}");
    assert!(body.contains("this sign-off needs <code>write</code>"), "{body}");
}

#[test]
fn a_label_added_removed_and_added_again_counts_from_its_last_addition() {
    let r = repo();
    let added_removed_added = [
        labeled("signoff:system-owner", "olivia", AFTER_PUSH),
        unlabeled("signoff:system-owner", "bea", "2026-01-03T00:00:00Z"),
        labeled("signoff:system-owner", "olivia", "2026-01-04T00:00:00Z"),
    ];
    // Then removed once more, or not.
    for removed_again in [false, true] {
        let mut st = state(&r);
        st.timeline.extend(added_removed_added.clone());
        if removed_again {
            st.timeline
                .push(unlabeled("signoff:system-owner", "bea", "2026-01-05T00:00:00Z"));
        }
        st.timeline
            .push(labeled("signoff:backup-recovery-owner", "bea", AFTER_PUSH));
        // Removed again: olivia's approval would give the sign-off.
        let server = serve(if removed_again { st } else { in_order(st) });
        let run = run_ci(&r, &server, "5");
        let owner = result(&run, "system-owner");
        if removed_again {
            run.expect_exit(1);
            assert_eq!(owner["rejected"][0]["reason"], "removed-later", "{owner}");
            assert_eq!(owner["rejected"][0]["by"], "bea", "{owner}");
        } else {
            run.expect_exit(0);
            assert_met_by_labels(&run);
            assert_eq!(owner["by"]["at"], "2026-01-04T00:00:00Z", "{owner}");
        }
    }
}

#[test]
fn an_approving_review_on_an_old_commit_does_not_count() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.base)];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    for signoff in ["system-owner", "backup-recovery-owner"] {
        let res = result(&run, signoff);
        assert_eq!(res["outcome"], "missing", "{res}");
        assert_eq!(res["rejected"][0]["reason"], "review-on-old-commit", "{res}");
    }
    let body = rendered_comment(&server, &r.head);
    assert!(body.contains("not the head"), "{body}");
}

/// Adds a commit with `files` (path, content) to the pull request; the head moves.
fn push(r: &mut Repo, files: &[(String, String)]) {
    let p = r.dir.path();
    for (path, text) in files {
        write(p, path, text);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "more"]);
    r.head = git(p, &["rev-parse", "HEAD"]);
}

#[test]
fn three_hundred_files_and_more_than_a_hundred_events_and_comments_are_read_in_full() {
    let mut r = repo();
    let files: Vec<(String, String)> = (3..=301)
        .map(|i| {
            (
                format!("supabase/migrations/{i}_add.sql"),
                format!("SET lock_timeout = '5s';\nALTER TABLE members ADD COLUMN c{i} int;\n"),
            )
        })
        .collect();
    push(&mut r, &files);
    let mut st = state(&r);
    // 120 unrelated label events first: the sign-off labels are on the second page.
    for i in 0..60 {
        let at = |s: u32| format!("2026-01-02T00:{i:02}:{s:02}Z");
        st.timeline.push(labeled("area:db", "someone", &at(0)));
        st.timeline.push(unlabeled("area:db", "someone", &at(30)));
    }
    st.timeline
        .push(labeled("signoff:system-owner", "olivia", "2026-01-03T00:00:00Z"));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", "2026-01-03T00:00:00Z"));
    st.comments = (1..=130)
        .map(|i| json!({"id": i, "user": {"login": "someone"}, "body": "lgtm"}))
        .collect();
    let server = serve(in_order(st));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
    assert_eq!(run.report["stats"]["migration_files"], 300, "{}", run.report["stats"]);
    let classes = classes(&run);
    // Additive and destructive together: the destructive class (and its sign-offs) wins.
    assert_eq!(classes, ["schema-destructive"]);
    let s = server.state.lock().unwrap();
    for list in ["/issues/7/timeline", "/issues/7/comments"] {
        assert!(
            s.log
                .iter()
                .any(|q| q.method == "GET" && q.path.contains(list) && q.path.contains("page=2")),
            "{list} page 2 not read: {:?}",
            s.log.iter().map(|q| &q.path).collect::<Vec<_>>()
        );
    }
    assert_eq!(s.comments.len(), 131, "one new comment");
}

#[test]
fn a_comment_that_would_be_70000_characters_is_cut_under_githubs_limit() {
    let mut r = repo();
    let drops: String = (0..700)
        .map(|i| format!("ALTER TABLE members DROP COLUMN legacy_column_with_a_long_name_{i};\n"))
        .collect();
    push(
        &mut r,
        &[(
            "supabase/migrations/3_cleanup.sql".to_string(),
            format!("SET lock_timeout = '5s';\n{drops}"),
        )],
    );
    let server = serve(state(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    // Uncut (the step summary may hold 1 MiB), the summary is over 70,000 characters.
    assert!(run.summary.chars().count() > 70_000, "{}", run.summary.len());
    assert!(run.report["findings"].as_array().unwrap().len() >= 700);
    let body = comment_body(&server);
    assert!(body.chars().count() <= 65_536, "{}", body.chars().count());
    assert!(
        body.contains("findings left out; the JSON report has every finding"),
        "{body}"
    );
    assert!(body.contains("shipgate: blocked"));
    let html = assert_renders_safely(&body, &r.head);
    assert!(html.contains("3_cleanup.sql#L2\">line 2</a>"), "{html}");
}

#[test]
fn a_file_name_cannot_inject_markdown_html_mentions_or_a_fake_marker() {
    let name = "x|`</details><!-- shipgate:summary -->@org/team.sql";
    let mut r = repo_with(Some("migrations:\n  paths: [\"**/team.sql\"]\n"), None);
    push(&mut r, &[(name.to_string(), "DROP TABLE members;\n".to_string())]);
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert!(
        run.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["file"] == name),
        "{}",
        run.report
    );
    let body = comment_body(&server);
    for text in [body.as_str(), run.summary.as_str()] {
        assert_eq!(text.matches("<!-- shipgate:summary -->").count(), 1, "{text}");
        assert!(!text.contains("@org"), "a mention: {text}");
        assert!(!text.contains("x|"), "a table cell break: {text}");
        assert!(text.contains("team.sql"), "{text}");
        // As rendered: the name is text and its link's address is percent-encoded.
        let html = assert_renders_safely(text, &r.head);
        assert!(
            html.contains("x|`&lt;/details&gt;&lt;!-- shipgate:summary --&gt;@\u{200b}org/team.sql</a>"),
            "{html}"
        );
        let address = format!(
            "{SERVER}/acme/shop/blob/{}/x%7C%60%3C/details%3E%3C%21--%20shipgate%3Asummary%20--%3E%40org/team.sql#L1",
            r.head
        );
        assert!(html.contains(&format!("<a href=\"{address}\">line 1</a>")), "{html}");
        assert!(html.contains("<code>members</code>"), "{html}");
    }
    // The annotation carries the file name with GitHub's property escaping, on one line.
    let annotation = run
        .stderr
        .lines()
        .find(|l| l.starts_with("::error file=") && l.contains("team.sql"))
        .unwrap_or_else(|| panic!("{}", run.stderr));
    assert!(
        annotation.starts_with("::error file=x|`</details><!-- shipgate%3Asummary -->@org/team.sql,line=1,"),
        "{annotation}"
    );
}

#[test]
fn without_check_suites_labels_count_by_the_timeline_with_a_warning_that_fail_on_warning_blocks() {
    let r = repo();
    let mut st = labeled_by_owners(&r);
    // The token has no `checks: read`.
    let no_checks = || ("/repos/acme/shop/commits/".to_string(), 403, vec![]);
    st.failures = vec![no_checks()];
    let server = serve(in_order(st));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
    assert!(
        rules(&run.report).contains(&"signoff-push-time-unverified".to_string()),
        "{}",
        run.report
    );
    assert!(run.stderr.contains("checks: read"), "{}", run.stderr);

    let mut st = labeled_by_owners(&r);
    st.failures = vec![no_checks()];
    let server = serve(st);
    let run = run_with(
        &r,
        &server,
        "5",
        "pull_request",
        &pr_event(&r),
        &["--fail-on", "warning", "--comment", "false"],
    );
    run.expect_exit(1);
    assert_eq!(run.report["verdict"], "blocked");
    let s = server.state.lock().unwrap();
    assert!(s.comments.is_empty(), "--comment false posts nothing");
    assert!(!s.log.iter().any(|q| q.path.contains("/comments")), "{:?}", s.log);
}

#[test]
fn config_names_a_policy_file_read_at_the_base_commit() {
    let r = repo_with(None, None);
    let p = r.dir.path();
    // The policy file is on the base branch; the pull request merges it in.
    git(p, &["checkout", "-q", &r.base]);
    write(p, "ci/gate.yml", "signoff:\n  require:\n    schema-destructive: []\n");
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "policy"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    git(p, &["checkout", "-q", "feature"]);
    git(p, &["merge", "-q", "--no-edit", &base]);
    let head = git(p, &["rev-parse", "HEAD"]);
    let r = Repo { base, head, dir: r.dir };
    let server = serve(in_order(state(&r)));
    let run = run_with(
        &r,
        &server,
        "5",
        "pull_request",
        &pr_event(&r),
        &["--config", "ci/gate.yml"],
    );
    run.expect_exit(0);
    assert_eq!(run.report["signoffs"]["results"], json!([]), "{}", run.report);

    let server = serve(state(&r));
    let run = run_with(
        &r,
        &server,
        "5",
        "pull_request",
        &pr_event(&r),
        &["--config", "ci/none.yml"],
    );
    run.expect_exit(2);
    assert!(run.stderr.contains("no such file at the base commit"), "{}", run.stderr);
}

#[test]
fn a_renamed_repositorys_redirects_are_followed() {
    let r = repo();
    let mut st = state(&r);
    st.moved = true;
    st.timeline.push(labeled("signoff:system-owner", "olivia", AFTER_PUSH));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", AFTER_PUSH));
    let server = serve(in_order(st));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1, "the POST followed its 307");
    assert!(s.log.iter().any(|q| q.status == 301), "{:?}", s.log);
    assert!(s
        .log
        .iter()
        .any(|q| q.method == "POST" && q.path.starts_with("/repositories/")));
}

#[test]
fn without_a_timeline_the_issue_events_give_the_labels() {
    let r = repo();
    let mut st = labeled_by_owners(&r);
    st.failures = vec![("/repos/acme/shop/issues/7/timeline".into(), 404, vec![])];
    let server = serve(in_order(st));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
    assert!(server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path.starts_with("/repos/acme/shop/issues/7/events")));
    // No pushes in the issue events: the check suite's time is the only one, and it is enough.
    assert!(!rules(&run.report).contains(&"signoff-push-time-unverified".to_string()));
}

#[test]
fn a_submitted_review_reruns_the_gate_on_the_pull_request() {
    let r = repo();
    let mut event = pr_event(&r);
    event["action"] = json!("submitted");
    event["review"] = json!({"state": "approved", "user": {"login": "olivia"}, "commit_id": r.head});
    // The review in the payload is not trusted: without it in the API, the gate stays blocked.
    let server = serve(state(&r));
    let run = run_event(&r, &server, "5", "pull_request_review", &event);
    run.expect_exit(1);
    let server = serve(approved(&r));
    let run = run_event(&r, &server, "5", "pull_request_review", &event);
    run.expect_exit(0);
    assert_eq!(comment_body(&server).matches("shipgate: pass").count(), 1);
}

#[test]
fn verbose_logs_every_request_without_the_token_and_json_carries_the_sign_offs() {
    let r = repo();
    let server = serve(approved(&r));
    let run = run_with(
        &r,
        &server,
        "5",
        "pull_request",
        &pr_event(&r),
        &["--verbose", "--format", "json"],
    );
    run.expect_exit(0);
    let logged = run.stderr.lines().filter(|l| l.contains(" -> 2")).count();
    assert_eq!(logged, requests(&server), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("shipgate: GET /repos/acme/shop/issues/7/timeline?per_page=100 -> 200"),
        "{}",
        run.stderr
    );
    // `run_with` has checked that the token appears nowhere; stdout is the JSON report.
    let out: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(out["signoffs"], run.report["signoffs"]);
    assert_eq!(
        out["signoffs"]["policy"]["stale_after_push"], true,
        "{}",
        out["signoffs"]
    );
}

#[test]
fn a_merge_group_checks_the_queued_pull_request_on_its_head() {
    let r = repo();
    let event = json!({"action": "checks_requested", "merge_group": {
        "head_sha": r.head, "base_sha": r.base, "base_ref": "refs/heads/main",
        "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-7-{}", r.base),
        "head_commit": {"id": r.head, "message": "m"}}});
    let server = serve(approved(&r));
    let run = run_event(&r, &server, "5", "merge_group", &event);
    run.expect_exit(0);
    assert!(
        server.state.lock().unwrap().comments.is_empty(),
        "no comment from the queue"
    );

    // Without the review the queue is blocked.
    let server = serve(state(&r));
    let run = run_event(&r, &server, "5", "merge_group", &event);
    run.expect_exit(1);
}

#[test]
fn a_checkout_without_the_head_is_a_usage_error_not_a_pass() {
    let r = repo();
    // pull_request_target checks out the base by default.
    git(r.dir.path(), &["checkout", "-q", &r.base]);
    let server = serve(state(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(2);
    assert!(
        run.stderr.contains("does not contain the pull request's head"),
        "{}",
        run.stderr
    );
}

/// A release branch cut at tag `v1.0`, with pull request #7 merged into it;
/// `direct` adds a commit pushed without a pull request.
fn release_repo(direct: bool) -> (Repo, String) {
    let r = repo();
    let p = r.dir.path();
    git(p, &["tag", "v1.0", &r.base]);
    git(p, &["checkout", "-qb", "release/1", &r.base]);
    git(p, &["merge", "--no-ff", "-q", "-m", "Merge pull request #7", "feature"]);
    let merge = git(p, &["rev-parse", "HEAD"]);
    if direct {
        write(p, "README.md", "hotfix\n");
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "direct push"]);
    }
    (r, merge)
}

fn push_event() -> Value {
    json!({"ref": "refs/heads/release/1", "before": "0000000000000000000000000000000000000000", "after": "x"})
}

#[test]
fn a_release_branch_needs_every_merged_pull_request_signed_off() {
    let (r, merge) = release_repo(false);
    let mut st = state(&r);
    st.merge_sha = merge.clone();
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    run.expect_exit(0);
    let prs = &run.report["signoffs"]["release"]["pull_requests"];
    assert_eq!(prs[0]["pull_request"], 7, "{}", run.report);
    assert_eq!(prs[0]["classes"][0]["class"], "schema-destructive");

    // Labels added after the merge do not count.
    let mut st = state(&r);
    st.merge_sha = merge.clone();
    st.timeline
        .push(labeled("signoff:system-owner", "olivia", "2026-01-11T00:00:00Z"));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", "2026-01-11T00:00:00Z"));
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    run.expect_exit(1);
    assert!(
        run.report.to_string().contains("Pull request #7: Sign-off"),
        "{}",
        run.report
    );

    // Nor do approving reviews submitted after the merge.
    let mut st = approved(&r);
    st.merge_sha = merge;
    st.reviews[0]["submitted_at"] = json!("2026-01-11T00:00:00Z");
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    run.expect_exit(1);
}

#[test]
fn a_commit_pushed_to_a_release_branch_without_a_pull_request_blocks() {
    let (r, merge) = release_repo(true);
    let mut st = state(&r);
    st.merge_sha = merge;
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    run.expect_exit(1);
    assert!(
        run.report.to_string().contains("without a pull request"),
        "{}",
        run.report
    );
}

#[test]
fn the_fake_github_answers_validate_against_openapi() {
    use fake_github::{answer, answer_errors, link, Req, MAX_COMMENT};
    // A comment as scenarios write it is not what GitHub answers: it lacks
    // `node_id`, `url`, `html_url`, `issue_url`, `created_at`, ...
    let partial = json!({"id": 1, "user": {"login": "mallory"}, "body": "hi"}).to_string();
    let errors = answer_errors("POST", "/repos/acme/shop/issues/7/comments", 201, &partial);
    assert!(errors.iter().any(|e| e.contains("node_id")), "{errors:?}");
    // A list whose comment has a string id and a number for a login.
    let bad = json!([{"id": "1", "user": {"login": 5}}]).to_string();
    assert!(!answer_errors("GET", "/repos/acme/shop/issues/7/comments?page=2", 200, &bad).is_empty());
    // A success status the description does not document.
    assert!(!answer_errors("GET", "/repos/acme/shop/pulls/7/reviews", 202, "[]").is_empty());
    // ... and `assert_matches_openapi` fails on such an answer, or on a request that is no operation.
    let mut req = Req::new("POST", "/repos/acme/shop/issues/7/comments", "");
    req.schema_errors = errors.clone();
    assert_eq!(fake_github::openapi_problems(&[req]), errors);
    let problems = fake_github::openapi_problems(&[Req::new("GET", "/repos/acme/shop/nothing", "")]);
    assert_eq!(problems, ["GET /repos/acme/shop/nothing is not a GitHub API operation"]);

    // The fake's own answers pass: the scenario's partial comment completed, a
    // page with GitHub's `Link` header, a body over GitHub's limit refused with its 422.
    let mut st = State::new("b", "h");
    st.comments = vec![serde_json::from_str(&partial).unwrap()];
    st.timeline.push(labeled("signoff:system-owner", "olivia", AFTER_PUSH));
    st.reviews = vec![review("olivia", "APPROVED", "h")];
    st.merge_sha = "m".into();
    let mut ask = |method: &str, path: &str, body: &str| answer(&mut st, Req::new(method, path, body), "http://gh");
    assert_eq!(
        ask("GET", "/repos/acme/shop/issues/7/comments?per_page=1", "").status,
        200
    );
    let r = ask("GET", "/repos/acme/shop/issues/7/timeline?per_page=1", "");
    let header = |name: &str| r.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
    let page2 = "http://gh/repositories/1000/issues/7/timeline?per_page=1&page=2";
    assert_eq!(
        header("link").unwrap(),
        format!("<{page2}>; rel=\"next\", <{page2}>; rel=\"last\"")
    );
    assert_eq!(header("x-ratelimit-resource").unwrap(), "core");
    let r = ask("GET", page2.trim_start_matches("http://gh"), "");
    assert_eq!(serde_json::from_str::<Value>(&r.body).unwrap()[0]["event"], "labeled");
    for path in [
        "pulls/7",
        "pulls/7/reviews",
        "commits/h/check-suites",
        "commits/m/pulls",
        "collaborators/tom/permission",
        "issues/7/events",
    ] {
        assert_eq!(ask("GET", &format!("/repos/acme/shop/{path}"), "").status, 200);
    }
    // `GET /user`: 403 for the Actions token, the user for a personal one.
    assert_eq!(ask("GET", "/user", "").status, 403);
    st.token_user = Some("release-bot".into());
    let mut ask = |method: &str, path: &str, body: &str| answer(&mut st, Req::new(method, path, body), "http://gh");
    assert_eq!(ask("GET", "/user", "").status, 200);
    let long = json!({"body": "x".repeat(MAX_COMMENT + 1)}).to_string();
    let r = ask("POST", "/repos/acme/shop/issues/7/comments", &long);
    assert_eq!(r.status, 422);
    assert!(r.body.contains("Body is too long (maximum is 65536 characters)"));
    assert_eq!(ask("GET", "/repos/acme/shop/nothing", "").status, 404);
    fake_github::assert_matches_openapi(&st.log[..st.log.len() - 1]);
    assert!(st.log.iter().all(|q| q.schema_errors.is_empty()));

    // GitHub's `Link` format, as recorded by `@octokit/fixtures` for 13 issues, 3 a page.
    let recorded: Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/recorded.json"))
            .unwrap(),
    )
    .unwrap();
    for (i, page) in recorded["links"].as_array().unwrap().iter().enumerate() {
        let issues = "https://api.github.com/repositories/1000/issues";
        assert_eq!(link(issues, "per_page=3", i + 1, 5).as_deref(), page["link"].as_str());
    }
}

/// The demo comment (README, `docs/comment.png`): the demo repository's
/// pull request that contracts `members` and inserts flag rows, with the
/// system owner's sign-off still missing. `SHIPGATE_DEMO_COMMENT=DIR` writes
/// its Markdown and HTML there (`scripts/screenshot-comment.sh`).
#[test]
fn the_demo_comment_leads_with_the_next_step_and_groups_findings_by_file() {
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/demo");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let added = [
        "supabase/migrations/20250301000000_contract_members.sql",
        "supabase/migrations/20250401000000_workspace_flags.sql",
    ];
    git(p, &["init", "-q"]);
    let copy = |rel: &str| {
        let text = std::fs::read_to_string(demo.join(rel)).unwrap();
        let text = if rel == "shipgate.yml" {
            format!("{text}signoff:\n  signers:\n    system-owner:\n      teams: [acme/platform-owners]\n")
        } else {
            text
        };
        write(p, rel, &text);
    };
    let files = git(&demo, &["ls-files", "."]);
    for rel in files.lines().filter(|l| !added.contains(l)) {
        copy(rel);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    git(p, &["checkout", "-qb", "contract-members"]);
    for rel in added {
        copy(rel);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "contract members"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    let r = Repo { dir, base, head };
    let mut st = state(&r);
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", AFTER_PUSH));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let body = comment_body(&server);
    let html = assert_renders_safely(&body, &r.head);
    let at = |rel: &str, line: usize| format!("{SERVER}/acme/shop/blob/{}/{rel}#L{line}", r.head);
    assert!(
        html.contains(&format!("<a href=\"{}\">line 6</a>", at(added[0], 6))),
        "{html}"
    );
    assert!(
        html.contains(&format!("<a href=\"{}\">", at(added[0], 3))),
        "the approval: {html}"
    );
    let first = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s}: {html}"));
    assert!(first("Next step:") < first("<h4>Findings</h4>"), "{html}");
    assert!(first(added[0]) < first(added[1]), "{html}");
    assert!(first("<h4>Findings</h4>") < first("<details>"), "{html}");
    if let Some(out) = std::env::var_os("SHIPGATE_DEMO_COMMENT") {
        let out = Path::new(&out);
        std::fs::write(out.join("comment.md"), &body).unwrap();
        std::fs::write(out.join("comment.html"), &html).unwrap();
    }
}

/// A `pull_request_target` event for #7 from the fork `mallory/shop`.
fn fork_event(r: &Repo) -> Value {
    let mut e = pr_event(r);
    e["pull_request"]["head"]["repo"] = json!({"full_name": "mallory/shop", "fork": true});
    e["pull_request"]["base"]["repo"] = json!({"full_name": "acme/shop", "fork": false});
    e
}

/// The owners' two labels, added at `at`.
fn owner_labels(at: &str) -> [Value; 2] {
    [
        labeled("signoff:system-owner", "olivia", at),
        labeled("signoff:backup-recovery-owner", "bea", at),
    ]
}

/// The reasons the run's JSON report gives for `signoff`'s rejected attempts.
fn reasons(run: &Run, signoff: &str) -> Vec<String> {
    result(run, signoff)["rejected"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| x["reason"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn labels_before_the_head_reached_the_pull_request_from_another_branch_are_stale() {
    // Issue 14, defect 1. The head `c0` is pushed at 0 h. `c1`, a second
    // approved DROP TABLE, is pushed to `wip` at 0.5 h and CI runs there; both
    // sign-off labels are added at 1.0 h; at 2.0 h `c1` is fast-forwarded onto
    // the pull request's branch. The earliest suite of any branch (0.5 h)
    // predates the labels; the push to the pull request (2.0 h) does not.
    let mut r = repo();
    let c0 = r.head.clone();
    push(
        &mut r,
        &[(
            "supabase/migrations/3_drop_legacy.sql".into(),
            "-- MIGRATION_APPROVED: legacy table unused since 1.2\nDROP TABLE legacy_members;\n".into(),
        )],
    );
    let scenario = |label_at: &str| {
        let mut st = state(&r);
        st.timeline = vec![committed(&c0), committed(&r.head)];
        st.timeline.extend(owner_labels(label_at));
        let at = |t: &str| format!("2026-01-01T{t}:00Z");
        st.suites = Some(vec![
            (Some("wip".into()), at("10:30")),
            (Some("feature".into()), at("12:00")),
            (Some("feature".into()), at("12:00")),
            (Some("feature".into()), at("12:00")),
        ]);
        st
    };
    let server = serve(scenario("2026-01-01T11:00:00Z"));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    for s in ["system-owner", "backup-recovery-owner"] {
        assert_eq!(reasons(&run, s), ["stale"], "{}", run.report);
    }
    // The same labels after the push to the pull request count.
    let server = serve(in_order(scenario("2026-01-01T12:30:00Z")));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_met_by_labels(&run);
}

#[test]
fn a_forks_head_is_judged_by_every_suite_and_one_seen_only_elsewhere_is_unknown() {
    let r = repo();
    // A fork's suites have no branch: every one counts.
    let mut st = state(&r);
    st.timeline.extend(owner_labels("2026-01-01T11:00:00Z"));
    st.suites = Some(vec![(None, "2026-01-01T12:00:00Z".into())]);
    let server = serve(st);
    let run = run_event(&r, &server, "5", "pull_request_target", &fork_event(&r));
    run.expect_exit(1);
    assert_eq!(reasons(&run, "system-owner"), ["stale"], "{}", run.report);

    // Not a fork, and GitHub saw the head only on `wip`: when it reached the
    // pull request is unknown, and the timeline's order proves nothing.
    let mut st = labeled_by_owners(&r);
    st.suites = Some(vec![(Some("wip".into()), "2026-01-01T10:30:00Z".into())]);
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert_eq!(reasons(&run, "system-owner"), ["push-time-unknown"], "{}", run.report);
    assert!(
        run.report.to_string().contains("only on other branches"),
        "{}",
        run.report
    );
}

#[test]
fn a_fork_whose_ci_runs_on_push_only_is_told_the_real_cause_not_checks_read() {
    // Issue 14, defect 2: `pull_request_target` from a fork; the head has no
    // check suite in the base repository (200, `total_count: 0`).
    let r = repo();
    let mut st = labeled_by_owners(&r);
    st.suites = Some(vec![]);
    let server = serve(in_order(st));
    let run = run_event(&r, &server, "5", "pull_request_target", &fork_event(&r));
    run.expect_exit(0);
    assert_met_by_labels(&run);
    let warning = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "signoff-push-time-unverified")
        .unwrap_or_else(|| panic!("{}", run.report))
        .to_string();
    assert!(warning.contains("no check suite in this repository"), "{warning}");
    assert!(warning.contains("on `pull_request`"), "{warning}");
    assert!(!warning.contains("checks: read"), "{warning}");
    assert!(!run.stderr.contains("checks: read"), "{}", run.stderr);
}

/// A pull request that adds `file` with `sql` on top of the base of [`repo_with`].
fn repo_adding(base_config: Option<&str>, file: &str, sql: &str) -> Repo {
    let r = repo_with(base_config, None);
    let p = r.dir.path();
    git(p, &["checkout", "-q", "-B", "feature", &r.base]);
    write(p, file, sql);
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "change"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    Repo {
        head,
        base: r.base,
        dir: r.dir,
    }
}

/// The message of the run's `missing-approvals` finding, if any.
fn missing_approvals(run: &Run) -> Option<String> {
    run.report["findings"]
        .as_array()?
        .iter()
        .find(|f| f["rule"] == "missing-approvals")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
}

#[test]
fn every_pull_request_needs_an_approval_of_its_head_and_the_finding_names_who_approved_where() {
    // Both sign-offs by label, but no approving review of the head: olivia
    // approved an older commit, tom (triage) and the author alice the head.
    let r = repo();
    let mut st = labeled_by_owners(&r);
    st.reviews = vec![
        review("olivia", "APPROVED", &r.base),
        review("tom", "APPROVED", &r.head),
        review("alice", "APPROVED", &r.head),
    ];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert_met_by_labels(&run);
    let msg = missing_approvals(&run).unwrap_or_else(|| panic!("{}", run.report));
    assert!(
        msg.contains("needs 1 approving review on its head commit (for `any-change`) and has 0"),
        "{msg}"
    );
    let old = &r.base[..7];
    assert!(
        msg.contains(&format!(
            "approving review by olivia on {old} did not count: the approval is on commit {old}, not the head"
        )),
        "{msg}"
    );
    assert!(msg.contains("approving review by tom on"), "{msg}");
    assert!(msg.contains("their permission is `triage`"), "{msg}");
    assert!(msg.contains("approving review by alice on"), "{msg}");
    assert_eq!(run.report["signoffs"]["approvals"]["needed"], 1, "{}", run.report);
    // With olivia's approval of the head it passes, at no extra request (her permission is read for her label).
    let server = serve(in_order(labeled_by_owners(&r)));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_eq!(run.report["signoffs"]["approvals"]["counted"], json!(["olivia"]));
}

#[test]
fn two_approvals_are_two_distinct_reviewers() {
    let r = repo_with(Some("signoff:\n  min_approvals: {any-change: 2}\n"), None);
    let mut st = approved(&r);
    st.reviews.push(review("olivia", "APPROVED", &r.head));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let msg = missing_approvals(&run).unwrap_or_else(|| panic!("{}", run.report));
    assert!(
        msg.contains("needs 2 approving reviews on its head commit (for `any-change`) and has 1 (by olivia)"),
        "{msg}"
    );
    let mut st = approved(&r);
    st.reviews.push(review("bea", "APPROVED", &r.head));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert_eq!(run.report["signoffs"]["approvals"]["counted"], json!(["bea", "olivia"]));
}

#[test]
fn a_data_correction_needs_the_system_owner_by_default() {
    let r = repo_adding(
        None,
        "supabase/migrations/2_fix.sql",
        "UPDATE members SET email = lower(email) WHERE email IS NOT NULL;\n",
    );
    let server = serve(state(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert_eq!(classes(&run), ["data-correction"], "{}", run.report);
    assert_eq!(result(&run, "system-owner")["classes"], json!(["data-correction"]));
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
}

/// Issues of `acme/shop`: open P0 #12, closed SEV-2 #13, a P1 pull request #14, open P0 and SEV-1 #15.
fn some_issues() -> Vec<Value> {
    vec![
        json!({"number": 12, "title": "Checkout fails for EU cards", "labels": ["P0", "area:checkout"]}),
        json!({"number": 13, "title": "Old outage", "labels": ["SEV-2"], "state": "closed"}),
        json!({"number": 14, "title": "Fix the P1", "labels": ["P1"], "pull_request": true}),
        json!({"number": 15, "title": "Search is down", "labels": ["p0", "SEV-1"]}),
    ]
}

/// The messages of the run's `open-blocking-issues` findings.
fn blocking(run: &Run) -> Vec<String> {
    run.report["findings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| f["rule"] == "open-blocking-issues")
        .map(|f| f["message"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn open_p0_and_sev1_issues_block_a_launch_and_an_unreadable_list_is_exit_3() {
    let r = repo_with(Some("ci:\n  blocking_issues: {on: [any-change]}\n"), None);
    let mut st = approved(&r);
    st.issues = some_issues();
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    assert_eq!(
        blocking(&run),
        [
            "Issue #12 is open with the blocking label `P0` (Checkout fails for EU cards); the launch waits until it is closed",
            "Issue #15 is open with the blocking labels `P0`, `SEV-1` (Search is down); the launch waits until it is closed",
        ],
        "{}",
        run.report
    );
    // One list per label, nothing else.
    let lists = server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .filter(|q| q.path.starts_with("/repos/acme/shop/issues?"))
        .count();
    assert_eq!(lists, 4);

    // The token may not list issues: the gate was not evaluated.
    let mut st = approved(&r);
    st.issues = some_issues();
    st.failures = vec![("/repos/acme/shop/issues?".into(), 403, vec![])];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(3);
    assert!(run.stderr.contains("labelled `P0`"), "{}", run.stderr);
    assert!(run.outputs.contains("error"), "{}", run.outputs);

    // By default an ordinary pull request is no launch: no issue is looked up.
    let r = repo();
    let mut st = approved(&r);
    st.issues = some_issues();
    let server = serve(st);
    run_ci(&r, &server, "5").expect_exit(0);
    assert!(!server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path.contains("/issues?")));
}

#[test]
fn a_push_to_a_release_branch_waits_for_open_p0_issues() {
    let (r, merge) = release_repo(false);
    let mut st = approved(&r);
    st.merge_sha = merge;
    st.issues = some_issues();
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    run.expect_exit(1);
    assert_eq!(blocking(&run).len(), 2, "{}", run.report);
    assert_eq!(run.report["signoffs"]["blocking_issues"][0]["number"], 12);
}

#[test]
fn with_signed_commits_required_each_unverified_commit_is_named_with_githubs_reason() {
    let config = "signoff:\n  require_signed_commits: true\n";
    let r = repo_with(Some(config), None);
    let mut st = approved(&r);
    st.commits = vec![
        (
            "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa".into(),
            false,
            "unsigned".into(),
        ),
        (
            "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            false,
            "unknown_key".into(),
        ),
        (r.head.clone(), true, "valid".into()),
    ];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    run.expect_exit(1);
    let unsigned: Vec<String> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "unsigned-commit")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(unsigned.len(), 2, "{}", run.report);
    assert!(
        unsigned[0].starts_with("Commit `1111111` is not verified by GitHub (`unsigned`)"),
        "{unsigned:?}"
    );
    assert!(
        unsigned[1].contains("`2222222`") && unsigned[1].contains("`unknown_key`"),
        "{unsigned:?}"
    );

    // Every commit verified: it passes, at one more request.
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    run.expect_exit(0);
    assert!(server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path.contains("/pulls/7/commits")));
    // By default no commit is read.
    let r = repo();
    let server = serve(approved(&r));
    run_ci(&r, &server, "5").expect_exit(0);
    assert!(!server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path.contains("/commits?")));

    // When the commits cannot be read, the gate was not evaluated.
    let r = repo_with(Some(config), None);
    let mut st = approved(&r);
    st.failures = vec![("/repos/acme/shop/pulls/7/commits".into(), 403, vec![])];
    let server = serve(st);
    run_ci(&r, &server, "5").expect_exit(3);
}

#[test]
fn a_changed_feature_value_in_a_production_env_file_is_a_flag_change_with_old_and_new_value() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    git(p, &["init", "-q"]);
    write(p, ".env.production", "FEATURE_NEW_CHECKOUT=false\nAPI_URL=https://x\n");
    write(p, "deploy/eu.production.env", "FEATURE_SEARCH_V2=off\n");
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    git(p, &["checkout", "-qb", "feature"]);
    write(p, ".env.production", "FEATURE_NEW_CHECKOUT=true\nAPI_URL=https://y\n");
    write(p, "deploy/eu.production.env", "FEATURE_SEARCH_V2=off\n");
    write(p, ".env.staging", "FEATURE_NEW_CHECKOUT=true\n");
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "turn on the new checkout"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    let r = Repo { dir, base, head };
    let server = serve(approved(&r));
    let run = run_ci(&r, &server, "5");
    assert!(classes(&run).contains(&"flag-change".to_string()), "{}", run.report);
    let changes: Vec<&Value> = run.report["changes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["kind"] == "flag-env-changed")
        .collect();
    assert_eq!(changes.len(), 1, "only .env.production changed a value: {}", run.report);
    assert_eq!(changes[0]["flag"], "new_checkout");
    assert_eq!(changes[0]["fields"]["value"], json!({"from": "false", "to": "true"}));
    let body = comment_body(&server);
    assert!(body.contains("value: false → true"), "{body}");
    let row = "| flag-env-changed | new&#95;checkout | value: false → true | [.env.production:1](";
    assert!(body.contains(row), "{body}");
    let html = assert_renders_safely(&body, &r.head);
    assert!(
        html.contains(&format!("/blob/{}/.env.production#L1\">", r.head)),
        "{html}"
    );
}

#[test]
fn turning_on_a_release_flag_in_production_before_its_rollout_exposes_anyone_is_an_error() {
    let manifest = |current: &str| {
        format!(
            "version: 1\nfeature: checkout\nowner: \"@payments\"\nflag: new_checkout\ncurrent_phase: {current}\nphases:\n  \
             - name: dark\n    audience: {{ percentage: 0 }}\n    bake: 1d\n  \
             - name: canary\n    audience: {{ percentage: 5 }}\n    bake: 1d\n    exit: [{{ metric: error_rate, max: 1% }}]\n    \
             rollback: [{{ metric: error_rate, above: 2%, window: 15m }}]\n"
        )
    };
    for (current, fires) in [("dark", true), ("canary", false)] {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        git(p, &["init", "-q"]);
        write(
            p,
            "docs/flags.md",
            "| Flag | Owner | Default | Type |\n|---|---|---|---|\n| `new_checkout` | @payments | off | release |\n",
        );
        write(p, "rollouts/checkout.yml", manifest(current));
        write(p, ".env.production", "FEATURE_NEW_CHECKOUT=false\n");
        git(p, &["add", "."]);
        git(p, &["commit", "-qm", "base"]);
        let base = git(p, &["rev-parse", "HEAD"]);
        git(p, &["checkout", "-qb", "feature"]);
        write(p, ".env.production", "FEATURE_NEW_CHECKOUT=true\n");
        git(p, &["commit", "-qam", "turn on the new checkout"]);
        let head = git(p, &["rev-parse", "HEAD"]);
        let r = Repo { dir, base, head };
        let server = serve(approved(&r));
        let run = run_ci(&r, &server, "5");
        let found: Vec<&Value> = run.report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["rule"] == "flag-env-default-mismatch")
            .collect();
        assert_eq!(found.len(), usize::from(fires), "{current}: {}", run.report);
        if fires {
            run.expect_exit(1);
            assert_eq!(found[0]["file"], ".env.production");
            assert!(found[0]["message"]
                .as_str()
                .unwrap()
                .contains("`FEATURE_NEW_CHECKOUT=true` turns on the release flag `new_checkout`"));
        }
    }
}

/// A pull request that removes the last code reference of the kill switch
/// `ingestion_enabled`, and its registry row when `remove_row`.
fn kill_switch_repo(remove_row: bool) -> Repo {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    let table = "| Flag | Owner | Default | Type | Status | Remove by | Replaced by |\n|---|---|---|---|---|---|---|\n";
    git(p, &["init", "-q"]);
    write(p, "src/a.ts", "isEnabled(\"ingestion_enabled\");\n");
    write(
        p,
        "docs/flags.md",
        format!("{table}| `ingestion_enabled` | @sre | on | kill-switch | permanent | | |\n"),
    );
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "base"]);
    let base = git(p, &["rev-parse", "HEAD"]);
    git(p, &["checkout", "-qb", "feature"]);
    write(p, "src/a.ts", "ingest();\n");
    if remove_row {
        write(p, "docs/flags.md", table);
    }
    git(p, &["add", "."]);
    git(p, &["commit", "-qm", "remove the ingestion kill switch"]);
    let head = git(p, &["rev-parse", "HEAD"]);
    Repo { dir, base, head }
}

#[test]
fn a_removed_kill_switch_blocks_until_the_kill_switch_change_sign_off() {
    blocked_until_kill_switch_change(&kill_switch_repo(true));
}

#[test]
fn a_kill_switch_losing_its_last_code_reference_blocks_until_the_kill_switch_change_sign_off() {
    // The registry row stays; only the code that reads the flag goes.
    blocked_until_kill_switch_change(&kill_switch_repo(false));
}

/// `kill-switch-removed` blocks `r` without a sign-off, and the System
/// Owner's `kill-switch-change` sign-off approves it.
fn blocked_until_kill_switch_change(r: &Repo) {
    let server = serve(state(r));
    let run = run_ci(r, &server, "5");
    run.expect_exit(1);
    assert!(
        classes(&run).contains(&"kill-switch-change".to_string()),
        "{}",
        run.report
    );
    let removed: Vec<&Value> = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["rule"] == "kill-switch-removed")
        .collect();
    assert_eq!(removed.len(), 1, "{}", run.report);
    assert_eq!(removed[0]["approved"], false);
    assert!(
        removed[0]["message"]
            .as_str()
            .unwrap()
            .contains("kill switch `ingestion_enabled`"),
        "{}",
        removed[0]
    );

    // The System Owner's sign-off (olivia's approving review of the head) approves it.
    let server = serve(approved(r));
    let run = run_ci(r, &server, "5");
    run.expect_exit(0);
    let removed = run.report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["rule"] == "kill-switch-removed")
        .unwrap();
    assert_eq!(removed["approved"], true, "{removed}");
    assert!(
        removed["approval_reason"]
            .as_str()
            .unwrap()
            .starts_with("signed off as `kill-switch-change` by `system-owner` (approving review by olivia"),
        "{removed}"
    );
}
