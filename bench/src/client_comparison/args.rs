//! The command line of `client-comparison`.

use std::path::PathBuf;

const USAGE: &str = "usage: client-comparison --python PATH [--mb 200] [--repeat 3] \
[--task-ms 500,1300,2700] [--task-repeat 3] [--matched-chunk-mb 10] [--bandwidth BYTES_PER_SEC] \
[--out FILE]";

pub(crate) struct Args {
    /// The compat venv's python, with anaplan-sdk installed.
    pub(crate) python: PathBuf,
    pub(crate) mb: usize,
    pub(crate) repeat: usize,
    pub(crate) task_ms: Vec<u64>,
    pub(crate) task_repeat: usize,
    pub(crate) matched_chunk_mb: usize,
    /// Per-connection cap in bytes per second during the transfers; none on loopback.
    pub(crate) bandwidth: Option<u64>,
    pub(crate) out: Option<PathBuf>,
}

pub(crate) fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        python: PathBuf::new(),
        mb: 200,
        repeat: 3,
        // Not whole seconds: a duration that is a multiple of a client's fixed poll interval
        // would let that client see the end the instant it happens, every time.
        task_ms: vec![500, 1300, 2700],
        task_repeat: 3,
        matched_chunk_mb: 10,
        bandwidth: None,
        out: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.into());
        }
        let value = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let number = |v: &str| -> Result<usize, String> {
            v.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{flag}: expected a positive number, got {v:?}"))
        };
        match flag.as_str() {
            "--python" => a.python = PathBuf::from(value),
            "--mb" => a.mb = number(&value)?,
            "--repeat" => a.repeat = number(&value)?,
            "--task-repeat" => a.task_repeat = number(&value)?,
            "--matched-chunk-mb" => {
                a.matched_chunk_mb = number(&value)?;
                if a.matched_chunk_mb > 50 {
                    return Err("--matched-chunk-mb: Anaplan takes chunks of 1 to 50 MB".into());
                }
            }
            "--task-ms" => {
                a.task_ms = value
                    .split(',')
                    .map(|v| number(v.trim()).map(|n| n as u64))
                    .collect::<Result<_, _>>()?
            }
            "--bandwidth" => a.bandwidth = Some(number(&value)? as u64),
            "--out" => a.out = Some(PathBuf::from(value)),
            _ => return Err(format!("unknown option {flag}\n{USAGE}")),
        }
    }
    if a.python.as_os_str().is_empty() {
        return Err(format!(
            "--python is required: the python of the venv with anaplan-sdk \
             (emulator/compat/anaplan_sdk/venv.sh prints it)\n{USAGE}"
        ));
    }
    Ok(a)
}
