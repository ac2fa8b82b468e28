//! The one error type of the client. The C boundary maps each variant to a status code in one
//! place (`ffi::status`); messages never contain secrets (passwords, keys, token values).

use std::path::PathBuf;

/// An object found by name: its id and name, for the candidates of an ambiguous lookup.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A caller mistake: a bad argument, a missing workspace or model.
    #[error("{0}")]
    InvalidArgument(String),

    /// A number outside its documented range (a chunk size, a parallelism, a page size).
    #[error("{0}")]
    OutOfRange(String),

    /// No object of that kind has that name or id.
    #[error("no {kind} named {}{scope}", quoted(name))]
    NotFound {
        kind: &'static str,
        name: String,
        /// Where it was looked for, e.g. ` in model "Plan" (75A4...)`; may be empty.
        scope: String,
    },

    /// More than one object of that kind has that name.
    #[error("{} {kind}s are named {}: {}; use the id instead", candidates.len(), quoted(name), list(candidates))]
    Ambiguous {
        kind: &'static str,
        name: String,
        candidates: Vec<Candidate>,
    },

    /// Sign-in refused, or a token that could not be renewed.
    #[error("authentication failed: {message}")]
    Auth { message: String, http_status: u16 },

    /// The credentials could not be used: an unreadable key or certificate, a wrong passphrase.
    #[error("{0}")]
    Credentials(String),

    /// Anaplan answered with an error status (after any retries).
    #[error("{method} {path} failed with HTTP {status}: {message}")]
    Http {
        method: String,
        path: String,
        status: u16,
        message: String,
    },

    /// The TLS handshake failed: a server certificate that is not trusted (see
    /// `Config::ca_bundle`) or does not name the host, no common protocol. Not retried: it would
    /// fail the same way.
    #[error("{message}")]
    Tls { message: String },

    /// The request did not get an answer: connection refused or reset, DNS (after retries).
    #[error("{method} {path}: {message}")]
    Network {
        method: String,
        path: String,
        message: String,
    },

    /// A request that must not be sent twice (starting a task) was sent, but its answer was lost
    /// (connection reset or timeout after sending). The server may have acted on it: check (for
    /// example the task list) before trying again.
    #[error("{method} {path}: the request was sent but no answer came back ({message}); it may have taken effect")]
    MaybeSent {
        method: String,
        path: String,
        message: String,
    },

    /// A timeout: of one request (after retries), or of waiting for a task.
    #[error("{0}")]
    Timeout(String),

    /// Cancelled by the caller (a cancel call or a progress callback returning non-zero).
    #[error("cancelled")]
    Cancelled,

    /// Cancelled by the caller after part of the work reached the server (an upload whose
    /// chunks Anaplan cannot roll back): the message says what was left and what to do.
    #[error("{0}")]
    CancelledMidway(String),

    /// A local file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Anaplan's answer was not what the protocol says (missing field, not JSON).
    #[error("unexpected response from {path}: {message}")]
    Protocol { path: String, message: String },
}

/// How much of a caller's input a message quotes: enough to recognise it.
const QUOTED_CHARS: usize = 64;

/// A caller's input quoted for a message, cut to a short prefix (a 1 MB name must not make a
/// 1 MB message): `"Employees.csv"`, or `"aaaa…" (1048576 bytes)`.
pub fn quoted(input: &str) -> String {
    match input.char_indices().nth(QUOTED_CHARS) {
        None => format!("{input:?}"),
        Some((cut, _)) => format!(
            "{:?} ({} bytes)",
            format!("{}…", &input[..cut]),
            input.len()
        ),
    }
}

fn list(candidates: &[Candidate]) -> String {
    candidates
        .iter()
        .map(|c| format!("{} ({})", c.name, c.id))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Error {
    /// The HTTP status behind the error, when there is one.
    pub fn http_status(&self) -> Option<u16> {
        match self {
            Error::Http { status, .. } => Some(*status),
            Error::Auth { http_status, .. } if *http_status != 0 => Some(*http_status),
            _ => None,
        }
    }

    /// The same error with its free-text message changed (a note added), keeping its kind and
    /// HTTP status; variants without such a message are returned as they are.
    pub fn map_message(self, f: impl FnOnce(String) -> String) -> Error {
        match self {
            Error::Http {
                method,
                path,
                status,
                message,
            } => Error::Http {
                method,
                path,
                status,
                message: f(message),
            },
            Error::Network {
                method,
                path,
                message,
            } => Error::Network {
                method,
                path,
                message: f(message),
            },
            Error::MaybeSent {
                method,
                path,
                message,
            } => Error::MaybeSent {
                method,
                path,
                message: f(message),
            },
            Error::Timeout(m) => Error::Timeout(f(m)),
            Error::CancelledMidway(m) => Error::CancelledMidway(f(m)),
            Error::Protocol { path, message } => Error::Protocol {
                path,
                message: f(message),
            },
            Error::Auth {
                message,
                http_status,
            } => Error::Auth {
                message: f(message),
                http_status,
            },
            other => other,
        }
    }

    /// Cancelled by the caller, with or without a note of what it left on the server.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, Error::Cancelled | Error::CancelledMidway(_))
    }

    pub fn invalid(message: impl Into<String>) -> Error {
        Error::InvalidArgument(message.into())
    }

    pub fn out_of_range(message: impl Into<String>) -> Error {
        Error::OutOfRange(message.into())
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T> = std::result::Result<T, Error>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_input_is_cut_to_a_short_prefix() {
        assert_eq!(quoted("Employees.csv"), "\"Employees.csv\"");
        let long = "é".repeat(1_000_000);
        let q = quoted(&long);
        assert!(q.len() < 200, "{q}");
        assert!(q.ends_with("(2000000 bytes)"), "{q}");
        let e = Error::NotFound {
            kind: "file",
            name: "x".repeat(1 << 20),
            scope: String::new(),
        };
        assert!(e.to_string().len() < 200, "{e}");
    }

    #[test]
    fn ambiguity_names_every_candidate() {
        let e = Error::Ambiguous {
            kind: "model",
            name: "Plan".into(),
            candidates: vec![
                Candidate {
                    id: "A1".into(),
                    name: "Plan".into(),
                },
                Candidate {
                    id: "B2".into(),
                    name: "Plan".into(),
                },
            ],
        };
        assert_eq!(
            e.to_string(),
            "2 models are named \"Plan\": Plan (A1), Plan (B2); use the id instead"
        );
    }
}
