//! Running imports, exports, actions and processes from C: `anaplan_run`, its options builder
//! (`anaplan_run_options`), the cancel token (`anaplan_cancel_token`) and the result
//! (`anaplan_task_result`) with its accessors.
//!
//! Translation only: the logic is in `client::tasks`, `client::wait` and `client::task_start`.

use std::ffi::{c_char, c_void};
use std::sync::Mutex;
use std::time::Duration;

use super::boundary;
use super::client::anaplan_client;
use super::handles::{self, lock, HandleType};
use super::last_error::FfiError;
use super::scalars::{count, flag, out_of_range};
use super::status::*;
use super::strings::{owned_string, str_arg, Out};
use crate::client::task_result::{Detail, TaskResult, TaskState};
use crate::client::tasks::{MappingParameter, RunOptions};
use crate::client::CancelToken;

/// `state` values passed to an `anaplan_task_progress_cb` and returned by
/// `anaplan_task_result_state` (Anaplan's `taskState`).
pub const ANAPLAN_TASK_STATE_NOT_STARTED: i32 = 0;
pub const ANAPLAN_TASK_STATE_IN_PROGRESS: i32 = 1;
/// Finished, successfully or not: see `anaplan_task_result_successful`.
pub const ANAPLAN_TASK_STATE_COMPLETE: i32 = 2;
pub const ANAPLAN_TASK_STATE_CANCELLING: i32 = 3;
pub const ANAPLAN_TASK_STATE_CANCELLED: i32 = 4;
/// A state this library does not know (Anaplan added one); waiting goes on.
pub const ANAPLAN_TASK_STATE_OTHER: i32 = 99;

fn state_code(state: &TaskState) -> i32 {
    match state {
        TaskState::NotStarted => ANAPLAN_TASK_STATE_NOT_STARTED,
        TaskState::InProgress => ANAPLAN_TASK_STATE_IN_PROGRESS,
        TaskState::Complete => ANAPLAN_TASK_STATE_COMPLETE,
        TaskState::Cancelling => ANAPLAN_TASK_STATE_CANCELLING,
        TaskState::Cancelled => ANAPLAN_TASK_STATE_CANCELLED,
        TaskState::Other(_) => ANAPLAN_TASK_STATE_OTHER,
    }
}

/// Called while a task runs, on the thread that called `anaplan_run`, after every poll:
/// `state` is an `ANAPLAN_TASK_STATE_*`, `progress` goes from 0.0 to 1.0. Return 0 to go on,
/// non-zero to cancel the task (`anaplan_run` then returns `ANAPLAN_STATUS_CANCELLED` once the
/// server reports it cancelled).
pub type anaplan_task_progress_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, state: i32, progress: f64) -> i32>;

/// A cancellation flag for `anaplan_run`: give it to the run with
/// `anaplan_run_options_set_cancel_token`, then call `anaplan_cancel_token_cancel` from any
/// thread to cancel the task on the server.
///
/// Methods: `anaplan_cancel_token_new`, `anaplan_cancel_token_cancel`,
/// `anaplan_cancel_token_is_cancelled`, `anaplan_cancel_token_free`.
///
/// Thread-safety: thread-safe; that is its purpose. A token stays cancelled: use a new one for
/// the next run.
pub struct anaplan_cancel_token {
    _private: [u8; 0],
}

impl HandleType for anaplan_cancel_token {
    type Object = CancelToken;
    const NAME: &'static str = "anaplan_cancel_token";
}

/// What the options builder holds. The callback's `user_data` is kept as an address: it is only
/// handed back to the callback, on the thread that runs the task.
#[derive(Clone, Default)]
pub struct Options {
    run: RunOptions,
    progress: anaplan_task_progress_cb,
    user_data: usize,
}

/// How to run a task: locale, mapping parameters, retry count, timeout, progress callback,
/// cancel token. Without options (`NULL` to `anaplan_run`) the connection's locale and retry
/// count are used and the run waits as long as the task runs.
///
/// Methods: `anaplan_run_options_new`, `anaplan_run_options_free`, `anaplan_run_options_set_*`,
/// `anaplan_run_options_add_mapping`, `anaplan_run_options_clear_mappings`.
///
/// Thread-safety: NOT thread-safe to build; `anaplan_run` copies what it needs when it starts,
/// so the options can be reused or freed while a run is going on.
pub struct anaplan_run_options {
    _private: [u8; 0],
}

impl HandleType for anaplan_run_options {
    type Object = Mutex<Options>;
    const NAME: &'static str = "anaplan_run_options";
}

/// The outcome of a task that ended (`COMPLETE` or `CANCELLED`): success, detail messages, the
/// steps of a process, whether failure dumps exist, the raw JSON.
///
/// Methods: `anaplan_task_result_*` and `anaplan_task_result_free`; the dump functions take it
/// too (`anaplan_task_dump_text`, `anaplan_task_dumps_to_dir`, `anaplan_task_summary`).
///
/// Thread-safety: a result never changes; its readers may be called from any thread at once.
pub struct anaplan_task_result {
    _private: [u8; 0],
}

impl HandleType for anaplan_task_result {
    type Object = TaskResult;
    const NAME: &'static str = "anaplan_task_result";
}

fn update_options(
    options: *mut anaplan_run_options,
    set: impl FnOnce(&mut Options) -> Result<(), FfiError>,
) -> anaplan_status {
    boundary::call(|| {
        let object = handles::get(options)?;
        let mut o = lock(&object);
        set(&mut o)
    })
}

/// Creates a cancel token (not cancelled) and writes it to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_cancel_token_free` (after the run
/// that uses it has returned, or at any time: a run keeps its own reference).
/// Statuses: `OK`, `NULL_ARGUMENT`.
///
/// # Safety
/// `out` is NULL or points to a writable `anaplan_cancel_token *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_cancel_token_new(
    out: *mut *mut anaplan_cancel_token,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        out.write(handles::issue(CancelToken::new())?);
        Ok(())
    })
}

/// Raises the token: a run using it cancels its task on the server and returns
/// `ANAPLAN_STATUS_CANCELLED`. Callable from any thread, any number of times.
///
/// Statuses: `OK`, `INVALID_HANDLE`.
///
/// # Safety
/// `token` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_cancel_token_cancel(
    token: *mut anaplan_cancel_token,
) -> anaplan_status {
    boundary::call(|| {
        handles::get(token)?.cancel();
        Ok(())
    })
}

/// Writes 1 to `*out` if the token was cancelled, else 0.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_cancel_token_is_cancelled(
    token: *const anaplan_cancel_token,
    out: *mut i32,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        out.write(i32::from(handles::get(token)?.is_cancelled()));
        Ok(())
    })
}

/// Frees a cancel token. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not a token (nothing happens then).
///
/// # Safety
/// `token` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_cancel_token_free(
    token: *mut anaplan_cancel_token,
) -> anaplan_status {
    boundary::call(|| handles::free(token))
}

/// Creates run options with the defaults and writes them to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_run_options_free`.
/// Statuses: `OK`, `NULL_ARGUMENT`.
///
/// # Safety
/// `out` is NULL or points to a writable `anaplan_run_options *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_new(
    out: *mut *mut anaplan_run_options,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        out.write(handles::issue(Mutex::new(Options::default()))?);
        Ok(())
    })
}

/// Frees run options. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not run options.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_free(
    options: *mut anaplan_run_options,
) -> anaplan_status {
    boundary::call(|| handles::free(options))
}

/// Sets the `localeName` sent when starting (default: the connection's locale, `en_US` unless
/// configured otherwise).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT` (empty).
///
/// # Safety
/// `locale` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_locale(
    options: *mut anaplan_run_options,
    locale: *const c_char,
) -> anaplan_status {
    update_options(options, |o| {
        // SAFETY: the caller guarantees `locale` is NULL or NUL-terminated.
        let locale = unsafe { str_arg(locale, "locale") }?;
        if locale.trim().is_empty() {
            return Err(FfiError::new(
                ANAPLAN_STATUS_INVALID_ARGUMENT,
                "`locale` is empty (e.g. en_US)",
            ));
        }
        o.run.locale = Some(locale.to_string());
        Ok(())
    })
}

/// Adds a runtime mapping parameter (`{"entityType": entity_type, "entityName": entity_name}`,
/// e.g. `Version` / `Actual`). Imports and processes only: `anaplan_run` of an export or action
/// with mappings returns `INVALID_ARGUMENT` without starting anything.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`.
///
/// # Safety
/// `entity_type` and `entity_name` are NULL or NUL-terminated strings.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_add_mapping(
    options: *mut anaplan_run_options,
    entity_type: *const c_char,
    entity_name: *const c_char,
) -> anaplan_status {
    update_options(options, |o| {
        // SAFETY: the caller guarantees both are NULL or NUL-terminated.
        let (t, n) = unsafe {
            (
                str_arg(entity_type, "entity_type")?,
                str_arg(entity_name, "entity_name")?,
            )
        };
        o.run.mapping_parameters.push(MappingParameter::new(t, n));
        Ok(())
    })
}

/// Removes every mapping parameter added so far.
///
/// Statuses: `OK`, `INVALID_HANDLE`.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_clear_mappings(
    options: *mut anaplan_run_options,
) -> anaplan_status {
    update_options(options, |o| {
        o.run.mapping_parameters.clear();
        Ok(())
    })
}

/// How often starting is tried again when the answer to the start request was lost and no task
/// shows up for it (0 or more; the task is never started twice). 429 and 503 answers are retried
/// by the connection with its own `max_retries`. Default: the connection's `max_retries`.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (negative).
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_retries(
    options: *mut anaplan_run_options,
    retries: i32,
) -> anaplan_status {
    update_options(options, |o| {
        o.run.retries = Some(count(retries, "retries")?);
        Ok(())
    })
}

/// Overall time limit for starting and waiting, in milliseconds; 0 (the default) waits as long
/// as the task runs. When it passes, `anaplan_run` returns `ANAPLAN_STATUS_TIMEOUT` (the last
/// error names the task) and, unless `anaplan_run_options_set_cancel_on_timeout(options, 0)`, the
/// task is cancelled on the server: a task nobody waits for would keep the model locked.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (negative).
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_timeout_ms(
    options: *mut anaplan_run_options,
    timeout_ms: i32,
) -> anaplan_status {
    update_options(options, |o| {
        let ms = u64::try_from(timeout_ms)
            .map_err(|_| out_of_range("timeout_ms", timeout_ms, "0 (no limit) or more"))?;
        o.run.timeout = (ms > 0).then(|| Duration::from_millis(ms));
        Ok(())
    })
}

/// Whether a timeout also cancels the task on the server: 1 (default) or 0.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_cancel_on_timeout(
    options: *mut anaplan_run_options,
    cancel: i32,
) -> anaplan_status {
    update_options(options, |o| {
        o.run.cancel_on_timeout = flag(cancel, "cancel")?;
        Ok(())
    })
}

/// Sets the progress callback (NULL removes it) and the `user_data` passed back to it. See
/// `anaplan_task_progress_cb`: it runs on the thread that calls `anaplan_run`.
///
/// Statuses: `OK`, `INVALID_HANDLE`.
///
/// # Safety
/// `callback` is NULL or a function with that signature, callable until runs using these options
/// return; `user_data` is passed to it as is.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_progress(
    options: *mut anaplan_run_options,
    callback: anaplan_task_progress_cb,
    user_data: *mut c_void,
) -> anaplan_status {
    update_options(options, |o| {
        o.progress = callback;
        o.user_data = user_data as usize;
        Ok(())
    })
}

/// Makes runs with these options cancellable through `token` (NULL removes it): cancelling the
/// token from any thread cancels the task on the server and `anaplan_run` returns
/// `ANAPLAN_STATUS_CANCELLED`. The options keep their own reference to the token.
///
/// Statuses: `OK`, `INVALID_HANDLE` (options, or a token that is not NULL and not live).
///
/// # Safety
/// `options` and `token` are any pointer values: they are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run_options_set_cancel_token(
    options: *mut anaplan_run_options,
    token: *const anaplan_cancel_token,
) -> anaplan_status {
    update_options(options, |o| {
        o.run.cancel = if token.is_null() {
            None
        } else {
            Some((*handles::get(token)?).clone())
        };
        Ok(())
    })
}

/// Runs an import, export, action or process of the current model and waits until it ends.
/// `object` is the object's id (`112…` import, `116…` export, `117…` action, `118…` process)
/// or its name, looked up among the model's imports, exports, actions and processes together.
/// `options` may be NULL for the defaults.
///
/// Returns `OK` whenever the task ran to its end, successful or not: read
/// `anaplan_task_result_successful` and the details, and fetch dumps with the result. Starting
/// is retried without ever starting the task twice.
///
/// Ownership: the caller owns `*out` (written only on `OK`) and frees it with
/// `anaplan_task_result_free`.
/// Statuses: `OK`; `NOT_FOUND` (no such object in the model), `AMBIGUOUS` (a name that several
/// runnable objects have: the last error lists their ids), `INVALID_ARGUMENT` (not a runnable
/// id, mappings on an export or action, no model set), `TIMEOUT` and `CANCELLED` (the last error's
/// task id names the task), `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, and the transport,
/// auth and HTTP statuses.
/// Thread-safety: the client may run several tasks from several threads at once (Anaplan runs
/// one task per model at a time and queues the others). Callbacks run on the calling thread.
///
/// # Safety
/// `object` is NULL or a NUL-terminated string; `out` is NULL or writable; `client` and
/// `options` are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_run(
    client: *mut anaplan_client,
    object: *const c_char,
    options: *const anaplan_run_options,
    out: *mut *mut anaplan_task_result,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the caller guarantees `object` is NULL or NUL-terminated.
        let object_id = unsafe { str_arg(object, "object") }?;
        let client = handles::get(client)?;
        let opts = if options.is_null() {
            Options::default()
        } else {
            let object = handles::get(options)?;
            let copy = lock(&object).clone();
            copy
        };
        let mut progress = |state: &TaskState, p: f64| -> bool {
            match opts.progress {
                // SAFETY: the caller registered this function for these options and guarantees
                // it is callable during runs; user_data is theirs, handed back unchanged.
                Some(cb) => unsafe { cb(opts.user_data as *mut c_void, state_code(state), p) == 0 },
                None => true,
            }
        };
        let mut task_id: Option<String> = None;
        let result = client.run_observed(
            object_id,
            &opts.run,
            opts.progress.is_some().then_some(&mut progress as _),
            &mut |id| task_id = Some(id.to_string()),
        );
        match result {
            Ok(r) => {
                out.write(handles::issue(r)?);
                Ok(())
            }
            Err(e) => {
                let e = FfiError::from(e);
                Err(match task_id {
                    Some(id) => e.with_task_id(id),
                    None => e,
                })
            }
        }
    })
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
    boundary::call(|| handles::free(result))
}

/// Runs `f` on the result behind a handle and writes what it returns to `out`.
///
/// # Safety
/// `out` is NULL or writable.
unsafe fn read<T>(
    result: *const anaplan_task_result,
    out: *mut T,
    f: impl FnOnce(&TaskResult) -> Result<T, FfiError>,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: forwarded from the caller.
        let out = unsafe { Out::new(out, "out") }?;
        let r = handles::get(result)?;
        out.write(f(&r)?);
        Ok(())
    })
}

fn index(i: i32, len: usize, what: &str) -> Result<usize, FfiError> {
    usize::try_from(i)
        .ok()
        .filter(|i| *i < len)
        .ok_or_else(|| out_of_range(what, i, &format!("0 to {} ({len} item(s))", len as i64 - 1)))
}

fn count_of(n: usize) -> Result<i32, FfiError> {
    i32::try_from(n).map_err(|_| FfiError::new(ANAPLAN_STATUS_INTERNAL, "count exceeds int32"))
}

fn detail_message(details: &[Detail], i: i32) -> Result<*mut c_char, FfiError> {
    owned_string(&details[index(i, details.len(), "detail_index")?].message)
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
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| Ok(i32::from(r.successful))) }
}

/// Writes the final `ANAPLAN_TASK_STATE_*` (`COMPLETE` or `CANCELLED`) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_state(
    result: *const anaplan_task_result,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| Ok(state_code(&r.state))) }
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
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| Ok(i32::from(r.failure_dump_available))) }
}

/// Writes the task id to `*out`, a string the caller frees with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_task_id(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| owned_string(&r.task_id)) }
}

/// Writes the id of the object that ran (the import, export, action or process) to `*out`, a
/// string the caller frees with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_object_id(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| owned_string(&r.object_id)) }
}

/// Writes the number of detail messages of the task itself (a process has none of its own: see
/// its steps) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_count(
    result: *const anaplan_task_result,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| count_of(r.details.len())) }
}

/// Writes detail `index`'s message (`localMessageText`, e.g. `Employees: 9 (6/3) rows
/// successful, 1 ignored`) to `*out`, a string the caller frees with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_detail_message(
    result: *const anaplan_task_result,
    index: i32,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| detail_message(&r.details, index)) }
}

/// Writes the number of process steps reported (`nestedResults`; 0 for other kinds) to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_count(
    result: *const anaplan_task_result,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| count_of(r.steps.len())) }
}

/// Writes the id of the object step `index` ran to `*out`, a string the caller frees with
/// `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_object_id(
    result: *const anaplan_task_result,
    index: i32,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe {
        read(result, out, |r| {
            owned_string(&r.steps[self::index(index, r.steps.len(), "step_index")?].object_id)
        })
    }
}

/// Writes 1 to `*out` if step `index` succeeded, else 0.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_successful(
    result: *const anaplan_task_result,
    index: i32,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe {
        read(result, out, |r| {
            Ok(i32::from(
                r.steps[self::index(index, r.steps.len(), "step_index")?].successful,
            ))
        })
    }
}

/// Writes 1 to `*out` if step `index` has a failure dump, else 0.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_dump_available(
    result: *const anaplan_task_result,
    index: i32,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe {
        read(result, out, |r| {
            let step = &r.steps[self::index(index, r.steps.len(), "step_index")?];
            Ok(i32::from(step.failure_dump_available))
        })
    }
}

/// Writes the number of detail messages of step `index` to `*out`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `int32_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_count(
    result: *const anaplan_task_result,
    index: i32,
    out: *mut i32,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe {
        read(result, out, |r| {
            count_of(
                r.steps[self::index(index, r.steps.len(), "step_index")?]
                    .details
                    .len(),
            )
        })
    }
}

/// Writes the message of detail `detail_index` of step `step_index` to `*out`, a string the
/// caller frees with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `OUT_OF_RANGE`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_step_detail_message(
    result: *const anaplan_task_result,
    step_index: i32,
    detail_index: i32,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe {
        read(result, out, |r| {
            let step = &r.steps[index(step_index, r.steps.len(), "step_index")?];
            detail_message(&step.details, detail_index)
        })
    }
}

/// Writes the task's final status as Anaplan sent it (the `task` object, JSON) to `*out`, a
/// string the caller frees with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safe.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_task_result_json(
    result: *const anaplan_task_result,
    out: *mut *mut c_char,
) -> anaplan_status {
    // SAFETY: forwarded from the caller.
    unsafe { read(result, out, |r| owned_string(&r.json())) }
}
