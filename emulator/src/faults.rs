//! Injected faults and conditions: error statuses (429 with `Retry-After`, 500, 503, ...),
//! connection resets in the middle of a request or a response, added latency, and a
//! per-connection bandwidth cap.
//!
//! # Rules
//!
//! A [`FaultRule`] names a [`Fault`] and says which requests it applies to:
//!
//! * `method`: an HTTP method (`PUT`); omitted: any method.
//! * `path`: a glob over the request path (without the query string). `*` matches any run of
//!   characters, `/` included; everything else matches itself; the whole path must match.
//!   `/2/0/*/files/*/chunks/*` matches chunk uploads in both path forms, `/2/0/*/chunks/3` only
//!   chunk 3, `*` every path. Omitted: `*`.
//! * `skip`: let the first K matching requests through untouched.
//! * `times`: fire at most M times, then never again. Omitted: no limit.
//! * `probability`: fire with this probability (0..=1), drawn from an RNG seeded with
//!   [`FaultConfig::seed`] (one RNG per rule, so rules do not disturb each other's sequences). The
//!   same requests in the same order give the same faults on every run. Omitted: always.
//!
//! Rules are tried in order. Latency rules add up; of the other kinds, the first rule that fires
//! wins, and later rules of those kinds neither fire nor count that request. The admin endpoint
//! (`/__emulator/...`) is never faulted.
//!
//! # Faults
//!
//! * `{"type":"status","code":429,"retryAfter":2}`: answer with that status (in the Integration
//!   API error shape) and, when given, `Retry-After: <seconds>`. The request body is read first, as
//!   a real server does, so keep-alive connections stay usable.
//! * `{"type":"resetRequest","afterBytes":1000}`: read that many bytes of the request body (or all
//!   of it, when shorter), then drop the connection with a TCP RST; no response is sent.
//! * `{"type":"resetResponse","afterBytes":100}`: run the request for real, send the status line,
//!   the headers (with the full `Content-Length`) and that many bytes of the body (at least one byte
//!   is always withheld), then reset the connection. A response without a body (204) is not sent at
//!   all: the change is made, the client never hears about it.
//! * `{"type":"latency","ms":250}`: wait that long before handling the request.
//!
//! [`FaultConfig::bandwidth`] caps every connection, in each direction, at that many bytes per
//! second (see [`crate::conn`]).
//!
//! # Compact syntax (the `--fault` flag)
//!
//! `KIND[:METHOD][:PATH][:OPTION=VALUE]...` where KIND is a status code (`429`, `503`, ...),
//! `reset-request`, `reset-response` or `latency`; METHOD is a method name (omit it, or write `ANY`,
//! for any); PATH starts with `/` or `*`; options are `skip=K`, `times=M`, `p=0.5`,
//! `retry-after=SECONDS` (statuses), `after=BYTES` (resets) and `ms=MILLIS` (latency). Examples:
//! `503:PUT:/2/0/*/chunks/3:times=1`, `429:/2/0/*:p=0.1:retry-after=2`, `latency:ms=200`.
//! A path containing `:` needs the JSON form (`--faults-file`).

use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http_body_util::BodyExt;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::api::ApiError;
use crate::conn::ConnControl;
use crate::state::AppState;

/// The faults configured at start-up (`EmulatorConfig::faults`, CLI flags) or through the admin
/// endpoint (`/__emulator/faults`, same JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the RNG behind `probability`.
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
    /// Bytes per second per connection and direction; `None` (or 0): unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<u64>,
}

/// One rule: which requests, which fault, how often. See the module documentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default = "any_path")]
    pub path: String,
    pub fault: Fault,
    #[serde(default)]
    pub skip: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

fn any_path() -> String {
    "*".into()
}

/// What happens to a request a rule fires on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    Status {
        code: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    ResetRequest {
        #[serde(default)]
        after_bytes: u64,
    },
    ResetResponse {
        #[serde(default)]
        after_bytes: u64,
    },
    Latency {
        ms: u64,
    },
}

impl Fault {
    /// The name the request log gives this fault.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::ResetRequest { .. } => "resetRequest",
            Fault::ResetResponse { .. } => "resetResponse",
            Fault::Latency { .. } => "latency",
        }
    }
}

impl FaultRule {
    /// A rule for every request with this fault.
    pub fn everywhere(fault: Fault) -> FaultRule {
        FaultRule {
            method: None,
            path: any_path(),
            fault,
            skip: 0,
            times: None,
            probability: None,
        }
    }

    fn validate(&self) -> Result<(), String> {
        if let Fault::Status { code, .. } = self.fault {
            if !(400..=599).contains(&code) {
                return Err(format!(
                    "status {code} is not an error status; use 400 to 599"
                ));
            }
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("probability {p} is outside 0 to 1"));
            }
        }
        if self.path.is_empty() {
            return Err("the path pattern is empty; use * for every path".into());
        }
        Ok(())
    }

    fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None => true,
            Some(m) => m.eq_ignore_ascii_case(method) || m.eq_ignore_ascii_case("ANY"),
        };
        method_ok && glob_match(&self.path, path)
    }
}

impl FaultConfig {
    /// Checks every rule; the error names the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate()
                .map_err(|e| format!("rule {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

/// `*` matches any run of characters (slashes included); the rest matches literally.
/// The classic greedy-with-backtrack glob walk: linear in practice, no recursion.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl FromStr for FaultRule {
    type Err = String;

    /// Parses the compact syntax described in the module documentation.
    fn from_str(s: &str) -> Result<FaultRule, String> {
        let mut parts = s.split(':');
        let kind = parts.next().unwrap_or_default();
        let mut rule = FaultRule::everywhere(parse_kind(kind)?);
        let mut path_seen = false;
        for part in parts {
            if let Some((key, value)) = part.split_once('=') {
                apply_option(&mut rule, key, value)?;
            } else if part.starts_with('/') || part.starts_with('*') {
                if path_seen {
                    return Err(format!("two paths in '{s}'"));
                }
                rule.path = part.to_string();
                path_seen = true;
            } else if !part.is_empty() && part.chars().all(|c| c.is_ascii_alphabetic()) {
                rule.method = Some(part.to_ascii_uppercase()).filter(|m| m != "ANY");
            } else {
                return Err(format!(
                    "cannot read '{part}' in '{s}': expected a method, a path starting with / or *, or OPTION=VALUE"
                ));
            }
        }
        rule.validate()?;
        Ok(rule)
    }
}

fn parse_kind(kind: &str) -> Result<Fault, String> {
    match kind {
        "reset-request" => Ok(Fault::ResetRequest { after_bytes: 0 }),
        "reset-response" => Ok(Fault::ResetResponse { after_bytes: 0 }),
        "latency" => Ok(Fault::Latency { ms: 0 }),
        code => code
            .parse::<u16>()
            .map(|code| Fault::Status {
                code,
                retry_after: None,
            })
            .map_err(|_| {
                format!(
                    "unknown fault '{kind}': use a status code (429, 503, ...), reset-request, reset-response or latency"
                )
            }),
    }
}

fn apply_option(rule: &mut FaultRule, key: &str, value: &str) -> Result<(), String> {
    let number = || {
        value
            .parse::<u64>()
            .map_err(|_| format!("{key}={value}: expected a whole number"))
    };
    match (key, &mut rule.fault) {
        ("skip", _) => rule.skip = number()?,
        ("times", _) => rule.times = Some(number()?),
        ("p" | "probability", _) => {
            rule.probability = Some(
                value
                    .parse::<f64>()
                    .map_err(|_| format!("{key}={value}: expected a number from 0 to 1"))?,
            )
        }
        ("retry-after", Fault::Status { retry_after, .. }) => *retry_after = Some(number()?),
        (
            "after",
            Fault::ResetRequest { after_bytes } | Fault::ResetResponse { after_bytes },
        ) => *after_bytes = number()?,
        ("ms", Fault::Latency { ms }) => *ms = number()?,
        _ => {
            return Err(format!(
                "option '{key}' does not apply to a {} fault (options: skip, times, p, retry-after for statuses, after for resets, ms for latency)",
                rule.fault.name()
            ))
        }
    }
    Ok(())
}

/// Per-rule bookkeeping: how many requests matched, how many were faulted, and the rule's RNG.
struct Counter {
    seen: u64,
    fired: u64,
    rng: StdRng,
}

impl Counter {
    fn new(seed: u64, index: usize) -> Counter {
        // Spread the index over the seed's bits so neighbouring rules get unrelated streams.
        let mixed = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Counter {
            seen: 0,
            fired: 0,
            rng: StdRng::seed_from_u64(mixed),
        }
    }

    /// Counts one matching request and says whether the rule fires on it.
    fn fires(&mut self, rule: &FaultRule) -> bool {
        let n = self.seen;
        self.seen += 1;
        if n < rule.skip || rule.times.is_some_and(|t| self.fired >= t) {
            return false;
        }
        if let Some(p) = rule.probability {
            if self.rng.gen::<f64>() >= p {
                return false;
            }
        }
        self.fired += 1;
        true
    }
}

struct Active {
    config: FaultConfig,
    counters: Vec<Counter>,
}

/// What to do with one request.
#[derive(Debug, Default)]
pub struct Decision {
    pub latency: Duration,
    /// A status or reset fault (never `Latency`; that is summed into `latency`).
    pub fault: Option<Fault>,
}

/// The live fault set, shared by every connection.
pub struct Faults {
    active: Mutex<Active>,
    /// Read by every connection on each read and write, so changes apply at once.
    bandwidth: Arc<AtomicU64>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        let faults = Faults {
            active: Mutex::new(Active {
                config: FaultConfig::default(),
                counters: Vec::new(),
            }),
            bandwidth: Arc::new(AtomicU64::new(0)),
        };
        faults.install(config);
        faults
    }

    fn lock(&self) -> MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Replaces the whole set; counters and RNGs start over.
    pub fn replace(&self, config: FaultConfig) -> Result<(), String> {
        config.validate()?;
        self.install(config);
        Ok(())
    }

    fn install(&self, config: FaultConfig) {
        let mut active = self.lock();
        active.counters = (0..config.rules.len())
            .map(|i| Counter::new(config.seed, i))
            .collect();
        self.bandwidth
            .store(config.bandwidth.unwrap_or(0), Ordering::Relaxed);
        active.config = config;
    }

    /// Appends a rule; the other rules keep their counts.
    pub fn add_rule(&self, rule: FaultRule) -> Result<(), String> {
        rule.validate()?;
        let mut active = self.lock();
        let counter = Counter::new(active.config.seed, active.config.rules.len());
        active.counters.push(counter);
        active.config.rules.push(rule);
        Ok(())
    }

    /// The per-connection bandwidth cap (bytes per second, 0 = unlimited), shared with connections.
    pub fn bandwidth_limit(&self) -> Arc<AtomicU64> {
        self.bandwidth.clone()
    }

    /// Counts the request against every rule it matches and says what to do with it.
    pub fn decide(&self, method: &str, path: &str) -> Decision {
        let mut guard = self.lock();
        let Active { config, counters } = &mut *guard;
        let mut decision = Decision::default();
        for (rule, counter) in config.rules.iter().zip(counters.iter_mut()) {
            let is_latency = matches!(rule.fault, Fault::Latency { .. });
            if !rule.matches(method, path) || (!is_latency && decision.fault.is_some()) {
                continue;
            }
            if !counter.fires(rule) {
                continue;
            }
            match &rule.fault {
                Fault::Latency { ms } => decision.latency += Duration::from_millis(*ms),
                other => decision.fault = Some(other.clone()),
            }
        }
        decision
    }
}

/// The middleware that applies the fault set to every request but the admin endpoint's.
pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if crate::admin::is_admin_path(req.uri().path()) {
        return next.run(req).await;
    }
    let decision = state.faults.decide(req.method().as_str(), req.uri().path());
    if !decision.latency.is_zero() {
        tokio::time::sleep(decision.latency).await;
    }
    let Some(fault) = decision.fault else {
        return next.run(req).await;
    };
    crate::reqlog::note_fault(&req, fault.name());
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_paths_and_stars_cross_slashes() {
        let chunks = "/2/0/*/files/*/chunks/*";
        assert!(glob_match(
            chunks,
            "/2/0/workspaces/W/models/M/files/113000000000/chunks/3"
        ));
        assert!(glob_match(chunks, "/2/0/models/M/files/F/chunks/0"));
        assert!(!glob_match(chunks, "/2/0/models/M/files/F"));
        assert!(glob_match("/2/0/*/chunks/3", "/2/0/m/files/f/chunks/3"));
        assert!(!glob_match("/2/0/*/chunks/3", "/2/0/m/files/f/chunks/30"));
        assert!(glob_match("*", "/anything"));
        assert!(glob_match("/token/authenticate", "/token/authenticate"));
        assert!(!glob_match("/token/auth", "/token/authenticate"));
    }

    #[test]
    fn compact_rules_parse() {
        let r: FaultRule = "503:PUT:/2/0/*/chunks/*:times=1:skip=2".parse().unwrap();
        assert_eq!(r.method.as_deref(), Some("PUT"));
        assert_eq!(r.path, "/2/0/*/chunks/*");
        assert_eq!((r.skip, r.times), (2, Some(1)));
        assert_eq!(
            r.fault,
            Fault::Status {
                code: 503,
                retry_after: None
            }
        );
        let r: FaultRule = "429:any:/x:retry-after=3:p=0.25".parse().unwrap();
        assert_eq!(r.method, None);
        assert_eq!(r.probability, Some(0.25));
        assert_eq!(
            r.fault,
            Fault::Status {
                code: 429,
                retry_after: Some(3)
            }
        );
        let r: FaultRule = "reset-response:GET:after=10".parse().unwrap();
        assert_eq!(r.fault, Fault::ResetResponse { after_bytes: 10 });
        assert_eq!(r.path, "*");
        let r: FaultRule = "latency:ms=20".parse().unwrap();
        assert_eq!(r.fault, Fault::Latency { ms: 20 });
    }

    #[test]
    fn bad_compact_rules_say_why() {
        for (text, needle) in [
            ("boom", "unknown fault"),
            ("200", "not an error status"),
            ("503:ms=3", "does not apply"),
            ("503:p=2", "outside 0 to 1"),
            ("503:/a:/b", "two paths"),
            ("503:times=x", "whole number"),
            ("503:PU-T", "cannot read"),
        ] {
            let err = text.parse::<FaultRule>().unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn json_round_trips_and_rejects_unknown_fields() {
        let json = r#"{"seed":7,"bandwidth":1000,"rules":[
            {"method":"PUT","path":"/x/*","fault":{"type":"status","code":429,"retryAfter":2},"skip":1,"times":2},
            {"fault":{"type":"resetRequest","afterBytes":5}},
            {"fault":{"type":"latency","ms":3},"probability":0.5}]}"#;
        let config: FaultConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.rules[1].path, "*");
        assert_eq!(
            config.rules[0].fault,
            Fault::Status {
                code: 429,
                retry_after: Some(2)
            }
        );
        let again: FaultConfig =
            serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(again, config);
        assert!(
            serde_json::from_str::<FaultRule>(r#"{"fault":{"type":"latency","ms":1},"x":1}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<FaultRule>(
            r#"{"fault":{"type":"latency","ms":1,"afterBytes":1}}"#
        )
        .is_err());
    }

    #[test]
    fn skip_times_and_first_terminal_rule_wins() {
        let faults = Faults::new(FaultConfig {
            rules: vec![
                "latency:ms=5".parse().unwrap(),
                "503:PUT:/c/*:skip=1:times=2".parse().unwrap(),
                "500:/c/*".parse().unwrap(),
            ],
            ..FaultConfig::default()
        });
        let codes: Vec<Option<u16>> = (0..5)
            .map(|_| {
                let d = faults.decide("PUT", "/c/1");
                assert_eq!(d.latency, Duration::from_millis(5));
                d.fault.map(|f| match f {
                    Fault::Status { code, .. } => code,
                    _ => 0,
                })
            })
            .collect();
        assert_eq!(
            codes,
            [Some(500), Some(503), Some(503), Some(500), Some(500)]
        );
        assert!(faults.decide("GET", "/d").fault.is_none());
    }

    #[test]
    fn probability_is_repeatable_for_a_seed() {
        let run = |seed| {
            let faults = Faults::new(FaultConfig {
                seed,
                rules: vec!["503:p=0.5".parse().unwrap()],
                ..FaultConfig::default()
            });
            (0..64)
                .map(|_| faults.decide("GET", "/").fault.is_some())
                .collect::<Vec<bool>>()
        };
        let a = run(11);
        assert_eq!(a, run(11));
        assert_ne!(a, run(12));
        assert!(a.contains(&true) && a.contains(&false));
    }
}
