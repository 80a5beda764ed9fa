//! How a run ends: the four exit statuses of the contract
//! (`docs/contract.md`, "Exit codes"). Every command returns one of these;
//! this is the only place that knows their numbers.

/// The outcome of a command, as the process exit code tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// 0: the gate passes (warnings and notes allowed).
    Pass,
    /// 1: at least one unapproved finding blocks the gate.
    Blocked,
    /// 2: usage or configuration error, or an input that is not what it
    /// claims to be (bad flag, invalid config, binary migration).
    InvalidInput,
    /// 3: the gate could not be evaluated (I/O, git, GitHub API, database,
    /// a crash). Never a pass.
    NotEvaluated,
}

impl ExitStatus {
    /// The process exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Pass => 0,
            ExitStatus::Blocked => 1,
            ExitStatus::InvalidInput => 2,
            ExitStatus::NotEvaluated => 3,
        }
    }

    /// The status of several gates together, such as the refs of one push:
    /// the more serious one. Invalid input outranks a block, and a gate
    /// that was not evaluated outranks both.
    pub fn worst(self, other: ExitStatus) -> ExitStatus {
        self.max(other)
    }
}

impl From<ExitStatus> for std::process::ExitCode {
    fn from(s: ExitStatus) -> Self {
        std::process::ExitCode::from(s.code())
    }
}

#[cfg(test)]
mod tests {
    use super::ExitStatus;

    #[test]
    fn codes_follow_the_contract() {
        let all = [
            ExitStatus::Pass,
            ExitStatus::Blocked,
            ExitStatus::InvalidInput,
            ExitStatus::NotEvaluated,
        ];
        assert_eq!(all.map(ExitStatus::code), [0, 1, 2, 3]);
        assert_eq!(
            ExitStatus::Blocked.worst(ExitStatus::InvalidInput),
            ExitStatus::InvalidInput
        );
        assert_eq!(
            ExitStatus::NotEvaluated.worst(ExitStatus::Pass),
            ExitStatus::NotEvaluated
        );
    }
}
