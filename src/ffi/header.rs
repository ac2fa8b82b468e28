//! What `include/anaplan.h` holds besides what cbindgen reads from the exports: the version
//! macros (from Cargo) and every enumeration (from its `c_enum!` declaration). `tests/header.rs`
//! puts this text after the header's includes and fails when the committed header is stale.

use super::client::connect::CERT_FORMATS;
use super::config::LOG_LEVELS;
use super::status::STATUSES;
use super::task_result::{ROW_COUNTS, TASK_STATES};
use super::toolkit::enums::Enumeration;
use super::version;

/// Every enumeration of the C API, in the order of the header. A test counts the `c_enum!`
/// declarations in `src/ffi/`, so one cannot be left out.
pub const ENUMERATIONS: &[&Enumeration] = &[
    &STATUSES,
    &CERT_FORMATS,
    &LOG_LEVELS,
    &TASK_STATES,
    &ROW_COUNTS,
];

/// The version macros, then each enumeration's typedef and documented values.
pub fn generated_declarations() -> String {
    let mut out = version::header_defines();
    for enumeration in ENUMERATIONS {
        out.push('\n');
        out.push_str(&enumeration.header());
    }
    out
}
