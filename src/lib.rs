//! The native Anaplan integration library.
//!
//! `client` is the safe Rust client (sign-in, lookups, uploads, tasks, dumps, downloads); `ffi`
//! is the C ABI over it, declared in `include/anaplan.h`.

pub mod client;
pub mod ffi;
