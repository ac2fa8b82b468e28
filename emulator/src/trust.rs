//! Which certificate authorities a CA-certificate sign-in trusts, from the seed's
//! `certificateAuthorities`.

use openssl::x509::X509;

/// The certificate authorities trusted for sign-in, parsed once from the seed.
pub enum TrustedCas {
    /// No CA listed: any issuer is accepted (signature and validity are still checked).
    Any,
    /// Only certificates issued directly by one of these.
    Only(Vec<X509>),
    /// The seed lists CAs that do not parse. Every certificate sign-in is refused with this
    /// message rather than silently trusting everyone.
    Invalid(String),
}

impl TrustedCas {
    pub fn from_seed(pems: &[String]) -> TrustedCas {
        if pems.is_empty() {
            return TrustedCas::Any;
        }
        match parse_authorities(pems) {
            Ok(cas) => TrustedCas::Only(cas),
            Err(e) => TrustedCas::Invalid(e),
        }
    }
}

/// Parses the seed's `certificateAuthorities` (each a PEM text holding one or more certificates).
pub fn parse_authorities(pems: &[String]) -> Result<Vec<X509>, String> {
    let mut out = Vec::new();
    for (i, pem) in pems.iter().enumerate() {
        let certs = X509::stack_from_pem(pem.as_bytes())
            .map_err(|e| format!("certificateAuthorities[{i}] is not a PEM certificate: {e}"))?;
        if certs.is_empty() {
            return Err(format!(
                "certificateAuthorities[{i}] holds no PEM certificate"
            ));
        }
        out.extend(certs);
    }
    Ok(out)
}
