//! Retrying failed requests: which failures are retried in which [`RetryMode`], how long to wait
//! (exponential backoff with jitter, or the server's `Retry-After`), and logging each retry.
//!
//! Retried: HTTP 429 and 503 (the server turned the request away), 500, 502 and 504, connections
//! that could not be made, connections dropped before the answer, and request timeouts. Logged:
//! method, path, status or error, attempt and delay; never headers or bodies.

use std::time::{Duration, SystemTime};

use rand::Rng;

use super::cancel::{self, CancelToken};
use super::config::Config;
use super::error::{Error, Result};
use super::http::Response;
use super::log::Logger;

/// How a request may be retried.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RetryMode {
    /// Sending it twice does no harm (GET, PUT, DELETE, sign-in, file metadata): every transient
    /// failure is retried.
    #[default]
    Idempotent,
    /// Must not run twice (starting a task): retried only when the server certainly did not act
    /// on it, i.e. the connection could not be made, or the server answered 429 or 503. A reset or
    /// timeout after sending gives [`Error::MaybeSent`].
    NotIfSent,
    /// One attempt only (logout on close).
    Never,
}

/// How the backoff is randomised, so that clients that failed together do not retry together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Jitter {
    /// Anywhere between zero and the backoff.
    Full,
    /// Half the backoff plus a random share of the other half: never shorter than half.
    #[default]
    Equal,
}

/// The retry settings of a connection.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    pub jitter: Jitter,
}

impl RetryPolicy {
    pub fn from_config(config: &Config) -> RetryPolicy {
        RetryPolicy {
            max_retries: config.max_retries,
            initial_backoff: config.retry_initial_backoff,
            max_backoff: config.retry_max_backoff,
            jitter: config.retry_jitter,
        }
    }

    /// The backoff before retry number `retry` (1 for the first retry): the initial backoff
    /// doubled each time, capped, with jitter.
    pub fn backoff(&self, retry: u32) -> Duration {
        let doublings = retry.saturating_sub(1).min(31);
        let ceiling = self
            .initial_backoff
            .saturating_mul(1u32 << doublings)
            .min(self.max_backoff);
        let ceiling_ns = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        let mut rng = rand::thread_rng();
        let ns = match self.jitter {
            Jitter::Full => rng.gen_range(0..=ceiling_ns),
            Jitter::Equal => ceiling_ns / 2 + rng.gen_range(0..=ceiling_ns - ceiling_ns / 2),
        };
        Duration::from_nanos(ns)
    }

    /// The wait before retry number `retry`: the server's `Retry-After` when it sent one (capped
    /// by the maximum backoff, so a server cannot stall us for hours), else the backoff.
    pub fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Duration {
        match retry_after {
            Some(d) => d.min(self.max_backoff),
            None => self.backoff(retry),
        }
    }
}

/// `Retry-After` as seconds (`120`) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`); a date in
/// the past means now.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Why one attempt got no HTTP answer.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The connection could not be made: the request never left.
    NotSent(String),
    /// The connection dropped after the request (or part of it) was sent.
    Lost(String),
    /// No answer within the request timeout.
    TimedOut(String),
    /// Not worth retrying (a malformed request).
    Fatal(Error),
}

/// What a request is, for retry decisions and messages.
pub(crate) struct Attempts<'a> {
    pub policy: &'a RetryPolicy,
    pub mode: RetryMode,
    pub method: &'a str,
    /// Path (and query) for logs and errors: no host, nothing secret.
    pub path: &'a str,
    pub logger: &'a Logger,
    pub cancel: Option<&'a CancelToken>,
}

impl Attempts<'_> {
    fn retryable_status(&self, status: u16) -> bool {
        match self.mode {
            RetryMode::Never => false,
            // The server turned the request away without acting on it.
            RetryMode::NotIfSent => matches!(status, 429 | 503),
            RetryMode::Idempotent => matches!(status, 429 | 500 | 502 | 503 | 504),
        }
    }

    fn network(&self, message: String) -> Error {
        Error::Network {
            method: self.method.to_string(),
            path: self.path.to_string(),
            message,
        }
    }

    /// Runs `attempt` until it gives a final answer, sleeping between tries. A non-2xx status
    /// that is not retried (or still there when the retries run out) comes back as `Ok`: the
    /// caller decides, usually with [`Response::ensure_success`].
    pub(crate) fn run(
        &self,
        mut attempt: impl FnMut() -> std::result::Result<Response, Failure>,
    ) -> Result<Response> {
        let mut retries = 0;
        loop {
            cancel::check(self.cancel)?;
            let (reason, retry_after, last) = match attempt() {
                Ok(res) if self.retryable_status(res.status) => {
                    (format!("HTTP {}", res.status), res.retry_after(), Ok(res))
                }
                Ok(res) => return Ok(res),
                Err(Failure::Fatal(e)) => return Err(e),
                Err(Failure::NotSent(m)) => (m.clone(), None, Err(self.network(m))),
                Err(Failure::Lost(m) | Failure::TimedOut(m))
                    if self.mode == RetryMode::NotIfSent =>
                {
                    return Err(Error::MaybeSent {
                        method: self.method.to_string(),
                        path: self.path.to_string(),
                        message: m,
                    })
                }
                Err(Failure::Lost(m)) => (m.clone(), None, Err(self.network(m))),
                Err(Failure::TimedOut(m)) => (
                    m.clone(),
                    None,
                    Err(Error::Timeout(format!(
                        "{} {}: {m}",
                        self.method, self.path
                    ))),
                ),
            };
            if self.mode == RetryMode::Never || retries >= self.policy.max_retries {
                if retries > 0 {
                    self.logger.warn(&format!(
                        "{} {}: giving up after {} attempts ({reason})",
                        self.method,
                        self.path,
                        retries + 1
                    ));
                }
                return last;
            }
            retries += 1;
            let delay = self.policy.delay(retries, retry_after);
            self.logger.warn(&format!(
                "{} {}: {reason}; retry {retries} of {} in {} ms{}",
                self.method,
                self.path,
                self.policy.max_retries,
                delay.as_millis(),
                if retry_after.is_some() {
                    " (Retry-After)"
                } else {
                    ""
                }
            ));
            cancel::sleep(self.cancel, delay)?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(jitter: Jitter) -> RetryPolicy {
        RetryPolicy {
            max_retries: 5,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(1000),
            jitter,
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_bounds_and_is_capped() {
        for _ in 0..200 {
            let full = policy(Jitter::Full);
            let equal = policy(Jitter::Equal);
            for (retry, ceiling) in [
                (1, 100),
                (2, 200),
                (3, 400),
                (4, 800),
                (5, 1000),
                (40, 1000),
            ] {
                let ceiling = Duration::from_millis(ceiling);
                assert!(full.backoff(retry) <= ceiling);
                let e = equal.backoff(retry);
                assert!(e >= ceiling / 2 && e <= ceiling, "{e:?} vs {ceiling:?}");
            }
        }
    }

    #[test]
    fn retry_after_wins_over_backoff_but_is_capped() {
        let p = policy(Jitter::Equal);
        assert_eq!(
            p.delay(1, Some(Duration::from_millis(300))),
            Duration::from_millis(300)
        );
        assert_eq!(
            p.delay(1, Some(Duration::from_secs(3600))),
            Duration::from_millis(1000)
        );
    }

    #[test]
    fn retry_after_in_seconds_or_http_date() {
        let now = httpdate::parse_http_date("Wed, 21 Oct 2015 07:28:00 GMT").unwrap();
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
