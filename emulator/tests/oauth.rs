//! The OAuth 2.0 service over real HTTP: the device grant (pending, slow_down, approval through
//! the admin endpoint, denial, expiry), authorization codes (the redirect, a minted code, the
//! secret), refresh tokens with and without rotation, JSON and form bodies, and the access
//! tokens on the Integration API.

mod common;

use std::time::Duration;

use anaplan_emulator::{BundledSeed as S, EmulatorConfig};
use common::*;
use serde_json::{json, Value};

/// Device codes that may be polled every 200 ms.
fn quick() -> Emu {
    emulator_with(EmulatorConfig {
        device_interval: Duration::from_millis(200),
        ..EmulatorConfig::default()
    })
}

/// `POST {api}{path}` with a JSON body: (status, body).
fn post_json(e: &Emu, path: &str, body: Value) -> (u16, Value) {
    let res = e
        .http
        .post(format!("{}{path}", e.emu.api_url))
        .json(&body)
        .send()
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

/// `POST {api}/oauth/token` form-encoded, as oauthlib sends it.
fn post_form(e: &Emu, pairs: &[(&str, &str)]) -> (u16, Value) {
    let res = e
        .http
        .post(format!("{}/oauth/token", e.emu.api_url))
        .form(pairs)
        .send()
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

fn admin_post(e: &Emu, path: &str, body: Value) -> u16 {
    e.http
        .post(format!("{}/__emulator{path}", e.emu.api_url))
        .json(&body)
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn poll(e: &Emu, client: &str, device_code: &str) -> (u16, Value) {
    post_json(
        e,
        "/oauth/token",
        json!({
            "grant_type": "urn:ietf:params:oauth:grant-type:device_code",
            "device_code": device_code,
            "client_id": client,
        }),
    )
}

fn start_device(e: &Emu, client: &str) -> Value {
    let (status, body) = post_json(
        e,
        "/oauth/device/code",
        json!({"client_id": client, "scope": "openid profile email offline_access"}),
    );
    assert_eq!(status, 200, "{body}");
    body
}

/// The e-mail of the user behind an access token, read with `scheme` on the Integration API.
fn me(e: &Emu, scheme: &str, token: &str) -> (u16, Value) {
    let res = e
        .http
        .get(e.api("/users/me"))
        .header("Authorization", format!("{scheme} {token}"))
        .send()
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().unwrap_or(Value::Null))
}

#[test]
fn the_device_grant_waits_for_the_user_and_gives_tokens_for_the_api() {
    let e = quick();
    let start = start_device(&e, S::OAUTH_DEVICE_CLIENT);
    let (device_code, user_code) = (
        start["device_code"].as_str().unwrap(),
        start["user_code"].as_str().unwrap(),
    );
    assert_eq!(start["interval"], 0, "200 ms is 0 whole seconds");
    assert_eq!(start["expires_in"], 900);
    assert!(start["verification_uri_complete"]
        .as_str()
        .unwrap()
        .ends_with(&format!("?user_code={user_code}")));

    let (status, body) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("authorization_pending"))
    );
    // Polled again at once: faster than the interval.
    let (status, body) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!((status, body["error"].as_str()), (400, Some("slow_down")));

    let pending = e.emu.pending_user_codes();
    assert_eq!(
        pending,
        [(user_code.to_string(), S::OAUTH_DEVICE_CLIENT.to_string())]
    );
    let approve = json!({"userCode": user_code, "user": S::USER});
    assert_eq!(
        admin_post(&e, "/oauth/device/approve", approve.clone()),
        204
    );
    assert_eq!(
        admin_post(&e, "/oauth/device/approve", approve),
        400,
        "decided once"
    );
    // After slow_down the interval grew by 5 s: still too soon.
    let (_, body) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!(body["error"], "slow_down");
    e.emu
        .set_device_grant_timing(Duration::ZERO, Duration::from_secs(900));
    // The interval of a code is its own; a new code polled after its interval gets tokens.
    let start = start_device(&e, S::OAUTH_DEVICE_CLIENT);
    let device_code = start["device_code"].as_str().unwrap();
    e.emu
        .approve_device(start["user_code"].as_str().unwrap(), S::USER)
        .unwrap();
    let (status, tokens) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!(status, 200, "{tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 2100);
    let access = tokens["access_token"].as_str().unwrap();
    assert!(!tokens["refresh_token"].as_str().unwrap().is_empty());
    for scheme in ["AnaplanAuthToken", "Bearer"] {
        let (status, body) = me(&e, scheme, access);
        assert_eq!(status, 200, "{scheme}");
        assert_eq!(body["user"]["email"], S::USER, "{scheme}");
    }
    // Used once: the code is gone.
    let (_, body) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!(body["error"], "invalid_grant");
    // The request log shows the calls, never a token value.
    let log = serde_json::to_string(&e.emu.requests()).unwrap();
    assert!(log.contains("/oauth/token"));
    assert!(!log.contains(access), "an access token in the request log");
}

#[test]
fn a_denied_or_expired_device_code_ends_the_grant() {
    let e = emulator_with(EmulatorConfig {
        device_interval: Duration::ZERO,
        ..EmulatorConfig::default()
    });
    let start = start_device(&e, S::OAUTH_DEVICE_CLIENT);
    let deny = json!({"userCode": start["user_code"]});
    assert_eq!(admin_post(&e, "/oauth/device/deny", deny), 204);
    let device_code = start["device_code"].as_str().unwrap();
    let (status, body) = poll(&e, S::OAUTH_DEVICE_CLIENT, device_code);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("access_denied"))
    );

    e.emu
        .set_device_grant_timing(Duration::ZERO, Duration::from_millis(100));
    let start = start_device(&e, S::OAUTH_DEVICE_CLIENT);
    std::thread::sleep(Duration::from_millis(200));
    let (status, body) = poll(
        &e,
        S::OAUTH_DEVICE_CLIENT,
        start["device_code"].as_str().unwrap(),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("expired_token"))
    );
    assert!(e
        .emu
        .approve_device(start["user_code"].as_str().unwrap(), S::USER)
        .is_err());
}

#[test]
fn clients_are_checked_against_their_grant_and_secret() {
    let e = quick();
    let (status, body) = post_json(
        &e,
        "/oauth/device/code",
        json!({"client_id": "f".repeat(32)}),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = post_json(
        &e,
        "/oauth/device/code",
        json!({"client_id": S::OAUTH_CODE_CLIENT}),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unauthorized_client"))
    );
    let code = e
        .emu
        .mint_authorization_code(S::OAUTH_CODE_CLIENT, S::USER, S::OAUTH_REDIRECT_URI)
        .unwrap();
    let exchange = |secret: &str, code: &str| {
        post_json(
            &e,
            "/oauth/token",
            json!({
                "grant_type": "authorization_code",
                "client_id": S::OAUTH_CODE_CLIENT,
                "client_secret": secret,
                "code": code,
                "redirect_uri": S::OAUTH_REDIRECT_URI,
            }),
        )
    };
    let (status, body) = exchange("wrong-secret", &code);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = exchange(S::OAUTH_CODE_CLIENT_SECRET, &code);
    assert_eq!(status, 200, "{body}");
    let (status, body) = exchange(S::OAUTH_CODE_CLIENT_SECRET, &code);
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "a code is used once"
    );
    let (status, body) = post_json(
        &e,
        "/oauth/token",
        json!({"grant_type": "password", "client_id": S::OAUTH_CODE_CLIENT}),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = post_json(&e, "/oauth/token", json!({}));
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
}

#[test]
fn authorize_redirects_with_a_code_and_the_state() {
    let e = quick();
    let no_redirects = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let res = no_redirects
        .get(format!("{}/auth/authorize", e.emu.api_url))
        .query(&[
            ("response_type", "code"),
            ("client_id", S::OAUTH_CODE_CLIENT),
            ("redirect_uri", S::OAUTH_REDIRECT_URI),
            ("scope", "openid profile email offline_access"),
            ("state", "xyz 1"),
            ("login_hint", S::USER),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let url = reqwest::Url::parse(&location).unwrap();
    assert!(location.starts_with(S::OAUTH_REDIRECT_URI), "{location}");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["state"], "xyz 1");
    let (status, tokens) = post_form(
        &e,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", S::OAUTH_CODE_CLIENT),
            ("client_secret", S::OAUTH_CODE_CLIENT_SECRET),
            ("code", &q["code"]),
            ("redirect_uri", S::OAUTH_REDIRECT_URI),
        ],
    );
    assert_eq!(status, 200, "{tokens}");
    let (_, body) = me(
        &e,
        "AnaplanAuthToken",
        tokens["access_token"].as_str().unwrap(),
    );
    assert_eq!(body["user"]["email"], S::USER);
    // An unregistered redirect URI gets no code.
    let res = no_redirects
        .get(format!("{}/auth/authorize", e.emu.api_url))
        .query(&[
            ("response_type", "code"),
            ("client_id", S::OAUTH_CODE_CLIENT),
            ("redirect_uri", "http://evil.example/cb"),
            ("login_hint", S::USER),
        ])
        .send()
        .unwrap();
    assert_eq!(res.status().as_u16(), 400);
    // The admin endpoint mints a code the same way.
    let (status, minted) = {
        let res = e
            .http
            .post(format!("{}/__emulator/oauth/codes", e.emu.api_url))
            .json(&json!({"clientId": S::OAUTH_CODE_CLIENT, "user": S::USER, "redirectUri": S::OAUTH_REDIRECT_URI}))
            .send()
            .unwrap();
        (res.status().as_u16(), res.json::<Value>().unwrap())
    };
    assert_eq!(status, 200);
    assert!(minted["code"].as_str().is_some_and(|c| !c.is_empty()));
}

/// Tokens of an authorization-code client for the main user.
fn code_tokens(e: &Emu, client: &str, secret: &str) -> Value {
    let code = e
        .emu
        .mint_authorization_code(client, S::USER, S::OAUTH_REDIRECT_URI)
        .unwrap();
    let (status, tokens) = post_form(
        e,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client),
            ("client_secret", secret),
            ("code", &code),
            ("redirect_uri", S::OAUTH_REDIRECT_URI),
        ],
    );
    assert_eq!(status, 200, "{tokens}");
    tokens
}

fn refresh(e: &Emu, client: &str, secret: Option<&str>, token: &str) -> (u16, Value) {
    let mut pairs = vec![
        ("grant_type", "refresh_token"),
        ("client_id", client),
        ("refresh_token", token),
    ];
    if let Some(s) = secret {
        pairs.push(("client_secret", s));
    }
    post_form(e, &pairs)
}

#[test]
fn a_rotatable_clients_refresh_token_is_used_once_and_expires() {
    let e = quick();
    let tokens = code_tokens(&e, S::OAUTH_CODE_CLIENT, S::OAUTH_CODE_CLIENT_SECRET);
    let first = tokens["refresh_token"].as_str().unwrap().to_string();
    let (status, renewed) = refresh(
        &e,
        S::OAUTH_CODE_CLIENT,
        Some(S::OAUTH_CODE_CLIENT_SECRET),
        &first,
    );
    assert_eq!(status, 200, "{renewed}");
    let second = renewed["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(second, first, "rotated");
    let (_, body) = me(&e, "Bearer", renewed["access_token"].as_str().unwrap());
    assert_eq!(body["user"]["email"], S::USER);
    let (status, body) = refresh(
        &e,
        S::OAUTH_CODE_CLIENT,
        Some(S::OAUTH_CODE_CLIENT_SECRET),
        &first,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "the old one is used up"
    );
    let (status, body) = refresh(&e, S::OAUTH_CODE_CLIENT, None, &second);
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client")),
        "the secret is required"
    );

    e.emu.set_refresh_token_ttl(Duration::from_millis(100));
    let (_, renewed) = refresh(
        &e,
        S::OAUTH_CODE_CLIENT,
        Some(S::OAUTH_CODE_CLIENT_SECRET),
        &second,
    );
    let third = renewed["refresh_token"].as_str().unwrap();
    std::thread::sleep(Duration::from_millis(200));
    let (status, body) = refresh(
        &e,
        S::OAUTH_CODE_CLIENT,
        Some(S::OAUTH_CODE_CLIENT_SECRET),
        third,
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant")),
        "expired"
    );
}

#[test]
fn a_non_rotatable_clients_refresh_token_stays_and_access_tokens_expire() {
    let e = quick();
    let tokens = code_tokens(
        &e,
        S::OAUTH_FIXED_CODE_CLIENT,
        S::OAUTH_FIXED_CODE_CLIENT_SECRET,
    );
    let token = tokens["refresh_token"].as_str().unwrap();
    e.emu.set_token_ttl(Duration::from_millis(300));
    for _ in 0..3 {
        let (status, renewed) = refresh(
            &e,
            S::OAUTH_FIXED_CODE_CLIENT,
            Some(S::OAUTH_FIXED_CODE_CLIENT_SECRET),
            token,
        );
        assert_eq!(status, 200, "{renewed}");
        assert_eq!(renewed["refresh_token"], token);
        let access = renewed["access_token"].as_str().unwrap();
        assert_eq!(me(&e, "AnaplanAuthToken", access).0, 200);
        std::thread::sleep(Duration::from_millis(400));
        assert_eq!(
            me(&e, "AnaplanAuthToken", access).0,
            401,
            "expired like any token"
        );
    }
    // A device client's refresh token, refreshed without a secret.
    e.emu
        .set_device_grant_timing(Duration::ZERO, Duration::from_secs(60));
    let start = start_device(&e, S::OAUTH_ROTATING_DEVICE_CLIENT);
    e.emu
        .approve_device(start["user_code"].as_str().unwrap(), S::CERT_USER)
        .unwrap();
    let (_, tokens) = poll(
        &e,
        S::OAUTH_ROTATING_DEVICE_CLIENT,
        start["device_code"].as_str().unwrap(),
    );
    let (status, renewed) = refresh(
        &e,
        S::OAUTH_ROTATING_DEVICE_CLIENT,
        None,
        tokens["refresh_token"].as_str().unwrap(),
    );
    assert_eq!(status, 200, "{renewed}");
    assert_ne!(renewed["refresh_token"], tokens["refresh_token"]);
    let (_, body) = me(&e, "Bearer", renewed["access_token"].as_str().unwrap());
    assert_eq!(body["user"]["email"], S::CERT_USER);
}
