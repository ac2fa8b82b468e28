//! The panic boundary: every export runs its body through one of these functions, and reaches
//! its handle through [`on`] (or [`on_locked`]).
//!
//! We live inside Excel, the JVM and .NET: a panic that unwinds into a C frame aborts the host
//! process, and the user loses their session. So each body runs under `catch_unwind`; a panic
//! becomes `ANAPLAN_STATUS_PANIC` with the panic message as the last error.
//!
//! `AssertUnwindSafe` is sound here because a caught panic never lets a caller observe broken
//! invariants through Rust references: the handle registry and the allocation table use locks that
//! ignore poisoning and are only mutated by single, non-panicking map operations, and an object
//! behind a handle is at worst left with a half-applied setting, which is memory-safe.

use std::any::Any;
use std::panic::{catch_unwind, AssertUnwindSafe};

use std::sync::Mutex;

use super::error::FfiError;
use super::handles::{self, lock, HandleType};
use crate::ffi::last_error;
use crate::ffi::status::*;

/// Runs the body of a status-returning export: clears the thread's last error, runs `body`,
/// records its error (or a panic) as the last error and returns its status.
pub fn call(body: impl FnOnce() -> Result<(), FfiError>) -> anaplan_status {
    last_error::clear();
    release(body)
}

/// Runs the body of an export on the object behind `handle`, inside [`call`]: the one way an
/// export reaches the object of its first parameter (a NULL, freed, foreign or wrong-type handle
/// is `ANAPLAN_STATUS_INVALID_HANDLE` before `body` runs). The body holds its own reference, so
/// a `_free` from another thread during the call drops the object only once the call returns.
pub fn on<H: HandleType>(
    handle: *const H,
    body: impl FnOnce(&H::Object) -> Result<(), FfiError>,
) -> anaplan_status {
    call(|| body(&*handles::get(handle)?))
}

/// [`on`] for the handles whose object is behind a lock (builders, upload streams): `body` gets
/// the locked object, so calls on one handle from several threads take turns.
pub fn on_locked<H, T>(
    handle: *const H,
    body: impl FnOnce(&mut T) -> Result<(), FfiError>,
) -> anaplan_status
where
    H: HandleType<Object = Mutex<T>>,
    T: Send + 'static,
{
    on(handle, |object| body(&mut lock(object)))
}

/// Runs the body of a function that frees (`_free`, `anaplan_string_free`, ...): like [`call`],
/// but a success leaves the thread's last error as it was. C code frees what it holds first and
/// reads why the call before failed afterwards; a free that cleared the error would hide it.
/// A failed free (a double free) records its own error, as any failed call does.
pub fn release(body: impl FnOnce() -> Result<(), FfiError>) -> anaplan_status {
    match run(body) {
        Ok(()) => ANAPLAN_STATUS_OK,
        Err(error) => {
            let status = error.status;
            last_error::set(error);
            status
        }
    }
}

/// Like [`call`] but leaves the last error alone, for the functions that read it: reading the
/// last error must not replace it, even when the read itself fails (a buffer too small).
pub fn call_keeping_last_error(body: impl FnOnce() -> Result<(), FfiError>) -> anaplan_status {
    match run(body) {
        Ok(()) => ANAPLAN_STATUS_OK,
        Err(error) => error.status,
    }
}

/// Runs the body of an export that returns a plain value (a version number, a static string):
/// `on_panic` is returned if it panics. The last error is not touched.
pub fn value<T>(on_panic: T, body: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(v) => v,
        Err(payload) => {
            discard(payload);
            on_panic
        }
    }
}

fn run(body: impl FnOnce() -> Result<(), FfiError>) -> Result<(), FfiError> {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            discard(payload);
            Err(FfiError::new(
                ANAPLAN_STATUS_PANIC,
                format!("internal error in the Anaplan library (please report it): {message}"),
            ))
        }
    }
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&'static str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Drops a panic payload; a payload whose destructor panics again must not escape either.
fn discard(payload: Box<dyn Any + Send>) {
    let _ = catch_unwind(AssertUnwindSafe(move || drop(payload)));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An export as areas write them. If the boundary let the panic through, unwinding out of an
    /// `extern "C"` function would abort the whole test process instead of failing one test.
    extern "C" fn panicking_export(with_string: i32) -> anaplan_status {
        call(|| {
            if with_string != 0 {
                panic!("bad state {}", 42);
            }
            panic!("static message");
        })
    }

    extern "C" fn failing_export() -> anaplan_status {
        call(|| {
            Err(FfiError::new(
                ANAPLAN_STATUS_NOT_FOUND,
                "no file named \"a.csv\"",
            ))
        })
    }

    extern "C" fn succeeding_export() -> anaplan_status {
        call(|| Ok(()))
    }

    fn last() -> Option<FfiError> {
        last_error::with(|e| e.cloned())
    }

    #[test]
    fn a_panic_becomes_a_status_with_its_message() {
        assert_eq!(panicking_export(1), ANAPLAN_STATUS_PANIC);
        let e = last().unwrap();
        assert_eq!(e.status, ANAPLAN_STATUS_PANIC);
        assert!(e.message.ends_with("bad state 42"), "{}", e.message);

        assert_eq!(panicking_export(0), ANAPLAN_STATUS_PANIC);
        assert!(last().unwrap().message.ends_with("static message"));
    }

    #[test]
    fn errors_are_recorded_and_cleared_by_the_next_call() {
        assert_eq!(failing_export(), ANAPLAN_STATUS_NOT_FOUND);
        assert_eq!(last().unwrap().message, "no file named \"a.csv\"");
        assert_eq!(succeeding_export(), ANAPLAN_STATUS_OK);
        assert_eq!(last(), None);
    }

    #[test]
    fn readers_keep_the_last_error_even_when_they_panic() {
        assert_eq!(failing_export(), ANAPLAN_STATUS_NOT_FOUND);
        let s = call_keeping_last_error(|| panic!("reader broke"));
        assert_eq!(s, ANAPLAN_STATUS_PANIC);
        assert_eq!(last().unwrap().status, ANAPLAN_STATUS_NOT_FOUND);
    }

    #[test]
    fn a_successful_free_keeps_the_last_error_and_a_failed_one_replaces_it() {
        assert_eq!(failing_export(), ANAPLAN_STATUS_NOT_FOUND);
        assert_eq!(release(|| Ok(())), ANAPLAN_STATUS_OK);
        assert_eq!(last().unwrap().status, ANAPLAN_STATUS_NOT_FOUND);
        let double_free = || Err(FfiError::new(ANAPLAN_STATUS_INVALID_HANDLE, "freed"));
        assert_eq!(release(double_free), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(last().unwrap().status, ANAPLAN_STATUS_INVALID_HANDLE);
    }

    #[test]
    fn value_exports_return_the_fallback_on_panic() {
        assert_eq!(value(-1, || panic!("no")), -1);
        assert_eq!(value(-1, || 7), 7);
    }
}
