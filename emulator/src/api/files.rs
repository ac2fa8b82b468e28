//! Files of a model: the list, setting the chunk count (which also creates files), chunk uploads (plain or gzip), completing an upload, single-shot upload and download,
//! and deleting the uploaded content. As the `…/files…` operations of
//! `emulator/tests/fixtures/anaplan-openapi/integration-openapi.json` and, for gzip chunks,
//! https://help.anaplan.com/upload-a-file-in-chunks-64df7566-f12f-45f0-a2f9-a992688ebc47 describe.
//!
//! Bodies are read by [`read_split`] with explicit caps rather than axum's 2 MB default limit
//! (which only applies to the buffering extractors, not to `Body`), and gzip is inflated off the
//! runtime with a cap. The store lock is only taken for bookkeeping: never while a body is read,
//! inflated or sent.

use std::convert::Infallible;
use std::io::Read;

use axum::body::Body;
use axum::extract::{OriginalUri, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use bytes::Bytes;
use flate2::read::MultiGzDecoder;
use http_body_util::BodyExt;
use serde_json::{json, Value};

use crate::api::listing::{list_page, query, sort_items};
use crate::api::ModelAccess;
use crate::ids;
use crate::model::{FileMeta, Model, StoredFile};
use crate::state::AppState;
use crate::wire::{envelope, json_ok, schema_url, ApiError};

/// Anaplan's limit on one chunk: "no larger than 50 MB of uncompressed data".
pub const MAX_CHUNK_BYTES: usize = 50 * 1024 * 1024;
/// Anaplan's limit on chunks per file; chunk ids run from 0 to 999.
pub const MAX_CHUNKS: usize = 1000;
/// A gzip body of incompressible data is a little larger than the data (stored blocks add 5 bytes
/// per 64 KiB), so a full 50 MB chunk must still fit.
const MAX_GZIP_BODY: usize = MAX_CHUNK_BYTES + MAX_CHUNK_BYTES / 1024 + 64 * 1024;
/// JSON bodies (chunk count, file metadata) are small.
const MAX_JSON_BODY: usize = 1024 * 1024;
/// How much of a refused body is still read and thrown away, so that a client that is still
/// sending gets the error response rather than a broken connection. Past this the connection
/// is closed.
const DRAIN_LIMIT: usize = 2 * MAX_GZIP_BODY;

/// Routes inside a model (mounted under both path forms).
pub fn model_router() -> Router<AppState> {
    Router::new()
        .route("/files", get(list_files))
        .route(
            "/files/{fileId}",
            get(download)
                .post(set_chunk_count)
                .put(upload_whole)
                .delete(delete_content),
        )
        .route("/files/{fileId}/chunks", get(list_chunks))
        .route(
            "/files/{fileId}/chunks/{chunkId}",
            get(download_chunk).put(upload_chunk),
        )
        .route("/files/{fileId}/complete", post(complete))
}

// ---------------------------------------------------------------------------------------------
// Bodies

/// Why a body could not be read.
enum BodyError {
    /// More than the caller allows.
    TooLarge,
    /// The connection failed mid-body.
    Broken(String),
}

/// Reads a body into pieces of at most `piece` bytes, at most `max_pieces` of them. The first
/// piece is sized from `Content-Length` when it is given, so a 50 MB chunk is received without
/// repeated regrowth and without spare capacity kept in the store.
async fn read_split(
    body: Body,
    headers: &HeaderMap,
    piece: usize,
    max_pieces: usize,
) -> Result<Vec<Bytes>, BodyError> {
    let announced = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let cap = piece.saturating_mul(max_pieces);
    if announced.is_some_and(|n| n > cap.saturating_add(DRAIN_LIMIT)) {
        return Err(BodyError::TooLarge);
    }
    let mut remaining_hint = announced.unwrap_or(0);
    let mut pieces: Vec<Bytes> = Vec::new();
    let mut current: Vec<u8> = Vec::with_capacity(remaining_hint.min(piece));
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| BodyError::Broken(e.to_string()))?;
        let Ok(mut data) = frame.into_data() else {
            continue; // trailers carry no content
        };
        while !data.is_empty() {
            if current.len() == piece {
                if pieces.len() + 1 >= max_pieces {
                    drop((pieces, current));
                    drain(body).await;
                    return Err(BodyError::TooLarge);
                }
                remaining_hint = remaining_hint.saturating_sub(piece);
                let next = Vec::with_capacity(remaining_hint.min(piece));
                pieces.push(Bytes::from(std::mem::replace(&mut current, next)));
            }
            let take = data.len().min(piece - current.len());
            current.extend_from_slice(&data.split_to(take));
        }
    }
    if !current.is_empty() || pieces.is_empty() {
        current.shrink_to_fit();
        pieces.push(Bytes::from(current));
    }
    Ok(pieces)
}

/// Reads and discards the rest of a refused body, up to [`DRAIN_LIMIT`] bytes.
async fn drain(mut body: Body) {
    let mut seen = 0usize;
    while let Some(Ok(frame)) = body.frame().await {
        seen += frame.data_ref().map_or(0, Bytes::len);
        if seen > DRAIN_LIMIT {
            break;
        }
    }
}

/// Reads a body of at most `cap` bytes into one buffer.
async fn read_capped(
    body: Body,
    headers: &HeaderMap,
    cap: usize,
    what: &str,
    path: &str,
) -> Result<Bytes, ApiError> {
    let mut pieces = read_split(body, headers, cap, 1)
        .await
        .map_err(|e| body_error(e, what, cap, path))?;
    Ok(pieces.pop().unwrap_or_default())
}

fn body_error(e: BodyError, what: &str, cap: usize, path: &str) -> ApiError {
    match e {
        BodyError::TooLarge => {
            ApiError::bad_request(format!("The {what} is larger than {cap} bytes"), path)
        }
        BodyError::Broken(msg) => {
            ApiError::bad_request(format!("The {what} could not be read: {msg}"), path)
        }
    }
}

/// True for `application/x-gzip` (and the registered `application/gzip`).
fn is_gzip(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|v| {
            let v = v.trim();
            v.eq_ignore_ascii_case("application/x-gzip")
                || v.eq_ignore_ascii_case("application/gzip")
        })
        .unwrap_or(false)
}

/// Inflates gzip data, refusing more than `cap` bytes of output: decoding stops one byte past the
/// cap, so a small bomb never allocates more than `cap + 1` bytes.
fn gunzip_capped(data: &[u8], cap: usize) -> Result<Bytes, String> {
    // The gzip trailer's ISIZE (size mod 2^32) sizes the buffer exactly for the usual single
    // member; anything implausible falls back to the cap.
    let hint = data
        .len()
        .checked_sub(4)
        .and_then(|at| data.get(at..))
        .and_then(|t| <[u8; 4]>::try_from(t).ok())
        .map(|t| u32::from_le_bytes(t) as usize)
        .filter(|&n| n <= cap)
        .unwrap_or(cap + 1);
    let mut out = Vec::with_capacity(hint);
    MultiGzDecoder::new(data)
        .take(cap as u64 + 1)
        .read_to_end(&mut out)
        .map_err(|e| format!("The chunk is not valid gzip data: {e}"))?;
    if out.len() > cap {
        return Err(format!(
            "The chunk holds more than {cap} bytes of uncompressed data; chunks must be at most 50 MB"
        ));
    }
    out.shrink_to_fit();
    Ok(Bytes::from(out))
}

// ---------------------------------------------------------------------------------------------
// Store bookkeeping

/// Runs `f` on the model's file `fileId` with the store locked; 404 when there is no such file.
fn with_file<T>(
    state: &AppState,
    access: &ModelAccess,
    f: impl FnOnce(&mut StoredFile) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let mut store = state.store();
    let file = store
        .model_mut(&access.model_id)
        .and_then(|m| m.files.get_mut(access.param("fileId")))
        .ok_or_else(|| ApiError::not_found(&access.path))?;
    f(file)
}

fn file_envelope(state: &AppState, access: &ModelAccess, meta: &FileMeta) -> Response {
    let schema = schema_url(&state.urls().api, Some(&access.model_id), "file");
    let value = serde_json::to_value(meta).unwrap_or(Value::Null);
    json_ok(envelope(&schema, "file", value))
}

/// Starts a new upload: `n` empty chunk slots (Anaplan Connect lists them and uploads one PUT per
/// listed id), or none when the count is unknown (-1) and the chunks decide.
fn start_upload(file: &mut StoredFile, n: i64) {
    file.meta.chunk_count = n;
    file.chunks = vec![None; usize::try_from(n).unwrap_or(0)];
}

/// A new file named after the path segment, as the real service does for an unknown file id,
/// with the defaults of Anaplan Connect's recorded create response.
fn new_file(model: &Model, name: &str) -> StoredFile {
    let id = ids::next_numeric(ids::FILE_PREFIX, model.files.keys().map(String::as_str));
    StoredFile::new(FileMeta {
        id,
        name: name.to_string(),
        chunk_count: 0,
        delimiter: Some("\"".into()),
        encoding: Some("UTF-8".into()),
        first_data_row: -1,
        format: Some("txt".into()),
        header_row: -1,
        separator: Some("\t".into()),
    })
}

/// Applies the layout fields a create request may carry (Anaplan Connect sends full metadata).
fn apply_layout(meta: &mut FileMeta, body: &Value) {
    let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
    let int = |k: &str| body.get(k).and_then(Value::as_i64);
    if let Some(v) = text("delimiter") {
        meta.delimiter = Some(v);
    }
    if let Some(v) = text("encoding") {
        meta.encoding = Some(v);
    }
    if let Some(v) = text("format") {
        meta.format = Some(v);
    }
    if let Some(v) = text("separator") {
        meta.separator = Some(v);
    }
    if let Some(v) = int("headerRow") {
        meta.header_row = v;
    }
    if let Some(v) = int("firstDataRow") {
        meta.first_data_row = v;
    }
}

/// The `chunkCount` of a set-chunk-count body: -1 (unknown) when absent, else -1..=1000.
fn requested_chunk_count(body: &Value, path: &str) -> Result<i64, ApiError> {
    let n = match body.get("chunkCount") {
        None | Some(Value::Null) => -1,
        Some(v) => v
            .as_i64()
            .ok_or_else(|| ApiError::bad_request(format!("Invalid chunkCount: {v}"), path))?,
    };
    if n < -1 || n > MAX_CHUNKS as i64 {
        return Err(ApiError::bad_request(
            format!("Invalid chunkCount {n}: a file has -1 (unknown) or 0 to {MAX_CHUNKS} chunks"),
            path,
        ));
    }
    Ok(n)
}

/// A JSON object body; an empty body counts as `{}`.
fn json_body(raw: &[u8], path: &str) -> Result<Value, ApiError> {
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Ok(json!({}));
    }
    match serde_json::from_slice::<Value>(raw) {
        Ok(v @ Value::Object(_)) => Ok(v),
        Ok(_) => Err(ApiError::bad_request(
            "The request body must be a JSON object",
            path,
        )),
        Err(e) => Err(ApiError::bad_request(
            format!("Invalid JSON in the request body: {e}"),
            path,
        )),
    }
}

/// A chunk id from the path: decimal, below [`MAX_CHUNKS`].
fn chunk_id(access: &ModelAccess) -> Option<usize> {
    access
        .param("chunkId")
        .parse::<usize>()
        .ok()
        .filter(|&n| n < MAX_CHUNKS)
}

/// Checks that chunk `n` may be written: within a known chunk count.
fn check_slot(file: &StoredFile, n: usize, path: &str) -> Result<(), ApiError> {
    match usize::try_from(file.meta.chunk_count) {
        Ok(count) if n >= count => Err(ApiError::bad_request(
            format!(
                "Chunk {n} is beyond the file's chunk count of {count}; set the chunk count (POST files/{{fileId}}) first"
            ),
            path,
        )),
        _ => Ok(()),
    }
}

// ---------------------------------------------------------------------------------------------
// Handlers

/// `GET files`: every file of the model, export output files included.
async fn list_files(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let mut items: Vec<Value> = {
        let store = state.store();
        let model = store
            .model(&access.model_id)
            .ok_or_else(|| ApiError::not_found(&access.path))?;
        model
            .files
            .values()
            .filter_map(|f| serde_json::to_value(&f.meta).ok())
            .collect()
    };
    sort_items(&mut items, query(&uri)?.get("sort"), None, uri.path())?;
    list_page(&state, &uri, Some(&access.model_id), "file", "files", items)
}

/// `POST files/{fileId}` with `{"chunkCount":N}` (or full metadata): starts an upload. An id that
/// is not a file of the model creates a new file named after it, with a new `113…` id.
async fn set_chunk_count(
    State(state): State<AppState>,
    access: ModelAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let raw = read_capped(body, &headers, MAX_JSON_BODY, "request body", &access.path).await?;
    let request = json_body(&raw, &access.path)?;
    let n = requested_chunk_count(&request, &access.path)?;
    let meta = {
        let mut store = state.store();
        let model = store
            .model_mut(&access.model_id)
            .ok_or_else(|| ApiError::not_found(&access.path))?;
        let file_id = access.param("fileId");
        if let Some(file) = model.files.get_mut(file_id) {
            start_upload(file, n);
            file.meta.clone()
        } else {
            let mut file = new_file(model, file_id);
            apply_layout(&mut file.meta, &request);
            start_upload(&mut file, n);
            let meta = file.meta.clone();
            model.files.insert(meta.id.clone(), file);
            meta
        }
    };
    Ok(file_envelope(&state, &access, &meta))
}

/// `PUT files/{fileId}/chunks/{chunkId}`: stores one chunk, inflating `application/x-gzip`.
async fn upload_chunk(
    State(state): State<AppState>,
    access: ModelAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let path = access.path.clone();
    let n = chunk_id(&access).ok_or_else(|| {
        ApiError::bad_request(
            format!(
                "Invalid chunk id '{}': chunk ids run from 0 to {}",
                access.param("chunkId"),
                MAX_CHUNKS - 1
            ),
            &path,
        )
    })?;
    // Refuse before storing up to 50 MB for nothing.
    if let Err(e) = with_file(&state, &access, |f| check_slot(f, n, &path)) {
        drain(body).await;
        return Err(e);
    }
    let data = if is_gzip(&headers) {
        let raw = read_capped(body, &headers, MAX_GZIP_BODY, "compressed chunk", &path).await?;
        tokio::task::spawn_blocking(move || gunzip_capped(&raw, MAX_CHUNK_BYTES))
            .await
            .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, e.to_string(), &path))?
            .map_err(|msg| ApiError::bad_request(msg, &path))?
    } else {
        read_capped(body, &headers, MAX_CHUNK_BYTES, "chunk", &path).await?
    };
    with_file(&state, &access, |f| {
        // The count may have been reset while the body travelled.
        check_slot(f, n, &path)?;
        if f.chunks.len() <= n {
            f.chunks.resize(n + 1, None);
        }
        f.chunks[n] = Some(data);
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `POST files/{fileId}/complete`: ends an upload; the chunk count becomes the number of chunks.
/// The body (file metadata in various forms, or `{}`) carries nothing the emulator needs.
async fn complete(
    State(state): State<AppState>,
    access: ModelAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let raw = read_capped(body, &headers, MAX_JSON_BODY, "request body", &access.path).await?;
    json_body(&raw, &access.path)?;
    let meta = with_file(&state, &access, |f| {
        while f.chunks.last().is_some_and(Option::is_none) {
            f.chunks.pop();
        }
        f.meta.chunk_count = f.chunks.len() as i64;
        Ok(f.meta.clone())
    })?;
    Ok(file_envelope(&state, &access, &meta))
}

/// `PUT files/{fileId}`: the whole file in one octet-stream body, stored as 50 MB chunks.
async fn upload_whole(
    State(state): State<AppState>,
    access: ModelAccess,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let path = access.path.clone();
    let refused = if is_gzip(&headers) {
        Err(ApiError::bad_request(
            "You cannot compress a file that you are uploading as a single file",
            &path,
        ))
    } else {
        with_file(&state, &access, |_| Ok(()))
    };
    if let Err(e) = refused {
        drain(body).await;
        return Err(e);
    }
    let pieces = read_split(body, &headers, MAX_CHUNK_BYTES, MAX_CHUNKS)
        .await
        .map_err(|e| body_error(e, "file", MAX_CHUNK_BYTES * MAX_CHUNKS, &path))?;
    let pieces: Vec<Option<Bytes>> = pieces
        .into_iter()
        .filter(|p| !p.is_empty())
        .map(Some)
        .collect();
    with_file(&state, &access, |f| {
        f.meta.chunk_count = pieces.len() as i64;
        f.chunks = pieces;
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET files/{fileId}/chunks`: the chunk slots (pre-created ones included); the key is
/// omitted when there are none.
async fn list_chunks(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let slots = with_file(&state, &access, |f| Ok(f.chunks.len()))?;
    let items = (0..slots)
        .map(|i| json!({"id": i.to_string(), "name": format!("Chunk {i}")}))
        .collect();
    list_page(
        &state,
        &uri,
        Some(&access.model_id),
        "chunk",
        "chunks",
        items,
    )
}

fn octet_stream(len: usize, body: Body) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        body,
    )
        .into_response()
}

/// `GET files/{fileId}/chunks/{chunkId}`: the chunk's bytes; 404 when it was never uploaded.
async fn download_chunk(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    let n = chunk_id(&access).ok_or_else(|| ApiError::not_found(&access.path))?;
    let data = with_file(&state, &access, |f| {
        f.chunks
            .get(n)
            .cloned()
            .flatten()
            .ok_or_else(|| ApiError::not_found(&access.path))
    })?;
    Ok(octet_stream(data.len(), Body::from(data)))
}

/// `GET files/{fileId}`: the whole file, streamed chunk by chunk (the chunks are shared, not
/// copied); 404 when the file holds no content.
async fn download(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    let chunks: Vec<Bytes> = with_file(&state, &access, |f| {
        if !f.has_content() {
            return Err(ApiError::not_found(&access.path));
        }
        Ok(f.present_chunks().cloned().collect())
    })?;
    let len = chunks.iter().map(Bytes::len).sum();
    let stream = futures_util::stream::iter(chunks.into_iter().map(Ok::<_, Infallible>));
    Ok(octet_stream(len, Body::from_stream(stream)))
}

/// `DELETE files/{fileId}`: drops the uploaded content, keeps the file. Like the real service,
/// the list keeps showing the old chunk count while the chunks are gone.
async fn delete_content(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    with_file(&state, &access, |f| {
        f.chunks.clear();
        Ok(())
    })?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::write::GzEncoder;
    use flate2::Compression;
    use std::io::Write;

    fn gzip(data: &[u8]) -> Vec<u8> {
        let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
        enc.write_all(data).unwrap();
        enc.finish().unwrap()
    }

    #[test]
    fn gunzip_keeps_data_within_the_cap() {
        let data = b"a,b,c\n1,2,3\n".repeat(100);
        let out = gunzip_capped(&gzip(&data), data.len()).unwrap();
        assert_eq!(&out[..], &data[..]);
    }

    #[test]
    fn gunzip_refuses_past_the_cap_and_garbage() {
        let data = vec![b'x'; 10_001];
        assert!(gunzip_capped(&gzip(&data), 10_000)
            .unwrap_err()
            .contains("more than"));
        assert!(gunzip_capped(b"not gzip at all", 10_000)
            .unwrap_err()
            .contains("not valid gzip"));
    }
}
