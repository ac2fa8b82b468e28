//! Connection settings: hosts, proxy, TLS trust, timeouts, retries, transfer defaults, locale.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use super::error::{quoted, Error, Result};
use super::retry::Jitter;
use super::transfer_settings::TransferSettings;

/// Anaplan production hosts (legacy regions us1, us2, us5, us7, eu1, eu2, eu4, ap1).
pub const DEFAULT_AUTH_URL: &str = "https://auth.anaplan.com";
pub const DEFAULT_API_URL: &str = "https://api.anaplan.com";
/// The OAuth service of the legacy regions (the app host, not the auth service).
pub const DEFAULT_OAUTH_URL: &str = "https://us1a.app.anaplan.com";

/// The regional hosts of Anaplan's allowlist page, `(region, auth base URL, API base URL, OAuth
/// base URL)` (`../shared/docs/anaplan-api.md` §9.1):
/// https://support.anaplan.com/url-ip-and-allowlist-requirements-c8235c7d-8af2-413b-a9ff-d465978806b9
pub const REGIONS: &[(&str, &str, &str, &str)] = &[
    ("us1", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("us2", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("us5", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("us7", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("eu1", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("eu2", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("eu4", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    ("ap1", DEFAULT_AUTH_URL, DEFAULT_API_URL, DEFAULT_OAUTH_URL),
    (
        "us9",
        "https://us9.auth.anaplan.com",
        "https://us9.api.anaplan.com",
        "https://us9.app.anaplan.com",
    ),
    (
        "eu3",
        "https://eu3.auth.anaplan.com",
        "https://eu3.api.anaplan.com",
        "https://eu3.app.anaplan.com",
    ),
    (
        "eu5",
        "https://eu5.auth.anaplan.com",
        "https://eu5.api.anaplan.com",
        "https://eu5.app.anaplan.com",
    ),
    (
        "gb1",
        "https://gb1.auth.anaplan.com",
        "https://gb1.api.anaplan.com",
        "https://gb1.app.anaplan.com",
    ),
    (
        "sg1",
        "https://sg1.auth.anaplan.com",
        "https://sg1.api.anaplan.com",
        "https://sg1.app.anaplan.com",
    ),
    (
        "ae1",
        "https://ae1.auth.anaplan.com",
        "https://ae1.api.anaplan.com",
        "https://ae1.app.anaplan.com",
    ),
    (
        "in1",
        "https://in1.auth.anaplan.com",
        "https://in1.api.anaplan.com",
        "https://in1.app.anaplan.com",
    ),
    (
        "id1",
        "https://id1.auth.anaplan.com",
        "https://id1.api.anaplan.com",
        "https://id1.app.anaplan.com",
    ),
    (
        "me1",
        "https://me1.auth.anaplan.com",
        "https://me1.api.anaplan.com",
        "https://me1.app.anaplan.com",
    ),
    (
        "ca1",
        "https://ca1a.auth.anaplan.com",
        "https://ca1a.api.anaplan.com",
        "https://ca1a.app.anaplan.com",
    ),
    (
        "au1",
        "https://au1a.app2.anaplan.com",
        "https://api.au1a.app2.anaplan.com",
        "https://au1a.app2.anaplan.com",
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
    /// Base URL of the OAuth 2.0 service (Anaplan's app host), without `/oauth/token`.
    pub oauth_url: String,
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
    /// How transfers run unless one says otherwise (`Client::with_transfer`).
    pub transfer: TransferSettings,
    /// `localeName` sent when starting tasks.
    pub locale: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            auth_url: DEFAULT_AUTH_URL.into(),
            api_url: DEFAULT_API_URL.into(),
            oauth_url: DEFAULT_OAUTH_URL.into(),
            proxy: None,
            ca_bundle: None,
            allow_insecure_http: false,
            connect_timeout: Duration::from_secs(30),
            request_timeout: Duration::from_secs(600),
            max_retries: 3,
            retry_initial_backoff: Duration::from_millis(500),
            retry_max_backoff: Duration::from_secs(60),
            retry_jitter: Jitter::Equal,
            transfer: TransferSettings::default(),
            locale: "en_US".into(),
        }
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("auth_url", &self.auth_url)
            .field("api_url", &self.api_url)
            .field("oauth_url", &self.oauth_url)
            .field("proxy", &self.redacted_proxy())
            .field("ca_bundle", &self.ca_bundle)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("connect_timeout", &self.connect_timeout)
            .field("request_timeout", &self.request_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_initial_backoff", &self.retry_initial_backoff)
            .field("retry_max_backoff", &self.retry_max_backoff)
            .field("retry_jitter", &self.retry_jitter)
            .field("transfer", &self.transfer)
            .field("locale", &self.locale)
            .finish()
    }
}

impl Config {
    /// The proxy URL fit for messages: the credentials in it are replaced (see [`redact_url`]).
    pub fn redacted_proxy(&self) -> Option<String> {
        self.proxy.as_deref().map(redact_url)
    }

    /// Sets the proxy every request goes through (`None`: the environment's), refused unless it
    /// is an `http://` or `https://` URL with a host; the config is unchanged then.
    pub fn set_proxy(&mut self, proxy: Option<&str>) -> Result<()> {
        if let Some(p) = proxy {
            check_proxy(p)?;
        }
        self.proxy = proxy.map(str::to_string);
        Ok(())
    }

    /// Sets both hosts to those of a region by name (`eu3`, `us9`, `au1`, ...).
    pub fn set_region(&mut self, region: &str) -> Result<()> {
        let (_, auth, api, oauth) = REGIONS
            .iter()
            .find(|(name, _, _, _)| name.eq_ignore_ascii_case(region))
            .ok_or_else(|| {
                let names: Vec<&str> = REGIONS.iter().map(|r| r.0).collect();
                Error::invalid(format!(
                    "unknown region {}; known regions: {}",
                    quoted(region),
                    names.join(", ")
                ))
            })?;
        self.auth_url = (*auth).into();
        self.api_url = (*api).into();
        self.oauth_url = (*oauth).into();
        Ok(())
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

    /// The service roots a client builds on. A URL copied with the path of the service after it is
    /// taken as its root, since that is unambiguous: an API URL ending in `/2/0` (the Integration
    /// API's version path) and an auth URL ending in `/token/authenticate` or `/token`. Trailing
    /// slashes go too.
    pub fn with_service_roots(mut self) -> Config {
        self.api_url = strip_suffixes(&self.api_url, &["/2/0"]);
        self.auth_url = strip_suffixes(&self.auth_url, &["/token/authenticate", "/token"]);
        self.oauth_url = strip_suffixes(&self.oauth_url, &["/oauth/token"]);
        self
    }

    /// Checks the URLs: absolute http(s) URLs, and plain HTTP only to loopback unless allowed.
    pub fn validate(&self) -> Result<()> {
        for (what, url) in [
            ("auth URL", &self.auth_url),
            ("API URL", &self.api_url),
            ("OAuth URL", &self.oauth_url),
        ] {
            check_url(what, url, self.allow_insecure_http)?;
        }
        if let Some(p) = &self.proxy {
            check_proxy(p)?;
        }
        Ok(())
    }
}

/// `url` without trailing slashes and without the first of `suffixes` it ends with.
fn strip_suffixes(url: &str, suffixes: &[&str]) -> String {
    let url = url.trim_end_matches('/');
    let root = suffixes
        .iter()
        .find_map(|s| url.strip_suffix(s))
        .unwrap_or(url);
    root.trim_end_matches('/').to_string()
}

/// A URL fit for messages and logs, whatever its shape: what stands before an `@` of its
/// authority (`user:password@`) becomes `***@`. Works on text that does not parse as a URL too
/// (`user:secret@proxy:3128`), since those are what a mistyped setting looks like.
pub fn redact_url(url: &str) -> String {
    let (scheme, rest) = match url.find("://") {
        Some(i) => url.split_at(i + 3),
        None => ("", url),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***{}", &rest[at..]),
        None => url.to_string(),
    }
}

/// A proxy must be a URL the HTTP stack can use: `http://` or `https://`. Anything else would be
/// ignored, and every request would go past the proxy, which a network that requires it forbids.
fn check_proxy(proxy: &str) -> Result<()> {
    let url = reqwest::Url::parse(proxy)
        .ok()
        .filter(|u| proxy.contains("://") && u.host().is_some())
        .ok_or_else(|| {
            // Not quoted: a mistyped proxy (`user:secret`) may be nothing but its password.
            Error::invalid(
                "the proxy setting is not a URL with a host, e.g. http://proxy.example:3128 \
                 (it is not quoted here: it may hold a password)",
            )
        })?;
    match url.scheme() {
        "http" | "https" => Ok(()),
        other => Err(Error::invalid(format!(
            "the proxy {:?} has scheme {other:?}; use http:// or https:// (e.g. http://proxy.example:3128)",
            redact_url(proxy)
        ))),
    }
}

fn check_url(what: &str, url: &str, allow_insecure: bool) -> Result<()> {
    // Every message below quotes the URL without its credentials.
    let shown = redact_url(url);
    let url = shown.as_str();
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| Error::invalid(format!("{what} {} is not a URL: {e}", quoted(url))))?;
    match parsed.scheme() {
        "https" => Ok(()),
        "http" if allow_insecure || is_loopback(&parsed) => Ok(()),
        "http" => Err(Error::invalid(format!(
            "{what} {} uses plain HTTP to a host that is not loopback; use https, or allow insecure HTTP explicitly",
            quoted(url)
        ))),
        other => Err(Error::invalid(format!(
            "{what} {} has scheme {}; expected https",
            quoted(url),
            quoted(other)
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
    fn a_region_sets_its_oauth_host_too() {
        let mut c = Config::default();
        for (region, oauth) in [
            ("eu3", "https://eu3.app.anaplan.com"),
            ("au1", "https://au1a.app2.anaplan.com"),
            ("ca1", "https://ca1a.app.anaplan.com"),
            ("us1", "https://us1a.app.anaplan.com"),
        ] {
            c.set_region(region).unwrap();
            assert_eq!(c.oauth_url, oauth, "{region}");
        }
    }

    #[test]
    fn credentials_in_urls_of_any_shape_are_redacted() {
        for (url, shown) in [
            ("http://user:secret@proxy:3128", "http://***@proxy:3128"),
            ("user:secret@proxy:3128", "***@proxy:3128"),
            ("https://a:b@host/p@th?x=@", "https://***@host/p@th?x=@"),
            ("https://host/path", "https://host/path"),
            ("ftp://secret@x", "ftp://***@x"),
        ] {
            assert_eq!(redact_url(url), shown);
        }
        let with = |proxy: &str| Config {
            proxy: Some(proxy.into()),
            ..Config::default()
        };
        for bad in [
            "user:secret",
            "ftp://user:secret@proxy",
            "socks9://secret@proxy:1080",
        ] {
            let e = with(bad).validate().unwrap_err();
            assert!(matches!(e, Error::InvalidArgument(_)), "{bad}: {e:?}");
            assert!(!e.to_string().contains("secret"), "{e}");
        }
        assert!(with("http://proxy:3128").validate().is_ok());
        for api in [
            "http://u:secret@example.com",
            "ftp://u:secret@h",
            "http://u:secret@h:99999",
        ] {
            let c = Config {
                api_url: api.into(),
                ..Config::default()
            };
            let e = c.validate().unwrap_err();
            assert!(!e.to_string().contains("secret"), "{e}");
        }
    }

    #[test]
    fn urls_copied_with_their_service_path_are_taken_as_the_roots() {
        let roots = |api: &str, auth: &str| {
            let c = Config {
                api_url: api.into(),
                auth_url: auth.into(),
                ..Config::default()
            }
            .with_service_roots();
            (c.api_url, c.auth_url)
        };
        let root = (
            "http://127.0.0.1:8080".to_string(),
            "http://127.0.0.1:8081".to_string(),
        );
        assert_eq!(
            roots(
                "http://127.0.0.1:8080/2/0",
                "http://127.0.0.1:8081/token/authenticate"
            ),
            root
        );
        assert_eq!(
            roots("http://127.0.0.1:8080/2/0/", "http://127.0.0.1:8081/token/"),
            root
        );
        assert_eq!(
            roots("http://127.0.0.1:8080/", "http://127.0.0.1:8081"),
            root
        );
        // A path that is not the service's is left as it is (a proxy prefix, say).
        let (api, _) = roots(
            "https://gateway.example/anaplan",
            "https://auth.anaplan.com",
        );
        assert_eq!(api, "https://gateway.example/anaplan");
    }

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
