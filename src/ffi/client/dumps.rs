//! `anaplan_client_*dump*` and `anaplan_client_task_summary`: the failure dumps of a task result,
//! as text, as files, and in the summary of Anaplan's Python integration script
//! (`Process action … completed. Failure: True`, then the dumps).

use std::ffi::c_char;
use std::path::Path;

use super::anaplan_client;
use crate::client::task_kind::TaskKind;
use crate::client::task_result::TaskResult;
use crate::client::Client;
use crate::ffi::status::anaplan_status;
use crate::ffi::task_result::{anaplan_task_result, step};
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::handles;
use crate::ffi::toolkit::params::{opt_out_param, out_param, str_param};

/// Runs `body` with the client and the result behind their handles.
fn with_result(
    client: *const anaplan_client,
    result: *const anaplan_task_result,
    body: impl FnOnce(&Client, &TaskResult) -> Result<(), FfiError>,
) -> anaplan_status {
    on(client, |c| body(c, &*handles::get(result)?))
}

/// Writes the failure dump of an import's result as text (Anaplan's CSV) to `*text_out`.
///
/// Ownership: the caller frees `*text_out` with `anaplan_string_free`; written only on `OK`.
/// Statuses: `OK`; `INVALID_ARGUMENT` (the import has no dump, or the result is a process's: use
/// `anaplan_client_step_dump_text`, or of a kind without dumps), `NOT_FOUND` (Anaplan no longer
/// has the dump: it keeps only a user's latest, for 48 hours), `PROTOCOL` (the dump is not UTF-8:
/// use `anaplan_client_dumps_to_dir`), `INVALID_HANDLE`, `NULL_ARGUMENT`, transport and HTTP
/// statuses.
/// Thread-safety: thread-safe (client and result are).
///
/// # Safety
/// `text_out` is NULL or points to a writable `char *`; handles are looked up, never
/// dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_dump_text(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    text_out: *mut *mut c_char,
) -> anaplan_status {
    with_result(client, result, |c, r| {
        let out = out_param!(text_out)?;
        out.write_string(&c.task_dump_text(r, None)?)
    })
}

/// Writes the failure dump of step `step_index` of a process's result as text to `*text_out`
/// (see `anaplan_task_result_step_count`).
///
/// Ownership: the caller frees `*text_out` with `anaplan_string_free`; written only on `OK`.
/// Statuses: as `anaplan_client_dump_text`; `OUT_OF_RANGE` (no such step), `INVALID_ARGUMENT`
/// (that step has no dump, or the result is not a process's).
/// Thread-safety: thread-safe (client and result are).
///
/// # Safety
/// `text_out` is NULL or points to a writable `char *`; handles are looked up, never
/// dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_step_dump_text(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    step_index: usize,
    text_out: *mut *mut c_char,
) -> anaplan_status {
    with_result(client, result, |c, r| {
        let out = out_param!(text_out)?;
        // The step getters' check and message for the same argument (the client's own check,
        // for other kinds of result, says the result is not a process's).
        if r.kind == TaskKind::Process {
            step(r, step_index)?;
        }
        out.write_string(&c.task_dump_text(r, Some(step_index))?)
    })
}

/// Writes every failure dump of `result` to the directory `dir` (created if missing), one file
/// per dump named `<objectId>.csv`: the import's id for an import, each failing step's id for a
/// process. Existing files of those names are replaced; a dump that cannot be fetched leaves no
/// partial file. `count_out` may be NULL; otherwise it receives the number of files written (0
/// when the result has no dumps).
///
/// Statuses: `OK`; `IO` (the directory or a file cannot be written), `NOT_FOUND` (a dump is gone),
/// `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, transport and HTTP statuses.
/// Thread-safety: thread-safe; two calls writing the same directory at once race on the files.
///
/// # Safety
/// `dir` is NULL or a NUL-terminated string; `count_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_dumps_to_dir(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    dir: *const c_char,
    count_out: *mut usize,
) -> anaplan_status {
    with_result(client, result, |c, r| {
        let out = opt_out_param!(count_out);
        let written = c.write_task_dumps(r, Path::new(str_param!(dir)?))?;
        if let Some(out) = out {
            out.write(written.len());
        }
        Ok(())
    })
}

/// Writes the summary of `result` with its dumps to `*summary_out`, for a person and for the
/// scripts written around Anaplan's Python integration script. For a process: one line per step
/// as that script prints it (`Process action 112000000001 completed. Failure: True`), then
/// `Details:` with a heading per step (`Step 1 of 4, import 112000000001 (name): successful,
/// failure dump`) and each detail's message and its values one `name: value` per line, then
/// `Failure dump(s):` with `Error dump for <id>` and each dump. `Failure: True` means that the
/// step has a failure dump (rows failed or loaded with a warning), as in the original script;
/// whether the step succeeded is on its heading. For an import: `Failure Dump Available: True,
/// Successful: False`, `Load details:` (`Details:` for an export or action) with the details,
/// then `Failure dump:` and the dump.
///
/// Ownership: the caller frees `*summary_out` with `anaplan_string_free`; written only on `OK`.
/// Statuses: as `anaplan_client_dump_text`.
/// Thread-safety: thread-safe.
///
/// # Safety
/// `summary_out` is NULL or points to a writable `char *`; handles are looked up, never
/// dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_task_summary(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    summary_out: *mut *mut c_char,
) -> anaplan_status {
    with_result(client, result, |c, r| {
        let out = out_param!(summary_out)?;
        out.write_string(&c.task_summary(r)?)
    })
}
