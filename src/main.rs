//! The `shipgate` binary: parse the command line, run, map to an exit code.

fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(shipgate::cli::run())
}
