//! Independent work on every core, consumed in order: while the caller
//! handles item `i`, worker threads already prepare the next few. At most
//! `window` items are prepared ahead of the caller, which bounds memory.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex};
use std::thread::Result as Outcome;

struct Shared<R> {
    /// Prepared results not yet taken by the caller, by index.
    ready: BTreeMap<usize, Outcome<R>>,
    /// The next index a worker will claim.
    claimed: usize,
    /// How many items the caller has taken.
    taken: usize,
    /// The caller stopped early: workers claim nothing more.
    stop: bool,
}

struct Stop<'a, R>(&'a Mutex<Shared<R>>, &'a Condvar);

impl<R> Drop for Stop<'_, R> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
        self.1.notify_all();
    }
}

/// Runs `prepare` on each of `items` on all cores and hands the results to
/// `consume` one by one, in the order of `items`. Stops at the first error
/// `consume` returns. A panic in `prepare` is a bug: it is re-raised on the
/// calling thread when its item's turn comes, never a silently missing item.
pub fn ordered<T: Sync, R: Send, E>(
    items: &[T],
    window: usize,
    prepare: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(&T, R) -> Result<(), E>,
) -> Result<(), E> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(items.len());
    if workers <= 1 {
        return items.iter().try_for_each(|item| consume(item, prepare(item)));
    }
    let window = window.max(workers);
    let shared = Mutex::new(Shared {
        ready: BTreeMap::new(),
        claimed: 0,
        taken: 0,
        stop: false,
    });
    let changed = Condvar::new();
    let lock = || shared.lock().unwrap_or_else(|e| e.into_inner());
    std::thread::scope(|s| {
        for _ in 0..workers {
            s.spawn(|| loop {
                let i = {
                    let mut g = lock();
                    while !g.stop && g.claimed < items.len() && g.claimed >= g.taken + window {
                        g = changed.wait(g).unwrap_or_else(|e| e.into_inner());
                    }
                    if g.stop || g.claimed >= items.len() {
                        break;
                    }
                    g.claimed += 1;
                    g.claimed - 1
                };
                let r = catch_unwind(AssertUnwindSafe(|| prepare(&items[i])));
                lock().ready.insert(i, r);
                changed.notify_all();
            });
        }
        // However the caller's loop ends (done, an error, a panic in
        // `consume`), workers stop claiming and the scope can join them.
        let _stop = Stop(&shared, &changed);
        for (i, item) in items.iter().enumerate() {
            let r = {
                let mut g = lock();
                loop {
                    if let Some(r) = g.ready.remove(&i) {
                        g.taken = i + 1;
                        break r;
                    }
                    g = changed.wait(g).unwrap_or_else(|e| e.into_inner());
                }
            };
            changed.notify_all();
            let r = match r {
                Ok(r) => r,
                Err(panic) => resume_unwind(panic),
            };
            consume(item, r)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_order_and_an_error_stops() {
        let items: Vec<u64> = (0..500).collect();
        let mut seen = Vec::new();
        let r: Result<(), ()> = ordered(
            &items,
            8,
            |&x| {
                // Uneven work, so that workers finish out of order.
                std::thread::sleep(std::time::Duration::from_micros((x * 7919) % 300));
                x * 2
            },
            |&x, r| {
                assert_eq!(r, x * 2);
                seen.push(x);
                Ok(())
            },
        );
        assert_eq!(r, Ok(()));
        assert_eq!(seen, items);
        let mut count = 0;
        let r = ordered(
            &items,
            4,
            |&x| x,
            |&x, _| {
                count += 1;
                if x == 10 {
                    Err(x)
                } else {
                    Ok(())
                }
            },
        );
        assert_eq!((r, count), (Err(10), 11));
    }

    #[test]
    fn a_panic_in_a_worker_reaches_the_caller() {
        let items: Vec<u32> = (0..64).collect();
        let caught = catch_unwind(|| {
            let _ = ordered(
                &items,
                4,
                |&x| if x == 33 { panic!("bug") } else { x },
                |_, _| Ok::<(), ()>(()),
            );
        });
        assert!(caught.is_err());
        // A panic on the calling thread does not leave workers waiting forever.
        let caught = catch_unwind(|| {
            let _ = ordered(
                &items,
                4,
                |&x| x,
                |&x, _| if x == 5 { panic!("bug") } else { Ok::<(), ()>(()) },
            );
        });
        assert!(caught.is_err());
    }
}
