//! Connection settings: hosts, proxy, TLS trust, timeouts, retries, upload tuning, locale.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::{Error, Result};
use super::retry::Jitter;

/// Anaplan production hosts (legacy regions us1, us2, us5, us7, eu1, eu2, eu4, ap1).
pub const DEFAULT_AUTH_URL: &str = "https://auth.anaplan.com";
pub const DEFAULT_API_URL: &str = "https://api.anaplan.com";

/// Chunk size limits for uploads: Anaplan takes chunks of 1 to 50 MB.
pub const MIN_CHUNK_SIZE: usize = 1_000_000;
pub const MAX_CHUNK_SIZE: usize = 50_000_000;
pub const MAX_PARALLELISM: usize = 32;
pub const MIN_GZIP_LEVEL: u32 = 1;
pub const MAX_GZIP_LEVEL: u32 = 9;

/// The regional hosts of Anaplan's allowlist page, `(region, auth base URL, API base URL)`:
/// https://support.anaplan.com/url-ip-and-allowlist-requirements-c8235c7d-8af2-413b-a9ff-d465978806b9
pub const REGIONS: &[(&str, &str, &str)] = &[
    ("us1", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("us2", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("us5", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("us7", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("eu1", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("eu2", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("eu4", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    ("ap1", DEFAULT_AUTH_URL, DEFAULT_API_URL),
    (
        "us9",
        "https://us9.auth.anaplan.com",
        "https://us9.api.anaplan.com",
    ),
    (
        "eu3",
        "https://eu3.auth.anaplan.com",
        "https://eu3.api.anaplan.com",
    ),
    (
        "eu5",
        "https://eu5.auth.anaplan.com",
        "https://eu5.api.anaplan.com",
    ),
    (
        "gb1",
        "https://gb1.auth.anaplan.com",
        "https://gb1.api.anaplan.com",
    ),
    (
        "sg1",
        "https://sg1.auth.anaplan.com",
        "https://sg1.api.anaplan.com",
    ),
    (
        "ae1",
        "https://ae1.auth.anaplan.com",
        "https://ae1.api.anaplan.com",
    ),
    (
        "in1",
        "https://in1.auth.anaplan.com",
        "https://in1.api.anaplan.com",
    ),
    (
        "id1",
        "https://id1.auth.anaplan.com",
        "https://id1.api.anaplan.com",
    ),
    (
        "me1",
        "https://me1.auth.anaplan.com",
        "https://me1.api.anaplan.com",
    ),
    (
        "ca1",
        "https://ca1a.auth.anaplan.com",
        "https://ca1a.api.anaplan.com",
    ),
    (
        "au1",
        "https://au1a.app2.anaplan.com",
        "https://api.au1a.app2.anaplan.com",
    ),
];

/// Settings of a connection. `Config::default()` talks to Anaplan production with TLS
/// verification on. `Debug` hides a password in the proxy URL.
#[derive(Clone)]
pub struct Config {
    /// Base URL of the authentication service, without a trailing slash.
    pub auth_url: String,
    /// Base URL of the API host, without `/2/0`.
    pub api_url: String,
    /// HTTP(S) proxy for every request, e.g. `http://proxy.corp:3128`.
    pub proxy: Option<String>,
    /// PEM file of extra certificate authorities to trust (a corporate TLS-inspecting proxy).
    pub ca_bundle: Option<PathBuf>,
    /// Allow plain `http://` to hosts other than loopback. Off: credentials never travel in clear.
    pub allow_insecure_http: bool,
    pub connect_timeout: Duration,
    /// Timeout of one HTTP request (a 50 MB chunk on a slow link needs minutes).
    pub request_timeout: Duration,
    /// How often a failed request (429, 5xx, dropped connection) is tried again.
    pub max_retries: u32,
    /// First backoff; it doubles with each retry, with jitter, up to `retry_max_backoff`.
    pub retry_initial_backoff: Duration,
    pub retry_max_backoff: Duration,
    /// How the backoff is randomised (the server's `Retry-After` is used as given).
    pub retry_jitter: Jitter,
    /// Upload chunk size in bytes, 1 to 50 MB.
    pub chunk_size: usize,
    /// Chunks in flight at once, for uploads and downloads.
    pub parallelism: usize,
    /// Send chunks gzip-compressed (`application/x-gzip`).
    pub gzip: bool,
    /// zlib level of that compression, 1 (fastest) to 9 (smallest).
    pub gzip_level: u32,
    /// `localeName` sent when starting tasks.
    pub locale: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_url: DEFAULT_AUTH_URL.into(),
            api_url: DEFAULT_API_URL.into(),
            proxy: None,
            ca_bundle: None,
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(600),
            max_retries: 3,
            retry_initial_backoff: Duration::from_millis(500),
            retry_max_backoff: Duration::from_secs(60),
            retry_jitter: Jitter::Equal,
            chunk_size: 10_000_000,
            parallelism: 4,
            gzip: true,
            // Level 2 (zlib-rs): on CSV it sends a quarter fewer bytes than level 1 and within
            // 10 % of level 6, at 2.5 times the speed of level 6, so compression keeps up with a
            // gigabit link on a few cores while a slower link still gets nearly the smallest
            // chunks (measurements in the README, "Clients side by side").
            gzip_level: 2,
            locale: "en_US".into(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("auth_url", &self.auth_url)
            .field("api_url", &self.api_url)
            .field("proxy", &self.redacted_proxy())
            .field("ca_bundle", &self.ca_bundle)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_initial_backoff", &self.retry_initial_backoff)
            .field("retry_max_backoff", &self.retry_max_backoff)
            .field("retry_jitter", &self.retry_jitter)
            .field("chunk_size", &self.chunk_size)
            .field("parallelism", &self.parallelism)
            .field("gzip", &self.gzip)
            .field("gzip_level", &self.gzip_level)
            .field("locale", &self.locale)
            .finish()
    }
}

impl Config {
    /// The proxy URL fit for messages: a password in it (`http://user:pass@proxy`) is replaced.
    pub fn redacted_proxy(&self) -> Option<String> {
        self.proxy.as_ref().map(|p| match reqwest::Url::parse(p) {
            Ok(mut url) => {
                if url.password().is_some() {
                    // Only fails for URLs that cannot carry credentials, which have none.
                    let _ = url.set_password(Some("***"));
                }
                url.to_string()
            }
            Err(_) => "(not a URL)".into(),
        })
    }

    /// Sets both hosts to those of a region by name (`eu3`, `us9`, `au1`, ...).
    pub fn set_region(&mut self, region: &str) -> Result<()> {
        let (_, auth, api) = REGIONS
            .iter()
            .find(|(name, _, _)| name.eq_ignore_ascii_case(region))
            .ok_or_else(|| {
                let names: Vec<&str> = REGIONS.iter().map(|r| r.0).collect();
                Error::invalid(format!(
                    "unknown region {region:?}; known regions: {}",
                    names.join(", ")
                ))
            })?;
        self.auth_url = (*auth).into();
        self.api_url = (*api).into();
        Ok(())
    }

    pub fn set_chunk_size(&mut self, bytes: usize) -> Result<()> {
        if !(MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(&bytes) {
            return Err(Error::out_of_range(format!(
                "chunk size {bytes} bytes is out of range: Anaplan takes chunks of 1 to 50 MB ({MIN_CHUNK_SIZE} to {MAX_CHUNK_SIZE} bytes)"
            )));
        }
        self.chunk_size = bytes;
        Ok(())
    }

    /// [`Config::set_chunk_size`] in megabytes of 1 000 000 bytes, as Anaplan counts them.
    pub fn set_chunk_size_mb(&mut self, megabytes: u32) -> Result<()> {
        let bytes = usize::try_from(megabytes)
            .ok()
            .and_then(|mb| mb.checked_mul(1_000_000))
            .filter(|b| (MIN_CHUNK_SIZE..=MAX_CHUNK_SIZE).contains(b))
            .ok_or_else(|| {
                Error::out_of_range(format!(
                    "chunk size {megabytes} MB is out of range: Anaplan takes chunks of 1 to 50 MB"
                ))
            })?;
        self.set_chunk_size(bytes)
    }

    /// The first wait before a retry and the most it grows to; `initial` may not exceed `max`.
    pub fn set_retry_backoff(&mut self, initial: Duration, max: Duration) -> Result<()> {
        if initial > max {
            return Err(Error::out_of_range(format!(
                "the first retry backoff ({} ms) is longer than the longest ({} ms)",
                initial.as_millis(),
                max.as_millis()
            )));
        }
        self.retry_initial_backoff = initial;
        self.retry_max_backoff = max;
        Ok(())
    }

    pub fn set_parallelism(&mut self, n: usize) -> Result<()> {
        if !(1..=MAX_PARALLELISM).contains(&n) {
            return Err(Error::out_of_range(format!(
                "parallelism {n} is out of range (1 to {MAX_PARALLELISM})"
            )));
        }
        self.parallelism = n;
        Ok(())
    }

    pub fn set_gzip_level(&mut self, level: u32) -> Result<()> {
        if !(MIN_GZIP_LEVEL..=MAX_GZIP_LEVEL).contains(&level) {
            return Err(Error::out_of_range(format!(
                "gzip level {level} is out of range ({MIN_GZIP_LEVEL} fastest to {MAX_GZIP_LEVEL} smallest)"
            )));
        }
        self.gzip_level = level;
        Ok(())
    }

    /// Checks the URLs: absolute http(s) URLs, and plain HTTP only to loopback unless allowed.
    pub fn validate(&self) -> Result<()> {
        for (what, url) in [("auth URL", &self.auth_url), ("API URL", &self.api_url)] {
            check_url(what, url, self.allow_insecure_http)?;
        }
        if let Some(p) = &self.proxy {
            // The URL is not repeated: it may hold the proxy's password.
            reqwest::Url::parse(p)
                .map_err(|e| Error::invalid(format!("the proxy URL is not a URL: {e}")))?;
        }
        Ok(())
    }
}

fn check_url(what: &str, url: &str, allow_insecure: bool) -> Result<()> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::invalid(format!("{what} {url:?} is not a URL: {e}")))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(&parsed) => Ok(()),
        "http" => Err(Error::invalid(format!(
            "{what} {url:?} uses plain HTTP to a host that is not loopback; use https, or allow insecure HTTP explicitly"
        ))),
        other => Err(Error::invalid(format!(
            "{what} {url:?} has scheme {other:?}; expected https"
        ))),
    }
}

fn is_loopback(url: &reqwest::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proxy_passwords_stay_out_of_debug_and_errors() {
        let config = Config {
            proxy: Some("http://me:Proxy-Secret@proxy.corp:3128".into()),
            ..Config::default()
        };
        let shown = format!("{config:?}");
        assert!(!shown.contains("Proxy-Secret"), "{shown}");
        assert!(shown.contains("proxy.corp:3128"), "{shown}");
        let bad = Config {
            proxy: Some("::Proxy-Secret".into()),
            ..Config::default()
        };
        let err = bad.validate().unwrap_err().to_string();
        assert!(!err.contains("Proxy-Secret"), "{err}");
    }
}
