//! CA-certificate sign-in: `Authorization: CACertificate <base64 of PEM or DER>` with a JSON body
//! `{"encodedData","encodedSignedData"[,"encodedDataFormat":"v2"]}`, as the description of
//! `POST /token/authenticate` in `emulator/tests/fixtures/anaplan-openapi/authentication-openapi.json`
//! says (not its `CertPayload` schema), and for v2:
//! https://community.anaplan.com/discussion/156606/using-the-anaplan-certificate-with-the-anaplan-rest-api-a-comprehensive-guide
//!
//! Decisions where Anaplan's documentation is silent or contradicts itself:
//! * The decoded `encodedData` must hold at least 100 bytes in both formats; in v2 the 8-byte
//!   timestamp counts towards them. Every client we know sends more (SDK and Anaplan Connect 150,
//!   the v2 client 8 + 100); the 54-byte HELP example is truncated for display.
//! * The v2 timestamp is a big-endian u64 read as milliseconds above 10^12, seconds otherwise,
//!   and must lie within `cert_freshness` either side of the server clock.
//! * Every refusal is a 401: the authentication spec lists only 201 and 401 for
//!   `/token/authenticate`. A header
//!   that does not carry a certificate is `FAILURE_BAD_HEADER`; anything wrong with the body, the
//!   signature, the certificate or the user is `FAILURE_BAD_CREDENTIAL` with a precise message.
//! * With trusted CAs in the seed, the certificate's direct issuer must be one of them (clients
//!   send only their own certificate, so there is no chain to build).
//! * The user is the seeded user whose email is the certificate's subject `emailAddress`, else
//!   its first `rfc822Name` subject alternative name, else its subject CN.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::Engine;
use openssl::asn1::Asn1Time;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkey::{Id, PKey, Public};
use openssl::rsa::Padding;
use openssl::sign::Verifier;
use openssl::x509::{X509Ref, X509VerifyResult, X509};
use serde::Deserialize;

use crate::clock::now_ms;
use crate::state::{AppState, Settings};
use crate::store::Store;
use crate::trust::TrustedCas;

/// Why a certificate sign-in was refused; shown in `statusMessage`.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{0}")]
    BadCredential(String),
    #[error("Invalid header. Verify the header.")]
    BadHeader,
}

fn refuse(message: impl Into<String>) -> CertError {
    CertError::BadCredential(message.into())
}

/// The smallest accepted decoded `encodedData` (Anaplan: "at least 100 bytes").
pub const MIN_NONCE_BYTES: usize = 100;

/// Length of the big-endian timestamp that prefixes v2 `encodedData`.
const TIMESTAMP_BYTES: usize = 8;

/// Above this a v2 timestamp is taken as milliseconds (10^12 ms is September 2001; 10^12 s is
/// 33 000 years away).
const MS_THRESHOLD: u64 = 1_000_000_000_000;

/// Verifies a certificate sign-in and returns the id of the user it maps to.
/// `header_value` is what follows `CACertificate `; `body` is the raw request body.
pub fn verify(state: &AppState, header_value: &str, body: &[u8]) -> Result<String, CertError> {
    let cert = parse_header(header_value)?;
    let payload = Payload::parse(body)?;
    let nonce = decode_field(payload.encoded_data.as_deref(), "encodedData")?;
    let signature = decode_field(payload.encoded_signed_data.as_deref(), "encodedSignedData")?;
    check_nonce(
        &nonce,
        payload.encoded_data_format.as_deref(),
        &state.settings(),
        now_ms(),
    )?;
    check_signature(&cert, &nonce, &signature)?;
    check_validity(&cert, "Certificate")?;
    let store = state.store();
    check_issuer(&store, &cert)?;
    user_for(&store, &cert)
}

/// The certificate of the header: base64 of the whole PEM text (what every client sends) or of
/// the bare DER (the PEM body, seen in community posts).
fn parse_header(value: &str) -> Result<X509, CertError> {
    let bytes = lenient_base64()
        .decode(value.trim())
        .map_err(|_| CertError::BadHeader)?;
    // PEM files exported from key stores start with "Bag Attributes" lines; like Java's
    // certificate parser, skip any text before the armour.
    if let Some(start) = find(&bytes, b"-----BEGIN") {
        return X509::from_pem(&bytes[start..]).map_err(|_| CertError::BadHeader);
    }
    match bytes.first() {
        Some(0x30) => X509::from_der(&bytes).map_err(|_| CertError::BadHeader),
        _ => Err(CertError::BadHeader),
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Standard alphabet; padding optional, as some clients strip it.
fn lenient_base64() -> GeneralPurpose {
    GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
    )
}

/// The JSON body. Unknown fields are ignored, like the real service's JSON binding does.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Payload {
    encoded_data: Option<String>,
    encoded_signed_data: Option<String>,
    encoded_data_format: Option<String>,
}

impl Payload {
    fn parse(body: &[u8]) -> Result<Payload, CertError> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(refuse(
                "Certificate sign-in needs a JSON body with encodedData and encodedSignedData",
            ));
        }
        serde_json::from_slice(body).map_err(|e| {
            refuse(format!(
                "The request body is not a JSON object with encodedData and encodedSignedData: {e}"
            ))
        })
    }
}

fn decode_field(value: Option<&str>, name: &str) -> Result<Vec<u8>, CertError> {
    let value = value.ok_or_else(|| refuse(format!("{name} is missing from the request body")))?;
    lenient_base64()
        .decode(value.trim())
        .map_err(|_| refuse(format!("{name} is not valid base64")))
}

/// Length, format and (v2) timestamp of the decoded `encodedData`.
fn check_nonce(
    nonce: &[u8],
    format: Option<&str>,
    settings: &Settings,
    now_ms: u64,
) -> Result<(), CertError> {
    if nonce.len() < MIN_NONCE_BYTES {
        return Err(refuse(format!(
            "encodedData must decode to at least {MIN_NONCE_BYTES} bytes, got {}",
            nonce.len()
        )));
    }
    match format {
        None | Some("v1") if settings.reject_v1_certificates => Err(refuse(
            "The v1 encodedData format is no longer accepted: send \"encodedDataFormat\":\"v2\" \
             with an 8-byte timestamp before the random bytes",
        )),
        None | Some("v1") => Ok(()),
        Some("v2") => check_timestamp(nonce, settings.cert_freshness.as_millis(), now_ms),
        Some(other) => Err(refuse(format!(
            "Unsupported encodedDataFormat '{other}': use v2, or leave it out for v1"
        ))),
    }
}

fn check_timestamp(nonce: &[u8], window_ms: u128, now_ms: u64) -> Result<(), CertError> {
    let mut prefix = [0u8; TIMESTAMP_BYTES];
    prefix.copy_from_slice(&nonce[..TIMESTAMP_BYTES]);
    let raw = u64::from_be_bytes(prefix);
    let stamp_ms = if raw > MS_THRESHOLD {
        u128::from(raw)
    } else {
        u128::from(raw) * 1000
    };
    let skew = stamp_ms.abs_diff(u128::from(now_ms));
    if skew > window_ms {
        return Err(refuse(format!(
            "The encodedData timestamp ({raw}) is {} s away from the server time; \
             it must be within {} s",
            skew / 1000,
            window_ms / 1000
        )));
    }
    Ok(())
}

/// RSASSA-PKCS1-v1_5 with SHA-512 over the decoded `encodedData`, with the certificate's key.
fn check_signature(cert: &X509Ref, nonce: &[u8], signature: &[u8]) -> Result<(), CertError> {
    let key: PKey<Public> = cert
        .public_key()
        .map_err(|_| refuse("The certificate's public key cannot be read"))?;
    if key.id() != Id::RSA {
        return Err(refuse(
            "The certificate's key is not RSA; SHA512withRSA signatures are required",
        ));
    }
    let verified = Verifier::new(MessageDigest::sha512(), &key)
        .and_then(|mut v| {
            v.set_rsa_padding(Padding::PKCS1)?;
            v.update(nonce)?;
            v.verify(signature)
        })
        // OpenSSL reports a malformed signature (wrong length, bad encoding) as an error rather
        // than `false`; for the caller both mean the same thing.
        .unwrap_or(false);
    if verified {
        Ok(())
    } else {
        Err(refuse(
            "encodedSignedData is not a SHA512withRSA signature of encodedData by the \
             certificate's private key",
        ))
    }
}

fn check_validity(cert: &X509Ref, what: &str) -> Result<(), CertError> {
    let now = Asn1Time::days_from_now(0)
        .map_err(|_| refuse("The server cannot read its clock to check the certificate"))?;
    if cert.not_before() > now {
        return Err(refuse(format!(
            "{what} is not valid yet (notBefore {})",
            cert.not_before()
        )));
    }
    if cert.not_after() < now {
        return Err(refuse(format!(
            "{what} has expired (notAfter {})",
            cert.not_after()
        )));
    }
    Ok(())
}

fn check_issuer(store: &Store, cert: &X509Ref) -> Result<(), CertError> {
    let cas = match &store.trusted_cas {
        TrustedCas::Any => return Ok(()),
        TrustedCas::Invalid(e) => {
            return Err(refuse(format!(
                "The emulator's trusted certificate authorities are invalid: {e}"
            )))
        }
        TrustedCas::Only(cas) => cas,
    };
    let issuer = cas.iter().find(|ca| {
        ca.issued(cert) == X509VerifyResult::OK
            && ca
                .public_key()
                .and_then(|k| cert.verify(&k))
                .unwrap_or(false)
    });
    match issuer {
        Some(ca) => check_validity(ca, "The issuing CA certificate"),
        None => Err(refuse(format!(
            "The certificate is not issued by a trusted certificate authority (issuer {})",
            name_text(cert.issuer_name())
        ))),
    }
}

/// The seeded, active user named by the certificate.
fn user_for(store: &Store, cert: &X509Ref) -> Result<String, CertError> {
    let email = certificate_email(cert).ok_or_else(|| {
        refuse("The certificate names no email address (subject emailAddress, SAN email or CN)")
    })?;
    let user = store.user_by_email(&email).ok_or_else(|| {
        refuse(format!(
            "No user is registered for the certificate's email {email}"
        ))
    })?;
    if !user.active {
        return Err(refuse(format!("The user {email} is inactive")));
    }
    Ok(user.id.clone())
}

fn certificate_email(cert: &X509Ref) -> Option<String> {
    let subject_entry = |nid: Nid| {
        cert.subject_name()
            .entries_by_nid(nid)
            .next()
            .and_then(|e| e.data().to_string().ok())
    };
    subject_entry(Nid::PKCS9_EMAILADDRESS)
        .or_else(|| {
            cert.subject_alt_names()?
                .iter()
                .find_map(|n| n.email().map(str::to_string))
        })
        .or_else(|| subject_entry(Nid::COMMONNAME))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// `CN=Test CA, O=Example` style text of a name, for messages.
fn name_text(name: &openssl::x509::X509NameRef) -> String {
    name.entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().unwrap_or_default();
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn settings(reject_v1: bool) -> Settings {
        Settings {
            token_ttl: Duration::from_secs(60),
            task_duration: Duration::from_millis(1),
            cert_freshness: Duration::from_secs(300),
            reject_v1_certificates: reject_v1,
            device_interval: Duration::from_secs(5),
            device_code_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(43_000),
        }
    }

    fn v2_nonce(stamp: u64) -> Vec<u8> {
        let mut n = stamp.to_be_bytes().to_vec();
        n.extend([7u8; 100]);
        n
    }

    #[test]
    fn v2_timestamps_in_seconds_and_ms_are_both_understood() {
        let now = 1_750_736_826_000;
        let s = settings(false);
        assert!(check_nonce(&v2_nonce(now / 1000), Some("v2"), &s, now).is_ok());
        assert!(check_nonce(&v2_nonce(now), Some("v2"), &s, now).is_ok());
        assert!(check_nonce(&v2_nonce(now / 1000 - 301), Some("v2"), &s, now).is_err());
        assert!(check_nonce(&v2_nonce(now + 301_000), Some("v2"), &s, now).is_err());
    }

    #[test]
    fn short_nonces_unknown_formats_and_refused_v1_fail() {
        let s = settings(true);
        assert!(check_nonce(&[1u8; 99], None, &settings(false), 0).is_err());
        assert!(check_nonce(&[1u8; 100], None, &settings(false), 0).is_ok());
        assert!(check_nonce(&[1u8; 100], None, &s, 0).is_err());
        assert!(check_nonce(&[1u8; 100], Some("v3"), &settings(false), 0).is_err());
    }

    #[test]
    fn header_that_is_no_certificate_is_a_bad_header() {
        let b64 = base64::engine::general_purpose::STANDARD;
        for v in [
            "",
            "not base64!",
            &b64.encode("hello"),
            &b64.encode([0x30, 1, 2]),
        ] {
            assert!(matches!(parse_header(v), Err(CertError::BadHeader)), "{v}");
        }
    }
}
