//! The fault middleware: applies the decision of the fault set to each request (but the admin
//! endpoint's): a status answer, a reset mid-request or mid-response, added latency.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;

use super::rules::Fault;
use crate::conn::ConnControl;
use crate::state::AppState;
use crate::wire::ApiError;

/// The middleware that applies the fault set to every request but the admin endpoint's.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if crate::admin_path::is_admin_path(req.uri().path()) {
        return next.run(req).await;
    }
    let decision = state.faults.decide(req.method().as_str(), req.uri().path());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let Some(fault) = decision.fault else {
        return next.run(req).await;
    };
    crate::reqlog::log::note_fault(&req, fault.name());
    match fault {
        Fault::Status { code, retry_after } => status_response(req, code, retry_after).await,
        Fault::ResetRequest { after_bytes } => reset_request(req, after_bytes).await,
        Fault::ResetResponse { after_bytes } => {
            let ctl = req.extensions().get::<Arc<ConnControl>>().cloned();
            let path = req.uri().path().to_string();
            let res = next.run(req).await;
            match ctl {
                Some(ctl) => reset_response(res, after_bytes, ctl).await,
                None => no_connection(&path),
            }
        }
        // Latency is summed into `decision.latency` and never chosen as the fault.
        Fault::Latency { .. } => next.run(req).await,
    }
}

async fn status_response(req: Request, code: u16, retry_after: Option<u64>) -> Response {
    let path = req.uri().path().to_string();
    // Read the body as a real server would, so the client is not cut off mid-upload and the
    // connection stays usable for keep-alive.
    let mut body = req.into_body();
    while let Some(Ok(_)) = body.frame().await {}
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let message = status.canonical_reason().unwrap_or("Injected fault");
    let mut res = ApiError::new(status, message, path).into_response();
    if let Some(secs) = retry_after {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

/// A reset needs the emulator's own connection layer; a router served some other way says so.
fn no_connection(path: &str) -> Response {
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        "Connection reset faults need the emulator's server (anaplan_emulator::start)",
        path,
    )
    .into_response()
}

async fn reset_request(req: Request, after_bytes: u64) -> Response {
    let Some(ctl) = req.extensions().get::<Arc<ConnControl>>().cloned() else {
        return no_connection(req.uri().path());
    };
    let mut body = req.into_body();
    let mut read = 0u64;
    while read < after_bytes {
        match body.frame().await {
            Some(Ok(frame)) => read += frame.data_ref().map_or(0, |d| d.len() as u64),
            _ => break,
        }
    }
    ctl.kill();
    // The connection task drops this future (and the socket) as soon as it sees the kill.
    std::future::pending().await
}

async fn reset_response(res: Response, after_bytes: u64, ctl: Arc<ConnControl>) -> Response {
    let (mut parts, body) = res.into_parts();
    let bytes = match body.collect().await {
        Ok(c) => c.to_bytes(),
        Err(_) => Bytes::new(),
    };
    if bytes.is_empty() {
        ctl.kill();
        return std::future::pending().await;
    }
    // Withhold at least one byte so the response is cut short whatever `after_bytes` says.
    let sent = (after_bytes as usize).min(bytes.len() - 1);
    parts
        .headers
        .insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    let head = bytes.slice(..sent);
    Response::from_parts(parts, Body::new(crate::conn::TruncatedBody::new(head, ctl)))
}
