//! Cancellation shared between the thread doing the work and whoever wants it stopped (another
//! thread, or a progress callback). Backoff sleeps and polling waits wake up at once on cancel.

use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::error::{Error, Result};

/// A flag that can be raised once and waited on. Cheap to clone; every clone shares the flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    inner: Arc<(Mutex<bool>, Condvar)>,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    fn flag(&self) -> MutexGuard<'_, bool> {
        // The flag is a plain bool: a panic elsewhere cannot leave it half-written.
        self.inner.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Raises the flag and wakes every sleeper.
    pub fn cancel(&self) {
        *self.flag() = true;
        self.inner.1.notify_all();
    }

    pub fn is_cancelled(&self) -> bool {
        *self.flag()
    }

    /// `Err(Error::Cancelled)` once cancelled.
    pub fn check(&self) -> Result<()> {
        if self.is_cancelled() {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Sleeps for `d`, or returns `Err(Error::Cancelled)` as soon as the flag is raised.
    pub fn sleep(&self, d: Duration) -> Result<()> {
        let deadline = Instant::now() + d;
        let mut cancelled = self.flag();
        while !*cancelled {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            cancelled = self
                .inner
                .1
                .wait_timeout(cancelled, deadline - now)
                .map(|(guard, _)| guard)
                .unwrap_or_else(|p| p.into_inner().0);
        }
        Err(Error::Cancelled)
    }
}

/// Sleeps with an optional token: the helpers pass `Option<&CancelToken>` through.
pub fn sleep(cancel: Option<&CancelToken>, d: Duration) -> Result<()> {
    match cancel {
        Some(c) => c.sleep(d),
        None => {
            std::thread::sleep(d);
            Ok(())
        }
    }
}

/// `Err(Error::Cancelled)` when the optional token is cancelled.
pub fn check(cancel: Option<&CancelToken>) -> Result<()> {
    cancel.map_or(Ok(()), CancelToken::check)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sleep_returns_cancelled_when_raised_from_another_thread() {
        let token = CancelToken::new();
        let other = token.clone();
        let t = std::thread::spawn(move || other.sleep(Duration::from_secs(300)));
        std::thread::sleep(Duration::from_millis(20));
        token.cancel();
        assert!(matches!(t.join().unwrap(), Err(Error::Cancelled)));
        assert!(token.is_cancelled());
    }

    #[test]
    fn sleep_ends_normally_without_cancel() {
        let token = CancelToken::new();
        assert!(token.sleep(Duration::from_millis(5)).is_ok());
        assert!(token.check().is_ok());
    }
}
