//! A local HTTP server that plays GitHub for `tests/ci.rs`: pull request #7
//! of `acme/shop`, its timeline, reviews, comments and collaborators, with
//! responses shaped like GitHub's documented ones. Every request is checked
//! against the operations of GitHub's OpenAPI description
//! (`tests/fixtures/github/openapi-ops.json`).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::sync::{Arc, Mutex};

use serde_json::{json, Value};

pub const TOKEN: &str = "ghs_SECRETTOKEN1234567890";
pub const BOT: &str = "github-actions[bot]";

#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    pub path: String,
    pub body: String,
    pub auth: Option<String>,
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

/// A canned failure: path prefix, status, headers.
pub type Failure = (String, u16, Vec<(String, String)>);

/// What the fake GitHub knows about pull request #7.
pub struct State {
    pub base: String,
    pub head: String,
    pub timeline: Vec<Value>,
    pub reviews: Vec<Value>,
    pub comments: Vec<Value>,
    /// Answers to send before the real one, by path prefix, with headers.
    pub failures: Vec<Failure>,
    /// The first comment POST succeeds but answers too late.
    pub slow_post: bool,
    /// The merge commit of pull request #7 on the release branch, if merged.
    pub merge_sha: String,
    /// When GitHub first saw the head commit (its check suite).
    pub head_seen: String,
    /// 500 on every request.
    pub down: bool,
    /// 403 on posting comments (a fork's read-only token).
    pub read_only: bool,
    pub log: Vec<Req>,
    pub next_id: u64,
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

pub fn route(s: &mut State, req: &Req, url: &str) -> Resp {
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

pub fn committed(sha: &str) -> Value {
    json!({"event": "committed", "sha": sha, "node_id": "C_1",
           "author": {"name": "a", "email": "a@x", "date": "2030-01-01T00:00:00Z"},
           "committer": {"name": "a", "email": "a@x", "date": "2030-01-01T00:00:00Z"},
           "message": "m", "url": "", "html_url": "", "tree": {"sha": sha, "url": ""}, "parents": [], "verification": {"verified": false, "reason": "unsigned", "signature": null, "payload": null}})
}

pub fn labeled(label: &str, actor: &str, at: &str) -> Value {
    json!({"id": 1, "node_id": "LE_1", "url": "", "event": "labeled", "commit_id": null, "commit_url": null,
           "created_at": at, "actor": {"login": actor, "id": 2, "type": "User"},
           "label": {"name": label, "color": "ededed"}, "performed_via_github_app": null})
}

pub fn review(user: &str, state: &str, commit: &str) -> Value {
    json!({"id": 80, "node_id": "PRR_1", "user": {"login": user, "id": 3, "type": "User"}, "body": "",
           "state": state, "commit_id": commit, "submitted_at": "2026-01-02T00:00:00Z",
           "html_url": "", "pull_request_url": "", "author_association": "MEMBER",
           "_links": {"html": {"href": ""}, "pull_request": {"href": ""}}})
}

/// Every request matches an operation (method and path template) of GitHub's OpenAPI description.
pub fn assert_matches_openapi(log: &[Req]) {
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

impl State {
    /// Pull request #7 from `base` to `head`, pushed once, nothing else.
    pub fn new(base: &str, head: &str) -> State {
        State {
            base: base.to_string(),
            head: head.to_string(),
            timeline: vec![committed(head)],
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
}
