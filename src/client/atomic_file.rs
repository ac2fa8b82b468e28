//! Writing a download to a path all or nothing: into a temporary file in the same folder (so the
//! final rename stays on one file system), flushed to disk, then renamed over the target. Until
//! then the target, if it exists, is untouched; dropping an uncommitted file removes it.

use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use super::error::{Error, Result};

pub(crate) struct AtomicFile {
    target: PathBuf,
    temp: PathBuf,
    file: Option<File>,
}

impl AtomicFile {
    pub fn create(target: &Path) -> Result<AtomicFile> {
        let name = target
            .file_name()
            .ok_or_else(|| Error::invalid(format!("{}: not a file path", target.display())))?;
        let dir = match target.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        // A random suffix: two downloads to the same path must not share a temporary file.
        let suffix: u64 = rand::random();
        let temp = dir.join(format!(".{}.{suffix:016x}.partial", name.to_string_lossy()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| Error::io(&temp, e))?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(file),
        })
    }

    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        match self.file.as_mut() {
            Some(f) => f.write_all(data).map_err(|e| Error::io(&self.temp, e)),
            None => Err(Error::invalid("the download file is already closed")),
        }
    }

    /// Flushes the data to disk and moves it to the target path.
    pub fn commit(mut self) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all().map_err(|e| Error::io(&self.temp, e))?;
        }
        std::fs::rename(&self.temp, &self.target).map_err(|e| Error::io(&self.target, e))?;
        // The rename is durable only once the folder is synced; failing that is not a failed
        // download, the data is in place.
        if let Some(dir) = self.target.parent().filter(|p| !p.as_os_str().is_empty()) {
            if let Ok(d) = File::open(dir) {
                let _ = d.sync_all();
            }
        }
        self.temp = PathBuf::new();
        Ok(())
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        self.file = None;
        if !self.temp.as_os_str().is_empty() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("anaplan-atomic-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn commit_replaces_the_target() {
        let dir = scratch("commit");
        let target = dir.join("out.csv");
        std::fs::write(&target, b"old").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new ").unwrap();
        f.write_all(b"data").unwrap();
        assert_eq!(
            std::fs::read(&target).unwrap(),
            b"old",
            "untouched until commit"
        );
        f.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"new data");
        assert_eq!(entries(&dir), ["out.csv"]);
    }

    #[test]
    fn dropping_leaves_no_partial_file_and_keeps_the_old_one() {
        let dir = scratch("drop");
        let target = dir.join("out.csv");
        std::fs::write(&target, b"old").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"half").unwrap();
        assert_eq!(entries(&dir).len(), 2);
        drop(f);
        assert_eq!(entries(&dir), ["out.csv"]);
        assert_eq!(std::fs::read(&target).unwrap(), b"old");
    }

    #[test]
    fn a_missing_folder_is_an_io_error_naming_the_path() {
        let dir = scratch("missing");
        let target = dir.join("no/such/folder/out.csv");
        match AtomicFile::create(&target) {
            Err(Error::Io { path, .. }) => assert!(path.starts_with(dir.join("no/such/folder"))),
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("created a file in a missing folder"),
        }
    }
}
