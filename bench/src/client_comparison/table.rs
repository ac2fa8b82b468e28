//! The results as a Markdown table, medians of the runs.

use crate::wire::WireStats;
use crate::{CLEAR_EMPLOYEES, FILE, MB};

/// One client with one group of settings: what it used and what it measured.
pub(crate) struct TransferRow {
    pub(crate) client: String,
    pub(crate) settings: String,
    pub(crate) upload_s: Vec<f64>,
    pub(crate) download_s: Vec<f64>,
    pub(crate) wire: WireStats,
}

pub(crate) struct TaskRow {
    pub(crate) client: String,
    pub(crate) task_ms: u64,
    pub(crate) polling: String,
    pub(crate) wall_s: Vec<f64>,
    /// Task status requests per run, from the emulator's log.
    pub(crate) polls: f64,
}

pub(crate) fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

pub(crate) struct Header {
    pub(crate) mb: usize,
    pub(crate) bandwidth: Option<u64>,
    pub(crate) repeat: usize,
    pub(crate) task_repeat: usize,
    pub(crate) sdk: String,
}

pub(crate) fn table(h: &Header, rows: &[TransferRow], tasks: &[TaskRow]) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mut t = String::new();
    t += "## Clients side by side on the emulator\n\n";
    t += &format!(
        "{} MB generated CSV uploaded to file {FILE} and downloaded back (bytes compared: \
         identical), median of {} runs; {cores} cores shared by the client and the emulator \
         (in-process, loopback{}); SDK: {}.\n\n",
        h.mb,
        h.repeat,
        h.bandwidth
            .map(|b| format!(
                ", every connection capped at {:.1} MB/s",
                b as f64 / MB as f64
            ))
            .unwrap_or_default(),
        h.sdk
    );
    t += "| client | settings | upload MB/s | download MB/s | upload s | download s | \
          chunk PUTs | MB sent | most PUTs at the server at once | download GETs |\n";
    t += "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n";
    for r in rows {
        let (up, down) = (median(&r.upload_s), median(&r.download_s));
        let mbps = |s: f64| h.mb as f64 / s;
        t += &format!(
            "| {} | {} | {:.1} | {:.1} | {:.2} | {:.2} | {} | {:.1} ({}) | {} | {} |\n",
            r.client,
            r.settings,
            mbps(up),
            mbps(down),
            up,
            down,
            r.wire.chunk_puts,
            r.wire.bytes_in as f64 / MB as f64,
            r.wire.content_types.join(", "),
            r.wire.max_in_flight,
            r.wire.download_gets
        );
    }
    t += &format!(
        "\nTask completion: action {CLEAR_EMPLOYEES} \"Clear Employees\" run and waited for, \
         {} times per client; lag = wall time minus the emulator's task duration (how late the \
         client notices the end).\n\n",
        h.task_repeat
    );
    t += "| client | task duration | polling | median wall s | median lag s | lag min–max s | \
          status polls per run |\n";
    t += "|---|---:|---|---:|---:|---:|---:|\n";
    for r in tasks {
        let d = r.task_ms as f64 / 1000.0;
        let lags: Vec<f64> = r.wall_s.iter().map(|w| w - d).collect();
        let (lo, hi) = lags
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
                (lo.min(x), hi.max(x))
            });
        t += &format!(
            "| {} | {} ms | {} | {:.3} | {:.3} | {:.3}–{:.3} | {:.1} |\n",
            r.client,
            r.task_ms,
            r.polling,
            median(&r.wall_s),
            median(&lags),
            lo,
            hi,
            r.polls
        );
    }
    t
}
