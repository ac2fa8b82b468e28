//! Exports: a list or module written as delimited text into the file that carries the export's id.
//!
//! List exports have the columns Anaplan gives them: the list itself (headed by the list name),
//! `Parent` (for a list in a hierarchy), `Code`, then the properties. Module exports in
//! `TABULAR_MULTI_COLUMN` layout have one column per dimension (headed by the list name) then one
//! per line item; `TABULAR_SINGLE_COLUMN` has the dimensions, `Line Items` and the value.

use bytes::Bytes;
use serde_json::Value;

use super::{FileMeta, Model, StoredFile};
use crate::seed::SeedExport;

use super::csv::{one_char, write_row, Encoding};
use super::data::{ListData, ModelData, ModuleData};
use super::details::{detail, failure, result};

/// Export output is split into chunks of at most this size (Anaplan serves large exports in
/// chunks; clients must concatenate them).
pub const CHUNK_BYTES: usize = 10 * 1024 * 1024;

pub const SINGLE_COLUMN: &str = "TABULAR_SINGLE_COLUMN";

/// The rows an export produces, with the column descriptions its metadata reports.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    pub data_types: Vec<String>,
    pub list_names: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn column(&mut self, header: &str, data_type: &str, list: &str) {
        self.headers.push(header.into());
        self.data_types.push(data_type.into());
        self.list_names.push(list.into());
    }
}

/// The table of an export, or `None` when its source is neither a list nor a module.
pub fn table(data: &ModelData, export: &SeedExport) -> Option<Table> {
    if let Some(list) = data.list(&export.source) {
        return Some(list_table(data, list));
    }
    let module = data.module(&export.source)?;
    Some(if export.layout == SINGLE_COLUMN {
        module_single_column(data, module)
    } else {
        module_multi_column(data, module)
    })
}

fn list_table(data: &ModelData, list: &ListData) -> Table {
    let mut t = Table::default();
    let parent_list = list.parent_list.as_deref().and_then(|p| data.list(p));
    t.column(&list.name, "ENTITY", &list.name);
    if let Some(p) = parent_list {
        t.column("Parent", "ENTITY", &p.name);
    }
    t.column("Code", "TEXT", "");
    for p in &list.properties {
        t.column(p, "TEXT", "");
    }
    for item in list.items() {
        let mut row = vec![item.name.clone()];
        if let Some(p) = parent_list {
            let parent = item.parent.and_then(|id| p.get(id));
            row.push(parent.map(|i| i.name.clone()).unwrap_or_default());
        }
        row.push(item.code.clone().unwrap_or_default());
        for prop in &list.properties {
            row.push(item.properties.get(prop).cloned().unwrap_or_default());
        }
        t.rows.push(row);
    }
    t
}

/// The item names of a cell key; `None` if an item no longer exists.
fn key_names(data: &ModelData, module: &ModuleData, key: &[u64]) -> Option<Vec<String>> {
    module
        .dimensions
        .iter()
        .zip(key)
        .map(|(dim, id)| data.list(dim)?.get(*id).map(|i| i.name.clone()))
        .collect()
}

fn module_multi_column(data: &ModelData, module: &ModuleData) -> Table {
    let mut t = Table::default();
    for dim in &module.dimensions {
        t.column(dim, "ENTITY", dim);
    }
    for li in &module.line_items {
        t.column(&li.name, &li.format, "");
    }
    for (key, cells) in &module.cells {
        let Some(mut row) = key_names(data, module, key) else {
            continue;
        };
        for li in &module.line_items {
            row.push(cells.get(&li.name).cloned().unwrap_or_default());
        }
        t.rows.push(row);
    }
    t
}

fn module_single_column(data: &ModelData, module: &ModuleData) -> Table {
    let mut t = Table::default();
    for dim in &module.dimensions {
        t.column(dim, "ENTITY", dim);
    }
    t.column("Line Items", "ENTITY", "Line Items");
    t.column(&module.name, "MIXED", "");
    for (key, cells) in &module.cells {
        let Some(names) = key_names(data, module, key) else {
            continue;
        };
        for li in &module.line_items {
            if let Some(v) = cells.get(&li.name) {
                let mut row = names.clone();
                row.push(li.name.clone());
                row.push(v.clone());
                t.rows.push(row);
            }
        }
    }
    t
}

/// The export's bytes: a header row then the rows, in the export's separator and encoding.
pub fn render(table: &Table, export: &SeedExport) -> Vec<u8> {
    let separator = one_char(&export.separator).unwrap_or(',');
    let quote = one_char(&export.delimiter);
    let mut text = String::new();
    write_row(
        &mut text,
        table.headers.iter().map(String::as_str),
        separator,
        quote,
    );
    for row in &table.rows {
        write_row(&mut text, row.iter().map(String::as_str), separator, quote);
    }
    Encoding::from_label(&export.encoding).encode(&text)
}

/// Splits content into chunks of at most `max` bytes, cutting after a line end when there is one.
pub fn chunks(content: &[u8], max: usize) -> Vec<Bytes> {
    let max = max.max(1);
    let mut out = Vec::new();
    let mut rest = content;
    while rest.len() > max {
        let cut = rest[..max]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(max, |i| i + 1);
        out.push(Bytes::copy_from_slice(&rest[..cut]));
        rest = &rest[cut..];
    }
    if !rest.is_empty() || out.is_empty() {
        out.push(Bytes::copy_from_slice(rest));
    }
    out
}

/// Runs an export: writes the output file (id = export id) and returns the task result.
pub fn run(model: &mut Model, export: &SeedExport) -> Value {
    let Some(table) = table(&model.data, export) else {
        return failure(
            &export.id,
            "unknownSource",
            format!("Export source not found: {}", export.source),
            &[("sourceName", export.source.clone())],
        );
    };
    let content = render(&table, export);
    let size = content.len();
    let parts = chunks(&content, CHUNK_BYTES);
    let meta = FileMeta {
        id: export.id.clone(),
        name: export.name.clone(),
        chunk_count: i64::try_from(parts.len()).unwrap_or(i64::MAX),
        delimiter: None,
        encoding: None,
        first_data_row: 0,
        format: None,
        header_row: 0,
        separator: None,
    };
    let file = StoredFile {
        meta,
        chunks: parts.into_iter().map(Some).collect(),
    };
    model.files.insert(export.id.clone(), file);
    let message = format!(
        "{}: {} rows exported ({size} bytes)",
        export.name,
        table.rows.len()
    );
    let values = [
        ("fileSize", size.to_string()),
        ("exportName", export.name.clone()),
    ];
    result(
        &export.id,
        true,
        false,
        vec![detail("exportSucceeded", message, &values)],
    )
}
