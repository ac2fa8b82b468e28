//! Waiting for a task to end: polling that starts fast and backs off, an overall deadline, and
//! cancellation (from another thread through a `CancelToken`, or from the progress callback).
//!
//! Polling starts at 100 ms and doubles up to 5 s: short tasks (most deletes and small imports
//! finish in well under a second) are seen at once, and long ones are polled no more than once
//! every 5 s in steady state, as Anaplan asks in
//! https://help.anaplan.com/monitor-the-import-tasks-107143d0-91b3-4158-b2ee-c30a9ba4ee5f.
//!
//! Cancelling sends `DELETE …/tasks/{id}` and keeps polling until the server reports `CANCELLED`,
//! so that `Error::Cancelled` means the task really ended without committing anything. A task
//! that reaches `COMPLETE` before the cancellation takes effect has done its work: its status is
//! returned as usual, because pretending it was cancelled would hide committed changes.
//!
//! A status poll is safe to repeat, so a poll that fails for a transient reason (no answer, a
//! 429 or 5xx after the connection's own retries) does not end the wait: the task goes on
//! running on the server whatever happens to one poll, and a caller that saw an error would run
//! it again. Polling goes on, with the same backoff, until the run's own timeout or, without one,
//! after [`MAX_UNREACHABLE`] of nothing but failures; the error then says that the task may
//! still be running, with its id.
//!
//! On the overall timeout the server task is cancelled too (one `DELETE`, not waited for) and
//! `Error::Timeout` names the task: a task nobody waits for keeps the model locked for everyone
//! and its outcome would never be reported. `WaitOptions::cancel_on_timeout` turns that off.

use std::time::{Duration, Instant};

use super::cancel::{self, CancelToken};
use super::error::{Error, Result};
use super::task_result::{TaskState, TaskStatus};

pub const FIRST_POLL_DELAY: Duration = Duration::from_millis(100);
pub const MAX_POLL_DELAY: Duration = Duration::from_secs(5);
/// How long to wait for `CANCELLED` after a cancellation was requested (Anaplan rolls the
/// model back, which can take a while on a large model).
pub const CANCEL_GRACE: Duration = Duration::from_secs(120);

/// How long polls may keep failing in a row (when the run has no timeout) before the wait ends.
pub const MAX_UNREACHABLE: Duration = Duration::from_secs(600);

/// The delays between polls: 100 ms, 200 ms, 400 ms ... up to 5 s.
#[derive(Clone, Debug)]
pub struct PollBackoff {
    next: Duration,
    max: Duration,
}

impl Default for PollBackoff {
    fn default() -> Self {
        PollBackoff::new(FIRST_POLL_DELAY, MAX_POLL_DELAY)
    }
}

impl PollBackoff {
    pub fn new(first: Duration, max: Duration) -> PollBackoff {
        PollBackoff { next: first, max }
    }

    pub fn next_delay(&mut self) -> Duration {
        let d = self.next.min(self.max);
        self.next = (self.next * 2).min(self.max);
        d
    }
}

/// The two things the wait loop asks of the server for one task.
pub(crate) trait TaskEndpoint {
    /// `GET …/tasks/{id}`. The token lets a slow poll be abandoned when the caller cancels.
    fn status(&mut self, cancel: Option<&CancelToken>) -> Result<TaskStatus>;
    /// `DELETE …/tasks/{id}`.
    fn cancel(&mut self) -> Result<TaskStatus>;
    /// The task's id, for messages.
    fn task_id(&self) -> &str;
}

/// The progress callback: state and progress (0.0 to 1.0) in, `false` out to cancel.
pub type ProgressFn<'p> = dyn FnMut(&TaskState, f64) -> bool + 'p;

/// How to wait. `progress` runs on the calling thread after every poll with the state and the
/// progress (0.0 to 1.0); returning `false` cancels the task.
pub(crate) struct WaitOptions<'a, 'p> {
    pub deadline: Option<Instant>,
    pub cancel: Option<&'a CancelToken>,
    pub progress: Option<&'p mut ProgressFn<'p>>,
    pub cancel_on_timeout: bool,
    pub backoff: PollBackoff,
}

/// Polls until the task is `COMPLETE` or `CANCELLED` and returns its last status; see the module
/// documentation for cancellation and timeouts.
pub(crate) fn wait_for_end(
    task: &mut dyn TaskEndpoint,
    mut opts: WaitOptions<'_, '_>,
) -> Result<TaskStatus> {
    // When the polls started failing, while they do.
    let mut failing_since: Option<Instant> = None;
    loop {
        if cancel::check(opts.cancel).is_err() {
            return cancel_and_confirm(task, opts.progress.take());
        }
        let status = match task.status(opts.cancel) {
            Ok(s) => s,
            Err(Error::Cancelled) => return cancel_and_confirm(task, opts.progress.take()),
            Err(e) if is_transient(&e) => {
                let since = *failing_since.get_or_insert_with(Instant::now);
                let out_of_time = opts.deadline.is_some_and(|d| Instant::now() >= d);
                if out_of_time || (opts.deadline.is_none() && since.elapsed() >= MAX_UNREACHABLE) {
                    return Err(may_still_run(e, task.task_id()));
                }
                let mut delay = opts.backoff.next_delay();
                if let Some(deadline) = opts.deadline {
                    delay = delay.min(deadline.saturating_duration_since(Instant::now()));
                }
                let _ = cancel::sleep(opts.cancel, delay);
                continue;
            }
            Err(e) => return Err(may_still_run(e, task.task_id())),
        };
        failing_since = None;
        let keep_going = report(&mut opts.progress, &status);
        if status.state.is_terminal() {
            return Ok(status);
        }
        if !keep_going {
            return cancel_and_confirm(task, opts.progress.take());
        }
        let mut delay = opts.backoff.next_delay();
        if let Some(deadline) = opts.deadline {
            let now = Instant::now();
            if now >= deadline {
                return Err(timed_out(task, opts.cancel_on_timeout));
            }
            delay = delay.min(deadline - now);
        }
        // A cancel during the sleep is seen at the top of the loop.
        let _ = cancel::sleep(opts.cancel, delay);
    }
}

/// A poll failure that another poll may not have: no answer, or an answer that says "later".
fn is_transient(e: &Error) -> bool {
    match e {
        Error::Network { .. } | Error::MaybeSent { .. } | Error::Timeout(_) => true,
        Error::Http { status, .. } => *status == 429 || (500..600).contains(status),
        _ => false,
    }
}

/// The error that ended a wait, saying that the task was started and may still be running, so
/// that nobody starts it again without looking.
fn may_still_run(e: Error, task_id: &str) -> Error {
    e.map_message(|m| {
        format!("{m}; task {task_id} was started and may still be running: check its status before running it again")
    })
}

fn report(progress: &mut Option<&mut ProgressFn<'_>>, status: &TaskStatus) -> bool {
    match progress {
        Some(cb) => cb(&status.state, status.progress),
        None => true,
    }
}

/// Sends the cancellation and polls (without the caller's token, which is already raised) until
/// the task ends. `Error::Cancelled` when it ends `CANCELLED`; its status when it completed first.
fn cancel_and_confirm(
    task: &mut dyn TaskEndpoint,
    mut progress: Option<&mut ProgressFn<'_>>,
) -> Result<TaskStatus> {
    let mut status = task.cancel()?;
    let deadline = Instant::now() + CANCEL_GRACE;
    let mut backoff = PollBackoff::default();
    loop {
        match status.state {
            TaskState::Cancelled => return Err(Error::Cancelled),
            TaskState::Complete => return Ok(status),
            _ => {}
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout(format!(
                "task {} was asked to cancel but is still {} after {} s",
                task.task_id(),
                status.state.as_str(),
                CANCEL_GRACE.as_secs()
            )));
        }
        std::thread::sleep(backoff.next_delay());
        status = task.status(None)?;
        // Progress is still reported, but the answer no longer matters: cancelling is under way.
        if let Some(cb) = progress.as_deref_mut() {
            let _ = cb(&status.state, status.progress);
        }
    }
}

fn timed_out(task: &mut dyn TaskEndpoint, cancel_on_timeout: bool) -> Error {
    let id = task.task_id().to_string();
    if !cancel_on_timeout {
        return Error::Timeout(format!(
            "task {id} did not end within the timeout; it is still running on the server"
        ));
    }
    match task.cancel() {
        Ok(s) => Error::Timeout(format!(
            "task {id} did not end within the timeout; its cancellation was requested (now {})",
            s.state.as_str()
        )),
        Err(e) => Error::Timeout(format!(
            "task {id} did not end within the timeout, and cancelling it failed: {e}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;
    use std::collections::VecDeque;

    /// A scripted task: each poll takes the next state; a cancel switches to the cancel script.
    struct Fake {
        polls: VecDeque<&'static str>,
        after_cancel: VecDeque<&'static str>,
        cancelled: bool,
        status_calls: usize,
        cancel_calls: usize,
    }

    fn fake(polls: &[&'static str], after_cancel: &[&'static str]) -> Fake {
        Fake {
            polls: polls.iter().copied().collect(),
            after_cancel: after_cancel.iter().copied().collect(),
            cancelled: false,
            status_calls: 0,
            cancel_calls: 0,
        }
    }

    fn st(state: &str) -> TaskStatus {
        TaskStatus {
            task_id: "T".into(),
            state: TaskState::parse(state),
            progress: 0.5,
            current_step: None,
            creation_time: None,
            raw: Value::Null,
        }
    }

    impl TaskEndpoint for Fake {
        fn status(&mut self, _c: Option<&CancelToken>) -> Result<TaskStatus> {
            self.status_calls += 1;
            let q = if self.cancelled {
                &mut self.after_cancel
            } else {
                &mut self.polls
            };
            let s = if q.len() > 1 {
                q.pop_front()
            } else {
                q.front().copied()
            };
            Ok(st(s.unwrap_or("IN_PROGRESS")))
        }
        fn cancel(&mut self) -> Result<TaskStatus> {
            self.cancel_calls += 1;
            self.cancelled = true;
            Ok(st("CANCELLING"))
        }
        fn task_id(&self) -> &str {
            "T"
        }
    }

    fn opts<'a, 'p>() -> WaitOptions<'a, 'p> {
        WaitOptions {
            deadline: None,
            cancel: None,
            progress: None,
            cancel_on_timeout: true,
            backoff: PollBackoff::new(Duration::from_millis(1), Duration::from_millis(2)),
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_ceiling() {
        let mut b = PollBackoff::default();
        let seen: Vec<u64> = (0..9).map(|_| b.next_delay().as_millis() as u64).collect();
        assert_eq!(seen, vec![100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    }

    #[test]
    fn polls_until_complete() {
        let mut f = fake(
            &["NOT_STARTED", "IN_PROGRESS", "IN_PROGRESS", "COMPLETE"],
            &[],
        );
        let s = wait_for_end(&mut f, opts()).unwrap();
        assert_eq!(s.state, TaskState::Complete);
        assert_eq!(f.status_calls, 4);
        assert_eq!(f.cancel_calls, 0);
    }

    #[test]
    fn a_callback_returning_false_cancels_and_waits_for_cancelled() {
        let mut f = fake(&["IN_PROGRESS"], &["CANCELLING", "CANCELLED"]);
        let mut seen = Vec::new();
        let mut cb = |s: &TaskState, _p: f64| {
            seen.push(s.clone());
            false
        };
        let mut o = opts();
        o.progress = Some(&mut cb);
        let e = wait_for_end(&mut f, o).unwrap_err();
        assert!(matches!(e, Error::Cancelled));
        assert_eq!(f.cancel_calls, 1);
        assert_eq!(seen.last(), Some(&TaskState::Cancelled));
    }

    #[test]
    fn a_raised_token_cancels_the_task() {
        let mut f = fake(&["IN_PROGRESS"], &["CANCELLED"]);
        let token = CancelToken::new();
        token.cancel();
        let mut o = opts();
        o.cancel = Some(&token);
        assert!(matches!(wait_for_end(&mut f, o), Err(Error::Cancelled)));
        assert_eq!(f.cancel_calls, 1);
    }

    #[test]
    fn a_task_that_completes_before_the_cancel_takes_effect_returns_its_status() {
        let mut f = fake(&["IN_PROGRESS"], &["COMPLETE"]);
        let mut cb = |_: &TaskState, _: f64| false;
        let mut o = opts();
        o.progress = Some(&mut cb);
        assert_eq!(wait_for_end(&mut f, o).unwrap().state, TaskState::Complete);
    }

    #[test]
    fn the_deadline_gives_timeout_and_cancels_unless_told_not_to() {
        for cancel_on_timeout in [true, false] {
            let mut f = fake(&["IN_PROGRESS"], &[]);
            let mut o = opts();
            o.deadline = Some(Instant::now() + Duration::from_millis(20));
            o.cancel_on_timeout = cancel_on_timeout;
            let e = wait_for_end(&mut f, o).unwrap_err();
            assert!(
                matches!(&e, Error::Timeout(m) if m.contains("task T")),
                "{e}"
            );
            assert_eq!(f.cancel_calls, usize::from(cancel_on_timeout));
        }
    }
}
