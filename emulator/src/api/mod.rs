//! The Integration API 2.0 (`/2/0/...`): envelope, errors, paging and the route handlers.

pub mod dumps;
pub mod files;
pub mod resources;
pub mod tasks;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use crate::state::now_ms;

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

/// `limit`/`offset` query parameters. Anaplan's default page size is 5000.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct PageQuery {
    pub limit: Option<String>,
    pub offset: Option<String>,
}

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

/// ISO-8601 UTC timestamp with milliseconds, e.g. `2026-07-14T13:55:12.198Z`.
pub fn iso_timestamp(ms: u64) -> String {
    let secs = (ms / 1000) as i64;
    let millis = ms % 1000;
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Anaplan's date-time form in user and model objects: `2018-12-04T18:18:48.000+0000`.
pub fn anaplan_datetime(ms: u64) -> String {
    iso_timestamp(ms).replace('Z', "+0000")
}

// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_are_iso_utc() {
        assert_eq!(iso_timestamp(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_timestamp(1_750_736_826_123), "2025-06-24T03:47:06.123Z");
        assert_eq!(anaplan_datetime(0), "1970-01-01T00:00:00.000+0000");
    }

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

/// The model a request is about, checked: the token is live, the user can see the model and,
/// in the workspace path form, the model is in that workspace. Anything else is a 404, the way
/// Anaplan masks models a user cannot access.
#[derive(Clone, Debug)]
pub struct ModelAccess {
    pub user_id: String,
    pub model_id: String,
    pub workspace_id: String,
    /// The request path, for error bodies.
    pub path: String,
    /// The path parameters of the whole route (`fileId`, `taskId`, ...).
    pub params: std::collections::HashMap<String, String>,
}

impl ModelAccess {
    /// A path parameter of the route.
    pub fn param(&self, name: &str) -> &str {
        self.params.get(name).map(String::as_str).unwrap_or("")
    }
}

impl axum::extract::FromRequestParts<crate::state::AppState> for ModelAccess {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, ApiError> {
        use axum::extract::Path;
        let authed = crate::auth::Authed::from_request_parts(parts, state).await?;
        // Nested routers see the URI with the matched prefix stripped; error bodies name the
        // whole request path, as Anaplan's do.
        let path = parts
            .extensions
            .get::<axum::extract::OriginalUri>()
            .map_or_else(|| parts.uri.path().to_string(), |o| o.0.path().to_string());
        let Path(params) =
            Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError::not_found(&path))?;
        let model_id = params.get("modelId").cloned().unwrap_or_default();
        let store = state.store();
        let user = store
            .user(&authed.user_id)
            .ok_or_else(|| ApiError::not_found(&path))?;
        let model = store
            .models_of(user)
            .find(|m| m.seed.id == model_id)
            .ok_or_else(|| ApiError::not_found(&path))?;
        if let Some(ws) = params.get("workspaceId") {
            if ws != &model.seed.workspace_id {
                return Err(ApiError::not_found(&path));
            }
        }
        Ok(ModelAccess {
            user_id: authed.user_id,
            workspace_id: model.seed.workspace_id.clone(),
            model_id,
            path,
            params,
        })
    }
}
