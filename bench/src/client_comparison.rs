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

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use anaplan::client::config::MAX_PARALLELISM;
use anaplan::client::{tasks::RunOptions, Client, Config, Credentials, Logger};
use anaplan_bench::employee_csv;
use anaplan_emulator::reqlog::LogEntry;
use anaplan_emulator::store::Store;
use anaplan_emulator::{start, EmulatorConfig, RunningEmulator};
use serde_json::Value;

// The bundled seed (README "The bundled seed").
const USER: &str = "integration.user@example.com";
const PASSWORD: &str = "Integration-Pass-1";
const WS: &str = "8a80da9a6b3c21f3016b4d0a8f2b0042";
const MODEL: &str = "75A40874E6B64FA3AE0E27A0A3A1A9A1";
const FILE: &str = "113000000001";
const CLEAR_EMPLOYEES: &str = "117000000002";
const MB: usize = 1_000_000;
/// The SDK compresses chunks with Python's `gzip.compress`, whose level is 9 and not settable.
const SDK_GZIP_LEVEL: u32 = 9;
/// Our library, driven through its Rust API (the C ABI is a thin translation over it).
const OURS: &str = "anaplan (this library, Rust API)";

const USAGE: &str = "usage: client-comparison --python PATH [--mb 200] [--repeat 3] \
[--task-ms 500,1300,2700] [--task-repeat 3] [--matched-chunk-mb 10] [--bandwidth BYTES_PER_SEC] \
[--out FILE]";

struct Args {
    /// The compat venv's python, with anaplan-sdk installed.
    python: PathBuf,
    mb: usize,
    repeat: usize,
    task_ms: Vec<u64>,
    task_repeat: usize,
    matched_chunk_mb: usize,
    /// Per-connection cap in bytes per second during the transfers; none on loopback.
    bandwidth: Option<u64>,
    out: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        python: PathBuf::new(),
        mb: 200,
        repeat: 3,
        // Not whole seconds: a duration that is a multiple of a client's fixed poll interval
        // would let that client see the end the instant it happens, every time.
        task_ms: vec![500, 1300, 2700],
        task_repeat: 3,
        matched_chunk_mb: 10,
        bandwidth: None,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| -> Result<usize, String> {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: expected a positive number, got {v:?}"))
        };
        match flag.as_str() {
            "--python" => a.python = PathBuf::from(value),
            "--mb" => a.mb = number(&value)?,
            "--repeat" => a.repeat = number(&value)?,
            "--task-repeat" => a.task_repeat = number(&value)?,
            "--matched-chunk-mb" => {
                a.matched_chunk_mb = number(&value)?;
                if a.matched_chunk_mb > 50 {
                    return Err("--matched-chunk-mb: Anaplan takes chunks of 1 to 50 MB".into());
                }
            }
            "--task-ms" => {
                a.task_ms = value
                    .split(',')
                    .map(|v| number(v.trim()).map(|n| n as u64))
                    .collect::<Result<_, _>>()?
            }
            "--bandwidth" => a.bandwidth = Some(number(&value)? as u64),
            "--out" => a.out = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if a.python.as_os_str().is_empty() {
        return Err(format!(
            "--python is required: the python of the venv with anaplan-sdk \
             (emulator/compat/anaplan_sdk/venv.sh prints it)\n{USAGE}"
        ));
    }
    Ok(a)
}

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

/// One client with one group of settings: what it used and what it measured.
struct TransferRow {
    client: String,
    settings: String,
    upload_s: Vec<f64>,
    download_s: Vec<f64>,
    wire: WireStats,
}

struct TaskRow {
    client: String,
    task_ms: u64,
    polling: String,
    wall_s: Vec<f64>,
    /// Task status requests per run, from the emulator's log.
    polls: f64,
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
    let bandwidth = emu.state.faults.bandwidth_limit();
    bandwidth.store(args.bandwidth.unwrap_or(0), Ordering::Relaxed);

    // The SDK's defaults first: its thread count is what "matched" means for parallelism.
    let (row, sdk_info) = sdk.transfer(&data_path, &data, args.repeat, None)?;
    let sdk_threads =
        (sdk_info["threads"].as_u64().unwrap_or(1) as usize).clamp(1, MAX_PARALLELISM);
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
            defaults.chunk_size / MB,
            defaults.parallelism,
            defaults.gzip_level
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
        chunk_size: matched_chunk,
        parallelism: sdk_threads,
        gzip: true,
        gzip_level: SDK_GZIP_LEVEL,
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
    bandwidth.store(0, Ordering::Relaxed);
    let mut tasks = Vec::new();
    for &ms in &args.task_ms {
        emu.state
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .task_duration = Duration::from_millis(ms);
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

/// Sign-in and one listing, outside the clock (the SDK side does the same).
fn connect_ours(emu: &RunningEmulator, config: &Config) -> Result<Client, String> {
    let config = Config {
        auth_url: emu.auth_url.clone(),
        api_url: emu.api_url.clone(),
        ..config.clone()
    };
    let credentials =
        Credentials::basic(USER, PASSWORD).map_err(|e| format!("credentials: {e}"))?;
    let client = Client::connect(config, credentials, Logger::default())
        .map_err(|e| format!("our client could not sign in: {e}"))?;
    client
        .set_workspace_id(WS)
        .and_then(|_| client.set_model_id(MODEL))
        .and_then(|_| client.list_files().map(drop))
        .map_err(|e| format!("our client could not list the model's files: {e}"))?;
    Ok(client)
}

fn ours_transfer(
    emu: &RunningEmulator,
    data: &[u8],
    repeat: usize,
    config: &Config,
    settings: String,
) -> Result<TransferRow, String> {
    fresh_state(emu);
    let client = connect_ours(emu, config)?;
    let (mut upload_s, mut download_s) = (Vec::new(), Vec::new());
    for i in 0..repeat {
        let t = Instant::now();
        client
            .upload_bytes(FILE, data, None)
            .map_err(|e| format!("our upload, run {}: {e}", i + 1))?;
        upload_s.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let back = client
            .download_to_vec(FILE, None)
            .map_err(|e| format!("our download, run {}: {e}", i + 1))?;
        download_s.push(t.elapsed().as_secs_f64());
        check_same(&back, data, &format!("our client, run {}", i + 1))?;
        eprintln!(
            "client-comparison: ours run {}/{repeat}: upload {:.2} s, download {:.2} s, identical",
            i + 1,
            upload_s[i],
            download_s[i]
        );
    }
    client.close();
    Ok(TransferRow {
        client: OURS.into(),
        settings,
        upload_s,
        download_s,
        wire: wire_stats(emu, repeat)?,
    })
}

fn ours_task(emu: &RunningEmulator, ms: u64, repeat: usize) -> Result<TaskRow, String> {
    fresh_state(emu);
    let client = connect_ours(emu, &Config::default())?;
    let mut wall_s = Vec::new();
    for i in 0..repeat {
        let t = Instant::now();
        let result = client
            .run(CLEAR_EMPLOYEES, &RunOptions::default())
            .map_err(|e| format!("our run of {CLEAR_EMPLOYEES}, run {}: {e}", i + 1))?;
        wall_s.push(t.elapsed().as_secs_f64());
        if !result.successful {
            return Err(format!(
                "our run of {CLEAR_EMPLOYEES} ended unsuccessful: {}",
                result.task_id
            ));
        }
    }
    client.close();
    Ok(TaskRow {
        client: OURS.into(),
        task_ms: ms,
        polling: "status at once, then after 100 ms, doubling up to 5 s".into(),
        wall_s,
        polls: status_polls(emu, repeat),
    })
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
    *emu.state.store() = Store::from_seed(&emu.state.seed);
    emu.state.log.clear();
}

/// The SDK in its subprocess.
struct Sdk<'a> {
    python: &'a Path,
    emu: &'a RunningEmulator,
    deadline: Duration,
}

impl Sdk<'_> {
    fn transfer(
        &self,
        data_path: &Path,
        data: &[u8],
        repeat: usize,
        chunk_size: Option<usize>,
    ) -> Result<(TransferRow, Value), String> {
        fresh_state(self.emu);
        let mut extra = vec![
            "--data".to_string(),
            data_path.display().to_string(),
            "--file-id".into(),
            FILE.into(),
            "--repeat".into(),
            repeat.to_string(),
        ];
        if let Some(c) = chunk_size {
            extra.extend(["--chunk-size".to_string(), c.to_string()]);
        }
        let out = self.call("transfer", &extra)?;
        // The script compares the bytes itself and fails on a difference; the size and checksum
        // are checked here too, so a script that skipped the comparison cannot pass.
        let sha = sha256_hex(data);
        if out["bytes"].as_u64() != Some(data.len() as u64) || out["sha256"].as_str() != Some(&sha)
        {
            return Err(format!(
                "the SDK side reports {} bytes with sha256 {}, expected {} bytes with {sha}",
                out["bytes"],
                out["sha256"],
                data.len()
            ));
        }
        let row = TransferRow {
            client: out["client"].as_str().unwrap_or("anaplan-sdk").to_string(),
            settings: String::new(),
            upload_s: seconds(&out["upload_s"])?,
            download_s: seconds(&out["download_s"])?,
            wire: wire_stats(self.emu, repeat)?,
        };
        Ok((row, out))
    }

    fn task(&self, repeat: usize) -> Result<Value, String> {
        fresh_state(self.emu);
        self.call(
            "task",
            &[
                "--action-id".into(),
                CLEAR_EMPLOYEES.into(),
                "--repeat".into(),
                repeat.to_string(),
            ],
        )
    }

    /// Runs the script and parses its JSON; its stderr (progress, tracebacks) goes to ours.
    fn call(&self, mode: &str, extra: &[String]) -> Result<Value, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/sdk_bench.py");
        let mut child = Command::new(self.python)
            .arg(&script)
            .arg(mode)
            .args([
                "--auth-url",
                &self.emu.auth_url,
                "--api-url",
                &self.emu.api_url,
            ])
            .args(["--user", USER, "--password", PASSWORD])
            .args(["--workspace", WS, "--model", MODEL])
            .args(["--deadline", &self.deadline.as_secs().to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.python.display()))?;
        let mut stdout = child.stdout.take().expect("stdout was piped");
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).map(|_| s)
        });
        // The script bounds itself; this is the backstop should Python hang before its alarm.
        let limit = Instant::now() + self.deadline + Duration::from_secs(30);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() > limit => {
                    // Already exiting or gone is fine: either way it no longer runs.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "sdk_bench.py {mode} did not finish within {} s and was killed",
                        (self.deadline + Duration::from_secs(30)).as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("waiting for sdk_bench.py: {e}")),
            }
        };
        let text = reader
            .join()
            .map_err(|_| "the stdout reader panicked".to_string())?
            .map_err(|e| format!("reading sdk_bench.py's output: {e}"))?;
        if !status.success() {
            return Err(format!(
                "sdk_bench.py {mode} failed ({status}); its messages are above"
            ));
        }
        serde_json::from_str(text.trim())
            .map_err(|e| format!("sdk_bench.py {mode} printed no JSON ({e}): {text:?}"))
    }
}

/// `GET …/actions/{id}/tasks/{taskId}` requests per run since the last `fresh_state`.
fn status_polls(emu: &RunningEmulator, repeat: usize) -> f64 {
    let prefix = format!("/actions/{CLEAR_EMPLOYEES}/tasks/");
    let n = emu
        .state
        .log
        .entries()
        .iter()
        .filter(|e| e.method == "GET" && e.path.contains(&prefix))
        .count();
    n as f64 / repeat as f64
}

fn seconds(v: &Value) -> Result<Vec<f64>, String> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("expected a list of seconds, got {v}"))
}

/// What the emulator's request log shows of one client's transfers (per run).
#[derive(Default)]
struct WireStats {
    chunk_puts: usize,
    bytes_in: u64,
    content_types: Vec<String>,
    max_in_flight: usize,
    download_gets: usize,
}

fn wire_stats(emu: &RunningEmulator, repeat: usize) -> Result<WireStats, String> {
    let log = emu.state.log.entries();
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
fn max_overlap(entries: &[&LogEntry]) -> usize {
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
fn ms_of_day(ts: &str) -> Option<u64> {
    let time = ts.split('T').nth(1)?.trim_end_matches('Z');
    let mut p = time.split(':');
    let h: u64 = p.next()?.parse().ok()?;
    let m: u64 = p.next()?.parse().ok()?;
    let s: f64 = p.next()?.parse().ok()?;
    Some((h * 3600 + m * 60) * 1000 + (s * 1000.0).round() as u64)
}

fn sha256_hex(data: &[u8]) -> String {
    use openssl::sha::sha256;
    sha256(data).iter().map(|b| format!("{b:02x}")).collect()
}

fn median(v: &[f64]) -> f64 {
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

struct Header {
    mb: usize,
    bandwidth: Option<u64>,
    repeat: usize,
    task_repeat: usize,
    sdk: String,
}

fn table(h: &Header, rows: &[TransferRow], tasks: &[TaskRow]) -> String {
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
