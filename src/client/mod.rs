//! The safe Rust client. No raw pointers here: the C boundary lives in `crate::ffi`.

pub mod config;
pub mod error;

pub use config::Config;
pub use error::{Candidate, Error, Result};
pub mod kind;
pub mod listing;
pub mod lookup_cache;
pub mod name_match;
pub mod paging;
