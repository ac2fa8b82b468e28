//! Following a paged list to its end (schema `Paging` of emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).
//!
//! Pages are requested with `limit`/`offset` and the next offset comes from `meta.paging`
//! (`offset` + `currentPageSize`, until `totalSize`), not from the `next` link: Anaplan sends
//! `next` links with a page size the caller never asked for, even on the last page.

use serde_json::Value;

use super::error::{Error, Result};

/// Anaplan's largest (and default) page size.
pub(crate) const MAX_PAGE_SIZE: usize = super::bounds::PAGE_SIZE.max as usize;

/// Every item of the list at `path` (which may already carry a query), `page_size` at a time.
///
/// `get` fetches one URL path with its query and returns the JSON body. An empty list omits its
/// key; that is an empty page, not an error.
pub fn fetch_all(
    mut get: impl FnMut(&str) -> Result<Value>,
    path: &str,
    key: &str,
    page_size: usize,
) -> Result<Vec<Value>> {
    let page_size = page_size.clamp(1, MAX_PAGE_SIZE);
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut items = Vec::new();
    let mut offset = 0;
    loop {
        let url = format!("{path}{sep}limit={page_size}&offset={offset}");
        let mut body = get(&url)?;
        let page = take_page(&mut body, key, path)?;
        let received = page.len();
        items.extend(page);
        match next_offset(body.pointer("/meta/paging"), offset, received) {
            Some(next) => offset = next,
            None => return Ok(items),
        }
    }
}

/// Removes the list under `key` from a response body.
fn take_page(body: &mut Value, key: &str, path: &str) -> Result<Vec<Value>> {
    match body.get_mut(key).map(Value::take) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => Ok(items),
        Some(other) => Err(Error::Protocol {
            path: path.to_string(),
            message: format!("\"{key}\" is not a list but {}", kind_of(&other)),
        }),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// The offset of the next page, or `None` when this was the last one.
///
/// A response without paging metadata is the whole list. An empty page ends the walk even if
/// `totalSize` promises more (objects deleted while paging), and the next offset must move
/// forward, so a confused server cannot make this loop forever.
fn next_offset(paging: Option<&Value>, requested: usize, received: usize) -> Option<usize> {
    let paging = paging?;
    let number = |name: &str| paging.get(name).and_then(Value::as_u64).map(|n| n as usize);
    let total = number("totalSize")?;
    if received == 0 {
        return None;
    }
    let offset = number("offset").unwrap_or(requested);
    let next = offset + number("currentPageSize").unwrap_or(received);
    (next < total && next > requested).then_some(next)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// A fake server of `total` items `{"id": i}`, answering like the emulator and recording
    /// the URLs asked for.
    fn server(total: usize, urls: &mut Vec<String>) -> impl FnMut(&str) -> Result<Value> + '_ {
        move |url: &str| {
            urls.push(url.to_string());
            let q = |name: &str| -> usize {
                url.split(['?', '&'])
                    .find_map(|p| p.strip_prefix(&format!("{name}=")))
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0)
            };
            let (limit, offset) = (q("limit"), q("offset"));
            let page: Vec<Value> = (offset..total.min(offset + limit))
                .map(|i| json!({ "id": i }))
                .collect();
            let mut body = json!({"meta": {"paging": {
                "currentPageSize": page.len(), "offset": offset, "totalSize": total,
                // A misleading next link, as Anaplan sends: it must not be followed.
                "next": "https://api.anaplan.com/2/0/x?limit=20&offset=20"}}});
            if !page.is_empty() {
                body["items"] = Value::Array(page);
            }
            Ok(body)
        }
    }

    #[test]
    fn follows_pages_to_the_end_by_offset() {
        let mut urls = Vec::new();
        let items = fetch_all(server(7, &mut urls), "/x?tenantDetails=true", "items", 3).unwrap();
        let ids: Vec<u64> = items.iter().map(|v| v["id"].as_u64().unwrap()).collect();
        assert_eq!(ids, [0, 1, 2, 3, 4, 5, 6]);
        assert_eq!(
            urls,
            [
                "/x?tenantDetails=true&limit=3&offset=0",
                "/x?tenantDetails=true&limit=3&offset=3",
                "/x?tenantDetails=true&limit=3&offset=6"
            ]
        );
    }

    #[test]
    fn an_exact_multiple_needs_no_extra_request() {
        let mut urls = Vec::new();
        let items = fetch_all(server(6, &mut urls), "/x", "items", 3).unwrap();
        assert_eq!(items.len(), 6);
        assert_eq!(urls.len(), 2);
        assert_eq!(urls[0], "/x?limit=3&offset=0");
    }

    #[test]
    fn an_empty_list_omits_its_key() {
        let mut urls = Vec::new();
        let items = fetch_all(server(0, &mut urls), "/x", "items", 3).unwrap();
        assert!(items.is_empty());
        assert_eq!(urls.len(), 1);
    }

    #[test]
    fn a_response_without_paging_is_the_whole_list() {
        let items = fetch_all(
            |_: &str| Ok(json!({"items": [{"id": 1}, {"id": 2}]})),
            "/x",
            "items",
            1,
        )
        .unwrap();
        assert_eq!(items.len(), 2);
    }

    #[test]
    fn a_server_that_never_advances_cannot_loop() {
        let mut calls = 0;
        let get = |_: &str| {
            calls += 1;
            Ok(
                json!({"meta": {"paging": {"currentPageSize": 0, "offset": 0, "totalSize": 10}},
                      "items": [{"id": 1}]}),
            )
        };
        let items = fetch_all(get, "/x", "items", 5).unwrap();
        assert_eq!(items.len(), 1);
        assert_eq!(calls, 1);
    }

    #[test]
    fn a_list_that_is_not_a_list_is_a_protocol_error() {
        let err =
            fetch_all(|_: &str| Ok(json!({"items": {"id": 1}})), "/x", "items", 5).unwrap_err();
        assert!(matches!(err, Error::Protocol { .. }), "{err}");
        assert!(err
            .to_string()
            .contains("\"items\" is not a list but an object"));
    }

    #[test]
    fn page_size_is_kept_within_anaplans_limit() {
        let mut urls = Vec::new();
        fetch_all(server(1, &mut urls), "/x", "items", 100_000).unwrap();
        assert_eq!(urls[0], "/x?limit=5000&offset=0");
    }
}
