//! The client core against the emulator over real HTTP: sign-in (basic and certificate), token
//! refresh and renewal, retries, timeouts, cancellation, configuration checks, threads, logout,
//! and no secrets in logs or errors.

mod common;

use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use anaplan::client::{
    CancelToken, Client, Config, Credentials, Error, Level, Logger, NonceFormat, Request,
    RetryMode, Source,
};
use anaplan_emulator::EmulatorConfig;
use anaplan_test_pki::sign_in::{pki, PASSPHRASE};
use common::*;
use serde_json::json;

const AUTHENTICATE: &str = "/token/authenticate";
const USERS_ME: &str = "/2/0/users/me";

fn import_tasks_path() -> String {
    format!("/2/0/workspaces/{WS}/models/{MODEL}/imports/{IMPORT_EMPLOYEES}/tasks")
}

fn start_import(c: &Client) -> Request {
    let path = format!(
        "{}/imports/{IMPORT_EMPLOYEES}/tasks",
        c.model_path().unwrap()
    );
    Request::post(path).json(&json!({"localeName": "en_US"}))
}

// ---------------------------------------------------------------------------------------------
// Basic sign-in, workspace and model.

#[test]
fn basic_connect_signs_in_at_once_and_reaches_the_api() {
    let e = emulator();
    let c = connect_basic(&e);
    let sign_ins = e.matching("POST", AUTHENTICATE);
    assert_eq!(sign_ins.len(), 1, "one sign-in at connect");
    assert_eq!(sign_ins[0].status, 201);
    assert_eq!(email_of(&c), USER);

    let err = c.model_path().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(err.to_string().contains("no workspace"), "{err}");
    c.set_workspace_id(WS).unwrap();
    let err = c.model_path().unwrap_err();
    assert!(err.to_string().contains("no model"), "{err}");
    c.set_model_id(MODEL).unwrap();
    assert_eq!(
        c.model_path().unwrap(),
        format!("/workspaces/{WS}/models/{MODEL}")
    );
    assert_eq!(c.workspace_id().as_deref(), Some(WS));
    assert_eq!(c.model_id().as_deref(), Some(MODEL));
    assert!(matches!(
        c.set_model_id("../x"),
        Err(Error::InvalidArgument(_))
    ));

    // Every clone shares the workspace and model; the token is reused.
    let clone = c.clone();
    let files = clone
        .get_json(&format!("{}/files", clone.model_path().unwrap()))
        .unwrap();
    assert!(files["files"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["id"] == FILE_EMPLOYEES));
    assert_eq!(e.count("POST", AUTHENTICATE), 1);
    assert_eq!(
        c.api_url("/users/me"),
        format!("{}/2/0/users/me", e.emu.api_url)
    );
}

#[test]
fn http_errors_carry_anaplans_message_and_status() {
    let e = emulator();
    let c = connect_model(&e);
    let err = c
        .get_json(&format!("{}/imports/112999999999", c.model_path().unwrap()))
        .unwrap_err();
    match &err {
        Error::Http {
            method,
            status,
            message,
            path,
        } => {
            assert_eq!((method.as_str(), *status), ("GET", 404));
            assert!(!message.is_empty());
            assert!(path.ends_with("/imports/112999999999"), "{path}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(err.http_status(), Some(404));
}

#[test]
fn wrong_password_fails_at_connect_with_auth_and_401() {
    let e = emulator();
    let creds = Credentials::basic(USER, "not-the-password").unwrap();
    let err = Client::connect(config_for(&e), creds, Logger::default()).unwrap_err();
    match &err {
        Error::Auth {
            http_status,
            message,
        } => {
            assert_eq!(*http_status, 401);
            assert!(
                message.contains("Invalid username or password"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(!err.to_string().contains("not-the-password"));
    // A refused sign-in is not retried.
    assert_eq!(e.count("POST", AUTHENTICATE), 1);
}

/// Only a refused sign-in (401) is `Auth`: an answer about the request itself (a wrong auth URL,
/// a user name too long for a header) is an HTTP error that says what to check.
#[test]
fn a_sign_in_answer_that_is_not_a_refusal_is_an_http_error_with_a_hint() {
    let e = emulator();
    let mut config = config_for(&e);
    config.auth_url = format!("{}/not-the-auth-service", e.emu.auth_url);
    let err = Client::connect(config, basic_credentials(), Logger::default()).unwrap_err();
    match &err {
        Error::Http {
            status, message, ..
        } => {
            assert_eq!(*status, 404);
            assert!(message.contains("check the auth URL"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let long_user = "u".repeat(1 << 20);
    let creds = Credentials::basic(&long_user, PASSWORD).unwrap();
    let err = Client::connect(config_for(&e), creds, Logger::default()).unwrap_err();
    assert!(
        !matches!(err, Error::Auth { .. }),
        "a header too large is not a wrong password: {err:?}"
    );
    assert!(err.to_string().len() < 1000, "{:.300}", err.to_string());
}

// ---------------------------------------------------------------------------------------------
// Certificate sign-in.

fn cert_connect(
    e: &Emu,
    cert: Source,
    key: Source,
    pass: Option<&str>,
    format: NonceFormat,
) -> anaplan::client::Result<Client> {
    let creds = Credentials::certificate(cert, key, pass.map(str::as_bytes), format)?;
    Client::connect(config_for(e), creds, Logger::default())
}

#[test]
fn certificate_sign_in_with_every_key_form_and_the_v2_default() {
    let p = pki();
    // v1 refused by this emulator: every success below used v2.
    let e = emulator_with(EmulatorConfig {
        reject_v1_certificates: true,
        ..EmulatorConfig::default()
    });
    let file = |n: &str| Source::File(p.path(n));
    let cases: Vec<(&str, Source, Source, Option<&str>)> = vec![
        ("PKCS#8 PEM", file("cert.pem"), file("key8.pem"), None),
        ("PKCS#1 PEM", file("cert.pem"), file("key1.pem"), None),
        ("PKCS#8 DER", file("cert.pem"), file("key8.der"), None),
        ("PKCS#1 DER", file("cert.pem"), file("key1.der"), None),
        (
            "encrypted PKCS#8 PEM",
            file("cert.pem"),
            file("key8-enc.pem"),
            Some(PASSPHRASE),
        ),
        (
            "encrypted PKCS#1 PEM",
            file("cert.pem"),
            file("key1-enc.pem"),
            Some(PASSPHRASE),
        ),
        (
            "encrypted PKCS#8 DER",
            file("cert.pem"),
            file("key8-enc.der"),
            Some(PASSPHRASE),
        ),
        ("DER certificate", file("cert.der"), file("key8.pem"), None),
        (
            "in-memory PEM",
            Source::Bytes(p.read("cert.pem")),
            Source::Bytes(p.read("key1.pem")),
            None,
        ),
        (
            "in-memory DER, encrypted key",
            Source::Bytes(p.read("cert.der")),
            Source::Bytes(p.read("key8-enc.der")),
            Some(PASSPHRASE),
        ),
        (
            "passphrase given for a plain key",
            file("cert.pem"),
            file("key8.der"),
            Some(PASSPHRASE),
        ),
    ];
    for (name, cert, key, pass) in cases {
        let c = cert_connect(&e, cert, key, pass, NonceFormat::default())
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(email_of(&c), CERT_USER, "{name}");
    }
}

#[test]
fn certificate_v1_format_is_selectable() {
    let p = pki();
    let cert = || Source::File(p.path("cert.pem"));
    let key = || Source::File(p.path("key8.pem"));
    let open = emulator();
    let c = cert_connect(&open, cert(), key(), None, NonceFormat::V1).unwrap();
    assert_eq!(email_of(&c), CERT_USER);

    let strict = emulator_with(EmulatorConfig {
        reject_v1_certificates: true,
        ..EmulatorConfig::default()
    });
    match cert_connect(&strict, cert(), key(), None, NonceFormat::V1) {
        Err(Error::Auth { http_status, .. }) => assert_eq!(http_status, 401),
        other => panic!("v1 against a v2-only service: {other:?}"),
    }
    cert_connect(&strict, cert(), key(), None, NonceFormat::V2).unwrap();
}

#[test]
fn unusable_keys_and_certificates_are_clear_credentials_errors() {
    let p = pki();
    let file = |n: &str| Source::File(p.path(n));
    let check = |cert: Source, key: Source, pass: Option<&str>, expect: &str| {
        let err = Credentials::certificate(cert, key, pass.map(str::as_bytes), NonceFormat::V2)
            .unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, Error::Credentials(_)), "{err:?}");
        assert!(text.contains(expect), "{text:?} should say {expect:?}");
        assert!(
            !text.contains(PASSPHRASE) && !text.contains("PRIVATE KEY"),
            "{text}"
        );
        text
    };
    for key in ["key8-enc.pem", "key1-enc.pem", "key8-enc.der"] {
        let text = check(
            file("cert.pem"),
            file(key),
            Some("wrong-passphrase"),
            "passphrase is wrong",
        );
        assert!(!text.contains("wrong-passphrase"));
    }
    check(
        file("cert.pem"),
        file("key8-enc.pem"),
        None,
        "give its passphrase",
    );
    check(
        file("cert.pem"),
        file("key1-enc.pem"),
        None,
        "give its passphrase",
    );
    check(
        file("cert.pem"),
        file("key8-enc.der"),
        None,
        "give its passphrase",
    );
    check(
        file("cert.pem"),
        file("other.pem"),
        None,
        "does not belong to the certificate",
    );
    check(file("ec.pem"), file("ec.key"), None, "not an RSA key");
    check(
        file("key8.pem"),
        file("key8.pem"),
        None,
        "not a PEM or DER X.509 certificate",
    );
    check(
        file("cert.pem"),
        Source::Bytes(b"not a key at all".to_vec()),
        None,
        "private key given in memory",
    );
    let missing = p.path("missing.pem");
    let err = Credentials::certificate(
        file("cert.pem"),
        Source::File(missing.clone()),
        None,
        NonceFormat::V2,
    )
    .unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    assert!(
        err.to_string().contains(&missing.display().to_string()),
        "{err}"
    );
}

// ---------------------------------------------------------------------------------------------
// Tokens.

#[test]
fn token_is_refreshed_before_it_expires() {
    let e = emulator_with(EmulatorConfig {
        token_ttl: Duration::from_secs(4),
        ..EmulatorConfig::default()
    });
    let c = connect_basic(&e);
    // A fifth of 4 s before expiry the next call refreshes; bounded in time and requests.
    let deadline = Instant::now() + Duration::from_secs(15);
    while e.count("POST", "/token/refresh") == 0 {
        assert!(Instant::now() < deadline, "no refresh within 15 s");
        assert_eq!(email_of(&c), USER);
        std::thread::sleep(Duration::from_millis(100));
    }
    let refreshes = e.matching("POST", "/token/refresh");
    assert_eq!(refreshes[0].status, 200);
    assert_eq!(
        e.count("POST", AUTHENTICATE),
        1,
        "refreshed, not signed in again"
    );
    assert!(e.matching("GET", USERS_ME).iter().all(|r| r.status == 200));
}

#[test]
fn revoked_token_is_renewed_and_the_request_replayed_once() {
    let e = emulator();
    let c = connect_basic(&e);
    e.clear_requests();
    e.revoke_tokens();
    assert_eq!(email_of(&c), USER);
    let log: Vec<(String, String, u16)> = e
        .requests()
        .into_iter()
        .map(|r| (r.method, r.path, r.status))
        .collect();
    assert_eq!(
        log,
        [
            ("GET".to_string(), USERS_ME.to_string(), 401),
            ("POST".to_string(), AUTHENTICATE.to_string(), 201),
            ("GET".to_string(), USERS_ME.to_string(), 200),
        ]
    );
}

#[test]
fn renewal_is_not_repeated_when_the_new_token_is_refused_too() {
    let e = emulator();
    let c = connect_basic(&e);
    e.clear_requests();
    // Every API call answers 401: one renewal and one replay, then the 401 is the answer.
    e.add_fault(fault("GET", USERS_ME, status(401), None));
    let err = c.get_json("/users/me").unwrap_err();
    assert_eq!(err.http_status(), Some(401), "{err:?}");
    assert_eq!(e.count("GET", USERS_ME), 2);
    assert_eq!(e.count("POST", AUTHENTICATE), 1);
}

#[test]
fn eight_threads_seeing_a_revoked_token_sign_in_once() {
    let e = emulator();
    let c = connect_basic(&e);
    e.clear_requests();
    e.revoke_tokens();
    let barrier = Arc::new(Barrier::new(8));
    let threads: Vec<_> = (0..8)
        .map(|_| {
            let (c, b) = (c.clone(), barrier.clone());
            std::thread::spawn(move || {
                b.wait();
                email_of(&c)
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), USER);
    }
    assert_eq!(e.count("POST", AUTHENTICATE), 1, "{:#?}", e.requests());
}

#[test]
fn the_client_serves_eight_threads_at_once() {
    let e = emulator();
    // Some transient failures on the way, retried (seeded: the same on every run).
    e.emu
        .set_faults(anaplan_emulator::FaultConfig {
            seed: 7,
            rules: vec![FaultRule {
                probability: Some(0.05),
                ..fault("GET", "/2/0/*", status(503), None)
            }],
            bandwidth: None,
        })
        .unwrap();
    let mut config = config_for(&e);
    config.max_retries = 8;
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    c.set_workspace_id(WS).unwrap();
    c.set_model_id(MODEL).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let c = c.clone();
            std::thread::spawn(move || {
                for _ in 0..20 {
                    if i % 2 == 0 {
                        assert_eq!(email_of(&c), USER);
                    } else {
                        let path = format!("{}/imports", c.model_path().unwrap());
                        assert!(c.get_json(&path).unwrap()["imports"].is_array());
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let answered = e.matching("GET", "/2/0/*");
    assert_eq!(answered.iter().filter(|r| r.status == 200).count(), 160);
    assert!(
        answered.iter().any(|r| r.status == 503),
        "faults were injected"
    );
    assert_eq!(e.count("POST", AUTHENTICATE), 1);
}

#[test]
fn close_logs_out_once_and_refuses_further_calls() {
    let e = emulator();
    let c = connect_basic(&e);
    let clone = c.clone();
    c.close();
    let logouts = e.wait_for("POST", "/token/logout", 1);
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].status, 204);
    assert!(e.token_values().is_empty(), "the token is revoked");
    let err = clone.get_json("/users/me").unwrap_err();
    assert!(err.to_string().contains("closed"), "{err}");
    drop(c);
    drop(clone);
    assert_eq!(e.count("POST", "/token/logout"), 1);
}

#[test]
fn dropping_the_last_clone_logs_out() {
    let e = emulator();
    let c = connect_basic(&e);
    let clone = c.clone();
    drop(c);
    assert_eq!(
        e.count("POST", "/token/logout"),
        0,
        "a clone is still alive"
    );
    assert_eq!(email_of(&clone), USER);
    drop(clone);
    let logouts = e.wait_for("POST", "/token/logout", 1);
    assert_eq!(logouts.len(), 1);
    assert_eq!(logouts[0].status, 204);
}

// ---------------------------------------------------------------------------------------------
// Retries.

#[test]
fn status_429_is_retried_after_the_servers_retry_after() {
    let e = emulator();
    // Retry-After is capped by the maximum backoff: leave room for the server's second.
    let config = Config {
        retry_max_backoff: Duration::from_secs(5),
        ..config_for(&e)
    };
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    e.clear_requests();
    e.add_fault(fault(
        "GET",
        USERS_ME,
        Fault::Status {
            code: 429,
            retry_after: Some(1),
        },
        Some(1),
    ));
    let started = Instant::now();
    assert_eq!(email_of(&c), USER);
    // The backoff alone would be ~10 ms: waiting a second is the server's Retry-After.
    assert!(started.elapsed() >= Duration::from_secs(1));
    let statuses: Vec<u16> = e
        .matching("GET", USERS_ME)
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [429, 200]);
}

#[test]
fn status_503_and_dropped_connections_are_retried() {
    let e = emulator();
    let c = connect_basic(&e);
    for (name, f, times) in [
        ("503", status(503), 2),
        ("500", status(500), 1),
        ("502", status(502), 1),
        ("504", status(504), 1),
        (
            "reset before the answer",
            Fault::ResetRequest { after_bytes: 0 },
            2,
        ),
        (
            "reset during the answer",
            Fault::ResetResponse { after_bytes: 10 },
            1,
        ),
    ] {
        e.clear_faults();
        e.clear_requests();
        e.add_fault(fault("GET", USERS_ME, f, Some(times)));
        assert_eq!(email_of(&c), USER, "{name}");
        let seen = e.wait_for("GET", USERS_ME, times as usize + 1);
        assert_eq!(seen.len(), times as usize + 1, "{name}: {seen:#?}");
        assert_eq!(seen.last().unwrap().status, 200, "{name}");
    }
}

#[test]
fn exhausted_retries_give_the_last_http_status() {
    let e = emulator();
    let mut config = config_for(&e);
    config.max_retries = 2;
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    e.clear_requests();
    e.add_fault(fault("GET", USERS_ME, status(503), None));
    match c.get_json("/users/me").unwrap_err() {
        Error::Http { status, path, .. } => {
            assert_eq!(status, 503);
            assert_eq!(path, USERS_ME);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(e.count("GET", USERS_ME), 3, "one try and two retries");
}

#[test]
fn exhausted_retries_on_resets_give_a_network_error() {
    let e = emulator();
    let mut config = config_for(&e);
    config.max_retries = 1;
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    e.add_fault(fault(
        "GET",
        USERS_ME,
        Fault::ResetRequest { after_bytes: 0 },
        None,
    ));
    let err = c.get_json("/users/me").unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
}

#[test]
fn not_if_sent_does_not_resend_a_request_whose_answer_was_lost() {
    let e = emulator();
    let c = connect_model(&e);
    e.clear_requests();
    e.add_fault(fault(
        "POST",
        &import_tasks_path(),
        Fault::ResetResponse { after_bytes: 10 },
        Some(1),
    ));
    let err = c.send(start_import(&c), None).unwrap_err();
    assert!(matches!(err, Error::MaybeSent { .. }), "{err:?}");
    assert!(err.to_string().contains("may have taken effect"), "{err}");
    assert_eq!(e.wait_for("POST", &import_tasks_path(), 1).len(), 1);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(e.count("POST", &import_tasks_path()), 1, "sent once only");
    // The server did start it: that is why the caller must look before starting again.
    let tasks = c
        .get_json(&format!(
            "{}/imports/{IMPORT_EMPLOYEES}/tasks",
            c.model_path().unwrap()
        ))
        .unwrap();
    assert_eq!(tasks["tasks"].as_array().map(Vec::len), Some(1));
}

#[test]
fn not_if_sent_retries_what_the_server_turned_away_but_not_a_500() {
    let e = emulator();
    let c = connect_model(&e);
    e.clear_requests();
    e.add_fault(fault("POST", &import_tasks_path(), status(503), Some(1)));
    e.add_fault(fault(
        "POST",
        &import_tasks_path(),
        Fault::Status {
            code: 429,
            retry_after: Some(0),
        },
        Some(1),
    ));
    let res = c
        .send(start_import(&c), None)
        .unwrap()
        .ensure_success()
        .unwrap();
    assert_eq!(res.json().unwrap()["task"]["taskState"], "NOT_STARTED");
    let statuses: Vec<u16> = e
        .matching("POST", &import_tasks_path())
        .iter()
        .map(|r| r.status)
        .collect();
    assert_eq!(statuses, [503, 429, 200]);

    e.clear_requests();
    e.add_fault(fault("POST", &import_tasks_path(), status(500), Some(1)));
    let err = c
        .send(start_import(&c), None)
        .unwrap()
        .ensure_success()
        .unwrap_err();
    assert_eq!(err.http_status(), Some(500));
    assert_eq!(e.count("POST", &import_tasks_path()), 1);
}

#[test]
fn not_if_sent_retries_a_connection_that_could_not_be_made() {
    // Sign in on the auth listener; the API host is a port nobody listens on.
    let e = emulator_with(EmulatorConfig {
        auth_port: Some(0),
        ..EmulatorConfig::default()
    });
    // Not a port freed by a listener of our own: another test's emulator could take it in the
    // meantime (seen in CI). Port 1 is outside the ephemeral range every test listener gets.
    let closed_port = 1;
    let mut config = config_for(&e);
    config.api_url = format!("http://127.0.0.1:{closed_port}");
    config.max_retries = 2;
    let (logger, lines) = collecting_logger();
    let c = Client::connect(config, basic_credentials(), logger).unwrap();
    let req = Request::post("/workspaces/x/models/y/imports/1/tasks").json(&json!({}));
    assert_eq!(req.retry, RetryMode::NotIfSent);
    let err = c.send(req, None).unwrap_err();
    assert!(matches!(err, Error::Network { .. }), "{err:?}");
    let retries = lines
        .lock()
        .unwrap()
        .iter()
        .filter(|(l, m)| *l == Level::Warn && m.contains("retry"))
        .count();
    assert_eq!(
        retries, 2,
        "connection refused is retried even for NotIfSent"
    );
}

#[test]
fn a_request_without_an_answer_in_time_is_a_timeout() {
    let e = emulator();
    let mut config = config_for(&e);
    config.request_timeout = Duration::from_millis(300);
    config.max_retries = 1;
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    e.add_fault(fault("GET", USERS_ME, Fault::Latency { ms: 3000 }, None));
    let err = c.get_json("/users/me").unwrap_err();
    assert!(matches!(err, Error::Timeout(_)), "{err:?}");
    assert!(err.to_string().contains("/2/0/users/me"), "{err}");
}

#[test]
fn cancel_during_a_backoff_sleep_returns_cancelled() {
    let e = emulator();
    let mut config = config_for(&e);
    // Without the cancel this would end, after a 10-20 s sleep, with HTTP 503.
    config.max_retries = 1;
    config.retry_initial_backoff = Duration::from_secs(20);
    config.retry_max_backoff = Duration::from_secs(20);
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    e.clear_requests();
    e.add_fault(fault("GET", USERS_ME, status(503), None));
    let cancel = CancelToken::new();
    let worker = {
        let (c, cancel) = (c.clone(), cancel.clone());
        std::thread::spawn(move || c.send(Request::get("/users/me"), Some(&cancel)))
    };
    assert_eq!(e.wait_for("GET", USERS_ME, 1).len(), 1);
    cancel.cancel();
    let result = worker.join().unwrap();
    assert!(matches!(result, Err(Error::Cancelled)), "{result:?}");
    assert_eq!(e.count("GET", USERS_ME), 1, "no second attempt");
}

// ---------------------------------------------------------------------------------------------
// Configuration.

#[test]
fn plain_http_to_a_remote_host_needs_explicit_permission() {
    let e = emulator();
    let remote = Config {
        auth_url: "http://anaplan.example".into(),
        api_url: "http://anaplan.example".into(),
        // The emulator serves absolute-form requests, so it can stand in for a forward proxy.
        proxy: Some(e.emu.api_url.clone()),
        ..config_for(&e)
    };
    let err = Client::connect(remote.clone(), basic_credentials(), Logger::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(err.to_string().contains("plain HTTP"), "{err}");
    assert_eq!(e.count("POST", AUTHENTICATE), 0, "nothing was sent");

    let allowed = Config {
        allow_insecure_http: true,
        ..remote
    };
    let c = Client::connect(allowed, basic_credentials(), Logger::default()).unwrap();
    assert_eq!(email_of(&c), USER);
    assert_eq!(
        e.count("POST", AUTHENTICATE),
        1,
        "signed in through the proxy"
    );
}

/// The URLs the emulator used to print (`…/2/0`, `…/token/authenticate`) work as well as the
/// service roots: both are taken as the roots.
#[test]
fn base_urls_copied_with_the_service_path_work() {
    let e = emulator_with(EmulatorConfig {
        auth_port: Some(0),
        ..EmulatorConfig::default()
    });
    let mut config = config_for(&e);
    config.api_url = format!("{}/2/0", e.emu.api_url);
    config.auth_url = format!("{}/token/authenticate", e.emu.auth_url);
    let c = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    assert!(!c.list_workspaces().unwrap().is_empty());
    assert_eq!(e.count("GET", "/2/0/workspaces"), 1, "{:#?}", e.requests());
    assert_eq!(e.count("GET", "/2/0/2/0/*"), 0);
}

#[test]
fn regions_resolve_by_name_and_unknown_ones_are_refused() {
    let mut config = Config::default();
    config.set_region("eu3").unwrap();
    assert_eq!(config.auth_url, "https://eu3.auth.anaplan.com");
    assert_eq!(config.api_url, "https://eu3.api.anaplan.com");
    config.set_region("AU1").unwrap();
    assert_eq!(config.api_url, "https://api.au1a.app2.anaplan.com");
    let err = config.set_region("xx9").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    assert!(
        err.to_string().contains("eu3"),
        "lists the known regions: {err}"
    );
}

#[test]
fn a_ca_bundle_that_cannot_be_used_fails_at_connect() {
    let e = emulator();
    let p = pki();
    let missing = Config {
        ca_bundle: Some(p.path("no-such-bundle.pem")),
        ..config_for(&e)
    };
    let err = Client::connect(missing, basic_credentials(), Logger::default()).unwrap_err();
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
    let not_pem = Config {
        ca_bundle: Some(p.path("key8.der")),
        ..config_for(&e)
    };
    let err = Client::connect(not_pem, basic_credentials(), Logger::default()).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err:?}");
    // A real PEM certificate is accepted as an extra root.
    let good = Config {
        ca_bundle: Some(p.path("cert.pem")),
        ..config_for(&e)
    };
    let c = Client::connect(good, basic_credentials(), Logger::default()).unwrap();
    assert_eq!(email_of(&c), USER);
}

// ---------------------------------------------------------------------------------------------
// Logging and secrets.

#[test]
fn logs_show_requests_and_retries_but_never_secrets() {
    let p = pki();
    let e = emulator();
    let (logger, lines) = collecting_logger();
    let mut secrets: Vec<String> = vec![PASSWORD.into(), PASSPHRASE.into()];
    // Every base64 line of every key file (PEM bodies), and the DER keys' base64.
    for key in ["key8.pem", "key1.pem", "key8-enc.pem", "key1-enc.pem"] {
        let text = String::from_utf8(p.read(key)).unwrap();
        secrets.extend(
            text.lines()
                .filter(|l| !l.starts_with("-----") && l.len() > 16 && !l.contains(':'))
                .map(str::to_string),
        );
    }
    let mut errors = Vec::new();

    // Basic: sign-in, retries, a 401 renewal, a refused sign-in.
    let basic = Client::connect(config_for(&e), basic_credentials(), logger.clone()).unwrap();
    e.add_fault(fault("GET", USERS_ME, status(503), Some(2)));
    e.add_fault(fault(
        "GET",
        USERS_ME,
        Fault::ResetResponse { after_bytes: 5 },
        Some(1),
    ));
    assert_eq!(email_of(&basic), USER);
    let mut tokens = e.token_values();
    e.revoke_tokens();
    assert_eq!(email_of(&basic), USER);
    tokens.extend(e.token_values());
    let wrong = Credentials::basic(USER, "Wrong-Password-3").unwrap();
    secrets.push("Wrong-Password-3".into());
    errors.push(format!("{wrong:?}"));
    errors.push(
        Client::connect(config_for(&e), wrong, logger.clone())
            .unwrap_err()
            .to_string(),
    );

    // Certificate with a passphrase, and a wrong passphrase.
    let cert = Credentials::certificate(
        Source::File(p.path("cert.pem")),
        Source::File(p.path("key8-enc.pem")),
        Some(PASSPHRASE.as_bytes()),
        NonceFormat::V2,
    )
    .unwrap();
    errors.push(format!("{cert:?}"));
    let cert_client = Client::connect(config_for(&e), cert, logger.clone()).unwrap();
    assert_eq!(email_of(&cert_client), CERT_USER);
    tokens.extend(e.token_values());
    for key in ["key8-enc.pem", "key1-enc.pem"] {
        errors.push(
            Credentials::certificate(
                Source::File(p.path("cert.pem")),
                Source::Bytes(p.read(key)),
                Some(b"Wrong-Passphrase-9"),
                NonceFormat::V2,
            )
            .unwrap_err()
            .to_string(),
        );
    }
    secrets.push("Wrong-Passphrase-9".into());
    errors.push(format!("{basic:?}"));
    basic.close();
    drop(cert_client);

    let lines = lines.lock().unwrap();
    let all: Vec<&str> = lines
        .iter()
        .map(|(_, m)| m.as_str())
        .chain(errors.iter().map(String::as_str))
        .collect();
    // What should be there is there.
    let has = |needle: &str| all.iter().any(|l| l.contains(needle));
    assert!(has("GET /2/0/users/me -> 200"), "requests logged: {all:#?}");
    assert!(has("HTTP 503; retry 1 of 3"), "retries logged: {all:#?}");
    assert!(has("token refused (HTTP 401)"), "renewal logged: {all:#?}");
    assert!(has("signed out"), "logout logged: {all:#?}");
    // What must not be is not.
    assert!(tokens.len() >= 3, "{tokens:?}");
    secrets.extend(tokens);
    for line in &all {
        for s in &secrets {
            assert!(!line.contains(s.as_str()), "a secret in {line:?}");
        }
        assert!(
            !line.contains("PRIVATE KEY") && !line.contains("AnaplanAuthToken "),
            "{line}"
        );
    }
}
