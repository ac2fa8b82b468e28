//! Gives the shared library its SONAME, `libanaplan.so.<ABI version>`: programs linked against it
//! load a library of the same ABI, and a release that breaks callers (which raises
//! `ANAPLAN_ABI_VERSION`) installs beside the old one instead of replacing it. The number is read
//! from `src/ffi/version.rs`, the one place it is written.

use std::path::Path;

fn main() {
    let version_rs = Path::new("src/ffi/version.rs");
    println!("cargo:rerun-if-changed={}", version_rs.display());
    let text = std::fs::read_to_string(version_rs).expect("src/ffi/version.rs is readable");
    let abi = text
        .lines()
        .find_map(|l| {
            l.trim()
                .strip_prefix("pub const ANAPLAN_ABI_VERSION: i32 = ")
        })
        .and_then(|rest| rest.trim_end_matches(';').trim().parse::<u32>().ok())
        .expect("src/ffi/version.rs declares `pub const ANAPLAN_ABI_VERSION: i32 = N;`");
    let target_os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    if target_os == "linux" {
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libanaplan.so.{abi}");
    }
}
