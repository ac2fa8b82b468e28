//! What the client's upload and download exports share: the progress callback type and its
//! adapter.

use std::ffi::c_void;

/// Called on the thread that made the transfer call, after each chunk: `done` bytes so far of
/// `total` (`-1` when the size is not known: downloads, streams of unknown size). Return 0 to go
/// on, non-zero to cancel: the call then returns `ANAPLAN_STATUS_CANCELLED`.
pub type anaplan_transfer_progress_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, done: u64, total: i64) -> i32>;

/// The C callback as the client's progress closure (`true` = go on).
pub(crate) fn progress_fn(
    cb: anaplan_transfer_progress_cb,
    user_data: *mut c_void,
) -> Option<impl FnMut(u64, i64) -> bool> {
    cb.map(|cb| {
        move |done: u64, total: i64| {
            // SAFETY: the caller passed this function and user_data for the duration of the
            // call, and the client runs progress on the calling thread only.
            unsafe { cb(user_data, done, total) == 0 }
        }
    })
}
