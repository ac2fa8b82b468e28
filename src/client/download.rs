//! Downloads of a file of the current model (`GET …/files/{fileId}/chunks…` in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json), for example an export's output
//! (its file id is the export's id): to a path, to memory, or to a write callback.
//!
//! `GET files/{id}/chunks` lists the chunks; `TransferSettings::parallelism` of them are fetched
//! at once and written strictly in order, holding at most `parallelism` chunks (see `reorder`). Each
//! chunk request is retried by the connection, a dropped connection mid-body included. A file
//! without content is `Error::Http` with status 404, as `GET files/{id}` answers for it.

use std::path::Path;

use bytes::Bytes;
use serde_json::Value;

use super::atomic_file::AtomicFile;
use super::cancel::CancelToken;
use super::connection::Client;
use super::error::{Error, Result};
use super::http::Request;
use super::reorder::Reorder;
use super::transfer::{
    checked_settings, file_path, in_chunk, keep_first, report, start_workers, Progress,
};

/// Where downloaded bytes go, in order. Returning an error stops the download with it.
pub type Sink<'a> = &'a mut dyn FnMut(&[u8]) -> Result<()>;

impl Client {
    /// Downloads the file `file_id` of the current model to `path`, all or nothing: the data goes
    /// to a temporary file in the same folder, flushed to disk and renamed over `path` at the
    /// end; on any failure it is removed and a file already at `path` is left as it was.
    /// Returns the number of bytes. Errors: `Io` (with the path), `Http` (404: no such file or
    /// no content), `Network`, `Timeout`, `Auth`, `Cancelled`, `InvalidArgument`.
    pub fn download_to_path(
        &self,
        file_id: &str,
        path: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<u64> {
        // Fail on a bad id or setting before creating anything on disk.
        checked_settings(self)?;
        file_path(self, file_id)?;
        let mut out = AtomicFile::create(path)?;
        let bytes = self.download_to(file_id, &mut |data| out.write_all(data), progress)?;
        out.commit()?;
        Ok(bytes)
    }

    /// Downloads the file `file_id` of the current model into memory.
    pub fn download_to_vec(
        &self,
        file_id: &str,
        progress: Option<Progress<'_>>,
    ) -> Result<Vec<u8>> {
        let mut all = Vec::new();
        self.download_to(
            file_id,
            &mut |data| {
                all.extend_from_slice(data);
                Ok(())
            },
            progress,
        )?;
        Ok(all)
    }

    /// Downloads the file `file_id` of the current model, giving its bytes to `sink` in order
    /// (one call per chunk). Returns the number of bytes.
    pub fn download_to(
        &self,
        file_id: &str,
        sink: Sink<'_>,
        progress: Option<Progress<'_>>,
    ) -> Result<u64> {
        let parallelism = checked_settings(self)?.parallelism;
        let path = file_path(self, file_id)?;
        let chunks = list_chunks(self, &path)?;
        if chunks.is_empty() {
            return Err(Error::Http {
                method: "GET".into(),
                path: self.api_path(&path),
                status: 404,
                message: format!(
                    "file {file_id} has no content: upload it, or run its export, first"
                ),
            });
        }
        self.logger().info(&format!(
            "downloading file {file_id}: {} chunks, {parallelism} in flight",
            chunks.len()
        ));
        let cancel = self.transfer_cancel_token();
        let result = fetch_in_order(self, &path, &chunks, parallelism, &cancel, sink, progress);
        match &result {
            Ok(bytes) => self
                .logger()
                .info(&format!("downloaded {bytes} bytes of file {file_id}")),
            Err(e) => self
                .logger()
                .warn(&format!("download of file {file_id} stopped: {e}")),
        }
        result
    }

    /// The path part of an API URL, as error messages show it.
    fn api_path(&self, path: &str) -> String {
        format!("/2/0{path}")
    }
}

/// The chunk ids of a file, following paging (a file has at most 1 000 chunks, below the
/// default page size, but a server may page anyway).
fn list_chunks(client: &Client, path: &str) -> Result<Vec<String>> {
    let mut ids = Vec::new();
    loop {
        let page = client.get_json(&format!("{path}/chunks?offset={}", ids.len()))?;
        let items = page
            .get("chunks")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        for item in items {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Protocol {
                    path: format!("{path}/chunks"),
                    message: "a chunk without an id".into(),
                })?;
            ids.push(id.to_string());
        }
        let total = page
            .pointer("/meta/paging/totalSize")
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize;
        if items.is_empty() || ids.len() >= total {
            return Ok(ids);
        }
    }
}

/// Writes the chunks that are next in order, reporting progress after each.
fn write_ready(
    order: &mut Reorder<Bytes>,
    sink: Sink<'_>,
    bytes: &mut u64,
    progress: &mut Option<Progress<'_>>,
    cancel: &CancelToken,
) -> Result<()> {
    while let Some(data) = order.pop_ready() {
        sink(&data)?;
        *bytes += data.len() as u64;
        report(progress, cancel, *bytes, -1)?;
    }
    Ok(())
}

struct ChunkGot {
    index: usize,
    result: Result<Bytes>,
}

fn fetch_in_order(
    client: &Client,
    path: &str,
    chunks: &[String],
    parallelism: usize,
    cancel: &CancelToken,
    sink: Sink<'_>,
    mut progress: Option<Progress<'_>>,
) -> Result<u64> {
    let (worker_cancel, chunks_path) = (cancel.clone(), format!("{path}/chunks"));
    let mut workers = start_workers(
        client,
        parallelism,
        "download",
        move |c, (index, id): (usize, String)| {
            let result = worker_cancel
                .check()
                .and_then(|()| {
                    let req = Request::get(format!("{chunks_path}/{id}"))
                        .header("Accept", "application/octet-stream");
                    c.send(req, Some(&worker_cancel))
                })
                .and_then(|r| r.ensure_success())
                .map(|r| r.body)
                .map_err(|e| in_chunk(e, &format!("chunk {id}")));
            ChunkGot { index, result }
        },
    )?;
    let mut order: Reorder<Bytes> = Reorder::new(parallelism);
    let mut next_job = 0;
    let mut bytes = 0u64;
    let mut failure = None;
    while order.written() < chunks.len() {
        while next_job < chunks.len() && order.may_fetch(next_job) {
            workers.submit((next_job, chunks[next_job].clone()));
            next_job += 1;
        }
        let Some(got) = workers.next() else {
            failure = Some(Error::Protocol {
                path: path.to_string(),
                message: "the download workers stopped without an answer".into(),
            });
            break;
        };
        match got.result {
            Ok(data) => order.insert(got.index, data),
            Err(e) => {
                failure = Some(e);
                break;
            }
        }
        if let Err(e) = write_ready(&mut order, sink, &mut bytes, &mut progress, cancel) {
            failure = Some(e);
            break;
        }
    }
    match failure {
        None => Ok(bytes),
        Some(e) => {
            // Nothing new starts; what is in flight stops at its next retry.
            cancel.cancel();
            let mut first = Some(e);
            while let Some(got) = workers.next() {
                if let Err(e) = got.result {
                    keep_first(&mut first, e);
                }
            }
            Err(first.unwrap_or(Error::Cancelled))
        }
    }
}
