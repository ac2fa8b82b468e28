//! A file of just over 1 GiB (21 chunks of 50 MB, the per-chunk maximum) uploads as gzip chunks
//! and downloads intact, whole and by chunk. Bounded: 21 uploads, a handful of downloads.

mod common;

use std::io::{Read, Write};
use std::time::Instant;

use common::*;
use flate2::write::GzEncoder;
use flate2::Compression;
use openssl::sha::Sha256;
use serde_json::{json, Value};

const CHUNK: usize = 50 * 1024 * 1024;
const CHUNKS: usize = 21;
/// Each chunk starts with its own line, so that no two chunks are alike and a chunk stored in
/// the wrong slot changes the hash.
const LABEL: usize = 64;

fn label(k: usize) -> Vec<u8> {
    let mut l = format!("chunk {k:04} of the large-file test").into_bytes();
    l.resize(LABEL - 1, b'.');
    l.push(b'\n');
    l
}

/// The rest of every chunk: deterministic pseudo-random CSV-ish text.
fn body() -> Vec<u8> {
    let mut out = vec![0u8; CHUNK - LABEL];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for (i, cell) in out.chunks_mut(8).enumerate() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        cell.fill(b'a' + (x % 26) as u8);
        cell[0] = if i % 10 == 9 { b'\n' } else { b',' };
    }
    out
}

fn gzip(data: &[u8], level: Compression) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), level);
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

#[test]
fn one_gib_file_round_trips_through_gzip_chunks() {
    let started = Instant::now();
    let emu = emulator();
    let token = emu.login();

    // A gzip chunk is two gzip members (RFC 1952 allows several; Anaplan Connect and the SDK
    // send one): the chunk's label, then the shared body. The 50 MB body is deflated once, in
    // stored blocks, because deflating 1 GiB in a debug build would take minutes; the server
    // still inflates all 21 chunks.
    let body = body();
    let packed_body = gzip(&body, Compression::none());
    let mut expected = Sha256::new();

    let created: Value = with_token(emu.http.post(emu.model_api("/files/big.csv")), &token)
        .json(&json!({ "chunkCount": CHUNKS }))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let id = created["file"]["id"].as_str().unwrap().to_string();
    assert_eq!(created["file"]["chunkCount"], CHUNKS);

    for k in 0..CHUNKS {
        let label = label(k);
        expected.update(&label);
        expected.update(&body);
        let mut packed = gzip(&label, Compression::fast());
        packed.extend_from_slice(&packed_body);
        let res = with_token(
            emu.http
                .put(emu.model_api(&format!("/files/{id}/chunks/{k}"))),
            &token,
        )
        .header("Content-Type", "application/x-gzip")
        .body(packed)
        .send()
        .unwrap();
        assert_eq!(
            res.status().as_u16(),
            204,
            "chunk {k}: {}",
            res.text().unwrap()
        );
    }
    let expected = expected.finish();
    let uploaded = started.elapsed();

    let chunks = emu.get_json(&emu.model_api(&format!("/files/{id}/chunks")), &token);
    assert_eq!(chunks["chunks"].as_array().unwrap().len(), CHUNKS);
    assert_eq!(chunks["meta"]["paging"]["totalSize"], CHUNKS);

    // Whole-file download, hashed as it streams in.
    let mut res = emu.get(&emu.api(&format!("/models/{MODEL}/files/{id}")), &token);
    assert_eq!(res.status().as_u16(), 200);
    assert_eq!(
        res.headers()["content-length"].to_str().unwrap(),
        (CHUNK * CHUNKS).to_string()
    );
    let mut got = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut total = 0usize;
    loop {
        let n = res.read(&mut buf).unwrap();
        if n == 0 {
            break;
        }
        got.update(&buf[..n]);
        total += n;
    }
    assert_eq!(total, CHUNK * CHUNKS);
    assert_eq!(
        got.finish(),
        expected,
        "downloaded bytes differ from uploaded ones"
    );

    // The last chunk, alone.
    let last = emu
        .get(
            &emu.model_api(&format!("/files/{id}/chunks/{}", CHUNKS - 1)),
            &token,
        )
        .bytes()
        .unwrap();
    assert_eq!(last.len(), CHUNK);
    assert_eq!(&last[..LABEL], &label(CHUNKS - 1)[..]);
    assert!(last[LABEL..] == body[..]);

    eprintln!(
        "large file: {} MiB uploaded in {:?}, round trip in {:?}",
        (CHUNK * CHUNKS) >> 20,
        uploaded,
        started.elapsed()
    );
}
