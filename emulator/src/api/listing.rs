//! What the list routes share: their query parameters (`sort`, `tenantDetails`, ...), the order
//! of their items and the page they answer with.

use std::cmp::Ordering;
use std::collections::HashMap;

use axum::extract::Query;
use axum::http::Uri;
use axum::response::Response;
use serde_json::Value;

use crate::state::AppState;
use crate::wire::{json_ok, paged, schema_url, ApiError};

/// The query parameters of a request. A query string that cannot be decoded is a 400.
pub fn query(uri: &Uri) -> Result<HashMap<String, String>, ApiError> {
    Query::<HashMap<String, String>>::try_from_uri(uri)
        .map(|q| q.0)
        .map_err(|e| ApiError::bad_request(e.body_text(), uri.path()))
}

/// A boolean query flag such as `tenantDetails=true`. Anaplan Connect sends `True`, so the
/// comparison ignores case; any other value means false.
pub fn flag(q: &HashMap<String, String>, name: &str) -> bool {
    q.get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

/// The query string of `uri` without `limit` and `offset` (with its `?`), so that paging links
/// keep the caller's other parameters (`modelDetails`, `sort`...) without repeating the paging ones.
fn other_params(uri: &Uri) -> String {
    let kept: Vec<&str> = uri
        .query()
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .filter(|p| {
            let key = p.split('=').next().unwrap_or("");
            key != "limit" && key != "offset"
        })
        .collect();
    if kept.is_empty() {
        String::new()
    } else {
        format!("?{}", kept.join("&"))
    }
}

/// One page of `items` in the list envelope, with `limit`/`offset` from the request and paging
/// links pointing back at the request's own path.
pub fn list_page(
    state: &AppState,
    uri: &Uri,
    model_id: Option<&str>,
    object: &str,
    key: &str,
    items: Vec<Value>,
) -> Result<Response, ApiError> {
    let q = query(uri)?;
    let api = state.urls().api;
    let self_url = format!("{api}{}{}", uri.path(), other_params(uri));
    paged(
        items,
        q.get("limit").map(String::as_str),
        q.get("offset").map(String::as_str),
        &self_url,
        &schema_url(&api, model_id, object),
        key,
        uri.path(),
    )
    .map(json_ok)
}

/// Applies `?sort=+field,-field2` to `items`.
///
/// `allowed` lists the fields of the lists that validate their sort (users, workspaces, models):
/// there a term without its `+`/`-` or with another field is a 400, as Anaplan answers. Model
/// resource lists do not validate (`allowed` is `None`); a sort they cannot read is ignored.
/// A `+` in a query string decodes to a space, so a leading space counts as `+`.
pub fn sort_items(
    items: &mut [Value],
    spec: Option<&String>,
    allowed: Option<&[&str]>,
    path: &str,
) -> Result<(), ApiError> {
    let Some(spec) = spec.filter(|s| !s.is_empty()) else {
        return Ok(());
    };
    let mut keys: Vec<(String, bool)> = Vec::new();
    for term in spec.split(',') {
        let descending = match term.chars().next() {
            Some('-') => Some(true),
            Some('+') | Some(' ') => Some(false),
            _ => None,
        };
        let field = term.get(1..).unwrap_or("");
        let known = allowed.is_none_or(|fields| fields.contains(&field));
        match descending {
            Some(d) if known && !field.is_empty() => keys.push((field.to_string(), d)),
            _ if allowed.is_some() => {
                let shown = spec.replace(' ', "+");
                return Err(ApiError::bad_request(
                    format!("Bad sort order format: '{shown}'. Please follow (-){{column_name_1}},(+){{column_name_2}}.. format"),
                    path,
                ));
            }
            _ => return Ok(()),
        }
    }
    items.sort_by(|a, b| {
        keys.iter()
            .map(|(field, descending)| {
                let o = compare_values(&a[field.as_str()], &b[field.as_str()]);
                if *descending {
                    o.reverse()
                } else {
                    o
                }
            })
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    });
    Ok(())
}

/// Orders JSON scalars: strings ignoring case first, numbers numerically, booleans false first;
/// missing values sort before present ones.
fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::String(x), Value::String(y)) => x
            .to_lowercase()
            .cmp(&y.to_lowercase())
            .then_with(|| x.cmp(y)),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or(0.0)
            .total_cmp(&y.as_f64().unwrap_or(0.0)),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => a.to_string().cmp(&b.to_string()),
    }
}
