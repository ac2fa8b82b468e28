//! Failure dumps (the `…/dump/chunks/{chunkId}` answer in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json): the rows an import rejected or loaded with a warning.
//!
//! Format: a header `"_Status_"`, the source columns (header names; unnamed or extra columns are
//! `Column N`), `"_Line_"`, `"_Error_1_"`; then one row per failed (`E`) or warned (`W`) source row
//! with its fields as read. Every field is double-quoted with `"` doubled.
//!
//! Lines end with LF, not CRLF: Anaplan's servers run on Linux JVMs, the published dump samples
//! show no carriage returns, and every CSV reader (including Excel and Python's `csv`) accepts
//! LF, while a CR could end up inside the last field for naive line splitters.

use bytes::Bytes;

use super::csv::{write_quoted_row, Record, Source};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Error,
    Warning,
}

impl Status {
    fn letter(self) -> &'static str {
        match self {
            Status::Error => "E",
            Status::Warning => "W",
        }
    }
}

struct DumpRow {
    status: Status,
    record: Record,
    message: String,
}

/// Collects dump rows while an import runs. Rows are kept until the end because the header must
/// cover the widest row.
#[derive(Default)]
pub struct Dump {
    rows: Vec<DumpRow>,
    width: usize,
}

impl Dump {
    pub fn add(&mut self, status: Status, record: Record, message: impl Into<String>) {
        self.width = self.width.max(record.fields.len());
        self.rows.push(DumpRow {
            status,
            record,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// The dump CSV, or `None` when no row failed or warned.
    pub fn finish(self, source: &Source<'_>) -> Option<Bytes> {
        if self.rows.is_empty() {
            return None;
        }
        let width = self.width.max(source.headers.len());
        let mut out = Vec::new();
        let mut header = vec!["_Status_".to_string()];
        header.extend((0..width).map(|i| source.column_name(i)));
        header.push("_Line_".into());
        header.push("_Error_1_".into());
        write_quoted_row(&mut out, header.iter().map(String::as_str));
        for row in &self.rows {
            let line = row.record.line.to_string();
            let fields = (0..width).map(|i| row.record.field(i));
            let all = std::iter::once(row.status.letter())
                .chain(fields)
                .chain([line.as_str(), row.message.as_str()]);
            write_quoted_row(&mut out, all);
        }
        Some(Bytes::from(out))
    }
}
