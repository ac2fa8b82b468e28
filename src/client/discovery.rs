//! Discovery: the signed-in user, the workspaces and models they can see, and the files,
//! imports, exports, actions and processes of the current model (`GET /users/me`, `/workspaces`,
//! `/models`, `…/files` to `…/processes` in emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).
//!
//! Every list is followed to its end (see [`paging`](super::paging)) and refreshes the lookup
//! cache, so a listing followed by lookups by name costs no extra request.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::Value;

use super::bounds::PAGE_SIZE;
use super::connection::Client;
use super::error::{Error, Result};
use super::kind::ObjectKind;
use super::listing::Listing;
use super::lookup_cache::{ListKey, LookupCache};
use super::paging::{fetch_all, MAX_PAGE_SIZE};

/// The per-connection state of discovery and lookups, held by the [`Client`].
#[derive(Debug)]
pub struct DiscoveryState {
    pub(crate) cache: LookupCache,
    page_size: AtomicUsize,
}

impl Default for DiscoveryState {
    fn default() -> Self {
        DiscoveryState {
            cache: LookupCache::default(),
            page_size: AtomicUsize::new(MAX_PAGE_SIZE),
        }
    }
}

impl Client {
    /// The signed-in user (`GET /users/me`): the `user` object as Anaplan sent it (`id`,
    /// `email`, `firstName`, `lastName`, ...).
    pub fn current_user(&self) -> Result<Value> {
        let path = "/users/me";
        let mut body = self.get_json(path)?;
        match body.get_mut("user").map(Value::take) {
            Some(user @ Value::Object(_)) => Ok(user),
            _ => Err(Error::Protocol {
                path: path.into(),
                message: "no \"user\" object in the answer".into(),
            }),
        }
    }

    /// Every workspace the user can see, with their size details (`tenantDetails=true`).
    pub fn list_workspaces(&self) -> Result<Listing> {
        self.fetch_listing(ListKey::new(ObjectKind::Workspace, None))
            .map(unshare)
    }

    /// The models the user can see: all of them (`None`), or those of one workspace given by
    /// id or name.
    pub fn list_models(&self, workspace: Option<&str>) -> Result<Listing> {
        let workspace = workspace
            .map(|w| self.resolve(ObjectKind::Workspace, w))
            .transpose()?;
        self.fetch_listing(ListKey::new(ObjectKind::Model, workspace.as_deref()))
            .map(unshare)
    }

    /// The objects of one kind (file, import, export, action or process) in the current model.
    /// `InvalidArgument` for workspaces and models (see [`Client::list_workspaces`],
    /// [`Client::list_models`]) and when no model is set.
    pub fn list_in_model(&self, kind: ObjectKind) -> Result<Listing> {
        self.fetch_listing(self.model_list_key(kind)?).map(unshare)
    }

    pub fn list_files(&self) -> Result<Listing> {
        self.list_in_model(ObjectKind::File)
    }

    pub fn list_imports(&self) -> Result<Listing> {
        self.list_in_model(ObjectKind::Import)
    }

    pub fn list_exports(&self) -> Result<Listing> {
        self.list_in_model(ObjectKind::Export)
    }

    pub fn list_actions(&self) -> Result<Listing> {
        self.list_in_model(ObjectKind::Action)
    }

    pub fn list_processes(&self) -> Result<Listing> {
        self.list_in_model(ObjectKind::Process)
    }

    /// How many objects each list request asks for (1 to 5000, Anaplan's maximum and the
    /// default). Smaller pages only cost more requests; tests use them to exercise paging.
    /// Any integer is taken, so a negative one from C gets the same message as 0 or 5001.
    pub fn set_page_size(&self, page_size: i64) -> Result<()> {
        let page_size = PAGE_SIZE.check_usize(page_size.into())?;
        self.discovery()
            .page_size
            .store(page_size, Ordering::Relaxed);
        Ok(())
    }

    pub fn page_size(&self) -> usize {
        self.discovery().page_size.load(Ordering::Relaxed)
    }

    /// The cache key of a list of the current model, which must be set.
    pub(crate) fn model_list_key(&self, kind: ObjectKind) -> Result<ListKey> {
        if !kind.is_model_object() {
            return Err(Error::invalid(format!(
                "{}s are not objects of a model; list them with their own call",
                kind.label()
            )));
        }
        // model_path() says which of workspace and model is missing.
        self.model_path()?;
        let model = self
            .model_id()
            .ok_or_else(|| Error::invalid("no model is set"))?;
        Ok(ListKey::new(kind, Some(&model)))
    }

    /// Fetches a whole list from Anaplan and stores it in the lookup cache.
    pub(crate) fn fetch_listing(&self, key: ListKey) -> Result<Arc<Listing>> {
        let path = self.list_path(&key)?;
        let collection = key.kind.collection();
        let entries = fetch_all(
            |url| self.get_json(url),
            &path,
            collection,
            self.page_size(),
        )?;
        let listing = Listing::from_json(key.kind, entries, &path)?;
        Ok(self.discovery().cache.put(key, listing))
    }

    /// The endpoint of a list; model objects use the workspace path form, as Anaplan's own
    /// clients do.
    fn list_path(&self, key: &ListKey) -> Result<String> {
        let collection = key.kind.collection();
        Ok(match (key.kind, key.parent.as_deref()) {
            (ObjectKind::Workspace, _) => "/workspaces?tenantDetails=true".to_string(),
            (ObjectKind::Model, None) => "/models".to_string(),
            (ObjectKind::Model, Some(ws)) => format!("/workspaces/{ws}/models"),
            (_, Some(model)) if self.model_id().as_deref() == Some(model) => {
                format!("{}/{collection}", self.model_path()?)
            }
            // Keys of model objects are only ever made for the current model; a model changed
            // by another thread meanwhile is reported rather than listed under the wrong path.
            _ => {
                return Err(Error::invalid(
                    "the current model changed while its objects were being listed",
                ))
            }
        })
    }
}

/// A cached listing handed to a caller: a copy, as the caller owns it.
fn unshare(listing: Arc<Listing>) -> Listing {
    Arc::unwrap_or_clone(listing)
}
