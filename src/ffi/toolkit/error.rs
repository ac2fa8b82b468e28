//! `FfiError`: a failure on its way to C, and how a client error becomes one.

use crate::client;
use crate::ffi::status::{anaplan_status, status_of};

/// A failure on its way to C: status, message (with its cause chain), and what is known of the
/// request. Exports return `Result<_, FfiError>`; a `client::Error` converts with `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FfiError {
    pub status: anaplan_status,
    pub message: String,
    /// The HTTP status behind the error, 0 when there is none.
    pub http_status: u16,
    /// The Anaplan task the error is about, when known.
    pub task_id: Option<String>,
}

impl FfiError {
    pub fn new(status: anaplan_status, message: impl Into<String>) -> FfiError {
        FfiError {
            status,
            message: message.into(),
            http_status: 0,
            task_id: None,
        }
    }

    /// Names the task the error is about (readable with `anaplan_last_error_task_id`).
    pub fn with_task_id(mut self, task_id: impl Into<String>) -> FfiError {
        self.task_id = Some(task_id.into());
        self
    }
}

impl From<client::Error> for FfiError {
    fn from(error: client::Error) -> FfiError {
        FfiError {
            status: status_of(&error),
            message: message_with_causes(&error),
            http_status: error.http_status().unwrap_or(0),
            task_id: None,
        }
    }
}

/// The error's message followed by each cause (`outer: cause: root cause`), skipping causes
/// that the message already spells out (thiserror messages often embed their source).
pub fn message_with_causes(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::status::*;

    #[test]
    fn client_errors_keep_status_http_status_and_cause_chain() {
        let e = FfiError::from(client::Error::Http {
            method: "GET".into(),
            path: "/models".into(),
            status: 503,
            message: "down".into(),
        });
        assert_eq!(e.status, ANAPLAN_STATUS_HTTP_ERROR);
        assert_eq!(e.http_status, 503);
        assert_eq!(e.message, "GET /models failed with HTTP 503: down");

        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "no such file");
        let e = FfiError::from(client::Error::io("/data/a.csv", io));
        // The source is already part of the message: not repeated.
        assert_eq!(e.message, "/data/a.csv: no such file");
        assert_eq!(e.status, ANAPLAN_STATUS_IO);
    }

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("reading the key")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn causes_not_in_the_message_are_appended() {
        let e = Outer(std::io::Error::other("permission denied"));
        assert_eq!(
            message_with_causes(&e),
            "reading the key: permission denied"
        );
    }
}
