//! Definitions of imports, exports and processes as the metadata endpoints show them
//! (`GET …/imports/{importId}`, `…/exports/{exportId}`, `…/processes/{processId}` in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json). Each function returns the inner object (`importMetadata`, ...), or
//! `None` when the model has no such object.

use serde_json::{json, Value};

use super::{Model, StoredFile};
use crate::seed::SeedImport;

use super::csv::{Format, Source};
use super::export;

/// How much of a source file is read to find its header: enough for any real header row,
/// without copying a huge multi-chunk upload.
const HEADER_SCAN_BYTES: usize = 1024 * 1024;

/// `importMetadata` of an import.
pub fn import_metadata(model: &Model, id: &str) -> Option<Value> {
    let import = model.import(id)?;
    let file = model.files.get(&import.file_id);
    let meta = file.map(|f| f.meta.clone());
    let seed_file = model.seed.files.iter().find(|f| f.id == import.file_id);
    let text = |from_meta: Option<String>, from_seed: Option<&String>, default: &str| {
        from_meta
            .or_else(|| from_seed.cloned())
            .unwrap_or_else(|| default.to_string())
    };
    let encoding = text(
        meta.as_ref().and_then(|m| m.encoding.clone()),
        seed_file.map(|f| &f.encoding),
        "UTF-8",
    );
    let separator = text(
        meta.as_ref().and_then(|m| m.separator.clone()),
        seed_file.map(|f| &f.separator),
        ",",
    );
    let delimiter = text(
        meta.as_ref().and_then(|m| m.delimiter.clone()),
        seed_file.map(|f| &f.delimiter),
        "\"",
    );
    let header_row = meta.as_ref().map_or(1, |m| m.header_row);
    let first_data_row = meta.as_ref().map_or(2, |m| m.first_data_row);
    let headers = file
        .and_then(header_names)
        .unwrap_or_else(|| mapped_columns(import));
    Some(json!({
        "name": import.name,
        "type": "FILE",
        "source": {
            "textEncoding": encoding,
            "columnSeparator": separator,
            "textDelimiter": delimiter,
            "headerRow": header_row,
            "firstDataRow": first_data_row,
            "decimalSeparator": ".",
            "headerNames": headers,
            "columnCount": headers.len(),
        }
    }))
}

/// The column names of an uploaded file (unnamed ones as `Column N`), or `None` without content
/// or header row.
fn header_names(file: &StoredFile) -> Option<Vec<String>> {
    if file.meta.header_row < 1 || file.total_size() == 0 {
        return None;
    }
    let mut head = Vec::new();
    for chunk in file.present_chunks() {
        if head.len() >= HEADER_SCAN_BYTES {
            break;
        }
        head.extend_from_slice(chunk);
    }
    let format = Format::of_file(&file.meta);
    let source = Source::open(
        &head,
        format,
        file.meta.header_row,
        file.meta.first_data_row,
    );
    let names: Vec<String> = (0..source.headers.len())
        .map(|i| source.column_name(i))
        .collect();
    (!names.is_empty()).then_some(names)
}

/// The columns an import reads, in mapping order, for a file not uploaded yet.
fn mapped_columns(import: &SeedImport) -> Vec<String> {
    let m = &import.mapping;
    let mut cols: Vec<String> = Vec::new();
    let named = [&m.name, &m.code, &m.parent];
    let all = named
        .into_iter()
        .flatten()
        .chain(m.items.iter())
        .chain(m.properties.values())
        .chain(m.line_items.values());
    for c in all {
        if !cols.contains(c) {
            cols.push(c.clone());
        }
    }
    cols
}

/// `exportMetadata` of an export, describing the output it would write now.
pub fn export_metadata(model: &Model, id: &str) -> Option<Value> {
    let export = model.export(id)?;
    let table = export::table(&model.data, export).unwrap_or_default();
    Some(json!({
        "columnCount": table.headers.len(),
        "dataTypes": table.data_types,
        "delimiter": export.delimiter,
        "encoding": export.encoding,
        "exportFormat": export.export_format,
        "headerNames": table.headers,
        "listNames": table.list_names,
        "rowCount": table.rows.len(),
        "separator": export.separator,
        "layout": export.layout,
    }))
}

/// `processMetadata` of a process: its steps in execution order. `show_import_data_source` adds
/// the `importDataSource` object to import steps.
pub fn process_metadata(model: &Model, id: &str, show_import_data_source: bool) -> Option<Value> {
    let process = model.process(id)?;
    let actions: Vec<Value> = process
        .actions
        .iter()
        .filter_map(|step| step_metadata(model, step, show_import_data_source))
        .collect();
    Some(json!({"name": process.name, "actions": actions}))
}

fn step_metadata(model: &Model, id: &str, show_source: bool) -> Option<Value> {
    if let Some(i) = model.import(id) {
        let mut v = json!({
            "id": i.id,
            "name": i.name,
            "actionType": "IMPORT",
            "importDataSourceId": i.file_id,
            "importType": i.import_type,
        });
        if show_source {
            v["importDataSource"] = json!({"importDataSourceId": i.file_id, "type": "FILE"});
        }
        return Some(v);
    }
    if let Some(e) = model.export(id) {
        return Some(json!({
            "id": e.id,
            "name": e.name,
            "actionType": "EXPORT",
            "exportType": e.layout,
            "exportFormat": e.export_format,
            "layout": e.layout,
        }));
    }
    let a = model.action(id)?;
    Some(json!({"id": a.id, "name": a.name, "actionType": a.action_type}))
}
