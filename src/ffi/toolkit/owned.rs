//! Strings and buffers the library hands out, and caller buffers filled with the two-call
//! pattern.
//!
//! Owned strings and buffers are recorded in a table of live allocations, like handles: freeing
//! a pointer the library did not hand out, or freeing twice, is a status and not heap corruption.
//! The table also keeps each allocation's exact size, so a buffer is freed from its pointer alone
//! and a string is freed correctly even if the caller wrote into it.

use std::collections::BTreeMap;
use std::ffi::c_char;
use std::sync::Mutex;

use super::error::FfiError;
use super::handles::lock;
use super::params::Out;
use crate::ffi::status::*;

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

/// Takes back a string handed out by [`owned_string`] and frees it (NULL: nothing).
pub fn free_string(s: *mut c_char) -> Result<(), FfiError> {
    take_back(s as *mut u8, Kind::String, "anaplan_string_free")
}

/// Takes back a buffer handed out by [`owned_buffer`] and frees it (NULL: nothing).
pub fn free_buffer(data: *mut u8) -> Result<(), FfiError> {
    take_back(data, Kind::Buffer, "anaplan_buffer_free")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
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
    fn owned_strings_and_buffers_are_freed_once_by_their_own_function() {
        let s = owned_string("model ✓").unwrap();
        // SAFETY: a NUL-terminated string we just made.
        assert_eq!(unsafe { CStr::from_ptr(s) }.to_str().unwrap(), "model ✓");
        let (data, len) = owned_buffer(b"abc".to_vec());
        let (empty, empty_len) = owned_buffer(Vec::new());
        assert_eq!(empty_len, 0);
        assert!(!empty.is_null() && empty != data);

        let st = |r: Result<(), FfiError>| r.err().map_or(ANAPLAN_STATUS_OK, |e| e.status);
        // SAFETY: `data` holds `len` bytes we just handed out.
        assert_eq!(unsafe { std::slice::from_raw_parts(data, len) }, b"abc");
        // The free functions only look pointers up before freeing.
        assert_eq!(
            st(free_string(data as *mut c_char)),
            ANAPLAN_STATUS_INVALID_HANDLE
        );
        assert_eq!(st(free_buffer(s as *mut u8)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(st(free_string(s)), ANAPLAN_STATUS_OK);
        assert_eq!(st(free_string(s)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(st(free_buffer(data)), ANAPLAN_STATUS_OK);
        assert_eq!(st(free_buffer(empty)), ANAPLAN_STATUS_OK);
        assert_eq!(st(free_buffer(data)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(st(free_string(null_mut())), ANAPLAN_STATUS_OK);
        let mut local = 0u8;
        assert_eq!(st(free_buffer(&mut local)), ANAPLAN_STATUS_INVALID_HANDLE);
        assert_eq!(
            owned_string("a\0b").unwrap_err().status,
            ANAPLAN_STATUS_PROTOCOL
        );
    }
}
