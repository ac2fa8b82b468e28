//! `anaplan_buffer_*`: the byte buffers the library returns through `uint8_t **data, size_t *len`
//! out-params.

use super::status::anaplan_status;
use super::toolkit::{boundary, owned};

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
    boundary::release(|| owned::free_buffer(data))
}
