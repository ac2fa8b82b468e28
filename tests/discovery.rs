//! Discovery and find-by-name against the emulator's bundled seed, over real HTTP on loopback.

mod common;

use anaplan::client::kind::ObjectKind;
use anaplan::client::{Client, Credentials, Error, Logger};
use anaplan_emulator::BundledSeed;
use common::*;
use serde_json::Value;

/// The emulator, and a plain HTTP client for changes made behind the library's back.
struct Env {
    emu: Emu,
    http: reqwest::blocking::Client,
}

impl Env {
    /// The request log as JSON entries (`method`, `path`, `query`, ...).
    fn requests(&self) -> Vec<Value> {
        self.emu
            .requests()
            .into_iter()
            .map(|e| serde_json::to_value(e).unwrap())
            .collect()
    }

    fn clear_requests(&self) {
        self.emu.clear_requests()
    }

    /// `{api}/2/0{path}`.
    fn api(&self, path: &str) -> String {
        format!("{}/2/0{path}", self.emu.emu.api_url)
    }

    /// A token of its own, for requests outside the library.
    fn login(&self) -> String {
        let body: Value = self
            .http
            .post(format!("{}/token/authenticate", self.emu.emu.auth_url))
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .unwrap()
            .json()
            .unwrap();
        body["tokenInfo"]["tokenValue"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

fn connect() -> (Env, Client) {
    connect_as(USER, PASSWORD)
}

fn connect_as(user: &str, password: &str) -> (Env, Client) {
    let emu = emulator();
    let credentials = Credentials::basic(user, password).unwrap();
    let client = Client::connect(config_for(&emu), credentials, Logger::silent()).unwrap();
    let http = reqwest::blocking::Client::new();
    (Env { emu, http }, client)
}

const FP: &str = BundledSeed::WS; // Financial Planning
const SO: &str = BundledSeed::WS_SALES; // Sales Operations
const WFP: &str = BundledSeed::MODEL; // Workforce Planning (in FP)
const WFP_SANDBOX: &str = BundledSeed::MODEL_SANDBOX;
const SALES_FORECAST: &str = BundledSeed::MODEL_SALES_FORECAST;
const WFP_SO: &str = BundledSeed::MODEL_WFP_SALES; // Workforce Planning (in SO)

fn pairs(l: &anaplan::client::listing::Listing) -> Vec<(String, String)> {
    (0..l.len())
        .map(|i| (l.id(i).unwrap().to_string(), l.name(i).unwrap().to_string()))
        .collect()
}

fn sorted(mut v: Vec<(String, String)>) -> Vec<(String, String)> {
    v.sort();
    v
}

fn expect(entries: &[(&str, &str)]) -> Vec<(String, String)> {
    sorted(
        entries
            .iter()
            .map(|(i, n)| (i.to_string(), n.to_string()))
            .collect(),
    )
}

/// The GET requests on `path` (under `/2/0`) since the log was last cleared.
fn gets(env: &Env, path: &str) -> Vec<Value> {
    let full = format!("/2/0{path}");
    env.requests()
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"] == full.as_str())
        .collect()
}

fn main_model(client: &Client) {
    client.set_workspace(FP).unwrap();
    client.set_model(WFP).unwrap();
}

#[test]
fn current_user_is_the_signed_in_user() {
    let (_env, client) = connect();
    let user = client.current_user().unwrap();
    assert_eq!(user["email"], USER);
    assert_eq!(user["id"], "8a80db657068f7a1017089f1e4c0001a");
    assert_eq!(user["firstName"], "Ines");
}

#[test]
fn workspaces_are_listed_with_their_details() {
    let (_env, client) = connect();
    let ws = client.list_workspaces().unwrap();
    assert_eq!(
        sorted(pairs(&ws)),
        expect(&[(FP, "Financial Planning"), (SO, "Sales Operations")])
    );
    let json: Value = serde_json::from_str(&ws.json()).unwrap();
    let fp = json
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["id"] == FP)
        .unwrap();
    // tenantDetails=true brings currentSize.
    assert_eq!(fp["currentSize"], 873741824);
    assert_eq!(fp["sizeAllowance"], 1073741824);
}

#[test]
fn models_are_listed_all_or_per_workspace() {
    let (_env, client) = connect();
    let all = client.list_models(None).unwrap();
    assert_eq!(
        sorted(pairs(&all)),
        expect(&[
            (WFP, "Workforce Planning"),
            (WFP_SANDBOX, "Workforce Planning - Sandbox"),
            (SALES_FORECAST, "Sales Forecast"),
            (WFP_SO, "Workforce Planning"),
        ])
    );
    let in_fp = client.list_models(Some(FP)).unwrap();
    assert_eq!(
        sorted(pairs(&in_fp)),
        expect(&[
            (WFP, "Workforce Planning"),
            (WFP_SANDBOX, "Workforce Planning - Sandbox")
        ])
    );
    // The workspace may be given by name.
    let in_so = client.list_models(Some("Sales Operations")).unwrap();
    assert_eq!(
        sorted(pairs(&in_so)),
        expect(&[
            (SALES_FORECAST, "Sales Forecast"),
            (WFP_SO, "Workforce Planning")
        ])
    );
    assert_eq!(in_so.get(0).unwrap().json["currentWorkspaceId"], SO);
}

#[test]
fn the_objects_of_a_model_are_listed() {
    let (_env, client) = connect();
    main_model(&client);
    assert_eq!(
        sorted(pairs(&client.list_files().unwrap())),
        expect(&[
            ("113000000001", "Employees.csv"),
            ("113000000002", "Salaries.csv")
        ])
    );
    assert_eq!(
        sorted(pairs(&client.list_imports().unwrap())),
        expect(&[
            ("112000000001", "Employees from Employees.csv"),
            ("112000000002", "Employee Details from Salaries.csv")
        ])
    );
    assert_eq!(
        sorted(pairs(&client.list_exports().unwrap())),
        expect(&[
            ("116000000001", "Employees.csv"),
            ("116000000002", "Employee Details.csv")
        ])
    );
    assert_eq!(
        sorted(pairs(&client.list_actions().unwrap())),
        expect(&[
            ("117000000001", "Delete Leavers"),
            ("117000000002", "Clear Employees")
        ])
    );
    let processes = client.list_processes().unwrap();
    assert_eq!(
        pairs(&processes),
        expect(&[("118000000001", "Load Employees")])
    );
    // Each item keeps the whole object as Anaplan sent it.
    let imports = client.list_imports().unwrap();
    let employees = imports.iter().find(|i| i.id == "112000000001").unwrap();
    assert_eq!(employees.json["importDataSourceId"], "113000000001");
    assert_eq!(employees.json["importType"], "HIERARCHY_DATA");
}

#[test]
fn an_empty_list_is_empty() {
    let (_env, client) = connect();
    client.set_model(WFP_SANDBOX).unwrap();
    for kind in [ObjectKind::Import, ObjectKind::Action, ObjectKind::Process] {
        let l = client.list_in_model(kind).unwrap();
        assert_eq!((l.len(), l.json().as_str()), (0, "[]"), "{kind}");
    }
    assert_eq!(client.list_exports().unwrap().len(), 1);
}

#[test]
fn model_objects_need_a_model() {
    let (_env, client) = connect();
    let err = client.list_files().unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    let err = client.find(ObjectKind::Import, "x").unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    client.set_workspace(FP).unwrap();
    let err = client.list_files().unwrap_err();
    assert!(err.to_string().contains("no model is set"), "{err}");
    let err = client.list_in_model(ObjectKind::Workspace).unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
}

#[test]
fn paging_is_followed_to_the_end() {
    let (env, client) = connect();
    client.set_page_size(1).unwrap();
    env.clear_requests();
    let models = client.list_models(None).unwrap();
    assert_eq!(models.len(), 4);
    let offsets: Vec<String> = gets(&env, "/models")
        .iter()
        .map(|r| r["query"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        offsets,
        [
            "limit=1&offset=0",
            "limit=1&offset=1",
            "limit=1&offset=2",
            "limit=1&offset=3"
        ]
    );

    client.set_page_size(3).unwrap();
    main_model(&client);
    env.clear_requests();
    let exports = client.list_exports().unwrap();
    let files = client.list_files().unwrap();
    assert_eq!((exports.len(), files.len()), (2, 2));
    // Two items at three a page: one request each, no extra request for an empty page.
    let model = format!("/workspaces/{FP}/models/{WFP}");
    assert_eq!(gets(&env, &format!("{model}/exports")).len(), 1);
    assert_eq!(gets(&env, &format!("{model}/files")).len(), 1);

    let err = client.set_page_size(0).unwrap_err();
    assert!(matches!(err, Error::OutOfRange(_)));
    assert!(client.set_page_size(5001).is_err());
    assert_eq!(client.page_size(), 3);
}

#[test]
fn the_viewer_sees_one_workspace() {
    let (_env, client) = connect_as(VIEWER, VIEWER_PASSWORD);
    let ws = client.list_workspaces().unwrap();
    assert_eq!(pairs(&ws), expect(&[(SO, "Sales Operations")]));
    let err = client
        .find(ObjectKind::Workspace, "Financial Planning")
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                kind: "workspace",
                ..
            }
        ),
        "{err}"
    );
    // Only the model of that name they can see, so it is not ambiguous for them.
    assert_eq!(client.set_model("Workforce Planning").unwrap(), WFP_SO);
    assert_eq!(client.workspace_id().as_deref(), Some(SO));
}

#[test]
fn every_kind_is_found_by_name() {
    let (_env, client) = connect();
    assert_eq!(
        client
            .find(ObjectKind::Workspace, "Financial Planning")
            .unwrap(),
        FP
    );
    assert_eq!(
        client.find(ObjectKind::Model, "Sales Forecast").unwrap(),
        SALES_FORECAST
    );
    assert_eq!(
        client
            .find_model("Workforce Planning", Some("Financial Planning"))
            .unwrap(),
        WFP
    );
    assert_eq!(client.set_workspace("Financial Planning").unwrap(), FP);
    assert_eq!(client.set_model("Workforce Planning").unwrap(), WFP);
    assert_eq!(client.model_id().as_deref(), Some(WFP));
    for (kind, name, id) in [
        (ObjectKind::File, "Salaries.csv", "113000000002"),
        (
            ObjectKind::Import,
            "Employees from Employees.csv",
            "112000000001",
        ),
        (ObjectKind::Export, "Employee Details.csv", "116000000002"),
        (ObjectKind::Action, "Clear Employees", "117000000002"),
        (ObjectKind::Process, "Load Employees", "118000000001"),
    ] {
        assert_eq!(client.find(kind, name).unwrap(), id, "{kind} {name}");
        assert_eq!(client.resolve(kind, name).unwrap(), id, "{kind} {name}");
    }
}

#[test]
fn a_name_in_two_workspaces_is_ambiguous_across_them_and_unique_within_one() {
    let (_env, client) = connect();
    let err = client.find_model("Workforce Planning", None).unwrap_err();
    match &err {
        Error::Ambiguous {
            kind,
            name,
            candidates,
        } => {
            assert_eq!((*kind, name.as_str()), ("model", "Workforce Planning"));
            let mut ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
            ids.sort();
            assert_eq!(ids, [WFP_SO, WFP]);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.contains(WFP) && message.contains(WFP_SO),
        "{message}"
    );
    // Without a workspace, set_model by that name is just as ambiguous, and changes nothing.
    assert!(matches!(
        client.set_model("Workforce Planning"),
        Err(Error::Ambiguous { .. })
    ));
    assert_eq!(client.model_id(), None);
    // Within a workspace it is unique.
    assert_eq!(
        client
            .find_model("Workforce Planning", Some("Sales Operations"))
            .unwrap(),
        WFP_SO
    );
    client.set_workspace("Sales Operations").unwrap();
    assert_eq!(client.set_model("Workforce Planning").unwrap(), WFP_SO);
}

#[test]
fn a_missing_name_is_not_found_with_kind_name_and_scope() {
    let (_env, client) = connect();
    main_model(&client);
    let err = client.find(ObjectKind::Import, "Departments").unwrap_err();
    match &err {
        Error::NotFound { kind, name, scope } => {
            assert_eq!((*kind, name.as_str()), ("import", "Departments"));
            assert!(scope.contains(WFP), "{scope}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
    // Names are case-sensitive; the message points at the near miss.
    let err = client.find(ObjectKind::File, "employees.csv").unwrap_err();
    assert!(matches!(err, Error::NotFound { kind: "file", .. }));
    let message = err.to_string();
    assert!(
        message.contains("\"Employees.csv\" (113000000001)"),
        "{message}"
    );
    // A model that is not in the current workspace is not found there by name.
    let err = client.set_model("Sales Forecast").unwrap_err();
    assert!(
        matches!(&err, Error::NotFound { kind: "model", scope, .. } if scope.contains(FP)),
        "{err}"
    );
    assert_eq!(client.model_id().as_deref(), Some(WFP));
    // An unknown model id.
    let err = client
        .set_model("00000000000000000000000000000000")
        .unwrap_err();
    assert!(
        matches!(err, Error::NotFound { kind: "model", .. }),
        "{err}"
    );
}

#[test]
fn ids_are_accepted_as_is_without_a_request() {
    let (env, client) = connect();
    main_model(&client);
    env.clear_requests();
    for (kind, id) in [
        (ObjectKind::Workspace, SO),
        (ObjectKind::Model, SALES_FORECAST),
        (ObjectKind::File, "113000000777"),
        (ObjectKind::File, "116000000001"),
        (ObjectKind::Import, "112000000001"),
        (ObjectKind::Export, "116000000002"),
        (ObjectKind::Action, "117000000001"),
        (ObjectKind::Process, "118000000001"),
    ] {
        assert_eq!(client.resolve(kind, id).unwrap(), id);
    }
    assert_eq!(client.set_workspace(FP).unwrap(), FP);
    assert!(env.requests().is_empty(), "{:?}", env.requests());
    // An id of another kind is a name, and no object has it.
    let err = client
        .resolve(ObjectKind::Import, "117000000001")
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn a_model_of_another_workspace_moves_the_connection_there() {
    let (_env, client) = connect();
    client.set_workspace("Financial Planning").unwrap();
    assert_eq!(client.set_model(SALES_FORECAST).unwrap(), SALES_FORECAST);
    assert_eq!(client.workspace_id().as_deref(), Some(SO));
    assert_eq!(
        client.find(ObjectKind::Process, "Refresh Regions").unwrap(),
        "118000000001"
    );
    // A different workspace forgets the model, which belongs to the old one; the same keeps it.
    client.set_workspace(SO).unwrap();
    assert_eq!(client.model_id().as_deref(), Some(SALES_FORECAST));
    client.set_workspace(FP).unwrap();
    assert_eq!(client.model_id(), None);
}

#[test]
fn lookups_are_cached_until_cleared() {
    let (env, client) = connect();
    main_model(&client);
    let files = format!("/workspaces/{FP}/models/{WFP}/files");
    env.clear_requests();
    assert_eq!(
        client.find(ObjectKind::File, "Employees.csv").unwrap(),
        "113000000001"
    );
    assert_eq!(
        client.find(ObjectKind::File, "Salaries.csv").unwrap(),
        "113000000002"
    );
    assert_eq!(
        client.find(ObjectKind::File, "Employees.csv").unwrap(),
        "113000000001"
    );
    assert_eq!(gets(&env, &files).len(), 1, "one list for three lookups");

    // Clones share the cache.
    let clone = client.clone();
    assert_eq!(
        clone.find(ObjectKind::File, "Salaries.csv").unwrap(),
        "113000000002"
    );
    assert_eq!(gets(&env, &files).len(), 1);

    client.clear_cache();
    assert_eq!(
        client.find(ObjectKind::File, "Salaries.csv").unwrap(),
        "113000000002"
    );
    assert_eq!(
        gets(&env, &files).len(),
        2,
        "fetched again after clear_cache"
    );

    // A listing fills the cache too.
    client.list_imports().unwrap();
    let imports = format!("/workspaces/{FP}/models/{WFP}/imports");
    assert_eq!(gets(&env, &imports).len(), 1);
    client
        .find(ObjectKind::Import, "Employees from Employees.csv")
        .unwrap();
    assert_eq!(gets(&env, &imports).len(), 1);

    // Each model has its own entries.
    client.set_workspace(SO).unwrap();
    client.set_model("Sales Forecast").unwrap();
    assert_eq!(
        client.find(ObjectKind::File, "Regions.csv").unwrap(),
        "113000000001"
    );
    let err = client.find(ObjectKind::File, "Salaries.csv").unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }), "{err}");
}

#[test]
fn a_file_created_after_caching_is_found_without_clearing() {
    let (env, client) = connect();
    main_model(&client);
    assert_eq!(client.list_files().unwrap().len(), 2);
    // Another client creates a file (an upload to an unknown file id creates one).
    let token = env.login();
    let created: Value = env
        .http
        .post(env.api(&format!("/workspaces/{FP}/models/{WFP}/files/113000000099")))
        .header("Authorization", format!("AnaplanAuthToken {token}"))
        .json(&serde_json::json!({"chunkCount": 1}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let name = created["file"]["name"].as_str().unwrap();
    let id = created["file"]["id"].as_str().unwrap();
    let files = format!("/workspaces/{FP}/models/{WFP}/files");
    env.clear_requests();
    assert_eq!(client.find(ObjectKind::File, name).unwrap(), id);
    assert_eq!(
        gets(&env, &files).len(),
        1,
        "a miss in the cache asks again"
    );
}

#[test]
fn an_upload_by_name_means_the_data_source_not_the_export_output_of_that_name() {
    let (env, client) = connect();
    main_model(&client);
    // Run export "Employees.csv": its output file (the export's id) is named "Employees.csv"
    // like the import data source 113000000001.
    let token = env.login();
    let model = format!("/workspaces/{FP}/models/{WFP}");
    let auth = format!("AnaplanAuthToken {token}");
    let started: Value = env
        .http
        .post(env.api(&format!("{model}/exports/116000000001/tasks")))
        .header("Authorization", &auth)
        .json(&serde_json::json!({"localeName": "en_US"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let task = started["task"]["taskId"].as_str().unwrap();
    let mut state = Value::Null;
    for _ in 0..300 {
        let t: Value = env
            .http
            .get(env.api(&format!("{model}/exports/116000000001/tasks/{task}")))
            .header("Authorization", &auth)
            .send()
            .unwrap()
            .json()
            .unwrap();
        state = t["task"]["taskState"].clone();
        if state == "COMPLETE" {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    assert_eq!(state, "COMPLETE");

    let err = client.find(ObjectKind::File, "Employees.csv").unwrap_err();
    match &err {
        Error::Ambiguous { candidates, .. } => {
            let mut ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
            ids.sort();
            assert_eq!(ids, ["113000000001", "116000000001"]);
        }
        other => panic!("expected Ambiguous, got {other:?}"),
    }
    assert_eq!(
        client.resolve_upload_file("Employees.csv").unwrap(),
        "113000000001"
    );
    assert_eq!(
        client.resolve_upload_file("113000000002").unwrap(),
        "113000000002"
    );
    let err = client.resolve_upload_file("Nothing.csv").unwrap_err();
    assert!(matches!(err, Error::NotFound { kind: "file", .. }), "{err}");
}

/// A message quotes a short prefix of what the caller passed, however long: a 1 MB name does
/// not make a 1 MB message.
#[test]
fn messages_quote_only_a_prefix_of_a_long_name() {
    let (_env, client) = connect();
    main_model(&client);
    let long = "Employees".repeat(120_000);
    for kind in [ObjectKind::File, ObjectKind::Import, ObjectKind::Workspace] {
        let err = client.resolve(kind, &long).unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
        let message = err.to_string();
        assert!(
            message.len() < 400,
            "{} bytes: {:.200}",
            message.len(),
            message
        );
        assert!(
            message.contains(&format!("({} bytes)", long.len())),
            "{message:.300}"
        );
    }
    let err = client.set_workspace(&long).unwrap_err();
    assert!(err.to_string().len() < 400);
}

/// A cache may make a lookup faster, never wrong: a file name that was unique when it was cached
/// is not answered from that list once the library itself ran an export that made a namesake
/// (the export's output file). Of the objects the library can create, rename or delete, only
/// files can change (runs write export outputs; uploads go to existing files only): imports,
/// exports, actions and processes are made in Anaplan itself, which a cached list meets with
/// its refetch on a miss and its expiry.
#[test]
fn a_run_that_makes_a_namesake_is_not_hidden_by_the_cache() {
    let (_env, client) = connect();
    main_model(&client);
    // Cached: "Employees.csv" is the import's data file alone.
    assert_eq!(
        client.find(ObjectKind::File, "Employees.csv").unwrap(),
        "113000000001"
    );
    for kind in [
        ObjectKind::Import,
        ObjectKind::Export,
        ObjectKind::Action,
        ObjectKind::Process,
    ] {
        client.list_in_model(kind).unwrap();
    }
    // The export "Employees.csv" writes its output file, named "Employees.csv" too.
    let run = client
        .run(
            "116000000001",
            &anaplan::client::tasks::RunOptions::default(),
        )
        .unwrap();
    assert!(run.successful);
    let err = client.find(ObjectKind::File, "Employees.csv").unwrap_err();
    assert!(matches!(err, Error::Ambiguous { .. }), "{err:?}");
    // The other lookups still answer, from fresh lists.
    assert_eq!(
        client.find(ObjectKind::Export, "Employees.csv").unwrap(),
        "116000000001"
    );
    assert_eq!(
        client.find(ObjectKind::Process, "Load Employees").unwrap(),
        "118000000001"
    );
}
