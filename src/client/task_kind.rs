//! The four kinds of runnable objects and how their ids tell them apart (imports
//! `112…`, exports `116…`, actions `117…`, processes `118…`, as in the `list_of_*_response.json`
//! recorded in emulator/tests/fixtures/anaplan-connect-fixtures/).

use super::error::{quoted, Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskKind {
    Import,
    Export,
    Action,
    Process,
}

impl TaskKind {
    pub const ALL: [TaskKind; 4] = [
        TaskKind::Import,
        TaskKind::Export,
        TaskKind::Action,
        TaskKind::Process,
    ];

    /// The kind of the object with this id, from its prefix.
    pub fn from_id(id: &str) -> Result<TaskKind> {
        let kind = match id.get(..3) {
            Some("112") => TaskKind::Import,
            Some("116") => TaskKind::Export,
            Some("117") => TaskKind::Action,
            Some("118") => TaskKind::Process,
            _ => None.ok_or_else(|| {
                Error::invalid(format!(
                    "{} is not the id of an import (112…), export (116…), action (117…) or process (118…)",
                    quoted(id)
                ))
            })?,
        };
        if id.len() != 12 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::invalid(format!(
                "{} is not an Anaplan object id (12 digits)",
                quoted(id)
            )));
        }
        Ok(kind)
    }

    /// The lookup kind of objects of this kind.
    pub fn object_kind(self) -> crate::client::kind::ObjectKind {
        use crate::client::kind::ObjectKind;
        match self {
            TaskKind::Import => ObjectKind::Import,
            TaskKind::Export => ObjectKind::Export,
            TaskKind::Action => ObjectKind::Action,
            TaskKind::Process => ObjectKind::Process,
        }
    }

    /// Whether the id has the shape of a runnable object's id (used to tell ids from names).
    pub fn looks_like_id(s: &str) -> bool {
        TaskKind::from_id(s).is_ok()
    }

    /// The path segment under the model: `imports`, `exports`, `actions`, `processes`.
    pub fn segment(self) -> &'static str {
        match self {
            TaskKind::Import => "imports",
            TaskKind::Export => "exports",
            TaskKind::Action => "actions",
            TaskKind::Process => "processes",
        }
    }

    /// The singular noun, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            TaskKind::Import => "import",
            TaskKind::Export => "export",
            TaskKind::Action => "action",
            TaskKind::Process => "process",
        }
    }

    /// Only imports and processes take runtime mapping parameters (https://help.anaplan.com/import-with-mapping-data-a819aec7-729d-43a5-bd49-3e4c598fb358).
    pub fn takes_mapping_parameters(self) -> bool {
        matches!(self, TaskKind::Import | TaskKind::Process)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prefix_gives_the_kind() {
        assert_eq!(TaskKind::from_id("112000000001").unwrap(), TaskKind::Import);
        assert_eq!(TaskKind::from_id("116000000002").unwrap(), TaskKind::Export);
        assert_eq!(TaskKind::from_id("117000000001").unwrap(), TaskKind::Action);
        assert_eq!(
            TaskKind::from_id("118000000001").unwrap(),
            TaskKind::Process
        );
        assert_eq!(TaskKind::Process.segment(), "processes");
    }

    #[test]
    fn other_ids_and_names_are_refused() {
        for bad in [
            "113000000001",
            "Load Employees",
            "112",
            "11200000000x",
            "1120000000011",
            "",
        ] {
            assert!(
                matches!(TaskKind::from_id(bad), Err(Error::InvalidArgument(_))),
                "{bad}"
            );
        }
        assert!(!TaskKind::looks_like_id("Employees"));
    }
}
