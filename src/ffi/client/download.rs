//! `anaplan_client_download_*`: a file of the current model to a path, to a library-owned
//! buffer, or to a write callback.

use std::ffi::{c_char, c_void};
use std::path::Path;

use super::anaplan_client;
use crate::client::kind::ObjectKind;
use crate::client::Error;
use crate::ffi::status::*;
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::owned::owned_buffer;
use crate::ffi::toolkit::params::{out_param, str_param};
use crate::ffi::transfer_options::{anaplan_transfer_options, Options};

/// Receives downloaded bytes in order, on the thread that called
/// `anaplan_client_download_to_callback`: `len` bytes at `data`, valid during the call only.
/// Return 0 to go on, non-zero to stop: the download then returns `ANAPLAN_STATUS_CANCELLED`.
pub type anaplan_write_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, data: *const u8, len: usize) -> i32>;

/// Downloads `file` (an id, e.g. an export's id for its output, or a file name) of the current
/// model to `path`: chunks are fetched in parallel and written in order to a temporary file in
/// the same folder, which replaces `path` only once everything arrived. On any failure nothing is
/// left behind and a file already at `path` is untouched. `options` may be NULL (the
/// connection's parallelism, no progress callback); the callback's `total` is -1 (Anaplan does
/// not give the size first).
///
/// Statuses: `OK`; `HTTP_ERROR` with HTTP status 404 (no such file, or a file without content:
/// run the export first), `IO` (the message names the path), `NOT_FOUND`/`AMBIGUOUS` (the name),
/// `CANCELLED` (the progress callback or the options' cancel token), `INVALID_ARGUMENT` (no model set), `INVALID_HANDLE`, `NULL_ARGUMENT`,
/// `INVALID_UTF8`, and the transport and auth statuses.
/// Thread-safety: the client may run several transfers from several threads at once. The
/// progress callback runs on the calling thread.
///
/// # Safety
/// `file` and `path` are NULL or NUL-terminated; `client` and `options` are looked up, never
/// dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_download_to_file(
    client: *mut anaplan_client,
    file: *const c_char,
    path: *const c_char,
    options: *const anaplan_transfer_options,
) -> anaplan_status {
    on(client, |c| {
        let path = str_param!(path)?;
        let options = Options::of(options)?;
        let id = c.resolve(ObjectKind::File, str_param!(file)?)?;
        let mut cb = options.progress_fn();
        options
            .client(c)
            .download_to_path(&id, Path::new(path), cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}

/// Downloads `file` of the current model into a library-owned buffer: `*data_out` and
/// `*len_out` are written only on `OK`. `options` as for `anaplan_client_download_to_file`.
///
/// Ownership: the caller frees `*data_out` with `anaplan_buffer_free` (it is never NULL, even for
/// an empty file).
/// Statuses: as `anaplan_client_download_to_file`, without `IO`.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `data_out` and `len_out` are NULL or writable; `client`
/// and `options` are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_download_to_buffer(
    client: *mut anaplan_client,
    file: *const c_char,
    options: *const anaplan_transfer_options,
    data_out: *mut *mut u8,
    len_out: *mut usize,
) -> anaplan_status {
    on(client, |c| {
        let (data_out, len_out) = (out_param!(data_out)?, out_param!(len_out)?);
        let options = Options::of(options)?;
        let id = c.resolve(ObjectKind::File, str_param!(file)?)?;
        let mut cb = options.progress_fn();
        let bytes = options
            .client(c)
            .download_to_vec(&id, cb.as_mut().map(|f| f as _))?;
        let (data, len) = owned_buffer(bytes);
        data_out.write(data);
        len_out.write(len);
        Ok(())
    })
}

/// Downloads `file` of the current model, handing its bytes in order to `write` (one call per
/// chunk), with `user_data`, on the calling thread. `options` as for
/// `anaplan_client_download_to_file` (their progress callback gets their own `user_data`).
///
/// Statuses: as `anaplan_client_download_to_file`, without `IO`; `CANCELLED` also when `write`
/// returns non-zero; `NULL_ARGUMENT` when `write` is NULL.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `write` is NULL or callable with `user_data` during the
/// call; `client` and `options` are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_download_to_callback(
    client: *mut anaplan_client,
    file: *const c_char,
    write: anaplan_write_cb,
    user_data: *mut c_void,
    options: *const anaplan_transfer_options,
) -> anaplan_status {
    on(client, |c| {
        let write =
            write.ok_or_else(|| FfiError::new(ANAPLAN_STATUS_NULL_ARGUMENT, "`write` is NULL"))?;
        let options = Options::of(options)?;
        let id = c.resolve(ObjectKind::File, str_param!(file)?)?;
        let mut sink = |data: &[u8]| {
            // SAFETY: the caller passed this function and user_data for the duration of the
            // call; `data` is valid for `len` bytes during the callback; it runs on this thread.
            match unsafe { write(user_data, data.as_ptr(), data.len()) } {
                0 => Ok(()),
                _ => Err(Error::Cancelled),
            }
        };
        let mut cb = options.progress_fn();
        options
            .client(c)
            .download_to(&id, &mut sink, cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}
