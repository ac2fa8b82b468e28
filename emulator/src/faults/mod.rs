//! Fault injection, in three parts: the rules (what may go wrong, where, how often: the rule
//! reference is in `rules.rs`), the engine that decides for each request, and the middleware
//! layer that applies the decision to the connection.

pub mod engine;
pub mod layer;
pub mod rules;
