//! `anaplan_config`: the settings of a connection, built before connecting.

use std::ffi::{c_char, c_void, CString};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use super::status::*;
use super::toolkit::boundary::{self, on_locked};
use super::toolkit::enums::c_enum;
use super::toolkit::error::FfiError;
use super::toolkit::handles::{self, lock, HandleType};
use super::toolkit::params::{opt_str_param, out_param, str_param};
use super::toolkit::scalars::{count, flag, millis};
use crate::client::{Config, Level, LogSink, Logger};

/// Connection settings: hosts (or a region), proxy, CA bundle, timeouts, retries, upload tuning
/// and locale. Starts with Anaplan production, TLS verification on, and the library's defaults.
///
/// Methods: `anaplan_config_new`, `anaplan_config_free`, `anaplan_config_set_*`.
///
/// Thread-safety: NOT thread-safe. Build a config on one thread (or guard it yourself); concurrent
/// calls on one config cannot corrupt memory, but which setting wins is unspecified. A connection
/// copies the settings when it is made, so the config can be freed or reused right after.
pub struct anaplan_config {
    _private: [u8; 0],
}

impl HandleType for anaplan_config {
    type Object = Mutex<ConfigState>;
    const NAME: &'static str = "anaplan_config";
}

/// What a config handle holds: the client settings and the log callback of the connection.
#[derive(Default)]
pub struct ConfigState {
    config: Config,
    log: Option<LogCallback>,
}

/// A C log callback with its user data and the most detailed level it wants.
#[derive(Clone, Copy)]
struct LogCallback {
    callback: anaplan_log_fn,
    user_data: usize,
    level: Level,
}

/// Receives the library's log lines: `level` is an `anaplan_log_level`, `message` a NUL-terminated
/// UTF-8 string valid only during the call. It runs on the thread that made the library call
/// that logs (parallel workers report through that thread), and must not call back into the
/// library with the same client.
pub type anaplan_log_fn = Option<
    unsafe extern "C" fn(user_data: *mut c_void, level: anaplan_log_level, message: *const c_char),
>;

c_enum! {
    /// How much a log callback receives (`anaplan_config_set_log_callback`) and how serious a
    /// log line is (the callback's `level`). Each level includes those above it.
    pub enum anaplan_log_level in LOG_LEVELS {
        /// Failures that end a call: a sign-in refused, a chunk that failed past its retries.
        ANAPLAN_LOG_ERROR = 1,
        /// What went wrong and was handled: a retried request, a renewed token.
        ANAPLAN_LOG_WARN = 2,
        /// The steps of a call: signed in, a task started and ended, a transfer done.
        ANAPLAN_LOG_INFO = 3,
        /// Every request and every chunk.
        ANAPLAN_LOG_DEBUG = 4,
    }
}

/// The C number of a log level: the one mapping between the client's levels and the header's.
fn level_code(level: Level) -> anaplan_log_level {
    match level {
        Level::Error => ANAPLAN_LOG_ERROR,
        Level::Warn => ANAPLAN_LOG_WARN,
        Level::Info => ANAPLAN_LOG_INFO,
        Level::Debug => ANAPLAN_LOG_DEBUG,
    }
}

/// The client's log level of a C number, checked against `anaplan_log_level`.
fn level_of(code: i32, param: &str) -> Result<Level, FfiError> {
    let code = LOG_LEVELS.check(code, param)?;
    Ok([Level::Error, Level::Warn, Level::Info, Level::Debug]
        .into_iter()
        .find(|l| level_code(*l) == code)
        .unwrap_or(Level::Debug))
}

impl LogCallback {
    fn logger(self) -> Logger {
        let sink: LogSink = Arc::new(move |level: Level, message: &str| {
            let Some(callback) = self.callback else {
                return;
            };
            // Interior NULs cannot cross as C strings; they never occur in log lines, but a
            // message is never dropped for it either.
            let text = CString::new(message.replace('\0', " ")).unwrap_or_default();
            // SAFETY: the caller registered this function and user data for exactly this use;
            // `text` lives until the call returns.
            unsafe {
                callback(
                    self.user_data as *mut c_void,
                    level_code(level),
                    text.as_ptr(),
                )
            };
        });
        Logger::new(Some(sink), self.level)
    }
}

/// The settings and the logger behind a config handle (NULL: the defaults, logging only as
/// `ANAPLAN_LOG` says), for the functions that connect.
pub fn settings(config: *const anaplan_config) -> Result<(Config, Logger), FfiError> {
    if config.is_null() {
        return Ok((Config::default(), Logger::default()));
    }
    let object = handles::get(config)?;
    let state = lock(&object);
    let logger = state.log.map_or_else(Logger::default, LogCallback::logger);
    Ok((state.config.clone(), logger))
}

/// Creates a config with the defaults and writes it to `*out`.
///
/// Ownership: the caller owns `*out` and frees it with `anaplan_config_free`.
/// Statuses: `OK`, `NULL_ARGUMENT` (`out` is NULL). `*out` is written only on `OK`.
///
/// # Safety
/// `out` is NULL or points to a writable `anaplan_config *`.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_new(out: *mut *mut anaplan_config) -> anaplan_status {
    boundary::call(|| {
        let out = out_param!(out)?;
        out.write(handles::issue(Mutex::new(ConfigState::default()))?);
        Ok(())
    })
}

/// Frees a config. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when `config` was already freed or is not a config (nothing is
/// freed then, so a double free is harmless).
///
/// # Safety
/// `config` is NULL or any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_free(config: *mut anaplan_config) -> anaplan_status {
    boundary::release(|| handles::free(config))
}

/// Sets the base URL of the authentication service (default `https://auth.anaplan.com`). A URL
/// ending in `/token/authenticate` (or `/token`) is taken without it.
/// Plain `http://` is accepted for loopback hosts only, unless
/// `anaplan_config_set_allow_insecure_http` allows it; URLs are checked when connecting.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`.
///
/// # Safety
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_auth_url(
    config: *mut anaplan_config,
    url: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.auth_url = str_param!(url)?.to_string();
        Ok(())
    })
}

/// Sets the base URL of the OAuth 2.0 service, Anaplan's app host (default
/// `https://us1a.app.anaplan.com`, that of the legacy regions; the emulator serves it on its main
/// listener). A URL ending in `/oauth/token` is taken without it. Checked as the other URLs.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`.
///
/// # Safety
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_oauth_url(
    config: *mut anaplan_config,
    url: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        state.config.oauth_url = str_param!(url)?.to_string();
        Ok(())
    })
}

/// Sets the base URL of the API host (default `https://api.anaplan.com`). A URL ending in the
/// Integration API's `/2/0` is taken without it.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`.
///
/// # Safety
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_api_url(
    config: *mut anaplan_config,
    url: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.api_url = str_param!(url)?.to_string();
        Ok(())
    })
}

/// Sets the auth, API and OAuth hosts to those of an Anaplan region by name, case-insensitive:
/// `us1`, `eu1`, `eu3`, `us9`, `gb1`, `au1`, ... (the message of an unknown name lists them all).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, `INVALID_ARGUMENT`
/// (unknown region; the config is unchanged).
///
/// # Safety
/// `region` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_region(
    config: *mut anaplan_config,
    region: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        let region = str_param!(region)?;
        Ok(c.set_region(region)?)
    })
}

/// Sends every request through an HTTP(S) proxy, e.g. `http://proxy.corp:3128`; NULL removes it.
/// Only `http://` and `https://` proxies with a host are taken: any other would be ignored and
/// requests would go past it. Messages never quote the proxy's credentials.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `INVALID_UTF8`, `INVALID_ARGUMENT` (not such a URL; the
/// config is unchanged).
///
/// # Safety
/// `url` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_proxy(
    config: *mut anaplan_config,
    url: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        Ok(c.set_proxy(opt_str_param!(url)?)?)
    })
}

/// Trusts the certificate authorities of a PEM file in addition to the system's (a corporate
/// TLS-inspecting proxy); NULL removes it. The file is read when connecting.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `INVALID_UTF8`.
///
/// # Safety
/// `path` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_ca_bundle(
    config: *mut anaplan_config,
    path: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.ca_bundle = opt_str_param!(path)?.map(PathBuf::from);
        Ok(())
    })
}

/// 1 allows plain `http://` to hosts other than loopback (credentials then travel in clear);
/// 0 (the default) refuses it.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (not 0 or 1).
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_allow_insecure_http(
    config: *mut anaplan_config,
    allow: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.allow_insecure_http = flag(allow, "allow")?;
        Ok(())
    })
}

/// Sets the timeout for opening a connection, in milliseconds (1 or more; default 30000).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_connect_timeout_ms(
    config: *mut anaplan_config,
    timeout_ms: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.connect_timeout = millis(timeout_ms, 1, "timeout_ms")?;
        Ok(())
    })
}

/// Sets the timeout of one HTTP request, in milliseconds (1 or more; default 600000: a 50 MB
/// chunk on a slow link needs minutes).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_request_timeout_ms(
    config: *mut anaplan_config,
    timeout_ms: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.request_timeout = millis(timeout_ms, 1, "timeout_ms")?;
        Ok(())
    })
}

/// Sets how often a failed request (429, 5xx, dropped connection) is tried again (0 or more;
/// default 3).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_max_retries(
    config: *mut anaplan_config,
    retries: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.max_retries = count(retries, "retries")?;
        Ok(())
    })
}

/// Sets the retry backoff in milliseconds: the first wait, doubled at each retry (with jitter) up
/// to the maximum (defaults 500 and 60000). A `Retry-After` from Anaplan takes precedence.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (negative, or `initial_ms > max_ms`).
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_retry_backoff_ms(
    config: *mut anaplan_config,
    initial_ms: i32,
    max_ms: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        let initial = millis(initial_ms, 0, "initial_ms")?;
        let max = millis(max_ms, 0, "max_ms")?;
        Ok(c.set_retry_backoff(initial, max)?)
    })
}

/// Sets the upload chunk size in megabytes (1 MB = 1000000 bytes): 1 to 50, as Anaplan takes
/// (default 10).
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (0, 51, negative; the config is unchanged).
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_chunk_size_mb(
    config: *mut anaplan_config,
    megabytes: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        Ok(state.config.transfer.set_chunk_size_mb(megabytes.into())?)
    })
}

/// Sets how many chunks are in flight at once, for uploads and downloads (1 to 32; default 4).
/// Memory used by a transfer is bounded by chunk size × parallelism.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE`.
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_parallelism(
    config: *mut anaplan_config,
    parallelism: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        Ok(state.config.transfer.set_parallelism(parallelism.into())?)
    })
}

/// 1 (the default) sends upload chunks gzip-compressed; 0 sends them as they are.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (not 0 or 1).
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_gzip(
    config: *mut anaplan_config,
    gzip: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        state.config.transfer.gzip = flag(gzip, "gzip")?;
        Ok(())
    })
}

/// Sets the zlib level of upload compression (when gzip is on): 1 (fastest) to 9 (smallest);
/// the default, 2, suits links from a few MB/s to a gigabit. On a slow link a higher level sends
/// fewer bytes; on a very fast one level 1 keeps compression from being the bottleneck.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (not 1 to 9).
///
/// # Safety
/// `config` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_gzip_level(
    config: *mut anaplan_config,
    level: i32,
) -> anaplan_status {
    on_locked(config, |state| {
        Ok(state.config.transfer.set_gzip_level(level.into())?)
    })
}

/// Sets the locale sent when starting tasks, e.g. `en_US` (the default) or `fr_FR`.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`.
///
/// # Safety
/// `locale` is NULL or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_locale(
    config: *mut anaplan_config,
    locale: *const c_char,
) -> anaplan_status {
    on_locked(config, |state| {
        let c = &mut state.config;
        c.locale = str_param!(locale)?.to_string();
        Ok(())
    })
}

/// Sets the log callback of connections made with this config, and the most detailed level it
/// receives (an `anaplan_log_level`). NULL `callback` removes it. Log lines
/// never contain passwords, keys, passphrases or token values. Independently, the environment
/// variable `ANAPLAN_LOG=error|warn|info|debug` copies log lines to stderr.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `OUT_OF_RANGE` (unknown level).
///
/// # Safety
/// `config` is a handle from `anaplan_config_new` (or anything: it is checked). `callback`, when
/// not NULL, stays callable with `user_data` for as long as a connection made with this config
/// lives.
#[no_mangle]
pub unsafe extern "C" fn anaplan_config_set_log_callback(
    config: *mut anaplan_config,
    callback: anaplan_log_fn,
    user_data: *mut c_void,
    level: anaplan_log_level,
) -> anaplan_status {
    on_locked(config, |state| {
        let level = level_of(level, "level")?;
        state.log = callback.is_some().then_some(LogCallback {
            callback,
            user_data: user_data as usize,
            level,
        });
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::last_error;
    use std::ptr::null_mut;
    use std::time::Duration;

    fn new_config() -> *mut anaplan_config {
        let mut config = null_mut();
        // SAFETY: a local out-param.
        let status = unsafe { anaplan_config_new(&mut config) };
        assert_eq!(status, ANAPLAN_STATUS_OK);
        config
    }

    fn last_message() -> String {
        last_error::with(|e| e.map(|e| e.message.clone())).unwrap_or_default()
    }

    #[test]
    fn setters_reach_the_client_config() {
        let config = new_config();
        // SAFETY: a live handle and NUL-terminated literals, in every call.
        unsafe {
            assert_eq!(
                anaplan_config_set_region(config, c"EU3".as_ptr()),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(
                anaplan_config_set_proxy(config, c"http://proxy:3128".as_ptr()),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(
                anaplan_config_set_chunk_size_mb(config, 50),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(anaplan_config_set_parallelism(config, 8), ANAPLAN_STATUS_OK);
            assert_eq!(
                anaplan_config_set_retry_backoff_ms(config, 0, 10),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(
                anaplan_config_set_request_timeout_ms(config, 1500),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(anaplan_config_set_gzip(config, 0), ANAPLAN_STATUS_OK);
            assert_eq!(anaplan_config_set_gzip_level(config, 9), ANAPLAN_STATUS_OK);
            assert_eq!(
                anaplan_config_set_locale(config, c"fr_FR".as_ptr()),
                ANAPLAN_STATUS_OK
            );
        }
        let (c, _) = settings(config).unwrap();
        assert_eq!(c.api_url, "https://eu3.api.anaplan.com");
        assert_eq!(c.proxy.as_deref(), Some("http://proxy:3128"));
        assert_eq!(
            (
                c.transfer.chunk_size,
                c.transfer.parallelism,
                c.transfer.gzip,
                c.transfer.gzip_level
            ),
            (50_000_000, 8, false, 9)
        );
        assert_eq!(c.retry_max_backoff, Duration::from_millis(10));
        assert_eq!(c.request_timeout, Duration::from_millis(1500));
        assert_eq!(c.locale, "fr_FR");
        // SAFETY: a live handle; NULL clears the proxy.
        unsafe {
            assert_eq!(
                anaplan_config_set_proxy(config, std::ptr::null()),
                ANAPLAN_STATUS_OK
            );
            assert_eq!(anaplan_config_free(config), ANAPLAN_STATUS_OK);
        }
        assert_eq!(
            settings(config).unwrap_err().status,
            ANAPLAN_STATUS_INVALID_HANDLE
        );
    }

    #[test]
    fn a_proxy_that_cannot_be_used_is_refused_without_its_password() {
        let config = new_config();
        for bad in [
            c"ftp://user:secret@proxy:21",
            c"user:secret",
            c"socks9://secret@p:1",
        ] {
            // SAFETY: a live handle and a NUL-terminated literal.
            let status = unsafe { anaplan_config_set_proxy(config, bad.as_ptr()) };
            assert_eq!(status, ANAPLAN_STATUS_INVALID_ARGUMENT, "{bad:?}");
            assert!(!last_message().contains("secret"), "{}", last_message());
        }
        assert_eq!(settings(config).unwrap().0.proxy, None, "unchanged");
        // SAFETY: a live handle.
        assert_eq!(unsafe { anaplan_config_free(config) }, ANAPLAN_STATUS_OK);
    }

    #[test]
    fn log_levels_map_both_ways() {
        for level in [Level::Error, Level::Warn, Level::Info, Level::Debug] {
            assert_eq!(level_of(level_code(level), "level"), Ok(level));
        }
        assert_eq!(level_code(Level::Warn), ANAPLAN_LOG_WARN);
        let e = level_of(0, "level").unwrap_err();
        assert_eq!(e.status, ANAPLAN_STATUS_OUT_OF_RANGE);
        assert!(e.message.contains("ANAPLAN_LOG_DEBUG (4)"), "{}", e.message);
    }

    #[test]
    fn chunk_sizes_outside_1_to_50_mb_are_out_of_range_and_change_nothing() {
        let config = new_config();
        // One message per setting, whether the value is negative (refused before it could be
        // narrowed) or too small or too large (refused by the client's bounds).
        for mb in [0, 51, -1, i32::MAX, i32::MIN] {
            // SAFETY: a live handle.
            let s = unsafe { anaplan_config_set_chunk_size_mb(config, mb) };
            assert_eq!(s, ANAPLAN_STATUS_OUT_OF_RANGE, "{mb} MB");
            assert_eq!(
                last_message(),
                format!("chunk size {mb} MB is out of range: Anaplan takes chunks of 1 to 50 MB")
            );
        }
        for n in [0, 33, -1] {
            // SAFETY: a live handle.
            let s = unsafe { anaplan_config_set_parallelism(config, n) };
            assert_eq!(s, ANAPLAN_STATUS_OUT_OF_RANGE, "parallelism {n}");
            assert_eq!(
                last_message(),
                format!("parallelism {n} is out of range: 1 to 32 chunks in flight")
            );
        }
        for level in [0, 10, -1] {
            // SAFETY: a live handle.
            let s = unsafe { anaplan_config_set_gzip_level(config, level) };
            assert_eq!(s, ANAPLAN_STATUS_OUT_OF_RANGE, "gzip level {level}");
            assert_eq!(
                last_message(),
                format!("gzip level {level} is out of range: 1 (fastest) to 9 (smallest)")
            );
        }
        assert_eq!(
            settings(config).unwrap().0.transfer.chunk_size,
            Config::default().transfer.chunk_size
        );
        // SAFETY: a live handle.
        unsafe {
            assert_eq!(
                anaplan_config_set_parallelism(config, 0),
                ANAPLAN_STATUS_OUT_OF_RANGE
            );
            assert_eq!(
                anaplan_config_set_retry_backoff_ms(config, 20, 10),
                ANAPLAN_STATUS_OUT_OF_RANGE
            );
            assert_eq!(
                anaplan_config_set_region(config, c"mars".as_ptr()),
                ANAPLAN_STATUS_INVALID_ARGUMENT
            );
            assert_eq!(anaplan_config_free(config), ANAPLAN_STATUS_OK);
        }
    }
}
