//! `anaplan_cancel_token`: cancels a run or a transfer from another thread.

use super::status::anaplan_status;
use super::toolkit::boundary::{self, on};
use super::toolkit::error::FfiError;
use super::toolkit::handles::{self, HandleType};
use super::toolkit::params::out_param;
use crate::client::CancelToken;

/// A cancellation flag for `anaplan_client_run` and the transfers: give it to a run with
/// `anaplan_run_options_set_cancel_token` (cancelling then cancels the task on the server) or to
/// uploads and downloads with `anaplan_transfer_options_set_cancel_token`, then call
/// `anaplan_cancel_token_cancel` from any thread.
///
/// Methods: `anaplan_cancel_token_new`, `anaplan_cancel_token_cancel`,
/// `anaplan_cancel_token_is_cancelled`, `anaplan_cancel_token_free`.
///
/// Thread-safety: thread-safe; that is its purpose. A token stays cancelled: use a new one for
/// the next call.
pub struct anaplan_cancel_token {
    _private: [u8; 0],
}

impl HandleType for anaplan_cancel_token {
    type Object = CancelToken;
    const NAME: &'static str = "anaplan_cancel_token";
}

/// The token an options builder keeps a reference to: `None` for NULL, else the live token's
/// (`INVALID_HANDLE` when it is not one).
pub(crate) fn shared(token: *const anaplan_cancel_token) -> Result<Option<CancelToken>, FfiError> {
    if token.is_null() {
        return Ok(None);
    }
    Ok(Some((*handles::get(token)?).clone()))
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
        let out = out_param!(out)?;
        out.write(handles::issue(CancelToken::new())?);
        Ok(())
    })
}

/// Raises the token: a run using it cancels its task on the server and returns
/// `ANAPLAN_STATUS_CANCELLED`; an upload or download using it stops at its next chunk with the
/// same status. Callable from any thread, any number of times.
///
/// Statuses: `OK`, `INVALID_HANDLE`.
///
/// # Safety
/// `token` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_cancel_token_cancel(
    token: *mut anaplan_cancel_token,
) -> anaplan_status {
    on(token, |t| {
        t.cancel();
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
    on(token, |t| {
        out_param!(out)?.write(i32::from(t.is_cancelled()));
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
    boundary::release(|| handles::free(token))
}
