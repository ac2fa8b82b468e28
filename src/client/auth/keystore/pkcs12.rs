//! PKCS#12 stores (`.p12`, `.pfx`, and what `keytool` writes by default) through OpenSSL, bag by
//! bag: `Pkcs12::parse2` gives only the first key, and a store may hold several, chosen by
//! alias (the bags' `friendlyName`). The OpenSSL calls the `openssl` crate does not wrap are
//! declared here; each result is owned by a guard that frees it.
//!
//! Order of checks: the MAC with the store password (a wrong password or an altered file stops
//! there), then the encrypted bags. Old stores encrypt their certificates with RC2-40 (and
//! `openssl pkcs12 -legacy` writes them so), which OpenSSL 3 keeps in its legacy provider: when a
//! bag's algorithm is unsupported, the provider is loaded once and the store read again.

use std::ffi::{c_char, c_int, c_void, CStr, CString};
use std::sync::OnceLock;

use foreign_types::ForeignType;
use openssl::error::ErrorStack;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::provider::Provider;
use openssl::x509::X509;
use openssl_sys as ffi;

use super::{Entry, EntryKind, Protected};
use crate::client::error::{Error, Result};

#[allow(non_camel_case_types)]
enum PKCS12_SAFEBAG {}
#[allow(non_camel_case_types)]
enum ASN1_TYPE {}

extern "C" {
    fn PKCS12_mac_present(p12: *const ffi::PKCS12) -> c_int;
    fn PKCS12_verify_mac(p12: *mut ffi::PKCS12, pass: *const c_char, passlen: c_int) -> c_int;
    fn PKCS12_unpack_authsafes(p12: *const ffi::PKCS12) -> *mut ffi::OPENSSL_STACK;
    fn PKCS12_unpack_p7data(p7: *mut ffi::PKCS7) -> *mut ffi::OPENSSL_STACK;
    fn PKCS12_unpack_p7encdata(
        p7: *mut ffi::PKCS7,
        pass: *const c_char,
        passlen: c_int,
    ) -> *mut ffi::OPENSSL_STACK;
    fn PKCS12_SAFEBAG_get_nid(bag: *const PKCS12_SAFEBAG) -> c_int;
    fn PKCS12_SAFEBAG_get0_p8inf(bag: *const PKCS12_SAFEBAG) -> *const ffi::PKCS8_PRIV_KEY_INFO;
    fn PKCS12_decrypt_skey(
        bag: *const PKCS12_SAFEBAG,
        pass: *const c_char,
        passlen: c_int,
    ) -> *mut ffi::PKCS8_PRIV_KEY_INFO;
    fn PKCS12_SAFEBAG_get1_cert(bag: *const PKCS12_SAFEBAG) -> *mut ffi::X509;
    fn PKCS12_get_friendlyname(bag: *mut PKCS12_SAFEBAG) -> *mut c_char;
    fn PKCS12_SAFEBAG_get0_attr(bag: *const PKCS12_SAFEBAG, attr_nid: c_int) -> *const ASN1_TYPE;
    fn ASN1_TYPE_get_octetstring(a: *const ASN1_TYPE, data: *mut u8, max_len: c_int) -> c_int;
    fn PKCS12_SAFEBAG_free(bag: *mut PKCS12_SAFEBAG);
}

pub(super) fn is_der(bytes: &[u8]) -> bool {
    bytes.first() == Some(&0x30)
}

/// A PKCS#12 store's entries: one per key (its certificate found by `localKeyId`, else by public
/// key), and one per certificate no key claims (a trusted certificate).
pub(super) fn entries(
    bytes: &[u8],
    store_password: &str,
    key_password: &str,
    what: &str,
) -> Result<Vec<Entry>> {
    let p12 = Pkcs12::from_der(bytes).map_err(|_| {
        let _ = ErrorStack::get();
        Error::Credentials(format!(
            "the {what} is not a Java keystore (JKS) or a PKCS#12 file, or it is damaged"
        ))
    })?;
    let password = c_password(store_password, "keystore")?;
    let key_password = c_password(key_password, "key")?;
    // SAFETY: `p12` is a live PKCS12 owned by the guard for this call.
    if unsafe { PKCS12_mac_present(p12.as_ptr()) } == 1 {
        // SAFETY: as above; the password is NUL-terminated (length -1: up to the NUL).
        let ok = unsafe { PKCS12_verify_mac(p12.as_ptr(), password.as_ptr(), -1) };
        let _ = ErrorStack::get();
        if ok != 1 {
            return Err(Error::Credentials(format!(
                "the {what} cannot be opened: the keystore password is wrong, or the file was \
                 altered (its integrity check failed)"
            )));
        }
    }
    match read_bags(&p12, &password, &key_password) {
        Err(Failure::Unsupported) if load_legacy_provider() => {
            read_bags(&p12, &password, &key_password)
        }
        other => other,
    }
    .map_err(|f| f.into_error(what))
    .map(pair)
}

/// Why reading the bags stopped.
enum Failure {
    /// An algorithm OpenSSL does not offer as loaded (RC2, and others of the legacy provider).
    Unsupported,
    /// A bag that could not be read or decrypted although the password proved right.
    Damaged,
}

impl Failure {
    /// From OpenSSL's error queue, which it empties.
    fn from_queue() -> Failure {
        let unsupported = ErrorStack::get().errors().iter().any(|e| {
            e.reason()
                .is_some_and(|r| r.to_ascii_lowercase().contains("unsupported"))
        });
        if unsupported {
            Failure::Unsupported
        } else {
            Failure::Damaged
        }
    }

    fn into_error(self, what: &str) -> Error {
        Error::Credentials(match self {
            Failure::Unsupported => format!(
                "the {what} is protected with an old algorithm (RC2 or 3DES) that needs OpenSSL's \
                 legacy provider, which is not available here; convert the store with `openssl \
                 pkcs12 -legacy -in OLD -nodes | openssl pkcs12 -export -out NEW`, or install \
                 the provider (ossl-modules/legacy)"
            ),
            Failure::Damaged => format!(
                "the {what} holds a part that cannot be read or decrypted: it is damaged, or a \
                 key has a password of its own (give it as the key password)"
            ),
        })
    }
}

/// Loads OpenSSL's legacy provider once for the process; false when it is not installed.
fn load_legacy_provider() -> bool {
    static LEGACY: OnceLock<Option<Provider>> = OnceLock::new();
    LEGACY
        .get_or_init(|| {
            // Keeping the fallback: the default provider stays in use for everything else.
            let provider = Provider::try_load(None, "legacy", true).ok();
            let _ = ErrorStack::get();
            provider
        })
        .is_some()
}

fn c_password(password: &str, which: &str) -> Result<CString> {
    CString::new(password).map_err(|_| {
        Error::Credentials(format!(
            "the {which} password contains a NUL character, which PKCS#12 cannot take"
        ))
    })
}

/// A bag's key or certificate, with the attributes that tie them together.
struct Bag {
    alias: Option<String>,
    local_key_id: Option<Vec<u8>>,
    item: Item,
}

enum Item {
    Key(std::result::Result<PKey<Private>, ()>),
    Certificate(X509),
}

/// An OpenSSL stack and the function that frees its elements.
struct Stack {
    ptr: *mut ffi::OPENSSL_STACK,
    free: unsafe extern "C" fn(*mut c_void),
}

impl Stack {
    fn new(ptr: *mut ffi::OPENSSL_STACK, free: unsafe extern "C" fn(*mut c_void)) -> Option<Stack> {
        (!ptr.is_null()).then_some(Stack { ptr, free })
    }

    fn items(&self) -> impl Iterator<Item = *mut c_void> + '_ {
        // SAFETY: `ptr` is a live stack owned by this guard.
        let n = unsafe { ffi::OPENSSL_sk_num(self.ptr) };
        // SAFETY: indices below the stack's own count.
        (0..n.max(0)).map(move |i| unsafe { ffi::OPENSSL_sk_value(self.ptr, i) })
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        // SAFETY: the stack and its elements are owned by this guard and freed once.
        unsafe { ffi::OPENSSL_sk_pop_free(self.ptr, Some(self.free)) }
    }
}

unsafe extern "C" fn free_pkcs7(p: *mut c_void) {
    // SAFETY: called by `OPENSSL_sk_pop_free` on each element of a stack of PKCS7.
    unsafe { ffi::PKCS7_free(p.cast()) }
}

unsafe extern "C" fn free_safebag(p: *mut c_void) {
    // SAFETY: called by `OPENSSL_sk_pop_free` on each element of a stack of safe bags.
    unsafe { PKCS12_SAFEBAG_free(p.cast()) }
}

/// Every key and certificate bag of the store.
fn read_bags(
    p12: &Pkcs12,
    password: &CStr,
    key_password: &CStr,
) -> std::result::Result<Vec<Bag>, Failure> {
    // SAFETY: `p12` is live; the stack returned is ours and freed by the guard.
    let safes = unsafe { PKCS12_unpack_authsafes(p12.as_ptr()) };
    let safes = Stack::new(safes, free_pkcs7).ok_or_else(Failure::from_queue)?;
    let mut bags = Vec::new();
    for p7 in safes.items() {
        // A plain `data` safe first; an encrypted one otherwise (unpack_p7data refuses those).
        // SAFETY: `p7` is an element of the live stack above.
        let mut list = unsafe { PKCS12_unpack_p7data(p7.cast()) };
        if list.is_null() {
            let _ = ErrorStack::get();
            // SAFETY: as above; the password is NUL-terminated.
            list = unsafe { PKCS12_unpack_p7encdata(p7.cast(), password.as_ptr(), -1) };
        }
        let list = Stack::new(list, free_safebag).ok_or_else(Failure::from_queue)?;
        for bag in list.items() {
            if let Some(b) = read_bag(bag.cast(), key_password)? {
                bags.push(b);
            }
        }
    }
    let _ = ErrorStack::get();
    Ok(bags)
}

/// One bag: a key (plain or shrouded with `key_password`) or a certificate; other kinds (CRLs,
/// secrets) are `None`.
fn read_bag(
    bag: *mut PKCS12_SAFEBAG,
    key_password: &CStr,
) -> std::result::Result<Option<Bag>, Failure> {
    // SAFETY: `bag` is an element of a live stack of safe bags (so are the blocks below), and
    // what OpenSSL returns as owned (`get1`, `decrypt_skey`) is freed or wrapped here.
    let nid = unsafe { PKCS12_SAFEBAG_get_nid(bag) };
    let item = match openssl::nid::Nid::from_raw(nid) {
        openssl::nid::Nid::PKCS8SHROUDEDKEYBAG => {
            // SAFETY: see above.
            let p8 = unsafe { PKCS12_decrypt_skey(bag, key_password.as_ptr(), -1) };
            if p8.is_null() {
                match Failure::from_queue() {
                    Failure::Unsupported => return Err(Failure::Unsupported),
                    Failure::Damaged => Item::Key(Err(())),
                }
            } else {
                let key = pkey_of(p8);
                // SAFETY: see above; `p8` is ours.
                unsafe { ffi::PKCS8_PRIV_KEY_INFO_free(p8) };
                Item::Key(key)
            }
        }
        openssl::nid::Nid::KEYBAG => {
            // SAFETY: see above; `get0`: borrowed from the bag, not freed here.
            let p8 = unsafe { PKCS12_SAFEBAG_get0_p8inf(bag) };
            Item::Key(pkey_of(p8.cast_mut()))
        }
        openssl::nid::Nid::CERTBAG => {
            // SAFETY: see above.
            let cert = unsafe { PKCS12_SAFEBAG_get1_cert(bag) };
            if cert.is_null() {
                return Err(Failure::from_queue());
            }
            // SAFETY: `get1`: a new reference, now owned by the `X509`.
            Item::Certificate(unsafe { X509::from_ptr(cert) })
        }
        _ => return Ok(None),
    };
    Ok(Some(Bag {
        alias: friendly_name(bag),
        local_key_id: local_key_id(bag),
        item,
    }))
}

fn pkey_of(p8: *mut ffi::PKCS8_PRIV_KEY_INFO) -> std::result::Result<PKey<Private>, ()> {
    if p8.is_null() {
        let _ = ErrorStack::get();
        return Err(());
    }
    // SAFETY: `p8` is a live key info; the key returned is a new object we own.
    let key = unsafe { ffi::EVP_PKCS82PKEY(p8) };
    if key.is_null() {
        let _ = ErrorStack::get();
        return Err(());
    }
    // SAFETY: a new key, owned by the `PKey` from now on.
    Ok(unsafe { PKey::from_ptr(key) })
}

fn friendly_name(bag: *mut PKCS12_SAFEBAG) -> Option<String> {
    // SAFETY: `bag` is live; the name is an OpenSSL allocation freed right after the copy.
    unsafe {
        let name = PKCS12_get_friendlyname(bag);
        if name.is_null() {
            return None;
        }
        let copy = CStr::from_ptr(name).to_string_lossy().into_owned();
        ffi::OPENSSL_free(name.cast());
        Some(copy)
    }
}

fn local_key_id(bag: *mut PKCS12_SAFEBAG) -> Option<Vec<u8>> {
    const MAX: usize = 64;
    let mut id = [0u8; MAX];
    // SAFETY: `bag` is live; the attribute is borrowed; `id` has room for `MAX` bytes and the
    // call writes at most that many.
    let n = unsafe {
        let attr = PKCS12_SAFEBAG_get0_attr(bag, ffi::NID_localKeyID);
        if attr.is_null() {
            return None;
        }
        ASN1_TYPE_get_octetstring(attr, id.as_mut_ptr(), MAX as c_int)
    };
    let n = usize::try_from(n).ok()?;
    Some(id[..n.min(MAX)].to_vec())
}

/// The store's entries from its bags: each key with its certificate first, then the certificates
/// that belong to no key as trusted entries.
fn pair(bags: Vec<Bag>) -> Vec<Entry> {
    let (keys, certs): (Vec<_>, Vec<_>) = bags
        .into_iter()
        .partition(|b| matches!(b.item, Item::Key(_)));
    let mut certs: Vec<Option<Bag>> = certs.into_iter().map(Some).collect();
    let mut entries = Vec::new();
    for key in keys {
        let Item::Key(pkey) = key.item else {
            continue;
        };
        let belongs = |c: &Bag| match (&c.item, &key.local_key_id, &pkey) {
            (Item::Certificate(_), Some(id), _) if c.local_key_id.as_ref() == Some(id) => true,
            (Item::Certificate(x), _, Ok(k)) => x.public_key().is_ok_and(|p| p.public_eq(k)),
            _ => false,
        };
        let found = certs
            .iter_mut()
            .find(|c| c.as_ref().is_some_and(belongs))
            .and_then(Option::take);
        let mut chain = Vec::new();
        let mut alias = key.alias;
        if let Some(Bag {
            item: Item::Certificate(x),
            alias: cert_alias,
            ..
        }) = found
        {
            chain.extend(x.to_der().ok());
            alias = alias.or(cert_alias);
        }
        entries.push(Entry {
            alias: alias.unwrap_or_default(),
            kind: EntryKind::Key {
                protected: Protected::Pkcs12(pkey),
                chain,
            },
        });
    }
    for cert in certs.into_iter().flatten() {
        entries.push(Entry {
            alias: cert.alias.unwrap_or_default(),
            kind: EntryKind::Trusted,
        });
    }
    entries
}
