//! Injected faults and conditions (429, 5xx, connection resets, latency, bandwidth caps).

use std::sync::Mutex;

/// The faults configured at start-up or through the admin endpoint.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct FaultConfig {}

pub struct Faults {
    config: Mutex<FaultConfig>,
}

impl Faults {
    pub fn new(config: FaultConfig) -> Faults {
        Faults {
            config: Mutex::new(config),
        }
    }

    pub fn config(&self) -> FaultConfig {
        self.config
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}
