//! `anaplan_task_result`: the outcome of `anaplan_client_run`, and the task states.

use std::ffi::c_char;

use super::status::{anaplan_status, ANAPLAN_STATUS_NOT_FOUND};
use super::toolkit::boundary::{self, on};
use super::toolkit::enums::c_enum;
use super::toolkit::error::FfiError;
use super::toolkit::handles::{self, HandleType};
use super::toolkit::owned::owned_string;
use super::toolkit::params::{out_param, Out};
use super::toolkit::scalars::index;
use crate::client::task_result::{row_count, Detail, RowCount, StepResult, TaskResult, TaskState};

c_enum! {
    /// The state of a task, as Anaplan reports it (`taskState`): passed to an
    /// `anaplan_task_progress_cb` while a task runs and returned by `anaplan_task_result_state`.
    pub enum anaplan_task_state in TASK_STATES {
        /// Waiting to start (Anaplan runs one task per model at a time and queues the others).
        ANAPLAN_TASK_STATE_NOT_STARTED = 0,
        /// Running; `progress` rises from 0.0 to 1.0.
        ANAPLAN_TASK_STATE_IN_PROGRESS = 1,
        /// Finished, successfully or not: see `anaplan_task_result_successful`.
        ANAPLAN_TASK_STATE_COMPLETE = 2,
        /// A cancel was asked for and the server is stopping the task.
        ANAPLAN_TASK_STATE_CANCELLING = 3,
        /// Cancelled; nothing of its work was kept.
        ANAPLAN_TASK_STATE_CANCELLED = 4,
        /// A state this library does not know (Anaplan added one); waiting goes on.
        ANAPLAN_TASK_STATE_OTHER = 99,
    }
}

c_enum! {
    /// Which row count of an import's result `anaplan_task_result_row_count` and
    /// `anaplan_task_result_step_row_count` read (the names are those of Anaplan's detail values).
    pub enum anaplan_row_count in ROW_COUNTS {
        /// `totalRowCount`: the rows read.
        ANAPLAN_ROWS_TOTAL = 0,
        /// `successRowCount`: the rows loaded, with or without a warning.
        ANAPLAN_ROWS_SUCCESSFUL = 1,
        /// `warningsRowCount`: the rows loaded with a warning.
        ANAPLAN_ROWS_WITH_WARNINGS = 2,
        /// `failedCount`: the rows rejected (they are in the failure dump).
        ANAPLAN_ROWS_FAILED = 3,
        /// `ignoredCount`: the rows skipped (blank, or not in the mapping).
        ANAPLAN_ROWS_IGNORED = 4,
        /// `createdCount`: the items created.
        ANAPLAN_ROWS_CREATED = 5,
        /// `updatedCount`: the items updated.
        ANAPLAN_ROWS_UPDATED = 6,
    }
}

/// The client's row count of a C `anaplan_row_count`: the one mapping between the two.
fn row_count_of(which: anaplan_row_count) -> Result<RowCount, FfiError> {
    Ok(match ROW_COUNTS.check(which, "which")? {
        ANAPLAN_ROWS_TOTAL => RowCount::Total,
        ANAPLAN_ROWS_SUCCESSFUL => RowCount::Successful,
        ANAPLAN_ROWS_WITH_WARNINGS => RowCount::WithWarnings,
        ANAPLAN_ROWS_FAILED => RowCount::Failed,
        ANAPLAN_ROWS_IGNORED => RowCount::Ignored,
        ANAPLAN_ROWS_CREATED => RowCount::Created,
        _ => RowCount::Updated,
    })
}

/// A row count of `details`, `NOT_FOUND` when they do not report it.
fn rows(details: &[Detail], which: anaplan_row_count) -> Result<i64, FfiError> {
    let which = row_count_of(which)?;
    row_count(details, which).ok_or_else(|| {
        FfiError::new(
            ANAPLAN_STATUS_NOT_FOUND,
            format!(
                "the result reports no {} (an import's details do)",
                which.value_name()
            ),
        )
    })
}

/// Writes the name and value of value `value_index` of `detail` to the two out-params.
fn write_value(
    detail: &Detail,
    value_index: usize,
    name_out: Result<Out<*mut c_char>, FfiError>,
    value_out: Result<Out<*mut c_char>, FfiError>,
) -> Result<(), FfiError> {
    let (name_out, value_out) = (name_out?, value_out?);
    let (name, value) = &detail.values[index(value_index, detail.values.len(), "value_index")?];
    let (name, value) = (owned_string(name)?, owned_string(value)?);
    name_out.write(name);
    value_out.write(value);
    Ok(())
}

/// The C number of a task state: the one mapping between the client's states and the header's.
pub fn state_code(state: &TaskState) -> anaplan_task_state {
    match state {
        TaskState::NotStarted => ANAPLAN_TASK_STATE_NOT_STARTED,
        TaskState::InProgress => ANAPLAN_TASK_STATE_IN_PROGRESS,
        TaskState::Complete => ANAPLAN_TASK_STATE_COMPLETE,
        TaskState::Cancelling => ANAPLAN_TASK_STATE_CANCELLING,
        TaskState::Cancelled => ANAPLAN_TASK_STATE_CANCELLED,
        TaskState::Other(_) => ANAPLAN_TASK_STATE_OTHER,
    }
}

/// The outcome of a task that ended (`COMPLETE` or `CANCELLED`): success, detail messages, the
/// steps of a process, whether failure dumps exist, the raw JSON.
///
/// Methods: `anaplan_task_result_*` and `anaplan_task_result_free`; the client's dump functions
/// take it too (`anaplan_client_dump_text`, `anaplan_client_step_dump_text`,
/// `anaplan_client_dumps_to_dir`, `anaplan_client_task_summary`).
///
/// Thread-safety: a result never changes; its readers may be called from any thread at once.
pub struct anaplan_task_result {
    _private: [u8; 0],
}

impl HandleType for anaplan_task_result {
    type Object = TaskResult;
    const NAME: &'static str = "anaplan_task_result";
}

/// Writes what `f` reads from the result behind `result` to `out`.
fn read<T>(
    result: *const anaplan_task_result,
    out: Result<Out<T>, FfiError>,
    f: impl FnOnce(&TaskResult) -> Result<T, FfiError>,
) -> anaplan_status {
    on(result, |r| {
        let out = out?;
        out.write(f(r)?);
        Ok(())
    })
}

/// Step `step_index` of a process's result; `OUT_OF_RANGE` past the end, with the message every
/// function taking a `step_index` gives.
pub(crate) fn step(r: &TaskResult, step_index: usize) -> Result<&StepResult, FfiError> {
    Ok(&r.steps[index(step_index, r.steps.len(), "step_index")?])
}

/// Detail `detail_index` of `details`; `OUT_OF_RANGE` past the end.
fn detail(details: &[Detail], detail_index: usize) -> Result<&Detail, FfiError> {
    Ok(&details[index(detail_index, details.len(), "detail_index")?])
}

fn detail_message(details: &[Detail], detail_index: usize) -> Result<*mut c_char, FfiError> {
    owned_string(&detail(details, detail_index)?.message)
}

/// Frees a result. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not a result.
///
/// # Safety
/// `result` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_free(
    result: *mut anaplan_task_result,
) -> anaplan_status {
    boundary::release(|| handles::free(result))
}

/// Writes 1 to `*out` if the task succeeded (`result.successful`), else 0 (also for a cancelled
/// task). Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_successful(
    result: *const anaplan_task_result,
    out: *mut i32,
) -> anaplan_status {
    read(result, out_param!(out), |r| Ok(i32::from(r.successful)))
}

/// Writes the final `anaplan_task_state` (`COMPLETE` or `CANCELLED`) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `anaplan_task_state`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_state(
    result: *const anaplan_task_result,
    out: *mut anaplan_task_state,
) -> anaplan_status {
    read(result, out_param!(out), |r| Ok(state_code(&r.state)))
}

/// Writes 1 to `*out` if failure dumps exist (for a process: for any step), else 0.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_dump_available(
    result: *const anaplan_task_result,
    out: *mut i32,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        Ok(i32::from(r.failure_dump_available))
    })
}

/// Writes the task id to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_task_id(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| owned_string(&r.task_id))
}

/// Writes the id of the object that ran (the import, export, action or process) to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_object_id(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| owned_string(&r.object_id))
}

/// Writes the number of detail messages of the task itself (a process has none of its own: see
/// its steps) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_count(
    result: *const anaplan_task_result,
    out: *mut usize,
) -> anaplan_status {
    read(result, out_param!(out), |r| Ok(r.details.len()))
}

/// Writes detail `detail_index`'s message (`localMessageText`, e.g. `Employees: 9 (6/3) rows
/// successful, 1 ignored`) to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_message(
    result: *const anaplan_task_result,
    detail_index: usize,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        detail_message(&r.details, detail_index)
    })
}

/// Writes the number of process steps reported (`nestedResults`; 0 for other kinds) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_count(
    result: *const anaplan_task_result,
    out: *mut usize,
) -> anaplan_status {
    read(result, out_param!(out), |r| Ok(r.steps.len()))
}

/// Writes the id of the object step `step_index` ran to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_object_id(
    result: *const anaplan_task_result,
    step_index: usize,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        owned_string(&step(r, step_index)?.object_id)
    })
}

/// Writes 1 to `*out` if step `step_index` succeeded, else 0.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_successful(
    result: *const anaplan_task_result,
    step_index: usize,
    out: *mut i32,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        Ok(i32::from(step(r, step_index)?.successful))
    })
}

/// Writes 1 to `*out` if step `step_index` has a failure dump, else 0.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_dump_available(
    result: *const anaplan_task_result,
    step_index: usize,
    out: *mut i32,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        Ok(i32::from(step(r, step_index)?.failure_dump_available))
    })
}

/// Writes the number of detail messages of step `step_index` to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_count(
    result: *const anaplan_task_result,
    step_index: usize,
    out: *mut usize,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        Ok(step(r, step_index)?.details.len())
    })
}

/// Writes the message of detail `detail_index` of step `step_index` to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_message(
    result: *const anaplan_task_result,
    step_index: usize,
    detail_index: usize,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| {
        detail_message(&step(r, step_index)?.details, detail_index)
    })
}

/// Writes the task's final status as Anaplan sent it (the `task` object, JSON) to `*out`.
/// Ownership: the caller frees `*out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_json(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    read(result, out_param!(out), |r| owned_string(&r.json()))
}

/// Writes a row count of the task's own details (an import's: `ANAPLAN_ROWS_FAILED` is how many
/// rows failed) to `*rows_out`.
/// Statuses: `OK`, `NOT_FOUND` (the result reports no such count: not an import, or a process,
/// whose counts are its steps'), `OUT_OF_RANGE` (unknown `which`), `INVALID_HANDLE`,
/// `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `rows_out` is NULL or points to a writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_row_count(
    result: *const anaplan_task_result,
    which: anaplan_row_count,
    rows_out: *mut i64,
) -> anaplan_status {
    read(result, out_param!(rows_out), |r| rows(&r.details, which))
}

/// Writes a row count of step `step_index` of a process (see `anaplan_task_result_row_count`).
/// Statuses: as `anaplan_task_result_row_count`, plus `OUT_OF_RANGE` (no such step).
/// Thread-safe.
///
/// # Safety
/// `rows_out` is NULL or points to a writable `int64_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_row_count(
    result: *const anaplan_task_result,
    step_index: usize,
    which: anaplan_row_count,
    rows_out: *mut i64,
) -> anaplan_status {
    read(result, out_param!(rows_out), |r| {
        rows(&step(r, step_index)?.details, which)
    })
}

/// Writes the number of name/value pairs of detail `detail_index` (its `values`) to `*count_out`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `count_out` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_value_count(
    result: *const anaplan_task_result,
    detail_index: usize,
    count_out: *mut usize,
) -> anaplan_status {
    read(result, out_param!(count_out), |r| {
        Ok(detail(&r.details, detail_index)?.values.len())
    })
}

/// Writes pair `value_index` of detail `detail_index`: its name (e.g. `failedCount`) to
/// `*name_out` and its value (e.g. `3`) to `*value_out`; both are written only on `OK`.
/// Ownership: the caller frees `*name_out` and `*value_out` with `anaplan_string_free`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `name_out` and `value_out` are NULL or point to writable `char *`s.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_value(
    result: *const anaplan_task_result,
    detail_index: usize,
    value_index: usize,
    name_out: *mut *mut c_char,
    value_out: *mut *mut c_char,
) -> anaplan_status {
    let (name_out, value_out) = (out_param!(name_out), out_param!(value_out));
    on(result, |r| {
        write_value(
            detail(&r.details, detail_index)?,
            value_index,
            name_out,
            value_out,
        )
    })
}

/// Writes the number of name/value pairs of detail `detail_index` of step `step_index`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `count_out` is NULL or points to a writable `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_value_count(
    result: *const anaplan_task_result,
    step_index: usize,
    detail_index: usize,
    count_out: *mut usize,
) -> anaplan_status {
    read(result, out_param!(count_out), |r| {
        Ok(detail(&step(r, step_index)?.details, detail_index)?
            .values
            .len())
    })
}

/// Writes pair `value_index` of detail `detail_index` of step `step_index`, as
/// `anaplan_task_result_detail_value` does.
/// Ownership: the caller frees `*name_out` and `*value_out` with `anaplan_string_free`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `name_out` and `value_out` are NULL or point to writable `char *`s.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_value(
    result: *const anaplan_task_result,
    step_index: usize,
    detail_index: usize,
    value_index: usize,
    name_out: *mut *mut c_char,
    value_out: *mut *mut c_char,
) -> anaplan_status {
    let (name_out, value_out) = (out_param!(name_out), out_param!(value_out));
    on(result, |r| {
        let detail = detail(&step(r, step_index)?.details, detail_index)?;
        write_value(detail, value_index, name_out, value_out)
    })
}
