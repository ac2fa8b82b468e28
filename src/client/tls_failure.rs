//! Recognising a failed TLS handshake among a transport error's causes, and explaining it.
//!
//! A TLS failure (a certificate that is not trusted, a name that does not match, no common
//! protocol, TLS spoken to a plain-HTTP port) will not heal on a retry, so the caller gets
//! `Error::Tls` at once instead of `Error::Network` after the retries. The native-tls stack
//! (OpenSSL) reports such a failure with an OpenSSL error stack among the causes; a failure of
//! the network under TLS (a reset, a timeout) arrives as an I/O error instead and stays a network
//! failure.

use std::error::Error as StdError;

use openssl::error::ErrorStack;

/// OpenSSL's reason when the certificate chain does not verify (untrusted issuer, expired, wrong
/// name); the same text in OpenSSL 1.1 and 3.
const VERIFY_FAILED: &str = "certificate verify failed";
/// OpenSSL 3 reports a peer that closed mid-handshake as an SSL error with this reason; that is
/// the network failing (a dropped connection), not TLS, so it stays retryable.
const UNEXPECTED_EOF: &str = "unexpected eof while reading";

/// The explanation of a TLS handshake failure when the causes under `error` (a transport error,
/// whose own text carries the URL and is left out) hold one; `host` is the server as `host:port`.
pub(crate) fn tls_failure(error: &(dyn StdError + 'static), host: &str) -> Option<String> {
    let chain: Vec<_> = causes(error).collect();
    let at = chain.iter().position(|e| e.is::<ErrorStack>())?;
    let stack = chain[at].downcast_ref::<ErrorStack>()?;
    let reasons: Vec<&str> = stack.errors().iter().filter_map(|e| e.reason()).collect();
    if reasons.contains(&UNEXPECTED_EOF) {
        return None;
    }
    // The TLS layer's own error just above the stack adds OpenSSL's verify result ("unable to
    // get local issuer certificate"), which says best what is wrong with the certificate.
    let detail = match at {
        0 | 1 => stack.to_string(),
        _ => chain[at - 1].to_string(),
    };
    Some(if reasons.contains(&VERIFY_FAILED) {
        format!(
            "TLS handshake with {host} failed: the server's certificate is not trusted ({detail}). \
             If the server uses a certificate from a private CA (a TLS-inspecting proxy, a test \
             server), set the CA bundle setting (Config::ca_bundle, \
             anaplan_config_set_ca_bundle) to that CA's PEM certificate"
        )
    } else {
        format!("TLS handshake with {host} failed: {detail}")
    })
}

/// `error` and every cause under it.
fn causes<'a>(
    error: &'a (dyn StdError + 'static),
) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(error), |e: &&'a (dyn StdError + 'static)| {
        (*e).source()
    })
}
