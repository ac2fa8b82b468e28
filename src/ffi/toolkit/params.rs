//! Parameters of an export: NUL-terminated UTF-8 strings and byte buffers in, out-params out.
//!
//! Exports use the macros, which take the parameter's name from the code, so a message always
//! names the parameter the caller sees in the header:
//!
//! | macro | parameter | gives |
//! |---|---|---|
//! | `str_param!(p)` | `const char *p` | `Result<&str, FfiError>`: NULL is `NULL_ARGUMENT` |
//! | `opt_str_param!(p)` | `const char *p` | `Result<Option<&str>, FfiError>`: NULL is `None` |
//! | `bytes_param!(data, len)` | `const uint8_t *data, size_t len` | `Result<&[u8], FfiError>` |
//! | `out_param!(p)` | `T *p` | `Result<Out<T>, FfiError>`: NULL is `NULL_ARGUMENT` |
//! | `opt_out_param!(p)` | `T *p` | `Option<Out<T>>`: NULL is `None` |
//!
//! Why the `unsafe` inside the macros is sound, argued once here: every export documents in its
//! `# Safety` section that each pointer parameter is NULL or valid for what the export does with
//! it (a NUL-terminated string that lives during the call, `len` readable bytes, a writable and
//! aligned `T`). The macros are only ever applied to an export's own parameters, with exactly
//! that documented meaning, so the functions' requirements below are the caller's contract.
//! NULL is always checked here, never assumed away.

use std::ffi::{c_char, CStr};
use std::ptr::NonNull;

use super::error::FfiError;
use super::owned::owned_string;
use crate::ffi::status::*;

/// A borrowed NUL-terminated UTF-8 argument. NULL gives `ANAPLAN_STATUS_NULL_ARGUMENT`, invalid
/// UTF-8 `ANAPLAN_STATUS_INVALID_UTF8`; the messages name the argument, never its content (it may
/// be a password).
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub unsafe fn str_arg<'a>(ptr: *const c_char, name: &str) -> Result<&'a str, FfiError> {
    // SAFETY: forwarded from the caller.
    unsafe { opt_str_arg(ptr, name) }?
        .ok_or_else(|| FfiError::new(ANAPLAN_STATUS_NULL_ARGUMENT, format!("`{name}` is NULL")))
}

/// Like [`str_arg`] where NULL is allowed and means "none".
///
/// # Safety
/// `ptr` is NULL or points to a NUL-terminated string that outlives `'a`.
pub unsafe fn opt_str_arg<'a>(ptr: *const c_char, name: &str) -> Result<Option<&'a str>, FfiError> {
    if ptr.is_null() {
        return Ok(None);
    }
    // SAFETY: not NULL, and NUL-terminated and alive for 'a by the caller's contract.
    let c = unsafe { CStr::from_ptr(ptr) };
    c.to_str().map(Some).map_err(|e| {
        FfiError::new(
            ANAPLAN_STATUS_INVALID_UTF8,
            format!(
                "`{name}` is not valid UTF-8 (invalid byte at offset {})",
                e.valid_up_to()
            ),
        )
    })
}

/// A borrowed byte buffer argument: `len` bytes at `data`. NULL is allowed only with `len` 0.
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes that outlive `'a`.
pub unsafe fn bytes_arg<'a>(data: *const u8, len: usize, name: &str) -> Result<&'a [u8], FfiError> {
    if data.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(FfiError::new(
            ANAPLAN_STATUS_NULL_ARGUMENT,
            format!("`{name}` is NULL but its length is {len}"),
        ));
    }
    // SAFETY: not NULL, `len` readable bytes alive for 'a by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// An out-param, checked for NULL at the door (before any work) and written only on success:
/// take it first, `write` it last.
pub struct Out<T>(NonNull<T>);

impl<T> Out<T> {
    /// `ANAPLAN_STATUS_NULL_ARGUMENT` when `ptr` is NULL.
    ///
    /// # Safety
    /// `ptr` is NULL or valid and aligned for a write of `T` until `write` is called.
    pub unsafe fn new(ptr: *mut T, name: &str) -> Result<Out<T>, FfiError> {
        NonNull::new(ptr).map(Out).ok_or_else(|| {
            FfiError::new(
                ANAPLAN_STATUS_NULL_ARGUMENT,
                format!("`{name}` (an out-param) is NULL"),
            )
        })
    }

    /// For optional out-params: `None` when `ptr` is NULL.
    ///
    /// # Safety
    /// As for [`Out::new`].
    pub unsafe fn optional(ptr: *mut T) -> Option<Out<T>> {
        NonNull::new(ptr).map(Out)
    }

    pub fn write(self, value: T) {
        // SAFETY: valid and aligned for writes by the contract of `new`; `write` does not read
        // or drop the old value, which may be uninitialized caller memory.
        unsafe { self.0.as_ptr().write(value) }
    }
}

impl Out<*mut c_char> {
    /// Writes a new library-owned copy of `s` (freed with `anaplan_string_free`).
    pub fn write_string(self, s: &str) -> Result<(), FfiError> {
        self.write(owned_string(s)?);
        Ok(())
    }
}

/// The export's string parameter `p` (see the module doc).
macro_rules! str_param {
    ($p:ident) => {
        // SAFETY: an export's own parameter, NULL or NUL-terminated as its `# Safety` section
        // documents (argued in `ffi::toolkit::params`).
        unsafe { $crate::ffi::toolkit::params::str_arg($p, stringify!($p)) }
    };
}

/// The export's optional string parameter `p`: NULL is `None` (see the module doc).
macro_rules! opt_str_param {
    ($p:ident) => {
        // SAFETY: an export's own parameter, NULL or NUL-terminated as its `# Safety` section
        // documents (argued in `ffi::toolkit::params`).
        unsafe { $crate::ffi::toolkit::params::opt_str_arg($p, stringify!($p)) }
    };
}

/// The export's byte buffer parameters `data, len` (see the module doc).
macro_rules! bytes_param {
    ($data:ident, $len:ident) => {
        // SAFETY: an export's own parameters, NULL or `len` readable bytes as its `# Safety`
        // section documents (argued in `ffi::toolkit::params`).
        unsafe { $crate::ffi::toolkit::params::bytes_arg($data, $len, stringify!($data)) }
    };
}

/// The export's out-param `p`: NULL is `NULL_ARGUMENT` (see the module doc).
macro_rules! out_param {
    ($p:ident) => {
        // SAFETY: an export's own out-param, NULL or writable as its `# Safety` section
        // documents (argued in `ffi::toolkit::params`).
        unsafe { $crate::ffi::toolkit::params::Out::new($p, stringify!($p)) }
    };
}

/// The export's optional out-param `p`: NULL is `None` (see the module doc).
macro_rules! opt_out_param {
    ($p:ident) => {
        // SAFETY: an export's own out-param, NULL or writable as its `# Safety` section
        // documents (argued in `ffi::toolkit::params`).
        unsafe { $crate::ffi::toolkit::params::Out::optional($p) }
    };
}

pub(crate) use {bytes_param, opt_out_param, opt_str_param, out_param, str_param};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_strings_are_checked() {
        // SAFETY: NULL, and NUL-terminated literals.
        unsafe {
            assert_eq!(
                str_arg(std::ptr::null(), "url").unwrap_err().status,
                ANAPLAN_STATUS_NULL_ARGUMENT
            );
            assert_eq!(opt_str_arg(std::ptr::null(), "proxy").unwrap(), None);
            let bad = c"ok\xff".as_ptr();
            let e = str_arg(bad, "password").unwrap_err();
            assert_eq!(e.status, ANAPLAN_STATUS_INVALID_UTF8);
            assert_eq!(
                e.message,
                "`password` is not valid UTF-8 (invalid byte at offset 2)"
            );
            assert_eq!(str_arg(c"eu3".as_ptr(), "region").unwrap(), "eu3");
            assert_eq!(bytes_arg(std::ptr::null(), 0, "data").unwrap(), b"");
            assert_eq!(
                bytes_arg(std::ptr::null(), 3, "data").unwrap_err().status,
                ANAPLAN_STATUS_NULL_ARGUMENT
            );
        }
    }

    /// An export as they are written: the macros name the parameter from the code.
    unsafe fn export_like(id_or_name: *const c_char, id_out: *mut *mut c_char) -> FfiError {
        match (str_param!(id_or_name), out_param!(id_out)) {
            (Err(e), _) | (_, Err(e)) => e,
            _ => FfiError::new(ANAPLAN_STATUS_OK, ""),
        }
    }

    #[test]
    fn the_macros_name_the_parameter_as_written() {
        let mut out = std::ptr::null_mut();
        // SAFETY: NULL string and a local out-param.
        let e = unsafe { export_like(std::ptr::null(), &mut out) };
        assert_eq!(e.message, "`id_or_name` is NULL");
        // SAFETY: a literal and a NULL out-param.
        let e = unsafe { export_like(c"x".as_ptr(), std::ptr::null_mut()) };
        assert_eq!(e.message, "`id_out` (an out-param) is NULL");
    }
}
