//! CA-certificate sign-in: `Authorization: CACertificate <base64 of PEM or DER>` with a JSON body
//! `{"encodedData","encodedSignedData"[,"encodedDataFormat":"v2"]}`.

use crate::state::AppState;

/// Why a certificate sign-in was refused; shown in `statusMessage`.
#[derive(Debug, thiserror::Error)]
pub enum CertError {
    #[error("{0}")]
    BadCredential(String),
    #[error("Invalid header. Verify the header.")]
    BadHeader,
}

/// Verifies a certificate sign-in and returns the id of the user it maps to.
pub fn verify(_state: &AppState, _header_value: &str, _body: &[u8]) -> Result<String, CertError> {
    Err(CertError::BadCredential(
        "Certificate sign-in is not implemented yet".into(),
    ))
}
