//! Uploads to a file of the current model (chunk count, gzip chunks, complete:
//! https://help.anaplan.com/upload-a-file-in-chunks-64df7566-f12f-45f0-a2f9-a992688ebc47), from a path, a memory buffer or
//! a stream of pieces of any size.
//!
//! - The chunk count is announced first: `POST files/{id}` with `{"chunkCount":N}` when the size
//!   is known (path, buffer, stream with a total), `-1` otherwise, and then `POST
//!   files/{id}/complete` at the end.
//! - Chunks (`PUT files/{id}/chunks/{n}`) are cut at exactly `TransferSettings::chunk_size`
//!   bytes (see `chunker`), gzip-compressed on the worker threads when `gzip` is on
//!   (`application/x-gzip`, else `application/octet-stream`), `parallelism` at a time. The
//!   settings are the connection's unless the call is made through `Client::with_transfer`.
//! - Memory: at most `parallelism + 1` chunk buffers exist (one being filled, the others in
//!   flight), plus one compressed copy per chunk in flight when gzip is on; nothing grows with
//!   the size of the upload.
//! - Each chunk request is retried alone by the connection (429, 5xx, dropped connections). A
//!   chunk whose retries run out fails the upload with its number in the message; the chunks
//!   already sent are not sent again, the ones not yet started are not started.
//! - An empty upload is one empty chunk (`chunkCount` 1), so the file exists with zero bytes.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use bytes::Bytes;
use flate2::write::GzEncoder;
use flate2::Compression;
use serde_json::{json, Value};

use super::cancel::CancelToken;
use super::chunker::{chunk_count, BufferPool, Chunk, Chunker};
use super::connection::Client;
use super::error::{Error, Result};
use super::http::Request;
use super::kind::ObjectKind;
use super::transfer::{
    checked_settings, file_path, in_chunk, keep_first, report, start_workers, Progress,
};
use super::transfer_pool::TransferPool;
use super::transfer_settings::TransferSettings;

/// What an upload did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UploadSummary {
    pub file_id: String,
    pub chunks: u64,
    /// Bytes of the file.
    pub bytes: u64,
    /// Bytes sent in chunk bodies (compressed when gzip is on; retries not counted).
    pub bytes_sent: u64,
}

/// A progress callback owned by a streamed upload.
pub type OwnedProgress = Box<dyn FnMut(u64, i64) -> bool + Send>;

impl Client {
    /// Uploads the file at `path` to the file `file_id` of the current model. Errors: `Io` (with
    /// the path) when it cannot be read, `InvalidArgument` (bad chunk size or parallelism, no
    /// model set, not an id), `Cancelled`, and the errors of the requests (`Http`, `Network`,
    /// `Timeout`, `Auth`), a chunk's naming the chunk.
    pub fn upload_file(
        &self,
        file_id: &str,
        path: &Path,
        progress: Option<Progress<'_>>,
    ) -> Result<UploadSummary> {
        let settings = checked_settings(self)?;
        let mut file = File::open(path).map_err(|e| Error::io(path, e))?;
        let meta = file.metadata().map_err(|e| Error::io(path, e))?;
        // A folder opens on some systems and fails only at the first read: it must be refused
        // before the server's file is touched.
        if !meta.is_file() {
            let what = if meta.is_dir() {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("{what}, not a file to upload"),
                ),
            ));
        }
        let len = meta.len();
        let mut upload = Pipeline::start(self, file_id, Some(len), settings)?;
        let mut progress = progress;
        // Reads exactly the length announced in the chunk count: a file that grows meanwhile is
        // cut there, one that shrinks is an error below.
        let mut reader = (&mut file).take(len);
        let read = upload.feed_from(&mut reader, &mut progress);
        let read = read.map_err(|e| match e {
            Error::Io { source, .. } => Error::io(path, source),
            other => other,
        });
        if let Err(e) = read {
            return Err(upload.abort(e));
        }
        if upload.bytes() != len {
            let e = Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!(
                        "the file shrank while it was uploaded ({} of {len} bytes read)",
                        upload.bytes()
                    ),
                ),
            );
            return Err(upload.abort(e));
        }
        upload.finish(&mut progress)
    }

    /// Uploads `data` to the file `file_id` of the current model. Errors as for
    /// [`Client::upload_file`], without `Io`.
    pub fn upload_bytes(
        &self,
        file_id: &str,
        data: &[u8],
        progress: Option<Progress<'_>>,
    ) -> Result<UploadSummary> {
        let settings = checked_settings(self)?;
        let mut upload = Pipeline::start(self, file_id, Some(data.len() as u64), settings)?;
        let mut progress = progress;
        if let Err(e) = upload.feed(data, &mut progress) {
            return Err(upload.abort(e));
        }
        upload.finish(&mut progress)
    }

    /// Starts a streamed upload to the file `file_id` of the current model: [`Upload::write`]
    /// pieces of any size, then [`Upload::finish`]. `total` is the size when known (it is then
    /// announced as the chunk count and checked at the end), `None` otherwise.
    pub fn upload_begin(&self, file_id: &str, total: Option<u64>) -> Result<Upload> {
        let settings = checked_settings(self)?;
        Ok(Upload {
            pipeline: Some(Pipeline::start(self, file_id, total, settings)?),
            progress: None,
        })
    }
}

/// A streamed upload in progress. Dropping it before [`Upload::finish`] abandons it: chunks in
/// flight are let finish, nothing more is sent, and the file is not marked complete.
pub struct Upload {
    pipeline: Option<Pipeline>,
    progress: Option<OwnedProgress>,
}

impl std::fmt::Debug for Upload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Upload")
            .field("file_id", &self.pipeline.as_ref().map(|p| &p.file_id))
            .field("bytes", &self.pipeline.as_ref().map(Pipeline::bytes))
            .finish()
    }
}

impl Upload {
    /// Sets the progress callback, called from `write` and `finish` as chunks complete.
    pub fn set_progress(&mut self, progress: Option<OwnedProgress>) {
        self.progress = progress;
    }

    /// Adds a piece of the file. Blocks while `parallelism` chunks are in flight. After an
    /// error the upload is over: later calls give `InvalidArgument`.
    pub fn write(&mut self, data: &[u8]) -> Result<()> {
        let mut progress = self
            .progress
            .as_deref_mut()
            .map(|p| p as &mut dyn FnMut(u64, i64) -> bool);
        let Some(pipeline) = self.pipeline.as_mut() else {
            return Err(Error::invalid("this upload is already finished or failed"));
        };
        match pipeline.feed(data, &mut progress) {
            Ok(()) => Ok(()),
            Err(e) => {
                let Some(p) = self.pipeline.take() else {
                    return Err(e);
                };
                Err(p.abort(e))
            }
        }
    }

    /// Sends the last chunk, waits for every chunk and marks the file complete.
    pub fn finish(&mut self) -> Result<UploadSummary> {
        let mut progress = self
            .progress
            .as_deref_mut()
            .map(|p| p as &mut dyn FnMut(u64, i64) -> bool);
        let Some(pipeline) = self.pipeline.take() else {
            return Err(Error::invalid("this upload is already finished or failed"));
        };
        pipeline.finish(&mut progress)
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.pipeline.as_ref().map_or(0, Pipeline::bytes)
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if let Some(p) = self.pipeline.take() {
            p.cancel.cancel();
            // The workers are joined when the pipeline goes; nothing is reported to anyone.
        }
    }
}

struct ChunkJob {
    index: u64,
    data: Vec<u8>,
}

struct ChunkDone {
    index: u64,
    raw_len: usize,
    sent_len: usize,
    /// The chunk buffer, back for the next chunk (when the HTTP stack let go of it).
    buffer: Option<Vec<u8>>,
    result: Result<()>,
}

/// One upload: the chunk count announced, chunks cut on the calling thread and sent by workers.
struct Pipeline {
    client: Client,
    file_id: String,
    path: String,
    total: Option<u64>,
    chunker: Chunker,
    pool: BufferPool,
    workers: TransferPool<ChunkJob, ChunkDone>,
    parallelism: usize,
    cancel: CancelToken,
    /// The chunk count to announce (-1: unknown) until it is announced, with the first chunk:
    /// an upload that never sends data leaves the server's file as it was.
    unannounced: Option<i64>,
    done_bytes: u64,
    sent_bytes: u64,
    failure: Option<Error>,
}

impl Pipeline {
    fn start(
        client: &Client,
        file_id: &str,
        total: Option<u64>,
        settings: TransferSettings,
    ) -> Result<Pipeline> {
        let (chunk_size, parallelism) = (settings.chunk_size, settings.parallelism);
        let path = file_path(client, file_id)?;
        let count = total.map_or(-1, |t| chunk_count(t, chunk_size) as i64);
        let cancel = client.transfer_cancel_token();
        cancel.check()?;
        check_exists(client, file_id)?;
        let gzip = settings.gzip_level();
        let (worker_cancel, chunks_path) = (cancel.clone(), format!("{path}/chunks"));
        let workers = start_workers(client, parallelism, "upload", move |c, job| {
            send_chunk(c, &chunks_path, gzip, &worker_cancel, job)
        })?;
        client.logger().info(&format!(
            "uploading {} to file {file_id}: chunks of {chunk_size} bytes{}, {parallelism} in flight",
            total.map_or("a stream".to_string(), |t| format!("{t} bytes")),
            gzip.map_or(String::new(), |level| format!(", gzip level {level}")),
        ));
        Ok(Pipeline {
            client: client.clone(),
            file_id: file_id.to_string(),
            path,
            total,
            chunker: Chunker::new(chunk_size),
            // One buffer being filled while `parallelism` are in flight.
            pool: BufferPool::new(chunk_size, parallelism + 1),
            workers,
            parallelism,
            cancel,
            unannounced: Some(count),
            done_bytes: 0,
            sent_bytes: 0,
            failure: None,
        })
    }

    fn bytes(&self) -> u64 {
        self.chunker.bytes()
    }

    fn total_for_progress(&self) -> i64 {
        self.total.map_or(-1, |t| t as i64)
    }

    fn check_total(&self, more: u64) -> Result<()> {
        match self.total {
            Some(t) if self.chunker.bytes() + more > t => Err(Error::invalid(format!(
                "the upload was announced as {t} bytes; {} bytes are more than that",
                self.chunker.bytes() + more
            ))),
            _ => Ok(()),
        }
    }

    fn feed(&mut self, mut data: &[u8], progress: &mut Option<Progress<'_>>) -> Result<()> {
        self.check_total(data.len() as u64)?;
        while !data.is_empty() {
            self.ensure_buffer(progress)?;
            let n = self.chunker.fill(data);
            data = &data[n..];
            self.submit_if_full(progress)?;
        }
        Ok(())
    }

    fn feed_from(
        &mut self,
        reader: &mut impl Read,
        progress: &mut Option<Progress<'_>>,
    ) -> Result<()> {
        loop {
            self.ensure_buffer(progress)?;
            let n = self
                .chunker
                .fill_from(reader)
                .map_err(|e| Error::io(Path::new(""), e))?;
            let full = self.chunker.is_full();
            self.submit_if_full(progress)?;
            if n == 0 && !full {
                return Ok(());
            }
        }
    }

    fn ensure_buffer(&mut self, progress: &mut Option<Progress<'_>>) -> Result<()> {
        while self.chunker.needs_buffer() {
            match self.pool.take() {
                Some(b) => self.chunker.set_buffer(b),
                None => self.wait_one(progress)?,
            }
        }
        Ok(())
    }

    fn submit_if_full(&mut self, progress: &mut Option<Progress<'_>>) -> Result<()> {
        match self.chunker.take_full() {
            Some(chunk) => self.submit(chunk, progress),
            None => Ok(()),
        }
    }

    fn submit(&mut self, chunk: Chunk, progress: &mut Option<Progress<'_>>) -> Result<()> {
        while self.workers.in_flight() >= self.parallelism {
            self.wait_one(progress)?;
        }
        self.cancel.check()?;
        if let Some(count) = self.unannounced {
            announce(&self.client, &self.path, &self.file_id, count)?;
            self.unannounced = None;
        }
        self.workers.submit(ChunkJob {
            index: chunk.index,
            data: chunk.data,
        });
        Ok(())
    }

    /// Takes one finished chunk: its buffer back to the pool, its bytes to the progress.
    fn wait_one(&mut self, progress: &mut Option<Progress<'_>>) -> Result<()> {
        let Some(done) = self.workers.next() else {
            return Err(Error::Protocol {
                path: self.path.clone(),
                message: "the upload workers stopped without an answer".into(),
            });
        };
        self.pool.put(done.buffer);
        done.result?;
        self.done_bytes += done.raw_len as u64;
        self.sent_bytes += done.sent_len as u64;
        self.client.logger().debug(&format!(
            "file {}: chunk {} sent ({} bytes, {} on the wire)",
            self.file_id, done.index, done.raw_len, done.sent_len
        ));
        report(
            progress,
            &self.cancel,
            self.done_bytes,
            self.total_for_progress(),
        )
    }

    /// Stops after an error: no new chunk starts, the ones in flight are waited for (their
    /// requests stop at the next retry), and the first real error is returned.
    fn abort(mut self, e: Error) -> Error {
        self.cancel.cancel();
        keep_first(&mut self.failure, e);
        while self.workers.in_flight() > 0 {
            if let Err(e) = self.wait_one(&mut None) {
                keep_first(&mut self.failure, e);
            }
        }
        let mut e = self.failure.take().unwrap_or(Error::Cancelled);
        if self.unannounced.is_none() {
            // Anaplan cannot roll chunks back: once the chunk count is set the old content is
            // gone, and the file holds what arrived. It is not marked complete.
            let file = self.file_id.clone();
            if matches!(e, Error::Cancelled) {
                // A cancel says so too: the caller must know the file is no longer usable.
                e = Error::CancelledMidway(e.to_string());
            }
            e = e.map_message(|m| {
                format!(
                    "{m}; file {file} is left incomplete (its old content is gone, part of the new \
                     one arrived, it is not marked complete): repeat the whole upload"
                )
            });
        }
        self.client
            .logger()
            .warn(&format!("upload to file {} stopped: {e}", self.file_id));
        e
    }

    fn finish(mut self, progress: &mut Option<Progress<'_>>) -> Result<UploadSummary> {
        match self.finish_inner(progress) {
            Ok(summary) => Ok(summary),
            Err(e) => Err(self.abort(e)),
        }
    }

    fn finish_inner(&mut self, progress: &mut Option<Progress<'_>>) -> Result<UploadSummary> {
        if let Some(t) = self.total {
            if self.chunker.bytes() != t {
                return Err(Error::invalid(format!(
                    "the upload was announced as {t} bytes but {} were written",
                    self.chunker.bytes()
                )));
            }
        }
        if self.chunker.finish_needs_buffer() {
            self.ensure_buffer(progress)?;
        }
        if let Some(last) = self.chunker.finish() {
            self.submit(last, progress)?;
        }
        self.pool.put(self.chunker.release_buffer());
        while self.workers.in_flight() > 0 {
            self.wait_one(progress)?;
        }
        if self.total.is_none() {
            complete(&self.client, &self.path, &self.file_id, &self.cancel)?;
        }
        let summary = UploadSummary {
            file_id: self.file_id.clone(),
            chunks: self.chunker.chunks(),
            bytes: self.chunker.bytes(),
            bytes_sent: self.sent_bytes,
        };
        self.client.logger().info(&format!(
            "uploaded {} bytes to file {} in {} chunks ({} bytes sent)",
            summary.bytes, summary.file_id, summary.chunks, summary.bytes_sent
        ));
        Ok(summary)
    }
}

/// Checks that `file_id` is a file of the current model before anything is written: Anaplan
/// creates a new file when the chunk count is set for an unknown id, so the check must come first.
fn check_exists(client: &Client, file_id: &str) -> Result<()> {
    let files = client.list_in_model(ObjectKind::File)?;
    if files.iter().any(|f| f.id == file_id) {
        return Ok(());
    }
    Err(Error::NotFound {
        kind: "file",
        name: file_id.to_string(),
        scope: " in the current model; nothing was sent (upload to the id of one of its files)"
            .into(),
    })
}

/// `POST files/{id}` with the chunk count. Anaplan creates a new file when the id is not one of
/// the model's files; that is refused here rather than uploading somewhere unexpected.
fn announce(client: &Client, path: &str, file_id: &str, count: i64) -> Result<()> {
    // Setting the chunk count again does no harm, so it is retried like a PUT.
    let req = Request::post(path)
        .json(&json!({ "chunkCount": count }))
        .retry(super::retry::RetryMode::Idempotent);
    let body = client.send(req, None)?.ensure_success()?.json()?;
    let got = body.pointer("/file/id").and_then(Value::as_str);
    match got {
        Some(id) if id == file_id => Ok(()),
        Some(other) => Err(Error::NotFound {
            kind: "file",
            name: file_id.to_string(),
            scope: format!(
                " in the model (Anaplan created a new file {other} named {file_id:?} instead; upload to the id of an existing file)"
            ),
        }),
        None => Err(Error::Protocol {
            path: path.to_string(),
            message: "the answer has no file.id".into(),
        }),
    }
}

/// `POST files/{id}/complete` after a stream of unknown size.
fn complete(client: &Client, path: &str, file_id: &str, cancel: &CancelToken) -> Result<()> {
    let req = Request::post(format!("{path}/complete"))
        .json(&json!({ "id": file_id }))
        .retry(super::retry::RetryMode::Idempotent);
    client.send(req, Some(cancel))?.ensure_success()?;
    Ok(())
}

/// Runs on a worker: compresses (when asked) and sends one chunk.
fn send_chunk(
    client: &Client,
    chunks_path: &str,
    gzip: Option<u32>,
    cancel: &CancelToken,
    job: ChunkJob,
) -> ChunkDone {
    let raw_len = job.data.len();
    let what = format!("chunk {}", job.index);
    if cancel.is_cancelled() {
        return ChunkDone {
            index: job.index,
            raw_len,
            sent_len: 0,
            buffer: Some(job.data),
            result: Err(Error::Cancelled),
        };
    }
    let (body, content_type, kept) = if let Some(level) = gzip {
        match compress(&job.data, level) {
            Ok(gz) => (Bytes::from(gz), "application/x-gzip", Some(job.data)),
            Err(e) => {
                return ChunkDone {
                    index: job.index,
                    raw_len,
                    sent_len: 0,
                    buffer: Some(job.data),
                    result: Err(Error::io(Path::new(&what), e)),
                }
            }
        }
    } else {
        (Bytes::from(job.data), "application/octet-stream", None)
    };
    let sent_len = body.len();
    let req = Request::put(format!("{chunks_path}/{}", job.index))
        .header("Content-Type", content_type)
        .body(body.clone());
    let result = client
        .send(req, Some(cancel))
        .and_then(|r| r.ensure_success())
        .map(|_| ())
        .map_err(|e| in_chunk(e, &what));
    // Without gzip the buffer went out as the body; it comes back when nothing else holds it.
    let buffer = kept.or_else(|| body.try_into_mut().ok().map(Vec::from));
    ChunkDone {
        index: job.index,
        raw_len,
        sent_len,
        buffer,
        result,
    }
}

fn compress(data: &[u8], level: u32) -> std::io::Result<Vec<u8>> {
    let mut gz = GzEncoder::new(
        Vec::with_capacity(data.len() / 4 + 64),
        Compression::new(level),
    );
    gz.write_all(data)?;
    gz.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;

    #[test]
    fn compressed_chunks_inflate_to_the_original() {
        let data: Vec<u8> = (0..100_000u32)
            .flat_map(|i| format!("{i},name {i},{}\n", i % 7).into_bytes())
            .collect();
        for level in [1, 6, 9] {
            let gz = compress(&data, level).unwrap();
            assert!(gz.len() < data.len() / 2);
            let mut back = Vec::new();
            GzDecoder::new(&gz[..]).read_to_end(&mut back).unwrap();
            assert_eq!(back, data, "level {level}");
        }
        assert!(compress(&data, 9).unwrap().len() < compress(&data, 1).unwrap().len());
        let mut empty = Vec::new();
        GzDecoder::new(&compress(&[], 1).unwrap()[..])
            .read_to_end(&mut empty)
            .unwrap();
        assert!(empty.is_empty());
    }
}
