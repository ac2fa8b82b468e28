//! A local imitation of Anaplan's Authentication service and Integration API 2.0.
//!
//! Start it in-process with [`start`] (tests) or as the `anaplan-emulator` binary (C, C#, Java tests,
//! the demo and benchmarks). State lives in memory and is seeded from a JSON file ([`seed`]).

pub mod admin;
pub mod api;
pub mod auth;
pub mod config;
pub mod conn;
pub mod faults;
pub mod ids;
pub mod model;
pub mod reqlog;
pub mod router;
pub mod seed;
pub mod server;
pub mod state;
pub mod store;
pub mod tls;

pub use config::EmulatorConfig;
pub use seed::Seed;
pub use server::{start, RunningEmulator};
pub use tls::TlsIdentity;
