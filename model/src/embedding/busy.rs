//! Whether the model is embedding anything right now, process-wide: a training run (see
//! `crate::learning`) waits between its steps for a quiet moment, so the cores go to the bot's
//! asks first.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

static EMBEDDING: AtomicUsize = AtomicUsize::new(0);

/// Counts one embedding call for as long as it lives.
pub struct Busy(());

impl Busy {
    pub fn enter() -> Busy {
        EMBEDDING.fetch_add(1, Ordering::Relaxed);
        Busy(())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        EMBEDDING.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Embedding calls under way in this process.
pub fn in_flight() -> usize {
    EMBEDDING.load(Ordering::Relaxed)
}

/// Returns once nothing has been embedded for `quiet` (checked every millisecond), or after
/// `at_most` whatever happens: under asks that never pause, the waiter still moves on, slowly.
pub fn wait_for_quiet(quiet: Duration, at_most: Duration) {
    let started = Instant::now();
    let mut calm_since = Instant::now();
    while started.elapsed() < at_most {
        if in_flight() > 0 {
            calm_since = Instant::now();
        } else if calm_since.elapsed() >= quiet {
            return;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_counts_while_it_lives() {
        let before = in_flight();
        let busy = Busy::enter();
        assert!(in_flight() > before);
        let started = Instant::now();
        wait_for_quiet(Duration::from_millis(5), Duration::from_millis(50));
        assert!(started.elapsed() >= Duration::from_millis(50), "busy: waited the longest");
        drop(busy);
        let started = Instant::now();
        wait_for_quiet(Duration::from_millis(5), Duration::from_secs(5));
        assert!(started.elapsed() < Duration::from_secs(1), "quiet: went on");
    }
}
