//! Writing a download to a path all or nothing: into a temporary file in the same folder (so the
//! final rename stays on one file system), flushed to disk, then renamed over the target. Until
//! then the target, if it exists, is untouched; dropping an uncommitted file removes it.
//!
//! A process killed mid-download cannot remove its temporary file, so each one carries the id of
//! the process that made it (`.<target>.<pid>.<random>.partial`), and a download to the same
//! target removes those of processes that are gone (where the system lists its processes in
//! `/proc`; a process id in use, or reused since, leaves the file alone).

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
        let name = name.to_string_lossy();
        remove_leftovers(&dir, &name);
        // A random suffix: two downloads to the same path must not share a temporary file.
        let suffix: u64 = rand::random();
        let pid = std::process::id();
        let temp = dir.join(format!(".{name}.{pid}.{suffix:016x}.partial"));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(|e| {
                let what = format!("the folder {} cannot take the download", dir.display());
                at_target(target, &what, e)
            })?;
        Ok(AtomicFile {
            target: target.to_path_buf(),
            temp,
            file: Some(file),
        })
    }

    pub fn write_all(&mut self, data: &[u8]) -> Result<()> {
        match self.file.as_mut() {
            Some(f) => f
                .write_all(data)
                .map_err(|e| at_target(&self.target, "writing the download failed", e)),
            None => Err(Error::invalid("the download file is already closed")),
        }
    }

    /// Flushes the data to disk and moves it to the target path.
    pub fn commit(mut self) -> Result<()> {
        if let Some(f) = self.file.take() {
            f.sync_all()
                .map_err(|e| at_target(&self.target, "writing the download failed", e))?;
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

/// An I/O error of the temporary file, told as the caller's: their path, what failed, and the
/// system's reason (the temporary file's name would only puzzle them).
fn at_target(target: &Path, what: &str, e: std::io::Error) -> Error {
    Error::io(
        target,
        std::io::Error::new(e.kind(), format!("{what}: {e}")),
    )
}

/// Removes the temporary files of downloads to `name` in `dir` whose process is gone.
fn remove_leftovers(dir: &Path, name: &str) {
    let proc_dir = Path::new("/proc");
    if !proc_dir.join("self").exists() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let prefix = format!(".{name}.");
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(middle) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|n| n.strip_suffix(".partial"))
        else {
            continue;
        };
        // `<pid>.<16 hex digits>`: anything else is not one of ours.
        let Some((pid, random)) = middle.split_once('.') else {
            continue;
        };
        let ours = random.len() == 16 && random.chars().all(|c| c.is_ascii_hexdigit());
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if ours && pid != std::process::id() && !proc_dir.join(pid.to_string()).exists() {
            let _ = std::fs::remove_file(entry.path());
        }
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

    /// What a killed process left (its id is above Linux's highest, so never alive) is removed
    /// by the next download to that target; a live process's file and other files stay.
    #[test]
    fn leftovers_of_processes_that_are_gone_are_removed() {
        let dir = scratch("leftovers");
        let target = dir.join("out.csv");
        let dead = ".out.csv.4194305.0123456789abcdef.partial";
        let alive = ".out.csv.1.0123456789abcdef.partial";
        let other = ".other.csv.4194305.0123456789abcdef.partial";
        let not_ours = ".out.csv.4194305.notours.partial";
        for name in [dead, alive, other, not_ours] {
            std::fs::write(dir.join(name), b"partial").unwrap();
        }
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"data").unwrap();
        f.commit().unwrap();
        assert_eq!(entries(&dir), [other, alive, not_ours, "out.csv"]);
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
    fn a_missing_folder_is_an_io_error_naming_the_callers_path() {
        let dir = scratch("missing");
        let target = dir.join("no/such/folder/out.csv");
        let Err(e) = AtomicFile::create(&target) else {
            panic!("created a file in a missing folder");
        };
        let message = e.to_string();
        assert!(message.contains("cannot take the download"), "{message}");
        assert!(!message.contains(".partial"), "{message}");
        match e {
            Error::Io { path, source } => {
                assert_eq!(path, target, "the path asked for, not the temporary file");
                assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
            }
            other => panic!("unexpected error {other}"),
        }
    }
}
