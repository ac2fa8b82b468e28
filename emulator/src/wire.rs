//! The wire shapes every HTTP layer shares: Anaplan's error body, the response envelope and
//! paging (`meta.paging`), as the recorded responses in `tests/fixtures/` show them.

use axum::extract::Request;
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::clock::{iso_timestamp, now_ms};

/// An error in Anaplan's Integration API shape:
/// `{"status":{"code":404,"message":"Not Found"},"path":"/2/0/...","timestamp":"..."}`.
#[derive(Debug)]
pub struct ApiError {
    pub code: StatusCode,
    pub message: String,
    pub path: String,
}

impl ApiError {
    pub fn new(code: StatusCode, message: impl Into<String>, path: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            path: path.into(),
        }
    }
    pub fn not_found(path: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "Not Found", path)
    }
    pub fn bad_request(message: impl Into<String>, path: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, message, path)
    }
    pub fn unauthorized(path: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "Unauthorized", path)
    }
    pub fn method_not_allowed(path: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed", path)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": {"code": self.code.as_u16(), "message": self.message},
            "path": self.path,
            "timestamp": iso_timestamp(now_ms()),
        });
        (
            self.code,
            [(header::CONTENT_TYPE, "application/json")],
            body.to_string(),
        )
            .into_response()
    }
}

/// Every error answer in Anaplan's JSON shape, whatever made it: an extractor's rejection (a
/// query string, a path or a body that cannot be read) answers `text/plain` otherwise. The
/// status stays; the plain text becomes the message.
pub async fn json_errors(req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(res.status().is_client_error() || res.status().is_server_error()) || is_json {
        return res;
    }
    let code = res.status();
    // Rejections are one short line; anything longer is not worth quoting.
    let text = axum::body::to_bytes(res.into_body(), 4096)
        .await
        .ok()
        .and_then(|b| String::from_utf8(b.to_vec()).ok())
        .filter(|t| !t.trim().is_empty());
    let message = text.unwrap_or_else(|| code.canonical_reason().unwrap_or("Error").to_string());
    ApiError::new(code, message.trim().to_string(), path).into_response()
}

/// `{"meta":{"schema":...},"status":{"code":200,"message":"Success"},"<key>":<value>}`.
pub fn envelope(schema: &str, key: &str, value: Value) -> Value {
    let mut obj = Map::new();
    obj.insert("meta".into(), json!({ "schema": schema }));
    obj.insert("status".into(), json!({"code": 200, "message": "Success"}));
    obj.insert(key.into(), value);
    Value::Object(obj)
}

/// A 200 JSON response.
pub fn json_ok(value: Value) -> Response {
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        value.to_string(),
    )
        .into_response()
}

/// The `meta.schema` URL of an object type, e.g. `.../2/0/models/{m}/objects/file`.
pub fn schema_url(api_base: &str, model_id: Option<&str>, object: &str) -> String {
    match model_id {
        Some(m) => format!("{api_base}/2/0/models/{m}/objects/{object}"),
        None => format!("{api_base}/2/0/objects/{object}"),
    }
}

/// Anaplan's default page size.
pub const DEFAULT_PAGE_SIZE: usize = 5000;

/// Cuts one page out of `items` and writes the list envelope with `meta.paging`
/// (`previous` only when offset > 0, `next` only when more remain; the key is omitted when empty,
/// as Anaplan does for empty collections).
pub fn paged(
    items: Vec<Value>,
    limit: Option<&str>,
    offset: Option<&str>,
    self_url: &str,
    schema: &str,
    key: &str,
    path: &str,
) -> Result<Value, ApiError> {
    let parse = |v: Option<&str>, name: &str, default: usize| -> Result<usize, ApiError> {
        match v {
            None | Some("") => Ok(default),
            Some(s) => s.parse::<usize>().map_err(|_| {
                ApiError::bad_request(format!("Invalid value for '{name}': '{s}'"), path)
            }),
        }
    };
    let limit = parse(limit, "limit", DEFAULT_PAGE_SIZE)?;
    let offset = parse(offset, "offset", 0)?;
    if limit == 0 {
        return Err(ApiError::bad_request(
            "Invalid value for 'limit': must be greater than 0",
            path,
        ));
    }
    let total = items.len();
    let page: Vec<Value> = items.into_iter().skip(offset).take(limit).collect();
    let mut paging = Map::new();
    paging.insert("currentPageSize".into(), json!(page.len()));
    paging.insert("offset".into(), json!(offset));
    paging.insert("totalSize".into(), json!(total));
    let sep = if self_url.contains('?') { '&' } else { '?' };
    if offset + page.len() < total {
        paging.insert(
            "next".into(),
            json!(format!(
                "{self_url}{sep}limit={limit}&offset={}",
                offset + limit
            )),
        );
    }
    if offset > 0 {
        paging.insert(
            "previous".into(),
            json!(format!(
                "{self_url}{sep}limit={limit}&offset={}",
                offset.saturating_sub(limit)
            )),
        );
    }
    let mut obj = Map::new();
    obj.insert(
        "meta".into(),
        json!({"paging": Value::Object(paging), "schema": schema}),
    );
    obj.insert("status".into(), json!({"code": 200, "message": "Success"}));
    if !page.is_empty() {
        obj.insert(key.into(), Value::Array(page));
    }
    Ok(Value::Object(obj))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paging_cuts_pages_and_links_them() {
        let items: Vec<Value> = (0..5).map(|i| json!({ "id": i })).collect();
        let v = paged(
            items.clone(),
            Some("2"),
            Some("2"),
            "http://h/x",
            "s",
            "things",
            "/x",
        )
        .unwrap();
        assert_eq!(v["meta"]["paging"]["currentPageSize"], 2);
        assert_eq!(v["meta"]["paging"]["totalSize"], 5);
        assert_eq!(v["things"][0]["id"], 2);
        assert_eq!(v["meta"]["paging"]["next"], "http://h/x?limit=2&offset=4");
        assert_eq!(
            v["meta"]["paging"]["previous"],
            "http://h/x?limit=2&offset=0"
        );
        let empty = paged(vec![], None, None, "http://h/x", "s", "things", "/x").unwrap();
        assert!(empty.get("things").is_none());
        assert!(paged(items, Some("x"), None, "u", "s", "k", "/x").is_err());
    }
}
