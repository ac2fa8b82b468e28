//! `anaplan_client_upload_*`: a file path, a memory buffer, or a stream (`anaplan_upload_stream`)
//! to a file of the current model.

use std::ffi::c_char;
use std::path::Path;
use std::sync::Mutex;

use super::anaplan_client;
use crate::ffi::status::anaplan_status;
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::handles;
use crate::ffi::toolkit::params::{bytes_param, out_param, str_param};
use crate::ffi::toolkit::scalars::out_of_range;
use crate::ffi::transfer_options::{anaplan_transfer_options, Options};
use crate::ffi::upload_stream::anaplan_upload_stream;

/// Uploads the file at `path` to `file` (a file id, or the name of an import data source file)
/// of the current model, in chunks, gzip-compressed and several in flight, as `options` say
/// (NULL: as the connection is configured, without a progress callback).
///
/// Statuses: `OK`; `IO` (`path` unreadable; the message names it), `NOT_FOUND`/`AMBIGUOUS` (the
/// file name), `INVALID_ARGUMENT` (no model set), `CANCELLED` (the progress callback returned
/// non-zero, or the options' cancel token was cancelled),
/// `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, and the transport, auth and HTTP statuses
/// (a failed chunk's message names it).
/// Thread-safety: the client may run several transfers from several threads at once. The
/// progress callback runs on the calling thread.
///
/// # Safety
/// `file` and `path` are NULL or NUL-terminated; `client` and `options` are looked up, never
/// dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_upload_file(
    client: *mut anaplan_client,
    file: *const c_char,
    path: *const c_char,
    options: *const anaplan_transfer_options,
) -> anaplan_status {
    on(client, |c| {
        let path = str_param!(path)?;
        let options = Options::of(options)?;
        let id = c.resolve_upload_file(str_param!(file)?)?;
        let mut cb = options.progress_fn();
        let c = options.client(c);
        c.upload_file(&id, Path::new(path), cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}

/// Uploads `len` bytes at `data` to `file` (an id or a data source name) of the current model.
/// `data` may be NULL when `len` is 0 (an empty file: one empty chunk). `options` as for
/// `anaplan_client_upload_file`.
///
/// Statuses: as `anaplan_client_upload_file`, without `IO`.
/// Thread-safety: as `anaplan_client_upload_file`; `data` must not change during the call.
///
/// # Safety
/// `file` is NULL or NUL-terminated; `data` is NULL or points to `len` readable bytes;
/// `client` and `options` are looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_upload_buffer(
    client: *mut anaplan_client,
    file: *const c_char,
    data: *const u8,
    len: usize,
    options: *const anaplan_transfer_options,
) -> anaplan_status {
    on(client, |c| {
        let data = bytes_param!(data, len)?;
        let options = Options::of(options)?;
        let id = c.resolve_upload_file(str_param!(file)?)?;
        let mut cb = options.progress_fn();
        let c = options.client(c);
        c.upload_bytes(&id, data, cb.as_mut().map(|f| f as _))?;
        Ok(())
    })
}

/// Starts a streamed upload to `file` (an id or a data source name) of the current model: write
/// it with `anaplan_upload_stream_write`, end it with `anaplan_upload_stream_finish`. `total` is
/// the size in bytes when known (announced to Anaplan and checked by
/// `anaplan_upload_stream_finish`), or -1 when not (the file is then marked complete at the end).
/// `options` as for `anaplan_client_upload_file`: the stream keeps what they held when it
/// started, and their progress callback runs on the thread calling `_write` and `_finish`.
///
/// Ownership: the caller owns `*stream_out` (written only on `OK`) and frees it with
/// `anaplan_upload_stream_free`, after `anaplan_upload_stream_finish` or instead of it (to
/// abandon).
/// Statuses: `OK`; `OUT_OF_RANGE` (`total` below -1), and as `anaplan_client_upload_file` without
/// `IO` (`CANCELLED`: the options' cancel token was already cancelled).
///
/// # Safety
/// `file` is NULL or NUL-terminated; `stream_out` is NULL or writable; the progress callback of
/// `options`, if any, is callable until the stream is freed.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_upload_stream(
    client: *mut anaplan_client,
    file: *const c_char,
    total: i64,
    options: *const anaplan_transfer_options,
    stream_out: *mut *mut anaplan_upload_stream,
) -> anaplan_status {
    on(client, |c| {
        let out = out_param!(stream_out)?;
        let total = match total {
            -1 => None,
            t => Some(u64::try_from(t).map_err(|_| out_of_range("total", t, "-1 or more"))?),
        };
        let options = Options::of(options)?;
        let id = c.resolve_upload_file(str_param!(file)?)?;
        let mut upload = options.client(c).upload_begin(&id, total)?;
        if let Some(cb) = options.progress_fn() {
            upload.set_progress(Some(Box::new(cb)));
        }
        out.write(handles::issue(Mutex::new(upload))?);
        Ok(())
    })
}
