//! `anaplan_client`: a signed-in connection to Anaplan.

use std::ffi::c_char;

use super::boundary;
use super::config::{self, anaplan_config};
use super::handles::{self, HandleType};
use super::last_error::FfiError;
use super::status::*;
use super::strings::{bytes_arg, opt_str_arg, str_arg, Out};
use crate::client::{Client, Credentials, NonceFormat, Source};

/// A signed-in connection: its token (reused, refreshed before it expires, renewed on a 401),
/// its current workspace and model, and its lookup caches.
///
/// Methods: `anaplan_client_connect_basic`, `anaplan_client_connect_certificate_files`,
/// `anaplan_client_connect_certificate_memory`, `anaplan_client_free`, and every function that
/// takes an `anaplan_client *` (workspace and model selection, lists, lookups, uploads, runs,
/// dumps, downloads).
///
/// Thread-safety: thread-safe. One client may be used from several threads at once; the current
/// workspace and model are shared by all of them.
pub struct anaplan_client {
    _private: [u8; 0],
}

impl HandleType for anaplan_client {
    type Object = Client;
    const NAME: &'static str = "anaplan_client";
}

/// The CA-certificate sign-in format v2 (an 8-byte timestamp before the random data), the default.
pub const ANAPLAN_CERT_FORMAT_V2: i32 = 2;
/// The original CA-certificate sign-in format v1 (random data only).
pub const ANAPLAN_CERT_FORMAT_V1: i32 = 1;

fn nonce_format(format: i32) -> Result<NonceFormat, FfiError> {
    match format {
        ANAPLAN_CERT_FORMAT_V2 => Ok(NonceFormat::V2),
        ANAPLAN_CERT_FORMAT_V1 => Ok(NonceFormat::V1),
        other => Err(super::scalars::out_of_range(
            "format",
            other,
            "ANAPLAN_CERT_FORMAT_V1 (1) or ANAPLAN_CERT_FORMAT_V2 (2)",
        )),
    }
}

/// Connects with `credentials` and the settings of `config` and writes the client to `out`.
fn connect(
    config: *const anaplan_config,
    credentials: impl FnOnce() -> Result<Credentials, FfiError>,
    out: Out<*mut anaplan_client>,
) -> Result<(), FfiError> {
    let (settings, logger) = config::settings(config)?;
    let client = Client::connect(settings, credentials()?, logger)?;
    out.write(handles::issue(client)?);
    Ok(())
}

/// Connects with a certificate and key from either source, in the C `format`.
fn connect_certificate(
    config: *const anaplan_config,
    certificate: Source,
    private_key: Source,
    passphrase: Option<&str>,
    format: i32,
    out: Out<*mut anaplan_client>,
) -> Result<(), FfiError> {
    let format = nonce_format(format)?;
    let passphrase = passphrase.map(str::as_bytes);
    connect(
        config,
        || {
            Ok(Credentials::certificate(
                certificate,
                private_key,
                passphrase,
                format,
            )?)
        },
        out,
    )
}

/// Signs in with a user name and password (Basic authentication) and writes the connection to
/// `*out`. `config` may be NULL for the defaults (Anaplan production); it is copied, so it can be
/// freed right after.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
/// Statuses: `OK`; `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE` (config), `INVALID_ARGUMENT`
/// (a bad URL in the config, plain HTTP to a host that is not loopback); `AUTH` (wrong user or
/// password: HTTP status in the last error); `NETWORK`, `TIMEOUT`, `TLS`, `HTTP_ERROR`. `*out` is
/// written only on `OK`.
///
/// # Safety
/// `user` and `password` are NUL-terminated strings; `out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_basic(
    config: *const anaplan_config,
    user: *const c_char,
    password: *const c_char,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the caller passes NUL-terminated strings (NULL is checked).
        let user = unsafe { str_arg(user, "user") }?;
        // SAFETY: as above.
        let password = unsafe { str_arg(password, "password") }?;
        connect(config, || Ok(Credentials::basic(user, password)?), out)
    })
}

/// Signs in with a CA certificate and its private key, read from files (PEM or DER; PKCS#1 or
/// PKCS#8 keys, encrypted keys with `passphrase`, NULL when the key is not encrypted), in the
/// signed-data `format` `ANAPLAN_CERT_FORMAT_V2` (default) or `ANAPLAN_CERT_FORMAT_V1`.
///
/// Ownership and statuses as `anaplan_client_connect_basic`, plus `IO` (a file cannot be read:
/// the path is in the message), `CREDENTIALS` (not a certificate or key, a key that is not the
/// certificate's, a wrong or missing passphrase; the message never contains key material or the
/// passphrase), `OUT_OF_RANGE` (unknown format).
///
/// # Safety
/// String arguments are NUL-terminated (`passphrase` may be NULL); `out` points to a writable
/// pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_certificate_files(
    config: *const anaplan_config,
    certificate_path: *const c_char,
    private_key_path: *const c_char,
    passphrase: *const c_char,
    format: i32,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the caller passes NUL-terminated strings (NULL is checked).
        let cert = unsafe { str_arg(certificate_path, "certificate_path") }?;
        // SAFETY: as above.
        let key = unsafe { str_arg(private_key_path, "private_key_path") }?;
        // SAFETY: as above; NULL means no passphrase.
        let pass = unsafe { opt_str_arg(passphrase, "passphrase") }?;
        let (cert, key) = (Source::File(cert.into()), Source::File(key.into()));
        connect_certificate(config, cert, key, pass, format, out)
    })
}

/// Signs in with a CA certificate and its private key given as bytes in memory (PEM or DER),
/// otherwise as `anaplan_client_connect_certificate_files`. The bytes are copied.
///
/// # Safety
/// `certificate` and `private_key` point to `*_len` readable bytes; `passphrase` is NULL or
/// NUL-terminated; `out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_certificate_memory(
    config: *const anaplan_config,
    certificate: *const u8,
    certificate_len: usize,
    private_key: *const u8,
    private_key_len: usize,
    passphrase: *const c_char,
    format: i32,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        // SAFETY: the caller guarantees `out` is NULL or writable.
        let out = unsafe { Out::new(out, "out") }?;
        // SAFETY: the caller guarantees `certificate_len` readable bytes (NULL is checked).
        let cert = unsafe { bytes_arg(certificate, certificate_len, "certificate") }?;
        // SAFETY: as above.
        let key = unsafe { bytes_arg(private_key, private_key_len, "private_key") }?;
        // SAFETY: NULL or a NUL-terminated string.
        let pass = unsafe { opt_str_arg(passphrase, "passphrase") }?;
        let (cert, key) = (Source::Bytes(cert.to_vec()), Source::Bytes(key.to_vec()));
        connect_certificate(config, cert, key, pass, format, out)
    })
}

/// Signs out (the token is revoked on the server) and frees the connection. NULL is accepted and
/// does nothing. Calls still running on other threads finish with their own reference; new calls
/// with this handle give `INVALID_HANDLE`.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not a client (nothing happens then, so a
/// double free is harmless).
///
/// # Safety
/// `client` is NULL or any pointer: it is checked against the live handles, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_free(client: *mut anaplan_client) -> anaplan_status {
    boundary::call(|| {
        if client.is_null() {
            return Ok(());
        }
        let object = handles::get(client)?;
        handles::free(client)?;
        object.close();
        Ok(())
    })
}
