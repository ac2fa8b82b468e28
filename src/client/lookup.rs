//! Finding objects by name, and setting the current workspace and model by id or by name.
//!
//! - [`Client::find`] takes a name and returns the id: workspaces and models among all those
//!   the user can see (models optionally within one workspace, [`Client::find_model`]), files,
//!   imports, exports, actions and processes within the current model.
//! - [`Client::resolve`] takes an id or a name: an argument that has the shape of an id of that
//!   kind (see [`ObjectKind::looks_like_id`]) is returned as is, without a request.
//! - Names match exactly (see [`name_match`](super::name_match) for why there is no
//!   case-insensitive fallback). No match is `Error::NotFound` with the kind, the name and where
//!   it was looked for; several are `Error::Ambiguous` with every candidate's id and name.
//! - The lists searched are cached per connection, per model for model objects; see
//!   [`lookup_cache`](super::lookup_cache) for when they are fetched again.
//!   [`Client::clear_cache`] empties the cache.

use std::sync::Arc;

use serde_json::Value;

use super::connection::Client;
use super::error::{Error, Result};
use super::kind::{is_export_output_file, ObjectKind};
use super::listing::{Item, Listing};
use super::lookup_cache::ListKey;
use super::name_match::find_among;

impl Client {
    /// The id of the object of `kind` named `name`: workspaces and models among all those the
    /// user can see, other kinds in the current model (`InvalidArgument` when none is set).
    pub fn find(&self, kind: ObjectKind, name: &str) -> Result<String> {
        let key = match kind {
            ObjectKind::Workspace | ObjectKind::Model => ListKey::new(kind, None),
            _ => self.model_list_key(kind)?,
        };
        self.lookup(key, name).map(|item| item.id)
    }

    /// The id of the model named `name`, among all models (`workspace` `None`) or within one
    /// workspace given by id or name.
    pub fn find_model(&self, name: &str, workspace: Option<&str>) -> Result<String> {
        let workspace = workspace
            .map(|w| self.resolve(ObjectKind::Workspace, w))
            .transpose()?;
        let key = ListKey::new(ObjectKind::Model, workspace.as_deref());
        self.lookup(key, name).map(|item| item.id)
    }

    /// [`Client::find_model`] for a name; a model id is returned as is.
    pub fn resolve_model(&self, id_or_name: &str, workspace: Option<&str>) -> Result<String> {
        if ObjectKind::Model.looks_like_id(id_or_name) {
            return Ok(id_or_name.to_string());
        }
        self.find_model(id_or_name, workspace)
    }

    /// `id_or_name` itself when it has the shape of an id of `kind`, otherwise
    /// [`Client::find`]. An id is not checked against Anaplan: using it reports a missing object.
    pub fn resolve(&self, kind: ObjectKind, id_or_name: &str) -> Result<String> {
        if kind.looks_like_id(id_or_name) {
            return Ok(id_or_name.to_string());
        }
        self.find(kind, id_or_name)
    }

    /// The file to upload to, by id or name, in the current model. A name is looked up among
    /// the files that are not export outputs: once an export has run, its output file
    /// (`116…`) often has the same name as the import data source it mirrors (export
    /// "Employees.csv", data source "Employees.csv"), and an upload always means the data source.
    pub fn resolve_upload_file(&self, id_or_name: &str) -> Result<String> {
        if ObjectKind::File.looks_like_id(id_or_name) {
            return Ok(id_or_name.to_string());
        }
        let key = self.model_list_key(ObjectKind::File)?;
        self.lookup_where(key, id_or_name, |item| !is_export_output_file(&item.id))
            .map(|item| item.id)
    }

    /// Sets the current workspace by id or name and returns its id. Choosing a different
    /// workspace forgets the current model, which belongs to the old one.
    pub fn set_workspace(&self, id_or_name: &str) -> Result<String> {
        let id = self.resolve(ObjectKind::Workspace, id_or_name)?;
        if self.workspace_id().as_deref() != Some(id.as_str()) {
            self.clear_model();
        }
        self.set_workspace_id(&id)?;
        Ok(id)
    }

    /// Sets the current model by id or name and returns its id.
    ///
    /// A name is looked up within the current workspace when one is set (so two models of the
    /// same name in different workspaces are told apart), among all models otherwise. The
    /// workspace becomes the model's own (`currentWorkspaceId`), so setting a model of another
    /// workspace by id moves the connection there. An id is checked with one request
    /// (`GET /models/{id}`) unless a cached list already holds it.
    pub fn set_model(&self, id_or_name: &str) -> Result<String> {
        let model = if ObjectKind::Model.looks_like_id(id_or_name) {
            self.model_by_id(id_or_name)?
        } else {
            let ws = self.workspace_id();
            self.lookup(ListKey::new(ObjectKind::Model, ws.as_deref()), id_or_name)?
        };
        let workspace = model
            .json
            .get("currentWorkspaceId")
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| self.workspace_id())
            .ok_or_else(|| Error::Protocol {
                path: format!("/models/{}", model.id),
                message: "the model has no currentWorkspaceId".into(),
            })?;
        self.set_workspace_id(&workspace)?;
        self.set_model_id(&model.id)?;
        Ok(model.id)
    }

    /// Empties the lookup cache of this connection (every clone shares it): the next lookup
    /// by name fetches its list again.
    pub fn clear_cache(&self) {
        self.discovery().cache.clear();
    }

    /// Drops the cached lists of one model's objects, for code that changed them.
    pub fn forget_cached_objects(&self, model_id: &str) {
        self.discovery().cache.forget_model(model_id);
    }

    /// The one object named `name` in the list `key`. A cached list is trusted only for a
    /// unique match; otherwise the list is fetched again before answering.
    fn lookup(&self, key: ListKey, name: &str) -> Result<Item> {
        self.lookup_where(key, name, |_| true)
    }

    /// [`Client::lookup`] among the items of the list that pass `keep`.
    fn lookup_where(&self, key: ListKey, name: &str, keep: impl Fn(&Item) -> bool) -> Result<Item> {
        let scope = self.scope_of(&key);
        let search = |listing: &Listing| {
            find_among(
                listing.kind(),
                listing.iter().filter(|i| keep(i)),
                name,
                &scope,
            )
            .cloned()
        };
        if let Some(cached) = self.discovery().cache.get(&key) {
            if let Ok(item) = search(&cached) {
                return Ok(item);
            }
        }
        search(&*self.fetch_listing(key)?)
    }

    /// A model's list entry by id: from any cached model list, or `GET /models/{id}`.
    fn model_by_id(&self, id: &str) -> Result<Item> {
        let cache = &self.discovery().cache;
        if let Some(item) = cached_item(&cache.all_of(ObjectKind::Model), id) {
            return Ok(item);
        }
        let path = format!("/models/{id}");
        let mut body = self.get_json(&path).map_err(|e| match e {
            Error::Http { status: 404, .. } => Error::NotFound {
                kind: ObjectKind::Model.label(),
                name: id.to_string(),
                scope: " among the models this user can see".into(),
            },
            other => other,
        })?;
        let json = body
            .get_mut("model")
            .map(Value::take)
            .unwrap_or(Value::Null);
        Item::from_json(json, ObjectKind::Model, &path)
    }

    /// Where a list is, for messages: ` in model "Plan" (75A4…)`, with the name when a cached
    /// list knows it.
    fn scope_of(&self, key: &ListKey) -> String {
        let cache = &self.discovery().cache;
        let named = |kind: ObjectKind, id: &str| match cached_item(&cache.all_of(kind), id) {
            Some(item) => format!("{:?} ({id})", item.name),
            None => id.to_string(),
        };
        match (key.kind, key.parent.as_deref()) {
            (ObjectKind::Workspace, _) => " among the workspaces this user can see".into(),
            (ObjectKind::Model, None) => " among the models this user can see".into(),
            (ObjectKind::Model, Some(ws)) => {
                format!(" in workspace {}", named(ObjectKind::Workspace, ws))
            }
            (_, Some(model)) => format!(" in model {}", named(ObjectKind::Model, model)),
            (_, None) => String::new(),
        }
    }
}

fn cached_item(listings: &[Arc<Listing>], id: &str) -> Option<Item> {
    listings
        .iter()
        .flat_map(|listing| listing.iter())
        .find(|item| item.id == id)
        .cloned()
}
