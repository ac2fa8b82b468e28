//! Discovery and find-by-name: current workspace and model by id or name, the current user, the
//! lists of workspaces, models and model objects (`anaplan_list`), and lookups by name.
//!
//! Translation only: the logic is in `client::discovery` and `client::lookup`.

use std::ffi::c_char;

use super::boundary;
use super::client::anaplan_client;
use super::handles::{self, HandleType};
use super::last_error::FfiError;
use super::status::*;
use super::strings::{opt_str_arg, owned_string, str_arg, Out};
use crate::client::kind::ObjectKind;
use crate::client::listing::Listing;
use crate::client::Client;

/// A list of Anaplan objects (workspaces, models, files, imports, exports, actions or
/// processes), fetched whole when it was made: each item's id, name and JSON object.
///
/// Methods: `anaplan_list_count`, `anaplan_list_id`, `anaplan_list_name`,
/// `anaplan_list_item_json`, `anaplan_list_json`, `anaplan_list_free`. Made by
/// `anaplan_list_workspaces`, `anaplan_list_models` and `anaplan_list_files` (and the other
/// `anaplan_list_*` of a model).
///
/// Thread-safety: a list never changes once made, so its readers may be called from any thread
/// at once. It does not follow later changes in Anaplan: list again for a fresh view.
pub struct anaplan_list {
    _private: [u8; 0],
}

impl HandleType for anaplan_list {
    type Object = Listing;
    const NAME: &'static str = "anaplan_list";
}

/// Runs `f` on the connection behind `client`, inside the boundary.
fn with_client(
    client: *const anaplan_client,
    f: impl FnOnce(&Client) -> Result<(), FfiError>,
) -> anaplan_status {
    boundary::call(|| {
        let client = handles::get(client)?;
        f(&client)
    })
}

/// Writes `s` to `out` as a library-owned string.
fn give_string(out: Out<*mut c_char>, s: &str) -> Result<(), FfiError> {
    out.write(owned_string(s)?);
    Ok(())
}

/// Sets the connection's current workspace by id or by name. A different workspace than before
/// forgets the current model (it belongs to the old workspace): set a model next.
///
/// `workspace_id_out` may be NULL; otherwise it receives the workspace id, owned by the caller
/// (free with `anaplan_string_free`).
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
    with_client(client, |c| {
        // SAFETY: the caller guarantees `workspace_id_out` is NULL or writable.
        let out = unsafe { Out::optional(workspace_id_out) };
        // SAFETY: the caller guarantees `id_or_name` is NULL or NUL-terminated.
        let id_or_name = unsafe { str_arg(id_or_name, "id_or_name") }?;
        let id = c.set_workspace(id_or_name)?;
        out.map_or(Ok(()), |out| give_string(out, &id))
    })
}

/// Sets the connection's current model by id or by name. A name is looked up within the current
/// workspace when one is set, among all models the user can see otherwise (a name used by models
/// of two workspaces is then `AMBIGUOUS`: set the workspace first). The current workspace becomes
/// the model's own, so a model id of another workspace moves the connection there.
///
/// `model_id_out` may be NULL; otherwise it receives the model id, owned by the caller (free with
/// `anaplan_string_free`).
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
    with_client(client, |c| {
        // SAFETY: the caller guarantees `model_id_out` is NULL or writable.
        let out = unsafe { Out::optional(model_id_out) };
        // SAFETY: the caller guarantees `id_or_name` is NULL or NUL-terminated.
        let id_or_name = unsafe { str_arg(id_or_name, "id_or_name") }?;
        let id = c.set_model(id_or_name)?;
        out.map_or(Ok(()), |out| give_string(out, &id))
    })
}

/// The signed-in user as JSON (`GET /users/me`: `id`, `email`, `firstName`, `lastName`, ...).
///
/// Ownership: `*json_out` is owned by the caller; free it with `anaplan_string_free`.
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
    with_client(client, |c| {
        // SAFETY: the caller guarantees `json_out` is NULL or writable.
        let out = unsafe { Out::new(json_out, "json_out") }?;
        give_string(out, &c.current_user()?.to_string())
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
/// `client` is a pointer (checked against the live handles, never dereferenced when invalid).
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_clear_cache(client: *mut anaplan_client) -> anaplan_status {
    with_client(client, |c| {
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
/// `client` is a pointer (checked against the live handles).
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_set_page_size(
    client: *mut anaplan_client,
    page_size: i32,
) -> anaplan_status {
    with_client(client, |c| {
        let size = usize::try_from(page_size).unwrap_or(0);
        c.set_page_size(size).map_err(|e| {
            let mut e = FfiError::from(e);
            e.status = ANAPLAN_STATUS_OUT_OF_RANGE;
            e
        })
    })
}

/// Makes a list handle for C from a listing request.
fn issue_list(
    client: *const anaplan_client,
    list_out: *mut *mut anaplan_list,
    fetch: impl FnOnce(&Client) -> Result<Listing, FfiError>,
) -> anaplan_status {
    with_client(client, |c| {
        // SAFETY: every caller passes its own `list_out`, which its caller guarantees is NULL or
        // writable.
        let out = unsafe { Out::new(list_out, "list_out") }?;
        out.write(handles::issue(fetch(c)?)?);
        Ok(())
    })
}

/// The workspaces the signed-in user can see, with their size details.
///
/// Ownership: `*list_out` is owned by the caller; free it with `anaplan_list_free`.
/// Statuses: `OK`; `INVALID_HANDLE`, `NULL_ARGUMENT`, transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_workspaces(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, list_out, |c| Ok(c.list_workspaces()?))
}

/// The models the signed-in user can see: all of them when `workspace` is NULL, otherwise those
/// of that workspace (given by id or name).
///
/// Ownership: `*list_out` is owned by the caller; free it with `anaplan_list_free`.
/// Statuses: `OK`; `NOT_FOUND`/`AMBIGUOUS` (the workspace name), `INVALID_HANDLE`,
/// `NULL_ARGUMENT`, `INVALID_UTF8`, transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `workspace` is NULL or a NUL-terminated string; `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_models(
    client: *mut anaplan_client,
    workspace: *const c_char,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, list_out, |c| {
        // SAFETY: the caller guarantees `workspace` is NULL or NUL-terminated.
        let workspace = unsafe { opt_str_arg(workspace, "workspace") }?;
        Ok(c.list_models(workspace)?)
    })
}

/// The objects of one kind in the current model, for the `anaplan_list_<kind>s` exports.
fn list_in_model(
    client: *const anaplan_client,
    kind: ObjectKind,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, list_out, |c| Ok(c.list_in_model(kind)?))
}

/// The files of the current model (import data sources, and the output files of exports that
/// have run, which share their export's id).
///
/// Ownership: `*list_out` is owned by the caller; free it with `anaplan_list_free`.
/// Statuses: `OK`; `INVALID_ARGUMENT` (no model set), `INVALID_HANDLE`, `NULL_ARGUMENT`,
/// transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_files(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    list_in_model(client, ObjectKind::File, list_out)
}

/// The imports of the current model. Each item's JSON has `importDataSourceId`, the file to
/// upload to before running the import. Ownership, statuses and thread-safety as
/// `anaplan_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_imports(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    list_in_model(client, ObjectKind::Import, list_out)
}

/// The exports of the current model. Ownership, statuses and thread-safety as
/// `anaplan_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_exports(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    list_in_model(client, ObjectKind::Export, list_out)
}

/// The actions (deletes, sorts...) of the current model. Ownership, statuses and thread-safety as
/// `anaplan_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_actions(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    list_in_model(client, ObjectKind::Action, list_out)
}

/// The processes of the current model. Ownership, statuses and thread-safety as
/// `anaplan_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_processes(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    list_in_model(client, ObjectKind::Process, list_out)
}

/// Runs `f` on the listing behind `list`, inside the boundary.
fn with_list(
    list: *const anaplan_list,
    f: impl FnOnce(&Listing) -> Result<(), FfiError>,
) -> anaplan_status {
    boundary::call(|| {
        let listing = handles::get(list)?;
        f(&listing)
    })
}

/// The item at `index` of a listing; `OUT_OF_RANGE` past the end.
fn item_at(listing: &Listing, index: usize) -> Result<&crate::client::listing::Item, FfiError> {
    listing.get(index).ok_or_else(|| {
        super::scalars::out_of_range(
            "index",
            index,
            &match listing.len() {
                0 => "no index: the list is empty".to_string(),
                n => format!("0 to {}", n - 1),
            },
        )
    })
}

/// The number of items in a list.
///
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are immutable.
///
/// # Safety
/// `count_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_count(
    list: *const anaplan_list,
    count_out: *mut usize,
) -> anaplan_status {
    with_list(list, |l| {
        // SAFETY: the caller guarantees `count_out` is NULL or writable.
        let out = unsafe { Out::new(count_out, "count_out") }?;
        out.write(l.len());
        Ok(())
    })
}

/// The id of the item at `index` (0 to count - 1).
///
/// Ownership: `*id_out` is owned by the caller; free it with `anaplan_string_free`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are
/// immutable.
///
/// # Safety
/// `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_id(
    list: *const anaplan_list,
    index: usize,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    with_list(list, |l| {
        // SAFETY: the caller guarantees `id_out` is NULL or writable.
        let out = unsafe { Out::new(id_out, "id_out") }?;
        give_string(out, &item_at(l, index)?.id)
    })
}

/// The name of the item at `index` (0 to count - 1).
///
/// Ownership: `*name_out` is owned by the caller; free it with `anaplan_string_free`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are
/// immutable.
///
/// # Safety
/// `name_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_name(
    list: *const anaplan_list,
    index: usize,
    name_out: *mut *mut c_char,
) -> anaplan_status {
    with_list(list, |l| {
        // SAFETY: the caller guarantees `name_out` is NULL or writable.
        let out = unsafe { Out::new(name_out, "name_out") }?;
        give_string(out, &item_at(l, index)?.name)
    })
}

/// The item at `index` as a JSON object, exactly as Anaplan sent it (all its fields).
///
/// Ownership: `*json_out` is owned by the caller; free it with `anaplan_string_free`.
/// Statuses: `OK`, `OUT_OF_RANGE`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are
/// immutable.
///
/// # Safety
/// `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_item_json(
    list: *const anaplan_list,
    index: usize,
    json_out: *mut *mut c_char,
) -> anaplan_status {
    with_list(list, |l| {
        // SAFETY: the caller guarantees `json_out` is NULL or writable.
        let out = unsafe { Out::new(json_out, "json_out") }?;
        give_string(out, &item_at(l, index)?.json.to_string())
    })
}

/// The whole list as a JSON array of the objects as Anaplan sent them (`[]` when empty).
///
/// Ownership: `*json_out` is owned by the caller; free it with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are immutable.
///
/// # Safety
/// `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_json(
    list: *const anaplan_list,
    json_out: *mut *mut c_char,
) -> anaplan_status {
    with_list(list, |l| {
        // SAFETY: the caller guarantees `json_out` is NULL or writable.
        let out = unsafe { Out::new(json_out, "json_out") }?;
        give_string(out, &l.json())
    })
}

/// Frees a list. NULL is accepted and does nothing.
///
/// Statuses: `OK`; `INVALID_HANDLE` when `list` was already freed or is not a list (nothing is
/// freed then, so a double free is harmless). Thread-safety: free a list once, when no other
/// thread uses it.
///
/// # Safety
/// `list` is NULL or a pointer (checked against the live handles, never dereferenced).
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_free(list: *mut anaplan_list) -> anaplan_status {
    boundary::call(|| handles::free(list))
}

/// The id of an object from its id or name, for the `anaplan_find_*` exports.
fn find(
    client: *const anaplan_client,
    kind: ObjectKind,
    id_or_name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    with_client(client, |c| {
        // SAFETY: every caller passes its own `id_out`, which its caller guarantees is NULL or
        // writable.
        let out = unsafe { Out::new(id_out, "id_out") }?;
        // SAFETY: likewise for `id_or_name`: NULL or NUL-terminated.
        let id_or_name = unsafe { str_arg(id_or_name, "name") }?;
        give_string(out, &c.resolve(kind, id_or_name)?)
    })
}

/// The id of the workspace named `name` (exact, case-sensitive match) among those the user can
/// see. A workspace id (32 lowercase hex digits) is returned as is.
///
/// Ownership: `*id_out` is owned by the caller; free it with `anaplan_string_free`.
/// Statuses: `OK`; `NOT_FOUND` (the last error says where it looked, and names objects whose
/// names differ only in case), `AMBIGUOUS` (the last error lists every candidate's name and
/// id), `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, transport/HTTP/`PROTOCOL` statuses.
/// Lookups are cached per connection (see `anaplan_client_clear_cache`).
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_workspace(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::Workspace, name, id_out)
}

/// The id of the model named `name`: among all models the user can see when `workspace` is
/// NULL, otherwise within that workspace (id or name). A model id (32 uppercase hex digits) is
/// returned as is. Ownership, statuses and thread-safety as `anaplan_find_workspace`.
///
/// # Safety
/// `name` and `workspace` are NULL or NUL-terminated strings; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_model(
    client: *mut anaplan_client,
    name: *const c_char,
    workspace: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    with_client(client, |c| {
        // SAFETY: the caller guarantees `id_out` is NULL or writable.
        let out = unsafe { Out::new(id_out, "id_out") }?;
        // SAFETY: the caller guarantees `name` and `workspace` are NULL or NUL-terminated.
        let name = unsafe { str_arg(name, "name") }?;
        // SAFETY: as above.
        let workspace = unsafe { opt_str_arg(workspace, "workspace") }?;
        give_string(out, &c.resolve_model(name, workspace)?)
    })
}

/// The id of the file named `name` in the current model; a file id (`113…`, or `116…` for an
/// export's output) is returned as is. Once an export has run, its output file may share a name
/// with an import data source: the name is then `AMBIGUOUS` here (uploads by name choose the
/// data source). Ownership, statuses and thread-safety as `anaplan_find_workspace`, plus
/// `INVALID_ARGUMENT` when no model is set.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_file(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::File, name, id_out)
}

/// The id of the import named `name` in the current model; an import id (`112…`) is returned as
/// is. As `anaplan_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_import(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::Import, name, id_out)
}

/// The id of the export named `name` in the current model; an export id (`116…`) is returned as
/// is. As `anaplan_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_export(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::Export, name, id_out)
}

/// The id of the action named `name` in the current model; an action id (`117…`) is returned as
/// is. As `anaplan_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_action(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::Action, name, id_out)
}

/// The id of the process named `name` in the current model; a process id (`118…`) is returned
/// as is. As `anaplan_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_find_process(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(client, ObjectKind::Process, name, id_out)
}
