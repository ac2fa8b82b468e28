//! Loading a seed: the bundled one, or a file with its `contentPath` data, checked for
//! consistency with the model engine (`model::validate_seed`) before an emulator starts.

use std::path::Path;

use super::Seed;

/// Problems loading a seed: the message says which file and what is wrong.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("cannot read seed file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("seed file {path} is not a valid seed: {source}")]
    Parse {
        path: String,
        source: serde_json::Error,
    },
    #[error("seed is inconsistent: {0}")]
    Invalid(String),
}

/// Files shipped with the bundled seed, by the `contentPath` that names them.
const BUNDLED_FILES: &[(&str, &str)] = &[
    ("employees.csv", include_str!("../../seed/employees.csv")),
    ("salaries.csv", include_str!("../../seed/salaries.csv")),
];

impl Seed {
    /// The bundled seed (`emulator/seed/default.json`), with its sample data.
    pub fn default_seed() -> Seed {
        let mut seed: Seed = serde_json::from_str(include_str!("../../seed/default.json"))
            .unwrap_or_else(|e| panic!("the bundled seed is invalid: {e}"));
        seed.resolve_contents(|p| {
            BUNDLED_FILES
                .iter()
                .find(|(name, _)| *name == p)
                .map(|(_, text)| text.to_string())
                .ok_or_else(|| format!("no bundled file {p}"))
        })
        .and_then(|_| seed.validate())
        .unwrap_or_else(|e| panic!("the bundled seed is invalid: {e}"));
        seed
    }

    /// Loads a seed file; `contentPath`s are resolved relative to its folder.
    pub fn from_file(path: &Path) -> Result<Seed, SeedError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| SeedError::Read {
            path: shown.clone(),
            source,
        })?;
        let mut seed: Seed = serde_json::from_str(&text).map_err(|source| SeedError::Parse {
            path: shown.clone(),
            source,
        })?;
        let dir = path.parent().unwrap_or_else(|| Path::new("."));
        seed.resolve_contents(|p| {
            std::fs::read_to_string(dir.join(p))
                .map_err(|e| format!("cannot read {}: {e}", dir.join(p).display()))
        })
        .map_err(SeedError::Invalid)?;
        seed.validate().map_err(SeedError::Invalid)?;
        Ok(seed)
    }

    /// Each OAuth client: a unique id, a secret and a redirect URI exactly when it is an
    /// authorization-code client.
    fn validate_oauth_clients(&self) -> Result<(), String> {
        use crate::seed::OAuthGrant;
        let mut seen = std::collections::BTreeSet::new();
        for c in &self.oauth_clients {
            let name = &c.client_id;
            if !seen.insert(name.as_str()) {
                return Err(format!("OAuth client {name} is listed twice"));
            }
            match c.grant {
                OAuthGrant::AuthorizationCode
                    if c.client_secret.is_none() || c.redirect_uris.is_empty() =>
                {
                    return Err(format!(
                        "OAuth client {name}: an authorization-code client needs clientSecret and redirectUris"
                    ))
                }
                OAuthGrant::DeviceGrant if c.client_secret.is_some() => {
                    return Err(format!(
                        "OAuth client {name}: a device-grant client has no clientSecret"
                    ))
                }
                _ => {}
            }
        }
        Ok(())
    }

    fn resolve_contents(
        &mut self,
        read: impl Fn(&str) -> Result<String, String>,
    ) -> Result<(), String> {
        for model in &mut self.models {
            for file in &mut model.files {
                if let Some(p) = file.content_path.take() {
                    file.content = Some(read(&p)?);
                }
            }
        }
        Ok(())
    }

    /// Checks cross references, so that a bad seed fails at start-up and not in the middle of a task.
    pub fn validate(&self) -> Result<(), String> {
        crate::trust::parse_authorities(&self.certificate_authorities)?;
        self.validate_oauth_clients()?;
        crate::model::validate_seed(self)
    }
}
