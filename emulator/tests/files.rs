//! File upload and download routes over real HTTP, in both path forms, checked against the
//! OpenAPI spec and Anaplan Connect's recorded responses.

mod common;

use std::io::Write;

use anaplan_emulator::BundledSeed;
use common::schema::{assert_response, assert_same_shape, assert_valid};
use common::*;
use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::blocking::Response;
use serde_json::{json, Value};

const EMPLOYEES_FILE: &str = BundledSeed::FILE_EMPLOYEES;
const MB50: usize = 50 * 1024 * 1024;
/// The spec's path of `POST files/{fileId}` (set the chunk count).
const SET_COUNT: &str = "/workspaces/{workspaceId}/models/{modelId}/files/{fileId}";

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::fast());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// Deterministic CSV-like text of `rows` rows, different for each `tag`.
fn csv(tag: &str, rows: usize) -> Vec<u8> {
    let mut out = b"Name,Code,Value\n".to_vec();
    for i in 0..rows {
        out.extend_from_slice(format!("{tag} item {i},{tag}{i:05},{}\n", i * 7 % 1000).as_bytes());
    }
    out
}

fn post_json(emu: &Emu, url: &str, token: &str, body: &Value) -> Response {
    with_token(emu.http.post(url), token)
        .json(body)
        .send()
        .unwrap()
}

fn put(emu: &Emu, url: &str, token: &str, content_type: &str, body: Vec<u8>) -> Response {
    with_token(emu.http.put(url), token)
        .header("Content-Type", content_type)
        .body(body)
        .send()
        .unwrap()
}

fn put_ok(emu: &Emu, url: &str, token: &str, content_type: &str, body: Vec<u8>) {
    let res = put(emu, url, token, content_type, body);
    let status = res.status().as_u16();
    let has_type = res.headers().contains_key("content-type");
    let text = res.text().unwrap();
    assert_eq!(status, 204, "PUT {url}: {text}");
    assert!(text.is_empty(), "204 has no body");
    assert!(!has_type, "204 has no Content-Type");
}

fn get_bytes(emu: &Emu, url: &str, token: &str) -> Vec<u8> {
    let res = emu.get(url, token);
    assert_eq!(res.status().as_u16(), 200, "GET {url}");
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    res.bytes().unwrap().to_vec()
}

/// A response that must be an Anaplan error with `status`; returns its message.
fn error_message(res: Response, status: u16) -> String {
    assert_eq!(res.status().as_u16(), status);
    let body: Value = res.json().unwrap();
    assert_valid("ErrorResponse", &body);
    assert_eq!(body["status"]["code"], status);
    assert!(
        body["path"].as_str().unwrap().starts_with("/2/0/"),
        "{body}"
    );
    body["status"]["message"].as_str().unwrap().to_string()
}

fn file_in_list(emu: &Emu, token: &str, id: &str) -> Option<Value> {
    let list = emu.get_json(&emu.model_api("/files"), token);
    assert_response("GET", "/models/{modelId}/files", 200, &list);
    list["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["id"] == id)
        .cloned()
}

/// Sets the chunk count and returns the `file` object.
fn set_chunk_count(emu: &Emu, token: &str, file: &str, body: &Value) -> Value {
    let url = emu.model_api(&format!("/files/{file}"));
    let res = post_json(emu, &url, token, body);
    assert_eq!(res.status().as_u16(), 200);
    let v: Value = res.json().unwrap();
    assert_response("POST", SET_COUNT, 200, &v);
    v["file"].clone()
}

#[test]
fn files_listed_in_both_path_forms() {
    let emu = emulator();
    let token = emu.login();
    let short = emu.get_json(&emu.api(&format!("/models/{MODEL}/files")), &token);
    let long = emu.get_json(&emu.model_api("/files"), &token);
    assert_eq!(short["files"], long["files"]);
    assert_response("GET", "/models/{modelId}/files", 200, &short);
    assert_same_shape("list_of_files_response", &short);
    let seeded = &short["files"][0];
    assert_eq!(seeded["id"], EMPLOYEES_FILE);
    assert_eq!(seeded["chunkCount"], 1, "seeded content is one chunk");
    assert_eq!(seeded["name"], "Employees.csv");

    let viewer = emu.login_as(VIEWER, VIEWER_PASSWORD);
    error_message(emu.get(&emu.model_api("/files"), &viewer), 404);
    error_message(
        emu.get(&emu.model_api(&format!("/files/{EMPLOYEES_FILE}")), &viewer),
        404,
    );
}

#[test]
fn unknown_file_id_creates_a_file_named_after_it() {
    let emu = emulator();
    let token = emu.login();
    let before = emu.get_json(&emu.model_api("/files"), &token)["files"]
        .as_array()
        .unwrap()
        .len();

    let url = emu.model_api("/files/NewFile1");
    let res = post_json(&emu, &url, &token, &json!({"chunkCount": 0}));
    assert_eq!(res.status().as_u16(), 200);
    let created: Value = res.json().unwrap();
    assert_response("POST", SET_COUNT, 200, &created);
    assert_same_shape("create_file_response", &created);
    let file = &created["file"];
    let id = file["id"].as_str().unwrap();
    assert!(
        id.starts_with("113") && id.len() == 12 && id != "113000000001" && id != "113000000002",
        "{id}"
    );
    assert_eq!(file["name"], "NewFile1");
    assert_eq!(file["chunkCount"], 0);
    assert_eq!(file["headerRow"], -1);
    assert_eq!(file["firstDataRow"], -1);
    assert_eq!(file["separator"], "\t");
    assert_eq!(file_in_list(&emu, &token, id).unwrap(), *file);

    // A second new name gets the next id; a path segment with spaces is a name too.
    let second = set_chunk_count(
        &emu,
        &token,
        "My%20Data.csv",
        &json!({"chunkCount": 2, "separator": ",", "headerRow": 1, "firstDataRow": 2}),
    );
    assert_eq!(second["name"], "My Data.csv");
    assert_eq!(second["chunkCount"], 2);
    assert_eq!(second["separator"], ",");
    assert_eq!(second["headerRow"], 1);
    assert!(second["id"].as_str().unwrap() > id);
    let after = emu.get_json(&emu.model_api("/files"), &token)["files"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(after, before + 2);

    // Anaplan Connect posts the full metadata of an existing file: the file stays itself.
    let meta = file_in_list(&emu, &token, EMPLOYEES_FILE).unwrap();
    let mut body = meta.clone();
    body["chunkCount"] = json!(1);
    let same = set_chunk_count(&emu, &token, EMPLOYEES_FILE, &body);
    assert_eq!(same["id"], EMPLOYEES_FILE);
    assert_eq!(same["name"], meta["name"]);
}

#[test]
fn chunked_upload_plain_and_gzip_then_download() {
    let emu = emulator();
    let token = emu.login();
    let parts = [csv("a", 2000), csv("b", 3000), csv("c", 10)];
    let file = set_chunk_count(&emu, &token, EMPLOYEES_FILE, &json!({"chunkCount": 3}));
    assert_eq!(file["chunkCount"], 3);

    // The slots exist before any upload (Anaplan Connect lists them, then fills each).
    let slots = emu.get_json(
        &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks")),
        &token,
    );
    assert_response(
        "GET",
        "/workspaces/{workspaceId}/models/{modelId}/files/{fileId}/chunks",
        200,
        &slots,
    );
    assert_eq!(slots["chunks"].as_array().unwrap().len(), 3);
    // Uploading a new content replaced the seeded one.
    error_message(
        emu.get(
            &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/0")),
            &token,
        ),
        404,
    );

    // Both path forms take chunks; gzip and plain mix.
    put_ok(
        &emu,
        &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/0")),
        &token,
        "application/octet-stream",
        parts[0].clone(),
    );
    put_ok(
        &emu,
        &emu.api(&format!("/models/{MODEL}/files/{EMPLOYEES_FILE}/chunks/1")),
        &token,
        "application/x-gzip",
        gzip(&parts[1]),
    );
    put_ok(
        &emu,
        &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/2")),
        &token,
        "application/x-gzip",
        gzip(&parts[2]),
    );

    let chunks = emu.get_json(
        &emu.api(&format!("/models/{MODEL}/files/{EMPLOYEES_FILE}/chunks")),
        &token,
    );
    assert_same_shape("file_multi_chunks_response", &chunks);
    assert_eq!(
        chunks["chunks"],
        json!([{"id":"0","name":"Chunk 0"},{"id":"1","name":"Chunk 1"},{"id":"2","name":"Chunk 2"}])
    );
    for (i, part) in parts.iter().enumerate() {
        let got = get_bytes(
            &emu,
            &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/{i}")),
            &token,
        );
        assert_eq!(
            &got, part,
            "chunk {i} comes back as uploaded (gzip inflated)"
        );
    }
    let whole = get_bytes(
        &emu,
        &emu.api(&format!("/models/{MODEL}/files/{EMPLOYEES_FILE}")),
        &token,
    );
    assert_eq!(whole, parts.concat());

    let res = post_json(
        &emu,
        &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/complete")),
        &token,
        &json!({"id": EMPLOYEES_FILE}),
    );
    assert_eq!(res.status().as_u16(), 200);
    let done: Value = res.json().unwrap();
    assert_response(
        "POST",
        "/workspaces/{workspaceId}/models/{modelId}/files/{fileId}/complete",
        200,
        &done,
    );
    assert_eq!(done["file"]["chunkCount"], 3);
    assert_eq!(
        file_in_list(&emu, &token, EMPLOYEES_FILE).unwrap()["chunkCount"],
        3
    );
    error_message(
        emu.get(
            &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/3")),
            &token,
        ),
        404,
    );
}

#[test]
fn unknown_chunk_count_is_fixed_by_complete() {
    let emu = emulator();
    let token = emu.login();
    let file = set_chunk_count(&emu, &token, "Streamed.csv", &json!({"chunkCount": -1}));
    let id = file["id"].as_str().unwrap().to_string();
    assert_eq!(file["chunkCount"], -1);
    let none = emu.get_json(&emu.model_api(&format!("/files/{id}/chunks")), &token);
    assert!(
        none.get("chunks").is_none(),
        "key omitted without chunks: {none}"
    );
    assert_eq!(none["meta"]["paging"]["totalSize"], 0);

    put_ok(
        &emu,
        &emu.model_api(&format!("/files/{id}/chunks/0")),
        &token,
        "application/x-gzip",
        gzip(b"x,y\n1,2\n"),
    );
    put_ok(
        &emu,
        &emu.model_api(&format!("/files/{id}/chunks/1")),
        &token,
        "application/octet-stream",
        b"3,4\n".to_vec(),
    );
    let listed = emu.get_json(&emu.model_api(&format!("/files/{id}/chunks")), &token);
    assert_same_shape("file_multi_chunks_response", &listed);
    assert_eq!(listed["meta"]["paging"]["totalSize"], 2);

    // Clients send anything from `{}` to full metadata to complete.
    let res = with_token(
        emu.http
            .post(emu.model_api(&format!("/files/{id}/complete"))),
        &token,
    )
    .header("Content-Type", "application/json")
    .body("{}")
    .send()
    .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let done: Value = res.json().unwrap();
    assert_eq!(done["file"]["chunkCount"], 2);
    assert_eq!(
        get_bytes(&emu, &emu.model_api(&format!("/files/{id}")), &token),
        b"x,y\n1,2\n3,4\n"
    );
}

#[test]
fn bad_chunks_are_refused() {
    let emu = emulator();
    let token = emu.login();
    set_chunk_count(&emu, &token, EMPLOYEES_FILE, &json!({"chunkCount": 2}));
    let chunk = |n: &str| emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/{n}"));

    let msg = error_message(
        put(
            &emu,
            &chunk("0"),
            &token,
            "application/x-gzip",
            b"this is not gzip".to_vec(),
        ),
        400,
    );
    assert!(msg.contains("gzip"), "{msg}");
    let mut truncated = gzip(&csv("t", 5000));
    truncated.truncate(truncated.len() / 2);
    let msg = error_message(
        put(&emu, &chunk("0"), &token, "application/x-gzip", truncated),
        400,
    );
    assert!(msg.contains("gzip"), "{msg}");

    let msg = error_message(
        put(
            &emu,
            &chunk("2"),
            &token,
            "application/octet-stream",
            vec![b'a'; 8 << 20], // read to its end: the client sees the 400, not a reset
        ),
        400,
    );
    assert!(msg.contains("chunk count"), "{msg}");
    for bad in ["1000", "abc", "-1"] {
        error_message(
            put(
                &emu,
                &chunk(bad),
                &token,
                "application/octet-stream",
                b"a".to_vec(),
            ),
            400,
        );
    }
    for n in [1001, -2] {
        let res = post_json(
            &emu,
            &emu.model_api(&format!("/files/{EMPLOYEES_FILE}")),
            &token,
            &json!({"chunkCount": n}),
        );
        error_message(res, 400);
    }
    let res = with_token(
        emu.http
            .post(emu.model_api(&format!("/files/{EMPLOYEES_FILE}"))),
        &token,
    )
    .header("Content-Type", "application/json")
    .body("{not json")
    .send()
    .unwrap();
    error_message(res, 400);

    // Nothing of the refused chunks was stored.
    error_message(emu.get(&chunk("0"), &token), 404);
    for path in ["/files/113999999999/chunks/0", "/files/113999999999"] {
        error_message(
            put(
                &emu,
                &emu.model_api(path),
                &token,
                "application/octet-stream",
                b"a".to_vec(),
            ),
            404,
        );
    }
}

#[test]
fn chunk_size_limit_is_50_mb_uncompressed() {
    let emu = emulator();
    let token = emu.login();
    set_chunk_count(&emu, &token, EMPLOYEES_FILE, &json!({"chunkCount": 2}));
    let chunk = |n: usize| emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks/{n}"));

    // Exactly 50 MB passes (well beyond axum's 2 MB default body limit).
    let mut full = vec![b'z'; MB50];
    full[0] = b'A';
    full[MB50 - 1] = b'Z';
    put_ok(
        &emu,
        &chunk(0),
        &token,
        "application/octet-stream",
        full.clone(),
    );
    // A small gzip body that inflates to 51 MB is refused without storing anything.
    let bomb = gzip(&vec![b'a'; 51 * 1024 * 1024]);
    assert!(bomb.len() < 1024 * 1024);
    let msg = error_message(
        put(&emu, &chunk(1), &token, "application/x-gzip", bomb),
        400,
    );
    assert!(msg.contains("more than"), "{msg}");
    // So is a plain body one byte over.
    let msg = error_message(
        put(
            &emu,
            &chunk(1),
            &token,
            "application/octet-stream",
            vec![b'a'; MB50 + 1],
        ),
        400,
    );
    assert!(msg.contains("larger than"), "{msg}");
    error_message(emu.get(&chunk(1), &token), 404);
    assert_eq!(get_bytes(&emu, &chunk(0), &token), full);
}

#[test]
fn single_shot_upload_and_download() {
    let emu = emulator();
    let token = emu.login();
    let content = csv("single", 4000);
    let url = emu.api(&format!("/models/{MODEL}/files/{EMPLOYEES_FILE}"));
    put_ok(
        &emu,
        &url,
        &token,
        "application/octet-stream",
        content.clone(),
    );
    assert_eq!(get_bytes(&emu, &url, &token), content);
    assert_eq!(
        get_bytes(
            &emu,
            &emu.model_api(&format!("/files/{EMPLOYEES_FILE}")),
            &token
        ),
        content
    );
    let listed = emu.get_json(
        &emu.model_api(&format!("/files/{EMPLOYEES_FILE}/chunks")),
        &token,
    );
    assert_same_shape("file_chunks_response", &listed);
    assert_eq!(
        file_in_list(&emu, &token, EMPLOYEES_FILE).unwrap()["chunkCount"],
        1
    );

    let msg = error_message(
        put(&emu, &url, &token, "application/x-gzip", gzip(&content)),
        400,
    );
    assert!(msg.contains("compress"), "{msg}");
    assert_eq!(
        get_bytes(&emu, &url, &token),
        content,
        "the refused upload changed nothing"
    );
}

#[test]
fn delete_removes_content_but_keeps_the_file() {
    let emu = emulator();
    let token = emu.login();
    let url = emu.model_api(&format!("/files/{EMPLOYEES_FILE}"));
    assert!(
        !get_bytes(&emu, &url, &token).is_empty(),
        "seeded content downloads"
    );

    let res = with_token(emu.http.delete(&url), &token).send().unwrap();
    assert_eq!(res.status().as_u16(), 204);
    assert!(res.text().unwrap().is_empty());
    error_message(emu.get(&url, &token), 404);
    error_message(emu.get(&format!("{url}/chunks/0"), &token), 404);
    let chunks = emu.get_json(&format!("{url}/chunks"), &token);
    assert!(chunks.get("chunks").is_none());
    assert!(
        file_in_list(&emu, &token, EMPLOYEES_FILE).is_some(),
        "the data source stays"
    );

    let res = with_token(
        emu.http.delete(emu.model_api("/files/113999999999")),
        &token,
    )
    .send()
    .unwrap();
    error_message(res, 404);
}

#[test]
fn empty_and_unknown_files_have_no_content() {
    let emu = emulator();
    let token = emu.login();
    let created = set_chunk_count(&emu, &token, "Empty.csv", &json!({"chunkCount": 0}));
    let id = created["id"].as_str().unwrap();
    error_message(
        emu.get(&emu.model_api(&format!("/files/{id}")), &token),
        404,
    );
    error_message(emu.get(&emu.model_api("/files/113999999999"), &token), 404);
    error_message(
        emu.get(&emu.model_api("/files/113999999999/chunks"), &token),
        404,
    );
    let res = post_json(
        &emu,
        &emu.model_api("/files/113999999999/complete"),
        &token,
        &json!({}),
    );
    error_message(res, 404);
}

#[test]
fn export_output_files_are_listed_and_downloadable() {
    let emu = emulator();
    let token = emu.login();
    let export_id = "116000000001";
    assert!(
        file_in_list(&emu, &token, export_id).is_none(),
        "no output before the export ran"
    );
    let (_, done) = run_to_end(&emu, &token, "exports", export_id);
    assert_eq!(done["result"]["successful"], true);
    let output = get_bytes(&emu, &emu.model_api(&format!("/files/{export_id}")), &token);
    assert!(
        output.starts_with(b"Employees,Parent,Code"),
        "{}",
        String::from_utf8_lossy(&output)
    );
    let listed = file_in_list(&emu, &token, export_id).unwrap();
    assert_eq!(
        listed,
        json!({"id": export_id, "name": "Employees.csv", "chunkCount": 1, "firstDataRow": 0, "headerRow": 0})
    );
    assert_valid("File", &listed);
    let chunk = get_bytes(
        &emu,
        &emu.model_api(&format!("/files/{export_id}/chunks/0")),
        &token,
    );
    assert_eq!(chunk, output);
}
