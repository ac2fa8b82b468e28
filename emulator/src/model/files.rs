//! The files of a model: their metadata as the API shows it, and their chunks.

use bytes::Bytes;
use serde::Serialize;

use crate::seed::SeedFile;

/// Metadata of a file as the API shows it. Optional fields are omitted when absent, the way
/// export output files carry fewer fields than import data sources.
#[derive(Clone, Debug, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct FileMeta {
    pub id: String,
    pub name: String,
    pub chunk_count: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    pub first_data_row: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    pub header_row: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub separator: Option<String>,
}

impl FileMeta {
    pub fn from_seed(f: &SeedFile) -> FileMeta {
        FileMeta {
            id: f.id.clone(),
            name: f.name.clone(),
            chunk_count: 0,
            delimiter: Some(f.delimiter.clone()),
            encoding: Some(f.encoding.clone()),
            first_data_row: f.first_data_row,
            format: Some(f.format.clone()),
            header_row: f.header_row,
            separator: Some(f.separator.clone()),
        }
    }
}

/// A file of a model: its metadata and its chunks. A chunk slot is `None` until uploaded.
#[derive(Clone, Debug)]
pub struct StoredFile {
    pub meta: FileMeta,
    pub chunks: Vec<Option<Bytes>>,
}

impl StoredFile {
    pub fn new(meta: FileMeta) -> StoredFile {
        StoredFile {
            meta,
            chunks: Vec::new(),
        }
    }

    /// A file holding `content` as one chunk (seeded data, export output).
    pub fn with_content(mut meta: FileMeta, content: Bytes) -> StoredFile {
        meta.chunk_count = 1;
        StoredFile {
            meta,
            chunks: vec![Some(content)],
        }
    }

    /// True when the file has content that can be downloaded.
    pub fn has_content(&self) -> bool {
        self.meta.chunk_count != 0 && self.chunks.iter().any(Option::is_some)
    }

    /// The uploaded chunks in id order (slots never uploaded are skipped).
    pub fn present_chunks(&self) -> impl Iterator<Item = &Bytes> {
        self.chunks.iter().flatten()
    }

    /// The whole content, chunks concatenated in order.
    pub fn content(&self) -> Bytes {
        let mut present = self.present_chunks();
        match (present.next(), present.next()) {
            (None, _) => Bytes::new(),
            (Some(only), None) => only.clone(),
            _ => {
                let total = self.present_chunks().map(Bytes::len).sum();
                let mut out = Vec::with_capacity(total);
                for c in self.present_chunks() {
                    out.extend_from_slice(c);
                }
                Bytes::from(out)
            }
        }
    }

    pub fn total_size(&self) -> usize {
        self.present_chunks().map(Bytes::len).sum()
    }
}

/// Whether two chunk lists hold the very same buffers (cheap: compares pointers, not bytes).
pub(super) fn chunks_identical(a: &[Option<Bytes>], b: &[Option<Bytes>]) -> bool {
    a.len() == b.len()
        && a.iter().zip(b).all(|(x, y)| match (x, y) {
            (Some(x), Some(y)) => x.as_ptr() == y.as_ptr() && x.len() == y.len(),
            (None, None) => true,
            _ => false,
        })
}
