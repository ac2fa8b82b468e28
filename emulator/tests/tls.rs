//! HTTPS mode: with a TLS identity every listener serves HTTPS, clients that trust the CA sign in,
//! a failed handshake ends only that connection, and faults still act on the connection.

mod common;

use std::time::Duration;

use anaplan_emulator::{start, EmulatorConfig, RunningEmulator, TlsIdentity};
use anaplan_emulator::{Fault, FaultConfig, FaultRule};
use anaplan_test_pki::tls::tls_pki;
use common::{PASSWORD, USER};
use reqwest::blocking::Client;

fn identity() -> TlsIdentity {
    let pki = tls_pki();
    TlsIdentity::from_files(&pki.server_cert(), &pki.server_key()).unwrap()
}

fn https_emulator(config: EmulatorConfig) -> RunningEmulator {
    start(EmulatorConfig {
        tls: Some(identity()),
        ..config
    })
    .expect("HTTPS emulator starts")
}

/// A client that trusts the test CA (and only the built-in roots besides).
fn trusting_client() -> Client {
    let ca = std::fs::read(tls_pki().ca()).unwrap();
    Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&ca).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

fn sign_in(client: &Client, auth_url: &str) -> reqwest::Result<reqwest::blocking::Response> {
    client
        .post(format!("{auth_url}/token/authenticate"))
        .basic_auth(USER, Some(PASSWORD))
        .send()
}

fn token_of(res: reqwest::blocking::Response) -> String {
    assert_eq!(res.status().as_u16(), 201);
    let body: serde_json::Value = res.json().unwrap();
    body["tokenInfo"]["tokenValue"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn a_client_trusting_the_ca_signs_in_over_https_on_both_listeners() {
    let emu = https_emulator(EmulatorConfig {
        auth_port: Some(0),
        ..EmulatorConfig::default()
    });
    assert!(
        emu.api_url.starts_with("https://127.0.0.1:"),
        "{}",
        emu.api_url
    );
    assert!(
        emu.auth_url.starts_with("https://127.0.0.1:"),
        "{}",
        emu.auth_url
    );
    let client = trusting_client();
    let token = token_of(sign_in(&client, &emu.auth_url).unwrap());
    let res = client
        .get(format!("{}/2/0/workspaces", emu.api_url))
        .header("Authorization", format!("AnaplanAuthToken {token}"))
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 200);
    let body: serde_json::Value = res.json().unwrap();
    assert!(
        body["meta"]["schema"]
            .as_str()
            .unwrap()
            .starts_with("https://"),
        "objects name the HTTPS host: {body}"
    );
    // `localhost` is in the certificate too.
    let port = emu.auth_addr.unwrap().port();
    token_of(sign_in(&client, &format!("https://localhost:{port}")).unwrap());
}

#[test]
fn failed_handshakes_end_only_their_connection() {
    let emu = https_emulator(EmulatorConfig::default());
    // Built-in roots only: the test CA is unknown.
    let untrusting = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let err = sign_in(&untrusting, &emu.api_url).unwrap_err();
    assert!(err.is_connect(), "{err:?}");
    // Plain HTTP on the HTTPS port: no HTTP answer comes back.
    let plain = Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let http_url = emu.api_url.replacen("https://", "http://", 1);
    match sign_in(&plain, &http_url) {
        Err(_) => {}
        Ok(res) => panic!(
            "plain HTTP got an answer from the HTTPS port: {}",
            res.status()
        ),
    }
    // The listener still serves.
    token_of(sign_in(&trusting_client(), &emu.api_url).unwrap());
}

#[test]
fn a_pkcs1_key_is_accepted_and_a_foreign_key_is_refused_without_quoting_it() {
    let pki = tls_pki();
    let pkcs1 = TlsIdentity::from_files(&pki.server_cert(), &pki.server_key_pkcs1()).unwrap();
    let emu = start(EmulatorConfig {
        tls: Some(pkcs1),
        ..EmulatorConfig::default()
    })
    .unwrap();
    token_of(sign_in(&trusting_client(), &emu.api_url).unwrap());

    let foreign = TlsIdentity::from_files(&pki.server_cert(), &pki.unrelated_key()).unwrap();
    let key_text = String::from_utf8(foreign.key_pem.clone()).unwrap();
    assert!(!format!("{foreign:?}").contains("PRIVATE KEY"));
    let err = match start(EmulatorConfig {
        tls: Some(foreign),
        ..EmulatorConfig::default()
    }) {
        Err(e) => e,
        Ok(_) => panic!("an emulator started with a key that is not the certificate's"),
    };
    assert_eq!(err.kind(), std::io::ErrorKind::InvalidInput);
    let message = err.to_string();
    assert!(message.contains("does not belong"), "{message}");
    let key_body = key_text.lines().nth(1).unwrap();
    assert!(!message.contains(key_body), "the key leaked: {message}");
}

#[test]
fn a_reset_fault_resets_a_tls_connection_and_a_capped_link_carries_tls() {
    let emu = https_emulator(EmulatorConfig {
        faults: FaultConfig {
            rules: vec![FaultRule {
                times: Some(1),
                ..FaultRule::everywhere(Fault::ResetRequest { after_bytes: 0 })
            }],
            bandwidth: Some(64 * 1024),
            ..FaultConfig::default()
        },
        ..EmulatorConfig::default()
    });
    let client = trusting_client();
    let err = sign_in(&client, &emu.api_url).unwrap_err();
    assert!(
        !err.is_status(),
        "the first request is reset, not answered: {err:?}"
    );
    // The rule fired once; the same client gets through on a fresh connection.
    token_of(sign_in(&client, &emu.api_url).unwrap());
}

#[test]
fn the_plain_http_emulator_is_unchanged() {
    let emu = start(EmulatorConfig::default()).unwrap();
    assert!(
        emu.api_url.starts_with("http://127.0.0.1:"),
        "{}",
        emu.api_url
    );
    let client = Client::new();
    token_of(sign_in(&client, &emu.api_url).unwrap());
}
