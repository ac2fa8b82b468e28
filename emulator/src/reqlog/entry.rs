//! One entry of the request log.

use serde::Serialize;

/// One request as the emulator saw it.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// Increases by one per entry, in the order requests finished; survives clearing.
    pub seq: u64,
    pub method: String,
    /// The path without the query string.
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// The status sent; 0 when the connection was dropped before any response.
    pub status: u16,
    /// The request's `Content-Type`, when it had one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_content_type: Option<String>,
    /// Request body bytes read, as they came over the wire (a gzip chunk counts compressed).
    pub bytes_in: u64,
    /// Response body bytes sent.
    pub bytes_out: u64,
    /// False when the response body was cut short (an injected reset, or a client that left).
    pub complete: bool,
    /// The injected fault that hit this request (`status`, `resetRequest`, `resetResponse`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
    /// When the request arrived (ISO 8601, UTC).
    pub timestamp: String,
    /// From arrival to the end of the response (or of the connection).
    pub duration_ms: u64,
}
