//! Imports from an uploaded file into a list (`HIERARCHY_DATA`) or a module (`MODULE_DATA`).
//!
//! Row outcomes (each data row of the file is exactly one of them):
//! * success: loaded without remark;
//! * warning (`W` in the dump): loaded, but part of it was dropped (an unknown parent);
//! * failed (`E` in the dump): rejected (no name, unknown item, invalid value, malformed record);
//! * ignored: blank rows (nothing but separators), skipped silently as Anaplan does.
//!
//! `hierarchyRowsProcessed` counts (values in the order of the recorded Anaplan responses):
//! * `successRowCount` = `successCreateCount` + `successUpdateCount` (rows without remark);
//! * `warningsRowCount` = `warningsCreateCount` + `warningsUpdateCount`;
//! * `failedCount`: rejected rows; `invalidCount` equals it (rows rejected as invalid);
//! * `ignoredCount`: blank rows;
//! * `totalRowCount` = success + warnings + failed + ignored (every data row);
//! * `totalCreateCount`/`createdCount`: items created; `totalUpdateCount`/`updatedCount`: items
//!   updated (success and warning rows together);
//! * `renamedCount`: updated items that were matched by code, whose name the row (re)wrote — the
//!   recorded Anaplan response counts every code-matched update as renamed.
//!
//! The message follows the recorded ones: `Employees: 90 (0/90) rows successful, 5 ignored ` when
//! every row loaded cleanly, and the CloudWorks form `…: 13 (0/13) rows successful, 0 (0/0) rows
//! has warnings, 2 failed, 0 ignored` (type `hierarchyRowsProcessedWithFailures`) otherwise; with
//! warnings but no failures the type is `hierarchyRowsProcessedWithWarnings` (inferred).
//!
//! Module imports report one entry per mapped line item, as recorded from Anaplan:
//! `lineItemRowsProcessed` (`Salary cells: 10`) or, when rows were not loaded,
//! `lineItemRowsProcessedWithIgnored` (`Salary cells: 10 (2 ignored)`). A row with an invalid
//! value is rejected as a whole.
//!
//! `successful` is false when the file has no content, a mapped column is missing, or every
//! non-blank row failed.

use bytes::Bytes;
use serde_json::Value;

use super::Model;
use crate::seed::{ImportMapping, SeedImport};

use super::csv::{Format, Record, Source};
use super::data::{ItemChange, ItemId, ModelData};
use super::details::{detail, failure, result};
use super::dump::{Dump, Status};
use super::values;

/// The error for a row whose key (item name) is empty, as Anaplan words it.
pub const NO_KEY: &str = "Error parsing key for this row; no values";
pub const INVALID_PARENT: &str = "Invalid parent";

/// Runs an import; returns the result and the failure dump, if any.
pub fn run(model: &mut Model, import: &SeedImport) -> (Value, Option<Bytes>) {
    let Some(file) = model.files.get(&import.file_id) else {
        return (no_data(import, &import.file_id), None);
    };
    if file.total_size() == 0 {
        return (no_data(import, &file.meta.name), None);
    }
    let content = file.content();
    let format = Format::of_file(&file.meta);
    let source = Source::open(
        &content,
        format,
        file.meta.header_row,
        file.meta.first_data_row,
    );
    let file_name = file.meta.name.clone();
    match import.import_type.as_str() {
        "HIERARCHY_DATA" => into_list(&mut model.data, import, &file_name, source),
        "MODULE_DATA" => into_module(&mut model.data, import, &file_name, source),
        other => (
            failure(
                &import.id,
                "unsupportedImportType",
                format!("Import type {other} is not supported by the emulator"),
                &[("importType", other.to_string())],
            ),
            None,
        ),
    }
}

fn no_data(import: &SeedImport, file: &str) -> Value {
    failure(
        &import.id,
        "noDataFile",
        format!("No data file has been uploaded for {file}"),
        &[("fileName", file.to_string())],
    )
}

fn missing_column(import: &SeedImport, file: &str, column: &str) -> Value {
    failure(
        &import.id,
        "missingColumn",
        format!("Column not found in {file}: {column}"),
        &[
            ("columnName", column.to_string()),
            ("fileName", file.to_string()),
        ],
    )
}

fn unknown_target(import: &SeedImport) -> Value {
    failure(
        &import.id,
        "unknownTarget",
        format!("Import target not found: {}", import.target),
        &[("targetName", import.target.clone())],
    )
}

fn column(source: &Source<'_>, name: &str) -> Result<usize, String> {
    source.column_index(name).ok_or_else(|| name.to_string())
}

struct ListColumns {
    name: usize,
    code: Option<usize>,
    parent: Option<usize>,
    properties: Vec<(String, usize)>,
}

impl ListColumns {
    fn resolve(source: &Source<'_>, mapping: &ImportMapping) -> Result<ListColumns, String> {
        let optional = |c: &Option<String>| c.as_deref().map(|c| column(source, c)).transpose();
        // Resolved in mapping order, so the error names the first missing column.
        let name = column(source, mapping.name.as_deref().unwrap_or("Name"))?;
        let code = optional(&mapping.code)?;
        let parent = optional(&mapping.parent)?;
        let mut properties = Vec::new();
        for (property, col) in &mapping.properties {
            properties.push((property.clone(), column(source, col)?));
        }
        Ok(ListColumns {
            name,
            code,
            parent,
            properties,
        })
    }
}

#[derive(Default, Debug, PartialEq, Eq)]
pub struct HierarchyCounts {
    pub success_create: u64,
    pub success_update: u64,
    pub warnings_create: u64,
    pub warnings_update: u64,
    pub failed: u64,
    pub ignored: u64,
    pub renamed: u64,
}

impl HierarchyCounts {
    fn loaded(&mut self, applied: &Applied) {
        let counter = match (applied.created, applied.warning.is_some()) {
            (true, false) => &mut self.success_create,
            (false, false) => &mut self.success_update,
            (true, true) => &mut self.warnings_create,
            (false, true) => &mut self.warnings_update,
        };
        *counter += 1;
        self.renamed += u64::from(applied.renamed);
    }

    fn success(&self) -> u64 {
        self.success_create + self.success_update
    }

    fn warnings(&self) -> u64 {
        self.warnings_create + self.warnings_update
    }

    fn detail(&self, list: &str) -> Value {
        let (success, warnings) = (self.success(), self.warnings());
        let created = self.success_create + self.warnings_create;
        let updated = self.success_update + self.warnings_update;
        let total = success + warnings + self.failed + self.ignored;
        let head = format!(
            "{list}: {success} ({}/{}) rows successful",
            self.success_create, self.success_update
        );
        let (kind, message) = if self.failed == 0 && warnings == 0 {
            (
                "hierarchyRowsProcessed",
                format!("{head}, {} ignored ", self.ignored),
            )
        } else {
            let kind = if self.failed > 0 {
                "hierarchyRowsProcessedWithFailures"
            } else {
                "hierarchyRowsProcessedWithWarnings"
            };
            let message = format!(
                "{head}, {warnings} ({}/{}) rows has warnings, {} failed, {} ignored",
                self.warnings_create, self.warnings_update, self.failed, self.ignored
            );
            (kind, message)
        };
        let n = |v: u64| v.to_string();
        detail(
            kind,
            message,
            &[
                ("hierarchyName", list.to_string()),
                ("successRowCount", n(success)),
                ("successCreateCount", n(self.success_create)),
                ("successUpdateCount", n(self.success_update)),
                ("warningsRowCount", n(warnings)),
                ("warningsCreateCount", n(self.warnings_create)),
                ("warningsUpdateCount", n(self.warnings_update)),
                ("failedCount", n(self.failed)),
                ("ignoredCount", n(self.ignored)),
                ("totalRowCount", n(total)),
                ("totalCreateCount", n(created)),
                ("totalUpdateCount", n(updated)),
                ("invalidCount", n(self.failed)),
                ("updatedCount", n(updated)),
                ("renamedCount", n(self.renamed)),
                ("createdCount", n(created)),
            ],
        )
    }
}

/// What loading one row did.
struct Applied {
    created: bool,
    renamed: bool,
    warning: Option<&'static str>,
}

fn into_list(
    data: &mut ModelData,
    import: &SeedImport,
    file: &str,
    mut source: Source<'_>,
) -> (Value, Option<Bytes>) {
    let Some(list) = data.list(&import.target) else {
        return (unknown_target(import), None);
    };
    let parent_list = list.parent_list.clone();
    let cols = match ListColumns::resolve(&source, &import.mapping) {
        Ok(c) => c,
        Err(col) => return (missing_column(import, file, &col), None),
    };
    let mut counts = HierarchyCounts::default();
    let mut dump = Dump::default();
    for record in source.by_ref() {
        if let Some(problem) = record.malformed {
            counts.failed += 1;
            dump.add(Status::Error, record, problem);
            continue;
        }
        if record.is_blank() {
            counts.ignored += 1;
            continue;
        }
        match list_row(data, &import.target, parent_list.as_deref(), &cols, &record) {
            Ok(applied) => {
                counts.loaded(&applied);
                if let Some(w) = applied.warning {
                    dump.add(Status::Warning, record, w);
                }
            }
            Err(message) => {
                counts.failed += 1;
                dump.add(Status::Error, record, message);
            }
        }
    }
    let loaded = counts.success() + counts.warnings();
    let successful = counts.failed == 0 || loaded > 0;
    let has_dump = !dump.is_empty();
    let details = vec![counts.detail(&import.target)];
    (
        result(&import.id, successful, has_dump, details),
        dump.finish(&source),
    )
}

/// The parent a row names: `Some(None)` for an empty value (top level), `Some(Some(id))` for a
/// known item, `None` when unknown (the row then loads without touching the parent).
fn row_parent(data: &ModelData, parent_list: Option<&str>, value: &str) -> Option<Option<ItemId>> {
    if value.is_empty() {
        return Some(None);
    }
    let list = data.list(parent_list?)?;
    list.find(value).map(Some)
}

/// Creates or updates the item a row describes. Items are matched by code when the row has one,
/// else by name.
fn list_row(
    data: &mut ModelData,
    target: &str,
    parent_list: Option<&str>,
    cols: &ListColumns,
    record: &Record,
) -> Result<Applied, String> {
    let name = record.field(cols.name).trim();
    if name.is_empty() {
        return Err(NO_KEY.into());
    }
    let code = cols
        .code
        .map(|c| record.field(c).trim())
        .filter(|c| !c.is_empty());
    let (parent, warning) = match cols.parent {
        None => (None, None),
        Some(c) => match row_parent(data, parent_list, record.field(c).trim()) {
            Some(p) => (Some(p), None),
            None => (None, Some(INVALID_PARENT)),
        },
    };
    let properties = cols
        .properties
        .iter()
        .map(|(p, c)| (p.clone(), record.field(*c).to_string()))
        .collect();
    let list = data
        .list_mut(target)
        .ok_or_else(|| format!("List not found: {target}"))?;
    let change = ItemChange {
        name: name.to_string(),
        code: code.map(str::to_string),
        parent,
        properties,
    };
    let by_code = code.and_then(|c| list.by_code(c));
    let matched = by_code.or_else(|| list.by_name(name));
    let Some(id) = matched else {
        list.create(ItemChange {
            parent: change.parent.or(Some(None)),
            ..change
        });
        return Ok(Applied {
            created: true,
            renamed: false,
            warning,
        });
    };
    if list.by_name(name).is_some_and(|other| other != id) {
        return Err(format!("Item name already in use: {name}"));
    }
    list.update(id, change);
    Ok(Applied {
        created: false,
        renamed: by_code.is_some(),
        warning,
    })
}

struct ModuleColumns {
    /// One (list name, column) per dimension.
    dims: Vec<(String, usize)>,
    /// (line item name, format, column), in the module's line-item order.
    line_items: Vec<(String, String, usize)>,
}

impl ModuleColumns {
    fn resolve(
        source: &Source<'_>,
        mapping: &ImportMapping,
        dimensions: &[String],
        line_items: &[crate::seed::SeedLineItem],
    ) -> Result<ModuleColumns, String> {
        let mut dims = Vec::new();
        for (list, col) in dimensions.iter().zip(&mapping.items) {
            dims.push((list.clone(), column(source, col)?));
        }
        let mut mapped = Vec::new();
        for li in line_items {
            if let Some(col) = mapping.line_items.get(&li.name) {
                mapped.push((li.name.clone(), li.format.clone(), column(source, col)?));
            }
        }
        Ok(ModuleColumns {
            dims,
            line_items: mapped,
        })
    }
}

fn into_module(
    data: &mut ModelData,
    import: &SeedImport,
    file: &str,
    mut source: Source<'_>,
) -> (Value, Option<Bytes>) {
    let Some(index) = data.modules.iter().position(|m| m.name == import.target) else {
        return (unknown_target(import), None);
    };
    let module = &data.modules[index];
    let resolved = ModuleColumns::resolve(
        &source,
        &import.mapping,
        &module.dimensions,
        &module.line_items,
    );
    let cols = match resolved {
        Ok(c) => c,
        Err(col) => return (missing_column(import, file, &col), None),
    };
    let (mut loaded, mut failed, mut ignored) = (0u64, 0u64, 0u64);
    let mut dump = Dump::default();
    for record in source.by_ref() {
        if let Some(problem) = record.malformed {
            failed += 1;
            dump.add(Status::Error, record, problem);
            continue;
        }
        if record.is_blank() {
            ignored += 1;
            continue;
        }
        match module_row(data, &cols, &record) {
            Ok((key, cells)) => {
                loaded += 1;
                data.modules[index]
                    .cells
                    .entry(key)
                    .or_default()
                    .extend(cells);
            }
            Err(message) => {
                failed += 1;
                dump.add(Status::Error, record, message);
            }
        }
    }
    let not_loaded = failed + ignored;
    let details = cols
        .line_items
        .iter()
        .map(|(name, _, _)| line_item_detail(name, loaded, not_loaded))
        .collect();
    let successful = failed == 0 || loaded > 0;
    let has_dump = !dump.is_empty();
    (
        result(&import.id, successful, has_dump, details),
        dump.finish(&source),
    )
}

fn line_item_detail(name: &str, loaded: u64, not_loaded: u64) -> Value {
    if not_loaded == 0 {
        detail(
            "lineItemRowsProcessed",
            format!("{name} cells: {loaded}"),
            &[
                ("lineItemName", name.into()),
                ("rowCount", loaded.to_string()),
            ],
        )
    } else {
        detail(
            "lineItemRowsProcessedWithIgnored",
            format!("{name} cells: {loaded} ({not_loaded} ignored)"),
            &[
                ("lineItemName", name.into()),
                ("rowCount", loaded.to_string()),
                ("ignoredCount", not_loaded.to_string()),
            ],
        )
    }
}

type Cells = Vec<(String, String)>;

/// The cell key and values of one module row, or the row's error.
fn module_row(
    data: &ModelData,
    cols: &ModuleColumns,
    record: &Record,
) -> Result<(Vec<ItemId>, Cells), String> {
    let mut key = Vec::with_capacity(cols.dims.len());
    for (list_name, col) in &cols.dims {
        let value = record.field(*col).trim();
        if value.is_empty() {
            return Err(NO_KEY.into());
        }
        let id = data
            .list(list_name)
            .and_then(|l| l.find(value))
            .ok_or_else(|| format!("Item not located in {list_name} list: {value}"))?;
        key.push(id);
    }
    let mut cells = Vec::with_capacity(cols.line_items.len());
    for (name, format, col) in &cols.line_items {
        cells.push((name.clone(), values::normalize(format, record.field(*col))?));
    }
    Ok((key, cells))
}
