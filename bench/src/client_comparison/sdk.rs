//! The PyPI `anaplan-sdk`'s side: `bench/clients/sdk_bench.py` in a subprocess, with the compat
//! venv's python, reporting its timings as JSON on stdout.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anaplan_emulator::RunningEmulator;
use serde_json::Value;

use crate::table::TransferRow;
use crate::wire::wire_stats;
use crate::{fresh_state, sha256_hex, CLEAR_EMPLOYEES, FILE, MODEL, PASSWORD, USER, WS};

/// The SDK in its subprocess.
pub(crate) struct Sdk<'a> {
    pub(crate) python: &'a Path,
    pub(crate) emu: &'a RunningEmulator,
    pub(crate) deadline: Duration,
}

impl Sdk<'_> {
    pub(crate) fn transfer(
        &self,
        data_path: &Path,
        data: &[u8],
        repeat: usize,
        chunk_size: Option<usize>,
    ) -> Result<(TransferRow, Value), String> {
        fresh_state(self.emu);
        let mut extra = vec![
            "--data".to_string(),
            data_path.display().to_string(),
            "--file-id".into(),
            FILE.into(),
            "--repeat".into(),
            repeat.to_string(),
        ];
        if let Some(c) = chunk_size {
            extra.extend(["--chunk-size".to_string(), c.to_string()]);
        }
        let out = self.call("transfer", &extra)?;
        // The script compares the bytes itself and fails on a difference; the size and checksum
        // are checked here too, so a script that skipped the comparison cannot pass.
        let sha = sha256_hex(data);
        if out["bytes"].as_u64() != Some(data.len() as u64) || out["sha256"].as_str() != Some(&sha)
        {
            return Err(format!(
                "the SDK side reports {} bytes with sha256 {}, expected {} bytes with {sha}",
                out["bytes"],
                out["sha256"],
                data.len()
            ));
        }
        let row = TransferRow {
            client: out["client"].as_str().unwrap_or("anaplan-sdk").to_string(),
            settings: String::new(),
            upload_s: seconds(&out["upload_s"])?,
            download_s: seconds(&out["download_s"])?,
            wire: wire_stats(self.emu, repeat)?,
        };
        Ok((row, out))
    }

    pub(crate) fn task(&self, repeat: usize) -> Result<Value, String> {
        fresh_state(self.emu);
        self.call(
            "task",
            &[
                "--action-id".into(),
                CLEAR_EMPLOYEES.into(),
                "--repeat".into(),
                repeat.to_string(),
            ],
        )
    }

    /// Runs the script and parses its JSON; its stderr (progress, tracebacks) goes to ours.
    pub(crate) fn call(&self, mode: &str, extra: &[String]) -> Result<Value, String> {
        let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("clients/sdk_bench.py");
        let mut child = Command::new(self.python)
            .arg(&script)
            .arg(mode)
            .args([
                "--auth-url",
                &self.emu.auth_url,
                "--api-url",
                &self.emu.api_url,
            ])
            .args(["--user", USER, "--password", PASSWORD])
            .args(["--workspace", WS, "--model", MODEL])
            .args(["--deadline", &self.deadline.as_secs().to_string()])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", self.python.display()))?;
        let mut stdout = child.stdout.take().expect("stdout was piped");
        let reader = std::thread::spawn(move || {
            let mut s = String::new();
            stdout.read_to_string(&mut s).map(|_| s)
        });
        // The script bounds itself; this is the backstop should Python hang before its alarm.
        let limit = Instant::now() + self.deadline + Duration::from_secs(30);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break status,
                Ok(None) if Instant::now() > limit => {
                    // Already exiting or gone is fine: either way it no longer runs.
                    let _ = child.kill();
                    let _ = child.wait();
                    return Err(format!(
                        "sdk_bench.py {mode} did not finish within {} s and was killed",
                        (self.deadline + Duration::from_secs(30)).as_secs()
                    ));
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(50)),
                Err(e) => return Err(format!("waiting for sdk_bench.py: {e}")),
            }
        };
        let text = reader
            .join()
            .map_err(|_| "the stdout reader panicked".to_string())?
            .map_err(|e| format!("reading sdk_bench.py's output: {e}"))?;
        if !status.success() {
            return Err(format!(
                "sdk_bench.py {mode} failed ({status}); its messages are above"
            ));
        }
        serde_json::from_str(text.trim())
            .map_err(|e| format!("sdk_bench.py {mode} printed no JSON ({e}): {text:?}"))
    }
}

pub(crate) fn seconds(v: &Value) -> Result<Vec<f64>, String> {
    v.as_array()
        .map(|a| a.iter().filter_map(Value::as_f64).collect::<Vec<_>>())
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("expected a list of seconds, got {v}"))
}
