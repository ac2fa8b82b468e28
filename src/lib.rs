//! The native Anaplan integration library.
//!
//! `client` is the safe Rust client (sign-in, lookups, uploads, tasks, dumps, downloads); `ffi`
//! is the C ABI over it, declared in `include/anaplan.h`.

// The client has no C items (the boundary is `ffi`); cbindgen need not read it, which keeps its
// constants and the OpenSSL declarations of the keystore reader out of the header.
/// cbindgen:ignore
pub mod client;
pub mod ffi;
