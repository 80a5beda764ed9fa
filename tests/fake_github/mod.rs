//! A local HTTP server that plays GitHub for `tests/ci.rs`: pull request #7
//! of `acme/shop`, its timeline, reviews, comments and collaborators.
//!
//! It answers as GitHub documents it, not as shipgate expects it: every
//! request must match an operation of GitHub's OpenAPI description and every
//! answer is validated against that operation's response schema for the
//! status sent (`tests/fixtures/github/openapi-ops.json`, extracted by
//! `scripts/extract-openapi.mjs`); a violation is recorded on the request in
//! the log and fails `assert_matches_openapi`. Users, labels, the repository
//! and the 422 body are built from answers GitHub really gave
//! (`tests/fixtures/github/recorded.json`, from `@octokit/fixtures`); the
//! other objects are written from the schemas. Lists are paginated with
//! `per_page` and `page` and GitHub's `Link` header, every answer carries the
//! rate-limit headers, errors GitHub's error bodies.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use serde_json::{json, Value};

pub const TOKEN: &str = "ghs_SECRETTOKEN1234567890";
/// The REST login of the token's identity (`GITHUB_TOKEN` is the GitHub Actions app).
pub const BOT: &str = "github-actions[bot]";
/// The id of `acme/shop`: GitHub's `Link` headers name the repository by it
/// (`/repositories/{id}/...`), not by owner and name.
pub const REPO_ID: u64 = 1000;
/// GitHub's limit on a comment body, in characters.
pub const MAX_COMMENT: usize = 65_536;

const API: &str = "https://api.github.com";
const WEB: &str = "https://github.com";
const REST_DOCS: &str = "https://docs.github.com/rest";
const RATE_LIMIT_DOCS: &str = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api";
const SECONDARY_DOCS: &str =
    "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits";
const CREATE_COMMENT_DOCS: &str = "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const UPDATE_COMMENT_DOCS: &str = "https://docs.github.com/rest/issues/comments#update-an-issue-comment";

#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub body: String,
    pub auth: Option<String>,
    /// The status answered (0 until answered).
    pub status: u16,
    /// Where the answer breaks GitHub's response schema for the operation and status.
    pub schema_errors: Vec<String>,
}

impl Req {
    pub fn new(method: &str, path: &str, body: &str) -> Req {
        Req {
            method: method.to_string(),
            path: path.to_string(),
            body: body.to_string(),
            auth: Some(format!("Bearer {TOKEN}")),
            status: 0,
            schema_errors: vec![],
        }
    }
}

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    /// Answer this late (after the state is updated): a timeout.
    pub delay: Option<std::time::Duration>,
}

pub fn ok(v: Value) -> Resp {
    status(200, v)
}

pub fn status(code: u16, v: Value) -> Resp {
    Resp {
        status: code,
        headers: vec![],
        body: v.to_string(),
        delay: None,
    }
}

/// GitHub's error body: `{"message", "documentation_url", "status"}`.
pub fn error(code: u16, message: &str, docs: &str) -> Resp {
    status(
        code,
        json!({"message": message, "documentation_url": docs, "status": code.to_string()}),
    )
}

/// A canned failure: path prefix, status, headers. The body is GitHub's for
/// the status and headers (see `failure`).
pub type Failure = (String, u16, Vec<(String, String)>);

/// What the fake GitHub knows about pull request #7.
pub struct State {
    pub base: String,
    pub head: String,
    pub timeline: Vec<Value>,
    pub reviews: Vec<Value>,
    /// Comments on #7, full or partial (`{"id", "user": {"login"}, "body"}`):
    /// answers complete them into GitHub's issue comment objects.
    pub comments: Vec<Value>,
    /// Answers to send before the real one, by path prefix, with headers.
    pub failures: Vec<Failure>,
    /// The first comment POST succeeds but answers too late.
    pub slow_post: bool,
    /// The merge commit of pull request #7 on the release branch, if merged.
    pub merge_sha: String,
    /// When GitHub first saw the head commit (its check suite).
    pub head_seen: String,
    /// The head's check suites, as (`head_branch`, `created_at`); `None`: one
    /// on `feature` at `head_seen`. A suite of another branch, or of none (a
    /// fork's), lists no pull request.
    pub suites: Option<Vec<(Option<String>, String)>>,
    /// Issues and pull requests of `acme/shop` as the issues list shows
    /// them, partial (`{"number", "title", "labels": ["P0"], "state", "pull_request": true}`).
    pub issues: Vec<Value>,
    /// The commits of #7 as (sha, `verified`, `reason`); empty: the head alone, verified.
    pub commits: Vec<(String, bool, String)>,
    /// 500 on every request.
    pub down: bool,
    /// 403 on posting comments (a fork's read-only token).
    pub read_only: bool,
    /// The repository was renamed: `/repos/acme/shop/...` redirects to
    /// `/repositories/{REPO_ID}/...` (301 for GET, 307 otherwise).
    pub moved: bool,
    /// Every request, with the status answered and the answer's schema violations.
    pub log: Vec<Req>,
    pub next_id: u64,
    /// `x-ratelimit-reset`: when the rate-limit window ends (UTC epoch seconds).
    pub rate_reset: u64,
    /// The token is this user's personal token: `GET /user` and GraphQL's
    /// viewer name them, and their comments are the token's. `None`: the
    /// Actions token ([`BOT`]), which `GET /user` refuses with 403.
    pub token_user: Option<String>,
    /// GraphQL refuses `viewer` (`errors`, no `data`), as for a token it does not serve.
    pub graphql_refuses: bool,
}

pub struct Server {
    pub url: String,
    pub state: Arc<Mutex<State>>,
}

pub fn serve(state: State) -> Server {
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
                let method = parts.next().unwrap_or("");
                let path = parts.next().unwrap_or("");
                let mut req = Req::new(method, path, "");
                req.auth = None;
                let mut len = 0;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h == "\r\n" || h.is_empty() {
                        break;
                    }
                    let (k, v) = h.split_once(':').unwrap_or((&h, ""));
                    let v = v.trim().to_string();
                    match k.to_ascii_lowercase().as_str() {
                        "content-length" => len = v.parse().unwrap_or(0),
                        "authorization" => req.auth = Some(v),
                        _ => {}
                    }
                }
                let mut body = vec![0; len];
                let _ = reader.read_exact(&mut body);
                req.body = String::from_utf8_lossy(&body).into_owned();
                let resp = answer(&mut st.lock().unwrap(), req, &base_url);
                let mut out = format!(
                    "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                    resp.status,
                    reason(resp.status),
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

/// Logs `req`, answers it, adds GitHub's standard headers and validates the
/// answer against the description (violations go on the logged request).
pub fn answer(s: &mut State, mut req: Req, url: &str) -> Resp {
    s.log.push(req.clone());
    let mut resp = route(s, &req, url);
    let mut headers = standard_headers(s, &req);
    for (k, v) in std::mem::take(&mut resp.headers) {
        headers.retain(|(h, _)| !h.eq_ignore_ascii_case(&k));
        headers.push((k, v));
    }
    resp.headers = headers;
    req.status = resp.status;
    req.schema_errors = answer_errors(&req.method, &req.path, resp.status, &resp.body);
    *s.log.last_mut().unwrap() = req;
    resp
}

/// The headers GitHub sends with every answer: JSON content type, request id and rate limit.
fn standard_headers(s: &State, req: &Req) -> Vec<(String, String)> {
    let resource = |r: &Req| {
        if r.path.starts_with("/graphql") {
            "graphql"
        } else {
            "core"
        }
    };
    let used = s.log.iter().filter(|r| resource(r) == resource(req)).count();
    let limit = 5000;
    [
        ("content-type", "application/json; charset=utf-8".to_string()),
        ("x-github-media-type", "github.v3; format=json".into()),
        ("x-github-api-version-selected", "2022-11-28".into()),
        ("x-github-request-id", request_id(s.log.len())),
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", (limit - used).to_string()),
        ("x-ratelimit-reset", s.rate_reset.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-resource", resource(req).into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// GitHub's `x-github-request-id` shape (`C0F4:3E1A5B:1B2C3D4:1C2D3E4:65A1B2C3`) for the `n`th request.
fn request_id(n: usize) -> String {
    let h = id_of(&n.to_string());
    format!(
        "{:04X}:{:05X}:{:07X}:{:07X}:{:08X}",
        h % 0xFFFF,
        h % 0xFFFFF,
        h % 0xFFFFFFF,
        n,
        h % 0xFFFFFFFF
    )
}

/// The reason phrase of a status line.
fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        201 => "Created",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

/// `/repositories/{REPO_ID}/...` (the form of GitHub's `Link` URLs) as `/repos/acme/shop/...`.
fn canonical(path: &str) -> String {
    match path.strip_prefix(&format!("/repositories/{REPO_ID}/")) {
        Some(rest) => format!("/repos/acme/shop/{rest}"),
        None => path.to_string(),
    }
}

/// The answer to a canned failure: GitHub's body for the status and headers.
fn failure(s: &State, code: u16, headers: Vec<(String, String)>) -> Resp {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    };
    let mut r = match code {
        403 | 429 if header("x-ratelimit-remaining") == Some("0") => {
            let mut r = error(
                code,
                "API rate limit exceeded for installation ID 1234.",
                RATE_LIMIT_DOCS,
            );
            r.headers.push(("x-ratelimit-used".into(), "5000".into()));
            r
        }
        403 if header("retry-after").is_none() => error(403, "Resource not accessible by integration", REST_DOCS),
        403 | 429 => error(
            code,
            &format!(
                "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. \
                 If you reach out to GitHub Support for help, please include the request ID {}.",
                request_id(s.log.len())
            ),
            SECONDARY_DOCS,
        ),
        // GitHub's load balancers answer 502 and 504 with an HTML page.
        502 | 504 => Resp {
            status: code,
            headers: vec![("content-type".into(), "text/html".into())],
            body: format!("<html><body><h1>{code} {}</h1></body></html>\n", reason(code)),
            delay: None,
        },
        500 => status(500, json!({"message": "Server Error"})),
        _ => error(code, reason(code), REST_DOCS),
    };
    r.headers.extend(headers);
    r
}

/// GitHub's answer to `req` (without the standard headers `answer` adds); `url` is the server's origin.
pub fn route(s: &mut State, req: &Req, url: &str) -> Resp {
    if req.auth.as_deref() != Some(&format!("Bearer {TOKEN}")) {
        return error(401, "Bad credentials", REST_DOCS);
    }
    if s.down {
        return status(500, json!({"message": "Server Error"}));
    }
    if let Some(rest) = req.path.strip_prefix("/repos/acme/shop/").filter(|_| s.moved) {
        let to = format!("{url}/repositories/{REPO_ID}/{rest}");
        let code = if req.method == "GET" { 301 } else { 307 };
        let mut r = status(
            code,
            json!({"message": "Moved Permanently", "url": to,
                   "documentation_url": "https://docs.github.com/rest/guides/best-practices-for-using-the-rest-api#follow-redirects"}),
        );
        r.headers.push(("location".into(), to));
        return r;
    }
    let full = canonical(&req.path);
    if let Some(i) = s.failures.iter().position(|(p, _, _)| full.starts_with(p.as_str())) {
        let (_, code, headers) = s.failures.remove(i);
        return failure(s, code, headers);
    }
    let (path, query) = full.split_once('?').unwrap_or((&full, ""));
    let list = |items: Vec<Value>| page(items, path, query, url);
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segs.as_slice()) {
        ("POST", ["graphql"]) if s.graphql_refuses => ok(json!({"errors": [{"type": "FORBIDDEN",
            "path": ["viewer"], "locations": [{"line": 1, "column": 9}],
            "message": "Resource not accessible by integration"}]})),
        // GraphQL names the Actions app `github-actions` where REST says `github-actions[bot]`.
        ("POST", ["graphql"]) => ok(json!({"data": {"viewer": {"login": identity(s).trim_end_matches("[bot]")}}})),
        ("GET", ["user"]) => match &s.token_user {
            Some(login) => ok(private_user(login)),
            None => error(
                403,
                "Resource not accessible by integration",
                "https://docs.github.com/rest/users/users#get-the-authenticated-user",
            ),
        },
        ("GET", ["repos", "acme", "shop", "pulls", "7"]) => ok(pull_request(s, true)),
        ("GET", ["repos", "acme", "shop", "issues", "7", "timeline"]) => list(s.timeline.iter().map(event).collect()),
        // The issue events: the timeline without its commits.
        ("GET", ["repos", "acme", "shop", "issues", "7", "events"]) => list(
            s.timeline
                .iter()
                .filter(|e| e["event"] != "committed")
                .map(event)
                .collect(),
        ),
        ("GET", ["repos", "acme", "shop", "pulls", "7", "commits"]) => {
            let mut commits = s.commits.clone();
            if commits.is_empty() {
                commits.push((s.head.clone(), true, "valid".into()));
            }
            list(commits.iter().map(|(sha, ok, why)| commit(sha, *ok, why)).collect())
        }
        ("GET", ["repos", "acme", "shop", "pulls", "7", "reviews"]) => {
            list(s.reviews.iter().map(pull_request_review).collect())
        }
        ("GET", ["repos", "acme", "shop", "collaborators", login, "permission"]) => match role(login) {
            Some(role) => ok(permission(login, role)),
            None => error(404, "Not Found", REST_DOCS),
        },
        ("GET", ["orgs", "acme", "teams", "owners", "memberships", "olivia"]) => ok(team_membership("olivia")),
        ("GET", ["repos", "acme", "shop", "commits", sha, "pulls"]) => {
            let merged = !s.merge_sha.is_empty() && *sha == s.merge_sha;
            list(if merged { vec![pull_request(s, false)] } else { vec![] })
        }
        ("GET", ["repos", "acme", "shop", "commits", sha, "check-suites"]) => {
            let suites: Vec<Value> = match &s.suites {
                None => vec![check_suite(s, sha, Some("feature"), &s.head_seen, 0)],
                Some(list) => list
                    .iter()
                    .enumerate()
                    .map(|(i, (branch, at))| check_suite(s, sha, branch.as_deref(), at, i))
                    .collect(),
            };
            let mut r = page(suites.clone(), path, query, url);
            let shown: Value = serde_json::from_str(&r.body).unwrap();
            r.body = json!({"total_count": suites.len(), "check_suites": shown}).to_string();
            r
        }
        // `state` (default `open`) and `labels` (all of them, comma-separated) filter.
        ("GET", ["repos", "acme", "shop", "issues"]) => {
            let param = |name: &str| {
                query
                    .split('&')
                    .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
                    .map(percent_decoded)
            };
            let state = param("state").unwrap_or_else(|| "open".into());
            let wanted = param("labels").unwrap_or_default();
            let items = s
                .issues
                .iter()
                .filter(|i| state == "all" || i["state"].as_str().unwrap_or("open") == state)
                .filter(|i| {
                    wanted.split(',').filter(|w| !w.is_empty()).all(|w| {
                        i["labels"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .any(|l| l.as_str().is_some_and(|l| l.eq_ignore_ascii_case(w)))
                    })
                })
                .map(issue)
                .collect();
            list(items)
        }
        ("GET", ["repos", "acme", "shop", "issues", "7", "comments"]) => {
            list(s.comments.iter().map(issue_comment).collect())
        }
        ("POST", ["repos", "acme", "shop", "issues", "7", "comments"]) => {
            if s.read_only {
                return error(403, "Resource not accessible by integration", CREATE_COMMENT_DOCS);
            }
            let body = match comment_body(&req.body, CREATE_COMMENT_DOCS) {
                Ok(b) => b,
                Err(r) => return r,
            };
            s.next_id += 1;
            let now = now();
            let c = issue_comment(&json!({"id": s.next_id, "user": {"login": identity(s)}, "body": body,
                                          "created_at": now, "updated_at": now}));
            s.comments.push(c.clone());
            let mut r = status(201, c);
            r.headers.push((
                "location".into(),
                format!("{url}/repos/acme/shop/issues/comments/{}", s.next_id),
            ));
            if std::mem::take(&mut s.slow_post) {
                r.delay = Some(std::time::Duration::from_secs(3));
            }
            r
        }
        ("PATCH", ["repos", "acme", "shop", "issues", "comments", id]) => {
            let body = match comment_body(&req.body, UPDATE_COMMENT_DOCS) {
                Ok(b) => b,
                Err(r) => return r,
            };
            let id: u64 = id.parse().unwrap_or(0);
            match s.comments.iter_mut().find(|c| c["id"] == id) {
                Some(c) => {
                    *c = issue_comment(c);
                    c["body"] = json!(body);
                    c["updated_at"] = json!(now());
                    ok(c.clone())
                }
                None => error(404, "Not Found", REST_DOCS),
            }
        }
        _ => error(404, "Not Found", REST_DOCS),
    }
}

/// The `body` of a comment POST or PATCH, or GitHub's 400 or 422 answer.
fn comment_body(request: &str, docs: &str) -> Result<String, Resp> {
    let Ok(v) = serde_json::from_str::<Value>(request) else {
        return Err(error(400, "Problems parsing JSON", docs));
    };
    let invalid = |code: &str, message: Option<&str>| {
        let mut e = json!({"resource": "IssueComment", "code": code, "field": "body"});
        if let Some(m) = message {
            e["field"] = json!("data");
            e["message"] = json!(m);
        }
        Err(status(422, validation_failed(e, docs)))
    };
    match v.get("body").and_then(Value::as_str) {
        None => invalid("missing_field", None),
        Some(b) if b.chars().count() > MAX_COMMENT => invalid(
            "unprocessable",
            Some(&format!("Body is too long (maximum is {MAX_COMMENT} characters)")),
        ),
        Some(b) => Ok(b.to_string()),
    }
}

/// One page of a list as GitHub answers it: `per_page` (default 30, at most
/// 100) and `page` from the query, and a `Link` header to the other pages.
fn page(items: Vec<Value>, path: &str, query: &str, url: &str) -> Resp {
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let per_page = param("per_page").unwrap_or(30).clamp(1, 100);
    let page = param("page").unwrap_or(1).max(1);
    let last = items.len().div_ceil(per_page).max(1);
    let shown: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
    let mut r = ok(Value::Array(shown));
    let others: Vec<&str> = query
        .split('&')
        .filter(|kv| !kv.is_empty() && !kv.starts_with("page="))
        .collect();
    let at = path
        .strip_prefix("/repos/acme/shop")
        .map_or(format!("{url}{path}"), |rest| {
            format!("{url}/repositories/{REPO_ID}{rest}")
        });
    if let Some(l) = link(&at, &others.join("&"), page, last) {
        r.headers.push(("link".into(), l));
    }
    r
}

/// GitHub's `Link` header for page `page` of `last` of the list at `at` (the
/// query's other parameters kept): `prev`, `next`, `last`, `first`, in that
/// order, as applicable; none for a single page.
pub fn link(at: &str, params: &str, page: usize, last: usize) -> Option<String> {
    let url = |n: usize| {
        if params.is_empty() {
            format!("{at}?page={n}")
        } else {
            format!("{at}?{params}&page={n}")
        }
    };
    let mut rels = vec![];
    if page > 1 {
        rels.push((page - 1, "prev"));
    }
    if page < last {
        rels.push((page + 1, "next"));
        rels.push((last, "last"));
    }
    if page > 1 {
        rels.push((1, "first"));
    }
    let parts: Vec<String> = rels
        .into_iter()
        .map(|(n, rel)| format!("<{}>; rel=\"{rel}\"", url(n)))
        .collect();
    (!parts.is_empty()).then(|| parts.join(", "))
}

fn now() -> String {
    chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A stable id for a name (FNV-1a), in GitHub's range.
fn id_of(s: &str) -> u64 {
    let h = s.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    1_000_000 + h % 900_000_000
}

/// `partial` over `template`: objects merged key by key, anything else replaced.
fn merged(mut template: Value, partial: &Value) -> Value {
    match (&mut template, partial) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                let slot = t.entry(k.clone()).or_insert(Value::Null);
                *slot = merged(std::mem::take(slot), v);
            }
            template
        }
        _ => partial.clone(),
    }
}

/// The objects GitHub really answered (`@octokit/fixtures`), by kind.
fn recorded(kind: &str) -> Value {
    static RECORDED: OnceLock<Value> = OnceLock::new();
    let all = RECORDED.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/recorded.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    });
    all[kind]["value"].clone()
}

/// The recorded `value` with every string occurrence of `from` replaced by `to`.
fn renamed(value: &Value, from: &str, to: &str) -> Value {
    serde_json::from_str(&value.to_string().replace(from, to)).unwrap()
}

/// The collaborators of `acme/shop` and their roles.
fn role(login: &str) -> Option<&'static str> {
    match login {
        "olivia" | "bea" => Some("maintain"),
        "alice" => Some("write"),
        "tom" => Some("triage"),
        _ => None,
    }
}

fn author_association(login: &str) -> &'static str {
    if role(login).is_some() {
        "MEMBER"
    } else {
        "NONE"
    }
}

/// A simple-user (recorded) for `login`; `…[bot]` logins are apps' bot users.
pub fn user(login: &str) -> Value {
    let escaped = login.replace('[', "%5B").replace(']', "%5D");
    let mut u = renamed(&recorded("user"), "octokit-fixture-user-a", &escaped);
    let id = if login == BOT { 41_898_282 } else { id_of(login) };
    u["login"] = json!(login);
    u["id"] = json!(id);
    u["node_id"] = json!(format!("MDQ6VXNlcj{id}"));
    u["avatar_url"] = json!(format!("https://avatars.githubusercontent.com/u/{id}?v=4"));
    u["user_view_type"] = json!("public");
    if let Some(app) = login.strip_suffix("[bot]") {
        u["type"] = json!("Bot");
        u["html_url"] = json!(format!("{WEB}/apps/{app}"));
    }
    u
}

/// The token's login as REST names it.
fn identity(s: &State) -> String {
    s.token_user.clone().unwrap_or_else(|| BOT.to_string())
}

/// `GET /user` for a personal token: the user (recorded) with a private user's profile fields.
fn private_user(login: &str) -> Value {
    let mut u = user(login);
    for (k, v) in [
        ("name", json!(login)),
        ("company", Value::Null),
        ("blog", json!("")),
        ("location", Value::Null),
        ("email", Value::Null),
        ("hireable", Value::Null),
        ("bio", Value::Null),
        ("public_repos", json!(3)),
        ("public_gists", json!(0)),
        ("followers", json!(1)),
        ("following", json!(0)),
        ("created_at", json!("2020-01-01T00:00:00Z")),
        ("updated_at", json!("2026-01-01T00:00:00Z")),
        ("private_gists", json!(0)),
        ("total_private_repos", json!(1)),
        ("owned_private_repos", json!(1)),
        ("disk_usage", json!(1024)),
        ("collaborators", json!(0)),
        ("two_factor_authentication", json!(true)),
    ] {
        u[k] = v;
    }
    u
}

/// A collaborator (recorded) with `role` (`maintain`, `write`, `triage`, ...).
fn collaborator(login: &str, role: &str) -> Value {
    let rank = ["read", "triage", "write", "maintain", "admin"]
        .iter()
        .position(|r| *r == role)
        .unwrap_or(0);
    let mut c = merged(recorded("collaborator"), &user(login));
    c["permissions"] = json!({"pull": true, "triage": rank >= 1, "push": rank >= 2,
                              "maintain": rank >= 3, "admin": rank >= 4});
    c["role_name"] = json!(role);
    c
}

/// `GET /collaborators/{login}/permission`: the legacy base role (`maintain` is
/// `write`, `triage` is `read`) and the role's name.
fn permission(login: &str, role: &str) -> Value {
    let legacy = match role {
        "maintain" => "write",
        "triage" => "read",
        r => r,
    };
    json!({"permission": legacy, "role_name": role, "user": collaborator(login, role)})
}

/// `GET /orgs/acme/teams/owners/memberships/{login}` for a member.
fn team_membership(login: &str) -> Value {
    json!({"url": format!("{API}/organizations/1001/team/{}/memberships/{login}", id_of("acme/owners")),
           "role": "member", "state": "active"})
}

/// A label (recorded) named `name`.
fn label(name: &str) -> Value {
    let mut l = recorded("label");
    l["id"] = json!(id_of(name));
    l["name"] = json!(name);
    l["url"] = json!(format!("{API}/repos/acme/shop/labels/{}", name.replace(':', "%3A")));
    let about = if name.starts_with("signoff:") {
        "A release sign-off"
    } else {
        "Triage"
    };
    l["description"] = json!(about);
    l
}

/// The repository `acme/shop` (recorded `octokit-fixture-org/hello-world`, renamed; private).
fn repository() -> Value {
    let r = renamed(&recorded("repository"), "octokit-fixture-org/hello-world", "acme/shop");
    let mut r = renamed(&r, "octokit-fixture-org", "acme");
    r["id"] = json!(REPO_ID);
    r["name"] = json!("shop");
    r["default_branch"] = json!("main");
    r["private"] = json!(true);
    r["visibility"] = json!("private");
    r
}

/// GitHub's 422 (recorded shape) with one `errors` entry.
fn validation_failed(error: Value, docs: &str) -> Value {
    let mut v = recorded("validation_error");
    v["errors"] = json!([error]);
    v["documentation_url"] = json!(docs);
    v["status"] = json!("422");
    v
}

/// The labels pull request #7 has now: added and not removed since, by the timeline.
fn current_labels(s: &State) -> Vec<Value> {
    let mut names: Vec<&str> = vec![];
    for e in &s.timeline {
        let name = e["label"]["name"].as_str().unwrap_or("");
        match e["event"].as_str() {
            Some("labeled") if !names.contains(&name) => names.push(name),
            Some("unlabeled") => names.retain(|n| *n != name),
            _ => {}
        }
    }
    names.into_iter().map(label).collect()
}

/// Pull request #7 (written from the `pull-request` schema): in full (`GET
/// /pulls/7`) or as a list shows it (`pull-request-simple`).
fn pull_request(s: &State, full: bool) -> Value {
    let merged_at = (!s.merge_sha.is_empty()).then_some("2026-01-10T00:00:00Z");
    let pr = format!("{API}/repos/acme/shop/pulls/7");
    let issue = format!("{API}/repos/acme/shop/issues/7");
    let html = format!("{WEB}/acme/shop/pull/7");
    let owner = repository()["owner"].clone();
    let branch = |name: &str, sha: &str| json!({"label": format!("acme:{name}"), "ref": name, "sha": sha, "user": owner, "repo": repository()});
    let href = |h: String| json!({ "href": h });
    let links = json!({
        "self": href(pr.clone()), "html": href(html.clone()), "issue": href(issue.clone()),
        "comments": href(format!("{issue}/comments")), "review_comments": href(format!("{pr}/comments")),
        "review_comment": href(format!("{API}/repos/acme/shop/pulls/comments{{/number}}")),
        "commits": href(format!("{pr}/commits")),
        "statuses": href(format!("{API}/repos/acme/shop/statuses/{}", s.head)),
    });
    let mut v = json!({
        "url": pr, "id": id_of("pull/7"), "node_id": "PR_kwDOAAAD6M4AAAAH", "html_url": html,
        "diff_url": format!("{html}.diff"), "patch_url": format!("{html}.patch"), "issue_url": issue,
        "commits_url": format!("{pr}/commits"), "review_comments_url": format!("{pr}/comments"),
        "review_comment_url": format!("{API}/repos/acme/shop/pulls/comments{{/number}}"),
        "comments_url": format!("{issue}/comments"),
        "statuses_url": format!("{API}/repos/acme/shop/statuses/{}", s.head),
        "number": 7, "state": if merged_at.is_some() { "closed" } else { "open" }, "locked": false,
        "title": "Drop email", "user": user("alice"), "body": "Moves email to contacts.",
        "labels": current_labels(s), "milestone": null, "active_lock_reason": null,
        "created_at": "2026-01-01T11:00:00Z", "updated_at": merged_at.unwrap_or("2026-01-01T12:00:00Z"),
        "closed_at": merged_at, "merged_at": merged_at,
        "merge_commit_sha": if s.merge_sha.is_empty() { Value::Null } else { json!(s.merge_sha) },
        "assignee": null, "assignees": [], "requested_reviewers": [], "requested_teams": [],
        "head": branch("feature", &s.head), "base": branch("main", &s.base),
        "_links": links,
        "author_association": author_association("alice"), "auto_merge": null, "draft": false,
    });
    if full {
        v = merged(
            v,
            &json!({
                "merged": merged_at.is_some(), "mergeable": if merged_at.is_some() { Value::Null } else { json!(true) },
                "rebaseable": true, "mergeable_state": if merged_at.is_some() { "unknown" } else { "clean" },
                "merged_by": if merged_at.is_some() { user("olivia") } else { Value::Null },
                "comments": s.comments.len(), "review_comments": 0, "maintainer_can_modify": false,
                "commits": 1, "additions": 3, "deletions": 0, "changed_files": 1
            }),
        );
    }
    v
}

/// A timeline event, completed from `partial` (`committed` from the
/// `timeline-committed-event` schema, the others from `labeled-issue-event`).
fn event(partial: &Value) -> Value {
    let kind = partial["event"].as_str().unwrap_or("labeled");
    let template = if kind == "committed" {
        let sha = partial["sha"]
            .as_str()
            .unwrap_or("0000000000000000000000000000000000000000");
        let signature = json!({"name": "Alice", "email": "alice@example.com", "date": "2026-01-01T11:00:00Z"});
        json!({
            "sha": sha, "node_id": format!("C_kwDOAAAD6N{sha}"),
            "url": format!("{API}/repos/acme/shop/git/commits/{sha}"),
            "html_url": format!("{WEB}/acme/shop/commit/{sha}"),
            "author": signature, "committer": signature, "message": "drop email",
            "tree": {"sha": format!("{:040x}", id_of(sha)), "url": format!("{API}/repos/acme/shop/git/trees/{:040x}", id_of(sha))},
            "parents": [],
            "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null},
            "event": "committed"
        })
    } else {
        let id = id_of(&partial.to_string());
        let actor = partial["actor"]["login"].as_str().unwrap_or("octocat");
        let mut e = json!({
            "id": id, "node_id": format!("LE_lADOAAAD6M4AAAAHzw{id}"),
            "url": format!("{API}/repos/acme/shop/issues/events/{id}"), "actor": user(actor),
            "event": kind, "commit_id": null, "commit_url": null,
            "created_at": "2026-01-01T12:00:00Z", "performed_via_github_app": null
        });
        if kind == "labeled" || kind == "unlabeled" {
            e["label"] = json!({"name": partial["label"]["name"], "color": "ededed"});
        }
        e
    };
    merged(template, partial)
}

/// A pull request review, completed from `partial` (written from the `pull-request-review` schema).
fn pull_request_review(partial: &Value) -> Value {
    let id = partial["id"].as_u64().unwrap_or_else(|| id_of(&partial.to_string()));
    let login = partial["user"]["login"].as_str().unwrap_or("octocat");
    let html = format!("{WEB}/acme/shop/pull/7#pullrequestreview-{id}");
    let pr = format!("{API}/repos/acme/shop/pulls/7");
    let template = json!({
        "id": id, "node_id": format!("PRR_kwDOAAAD6M4{id}"), "user": user(login), "body": "",
        "state": "COMMENTED", "html_url": html, "pull_request_url": pr,
        "_links": {"html": {"href": html}, "pull_request": {"href": pr}},
        "submitted_at": "2026-01-02T00:00:00Z", "commit_id": null,
        "author_association": author_association(login)
    });
    merged(template, partial)
}

/// A commit of #7 as its commit list shows it (written from the `commit`
/// schema), authored by alice, with GitHub's `verification`.
fn commit(sha: &str, verified: bool, reason: &str) -> Value {
    let url = format!("{API}/repos/acme/shop/commits/{sha}");
    let who = json!({"name": "Alice", "email": "alice@example.com", "date": "2026-01-01T11:00:00Z"});
    let signature = verified.then_some("-----BEGIN PGP SIGNATURE-----\n...\n-----END PGP SIGNATURE-----");
    json!({
        "url": url, "sha": sha, "node_id": format!("C_kwDOAAAD6N{sha}"),
        "html_url": format!("{WEB}/acme/shop/commit/{sha}"), "comments_url": format!("{url}/comments"),
        "commit": {
            "url": format!("{API}/repos/acme/shop/git/commits/{sha}"), "author": who, "committer": who,
            "message": "drop email", "comment_count": 0,
            "tree": {"sha": format!("{:040x}", id_of(sha)), "url": format!("{API}/repos/acme/shop/git/trees/{:040x}", id_of(sha))},
            "verification": {"verified": verified, "reason": reason, "signature": signature,
                             "payload": signature.map(|_| "tree ..."),
                             "verified_at": if verified { json!("2026-01-01T11:00:01Z") } else { Value::Null }}
        },
        "author": user("alice"), "committer": user("alice"), "parents": []
    })
}

/// `%XX` escapes decoded (a query value).
fn percent_decoded(v: &str) -> String {
    let b = v.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match (b[i], v.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(x)) => {
                out.push(x);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An issue of `acme/shop` as the issues list shows it, completed from
/// `partial` (written from the `issue` schema): `labels` are names, and
/// `"pull_request": true` makes it a pull request.
fn issue(partial: &Value) -> Value {
    let n = partial["number"].as_u64().unwrap_or(1);
    let url = format!("{API}/repos/acme/shop/issues/{n}");
    let mut v = json!({
        "id": id_of(&format!("issue/{n}")), "node_id": format!("I_kwDOAAAD6M{n}"), "url": url,
        "repository_url": format!("{API}/repos/acme/shop"), "labels_url": format!("{url}/labels{{/name}}"),
        "comments_url": format!("{url}/comments"), "events_url": format!("{url}/events"),
        "html_url": format!("{WEB}/acme/shop/issues/{n}"), "number": n, "state": "open",
        "title": partial["title"], "body": null, "user": user("bea"),
        "labels": partial["labels"].as_array().into_iter().flatten()
            .map(|l| label(l.as_str().unwrap_or(""))).collect::<Vec<_>>(),
        "assignee": null, "assignees": [], "milestone": null, "locked": false, "comments": 0,
        "closed_at": null, "created_at": "2026-01-01T09:00:00Z", "updated_at": "2026-01-01T09:00:00Z",
        "author_association": "MEMBER"
    });
    if partial["pull_request"] == true {
        v["pull_request"] = json!({"url": format!("{API}/repos/acme/shop/pulls/{n}"),
            "html_url": format!("{WEB}/acme/shop/pull/{n}"), "diff_url": format!("{WEB}/acme/shop/pull/{n}.diff"),
            "patch_url": format!("{WEB}/acme/shop/pull/{n}.patch"), "merged_at": null});
        v["html_url"] = json!(format!("{WEB}/acme/shop/pull/{n}"));
    }
    if let Some(state) = partial.get("state") {
        v["state"] = state.clone();
    }
    v
}

/// An issue comment on #7, completed from `partial` (written from the `issue-comment` schema).
fn issue_comment(partial: &Value) -> Value {
    let id = partial["id"].as_u64().unwrap_or_else(|| id_of(&partial.to_string()));
    let login = partial["user"]["login"].as_str().unwrap_or("octocat");
    let url = format!("{API}/repos/acme/shop/issues/comments/{id}");
    let template = json!({
        "id": id, "node_id": format!("IC_kwDOAAAD6M4{id}"), "url": url,
        "html_url": format!("{WEB}/acme/shop/pull/7#issuecomment-{id}"),
        "issue_url": format!("{API}/repos/acme/shop/issues/7"), "body": "", "user": user(login),
        "created_at": "2026-01-01T12:00:00Z", "updated_at": "2026-01-01T12:00:00Z",
        "author_association": author_association(login), "performed_via_github_app": null,
        "reactions": {"url": format!("{url}/reactions"), "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
                      "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}
    });
    merged(template, partial)
}

/// The GitHub Actions app (written from the `integration` schema).
fn actions_app() -> Value {
    let mut owner = user("github");
    owner["type"] = json!("Organization");
    json!({
        "id": 15368, "slug": "github-actions", "node_id": "MDM6QXBwMTUzNjg", "client_id": "Iv1.05c79e9ad1f6bdfa",
        "owner": owner, "name": "GitHub Actions", "description": "Automate your workflow from idea to production",
        "external_url": "https://help.github.com/en/actions", "html_url": format!("{WEB}/apps/github-actions"),
        "created_at": "2018-07-30T09:30:17Z", "updated_at": "2024-04-10T20:33:16Z",
        "permissions": {"checks": "write", "contents": "write", "issues": "write", "metadata": "read"},
        "events": ["check_run", "check_suite", "pull_request", "push"]
    })
}

/// The `n`th check suite GitHub created for `sha` at `at` (written from the
/// `check-suite` schema): on `branch` (`None`: a fork's head), listing pull
/// request #7 only when `branch` is its head branch `feature`.
fn check_suite(s: &State, sha: &str, branch: Option<&str>, at: &str, n: usize) -> Value {
    let id = id_of(&format!("{sha}/{n}"));
    let url = format!("{API}/repos/acme/shop/check-suites/{id}");
    let side = |name: &str, sha: &str| json!({"ref": name, "sha": sha, "repo": {"id": REPO_ID, "url": format!("{API}/repos/acme/shop"), "name": "shop"}});
    let pulls = if branch == Some("feature") {
        json!([{"id": id_of("pull/7"), "number": 7, "url": format!("{API}/repos/acme/shop/pulls/7"),
                "head": side("feature", sha), "base": side("main", &s.base)}])
    } else {
        json!([])
    };
    json!({
        "id": id, "node_id": format!("CS_kwDOAAAD6M8AAAA{id}"), "head_branch": branch, "head_sha": sha,
        "status": "completed", "conclusion": "success", "url": url, "before": s.base, "after": sha,
        "pull_requests": pulls,
        "app": actions_app(), "repository": repository(),
        "created_at": at, "updated_at": at,
        "head_commit": {"id": sha, "tree_id": format!("{:040x}", id_of(sha)), "message": "drop email",
                        "timestamp": "2026-01-01T11:00:00Z",
                        "author": {"name": "Alice", "email": "alice@example.com"},
                        "committer": {"name": "Alice", "email": "alice@example.com"}},
        "latest_check_runs_count": 1, "check_runs_url": format!("{url}/check-runs"),
        "rerequestable": true, "runs_rerequestable": true
    })
}

/// The commit `sha` pushed to the pull request, as its timeline lists it.
pub fn committed(sha: &str) -> Value {
    event(&json!({"event": "committed", "sha": sha}))
}

/// `actor` added `label` at `at`, as the timeline lists it.
pub fn labeled(label: &str, actor: &str, at: &str) -> Value {
    event(&json!({"event": "labeled", "label": {"name": label}, "actor": {"login": actor}, "created_at": at}))
}

/// `user`'s review in `state` (`APPROVED`, ...) of `commit`.
pub fn review(user: &str, state: &str, commit: &str) -> Value {
    pull_request_review(&json!({"user": {"login": user}, "state": state, "commit_id": commit}))
}

/// One operation of the description and its response validators by status.
struct Operation {
    id: String,
    method: String,
    path: String,
    /// The statuses the description documents (none for GraphQL).
    documented: Vec<String>,
    schemas: HashMap<String, jsonschema::Validator>,
}

impl Operation {
    fn matches(&self, method: &str, path: &str) -> bool {
        let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        let tpl: Vec<&str> = self.path.trim_start_matches('/').split('/').collect();
        self.method.eq_ignore_ascii_case(method)
            && tpl.len() == segs.len()
            && tpl
                .iter()
                .zip(&segs)
                .all(|(t, s)| (t.starts_with('{') && t.ends_with('}')) || t == s)
    }
}

/// The operations of `tests/fixtures/github/openapi-ops.json`, their schemas compiled once.
fn operations() -> &'static [Operation] {
    static OPS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPS.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/github/openapi-ops.json");
        let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let text = |v: &Value| v.as_str().unwrap().to_string();
        doc["operations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|op| Operation {
                id: text(&op["operationId"]),
                method: text(&op["method"]),
                path: text(&op["path"]),
                documented: op["responses"].as_array().into_iter().flatten().map(text).collect(),
                schemas: op["schemas"]
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(code, schema)| {
                        let mut root = schema.clone();
                        root["$defs"] = doc["$defs"].clone();
                        let v = jsonschema::options()
                            .with_draft(jsonschema::Draft::Draft202012)
                            .should_validate_formats(true)
                            .build(&root)
                            .unwrap_or_else(|e| panic!("{} {code}: {e}", text(&op["operationId"])));
                        (code.clone(), v)
                    })
                    .collect(),
            })
            .collect()
    })
}

/// The operation a request is, by method and path (`/repositories/{REPO_ID}/...` as `/repos/acme/shop/...`).
fn operation(method: &str, path: &str) -> Option<&'static Operation> {
    let path = canonical(path.split('?').next().unwrap_or(path));
    operations().iter().find(|op| op.matches(method, &path))
}

/// How an answer (`status`, `body`) to `method path` breaks GitHub's
/// description: its body against the operation's response schema for the
/// status, or a success status the operation does not document. Statuses
/// documented without a body, and failures the description leaves out (502,
/// 429, ...), are not checked.
pub fn answer_errors(method: &str, path: &str, status: u16, body: &str) -> Vec<String> {
    let Some(op) = operation(method, path) else {
        return vec![];
    };
    let what = format!("{} {method} {path} answered {status}", op.id);
    let Some(schema) = op.schemas.get(&status.to_string()) else {
        let undocumented =
            (200..300).contains(&status) && !op.documented.is_empty() && !op.documented.contains(&status.to_string());
        return if undocumented {
            vec![format!("{what}, a status the description does not document")]
        } else {
            vec![]
        };
    };
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return vec![format!("{what} with a body that is not JSON")];
    };
    schema
        .iter_errors(&v)
        .take(5)
        .map(|e| {
            let mut msg = e.to_string();
            if msg.len() > 300 {
                let cut = (0..=300).rev().find(|i| msg.is_char_boundary(*i)).unwrap_or(0);
                msg.truncate(cut);
                msg.push('…');
            }
            format!(
                "{what}: at `{}` (schema `{}`): {msg}",
                e.instance_path(),
                e.schema_path()
            )
        })
        .collect()
}

/// The requests of `log` that are no operation of GitHub's OpenAPI
/// description, and the answers that break its response schemas.
pub fn openapi_problems(log: &[Req]) -> Vec<String> {
    let mut problems = vec![];
    for req in log {
        let path = req.path.split('?').next().unwrap();
        if operation(&req.method, path).is_none() {
            problems.push(format!("{} {path} is not a GitHub API operation", req.method));
        }
        problems.extend(req.schema_errors.iter().cloned());
    }
    problems
}

/// Every request matches an operation (method and path template) of GitHub's
/// OpenAPI description, and every answer the fake gave validates against the
/// operation's response schema.
pub fn assert_matches_openapi(log: &[Req]) {
    let problems = openapi_problems(log);
    assert!(
        problems.is_empty(),
        "the fake GitHub's traffic breaks GitHub's OpenAPI description:\n{}",
        problems.join("\n")
    );
}

impl State {
    /// Pull request #7 from `base` to `head`, pushed once, nothing else.
    pub fn new(base: &str, head: &str) -> State {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        State {
            base: base.to_string(),
            head: head.to_string(),
            timeline: vec![committed(head)],
            reviews: vec![],
            comments: vec![],
            failures: vec![],
            slow_post: false,
            head_seen: "2026-01-01T12:00:00Z".into(),
            suites: None,
            issues: vec![],
            commits: vec![],
            merge_sha: String::new(),
            down: false,
            read_only: false,
            moved: false,
            log: vec![],
            next_id: 100,
            rate_reset: now + 3600,
            token_user: None,
            graphql_refuses: false,
        }
    }
}
