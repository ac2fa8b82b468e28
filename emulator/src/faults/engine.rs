//! The fault set at run time: which rule fires for a request, with per-rule counters and
//! seeded RNGs, and the bandwidth cap.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::rules::{Fault, FaultConfig, FaultRule};

/// Per-rule bookkeeping: how many requests matched, how many were faulted, and the rule's RNG.
struct Counter {
    seen: u64,
    fired: u64,
    rng: StdRng,
}

impl Counter {
    fn new(seed: u64, index: usize) -> Counter {
        // Spread the index over the seed's bits so neighbouring rules get unrelated streams.
        let mixed = seed ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        Counter {
            seen: 0,
            fired: 0,
            rng: StdRng::seed_from_u64(mixed),
        }
    }

    /// Counts one matching request and says whether the rule fires on it.
    fn fires(&mut self, rule: &FaultRule) -> bool {
        let n = self.seen;
        self.seen += 1;
        if n < rule.skip || rule.times.is_some_and(|t| self.fired >= t) {
            return false;
        }
        if let Some(p) = rule.probability {
            if self.rng.gen::<f64>() >= p {
                return false;
            }
        }
        self.fired += 1;
        true
    }
}

struct Active {
    config: FaultConfig,
    counters: Vec<Counter>,
}

/// What to do with one request.
#[derive(Debug, Default)]
pub struct Decision {
    pub latency: Duration,
    /// A status or reset fault (never `Latency`; that is summed into `latency`).
    pub fault: Option<Fault>,
}

/// The live fault set, shared by every connection.
pub struct Faults {
    active: Mutex<Active>,
    /// Read by every connection on each read and write, so changes apply at once.
    bandwidth: Arc<AtomicU64>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        let faults = Faults {
            active: Mutex::new(Active {
                config: FaultConfig::default(),
                counters: Vec::new(),
            }),
            bandwidth: Arc::new(AtomicU64::new(0)),
        };
        faults.install(config);
        faults
    }

    fn lock(&self) -> MutexGuard<'_, Active> {
        self.active.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn config(&self) -> FaultConfig {
        self.lock().config.clone()
    }

    /// Replaces the whole set; counters and RNGs start over.
    pub fn replace(&self, config: FaultConfig) -> Result<(), String> {
        config.validate()?;
        self.install(config);
        Ok(())
    }

    fn install(&self, config: FaultConfig) {
        let mut active = self.lock();
        active.counters = (0..config.rules.len())
            .map(|i| Counter::new(config.seed, i))
            .collect();
        self.bandwidth
            .store(config.bandwidth.unwrap_or(0), Ordering::Relaxed);
        active.config = config;
    }

    /// Appends a rule; the other rules keep their counts.
    pub fn add_rule(&self, rule: FaultRule) -> Result<(), String> {
        rule.validate()?;
        let mut active = self.lock();
        let counter = Counter::new(active.config.seed, active.config.rules.len());
        active.counters.push(counter);
        active.config.rules.push(rule);
        Ok(())
    }

    /// The per-connection bandwidth cap (bytes per second, 0 = unlimited), shared with connections.
    pub fn bandwidth_limit(&self) -> Arc<AtomicU64> {
        self.bandwidth.clone()
    }

    /// Counts the request against every rule it matches and says what to do with it.
    pub fn decide(&self, method: &str, path: &str) -> Decision {
        let mut guard = self.lock();
        let Active { config, counters } = &mut *guard;
        let mut decision = Decision::default();
        for (rule, counter) in config.rules.iter().zip(counters.iter_mut()) {
            let is_latency = matches!(rule.fault, Fault::Latency { .. });
            if !rule.matches(method, path) || (!is_latency && decision.fault.is_some()) {
                continue;
            }
            if !counter.fires(rule) {
                continue;
            }
            match &rule.fault {
                Fault::Latency { ms } => decision.latency += Duration::from_millis(*ms),
                other => decision.fault = Some(other.clone()),
            }
        }
        decision
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_times_and_first_terminal_rule_wins() {
        let faults = Faults::new(FaultConfig {
            rules: vec![
                "latency:ms=5".parse().unwrap(),
                "503:PUT:/c/*:skip=1:times=2".parse().unwrap(),
                "500:/c/*".parse().unwrap(),
            ],
            ..FaultConfig::default()
        });
        let codes: Vec<Option<u16>> = (0..5)
            .map(|_| {
                let d = faults.decide("PUT", "/c/1");
                assert_eq!(d.latency, Duration::from_millis(5));
                d.fault.map(|f| match f {
                    Fault::Status { code, .. } => code,
                    _ => 0,
                })
            })
            .collect();
        assert_eq!(
            codes,
            [Some(500), Some(503), Some(503), Some(500), Some(500)]
        );
        assert!(faults.decide("GET", "/d").fault.is_none());
    }

    #[test]
    fn probability_is_repeatable_for_a_seed() {
        let run = |seed| {
            let faults = Faults::new(FaultConfig {
                seed,
                rules: vec!["503:p=0.5".parse().unwrap()],
                ..FaultConfig::default()
            });
            (0..64)
                .map(|_| faults.decide("GET", "/").fault.is_some())
                .collect::<Vec<bool>>()
        };
        let a = run(11);
        assert_eq!(a, run(11));
        assert_ne!(a, run(12));
        assert!(a.contains(&true) && a.contains(&false));
    }
}
