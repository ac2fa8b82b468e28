//! The kinds of Anaplan objects the library lists and finds by name: where each is listed, what
//! its collection key is, and what its ids look like (the `id` of each schema in
//! emulator/tests/fixtures/anaplan-openapi/integration-openapi.json).

use std::fmt;

/// An object kind. Workspaces and models are listed at the top level; the other kinds belong
/// to one model.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjectKind {
    Workspace,
    Model,
    File,
    Import,
    Export,
    Action,
    Process,
}

impl ObjectKind {
    /// The singular noun used in messages ("no import named ...").
    pub fn label(self) -> &'static str {
        match self {
            ObjectKind::Workspace => "workspace",
            ObjectKind::Model => "model",
            ObjectKind::File => "file",
            ObjectKind::Import => "import",
            ObjectKind::Export => "export",
            ObjectKind::Action => "action",
            ObjectKind::Process => "process",
        }
    }

    /// The key of the list in a list response, which is also the last path segment of the
    /// list endpoint (`.../imports` → `"imports"`).
    pub fn collection(self) -> &'static str {
        match self {
            ObjectKind::Workspace => "workspaces",
            ObjectKind::Model => "models",
            ObjectKind::File => "files",
            ObjectKind::Import => "imports",
            ObjectKind::Export => "exports",
            ObjectKind::Action => "actions",
            ObjectKind::Process => "processes",
        }
    }

    /// Whether objects of this kind live inside one model.
    pub fn is_model_object(self) -> bool {
        !matches!(self, ObjectKind::Workspace | ObjectKind::Model)
    }

    /// Whether `s` has the shape of an id of this kind, so that it can be used as is.
    ///
    /// Workspace ids are 32 lowercase hex digits, model ids 32 uppercase hex digits (path
    /// parameters are case-sensitive, so a wrongly-cased id is not an id). Model objects have
    /// 12-digit ids with a kind prefix: imports `112`, files `113` (and `116` for the output file
    /// of an export, which shares the export's id), exports `116`, actions `117`, processes `118`.
    pub fn looks_like_id(self, s: &str) -> bool {
        match self {
            ObjectKind::Workspace => hex32(s, |c| c.is_ascii_digit() || ('a'..='f').contains(&c)),
            ObjectKind::Model => hex32(s, |c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
            ObjectKind::File => numeric_id(s, &["113", "116"]),
            ObjectKind::Import => numeric_id(s, &["112"]),
            ObjectKind::Export => numeric_id(s, &["116"]),
            ObjectKind::Action => numeric_id(s, &["117"]),
            ObjectKind::Process => numeric_id(s, &["118"]),
        }
    }
}

/// Whether a file id is that of an export's output file (`116…`, the export's own id). Such
/// files are written by their export; uploads go to import data sources (`113…`).
pub fn is_export_output_file(id: &str) -> bool {
    ObjectKind::Export.looks_like_id(id)
}

impl fmt::Display for ObjectKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

fn hex32(s: &str, digit: impl Fn(char) -> bool) -> bool {
    s.len() == 32 && s.chars().all(digit)
}

fn numeric_id(s: &str, prefixes: &[&str]) -> bool {
    s.len() == 12
        && s.bytes().all(|b| b.is_ascii_digit())
        && prefixes.iter().any(|p| s.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::ObjectKind::*;

    #[test]
    fn workspace_and_model_ids_differ_by_case() {
        assert!(Workspace.looks_like_id("8a80da9a6b3c21f3016b4d0a8f2b0042"));
        assert!(!Model.looks_like_id("8a80da9a6b3c21f3016b4d0a8f2b0042"));
        assert!(Model.looks_like_id("75A40874E6B64FA3AE0E27A0A3A1A9A1"));
        assert!(!Workspace.looks_like_id("75A40874E6B64FA3AE0E27A0A3A1A9A1"));
        // 31 digits, a non-hex letter, a name.
        assert!(!Workspace.looks_like_id("8a80da9a6b3c21f3016b4d0a8f2b004"));
        assert!(!Workspace.looks_like_id("8a80da9a6b3c21f3016b4d0a8f2b004g"));
        assert!(!Model.looks_like_id("Workforce Planning"));
    }

    #[test]
    fn model_object_ids_carry_their_prefix() {
        assert!(Import.looks_like_id("112000000001"));
        assert!(!Import.looks_like_id("113000000001"));
        assert!(File.looks_like_id("113000000001"));
        // The output file of an export has the export's id.
        assert!(File.looks_like_id("116000000001"));
        assert!(Export.looks_like_id("116000000001"));
        assert!(Action.looks_like_id("117000000002"));
        assert!(Process.looks_like_id("118000000001"));
        assert!(!Process.looks_like_id("11800000001"));
        assert!(!Process.looks_like_id("1180000000011"));
        assert!(!File.looks_like_id("Employees.csv"));
    }

    #[test]
    fn collection_keys_are_the_endpoint_names() {
        let all = [Workspace, Model, File, Import, Export, Action, Process];
        let keys: Vec<&str> = all.iter().map(|k| k.collection()).collect();
        assert_eq!(
            keys,
            [
                "workspaces",
                "models",
                "files",
                "imports",
                "exports",
                "actions",
                "processes"
            ]
        );
        assert!(!Workspace.is_model_object() && !Model.is_model_object());
        assert!(File.is_model_object() && Process.is_model_object());
    }
}
