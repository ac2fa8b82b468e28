//! `anaplan-emulator`: runs the emulator until interrupted.
//!
//! Exit codes: 0 after `--help`/`--version`; 2 for bad arguments, an unreadable or invalid seed or
//! faults file, an unreadable or unusable TLS certificate or key; 1 when it cannot listen or cannot write the ready file.

use std::path::{Path, PathBuf};
use std::process::exit;
use std::time::Duration;

use anaplan_emulator::{start, EmulatorConfig, RunningEmulator, Seed, TlsIdentity};
use anaplan_emulator::{Fault, FaultConfig, FaultRule};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "A local Anaplan (Authentication service and Integration API 2.0) for offline development and tests",
    after_help = "The admin endpoint (request log, faults, settings, reset) is under /__emulator/ on the main port; \
it has no authentication, so keep the emulator on loopback."
)]
struct Args {
    /// Port of the main listener (every route); 0 picks a free port.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything other than loopback exposes the emulator to the network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Also serve on this port and advertise it as the auth host (0 picks a free port).
    #[arg(long)]
    auth_port: Option<u16>,
    /// Seed file (JSON); the bundled seed when omitted.
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Token lifetime in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 35 * 60)]
    token_ttl: u64,
    /// How long a task runs, in milliseconds.
    #[arg(long, default_value_t = 600)]
    task_duration_ms: u64,
    /// A fault rule, KIND[:METHOD][:PATH][:OPTION=VALUE]..., repeatable. KIND: a status code
    /// (429, 500, 503, ...), reset-request, reset-response or latency. PATH is a glob where * matches
    /// anything, slashes included. Options: skip=K, times=M, p=PROBABILITY, retry-after=SECONDS,
    /// after=BYTES (resets), ms=MILLIS (latency). Example: 503:PUT:/2/0/*/chunks/*:skip=2:times=1
    #[arg(long = "fault", value_name = "RULE", value_parser = parse_rule)]
    faults: Vec<FaultRule>,
    /// A JSON fault set ({"seed":N,"rules":[...],"bandwidth":N}, as GET /__emulator/faults shows);
    /// --fault rules are added after its rules.
    #[arg(long, value_name = "FILE")]
    faults_file: Option<PathBuf>,
    /// Seed of the RNG behind fault probabilities (same seed, same requests: same faults).
    #[arg(long, value_name = "N")]
    fault_seed: Option<u64>,
    /// Latency added to every request (the admin endpoint's excepted), in milliseconds.
    #[arg(long, value_name = "MILLIS")]
    latency_ms: Option<u64>,
    /// Bandwidth cap per connection and direction, in bytes per second.
    #[arg(long, value_name = "BYTES_PER_SEC")]
    bandwidth: Option<u64>,
    /// Serve HTTPS with this certificate chain (PEM, leaf first); needs --tls-key. The
    /// certificate must name what clients connect to (e.g. subjectAltName IP:127.0.0.1).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The unencrypted PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Once listening, write {"apiUrl","authUrl","adminUrl","port","authPort","pid"} as JSON to
    /// this file (useful with --port 0).
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
}

fn parse_rule(s: &str) -> Result<FaultRule, String> {
    s.parse()
}

/// Prints the error and exits with the given code.
fn fail(code: i32, message: &str) -> ! {
    eprintln!("anaplan-emulator: {message}");
    exit(code)
}

fn load_seed(path: Option<&Path>) -> Seed {
    match path {
        Some(p) => Seed::from_file(p).unwrap_or_else(|e| {
            fail(
                2,
                &format!("{e}\n  fix the seed file, or omit --seed for the bundled one"),
            )
        }),
        None => Seed::default_seed(),
    }
}

fn load_faults_file(path: &Path) -> FaultConfig {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
        fail(
            2,
            &format!("cannot read faults file {}: {e}", path.display()),
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| {
        fail(
            2,
            &format!(
                "faults file {} is not a valid fault set: {e}\n  expected {{\"seed\":N,\"rules\":[{{\"method\":\"PUT\",\"path\":\"/2/0/*\",\"fault\":{{\"type\":\"status\",\"code\":503}}}}],\"bandwidth\":N}}",
                path.display()
            ),
        )
    })
}

fn fault_config(args: &Args) -> FaultConfig {
    let mut config = args
        .faults_file
        .as_deref()
        .map(load_faults_file)
        .unwrap_or_default();
    config.rules.extend(args.faults.iter().cloned());
    if let Some(ms) = args.latency_ms {
        config
            .rules
            .push(FaultRule::everywhere(Fault::Latency { ms }));
    }
    if let Some(seed) = args.fault_seed {
        config.seed = seed;
    }
    if args.bandwidth.is_some() {
        config.bandwidth = args.bandwidth;
    }
    if let Err(e) = config.validate() {
        fail(2, &format!("bad fault set: {e}"));
    }
    config
}

fn load_tls(args: &Args) -> Option<TlsIdentity> {
    let (cert, key) = (args.tls_cert.as_deref()?, args.tls_key.as_deref()?);
    let identity = TlsIdentity::from_files(cert, key).unwrap_or_else(|e| fail(2, &e.to_string()));
    // Checked here, so that a bad pair is reported as such and not as a failure to listen.
    if let Err(e) = identity.acceptor() {
        fail(
            2,
            &format!("{e}\n  give --tls-cert and --tls-key of the same certificate"),
        );
    }
    Some(identity)
}

fn write_ready_file(path: &Path, emu: &RunningEmulator) -> std::io::Result<()> {
    let body = serde_json::json!({
        "apiUrl": emu.api_url,
        "authUrl": emu.auth_url,
        "adminUrl": format!("{}/__emulator/", emu.api_url),
        "port": emu.addr.port(),
        "authPort": emu.auth_addr.map(|a| a.port()),
        "pid": std::process::id(),
    });
    // Write then rename, so a script polling for the file never reads half of it.
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, format!("{body:#}\n"))?;
    std::fs::rename(&tmp, path)
}

fn main() {
    let args = Args::parse();
    if !args.bind.is_loopback() {
        eprintln!(
            "anaplan-emulator: warning: listening on {} exposes the emulator, including its unauthenticated admin endpoint /__emulator/, to the network",
            args.bind
        );
    }
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        auth_port: args.auth_port,
        seed: load_seed(args.seed.as_deref()),
        token_ttl: Duration::from_secs(args.token_ttl),
        task_duration: Duration::from_millis(args.task_duration_ms),
        faults: fault_config(&args),
        tls: load_tls(&args),
        ..EmulatorConfig::default()
    };
    let emu = start(config).unwrap_or_else(|e| {
        fail(
            1,
            &format!(
                "cannot listen on {}:{}: {e}\n  pick another --port (0 picks a free one) or stop whatever holds it",
                args.bind, args.port
            ),
        )
    });
    // The base URLs exactly as a client takes them (the library's `set_api_url`/`set_auth_url`,
    // the SDK's hosts); the paths after them are shown apart so they are not copied along.
    println!("anaplan-emulator listening");
    println!(
        "  API base URL:  {}   (Integration API under /2/0)",
        emu.api_url
    );
    println!(
        "  auth base URL: {}   (sign-in at /token/authenticate)",
        emu.auth_url
    );
    println!("  admin:         {}/__emulator/", emu.api_url);
    if let Some(path) = &args.ready_file {
        if let Err(e) = write_ready_file(path, &emu) {
            fail(
                1,
                &format!("cannot write ready file {}: {e}", path.display()),
            );
        }
    }
    emu.wait();
}
