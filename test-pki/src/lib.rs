//! Test certificates made with the `openssl` command-line tool, shared by the library's and the
//! emulator's test suites: the runner that fails with what to install, a fresh folder per test
//! binary, the certificates and keys of CA-certificate sign-in ([`sign_in`]), the same in Java
//! keystores made by `keytool` and `openssl pkcs12` ([`keystores`]) and the HTTPS identities
//! ([`tls`]).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

pub mod keystores;
pub mod sign_in;
pub mod tls;

/// Runs `openssl <args>` in `dir`; panics with openssl's stderr when it fails, and with what to
/// install when the tool is missing (tests never skip for a missing tool).
pub fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the `openssl` command-line tool is needed to make test certificates ({e}); \
                 install it (Debian: apt-get install openssl; `make test` does)"
            )
        });
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs `keytool <args>` (the JDK's) in `dir` with `env` set, in a UTF-8 locale so that
/// non-ASCII passwords reach it as they are; panics with its output when it fails, and with what
/// to install when it is missing.
pub fn keytool(dir: &Path, args: &[&str], env: &[(&str, &str)]) {
    let out = Command::new("keytool")
        .args(args)
        .envs(env.iter().copied())
        .env("LC_ALL", "C.UTF-8")
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "the JDK's `keytool` is needed to make test keystores ({e}); install a JDK                  (Debian: apt-get install default-jdk-headless; `make test` does)"
            )
        });
    assert!(
        out.status.success(),
        "keytool {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A new, empty folder under the system's temporary directory, unique to this process and call.
pub fn fresh_dir(prefix: &str) -> PathBuf {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir()
        .join("anaplan-test-pki")
        .join(format!("{prefix}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir)
        .unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
    dir
}
