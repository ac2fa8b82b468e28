//! A local imitation of Anaplan's Authentication service and Integration API 2.0.
//!
//! Start it in-process with [`start`] (tests) or as the `anaplan-emulator` binary (C, C#, Java tests,
//! the demo and benchmarks). State lives in memory and is seeded from a JSON file ([`Seed`]).
//! Tests look inside through the facade of [`RunningEmulator`] (the request log, faults,
//! settings, tokens, tasks, a reset), never into the state itself.
//!
//! The modules are layered, lowest first: leaves that depend on nothing of the emulator (`ids`,
//! `clock`, `admin_path`, `trust`, `conn`, `tls`, the seed format); the wire shapes and the rules
//! and engines of the two middlewares (`wire`, `faults::{rules, engine}`, `reqlog::{entry,
//! log}`); the model engine (`model`); storage (`store`, `seed::load`); `config`; `state`; the
//! task runner (`runner`); the HTTP layers and middleware (`auth`, `admin`, `faults::layer`,
//! `reqlog::layer`); the Integration API (`api`); and the assembly (`router`, `server`,
//! `facade`). `tests/layers.rs` fails when a module imports from a layer above it.

mod admin;
mod admin_path;
mod api;
mod auth;
mod bundled_seed;
mod clock;
mod config;
mod conn;
mod facade;
mod faults;
mod ids;
mod model;
mod oauth_grants;
mod reqlog;
mod router;
mod runner;
mod seed;
mod server;
mod state;
mod store;
mod tls;
mod trust;
mod wire;

pub use admin::ROUTES as ADMIN_ROUTES;
pub use bundled_seed::BundledSeed;
pub use config::EmulatorConfig;
pub use facade::TaskSnapshot;
pub use faults::rules::{glob_match, Fault, FaultConfig, FaultRule};
pub use reqlog::entry::LogEntry;
pub use seed::load::SeedError;
pub use seed::Seed;
pub use server::{start, RunningEmulator};
pub use tls::TlsIdentity;
