//! The certificates and keys of CA-certificate sign-in, made once per test binary in a fresh
//! folder, for the library's tests (every key form the library reads) and the emulator's (trust,
//! validity and user mapping):
//!
//! | file | what |
//! |---|---|
//! | `key8.pem`, `key8.der`, `key1.pem`, `key1.der` | the RSA key of `cert.user@example.com`, PKCS#8 and PKCS#1, PEM and DER |
//! | `key8-enc.pem`, `key8-enc.der`, `key1-enc.pem` | the same key encrypted with [`PASSPHRASE`] |
//! | `cert.pem`, `cert.der` | its self-signed certificate (subject e-mail `cert.user@example.com`) |
//! | `other.pem` | an RSA key of no certificate |
//! | `ec.key`, `ec.pem` | an EC key and its certificate (CN `cert.user@example.com`) |
//! | `ca.pem`/`.key`, `rogue-ca.pem`/`.key` | a CA the emulator may trust, and one it does not |
//! | `user.csr`, `user.pem`, `user-rogue.pem` | `key8.pem`'s request, issued by each CA |
//! | `user-pkcs1.key`, `user-pkcs1.pem` | another key (PKCS#1) for the user, e-mail only in the CN, issued by the CA |
//! | `stranger.key`, `stranger.pem` | a self-signed certificate of a user the seed does not know |
//! | `user-expired.pem`, `user-future.pem` | `user.csr` issued by the CA with validity in the past and in the future |

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{fresh_dir, openssl};

/// The passphrase of the encrypted keys.
pub const PASSPHRASE: &str = "Cert-Passphrase-7";

/// The subject of the seed's certificate user.
pub const CERT_USER_SUBJECT: &str = "/CN=Cert User/emailAddress=cert.user@example.com";

const DAYS: &str = "30";

/// The folder of the files listed in the module doc.
pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    pub fn text(&self, name: &str) -> String {
        String::from_utf8(self.read(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }
}

/// The files, made on first use.
pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = fresh_dir("sign-in");
        make_keys(&dir);
        make_authorities(&dir);
        make_dated(&dir);
        Pki { dir }
    })
}

/// The user's key in every form, its self-signed certificate, a stray key and an EC pair.
fn make_keys(dir: &Path) {
    let run = |args: &[&str]| openssl(dir, args);
    let pass = format!("pass:{PASSPHRASE}");
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "key8.pem",
    ]);
    run(&[
        "pkey",
        "-in",
        "key8.pem",
        "-traditional",
        "-out",
        "key1.pem",
    ]);
    run(&[
        "pkey", "-in", "key8.pem", "-outform", "DER", "-out", "key8.der",
    ]);
    run(&[
        "rsa",
        "-in",
        "key8.pem",
        "-traditional",
        "-outform",
        "DER",
        "-out",
        "key1.der",
    ]);
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "key8.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        &pass,
        "-out",
        "key8-enc.pem",
    ]);
    run(&[
        "rsa",
        "-in",
        "key8.pem",
        "-traditional",
        "-aes256",
        "-passout",
        &pass,
        "-out",
        "key1-enc.pem",
    ]);
    run(&[
        "pkcs8",
        "-topk8",
        "-in",
        "key8.pem",
        "-v2",
        "aes-256-cbc",
        "-passout",
        &pass,
        "-outform",
        "DER",
        "-out",
        "key8-enc.der",
    ]);
    run(&[
        "req",
        "-new",
        "-x509",
        "-key",
        "key8.pem",
        "-out",
        "cert.pem",
        "-subj",
        CERT_USER_SUBJECT,
        "-days",
        DAYS,
    ]);
    run(&[
        "x509", "-in", "cert.pem", "-outform", "DER", "-out", "cert.der",
    ]);
    run(&[
        "genpkey",
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-out",
        "other.pem",
    ]);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        "ec.key",
        "-out",
        "ec.pem",
        "-subj",
        "/CN=cert.user@example.com",
        "-days",
        DAYS,
    ]);
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "stranger.key",
        "-out",
        "stranger.pem",
        "-subj",
        "/CN=Stranger/emailAddress=nobody@example.com",
        "-days",
        DAYS,
    ]);
}

/// Two CAs, and the user's certificates issued by them.
fn make_authorities(dir: &Path) {
    let run = |args: &[&str]| openssl(dir, args);
    for (name, subject) in [
        ("ca", "/CN=Emulator Test CA/O=Example"),
        ("rogue-ca", "/CN=Rogue CA/O=Elsewhere"),
    ] {
        let (key, pem) = (format!("{name}.key"), format!("{name}.pem"));
        run(&[
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", &key, "-out", &pem,
            "-subj", subject, "-days", DAYS,
        ]);
    }
    let issue = |csr: &str, ca: &str, out: &str, serial: &str| {
        let (ca_pem, ca_key) = (format!("{ca}.pem"), format!("{ca}.key"));
        run(&[
            "x509",
            "-req",
            "-in",
            csr,
            "-CA",
            &ca_pem,
            "-CAkey",
            &ca_key,
            "-set_serial",
            serial,
            "-days",
            DAYS,
            "-sha256",
            "-out",
            out,
        ]);
    };
    run(&[
        "req",
        "-new",
        "-key",
        "key8.pem",
        "-out",
        "user.csr",
        "-subj",
        CERT_USER_SUBJECT,
    ]);
    issue("user.csr", "ca", "user.pem", "101");
    issue("user.csr", "rogue-ca", "user-rogue.pem", "102");
    run(&["genrsa", "-traditional", "-out", "user-pkcs1.key", "2048"]);
    run(&[
        "req",
        "-new",
        "-key",
        "user-pkcs1.key",
        "-out",
        "user-pkcs1.csr",
        "-subj",
        "/CN=cert.user@example.com",
    ]);
    issue("user-pkcs1.csr", "ca", "user-pkcs1.pem", "103");
}

/// An expired and a not-yet-valid certificate for the user: `openssl ca` takes explicit dates.
fn make_dated(dir: &Path) {
    let write = |name: &str, text: &str| {
        std::fs::write(dir.join(name), text).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    std::fs::create_dir_all(dir.join("db")).unwrap_or_else(|e| panic!("db/: {e}"));
    write("db/index.txt", "");
    write("db/serial", "1000\n");
    write(
        "ca.cnf",
        "[ca]\ndefault_ca = test_ca\n[test_ca]\ndatabase = db/index.txt\nserial = db/serial\n\
         new_certs_dir = db\ndefault_md = sha256\npolicy = any\nunique_subject = no\n\
         [any]\ncommonName = supplied\nemailAddress = optional\n",
    );
    for (out, start, end) in [
        ("user-expired.pem", "20200101000000Z", "20210101000000Z"),
        ("user-future.pem", "20400101000000Z", "20410101000000Z"),
    ] {
        openssl(
            dir,
            &[
                "ca",
                "-batch",
                "-notext",
                "-config",
                "ca.cnf",
                "-cert",
                "ca.pem",
                "-keyfile",
                "ca.key",
                "-in",
                "user.csr",
                "-out",
                out,
                "-startdate",
                start,
                "-enddate",
                end,
            ],
        );
    }
}
