//! Memory stays bounded by chunk size × parallelism whatever the size of the transfer: a
//! streamed 300 MB upload and its download, with every heap allocation of this process counted.
//!
//! The emulator runs in a child process (this same test binary, re-executed), so the counter
//! sees only the client: the calling thread, the upload/download workers and the HTTP stack's
//! threads. What is measured is the peak of live heap bytes during the transfer minus the live
//! bytes before it. This file has its own `main` (harness = false) because the child needs one.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use anaplan::client::{Client, Config, Credentials, Logger, TransferSettings};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(n: usize) {
    let now = LIVE.fetch_add(n, Ordering::SeqCst) + n;
    PEAK.fetch_max(now, Ordering::SeqCst);
}

// SAFETY: every call is passed to the system allocator unchanged; the counters are only
// arithmetic on atomics and never allocate.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const CHILD_ENV: &str = "ANAPLAN_TEST_EMULATOR_CHILD";
const MB: usize = 1_000_000;
const TOTAL: usize = 300 * MB;
const CHUNK: usize = 10 * MB;
const PARALLELISM: usize = 4;
/// Everything that does not scale with the chunk size: HTTP client buffers, TLS and runtime
/// state, log lines, the chunk list.
const CONSTANT: usize = 4 * MB;

fn main() {
    if std::env::var_os(CHILD_ENV).is_some() {
        run_emulator_child();
        return;
    }
    let mut child = Command::new(std::env::current_exe().expect("test binary path"))
        .env(CHILD_ENV, "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("emulator child starts");
    let mut lines = BufReader::new(child.stdout.take().expect("child stdout")).lines();
    let api_url = lines.next().expect("child says its URL").expect("readable");

    let result = std::panic::catch_unwind(|| measure(&api_url));
    // Closing stdin ends the child.
    drop(child.stdin.take());
    let _ = child.wait();
    if let Err(p) = result {
        std::panic::resume_unwind(p);
    }
    println!("transfer_memory: ok");
}

/// The emulator, until the parent closes our stdin.
fn run_emulator_child() {
    let emu = anaplan_emulator::start(anaplan_emulator::EmulatorConfig::default())
        .expect("emulator starts");
    println!("{}", emu.api_url);
    let mut sink = Vec::new();
    let _ = std::io::stdin().read_to_end(&mut sink);
    drop(emu);
}

/// A block of CSV rows, written over and over with piece sizes that straddle chunk boundaries.
fn block() -> Vec<u8> {
    let mut out = Vec::new();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut row = 0;
    while out.len() < MB {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        row += 1;
        out.extend_from_slice(format!("E{row:07},Dept {},{}\n", x % 13, x % 1_000_003).as_bytes());
    }
    out.truncate(MB);
    out
}

fn measure(api_url: &str) {
    let config = Config {
        auth_url: api_url.to_string(),
        api_url: api_url.to_string(),
        transfer: TransferSettings {
            chunk_size: CHUNK,
            parallelism: PARALLELISM,
            gzip: true,
            ..TransferSettings::default()
        },
        ..Config::default()
    };
    let c = Client::connect(
        config,
        Credentials::basic("integration.user@example.com", "Integration-Pass-1").unwrap(),
        Logger::silent(),
    )
    .expect("connect");
    c.set_workspace_id("8a80da9a6b3c21f3016b4d0a8f2b0042")
        .unwrap();
    c.set_model_id("75A40874E6B64FA3AE0E27A0A3A1A9A1").unwrap();
    let file = "113000000002";
    let block = block();
    let sizes = [65_537usize, 1, 700_001, 4_096, 333_333];

    // Upload: at most parallelism + 1 raw chunks, plus one compressed copy per chunk in flight
    // (at most the raw size: gzip of CSV is far smaller).
    let bound = (PARALLELISM + 1) * CHUNK + PARALLELISM * CHUNK + CONSTANT;
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let mut up = c.upload_begin(file, None).expect("begin");
    let (mut written, mut i, mut checksum) = (0usize, 0usize, 0u64);
    while written < TOTAL {
        let at = written % block.len();
        let n = sizes[i % sizes.len()]
            .min(block.len() - at)
            .min(TOTAL - written);
        let piece = &block[at..at + n];
        checksum = fnv(checksum, piece);
        up.write(piece).expect("write");
        written += n;
        i += 1;
    }
    let summary = up.finish().expect("finish");
    let upload_peak = PEAK.load(Ordering::SeqCst) - before;
    assert_eq!(summary.bytes as usize, TOTAL);
    assert_eq!(summary.chunks as usize, TOTAL / CHUNK);
    println!(
        "upload of {} MB in {} chunks of {} MB, {PARALLELISM} in flight, gzip: peak {:.1} MB above the baseline (bound {:.1} MB)",
        TOTAL / MB,
        summary.chunks,
        CHUNK / MB,
        upload_peak as f64 / MB as f64,
        bound as f64 / MB as f64
    );
    assert!(upload_peak <= bound, "upload peak {upload_peak} > {bound}");
    drop(up);

    // Download: at most `parallelism` chunks held or in flight, plus one more while the HTTP
    // stack joins the pieces of a chunk's body into one buffer (for a moment it exists twice).
    let bound = (PARALLELISM + 2) * CHUNK + CONSTANT;
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    let mut back = 0u64;
    let n = c
        .download_to(
            file,
            &mut |piece| {
                back = fnv(back, piece);
                Ok(())
            },
            None,
        )
        .expect("download");
    let download_peak = PEAK.load(Ordering::SeqCst) - before;
    println!(
        "download of {} MB: peak {:.1} MB above the baseline (bound {:.1} MB)",
        n as usize / MB,
        download_peak as f64 / MB as f64,
        bound as f64 / MB as f64
    );
    assert_eq!(n as usize, TOTAL);
    assert_eq!(back, checksum, "the bytes came back identical");
    assert!(
        download_peak <= bound,
        "download peak {download_peak} > {bound}"
    );
}

/// FNV-1a over the pieces, so the data can be compared without keeping it.
fn fnv(mut h: u64, data: &[u8]) -> u64 {
    if h == 0 {
        h = 0xcbf2_9ce4_8422_2325;
    }
    for b in data {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    h
}
