//! `anaplan_run_options`: how `anaplan_client_run` runs a task.

use std::ffi::{c_char, c_void};
use std::sync::Mutex;
use std::time::Duration;

use super::cancel_token::{self, anaplan_cancel_token};
use super::status::anaplan_status;
use super::task_result::anaplan_task_state;
use super::toolkit::boundary::{self, on_locked};
use super::toolkit::handles::{self, HandleType};
use super::toolkit::params::{out_param, str_param};
use super::toolkit::scalars::{count, flag, out_of_range};
use crate::client::tasks::{MappingParameter, RunOptions};

/// Called while a task runs, on the thread that called `anaplan_client_run`, after every poll:
/// `state` is an `anaplan_task_state`, `progress` goes from 0.0 to 1.0. Return 0 to go on,
/// non-zero to cancel the task (`anaplan_client_run` then returns `ANAPLAN_STATUS_CANCELLED` once
/// the server reports it cancelled).
pub type anaplan_task_progress_cb = Option<
    unsafe extern "C" fn(user_data: *mut c_void, state: anaplan_task_state, progress: f64) -> i32,
>;

/// What the options builder holds. The callback's `user_data` is kept as an address: it is only
/// handed back to the callback, on the thread that runs the task.
#[derive(Clone, Default)]
pub struct Options {
    pub run: RunOptions,
    pub progress: anaplan_task_progress_cb,
    pub user_data: usize,
}

/// How to run a task: locale, mapping parameters, retry count, timeout, progress callback,
/// cancel token. Without options (`NULL` to `anaplan_client_run`) the connection's locale and
/// retry count are used and the run waits as long as the task runs.
///
/// Methods: `anaplan_run_options_new`, `anaplan_run_options_free`, `anaplan_run_options_set_*`,
/// `anaplan_run_options_add_mapping`, `anaplan_run_options_clear_mappings`.
///
/// Thread-safety: NOT thread-safe to build; `anaplan_client_run` copies what it needs when it
/// starts, so the options can be reused or freed while a run is going on.
pub struct anaplan_run_options {
    _private: [u8; 0],
}

impl HandleType for anaplan_run_options {
    type Object = Mutex<Options>;
    const NAME: &'static str = "anaplan_run_options";
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
        let out = out_param!(out)?;
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
    boundary::release(|| handles::free(options))
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
    on_locked(options, |o| Ok(o.run.set_locale(str_param!(locale)?)?))
}

/// Adds a runtime mapping parameter (`{"entityType": entity_type, "entityName": entity_name}`,
/// e.g. `Version` / `Actual`). Imports and processes only: `anaplan_client_run` of an export or action
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
    on_locked(options, |o| {
        let (t, n) = (str_param!(entity_type)?, str_param!(entity_name)?);
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
    on_locked(options, |o| {
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
    on_locked(options, |o| {
        o.run.retries = Some(count(retries, "retries")?);
        Ok(())
    })
}

/// Overall time limit for starting and waiting, in milliseconds; 0 (the default) waits as long
/// as the task runs. When it passes, `anaplan_client_run` returns `ANAPLAN_STATUS_TIMEOUT` (the last
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
    on_locked(options, |o| {
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
    on_locked(options, |o| {
        o.run.cancel_on_timeout = flag(cancel, "cancel")?;
        Ok(())
    })
}

/// Sets the progress callback (NULL removes it) and the `user_data` passed back to it. See
/// `anaplan_task_progress_cb`: it runs on the thread that calls `anaplan_client_run`.
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
    on_locked(options, |o| {
        o.progress = callback;
        o.user_data = user_data as usize;
        Ok(())
    })
}

/// Makes runs with these options cancellable through `token` (NULL removes it): cancelling the
/// token from any thread cancels the task on the server and `anaplan_client_run` returns
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
    on_locked(options, |o| {
        o.run.cancel = cancel_token::shared(token)?;
        Ok(())
    })
}
