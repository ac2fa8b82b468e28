//! Just enough DER to open a JKS key entry's `EncryptedPrivateKeyInfo` (PKCS#8):
//! `SEQUENCE { SEQUENCE { algorithm OID, parameters }, OCTET STRING }`. Every length is checked
//! against what is left, so damaged input is `None`, never a panic.

pub(super) const SEQUENCE: u8 = 0x30;
pub(super) const OCTET_STRING: u8 = 0x04;
pub(super) const OID: u8 = 0x06;

/// Reads tag-length-value items one after the other.
pub(super) struct Der<'a> {
    rest: &'a [u8],
}

impl<'a> Der<'a> {
    pub fn new(bytes: &'a [u8]) -> Der<'a> {
        Der { rest: bytes }
    }

    /// The next item's tag and content.
    pub fn next(&mut self) -> Option<(u8, &'a [u8])> {
        let (&tag, rest) = self.rest.split_first()?;
        let (&first, mut rest) = rest.split_first()?;
        let len = if first < 0x80 {
            usize::from(first)
        } else {
            // Long form: the low bits count the length bytes (at most 4 here: 4 GiB).
            let n = usize::from(first & 0x7F);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let (bytes, after) = rest.split_at(n);
            rest = after;
            bytes
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b))
        };
        if rest.len() < len {
            return None;
        }
        let (content, after) = rest.split_at(len);
        self.rest = after;
        Some((tag, content))
    }

    /// The next item's content when it has this tag.
    pub fn expect(&mut self, tag: u8) -> Option<&'a [u8]> {
        self.next().filter(|(t, _)| *t == tag).map(|(_, c)| c)
    }
}

/// `(algorithm OID, encrypted data)` of an `EncryptedPrivateKeyInfo`.
pub(super) fn encrypted_private_key_info(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let info = Der::new(bytes).expect(SEQUENCE)?;
    let mut fields = Der::new(info);
    let algorithm = fields.expect(SEQUENCE)?;
    let oid = Der::new(algorithm).expect(OID)?;
    let data = fields.expect(OCTET_STRING)?;
    Some((oid, data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_lengths_and_damage() {
        let long = [&[0x04, 0x81, 0x80][..], &[7u8; 0x80]].concat();
        assert_eq!(Der::new(&long).expect(OCTET_STRING), Some(&[7u8; 0x80][..]));
        assert_eq!(
            Der::new(&[0x04, 0x02, 1, 2]).next(),
            Some((0x04, &[1, 2][..]))
        );
        for damaged in [
            &[0x04, 0x03, 1, 2][..],
            &[0x04, 0x85, 0, 0, 0, 0, 1],
            &[0x04],
            &[],
        ] {
            assert_eq!(Der::new(damaged).next(), None, "{damaged:?}");
        }
        // The parameters (NULL here) are skipped: the OID alone says the algorithm.
        let info = [0x30, 13, 0x30, 7, 0x06, 3, 1, 2, 3, 0x05, 0, 0x04, 2, 9, 9];
        assert_eq!(
            encrypted_private_key_info(&info),
            Some((&[1, 2, 3][..], &[9, 9][..]))
        );
    }
}
