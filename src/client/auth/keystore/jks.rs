//! Java's own keystore format, JKS, read as OpenJDK's `sun.security.provider.JavaKeyStore`
//! (`engineLoad`) writes it and `KeyProtector` protects its keys:
//!
//! * `0xFEEDFEED`, version 1 or 2, an entry count; each entry a tag (1: private key, 2: trusted
//!   certificate), an alias (`writeUTF`: a 2-byte length and Java's modified UTF-8) and a
//!   timestamp; a key entry then holds its protected key (a 4-byte length and a PKCS#8
//!   `EncryptedPrivateKeyInfo`) and its certificate chain, a trusted entry one certificate; in
//!   version 2 each certificate is preceded by its type (`X.509`).
//! * The store ends with SHA-1 over the password as UTF-16BE, the words "Mighty Aphrodite" and
//!   every byte before the digest: the password proves itself and the file's integrity at once.
//! * A key is protected with algorithm 1.3.6.1.4.1.42.2.17.1.1: a 20-byte salt, the key XORed
//!   with a SHA-1 keystream (`SHA-1(password ‖ previous)`, starting from the salt), and SHA-1 of
//!   the password and the plain key, which tells a wrong key password from a right one.
//!
//! Passwords are UTF-16 code units, as Java's `char[]` holds them: a non-ASCII password gives
//! the bytes Java gives (the `jks` crate takes each UTF-8 byte instead, and fails there).

use openssl::pkey::{PKey, Private};
use openssl::sha::Sha1;
use zeroize::Zeroizing;

use super::der;
use super::{Entry, EntryKind, Protected};
use crate::client::error::{Error, Result};

const MAGIC: u32 = 0xFEED_FEED;
const WHITENER: &[u8] = b"Mighty Aphrodite";
const DIGEST_LEN: usize = 20;
const SALT_LEN: usize = 20;
/// 1.3.6.1.4.1.42.2.17.1.1, Sun's key protector, in DER.
const KEY_PROTECTOR: &[u8] = &[0x2B, 0x06, 0x01, 0x04, 0x01, 0x2A, 0x02, 0x11, 0x01, 0x01];

pub(super) fn is_jks(bytes: &[u8]) -> bool {
    bytes.starts_with(&MAGIC.to_be_bytes())
}

/// A JKS store's entries, after its integrity digest was checked with `store_password`.
pub(super) fn entries(bytes: &[u8], store_password: &str, what: &str) -> Result<Vec<Entry>> {
    let damaged = |detail: &str| {
        Error::Credentials(format!(
            "the {what} is damaged ({detail}): it is not a complete Java keystore"
        ))
    };
    let mut r = Reader { rest: bytes };
    let (_magic, version) = (r.u32(), r.u32());
    let version = match version {
        Some(v @ (1 | 2)) => v,
        Some(v) => {
            return Err(Error::Credentials(format!(
                "the {what} is a Java keystore of version {v}; versions 1 and 2 are known"
            )))
        }
        None => return Err(damaged("it ends in its header")),
    };
    let count = r.u32().ok_or_else(|| damaged("it ends in its header"))?;
    // An entry takes at least 14 bytes (tag, alias length, date): a larger count is damage, and
    // nothing is allocated for it.
    if usize::try_from(count).map_or(true, |c| c > r.rest.len() / 14) {
        return Err(damaged(&format!("it claims {count} entries")));
    }
    let mut entries = Vec::new();
    for n in 0..count {
        let entry = r
            .entry(version)
            .ok_or_else(|| damaged(&format!("entry {} of {count} is cut short", n + 1)))?;
        let entry = entry.map_err(|tag| {
            Error::Credentials(format!(
                "the {what} holds an entry of kind {tag}, which a JKS store cannot hold (a JCEKS \
                 secret key?)"
            ))
        })?;
        entries.push(entry);
    }
    if r.rest.len() != DIGEST_LEN {
        return Err(damaged("its end is not where its entries say"));
    }
    let body = &bytes[..bytes.len() - DIGEST_LEN];
    let mut digest = Sha1::new();
    digest.update(&utf16be(store_password));
    digest.update(WHITENER);
    digest.update(body);
    if !openssl::memcmp::eq(&digest.finish(), r.rest) {
        return Err(Error::Credentials(format!(
            "the {what} cannot be opened: the keystore password is wrong, or the file was altered \
             (its integrity check failed)"
        )));
    }
    Ok(entries)
}

/// Decrypts a protected key with `password` (Sun's key protector).
pub(super) fn decrypt_key(protected: &[u8], password: &str, entry: &str) -> Result<PKey<Private>> {
    let damaged = || {
        Error::Credentials(format!(
            "the private key of {entry} is damaged in the keystore"
        ))
    };
    let (oid, data) = der::encrypted_private_key_info(protected).ok_or_else(damaged)?;
    if oid != KEY_PROTECTOR {
        return Err(Error::Credentials(format!(
            "the private key of {entry} is protected with an algorithm a JKS store does not use; \
             convert the store to PKCS#12 with keytool -importkeystore"
        )));
    }
    if data.len() < SALT_LEN + DIGEST_LEN {
        return Err(damaged());
    }
    let (salt, rest) = data.split_at(SALT_LEN);
    let (encrypted, check) = rest.split_at(rest.len() - DIGEST_LEN);
    let password = utf16be(password);
    let mut plain = Zeroizing::new(Vec::with_capacity(encrypted.len()));
    let mut stream = [0u8; DIGEST_LEN];
    stream.copy_from_slice(salt);
    for piece in encrypted.chunks(DIGEST_LEN) {
        let mut round = Sha1::new();
        round.update(&password);
        round.update(&stream);
        stream = round.finish();
        plain.extend(piece.iter().zip(stream).map(|(b, k)| b ^ k));
    }
    let mut digest = Sha1::new();
    digest.update(&password);
    digest.update(&plain);
    if !openssl::memcmp::eq(&digest.finish(), check) {
        return Err(Error::Credentials(format!(
            "the private key of {entry} cannot be decrypted: its key password is wrong (it \
             defaults to the keystore password; give the key password when it differs)"
        )));
    }
    PKey::private_key_from_pkcs8(&plain).map_err(|_| damaged())
}

/// The bytes Java's `char[]` password gives: each UTF-16 unit, high byte first.
fn utf16be(password: &str) -> Zeroizing<Vec<u8>> {
    Zeroizing::new(password.encode_utf16().flat_map(u16::to_be_bytes).collect())
}

/// Reads the big-endian fields of the store; `None` when the bytes end first.
struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.rest.len() < n {
            return None;
        }
        let (taken, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(taken)
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2).map(|b| u16::from_be_bytes([b[0], b[1]]))
    }

    fn u32(&mut self) -> Option<u32> {
        self.take(4)
            .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    }

    /// A 4-byte length and that many bytes.
    fn blob(&mut self) -> Option<&'a [u8]> {
        let len = self.u32()?;
        self.take(usize::try_from(len).ok()?)
    }

    /// `DataOutput.writeUTF`: a 2-byte length, then Java's modified UTF-8.
    fn utf(&mut self) -> Option<String> {
        let len = self.u16()?;
        let bytes = self.take(usize::from(len))?;
        Some(modified_utf8(bytes))
    }

    fn certificate(&mut self, version: u32) -> Option<Vec<u8>> {
        if version == 2 {
            self.utf()?; // the certificate type, "X.509"
        }
        self.blob().map(<[u8]>::to_vec)
    }

    /// One entry, `Err(tag)` for a kind JKS does not have.
    fn entry(&mut self, version: u32) -> Option<std::result::Result<Entry, u32>> {
        let tag = self.u32()?;
        if tag != 1 && tag != 2 {
            return Some(Err(tag));
        }
        let alias = self.utf()?;
        self.take(8)?; // the creation date, in milliseconds
        let kind = if tag == 1 {
            let protected = self.blob()?.to_vec();
            let count = self.u32()?;
            // Each certificate takes at least 4 bytes: a count beyond that is damage, and no
            // allocation follows it.
            if usize::try_from(count).ok()? > self.rest.len() / 4 {
                return None;
            }
            let chain = (0..count)
                .map(|_| self.certificate(version))
                .collect::<Option<Vec<_>>>()?;
            EntryKind::Key {
                protected: Protected::Jks(protected),
                chain,
            }
        } else {
            self.certificate(version)?;
            EntryKind::Trusted
        };
        Some(Ok(Entry { alias, kind }))
    }
}

/// Java's modified UTF-8 (UTF-16 units in one to three bytes each), as `DataInput.readUTF`
/// reads it; anything malformed becomes U+FFFD rather than an error, since an alias only names.
fn modified_utf8(bytes: &[u8]) -> String {
    let mut units = Vec::with_capacity(bytes.len());
    let mut i = 0;
    let cont = |b: Option<&u8>| b.filter(|b| *b & 0xC0 == 0x80).map(|b| u16::from(b & 0x3F));
    while let Some(&b) = bytes.get(i) {
        let b16 = u16::from(b);
        let (unit, len) = if b < 0x80 {
            (Some(b16), 1)
        } else if b & 0xE0 == 0xC0 {
            (cont(bytes.get(i + 1)).map(|c| ((b16 & 0x1F) << 6) | c), 2)
        } else if b & 0xF0 == 0xE0 {
            let unit = cont(bytes.get(i + 1))
                .zip(cont(bytes.get(i + 2)))
                .map(|(c1, c2)| ((b16 & 0x0F) << 12) | (c1 << 6) | c2);
            (unit, 3)
        } else {
            (None, 1)
        };
        units.push(unit.unwrap_or(0xFFFD));
        i += if unit.is_some() { len } else { 1 };
    }
    String::from_utf16_lossy(&units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modified_utf8_reads_what_java_writes() {
        assert_eq!(modified_utf8(b"mykey"), "mykey");
        // "é" in two bytes, NUL as C0 80, and "😀" as two three-byte surrogates.
        let java = [0xC3, 0xA9, 0xC0, 0x80, 0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80];
        assert_eq!(modified_utf8(&java), "é\u{0}😀");
        assert_eq!(modified_utf8(&[0xC3]), "\u{FFFD}");
    }

    #[test]
    fn passwords_are_utf16_units_high_byte_first() {
        assert_eq!(&*utf16be("aé"), &[0, b'a', 0, 0xE9]);
        assert_eq!(&*utf16be("😀"), &[0xD8, 0x3D, 0xDE, 0x00]);
    }

    #[test]
    fn damaged_stores_are_refused_without_panicking() {
        let mut store = MAGIC.to_be_bytes().to_vec();
        store.extend(2u32.to_be_bytes());
        store.extend(u32::MAX.to_be_bytes()); // four billion entries claimed
        store.extend([0u8; 20]);
        let Err(e) = entries(&store, "pw", "keystore") else {
            panic!("a damaged store was read")
        };
        assert!(e.to_string().contains("is damaged"), "{e}");
        for cut in 0..store.len() {
            assert!(entries(&store[..cut], "pw", "keystore").is_err());
        }
    }
}
