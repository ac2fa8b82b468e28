//! `anaplan_upload_stream`: a streamed upload, made by `anaplan_client_upload_stream`.

use std::sync::Mutex;

use super::status::anaplan_status;
use super::toolkit::boundary::{self, on_locked};
use super::toolkit::handles::{self, HandleType};
use super::toolkit::params::bytes_param;
use crate::client::upload::Upload;

/// A streamed upload: made by `anaplan_client_upload_stream`, then `anaplan_upload_stream_write`
/// with pieces of any size, then `anaplan_upload_stream_finish`; the library cuts the chunks.
///
/// Methods: `anaplan_upload_stream_write`, `anaplan_upload_stream_finish`,
/// `anaplan_upload_stream_free`.
///
/// Thread-safety: calls on one stream are serialized (a second thread waits); write from one
/// thread in order, since the pieces are concatenated in call order.
pub struct anaplan_upload_stream {
    _private: [u8; 0],
}

impl HandleType for anaplan_upload_stream {
    type Object = Mutex<Upload>;
    const NAME: &'static str = "anaplan_upload_stream";
}

/// Adds `len` bytes at `data` to a streamed upload. Full chunks are sent as they fill up; the
/// call waits while the configured number of chunks are in flight. After an error the upload is
/// over (later calls give `INVALID_ARGUMENT`); free it.
///
/// Statuses: `OK`; `INVALID_ARGUMENT` (more bytes than announced, or the upload already ended),
/// `CANCELLED` (the progress callback or the cancel token of the stream's transfer options),
/// `INVALID_HANDLE`, `NULL_ARGUMENT` (`data` NULL with `len` > 0), and the transport, auth and
/// HTTP statuses of chunks sent meanwhile.
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes; `stream` is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_stream_write(
    stream: *mut anaplan_upload_stream,
    data: *const u8,
    len: usize,
) -> anaplan_status {
    on_locked(stream, |upload| {
        upload.write(bytes_param!(data, len)?)?;
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
/// `stream` is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_stream_finish(
    stream: *mut anaplan_upload_stream,
) -> anaplan_status {
    on_locked(stream, |upload| {
        upload.finish()?;
        Ok(())
    })
}

/// Frees a streamed upload. One that was not finished is abandoned: chunks in flight are let
/// finish, nothing more is sent, and the file is not marked complete. NULL is accepted and does
/// nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not an upload stream (nothing happens
/// then).
///
/// # Safety
/// `stream` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_upload_stream_free(
    stream: *mut anaplan_upload_stream,
) -> anaplan_status {
    boundary::release(|| handles::free(stream))
}
