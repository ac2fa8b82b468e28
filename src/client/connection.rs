//! A connection to Anaplan: configuration, one HTTP client, the token, the current workspace and
//! model. Everything the other client modules (discovery, lookups, uploads, tasks, dumps,
//! downloads) build on.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use serde_json::Value;

use super::auth::token::TokenManager;
use super::auth::Credentials;
use super::cancel::CancelToken;
use super::config::Config;
use super::error::{quoted, Error, Result};
use super::http::{Request, Response, Transport};
use super::log::Logger;
use super::transfer_settings::TransferSettings;

/// A signed-in connection. `Clone` is cheap and every clone shares the connection (token,
/// workspace, model); it is `Send + Sync`, so one connection may serve many threads at once.
/// When the last clone is dropped (or on [`Client::close`]) the token is logged out.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Per clone, so workers can log through a relay (see [`Client::with_logger`]).
    logger: Logger,
    /// Per clone, so one transfer can run with its own settings (see `Client::with_transfer`).
    pub(crate) transfer: TransferSettings,
    /// Cancels this clone's transfers when raised (see `Client::with_transfer`).
    pub(crate) transfer_cancel: Option<CancelToken>,
}

struct Inner {
    config: Config,
    transport: Transport,
    tokens: TokenManager,
    workspace: RwLock<Option<String>>,
    model: RwLock<Option<String>>,
    closed: AtomicBool,
    /// Listing caches and paging settings of this connection (shared by every clone).
    discovery: crate::client::discovery::DiscoveryState,
    /// The logger given at connect, for the logout when the last clone goes.
    logger: Logger,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if !self.closed.swap(true, Ordering::SeqCst) {
            self.tokens.logout(&self.transport, &self.logger);
        }
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.inner.config.api_url)
            .field("credentials", self.inner.tokens.credentials())
            .field("workspace", &self.workspace_id())
            .field("model", &self.model_id())
            .finish_non_exhaustive()
    }
}

/// Anaplan ids are letters and digits; anything else would change the URL's meaning.
fn check_id(kind: &str, id: &str) -> Result<()> {
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric()) {
        return Err(Error::invalid(format!(
            "{kind} id {} is not an Anaplan id (letters and digits only)",
            quoted(id)
        )));
    }
    Ok(())
}

impl Client {
    /// Checks the configuration, sets up HTTP(S) and signs in. Errors: `InvalidArgument` (bad
    /// configuration), `Io` (unreadable CA bundle), `Auth` (credentials refused, with the HTTP
    /// status), `Network`/`Timeout`/`Http` (the auth service could not be reached).
    pub fn connect(config: Config, credentials: Credentials, logger: Logger) -> Result<Client> {
        let config = config.with_service_roots();
        config.validate()?;
        let transport = Transport::new(&config)?;
        let tokens = TokenManager::new(credentials, &config.auth_url, &config.oauth_url);
        let config_transfer = config.transfer;
        tokens.sign_in(&transport, &logger, None)?;
        Ok(Client {
            inner: Arc::new(Inner {
                config,
                transport,
                tokens,
                workspace: RwLock::new(None),
                model: RwLock::new(None),
                closed: AtomicBool::new(false),
                discovery: Default::default(),
                logger: logger.clone(),
            }),
            logger,
            transfer: config_transfer,
            transfer_cancel: None,
        })
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn credentials(&self) -> &Credentials {
        self.inner.tokens.credentials()
    }

    pub fn logger(&self) -> &Logger {
        &self.logger
    }

    /// The same connection, logging through `logger`: give worker threads a clone made with the
    /// worker end of [`Logger::relay`], so their lines reach the caller's thread.
    pub fn with_logger(&self, logger: Logger) -> Client {
        Client {
            logger,
            ..self.clone()
        }
    }

    pub fn workspace_id(&self) -> Option<String> {
        read(&self.inner.workspace)
    }

    pub fn model_id(&self) -> Option<String> {
        read(&self.inner.model)
    }

    /// Sets the current workspace (shared by every clone). The model is left as it is.
    pub fn set_workspace_id(&self, id: &str) -> Result<()> {
        check_id("workspace", id)?;
        write(&self.inner.workspace, Some(id.to_string()));
        Ok(())
    }

    /// Sets the current model (shared by every clone).
    pub fn set_model_id(&self, id: &str) -> Result<()> {
        check_id("model", id)?;
        write(&self.inner.model, Some(id.to_string()));
        Ok(())
    }

    /// Forgets the current model (a different workspace was chosen).
    pub fn clear_model(&self) {
        write(&self.inner.model, None);
    }

    pub(crate) fn discovery(&self) -> &crate::client::discovery::DiscoveryState {
        &self.inner.discovery
    }

    /// `{api_url}/2/0{path_after_2_0}`.
    pub fn api_url(&self, path_after_2_0: &str) -> String {
        self.inner.transport.url_for(path_after_2_0)
    }

    /// `{auth_url}{path}`.
    pub fn auth_url(&self, path: &str) -> String {
        format!("{}{path}", self.inner.config.auth_url.trim_end_matches('/'))
    }

    /// `/workspaces/{ws}`; `InvalidArgument` when no workspace is set.
    pub fn workspace_path(&self) -> Result<String> {
        let ws = self.workspace_id().ok_or_else(|| {
            Error::invalid("no workspace is set on this connection; set one by id or by name first")
        })?;
        Ok(format!("/workspaces/{ws}"))
    }

    /// `/workspaces/{ws}/models/{m}`; `InvalidArgument` when the workspace or model is not set.
    pub fn model_path(&self) -> Result<String> {
        let ws = self.workspace_path()?;
        let model = self.model_id().ok_or_else(|| {
            Error::invalid("no model is set on this connection; set one by id or by name first")
        })?;
        Ok(format!("{ws}/models/{model}"))
    }

    /// Sends a request to the API host (or a full URL) with the token, retrying as
    /// `req.retry` allows. On a 401 the token is renewed and the request replayed once. Any
    /// final status comes back as `Ok`; use [`Response::ensure_success`] to turn a non-2xx into
    /// `Error::Http`. Errors: `Network`, `Timeout`, `MaybeSent` (NotIfSent only), `Cancelled`,
    /// `Auth` (renewal refused), `InvalidArgument` (closed connection, malformed request).
    pub fn send(&self, req: Request, cancel: Option<&CancelToken>) -> Result<Response> {
        let inner = &*self.inner;
        if inner.closed.load(Ordering::SeqCst) {
            return Err(Error::invalid("the connection is closed"));
        }
        let (t, log) = (&inner.transport, &self.logger);
        let token = inner.tokens.current(t, log, cancel)?;
        let res = t.send(&req, Some(&token.header), log, cancel)?;
        if res.status != 401 {
            return Ok(res);
        }
        log.info(&format!(
            "{} {}: token refused (HTTP 401); renewing it and sending again",
            res.method, res.path
        ));
        inner.tokens.renew(token.generation, t, log, cancel)?;
        let token = inner.tokens.current(t, log, cancel)?;
        t.send(&req, Some(&token.header), log, cancel)
    }

    /// GET that must succeed with JSON.
    pub fn get_json(&self, path: &str) -> Result<Value> {
        self.send(Request::get(path), None)?
            .ensure_success()?
            .json()
    }

    /// Logs out (once) and makes further requests fail. Dropping the last clone does the same.
    pub fn close(&self) {
        if !self.inner.closed.swap(true, Ordering::SeqCst) {
            self.inner
                .tokens
                .logout(&self.inner.transport, &self.logger);
        }
    }
}

fn read(lock: &RwLock<Option<String>>) -> Option<String> {
    lock.read().unwrap_or_else(|p| p.into_inner()).clone()
}

fn write(lock: &RwLock<Option<String>>, value: Option<String>) {
    *lock.write().unwrap_or_else(|p| p.into_inner()) = value;
}

#[cfg(test)]
mod tests {
    use super::check_id;

    #[test]
    fn ids_cannot_change_the_path() {
        assert!(check_id("model", "75A40874E6B64FA3AE0E27A0A3A1A9A1").is_ok());
        assert!(check_id("model", "../users").is_err());
        assert!(check_id("model", "").is_err());
    }
}
