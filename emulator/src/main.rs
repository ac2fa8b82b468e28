//! `anaplan-emulator`: runs the emulator until interrupted.

use std::path::PathBuf;
use std::time::Duration;

use anaplan_emulator::{start, EmulatorConfig, Seed};
use clap::Parser;

#[derive(Parser, Debug)]
#[command(
    version,
    about = "A local Anaplan (Authentication service and Integration API 2.0) for offline development and tests"
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
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Token lifetime in seconds.
    #[arg(long, default_value_t = 35 * 60)]
    token_ttl: u64,
    /// How long a task runs, in milliseconds.
    #[arg(long, default_value_t = 600)]
    task_duration_ms: u64,
}

fn main() {
    let args = Args::parse();
    let seed = match &args.seed {
        Some(p) => match Seed::from_file(p) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("anaplan-emulator: {e}");
                std::process::exit(2);
            }
        },
        None => Seed::default_seed(),
    };
    let config = EmulatorConfig {
        bind: args.bind,
        port: args.port,
        auth_port: args.auth_port,
        seed,
        token_ttl: Duration::from_secs(args.token_ttl),
        task_duration: Duration::from_millis(args.task_duration_ms),
        ..EmulatorConfig::default()
    };
    let emu = match start(config) {
        Ok(e) => e,
        Err(e) => {
            eprintln!(
                "anaplan-emulator: cannot listen on {}:{}: {e}",
                args.bind, args.port
            );
            std::process::exit(1);
        }
    };
    println!(
        "anaplan-emulator listening: api {} auth {}",
        emu.api_url, emu.auth_url
    );
    emu.wait();
}
