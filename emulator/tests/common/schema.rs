//! Checks response bodies against the community OpenAPI spec of the Integration API and against
//! Anaplan Connect's recorded responses, both in `shared/reference/`.
//!
//! The reference folder is found through `ANAPLAN_SHARED_DIR` when set, else at `shared/` beside
//! the repository (where it is both on a developer machine and in CI).

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// The `shared/` folder.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("ANAPLAN_SHARED_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    }
}

fn read_json(relative: &str) -> Value {
    let path = shared_dir().join(relative);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "cannot read {} ({e}); set ANAPLAN_SHARED_DIR to the shared/ folder",
            path.display()
        )
    });
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
}

/// The Integration API spec with its OpenAPI 3.0 dialect turned into JSON Schema 2020-12.
pub fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let mut doc = read_json("reference/anaplan-openapi/integration-openapi.json");
        to_json_schema(&mut doc);
        doc
    })
}

/// OpenAPI 3.0 schema objects differ from JSON Schema in a few keywords:
/// - `nullable: true` becomes a `"null"` alternative in `type`;
/// - boolean `exclusiveMinimum`/`exclusiveMaximum` (draft 4) become the numeric form;
/// - the spec's `pattern`s are escaped twice (`\\.` where `\.` is meant), which would make them
///   reject every real e-mail address, so one level of escaping is removed.
fn to_json_schema(v: &mut Value) {
    match v {
        Value::Object(obj) => {
            if obj.remove("nullable") == Some(Value::Bool(true)) {
                if let Some(t) = obj.get("type").cloned() {
                    obj.insert("type".into(), json!([t, "null"]));
                }
            }
            for (flag, bound) in [
                ("exclusiveMinimum", "minimum"),
                ("exclusiveMaximum", "maximum"),
            ] {
                if let Some(Value::Bool(on)) = obj.get(flag).cloned() {
                    obj.remove(flag);
                    if on {
                        if let Some(b) = obj.remove(bound) {
                            obj.insert(flag.into(), b);
                        }
                    }
                }
            }
            if let Some(Value::String(p)) = obj.get_mut("pattern") {
                *p = p.replace("\\\\", "\\");
            }
            obj.values_mut().for_each(to_json_schema);
        }
        Value::Array(items) => items.iter_mut().for_each(to_json_schema),
        _ => {}
    }
}

/// Validates `value` against `schema`, a schema of the spec whose `$ref`s point into the spec's
/// `components`. Formats are not checked: Anaplan's own date-times (`…+0000`) are not RFC 3339.
fn validate(schema: &Value, value: &Value, what: &str) {
    let mut root = Map::new();
    root.insert("allOf".into(), json!([schema]));
    root.insert("components".into(), spec()["components"].clone());
    let validator = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(false)
        .build(&Value::Object(root))
        .unwrap_or_else(|e| panic!("schema of {what} does not compile: {e}"));
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| format!("{} at {}", e, e.instance_path))
        .collect();
    assert!(
        errors.is_empty(),
        "{what}: body does not match the OpenAPI schema:\n  {}\nbody: {value}",
        errors.join("\n  ")
    );
}

/// Asserts that `value` is valid against `components.schemas.<name>`.
pub fn assert_valid(name: &str, value: &Value) {
    let schema = &spec()["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name} in the spec");
    validate(
        &json!({"$ref": format!("#/components/schemas/{name}")}),
        value,
        name,
    );
}

/// Asserts that `value` is valid against the JSON response schema of `method path` with `status`
/// in the spec (`path` as the spec writes it, e.g. `/models/{modelId}/files`). This checks the
/// envelope too: `meta.schema` and the required paging fields.
pub fn assert_response(method: &str, path: &str, status: u16, value: &Value) {
    let op = &spec()["paths"][path][method.to_lowercase()];
    assert!(op.is_object(), "no {method} {path} in the spec");
    let schema = &op["responses"][status.to_string()]["content"]["application/json"]["schema"];
    assert!(
        schema.is_object(),
        "no JSON {status} response for {method} {path} in the spec"
    );
    validate(schema, value, &format!("{method} {path} {status}"));
}

/// Keys that a recorded response may show without the emulator having to: paging links depend
/// on the page (Anaplan sends `next` even when nothing follows; the emulator only when
/// something does).
const OPTIONAL_KEYS: &[&str] = &["next", "previous"];

/// Asserts that `value` has every key of the Anaplan Connect fixture `fixture` (file name without
/// `.json`), recursively, with the same JSON type. Extra keys in `value` are allowed: the
/// fixtures are trimmed recordings.
pub fn assert_same_shape(fixture: &str, value: &Value) {
    let recorded = read_json(&format!(
        "reference/anaplan-connect-fixtures/{fixture}.json"
    ));
    let mut problems = Vec::new();
    compare_shape(&recorded, value, "$", &mut problems);
    assert!(
        problems.is_empty(),
        "body differs in shape from fixture {fixture}:\n  {}\nbody: {value}",
        problems.join("\n  ")
    );
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn compare_shape(recorded: &Value, actual: &Value, at: &str, problems: &mut Vec<String>) {
    if type_name(recorded) != type_name(actual) {
        problems.push(format!(
            "{at}: {} in the fixture, {} here",
            type_name(recorded),
            type_name(actual)
        ));
        return;
    }
    match (recorded, actual) {
        (Value::Object(r), Value::Object(a)) => {
            for (k, rv) in r {
                match a.get(k) {
                    Some(av) => compare_shape(rv, av, &format!("{at}.{k}"), problems),
                    None if OPTIONAL_KEYS.contains(&k.as_str()) => {}
                    None => problems.push(format!("{at}.{k}: missing")),
                }
            }
        }
        // Every element is compared with the fixture's first: lists are uniform.
        (Value::Array(r), Value::Array(a)) => {
            if let Some(first) = r.first() {
                if a.is_empty() {
                    problems.push(format!("{at}: empty here, not in the fixture"));
                }
                for (i, av) in a.iter().enumerate() {
                    compare_shape(first, av, &format!("{at}[{i}]"), problems);
                }
            }
        }
        _ => {}
    }
}
