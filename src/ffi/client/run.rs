//! `anaplan_client_run`: runs an import, export, action or process and waits until it ends.

use std::ffi::{c_char, c_void};

use super::anaplan_client;
use crate::client::task_result::TaskState;
use crate::ffi::run_options::{anaplan_run_options, Options};
use crate::ffi::status::anaplan_status;
use crate::ffi::task_result::{anaplan_task_result, state_code};
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::handles;
use crate::ffi::toolkit::params::{out_param, str_param};

/// Runs an import, export, action or process of the current model and waits until it ends.
/// `object` is the object's id (`112…` import, `116…` export, `117…` action, `118…` process)
/// or its name, looked up among the model's imports, exports, actions and processes together.
/// `options` may be NULL for the defaults.
///
/// Returns `OK` whenever the task ran to its end, successful or not: read
/// `anaplan_task_result_successful` and the details, and fetch dumps with the result. Starting
/// is retried without ever starting the task twice.
///
/// Ownership: the caller owns `*result_out` (written only on `OK`) and frees it with
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
/// `object` is NULL or a NUL-terminated string; `result_out` is NULL or writable; `client` and
/// `options` are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_run(
    client: *mut anaplan_client,
    object: *const c_char,
    options: *const anaplan_run_options,
    result_out: *mut *mut anaplan_task_result,
) -> anaplan_status {
    on(client, |c| {
        let out = out_param!(result_out)?;
        let object = str_param!(object)?;
        let opts: Options = handles::copy_or_default(options)?;
        let mut progress = |state: &TaskState, p: f64| -> bool {
            match opts.progress {
                // SAFETY: the caller registered this function for these options and guarantees
                // it is callable during runs; user_data is theirs, handed back unchanged.
                Some(cb) => unsafe { cb(opts.user_data as *mut c_void, state_code(state), p) == 0 },
                None => true,
            }
        };
        let mut task_id: Option<String> = None;
        let result = c.run_observed(
            object,
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
