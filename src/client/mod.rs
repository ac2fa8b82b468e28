//! The safe Rust client. No raw pointers here: the C boundary lives in `crate::ffi`.
//!
//! [`Client`] is the connection everything else builds on: it signs in ([`auth`]), sends
//! requests with retries ([`retry`]) and token renewal, and logs ([`log`]) without secrets.

pub mod auth;
pub mod bounds;
pub mod cancel;
pub mod config;
pub mod connection;
pub mod discovery;
pub mod error;
pub mod http;
pub mod kind;
pub mod listing;
pub mod log;
pub mod lookup;
pub mod lookup_cache;
pub mod name_match;
pub mod paging;
pub mod retry;
pub mod secret;
pub mod transfer_settings;

pub use auth::{Credentials, NonceFormat, OAuthCredentials, RotationSink, Source};
pub use cancel::CancelToken;
pub use config::Config;
pub use connection::Client;
pub use error::{Candidate, Error, Result};
pub use http::{Method, Request, Response};
pub use log::{Level, LogRelay, LogSink, Logger};
pub use retry::{Jitter, RetryMode};
pub use transfer_settings::{TransferOptions, TransferSettings};
pub(crate) mod atomic_file;
pub(crate) mod chunker;
pub mod download;
pub mod dump_summary;
pub mod dumps;
pub(crate) mod reorder;
pub mod task_kind;
pub mod task_result;
pub mod task_start;
pub mod tasks;
pub(crate) mod tls_failure;
pub mod transfer;
pub(crate) mod transfer_pool;
pub mod upload;
pub mod wait;
