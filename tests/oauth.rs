//! OAuth 2.0 sign-in from a refresh token against the emulator's OAuth service: rotation handed
//! to the caller before use (and the spent token refused by the server), renewal before expiry
//! and after a 401 by the same grant, a non-rotatable client's token kept, refusals that say to
//! sign in again, and no token or secret in any log line or message.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anaplan::client::{Client, Config, Credentials, Error, Logger, RotationSink};
use anaplan_emulator::BundledSeed as S;
use common::*;
use serde_json::Value;

fn oauth_config(e: &Emu) -> Config {
    Config {
        oauth_url: e.emu.api_url.clone(),
        ..config_for(e)
    }
}

/// A refresh token of `client` for the main user, by the authorization-code flow.
fn refresh_token_of(e: &Emu, client: &str, secret: &str) -> String {
    let code = e
        .emu
        .mint_authorization_code(client, S::USER, S::OAUTH_REDIRECT_URI)
        .unwrap();
    let body = token_request(
        e,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("client_secret", secret),
            ("code", &code),
            ("redirect_uri", S::OAUTH_REDIRECT_URI),
        ],
    );
    body["refresh_token"].as_str().unwrap().to_string()
}

fn token_request(e: &Emu, form: &[(&str, &str)]) -> Value {
    reqwest::blocking::Client::new()
        .post(format!("{}/oauth/token", e.emu.api_url))
        .form(form)
        .send()
        .unwrap()
        .json()
        .unwrap()
}

/// A rotation callback that keeps every token it is told.
fn keeper() -> (RotationSink, Arc<Mutex<Vec<String>>>) {
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let keep = seen.clone();
    (
        Arc::new(move |t: &str| keep.lock().unwrap().push(t.to_string())),
        seen,
    )
}

#[test]
fn a_rotatable_clients_new_refresh_tokens_are_handed_over_and_the_spent_ones_refused() {
    let e = emulator();
    let first = refresh_token_of(&e, S::OAUTH_CODE_CLIENT, S::OAUTH_CODE_CLIENT_SECRET);
    let (sink, seen) = keeper();
    let creds = Credentials::oauth_refresh_token(
        S::OAUTH_CODE_CLIENT,
        Some(S::OAUTH_CODE_CLIENT_SECRET),
        &first,
        Some(sink),
    )
    .unwrap();
    let (logger, lines) = collecting_logger();
    let c = Client::connect(oauth_config(&e), creds, logger).unwrap();
    assert_eq!(email_of(&c), S::USER);
    let after_sign_in = seen.lock().unwrap().clone();
    assert_eq!(after_sign_in.len(), 1, "rotated at sign-in");
    assert_ne!(after_sign_in[0], first);
    // The spent one is refused by the server: the library never sends it again.
    let spent = token_request(
        &e,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", S::OAUTH_CODE_CLIENT),
            ("client_secret", S::OAUTH_CODE_CLIENT_SECRET),
            ("refresh_token", &first),
        ],
    );
    assert_eq!(spent["error"], "invalid_grant");

    // A 401 (every token revoked) renews through the refresh grant, with the newest token.
    e.emu.revoke_tokens();
    assert_eq!(email_of(&c), S::USER);
    let tokens = seen.lock().unwrap().clone();
    assert_eq!(tokens.len(), 2, "rotated again at the renewal");
    assert_ne!(tokens[1], tokens[0]);
    drop(c);
    for (_, line) in lines.lock().unwrap().iter() {
        for secret in tokens.iter().chain([&first]) {
            assert!(
                !line.contains(secret.as_str()),
                "a refresh token in: {line}"
            );
        }
        assert!(
            !line.contains(S::OAUTH_CODE_CLIENT_SECRET),
            "the secret in: {line}"
        );
    }
}

#[test]
fn a_token_close_to_expiry_is_renewed_by_the_refresh_grant() {
    let e = emulator();
    e.emu.set_token_ttl(Duration::from_secs(2));
    let first = refresh_token_of(
        &e,
        S::OAUTH_FIXED_CODE_CLIENT,
        S::OAUTH_FIXED_CODE_CLIENT_SECRET,
    );
    let (sink, seen) = keeper();
    let creds = Credentials::oauth_refresh_token(
        S::OAUTH_FIXED_CODE_CLIENT,
        Some(S::OAUTH_FIXED_CODE_CLIENT_SECRET),
        &first,
        Some(sink),
    )
    .unwrap();
    let c = Client::connect(oauth_config(&e), creds, Logger::default()).unwrap();
    assert_eq!(email_of(&c), S::USER);
    std::thread::sleep(Duration::from_millis(2500));
    assert_eq!(
        email_of(&c),
        S::USER,
        "renewed after the access token expired"
    );
    let grants = e
        .emu
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    assert!(grants >= 2, "{grants} refresh grants");
    assert!(
        seen.lock().unwrap().is_empty(),
        "a non-rotatable client's refresh token stays: nothing to hand over"
    );
}

#[test]
fn refused_refresh_tokens_and_clients_say_what_to_do() {
    let e = emulator();
    let connect = |client: &str, secret: Option<&str>, token: &str| {
        let creds = Credentials::oauth_refresh_token(client, secret, token, None).unwrap();
        Client::connect(oauth_config(&e), creds, Logger::default()).unwrap_err()
    };
    let err = connect(S::OAUTH_ROTATING_DEVICE_CLIENT, None, "not-a-refresh-token");
    match &err {
        Error::Auth {
            message,
            http_status,
        } => {
            assert_eq!(*http_status, 400);
            assert!(message.contains("sign in again"), "{message}");
            assert!(!message.contains("not-a-refresh-token"), "{message}");
        }
        other => panic!("expected Auth, got {other:?}"),
    }
    let token = refresh_token_of(&e, S::OAUTH_CODE_CLIENT, S::OAUTH_CODE_CLIENT_SECRET);
    let err = connect(S::OAUTH_CODE_CLIENT, Some("wrong-secret"), &token);
    assert!(
        matches!(&err, Error::Auth { message, .. } if message.contains("check the client id and secret")
            && !message.contains("wrong-secret")),
        "{err:?}"
    );
    assert!(matches!(
        Credentials::oauth_refresh_token("", None, "x", None),
        Err(Error::Credentials(_))
    ));
}
