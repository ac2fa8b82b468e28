//! `anaplan_string_*`: the strings the library returns through `char **` out-params.

use std::ffi::c_char;

use super::status::anaplan_status;
use super::toolkit::{boundary, owned};

/// Frees a string the library returned (through a `char **` out-param). NULL is accepted and
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
    boundary::release(|| owned::free_string(s))
}
