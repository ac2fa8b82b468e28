//! One HTTP exchange: the request and response types the other modules use, the one
//! `reqwest::blocking::Client` of a connection, and how transport errors are classified for
//! retries.

use std::fmt;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION, RETRY_AFTER};
use serde_json::Value;

use super::cancel::CancelToken;
use super::config::Config;
use super::error::{Error, Result};
use super::log::{Level, Logger};
use super::retry::{parse_retry_after, Attempts, Failure, RetryMode, RetryPolicy};
use super::secret::Secret;
use super::tls_failure::tls_failure;

pub use reqwest::header::HeaderMap;
pub use reqwest::Method;

const USER_AGENT: &str = concat!("anaplan-native/", env!("CARGO_PKG_VERSION"));

/// A request to Anaplan. `path_or_url` is either a path after `/2/0` of the API host
/// (`/workspaces/...`) or a full URL (the auth host, a paging link).
#[derive(Clone, Debug)]
pub struct Request {
    pub method: Method,
    pub path_or_url: String,
    /// Extra headers. `Accept: application/json` is sent unless one is given here; the
    /// `Authorization` header is added by the connection.
    pub headers: Vec<(String, String)>,
    pub body: Option<Bytes>,
    pub retry: RetryMode,
    /// Overrides the connection's request timeout for this request.
    pub timeout: Option<Duration>,
}

impl Request {
    /// A request without body. POST defaults to [`RetryMode::NotIfSent`] (it may start
    /// something); every other method to [`RetryMode::Idempotent`]. Use [`Request::retry`] for
    /// POSTs that are safe to repeat.
    pub fn new(method: Method, path_or_url: impl Into<String>) -> Request {
        let retry = if method == Method::POST {
            RetryMode::NotIfSent
        } else {
            RetryMode::Idempotent
        };
        Request {
            method,
            path_or_url: path_or_url.into(),
            headers: Vec::new(),
            body: None,
            retry,
            timeout: None,
        }
    }

    pub fn get(path_or_url: impl Into<String>) -> Request {
        Request::new(Method::GET, path_or_url)
    }
    pub fn post(path_or_url: impl Into<String>) -> Request {
        Request::new(Method::POST, path_or_url)
    }
    pub fn put(path_or_url: impl Into<String>) -> Request {
        Request::new(Method::PUT, path_or_url)
    }
    pub fn delete(path_or_url: impl Into<String>) -> Request {
        Request::new(Method::DELETE, path_or_url)
    }

    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Request {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn body(mut self, body: impl Into<Bytes>) -> Request {
        self.body = Some(body.into());
        self
    }

    /// A JSON body with `Content-Type: application/json`.
    pub fn json(self, value: &Value) -> Request {
        self.header("Content-Type", "application/json")
            .body(value.to_string())
    }

    pub fn retry(mut self, mode: RetryMode) -> Request {
        self.retry = mode;
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Request {
        self.timeout = Some(timeout);
        self
    }
}

/// An HTTP answer, read whole. Non-2xx statuses are answers too: see [`Response::ensure_success`].
#[derive(Clone)]
pub struct Response {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The request's method and path (with query, without host), for error messages.
    pub method: Method,
    pub path: String,
}

impl fmt::Debug for Response {
    // Bodies can carry token values (sign-in answers): never print them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Response")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("status", &self.status)
            .field("body_len", &self.body.len())
            .finish()
    }
}

impl Response {
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as JSON; `Error::Protocol` when it is not.
    pub fn json(&self) -> Result<Value> {
        serde_json::from_slice(&self.body).map_err(|e| Error::Protocol {
            path: self.path.clone(),
            message: format!("the body is not JSON ({e})"),
        })
    }

    /// The body as text (invalid UTF-8 replaced).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// `Ok(self)` for 2xx, else `Error::Http` with Anaplan's message.
    pub fn ensure_success(self) -> Result<Response> {
        if self.is_success() {
            return Ok(self);
        }
        let mut message = self.error_message();
        if self.status == 407 {
            // Not Anaplan's answer: the proxy's, which wants its own credentials.
            message.push_str(
                "; the proxy asks for its own credentials (not Anaplan's): put them in the proxy URL",
            );
        }
        Err(Error::Http {
            method: self.method.to_string(),
            path: self.path.clone(),
            status: self.status,
            message,
        })
    }

    /// Anaplan's explanation of an error status: `status.message` of the Integration API,
    /// `statusMessage` of the auth service, else a short piece of the body or the reason phrase.
    pub fn error_message(&self) -> String {
        if let Ok(v) = serde_json::from_slice::<Value>(&self.body) {
            let found = v
                .pointer("/status/message")
                .or_else(|| v.get("statusMessage"))
                .or_else(|| v.get("message"))
                .and_then(Value::as_str);
            if let Some(m) = found {
                return m.to_string();
            }
        }
        let text = self.text();
        let text = text.trim();
        if !text.is_empty() && !text.starts_with('{') {
            return text.chars().take(200).collect();
        }
        reqwest::StatusCode::from_u16(self.status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("no message")
            .to_string()
    }

    /// The server's `Retry-After`, when it sent one that parses.
    pub fn retry_after(&self) -> Option<Duration> {
        parse_retry_after(self.header(RETRY_AFTER.as_str())?, SystemTime::now())
    }
}

/// The HTTP side of a connection: one pooled client, the base URLs, the retry settings.
pub(crate) struct Transport {
    http: reqwest::blocking::Client,
    api_base: String,
    request_timeout: Duration,
    policy: RetryPolicy,
}

impl Transport {
    /// Builds the client: native TLS with verification on, the extra CA bundle, the proxy
    /// (otherwise the system's proxy variables), timeouts, no redirects (a token must not follow
    /// one anywhere).
    pub fn new(config: &Config) -> Result<Transport> {
        let mut builder = reqwest::blocking::Client::builder()
            .use_native_tls()
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(USER_AGENT);
        if let Some(proxy) = &config.proxy {
            let proxy = reqwest::Proxy::all(proxy).map_err(|e| {
                Error::invalid(format!(
                    "proxy {} cannot be used: {e}",
                    config.redacted_proxy().unwrap_or_default()
                ))
            })?;
            builder = builder.proxy(proxy);
        }
        if let Some(path) = &config.ca_bundle {
            let pem = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| {
                Error::invalid(format!(
                    "CA bundle {}: not PEM certificates ({e})",
                    path.display()
                ))
            })?;
            if certs.is_empty() {
                return Err(Error::invalid(format!(
                    "CA bundle {} holds no PEM certificate",
                    path.display()
                )));
            }
            for cert in certs {
                builder = builder.add_root_certificate(cert);
            }
        }
        let http = builder
            .build()
            .map_err(|e| Error::invalid(format!("cannot set up HTTPS: {}", describe(&e))))?;
        Ok(Transport {
            http,
            api_base: format!("{}/2/0", config.api_url.trim_end_matches('/')),
            request_timeout: config.request_timeout,
            policy: RetryPolicy::from_config(config),
        })
    }

    /// `{api_url}/2/0{path}`; a full URL is left alone.
    pub fn url_for(&self, path_or_url: &str) -> String {
        if path_or_url.starts_with("https://") || path_or_url.starts_with("http://") {
            path_or_url.to_string()
        } else if path_or_url.starts_with('/') {
            format!("{}{path_or_url}", self.api_base)
        } else {
            format!("{}/{path_or_url}", self.api_base)
        }
    }

    /// Sends with retries as the request's mode allows. `auth` is the whole `Authorization`
    /// value.
    pub fn send(
        &self,
        req: &Request,
        auth: Option<&Secret>,
        logger: &Logger,
        cancel: Option<&CancelToken>,
    ) -> Result<Response> {
        let url = self.url_for(&req.path_or_url);
        let path = display_path(&url);
        let method = req.method.as_str();
        Attempts {
            policy: &self.policy,
            mode: req.retry,
            method,
            path: &path,
            logger,
            cancel,
        }
        .run(|| self.execute(req, &url, &path, auth, logger))
    }

    /// One attempt, read to the end.
    fn execute(
        &self,
        req: &Request,
        url: &str,
        path: &str,
        auth: Option<&Secret>,
        logger: &Logger,
    ) -> std::result::Result<Response, Failure> {
        let timeout = req.timeout.unwrap_or(self.request_timeout);
        let mut headers = HeaderMap::new();
        for (name, value) in &req.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Failure::Fatal(Error::invalid(format!("bad header name {name:?}"))))?;
            let value = HeaderValue::from_str(value).map_err(|_| {
                Failure::Fatal(Error::invalid(format!("bad value for header {name}")))
            })?;
            headers.append(name, value);
        }
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        if let Some(auth) = auth {
            let mut value = HeaderValue::from_str(auth.expose()).map_err(|_| {
                Failure::Fatal(Error::Credentials(
                    "the credentials contain characters that cannot go in an HTTP header".into(),
                ))
            })?;
            // Keeps it out of the HTTP stack's own debug output.
            value.set_sensitive(true);
            headers.insert(AUTHORIZATION, value);
        }
        let mut builder = self
            .http
            .request(req.method.clone(), url)
            .headers(headers)
            .timeout(timeout);
        let sent_bytes = req.body.as_ref().map_or(0, Bytes::len);
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let started = Instant::now();
        let outcome = builder.send().and_then(|res| {
            let status = res.status().as_u16();
            let headers = res.headers().clone();
            res.bytes().map(|body| (status, headers, body))
        });
        let elapsed = started.elapsed();
        match outcome {
            Ok((status, headers, body)) => {
                logger.log_with(Level::Debug, || {
                    format!(
                        "{} {path} -> {status} in {} ms ({sent_bytes} bytes sent, {} received)",
                        req.method,
                        elapsed.as_millis(),
                        body.len()
                    )
                });
                Ok(Response {
                    status,
                    headers,
                    body,
                    method: req.method.clone(),
                    path: path.to_string(),
                })
            }
            Err(e) => {
                let failure = classify(&e, timeout);
                logger.log_with(Level::Debug, || {
                    format!(
                        "{} {path} -> no answer after {} ms: {failure:?}",
                        req.method,
                        elapsed.as_millis()
                    )
                });
                Err(failure)
            }
        }
    }
}

/// Path and query of a URL, for logs and errors (the host is known from the configuration).
pub(crate) fn display_path(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(u) => match u.query() {
            Some(q) => format!("{}?{q}", u.path()),
            None => u.path().to_string(),
        },
        Err(_) => url.to_string(),
    }
}

fn classify(e: &reqwest::Error, timeout: Duration) -> Failure {
    if let Some(message) = tls_failure(e, &host_of(e)) {
        Failure::Fatal(Error::Tls { message })
    } else if e.is_builder() {
        Failure::Fatal(Error::invalid(format!(
            "cannot build the request: {}",
            describe(e)
        )))
    } else if e.is_connect() {
        Failure::NotSent(format!("cannot connect: {}", describe(e)))
    } else if e.is_timeout() {
        Failure::TimedOut(format!("no answer within {} ms", timeout.as_millis()))
    } else {
        Failure::Lost(format!("connection lost: {}", describe(e)))
    }
}

/// `host:port` of the request that failed (never the URL's user part or path).
fn host_of(e: &reqwest::Error) -> String {
    match e.url() {
        Some(u) => match (u.host_str(), u.port_or_known_default()) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => "the server".to_string(),
        },
        None => "the server".to_string(),
    }
}

/// The error and its causes, without the URL (already known to the caller).
fn describe(e: &reqwest::Error) -> String {
    let mut parts = Vec::new();
    let mut source: Option<&dyn std::error::Error> = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.contains(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn response(status: u16, body: &str) -> Response {
        Response {
            status,
            headers: HeaderMap::new(),
            body: Bytes::from(body.to_string()),
            method: Method::GET,
            path: "/2/0/users/me".into(),
        }
    }

    #[test]
    fn error_messages_come_from_either_service_shape() {
        let api = response(
            404,
            r#"{"status":{"code":404,"message":"Not Found"},"path":"/x"}"#,
        );
        assert_eq!(api.error_message(), "Not Found");
        let auth = response(
            401,
            r#"{"status":"FAILURE_BAD_CREDENTIAL","statusMessage":"Invalid username or password"}"#,
        );
        assert_eq!(auth.error_message(), "Invalid username or password");
        assert_eq!(response(502, "").error_message(), "Bad Gateway");
        assert_eq!(
            response(500, "upstream broke").error_message(),
            "upstream broke"
        );
        match response(409, r#"{"status":{"code":409,"message":"Busy"}}"#).ensure_success() {
            Err(Error::Http {
                status, message, ..
            }) => assert_eq!((status, message.as_str()), (409, "Busy")),
            other => panic!("{other:?}"),
        }
        assert!(response(204, "").ensure_success().is_ok());
        // A proxy's 407 says it is the proxy's, not an Anaplan sign-in.
        match response(407, "").ensure_success() {
            Err(e @ Error::Http { status: 407, .. }) => {
                assert!(
                    e.to_string()
                        .contains("the proxy asks for its own credentials"),
                    "{e}"
                )
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn debug_of_a_response_hides_the_body() {
        let r = response(201, r#"{"tokenInfo":{"tokenValue":"SECRET"}}"#);
        assert!(!format!("{r:?}").contains("SECRET"));
    }

    #[test]
    fn paths_for_logs_drop_the_host() {
        assert_eq!(
            display_path("https://api.anaplan.com/2/0/models?limit=5"),
            "/2/0/models?limit=5"
        );
    }
}
