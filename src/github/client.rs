//! The one file that talks HTTP to GitHub: REST and GraphQL over rustls,
//! pagination by `Link` headers, retries with jittered backoff within a time
//! budget, rate limits honoured. The token never leaves this file's headers.

use std::cell::{Cell, RefCell};
use std::time::{Duration, Instant};

use reqwest::blocking::{Client as Http, Response};
use reqwest::header::{HeaderMap, ACCEPT, AUTHORIZATION, USER_AGENT};
use reqwest::{Method, StatusCode};
use serde_json::Value;

use super::{ApiError, CommentOutcome, GitHub, PullRequest, MARKER};
use crate::signoff::blocking::OpenIssue;
use crate::signoff::{CommitVerification, HeadSeen, Permission, Review, TimelineEvent};

/// A secret that no `Debug` or `Display` prints.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    pub fn new(s: impl Into<String>) -> Token {
        Token(s.into())
    }
}

impl Token {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(***)")
    }
}

/// A REST and GraphQL client for one repository.
pub struct Client {
    http: Http,
    token: Token,
    api: String,
    graphql: String,
    repo: String,
    budget: Duration,
    /// Time slept on retries so far, across every call: bounded by `budget` too.
    slept: Cell<Duration>,
    requests: Cell<usize>,
    /// The token's own login, asked once and only when needed.
    viewer: RefCell<Option<String>>,
    /// Log every request (method, path, status, time; never a header) to stderr.
    verbose: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api", &self.api)
            .field("repo", &self.repo)
            .field("token", &self.token)
            .finish()
    }
}

/// What one attempt came to.
enum Attempt {
    Done(Response),
    /// Worth retrying, after at least this long.
    Retry(String, Option<Duration>),
    Fail(ApiError),
}

impl Client {
    /// `api` is `GITHUB_API_URL` (`https://api.github.com`, or `https://HOST/api/v3`);
    /// `budget` bounds the time one call may spend retrying.
    pub fn new(
        api: &str,
        graphql: Option<&str>,
        repo: &str,
        token: Token,
        budget: Duration,
    ) -> Result<Client, ApiError> {
        let api = api.trim_end_matches('/').to_string();
        let graphql = match graphql {
            Some(g) if !g.is_empty() => g.to_string(),
            _ => match api.strip_suffix("/api/v3") {
                Some(host) => format!("{host}/api/graphql"),
                None => format!("{api}/graphql"),
            },
        };
        let http = Http::builder()
            .timeout((budget / 2).clamp(Duration::from_millis(200), Duration::from_secs(30)))
            .connect_timeout(Duration::from_secs(10).min(budget.max(Duration::from_millis(200))))
            .redirect(same_origin_redirects(&api))
            .build()
            .map_err(|e| ApiError::Failed(format!("cannot start the HTTP client: {e}")))?;
        Ok(Client {
            http,
            token: token.clone(),
            api,
            graphql,
            repo: repo.to_string(),
            budget,
            slept: Cell::new(Duration::ZERO),
            requests: Cell::new(0),
            viewer: RefCell::new(None),
            verbose: false,
        })
    }

    /// With `verbose`, every request is logged to stderr (never its headers).
    pub fn verbose(mut self, verbose: bool) -> Client {
        self.verbose = verbose;
        self
    }

    fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        if let Ok(v) = format!("Bearer {}", self.token.0).parse() {
            h.insert(AUTHORIZATION, v);
        }
        if let Ok(v) = "application/vnd.github+json".parse() {
            h.insert(ACCEPT, v);
        }
        if let Ok(v) = concat!("shipgate/", env!("CARGO_PKG_VERSION")).parse() {
            h.insert(USER_AGENT, v);
        }
        if let Ok(v) = "2022-11-28".parse() {
            h.insert("x-github-api-version", v);
        }
        h
    }

    /// A URL is only followed (with the token) when it is on the API's own origin.
    fn same_origin(&self, url: &str) -> bool {
        let origin = |u: &str| -> Option<String> {
            let u = reqwest::Url::parse(u).ok()?;
            Some(format!(
                "{}://{}:{}",
                u.scheme(),
                u.host_str()?,
                u.port_or_known_default()?
            ))
        };
        origin(url).is_some() && origin(url) == origin(&self.api)
    }

    fn once(&self, method: &Method, url: &str, body: Option<&Value>) -> Attempt {
        self.requests.set(self.requests.get() + 1);
        let mut req = self.http.request(method.clone(), url).headers(self.headers());
        if let Some(b) = body {
            req = req.json(b);
        }
        let started = Instant::now();
        let shown = url.strip_prefix(&self.api).unwrap_or(url);
        let resp = match req.send() {
            Ok(r) => r,
            Err(e) => {
                let what = if e.is_timeout() { "timed out" } else { "failed" };
                if self.verbose {
                    eprintln!(
                        "shipgate: {method} {shown} {what} after {} ms",
                        started.elapsed().as_millis()
                    );
                }
                return Attempt::Retry(format!("{method} {} {what}", redact(url)), None);
            }
        };
        let status = resp.status();
        if self.verbose {
            eprintln!(
                "shipgate: {method} {shown} -> {} ({} ms)",
                status.as_u16(),
                started.elapsed().as_millis()
            );
        }
        if status.is_success() {
            return Attempt::Done(resp);
        }
        let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
        let retry_after = header("retry-after").and_then(|v| retry_after(&v, chrono::Utc::now()));
        let remaining = header("x-ratelimit-remaining");
        let reset = header("x-ratelimit-reset").and_then(|s| s.trim().parse::<u64>().ok());
        let what = format!("{method} {} answered {}", redact(url), status.as_u16());
        let message = resp.json::<Value>().ok().map_or(String::new(), |v| error_message(&v));
        let limited = matches!(status, StatusCode::FORBIDDEN | StatusCode::TOO_MANY_REQUESTS);
        if let Some(wait) = retry_after {
            return Attempt::Retry(format!("{what} (retry-after {}s)", wait.as_secs()), Some(wait));
        }
        if limited && remaining.as_deref() == Some("0") {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs());
            let wait = reset.map_or(60, |r| r.saturating_sub(now) + 1);
            return Attempt::Retry(format!("{what} (rate limit)"), Some(Duration::from_secs(wait)));
        }
        // A secondary rate limit without `retry-after`: GitHub asks for at least a minute.
        if limited && message.to_ascii_lowercase().contains("rate limit") {
            return Attempt::Retry(format!("{what} (secondary rate limit)"), Some(Duration::from_secs(60)));
        }
        if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
            return Attempt::Retry(what, None);
        }
        let what = if message.is_empty() {
            what
        } else {
            format!("{what}: {}", message.chars().take(200).collect::<String>())
        };
        Attempt::Fail(match status {
            StatusCode::FORBIDDEN => ApiError::Forbidden(what),
            StatusCode::NOT_FOUND => ApiError::NotFound(what),
            _ => ApiError::Failed(what),
        })
    }

    /// One request, retried on 5xx, timeouts and rate limits within the budget.
    fn send(&self, method: Method, url: &str, body: Option<&Value>) -> Result<Response, ApiError> {
        let start = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            match self.once(&method, url, body) {
                Attempt::Done(r) => return Ok(r),
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(why, at_least) => {
                    attempt += 1;
                    let wait = at_least.unwrap_or_else(|| backoff(attempt));
                    if !self.may_wait(start, wait) || attempt >= 8 {
                        return Err(ApiError::Failed(format!(
                            "{why}; gave up after {attempt} attempt(s) in {:.1}s",
                            start.elapsed().as_secs_f64()
                        )));
                    }
                    self.wait(wait);
                }
            }
        }
    }

    /// Whether waiting `wait` more keeps this call and the whole run within the budget.
    fn may_wait(&self, start: Instant, wait: Duration) -> bool {
        start.elapsed() + wait <= self.budget && self.slept.get() + wait <= self.budget
    }

    fn wait(&self, wait: Duration) {
        self.slept.set(self.slept.get() + wait);
        std::thread::sleep(wait);
    }

    fn get_json(&self, path: &str) -> Result<Value, ApiError> {
        let url = format!("{}{path}", self.api);
        let r = self.send(Method::GET, &url, None)?;
        r.json()
            .map_err(|e| ApiError::Failed(format!("GET {path}: invalid JSON: {e}")))
    }

    /// Every item of a paginated list, following `Link: <...>; rel="next"`.
    fn get_all(&self, path: &str) -> Result<Vec<Value>, ApiError> {
        self.get_all_in(path, None)
    }

    /// Every item of a paginated list: the answer itself, or its array `key`
    /// (`{"total_count": .., "check_suites": [..]}`).
    fn get_all_in(&self, path: &str, key: Option<&str>) -> Result<Vec<Value>, ApiError> {
        let sep = if path.contains('?') { '&' } else { '?' };
        let mut url = format!("{}{path}{sep}per_page=100", self.api);
        let mut out = Vec::new();
        for _ in 0..1000 {
            let r = self.send(Method::GET, &url, None)?;
            let next = r
                .headers()
                .get_all("link")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .find_map(next_link);
            let mut page: Value = r
                .json()
                .map_err(|e| ApiError::Failed(format!("GET {path}: invalid JSON: {e}")))?;
            let items = match key {
                Some(k) => page.get_mut(k).map(Value::take),
                None => Some(page),
            };
            match items {
                Some(Value::Array(items)) => out.extend(items),
                _ => return Err(ApiError::Failed(format!("GET {path}: expected a list"))),
            }
            match next {
                Some(n) if self.same_origin(&n) => url = n,
                Some(_) => {
                    return Err(ApiError::Failed(format!(
                        "GET {path}: the next page is on another host"
                    )))
                }
                None => return Ok(out),
            }
        }
        Err(ApiError::Failed(format!("GET {path}: more than 1000 pages")))
    }

    fn repo_path(&self, rest: &str) -> String {
        format!("/repos/{}{rest}", self.repo)
    }

    /// GraphQL's `viewer { login }`; an answer without a login (GraphQL's
    /// `errors`) is `Forbidden`, as GitHub refuses the query.
    fn graphql_viewer(&self) -> Result<String, ApiError> {
        let body = serde_json::json!({"query": "query { viewer { login } }"});
        let r = self.send(Method::POST, &self.graphql, Some(&body))?;
        let v: Value = r
            .json()
            .map_err(|e| ApiError::Failed(format!("GraphQL viewer: invalid JSON: {e}")))?;
        match v.pointer("/data/viewer/login").and_then(Value::as_str) {
            Some(l) if !l.is_empty() => Ok(l.to_string()),
            _ => {
                let why = v
                    .pointer("/errors/0/message")
                    .and_then(Value::as_str)
                    .map_or(String::new(), |m| {
                        format!(": {}", m.chars().take(200).collect::<String>())
                    });
                Err(ApiError::Forbidden(format!(
                    "GraphQL `viewer {{ login }}` returned no login{why}"
                )))
            }
        }
    }

    /// `GET /user`'s login (a personal token; an Actions token gets 403).
    fn rest_login(&self) -> Result<String, ApiError> {
        let v = self.get_json("/user")?;
        match v.get("login").and_then(Value::as_str) {
            Some(l) if !l.is_empty() => Ok(l.to_string()),
            _ => Err(ApiError::Forbidden("GET /user has no login".into())),
        }
    }

    /// The token's own comment with the marker, across every page. The
    /// viewer's login is asked for only when some comment carries the marker.
    fn find_comment(&self, number: u64) -> Result<Found, ApiError> {
        let comments = self.get_all(&self.repo_path(&format!("/issues/{number}/comments")))?;
        let marked: Vec<&Value> = comments
            .iter()
            .filter(|c| {
                c.get("body")
                    .and_then(Value::as_str)
                    .is_some_and(|b| b.contains(MARKER))
            })
            .collect();
        if marked.is_empty() {
            return Ok(Found::Nothing);
        }
        let viewer = match self.viewer_login() {
            Ok(v) => v,
            Err(ApiError::Forbidden(why)) => return Ok(Found::Unknown(why)),
            Err(e) => return Err(e),
        };
        Ok(marked
            .into_iter()
            .filter(|c| same_identity(&login(c, "/user/login"), &viewer))
            .find_map(|c| c.get("id").and_then(Value::as_u64))
            .map_or(Found::Nothing, Found::Own))
    }

    fn patch_comment(&self, id: u64, payload: &Value) -> Result<(), ApiError> {
        let url = format!("{}{}", self.api, self.repo_path(&format!("/issues/comments/{id}")));
        self.send(Method::PATCH, &url, Some(payload)).map(drop)
    }
}

/// The summary comment to edit, if any.
enum Found {
    Own(u64),
    Nothing,
    /// Comments carry the marker, but the token's login cannot be read, so
    /// none of them is known to be shipgate's own.
    Unknown(String),
}

/// Whether two logins are one identity: GraphQL names an app `github-actions`
/// where REST says `github-actions[bot]`.
fn same_identity(a: &str, b: &str) -> bool {
    let bare = |l: &str| {
        let l = l.trim().to_ascii_lowercase();
        l.strip_suffix("[bot]").map(str::to_string).unwrap_or(l)
    };
    !a.trim().is_empty() && bare(a) == bare(b)
}

/// Follows GitHub's redirects for a renamed or moved repository (301, 307),
/// at most 5, and only on the API's own origin (the token goes along).
fn same_origin_redirects(api: &str) -> reqwest::redirect::Policy {
    let origin = reqwest::Url::parse(api).ok().map(|u| u.origin());
    reqwest::redirect::Policy::custom(move |attempt| {
        if attempt.previous().len() >= 5 {
            attempt.error("too many redirects")
        } else if origin.as_ref() == Some(&attempt.url().origin()) {
            attempt.follow()
        } else {
            attempt.stop()
        }
    })
}

/// `retry-after`: seconds, or an HTTP date (RFC 9110 allows both).
fn retry_after(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    Some(
        (at.with_timezone(&chrono::Utc) - now)
            .to_std()
            .unwrap_or(Duration::ZERO),
    )
}

/// GitHub's error message, with the reasons of a 422's `errors` (`Body is too long ...`).
fn error_message(v: &Value) -> String {
    let mut m = v.get("message").and_then(Value::as_str).unwrap_or("").to_string();
    let details: Vec<&str> = v
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|e| e.get("message").or_else(|| e.get("code")).and_then(Value::as_str))
        .collect();
    if !details.is_empty() {
        m = format!("{m} ({})", details.join("; "));
    }
    m
}

/// A query parameter's value, percent-encoded (RFC 3986 unreserved characters kept).
fn query_value(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The URL without its query (which never holds the token, but may be long).
fn redact(url: &str) -> String {
    url.split('?').next().unwrap_or(url).to_string()
}

/// Exponential backoff with jitter: about 0.25s, 0.5s, 1s, ... up to 8s.
fn backoff(attempt: u32) -> Duration {
    use std::hash::{BuildHasher, Hasher};
    let base = 250u64 << attempt.saturating_sub(1).min(5);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u32(attempt);
    let jitter = h.finish() % (base / 2 + 1);
    Duration::from_millis((base / 2 + jitter).min(8000))
}

/// The `rel="next"` URL of a `Link` header (`rel` quoted or not, maybe with other relations).
fn next_link(header: &str) -> Option<String> {
    header.split(',').find_map(|part| {
        let mut it = part.split(';');
        let url = it.next()?.trim().strip_prefix('<')?.strip_suffix('>')?;
        it.any(|p| {
            p.trim()
                .strip_prefix("rel=")
                .is_some_and(|rels| rels.trim_matches('"').split_whitespace().any(|r| r == "next"))
        })
        .then(|| url.to_string())
    })
}

fn login(v: &Value, ptr: &str) -> String {
    v.pointer(ptr).and_then(|l| l.as_str()).unwrap_or("").to_string()
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(|l| l.as_str()).unwrap_or("").to_string()
}

impl GitHub for Client {
    /// GraphQL's `viewer { login }` (which an Actions or App installation
    /// token may ask, where REST's `GET /user` answers 403), else `GET /user`
    /// (a server without GraphQL). `Forbidden` when neither says.
    fn viewer_login(&self) -> Result<String, ApiError> {
        if let Some(v) = self.viewer.borrow().as_ref() {
            return Ok(v.clone());
        }
        let login = match self.graphql_viewer() {
            Err(ApiError::Forbidden(g) | ApiError::NotFound(g)) => self.rest_login().map_err(|e| match e {
                ApiError::Forbidden(u) | ApiError::NotFound(u) => ApiError::Forbidden(format!("{g}; {u}")),
                e => e,
            })?,
            r => r?,
        };
        *self.viewer.borrow_mut() = Some(login.clone());
        Ok(login)
    }

    fn pull_request(&self, number: u64) -> Result<PullRequest, ApiError> {
        let v = self.get_json(&self.repo_path(&format!("/pulls/{number}")))?;
        let pr = PullRequest {
            number,
            author: login(&v, "/user/login"),
            head_sha: login(&v, "/head/sha"),
            base_sha: login(&v, "/base/sha"),
            merged_at: v.get("merged_at").and_then(Value::as_str).map(str::to_string),
            head_branch: super::head_branch(&v),
        };
        if pr.author.is_empty() || pr.head_sha.is_empty() {
            return Err(ApiError::Failed(format!("pull request #{number}: no author or head")));
        }
        Ok(pr)
    }

    fn timeline(&self, number: u64) -> Result<Vec<TimelineEvent>, ApiError> {
        // The timeline has pushes too; a server without it still has the issue events.
        let items = match self.get_all(&self.repo_path(&format!("/issues/{number}/timeline"))) {
            Err(ApiError::NotFound(_)) => self.get_all(&self.repo_path(&format!("/issues/{number}/events")))?,
            r => r?,
        };
        let mut out = Vec::new();
        for e in items {
            match e.get("event").and_then(|k| k.as_str()).unwrap_or("") {
                kind @ ("labeled" | "unlabeled") => {
                    let label = login(&e, "/label/name");
                    let actor = login(&e, "/actor/login");
                    let at = text(&e, "created_at");
                    out.push(if kind == "labeled" {
                        TimelineEvent::Labeled { label, actor, at }
                    } else {
                        TimelineEvent::Unlabeled { label, actor, at }
                    });
                }
                "committed" => out.push(TimelineEvent::Pushed {
                    sha: e.get("sha").and_then(|s| s.as_str()).map(str::to_string),
                    at: None,
                }),
                "head_ref_force_pushed" => out.push(TimelineEvent::Pushed {
                    sha: e.get("commit_id").and_then(|s| s.as_str()).map(str::to_string),
                    at: e.get("created_at").and_then(|s| s.as_str()).map(str::to_string),
                }),
                _ => {}
            }
        }
        Ok(out)
    }

    fn reviews(&self, number: u64) -> Result<Vec<Review>, ApiError> {
        let items = self.get_all(&self.repo_path(&format!("/pulls/{number}/reviews")))?;
        Ok(items
            .iter()
            .map(|r| Review {
                user: login(r, "/user/login"),
                state: text(r, "state").to_ascii_uppercase(),
                commit_id: text(r, "commit_id"),
                submitted_at: text(r, "submitted_at"),
            })
            .collect())
    }

    fn merged_pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>, ApiError> {
        let items = self.get_all(&self.repo_path(&format!("/commits/{sha}/pulls")))?;
        Ok(items
            .iter()
            .filter(|p| p.get("merged_at").is_some_and(|m| !m.is_null()))
            .filter_map(|p| p.get("number").and_then(Value::as_u64))
            .collect())
    }

    fn commit_seen_at(&self, sha: &str, branch: Option<&str>) -> Result<HeadSeen, ApiError> {
        match self.get_all_in(
            &self.repo_path(&format!("/commits/{sha}/check-suites")),
            Some("check_suites"),
        ) {
            Ok(suites) if suites.is_empty() => Ok(HeadSeen::NoSuites),
            Ok(suites) => Ok(suites
                .iter()
                .filter(|s| branch.is_none_or(|b| s.get("head_branch").and_then(Value::as_str) == Some(b)))
                .filter_map(|s| s.get("created_at").and_then(Value::as_str))
                .min()
                .map_or(HeadSeen::OtherBranchesOnly, |t| HeadSeen::At(t.to_string()))),
            Err(ApiError::Forbidden(_) | ApiError::NotFound(_)) => Ok(HeadSeen::Unreadable),
            Err(e) => Err(e),
        }
    }

    fn pull_commits(&self, number: u64) -> Result<Vec<CommitVerification>, ApiError> {
        let items = self.get_all(&self.repo_path(&format!("/pulls/{number}/commits")))?;
        Ok(items
            .iter()
            .map(|c| CommitVerification {
                sha: text(c, "sha"),
                verified: c.pointer("/commit/verification/verified").and_then(Value::as_bool) == Some(true),
                reason: login(c, "/commit/verification/reason"),
            })
            .collect())
    }

    fn open_issues(&self, label: &str) -> Result<Vec<OpenIssue>, ApiError> {
        let path = format!("/issues?state=open&labels={}", query_value(label));
        let items = self.get_all(&self.repo_path(&path))?;
        Ok(items
            .iter()
            .filter(|i| i.get("pull_request").is_none())
            .filter_map(|i| {
                Some(OpenIssue {
                    number: i.get("number")?.as_u64()?,
                    title: text(i, "title"),
                    labels: vec![label.to_string()],
                })
            })
            .collect())
    }

    fn permission(&self, user: &str) -> Result<Option<Permission>, ApiError> {
        match self.get_json(&self.repo_path(&format!("/collaborators/{user}/permission"))) {
            Ok(v) => Ok(v
                .get("role_name")
                .and_then(|p| p.as_str())
                .and_then(Permission::from_github)
                .or_else(|| {
                    v.get("permission")
                        .and_then(|p| p.as_str())
                        .and_then(Permission::from_github)
                })),
            Err(ApiError::NotFound(_)) => Ok(Some(Permission::None)),
            Err(ApiError::Forbidden(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn team_member(&self, team: &str, user: &str) -> Result<Option<bool>, ApiError> {
        let Some((org, slug)) = team.split_once('/') else {
            return Ok(None);
        };
        match self.get_json(&format!("/orgs/{org}/teams/{slug}/memberships/{user}")) {
            Ok(v) => Ok(Some(v.get("state").and_then(|s| s.as_str()) == Some("active"))),
            Err(ApiError::NotFound(_)) => Ok(Some(false)),
            Err(ApiError::Forbidden(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn upsert_comment(&self, number: u64, body: &str) -> Result<CommentOutcome, ApiError> {
        let payload = serde_json::json!({ "body": body });
        let unknown = match self.find_comment(number)? {
            Found::Own(id) => {
                self.patch_comment(id, &payload)?;
                return Ok(CommentOutcome::Updated(id));
            }
            Found::Nothing => None,
            Found::Unknown(why) => Some(why),
        };
        let created = |id: u64| match &unknown {
            Some(why) => CommentOutcome::CreatedBeside { id, why: why.clone() },
            None => CommentOutcome::Created(id),
        };
        // A POST is not idempotent: after a failure, look again before posting again.
        let url = format!("{}{}", self.api, self.repo_path(&format!("/issues/{number}/comments")));
        let start = Instant::now();
        let mut attempt = 0;
        loop {
            match self.once(&Method::POST, &url, Some(&payload)) {
                Attempt::Done(r) => {
                    let v: Value = r.json().unwrap_or(Value::Null);
                    return Ok(created(v.get("id").and_then(|i| i.as_u64()).unwrap_or(0)));
                }
                Attempt::Fail(e) => return Err(e),
                Attempt::Retry(why, at_least) => {
                    attempt += 1;
                    let wait = at_least.unwrap_or_else(|| backoff(attempt));
                    if !self.may_wait(start, wait) || attempt >= 8 {
                        return Err(ApiError::Failed(format!("{why}; gave up after {attempt} attempt(s)")));
                    }
                    self.wait(wait);
                    if let Found::Own(id) = self.find_comment(number)? {
                        self.patch_comment(id, &payload)?;
                        return Ok(created(id));
                    }
                }
            }
        }
    }

    fn requests(&self) -> usize {
        self.requests.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_headers() {
        let h = r#"<https://api.github.com/repositories/1/issues/2/comments?page=2>; rel="next", <https://api.github.com/repositories/1/issues/2/comments?page=5>; rel="last""#;
        assert_eq!(
            next_link(h).as_deref(),
            Some("https://api.github.com/repositories/1/issues/2/comments?page=2")
        );
        assert_eq!(next_link(r#"<https://x/?page=1>; rel="prev""#), None);
        assert_eq!(
            next_link("<https://x/?page=3>; rel=next").as_deref(),
            Some("https://x/?page=3")
        );
        assert_eq!(
            next_link(r#"<https://x/?page=1>; rel="prev", <https://x/?page=3>; rel="next last""#).as_deref(),
            Some("https://x/?page=3")
        );
    }

    #[test]
    fn token_is_never_printed() {
        let c = Client::new(
            "https://api.github.com",
            None,
            "o/r",
            Token::new("ghs_secret"),
            Duration::from_secs(1),
        )
        .unwrap();
        assert!(!format!("{c:?}").contains("ghs_secret"));
        assert_eq!(c.graphql, "https://api.github.com/graphql");
        let ghes = Client::new(
            "https://ghe.local/api/v3/",
            None,
            "o/r",
            Token::new("t"),
            Duration::from_secs(1),
        )
        .unwrap();
        assert_eq!(ghes.graphql, "https://ghe.local/api/graphql");
        assert!(ghes.same_origin("https://ghe.local/api/v3/x?page=2"));
        assert!(!ghes.same_origin("https://evil.example/api/v3/x"));
    }

    #[test]
    fn retry_after_is_seconds_or_an_http_date() {
        let now = chrono::DateTime::parse_from_rfc3339("2015-10-21T07:28:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), Some(Duration::ZERO));
        assert_eq!(retry_after("soon", now), None);
    }

    #[test]
    fn error_messages_carry_the_reasons_of_a_422() {
        let v = serde_json::json!({"message": "Validation Failed", "errors": [
            {"resource": "IssueComment", "code": "unprocessable", "field": "data",
             "message": "Body is too long (maximum is 65536 characters)"}]});
        assert_eq!(
            error_message(&v),
            "Validation Failed (Body is too long (maximum is 65536 characters))"
        );
        assert_eq!(error_message(&serde_json::json!({"message": "Not Found"})), "Not Found");
    }

    #[test]
    fn bot_logins_are_one_identity_across_graphql_and_rest() {
        assert!(same_identity("github-actions[bot]", "github-actions"));
        assert!(same_identity("Octo-Bot", "octo-bot"));
        assert!(!same_identity("mallory", "github-actions"));
        assert!(!same_identity("", ""));
    }

    #[test]
    fn query_values_are_percent_encoded() {
        assert_eq!(query_value("SEV-1"), "SEV-1");
        assert_eq!(query_value("prio: high,&x"), "prio%3A%20high%2C%26x");
    }

    #[test]
    fn backoff_grows_and_is_bounded() {
        assert!(backoff(1) <= Duration::from_millis(250));
        assert!(backoff(10) <= Duration::from_secs(8));
    }
}
