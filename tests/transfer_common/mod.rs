//! Helpers shared by the upload and download tests: test data, the chunk requests of the
//! emulator's log, and how many of them overlapped in time.
#![allow(dead_code)]

use anaplan::client::{Client, Config, Logger, Request, TransferSettings};

use crate::common::{self, Emu, LogEntry};

pub const MB: usize = 1_000_000;

/// CSV-like rows (compressible like real exports, but not trivially), `len` bytes exactly.
pub fn csv_data(len: usize, seed: u64) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 64);
    let mut x = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407)
        | 1;
    let mut row = 0u64;
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        row += 1;
        out.extend_from_slice(
            format!(
                "E{row:07},Employee {row},Dept {},{}.{:02}\n",
                x % 17,
                x % 99_991,
                x % 100
            )
            .as_bytes(),
        );
    }
    out.truncate(len);
    out
}

/// Connected to the main model with these transfer settings.
pub fn connect(e: &Emu, chunk_size: usize, parallelism: usize, gzip: bool) -> Client {
    connect_logged(e, chunk_size, parallelism, gzip, Logger::default())
}

pub fn connect_logged(
    e: &Emu,
    chunk_size: usize,
    parallelism: usize,
    gzip: bool,
    logger: Logger,
) -> Client {
    let config = Config {
        transfer: TransferSettings {
            chunk_size,
            parallelism,
            gzip,
            ..TransferSettings::default()
        },
        ..common::config_for(e)
    };
    let c = Client::connect(config, common::basic_credentials(), logger).expect("connect");
    c.set_workspace_id(common::WS).unwrap();
    c.set_model_id(common::MODEL).unwrap();
    c
}

/// The logged `PUT …/files/{id}/chunks/{n}` requests, as (n, entry), in log order.
pub fn chunk_puts(e: &Emu, file: &str) -> Vec<(u64, LogEntry)> {
    chunk_requests(e, "PUT", file)
}

pub fn chunk_gets(e: &Emu, file: &str) -> Vec<(u64, LogEntry)> {
    chunk_requests(e, "GET", file)
}

fn chunk_requests(e: &Emu, method: &str, file: &str) -> Vec<(u64, LogEntry)> {
    e.matching(method, &format!("*/files/{file}/chunks/*"))
        .into_iter()
        .map(|r| {
            let n = r.path.rsplit('/').next().unwrap().parse().unwrap();
            (n, r)
        })
        .collect()
}

/// How many times each chunk number appears, indexed by chunk number.
pub fn times_per_chunk(reqs: &[(u64, LogEntry)]) -> Vec<usize> {
    let max = reqs.iter().map(|(n, _)| *n).max().map_or(0, |m| m + 1);
    let mut v = vec![0; max as usize];
    for (n, _) in reqs {
        v[*n as usize] += 1;
    }
    v
}

/// Milliseconds since midnight of an ISO 8601 UTC timestamp (`…THH:MM:SS.mmmZ`).
fn ms_of_day(ts: &str) -> u64 {
    let time = ts.split('T').nth(1).expect("a time").trim_end_matches('Z');
    let mut parts = time.split(':');
    let h: u64 = parts.next().unwrap().parse().unwrap();
    let m: u64 = parts.next().unwrap().parse().unwrap();
    let s: f64 = parts.next().unwrap().parse().unwrap();
    (h * 3600 + m * 60) * 1000 + (s * 1000.0).round() as u64
}

/// The largest number of these requests the emulator was serving at the same moment, from their
/// arrival timestamps and durations.
pub fn max_overlap(reqs: &[(u64, LogEntry)]) -> usize {
    let spans: Vec<(u64, u64)> = reqs
        .iter()
        .map(|(_, r)| {
            let start = ms_of_day(&r.timestamp);
            (start, start + r.duration_ms)
        })
        .collect();
    spans
        .iter()
        .map(|(s, _)| spans.iter().filter(|(a, b)| a <= s && s < b).count())
        .max()
        .unwrap_or(0)
}

/// Downloads the file through the API without the library (the reference for comparisons).
pub fn raw_download(c: &Client, file: &str) -> Vec<u8> {
    let path = format!("{}/files/{file}", c.model_path().unwrap());
    let res = c
        .send(
            Request::get(path).header("Accept", "application/octet-stream"),
            None,
        )
        .unwrap()
        .ensure_success()
        .unwrap();
    res.body.to_vec()
}

/// A fresh empty folder for files of one test.
pub fn scratch_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("anaplan-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn dir_entries(dir: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}
