//! Certificate sign-in from Java keystores made by `keytool` and `openssl pkcs12` (see
//! `anaplan_test_pki::keystores`): every store form signs in to the emulator, and every bad
//! store, password or alias is a precise `Credentials` error that quotes no password.

mod common;

use anaplan::client::{Client, Credentials, Error, Logger, NonceFormat, Source};
use anaplan_test_pki::keystores::{keystores, KEY_PASSWORD, STORE_PASSWORD, UNICODE_PASSWORD};
use anaplan_test_pki::sign_in::pki;
use common::*;

fn open(
    store: Source,
    password: &str,
    alias: Option<&str>,
    key_password: Option<&str>,
) -> anaplan::client::Result<Credentials> {
    Credentials::keystore(store, password, alias, key_password, NonceFormat::V2)
}

fn file(name: &str) -> Source {
    Source::File(keystores().path(name))
}

/// The `Credentials` message of a refused store; no password may appear in it.
fn refusal(result: anaplan::client::Result<Credentials>) -> String {
    let message = match result {
        Err(Error::Credentials(m)) => m,
        Err(other) => panic!("expected a Credentials error, got {other:?}"),
        Ok(c) => panic!("expected a refusal, signed in as {}", c.who()),
    };
    for secret in [STORE_PASSWORD, KEY_PASSWORD, UNICODE_PASSWORD, "wrong-pass"] {
        assert!(!message.contains(secret), "a password in: {message}");
    }
    assert!(message.len() < 1000, "{message}");
    message
}

/// (what, store, store password, alias, key password).
type Case<'a> = (&'a str, Source, &'a str, Option<&'a str>, Option<&'a str>);

#[test]
fn every_store_form_signs_in_as_the_certificate_user() {
    let e = emulator();
    let cases: Vec<Case> = vec![
        (
            "openssl PKCS#12",
            file("openssl.p12"),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "openssl -legacy PKCS#12 (RC2-40, 3DES)",
            file("legacy.p12"),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "PKCS#12 without an alias",
            file("unnamed.p12"),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "keytool JKS",
            file("keytool.jks"),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "JKS with the alias",
            file("keytool.jks"),
            STORE_PASSWORD,
            Some("anaplan"),
            None,
        ),
        (
            "JKS key password",
            file("keypass.jks"),
            STORE_PASSWORD,
            None,
            Some(KEY_PASSWORD),
        ),
        (
            "several aliases, JKS",
            file("several.jks"),
            STORE_PASSWORD,
            Some("anaplan"),
            None,
        ),
        (
            "an alias in other case",
            file("several.jks"),
            STORE_PASSWORD,
            Some("SECOND"),
            None,
        ),
        (
            "keytool's PKCS#12 in a .jks file",
            file("several-pkcs12.jks"),
            STORE_PASSWORD,
            Some("second"),
            None,
        ),
        (
            "non-ASCII password, JKS",
            file("unicode.jks"),
            UNICODE_PASSWORD,
            None,
            None,
        ),
        (
            "non-ASCII password, PKCS#12",
            file("unicode.p12"),
            UNICODE_PASSWORD,
            None,
            None,
        ),
        (
            "JKS in memory",
            Source::Bytes(keystores().read("keytool.jks")),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "PKCS#12 in memory",
            Source::Bytes(keystores().read("openssl.p12")),
            STORE_PASSWORD,
            None,
            None,
        ),
        (
            "the store password given as the key password",
            file("keytool.jks"),
            STORE_PASSWORD,
            None,
            Some(STORE_PASSWORD),
        ),
    ];
    for (name, store, password, alias, key_password) in cases {
        let creds = open(store, password, alias, key_password)
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert!(creds.who().contains(CERT_USER), "{name}: {}", creds.who());
        let c = Client::connect(config_for(&e), creds, Logger::default())
            .unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(email_of(&c), CERT_USER, "{name}");
    }
}

#[test]
fn wrong_passwords_say_which_password() {
    for store in ["keytool.jks", "openssl.p12", "legacy.p12", "unicode.jks"] {
        let m = refusal(open(file(store), "wrong-pass", None, None));
        assert!(m.contains("the keystore password is wrong"), "{store}: {m}");
        assert!(m.contains(store), "{store}: the file is named: {m}");
    }
    // The key password defaults to the store password, which does not open this key.
    let m = refusal(open(file("keypass.jks"), STORE_PASSWORD, None, None));
    assert!(m.contains("key password is wrong"), "{m}");
    assert!(m.contains("\"anaplan\""), "{m}");
    let m = refusal(open(
        file("keypass.jks"),
        STORE_PASSWORD,
        None,
        Some("wrong-pass"),
    ));
    assert!(m.contains("key password is wrong"), "{m}");
    let m = refusal(open(
        file("openssl.p12"),
        STORE_PASSWORD,
        None,
        Some("wrong-pass"),
    ));
    assert!(m.contains("key password is wrong"), "{m}");
    // UTF-8 bytes taken one by one (what a byte-per-char reader does) are not the password.
    let latin1: String = UNICODE_PASSWORD.bytes().map(char::from).collect();
    let m = refusal(open(file("unicode.jks"), &latin1, None, None));
    assert!(m.contains("keystore password is wrong"), "{m}");
}

#[test]
fn aliases_are_needed_when_there_are_several_and_listed_when_wrong() {
    for store in ["several.jks", "several-pkcs12.jks"] {
        let m = refusal(open(file(store), STORE_PASSWORD, None, None));
        assert!(m.contains("several private key entries"), "{store}: {m}");
        assert!(
            m.contains("\"anaplan\"") && m.contains("\"second\""),
            "{store}: {m}"
        );
        let m = refusal(open(file(store), STORE_PASSWORD, Some("nobody"), None));
        assert!(
            m.contains("no private key entry \"nobody\""),
            "{store}: {m}"
        );
        assert!(m.contains("\"anaplan\", \"second\""), "{store}: {m}");
        let m = refusal(open(file(store), STORE_PASSWORD, Some("ca"), None));
        assert!(m.contains("trusted certificate"), "{store}: {m}");
    }
    let m = refusal(open(file("trusted.jks"), STORE_PASSWORD, None, None));
    assert!(
        m.contains("no private key entry (only trusted certificates: \"ca\")"),
        "{m}"
    );
}

#[test]
fn stores_that_are_not_usable_are_named_for_what_they_are() {
    let m = refusal(open(file("store.jceks"), STORE_PASSWORD, None, None));
    assert!(
        m.contains("JCEKS") && m.contains("keytool -importkeystore"),
        "{m}"
    );
    let pem = Source::File(pki().path("cert.pem"));
    let m = refusal(open(pem, STORE_PASSWORD, None, None));
    assert!(m.contains("PEM text"), "{m}");
    let m = refusal(open(
        Source::Bytes(b"hello".to_vec()),
        STORE_PASSWORD,
        None,
        None,
    ));
    assert!(m.contains("not a keystore"), "{m}");
    assert!(m.contains("in memory"), "{m}");
    let missing = keystores().path("no-such.jks");
    match open(Source::File(missing.clone()), STORE_PASSWORD, None, None) {
        Err(Error::Io { path, .. }) => assert_eq!(path, missing),
        other => panic!("expected Io, got {:?}", other.map(|c| c.who())),
    }
}

#[test]
fn truncated_tampered_and_huge_stores_fail_cleanly() {
    for store in ["keytool.jks", "openssl.p12"] {
        let bytes = keystores().read(store);
        // Every cut of the file, at a stride that keeps the test quick.
        for cut in (0..bytes.len()).step_by(7) {
            let m = refusal(open(
                Source::Bytes(bytes[..cut].to_vec()),
                STORE_PASSWORD,
                None,
                None,
            ));
            assert!(
                m.contains("damaged") || m.contains("not a keystore") || m.contains("is wrong"),
                "{store} cut at {cut}: {m}"
            );
        }
        // One byte changed in the middle: the integrity check (or the structure) says so.
        let mut tampered = bytes.clone();
        let mid = tampered.len() / 2;
        tampered[mid] ^= 0x01;
        let m = refusal(open(Source::Bytes(tampered), STORE_PASSWORD, None, None));
        assert!(
            m.contains("altered") || m.contains("damaged"),
            "{store} tampered: {m}"
        );
    }
    // A huge file is refused from its size, before it is read.
    let huge = keystores().path("huge.jks");
    let f = std::fs::File::create(&huge).unwrap();
    f.set_len(64 * 1024 * 1024).unwrap();
    let m = refusal(open(Source::File(huge.clone()), STORE_PASSWORD, None, None));
    assert!(m.contains("larger than any keystore"), "{m}");
    std::fs::remove_file(huge).unwrap();
}

#[test]
fn no_password_reaches_the_log() {
    let e = emulator();
    let (logger, lines) = collecting_logger();
    let creds = open(
        file("keypass.jks"),
        STORE_PASSWORD,
        None,
        Some(KEY_PASSWORD),
    )
    .unwrap();
    assert!(!format!("{creds:?}").contains(STORE_PASSWORD));
    let c = Client::connect(config_for(&e), creds, logger).unwrap();
    assert_eq!(email_of(&c), CERT_USER);
    drop(c);
    let lines = lines.lock().unwrap();
    assert!(!lines.is_empty());
    for (_, line) in lines.iter() {
        assert!(
            !line.contains(STORE_PASSWORD) && !line.contains(KEY_PASSWORD),
            "{line}"
        );
    }
}
