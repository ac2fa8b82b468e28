//! Making and freeing an `anaplan_client`: `anaplan_client_connect_*` (basic, certificate and
//! key, Java keystore) and `anaplan_client_free`.

use std::ffi::{c_char, c_void, CString};
use std::sync::Arc;

use super::anaplan_client;
use crate::client::{Client, Credentials, NonceFormat, RotationSink, Source};
use crate::ffi::config::{self, anaplan_config};
use crate::ffi::status::*;
use crate::ffi::toolkit::boundary;
use crate::ffi::toolkit::enums::c_enum;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::handles;
use crate::ffi::toolkit::params::{bytes_param, opt_str_param, out_param, str_param, Out};

c_enum! {
    /// The signed-data format of a CA-certificate sign-in (`anaplan_client_connect_certificate_*`).
    pub enum anaplan_cert_format in CERT_FORMATS {
        /// The original format v1: 150 random bytes are signed.
        ANAPLAN_CERT_FORMAT_V1 = 1,
        /// Format v2, the default: an 8-byte timestamp before the random data, so that a
        /// signature cannot be replayed later (`"encodedDataFormat":"v2"`).
        ANAPLAN_CERT_FORMAT_V2 = 2,
    }
}

/// The client's nonce format of a C `anaplan_cert_format`: the one mapping between the two.
fn nonce_format(format: i32) -> Result<NonceFormat, FfiError> {
    match CERT_FORMATS.check(format, "format")? {
        ANAPLAN_CERT_FORMAT_V1 => Ok(NonceFormat::V1),
        _ => Ok(NonceFormat::V2),
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
    format: anaplan_cert_format,
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
/// (a bad URL in the config, plain HTTP to a host that is not loopback); `AUTH` (the sign-in was
/// refused, 401: wrong user or password; HTTP status in the last error); `HTTP_ERROR` (the
/// sign-in request was answered otherwise, e.g. 404 for a wrong auth URL, 407 from a proxy, 431
/// for a user name too long: the message says what to check); `NETWORK`, `TIMEOUT`, `TLS`.
/// `*out` is written only on `OK`.
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
        let out = out_param!(out)?;
        let (user, password) = (str_param!(user)?, str_param!(password)?);
        connect(config, || Ok(Credentials::basic(user, password)?), out)
    })
}

/// Signs in with a CA certificate and its private key, read from files (PEM or DER; PKCS#1 or
/// PKCS#8 keys, encrypted keys with `passphrase`, NULL when the key is not encrypted), in the
/// signed-data `format` `ANAPLAN_CERT_FORMAT_V2` (default) or `ANAPLAN_CERT_FORMAT_V1`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
/// Statuses as `anaplan_client_connect_basic`, plus `IO` (a file cannot be read:
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
    format: anaplan_cert_format,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        let cert = Source::File(str_param!(certificate_path)?.into());
        let key = Source::File(str_param!(private_key_path)?.into());
        let passphrase = opt_str_param!(passphrase)?;
        connect_certificate(config, cert, key, passphrase, format, out)
    })
}

/// Signs in with a CA certificate and its private key given as bytes in memory (PEM or DER),
/// otherwise as `anaplan_client_connect_certificate_files`. The bytes are copied.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
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
    format: anaplan_cert_format,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        let cert = Source::Bytes(bytes_param!(certificate, certificate_len)?.to_vec());
        let key = Source::Bytes(bytes_param!(private_key, private_key_len)?.to_vec());
        let passphrase = opt_str_param!(passphrase)?;
        connect_certificate(config, cert, key, passphrase, format, out)
    })
}

/// Connects with the certificate and key of a Java keystore entry, in the C `format`.
fn connect_keystore(
    config: *const anaplan_config,
    store: Source,
    passwords: (&str, Option<&str>),
    alias: Option<&str>,
    format: anaplan_cert_format,
    out: Out<*mut anaplan_client>,
) -> Result<(), FfiError> {
    let format = nonce_format(format)?;
    let (store_password, key_password) = passwords;
    connect(
        config,
        || {
            Ok(Credentials::keystore(
                store,
                store_password,
                alias,
                key_password,
                format,
            )?)
        },
        out,
    )
}

/// Signs in with the certificate and private key of an entry of the Java keystore at `path`: JKS
/// or PKCS#12 (`.p12`, `.pfx`, and keytool's default type whatever the file is called), told
/// from the bytes. `alias` may be NULL when the store holds one private key (aliases compare
/// without regard to case); `key_password` may be NULL when it is the store password (as keytool
/// and Anaplan Connect assume). PKCS#12 files with old algorithms (RC2-40, 3DES) are read
/// through OpenSSL's legacy provider, loaded when one is met. `format` as for
/// `anaplan_client_connect_certificate_files`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
/// Statuses as `anaplan_client_connect_basic`, plus `IO` (the file cannot be read: the path is in
/// the message) and `CREDENTIALS`: a wrong keystore password (or an altered file), a wrong key
/// password, no such alias or several private keys without an alias (the message lists the
/// aliases), a store with only trusted certificates, a JCEKS store (the message gives the
/// keytool command that converts it), a damaged or truncated file, a file over 16 MiB, a
/// legacy PKCS#12 without OpenSSL's legacy provider, a key that is not RSA or not the
/// certificate's. No message contains a password or key material. `OUT_OF_RANGE` (format).
///
/// # Safety
/// `path` and `store_password` are NUL-terminated; `alias` and `key_password` are NULL or
/// NUL-terminated; `out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_keystore_file(
    config: *const anaplan_config,
    path: *const c_char,
    store_password: *const c_char,
    alias: *const c_char,
    key_password: *const c_char,
    format: anaplan_cert_format,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        let store = Source::File(str_param!(path)?.into());
        let passwords = (str_param!(store_password)?, opt_str_param!(key_password)?);
        let alias = opt_str_param!(alias)?;
        connect_keystore(config, store, passwords, alias, format, out)
    })
}

/// Signs in from a Java keystore given as `keystore_len` bytes at `keystore` (copied), otherwise
/// as `anaplan_client_connect_keystore_file` (without `IO`).
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
///
/// # Safety
/// `keystore` points to `keystore_len` readable bytes; `store_password` is NUL-terminated;
/// `alias` and `key_password` are NULL or NUL-terminated; `out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_keystore_memory(
    config: *const anaplan_config,
    keystore: *const u8,
    keystore_len: usize,
    store_password: *const c_char,
    alias: *const c_char,
    key_password: *const c_char,
    format: anaplan_cert_format,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        let store = Source::Bytes(bytes_param!(keystore, keystore_len)?.to_vec());
        let passwords = (str_param!(store_password)?, opt_str_param!(key_password)?);
        let alias = opt_str_param!(alias)?;
        connect_keystore(config, store, passwords, alias, format, out)
    })
}

/// Called with each new refresh token of a rotatable OAuth client, before it is used: store it
/// where the next run will find it (the one it replaces no longer works). `refresh_token` is
/// valid during the call only. It runs on whichever thread renews the token (the one that
/// connects, or any thread calling the client later), one call at a time per connection.
pub type anaplan_refresh_token_cb =
    Option<unsafe extern "C" fn(user_data: *mut c_void, refresh_token: *const c_char)>;

/// Signs in with an OAuth 2.0 client's refresh token at the OAuth service
/// (`anaplan_config_set_oauth_url`). `client_secret` is an authorization-code client's secret,
/// NULL for a device-grant client. The access token is renewed by the same grant before it
/// expires and after a 401. A rotatable client's refresh token works once: each new one is handed
/// to `on_rotate` (may be NULL, but then the new token is lost when the process ends).
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_client_free`.
/// Statuses: `OK`; `AUTH` (the refresh token was refused: unknown, expired or already used; the
/// message says to sign in again; or the client id or secret was refused), `CREDENTIALS` (an
/// empty client id or refresh token), `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_HANDLE`
/// (config), `INVALID_ARGUMENT` (a bad URL in the config), `NETWORK`, `TIMEOUT`, `TLS`. No
/// message contains a token or the secret.
///
/// # Safety
/// `client_id` and `refresh_token` are NUL-terminated; `client_secret` is NULL or
/// NUL-terminated; `on_rotate` is NULL or callable with `user_data` from any thread until the
/// client is freed; `out` points to a writable pointer.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_connect_oauth_refresh_token(
    config: *const anaplan_config,
    client_id: *const c_char,
    client_secret: *const c_char,
    refresh_token: *const c_char,
    on_rotate: anaplan_refresh_token_cb,
    user_data: *mut c_void,
    out: *mut *mut anaplan_client,
) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        let (client_id, refresh_token) = (str_param!(client_id)?, str_param!(refresh_token)?);
        let client_secret = opt_str_param!(client_secret)?;
        let sink = on_rotate.map(|cb| rotation_sink(cb, user_data as usize));
        connect(
            config,
            || {
                Ok(Credentials::oauth_refresh_token(
                    client_id,
                    client_secret,
                    refresh_token,
                    sink,
                )?)
            },
            out,
        )
    })
}

/// The C rotation callback as the client's sink. `user_data` is kept as an address: it is only
/// handed back to the callback.
fn rotation_sink(
    cb: unsafe extern "C" fn(*mut c_void, *const c_char),
    user_data: usize,
) -> RotationSink {
    Arc::new(move |token: &str| {
        // A token is letters, digits and punctuation; one with a NUL could not be told to C.
        if let Ok(token) = CString::new(token) {
            // SAFETY: the caller registered this function and user_data for the client's
            // lifetime, callable from any thread; the string lives for the call.
            unsafe { cb(user_data as *mut c_void, token.as_ptr()) }
        }
    })
}

/// Frees the connection; it signs out (the token is revoked on the server) once nothing uses it
/// any more. NULL is accepted and does nothing. New calls with this handle give
/// `INVALID_HANDLE`; calls already running on other threads finish as they would have (a run
/// waits for its task to end, a transfer completes), and an upload stream made from this client
/// keeps working until it is freed: the sign-out comes after the last of them, at once when
/// nothing is running.
///
/// Statuses: `OK`; `INVALID_HANDLE` when already freed or not a client (nothing happens then, so a
/// double free is harmless).
///
/// # Safety
/// `client` is NULL or any pointer: it is checked against the live handles, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_free(client: *mut anaplan_client) -> anaplan_status {
    // The registry holds one reference and every running call its own (see `boundary::on`):
    // the connection, and with it the sign-out, goes with the last.
    boundary::release(|| handles::free(client))
}
