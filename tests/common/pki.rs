//! Certificates and keys for certificate sign-in, made with the `openssl` command-line tool once
//! per test binary in a fresh folder: an RSA key in every form the library accepts (PKCS#1 and
//! PKCS#8, PEM and DER, encrypted and not), a self-signed certificate for the seed's certificate
//! user in PEM and DER, a key that belongs to no certificate, and an EC key with its certificate.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anaplan_test_pki::{fresh_dir, openssl};

/// The passphrase of the encrypted keys.
pub const PASSPHRASE: &str = "Cert-Passphrase-7";

pub struct Pki {
    pub dir: PathBuf,
}

impl Pki {
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap()
    }
}

pub fn pki() -> &'static Pki {
    static PKI: OnceLock<Pki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = fresh_dir("client");
        make(&dir);
        Pki { dir }
    })
}

fn make(dir: &Path) {
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
        "/CN=Cert User/emailAddress=cert.user@example.com",
        "-days",
        "30",
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
        "30",
    ]);
}
