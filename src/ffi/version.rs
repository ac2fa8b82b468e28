//! Library and ABI versions. The header's version macros are generated from Cargo's package
//! version (see [`header_defines`] and `tests/header.rs`), never written by hand.

use std::ffi::{c_char, CStr};

use super::toolkit::boundary;

/// The ABI version: raised whenever a change breaks existing C callers (a removed or changed
/// function, a renumbered status). Compare `anaplan_abi_version()` with this macro at startup to
/// detect a library that does not match the header.
pub const ANAPLAN_ABI_VERSION: i32 = 3;

const VERSION: &CStr =
    match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
        Ok(v) => v,
        Err(_) => panic!("the package version contains a NUL byte"),
    };

/// The library version, e.g. `"0.1.0"` (the same as `ANAPLAN_VERSION` of the header it was built
/// with).
///
/// Ownership: a static string; never free it. Thread-safe. Does not touch the last error.
#[no_mangle]
pub extern "C" fn anaplan_version() -> *const c_char {
    boundary::value(std::ptr::null(), || VERSION.as_ptr())
}

/// The ABI version of the library, to compare with `ANAPLAN_ABI_VERSION`.
///
/// Thread-safe. Does not touch the last error.
#[no_mangle]
pub extern "C" fn anaplan_abi_version() -> i32 {
    boundary::value(0, || ANAPLAN_ABI_VERSION)
}

/// The version macros of `include/anaplan.h`, from this crate's Cargo version.
pub fn header_defines() -> String {
    format!(
        "#define ANAPLAN_VERSION \"{}\"\n\
         #define ANAPLAN_VERSION_MAJOR {}\n\
         #define ANAPLAN_VERSION_MINOR {}\n\
         #define ANAPLAN_VERSION_PATCH {}\n",
        env!("CARGO_PKG_VERSION"),
        env!("CARGO_PKG_VERSION_MAJOR"),
        env!("CARGO_PKG_VERSION_MINOR"),
        env!("CARGO_PKG_VERSION_PATCH"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_version_is_cargos() {
        // SAFETY: a static NUL-terminated string.
        let v = unsafe { CStr::from_ptr(anaplan_version()) };
        assert_eq!(v.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
        assert!(header_defines().contains(&format!("\"{}\"", env!("CARGO_PKG_VERSION"))));
        assert_eq!(anaplan_abi_version(), ANAPLAN_ABI_VERSION);
    }
}
