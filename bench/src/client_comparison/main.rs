//! Our library and the PyPI `anaplan-sdk` side by side, on the same emulator, doing the same bulk
//! operations:
//!
//! 1. upload a generated CSV file to the seed's file 113000000001, with each client's default
//!    settings and with matched ones (same chunk size, same parallelism, gzip level 9 on both);
//! 2. download it back as each client downloads a whole file, and compare every byte (a
//!    mismatch fails the run: a fast wrong answer is worth nothing);
//! 3. run the action "Clear Employees" with the emulator's task duration set, and measure how long
//!    after the task's end each client returns (wall time minus task duration).
//!
//! The emulator runs in this process (two loopback listeners, so the auth service and the API are
//! two base URLs, as the SDK expects). Our client is driven through its Rust API here; the SDK
//! runs in a subprocess (`bench/clients/sdk_bench.py`, with the compat venv's python) and reports
//! its timings as JSON on stdout. Before each client's turn the emulator's data is put back to the
//! seed, so both start from the same state; both get the same bytes, in memory, and are signed in
//! and warmed up (one listing) before any clock starts.
//!
//! Usage: client-comparison --python PATH [--mb 200] [--repeat 3] [--task-ms 500,1300,2700]
//!        [--task-repeat 3] [--matched-chunk-mb 10] [--bandwidth BYTES_PER_SEC] [--out FILE]
//!
//! `--bandwidth` caps every connection to the emulator during the transfers (the emulator's
//! WAN condition), to see the clients on a slow link instead of loopback.
//!
//! Exit status: 0 when every client call succeeded and every download matched, 1 otherwise,
//! 2 for a bad argument.
//!
//! The parts: `args.rs` (the command line), `ours.rs` and `sdk.rs` (each client's side),
//! `wire.rs` (what the emulator's request log shows), `table.rs` (the results as Markdown); this
//! file runs them in order.

mod args;
mod ours;
mod sdk;
mod table;
mod wire;

use std::path::{Path, PathBuf};
use std::time::Duration;

use anaplan::client::bounds::PARALLELISM;
use anaplan::client::{Config, TransferSettings};
use anaplan_bench::employee_csv;
use anaplan_emulator::{start, BundledSeed, EmulatorConfig, RunningEmulator};

use args::{parse_args, Args};
use ours::{ours_task, ours_transfer};
use sdk::{seconds, Sdk};
use table::{table, Header, TaskRow, TransferRow};
use wire::status_polls;

// The bundled seed (README "The bundled seed").
const USER: &str = BundledSeed::USER;
const PASSWORD: &str = BundledSeed::PASSWORD;
const WS: &str = BundledSeed::WS;
const MODEL: &str = BundledSeed::MODEL;
const FILE: &str = BundledSeed::FILE_EMPLOYEES;
const CLEAR_EMPLOYEES: &str = BundledSeed::ACTION_CLEAR_EMPLOYEES;
const MB: usize = 1_000_000;
/// The SDK compresses chunks with Python's `gzip.compress`, whose level is 9 and not settable.
const SDK_GZIP_LEVEL: u32 = 9;
/// Our library, driven through its Rust API (the C ABI is a thin translation over it).
const OURS: &str = "anaplan (this library, Rust API)";

fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("client-comparison: {e}");
            std::process::exit(2);
        }
    };
    match run(&args) {
        Ok(table) => {
            println!("{table}");
            if let Some(out) = &args.out {
                if let Err(e) = write_table(out, &table) {
                    eprintln!("client-comparison: cannot write {}: {e}", out.display());
                    std::process::exit(1);
                }
                eprintln!("client-comparison: table written to {}", out.display());
            }
        }
        Err(e) => {
            eprintln!("client-comparison: FAILED: {e}");
            std::process::exit(1);
        }
    }
}

fn write_table(out: &Path, table: &str) -> std::io::Result<()> {
    if let Some(dir) = out.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(out, format!("{table}\n"))
}

/// A folder for the data file, removed however the run ends.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        // Nothing to do if it is already gone; a leftover in /tmp is harmless.
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run(args: &Args) -> Result<String, String> {
    let emu = start(EmulatorConfig {
        auth_port: Some(0),
        ..EmulatorConfig::default()
    })
    .map_err(|e| format!("the emulator did not start on loopback: {e}"))?;
    eprintln!(
        "client-comparison: emulator on auth {} api {}",
        emu.auth_url, emu.api_url
    );

    let size = args.mb * MB;
    eprintln!("client-comparison: generating {} MB of CSV", args.mb);
    let data = employee_csv(size);
    let scratch = Scratch(
        std::env::temp_dir().join(format!("anaplan-client-comparison-{}", std::process::id())),
    );
    std::fs::create_dir_all(&scratch.0)
        .map_err(|e| format!("cannot create {}: {e}", scratch.0.display()))?;
    let data_path = scratch.0.join("data.csv");
    std::fs::write(&data_path, &data)
        .map_err(|e| format!("cannot write {}: {e}", data_path.display()))?;
    let sdk = Sdk {
        python: &args.python,
        emu: &emu,
        // Generous (1 s per MB moved, plus the time a capped link needs for the file up and down):
        // the SDK gzips at level 9 on few threads; the bound is only against a hang.
        deadline: Duration::from_secs(
            120 + (args.mb * args.repeat) as u64
                + args
                    .bandwidth
                    .map_or(0, |b| 2 * (size * args.repeat) as u64 / b),
        ),
    };

    let defaults = Config::default();
    let mut rows = Vec::new();
    emu.set_bandwidth(args.bandwidth.unwrap_or(0));

    // The SDK's defaults first: its thread count is what "matched" means for parallelism.
    let (row, sdk_info) = sdk.transfer(&data_path, &data, args.repeat, None)?;
    let sdk_threads =
        (sdk_info["threads"].as_u64().unwrap_or(1) as usize).clamp(1, PARALLELISM.max as usize);
    let sdk_chunk = sdk_info["chunk_size"].as_u64().unwrap_or(0) as usize;
    let sdk_name = sdk_info["client"]
        .as_str()
        .unwrap_or("anaplan-sdk")
        .to_string();
    let sdk_python = sdk_info["python"].as_str().unwrap_or("?").to_string();
    rows.push(TransferRow {
        settings: format!(
            "defaults: {} MB chunks, {sdk_threads} threads (cpu_count), gzip level {SDK_GZIP_LEVEL}",
            sdk_chunk / MB
        ),
        ..row
    });

    rows.push(ours_transfer(
        &emu,
        &data,
        args.repeat,
        &defaults,
        format!(
            "defaults: {} MB chunks, {} in flight, gzip level {}",
            defaults.transfer.chunk_size / MB,
            defaults.transfer.parallelism,
            defaults.transfer.gzip_level
        ),
    )?);

    let matched_chunk = args.matched_chunk_mb * MB;
    let matched = format!(
        "matched: {} MB chunks, {sdk_threads} in flight, gzip",
        args.matched_chunk_mb
    );
    let (row, _) = sdk.transfer(&data_path, &data, args.repeat, Some(matched_chunk))?;
    rows.push(TransferRow {
        settings: format!("{matched} (level {SDK_GZIP_LEVEL}, fixed in the SDK)"),
        ..row
    });
    // The SDK's level cannot change; the library's can, so the matched row uses the SDK's.
    let config = Config {
        transfer: TransferSettings {
            chunk_size: matched_chunk,
            parallelism: sdk_threads,
            gzip: true,
            gzip_level: SDK_GZIP_LEVEL,
        },
        ..Config::default()
    };
    rows.push(ours_transfer(
        &emu,
        &data,
        args.repeat,
        &config,
        format!("{matched} (level {SDK_GZIP_LEVEL}, set to the SDK's)"),
    )?);

    // Task timings are about polling, not transfer speed.
    emu.set_bandwidth(0);
    let mut tasks = Vec::new();
    for &ms in &args.task_ms {
        emu.set_task_duration(Duration::from_millis(ms));
        let sdk_task = sdk.task(args.task_repeat)?;
        tasks.push(TaskRow {
            client: sdk_name.clone(),
            task_ms: ms,
            polling: format!(
                "status at once, then every {} s",
                sdk_task["poll_delay_s"].as_f64().unwrap_or(f64::NAN)
            ),
            wall_s: seconds(&sdk_task["task_s"])?,
            polls: status_polls(&emu, args.task_repeat),
        });
        tasks.push(ours_task(&emu, ms, args.task_repeat)?);
    }

    let header = Header {
        mb: args.mb,
        bandwidth: args.bandwidth,
        repeat: args.repeat,
        task_repeat: args.task_repeat,
        sdk: format!("{sdk_name} (Python {sdk_python})"),
    };
    Ok(table(&header, &rows, &tasks))
}

fn check_same(got: &[u8], want: &[u8], who: &str) -> Result<(), String> {
    if got == want {
        return Ok(());
    }
    let at = got.iter().zip(want).position(|(a, b)| a != b);
    Err(format!(
        "{who}: the file downloaded ({} bytes) differs from the one uploaded ({} bytes){}",
        got.len(),
        want.len(),
        at.map(|p| format!(", first at byte {p}"))
            .unwrap_or_default()
    ))
}

/// Back to the seeded data (the file's old content, the Employees list), with an empty request
/// log, so that each client starts from the same state and its log shows only its requests.
fn fresh_state(emu: &RunningEmulator) {
    emu.reset_to_seed();
    emu.clear_requests();
}

fn sha256_hex(data: &[u8]) -> String {
    use openssl::sha::sha256;
    sha256(data).iter().map(|b| format!("{b:02x}")).collect()
}
