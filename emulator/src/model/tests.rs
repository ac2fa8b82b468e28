//! Engine tests on the bundled seed: counts, messages, dumps, exports, deletes, processes,
//! metadata, encodings and malformed input.

use bytes::Bytes;
use serde_json::{json, Value};

use super::*;
use crate::seed::Seed;

const WORKFORCE: &str = "75A40874E6B64FA3AE0E27A0A3A1A9A1";
const SALES_FORECAST: &str = "9F8E7D6C5B4A49382716051F2E3D4C5B";
const EMPLOYEES_FILE: &str = "113000000001";
const SALARIES_FILE: &str = "113000000002";
const EMPLOYEES_IMPORT: &str = "112000000001";
const SALARIES_IMPORT: &str = "112000000002";
const EMPLOYEES_EXPORT: &str = "116000000001";
const DETAILS_EXPORT: &str = "116000000002";
const DELETE_LEAVERS: &str = "117000000001";
const CLEAR_EMPLOYEES: &str = "117000000002";
const LOAD_EMPLOYEES: &str = "118000000001";

fn model(id: &str) -> Model {
    let seed = Seed::default_seed();
    let m = seed.models.iter().find(|m| m.id == id).unwrap();
    Model::from_seed(m)
}

fn run(model: &mut Model, kind: TaskKind, id: &str) -> Outcome {
    execute(model, kind, id, &json!({"localeName": "en_US"}))
}

/// Replaces a file's content (and optionally its encoding) as an upload would.
fn upload(model: &mut Model, file_id: &str, content: &[u8], encoding: Option<&str>) {
    let file = model.files.get_mut(file_id).unwrap();
    if let Some(e) = encoding {
        file.meta.encoding = Some(e.to_string());
    }
    let meta = file.meta.clone();
    *file = StoredFile::with_content(meta, Bytes::copy_from_slice(content));
}

fn exported(model: &Model, export_id: &str) -> String {
    String::from_utf8(model.files[export_id].content().to_vec()).unwrap()
}

/// `details[i].values` as (name, value) pairs.
fn values(result: &Value, i: usize) -> Vec<(String, String)> {
    let flat: Vec<String> = result["details"][i]["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    flat.chunks(2)
        .map(|p| (p[0].clone(), p[1].clone()))
        .collect()
}

fn value(result: &Value, i: usize, name: &str) -> String {
    values(result, i)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no value {name} in {result}"))
}

fn dump_text(outcome: &Outcome, id: &str) -> String {
    String::from_utf8(outcome.dumps[id].to_vec()).unwrap()
}

const EMPLOYEES_DUMP: &str = "\"_Status_\",\"Name\",\"Code\",\"Department\",\"Email\",\"Start Date\",\"Leave Date\",\"_Line_\",\"_Error_1_\"\n\
\"E\",\"\",\"E009\",\"Sales\",\"unnamed@example.com\",\"2024-01-08\",\"\",\"10\",\"Error parsing key for this row; no values\"\n\
\"W\",\"Ines Costa\",\"E010\",\"Marketing\",\"ines.costa@example.com\",\"2024-02-12\",\"\",\"11\",\"Invalid parent\"\n\
\"W\",\"Noah Fischer\",\"E015\",\"Legal\",\"noah.fischer@example.com\",\"2023-11-20\",\"\",\"16\",\"Invalid parent\"\n";

const SALARIES_DUMP: &str = "\"_Status_\",\"Employee\",\"Salary\",\"Grade\",\"Start Date\",\"_Line_\",\"_Error_1_\"\n\
\"E\",\"Zoe Walker\",\"75000\",\"B3\",\"2024-05-06\",\"12\",\"Item not located in Employees list: Zoe Walker\"\n\
\"E\",\"Emma Schulz\",\"77000\",\"B3\",\"2017-02-30\",\"13\",\"Invalid date: 2017-02-30\"\n\
\"E\",\"Ines Costa\",\"not a number\",\"B1\",\"2024-02-12\",\"14\",\"Invalid number: not a number\"\n";

#[test]
fn employees_import_counts_like_anaplan() {
    let mut m = model(WORKFORCE);
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    let r = &out.result;
    assert_eq!(r["objectId"], EMPLOYEES_IMPORT);
    assert_eq!(r["successful"], true);
    assert_eq!(r["failureDumpAvailable"], true);
    assert_eq!(
        r["details"][0]["type"],
        "hierarchyRowsProcessedWithFailures"
    );
    assert_eq!(
        r["details"][0]["localMessageText"],
        "Employees: 13 (12/1) rows successful, 2 (2/0) rows has warnings, 1 failed, 0 ignored"
    );
    assert_eq!(r["details"][0]["occurrences"], 0);
    let expected = [
        ("hierarchyName", "Employees"),
        ("successRowCount", "13"),
        ("successCreateCount", "12"),
        ("successUpdateCount", "1"),
        ("warningsRowCount", "2"),
        ("warningsCreateCount", "2"),
        ("warningsUpdateCount", "0"),
        ("failedCount", "1"),
        ("ignoredCount", "0"),
        ("totalRowCount", "16"),
        ("totalCreateCount", "14"),
        ("totalUpdateCount", "1"),
        ("invalidCount", "1"),
        ("updatedCount", "1"),
        ("renamedCount", "1"),
        ("createdCount", "14"),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
    assert_eq!(values(r, 0), expected);
    // Seeded Alice and Paul plus 14 created.
    assert_eq!(m.data.list("Employees").unwrap().len(), 16);
    assert_eq!(dump_text(&out, EMPLOYEES_IMPORT), EMPLOYEES_DUMP);
}

#[test]
fn rerunning_a_clean_import_updates_and_reports_plain_message() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"Name,Code,Department,Email,Start Date,Leave Date\nAlice Martin,E001,Finance,a@x,2019-03-01,\n\n,,,,,\nNew Person,E100,,n@x,,\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    let r = &out.result;
    assert_eq!(r["details"][0]["type"], "hierarchyRowsProcessed");
    assert_eq!(
        r["details"][0]["localMessageText"],
        "Employees: 2 (1/1) rows successful, 2 ignored "
    );
    assert_eq!(value(r, 0, "totalRowCount"), "4");
    assert_eq!(r["failureDumpAvailable"], false);
    assert!(out.dumps.is_empty());
    let list = m.data.list("Employees").unwrap();
    let alice = list.get(list.by_code("E001").unwrap()).unwrap();
    assert_eq!(alice.properties["Email"], "a@x");
    let new = list.get(list.by_name("New Person").unwrap()).unwrap();
    assert_eq!(new.parent, None);
}

#[test]
fn code_match_renames_and_name_clash_fails() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"Name,Code\nAlice Dupont,E001\nAlice Dupont,E090\n",
        None,
    );
    m.seed.imports[0].mapping.parent = None;
    m.seed.imports[0].mapping.properties.clear();
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(value(&out.result, 0, "renamedCount"), "1");
    assert_eq!(value(&out.result, 0, "failedCount"), "1");
    let list = m.data.list("Employees").unwrap();
    assert_eq!(list.by_name("Alice Dupont"), list.by_code("E001"));
    assert!(list.by_name("Alice Martin").is_none());
    // Alice keeps her module data through the rename.
    let details = run(&mut m, TaskKind::Export, DETAILS_EXPORT);
    assert_eq!(details.result["successful"], true);
    assert!(exported(&m, DETAILS_EXPORT).contains("Alice Dupont,70000,B2,2019-03-01\n"));
    assert!(dump_text(&out, EMPLOYEES_IMPORT)
        .ends_with("\"3\",\"Item name already in use: Alice Dupont\"\n"));
}

#[test]
fn salaries_import_after_employees_dumps_each_error_kind() {
    let mut m = model(WORKFORCE);
    run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    let out = run(&mut m, TaskKind::Import, SALARIES_IMPORT);
    let r = &out.result;
    assert_eq!(r["successful"], true);
    assert_eq!(r["failureDumpAvailable"], true);
    let details = r["details"].as_array().unwrap();
    assert_eq!(details.len(), 3);
    for (i, li) in ["Salary", "Grade", "Start Date"].iter().enumerate() {
        assert_eq!(details[i]["type"], "lineItemRowsProcessedWithIgnored");
        assert_eq!(
            details[i]["localMessageText"],
            format!("{li} cells: 10 (3 ignored)")
        );
        assert_eq!(
            values(r, i),
            vec![
                ("lineItemName".to_string(), li.to_string()),
                ("rowCount".into(), "10".into()),
                ("ignoredCount".into(), "3".into())
            ]
        );
    }
    assert_eq!(dump_text(&out, SALARIES_IMPORT), SALARIES_DUMP);
}

#[test]
fn salaries_import_on_the_fresh_seed_finds_only_seeded_employees() {
    let mut m = model(WORKFORCE);
    let out = run(&mut m, TaskKind::Import, SALARIES_IMPORT);
    assert_eq!(out.result["successful"], true, "Alice loads");
    assert_eq!(value(&out.result, 0, "rowCount"), "1");
    assert_eq!(value(&out.result, 0, "ignoredCount"), "12");
    let dump = dump_text(&out, SALARIES_IMPORT);
    assert_eq!(dump.lines().count(), 13);
    assert!(dump.contains("\"Item not located in Employees list: Bruno Diaz\""));
}

#[test]
fn a_clean_module_import_reports_plain_line_item_counts() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        SALARIES_FILE,
        b"Employee,Salary,Grade,Start Date\nE001,1.5e4,A1,2020/1/2\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, SALARIES_IMPORT);
    assert_eq!(out.result["details"][0]["type"], "lineItemRowsProcessed");
    assert_eq!(
        out.result["details"][0]["localMessageText"],
        "Salary cells: 1"
    );
    assert_eq!(out.result["failureDumpAvailable"], false);
    run(&mut m, TaskKind::Export, DETAILS_EXPORT);
    assert_eq!(
        exported(&m, DETAILS_EXPORT),
        "Employees,Salary,Grade,Start Date\nAlice Martin,1.5e4,A1,2020-01-02\n"
    );
}

#[test]
fn process_runs_steps_in_order_and_collects_dumps() {
    let mut m = model(WORKFORCE);
    let out = run(&mut m, TaskKind::Process, LOAD_EMPLOYEES);
    let r = &out.result;
    assert_eq!(r["objectId"], LOAD_EMPLOYEES);
    assert_eq!(r["successful"], true);
    assert_eq!(r["failureDumpAvailable"], true);
    let nested = r["nestedResults"].as_array().unwrap();
    let ids: Vec<&str> = nested
        .iter()
        .map(|n| n["objectId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        vec![
            EMPLOYEES_IMPORT,
            SALARIES_IMPORT,
            DELETE_LEAVERS,
            DETAILS_EXPORT
        ]
    );
    let dumps: Vec<bool> = nested
        .iter()
        .map(|n| n["failureDumpAvailable"].as_bool().unwrap())
        .collect();
    assert_eq!(dumps, vec![true, true, false, false]);
    assert!(nested.iter().all(|n| n["successful"] == true));
    assert_eq!(nested[2].get("details"), None, "deletes report no details");
    assert_eq!(nested[3]["details"][0]["type"], "exportSucceeded");
    assert_eq!(
        out.dumps.keys().collect::<Vec<_>>(),
        vec![EMPLOYEES_IMPORT, SALARIES_IMPORT]
    );
    assert_eq!(dump_text(&out, EMPLOYEES_IMPORT), EMPLOYEES_DUMP);
    assert_eq!(dump_text(&out, SALARIES_IMPORT), SALARIES_DUMP);
    // Leavers (Paul, Emma, Jonas) are gone; the export ran after the delete.
    assert_eq!(
        exported(&m, DETAILS_EXPORT),
        "Employees,Salary,Grade,Start Date\n\
         Alice Martin,72000,B2,2019-03-01\n\
         Bruno Diaz,64000,B1,2020-07-15\n\
         Chloe Nguyen,91000,C1,2018-11-05\n\
         David Okafor,83000,B3,2021-01-11\n\
         Farid Haddad,58000,A3,2022-09-01\n\
         Grace Lee,99000,C2,2016-02-29\n\
         Hugo Petit,61000,B1,2023-04-03\n\
         Keiko Tanaka,67000,B2,2020-10-26\n\
         Maya Patel,70000,B2,2022-03-07\n\
         Olivia Rossi,88000,C1,2018-01-15\n"
    );
    let file = &m.files[DETAILS_EXPORT];
    assert_eq!(
        serde_json::to_value(&file.meta).unwrap(),
        json!({"id": DETAILS_EXPORT, "name": "Employee Details.csv", "chunkCount": 1,
               "firstDataRow": 0, "headerRow": 0})
    );
}

#[test]
fn list_export_has_name_parent_code_and_properties() {
    let mut m = model(WORKFORCE);
    run(&mut m, TaskKind::Process, LOAD_EMPLOYEES);
    let out = run(&mut m, TaskKind::Export, EMPLOYEES_EXPORT);
    assert_eq!(out.result["successful"], true);
    assert_eq!(out.result["failureDumpAvailable"], false);
    let text = exported(&m, EMPLOYEES_EXPORT);
    let size = text.len().to_string();
    assert_eq!(
        values(&out.result, 0),
        vec![
            ("fileSize".to_string(), size),
            ("exportName".into(), "Employees.csv".into())
        ]
    );
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0],
        "Employees,Parent,Code,Email,Start Date,Leave Date"
    );
    assert_eq!(
        lines[1],
        "Alice Martin,Finance,E001,alice.martin@example.com,2019-03-01,"
    );
    assert!(lines.contains(&"Ines Costa,,E010,ines.costa@example.com,2024-02-12,"));
    assert!(lines.contains(&"Liam O'Brien,Finance,E013,liam.obrien@example.com,2021-06-14,"));
    assert!(!text.contains("Paul Moreau") && !text.contains("Jonas Berg"));
    assert_eq!(lines.len(), 1 + 13);

    let mut sandbox = model("2C3E5F7A9B1D4E6F8A0C2E4F6A8B0D12");
    run(&mut sandbox, TaskKind::Export, "116000000001");
    assert_eq!(
        exported(&sandbox, "116000000001"),
        "Departments,Code\nFinance,FIN\n"
    );
}

#[test]
fn export_quotes_and_encodes_per_definition() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        "Name,Code,Department,Email,Start Date,Leave Date\n\"Zoë, \"\"Z\"\"\",E200,HR,z@x,,\n"
            .as_bytes(),
        None,
    );
    run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    run(&mut m, TaskKind::Export, EMPLOYEES_EXPORT);
    assert!(exported(&m, EMPLOYEES_EXPORT).contains("\n\"Zoë, \"\"Z\"\"\",HR,E200,z@x,,\n"));

    m.seed.exports[0].encoding = "ISO-8859-1".into();
    m.seed.exports[0].separator = "\t".into();
    run(&mut m, TaskKind::Export, EMPLOYEES_EXPORT);
    let bytes = m.files[EMPLOYEES_EXPORT].content();
    let needle = b"\n\"Zo\xeb, \"\"Z\"\"\"\tHR\tE200\t";
    assert!(bytes.windows(needle.len()).any(|w| w == needle));
}

#[test]
fn large_exports_are_chunked_on_line_ends() {
    let content = b"aaaa\nbbbb\ncc";
    let parts = export::chunks(content, 6);
    assert_eq!(
        parts,
        vec![
            Bytes::from("aaaa\n"),
            Bytes::from("bbbb\n"),
            Bytes::from("cc")
        ]
    );
    let parts = export::chunks(b"abcdefgh", 3);
    assert_eq!(parts.concat(), b"abcdefgh");
    assert_eq!(export::chunks(b"", 3), vec![Bytes::new()]);
}

#[test]
fn delete_actions_remove_items_and_their_cells() {
    let mut m = model(WORKFORCE);
    run(&mut m, TaskKind::Process, LOAD_EMPLOYEES);
    let out = run(&mut m, TaskKind::Action, CLEAR_EMPLOYEES);
    assert_eq!(
        out.result,
        json!({"objectId": CLEAR_EMPLOYEES, "successful": true, "failureDumpAvailable": false})
    );
    assert!(out.dumps.is_empty());
    assert!(m.data.list("Employees").unwrap().is_empty());
    assert!(m.data.module("Employee Details").unwrap().cells.is_empty());
    run(&mut m, TaskKind::Export, DETAILS_EXPORT);
    assert_eq!(
        exported(&m, DETAILS_EXPORT),
        "Employees,Salary,Grade,Start Date\n"
    );
}

#[test]
fn delete_by_property_keeps_the_others() {
    let mut m = model(WORKFORCE);
    let (result, deleted) = delete::run(&mut m.data, &m.seed.actions[0].clone());
    assert_eq!(result["successful"], true);
    assert_eq!(deleted, 1, "only Paul has a leave date in the seed");
    let list = m.data.list("Employees").unwrap();
    assert!(list.by_name("Paul Moreau").is_none());
    assert!(list.by_name("Alice Martin").is_some());
}

#[test]
fn deleting_parents_orphans_children() {
    let mut m = model(WORKFORCE);
    m.data.delete_items("Departments", |i| i.name == "Finance");
    let list = m.data.list("Employees").unwrap();
    assert_eq!(
        list.get(list.by_name("Alice Martin").unwrap())
            .unwrap()
            .parent,
        None
    );
}

#[test]
fn import_without_data_fails_and_stops_its_process() {
    let mut m = model(SALES_FORECAST);
    let out = run(&mut m, TaskKind::Import, "112000000001");
    assert_eq!(out.result["successful"], false);
    assert_eq!(out.result["failureDumpAvailable"], false);
    assert_eq!(out.result["details"][0]["type"], "noDataFile");
    assert_eq!(
        out.result["details"][0]["localMessageText"],
        "No data file has been uploaded for Regions.csv"
    );
    let out = run(&mut m, TaskKind::Process, "118000000001");
    assert_eq!(out.result["successful"], false);
    assert_eq!(out.result["nestedResults"].as_array().unwrap().len(), 1);
    assert!(
        !m.files.contains_key("116000000001"),
        "the export did not run"
    );
}

#[test]
fn every_row_failing_makes_the_import_unsuccessful() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"Name,Code,Department,Email,Start Date,Leave Date\n,E1\n,E2\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(out.result["successful"], false);
    assert_eq!(out.result["failureDumpAvailable"], true);
    assert_eq!(
        out.dumps[EMPLOYEES_IMPORT]
            .iter()
            .filter(|&&b| b == b'\n')
            .count(),
        3
    );
}

#[test]
fn header_only_file_is_a_successful_empty_import() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"Name,Code,Department,Email,Start Date,Leave Date\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(out.result["successful"], true);
    assert_eq!(value(&out.result, 0, "totalRowCount"), "0");
}

#[test]
fn missing_mapped_column_fails_the_import() {
    let mut m = model(WORKFORCE);
    upload(&mut m, EMPLOYEES_FILE, b"Name,Code\nA,1\n", None);
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(out.result["successful"], false);
    assert_eq!(out.result["details"][0]["type"], "missingColumn");
    assert_eq!(
        out.result["details"][0]["localMessageText"],
        "Column not found in Employees.csv: Department"
    );
    assert_eq!(m.data.list("Employees").unwrap().len(), 2, "nothing loaded");
}

#[test]
fn latin1_and_utf16_sources_decode() {
    let mut m = model(WORKFORCE);
    let latin1 =
        b"Name,Code,Department,Email,Start Date,Leave Date\nRen\xe9 M\xfcller,E300,HR,r@x,,\n";
    upload(&mut m, EMPLOYEES_FILE, latin1, Some("ISO-8859-1"));
    run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert!(m
        .data
        .list("Employees")
        .unwrap()
        .by_name("René Müller")
        .is_some());

    let text = "Name,Code,Department,Email,Start Date,Leave Date\r\n日本 太郎,E301,HR,t@x,,\r\n";
    let mut utf16 = vec![0xFF, 0xFE];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    upload(&mut m, EMPLOYEES_FILE, &utf16, Some("UTF-16LE"));
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(value(&out.result, 0, "successRowCount"), "1");
    let list = m.data.list("Employees").unwrap();
    let item = list.get(list.by_name("日本 太郎").unwrap()).unwrap();
    assert_eq!(item.code.as_deref(), Some("E301"));
}

#[test]
fn malformed_input_becomes_row_failures() {
    let mut m = model(WORKFORCE);
    let mut content = b"Name,Code,Department,Email,Start Date,Leave Date,\n".to_vec();
    content.extend(b"Bad \xff\xfe Bytes,E400\n"); // invalid UTF-8, short row
    content.extend(b"Wide,E401,HR,w@x,,,extra,more\n"); // more fields than the header
    content.extend(b"\"Open quote,E402,HR\nnever closed");
    upload(&mut m, EMPLOYEES_FILE, &content, None);
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(out.result["successful"], true);
    assert_eq!(value(&out.result, 0, "successRowCount"), "2");
    assert_eq!(value(&out.result, 0, "failedCount"), "1");
    let list = m.data.list("Employees").unwrap();
    assert!(list.by_name("Bad \u{FFFD}\u{FFFD} Bytes").is_some());
    let dump = dump_text(&out, EMPLOYEES_IMPORT);
    assert_eq!(
        dump.lines().next().unwrap(),
        "\"_Status_\",\"Name\",\"Code\",\"Department\",\"Email\",\"Start Date\",\"Leave Date\",\"Column 7\",\"_Line_\",\"_Error_1_\""
    );
    assert!(dump.ends_with(&format!(
        "\"E\",\"Open quote,E402,HR\nnever closed\",\"\",\"\",\"\",\"\",\"\",\"\",\"4\",\"{}\"\n",
        csv::UNTERMINATED_QUOTE
    )));
}

#[test]
fn huge_lines_and_binary_garbage_do_not_panic() {
    let mut m = model(WORKFORCE);
    let mut content = b"Name,Code,Department,Email,Start Date,Leave Date\n".to_vec();
    content.extend(std::iter::repeat_n(b'x', 3 * 1024 * 1024));
    content.extend(b",E500\n");
    content.extend((0..=255u8).cycle().take(64 * 1024));
    upload(&mut m, EMPLOYEES_FILE, &content, None);
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert!(out.result["details"][0]["values"].is_array());
    let list = m.data.list("Employees").unwrap();
    let long = list.get(list.by_code("E500").unwrap()).unwrap();
    assert_eq!(long.name.len(), 3 * 1024 * 1024);

    for encoding in ["UTF-16LE", "UTF-16BE", "ISO-8859-1", "EBCDIC"] {
        let garbage: Vec<u8> = (0..=255u8).rev().cycle().take(10_001).collect();
        upload(&mut m, SALARIES_FILE, &garbage, Some(encoding));
        let out = run(&mut m, TaskKind::Import, SALARIES_IMPORT);
        assert!(out.result["successful"].is_boolean(), "{encoding}");
    }
}

#[test]
fn header_row_and_first_data_row_are_honoured() {
    let mut m = model(WORKFORCE);
    let file = m.files.get_mut(EMPLOYEES_FILE).unwrap();
    file.meta.header_row = 2;
    file.meta.first_data_row = 4;
    file.meta.separator = Some(";".into());
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"exported by HR\nName;Code;Department;Email;Start Date;Leave Date\nskipped;E600\nKept;E601;HR;k@x;;\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(value(&out.result, 0, "totalRowCount"), "1");
    let list = m.data.list("Employees").unwrap();
    assert!(list.by_name("Kept").is_some() && list.by_name("skipped").is_none());
}

#[test]
fn unknown_objects_give_an_unsuccessful_result() {
    let mut m = model(WORKFORCE);
    for kind in [
        TaskKind::Import,
        TaskKind::Export,
        TaskKind::Action,
        TaskKind::Process,
    ] {
        let out = run(&mut m, kind, "999999999999");
        assert_eq!(out.result["successful"], false);
        assert_eq!(out.result["objectId"], "999999999999");
    }
}

/// The schema checks of the HTTP tests, on the spec kept in `tests/fixtures/`.
#[allow(dead_code)]
#[path = "../../tests/common/schema.rs"]
mod schema;

use schema::assert_valid;

#[test]
fn results_match_the_task_result_schema() {
    let mut m = model(WORKFORCE);
    let out = run(&mut m, TaskKind::Process, LOAD_EMPLOYEES);
    assert_valid("TaskResult", &out.result);
    let mut sales = model(SALES_FORECAST);
    assert_valid(
        "TaskResult",
        &run(&mut sales, TaskKind::Process, "118000000001").result,
    );
    // A schema that cannot fail would prove nothing: a number in `values` is rejected.
    let wrong = std::panic::catch_unwind(|| {
        assert_valid("TaskResult", &json!({"details": [{"values": [1]}]}))
    });
    assert!(wrong.is_err());
}

#[test]
fn import_metadata_describes_the_source_file() {
    let m = model(WORKFORCE);
    let meta = import_metadata(&m, EMPLOYEES_IMPORT).unwrap();
    assert_valid("ImportMetadata", &meta);
    assert_eq!(
        meta,
        json!({"name": "Employees from Employees.csv", "type": "FILE", "source": {
            "textEncoding": "UTF-8", "columnSeparator": ",", "textDelimiter": "\"",
            "headerRow": 1, "firstDataRow": 2, "decimalSeparator": ".",
            "headerNames": ["Name", "Code", "Department", "Email", "Start Date", "Leave Date"],
            "columnCount": 6}})
    );
    // Without an uploaded file the mapped columns stand in for the header.
    let sales = model(SALES_FORECAST);
    let meta = import_metadata(&sales, "112000000001").unwrap();
    assert_eq!(meta["source"]["headerNames"], json!(["Name", "Code"]));
    assert!(import_metadata(&m, "112999999999").is_none());
}

#[test]
fn export_metadata_describes_the_output() {
    let m = model(WORKFORCE);
    let meta = export_metadata(&m, DETAILS_EXPORT).unwrap();
    assert_valid("ExportMetadata", &meta);
    assert_eq!(
        meta,
        json!({"columnCount": 4, "dataTypes": ["ENTITY", "NUMBER", "TEXT", "DATE"],
               "delimiter": "\"", "encoding": "UTF-8", "exportFormat": "text/csv",
               "headerNames": ["Employees", "Salary", "Grade", "Start Date"],
               "listNames": ["Employees", "", "", ""], "rowCount": 1, "separator": ",",
               "layout": "TABULAR_MULTI_COLUMN"})
    );
    let list_meta = export_metadata(&m, EMPLOYEES_EXPORT).unwrap();
    assert_valid("ExportMetadata", &list_meta);
    assert_eq!(list_meta["rowCount"], 2);
    assert_eq!(
        list_meta["dataTypes"],
        json!(["ENTITY", "ENTITY", "TEXT", "TEXT", "TEXT", "TEXT"])
    );
    assert_eq!(list_meta["listNames"][1], "Departments");
}

#[test]
fn single_column_layout_lists_one_value_per_row() {
    let mut m = model(WORKFORCE);
    m.seed.exports[1].layout = export::SINGLE_COLUMN.into();
    run(&mut m, TaskKind::Export, DETAILS_EXPORT);
    assert_eq!(
        exported(&m, DETAILS_EXPORT),
        "Employees,Line Items,Employee Details\n\
         Alice Martin,Salary,70000\n\
         Alice Martin,Grade,B2\n\
         Alice Martin,Start Date,2019-03-01\n"
    );
}

#[test]
fn process_metadata_lists_steps_in_order() {
    let m = model(WORKFORCE);
    let plain = process_metadata(&m, LOAD_EMPLOYEES, false).unwrap();
    assert_valid("Process", &plain);
    assert_eq!(plain["name"], "Load Employees");
    let actions = plain["actions"].as_array().unwrap();
    assert_eq!(actions.len(), 4);
    assert_eq!(
        actions[0],
        json!({"id": EMPLOYEES_IMPORT, "name": "Employees from Employees.csv", "actionType": "IMPORT",
               "importDataSourceId": EMPLOYEES_FILE, "importType": "HIERARCHY_DATA"})
    );
    assert_eq!(
        actions[2],
        json!({"id": DELETE_LEAVERS, "name": "Delete Leavers", "actionType": "DELETE_BY_SELECTION"})
    );
    assert_eq!(
        actions[3],
        json!({"id": DETAILS_EXPORT, "name": "Employee Details.csv", "actionType": "EXPORT",
               "exportType": "TABULAR_MULTI_COLUMN", "exportFormat": "text/csv",
               "layout": "TABULAR_MULTI_COLUMN"})
    );
    let shown = process_metadata(&m, LOAD_EMPLOYEES, true).unwrap();
    assert_eq!(
        shown["actions"][1]["importDataSource"],
        json!({"importDataSourceId": SALARIES_FILE, "type": "FILE"})
    );
    assert!(plain["actions"][1].get("importDataSource").is_none());
}

#[test]
fn the_bundled_seed_validates() {
    let seed = Seed::default_seed();
    assert_eq!(validate_seed(&seed), Ok(()));
    // The parts other tests rely on are there.
    assert!(seed
        .users
        .iter()
        .any(|u| u.email == "cert.user@example.com" && u.password.is_none()));
    let workforce = seed
        .models
        .iter()
        .filter(|m| m.name == "Workforce Planning")
        .count();
    assert_eq!(workforce, 2);
}

/// A change that breaks a seed model.
type Breakage = Box<dyn FnOnce(&mut crate::seed::SeedModel)>;

fn broken(change: impl FnOnce(&mut crate::seed::SeedModel)) -> String {
    let mut seed = Seed::default_seed();
    change(seed.models.iter_mut().find(|m| m.id == WORKFORCE).unwrap());
    validate_seed(&seed).unwrap_err()
}

#[test]
fn validation_names_what_is_wrong_and_where() {
    let at = "model 75A40874E6B64FA3AE0E27A0A3A1A9A1 (Workforce Planning): ";
    let cases: Vec<(Breakage, String)> = vec![
        (
            Box::new(|m| m.imports[0].file_id = "113000000099".into()),
            format!("{at}import 112000000001 (Employees from Employees.csv): file 113000000099 does not exist"),
        ),
        (
            Box::new(|m| m.modules[0].dimensions = vec!["Regions".into()]),
            format!("{at}module 102000000001 (Employee Details): dimension \"Regions\" is not a list of the model"),
        ),
        (
            Box::new(|m| m.processes[0].actions.push("117000000042".into())),
            format!("{at}process 118000000001 (Load Employees): step 117000000042 is not an import, export or action of the model"),
        ),
        (
            Box::new(|m| m.lists[1].parent = Some("Divisions".into())),
            format!("{at}list 101000000002 (Employees): parent list \"Divisions\" does not exist"),
        ),
        (
            Box::new(|m| m.lists[1].items[0].parent = Some("Legal".into())),
            format!("{at}list 101000000002 (Employees): item \"Alice Martin\": parent \"Legal\" is not an item of list \"Departments\""),
        ),
        (
            Box::new(|m| m.exports[0].id = "112000000001".into()),
            format!("{at}id \"112000000001\" is used more than once"),
        ),
        (
            Box::new(|m| {
                m.imports[0].mapping.parent = Some("Dept".into());
            }),
            format!("{at}import 112000000001 (Employees from Employees.csv): column \"Dept\" is not in the header of file 113000000001"),
        ),
        (
            Box::new(|m| m.imports[1].mapping.line_items.insert("Bonus".into(), "Salary".into()).map_or((), drop)),
            format!("{at}import 112000000002 (Employee Details from Salaries.csv): \"Bonus\" is not a line item of module \"Employee Details\""),
        ),
        (
            Box::new(|m| m.modules[0].data[0].values.insert("Salary".into(), "lots".into()).map_or((), drop)),
            format!("{at}module 102000000001 (Employee Details): data row 1: line item \"Salary\": Invalid number: lots"),
        ),
        (
            Box::new(|m| m.actions[0].where_property_set = Some("Badge".into())),
            format!("{at}action 117000000001 (Delete Leavers): \"Badge\" is not a property of list \"Employees\""),
        ),
        (
            Box::new(|m| m.lists[0].parent = Some("Employees".into())),
            format!("{at}list 101000000001 (Departments): parent lists loop back to \"Departments\""),
        ),
    ];
    for (change, expected) in cases {
        let message = broken(change);
        assert!(
            message.lines().any(|l| l == expected),
            "expected {expected:?} in:\n{message}"
        );
    }

    let mut seed = Seed::default_seed();
    seed.users[0].workspaces.push("0000".into());
    assert_eq!(
        validate_seed(&seed),
        Err("user integration.user@example.com: workspace 0000 does not exist".into())
    );
}

#[test]
fn a_name_match_with_a_new_code_moves_the_code_index() {
    let mut m = model(WORKFORCE);
    upload(
        &mut m,
        EMPLOYEES_FILE,
        b"Name,Code,Department,Email,Start Date,Leave Date\nAlice Martin,E777,Finance,,,\n",
        None,
    );
    let out = run(&mut m, TaskKind::Import, EMPLOYEES_IMPORT);
    assert_eq!(value(&out.result, 0, "successUpdateCount"), "1");
    assert_eq!(value(&out.result, 0, "renamedCount"), "0");
    let list = m.data.list("Employees").unwrap();
    assert_eq!(list.by_code("E001"), None);
    assert_eq!(list.by_code("E777"), list.by_name("Alice Martin"));
    assert_eq!(list.len(), 2);
}
