//! The C ABI: translation only, no Anaplan logic (see `include/anaplan.h`).
//!
//! The rules every export follows (names after the object acted on, `size_t` counts and
//! indices, `int32_t` settings and enumerations, retiring with `#[deprecated]`) are stated once,
//! in the header's preamble (`cbindgen.toml`) and the README ("Names, integers and retiring a
//! function"); `tests/header.rs` checks them on the generated header. The names put each export
//! in a file a reader can guess: `anaplan_<handle>_*` in `ffi/<handle>.rs` (the client's, many,
//! in `ffi/client/`, one file per kind of work), the library-wide ones in the file of their word.
//!
//! # Layout
//!
//! [`toolkit`] holds what every export is built with (the boundary, the handle registry, the
//! parameter macros, enumerations); each other module holds the exports of one object.
#![allow(non_camel_case_types)]

pub mod buffer;
pub mod cancel_token;
pub mod client;
pub mod config;
pub mod debug;
pub mod header;
pub mod last_error;
pub mod list;
pub mod run_options;
pub mod status;
pub mod string;
pub mod task_result;
pub mod toolkit;
pub mod transfer_options;
pub mod upload_stream;
pub mod version;

pub use status::{anaplan_status, status_of};
pub use toolkit::error::FfiError;
