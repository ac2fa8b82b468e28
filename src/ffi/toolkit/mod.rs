//! What every export is built with; no export lives here.
//!
//! - [`boundary`]: every export's body runs in `boundary::call(|| { ...; Ok(()) })`, or in
//!   `boundary::on(handle, |object| ...)` when it acts on a handle: the last error is cleared,
//!   panics are caught (`ANAPLAN_STATUS_PANIC`) and the error of a failed body is recorded.
//! - [`error`]: `FfiError`, what a failed body returns; a `client::Error` converts with `?`.
//! - [`handles`]: the registry of live handles. A handle module declares its opaque type
//!   (`pub struct anaplan_x { _private: [u8; 0] }` + `impl HandleType`), issues handles with
//!   `handles::issue` and frees them with `handles::free`.
//! - [`params`]: `str_param!`, `opt_str_param!`, `bytes_param!`, `out_param!` and
//!   `opt_out_param!` for an export's pointer parameters, named from the code.
//! - [`owned`]: library-owned strings and buffers, and the two-call pattern into caller buffers.
//! - [`scalars`]: `int32_t` flags, counts and milliseconds, and `size_t` indices, range-checked.
//! - [`enums`]: `c_enum!`, which declares a C enumeration once.

pub mod boundary;
pub mod enums;
pub mod error;
pub mod handles;
pub mod owned;
pub mod params;
pub mod scalars;
