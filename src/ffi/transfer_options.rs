//! `anaplan_transfer_options`: how one upload or download runs: chunk size, chunks in flight,
//! gzip, progress callback, cancel token. What it leaves unset is the connection's.

use std::ffi::c_void;
use std::sync::Mutex;

use super::cancel_token::{self, anaplan_cancel_token};
use super::status::anaplan_status;
use super::toolkit::boundary::{self, on_locked};
use super::toolkit::error::FfiError;
use super::toolkit::handles::{self, HandleType};
use super::toolkit::params::out_param;
use super::toolkit::scalars::flag;
use crate::client::{Client, TransferOptions};

/// Called on the thread that made the transfer call (for a streamed upload: the thread calling
/// `anaplan_upload_stream_write` or `_finish`), after each chunk: `done` bytes so far of `total`
/// (`-1` when the size is not known: downloads, streams of unknown size). Return 0 to go on,
/// non-zero to cancel: the call then returns `ANAPLAN_STATUS_CANCELLED`.
pub type anaplan_transfer_progress_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, done: u64, total: i64) -> i32>;

/// What the options builder holds. The callback's `user_data` is kept as an address: it is only
/// handed back to the callback, on the thread that makes the transfer call.
#[derive(Clone, Default)]
pub struct Options {
    pub transfer: TransferOptions,
    pub progress: anaplan_transfer_progress_cb,
    pub user_data: usize,
}

impl Options {
    /// The options a transfer call was given, copied: NULL is the connection's settings and no
    /// callback.
    pub(crate) fn of(options: *const anaplan_transfer_options) -> Result<Options, FfiError> {
        handles::copy_or_default(options)
    }

    /// `client` with these settings and cancel token, for one transfer.
    pub(crate) fn client(&self, client: &Client) -> Client {
        client.with_transfer(&self.transfer)
    }

    /// The progress callback as the client's progress closure (`true` = go on). `Send`, so a
    /// streamed upload can keep it between calls; it still runs only on the calling thread.
    pub(crate) fn progress_fn(&self) -> Option<impl FnMut(u64, i64) -> bool + Send + 'static> {
        let user_data = self.user_data;
        self.progress.map(|cb| {
            move |done: u64, total: i64| {
                // SAFETY: the caller set this function and user_data for the transfers that use
                // these options, and the client runs progress on the calling thread only.
                unsafe { cb(user_data as *mut c_void, done, total) == 0 }
            }
        })
    }
}

/// How one upload or download runs: chunk size, chunks in flight, gzip and its level, progress
/// callback, cancel token. Each setting left unset is the connection's (`anaplan_config_set_*`),
/// so one transfer can change its chunk size without signing in again. Every transfer function
/// takes these options, or NULL for the connection's settings and no callback.
///
/// Methods: `anaplan_transfer_options_new`, `anaplan_transfer_options_free`,
/// `anaplan_transfer_options_set_*`.
///
/// Thread-safety: NOT thread-safe to build; a transfer copies what it needs when it starts, so
/// the options can be reused by other transfers, on other threads too, or freed meanwhile.
pub struct anaplan_transfer_options {
    _private: [u8; 0],
}

impl HandleType for anaplan_transfer_options {
    type Object = Mutex<Options>;
    const NAME: &'static str = "anaplan_transfer_options";
}

/// Creates transfer options that change nothing (the connection's settings, no callback, no
/// cancel token) and writes them to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_transfer_options_free`.
/// Statuses: `OK`, `NULL_ARGUMENT`.
///
/// # Safety
/// `out` is NULL or points to a writable `anaplan_transfer_options *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_new(
    out: *mut *mut anaplan_transfer_options,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        out.write(handles::issue(Mutex::new(Options::default()))?);
        Ok(())
    })
}

/// Frees transfer options. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not transfer options.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_free(
    options: *mut anaplan_transfer_options,
) -> anaplan_status {
    boundary::release(|| handles::free(options))
}

/// Sets the upload chunk size in megabytes (1 MB = 1000000 bytes), 1 to 50, as
/// `anaplan_config_set_chunk_size_mb` does for the connection. Downloads ignore it: they take the
/// chunks Anaplan stored.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (0, 51, negative; the options are unchanged,
/// with the same message as `anaplan_config_set_chunk_size_mb`).
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_chunk_size_mb(
    options: *mut anaplan_transfer_options,
    megabytes: i32,
) -> anaplan_status {
    on_locked(options, |o| {
        Ok(o.transfer.set_chunk_size_mb(megabytes.into())?)
    })
}

/// Sets how many chunks are in flight at once (1 to 32), as `anaplan_config_set_parallelism`.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_parallelism(
    options: *mut anaplan_transfer_options,
    parallelism: i32,
) -> anaplan_status {
    on_locked(options, |o| {
        Ok(o.transfer.set_parallelism(parallelism.into())?)
    })
}

/// 1 sends upload chunks gzip-compressed, 0 sends them as they are, as `anaplan_config_set_gzip`.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (not 0 or 1).
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_gzip(
    options: *mut anaplan_transfer_options,
    gzip: i32,
) -> anaplan_status {
    on_locked(options, |o| {
        o.transfer.set_gzip(flag(gzip, "gzip")?);
        Ok(())
    })
}

/// Sets the zlib level of upload compression, 1 (fastest) to 9 (smallest), as
/// `anaplan_config_set_gzip_level`.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `options` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_gzip_level(
    options: *mut anaplan_transfer_options,
    level: i32,
) -> anaplan_status {
    on_locked(options, |o| Ok(o.transfer.set_gzip_level(level.into())?))
}

/// Sets the progress callback (NULL removes it) and the `user_data` passed back to it. See
/// `anaplan_transfer_progress_cb`.
///
/// Statuses: `OK`, `INVALID_HANDLE`.
///
/// # Safety
/// `callback` is NULL or a function with that signature, callable until the transfers using
/// these options return (a streamed upload: until it is freed); `user_data` is passed to it as
/// is.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_progress(
    options: *mut anaplan_transfer_options,
    callback: anaplan_transfer_progress_cb,
    user_data: *mut c_void,
) -> anaplan_status {
    on_locked(options, |o| {
        o.progress = callback;
        o.user_data = user_data as usize;
        Ok(())
    })
}

/// Makes transfers with these options cancellable through `token` (NULL removes it): cancelling
/// the token from any thread stops them promptly with `ANAPLAN_STATUS_CANCELLED` (chunks in
/// flight are let finish; an upload's file is left incomplete, see the README's table of what a
/// failed call leaves behind). The options keep their own reference to the token.
///
/// Statuses: `OK`, `INVALID_HANDLE` (options, or a token that is not NULL and not live).
///
/// # Safety
/// `options` and `token` are any pointer values: they are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_transfer_options_set_cancel_token(
    options: *mut anaplan_transfer_options,
    token: *const anaplan_cancel_token,
) -> anaplan_status {
    on_locked(options, |o| {
        o.transfer.cancel = cancel_token::shared(token)?;
        Ok(())
    })
}
