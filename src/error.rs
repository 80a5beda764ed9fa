//! Why a run could not finish: the errors every layer may return, and the
//! exit statuses they map to.

use crate::exit::ExitStatus;

/// Why the gate could not run.
#[derive(Debug)]
pub enum AppError {
    /// Bad command line or configuration: `ExitStatus::InvalidInput`.
    Usage(String),
    Config(crate::config::ConfigError),
    /// The gate could not be evaluated (I/O, git): `ExitStatus::NotEvaluated`.
    Evaluate(String),
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AppError::Usage(m) | AppError::Evaluate(m) => f.write_str(m),
            AppError::Config(e) => write!(f, "{e}"),
        }
    }
}

impl AppError {
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            AppError::Usage(_) | AppError::Config(_) => ExitStatus::InvalidInput,
            AppError::Evaluate(_) => ExitStatus::NotEvaluated,
        }
    }
}

impl From<crate::git::GitError> for AppError {
    fn from(e: crate::git::GitError) -> Self {
        match e {
            crate::git::GitError::UnknownRevision(m) => AppError::Usage(m),
            crate::git::GitError::Failed(m) => AppError::Evaluate(m),
        }
    }
}
