//! `anaplan_list`: the objects a `anaplan_client_list_*` call fetched.

use std::ffi::c_char;

use super::status::anaplan_status;
use super::toolkit::boundary::{self, on};
use super::toolkit::error::FfiError;
use super::toolkit::handles::{self, HandleType};
use super::toolkit::params::out_param;
use super::toolkit::scalars;
use crate::client::listing::{Item, Listing};

/// A list of Anaplan objects (workspaces, models, files, imports, exports, actions or
/// processes), fetched whole when it was made: each item's id, name and JSON object.
///
/// Methods: `anaplan_list_count`, `anaplan_list_id`, `anaplan_list_name`,
/// `anaplan_list_item_json`, `anaplan_list_json`, `anaplan_list_free`. Made by the
/// `anaplan_client_list_*` functions.
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

/// The item at `index` of a listing; `OUT_OF_RANGE` past the end.
fn item_at(listing: &Listing, index: usize) -> Result<&Item, FfiError> {
    Ok(&listing.items()[scalars::index(index, listing.len(), "index")?])
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
    on(list, |l| {
        out_param!(count_out)?.write(l.len());
        Ok(())
    })
}

/// The id of the item at `index` (0 to count - 1).
///
/// Ownership: the caller frees `*id_out` with `anaplan_string_free`.
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
    on(list, |l| {
        let out = out_param!(id_out)?;
        out.write_string(&item_at(l, index)?.id)
    })
}

/// The name of the item at `index` (0 to count - 1).
///
/// Ownership: the caller frees `*name_out` with `anaplan_string_free`.
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
    on(list, |l| {
        let out = out_param!(name_out)?;
        out.write_string(&item_at(l, index)?.name)
    })
}

/// The item at `index` as a JSON object, exactly as Anaplan sent it (all its fields).
///
/// Ownership: the caller frees `*json_out` with `anaplan_string_free`.
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
    on(list, |l| {
        let out = out_param!(json_out)?;
        out.write_string(&item_at(l, index)?.json.to_string())
    })
}

/// The whole list as a JSON array of the objects as Anaplan sent them (`[]` when empty).
///
/// Ownership: the caller frees `*json_out` with `anaplan_string_free`.
/// Statuses: `OK`, `INVALID_HANDLE`, `NULL_ARGUMENT`. Thread-safety: lists are immutable.
///
/// # Safety
/// `json_out` is NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn anaplan_list_json(
    list: *const anaplan_list,
    json_out: *mut *mut c_char,
) -> anaplan_status {
    on(list, |l| out_param!(json_out)?.write_string(&l.json()))
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
    boundary::release(|| handles::free(list))
}
