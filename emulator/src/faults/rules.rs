//! Injected faults and conditions: error statuses (429 with `Retry-After`, 500, 503, ...),
//! connection resets in the middle of a request or a response, added latency, and a
//! per-connection bandwidth cap.
//!
//! # Rules
//!
//! A [`FaultRule`] names a [`Fault`] and says which requests it applies to:
//!
//! * `method`: an HTTP method (`PUT`); omitted: any method.
//! * `path`: a glob over the request path (without the query string). `*` matches any run of
//!   characters, `/` included; everything else matches itself; the whole path must match.
//!   `/2/0/*/files/*/chunks/*` matches chunk uploads in both path forms, `/2/0/*/chunks/3` only
//!   chunk 3, `*` every path. Omitted: `*`.
//! * `skip`: let the first K matching requests through untouched.
//! * `times`: fire at most M times, then never again. Omitted: no limit.
//! * `probability`: fire with this probability (0..=1), drawn from an RNG seeded with
//!   [`FaultConfig::seed`] (one RNG per rule, so rules do not disturb each other's sequences). The
//!   same requests in the same order give the same faults on every run. Omitted: always.
//!
//! Rules are tried in order. Latency rules add up; of the other kinds, the first rule that fires
//! wins, and later rules of those kinds neither fire nor count that request. The admin endpoint
//! (`/__emulator/...`) is never faulted.
//!
//! # Faults
//!
//! * `{"type":"status","code":429,"retryAfter":2}`: answer with that status (in the Integration
//!   API error shape) and, when given, `Retry-After: <seconds>`. The request body is read first, as
//!   a real server does, so keep-alive connections stay usable.
//! * `{"type":"resetRequest","afterBytes":1000}`: read that many bytes of the request body (or all
//!   of it, when shorter), then drop the connection with a TCP RST; no response is sent.
//! * `{"type":"resetResponse","afterBytes":100}`: run the request for real, send the status line,
//!   the headers (with the full `Content-Length`) and that many bytes of the body (at least one byte
//!   is always withheld), then reset the connection. A response without a body (204) is not sent at
//!   all: the change is made, the client never hears about it.
//! * `{"type":"latency","ms":250}`: wait that long before handling the request.
//!
//! [`FaultConfig::bandwidth`] caps every connection, in each direction, at that many bytes per
//! second (see [`crate::conn`]).
//!
//! # Compact syntax (the `--fault` flag)
//!
//! `KIND[:METHOD][:PATH][:OPTION=VALUE]...` where KIND is a status code (`429`, `503`, ...),
//! `reset-request`, `reset-response` or `latency`; METHOD is a method name (omit it, or write `ANY`,
//! for any); PATH starts with `/` or `*`; options are `skip=K`, `times=M`, `p=0.5`,
//! `retry-after=SECONDS` (statuses), `after=BYTES` (resets) and `ms=MILLIS` (latency). Examples:
//! `503:PUT:/2/0/*/chunks/3:times=1`, `429:/2/0/*:p=0.1:retry-after=2`, `latency:ms=200`.
//! A path containing `:` needs the JSON form (`--faults-file`).

use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// The faults configured at start-up (`EmulatorConfig::faults`, CLI flags) or through the admin
/// endpoint (`/__emulator/faults`, same JSON).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultConfig {
    /// Seed of the RNG behind `probability`.
    #[serde(default)]
    pub seed: u64,
    #[serde(default)]
    pub rules: Vec<FaultRule>,
    /// Bytes per second per connection and direction; `None` (or 0): unlimited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bandwidth: Option<u64>,
}

/// One rule: which requests, which fault, how often. See the module documentation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FaultRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method: Option<String>,
    #[serde(default = "any_path")]
    pub path: String,
    pub fault: Fault,
    #[serde(default)]
    pub skip: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub probability: Option<f64>,
}

fn any_path() -> String {
    "*".into()
}

/// What happens to a request a rule fires on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(
    tag = "type",
    rename_all = "camelCase",
    rename_all_fields = "camelCase",
    deny_unknown_fields
)]
pub enum Fault {
    Status {
        code: u16,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry_after: Option<u64>,
    },
    ResetRequest {
        #[serde(default)]
        after_bytes: u64,
    },
    ResetResponse {
        #[serde(default)]
        after_bytes: u64,
    },
    Latency {
        ms: u64,
    },
}

impl Fault {
    /// The name the request log gives this fault.
    pub fn name(&self) -> &'static str {
        match self {
            Fault::Status { .. } => "status",
            Fault::ResetRequest { .. } => "resetRequest",
            Fault::ResetResponse { .. } => "resetResponse",
            Fault::Latency { .. } => "latency",
        }
    }
}

impl FaultRule {
    /// A rule for every request with this fault.
    pub fn everywhere(fault: Fault) -> FaultRule {
        FaultRule {
            method: None,
            path: any_path(),
            fault,
            skip: 0,
            times: None,
            probability: None,
        }
    }

    pub(crate) fn validate(&self) -> Result<(), String> {
        if let Fault::Status { code, .. } = self.fault {
            if !(400..=599).contains(&code) {
                return Err(format!(
                    "status {code} is not an error status; use 400 to 599"
                ));
            }
        }
        if let Some(p) = self.probability {
            if !(0.0..=1.0).contains(&p) {
                return Err(format!("probability {p} is outside 0 to 1"));
            }
        }
        if self.path.is_empty() {
            return Err("the path pattern is empty; use * for every path".into());
        }
        Ok(())
    }

    pub(crate) fn matches(&self, method: &str, path: &str) -> bool {
        let method_ok = match self.method.as_deref() {
            None => true,
            Some(m) => m.eq_ignore_ascii_case(method) || m.eq_ignore_ascii_case("ANY"),
        };
        method_ok && glob_match(&self.path, path)
    }
}

impl FaultConfig {
    /// Checks every rule; the error names the first bad one.
    pub fn validate(&self) -> Result<(), String> {
        for (i, rule) in self.rules.iter().enumerate() {
            rule.validate()
                .map_err(|e| format!("rule {}: {e}", i + 1))?;
        }
        Ok(())
    }
}

/// `*` matches any run of characters (slashes included); the rest matches literally.
/// The classic greedy-with-backtrack glob walk: linear in practice, no recursion.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let (p, t) = (pattern.as_bytes(), text.as_bytes());
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && p[pi] == b'*' {
            star = Some((pi, ti));
            pi += 1;
        } else if pi < p.len() && p[pi] == t[ti] {
            pi += 1;
            ti += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == b'*')
}

impl FromStr for FaultRule {
    type Err = String;

    /// Parses the compact syntax described in the module documentation.
    fn from_str(s: &str) -> Result<FaultRule, String> {
        let mut parts = s.split(':');
        let kind = parts.next().unwrap_or_default();
        let mut rule = FaultRule::everywhere(parse_kind(kind)?);
        let mut path_seen = false;
        for part in parts {
            if let Some((key, value)) = part.split_once('=') {
                apply_option(&mut rule, key, value)?;
            } else if part.starts_with('/') || part.starts_with('*') {
                if path_seen {
                    return Err(format!("two paths in '{s}'"));
                }
                rule.path = part.to_string();
                path_seen = true;
            } else if !part.is_empty() && part.chars().all(|c| c.is_ascii_alphabetic()) {
                rule.method = Some(part.to_ascii_uppercase()).filter(|m| m != "ANY");
            } else {
                return Err(format!(
                    "cannot read '{part}' in '{s}': expected a method, a path starting with / or *, or OPTION=VALUE"
                ));
            }
        }
        rule.validate()?;
        Ok(rule)
    }
}

fn parse_kind(kind: &str) -> Result<Fault, String> {
    match kind {
        "reset-request" => Ok(Fault::ResetRequest { after_bytes: 0 }),
        "reset-response" => Ok(Fault::ResetResponse { after_bytes: 0 }),
        "latency" => Ok(Fault::Latency { ms: 0 }),
        code => code
            .parse::<u16>()
            .map(|code| Fault::Status {
                code,
                retry_after: None,
            })
            .map_err(|_| {
                format!(
                    "unknown fault '{kind}': use a status code (429, 503, ...), reset-request, reset-response or latency"
                )
            }),
    }
}

fn apply_option(rule: &mut FaultRule, key: &str, value: &str) -> Result<(), String> {
    let number = || {
        value
            .parse::<u64>()
            .map_err(|_| format!("{key}={value}: expected a whole number"))
    };
    match (key, &mut rule.fault) {
        ("skip", _) => rule.skip = number()?,
        ("times", _) => rule.times = Some(number()?),
        ("p" | "probability", _) => {
            rule.probability = Some(
                value
                    .parse::<f64>()
                    .map_err(|_| format!("{key}={value}: expected a number from 0 to 1"))?,
            )
        }
        ("retry-after", Fault::Status { retry_after, .. }) => *retry_after = Some(number()?),
        (
            "after",
            Fault::ResetRequest { after_bytes } | Fault::ResetResponse { after_bytes },
        ) => *after_bytes = number()?,
        ("ms", Fault::Latency { ms }) => *ms = number()?,
        _ => {
            return Err(format!(
                "option '{key}' does not apply to a {} fault (options: skip, times, p, retry-after for statuses, after for resets, ms for latency)",
                rule.fault.name()
            ))
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_whole_paths_and_stars_cross_slashes() {
        let chunks = "/2/0/*/files/*/chunks/*";
        assert!(glob_match(
            chunks,
            "/2/0/workspaces/W/models/M/files/113000000000/chunks/3"
        ));
        assert!(glob_match(chunks, "/2/0/models/M/files/F/chunks/0"));
        assert!(!glob_match(chunks, "/2/0/models/M/files/F"));
        assert!(glob_match("/2/0/*/chunks/3", "/2/0/m/files/f/chunks/3"));
        assert!(!glob_match("/2/0/*/chunks/3", "/2/0/m/files/f/chunks/30"));
        assert!(glob_match("*", "/anything"));
        assert!(glob_match("/token/authenticate", "/token/authenticate"));
        assert!(!glob_match("/token/auth", "/token/authenticate"));
    }

    #[test]
    fn compact_rules_parse() {
        let r: FaultRule = "503:PUT:/2/0/*/chunks/*:times=1:skip=2".parse().unwrap();
        assert_eq!(r.method.as_deref(), Some("PUT"));
        assert_eq!(r.path, "/2/0/*/chunks/*");
        assert_eq!((r.skip, r.times), (2, Some(1)));
        assert_eq!(
            r.fault,
            Fault::Status {
                code: 503,
                retry_after: None
            }
        );
        let r: FaultRule = "429:any:/x:retry-after=3:p=0.25".parse().unwrap();
        assert_eq!(r.method, None);
        assert_eq!(r.probability, Some(0.25));
        assert_eq!(
            r.fault,
            Fault::Status {
                code: 429,
                retry_after: Some(3)
            }
        );
        let r: FaultRule = "reset-response:GET:after=10".parse().unwrap();
        assert_eq!(r.fault, Fault::ResetResponse { after_bytes: 10 });
        assert_eq!(r.path, "*");
        let r: FaultRule = "latency:ms=20".parse().unwrap();
        assert_eq!(r.fault, Fault::Latency { ms: 20 });
    }

    #[test]
    fn bad_compact_rules_say_why() {
        for (text, needle) in [
            ("boom", "unknown fault"),
            ("200", "not an error status"),
            ("503:ms=3", "does not apply"),
            ("503:p=2", "outside 0 to 1"),
            ("503:/a:/b", "two paths"),
            ("503:times=x", "whole number"),
            ("503:PU-T", "cannot read"),
        ] {
            let err = text.parse::<FaultRule>().unwrap_err();
            assert!(err.contains(needle), "{text}: {err}");
        }
    }

    #[test]
    fn json_round_trips_and_rejects_unknown_fields() {
        let json = r#"{"seed":7,"bandwidth":1000,"rules":[
            {"method":"PUT","path":"/x/*","fault":{"type":"status","code":429,"retryAfter":2},"skip":1,"times":2},
            {"fault":{"type":"resetRequest","afterBytes":5}},
            {"fault":{"type":"latency","ms":3},"probability":0.5}]}"#;
        let config: FaultConfig = serde_json::from_str(json).unwrap();
        assert_eq!(config.rules[1].path, "*");
        assert_eq!(
            config.rules[0].fault,
            Fault::Status {
                code: 429,
                retry_after: Some(2)
            }
        );
        let again: FaultConfig =
            serde_json::from_str(&serde_json::to_string(&config).unwrap()).unwrap();
        assert_eq!(again, config);
        assert!(
            serde_json::from_str::<FaultRule>(r#"{"fault":{"type":"latency","ms":1},"x":1}"#)
                .is_err()
        );
        assert!(serde_json::from_str::<FaultRule>(
            r#"{"fault":{"type":"latency","ms":1,"afterBytes":1}}"#
        )
        .is_err());
    }
}
