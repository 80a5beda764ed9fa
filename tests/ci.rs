//! `shipgate ci` as Actions runs it, against a local HTTP server that plays
//! GitHub with responses shaped like GitHub's documented ones. Every request
//! the binary makes must match an operation of GitHub's OpenAPI description
//! (`tests/fixtures/github/openapi-ops.json`).

mod common;
use common::{git, write};

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

const TOKEN: &str = "ghs_SECRETTOKEN1234567890";
const BOT: &str = "github-actions[bot]";

#[derive(Debug, Clone)]
struct Req {
    method: String,
    path: String,
    body: String,
    auth: Option<String>,
}

struct Resp {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    /// Answer this late (after the state is updated): a timeout.
    delay: Option<std::time::Duration>,
}

fn ok(v: Value) -> Resp {
    status(200, v)
}

fn status(code: u16, v: Value) -> Resp {
    Resp {
        status: code,
        headers: vec![],
        body: v.to_string(),
        delay: None,
    }
}

/// A canned failure: path prefix, status, headers.
type Failure = (String, u16, Vec<(String, String)>);

/// What the fake GitHub knows about pull request #7.
struct State {
    base: String,
    head: String,
    timeline: Vec<Value>,
    reviews: Vec<Value>,
    comments: Vec<Value>,
    /// Answers to send before the real one, by path prefix, with headers.
    failures: Vec<Failure>,
    /// The first comment POST succeeds but answers too late.
    slow_post: bool,
    /// The merge commit of pull request #7 on the release branch, if merged.
    merge_sha: String,
    /// When GitHub first saw the head commit (its check suite).
    head_seen: String,
    /// 500 on every request.
    down: bool,
    /// 403 on posting comments (a fork's read-only token).
    read_only: bool,
    log: Vec<Req>,
    next_id: u64,
}

struct Server {
    url: String,
    state: Arc<Mutex<State>>,
}

fn serve(state: State) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let state = Arc::new(Mutex::new(state));
    let st = state.clone();
    let base_url = url.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let st = st.clone();
            let base_url = base_url.clone();
            std::thread::spawn(move || {
                let mut reader = BufReader::new(conn.try_clone().unwrap());
                let mut line = String::new();
                if reader.read_line(&mut line).is_err() || line.is_empty() {
                    return;
                }
                let mut parts = line.split_whitespace();
                let method = parts.next().unwrap_or("").to_string();
                let path = parts.next().unwrap_or("").to_string();
                let mut len = 0;
                let mut auth = None;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                    let v = v.trim().to_string();
                    match k.to_ascii_lowercase().as_str() {
                        "content-length" => len = v.parse().unwrap_or(0),
                        "authorization" => auth = Some(v),
                        _ => {}
                    }
                }
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                let req = Req {
                    method,
                    path,
                    body: String::from_utf8_lossy(&body).into_owned(),
                    auth,
                };
                let resp = {
                    let mut s = st.lock().unwrap();
                    s.log.push(req.clone());
                    route(&mut s, &req, &base_url)
                };
                let mut out = format!(
                    "HTTP/1.1 {} X\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp.status,
                    resp.body.len()
                );
                for (k, v) in &resp.headers {
                    out.push_str(&format!("{k}: {v}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&resp.body);
                if let Some(d) = resp.delay {
                    std::thread::sleep(d);
                }
                let _ = conn.write_all(out.as_bytes());
            });
        }
    });
    Server { url, state }
}

fn route(s: &mut State, req: &Req, url: &str) -> Resp {
    if req.auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return status(401, json!({"message": "Bad credentials"}));
    }
    if s.down {
        return status(500, json!({"message": "Server Error"}));
    }
    if let Some(i) = s.failures.iter().position(|(p, _, _)| req.path.starts_with(p.as_str())) {
        let (_, code, headers) = s.failures.remove(i);
        let mut r = status(code, json!({"message": "Bad Gateway"}));
        r.headers = headers;
        return r;
    }
    let (path, query) = req.path.split_once('?').unwrap_or((&req.path, ""));
    let page: usize = query
        .split('&')
        .find_map(|kv| kv.strip_prefix("page="))
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["graphql"]) => ok(json!({"data": {"viewer": {"login": BOT}}})),
        ("GET", ["repos", "acme", "shop", "pulls", "7"]) => ok(json!({
            "number": 7, "state": "open", "title": "Drop email",
            "user": {"login": "alice", "id": 1, "type": "User"},
            "head": {"sha": s.head, "ref": "feature"}, "base": {"sha": s.base, "ref": "main"},
            "merged_at": if s.merge_sha.is_empty() { Value::Null } else { json!("2026-01-10T00:00:00Z") }
        })),
        ("GET", ["repos", "acme", "shop", "issues", "7", "timeline"]) => ok(Value::Array(s.timeline.clone())),
        ("GET", ["repos", "acme", "shop", "pulls", "7", "reviews"]) => ok(Value::Array(s.reviews.clone())),
        ("GET", ["repos", "acme", "shop", "collaborators", user, "permission"]) => {
            let role = match *user {
                "olivia" | "bea" => "maintain",
                "alice" => "write",
                "tom" => "triage",
                _ => return status(404, json!({"message": "Not Found"})),
            };
            let legacy = if role == "triage" { "read" } else { "write" };
            ok(json!({"permission": legacy, "role_name": role, "user": {"login": user}}))
        }
        ("GET", ["orgs", "acme", "teams", "owners", "memberships", "olivia"]) => {
            ok(json!({"url": "", "role": "member", "state": "active"}))
        }
        ("GET", ["repos", "acme", "shop", "commits", sha, "pulls"]) => {
            if *sha == s.merge_sha {
                ok(
                    json!([{"number": 7, "state": "closed", "merged_at": "2026-01-10T00:00:00Z",
                           "merge_commit_sha": sha, "user": {"login": "alice"}}]),
                )
            } else {
                ok(json!([]))
            }
        }
        ("GET", ["repos", "acme", "shop", "commits", sha, "check-suites"]) => ok(json!({
            "total_count": 1,
            "check_suites": [{"id": 5, "node_id": "CS_1", "head_branch": "feature", "head_sha": sha,
                              "status": "completed", "conclusion": "success",
                              "created_at": s.head_seen, "updated_at": s.head_seen}]
        })),
        ("GET", ["repos", "acme", "shop", "issues", "7", "comments"]) => {
            let per = 100;
            let items: Vec<Value> = s.comments.iter().skip((page - 1) * per).take(per).cloned().collect();
            let mut r = ok(Value::Array(items));
            if s.comments.len() > page * per {
                r.headers.push((
                    "Link".into(),
                    format!(
                        "<{url}/repos/acme/shop/issues/7/comments?per_page=100&page={}>; rel=\"next\"",
                        page + 1
                    ),
                ));
            }
            r
        }
        ("POST", ["repos", "acme", "shop", "issues", "7", "comments"]) => {
            if s.read_only {
                return status(403, json!({"message": "Resource not accessible by integration"}));
            }
            let body: Value = serde_json::from_str(&req.body).unwrap();
            s.next_id += 1;
            let c = json!({"id": s.next_id, "user": {"login": BOT}, "body": body["body"]});
            s.comments.push(c.clone());
            let mut r = status(201, c);
            if std::mem::take(&mut s.slow_post) {
                r.delay = Some(std::time::Duration::from_secs(3));
            }
            r
        }
        ("PATCH", ["repos", "acme", "shop", "issues", "comments", id]) => {
            let body: Value = serde_json::from_str(&req.body).unwrap();
            let id: u64 = id.parse().unwrap();
            match s.comments.iter_mut().find(|c| c["id"] == id) {
                Some(c) => {
                    c["body"] = body["body"].clone();
                    ok(c.clone())
                }
                None => status(404, json!({"message": "Not Found"})),
            }
        }
        _ => status(404, json!({"message": "Not Found"})),
    }
}

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
    State {
        base: r.base.clone(),
        head: r.head.clone(),
        timeline: vec![committed(&r.head)],
        reviews: vec![],
        comments: vec![],
        failures: vec![],
        slow_post: false,
        head_seen: "2026-01-01T12:00:00Z".into(),
        merge_sha: String::new(),
        down: false,
        read_only: false,
        log: vec![],
        next_id: 100,
    }
}

fn committed(sha: &str) -> Value {
    json!({"event": "committed", "sha": sha, "node_id": "C_1",
           "author": {"name": "a", "email": "a@x", "date": "2030-01-01T00:00:00Z"},
           "committer": {"name": "a", "email": "a@x", "date": "2030-01-01T00:00:00Z"},
           "message": "m", "url": "", "html_url": "", "tree": {"sha": sha, "url": ""}, "parents": [], "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null}})
}

fn labeled(label: &str, actor: &str, at: &str) -> Value {
    json!({"id": 1, "node_id": "LE_1", "url": "", "event": "labeled", "commit_id": null, "commit_url": null,
           "created_at": at, "actor": {"login": actor, "id": 2, "type": "User"},
           "label": {"name": label, "color": "ededed"}, "performed_via_github_app": null})
}

fn review(user: &str, state: &str, commit: &str) -> Value {
    json!({"id": 80, "node_id": "PRR_1", "user": {"login": user, "id": 3, "type": "User"}, "body": "",
           "state": state, "commit_id": commit, "submitted_at": "2026-01-02T00:00:00Z",
           "html_url": "", "pull_request_url": "", "author_association": "MEMBER",
           "_links": {"html": {"href": ""}, "pull_request": {"href": ""}}})
}

struct Run {
    out: Output,
    report: Value,
    stdout: String,
    stderr: String,
    outputs: String,
    summary: String,
}

fn run_ci(r: &Repo, server: &Server, budget: &str) -> Run {
    let event = json!({"action": "synchronize", "number": 7, "pull_request": {
        "number": 7, "user": {"login": "alice"},
        "base": {"sha": r.base, "ref": "main"}, "head": {"sha": r.head, "ref": "feature"},
        "labels": [{"name": "signoff:system-owner"}, {"name": "signoff:backup-recovery-owner"}]}});
    run_event(r, server, budget, "pull_request", &event)
}

fn run_event(r: &Repo, server: &Server, budget: &str, name: &str, payload: &Value) -> Run {
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
        .current_dir(p)
        .env("NO_COLOR", "1")
        .env("GITHUB_EVENT_NAME", name)
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", "acme/shop")
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
        out,
        stdout,
        stderr,
    };
    if matches!(run.out.status.code(), Some(0 | 1)) {
        let sarif: Value = serde_json::from_str(&read(&sarif)).expect("SARIF is JSON");
        assert_eq!(sarif["version"], "2.1.0");
    }
    let requests = server.state.lock().unwrap().log.len();
    eprintln!("requests this run: {requests}");
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
    assert_matches_openapi(&server.state.lock().unwrap().log);
    run
}

/// Every request matches an operation (method and path template) of GitHub's OpenAPI description.
fn assert_matches_openapi(log: &[Req]) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/openapi-ops.json"))
            .unwrap();
    let ops: Value = serde_json::from_str(&text).unwrap();
    let ops = ops["operations"].as_array().unwrap();
    for req in log {
        let path = req.path.split('?').next().unwrap();
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let found = ops.iter().any(|op| {
            let tpl: Vec<&str> = op["path"]
                .as_str()
                .unwrap()
                .trim_start_matches('/')
                .split('/')
                .collect();
            op["method"].as_str().unwrap().eq_ignore_ascii_case(&req.method)
                && tpl.len() == segs.len()
                && tpl
                    .iter()
                    .zip(&segs)
                    .all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s)
        });
        assert!(found, "{} {} is not a GitHub API operation", req.method, path);
    }
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
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}{}", run.stdout, run.stderr);
    assert_eq!(run.report["verdict"], "pass");
    assert!(
        !rules(&run.report).contains(&"missing-signoff".to_string()),
        "{}",
        run.report
    );
    let classes: Vec<&str> = run.report["signoffs"]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"].as_str().unwrap())
        .collect();
    assert_eq!(classes, ["schema-destructive"]);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments.len(), 1);
    let body = s.comments[0]["body"].as_str().unwrap();
    assert!(body.starts_with("<!-- shipgate:summary -->"), "{body}");
    assert!(body.contains("met by approving review by olivia"), "{body}");
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
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
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
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.report.to_string().contains("before the latest push"),
        "{}",
        run.report
    );
}

#[test]
fn a_502_then_success_is_retried() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    st.failures = vec![("/repos/acme/shop/pulls/7".into(), 502, vec![])];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_permanent_500_is_exit_3_never_a_pass() {
    let r = repo();
    let mut st = state(&r);
    st.down = true;
    let server = serve(st);
    let run = run_ci(&r, &server, "1");
    assert_eq!(run.out.status.code(), Some(3), "{}{}", run.stdout, run.stderr);
    assert!(run.stderr.contains("answered 500"), "{}", run.stderr);
    assert!(run.outputs.contains("verdict=error"), "{}", run.outputs);
    assert!(run.stderr.contains("GitHub API requests"), "{}", run.stderr);
}

#[test]
fn a_marker_planted_by_another_user_is_not_edited() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    st.comments = vec![json!({"id": 1, "user": {"login": "mallory"}, "body": "<!-- shipgate:summary --> all good"})];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}", run.stderr);
    let s = server.state.lock().unwrap();
    assert_eq!(s.comments[0]["body"], "<!-- shipgate:summary --> all good");
    assert_eq!(s.comments.len(), 2);
    assert!(!s.log.iter().any(|q| q.method == "PATCH"));
}

#[test]
fn the_own_comment_is_found_beyond_the_first_page_and_edited() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    st.comments = (1..=150)
        .map(|i| json!({"id": i, "user": {"login": "someone"}, "body": "lgtm"}))
        .collect();
    st.comments
        .push(json!({"id": 999, "user": {"login": BOT}, "body": "<!-- shipgate:summary -->\nold"}));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}", run.stderr);
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
    assert_eq!(run.out.status.code(), Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("workflow_run"), "{}", run.stderr);
    assert!(run.outputs.contains("blocked"), "{}", run.outputs);
}

#[test]
fn rate_limits_are_waited_out() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let reset = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    st.failures = vec![
        (
            "/repos/acme/shop/pulls/7".into(),
            403,
            vec![
                ("x-ratelimit-remaining".into(), "0".into()),
                ("x-ratelimit-reset".into(), reset.to_string()),
            ],
        ),
        (
            "/repos/acme/shop/issues/7/timeline".into(),
            429,
            vec![("retry-after".into(), "1".into())],
        ),
    ];
    let server = serve(st);
    let started = std::time::Instant::now();
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}", run.stderr);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
}

#[test]
fn a_comment_post_that_timed_out_is_looked_up_not_posted_twice() {
    let r = repo();
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    st.slow_post = true;
    let server = serve(st);
    let run = run_ci(&r, &server, "4");
    assert_eq!(run.out.status.code(), Some(0), "{}", run.stderr);
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
    let o = Command::new(env!("CARGO_BIN_EXE_shipgate"))
        .args(["ci"])
        .current_dir(r.dir.path())
        .env("GITHUB_EVENT_NAME", "deployment")
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("`deployment`"), "{err}");
    assert!(!err.contains(TOKEN));
}

#[test]
fn the_policy_comes_from_the_base_commit_and_team_signers_are_checked() {
    let base = "signoff:\n  signers:\n    system-owner:\n      teams: [acme/owners]\n";
    let relaxed = "signoff:\n  require:\n    schema-destructive: []\n    gate-config-change: []\n";
    let r = repo_with(Some(base), Some(relaxed));
    // bea (maintain, not in acme/owners) approves: enough for backup-recovery-owner only.
    let mut st = state(&r);
    st.reviews = vec![review("bea", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
    let classes = &run.report["signoffs"]["classes"];
    assert_eq!(classes[0]["class"], "schema-destructive", "{classes}");
    assert_eq!(classes[0]["required"], json!(["system-owner", "backup-recovery-owner"]));
    assert_eq!(classes[1]["class"], "gate-config-change", "{classes}");
    let results = &run.report["signoffs"]["results"];
    assert_eq!(results[0]["signoff"], "system-owner");
    assert_eq!(results[0]["outcome"], "missing");
    assert_eq!(results[1]["outcome"], "met", "{results}");
    assert!(server
        .state
        .lock()
        .unwrap()
        .log
        .iter()
        .any(|q| q.path == "/orgs/acme/teams/owners/memberships/bea"));

    // olivia is in acme/owners: her approval on the head meets both.
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}{}", run.stdout, run.stderr);
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
    assert_eq!(run.out.status.code(), Some(1), "{}", run.stderr);
    assert!(
        run.report.to_string().contains("before the latest push"),
        "{}",
        run.report
    );
}

#[test]
fn labels_by_owners_after_the_push_pass() {
    let r = repo();
    let mut st = state(&r);
    st.timeline
        .push(labeled("signoff:system-owner", "olivia", "2026-01-02T00:00:00Z"));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", "2026-01-02T00:00:00Z"));
    let server = serve(st);
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(0), "{}", run.stderr);
    let body = server.state.lock().unwrap().comments[0]["body"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(body.contains("met by label"), "{body}");
}

#[test]
fn a_merge_group_checks_the_queued_pull_request_on_its_head() {
    let r = repo();
    let event = json!({"action": "checks_requested", "merge_group": {
        "head_sha": r.head, "base_sha": r.base, "base_ref": "refs/heads/main",
        "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-7-{}", r.base),
        "head_commit": {"id": r.head, "message": "m"}}});
    let mut st = state(&r);
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_event(&r, &server, "5", "merge_group", &event);
    assert_eq!(run.out.status.code(), Some(0), "{}{}", run.stdout, run.stderr);
    assert!(
        server.state.lock().unwrap().comments.is_empty(),
        "no comment from the queue"
    );

    // Without the review the queue is blocked.
    let server = serve(state(&r));
    let run = run_event(&r, &server, "5", "merge_group", &event);
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
}

#[test]
fn a_checkout_without_the_head_is_a_usage_error_not_a_pass() {
    let r = repo();
    // pull_request_target checks out the base by default.
    git(r.dir.path(), &["checkout", "-q", &r.base]);
    let server = serve(state(&r));
    let run = run_ci(&r, &server, "5");
    assert_eq!(run.out.status.code(), Some(2), "{}", run.stderr);
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
    assert_eq!(run.out.status.code(), Some(0), "{}{}", run.stdout, run.stderr);
    let prs = &run.report["signoffs"]["release"]["pull_requests"];
    assert_eq!(prs[0]["pull_request"], 7, "{}", run.report);
    assert_eq!(prs[0]["classes"][0]["class"], "schema-destructive");

    // Labels added after the merge do not count.
    let mut st = state(&r);
    st.merge_sha = merge;
    st.timeline
        .push(labeled("signoff:system-owner", "olivia", "2026-01-11T00:00:00Z"));
    st.timeline
        .push(labeled("signoff:backup-recovery-owner", "bea", "2026-01-11T00:00:00Z"));
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.report.to_string().contains("Pull request #7: Sign-off"),
        "{}",
        run.report
    );
}

#[test]
fn a_commit_pushed_to_a_release_branch_without_a_pull_request_blocks() {
    let (r, merge) = release_repo(true);
    let mut st = state(&r);
    st.merge_sha = merge;
    st.reviews = vec![review("olivia", "APPROVED", &r.head)];
    let server = serve(st);
    let run = run_event(&r, &server, "5", "push", &push_event());
    assert_eq!(run.out.status.code(), Some(1), "{}{}", run.stdout, run.stderr);
    assert!(
        run.report.to_string().contains("without a pull request"),
        "{}",
        run.report
    );
}
