//! The Authentication service over real HTTP: basic and CA-certificate sign-in, token refresh,
//! validation, logout and expiry (`fixtures/anaplan-openapi/authentication-openapi.json`).
//!
//! Certificates are made at test time by the `openssl` CLI (a missing CLI fails the tests, it
//! does not skip them). Response shapes are checked against the recorded Anaplan Connect
//! fixtures and the community OpenAPI spec copied under `tests/fixtures/`.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anaplan_emulator::{EmulatorConfig, Seed};
// The command-line tool, not the `openssl` crate used below to sign nonces.
use anaplan_emulator::BundledSeed;
use anaplan_test_pki::openssl as openssl_cli;
use anaplan_test_pki::sign_in::{pki, Pki};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use common::*;
use openssl::hash::MessageDigest;
use openssl::pkey::PKey;
use openssl::sign::Signer;
use rand::RngCore;
use reqwest::blocking::Response;
use serde_json::{json, Value};

const AUTH_SPEC: &str = include_str!("fixtures/anaplan-openapi/authentication-openapi.json");
const AUTH_FIXTURE: &str = include_str!("fixtures/anaplan-connect-fixtures/auth_response.json");
const REFRESH_FIXTURE: &str =
    include_str!("fixtures/anaplan-connect-fixtures/auth_refresh_token.json");
const CERT_USER_ID: &str = BundledSeed::CERT_USER_ID;
const USER_ID: &str = BundledSeed::USER_ID;
const CUSTOMER_ID: &str = BundledSeed::CUSTOMER_ID;

// ---------------------------------------------------------------------------------------------
// Shape checks against the reference.

/// A validator for one response of the auth OpenAPI spec. The spec pins `meta.validationUrl` to
/// the production host; the emulator advertises its own, so only the path is checked there.
fn response_schema(path: &str, method: &str, status: &str) -> jsonschema::Validator {
    let spec: Value = serde_json::from_str(AUTH_SPEC).unwrap();
    let op = &spec["paths"][path][method]["responses"][status];
    let mut schema = op["content"]["application/json"]["schema"].clone();
    assert!(schema.is_object(), "no schema for {method} {path} {status}");
    let mut components = spec["components"].clone();
    components["schemas"]["ValidationUrl"]["properties"]["validationUrl"] =
        json!({"type": "string", "pattern": "^http://127\\.0\\.0\\.1:[0-9]+/token/validate$"});
    schema["components"] = components;
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

fn assert_schema(body: &Value, path: &str, method: &str, status: &str) {
    let v = response_schema(path, method, status);
    let errors: Vec<String> = v.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{method} {path} {status} does not match the spec: {errors:?}\n{body}"
    );
}

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v
        .as_object()
        .unwrap_or_else(|| panic!("not an object: {v}"))
        .keys()
        .cloned()
        .collect();
    k.sort();
    k
}

/// Same keys as the recorded response, at the top and inside `meta` and `tokenInfo`.
fn assert_fixture_keys(body: &Value, fixture: &str) {
    let fixture: Value = serde_json::from_str(fixture).unwrap();
    for part in [None, Some("meta"), Some("tokenInfo")] {
        let (b, f) = match part {
            None => (body, &fixture),
            Some(p) => (&body[p], &fixture[p]),
        };
        assert_eq!(keys(b), keys(f), "keys of {part:?} differ from the fixture");
    }
}

fn is_uuid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.iter().map(|p| p.len()).collect::<Vec<_>>() == [8, 4, 4, 4, 12]
        && parts
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_hexdigit()))
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64
}

fn json_of(res: Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let text = res.text().unwrap();
    let body = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("status {status}: body is not JSON ({e}): {text:?}"));
    assert!(
        ct.starts_with("application/json"),
        "content type {ct:?} for {text}"
    );
    (status, body)
}

/// A refusal of the auth service: the status, the `status` code and the error schema.
fn assert_refused(res: Response, status: u16, code: &str) -> String {
    let (got, body) = json_of(res);
    assert_eq!(got, status, "{body}");
    assert_eq!(body["status"], code, "{body}");
    assert_eq!(keys(&body), ["status", "statusMessage"], "{body}");
    assert_schema(&body, "/token/authenticate", "post", "401");
    body["statusMessage"].as_str().unwrap().to_string()
}

// ---------------------------------------------------------------------------------------------
// Requests.

fn basic(e: &Emu, user: &str, password: &str) -> Response {
    e.http
        .post(e.auth("/token/authenticate"))
        .basic_auth(user, Some(password))
        .send()
        .unwrap()
}

fn with_authorization(e: &Emu, method: &str, path: &str, value: &str) -> Response {
    let url = e.auth(path);
    let rb = match method {
        "GET" => e.http.get(url),
        _ => e.http.post(url),
    };
    rb.header("Authorization", value).send().unwrap()
}

fn validate(e: &Emu, token: &str) -> Response {
    with_authorization(
        e,
        "GET",
        "/token/validate",
        &format!("AnaplanAuthToken {token}"),
    )
}

fn refresh(e: &Emu, token: &str) -> Response {
    with_authorization(
        e,
        "POST",
        "/token/refresh",
        &format!("AnaplanAuthToken {token}"),
    )
}

fn logout(e: &Emu, token: &str) -> Response {
    with_authorization(
        e,
        "POST",
        "/token/logout",
        &format!("AnaplanAuthToken {token}"),
    )
}

fn cert_sign_in(e: &Emu, header_value: &str, body: &Value) -> Response {
    e.http
        .post(e.auth("/token/authenticate"))
        .header("Authorization", format!("CACertificate {header_value}"))
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .unwrap()
}

/// Signs in with a certificate, expects 201 and returns the signed-in user's email.
fn cert_user_of(e: &Emu, header_value: &str, body: &Value) -> Value {
    let (status, res) = json_of(cert_sign_in(e, header_value, body));
    assert_eq!(status, 201, "{res}");
    assert_eq!(res["statusMessage"], "Login successful");
    let token = res["tokenInfo"]["tokenValue"].as_str().unwrap();
    let (status, info) = json_of(validate(e, token));
    assert_eq!(status, 200, "{info}");
    if info["userInfo"]["userId"] == CERT_USER {
        assert_eq!(info["userInfo"]["userGuid"], CERT_USER_ID, "{info}");
    }
    info["userInfo"]["userId"].clone()
}

// ---------------------------------------------------------------------------------------------
// Certificates, made by the openssl CLI (anaplan_test_pki::sign_in lists them).

/// The certificate header values clients send.
trait HeaderValues {
    /// As clients send it: base64 of the whole PEM file.
    fn pem_header(&self, cert: &str) -> String;
    /// The community variant: the PEM body, i.e. base64 of the DER.
    fn der_header(&self, cert: &str) -> String;
}

impl HeaderValues for Pki {
    fn pem_header(&self, cert: &str) -> String {
        B64.encode(self.read(cert))
    }

    fn der_header(&self, cert: &str) -> String {
        // A file per call: tests run in parallel and share the folder.
        static N: AtomicUsize = AtomicUsize::new(0);
        let der = format!("{cert}.{}.der", N.fetch_add(1, Ordering::Relaxed));
        openssl_cli(
            &self.dir,
            &["x509", "-in", cert, "-outform", "DER", "-out", &der],
        );
        B64.encode(self.read(&der))
    }
}

// ---------------------------------------------------------------------------------------------
// Nonces and signatures, made the way clients make them.

fn random_bytes(n: usize) -> Vec<u8> {
    let mut b = vec![0u8; n];
    rand::thread_rng().fill_bytes(&mut b);
    b
}

/// v2 `encodedData`: 8-byte big-endian timestamp, then random bytes.
fn v2_nonce(stamp: u64, random: usize) -> Vec<u8> {
    let mut n = stamp.to_be_bytes().to_vec();
    n.extend(random_bytes(random));
    n
}

fn sign(pki: &Pki, key: &str, data: &[u8]) -> Vec<u8> {
    let key = PKey::private_key_from_pem(&pki.read(key)).unwrap();
    let mut signer = Signer::new(MessageDigest::sha512(), &key).unwrap();
    signer.sign_oneshot_to_vec(data).unwrap()
}

fn body(nonce: &[u8], signature: &[u8], format: Option<&str>) -> Value {
    let mut b =
        json!({"encodedData": B64.encode(nonce), "encodedSignedData": B64.encode(signature)});
    if let Some(f) = format {
        b["encodedDataFormat"] = json!(f);
    }
    b
}

fn v1_body(pki: &Pki, key: &str) -> Value {
    let nonce = random_bytes(150);
    body(&nonce, &sign(pki, key, &nonce), None)
}

fn v2_body(pki: &Pki, key: &str, stamp: u64) -> Value {
    let nonce = v2_nonce(stamp, 100);
    body(&nonce, &sign(pki, key, &nonce), Some("v2"))
}

fn seed_with(change: impl FnOnce(&mut Seed)) -> EmulatorConfig {
    let mut seed = Seed::default_seed();
    change(&mut seed);
    EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Basic sign-in.

#[test]
fn basic_sign_in_returns_201_and_the_recorded_shape() {
    let e = emulator();
    let before = now_ms();
    let (status, b) = json_of(basic(&e, USER, PASSWORD));
    assert_eq!(status, 201, "{b}");
    assert_fixture_keys(&b, AUTH_FIXTURE);
    assert_schema(&b, "/token/authenticate", "post", "201");
    assert_eq!(b["status"], "SUCCESS");
    assert_eq!(b["statusMessage"], "Login successful");
    assert_eq!(
        b["meta"]["validationUrl"],
        format!("{}/token/validate", e.emu.auth_url)
    );
    let info = &b["tokenInfo"];
    assert!(is_uuid(info["tokenId"].as_str().unwrap()), "{info}");
    assert!(is_uuid(info["refreshTokenId"].as_str().unwrap()), "{info}");
    assert_ne!(info["tokenId"], info["refreshTokenId"]);
    // 35 minutes, in epoch milliseconds.
    let expires = info["expiresAt"].as_u64().unwrap();
    let ttl = 35 * 60 * 1000;
    assert!(
        expires >= before + ttl && expires <= now_ms() + ttl,
        "{expires}"
    );
    // Each sign-in is a new token.
    let (_, again) = json_of(basic(&e, USER, PASSWORD));
    assert_ne!(again["tokenInfo"]["tokenValue"], info["tokenValue"]);
    assert_ne!(again["tokenInfo"]["tokenId"], info["tokenId"]);
}

#[test]
fn basic_sign_in_refuses_wrong_credentials_with_401() {
    let e = emulator();
    for (user, password) in [
        (USER, "wrong-password"),
        ("nobody@example.com", PASSWORD),
        (USER, ""),
        // The cert-only user has no password at all.
        (CERT_USER, ""),
        // Passwords are case-sensitive.
        (USER, &PASSWORD.to_uppercase()),
    ] {
        let msg = assert_refused(basic(&e, user, password), 401, "FAILURE_BAD_CREDENTIAL");
        assert!(!msg.is_empty());
    }
    // The email is not case-sensitive.
    let (status, _) = json_of(basic(&e, &USER.to_uppercase(), PASSWORD));
    assert_eq!(status, 201);
}

#[test]
fn basic_sign_in_refuses_an_inactive_user() {
    let e = emulator_with(seed_with(|s| {
        s.users.iter_mut().find(|u| u.email == USER).unwrap().active = false;
    }));
    assert_refused(basic(&e, USER, PASSWORD), 401, "FAILURE_BAD_CREDENTIAL");
}

#[test]
fn malformed_authorization_on_authenticate_is_a_401_bad_header() {
    let e = emulator();
    let no_header = e.http.post(e.auth("/token/authenticate")).send().unwrap();
    assert_refused(no_header, 401, "FAILURE_BAD_HEADER");
    let no_colon = format!("Basic {}", B64.encode("user-without-password"));
    for value in [
        "Basic !!!not-base64!!!",
        no_colon.as_str(),
        "InvalidScheme xyz",
        "Bearer xyz",
        "xyz",
        "Basic",
    ] {
        let res = with_authorization(&e, "POST", "/token/authenticate", value);
        let msg = assert_refused(res, 401, "FAILURE_BAD_HEADER");
        assert_eq!(msg, "Invalid header. Verify the header.", "{value}");
    }
}

// ---------------------------------------------------------------------------------------------
// CA-certificate sign-in.

#[test]
fn certificate_pem_in_base64_with_v1_nonce_signs_in_the_email_user() {
    let (e, p) = (emulator(), pki());
    assert!(p
        .text("key8.pem")
        .starts_with("-----BEGIN PRIVATE KEY-----"));
    let header = p.pem_header("user.pem");
    let user = cert_user_of(&e, &header, &v1_body(p, "key8.pem"));
    assert_eq!(user, CERT_USER);
}

#[test]
fn certificate_pem_with_text_before_the_armour_is_accepted() {
    let (e, p) = (emulator(), pki());
    let mut pem =
        b"Bag Attributes\n    friendlyName: cert.user\nsubject=CN = Cert User\n\n".to_vec();
    pem.extend(p.read("user.pem"));
    let header = B64.encode(pem);
    assert_eq!(
        cert_user_of(&e, &header, &v1_body(p, "key8.pem")),
        CERT_USER
    );
}

#[test]
fn certificate_as_bare_der_in_the_header_is_accepted() {
    let (e, p) = (emulator(), pki());
    let header = p.der_header("user.pem");
    assert_eq!(
        cert_user_of(&e, &header, &v1_body(p, "key8.pem")),
        CERT_USER
    );
}

#[test]
fn certificate_with_pkcs1_key_and_email_in_cn_signs_in() {
    let (e, p) = (emulator(), pki());
    assert!(p
        .text("user-pkcs1.key")
        .starts_with("-----BEGIN RSA PRIVATE KEY-----"));
    let header = p.pem_header("user-pkcs1.pem");
    let v2 = v2_body(p, "user-pkcs1.key", now_ms() / 1000);
    assert_eq!(cert_user_of(&e, &header, &v2), CERT_USER);
}

#[test]
fn certificate_signature_made_by_the_openssl_cli_is_accepted() {
    let (e, p) = (emulator(), pki());
    let dir = p.dir.join(format!("cli-sign-{}", now_ms()));
    std::fs::create_dir_all(&dir).unwrap();
    let nonce = v2_nonce(now_ms() / 1000, 120);
    std::fs::write(dir.join("nonce.bin"), &nonce).unwrap();
    let key = p.path("key8.pem");
    openssl_cli(
        &dir,
        &[
            "dgst",
            "-sha512",
            "-sign",
            key.to_str().unwrap(),
            "-out",
            "sig.bin",
            "nonce.bin",
        ],
    );
    let signature = std::fs::read(dir.join("sig.bin")).unwrap();
    let b = body(&nonce, &signature, Some("v2"));
    assert_eq!(cert_user_of(&e, &p.pem_header("user.pem"), &b), CERT_USER);
}

#[test]
fn v2_timestamps_in_seconds_and_milliseconds_are_accepted() {
    let (e, p) = (emulator(), pki());
    let header = p.pem_header("user.pem");
    let now = now_ms();
    for stamp in [now / 1000, now, now / 1000 - 60, now + 60_000] {
        let b = v2_body(p, "key8.pem", stamp);
        assert_eq!(cert_user_of(&e, &header, &b), CERT_USER, "stamp {stamp}");
    }
}

#[test]
fn v2_timestamps_outside_the_freshness_window_are_refused() {
    let (e, p) = (
        emulator_with(EmulatorConfig {
            cert_freshness: Duration::from_secs(120),
            ..EmulatorConfig::default()
        }),
        pki(),
    );
    let header = p.pem_header("user.pem");
    let now = now_ms();
    // The HELP example's own timestamp (2025-06-24), stale in seconds and in ms, a future one,
    // and zero.
    for stamp in [
        1_750_736_826,
        now / 1000 - 180,
        now - 180_000,
        now / 1000 + 180,
        0,
    ] {
        let res = cert_sign_in(&e, &header, &v2_body(p, "key8.pem", stamp));
        let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
        assert!(msg.contains("timestamp"), "{stamp}: {msg}");
    }
}

#[test]
fn nonce_shorter_than_100_bytes_is_refused() {
    let (e, p) = (emulator(), pki());
    let header = p.pem_header("user.pem");
    let short = random_bytes(99);
    let res = cert_sign_in(
        &e,
        &header,
        &body(&short, &sign(p, "key8.pem", &short), None),
    );
    let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
    assert!(msg.contains("100 bytes"), "{msg}");
    // v2: the 8-byte timestamp counts towards the 100 bytes.
    let short_v2 = v2_nonce(now_ms() / 1000, 91);
    let b = body(&short_v2, &sign(p, "key8.pem", &short_v2), Some("v2"));
    assert_refused(cert_sign_in(&e, &header, &b), 401, "FAILURE_BAD_CREDENTIAL");
    // Exactly 100 is enough, in both formats.
    let exact = random_bytes(100);
    let b = body(&exact, &sign(p, "key8.pem", &exact), None);
    assert_eq!(cert_user_of(&e, &header, &b), CERT_USER);
    let exact_v2 = v2_nonce(now_ms() / 1000, 92);
    let b = body(&exact_v2, &sign(p, "key8.pem", &exact_v2), Some("v2"));
    assert_eq!(cert_user_of(&e, &header, &b), CERT_USER);
}

#[test]
fn wrong_signatures_are_refused() {
    let (e, p) = (emulator(), pki());
    let header = p.pem_header("user.pem");
    let nonce = random_bytes(150);
    let good = sign(p, "key8.pem", &nonce);
    let mut tampered = nonce.clone();
    tampered[0] ^= 1;
    // Over the base64 text instead of the raw bytes, a common client mistake.
    let over_text = sign(p, "key8.pem", B64.encode(&nonce).as_bytes());
    let sha256 = {
        let key = PKey::private_key_from_pem(&p.read("key8.pem")).unwrap();
        let mut s = Signer::new(MessageDigest::sha256(), &key).unwrap();
        s.sign_oneshot_to_vec(&nonce).unwrap()
    };
    for (what, b) in [
        (
            "someone else's key",
            body(&nonce, &sign(p, "stranger.key", &nonce), None),
        ),
        ("another nonce", body(&tampered, &good, None)),
        ("signed base64 text", body(&nonce, &over_text, None)),
        ("SHA-256", body(&nonce, &sha256, None)),
        ("truncated", body(&nonce, &good[..good.len() - 1], None)),
    ] {
        let msg = assert_refused(cert_sign_in(&e, &header, &b), 401, "FAILURE_BAD_CREDENTIAL");
        assert!(msg.contains("signature"), "{what}: {msg}");
    }
}

#[test]
fn expired_and_not_yet_valid_certificates_are_refused() {
    let (e, p) = (emulator(), pki());
    for (cert, expect) in [
        ("user-expired.pem", "expired"),
        ("user-future.pem", "not valid yet"),
    ] {
        let res = cert_sign_in(&e, &p.pem_header(cert), &v1_body(p, "key8.pem"));
        let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
        assert!(msg.contains(expect), "{cert}: {msg}");
    }
}

#[test]
fn certificate_for_an_unknown_email_is_refused() {
    let (e, p) = (emulator(), pki());
    let res = cert_sign_in(
        &e,
        &p.pem_header("stranger.pem"),
        &v1_body(p, "stranger.key"),
    );
    let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
    assert!(msg.contains("nobody@example.com"), "{msg}");
}

#[test]
fn certificate_of_an_inactive_user_is_refused() {
    let e = emulator_with(seed_with(|s| {
        s.users
            .iter_mut()
            .find(|u| u.email == CERT_USER)
            .unwrap()
            .active = false;
    }));
    let p = pki();
    let res = cert_sign_in(&e, &p.pem_header("user.pem"), &v1_body(p, "key8.pem"));
    let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
    assert!(msg.contains("inactive"), "{msg}");
}

#[test]
fn certificate_with_a_non_rsa_key_is_refused() {
    let (e, p) = (emulator(), pki());
    let res = cert_sign_in(&e, &p.pem_header("ec.pem"), &v1_body(p, "ec.key"));
    let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
    assert!(msg.contains("RSA"), "{msg}");
}

#[test]
fn header_without_a_certificate_is_a_bad_header() {
    let (e, p) = (emulator(), pki());
    let b = v1_body(p, "key8.pem");
    let values = [
        "!!!".to_string(),
        B64.encode("just some text"),
        // A private key is no certificate.
        B64.encode(p.read("key8.pem")),
        B64.encode(&p.read("user.pem")[..200]),
        // The PEM body base64-encoded once more, which no client does.
        B64.encode(p.der_header("user.pem")),
    ];
    for value in &values {
        let res = cert_sign_in(&e, value, &b);
        assert_refused(res, 401, "FAILURE_BAD_HEADER");
    }
    let empty = with_authorization(&e, "POST", "/token/authenticate", "CACertificate ");
    assert_refused(empty, 401, "FAILURE_BAD_HEADER");
}

#[test]
fn bad_certificate_request_bodies_are_refused_with_401() {
    let (e, p) = (emulator(), pki());
    let header = p.pem_header("user.pem");
    let good = v1_body(p, "key8.pem");
    let send_raw = |raw: &str| {
        e.http
            .post(e.auth("/token/authenticate"))
            .header("Authorization", format!("CACertificate {header}"))
            .header("Content-Type", "application/json")
            .body(raw.to_string())
            .send()
            .unwrap()
    };
    for raw in ["", "not json", "[]"] {
        assert_refused(send_raw(raw), 401, "FAILURE_BAD_CREDENTIAL");
    }
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("encodedSignedData");
    let mut not_b64 = good.clone();
    not_b64["encodedData"] = json!("@@@");
    let mut unknown_format = good.clone();
    unknown_format["encodedDataFormat"] = json!("v9");
    for (b, expect) in [
        (missing, "encodedSignedData"),
        (not_b64, "encodedData"),
        (unknown_format, "v9"),
    ] {
        let msg = assert_refused(cert_sign_in(&e, &header, &b), 401, "FAILURE_BAD_CREDENTIAL");
        assert!(msg.contains(expect), "{msg}");
    }
    // The OpenAPI spec's `certificateChain`/`signature` body is not what the service takes.
    let oas_shape = json!({"certificateChain": header, "signature": good["encodedSignedData"]});
    assert_refused(
        cert_sign_in(&e, &header, &oas_shape),
        401,
        "FAILURE_BAD_CREDENTIAL",
    );
    // Unknown extra fields are ignored.
    let mut extra = good;
    extra["clientVersion"] = json!("1.0");
    assert_eq!(cert_user_of(&e, &header, &extra), CERT_USER);
}

#[test]
fn v1_can_be_switched_off_while_v2_keeps_working() {
    let e = emulator_with(EmulatorConfig {
        reject_v1_certificates: true,
        ..EmulatorConfig::default()
    });
    let p = pki();
    let header = p.pem_header("user.pem");
    for b in [v1_body(p, "key8.pem"), {
        let mut b = v1_body(p, "key8.pem");
        b["encodedDataFormat"] = json!("v1");
        b
    }] {
        let msg = assert_refused(cert_sign_in(&e, &header, &b), 401, "FAILURE_BAD_CREDENTIAL");
        assert!(msg.contains("v2"), "{msg}");
    }
    let b = v2_body(p, "key8.pem", now_ms());
    assert_eq!(cert_user_of(&e, &header, &b), CERT_USER);
}

#[test]
fn trusted_certificate_authorities_are_enforced_when_the_seed_lists_them() {
    let p = pki();
    // Without a list, a self-signed certificate of a seeded user is enough.
    let open = emulator();
    let self_signed = p.pem_header("cert.pem");
    assert_eq!(
        cert_user_of(&open, &self_signed, &v1_body(p, "key8.pem")),
        CERT_USER
    );
    let ca = p.text("ca.pem");
    let strict = emulator_with(seed_with(|s| s.certificate_authorities = vec![ca]));
    let issued = p.pem_header("user.pem");
    assert_eq!(
        cert_user_of(&strict, &issued, &v1_body(p, "key8.pem")),
        CERT_USER
    );
    for cert in ["cert.pem", "user-rogue.pem"] {
        let res = cert_sign_in(&strict, &p.pem_header(cert), &v1_body(p, "key8.pem"));
        let msg = assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
        assert!(
            msg.contains("trusted certificate authority"),
            "{cert}: {msg}"
        );
    }
}

#[test]
fn seed_with_an_unparseable_authority_is_rejected_and_trusts_no_one() {
    let mut seed = Seed::default_seed();
    seed.certificate_authorities =
        vec!["-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".into()];
    let err = seed.validate().unwrap_err();
    assert!(err.contains("certificateAuthorities[0]"), "{err}");
    // Started anyway (tests build configs without validating): refuse rather than trust all.
    let e = emulator_with(EmulatorConfig {
        seed,
        ..EmulatorConfig::default()
    });
    let p = pki();
    let res = cert_sign_in(&e, &p.pem_header("user.pem"), &v1_body(p, "key8.pem"));
    assert_refused(res, 401, "FAILURE_BAD_CREDENTIAL");
}

// ---------------------------------------------------------------------------------------------
// Tokens.

#[test]
fn validate_reports_token_and_user() {
    let e = emulator();
    let (_, auth) = json_of(basic(&e, USER, PASSWORD));
    let token = auth["tokenInfo"]["tokenValue"].as_str().unwrap();
    let (status, b) = json_of(validate(&e, token));
    assert_eq!(status, 200, "{b}");
    assert_schema(&b, "/token/validate", "get", "200");
    assert_eq!(
        keys(&b),
        ["meta", "status", "statusMessage", "tokenInfo", "userInfo"]
    );
    assert_eq!(b["status"], "SUCCESS");
    assert_eq!(b["statusMessage"], "Token validated");
    assert_eq!(keys(&b["tokenInfo"]), ["expiresAt", "tokenId"]);
    assert_eq!(b["tokenInfo"]["tokenId"], auth["tokenInfo"]["tokenId"]);
    assert_eq!(b["tokenInfo"]["expiresAt"], auth["tokenInfo"]["expiresAt"]);
    assert_eq!(
        b["userInfo"],
        json!({"userGuid": USER_ID, "userId": USER, "customerGuid": CUSTOMER_ID})
    );
}

#[test]
fn refresh_keeps_the_token_and_extends_its_expiry() {
    let e = emulator_with(EmulatorConfig {
        token_ttl: Duration::from_secs(2),
        ..EmulatorConfig::default()
    });
    let (_, auth) = json_of(basic(&e, USER, PASSWORD));
    let token = auth["tokenInfo"]["tokenValue"]
        .as_str()
        .unwrap()
        .to_string();
    std::thread::sleep(Duration::from_millis(1200));
    let (status, b) = json_of(refresh(&e, &token));
    assert_eq!(status, 200, "{b}");
    assert_fixture_keys(&b, REFRESH_FIXTURE);
    assert_schema(&b, "/token/refresh", "post", "200");
    assert_eq!(b["statusMessage"], "Token refreshed");
    let (old, new) = (&auth["tokenInfo"], &b["tokenInfo"]);
    assert_eq!(new["tokenValue"], old["tokenValue"]);
    assert_eq!(new["tokenId"], old["tokenId"]);
    assert_eq!(new["refreshTokenId"], old["refreshTokenId"]);
    let (before, after) = (
        old["expiresAt"].as_u64().unwrap(),
        new["expiresAt"].as_u64().unwrap(),
    );
    assert!(after >= before + 1000, "{before} -> {after}");
    // 2.4 s after sign-in with a 2 s lifetime: alive only because of the refresh.
    std::thread::sleep(Duration::from_millis(1200));
    let (status, v) = json_of(validate(&e, &token));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["tokenInfo"]["expiresAt"], new["expiresAt"]);
}

#[test]
fn expired_token_is_refused_everywhere() {
    let e = emulator_with(EmulatorConfig {
        token_ttl: Duration::from_secs(1),
        ..EmulatorConfig::default()
    });
    let token = e.login();
    let (status, _) = json_of(validate(&e, &token));
    assert_eq!(status, 200);
    std::thread::sleep(Duration::from_millis(1300));
    assert_refused(validate(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    assert_refused(refresh(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    assert_refused(logout(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    let (status, b) = json_of(e.get(&e.api("/users/me"), &token));
    assert_eq!(status, 401, "{b}");
    assert_eq!(b["status"]["code"], 401, "{b}");
    // A fresh sign-in works again.
    let fresh = e.login();
    assert_eq!(json_of(validate(&e, &fresh)).0, 200);
}

#[test]
fn logout_revokes_the_token_at_once() {
    let e = emulator();
    let token = e.login();
    let other = e.login();
    let res = logout(&e, &token);
    assert_eq!(res.status().as_u16(), 204);
    assert!(res.bytes().unwrap().is_empty(), "204 carries no body");
    assert_refused(validate(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    assert_refused(refresh(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    assert_refused(logout(&e, &token), 401, "FAILURE_BAD_CREDENTIAL");
    for path in [
        "/users/me".to_string(),
        "/workspaces".to_string(),
        format!("/models/{MODEL}/files"),
    ] {
        let (status, b) = json_of(e.get(&e.api(&path), &token));
        assert_eq!(status, 401, "{path}: {b}");
    }
    // Other tokens of the same user live on.
    assert_eq!(json_of(validate(&e, &other)).0, 200);
}

#[test]
fn bearer_and_other_schemes_are_rejected_on_token_endpoints() {
    let e = emulator();
    let token = e.login();
    for (method, path, status) in [
        ("POST", "/token/refresh", 400),
        ("GET", "/token/validate", 400),
        ("POST", "/token/logout", 401),
    ] {
        for value in [
            format!("Bearer {token}"),
            format!("anaplanauthtoken {token}"),
            token.clone(),
        ] {
            let res = with_authorization(&e, method, path, &value);
            let (got, b) = json_of(res);
            assert_eq!(got, status, "{path} {value}: {b}");
            assert_eq!(b["status"], "FAILURE_BAD_HEADER", "{b}");
            assert_schema(&b, "/token/refresh", "post", "400");
        }
        let missing = match method {
            "GET" => e.http.get(e.auth(path)),
            _ => e.http.post(e.auth(path)),
        };
        assert_eq!(missing.send().unwrap().status().as_u16(), status, "{path}");
    }
    // None of that touched the token.
    assert_eq!(json_of(validate(&e, &token)).0, 200);
}

#[test]
fn unknown_api_paths_need_a_token_before_they_are_not_found() {
    let e = emulator();
    let token = e.login();
    let url = e.api("/no/such/thing");
    let anonymous = e.http.get(&url).send().unwrap();
    let (status, b) = json_of(anonymous);
    assert_eq!(status, 401, "{b}");
    assert_eq!(b["path"], "/2/0/no/such/thing");
    let (status, b) = json_of(e.get(&url, "not-a-token"));
    assert_eq!(status, 401, "{b}");
    let (status, b) = json_of(e.get(&url, &token));
    assert_eq!(status, 404, "{b}");
    assert_eq!(b["status"]["code"], 404);
    // Outside the API, unknown paths are plain 404s.
    let (status, _) = json_of(e.http.get(e.auth("/no/such/thing")).send().unwrap());
    assert_eq!(status, 404);
}
