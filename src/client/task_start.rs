//! Starting a task at most once, even when the answer to the `POST` is lost.
//!
//! The `POST …/tasks` that starts a task is not idempotent: sent twice, it runs the import twice.
//! The core retries it only when the server cannot have acted on it (`RetryMode::NotIfSent`: a
//! refused connection, 429, 503). When the request went out but no answer came back (a reset
//! after sending, a timeout), the core reports `Error::MaybeSent`, and this module finds out
//! what happened by listing the object's tasks (`GET …/tasks?sort=-creationTime`):
//!
//! 1. Before the `POST`, it takes a snapshot of the task ids listed (and the newest creation
//!    time among them, on the server's clock, so the client's clock does not matter).
//! 2. After an unknown outcome, a listed task that is not in the snapshot and was created no
//!    earlier than the newest snapshotted task was created by the lost `POST`: it is adopted.
//!    When there are several (another user started the same object meanwhile: task lists show
//!    every user's tasks), the oldest is taken, as ours was sent first.
//! 3. Otherwise the `POST` did not take effect and is sent again, up to the retry count.
//!
//! The one case this cannot tell apart is another user starting the same object in the same
//! instant as a lost `POST` that did not take effect: the library then waits for that user's
//! task. Anaplan's task list does not say who started a task, so no client can do better.

use std::collections::HashSet;

use super::error::{Error, Result};
use super::task_result::TaskStatus;

/// The server calls starting needs, for one object.
pub(crate) trait TaskStarter {
    /// `GET …/tasks?sort=-creationTime` (first page: the newest tasks).
    fn list(&mut self) -> Result<Vec<TaskStatus>>;
    /// `POST …/tasks` with the start body, never retried once sent.
    fn post(&mut self) -> Result<TaskStatus>;
    /// A line for the log.
    fn note(&mut self, message: &str);
}

/// The tasks that existed before our `POST`.
#[derive(Debug, Default)]
pub(crate) struct Snapshot {
    ids: HashSet<String>,
    newest: Option<i64>,
}

impl Snapshot {
    pub fn of(tasks: &[TaskStatus]) -> Snapshot {
        Snapshot {
            ids: tasks.iter().map(|t| t.task_id.clone()).collect(),
            newest: tasks.iter().filter_map(|t| t.creation_time).max(),
        }
    }

    /// The task our lost `POST` created, if the list shows one (see the module documentation).
    pub fn adoptable(&self, listed: Vec<TaskStatus>) -> Option<TaskStatus> {
        listed
            .into_iter()
            .filter(|t| !self.ids.contains(&t.task_id))
            .filter(|t| match (self.newest, t.creation_time) {
                (Some(newest), Some(created)) => created >= newest,
                _ => true,
            })
            .min_by_key(|t| t.creation_time.unwrap_or(i64::MAX))
    }
}

/// Starts the task once: sends the `POST` up to `1 + retries` times while its outcome is unknown
/// and no task shows up for it. Other errors (404 for a wrong id, 400, exhausted 429/503
/// retries) are returned at once.
pub(crate) fn start_once(starter: &mut dyn TaskStarter, retries: u32) -> Result<TaskStatus> {
    let snapshot = Snapshot::of(&starter.list()?);
    let mut attempt = 0;
    loop {
        let lost = match starter.post() {
            Ok(task) => return Ok(task),
            Err(e @ Error::MaybeSent { .. }) => e,
            Err(e) => return Err(e),
        };
        if let Some(task) = snapshot.adoptable(starter.list()?) {
            starter.note(&format!(
                "the answer to starting the task was lost ({lost}); adopting task {} created by it",
                task.task_id
            ));
            return Ok(task);
        }
        if attempt >= retries {
            return Err(lost);
        }
        attempt += 1;
        starter.note(&format!(
            "the answer to starting the task was lost ({lost}) and no new task is listed; starting again (attempt {} of {})",
            attempt + 1,
            retries + 1
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::task_result::TaskState;
    use serde_json::Value;

    fn t(id: &str, created: i64) -> TaskStatus {
        TaskStatus {
            task_id: id.into(),
            state: TaskState::NotStarted,
            progress: 0.0,
            current_step: None,
            creation_time: Some(created),
            raw: Value::Null,
        }
    }

    fn lost() -> Error {
        Error::MaybeSent {
            method: "POST".into(),
            path: "/p".into(),
            message: "connection reset".into(),
        }
    }

    /// A server whose POSTs follow a script: `Ok(true)` creates a task and answers, `Ok(false)`
    /// creates a task but the answer is lost, `Err(())` loses the request before it acts.
    struct Server {
        tasks: Vec<TaskStatus>,
        script: Vec<std::result::Result<bool, ()>>,
        posts: usize,
        clock: i64,
    }

    impl TaskStarter for Server {
        fn list(&mut self) -> Result<Vec<TaskStatus>> {
            let mut v = self.tasks.clone();
            v.reverse();
            Ok(v)
        }
        fn post(&mut self) -> Result<TaskStatus> {
            let step = self.script[self.posts];
            self.posts += 1;
            match step {
                Ok(answered) => {
                    self.clock += 1;
                    let task = t(&format!("N{}", self.posts), self.clock);
                    self.tasks.push(task.clone());
                    if answered {
                        Ok(task)
                    } else {
                        Err(lost())
                    }
                }
                Err(()) => Err(lost()),
            }
        }
        fn note(&mut self, _m: &str) {}
    }

    fn server(script: Vec<std::result::Result<bool, ()>>) -> Server {
        Server {
            tasks: vec![t("OLD1", 5), t("OLD2", 10)],
            script,
            posts: 0,
            clock: 10,
        }
    }

    #[test]
    fn a_lost_answer_adopts_the_task_it_created() {
        let mut s = server(vec![Ok(false)]);
        let task = start_once(&mut s, 3).unwrap();
        assert_eq!(task.task_id, "N1");
        assert_eq!(s.posts, 1, "not started twice");
    }

    #[test]
    fn a_lost_request_is_sent_again() {
        let mut s = server(vec![Err(()), Ok(true)]);
        assert_eq!(start_once(&mut s, 3).unwrap().task_id, "N2");
        assert_eq!(s.posts, 2);
        assert_eq!(s.tasks.len(), 3, "one task created");
    }

    #[test]
    fn the_retry_count_bounds_the_attempts() {
        let mut s = server(vec![Err(()), Err(()), Err(())]);
        assert!(matches!(
            start_once(&mut s, 2),
            Err(Error::MaybeSent { .. })
        ));
        assert_eq!(s.posts, 3);
    }

    #[test]
    fn other_errors_are_not_retried() {
        struct NotFound(usize);
        impl TaskStarter for NotFound {
            fn list(&mut self) -> Result<Vec<TaskStatus>> {
                Ok(Vec::new())
            }
            fn post(&mut self) -> Result<TaskStatus> {
                self.0 += 1;
                Err(Error::Http {
                    method: "POST".into(),
                    path: "/p".into(),
                    status: 404,
                    message: "Not Found".into(),
                })
            }
            fn note(&mut self, _m: &str) {}
        }
        let mut s = NotFound(0);
        assert!(matches!(
            start_once(&mut s, 3),
            Err(Error::Http { status: 404, .. })
        ));
        assert_eq!(s.0, 1);
    }

    #[test]
    fn only_tasks_newer_than_the_snapshot_are_adopted_and_the_oldest_wins() {
        let snap = Snapshot::of(&[t("A", 100), t("B", 90)]);
        // "C" is not in the snapshot but older than its newest task (it fell off the first page).
        let listed = vec![t("E", 103), t("D", 101), t("A", 100), t("C", 50)];
        assert_eq!(snap.adoptable(listed).unwrap().task_id, "D");
        assert!(snap.adoptable(vec![t("A", 100), t("B", 90)]).is_none());
        assert_eq!(
            Snapshot::default()
                .adoptable(vec![t("X", 1)])
                .unwrap()
                .task_id,
            "X"
        );
    }
}
