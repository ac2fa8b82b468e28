//! `anaplan_client`: a signed-in connection, and every export that acts on one
//! (`anaplan_client_*`), by what it does:
//!
//! | file | exports |
//! |---|---|
//! | `connect.rs` | `_connect_basic`, `_connect_certificate_files`, `_connect_certificate_memory`, `_connect_keystore_file`, `_connect_keystore_memory`, `_connect_oauth_refresh_token`, `_free` |
//! | this file | `_set_workspace`, `_set_model`, `_current_user_json`, `_clear_cache`, `_set_page_size` |
//! | `list.rs` | `_list_workspaces`, `_list_models`, `_list_files`, `_list_imports`, ... |
//! | `find.rs` | `_find_workspace`, `_find_model`, `_find_file`, `_find_import`, ... |
//! | `upload.rs` | `_upload_file`, `_upload_buffer`, `_upload_stream` |
//! | `download.rs` | `_download_to_file`, `_download_to_buffer`, `_download_to_callback` |
//! | `run.rs` | `_run` |
//! | `dumps.rs` | `_dump_text`, `_step_dump_text`, `_dumps_to_dir`, `_task_summary` |

use std::ffi::c_char;

use super::status::*;
use super::toolkit::boundary::on;
use super::toolkit::handles::HandleType;
use super::toolkit::params::{opt_out_param, out_param, str_param};
use crate::client::Client;

pub mod connect;
pub mod download;
pub mod dumps;
pub mod find;
pub mod list;
pub mod run;
pub mod upload;

/// A signed-in connection: its token (reused, refreshed before it expires, renewed on a 401),
/// its current workspace and model, and its lookup caches.
///
/// Methods: `anaplan_client_connect_basic`, `anaplan_client_connect_certificate_files`,
/// `anaplan_client_connect_certificate_memory` make one; `anaplan_client_free` signs out; every
/// other `anaplan_client_*` function acts on one (workspace and model selection, lists, lookups,
/// uploads, runs, dumps, downloads).
///
/// Thread-safety: thread-safe. One client may be used from several threads at once; the current
/// workspace and model are shared by all of them.
pub struct anaplan_client {
    _private: [u8; 0],
}

impl HandleType for anaplan_client {
    type Object = Client;
    const NAME: &'static str = "anaplan_client";
}

/// Sets the connection's current workspace by id or by name. A different workspace than before
/// forgets the current model (it belongs to the old workspace): set a model next.
///
/// `workspace_id_out` may be NULL; otherwise it receives the workspace id.
/// Ownership: the caller frees `*workspace_id_out` with `anaplan_string_free`.
/// Statuses: `OK`; `NOT_FOUND` (no workspace of that name the user can see), `AMBIGUOUS`
/// (several: the last error lists them; use the id), `INVALID_HANDLE`, `NULL_ARGUMENT`,
/// `INVALID_UTF8`, and transport/HTTP statuses from the listing request.
/// Thread-safety: the client is thread-safe; the current workspace is shared by every thread
/// using this client.
///
/// # Safety
/// `id_or_name` is NULL or a NUL-terminated string; `workspace_id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_set_workspace(
    client: *mut anaplan_client,
    id_or_name: *const c_char,
    workspace_id_out: *mut *mut c_char,
) -> anaplan_status {
    on(client, |c| {
        let out = opt_out_param!(workspace_id_out);
        let id = c.set_workspace(str_param!(id_or_name)?)?;
        out.map_or(Ok(()), |out| out.write_string(&id))
    })
}

/// Sets the connection's current model by id or by name. A name is looked up within the current
/// workspace when one is set, among all models the user can see otherwise (a name used by models
/// of two workspaces is then `AMBIGUOUS`: set the workspace first). The current workspace becomes
/// the model's own, so a model id of another workspace moves the connection there.
///
/// `model_id_out` may be NULL; otherwise it receives the model id.
/// Ownership: the caller frees `*model_id_out` with `anaplan_string_free`.
/// Statuses: `OK`; `NOT_FOUND`, `AMBIGUOUS` (the last error lists the candidates),
/// `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, transport/HTTP statuses.
/// Thread-safety: as `anaplan_client_set_workspace`.
///
/// # Safety
/// `id_or_name` is NULL or a NUL-terminated string; `model_id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_set_model(
    client: *mut anaplan_client,
    id_or_name: *const c_char,
    model_id_out: *mut *mut c_char,
) -> anaplan_status {
    on(client, |c| {
        let out = opt_out_param!(model_id_out);
        let id = c.set_model(str_param!(id_or_name)?)?;
        out.map_or(Ok(()), |out| out.write_string(&id))
    })
}

/// The signed-in user as JSON (`GET /users/me`: `id`, `email`, `firstName`, `lastName`, ...).
///
/// Ownership: the caller frees `*json_out` with `anaplan_string_free`.
/// Statuses: `OK`; `INVALID_HANDLE`, `NULL_ARGUMENT`, transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_current_user_json(
    client: *mut anaplan_client,
    json_out: *mut *mut c_char,
) -> anaplan_status {
    on(client, |c| {
        let out = out_param!(json_out)?;
        out.write_string(&c.current_user()?.to_string())
    })
}

/// Forgets every list cached for lookups by name on this connection (all models), so the next
/// lookup asks Anaplan again. Lookups already fetch a list again when a name is missing from, or
/// ambiguous in, the cached one, and cached lists expire after 5 minutes; this is for when an
/// object was renamed or deleted and re-created meanwhile.
///
/// Statuses: `OK`, `INVALID_HANDLE`. Thread-safety: the client is thread-safe.
///
/// # Safety
/// `client` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_clear_cache(client: *mut anaplan_client) -> anaplan_status {
    on(client, |c| {
        c.clear_cache();
        Ok(())
    })
}

/// How many objects each list request asks Anaplan for, 1 to 5000 (the default and Anaplan's
/// maximum). Lists are always followed to their end; smaller pages only cost more requests.
///
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`. Thread-safety: the client is thread-safe.
///
/// # Safety
/// `client` is any pointer value: it is looked up, never dereferenced.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_set_page_size(
    client: *mut anaplan_client,
    page_size: i32,
) -> anaplan_status {
    on(client, |c| Ok(c.set_page_size(page_size.into())?))
}
