//! Cancellation shared between the thread doing the work and whoever wants it stopped (another
//! thread, or a progress callback). Backoff sleeps and polling waits wake up at once on cancel.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use super::error::{Error, Result};

/// A flag that can be raised once and waited on. Cheap to clone; every clone shares the flag.
/// [`CancelToken::linked`] makes a token that is raised with this one but not the other way.
#[derive(Clone, Debug, Default)]
pub struct CancelToken {
    inner: Arc<Shared>,
}

#[derive(Debug, Default)]
struct Shared {
    state: Mutex<State>,
    woken: Condvar,
}

#[derive(Debug, Default)]
struct State {
    cancelled: bool,
    /// Tokens made by `linked`, raised with this one; dropped ones are pruned as new ones come.
    linked: Vec<Weak<Shared>>,
}

impl CancelToken {
    pub fn new() -> CancelToken {
        CancelToken::default()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A bool and a list of weak references: a panic elsewhere cannot leave them half-written.
        self.inner.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A new token raised when this one is (at once if it already is), which can also be raised
    /// alone: one transfer stops its own workers without cancelling the caller's token.
    pub fn linked(&self) -> CancelToken {
        let child = CancelToken::new();
        let mut state = self.state();
        if state.cancelled {
            drop(state);
            child.cancel();
        } else {
            state.linked.retain(|w| w.strong_count() > 0);
            state.linked.push(Arc::downgrade(&child.inner));
        }
        child
    }

    /// Raises the flag and wakes every sleeper, here and in the linked tokens.
    pub fn cancel(&self) {
        let linked = {
            let mut state = self.state();
            state.cancelled = true;
            std::mem::take(&mut state.linked)
        };
        self.inner.woken.notify_all();
        // Outside this token's lock: each linked token takes its own.
        for shared in linked.iter().filter_map(Weak::upgrade) {
            CancelToken { inner: shared }.cancel();
        }
    }

    pub fn is_cancelled(&self) -> bool {
        self.state().cancelled
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
        let mut state = self.state();
        while !state.cancelled {
            let now = Instant::now();
            if now >= deadline {
                return Ok(());
            }
            state = self
                .inner
                .woken
                .wait_timeout(state, deadline - now)
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
    fn a_linked_token_is_raised_with_its_parent_and_alone() {
        let parent = CancelToken::new();
        let alone = parent.linked();
        alone.cancel();
        assert!(
            !parent.is_cancelled(),
            "a linked token never raises its parent"
        );
        let child = parent.linked();
        let waiting = child.clone();
        let t = std::thread::spawn(move || waiting.sleep(Duration::from_secs(300)));
        std::thread::sleep(Duration::from_millis(20));
        parent.cancel();
        assert!(matches!(t.join().unwrap(), Err(Error::Cancelled)));
        assert!(
            parent.linked().is_cancelled(),
            "linked after the fact: raised at once"
        );
    }

    #[test]
    fn sleep_ends_normally_without_cancel() {
        let token = CancelToken::new();
        assert!(token.sleep(Duration::from_millis(5)).is_ok());
        assert!(token.check().is_ok());
    }
}
