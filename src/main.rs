//! The `shipgate` binary: parse the command line, run, map to an exit code.

fn main() -> std::process::ExitCode {
    shipgate::cli::run().into()
}

// Parsing thousands of statements is allocation-heavy; mimalloc is markedly
// faster than glibc's allocator across threads.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;
