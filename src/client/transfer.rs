//! What uploads and downloads share: the progress callback, the checks of their settings and
//! file ids, and the worker pool wired to the caller's logger.

use std::path::Path;

use super::cancel::CancelToken;
use super::connection::Client;
use super::error::{quoted, Error, Result};
use super::transfer_pool::TransferPool;
use super::transfer_settings::TransferSettings;

/// Progress of a transfer: `(bytes_done, bytes_total)` with `bytes_total == -1` when unknown
/// (streamed uploads without an announced size, downloads). Returning `false` cancels: the call
/// then stops promptly and returns [`Error::Cancelled`]. It runs on the calling thread only.
pub type Progress<'a> = &'a mut dyn FnMut(u64, i64) -> bool;

/// The settings this transfer runs with, checked: they may have been set without their
/// checking setters (the fields of `Config::transfer` are public).
pub(crate) fn checked_settings(client: &Client) -> Result<TransferSettings> {
    client.transfer_settings().checked()
}

/// `{model path}/files/{id}`. File ids are digits (`113…`, `116…`); a name here would make
/// Anaplan create a new file named after it, so only letters and digits pass.
pub(crate) fn file_path(client: &Client, file_id: &str) -> Result<String> {
    if file_id.is_empty() || !file_id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(format!(
            "{} is not a file id (letters and digits only); find the id of a file by its name first",
            quoted(file_id)
        )));
    }
    Ok(format!("{}/files/{file_id}", client.model_path()?))
}

/// Starts `threads` workers, each with a clone of the connection that logs through a relay to
/// this thread; the pool forwards the lines while the calling thread waits.
pub(crate) fn start_workers<J: Send + 'static, R: Send + 'static>(
    client: &Client,
    threads: usize,
    name: &str,
    work: impl Fn(&Client, J) -> R + Send + Sync + 'static,
) -> Result<TransferPool<J, R>> {
    let (worker_logger, relay) = client.logger().relay();
    let worker_client = client.with_logger(worker_logger);
    TransferPool::start(threads, name, Box::new(move || relay.drain()), move |job| {
        work(&worker_client, job)
    })
    .map_err(|e| Error::io(Path::new("<worker threads>"), e))
}

/// Adds which chunk failed to an error's message, keeping its kind (and HTTP status).
pub(crate) fn in_chunk(e: Error, what: &str) -> Error {
    e.map_message(|m| format!("{what}: {m}"))
}

/// Keeps the first failure of a transfer: the ones after it (chunks cancelled because of it)
/// are its consequences.
pub(crate) fn keep_first(slot: &mut Option<Error>, e: Error) {
    if slot.is_none() {
        *slot = Some(e);
    }
}

/// Calls the progress callback; `Err(Cancelled)` (and the token raised) when it says stop.
pub(crate) fn report(
    progress: &mut Option<Progress<'_>>,
    cancel: &CancelToken,
    done: u64,
    total: i64,
) -> Result<()> {
    if let Some(p) = progress {
        if !p(done, total) {
            cancel.cancel();
            return Err(Error::Cancelled);
        }
    }
    Ok(())
}
