//! `anaplan_debug_*`: what tests of C code and of the language bindings check.

use super::toolkit::{boundary, handles, owned};

/// How many handles, strings and buffers the library has handed out that are not freed yet: 0 once
/// a program has freed everything. For leak checks in tests of C code and of the language
/// bindings (Valgrind cannot see these leaks: the library still references the objects).
///
/// Thread-safe. Does not touch the last error.
#[no_mangle]
pub extern "C" fn anaplan_debug_live_objects() -> usize {
    boundary::value(usize::MAX, || handles::live_count() + owned::live_count())
}
