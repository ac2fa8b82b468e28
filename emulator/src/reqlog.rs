//! The request log that tests read and clear through the admin endpoint.

use std::sync::Mutex;

#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<Vec<serde_json::Value>>,
}

impl RequestLog {
    pub fn entries(&self) -> Vec<serde_json::Value> {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
