//! Logging: a caller-supplied sink (the C log callback) and, independently, stderr when the
//! environment variable `ANAPLAN_LOG` is `error`, `warn`, `info` or `debug`.
//!
//! What is logged: each request (method, path, status, duration, bytes), each retry (method,
//! path, status or error, attempt, delay), sign-ins, token refreshes and renewals, logout. Never
//! headers, bodies, passwords, passphrases, keys or token values: callers pass only such facts.
//!
//! # Threads
//!
//! The C ABI promises that callbacks run on the thread that made the call. Work that runs on
//! other threads during a call (parallel chunk uploads and downloads) must therefore not call the
//! sink itself. It logs through a relay instead:
//!
//! ```no_run
//! # use anaplan::client::log::Logger;
//! # fn demo(logger: &Logger) {
//! let (worker_logger, relay) = logger.relay();
//! // give `worker_logger` (or `client.with_logger(worker_logger)`) to each worker thread, then on
//! // the calling thread, while waiting for the workers:
//! while relay.wait(std::time::Duration::from_millis(50)) {
//!     // check the workers' progress here
//! #   break;
//! }
//! // dropping the relay (or `relay.drain()`) forwards whatever is still queued
//! # }
//! ```
//!
//! Lines from workers reach the sink (and stderr) only when the calling thread drains the relay.

use std::fmt;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Severity of a log line, most severe first (a level includes those before it). The C API's
/// numbers for them are in `ffi::config`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Error,
    Warn,
    Info,
    Debug,
}

impl Level {
    /// `error`, `warn` (or `warning`), `info`, `debug`, any case.
    pub fn parse(s: &str) -> Option<Level> {
        match s.trim().to_ascii_lowercase().as_str() {
            "error" => Some(Level::Error),
            "warn" | "warning" => Some(Level::Warn),
            "info" => Some(Level::Info),
            "debug" => Some(Level::Debug),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warn => "warn",
            Level::Info => "info",
            Level::Debug => "debug",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where log lines go: called with the level and the message, on the thread that logs.
pub type LogSink = Arc<dyn Fn(Level, &str) + Send + Sync>;

/// The environment variable that turns on logging to stderr.
pub const ENV_VAR: &str = "ANAPLAN_LOG";

#[derive(Clone)]
enum Output {
    /// Straight to the sink and stderr, on the logging thread.
    Direct {
        sink: Option<(LogSink, Level)>,
        stderr: Option<Level>,
    },
    /// Queued for the calling thread (see the module documentation).
    Relay {
        tx: Sender<(Level, String)>,
        max: Option<Level>,
    },
}

/// A cheap-to-clone handle for logging. `Logger::default()` logs to stderr only, and only when
/// `ANAPLAN_LOG` says so.
#[derive(Clone)]
pub struct Logger {
    out: Output,
}

impl Default for Logger {
    fn default() -> Self {
        Logger::new(None, Level::Debug)
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("max_level", &self.max_level())
            .finish()
    }
}

impl Logger {
    /// Lines up to `level` go to `sink`; stderr follows `ANAPLAN_LOG`, read now.
    pub fn new(sink: Option<LogSink>, level: Level) -> Logger {
        let stderr = std::env::var(ENV_VAR).ok().and_then(|v| Level::parse(&v));
        Logger {
            out: Output::Direct {
                sink: sink.map(|s| (s, level)),
                stderr,
            },
        }
    }

    /// A logger that drops everything, whatever the environment says.
    pub fn silent() -> Logger {
        Logger {
            out: Output::Direct {
                sink: None,
                stderr: None,
            },
        }
    }

    /// The most detailed level anything listens to; `None` when nothing does.
    fn max_level(&self) -> Option<Level> {
        match &self.out {
            Output::Direct { sink, stderr } => sink.as_ref().map(|(_, l)| *l).max(*stderr),
            Output::Relay { max, .. } => *max,
        }
    }

    /// Whether a line at `level` would go anywhere (to skip building costly messages).
    pub fn enabled(&self, level: Level) -> bool {
        self.max_level().is_some_and(|max| level <= max)
    }

    pub fn log(&self, level: Level, message: &str) {
        match &self.out {
            Output::Direct { sink, stderr } => {
                if stderr.is_some_and(|max| level <= max) {
                    eprintln!("anaplan: {level}: {message}");
                }
                if let Some((sink, max)) = sink {
                    if level <= *max {
                        sink(level, message);
                    }
                }
            }
            Output::Relay { tx, max } => {
                if max.is_some_and(|m| level <= m) {
                    // The calling thread may have stopped listening (it returned an error);
                    // the line is then of no use to anyone.
                    let _ = tx.send((level, message.to_string()));
                }
            }
        }
    }

    /// Logs the message built by `f`, building it only when someone listens.
    pub fn log_with(&self, level: Level, f: impl FnOnce() -> String) {
        if self.enabled(level) {
            self.log(level, &f());
        }
    }

    pub fn error(&self, message: &str) {
        self.log(Level::Error, message);
    }
    pub fn warn(&self, message: &str) {
        self.log(Level::Warn, message);
    }
    pub fn info(&self, message: &str) {
        self.log(Level::Info, message);
    }
    pub fn debug(&self, message: &str) {
        self.log(Level::Debug, message);
    }

    /// A logger for worker threads and the relay that brings their lines back to this thread.
    pub fn relay(&self) -> (Logger, LogRelay) {
        let (tx, rx) = mpsc::channel();
        let worker = Logger {
            out: Output::Relay {
                tx,
                max: self.max_level(),
            },
        };
        (
            worker,
            LogRelay {
                rx,
                target: self.clone(),
            },
        )
    }
}

/// The calling thread's end of [`Logger::relay`]. Dropping it forwards what is still queued.
pub struct LogRelay {
    rx: Receiver<(Level, String)>,
    target: Logger,
}

impl LogRelay {
    /// Forwards every line queued so far, without waiting.
    pub fn drain(&self) {
        while let Ok((level, line)) = self.rx.try_recv() {
            self.target.log(level, &line);
        }
    }

    /// Forwards lines as they arrive, for up to `d`. Returns `false` as soon as every worker
    /// logger is gone (nothing more can come), `true` when the time is up.
    pub fn wait(&self, d: Duration) -> bool {
        let deadline = Instant::now() + d;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((level, line)) => self.target.log(level, &line),
                Err(RecvTimeoutError::Timeout) => return true,
                Err(RecvTimeoutError::Disconnected) => return false,
            }
        }
    }
}

impl Drop for LogRelay {
    fn drop(&mut self) {
        self.drain();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Level, message and the thread that delivered it.
    type Seen = Arc<Mutex<Vec<(Level, String, String)>>>;

    fn collecting(level: Level) -> (Logger, Seen) {
        let lines = Arc::new(Mutex::new(Vec::new()));
        let l2 = lines.clone();
        let sink: LogSink = Arc::new(move |level, msg| {
            let thread = format!("{:?}", std::thread::current().id());
            l2.lock().unwrap().push((level, msg.to_string(), thread));
        });
        let mut logger = Logger::new(Some(sink), level);
        // Tests must not depend on the environment of the test run.
        if let Output::Direct { stderr, .. } = &mut logger.out {
            *stderr = None;
        }
        (logger, lines)
    }

    #[test]
    fn levels_parse_and_filter() {
        assert_eq!(Level::parse(" DEBUG "), Some(Level::Debug));
        assert_eq!(Level::parse("warning"), Some(Level::Warn));
        assert_eq!(Level::parse("verbose"), None);
        let (logger, lines) = collecting(Level::Info);
        logger.debug("hidden");
        logger.info("shown");
        logger.error("shown too");
        let got: Vec<String> = lines.lock().unwrap().iter().map(|l| l.1.clone()).collect();
        assert_eq!(got, ["shown", "shown too"]);
        assert!(!logger.enabled(Level::Debug));
    }

    #[test]
    fn relayed_lines_reach_the_sink_on_the_draining_thread() {
        let (logger, lines) = collecting(Level::Debug);
        let (worker, relay) = logger.relay();
        let handles: Vec<_> = (0..4)
            .map(|i| {
                let w = worker.clone();
                std::thread::spawn(move || w.warn(&format!("from worker {i}")))
            })
            .collect();
        drop(worker);
        for h in handles {
            h.join().unwrap();
        }
        while relay.wait(Duration::from_millis(10)) {}
        let me = format!("{:?}", std::thread::current().id());
        let got = lines.lock().unwrap();
        assert_eq!(got.len(), 4);
        assert!(got.iter().all(|(l, _, t)| *l == Level::Warn && *t == me));
    }
}
