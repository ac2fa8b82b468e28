//! Scalar arguments: C has no `bool` or unsigned types we can trust VBA with, so flags and counts
//! arrive as `int32_t` and are range-checked here (`ANAPLAN_STATUS_OUT_OF_RANGE`, naming the
//! argument and its range).

use std::time::Duration;

use super::error::FfiError;
use crate::ffi::status::*;

/// A 0/1 flag.
pub fn flag(value: i32, name: &str) -> Result<bool, FfiError> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(out_of_range(name, value, "0 or 1")),
    }
}

/// A count of 0 or more.
pub fn count(value: i32, name: &str) -> Result<u32, FfiError> {
    u32::try_from(value).map_err(|_| out_of_range(name, value, "0 or more"))
}

/// A duration in milliseconds of at least `min_ms`.
pub fn millis(value: i32, min_ms: u32, name: &str) -> Result<Duration, FfiError> {
    match u32::try_from(value) {
        Ok(ms) if ms >= min_ms => Ok(Duration::from_millis(u64::from(ms))),
        _ => Err(out_of_range(name, value, &format!("{min_ms} ms or more"))),
    }
}

/// An index into `len` items (a list's items, a result's steps or details).
pub fn index(value: usize, len: usize, name: &str) -> Result<usize, FfiError> {
    if value < len {
        return Ok(value);
    }
    let range = match len {
        0 => "nothing (there are no items)".to_string(),
        1 => "0 (there is 1 item)".to_string(),
        n => format!("0 to {} (there are {n} items)", n - 1),
    };
    Err(out_of_range(name, value, &range))
}

pub fn out_of_range(name: &str, value: impl std::fmt::Display, range: &str) -> FfiError {
    FfiError::new(
        ANAPLAN_STATUS_OUT_OF_RANGE,
        format!("`{name}` is {value}, out of range: expected {range}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scalars_outside_their_range_are_out_of_range() {
        assert_eq!(flag(1, "gzip"), Ok(true));
        assert_eq!(flag(0, "gzip"), Ok(false));
        let e = flag(2, "gzip").unwrap_err();
        assert_eq!(e.status, ANAPLAN_STATUS_OUT_OF_RANGE);
        assert_eq!(e.message, "`gzip` is 2, out of range: expected 0 or 1");
        assert_eq!(count(3, "retries"), Ok(3));
        assert_eq!(
            count(-1, "retries").unwrap_err().status,
            ANAPLAN_STATUS_OUT_OF_RANGE
        );
        assert_eq!(millis(250, 1, "timeout_ms"), Ok(Duration::from_millis(250)));
        assert_eq!(
            millis(0, 1, "timeout_ms").unwrap_err().status,
            ANAPLAN_STATUS_OUT_OF_RANGE
        );
        assert_eq!(millis(0, 0, "backoff_ms"), Ok(Duration::ZERO));
        assert_eq!(index(1, 2, "step_index"), Ok(1));
        assert_eq!(
            index(2, 2, "step_index").unwrap_err().message,
            "`step_index` is 2, out of range: expected 0 to 1 (there are 2 items)"
        );
        assert_eq!(
            index(0, 0, "index").unwrap_err().message,
            "`index` is 0, out of range: expected nothing (there are no items)"
        );
        assert_eq!(
            millis(-5, 0, "backoff_ms").unwrap_err().status,
            ANAPLAN_STATUS_OUT_OF_RANGE
        );
    }
}
