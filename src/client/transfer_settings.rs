//! How uploads and downloads run: chunk size, chunks in flight, gzip. A connection has defaults
//! (`Config::transfer`); one transfer may override any of them, and take a cancel token, through
//! [`TransferOptions`] and [`Client::with_transfer`], without signing in again.

use super::bounds::{CHUNK_SIZE, CHUNK_SIZE_MB, GZIP_LEVEL, MB, PARALLELISM};
use super::cancel::CancelToken;
use super::connection::Client;
use super::error::Result;

/// The settings one transfer runs with. The fields are public (as `Config`'s are): the setters
/// check the ranges, and every transfer checks them again before it touches anything.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TransferSettings {
    /// Upload chunk size in bytes, 1 to 50 MB.
    pub chunk_size: usize,
    /// Chunks in flight at once, for uploads and downloads.
    pub parallelism: usize,
    /// Send upload chunks gzip-compressed (`application/x-gzip`).
    pub gzip: bool,
    /// zlib level of that compression, 1 (fastest) to 9 (smallest).
    pub gzip_level: u32,
}

impl Default for TransferSettings {
    fn default() -> Self {
        TransferSettings {
            chunk_size: 10 * MB as usize,
            parallelism: 4,
            gzip: true,
            // Level 2 (zlib-rs): on CSV it sends a quarter fewer bytes than level 1 and within
            // 10 % of level 6, at 2.5 times the speed of level 6, so compression keeps up with a
            // gigabit link on a few cores while a slower link still gets nearly the smallest
            // chunks (measurements in the README, "Clients side by side").
            gzip_level: 2,
        }
    }
}

impl TransferSettings {
    pub fn set_chunk_size(&mut self, bytes: usize) -> Result<()> {
        self.chunk_size = CHUNK_SIZE.check_usize(bytes as i128)?;
        Ok(())
    }

    /// [`TransferSettings::set_chunk_size`] in megabytes of 1 000 000 bytes, as Anaplan counts
    /// them. Any integer is taken, so a negative one from C gets the same message as 0 or 51.
    pub fn set_chunk_size_mb(&mut self, megabytes: i64) -> Result<()> {
        self.chunk_size = (CHUNK_SIZE_MB.check(megabytes.into())? * MB) as usize;
        Ok(())
    }

    pub fn set_parallelism(&mut self, n: i64) -> Result<()> {
        self.parallelism = PARALLELISM.check_usize(n.into())?;
        Ok(())
    }

    pub fn set_gzip_level(&mut self, level: i64) -> Result<()> {
        self.gzip_level = GZIP_LEVEL.check_u32(level.into())?;
        Ok(())
    }

    /// These settings when every one is in range (they may have been set without the setters).
    pub fn checked(self) -> Result<TransferSettings> {
        CHUNK_SIZE.check(self.chunk_size as i128)?;
        PARALLELISM.check(self.parallelism as i128)?;
        GZIP_LEVEL.check(self.gzip_level.into())?;
        Ok(self)
    }

    /// The zlib level when chunks are compressed, `None` when they are not.
    pub fn gzip_level(&self) -> Option<u32> {
        self.gzip.then_some(self.gzip_level)
    }
}

/// What one transfer sets for itself: each setting left unset is the connection's, and a token
/// that cancels the transfer from any thread. Built with the checking setters, so a
/// [`Client::with_transfer`] never holds a value out of range.
#[derive(Clone, Debug, Default)]
pub struct TransferOptions {
    overrides: Overrides,
    /// Cancelling it stops the transfer as a progress callback returning `false` does.
    pub cancel: Option<CancelToken>,
}

/// The settings a [`TransferOptions`] changes, each `None` when left to the connection.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Overrides {
    chunk_size: Option<usize>,
    parallelism: Option<usize>,
    gzip: Option<bool>,
    gzip_level: Option<u32>,
}

impl TransferOptions {
    pub fn new() -> TransferOptions {
        TransferOptions::default()
    }

    /// Options that change no setting and cancel with `token`.
    pub fn with_cancel(token: CancelToken) -> TransferOptions {
        TransferOptions {
            cancel: Some(token),
            ..TransferOptions::default()
        }
    }

    /// Each setter checks with [`TransferSettings`]' own: one range and one message per setting.
    fn checked(set: impl FnOnce(&mut TransferSettings) -> Result<()>) -> Result<TransferSettings> {
        let mut s = TransferSettings::default();
        set(&mut s)?;
        Ok(s)
    }

    pub fn set_chunk_size(&mut self, bytes: usize) -> Result<()> {
        let s = Self::checked(|s| s.set_chunk_size(bytes))?;
        self.overrides.chunk_size = Some(s.chunk_size);
        Ok(())
    }

    pub fn set_chunk_size_mb(&mut self, megabytes: i64) -> Result<()> {
        let s = Self::checked(|s| s.set_chunk_size_mb(megabytes))?;
        self.overrides.chunk_size = Some(s.chunk_size);
        Ok(())
    }

    pub fn set_parallelism(&mut self, n: i64) -> Result<()> {
        let s = Self::checked(|s| s.set_parallelism(n))?;
        self.overrides.parallelism = Some(s.parallelism);
        Ok(())
    }

    pub fn set_gzip(&mut self, gzip: bool) {
        self.overrides.gzip = Some(gzip);
    }

    pub fn set_gzip_level(&mut self, level: i64) -> Result<()> {
        let s = Self::checked(|s| s.set_gzip_level(level))?;
        self.overrides.gzip_level = Some(s.gzip_level);
        Ok(())
    }

    /// `base` with these options' settings in place of its own.
    pub fn over(&self, base: TransferSettings) -> TransferSettings {
        let o = self.overrides;
        TransferSettings {
            chunk_size: o.chunk_size.unwrap_or(base.chunk_size),
            parallelism: o.parallelism.unwrap_or(base.parallelism),
            gzip: o.gzip.unwrap_or(base.gzip),
            gzip_level: o.gzip_level.unwrap_or(base.gzip_level),
        }
    }
}

impl Client {
    /// The same connection, whose transfers run with `options` over this clone's settings (the
    /// connection's unless changed before): `client.with_transfer(&o).upload_file(…)`.
    pub fn with_transfer(&self, options: &TransferOptions) -> Client {
        let mut c = self.clone();
        c.transfer = options.over(self.transfer);
        if options.cancel.is_some() {
            c.transfer_cancel = options.cancel.clone();
        }
        c
    }

    /// The settings this clone's transfers run with.
    pub fn transfer_settings(&self) -> TransferSettings {
        self.transfer
    }

    /// A token for one transfer: cancelled by the transfer itself when it fails (to stop its
    /// workers), and by the caller's token when [`Client::with_transfer`] gave one; cancelling
    /// it never cancels the caller's.
    pub(crate) fn transfer_cancel_token(&self) -> CancelToken {
        self.transfer_cancel
            .as_ref()
            .map_or_else(CancelToken::new, CancelToken::linked)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_override_only_what_they_set() {
        let base = TransferSettings::default();
        let mut o = TransferOptions::new();
        assert_eq!(o.over(base), base);
        o.set_chunk_size_mb(2).unwrap();
        o.set_gzip(false);
        let s = o.over(base);
        assert_eq!(s.chunk_size, 2_000_000);
        assert!(!s.gzip);
        assert_eq!(s.parallelism, base.parallelism);
        assert_eq!(s.gzip_level, base.gzip_level);
    }

    #[test]
    fn options_refuse_what_the_settings_refuse_with_the_same_message() {
        let mut o = TransferOptions::new();
        let mut s = TransferSettings::default();
        for bad in [-1, 0, 51] {
            assert_eq!(
                o.set_chunk_size_mb(bad).unwrap_err().to_string(),
                s.set_chunk_size_mb(bad).unwrap_err().to_string()
            );
        }
        assert!(o.set_parallelism(33).is_err());
        assert!(o.set_gzip_level(0).is_err());
        assert_eq!(
            o.over(TransferSettings::default()),
            TransferSettings::default()
        );
    }
}
