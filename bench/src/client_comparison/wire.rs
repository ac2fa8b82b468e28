//! What the emulator's request log shows of each client: chunks, bytes on the wire, requests in
//! flight, task status polls.

use anaplan_emulator::{LogEntry, RunningEmulator};

use crate::{CLEAR_EMPLOYEES, FILE};

/// `GET …/actions/{id}/tasks/{taskId}` requests per run since the last `fresh_state`.
pub(crate) fn status_polls(emu: &RunningEmulator, repeat: usize) -> f64 {
    let prefix = format!("/actions/{CLEAR_EMPLOYEES}/tasks/");
    let n = emu
        .requests()
        .iter()
        .filter(|e| e.method == "GET" && e.path.contains(&prefix))
        .count();
    n as f64 / repeat as f64
}

/// What the emulator's request log shows of one client's transfers (per run).
#[derive(Default)]
pub(crate) struct WireStats {
    pub(crate) chunk_puts: usize,
    pub(crate) bytes_in: u64,
    pub(crate) content_types: Vec<String>,
    pub(crate) max_in_flight: usize,
    pub(crate) download_gets: usize,
}

pub(crate) fn wire_stats(emu: &RunningEmulator, repeat: usize) -> Result<WireStats, String> {
    let log = emu.requests();
    let chunk_path = format!("/files/{FILE}/chunks/");
    let puts: Vec<&LogEntry> = log
        .iter()
        .filter(|e| e.method == "PUT" && e.path.contains(&chunk_path))
        .collect();
    // A client may ignore the answers to its chunk uploads (the SDK does): any refused chunk
    // fails the run here, even if the download happened to match.
    if let Some(bad) = puts.iter().find(|e| !(200..300).contains(&e.status)) {
        return Err(format!(
            "chunk upload {} answered {}: the upload was not clean",
            bad.path, bad.status
        ));
    }
    let gets = log
        .iter()
        .filter(|e| {
            e.method == "GET"
                && (e.path.contains(&chunk_path) || e.path.ends_with(&format!("/files/{FILE}")))
        })
        .count();
    let mut content_types: Vec<String> = puts
        .iter()
        .filter_map(|e| e.request_content_type.clone())
        .collect();
    content_types.sort();
    content_types.dedup();
    Ok(WireStats {
        chunk_puts: puts.len() / repeat,
        bytes_in: puts.iter().map(|e| e.bytes_in).sum::<u64>() / repeat as u64,
        content_types,
        max_in_flight: max_overlap(&puts),
        download_gets: gets / repeat,
    })
}

/// The most requests the emulator was serving at one moment, from arrival times and durations.
pub(crate) fn max_overlap(entries: &[&LogEntry]) -> usize {
    let mut edges: Vec<(u64, i32)> = Vec::new();
    for e in entries {
        if let Some(start) = ms_of_day(&e.timestamp) {
            edges.push((start, 1));
            edges.push((start + e.duration_ms, -1));
        }
    }
    // At equal times an end comes before a start: back-to-back requests do not overlap.
    edges.sort();
    let (mut live, mut peak) = (0i32, 0i32);
    for (_, d) in edges {
        live += d;
        peak = peak.max(live);
    }
    peak as usize
}

/// Milliseconds since midnight of `…THH:MM:SS.mmmZ` (a run across midnight only blurs the
/// in-flight count, which is informative, not checked).
pub(crate) fn ms_of_day(ts: &str) -> Option<u64> {
    let time = ts.split('T').nth(1)?.trim_end_matches('Z');
    let mut p = time.split(':');
    let h: u64 = p.next()?.parse().ok()?;
    let m: u64 = p.next()?.parse().ok()?;
    let s: f64 = p.next()?.parse().ok()?;
    Some((h * 3600 + m * 60) * 1000 + (s * 1000.0).round() as u64)
}
