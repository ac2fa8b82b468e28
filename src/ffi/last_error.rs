//! The thread-local last error: what went wrong in the last failed call on this thread.
//!
//! Every status-returning export clears it on entry (in `boundary::call`) and sets it when it
//! fails, so it always describes the most recent call. The readers below leave it untouched, so
//! they can be called in any order and any number of times.

use std::cell::RefCell;
use std::ffi::c_char;

use super::status::*;
use super::toolkit::boundary;
use super::toolkit::error::FfiError;
use super::toolkit::owned;
use super::toolkit::params::out_param;

thread_local! {
    static LAST_ERROR: RefCell<Option<FfiError>> = const { RefCell::new(None) };
}

pub(crate) fn clear() {
    LAST_ERROR.with(|last| last.borrow_mut().take());
}

/// The longest message kept, in bytes. Inputs are quoted as short prefixes where messages are
/// made; this bound holds whatever a message is made of (a server's long error text, say).
const MAX_MESSAGE: usize = 4096;

pub(crate) fn set(mut error: FfiError) {
    if error.message.len() > MAX_MESSAGE {
        let mut cut = MAX_MESSAGE;
        while !error.message.is_char_boundary(cut) {
            cut -= 1;
        }
        error.message.truncate(cut);
        error.message.push_str("… (message cut)");
    }
    LAST_ERROR.with(|last| *last.borrow_mut() = Some(error));
}

/// Reads the last error of this thread (`None` when the last call succeeded).
pub(crate) fn with<R>(f: impl FnOnce(Option<&FfiError>) -> R) -> R {
    LAST_ERROR.with(|last| f(last.borrow().as_ref()))
}

/// The status of the last error on this thread: that of the last call that returned an
/// `anaplan_status`, `ANAPLAN_STATUS_OK` when it succeeded, except that the functions that free
/// (`_free`, `anaplan_string_free`, `anaplan_buffer_free`) leave it as it was when they succeed,
/// so it still tells why the call before them failed.
///
/// Thread-safety: reads the calling thread's last error only. Does not change it.
#[no_mangle]
pub extern "C" fn anaplan_last_error_code() -> anaplan_status {
    boundary::value(ANAPLAN_STATUS_PANIC, || {
        with(|e| e.map_or(ANAPLAN_STATUS_OK, |e| e.status))
    })
}

/// The HTTP status behind the last error on this thread (e.g. 404, 429), or 0 when the last call
/// succeeded or its failure had no HTTP status.
///
/// Thread-safety: reads the calling thread's last error only. Does not change it.
#[no_mangle]
pub extern "C" fn anaplan_last_error_http_status() -> i32 {
    boundary::value(0, || with(|e| e.map_or(0, |e| i32::from(e.http_status))))
}

/// Copies the message of the last error on this thread (with its causes, `""` when the last call
/// succeeded) into `buf`, NUL-terminated, with the two-call pattern:
///
/// 1. `anaplan_last_error_message(NULL, 0, &needed)` writes the size needed, NUL included, and
///    returns `ANAPLAN_STATUS_OK`;
/// 2. `anaplan_last_error_message(buf, needed, NULL)` fills `buf`.
///
/// When `buf` is not NULL and `len` is too small, `buf` gets the message cut to `len - 1` bytes
/// (at a UTF-8 character boundary, NUL-terminated), `*needed` (when not NULL) gets the full size,
/// and the result is `ANAPLAN_STATUS_BUFFER_TOO_SMALL`.
///
/// Statuses: `OK`, `BUFFER_TOO_SMALL`, `NULL_ARGUMENT` (both `buf` and `needed` NULL).
/// Thread-safety: reads the calling thread's last error only. Never changes it, even when this
/// call itself fails.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes; `needed` is NULL or points to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_last_error_message(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> anaplan_status {
    boundary::call_keeping_last_error(|| {
        let message = with(|e| e.map(|e| e.message.clone())).unwrap_or_default();
        // SAFETY: the caller guarantees `buf`/`len` and `needed` as documented above.
        unsafe { owned::copy_to_buffer(&message, buf, len, needed) }
    })
}

/// The message of the last error on this thread (`""` when the last call succeeded), as a new
/// string written to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_string_free`.
/// Statuses: `OK`, `NULL_ARGUMENT` (`out` is NULL); `*out` is written only on `OK`.
/// Thread-safety: reads the calling thread's last error only. Never changes it.
///
/// # Safety
/// `out` is NULL or points to a writable `char *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_last_error_message_owned(out: *mut *mut c_char) -> anaplan_status {
    boundary::call_keeping_last_error(|| {
        let out = out_param!(out)?;
        let message = with(|e| e.map(|e| e.message.clone())).unwrap_or_default();
        out.write_string(&message)
    })
}

/// Copies the id of the Anaplan task the last error on this thread is about into `buf` (`""`
/// when unknown), with the same two-call pattern and statuses as `anaplan_last_error_message`.
///
/// Thread-safety: reads the calling thread's last error only. Never changes it.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes; `needed` is NULL or points to a `size_t`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_last_error_task_id(
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> anaplan_status {
    boundary::call_keeping_last_error(|| {
        let id = with(|e| e.and_then(|e| e.task_id.clone())).unwrap_or_default();
        // SAFETY: the caller guarantees `buf`/`len` and `needed` as documented above.
        unsafe { owned::copy_to_buffer(&id, buf, len, needed) }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn readers_do_not_clear_the_last_error() {
        set(FfiError::new(ANAPLAN_STATUS_NOT_FOUND, "no model named \"X\"").with_task_id("T1"));
        let mut needed = 0usize;
        // SAFETY: NULL buffer with a valid `needed`.
        let s = unsafe { anaplan_last_error_message(std::ptr::null_mut(), 0, &mut needed) };
        assert_eq!(s, ANAPLAN_STATUS_OK);
        assert_eq!(needed, "no model named \"X\"".len() + 1);
        let mut buf = vec![0 as c_char; needed];
        // SAFETY: `buf` has `needed` bytes.
        let s = unsafe {
            anaplan_last_error_message(buf.as_mut_ptr(), buf.len(), std::ptr::null_mut())
        };
        assert_eq!(s, ANAPLAN_STATUS_OK);
        // SAFETY: filled and NUL-terminated above.
        let copied = unsafe { CStr::from_ptr(buf.as_ptr()) };
        assert_eq!(copied, c"no model named \"X\"");

        let mut small = [0 as c_char; 4];
        // SAFETY: `small` has 4 bytes.
        let s = unsafe { anaplan_last_error_task_id(small.as_mut_ptr(), 1, &mut needed) };
        assert_eq!((s, needed), (ANAPLAN_STATUS_BUFFER_TOO_SMALL, 3));

        // The failed read above did not replace the error it was reading.
        assert_eq!(anaplan_last_error_code(), ANAPLAN_STATUS_NOT_FOUND);
        clear();
        assert_eq!(anaplan_last_error_code(), ANAPLAN_STATUS_OK);
        assert_eq!(anaplan_last_error_http_status(), 0);
    }

    #[test]
    fn messages_are_bounded() {
        set(FfiError::new(
            ANAPLAN_STATUS_HTTP_ERROR,
            "é".repeat(1 << 20),
        ));
        let message = with(|e| e.map(|e| e.message.clone())).unwrap_or_default();
        assert!(message.len() <= 4096 + 32, "{}", message.len());
        assert!(message.ends_with("(message cut)"));
        clear();
    }

    #[test]
    fn the_last_error_is_per_thread() {
        set(FfiError::new(ANAPLAN_STATUS_TIMEOUT, "slow"));
        let other = std::thread::spawn(|| anaplan_last_error_code())
            .join()
            .unwrap();
        assert_eq!(other, ANAPLAN_STATUS_OK);
        assert_eq!(anaplan_last_error_code(), ANAPLAN_STATUS_TIMEOUT);
    }
}
