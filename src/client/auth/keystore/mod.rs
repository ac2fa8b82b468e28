//! Java keystores, for certificate sign-in from where Java shops keep their Anaplan certificate:
//! JKS (our own reader, [`jks`]), PKCS#12 (through OpenSSL, [`pkcs12`]), and JCEKS recognised and
//! refused with the command that converts it. The format is told from the bytes, never from the
//! file name (modern `keytool` writes PKCS#12 into files named `.jks`).
//!
//! As keytool and Anaplan Connect do: the alias may be left out when the store holds one private
//! key; aliases compare without regard to case (Java lowercases them); the key password defaults
//! to the store password. No password, key byte or keystore byte is ever put in a message.

mod der;
mod jks;
mod pkcs12;

use openssl::pkey::{PKey, Private};
use openssl::x509::X509;

use crate::client::error::{quoted, Error, Result};

/// The largest keystore read: a store holding a sign-in certificate is a few kilobytes; a file
/// this size is the wrong file, and is refused before it is read whole.
pub const MAX_KEYSTORE_BYTES: u64 = 16 * 1024 * 1024;

/// JCEKS, Sun's "Java Cryptography Extension" store.
const JCEKS_MAGIC: [u8; 4] = [0xCE, 0xCE, 0xCE, 0xCE];

/// The private-key entry chosen for sign-in.
pub struct KeystoreEntry {
    /// As the store spells it ("" when it has none: a PKCS#12 bag without a friendly name).
    pub alias: String,
    pub key: PKey<Private>,
    /// The entry's own certificate (the first of its chain).
    pub certificate: X509,
}

/// One entry of a store, as a format module reads it.
struct Entry {
    alias: String,
    kind: EntryKind,
}

enum EntryKind {
    /// A private key and its certificate chain (DER, the key's own certificate first).
    Key {
        protected: Protected,
        chain: Vec<Vec<u8>>,
    },
    /// A trusted certificate: no key, no use for sign-in.
    Trusted,
}

/// A key as its format keeps it until the entry is chosen.
enum Protected {
    /// Sun's key protector: decrypted with the key password once chosen.
    Jks(Vec<u8>),
    /// Decrypted while the bags were read; `Err` when the key password did not open it.
    Pkcs12(std::result::Result<PKey<Private>, ()>),
}

/// Opens the store in `bytes` (`what` names it in messages, e.g. "keystore file /etc/x.jks")
/// and takes the private-key entry `alias`, or the only one. Errors are `Error::Credentials`.
pub fn open(
    bytes: &[u8],
    what: &str,
    store_password: &str,
    alias: Option<&str>,
    key_password: Option<&str>,
) -> Result<KeystoreEntry> {
    if bytes.len() as u64 > MAX_KEYSTORE_BYTES {
        return Err(too_large(what, bytes.len() as u64));
    }
    let key_password = key_password.unwrap_or(store_password);
    let entries = if jks::is_jks(bytes) {
        jks::entries(bytes, store_password, what)?
    } else if bytes.starts_with(&JCEKS_MAGIC) {
        return Err(Error::Credentials(format!(
            "the {what} is a JCEKS keystore, which is not supported: convert it to PKCS#12 with \
             `keytool -importkeystore -srckeystore OLD.jceks -srcstoretype JCEKS -destkeystore \
             NEW.p12 -deststoretype PKCS12`"
        )));
    } else if bytes.starts_with(b"-----BEGIN") {
        return Err(Error::Credentials(format!(
            "the {what} is PEM text, not a keystore: sign in with the certificate and key files"
        )));
    } else if pkcs12::is_der(bytes) {
        pkcs12::entries(bytes, store_password, key_password, what)?
    } else {
        return Err(Error::Credentials(format!(
            "the {what} is not a keystore: a Java keystore (JKS) or a PKCS#12 file (.p12, .pfx) \
             was expected"
        )));
    };
    let chosen = choose(entries, alias, what)?;
    let name = entry_name(&chosen.alias);
    let EntryKind::Key { protected, chain } = chosen.kind else {
        unreachable!("`choose` takes key entries only")
    };
    let key = match protected {
        Protected::Jks(bytes) => jks::decrypt_key(&bytes, key_password, &name)?,
        Protected::Pkcs12(key) => key.map_err(|()| {
            Error::Credentials(format!(
                "the private key of {name} cannot be decrypted: its key password is wrong (it \
                 defaults to the keystore password; give the key password when it differs)"
            ))
        })?,
    };
    let certificate = chain
        .first()
        .and_then(|der| X509::from_der(der).ok())
        .ok_or_else(|| {
            Error::Credentials(format!(
                "{name} of the {what} has a private key but no readable certificate"
            ))
        })?;
    Ok(KeystoreEntry {
        alias: chosen.alias,
        key,
        certificate,
    })
}

/// The message for a file over [`MAX_KEYSTORE_BYTES`].
pub fn too_large(what: &str, len: u64) -> Error {
    Error::Credentials(format!(
        "the {what} is {len} bytes, larger than any keystore for sign-in ({MAX_KEYSTORE_BYTES} \
         bytes at most): is it the right file?"
    ))
}

/// How messages name an entry.
fn entry_name(alias: &str) -> String {
    if alias.is_empty() {
        "the entry without an alias".into()
    } else {
        format!("entry {}", quoted(alias))
    }
}

/// The aliases of `entries`, quoted, in alphabetical order.
fn names(entries: &[&Entry]) -> String {
    let mut names: Vec<String> = entries
        .iter()
        .map(|e| {
            if e.alias.is_empty() {
                "(no alias)".into()
            } else {
                quoted(&e.alias)
            }
        })
        .collect();
    names.sort();
    names.join(", ")
}

/// The private-key entry named `wanted` (case-insensitive, as Java compares aliases), or the
/// only one; otherwise a message that lists what the store holds.
fn choose(mut entries: Vec<Entry>, wanted: Option<&str>, what: &str) -> Result<Entry> {
    let is_key = |e: &Entry| matches!(e.kind, EntryKind::Key { .. });
    let key_at: Vec<usize> = (0..entries.len())
        .filter(|&i| is_key(&entries[i]))
        .collect();
    let (keys, trusted): (Vec<&Entry>, Vec<&Entry>) = entries.iter().partition(|e| is_key(e));
    if keys.is_empty() {
        let also = if trusted.is_empty() {
            "it is empty".to_string()
        } else {
            format!("only trusted certificates: {}", names(&trusted))
        };
        return Err(Error::Credentials(format!(
            "the {what} holds no private key entry ({also}); sign-in needs the entry with the \
             certificate's private key"
        )));
    }
    let index = match wanted {
        Some(alias) => {
            let same = |e: &&Entry| e.alias.to_lowercase() == alias.to_lowercase();
            match keys.iter().position(same) {
                Some(i) => i,
                None => {
                    let trusted_one = trusted.iter().any(same);
                    let note = if trusted_one {
                        " (it is a trusted certificate, which holds no private key)"
                    } else {
                        ""
                    };
                    return Err(Error::Credentials(format!(
                        "the {what} has no private key entry {}{note}; its private key entries: \
                         {}",
                        quoted(alias),
                        names(&keys)
                    )));
                }
            }
        }
        None if keys.len() == 1 => 0,
        None => {
            return Err(Error::Credentials(format!(
                "the {what} holds several private key entries ({}): give the alias of the one to \
                 sign in with",
                names(&keys)
            )))
        }
    };
    Ok(entries.swap_remove(key_at[index]))
}
