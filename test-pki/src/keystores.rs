//! The sign-in certificate of [`crate::sign_in`] in Java keystores, made once per test binary by
//! the tools users make them with: `openssl pkcs12 -export` and the JDK's `keytool`.
//!
//! | file | made by | holds |
//! |---|---|---|
//! | `openssl.p12` | `openssl pkcs12 -export` (AES-256, PBKDF2) | `anaplan`: `key8.pem` + `cert.pem` |
//! | `legacy.p12` | `openssl pkcs12 -export -legacy` (RC2-40 and 3DES) | the same |
//! | `unnamed.p12` | `openssl pkcs12 -export` without `-name` | the same, with no alias |
//! | `keytool.jks` | `keytool -importkeystore -deststoretype JKS` | `anaplan` |
//! | `keypass.jks` | the same with `-destkeypass` [`KEY_PASSWORD`] | `anaplan`, its own key password |
//! | `several.jks` | `keytool`, three imports | `anaplan`, `second` (`user-pkcs1.key` + `.pem`), trusted `ca` |
//! | `several-pkcs12.jks` | `keytool -importkeystore` with keytool's default type: PKCS#12 in a file named `.jks` | as `several.jks` |
//! | `unicode.jks` | `keytool`, JKS with the password [`UNICODE_PASSWORD`] | `anaplan` |
//! | `unicode.p12` | `openssl pkcs12 -export` with that password (the JDK's PKCS#12 refuses non-ASCII passwords) | `anaplan` |
//! | `trusted.jks` | `keytool -importcert` | trusted `ca` only |
//! | `store.jceks` | `keytool -importkeystore -deststoretype JCEKS` | `anaplan` |
//!
//! Every store's password is [`STORE_PASSWORD`] unless said otherwise.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::sign_in::pki;
use crate::{fresh_dir, keytool, openssl};

pub const STORE_PASSWORD: &str = "Store-Pass-1";
/// The key password of `keypass.jks`, which differs from its store password.
pub const KEY_PASSWORD: &str = "Key-Pass-2";
/// Letters outside ASCII, one of them outside Latin-1: Java takes UTF-16 units, not bytes.
pub const UNICODE_PASSWORD: &str = "Pässwörd-€-7";

/// The folder of the files listed in the module doc.
pub struct Keystores {
    pub dir: PathBuf,
}

impl Keystores {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// The stores, made on first use.
pub fn keystores() -> &'static Keystores {
    static STORES: OnceLock<Keystores> = OnceLock::new();
    STORES.get_or_init(|| {
        let dir = fresh_dir("keystores");
        make(&dir);
        Keystores { dir }
    })
}

fn make(dir: &Path) {
    let p = pki();
    let (key, cert) = (p.path("key8.pem"), p.path("cert.pem"));
    let (key, cert) = (key.to_str().unwrap(), cert.to_str().unwrap());
    let (key2, cert2) = (p.path("user-pkcs1.key"), p.path("user-pkcs1.pem"));
    let (key2, cert2) = (key2.to_str().unwrap(), cert2.to_str().unwrap());
    let ca = p.path("ca.pem");
    let ca = ca.to_str().unwrap();
    let pass = format!("pass:{STORE_PASSWORD}");
    let export = |out: &str, key: &str, cert: &str, extra: &[&str]| {
        let mut args = vec![
            "pkcs12", "-export", "-inkey", key, "-in", cert, "-passout", &pass, "-out", out,
        ];
        args.extend_from_slice(extra);
        openssl(dir, &args);
    };
    export("openssl.p12", key, cert, &["-name", "anaplan"]);
    export("legacy.p12", key, cert, &["-name", "anaplan", "-legacy"]);
    export("unnamed.p12", key, cert, &[]);
    export("second.p12", key2, cert2, &["-name", "second"]);

    let kt = |args: &[&str]| keytool(dir, args, &[]);
    let import = |src: &str, dest: &str, dest_type: &str, extra: &[&str]| {
        let mut args = vec![
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            src,
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass",
            STORE_PASSWORD,
            "-destkeystore",
            dest,
            "-deststorepass",
            STORE_PASSWORD,
        ];
        if !dest_type.is_empty() {
            args.extend_from_slice(&["-deststoretype", dest_type]);
        }
        args.extend_from_slice(extra);
        kt(&args);
    };
    import("openssl.p12", "keytool.jks", "JKS", &[]);
    import(
        "openssl.p12",
        "keypass.jks",
        "JKS",
        &["-srcalias", "anaplan", "-destkeypass", KEY_PASSWORD],
    );
    import("openssl.p12", "several.jks", "JKS", &[]);
    import("second.p12", "several.jks", "JKS", &[]);
    let trust = |store: &str, store_type: &str| {
        kt(&[
            "-importcert",
            "-noprompt",
            "-alias",
            "ca",
            "-file",
            ca,
            "-keystore",
            store,
            "-storetype",
            store_type,
            "-storepass",
            STORE_PASSWORD,
        ])
    };
    trust("several.jks", "JKS");
    trust("trusted.jks", "JKS");
    // keytool's default store type (PKCS#12 since Java 9), whatever the file is called.
    kt(&[
        "-importkeystore",
        "-noprompt",
        "-srckeystore",
        "several.jks",
        "-srcstoretype",
        "JKS",
        "-srcstorepass",
        STORE_PASSWORD,
        "-destkeystore",
        "several-pkcs12.jks",
        "-deststorepass",
        STORE_PASSWORD,
    ]);
    import("openssl.p12", "store.jceks", "JCEKS", &[]);
    // The non-ASCII password travels in the environment (`:env`), never through argument
    // decoding.
    let unicode = [
        ("STORE_PASS", STORE_PASSWORD),
        ("NEW_PASS", UNICODE_PASSWORD),
    ];
    keytool(
        dir,
        &[
            "-importkeystore",
            "-noprompt",
            "-srckeystore",
            "openssl.p12",
            "-srcstoretype",
            "PKCS12",
            "-srcstorepass:env",
            "STORE_PASS",
            "-destkeystore",
            "unicode.jks",
            "-deststoretype",
            "JKS",
            "-deststorepass:env",
            "NEW_PASS",
            "-destkeypass:env",
            "NEW_PASS",
        ],
        &unicode,
    );
    let unicode_pass = format!("pass:{UNICODE_PASSWORD}");
    openssl(
        dir,
        &[
            "pkcs12",
            "-export",
            "-inkey",
            key,
            "-in",
            cert,
            "-name",
            "anaplan",
            "-passout",
            &unicode_pass,
            "-out",
            "unicode.p12",
        ],
    );
}
