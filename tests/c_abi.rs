//! The C tests: each `tests/c/<name>.c` is compiled with the `cc` crate's compiler against
//! `include/anaplan.h` (C11, warnings are errors), linked to the library this very `cargo test`
//! built, and run as a child process; the test fails with the program's output unless it exits 0.
//!
//! Where the library comes from: this test executable lives in `target/<profile>/deps/`. Cargo
//! builds an integration test only after the package's library, and it builds the library with
//! all of its crate types, the `cdylib` included, into that same `deps/` directory. So
//! `deps/libanaplan.so` is always the library of the current sources and profile, with no second
//! `cargo build` (which would contend for the build lock and could pick another profile). The
//! programs link it as `-lanaplan` and find it at run time through `LD_LIBRARY_PATH`.
//!
//! Under Valgrind: `scripts/valgrind-c-tests.sh` sets `ANAPLAN_C_TEST_RUNNER` to a Valgrind
//! command line; each program then runs under it, and the test also checks that Valgrind ran.
//!
//! Adding a C test: put `tests/c/<name>.c` (using `check.h`) and add a `#[test]` calling
//! `run_c_test("<name>", &[])`, with environment variables for it (the emulator's URLs) if needed.
//! A test may then look inside the emulators it started (the facade of `RunningEmulator`: the
//! request log, tokens, tasks) to check what the program did on the server side.

use anaplan_test_pki::sign_in as pki;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anaplan_emulator::{BundledSeed, EmulatorConfig, RunningEmulator};
use anaplan_emulator::{Fault, FaultConfig, FaultRule};

/// Every C test, by file name. `every_c_file_has_a_test` keeps this list complete.
const C_TESTS: &[&str] = &[
    "misuse",
    "discovery",
    "client",
    "tasks",
    "transfer",
    "stderr_log",
    "keystore",
    "oauth",
];

/// A C test that has not finished by then is killed and fails (generous: Valgrind is slow).
const TIMEOUT: Duration = Duration::from_secs(600);

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>/deps`, where cargo put this executable and the cdylib.
fn library_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test knows its own path");
    exe.parent()
        .expect("the test executable is in a directory")
        .to_path_buf()
}

fn library_file() -> &'static str {
    if cfg!(target_os = "macos") {
        "libanaplan.dylib"
    } else {
        "libanaplan.so"
    }
}

fn library_path_var() -> &'static str {
    if cfg!(target_os = "macos") {
        "DYLD_LIBRARY_PATH"
    } else {
        "LD_LIBRARY_PATH"
    }
}

/// The target triple the `cc` crate needs outside a build script (where cargo would set TARGET).
fn target_triple() -> String {
    let arch = std::env::consts::ARCH;
    match std::env::consts::OS {
        "linux" if cfg!(target_env = "musl") => format!("{arch}-unknown-linux-musl"),
        "linux" => format!("{arch}-unknown-linux-gnu"),
        "macos" => format!("{arch}-apple-darwin"),
        other => panic!("the C test harness supports Linux and macOS, not {other}"),
    }
}

/// Compiles a C program (`tests/c/<name>.c`, or an example) into
/// `target/<profile>/c-tests/<name>` and returns its path.
fn compile(source: &Path, lib_dir: &Path) -> PathBuf {
    let name = source
        .file_stem()
        .and_then(|s| s.to_str())
        .expect("a C source file name");
    let out_dir = lib_dir
        .parent()
        .expect("deps/ has a parent")
        .join("c-tests");
    std::fs::create_dir_all(&out_dir).expect("c-tests/ can be created");
    // The seed's ids come from the one table of the emulator crate.
    std::fs::write(out_dir.join("seed_ids.h"), BundledSeed::c_header())
        .expect("seed_ids.h can be written");
    let triple = target_triple();
    let compiler = cc::Build::new()
        .target(&triple)
        .host(&triple)
        .opt_level(0)
        .debug(true)
        .warnings(true)
        .extra_warnings(true)
        .cargo_metadata(false)
        .out_dir(&out_dir)
        .get_compiler();
    let exe = out_dir.join(name);
    let output = compiler
        .to_command()
        .args([
            "-std=c11",
            "-pedantic",
            "-Werror",
            "-D_POSIX_C_SOURCE=200809L",
        ])
        .arg("-I")
        .arg(crate_dir().join("include"))
        .arg("-I")
        .arg(&out_dir)
        .arg(source)
        .arg("-o")
        .arg(&exe)
        .arg("-L")
        .arg(lib_dir)
        .args(["-lanaplan", "-lpthread"])
        .output()
        .expect("the C compiler runs");
    assert!(
        output.status.success(),
        "compiling {} failed:\n{}{}",
        source.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    exe
}

/// Builds and runs one C test; panics with its output unless it exits 0.
fn run_c_test(name: &str, env: &[(String, String)]) -> ProgramOutput {
    let source = crate_dir().join("tests/c").join(format!("{name}.c"));
    run_c_program(&source, &[], env)
}

/// What a C program that passed wrote.
struct ProgramOutput {
    stdout: String,
    stderr: String,
}

/// Builds and runs a C program with arguments and environment; panics with its output unless it
/// exits 0, else returns that output.
fn run_c_program(source: &Path, args: &[String], env: &[(String, String)]) -> ProgramOutput {
    let name = source.display().to_string();
    let lib_dir = library_dir();
    let library = lib_dir.join(library_file());
    assert!(
        library.is_file(),
        "{} is missing: cargo builds the cdylib next to the test executables; \
         was the crate-type \"cdylib\" removed from Cargo.toml?",
        library.display()
    );
    let exe = compile(source, &lib_dir);
    // The programs need the library by its SONAME (`libanaplan.so.<ABI>`, see build.rs), as an
    // installed one is found; cargo builds it as `libanaplan.so`, so a link of that name is made
    // beside the programs.
    let soname_dir = exe
        .parent()
        .expect("the program is in a folder")
        .to_path_buf();
    if cfg!(target_os = "linux") {
        let soname = soname_dir.join(format!(
            "libanaplan.so.{}",
            anaplan::ffi::version::ANAPLAN_ABI_VERSION
        ));
        let _ = std::fs::remove_file(&soname);
        std::os::unix::fs::symlink(&library, &soname).expect("the SONAME link can be made");
    }
    let search_path = std::env::join_paths([&soname_dir, &lib_dir]).expect("a library path");

    let runner = std::env::var("ANAPLAN_C_TEST_RUNNER").unwrap_or_default();
    let mut words = runner.split_whitespace();
    let mut command = match words.next() {
        Some(program) => {
            let mut c = Command::new(program);
            c.args(words).arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    command.args(args);
    let stdout_path = exe.with_extension("stdout");
    let stderr_path = exe.with_extension("stderr");
    command
        .env(library_path_var(), &search_path)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(File::create(&stdout_path).expect("stdout file"))
        .stderr(File::create(&stderr_path).expect("stderr file"));

    let mut child = command
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {:?}: {e}", command.get_program()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("waiting for the C test") {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let stdout = std::fs::read_to_string(&stdout_path).unwrap_or_default();
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let shown = format!("--- stdout\n{stdout}--- stderr\n{stderr}");
    let Some(status) = status else {
        panic!("C test {name} did not finish within {TIMEOUT:?}\n{shown}");
    };
    assert!(
        status.success(),
        "C test {name} failed ({status}{})\n{shown}",
        if status.code() == Some(99) {
            ": Valgrind found errors or leaks"
        } else {
            ""
        }
    );
    if runner.contains("valgrind") {
        assert!(
            stderr.contains("ERROR SUMMARY: 0 errors"),
            "Valgrind did not report\n{shown}"
        );
    }
    // Echoed for `--nocapture` and for the logs of a passing run.
    println!("{shown}");
    ProgramOutput { stdout, stderr }
}

#[test]
fn misuse() {
    run_c_test("misuse", &[]);
}

fn start_emulator(config: EmulatorConfig) -> RunningEmulator {
    anaplan_emulator::start(config).expect("the emulator starts on loopback")
}

/// The variables that give a C test an emulator's URLs: `ANAPLAN_TEST_<infix>AUTH_URL` and
/// `ANAPLAN_TEST_<infix>API_URL` (`infix` "" for the main one, e.g. "SLOW_" for another).
fn emulator_env(infix: &str, emu: &RunningEmulator) -> Vec<(String, String)> {
    vec![
        (
            format!("ANAPLAN_TEST_{infix}AUTH_URL"),
            emu.auth_url.clone(),
        ),
        (format!("ANAPLAN_TEST_{infix}API_URL"), emu.api_url.clone()),
    ]
}

/// Runs a C test against an emulator started in-process on loopback; the test reads its URLs
/// from `ANAPLAN_TEST_AUTH_URL` and `ANAPLAN_TEST_API_URL`. The emulator is returned, still
/// running, for checks of what the program did.
fn run_c_test_with_emulator(name: &str, config: EmulatorConfig) -> RunningEmulator {
    let emu = start_emulator(config);
    run_c_test(name, &emulator_env("", &emu));
    emu
}

#[test]
fn discovery() {
    run_c_test_with_emulator("discovery", Default::default());
}

/// How many requests of the emulator's log match this method and path (exactly) and status.
fn requests(emu: &RunningEmulator, method: &str, path: &str, status: u16) -> usize {
    emu.requests()
        .iter()
        .filter(|r| r.method == method && r.path == path && r.status == status)
        .count()
}

/// Sign-in in every form, with certificates made by the `openssl` tool (the test fails with a
/// clear message when it is missing), against the emulator and a second one that refuses the v1
/// certificate format.
#[test]
fn client() {
    let pki = pki::pki();
    let emu = start_emulator(EmulatorConfig::default());
    let strict = start_emulator(EmulatorConfig {
        reject_v1_certificates: true,
        ..EmulatorConfig::default()
    });
    let mut env = emulator_env("", &emu);
    env.extend(emulator_env("STRICT_", &strict));
    env.push((
        "ANAPLAN_TEST_PKI_DIR".into(),
        pki.dir.to_string_lossy().into_owned(),
    ));
    env.push(("ANAPLAN_TEST_PASSPHRASE".into(), pki::PASSPHRASE.into()));
    run_c_test("client", &env);

    // Freeing a client signs it out: every sign-in was followed by a sign-out, and no token of
    // the program is still valid.
    for e in [&emu, &strict] {
        let signed_in = requests(e, "POST", "/token/authenticate", 201);
        let signed_out = requests(e, "POST", "/token/logout", 204);
        assert!(signed_in > 0);
        assert_eq!(signed_out, signed_in, "one sign-out per sign-in");
        assert!(
            e.token_values().is_empty(),
            "tokens left valid after the program freed its clients"
        );
    }
}

/// Sign-in from Java keystores, once as usual and once where OpenSSL cannot load its legacy
/// provider (`OPENSSL_MODULES` pointing nowhere), which a legacy PKCS#12 needs.
#[test]
fn keystore() {
    use anaplan_test_pki::keystores::{keystores, KEY_PASSWORD, STORE_PASSWORD, UNICODE_PASSWORD};
    let emu = start_emulator(EmulatorConfig::default());
    let mut env = emulator_env("", &emu);
    env.extend([
        (
            "ANAPLAN_TEST_KEYSTORE_DIR".to_string(),
            keystores().dir.to_string_lossy().into_owned(),
        ),
        ("ANAPLAN_TEST_STORE_PASSWORD".into(), STORE_PASSWORD.into()),
        ("ANAPLAN_TEST_KEY_PASSWORD".into(), KEY_PASSWORD.into()),
        (
            "ANAPLAN_TEST_UNICODE_PASSWORD".into(),
            UNICODE_PASSWORD.into(),
        ),
    ]);
    run_c_test("keystore", &env);
    let empty = anaplan_test_pki::fresh_dir("no-openssl-modules");
    env.extend([
        (
            "OPENSSL_MODULES".to_string(),
            empty.to_string_lossy().into_owned(),
        ),
        ("ANAPLAN_TEST_NO_LEGACY".into(), "1".into()),
    ]);
    run_c_test("keystore", &env);
    let signed_in = requests(&emu, "POST", "/token/authenticate", 201);
    // Eight sign-ins in the first run, seven in the second (the legacy store is refused there).
    assert_eq!(signed_in, 8 + 7);
    assert_eq!(requests(&emu, "POST", "/token/logout", 204), signed_in);
}

/// OAuth sign-in from a refresh token the test gets from the emulator (a minted authorization
/// code, exchanged over HTTP as a web app would).
#[test]
fn oauth() {
    let emu = start_emulator(EmulatorConfig::default());
    let code = emu
        .mint_authorization_code(
            BundledSeed::OAUTH_CODE_CLIENT,
            BundledSeed::USER,
            BundledSeed::OAUTH_REDIRECT_URI,
        )
        .unwrap();
    let tokens: serde_json::Value = reqwest::blocking::Client::new()
        .post(format!("{}/oauth/token", emu.api_url))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", BundledSeed::OAUTH_CODE_CLIENT),
            ("client_secret", BundledSeed::OAUTH_CODE_CLIENT_SECRET),
            ("code", code.as_str()),
            ("redirect_uri", BundledSeed::OAUTH_REDIRECT_URI),
        ])
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut env = emulator_env("", &emu);
    env.push((
        "ANAPLAN_TEST_REFRESH_TOKEN".into(),
        tokens["refresh_token"].as_str().unwrap().into(),
    ));
    run_c_test("oauth", &env);
    // The code exchange above, then the program's: two sign-ins, a refused token, a refused client.
    assert_eq!(requests(&emu, "POST", "/oauth/token", 200), 1 + 2);
    assert_eq!(requests(&emu, "POST", "/oauth/token", 400), 1);
    assert_eq!(requests(&emu, "POST", "/oauth/token", 401), 1);
}

/// Every task the emulator holds for this object: (state as Anaplan names it, start body).
fn server_tasks(emu: &RunningEmulator, object_id: &str) -> Vec<(String, serde_json::Value)> {
    emu.tasks()
        .into_iter()
        .filter(|t| t.object_id == object_id)
        .map(|t| (t.state, t.parameters))
        .collect()
}

/// Waits (bounded: 10 s) until no task of the emulator is still being cancelled: a run that
/// timed out asks for the cancellation and returns without waiting for it.
fn settled(emu: &RunningEmulator) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && emu.tasks().iter().any(|t| t.state == "CANCELLING") {
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs, results and dumps, against the emulator and a second one whose tasks take long enough
/// to be cancelled and timed out (`task_duration`).
#[test]
fn tasks() {
    let emu = start_emulator(EmulatorConfig::default());
    // A task waits a tenth of its duration in NOT_STARTED, then runs for the rest: 3 s, then 27 s
    // in which the program cancels it (polls are at most 5 s apart, also under Valgrind).
    let slow = start_emulator(EmulatorConfig {
        task_duration: Duration::from_secs(30),
        ..EmulatorConfig::default()
    });
    let mut env = emulator_env("", &emu);
    env.extend(emulator_env("SLOW_", &slow));
    run_c_test("tasks", &env);

    // The run with mapping parameters sent them, with its locale; the refused export run sent
    // nothing.
    let process = server_tasks(&emu, "118000000001");
    assert_eq!(process.len(), 2, "{process:?}");
    assert_eq!(
        process[1],
        (
            "COMPLETE".to_string(),
            serde_json::json!({"localeName": "en_GB",
                "mappingParameters": [{"entityType": "Version", "entityName": "Actual"}]})
        )
    );
    assert!(server_tasks(&emu, "116000000001").is_empty());

    // Each run cancelled or timed out in the program cancelled its task on the server; the run
    // with a token cancelled beforehand started none.
    settled(&slow);
    for object in ["117000000002", "117000000001", "112000000001"] {
        let tasks = server_tasks(&slow, object);
        assert_eq!(tasks.len(), 1, "{object}: {tasks:?}");
        assert_eq!(tasks[0].0, "CANCELLED", "{object}");
    }
    assert_eq!(slow.tasks().len(), 3);
}

#[test]
fn transfer() {
    run_c_test_with_emulator("transfer", Default::default());
}

/// `ANAPLAN_LOG=debug` copies the log to stderr without any callback: sign-in, each request, the
/// retry of a 503, the chunks sent by worker threads, logout; never the password or a token.
#[test]
fn stderr_log() {
    let emu = start_emulator(EmulatorConfig {
        faults: FaultConfig {
            rules: vec![FaultRule {
                method: Some("GET".into()),
                path: "/2/0/workspaces".into(),
                times: Some(1),
                ..FaultRule::everywhere(Fault::Status {
                    code: 503,
                    retry_after: None,
                })
            }],
            ..FaultConfig::default()
        },
        ..EmulatorConfig::default()
    });
    let mut env = emulator_env("", &emu);
    env.push(("ANAPLAN_LOG".into(), "debug".into()));
    let stderr = run_c_test("stderr_log", &env).stderr;
    let lines: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("anaplan: "))
        .collect();
    let has = |level: &str, parts: &[&str]| {
        lines.iter().any(|l| {
            l.starts_with(&format!("anaplan: {level}: ")) && parts.iter().all(|p| l.contains(p))
        })
    };
    for (level, parts) in [
        ("info", &["signed in", "integration.user@example.com"][..]),
        ("debug", &["GET /2/0/workspaces?", "-> 503"][..]),
        (
            "warn",
            &["GET /2/0/workspaces?", "HTTP 503; retry 1 of"][..],
        ),
        ("debug", &["GET /2/0/workspaces?", "-> 200"][..]),
        // Sent by the workers, written by the calling thread (the relay).
        ("debug", &["chunk 0 sent"][..]),
        ("debug", &["chunk 1 sent"][..]),
        ("debug", &["chunk 2 sent"][..]),
        ("debug", &["POST /token/logout -> 204"][..]),
        ("info", &["signed out"][..]),
    ] {
        assert!(
            has(level, parts),
            "no {level} line with {parts:?} on stderr:\n{stderr}"
        );
    }
    assert!(!stderr.contains("Integration-Pass-1"), "{stderr}");
    assert!(!stderr.contains("AnaplanAuthToken"), "{stderr}");
    // Tokens are three long base64 segments joined by dots: no word of the log looks like one.
    let looks_like_token = |w: &str| {
        w.len() >= 60
            && w.matches('.').count() == 2
            && w.chars()
                .all(|c| c.is_ascii_alphanumeric() || "+/=.".contains(c))
    };
    assert!(looks_like_token(&format!(
        "{}.{}.{}",
        "A".repeat(22),
        "b/".repeat(32),
        "C+".repeat(22)
    )));
    assert!(
        !stderr.split_whitespace().any(looks_like_token),
        "a token-like word on stderr:\n{stderr}"
    );
}

/// The whole workflow end to end, as `examples/workflow.c` runs it (the program `make demo`
/// shows): connect, choose workspace and model by name, upload in chunks with progress, run the
/// process and print its result lines and failure dumps, run the export and download it.
#[test]
fn workflow_example() {
    let emu = start_emulator(EmulatorConfig::default());
    let dir = std::env::temp_dir().join(format!("anaplan-workflow-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    // The shipped sample (with its bad rows) and enough generated employees for several chunks.
    let mut data = std::fs::read_to_string(crate_dir().join("emulator/seed/employees.csv"))
        .expect("the sample data");
    let departments = ["Finance", "Sales", "Engineering", "HR", "Operations"];
    for n in 0..30_000 {
        data.push_str(&format!(
            "Employee {n:05},G{n:05},{},e{n:05}@example.com,2020-01-01,\n",
            departments[n % departments.len()]
        ));
    }
    let input = dir.join("employees.csv");
    let output = dir.join("export.csv");
    std::fs::write(&input, &data).expect("the data file");
    let args = [
        emu.auth_url.clone(),
        emu.api_url.clone(),
        input.display().to_string(),
        output.display().to_string(),
    ];
    let env = [
        (
            "ANAPLAN_USER".to_string(),
            "integration.user@example.com".to_string(),
        ),
        (
            "ANAPLAN_PASSWORD".to_string(),
            "Integration-Pass-1".to_string(),
        ),
    ];
    let stdout = run_c_program(&crate_dir().join("examples/workflow.c"), &args, &env).stdout;
    for expected in [
        "Workspace: Financial Planning (8a80da9a6b3c21f3016b4d0a8f2b0042)",
        "Model:     Workforce Planning (75A40874E6B64FA3AE0E27A0A3A1A9A1)",
        "(100%)",
        "Process action 112000000001 completed. Failure: True",
        "Process action 112000000002 completed. Failure: True",
        "Process action 117000000001 completed. Failure: False",
        "Error parsing key for this row; no values",
        "Invalid parent",
        "Item not located in Employees list: Zoe Walker",
        "Downloading export 116000000001",
        "Signed out.",
    ] {
        assert!(
            stdout.contains(expected),
            "{expected:?} missing from:\n{stdout}"
        );
    }
    let uploads = emu
        .requests()
        .iter()
        .filter(|r| r.method == "PUT" && r.path.contains("/files/113000000001/chunks/"))
        .count();
    assert!(uploads >= 2, "the upload went in chunks ({uploads})");
    // The export holds every employee the import accepted, minus the leavers the process deleted.
    let exported = std::fs::read_to_string(&output).expect("the downloaded export");
    assert!(
        exported.starts_with("Employees,Parent,Code"),
        "{exported:.200}"
    );
    assert!(exported.contains("Employee 29999,Operations,G29999"));
    assert!(!exported.contains("Emma Schulz"), "a leaver was deleted");
    assert!(emu.token_values().is_empty(), "the example signed out");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every C snippet of the README compiles against the header as it is (C11, warnings are
/// errors) and links to the library: a snippet that drifted from the API fails here. A snippet
/// is a translation unit of its own; one without a `main` gets an empty one.
#[test]
fn readme_c_snippets_compile() {
    let readme = std::fs::read_to_string(crate_dir().join("README.md")).expect("README.md");
    let mut snippets = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim_end()) {
            (None, "```c") => current = Some(String::new()),
            (Some(_), "```") => snippets.extend(current.take()),
            (Some(code), text) => {
                code.push_str(text);
                code.push('\n');
            }
            _ => {}
        }
    }
    assert!(!snippets.is_empty(), "the README has C snippets");
    let lib_dir = library_dir();
    let dir = lib_dir
        .parent()
        .expect("deps/ has a parent")
        .join("c-tests")
        .join("readme");
    std::fs::create_dir_all(&dir).expect("a folder for the snippets");
    for (i, code) in snippets.iter().enumerate() {
        let mut unit = code.clone();
        if !unit.contains("int main(") {
            unit.push_str("\nint main(void) { return 0; }\n");
        }
        let source = dir.join(format!("snippet{i}.c"));
        std::fs::write(&source, unit).expect("the snippet is written");
        compile(&source, &lib_dir);
    }
}

#[test]
fn every_c_file_has_a_test() {
    let mut files: Vec<String> = std::fs::read_dir(crate_dir().join("tests/c"))
        .expect("tests/c exists")
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".c").map(str::to_string)
        })
        .collect();
    files.sort();
    let mut listed: Vec<String> = C_TESTS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(
        files, listed,
        "tests/c/*.c and C_TESTS in tests/c_abi.rs differ"
    );
}
