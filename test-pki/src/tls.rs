//! HTTPS identities: a test CA, a server certificate it signed for `IP:127.0.0.1` and
//! `DNS:localhost` (with its key as PKCS#8 and as PKCS#1), and a second CA that signed nothing
//! the server presents.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::{fresh_dir, openssl};

pub struct TlsPki {
    pub dir: PathBuf,
}

impl TlsPki {
    /// The CA that signed the server certificate (PEM).
    pub fn ca(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }
    /// A CA that did not sign the server certificate (PEM).
    pub fn other_ca(&self) -> PathBuf {
        self.dir.join("other-ca.pem")
    }
    /// The server certificate (PEM), signed by [`TlsPki::ca`].
    pub fn server_cert(&self) -> PathBuf {
        self.dir.join("server.pem")
    }
    /// The server's private key, PKCS#8 PEM.
    pub fn server_key(&self) -> PathBuf {
        self.dir.join("server.key")
    }
    /// The same key as PKCS#1 (`BEGIN RSA PRIVATE KEY`) PEM.
    pub fn server_key_pkcs1(&self) -> PathBuf {
        self.dir.join("server-pkcs1.key")
    }
    /// The key of the other CA: it does not belong to the server certificate.
    pub fn unrelated_key(&self) -> PathBuf {
        self.dir.join("other-ca.key")
    }
}

/// Made once per test binary (the first call makes them; they take about a second).
pub fn tls_pki() -> &'static TlsPki {
    static PKI: OnceLock<TlsPki> = OnceLock::new();
    PKI.get_or_init(|| {
        let dir = fresh_dir("tls");
        make(&dir);
        TlsPki { dir }
    })
}

fn make(dir: &Path) {
    let run = |args: &[&str]| openssl(dir, args);
    for (name, cn) in [
        ("ca", "Emulator Test CA"),
        ("other-ca", "Unrelated Test CA"),
    ] {
        let subj = format!("/CN={cn}");
        run(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            &subj,
            "-keyout",
            &format!("{name}.key"),
            "-out",
            &format!("{name}.pem"),
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ]);
    }
    run(&[
        "req",
        "-new",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=127.0.0.1",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("server.ext"),
        "subjectAltName=IP:127.0.0.1,DNS:localhost\n\
         basicConstraints=CA:FALSE\n\
         keyUsage=critical,digitalSignature,keyEncipherment\n\
         extendedKeyUsage=serverAuth\n",
    )
    .expect("the server certificate's extensions file");
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-set_serial",
        "2",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem",
    ]);
    run(&[
        "rsa",
        "-in",
        "server.key",
        "-traditional",
        "-out",
        "server-pkcs1.key",
    ]);
}
