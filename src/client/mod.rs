//! The safe Rust client. No raw pointers here: the C boundary lives in `crate::ffi`.

pub mod config;
pub mod error;

pub use config::Config;
pub use error::{Candidate, Error, Result};
pub(crate) mod atomic_file;
pub(crate) mod chunker;
pub(crate) mod reorder;
pub(crate) mod transfer_pool;
pub mod download;
pub mod transfer;
pub mod upload;
