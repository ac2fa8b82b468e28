//! Failure dumps (imports: `…/dump…` in emulator/tests/fixtures/anaplan-openapi/integration-openapi.json;
//! processes: https://help.anaplan.com/get-the-list-of-process-dump-file-chunks-40ed2126-12d5-4df8-bd4c-67476b8bdcc7):
//! the rows an import rejected or loaded with warnings, as
//! Anaplan's CSV. An import has one dump per task (`/imports/{id}/tasks/{task}/dump`); a process
//! has one per failing step (`/processes/{id}/tasks/{task}/dumps/{stepObjectId}`).
//!
//! A dump is fetched chunk by chunk (`…/chunks`, then each chunk in order, concatenated), as
//! Anaplan Connect does: the whole-dump route of a large dump is one long response that cannot
//! be retried in part, while each chunk (10 MB at most) is retried on its own.
//!
//! Files: [`Client::write_task_dumps`] writes `<dir>/<objectId>.csv` per dump, where `objectId`
//! is the import (for an import's dump) or the process step that failed (for a process): the
//! names are predictable from the result, and a second run overwrites the files of the first.
//! Each file is written to `<objectId>.csv.part` and renamed when complete, so a failed fetch
//! never leaves a partial dump behind.
//!
//! Anaplan keeps only a user's latest dump per object for 48 hours: an older task or an
//! expired dump gives `NotFound`.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::atomic_file::AtomicFile;
use super::connection::Client;
use super::dump_summary::{summary, Dump};
use super::error::{Error, Result};
use super::http::Request;
use super::task_kind::TaskKind;
use super::task_result::TaskResult;

impl Client {
    /// The dump of an import task, as bytes.
    pub fn import_dump(&self, import_id: &str, task_id: &str) -> Result<Vec<u8>> {
        let base = format!(
            "{}/dump",
            self.task_path(TaskKind::Import, import_id, task_id)?
        );
        self.fetch_dump(&base, import_id)
    }

    /// The dump of one step (`step_object_id`, an import) of a process task, as bytes.
    pub fn process_dump(
        &self,
        process_id: &str,
        task_id: &str,
        step_object_id: &str,
    ) -> Result<Vec<u8>> {
        let base = format!(
            "{}/dumps/{step_object_id}",
            self.task_path(TaskKind::Process, process_id, task_id)?
        );
        self.fetch_dump(&base, step_object_id)
    }

    /// Every dump of a result, in order: the import's own, or one per process step that has a
    /// dump. Other kinds (and results without dumps) give none.
    pub fn task_dumps(&self, result: &TaskResult) -> Result<Vec<Dump>> {
        self.dump_sources(result)
            .into_iter()
            .map(|object_id| {
                let bytes = self.result_dump(result, &object_id)?;
                Ok(Dump {
                    text: utf8(bytes, &object_id)?,
                    object_id,
                })
            })
            .collect()
    }

    /// One dump of a result as text: `step` `None` for an import's own dump, `Some(i)` for step
    /// `i` of a process. `OutOfRange` for a step index past the last step; `InvalidArgument`
    /// when the result has no such dump (a step without a dump, `None` for a process, a kind
    /// without dumps).
    pub fn task_dump_text(&self, result: &TaskResult, step: Option<usize>) -> Result<String> {
        let object_id = match (result.kind, step) {
            (TaskKind::Import, None) if result.failure_dump_available => result.object_id.clone(),
            (TaskKind::Import, None) => {
                return Err(Error::invalid(format!(
                    "import {} task {} has no failure dump",
                    result.object_id, result.task_id
                )))
            }
            (TaskKind::Process, Some(i)) => {
                let s = result.steps.get(i).ok_or_else(|| {
                    Error::out_of_range(format!(
                        "step {i} is out of range: process {} has {} step result(s)",
                        result.object_id,
                        result.steps.len()
                    ))
                })?;
                if !s.failure_dump_available {
                    return Err(Error::invalid(format!(
                        "step {i} ({}) of process {} has no failure dump",
                        s.object_id, result.object_id
                    )));
                }
                s.object_id.clone()
            }
            (TaskKind::Process, None) => {
                return Err(Error::invalid(
                    "a process has one dump per failing step: give the step index",
                ))
            }
            (kind, _) => {
                return Err(Error::invalid(format!(
                    "{} {} has no failure dumps: only imports and process steps do",
                    kind.noun(),
                    result.object_id
                )))
            }
        };
        let bytes = self.result_dump(result, &object_id)?;
        utf8(bytes, &object_id)
    }

    /// Writes every dump of a result to `<dir>/<objectId>.csv` (see the module documentation)
    /// and returns the paths written, in order. `dir` is created if missing.
    pub fn write_task_dumps(&self, result: &TaskResult, dir: &Path) -> Result<Vec<PathBuf>> {
        let sources = self.dump_sources(result);
        if sources.is_empty() {
            return Ok(Vec::new());
        }
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        sources
            .into_iter()
            .map(|object_id| {
                let bytes = self.result_dump(result, &object_id)?;
                let path = dir.join(format!("{object_id}.csv"));
                write_whole(&path, &bytes)?;
                Ok(path)
            })
            .collect()
    }

    /// The summary of a result with its dumps, in the format of Anaplan's Python integration
    /// script (see [`super::dump_summary`]): `Process action … completed. Failure: True` …
    pub fn task_summary(&self, result: &TaskResult) -> Result<String> {
        Ok(summary(result, &self.task_dumps(result)?))
    }

    /// The objects whose dumps a result has, in order.
    fn dump_sources(&self, result: &TaskResult) -> Vec<String> {
        match result.kind {
            TaskKind::Import if result.failure_dump_available => vec![result.object_id.clone()],
            TaskKind::Process => result
                .steps_with_dumps()
                .map(|s| s.object_id.clone())
                .collect(),
            _ => Vec::new(),
        }
    }

    fn result_dump(&self, result: &TaskResult, object_id: &str) -> Result<Vec<u8>> {
        match result.kind {
            TaskKind::Process => self.process_dump(&result.object_id, &result.task_id, object_id),
            _ => self.import_dump(&result.object_id, &result.task_id),
        }
    }

    fn task_path(&self, kind: TaskKind, id: &str, task_id: &str) -> Result<String> {
        Ok(format!("{}/{task_id}", self.tasks_path(kind, id)?))
    }

    /// Lists the chunks under `base` and concatenates them in order.
    fn fetch_dump(&self, base: &str, object_id: &str) -> Result<Vec<u8>> {
        let not_found = |e: Error| match e {
            Error::Http { status: 404, .. } => Error::NotFound {
                kind: "failure dump",
                name: object_id.to_string(),
                scope: format!(
                    " at {base} (Anaplan keeps only the latest dump of a user, for 48 hours)"
                ),
            },
            other => other,
        };
        let listing = self
            .get_json(&format!("{base}/chunks"))
            .map_err(not_found)?;
        let mut ids: Vec<String> = listing
            .get("chunks")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|c| match c.get("id") {
                        Some(Value::String(s)) => Some(s.clone()),
                        Some(Value::Number(n)) => Some(n.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .unwrap_or_default();
        // Chunks are numbered from 0 (`GET …/dump/chunks` in the integration spec); order by number whatever the listing's order.
        ids.sort_by_key(|id| id.parse::<u64>().unwrap_or(u64::MAX));
        let mut out = Vec::new();
        for id in ids {
            let req = Request::get(format!("{base}/chunks/{id}"))
                .header("Accept", "text/csv, text/plain, application/octet-stream");
            let res = self.send(req, None)?.ensure_success().map_err(not_found)?;
            out.extend_from_slice(&res.body);
        }
        Ok(out)
    }
}

/// Dumps are UTF-8 text; anything else is returned as an error rather than altered (the bytes
/// are still available through [`Client::write_task_dumps`]).
fn utf8(bytes: Vec<u8>, object_id: &str) -> Result<String> {
    String::from_utf8(bytes).map_err(|e| Error::Protocol {
        path: format!("failure dump of {object_id}"),
        message: format!("the dump is not UTF-8 text ({e}); write it to a file instead"),
    })
}

/// Writes `bytes` to `path` as downloads do: a temporary file beside it, synced and renamed at
/// the end, so that a failure leaves no partial file and keeps an existing one.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}
