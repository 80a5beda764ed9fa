//! Which input file this thread is reading, so that a crash (always a bug)
//! can name the file that caused it. The gates mark each file they read;
//! the CLI's panic hook asks [`current`].

use std::cell::RefCell;

/// Test-only: `SHIPGATE_TEST_PANIC=1` makes the gates panic when they start
/// reading any file, `SHIPGATE_TEST_PANIC=<suffix>` only a file whose path
/// ends with it. `tests/cli.rs` uses it to show that a panic exits 3.
pub const TEST_PANIC_ENV: &str = "SHIPGATE_TEST_PANIC";

thread_local! {
    static CURRENT: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Marks `path` as the file this thread reads until the guard is dropped
/// (after a panic's hook has run: unwinding drops it later).
#[must_use = "the file is current only while the guard lives"]
pub fn file(path: &str) -> Reading {
    // Read once: the flag search marks every file of the repository.
    static TEST_PANIC: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let previous = CURRENT.with(|c| c.replace(Some(path.to_string())));
    let test_panic = TEST_PANIC.get_or_init(|| std::env::var(TEST_PANIC_ENV).ok().filter(|v| !v.is_empty()));
    if let Some(v) = test_panic {
        if v == "1" || path.ends_with(v.as_str()) {
            panic!("{TEST_PANIC_ENV} is set (a test-only crash)");
        }
    }
    Reading { previous }
}

/// The file this thread is reading, if any.
pub fn current() -> Option<String> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Restores the previously current file when dropped.
pub struct Reading {
    previous: Option<String>,
}

impl Drop for Reading {
    fn drop(&mut self) {
        let previous = self.previous.take();
        CURRENT.with(|c| *c.borrow_mut() = previous);
    }
}
