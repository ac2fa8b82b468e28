//! The request log: the last entries in a ring, and the cell a request carries while it runs.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::extract::Request;

use super::entry::LogEntry;

/// How many entries the log keeps; older ones are dropped first.
pub const CAPACITY: usize = 100_000;

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

    pub(crate) fn push(&self, mut entry: LogEntry) {
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
    pub(crate) bytes_in: AtomicU64,
    pub(crate) fault: Mutex<Option<&'static str>>,
}

/// Marks the request as hit by an injected fault, for its log entry.
pub fn note_fault(req: &Request, name: &'static str) {
    if let Some(cell) = req.extensions().get::<Arc<LogCell>>() {
        *cell.fault.lock().unwrap_or_else(|p| p.into_inner()) = Some(name);
    }
}
