//! Start-up configuration of an emulator instance.

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use crate::faults::rules::FaultConfig;
use crate::seed::Seed;
use crate::tls::TlsIdentity;

/// Everything an emulator needs to start. `Default` gives the bundled seed on an ephemeral
/// loopback port, with Anaplan's real token lifetime and a short task duration.
#[derive(Clone, Debug)]
pub struct EmulatorConfig {
    /// Address to listen on. Loopback unless explicitly changed.
    pub bind: IpAddr,
    /// Port of the main listener (0 = ephemeral). It serves every route.
    pub port: u16,
    /// When set, a second listener is opened on this port (0 = ephemeral) and reported as the
    /// auth base URL, so clients can be tested with separate auth and API hosts.
    pub auth_port: Option<u16>,
    /// The workspaces, models, users and data to start with.
    pub seed: Seed,
    /// Lifetime of issued tokens (Anaplan: 35 minutes).
    pub token_ttl: Duration,
    /// How long a task takes from creation to COMPLETE, so clients really have to poll.
    pub task_duration: Duration,
    /// Window within which a v2 certificate timestamp is accepted (either side of now).
    pub cert_freshness: Duration,
    /// Refuse the v1 (untimestamped) certificate format.
    pub reject_v1_certificates: bool,
    /// The least time between two polls of a device code (Anaplan: 5 s), and how long the code
    /// lives (15 minutes).
    pub device_interval: Duration,
    pub device_code_ttl: Duration,
    /// Lifetime of a rotatable OAuth client's refresh token (Anaplan's default: 43,000 s).
    pub refresh_token_ttl: Duration,
    /// Faults active from start-up (they can be changed at run time through the admin endpoint).
    pub faults: FaultConfig,
    /// When set, every listener serves HTTPS with this identity (and the URLs are `https://`).
    pub tls: Option<TlsIdentity>,
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            auth_port: None,
            seed: Seed::default_seed(),
            token_ttl: Duration::from_secs(35 * 60),
            task_duration: Duration::from_millis(600),
            cert_freshness: Duration::from_secs(15 * 60),
            reject_v1_certificates: false,
            device_interval: Duration::from_secs(5),
            device_code_ttl: Duration::from_secs(15 * 60),
            refresh_token_ttl: Duration::from_secs(43_000),
            faults: FaultConfig::default(),
            tls: None,
        }
    }
}
