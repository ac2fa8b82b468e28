//! TLS trust against the emulator in HTTPS mode: verification is on by default (a private CA is
//! refused with `Error::Tls`, at once, not after retries), the CA bundle setting makes it trusted,
//! and https to loopback needs no insecure-HTTP allowance.

mod common;

use std::path::PathBuf;

use anaplan::client::{Client, Config, Error, Logger};
use anaplan::ffi::status::{status_of, ANAPLAN_STATUS_TLS};
use anaplan_emulator::{EmulatorConfig, TlsIdentity};
use anaplan_test_pki::tls::tls_pki;
use common::*;

fn https_emulator() -> Emu {
    let pki = tls_pki();
    emulator_with(EmulatorConfig {
        tls: Some(TlsIdentity::from_files(&pki.server_cert(), &pki.server_key()).unwrap()),
        ..EmulatorConfig::default()
    })
}

fn config_with_bundle(e: &Emu, ca_bundle: Option<PathBuf>) -> Config {
    let config = Config {
        ca_bundle,
        ..config_for(e)
    };
    assert!(
        !config.allow_insecure_http,
        "these tests run with insecure HTTP not allowed"
    );
    config
}

/// Connects with `config` and returns the error, with the debug log of the attempt.
fn connect_error(config: Config) -> (Error, Vec<String>) {
    let (logger, lines) = collecting_logger();
    let err = match Client::connect(config, basic_credentials(), logger) {
        Err(e) => e,
        Ok(_) => panic!("connected, but the server's certificate should not be trusted"),
    };
    // Every line, at every level (the logger keeps debug and up).
    let lines = lines
        .lock()
        .unwrap()
        .iter()
        .map(|(_, l)| l.clone())
        .collect();
    (err, lines)
}

fn tls_message(err: Error) -> String {
    assert_eq!(status_of(&err), ANAPLAN_STATUS_TLS, "{err:?}");
    match err {
        Error::Tls { message } => message,
        other => panic!("expected Error::Tls, got {other:?}"),
    }
}

#[test]
fn without_a_ca_bundle_the_private_ca_is_refused_at_once() {
    let emu = https_emulator();
    let (err, log) = connect_error(config_with_bundle(&emu, None));
    let message = tls_message(err);
    assert!(message.contains("not trusted"), "{message}");
    assert!(message.contains("CA bundle"), "{message}");
    assert!(message.contains("ca_bundle"), "{message}");
    assert!(!message.contains(PASSWORD), "{message}");
    let attempts = log.iter().filter(|l| l.contains("no answer")).count();
    assert_eq!(attempts, 1, "a TLS failure is not retried: {log:#?}");
    assert!(
        log.iter().all(|l| !l.contains(PASSWORD)),
        "the password is not logged"
    );
    assert!(emu.requests().is_empty(), "no HTTP request got through");
}

#[test]
fn with_the_ca_bundle_connect_and_listing_work_over_https() {
    let emu = https_emulator();
    assert!(emu.emu.api_url.starts_with("https://127.0.0.1:"));
    let config = config_with_bundle(&emu, Some(tls_pki().ca()));
    let client = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    let workspaces = client.list_workspaces().unwrap();
    assert_eq!(workspaces.len(), 2);
    assert!(
        (0..workspaces.len()).any(|i| workspaces.name(i) == Some(WS_NAME)),
        "{}",
        workspaces.json()
    );
    assert!(!emu.matching("POST", "/token/authenticate").is_empty());
}

#[test]
fn a_bundle_of_another_ca_is_refused() {
    let emu = https_emulator();
    let (err, _) = connect_error(config_with_bundle(&emu, Some(tls_pki().other_ca())));
    let message = tls_message(err);
    assert!(message.contains("not trusted"), "{message}");
}

#[test]
fn https_to_a_plain_http_port_is_a_tls_failure() {
    let emu = emulator();
    let https = |url: &str| url.replacen("http://", "https://", 1);
    let config = Config {
        auth_url: https(&emu.emu.auth_url),
        api_url: https(&emu.emu.api_url),
        ..config_with_bundle(&emu, Some(tls_pki().ca()))
    };
    let (err, _) = connect_error(config);
    let message = tls_message(err);
    assert!(
        message.starts_with("TLS handshake with 127.0.0.1:"),
        "{message}"
    );
}

#[test]
fn a_reset_under_tls_is_still_a_network_failure_and_retried() {
    let emu = https_emulator();
    let config = config_with_bundle(&emu, Some(tls_pki().ca()));
    let client = Client::connect(config, basic_credentials(), Logger::default()).unwrap();
    emu.add_fault(fault(
        "GET",
        "/2/0/users/me",
        Fault::ResetRequest { after_bytes: 0 },
        Some(1),
    ));
    client.get_json("/users/me").unwrap();
    assert_eq!(
        emu.wait_for("GET", "/2/0/users/me", 2).len(),
        2,
        "one reset, one retry"
    );
}
