//! `anaplan_client_find_*`: the id of an object from its name (or its id, returned as is).

use std::ffi::c_char;

use super::anaplan_client;
use crate::client::kind::ObjectKind;
use crate::ffi::status::*;
use crate::ffi::toolkit::boundary::on;
use crate::ffi::toolkit::error::FfiError;
use crate::ffi::toolkit::params::{opt_str_param, out_param, str_param, Out};

/// The id of an object of `kind` from its id or name, written to `out`.
fn find(
    client: *const anaplan_client,
    kind: ObjectKind,
    name: Result<&str, FfiError>,
    out: Result<Out<*mut c_char>, FfiError>,
) -> anaplan_status {
    on(client, |c| {
        let out = out?;
        out.write_string(&c.resolve(kind, name?)?)
    })
}

/// The id of the workspace named `name` (exact, case-sensitive match) among those the user can
/// see. A workspace id (32 lowercase hex digits) is returned as is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses: `OK`; `NOT_FOUND` (the last error says where it looked, and names objects whose
/// names differ only in case), `AMBIGUOUS` (the last error lists every candidate's name and
/// id), `INVALID_HANDLE`, `NULL_ARGUMENT`, `INVALID_UTF8`, transport/HTTP/`PROTOCOL` statuses.
/// Lookups are cached per connection (see `anaplan_client_clear_cache`).
/// Thread-safety: the client is thread-safe.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_workspace(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::Workspace,
        str_param!(name),
        out_param!(id_out),
    )
}

/// The id of the model named `name`: among all models the user can see when `workspace` is
/// NULL, otherwise within that workspace (id or name). A model id (32 uppercase hex digits) is
/// returned as is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_workspace`.
///
/// # Safety
/// `name` and `workspace` are NULL or NUL-terminated strings; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_model(
    client: *mut anaplan_client,
    name: *const c_char,
    workspace: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    on(client, |c| {
        let out = out_param!(id_out)?;
        let id = c.resolve_model(str_param!(name)?, opt_str_param!(workspace)?)?;
        out.write_string(&id)
    })
}

/// The id of the file named `name` in the current model; a file id (`113…`, or `116…` for an
/// export's output) is returned as is. Once an export has run, its output file may share a name
/// with an import data source: the name is then `AMBIGUOUS` here (uploads by name choose the
/// data source).
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_workspace`, plus `INVALID_ARGUMENT` when
/// no model is set.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_file(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::File,
        str_param!(name),
        out_param!(id_out),
    )
}

/// The id of the import named `name` in the current model; an import id (`112…`) is returned as
/// is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_import(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::Import,
        str_param!(name),
        out_param!(id_out),
    )
}

/// The id of the export named `name` in the current model; an export id (`116…`) is returned as
/// is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_export(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::Export,
        str_param!(name),
        out_param!(id_out),
    )
}

/// The id of the action named `name` in the current model; an action id (`117…`) is returned as
/// is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_action(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::Action,
        str_param!(name),
        out_param!(id_out),
    )
}

/// The id of the process named `name` in the current model; a process id (`118…`) is returned
/// as is.
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
/// Statuses and thread-safety as `anaplan_client_find_file`.
///
/// # Safety
/// `name` is NULL or a NUL-terminated string; `id_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_client_find_process(
    client: *mut anaplan_client,
    name: *const c_char,
    id_out: *mut *mut c_char,
) -> anaplan_status {
    find(
        client,
        ObjectKind::Process,
        str_param!(name),
        out_param!(id_out),
    )
}
