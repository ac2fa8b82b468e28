//! Failure dumps from C: as text, to files, and the summary in the format of Anaplan's Python
//! integration script (`Process action … completed. Failure: True`, then the dumps).
//!
//! Translation only: the logic is in `client::dumps` and `client::dump_summary`.

use std::ffi::c_char;
use std::path::Path;

use super::boundary;
use super::client::anaplan_client;
use super::handles;
use super::last_error::FfiError;
use super::scalars::out_of_range;
use super::status::*;
use super::strings::{owned_string, str_arg, Out};
use super::tasks::anaplan_task_result;

/// Writes one failure dump of `result` as text (Anaplan's CSV) to `*out`: `step_index` -1 for an
/// import's own dump, or the index of a process step (see `anaplan_task_result_step_count`).
///
/// Ownership: the caller frees `*out` with `anaplan_string_free`; written only on `OK`.
/// Statuses: `OK`; `INVALID_ARGUMENT` (that step has no dump, -1 for a process, a step index for
/// an import, a kind without dumps), `OUT_OF_RANGE` (below -1), `NOT_FOUND` (Anaplan no longer
/// has the dump: it keeps only a user's latest, for 48 hours), `PROTOCOL` (the dump is not UTF-8:
/// use `anaplan_task_dumps_to_dir`), `INVALID_HANDLE`, `NULL_ARGUMENT`, transport and HTTP
/// statuses.
/// Thread-safety: thread-safe (client and result are).
///
/// # Safety
/// `out` is NULL or points to a writable `char *`; handles are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_dump_text(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    step_index: i32,
    out: *mut *mut c_char,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        let client = handles::get(client)?;
        let result = handles::get(result)?;
        let step = match step_index {
            -1 => None,
            i => Some(
                usize::try_from(i)
                    .map_err(|_| out_of_range("step_index", i, "-1 or a step index"))?,
            ),
        };
        let text = client.task_dump_text(&result, step)?;
        out.write(owned_string(&text)?);
        Ok(())
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
pub unsafe extern "C" fn anaplan_task_dumps_to_dir(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    dir: *const c_char,
    count_out: *mut i32,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `count_out` is NULL or writable.
        let out = unsafe { Out::optional(count_out) };
        // SAFETY: the caller guarantees `dir` is NULL or NUL-terminated.
        let dir = unsafe { str_arg(dir, "dir") }?;
        let client = handles::get(client)?;
        let result = handles::get(result)?;
        let written = client.write_task_dumps(&result, Path::new(dir))?;
        if let Some(out) = out {
            let n = i32::try_from(written.len())
                .map_err(|_| FfiError::new(ANAPLAN_STATUS_INTERNAL, "count exceeds int32"))?;
            out.write(n);
        }
        Ok(())
    })
}

/// Writes the summary of `result` with its dumps to `*out`, as Anaplan's Python integration
/// script prints it. For a process, one line per step
/// (`Process action 112000000001 completed. Failure: True`, where `Failure` says whether the
/// step has a dump), then, if any step has a dump, `Details:` with the values of each failing
/// step's first detail one per line, and `Failure dump(s):` with `Error dump for <id>` and each
/// dump. For an import, export or action: `Failure Dump Available: True, Successful: False`,
/// `Load details:`, the first detail's message and values, and `Failure dump:` with the dump.
///
/// Ownership: the caller frees `*out` with `anaplan_string_free`; written only on `OK`.
/// Statuses: as `anaplan_task_dump_text`.
/// Thread-safety: thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`; handles are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_summary(
    client: *mut anaplan_client,
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        let client = handles::get(client)?;
        let result = handles::get(result)?;
        let summary = client.task_summary(&result)?;
        out.write(owned_string(&summary)?);
        Ok(())
    })
}
