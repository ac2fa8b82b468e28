//! Strings and bytes across the boundary: NUL-terminated UTF-8 in, library-owned strings and
//! buffers out, caller buffers filled with the two-call pattern, and out-params.
//!
//! Owned strings and buffers are recorded in a table of live allocations, like handles: freeing
//! a pointer the library did not hand out, or freeing twice, is a status and not heap corruption.
//! The table also keeps each allocation's exact size, so a buffer is freed from its pointer alone
//! and a string is freed correctly even if the caller wrote into it.

use std::collections::BTreeMap;
use std::ffi::{c_char, CStr};
use std::ptr::NonNull;
use std::sync::Mutex;

use super::boundary;
use super::handles::lock;
use super::last_error::FfiError;
use super::status::*;

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
/// create it first, `write` it last.
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

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    String,
    Buffer,
}

/// Live owned strings and buffers: address → (kind, size of the boxed slice).
static ALLOCATIONS: Mutex<BTreeMap<usize, (Kind, usize)>> = Mutex::new(BTreeMap::new());

fn give_out(bytes: Box<[u8]>, kind: Kind) -> *mut u8 {
    let size = bytes.len();
    let ptr = Box::into_raw(bytes) as *mut u8;
    lock(&ALLOCATIONS).insert(ptr as usize, (kind, size));
    ptr
}

/// A new library-owned copy of `s` for C, freed with `anaplan_string_free`. Text with a NUL byte
/// inside cannot be a C string and gives `ANAPLAN_STATUS_PROTOCOL` (it can only come from data).
pub fn owned_string(s: &str) -> Result<*mut c_char, FfiError> {
    check_no_nul(s)?;
    let mut bytes = Vec::with_capacity(s.len() + 1);
    bytes.extend_from_slice(s.as_bytes());
    bytes.push(0);
    Ok(give_out(bytes.into_boxed_slice(), Kind::String) as *mut c_char)
}

/// A new library-owned buffer for C, freed with `anaplan_buffer_free`: `(data, len)`. An empty
/// buffer still gets its own allocation, so `data` is never NULL and always unique.
pub fn owned_buffer(bytes: Vec<u8>) -> (*mut u8, usize) {
    let len = bytes.len();
    let boxed = if len == 0 {
        Box::new([0u8]) as Box<[u8]>
    } else {
        bytes.into_boxed_slice()
    };
    (give_out(boxed, Kind::Buffer), len)
}

/// How many owned strings and buffers are live (handed out and not freed).
pub fn live_count() -> usize {
    lock(&ALLOCATIONS).len()
}

fn take_back(ptr: *mut u8, kind: Kind, free_fn: &str) -> Result<(), FfiError> {
    if ptr.is_null() {
        return Ok(());
    }
    let size = {
        let mut allocations = lock(&ALLOCATIONS);
        match allocations.get(&(ptr as usize)) {
            Some(&(k, size)) if k == kind => {
                allocations.remove(&(ptr as usize));
                size
            }
            Some(&(other, _)) => {
                return Err(FfiError::new(
                    ANAPLAN_STATUS_INVALID_HANDLE,
                    format!("{ptr:p} is a {other:?} from this library, not a {kind:?}: {free_fn} cannot free it"),
                ))
            }
            None => {
                return Err(FfiError::new(
                    ANAPLAN_STATUS_INVALID_HANDLE,
                    format!("{ptr:p} was already freed, or was not allocated by this library"),
                ))
            }
        }
    };
    // SAFETY: `ptr` came from `Box::into_raw` of a boxed slice of exactly `size` bytes in
    // `give_out`, and was just removed from the table, so it is freed exactly once.
    drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(ptr, size)) });
    Ok(())
}

fn check_no_nul(s: &str) -> Result<(), FfiError> {
    match s.bytes().position(|b| b == 0) {
        None => Ok(()),
        Some(at) => Err(FfiError::new(
            ANAPLAN_STATUS_PROTOCOL,
            format!(
                "the text has a NUL byte at offset {at}, so it cannot be returned as a C string"
            ),
        )),
    }
}

/// Copies `s` into a caller buffer with the two-call pattern:
/// - `buf` NULL: only the size needed (NUL included) goes to `*needed`; success.
/// - `len` large enough: `buf` gets `s` NUL-terminated; `*needed` (if not NULL) its size.
/// - `len` too small: `buf` gets `s` cut at a UTF-8 boundary to fit with its NUL (when `len > 0`),
///   `*needed` the full size, and the result is `ANAPLAN_STATUS_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `buf` is NULL or points to `len` writable bytes; `needed` is NULL or writable.
pub unsafe fn copy_to_buffer(
    s: &str,
    buf: *mut c_char,
    len: usize,
    needed: *mut usize,
) -> Result<(), FfiError> {
    check_no_nul(s)?;
    let size = s.len() + 1;
    // SAFETY: `needed` is NULL or writable by the caller's contract.
    let needed = unsafe { Out::optional(needed) };
    if buf.is_null() {
        let needed = needed.ok_or_else(|| {
            FfiError::new(
                ANAPLAN_STATUS_NULL_ARGUMENT,
                "`buf` and `needed` are both NULL",
            )
        })?;
        needed.write(size);
        return Ok(());
    }
    if let Some(needed) = needed {
        needed.write(size);
    }
    if len == 0 {
        return Err(too_small(len, size));
    }
    let mut cut = s.len().min(len - 1);
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    // SAFETY: `buf` has `len` writable bytes and `cut + 1 <= len`; `s` and the caller's buffer
    // cannot overlap (one is ours, one is the caller's).
    unsafe {
        std::ptr::copy_nonoverlapping(s.as_ptr(), buf as *mut u8, cut);
        *buf.add(cut) = 0;
    }
    if cut < s.len() {
        return Err(too_small(len, size));
    }
    Ok(())
}

fn too_small(len: usize, size: usize) -> FfiError {
    FfiError::new(
        ANAPLAN_STATUS_BUFFER_TOO_SMALL,
        format!("a buffer of {len} bytes is too small: {size} bytes are needed"),
    )
}

/// Frees a string the library returned (through a `char **out` param). NULL is accepted and
/// does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when `s` was already freed, is a buffer (free it with
/// `anaplan_buffer_free`) or did not come from this library: nothing is freed then.
/// Thread-safety: any thread may free a string, once.
///
/// # Safety
/// `s` is NULL or a pointer; only its address is used unless the library handed it out.
#[no_mangle]
pub unsafe extern "C" fn anaplan_string_free(s: *mut c_char) -> anaplan_status {
    boundary::call(|| take_back(s as *mut u8, Kind::String, "anaplan_string_free"))
}

/// Frees a buffer the library returned (through a `uint8_t **data, size_t *len` pair), from its
/// data pointer alone. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when `data` was already freed, is a string (free it with
/// `anaplan_string_free`) or did not come from this library: nothing is freed then.
/// Thread-safety: any thread may free a buffer, once.
///
/// # Safety
/// `data` is NULL or a pointer; only its address is used unless the library handed it out.
#[no_mangle]
pub unsafe extern "C" fn anaplan_buffer_free(data: *mut u8) -> anaplan_status {
    boundary::call(|| take_back(data, Kind::Buffer, "anaplan_buffer_free"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ptr::null_mut;

    fn copy(s: &str, len: usize) -> (anaplan_status, Vec<u8>, usize) {
        let mut buf = vec![0x55u8; len];
        let mut needed = 0usize;
        let ptr = if len == 0 {
            null_mut()
        } else {
            buf.as_mut_ptr() as *mut c_char
        };
        // SAFETY: `buf` has `len` bytes; `needed` is a local.
        let r = unsafe { copy_to_buffer(s, ptr, len, &mut needed) };
        (r.err().map_or(ANAPLAN_STATUS_OK, |e| e.status), buf, needed)
    }

    #[test]
    fn two_call_pattern_asks_the_size_then_fills() {
        let (status, _, needed) = copy("héllo", 0);
        assert_eq!((status, needed), (ANAPLAN_STATUS_OK, 7));
        let (status, buf, _) = copy("héllo", needed);
        assert_eq!(status, ANAPLAN_STATUS_OK);
        assert_eq!(buf, "héllo\0".as_bytes());
    }

    #[test]
    fn a_small_buffer_gets_a_cut_at_a_character_boundary() {
        // "hé" is 3 bytes: a 3-byte buffer fits "h" + NUL, never half of "é".
        let (status, buf, needed) = copy("héllo", 3);
        assert_eq!((status, needed), (ANAPLAN_STATUS_BUFFER_TOO_SMALL, 7));
        assert_eq!(&buf[..2], b"h\0");
        let (status, buf, _) = copy("abc", 1);
        assert_eq!((status, buf), (ANAPLAN_STATUS_BUFFER_TOO_SMALL, vec![0]));
        let (status, buf, _) = copy("", 1);
        assert_eq!((status, buf), (ANAPLAN_STATUS_OK, vec![0]));
    }

    #[test]
    fn no_buffer_and_no_size_is_a_null_argument() {
        // SAFETY: both NULL.
        let r = unsafe { copy_to_buffer("x", null_mut(), 0, null_mut()) };
        assert_eq!(r.unwrap_err().status, ANAPLAN_STATUS_NULL_ARGUMENT);
    }

    #[test]
    fn input_strings_are_checked() {
        // SAFETY: NULL, and a NUL-terminated literal.
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

    #[test]
    fn owned_strings_and_buffers_are_freed_once_by_their_own_function() {
        let s = owned_string("model ✓").unwrap();
        // SAFETY: a NUL-terminated string we just made.
        assert_eq!(unsafe { CStr::from_ptr(s) }.to_str().unwrap(), "model ✓");
        let (data, len) = owned_buffer(b"abc".to_vec());
        let (empty, empty_len) = owned_buffer(Vec::new());
        assert_eq!(empty_len, 0);
        assert!(!empty.is_null() && empty != data);

        // SAFETY (all calls below): the free functions only look pointers up before freeing.
        unsafe {
            assert_eq!(std::slice::from_raw_parts(data, len), b"abc");
            assert_eq!(
                anaplan_string_free(data as *mut c_char),
                ANAPLAN_STATUS_INVALID_HANDLE
            );
            assert_eq!(
                anaplan_buffer_free(s as *mut u8),
                ANAPLAN_STATUS_INVALID_HANDLE
            );
            assert_eq!(anaplan_string_free(s), ANAPLAN_STATUS_OK);
            assert_eq!(anaplan_string_free(s), ANAPLAN_STATUS_INVALID_HANDLE);
            assert_eq!(anaplan_buffer_free(data), ANAPLAN_STATUS_OK);
            assert_eq!(anaplan_buffer_free(empty), ANAPLAN_STATUS_OK);
            assert_eq!(anaplan_buffer_free(data), ANAPLAN_STATUS_INVALID_HANDLE);
            assert_eq!(anaplan_string_free(null_mut()), ANAPLAN_STATUS_OK);
            let mut local = 0u8;
            assert_eq!(
                anaplan_buffer_free(&mut local),
                ANAPLAN_STATUS_INVALID_HANDLE
            );
        }
        assert_eq!(
            owned_string("a\0b").unwrap_err().status,
            ANAPLAN_STATUS_PROTOCOL
        );
    }
}
