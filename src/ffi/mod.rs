//! The C ABI: translation only, no Anaplan logic (see `include/anaplan.h`).
//!
//! The framework (this directory's first files) is what every area file `ffi/<area>.rs` builds on:
//!
//! - [`boundary`]: every export's body runs in `boundary::call(|| { ...; Ok(()) })`, which clears
//!   the thread's last error, catches panics (`ANAPLAN_STATUS_PANIC`) and records the error of a
//!   failed body. The body returns `Result<(), FfiError>`; a `client::Error` converts with `?`.
//! - [`status`]: the `ANAPLAN_STATUS_*` numbers and `status_of`, the one client-error mapping.
//! - [`last_error`]: `FfiError` and the thread-local last error with its readers.
//! - [`handles`]: the registry of live handles. An area declares its opaque type
//!   (`pub struct anaplan_x { _private: [u8; 0] }` + `impl HandleType`), issues handles with
//!   `handles::issue`, looks them up with `handles::get` and frees them with `handles::free`.
//! - [`strings`]: `str_arg`/`opt_str_arg`/`bytes_arg` for inputs, `Out` for out-params (checked at
//!   the door, written last), `owned_string`/`owned_buffer` for library-owned results, and
//!   `copy_to_buffer` for the two-call pattern.
//! - [`scalars`]: `int32_t` flags, counts and milliseconds, range-checked.
//! - [`version`], [`config`]: the first exports.
//!
//! Every export is `#[no_mangle] pub unsafe extern "C" fn anaplan_<object>_<verb>`, with a doc
//! comment (copied into the header) giving ownership, thread-safety and the statuses it returns.
#![allow(non_camel_case_types)]

pub mod boundary;
pub mod client;
pub mod config;
pub mod discovery;
pub mod download;
pub mod dumps;
pub mod handles;
pub mod last_error;
pub mod scalars;
pub mod status;
pub mod strings;
pub mod tasks;
pub mod transfer;
pub mod upload;
pub mod version;

pub use last_error::FfiError;
pub use status::{anaplan_status, status_of};

/// How many handles, strings and buffers the library has handed out that are not freed yet: 0 once
/// a program has freed everything. For leak checks in tests of C code and of the language
/// bindings (Valgrind cannot see these leaks: the library still references the objects).
///
/// Thread-safe. Does not touch the last error.
#[no_mangle]
pub extern "C" fn anaplan_debug_live_objects() -> usize {
    boundary::value(usize::MAX, || handles::live_count() + strings::live_count())
}
