//! Users, workspaces, models, the model status, and the per-model lists of lists, modules,
//! imports, exports, actions and processes with their metadata (their operations in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).
//!
use axum::extract::{OriginalUri, Path, State};
use axum::http::Uri;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};

use super::listing::{flag, list_page, query, sort_items};
use crate::api::ModelAccess;
use crate::auth::Authed;
use crate::model::{Model, TaskKind};
use crate::seed::{SeedAction, SeedExport, SeedImport, SeedProcess, SeedUser, SeedWorkspace};
use crate::state::AppState;
use crate::store::Store;
use crate::wire::{envelope, json_ok, schema_url, ApiError};

/// Routes outside a model: `/2/0/users/...`, `/2/0/workspaces...` and `/2/0/models`.
/// (`/2/0/models/{m}` itself is the `/` route of [`model_router`].)
pub fn top_router() -> Router<AppState> {
    Router::new()
        .route("/2/0/users", get(users))
        .route("/2/0/users/me", get(user_me))
        .route("/2/0/users/{userId}", get(user_by_id))
        .route("/2/0/users/{userId}/workspaces", get(user_workspaces))
        .route("/2/0/users/{userId}/models", get(user_models))
        .route("/2/0/workspaces", get(workspaces))
        .route("/2/0/workspaces/{workspaceId}", get(workspace))
        .route(
            "/2/0/workspaces/{workspaceId}/models",
            get(workspace_models),
        )
        .route("/2/0/models", get(models))
}

/// Routes inside a model (mounted under both path forms).
pub fn model_router() -> Router<AppState> {
    Router::new()
        .route("/", get(model))
        .route("/status", get(model_status))
        .route("/lists", get(lists))
        .route("/modules", get(modules))
        .route("/imports", get(imports))
        .route("/imports/{importId}", get(import_definition))
        .route("/exports", get(exports))
        .route("/exports/{exportId}", get(export_definition))
        .route("/actions", get(actions))
        .route("/processes", get(processes))
        .route("/processes/{processId}", get(process_definition))
}

/// Runs `f` with the store locked and the signed-in user's record. A token whose user has left
/// the seed sees nothing: 404.
fn with_user<T>(
    state: &AppState,
    authed: &Authed,
    path: &str,
    f: impl FnOnce(&Store, &SeedUser) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let store = state.store();
    let user = store
        .user(&authed.user_id)
        .ok_or_else(|| ApiError::not_found(path))?;
    f(&store, user)
}

/// Runs `f` with the store locked and the model the request is about. The model was checked by
/// [`ModelAccess`]; it is looked up again because the lock was released in between.
fn with_model<T>(
    state: &AppState,
    access: &ModelAccess,
    f: impl FnOnce(&Model) -> T,
) -> Result<T, ApiError> {
    let store = state.store();
    let model = store
        .model(&access.model_id)
        .ok_or_else(|| ApiError::not_found(&access.path))?;
    Ok(f(model))
}

// ---------------------------------------------------------------------------------------------
// Users

const USER_SORT_FIELDS: &[&str] = &["firstName", "lastName", "email", "active", "lastLoginDate"];

fn user_json(u: &SeedUser, customer_id: &str) -> Value {
    let mut v = json!({
        "id": u.id,
        "active": u.active,
        "email": u.email,
        "emailOptIn": true,
        "firstName": u.first_name,
        "lastName": u.last_name,
        "customerId": customer_id,
    });
    if let Some(date) = &u.last_login_date {
        v["lastLoginDate"] = json!(date);
    }
    v
}

fn one_user(
    state: &AppState,
    authed: &Authed,
    user_id: &str,
    uri: &Uri,
) -> Result<Response, ApiError> {
    let user = with_user(state, authed, uri.path(), |store, _| {
        store
            .user(user_id)
            .map(|u| user_json(u, &store.customer_id))
            .ok_or_else(|| ApiError::not_found(uri.path()))
    })?;
    let schema = schema_url(&state.urls().api, None, "user");
    Ok(json_ok(envelope(&schema, "user", user)))
}

async fn user_me(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let me = authed.user_id.clone();
    one_user(&state, &authed, &me, &uri)
}

/// Any user of the tenant (the same ones `GET /users` lists).
async fn user_by_id(
    State(state): State<AppState>,
    authed: Authed,
    Path(user_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    one_user(&state, &authed, &user_id, &uri)
}

async fn users(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let q = query(&uri)?;
    let mut items = with_user(&state, &authed, uri.path(), |store, _| {
        Ok(store
            .users
            .iter()
            .map(|u| user_json(u, &store.customer_id))
            .collect::<Vec<_>>())
    })?;
    sort_items(
        &mut items,
        q.get("sort"),
        Some(USER_SORT_FIELDS),
        uri.path(),
    )?;
    list_page(&state, &uri, None, "user", "users", items)
}

// ---------------------------------------------------------------------------------------------
// Workspaces

const WORKSPACE_SORT_FIELDS: &[&str] = &["name", "sizeAllowance"];

/// `currentSize` only with `tenantDetails=true`, as Anaplan does.
fn workspace_json(w: &SeedWorkspace, tenant_details: bool) -> Value {
    let mut v = json!({
        "id": w.id,
        "name": w.name,
        "active": w.active,
        "sizeAllowance": w.size_allowance,
    });
    if tenant_details {
        v["currentSize"] = json!(w.current_size);
    }
    v
}

/// The workspaces of a user, for the `/users/{userId}/…` listings of older clients (the original
/// Python library's `get_workspaces(conn, uid)`). Anaplan does not document what another user's
/// id shows; here it is what that user can see and the caller can see too, so a listing never
/// shows more than the caller's own; an unknown user is a 404.
fn named_user_workspaces(
    store: &Store,
    named: Option<&str>,
    path: &str,
) -> Result<Option<Vec<String>>, ApiError> {
    named
        .map(|id| {
            store
                .user(id)
                .map(|u| u.workspaces.clone())
                .ok_or_else(|| ApiError::not_found(path))
        })
        .transpose()
}

async fn workspaces(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    workspace_list(&state, &authed, &uri, None)
}

async fn user_workspaces(
    State(state): State<AppState>,
    authed: Authed,
    Path(user_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    workspace_list(&state, &authed, &uri, Some(&user_id))
}

/// The workspaces the user sees (and, for `/users/{userId}/workspaces`, the named user too),
/// sorted and paged.
fn workspace_list(
    state: &AppState,
    authed: &Authed,
    uri: &Uri,
    named: Option<&str>,
) -> Result<Response, ApiError> {
    let q = query(uri)?;
    let details = flag(&q, "tenantDetails");
    let mut items = with_user(state, authed, uri.path(), |store, user| {
        let also = named_user_workspaces(store, named, uri.path())?;
        Ok(store
            .workspaces_of(user)
            .filter(|w| also.as_ref().is_none_or(|ws| ws.contains(&w.id)))
            .map(|w| workspace_json(w, details))
            .collect::<Vec<_>>())
    })?;
    sort_items(
        &mut items,
        q.get("sort"),
        Some(WORKSPACE_SORT_FIELDS),
        uri.path(),
    )?;
    list_page(state, uri, None, "workspace", "workspaces", items)
}

async fn workspace(
    State(state): State<AppState>,
    authed: Authed,
    Path(workspace_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let details = flag(&query(&uri)?, "tenantDetails");
    let ws = with_user(&state, &authed, uri.path(), |store, user| {
        store
            .workspaces_of(user)
            .find(|w| w.id == workspace_id)
            .map(|w| workspace_json(w, details))
            .ok_or_else(|| ApiError::not_found(uri.path()))
    })?;
    let schema = schema_url(&state.urls().api, None, "workspace");
    Ok(json_ok(envelope(&schema, "workspace", ws)))
}

// ---------------------------------------------------------------------------------------------
// Models

const MODEL_SORT_FIELDS: &[&str] = &["name", "activeState"];

/// Seeds carry no dates; a fixed moment keeps responses stable across runs.
const MODEL_DATE: &str = "2024-01-15T09:30:00.000+0000";

fn model_json(store: &Store, m: &Model, api: &str, details: bool) -> Value {
    let ws = &m.seed.workspace_id;
    let ws_name = store
        .workspaces
        .iter()
        .find(|w| &w.id == ws)
        .map(|w| w.name.as_str())
        .unwrap_or("");
    let mut v = json!({
        "id": m.seed.id,
        "name": m.seed.name,
        "activeState": m.seed.active_state,
        "currentWorkspaceId": ws,
        "currentWorkspaceName": ws_name,
        "modelUrl": format!("{api}/anaplan/framework.jsp?selectedWorkspaceId={ws}&selectedModelId={}", m.seed.id),
        "categoryValues": [],
    });
    if details {
        let last_modified_by = store
            .users
            .iter()
            .find(|u| u.workspaces.contains(ws))
            .map(|u| u.id.as_str())
            .unwrap_or("");
        let bytes: usize = m.files.values().map(|f| f.total_size()).sum();
        // The OAS (live-tested) types lastSavedSerialNumber as a string; the SDK parses it as an
        // int, which accepts a numeric string.
        v["lastSavedSerialNumber"] = json!("2000000");
        v["modelTransactionRunning"] = json!(m.running_task.is_some());
        v["lastModifiedByUserGuid"] = json!(last_modified_by);
        v["memoryUsage"] = json!(bytes);
        v["isoCreationDate"] = json!(MODEL_DATE);
        v["lastModified"] = json!(MODEL_DATE);
    }
    v
}

/// The models the user sees (optionally only one workspace's, and for `/users/{userId}/models`
/// only those the named user sees too), sorted and paged.
fn model_list(
    state: &AppState,
    authed: &Authed,
    uri: &Uri,
    workspace_id: Option<&str>,
    named: Option<&str>,
) -> Result<Response, ApiError> {
    let q = query(uri)?;
    let details = flag(&q, "modelDetails");
    let api = state.urls().api;
    let mut items = with_user(state, authed, uri.path(), |store, user| {
        if let Some(ws) = workspace_id {
            if !store.can_see_workspace(user, ws) {
                return Err(ApiError::not_found(uri.path()));
            }
        }
        let also = named_user_workspaces(store, named, uri.path())?;
        Ok(store
            .models_of(user)
            .filter(|m| workspace_id.is_none_or(|ws| m.seed.workspace_id == ws))
            .filter(|m| {
                also.as_ref()
                    .is_none_or(|ws| ws.contains(&m.seed.workspace_id))
            })
            .map(|m| model_json(store, m, &api, details))
            .collect::<Vec<_>>())
    })?;
    sort_items(
        &mut items,
        q.get("sort"),
        Some(MODEL_SORT_FIELDS),
        uri.path(),
    )?;
    list_page(state, uri, None, "model", "models", items)
}

async fn models(
    State(state): State<AppState>,
    authed: Authed,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    model_list(&state, &authed, &uri, None, None)
}

async fn user_models(
    State(state): State<AppState>,
    authed: Authed,
    Path(user_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    model_list(&state, &authed, &uri, None, Some(&user_id))
}

async fn workspace_models(
    State(state): State<AppState>,
    authed: Authed,
    Path(workspace_id): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    model_list(&state, &authed, &uri, Some(&workspace_id), None)
}

/// `GET /models/{m}`. The workspace form of this path answers 405 on the real service.
async fn model(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    if access.params.contains_key("workspaceId") {
        return Err(ApiError::method_not_allowed(&access.path));
    }
    let details = flag(&query(&uri)?, "modelDetails");
    let api = state.urls().api;
    let model = {
        let store = state.store();
        let m = store
            .model(&access.model_id)
            .ok_or_else(|| ApiError::not_found(&access.path))?;
        model_json(&store, m, &api, details)
    };
    let schema = schema_url(&api, Some(&access.model_id), "model");
    Ok(json_ok(envelope(&schema, "model", model)))
}

/// `GET /models/{m}/status`: a bare `{"requestStatus":{...}}`, without the usual envelope (OAS live).
async fn model_status(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    let task_duration = state.settings().task_duration;
    let status = {
        let store = state.store();
        let m = store
            .model(&access.model_id)
            .ok_or_else(|| ApiError::not_found(&access.path))?;
        let task = m.running_task.as_ref().and_then(|id| store.tasks.get(id));
        let (step, progress) = match task {
            Some(t) => {
                let elapsed = t.started.map(|s| s.elapsed().as_secs_f64()).unwrap_or(0.0);
                let total = task_duration.as_secs_f64().max(f64::EPSILON);
                ("Processing ...", (elapsed / total).clamp(0.0, 0.99))
            }
            None => ("Open", -1.0),
        };
        let export_type = task
            .filter(|t| t.kind == TaskKind::Export)
            .and_then(|t| m.export(&t.object_id))
            .map(|e| e.layout.clone());
        json!({"requestStatus": {
            "tooltip": null,
            "progress": progress,
            "currentStep": step,
            "exportTaskType": export_type,
            "creationTime": crate::clock::now_ms(),
            "taskId": task.map(|t| t.id.clone()),
            "peakMemoryUsageEstimate": null,
            "peakMemoryUsageTime": null,
        }})
    };
    Ok(json_ok(status))
}

// ---------------------------------------------------------------------------------------------
// Per-model resource lists

/// One page of a per-model list built by `items` from the model. Sorting is not validated here.
fn resource_list(
    state: &AppState,
    access: &ModelAccess,
    uri: &Uri,
    object: &str,
    key: &str,
    items: impl FnOnce(&Model) -> Vec<Value>,
) -> Result<Response, ApiError> {
    let mut items = with_model(state, access, items)?;
    sort_items(&mut items, query(uri)?.get("sort"), None, uri.path())?;
    list_page(state, uri, Some(&access.model_id), object, key, items)
}

fn id_name(id: &str, name: &str) -> Value {
    json!({"id": id, "name": name})
}

fn import_json(i: &SeedImport) -> Value {
    json!({"id": i.id, "name": i.name, "importDataSourceId": i.file_id, "importType": i.import_type})
}

fn export_json(e: &SeedExport) -> Value {
    json!({
        "id": e.id, "name": e.name, "exportType": e.layout, "exportFormat": e.export_format,
        "encoding": e.encoding, "layout": e.layout,
    })
}

fn action_json(a: &SeedAction) -> Value {
    json!({"id": a.id, "name": a.name, "actionType": a.action_type})
}

fn process_json(p: &SeedProcess) -> Value {
    id_name(&p.id, &p.name)
}

// Lists and modules are defined by the seed; imports change their items, never their set.
async fn lists(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "list", "lists", |m| {
        m.seed
            .lists
            .iter()
            .map(|l| id_name(&l.id, &l.name))
            .collect()
    })
}

async fn modules(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "module", "modules", |m| {
        m.seed
            .modules
            .iter()
            .map(|l| id_name(&l.id, &l.name))
            .collect()
    })
}

async fn imports(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "import", "imports", |m| {
        m.seed.imports.iter().map(import_json).collect()
    })
}

async fn exports(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "export", "exports", |m| {
        m.seed.exports.iter().map(export_json).collect()
    })
}

async fn actions(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "action", "actions", |m| {
        m.seed.actions.iter().map(action_json).collect()
    })
}

async fn processes(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    resource_list(&state, &access, &uri, "process", "processes", |m| {
        m.seed.processes.iter().map(process_json).collect()
    })
}

// ---------------------------------------------------------------------------------------------
// Metadata of one import, export or process

/// The metadata envelope of one object, or 404 when `build` finds no such object in the model.
fn definition(
    state: &AppState,
    access: &ModelAccess,
    object: &str,
    key: &str,
    build: impl FnOnce(&Model) -> Option<Value>,
) -> Result<Response, ApiError> {
    let value =
        with_model(state, access, build)?.ok_or_else(|| ApiError::not_found(&access.path))?;
    let schema = schema_url(&state.urls().api, Some(&access.model_id), object);
    Ok(json_ok(envelope(&schema, key, value)))
}

async fn import_definition(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    let id = access.param("importId").to_string();
    definition(&state, &access, "import", "importMetadata", |m| {
        crate::model::import_metadata(m, &id)
    })
}

async fn export_definition(
    State(state): State<AppState>,
    access: ModelAccess,
) -> Result<Response, ApiError> {
    let id = access.param("exportId").to_string();
    definition(&state, &access, "export", "exportMetadata", |m| {
        crate::model::export_metadata(m, &id)
    })
}

async fn process_definition(
    State(state): State<AppState>,
    access: ModelAccess,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let show_source = flag(&query(&uri)?, "showImportDataSource");
    let id = access.param("processId").to_string();
    definition(&state, &access, "process", "processMetadata", |m| {
        crate::model::process_metadata(m, &id, show_source)
    })
}
