//! Uploads from C: a file path, a memory buffer, or a stream (`anaplan_upload`). Translation only:
//! the logic is in `client::upload`.

use std::ffi::{c_char, c_void};
use std::path::Path;
use std::sync::Mutex;

use super::boundary;
use super::client::anaplan_client;
use super::handles::{self, lock, HandleType};
use super::last_error::FfiError;
use super::scalars::out_of_range;
use super::status::anaplan_status;
use super::strings::{bytes_arg, str_arg, Out};
use super::transfer::{anaplan_transfer_progress_cb, progress_fn};
use crate::client::upload::Upload;
use crate::client::Client;

/// A streamed upload: `anaplan_upload_begin`, then `anaplan_upload_write` with pieces of any
/// size, then `anaplan_upload_finish`; the library cuts the chunks.
///
/// Methods: `anaplan_upload_begin`, `anaplan_upload_write`, `anaplan_upload_finish`,
/// `anaplan_upload_free`.
///
/// Thread-safety: calls on one upload are serialized (a second thread waits); write from one
/// thread in order, since the pieces are concatenated in call order.
pub struct anaplan_upload {
    _private: [u8; 0],
}

impl HandleType for anaplan_upload {
    type Object = Mutex<Upload>;
    const NAME: &'static str = "anaplan_upload";
}

/// The upload file id for `file`, an id (`113…`) or the name of a data source file of the
/// current model.
fn upload_target(client: &Client, file: *const c_char) -> Result<String, FfiError> {
    // SAFETY: every export here documents `file` as NULL or NUL-terminated.
    let file = unsafe { str_arg(file, "file") }?;
    Ok(client.resolve_upload_file(file)?)
}

/// Uploads the file at `path` to `file` (a file id, or the name of an import data source file)
/// of the current model, in chunks of the configured size, gzip-compressed and several in flight
/// as configured. `progress` may be NULL.
///
/// Statuses: `OK`; `IO` (`path` unreadable; the message names it), `NOT_FOUND`/`AMBIGUOUS` (the
/// file name), `INVALID_ARGUMENT` (chunk size or parallelism out of range, no model set),
/// `CANCELLED` (the callback returned non-zero), `INVALID_HANDLE`, `NULL_ARGUMENT`,
/// `INVALID_UTF8`, and the transport, auth and HTTP statuses (a failed chunk's message names it).
/// Thread-safety: the client may run several transfers from several threads at once. The
/// callback runs on the calling thread.
///
/// # Safety
/// `file` and `path` are NULL or NUL-terminated; `progress` is NULL or callable with
/// `user_data` during the call; `client` is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_file(
    client: *mut anaplan_client,
    file: *const c_char,
    path: *const c_char,
    progress: anaplan_transfer_progress_cb,
    user_data: *mut c_void,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `path` is NULL or NUL-terminated.
        let path = unsafe { str_arg(path, "path") }?;
        let client = handles::get(client)?;
        let id = upload_target(&client, file)?;
        let mut cb = progress_fn(progress, user_data);
        client.upload_file(&id, Path::new(path), cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}

/// Uploads `len` bytes at `data` to `file` (an id or a data source name) of the current model.
/// `data` may be NULL when `len` is 0 (an empty file: one empty chunk). `progress` may be NULL.
///
/// Statuses: as `anaplan_upload_file`, without `IO`.
/// Thread-safety: as `anaplan_upload_file`; `data` must not change during the call.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `data` is NULL or points to `len` readable bytes;
/// `progress` is NULL or callable with `user_data` during the call.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_buffer(
    client: *mut anaplan_client,
    file: *const c_char,
    data: *const u8,
    len: usize,
    progress: anaplan_transfer_progress_cb,
    user_data: *mut c_void,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `data` is NULL or holds `len` readable bytes.
        let data = unsafe { bytes_arg(data, len, "data") }?;
        let client = handles::get(client)?;
        let id = upload_target(&client, file)?;
        let mut cb = progress_fn(progress, user_data);
        client.upload_bytes(&id, data, cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}

/// Starts a streamed upload to `file` (an id or a data source name) of the current model.
/// `total` is the size in bytes when known (announced to Anaplan and checked by
/// `anaplan_upload_finish`), or -1 when not (the file is then marked complete at the end).
///
/// Ownership: the caller owns `*out` (written only on `OK`) and frees it with
/// `anaplan_upload_free`, after `anaplan_upload_finish` or instead of it (to abandon).
/// Statuses: `OK`; `OUT_OF_RANGE` (`total` below -1), and as `anaplan_upload_file` without `IO`
/// and `CANCELLED`.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_begin(
    client: *mut anaplan_client,
    file: *const c_char,
    total: i64,
    out: *mut *mut anaplan_upload,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        let total = match total {
            -1 => None,
            t => Some(u64::try_from(t).map_err(|_| out_of_range("total", t, "-1 or more"))?),
        };
        let client = handles::get(client)?;
        let id = upload_target(&client, file)?;
        let upload = client.upload_begin(&id, total)?;
        out.write(handles::issue(Mutex::new(upload))?);
        Ok(())
    })
}

/// Adds `len` bytes at `data` to a streamed upload. Full chunks are sent as they fill up; the
/// call waits while the configured number of chunks are in flight. After an error the upload is
/// over (later calls give `INVALID_ARGUMENT`); free it.
///
/// Statuses: `OK`; `INVALID_ARGUMENT` (more bytes than announced, or the upload already ended),
/// `INVALID_HANDLE`, `NULL_ARGUMENT` (`data` NULL with `len` > 0), and the transport, auth and
/// HTTP statuses of chunks sent meanwhile.
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes; `upload` is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_write(
    upload: *mut anaplan_upload,
    data: *const u8,
    len: usize,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `data` is NULL or holds `len` readable bytes.
        let data = unsafe { bytes_arg(data, len, "data") }?;
        let upload = handles::get(upload)?;
        lock(&upload).write(data)?;
        Ok(())
    })
}

/// Sends the last chunk, waits for every chunk, and marks the file complete when its size was
/// not announced. The handle must still be freed.
///
/// Statuses: `OK`; `INVALID_ARGUMENT` (fewer bytes than announced, or already finished),
/// `INVALID_HANDLE`, and the transport, auth and HTTP statuses.
///
/// # Safety
/// `upload` is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_finish(upload: *mut anaplan_upload) -> anaplan_status {
    boundary::call(|| {
        let upload = handles::get(upload)?;
        let mut upload = lock(&upload);
        upload.finish()?;
        Ok(())
    })
}

/// Frees a streamed upload. One that was not finished is abandoned: chunks in flight are let
/// finish, nothing more is sent, and the file is not marked complete. NULL is accepted and does
/// nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not an upload (nothing happens then).
///
/// # Safety
/// `upload` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_free(upload: *mut anaplan_upload) -> anaplan_status {
    boundary::call(|| handles::free(upload))
}
