//! Our library's side, driven through its Rust API (the C ABI is a thin translation over it).

use std::time::Instant;

use anaplan::client::{tasks::RunOptions, Client, Config, Credentials, Logger};
use anaplan_emulator::RunningEmulator;

use crate::table::{TaskRow, TransferRow};
use crate::wire::{status_polls, wire_stats};
use crate::{check_same, fresh_state, CLEAR_EMPLOYEES, FILE, MODEL, OURS, PASSWORD, USER, WS};

/// Sign-in and one listing, outside the clock (the SDK side does the same).
pub(crate) fn connect_ours(emu: &RunningEmulator, config: &Config) -> Result<Client, String> {
    let config = Config {
        auth_url: emu.auth_url.clone(),
        api_url: emu.api_url.clone(),
        ..config.clone()
    };
    let credentials =
        Credentials::basic(USER, PASSWORD).map_err(|e| format!("credentials: {e}"))?;
    let client = Client::connect(config, credentials, Logger::default())
        .map_err(|e| format!("our client could not sign in: {e}"))?;
    client
        .set_workspace_id(WS)
        .and_then(|_| client.set_model_id(MODEL))
        .and_then(|_| client.list_files().map(drop))
        .map_err(|e| format!("our client could not list the model's files: {e}"))?;
    Ok(client)
}

pub(crate) fn ours_transfer(
    emu: &RunningEmulator,
    data: &[u8],
    repeat: usize,
    config: &Config,
    settings: String,
) -> Result<TransferRow, String> {
    fresh_state(emu);
    let client = connect_ours(emu, config)?;
    let (mut upload_s, mut download_s) = (Vec::new(), Vec::new());
    for i in 0..repeat {
        let t = Instant::now();
        client
            .upload_bytes(FILE, data, None)
            .map_err(|e| format!("our upload, run {}: {e}", i + 1))?;
        upload_s.push(t.elapsed().as_secs_f64());

        let t = Instant::now();
        let back = client
            .download_to_vec(FILE, None)
            .map_err(|e| format!("our download, run {}: {e}", i + 1))?;
        download_s.push(t.elapsed().as_secs_f64());
        check_same(&back, data, &format!("our client, run {}", i + 1))?;
        eprintln!(
            "client-comparison: ours run {}/{repeat}: upload {:.2} s, download {:.2} s, identical",
            i + 1,
            upload_s[i],
            download_s[i]
        );
    }
    client.close();
    Ok(TransferRow {
        client: OURS.into(),
        settings,
        upload_s,
        download_s,
        wire: wire_stats(emu, repeat)?,
    })
}

pub(crate) fn ours_task(emu: &RunningEmulator, ms: u64, repeat: usize) -> Result<TaskRow, String> {
    fresh_state(emu);
    let client = connect_ours(emu, &Config::default())?;
    let mut wall_s = Vec::new();
    for i in 0..repeat {
        let t = Instant::now();
        let result = client
            .run(CLEAR_EMPLOYEES, &RunOptions::default())
            .map_err(|e| format!("our run of {CLEAR_EMPLOYEES}, run {}: {e}", i + 1))?;
        wall_s.push(t.elapsed().as_secs_f64());
        if !result.successful {
            return Err(format!(
                "our run of {CLEAR_EMPLOYEES} ended unsuccessful: {}",
                result.task_id
            ));
        }
    }
    client.close();
    Ok(TaskRow {
        client: OURS.into(),
        task_ms: ms,
        polling: "status at once, then after 100 ms, doubling up to 5 s".into(),
        wall_s,
        polls: status_polls(emu, repeat),
    })
}
