//! `anaplan_status`: the result of every fallible call, the one mapping from client errors, and
//! `anaplan_status_name`.
//!
//! Numbers are grouped by hundreds (caller errors, transport, HTTP/API, task outcomes, internal)
//! and are part of the ABI: a number is never renumbered or reused; new statuses take the next
//! free number of their group.

use std::ffi::{c_char, CStr};

use super::toolkit::boundary;
use super::toolkit::enums::c_enum;
use crate::client::Error;

c_enum! {
    /// The result of every fallible call: `ANAPLAN_STATUS_OK` (0) or one of the codes below.
    /// Details of the last failure on the calling thread: `anaplan_last_error_message`.
    ///
    /// Codes are grouped by hundreds and never renumbered or reused: 1xx the caller passed
    /// something the call cannot use (retrying the same call fails again); 2xx the request got
    /// no answer; 3xx Anaplan answered with an error; 4xx task outcomes; 5xx a defect in the
    /// library (please report it with the message). `anaplan_status_name` gives a code's name.
    pub enum anaplan_status in STATUSES {
        /// Success.
        ANAPLAN_STATUS_OK = 0,
        /// A pointer argument that must not be NULL was NULL (the message names the argument).
        ANAPLAN_STATUS_NULL_ARGUMENT = 100,
        /// A handle that is NULL, already freed, never issued by this library, or of another type.
        ANAPLAN_STATUS_INVALID_HANDLE = 101,
        /// A string argument is not valid UTF-8.
        ANAPLAN_STATUS_INVALID_UTF8 = 102,
        /// A number outside its documented range (a chunk size of 0 or 51 MB, a negative timeout,
        /// an index past the end, an unknown enumeration value).
        ANAPLAN_STATUS_OUT_OF_RANGE = 103,
        /// An argument that is not valid for another reason (an unknown region, a malformed URL,
        /// no workspace or model chosen yet).
        ANAPLAN_STATUS_INVALID_ARGUMENT = 104,
        /// No object of that kind has that name or id.
        ANAPLAN_STATUS_NOT_FOUND = 105,
        /// More than one object of that kind has that name; the message names the candidates.
        ANAPLAN_STATUS_AMBIGUOUS = 106,
        /// The caller's buffer is too small; the size needed was written to `needed`.
        ANAPLAN_STATUS_BUFFER_TOO_SMALL = 107,
        /// A local file could not be read or written (missing, no permission, disk full).
        ANAPLAN_STATUS_IO = 108,
        /// The credentials cannot be used: an unreadable key or certificate, a wrong passphrase.
        ANAPLAN_STATUS_CREDENTIALS = 109,
        /// The connection failed: refused, reset, DNS, proxy.
        ANAPLAN_STATUS_NETWORK = 200,
        /// A request, or the wait for a task, took longer than its timeout.
        ANAPLAN_STATUS_TIMEOUT = 201,
        /// The TLS handshake failed: the server's certificate is not trusted (set the CA bundle
        /// when it comes from a private CA) or does not name the host, or no common protocol.
        /// Not retried.
        ANAPLAN_STATUS_TLS = 202,
        /// The request was sent but its answer was lost (the connection dropped or timed out
        /// after sending): it may have taken effect. Not retried automatically, since it must
        /// not run twice.
        ANAPLAN_STATUS_OUTCOME_UNKNOWN = 203,
        /// Sign-in refused, or a token that could not be renewed.
        ANAPLAN_STATUS_AUTH = 300,
        /// Anaplan answered with an HTTP error status; see `anaplan_last_error_http_status`.
        ANAPLAN_STATUS_HTTP_ERROR = 301,
        /// Anaplan's answer did not follow the protocol (missing field, not JSON).
        ANAPLAN_STATUS_PROTOCOL = 302,
        /// Anaplan kept answering 429 Too Many Requests after the configured retries.
        ANAPLAN_STATUS_RATE_LIMITED = 303,
        /// Cancelled by the caller: a cancel call, or a progress callback returning non-zero.
        ANAPLAN_STATUS_CANCELLED = 400,
        /// The library panicked; the call was abandoned and the message holds the panic message.
        ANAPLAN_STATUS_PANIC = 500,
        /// An internal limit or invariant failed.
        ANAPLAN_STATUS_INTERNAL = 501,
    }
}

/// The status of a client error: the one place where errors become numbers. The match is
/// exhaustive on purpose, so that a new error variant cannot compile without a status.
pub fn status_of(error: &Error) -> anaplan_status {
    match error {
        Error::InvalidArgument(_) => ANAPLAN_STATUS_INVALID_ARGUMENT,
        Error::OutOfRange(_) => ANAPLAN_STATUS_OUT_OF_RANGE,
        Error::NotFound { .. } => ANAPLAN_STATUS_NOT_FOUND,
        Error::Ambiguous { .. } => ANAPLAN_STATUS_AMBIGUOUS,
        Error::Io { .. } => ANAPLAN_STATUS_IO,
        Error::Credentials(_) => ANAPLAN_STATUS_CREDENTIALS,
        Error::Network { .. } => ANAPLAN_STATUS_NETWORK,
        Error::Tls { .. } => ANAPLAN_STATUS_TLS,
        Error::MaybeSent { .. } => ANAPLAN_STATUS_OUTCOME_UNKNOWN,
        Error::Timeout(_) => ANAPLAN_STATUS_TIMEOUT,
        Error::Auth { .. } => ANAPLAN_STATUS_AUTH,
        Error::Http { status: 429, .. } => ANAPLAN_STATUS_RATE_LIMITED,
        Error::Http { .. } => ANAPLAN_STATUS_HTTP_ERROR,
        Error::Protocol { .. } => ANAPLAN_STATUS_PROTOCOL,
        Error::Cancelled | Error::CancelledMidway(_) => ANAPLAN_STATUS_CANCELLED,
    }
}

/// The C name of a status (`"ANAPLAN_STATUS_NOT_FOUND"`), `None` for a number that is no status.
pub fn name(status: anaplan_status) -> Option<&'static CStr> {
    STATUSES.name_of(status)
}

/// The name of a status as a static string: `"ANAPLAN_STATUS_NOT_FOUND"` for
/// `ANAPLAN_STATUS_NOT_FOUND`, `"ANAPLAN_STATUS_UNKNOWN"` for a number that is no status.
///
/// Ownership: the string is static; never free it. Thread-safe. Does not touch the last error.
#[no_mangle]
pub extern "C" fn anaplan_status_name(status: anaplan_status) -> *const c_char {
    let unknown = c"ANAPLAN_STATUS_UNKNOWN";
    boundary::value(unknown.as_ptr(), || {
        name(status).unwrap_or(unknown).as_ptr()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::Candidate;

    /// One error of every variant, with the status it must map to.
    fn every_variant() -> Vec<(Error, anaplan_status)> {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        vec![
            (Error::invalid("bad"), ANAPLAN_STATUS_INVALID_ARGUMENT),
            (
                Error::out_of_range("chunk size"),
                ANAPLAN_STATUS_OUT_OF_RANGE,
            ),
            (
                Error::NotFound {
                    kind: "model",
                    name: "Plan".into(),
                    scope: String::new(),
                },
                ANAPLAN_STATUS_NOT_FOUND,
            ),
            (
                Error::Ambiguous {
                    kind: "model",
                    name: "Plan".into(),
                    candidates: vec![Candidate {
                        id: "A".into(),
                        name: "Plan".into(),
                    }],
                },
                ANAPLAN_STATUS_AMBIGUOUS,
            ),
            (Error::io("/x", io), ANAPLAN_STATUS_IO),
            (Error::Credentials("key".into()), ANAPLAN_STATUS_CREDENTIALS),
            (
                Error::Network {
                    method: "GET".into(),
                    path: "/".into(),
                    message: "reset".into(),
                },
                ANAPLAN_STATUS_NETWORK,
            ),
            (Error::Timeout("slow".into()), ANAPLAN_STATUS_TIMEOUT),
            (
                Error::Tls {
                    message: "not trusted".into(),
                },
                ANAPLAN_STATUS_TLS,
            ),
            (
                Error::Auth {
                    message: "no".into(),
                    http_status: 401,
                },
                ANAPLAN_STATUS_AUTH,
            ),
            (http(429), ANAPLAN_STATUS_RATE_LIMITED),
            (http(503), ANAPLAN_STATUS_HTTP_ERROR),
            (http(404), ANAPLAN_STATUS_HTTP_ERROR),
            (
                Error::Protocol {
                    path: "/".into(),
                    message: "not JSON".into(),
                },
                ANAPLAN_STATUS_PROTOCOL,
            ),
            (Error::Cancelled, ANAPLAN_STATUS_CANCELLED),
            (
                Error::CancelledMidway("cancelled; file 1 is left incomplete".into()),
                ANAPLAN_STATUS_CANCELLED,
            ),
        ]
    }

    fn http(status: u16) -> Error {
        Error::Http {
            method: "GET".into(),
            path: "/workspaces".into(),
            status,
            message: "nope".into(),
        }
    }

    #[test]
    fn every_error_variant_has_its_status() {
        for (error, expected) in every_variant() {
            let status = status_of(&error);
            assert_eq!(status, expected, "{error:?}");
            assert!(name(status).is_some(), "{status} has no name");
            assert!(status != ANAPLAN_STATUS_OK && status < ANAPLAN_STATUS_PANIC);
        }
    }

    #[test]
    fn names_are_unique_and_grouped_by_hundreds() {
        let values = STATUSES.values;
        for (i, v) in values.iter().enumerate() {
            let status = &v.value;
            assert!(
                values[i + 1..].iter().all(|w| w.value != *status),
                "{status} twice"
            );
            assert!(v.name.to_str().unwrap().starts_with("ANAPLAN_STATUS_"));
            assert!(*status == 0 || (100..600).contains(status), "{status}");
        }
    }

    #[test]
    fn unknown_numbers_have_the_unknown_name() {
        // SAFETY: anaplan_status_name returns a pointer to a static NUL-terminated string.
        let unknown = unsafe { CStr::from_ptr(anaplan_status_name(7)) };
        assert_eq!(unknown, c"ANAPLAN_STATUS_UNKNOWN");
        // SAFETY: as above.
        let known = unsafe { CStr::from_ptr(anaplan_status_name(ANAPLAN_STATUS_AMBIGUOUS)) };
        assert_eq!(known, c"ANAPLAN_STATUS_AMBIGUOUS");
    }
}
