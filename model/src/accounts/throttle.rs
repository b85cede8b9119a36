//! Slows password guessing: after a few failed sign-ins for one name within a window, further
//! attempts for that name are refused until the window has passed. Kept in memory: a restart
//! forgets it, which costs an attacker a restart they cannot cause.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct SignInThrottle {
    failures: Mutex<HashMap<String, Vec<Instant>>>,
    limit: usize,
    window: Duration,
}

impl Default for SignInThrottle {
    /// Five failures per name in fifteen minutes.
    fn default() -> Self {
        SignInThrottle::new(5, Duration::from_secs(15 * 60))
    }
}

impl SignInThrottle {
    pub fn new(limit: usize, window: Duration) -> Self {
        SignInThrottle { failures: Mutex::new(HashMap::new()), limit, window }
    }

    /// `Err(wait)` when this name has failed too often lately.
    pub fn check(&self, name: &str) -> Result<(), Duration> {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let Some(times) = failures.get_mut(name) else { return Ok(()) };
        times.retain(|t| now.duration_since(*t) < self.window);
        if times.len() < self.limit {
            return Ok(());
        }
        Err(self.window.saturating_sub(now.duration_since(times[0])))
    }

    pub fn failed(&self, name: &str) {
        let mut failures = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        // Bounded memory: a flood of made-up names cannot grow the map without limit.
        if failures.len() > 100_000 {
            failures.clear();
        }
        failures.entry(name.to_string()).or_default().push(Instant::now());
    }

    pub fn succeeded(&self, name: &str) {
        self.failures.lock().unwrap_or_else(|e| e.into_inner()).remove(name);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_after_the_limit_and_forgets_after_the_window() {
        let t = SignInThrottle::new(2, Duration::from_millis(50));
        assert!(t.check("ada").is_ok());
        t.failed("ada");
        t.failed("ada");
        assert!(t.check("ada").is_err());
        assert!(t.check("bob").is_ok(), "per name");
        std::thread::sleep(Duration::from_millis(60));
        assert!(t.check("ada").is_ok());
        t.failed("ada");
        t.succeeded("ada");
        t.failed("ada");
        assert!(t.check("ada").is_ok(), "a success clears the count");
    }
}
