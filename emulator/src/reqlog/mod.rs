//! The request log that tests read and clear through the admin endpoint
//! (`GET`/`DELETE /__emulator/requests`).
//!
//! Every request except the admin endpoint's own is recorded once it is over: when its response
//! body has been sent, or when the connection died first. The log keeps the last
//! [`CAPACITY`] entries.
//!
//! In three parts: what an entry records (`entry.rs`), the log itself with the cell a request
//! carries while it runs (`log.rs`), and the middleware layer that fills them (`layer.rs`).

pub mod entry;
pub mod layer;
pub mod log;
