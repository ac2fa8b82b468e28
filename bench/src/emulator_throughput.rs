//! Measures the emulator's own throughput: a 1 GiB file uploaded in 50 MB gzip chunks, then
//! downloaded whole and chunk by chunk, so that later client benchmarks know the emulator is not
//! their bottleneck. Compression happens before the clock starts; what is timed is HTTP on
//! loopback plus the emulator's gunzip and storage.
//!
//! Usage: emulator-throughput [SIZE_MIB] [PARALLEL]   (defaults: 1024, 4)

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use anaplan_bench::csv_bytes;
use anaplan_emulator::BundledSeed;
use anaplan_emulator::{start, EmulatorConfig};
use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::blocking::Client;
use serde_json::{json, Value};

const CHUNK: usize = 50_000_000;
const USER: &str = BundledSeed::USER;
const PASSWORD: &str = BundledSeed::PASSWORD;
const WS: &str = BundledSeed::WS;
const MODEL: &str = BundledSeed::MODEL;
const FILE: &str = BundledSeed::FILE_EMPLOYEES;

fn main() {
    let mut args = std::env::args().skip(1);
    let mib: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1024);
    let parallel: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(4).max(1);
    let size = mib * 1024 * 1024;

    let emu = start(EmulatorConfig::default()).expect("emulator starts");
    let http = Client::builder()
        .timeout(Duration::from_secs(600))
        .build()
        .expect("client");
    let auth: Value = http
        .post(format!("{}/token/authenticate", emu.auth_url))
        .basic_auth(USER, Some(PASSWORD))
        .send()
        .and_then(|r| r.json())
        .expect("sign-in");
    let token = format!(
        "AnaplanAuthToken {}",
        auth["tokenInfo"]["tokenValue"].as_str().expect("token")
    );
    let base = format!(
        "{}/2/0/workspaces/{WS}/models/{MODEL}/files/{FILE}",
        emu.api_url
    );

    let chunks = size.div_ceil(CHUNK);
    eprintln!("preparing {mib} MiB as {chunks} gzip chunks of up to 50 MB...");
    let data = csv_bytes(size);
    let compressed: Vec<Vec<u8>> = data.chunks(CHUNK).map(gzip).collect();
    let compressed_total: usize = compressed.iter().map(Vec::len).sum();

    http.post(&base)
        .header("Authorization", &token)
        .json(&json!({ "chunkCount": chunks }))
        .send()
        .and_then(|r| r.error_for_status())
        .expect("set chunk count");

    let t = Instant::now();
    std::thread::scope(|s| {
        for worker in 0..parallel {
            let (http, base, token, compressed) = (&http, &base, &token, &compressed);
            s.spawn(move || {
                for n in (worker..chunks).step_by(parallel) {
                    http.put(format!("{base}/chunks/{n}"))
                        .header("Authorization", token)
                        .header("Content-Type", "application/x-gzip")
                        .body(compressed[n].clone())
                        .send()
                        .and_then(|r| r.error_for_status())
                        .expect("chunk upload");
                }
            });
        }
    });
    let upload = t.elapsed();

    let t = Instant::now();
    let mut res = http
        .get(&base)
        .header("Authorization", &token)
        .send()
        .and_then(|r| r.error_for_status())
        .expect("download");
    let mut buf = vec![0u8; 1 << 20];
    let mut downloaded = 0usize;
    let mut mismatch = false;
    loop {
        let n = res.read(&mut buf).expect("read body");
        if n == 0 {
            break;
        }
        mismatch |= data.get(downloaded..downloaded + n) != Some(&buf[..n]);
        downloaded += n;
    }
    let whole = t.elapsed();

    let t = Instant::now();
    let mut by_chunks = 0usize;
    for n in 0..chunks {
        let bytes = http
            .get(format!("{base}/chunks/{n}"))
            .header("Authorization", &token)
            .send()
            .and_then(|r| r.error_for_status())
            .and_then(|r| r.bytes())
            .expect("chunk download");
        mismatch |= data.get(by_chunks..by_chunks + bytes.len()) != Some(&bytes[..]);
        by_chunks += bytes.len();
    }
    let chunked = t.elapsed();

    assert_eq!(downloaded, size, "whole download size");
    assert_eq!(by_chunks, size, "chunked download size");
    assert!(!mismatch, "downloaded bytes differ from those uploaded");
    let mbps = |bytes: usize, d: Duration| bytes as f64 / 1e6 / d.as_secs_f64();
    println!("emulator throughput on loopback ({mib} MiB, {chunks} chunks of 50 MB, {parallel} uploads in parallel)");
    println!(
        "  upload (gzip, {:.1} MB on the wire): {:>7.2} s  {:>8.1} MB/s of file data",
        compressed_total as f64 / 1e6,
        upload.as_secs_f64(),
        mbps(size, upload)
    );
    println!(
        "  download, whole file:        {:>7.2} s  {:>8.1} MB/s",
        whole.as_secs_f64(),
        mbps(size, whole)
    );
    println!(
        "  download, chunk by chunk:    {:>7.2} s  {:>8.1} MB/s",
        chunked.as_secs_f64(),
        mbps(size, chunked)
    );
    emu.stop();
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(data).expect("gzip in memory");
    enc.finish().expect("gzip in memory")
}
