//! `anaplan_client_list_*`: the workspaces, models and model objects the user can see, as an
//! `anaplan_list` (paging is followed to the end).

use std::ffi::c_char;

use super::anaplan_client;
use crate::client::kind::ObjectKind;
use crate::client::listing::Listing;
use crate::client::Client;
use crate::ffi::list::anaplan_list;
use crate::ffi::status::*;
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::handles;
use crate::ffi::toolkit::params::{opt_str_param, out_param, Out};

/// Issues the list handle for C of a listing request.
fn issue_list(
    client: *const anaplan_client,
    out: Result<Out<*mut anaplan_list>, FfiError>,
    fetch: impl FnOnce(&Client) -> Result<Listing, FfiError>,
) -> anaplan_status {
    on(client, |c| {
        let out = out?;
        out.write(handles::issue(fetch(c)?)?);
        Ok(())
    })
}

/// The workspaces the signed-in user can see, with their size details.
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses: `OK`; `INVALID_HANDLE`, `NULL_ARGUMENT`, transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_workspaces(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| Ok(c.list_workspaces()?))
}

/// The models the signed-in user can see: all of them when `workspace` is NULL, otherwise those
/// of that workspace (given by id or name).
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses: `OK`; `NOT_FOUND`/`AMBIGUOUS` (the workspace name), `INVALID_HANDLE`,
/// `NULL_ARGUMENT`, `INVALID_UTF8`, transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `workspace` is NULL or a NUL-terminated string; `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_models(
    client: *mut anaplan_client,
    workspace: *const c_char,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_models(opt_str_param!(workspace)?)?)
    })
}

/// The files of the current model (import data sources, and the output files of exports that
/// have run, which share their export's id).
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses: `OK`; `INVALID_ARGUMENT` (no model set), `INVALID_HANDLE`, `NULL_ARGUMENT`,
/// transport/HTTP/`PROTOCOL` statuses.
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_files(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_in_model(ObjectKind::File)?)
    })
}

/// The imports of the current model. Each item's JSON has `importDataSourceId`, the file to
/// upload to before running the import.
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses and thread-safety as `anaplan_client_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_imports(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_in_model(ObjectKind::Import)?)
    })
}

/// The exports of the current model.
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses and thread-safety as `anaplan_client_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_exports(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_in_model(ObjectKind::Export)?)
    })
}

/// The actions (deletes, sorts...) of the current model.
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses and thread-safety as `anaplan_client_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_actions(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_in_model(ObjectKind::Action)?)
    })
}

/// The processes of the current model.
///
/// Ownership: the caller frees `*list_out` with `anaplan_list_free`.
/// Statuses and thread-safety as `anaplan_client_list_files`.
///
/// # Safety
/// `list_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_list_processes(
    client: *mut anaplan_client,
    list_out: *mut *mut anaplan_list,
) -> anaplan_status {
    issue_list(client, out_param!(list_out), |c| {
        Ok(c.list_in_model(ObjectKind::Process)?)
    })
}
