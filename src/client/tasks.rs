//! Running imports, exports, actions and processes (`…/{kind}/{id}/tasks` in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json): start the task once
//! ([`task_start`](super::task_start)), wait for it to end ([`wait`](super::wait)), and return
//! its [`TaskResult`].
//!
//! ```no_run
//! # use anaplan::client::{Client, tasks::RunOptions};
//! # fn f(client: &Client) -> anaplan::client::Result<()> {
//! let result = client.run("118000000001", &RunOptions::default())?;
//! println!("successful: {}, dumps: {}", result.successful, result.failure_dump_available);
//! # Ok(()) }
//! ```
//!
//! Objects are given by id here; the kind follows from the id's prefix. Names are resolved by
//! the lookup module: [`Client::resolve_runnable`] is the one place that turns what the caller
//! gave into an id, and is where the name lookup plugs in.

use std::time::{Duration, Instant};

use serde::Serialize;
use serde_json::Value;

use super::cancel::CancelToken;
use super::connection::Client;
use super::error::{Error, Result};
use super::http::Request;
use super::task_kind::TaskKind;
use super::task_result::{TaskResult, TaskStatus};
use super::task_start::{start_once, TaskStarter};
use super::wait::{wait_for_end, PollBackoff, ProgressFn, TaskEndpoint, WaitOptions};

/// A runtime mapping of an import or process, which item of a dimension to use, e.g.
/// `{"entityType":"Version","entityName":"Actual"}`
/// (https://help.anaplan.com/import-with-mapping-data-a819aec7-729d-43a5-bd49-3e4c598fb358).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MappingParameter {
    pub entity_type: String,
    pub entity_name: String,
}

impl MappingParameter {
    pub fn new(entity_type: impl Into<String>, entity_name: impl Into<String>) -> Self {
        MappingParameter {
            entity_type: entity_type.into(),
            entity_name: entity_name.into(),
        }
    }
}

/// How to run a task. `RunOptions::default()` uses the connection's locale and retry count,
/// waits without limit, and cancels the server task if a timeout is set and passes.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `localeName`; `None` uses `Config::locale`.
    pub locale: Option<String>,
    /// Runtime mapping; imports and processes only (an `InvalidArgument` for other kinds).
    pub mapping_parameters: Vec<MappingParameter>,
    /// How often starting is tried again when the answer to the start request is lost and no
    /// task shows up for it; `None` uses `Config::max_retries`. (429 and 503 are retried by the
    /// connection itself, with its own retry count.)
    pub retries: Option<u32>,
    /// Overall limit for starting and waiting; `None` waits as long as the task runs.
    pub timeout: Option<Duration>,
    /// On timeout, also cancel the task on the server (default). See [`super::wait`].
    pub cancel_on_timeout: bool,
    /// Raise it from any thread to cancel the run: the server task is cancelled and the run
    /// returns `Error::Cancelled` once the server reports `CANCELLED`.
    pub cancel: Option<CancelToken>,
}

impl RunOptions {
    /// Sets the `localeName` sent when starting; an empty locale is an `InvalidArgument`.
    pub fn set_locale(&mut self, locale: &str) -> Result<()> {
        if locale.trim().is_empty() {
            return Err(Error::invalid("the locale must not be empty (e.g. en_US)"));
        }
        self.locale = Some(locale.to_string());
        Ok(())
    }
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            locale: None,
            mapping_parameters: Vec::new(),
            retries: None,
            timeout: None,
            cancel_on_timeout: true,
            cancel: None,
        }
    }
}

/// Called on the calling thread after every poll with the task's state and progress (0.0 to
/// 1.0); return `false` to cancel the task.
pub type Progress<'a> = &'a mut ProgressFn<'a>;

/// The start body. `localeName` must come before `mappingParameters`
/// (https://help.anaplan.com/import-with-mapping-data-a819aec7-729d-43a5-bd49-3e4c598fb358):
/// serde writes a struct's fields in the order they are declared.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct StartBody<'a> {
    locale_name: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    mapping_parameters: &'a [MappingParameter],
}

pub fn start_body(locale: &str, mapping: &[MappingParameter]) -> String {
    let body = StartBody {
        locale_name: locale,
        mapping_parameters: mapping,
    };
    // A struct of strings always serializes.
    serde_json::to_string(&body).unwrap_or_default()
}

impl Client {
    /// The kind and id of the runnable object the caller named: an id (`112…` import, `116…`
    /// export, `117…` action, `118…` process) is taken as it is; anything else is looked up by
    /// name among the current model's imports, exports, actions and processes. No match is
    /// `NotFound`; several (within one kind, or across kinds) are `Ambiguous` with every candidate.
    pub fn resolve_runnable(&self, id_or_name: &str) -> Result<(TaskKind, String)> {
        // Anything shaped like an Anaplan object id is taken as an id: a file or list id is then
        // refused as not runnable rather than looked up as a name.
        let numeric_id = id_or_name.len() == 12 && id_or_name.bytes().all(|b| b.is_ascii_digit());
        if numeric_id {
            return Ok((TaskKind::from_id(id_or_name)?, id_or_name.to_string()));
        }
        let mut found = Vec::new();
        for kind in TaskKind::ALL {
            match self.find(kind.object_kind(), id_or_name) {
                Ok(id) => found.push((kind, id)),
                Err(Error::NotFound { .. }) => {}
                Err(other) => return Err(other),
            }
        }
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(Error::NotFound {
                kind: "import, export, action or process",
                name: id_or_name.to_string(),
                scope: " in the current model".into(),
            }),
            _ => Err(Error::Ambiguous {
                kind: "runnable object",
                name: id_or_name.to_string(),
                candidates: found
                    .into_iter()
                    .map(|(_, id)| super::error::Candidate {
                        id,
                        name: id_or_name.to_string(),
                    })
                    .collect(),
            }),
        }
    }

    /// Runs an import, export, action or process and waits until it ends. Errors: `NotFound`
    /// (no such object in the current model), `InvalidArgument` (not an id, mapping parameters
    /// on an export or action, no model set), `Timeout`, `Cancelled`, and the connection's
    /// `Http`/`Network`/`MaybeSent`/`Auth` errors.
    pub fn run(&self, object_id: &str, opts: &RunOptions) -> Result<TaskResult> {
        self.run_observed(object_id, opts, None, &mut |_| {})
    }

    /// [`Client::run`] with a progress callback (see [`Progress`]).
    pub fn run_with_progress(
        &self,
        object_id: &str,
        opts: &RunOptions,
        progress: Progress<'_>,
    ) -> Result<TaskResult> {
        self.run_observed(object_id, opts, Some(progress), &mut |_| {})
    }

    /// [`Client::run`] that also tells `on_start` the task id as soon as the task is started, so
    /// that a caller can name the task when the run then fails (a timeout, a cancellation).
    pub fn run_observed(
        &self,
        object_id: &str,
        opts: &RunOptions,
        progress: Option<Progress<'_>>,
        on_start: &mut dyn FnMut(&str),
    ) -> Result<TaskResult> {
        let deadline = opts.timeout.map(|t| Instant::now() + t);
        let (kind, id) = self.resolve_runnable(object_id)?;
        let cancel = opts.cancel.as_ref();
        super::cancel::check(cancel)?;
        let started = self.start_task(kind, &id, opts)?;
        self.logger().info(&format!(
            "{} {id}: task {} started",
            kind.noun(),
            started.task_id
        ));
        on_start(&started.task_id);
        let mut endpoint = HttpTask {
            client: self,
            base: self.tasks_path(kind, &id)?,
            task_id: started.task_id,
        };
        let status = wait_for_end(
            &mut endpoint,
            WaitOptions {
                deadline,
                cancel,
                progress,
                cancel_on_timeout: opts.cancel_on_timeout,
                backoff: PollBackoff::default(),
            },
        );
        // A task can create model objects (an export writes its output file, which may share a
        // name with an import's data file): the lookup lists of the model are forgotten, so that
        // a name unique before the run is never answered from a list the run made stale. Done
        // whatever the wait's outcome, since a task that timed out may still complete.
        if let Some(model) = self.model_id() {
            self.forget_cached_objects(&model);
        }
        let result = TaskResult::from_status(kind, &id, status?);
        self.logger().info(&format!(
            "{} {id}: task {} ended {}, successful: {}, failure dump: {}",
            kind.noun(),
            result.task_id,
            result.state.as_str(),
            result.successful,
            result.failure_dump_available
        ));
        Ok(result)
    }

    /// Starts a task without waiting (retried without ever starting twice; see
    /// [`super::task_start`]). Returns the new task's status (`NOT_STARTED` as a rule).
    pub fn start_task(&self, kind: TaskKind, id: &str, opts: &RunOptions) -> Result<TaskStatus> {
        if !opts.mapping_parameters.is_empty() && !kind.takes_mapping_parameters() {
            return Err(Error::invalid(format!(
                "mapping parameters apply to imports and processes only, not to {} {id}",
                kind.noun()
            )));
        }
        let locale = opts.locale.as_deref().unwrap_or(&self.config().locale);
        if locale.trim().is_empty() {
            return Err(Error::invalid("the locale must not be empty (e.g. en_US)"));
        }
        let mut starter = HttpStarter {
            client: self,
            base: self.tasks_path(kind, id)?,
            body: start_body(locale, &opts.mapping_parameters),
        };
        let retries = opts.retries.unwrap_or(self.config().max_retries);
        start_once(&mut starter, retries).map_err(|e| self.not_found_as_such(e, kind, id))
    }

    /// The status of one task of an object.
    pub fn task_status(&self, kind: TaskKind, id: &str, task_id: &str) -> Result<TaskStatus> {
        HttpTask {
            client: self,
            base: self.tasks_path(kind, id)?,
            task_id: task_id.to_string(),
        }
        .status(None)
    }

    /// Asks the server to cancel a task (`DELETE …/tasks/{id}`) and returns the status it
    /// answers with (`CANCELLING` or `CANCELLED`; a finished task stays as it was).
    pub fn cancel_task(&self, kind: TaskKind, id: &str, task_id: &str) -> Result<TaskStatus> {
        HttpTask {
            client: self,
            base: self.tasks_path(kind, id)?,
            task_id: task_id.to_string(),
        }
        .cancel()
    }

    /// `/workspaces/{ws}/models/{m}/{kind}/{id}/tasks`.
    pub(crate) fn tasks_path(&self, kind: TaskKind, id: &str) -> Result<String> {
        Ok(format!(
            "{}/{}/{id}/tasks",
            self.model_path()?,
            kind.segment()
        ))
    }

    /// A 404 on a runnable object means it does not exist in the current model (or the user
    /// cannot see it: Anaplan masks that as 404 too).
    fn not_found_as_such(&self, e: Error, kind: TaskKind, id: &str) -> Error {
        match e {
            Error::Http { status: 404, .. } => Error::NotFound {
                kind: kind.noun(),
                name: id.to_string(),
                scope: self
                    .model_id()
                    .map(|m| format!(" in model {m}"))
                    .unwrap_or_default(),
            },
            other => other,
        }
    }
}

/// The `task` object of a task response.
fn task_of(body: &Value, path: &str) -> Result<TaskStatus> {
    let task = body.get("task").ok_or_else(|| Error::Protocol {
        path: path.to_string(),
        message: "the answer has no task".into(),
    })?;
    TaskStatus::from_task_json(task, path)
}

struct HttpTask<'a> {
    client: &'a Client,
    base: String,
    task_id: String,
}

impl HttpTask<'_> {
    fn path(&self) -> String {
        format!("{}/{}", self.base, self.task_id)
    }
}

impl TaskEndpoint for HttpTask<'_> {
    fn status(&mut self, cancel: Option<&CancelToken>) -> Result<TaskStatus> {
        let path = self.path();
        let body = self
            .client
            .send(Request::get(&path), cancel)?
            .ensure_success()?
            .json()?;
        task_of(&body, &path)
    }

    fn cancel(&mut self) -> Result<TaskStatus> {
        let path = self.path();
        self.client
            .logger()
            .info(&format!("cancelling task {}", self.task_id));
        let body = self
            .client
            .send(Request::delete(&path), None)?
            .ensure_success()?
            .json()?;
        task_of(&body, &path)
    }

    fn task_id(&self) -> &str {
        &self.task_id
    }
}

struct HttpStarter<'a> {
    client: &'a Client,
    base: String,
    body: String,
}

impl TaskStarter for HttpStarter<'_> {
    fn list(&mut self) -> Result<Vec<TaskStatus>> {
        let path = format!("{}?sort=-creationTime", self.base);
        let body = self.client.get_json(&path)?;
        // Empty collections may omit their key (the integration spec says so of `items`).
        match body.get("tasks").and_then(Value::as_array) {
            Some(tasks) => tasks
                .iter()
                .map(|t| TaskStatus::from_task_json(t, &path))
                .collect(),
            None => Ok(Vec::new()),
        }
    }

    fn post(&mut self) -> Result<TaskStatus> {
        // POST defaults to RetryMode::NotIfSent: never sent twice by the connection.
        let req = Request::post(&self.base)
            .header("Content-Type", "application/json")
            .body(self.body.clone());
        let body = self.client.send(req, None)?.ensure_success()?.json()?;
        task_of(&body, &self.base)
    }

    fn note(&mut self, message: &str) {
        self.client.logger().warn(message);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_puts_the_locale_first_and_escapes_values() {
        assert_eq!(start_body("en_US", &[]), r#"{"localeName":"en_US"}"#);
        let body = start_body(
            "en_GB",
            &[
                MappingParameter::new("Version", "Actual"),
                MappingParameter::new("Region", "Nord \"Ost\""),
            ],
        );
        assert_eq!(
            body,
            r#"{"localeName":"en_GB","mappingParameters":[{"entityType":"Version","entityName":"Actual"},{"entityType":"Region","entityName":"Nord \"Ost\""}]}"#
        );
        let parsed: Value = serde_json::from_str(&body).unwrap();
        assert_eq!(parsed["mappingParameters"][1]["entityName"], "Nord \"Ost\"");
    }
}
