//! The request log that tests read and clear through the admin endpoint
//! (`GET`/`DELETE /__emulator/requests`).
//!
//! Every request except the admin endpoint's own is recorded once it is over: when its response
//! body has been sent, or when the connection died first. The log keeps the last
//! [`CAPACITY`] entries.

use std::collections::VecDeque;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};
use serde::Serialize;

use crate::api::iso_timestamp;
use crate::state::{now_ms, AppState};

/// How many entries the log keeps; older ones are dropped first.
pub const CAPACITY: usize = 100_000;

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

struct Ring {
    entries: VecDeque<LogEntry>,
    next_seq: u64,
}

pub struct RequestLog {
    ring: Mutex<Ring>,
}

impl Default for RequestLog {
    fn default() -> Self {
        RequestLog {
            ring: Mutex::new(Ring {
                entries: VecDeque::new(),
                next_seq: 1,
            }),
        }
    }
}

impl RequestLog {
    fn lock(&self) -> MutexGuard<'_, Ring> {
        self.ring.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every entry kept, oldest first.
    pub fn entries(&self) -> Vec<LogEntry> {
        self.since(0)
    }

    /// The entries with `seq` greater than `after`, oldest first.
    pub fn since(&self, after: u64) -> Vec<LogEntry> {
        self.lock()
            .entries
            .iter()
            .filter(|e| e.seq > after)
            .cloned()
            .collect()
    }

    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    fn push(&self, mut entry: LogEntry) {
        let mut ring = self.lock();
        entry.seq = ring.next_seq;
        ring.next_seq += 1;
        if ring.entries.len() >= CAPACITY {
            ring.entries.pop_front();
        }
        ring.entries.push_back(entry);
    }
}

/// What the middleware and the fault layer fill in while a request runs; the request carries it
/// in its extensions.
#[derive(Default)]
pub struct LogCell {
    bytes_in: AtomicU64,
    fault: Mutex<Option<&'static str>>,
}

/// Marks the request as hit by an injected fault, for its log entry.
pub fn note_fault(req: &Request, name: &'static str) {
    if let Some(cell) = req.extensions().get::<Arc<LogCell>>() {
        *cell.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(name);
    }
}

/// A request in flight. Dropping it writes the entry, so a request whose connection was killed
/// (its future dropped) is logged too.
struct InFlight {
    state: AppState,
    cell: Arc<LogCell>,
    entry: LogEntry,
    started: Instant,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        let mut entry = std::mem::replace(&mut self.entry, empty_entry());
        entry.bytes_in = self.cell.bytes_in.load(Ordering::Relaxed);
        entry.fault = self
            .cell
            .fault
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .map(str::to_string);
        entry.duration_ms = self.started.elapsed().as_millis() as u64;
        self.state.log.push(entry);
    }
}

fn empty_entry() -> LogEntry {
    LogEntry {
        seq: 0,
        method: String::new(),
        path: String::new(),
        query: None,
        status: 0,
        request_content_type: None,
        bytes_in: 0,
        bytes_out: 0,
        complete: false,
        fault: None,
        timestamp: String::new(),
        duration_ms: 0,
    }
}

/// The middleware that records every request but the admin endpoint's.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if crate::admin::is_admin_path(req.uri().path()) {
        return next.run(req).await;
    }
    let cell = Arc::new(LogCell::default());
    let mut flight = InFlight {
        state,
        cell: cell.clone(),
        entry: LogEntry {
            method: req.method().to_string(),
            path: req.uri().path().to_string(),
            query: req.uri().query().map(str::to_string),
            request_content_type: req
                .headers()
                .get(header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string),
            timestamp: iso_timestamp(now_ms()),
            ..empty_entry()
        },
        started: Instant::now(),
    };
    let (mut parts, body) = req.into_parts();
    parts.extensions.insert(cell.clone());
    let body = Body::new(CountingBody {
        inner: body,
        counter: cell,
    });
    let res = next.run(Request::from_parts(parts, body)).await;
    flight.entry.status = res.status().as_u16();
    res.map(|inner| {
        Body::new(LoggedBody {
            inner,
            flight: Some(flight),
        })
    })
}

/// The request body, counting the bytes the handler reads.
struct CountingBody {
    inner: Body,
    counter: Arc<LogCell>,
}

impl HttpBody for CountingBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        if let Some(Ok(f)) = &frame {
            let n = f.data_ref().map_or(0, |d| d.len() as u64);
            self.counter.bytes_in.fetch_add(n, Ordering::Relaxed);
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// The response body, counting the bytes sent; the entry is written when it is dropped.
struct LoggedBody {
    inner: Body,
    flight: Option<InFlight>,
}

impl HttpBody for LoggedBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        let frame = ready!(Pin::new(&mut self.inner).poll_frame(cx));
        match &frame {
            Some(Ok(f)) => {
                let n = f.data_ref().map_or(0, |d| d.len() as u64);
                if let Some(flight) = &mut self.flight {
                    flight.entry.bytes_out += n;
                }
            }
            None => {
                if let Some(flight) = &mut self.flight {
                    flight.entry.complete = true;
                }
            }
            Some(Err(_)) => {}
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for LoggedBody {
    fn drop(&mut self) {
        if let Some(mut flight) = self.flight.take() {
            // hyper stops polling once the body says it has ended, so "ended" is the test of a
            // complete response, not a final `None` frame.
            flight.entry.complete |= self.inner.is_end_stream();
            drop(flight);
        }
    }
}
