//! The ranges of the numeric settings, each declared once with the one message a value outside it
//! gets. The C boundary checks its `int32_t` arguments against the same bounds before narrowing
//! them, so `-1`, `0` and `51` megabytes read alike wherever they are refused.

use super::error::{Error, Result};

/// A setting's allowed values `min..=max`, the unit its values are written with, and why.
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// The setting, as messages name it ("chunk size").
    pub what: &'static str,
    /// Written after the value (" MB"), or "".
    pub unit: &'static str,
    pub min: u64,
    pub max: u64,
    /// The allowed range in words, for the message.
    pub range: &'static str,
}

impl Bounds {
    /// `value` when it is in range, else `OutOfRange` with this setting's message. Takes any
    /// integer a caller can pass (negative ones from C included) so no conversion comes first.
    pub fn check(&self, value: i128) -> Result<u64> {
        u64::try_from(value)
            .ok()
            .filter(|v| (self.min..=self.max).contains(v))
            .ok_or_else(|| {
                Error::out_of_range(format!(
                    "{} {value}{} is out of range: {}",
                    self.what, self.unit, self.range
                ))
            })
    }

    /// [`Bounds::check`] for settings kept as `usize` (the bounds are far below `usize::MAX`).
    pub fn check_usize(&self, value: i128) -> Result<usize> {
        self.check(value).map(|v| v as usize)
    }

    /// [`Bounds::check`] for settings kept as `u32`.
    pub fn check_u32(&self, value: i128) -> Result<u32> {
        self.check(value).map(|v| v as u32)
    }
}

/// One megabyte as Anaplan counts chunk sizes.
pub(crate) const MB: u64 = 1_000_000;

/// Upload chunk size in bytes: Anaplan takes chunks of 1 to 50 MB.
pub const CHUNK_SIZE: Bounds = Bounds {
    what: "chunk size",
    unit: " bytes",
    min: MB,
    max: 50 * MB,
    range: "Anaplan takes chunks of 1 to 50 MB (1000000 to 50000000 bytes)",
};

/// The same in megabytes, as the C API and Anaplan Connect's `-chunksize` take it.
pub const CHUNK_SIZE_MB: Bounds = Bounds {
    what: "chunk size",
    unit: " MB",
    min: 1,
    max: 50,
    range: "Anaplan takes chunks of 1 to 50 MB",
};

/// Chunks in flight at once, for uploads and downloads.
pub const PARALLELISM: Bounds = Bounds {
    what: "parallelism",
    unit: "",
    min: 1,
    max: 32,
    range: "1 to 32 chunks in flight",
};

/// zlib level of compressed chunks.
pub const GZIP_LEVEL: Bounds = Bounds {
    what: "gzip level",
    unit: "",
    min: 1,
    max: 9,
    range: "1 (fastest) to 9 (smallest)",
};

/// Objects asked for per list request: 5000 is Anaplan's maximum.
pub const PAGE_SIZE: Bounds = Bounds {
    what: "page size",
    unit: "",
    min: 1,
    max: 5000,
    range: "1 to 5000 objects per request",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refused_value_gets_the_same_message_shape() {
        for bad in [-1, 0, 51, i128::from(i32::MIN)] {
            let e = CHUNK_SIZE_MB.check(bad).unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("chunk size {bad} MB is out of range: Anaplan takes chunks of 1 to 50 MB")
            );
        }
        assert_eq!(CHUNK_SIZE_MB.check(50).unwrap(), 50);
        assert_eq!(PARALLELISM.check_usize(1).unwrap(), 1);
        assert!(GZIP_LEVEL.check(10).is_err());
    }
}
