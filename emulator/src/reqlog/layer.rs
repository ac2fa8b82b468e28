//! The request-log middleware: counts the bytes of each request and response and writes the
//! entry once the request is over.

use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::task::{ready, Context, Poll};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use hyper::body::{Body as HttpBody, Frame, SizeHint};

use super::entry::LogEntry;
use super::log::LogCell;
use crate::clock::{iso_timestamp, now_ms};
use crate::state::AppState;

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
    if crate::admin_path::is_admin_path(req.uri().path()) {
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
