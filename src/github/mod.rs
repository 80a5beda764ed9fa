//! GitHub: the pull request context `shipgate ci` fetches and the summary
//! comment it upserts, behind a small trait. Only `client.rs` talks HTTP.

pub mod ci;
pub mod client;
pub mod comment;

pub use crate::config::ci::CiConfig;
use crate::signoff::blocking::OpenIssue;
use crate::signoff::{CommitVerification, HeadSeen, Permission, Review, TimelineEvent};

/// The hidden marker of shipgate's summary comment.
pub const MARKER: &str = "<!-- shipgate:summary -->";

/// Why a GitHub call failed, after retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// 403 without a rate limit: the token may not do this (a fork's pull request).
    Forbidden(String),
    /// 404.
    NotFound(String),
    /// Anything else: 5xx, timeouts, rate limits beyond the time budget, bad JSON.
    Failed(String),
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ApiError::Forbidden(m) | ApiError::NotFound(m) | ApiError::Failed(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for ApiError {}

/// The pull request as the API reports it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub author: String,
    pub head_sha: String,
    pub base_sha: String,
    /// When it was merged, if it was.
    pub merged_at: Option<String>,
    /// The head branch, when it is in this repository (`None` for a fork's).
    pub head_branch: Option<String>,
}

/// A pull request's head branch (`head.ref` of the API's or the event's
/// `pull_request`) when the head is in the base repository; `None` for a
/// fork's (or a deleted fork's) head, whose check suites have no branch.
/// Without repositories the branch is taken as it is.
pub fn head_branch(pr: &serde_json::Value) -> Option<String> {
    let repo = |p: &str| pr.pointer(p).and_then(|v| v.as_str()).map(str::to_ascii_lowercase);
    let fork = match (pr.pointer("/head/repo"), repo("/base/repo/full_name")) {
        (Some(serde_json::Value::Null), _) => true,
        (Some(_), Some(base)) => repo("/head/repo/full_name") != Some(base),
        _ => false,
    };
    pr.pointer("/head/ref")
        .and_then(|r| r.as_str())
        .filter(|r| !fork && !r.is_empty())
        .map(str::to_string)
}

/// What upserting the summary comment did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommentOutcome {
    Created(u64),
    Updated(u64),
    /// Created beside comments that carry the marker, because the token's
    /// login could not be read (`why`) to tell whether one of them is its own.
    CreatedBeside {
        id: u64,
        why: String,
    },
}

/// What `shipgate ci` needs from GitHub.
pub trait GitHub {
    /// The login of the token's own identity.
    fn viewer_login(&self) -> Result<String, ApiError>;
    fn pull_request(&self, number: u64) -> Result<PullRequest, ApiError>;
    /// Label and push events of the pull request's timeline, in order.
    fn timeline(&self, number: u64) -> Result<Vec<TimelineEvent>, ApiError>;
    fn reviews(&self, number: u64) -> Result<Vec<Review>, ApiError>;
    /// The merged pull requests a commit belongs to.
    fn merged_pulls_for_commit(&self, sha: &str) -> Result<Vec<u64>, ApiError>;
    /// When GitHub first saw `sha` on `branch` (its earliest check suite
    /// there; with `branch` `None`, a fork's head, its earliest of all).
    fn commit_seen_at(&self, sha: &str, branch: Option<&str>) -> Result<HeadSeen, ApiError>;
    /// The pull request's commits (GitHub lists at most 250) and their verification.
    fn pull_commits(&self, number: u64) -> Result<Vec<CommitVerification>, ApiError>;
    /// The open issues (not pull requests) labelled `label`, every page.
    fn open_issues(&self, label: &str) -> Result<Vec<OpenIssue>, ApiError>;
    /// The user's repository permission; `None` when it cannot be read.
    fn permission(&self, user: &str) -> Result<Option<Permission>, ApiError>;
    /// Whether the user is an active member of `org/team-slug`; `None` when it cannot be read.
    fn team_member(&self, team: &str, user: &str) -> Result<Option<bool>, ApiError>;
    /// Edits the comment carrying [`MARKER`] authored by the token's own
    /// identity ([`GitHub::viewer_login`]), or creates one.
    fn upsert_comment(&self, number: u64, body: &str) -> Result<CommentOutcome, ApiError>;
    /// How many HTTP requests were sent (retries included).
    fn requests(&self) -> usize;
}
