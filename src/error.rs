//! Why a run could not finish: the errors every layer may return, and the
//! exit codes they map to.

/// Why the gate could not run.
#[derive(Debug)]
pub enum AppError {
    /// Bad command line or configuration: exit 2.
    Usage(String),
    Config(crate::config::ConfigError),
    /// The gate could not be evaluated (I/O, git): exit 3.
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
    pub fn exit_code(&self) -> u8 {
        match self {
            AppError::Usage(_) | AppError::Config(_) => 2,
            AppError::Evaluate(_) => 3,
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
