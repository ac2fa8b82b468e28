//! Seed validation: every id and name a seed refers to must exist, so that a bad seed fails at
//! start-up with a message saying where, rather than in the middle of a task.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::seed::{
    Seed, SeedAction, SeedExport, SeedFile, SeedImport, SeedList, SeedModel, SeedModule,
};

use super::csv::{one_char, Encoding, Format, Source};
use super::delete::DELETE_BY_SELECTION;
use super::values::{normalize, FORMATS};

const IMPORT_TYPES: &[&str] = &["HIERARCHY_DATA", "MODULE_DATA"];
const LAYOUTS: &[&str] = &["TABULAR_MULTI_COLUMN", "TABULAR_SINGLE_COLUMN"];

/// Problems found so far; the error lists them all, one per line.
#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn check(&mut self, ok: bool, message: impl FnOnce() -> String) {
        if !ok {
            self.0.push(message());
        }
    }

    /// Reports values that occur more than once.
    fn unique<'a>(&mut self, what: &str, values: impl IntoIterator<Item = &'a str>) {
        let mut seen = HashSet::new();
        let mut reported = HashSet::new();
        for v in values {
            if !seen.insert(v) && reported.insert(v) {
                self.0.push(format!("{what} {v:?} is used more than once"));
            }
        }
    }
}

pub fn validate_seed(seed: &Seed) -> Result<(), String> {
    let mut p = Problems::default();
    let workspaces: HashSet<&str> = seed.workspaces.iter().map(|w| w.id.as_str()).collect();
    p.unique(
        "workspace id",
        seed.workspaces.iter().map(|w| w.id.as_str()),
    );
    p.unique("user id", seed.users.iter().map(|u| u.id.as_str()));
    let emails: Vec<String> = seed.users.iter().map(|u| u.email.to_lowercase()).collect();
    p.unique("user email", emails.iter().map(String::as_str));
    for u in &seed.users {
        for w in &u.workspaces {
            p.check(workspaces.contains(w.as_str()), || {
                format!("user {}: workspace {w} does not exist", u.email)
            });
        }
    }
    p.unique("model id", seed.models.iter().map(|m| m.id.as_str()));
    for m in &seed.models {
        p.check(workspaces.contains(m.workspace_id.as_str()), || {
            format!(
                "model {} ({}): workspace {} does not exist",
                m.id, m.name, m.workspace_id
            )
        });
        let mut inner = Problems::default();
        validate_model(m, &mut inner);
        let at = format!("model {} ({})", m.id, m.name);
        p.0.extend(inner.0.into_iter().map(|e| format!("{at}: {e}")));
    }
    if p.0.is_empty() {
        Ok(())
    } else {
        Err(p.0.join("\n"))
    }
}

fn validate_model(m: &SeedModel, p: &mut Problems) {
    let ids = m
        .lists
        .iter()
        .map(|x| x.id.as_str())
        .chain(m.modules.iter().map(|x| x.id.as_str()))
        .chain(m.files.iter().map(|x| x.id.as_str()))
        .chain(m.imports.iter().map(|x| x.id.as_str()))
        .chain(m.exports.iter().map(|x| x.id.as_str()))
        .chain(m.actions.iter().map(|x| x.id.as_str()))
        .chain(m.processes.iter().map(|x| x.id.as_str()));
    p.unique("id", ids);
    let names = m.lists.iter().map(|l| l.name.as_str());
    p.unique(
        "list or module name",
        names.chain(m.modules.iter().map(|x| x.name.as_str())),
    );
    let lists: BTreeMap<&str, &SeedList> = m.lists.iter().map(|l| (l.name.as_str(), l)).collect();
    for l in &m.lists {
        validate_list(l, &lists, p);
    }
    for module in &m.modules {
        validate_module(module, &lists, p);
    }
    for f in &m.files {
        validate_file(f, p);
    }
    for i in &m.imports {
        validate_import(i, m, &lists, p);
    }
    for e in &m.exports {
        validate_export(e, m, &lists, p);
    }
    for a in &m.actions {
        validate_action(a, &lists, p);
    }
    for process in &m.processes {
        for step in &process.actions {
            let known = m.imports.iter().any(|i| &i.id == step)
                || m.exports.iter().any(|e| &e.id == step)
                || m.actions.iter().any(|a| &a.id == step);
            p.check(known, || {
                format!(
                    "process {} ({}): step {step} is not an import, export or action of the model",
                    process.id, process.name
                )
            });
        }
    }
}

fn validate_list(l: &SeedList, lists: &BTreeMap<&str, &SeedList>, p: &mut Problems) {
    let at = format!("list {} ({})", l.id, l.name);
    let parent = l
        .parent
        .as_deref()
        .and_then(|name| lists.get(name).copied());
    if let Some(name) = &l.parent {
        p.check(parent.is_some(), || {
            format!("{at}: parent list {name:?} does not exist")
        });
        p.check(!has_cycle(l, lists), || {
            format!("{at}: parent lists loop back to {:?}", l.name)
        });
    }
    p.unique(
        &format!("{at}: property"),
        l.properties.iter().map(String::as_str),
    );
    p.unique(
        &format!("{at}: item name"),
        l.items.iter().map(|i| i.name.as_str()),
    );
    p.unique(
        &format!("{at}: item code"),
        l.items.iter().filter_map(|i| i.code.as_deref()),
    );
    for item in &l.items {
        p.check(!item.name.trim().is_empty(), || {
            format!("{at}: an item has an empty name")
        });
        for key in item.properties.keys() {
            p.check(l.properties.contains(key), || {
                format!(
                    "{at}: item {:?} sets undeclared property {key:?}",
                    item.name
                )
            });
        }
        let Some(parent_item) = &item.parent else {
            continue;
        };
        match parent {
            None => p.check(l.parent.is_some(), || {
                format!(
                    "{at}: item {:?} has a parent but the list has no parent list",
                    item.name
                )
            }),
            Some(pl) => p.check(
                pl.items
                    .iter()
                    .any(|i| &i.name == parent_item || i.code.as_ref() == Some(parent_item)),
                || {
                    format!(
                        "{at}: item {:?}: parent {parent_item:?} is not an item of list {:?}",
                        item.name, pl.name
                    )
                },
            ),
        }
    }
}

fn has_cycle(start: &SeedList, lists: &BTreeMap<&str, &SeedList>) -> bool {
    let mut seen = BTreeSet::new();
    let mut current = Some(start);
    while let Some(l) = current {
        if !seen.insert(l.name.as_str()) {
            return true;
        }
        current = l.parent.as_deref().and_then(|n| lists.get(n).copied());
    }
    false
}

fn item_exists(list: &SeedList, key: &str) -> bool {
    list.items
        .iter()
        .any(|i| i.name == key || i.code.as_deref() == Some(key))
}

fn validate_module(m: &SeedModule, lists: &BTreeMap<&str, &SeedList>, p: &mut Problems) {
    let at = format!("module {} ({})", m.id, m.name);
    p.check(!m.dimensions.is_empty(), || {
        format!("{at}: has no dimensions")
    });
    for d in &m.dimensions {
        p.check(lists.contains_key(d.as_str()), || {
            format!("{at}: dimension {d:?} is not a list of the model")
        });
    }
    p.unique(
        &format!("{at}: line item name"),
        m.line_items.iter().map(|l| l.name.as_str()),
    );
    p.unique(
        &format!("{at}: line item id"),
        m.line_items.iter().map(|l| l.id.as_str()),
    );
    for li in &m.line_items {
        p.check(FORMATS.contains(&li.format.as_str()), || {
            format!(
                "{at}: line item {:?} has format {:?}; expected one of {FORMATS:?}",
                li.name, li.format
            )
        });
    }
    for (n, row) in m.data.iter().enumerate() {
        let row_at = format!("{at}: data row {}", n + 1);
        p.check(row.items.len() == m.dimensions.len(), || {
            format!(
                "{row_at}: names {} items for {} dimensions",
                row.items.len(),
                m.dimensions.len()
            )
        });
        for (dim, item) in m.dimensions.iter().zip(&row.items) {
            if let Some(list) = lists.get(dim.as_str()) {
                p.check(item_exists(list, item), || {
                    format!("{row_at}: {item:?} is not an item of list {dim:?}")
                });
            }
        }
        for (name, value) in &row.values {
            match m.line_items.iter().find(|l| &l.name == name) {
                None => p.0.push(format!(
                    "{row_at}: {name:?} is not a line item of the module"
                )),
                Some(li) => {
                    if let Err(e) = normalize(&li.format, value) {
                        p.0.push(format!("{row_at}: line item {name:?}: {e}"));
                    }
                }
            }
        }
    }
}

fn single_char_setting(value: &str) -> bool {
    value.is_empty() || value.chars().count() == 1 || one_char(value) == Some('\t')
}

/// Whether a source file's separator or delimiter can be read: the reader splits the decoded
/// bytes, so only an ASCII character (or none) can be matched.
fn ascii_char_setting(value: &str) -> bool {
    one_char(value).is_none_or(|c| c.is_ascii())
}

fn validate_file(f: &SeedFile, p: &mut Problems) {
    let at = format!("file {} ({})", f.id, f.name);
    p.check(single_char_setting(&f.separator), || {
        format!(
            "{at}: separator {:?} must be one character or empty",
            f.separator
        )
    });
    p.check(single_char_setting(&f.delimiter), || {
        format!(
            "{at}: delimiter {:?} must be one character or empty",
            f.delimiter
        )
    });
    p.check(ascii_char_setting(&f.separator), || {
        format!(
            "{at}: separator {:?} is not ASCII; source files can only be split on ASCII",
            f.separator
        )
    });
    p.check(ascii_char_setting(&f.delimiter), || {
        format!(
            "{at}: delimiter {:?} is not ASCII; source files can only be quoted with ASCII",
            f.delimiter
        )
    });
    p.check(Encoding::is_known(&f.encoding), || {
        format!(
            "{at}: encoding {:?} is not supported \
             (UTF-8, ISO-8859-1, windows-1252, UTF-16, UTF-16LE, UTF-16BE)",
            f.encoding
        )
    });
    p.check(f.header_row >= 0, || {
        format!("{at}: headerRow must be 0 (none) or more")
    });
    p.check(f.first_data_row >= 1, || {
        format!("{at}: firstDataRow must be 1 or more")
    });
}

/// The header of a seeded file, if it has content and a header row.
fn file_headers(f: &SeedFile) -> Option<Source<'_>> {
    let content = f.content.as_deref()?;
    if f.header_row < 1 {
        return None;
    }
    let meta = super::FileMeta::from_seed(f);
    Some(Source::open(
        content.as_bytes(),
        Format::of_file(&meta),
        f.header_row,
        f.first_data_row,
    ))
}

fn validate_import(
    i: &SeedImport,
    m: &SeedModel,
    lists: &BTreeMap<&str, &SeedList>,
    p: &mut Problems,
) {
    let at = format!("import {} ({})", i.id, i.name);
    let file = m.files.iter().find(|f| f.id == i.file_id);
    p.check(file.is_some(), || {
        format!("{at}: file {} does not exist", i.file_id)
    });
    let mut columns: Vec<&String> = Vec::new();
    let map = &i.mapping;
    match i.import_type.as_str() {
        "HIERARCHY_DATA" => {
            let list = lists.get(i.target.as_str());
            p.check(list.is_some(), || {
                format!("{at}: target list {:?} does not exist", i.target)
            });
            p.check(map.name.is_some(), || {
                format!("{at}: mapping.name is required for a list import")
            });
            p.check(map.items.is_empty() && map.line_items.is_empty(), || {
                format!("{at}: mapping.items and mapping.lineItems are for module imports")
            });
            if let Some(list) = list {
                p.check(map.parent.is_none() || list.parent.is_some(), || {
                    format!(
                        "{at}: mapping.parent is set but list {:?} has no parent list",
                        list.name
                    )
                });
                for prop in map.properties.keys() {
                    p.check(list.properties.contains(prop), || {
                        format!("{at}: {prop:?} is not a property of list {:?}", list.name)
                    });
                }
            }
            columns.extend([&map.name, &map.code, &map.parent].into_iter().flatten());
            columns.extend(map.properties.values());
        }
        "MODULE_DATA" => {
            let module = m.modules.iter().find(|x| x.name == i.target);
            p.check(module.is_some(), || {
                format!("{at}: target module {:?} does not exist", i.target)
            });
            p.check(
                map.name.is_none()
                    && map.code.is_none()
                    && map.parent.is_none()
                    && map.properties.is_empty(),
                || format!("{at}: mapping.name, code, parent and properties are for list imports"),
            );
            p.check(!map.line_items.is_empty(), || {
                format!("{at}: mapping.lineItems is empty")
            });
            if let Some(module) = module {
                p.check(map.items.len() == module.dimensions.len(), || {
                    format!(
                        "{at}: mapping.items names {} columns for the {} dimensions of {:?}",
                        map.items.len(),
                        module.dimensions.len(),
                        module.name
                    )
                });
                for li in map.line_items.keys() {
                    p.check(module.line_items.iter().any(|l| &l.name == li), || {
                        format!(
                            "{at}: {li:?} is not a line item of module {:?}",
                            module.name
                        )
                    });
                }
            }
            columns.extend(&map.items);
            columns.extend(map.line_items.values());
        }
        other => p.0.push(format!(
            "{at}: importType {other:?}; expected one of {IMPORT_TYPES:?}"
        )),
    }
    if let Some(source) = file.and_then(file_headers) {
        for c in columns {
            p.check(source.column_index(c).is_some(), || {
                format!(
                    "{at}: column {c:?} is not in the header of file {}",
                    i.file_id
                )
            });
        }
    }
}

fn validate_export(
    e: &SeedExport,
    m: &SeedModel,
    lists: &BTreeMap<&str, &SeedList>,
    p: &mut Problems,
) {
    let at = format!("export {} ({})", e.id, e.name);
    let known =
        lists.contains_key(e.source.as_str()) || m.modules.iter().any(|x| x.name == e.source);
    p.check(known, || {
        format!(
            "{at}: source {:?} is not a list or module of the model",
            e.source
        )
    });
    p.check(LAYOUTS.contains(&e.layout.as_str()), || {
        format!("{at}: layout {:?}; expected one of {LAYOUTS:?}", e.layout)
    });
    p.check(Encoding::is_known(&e.encoding), || {
        format!("{at}: encoding {:?} is not supported", e.encoding)
    });
    p.check(
        one_char(&e.separator).is_some() && single_char_setting(&e.separator),
        || format!("{at}: separator {:?} must be one character", e.separator),
    );
    p.check(single_char_setting(&e.delimiter), || {
        format!(
            "{at}: delimiter {:?} must be one character or empty",
            e.delimiter
        )
    });
}

fn validate_action(a: &SeedAction, lists: &BTreeMap<&str, &SeedList>, p: &mut Problems) {
    let at = format!("action {} ({})", a.id, a.name);
    p.check(a.action_type == DELETE_BY_SELECTION, || {
        format!(
            "{at}: actionType {:?}; only {DELETE_BY_SELECTION} is supported",
            a.action_type
        )
    });
    match lists.get(a.list.as_str()) {
        None => p.0.push(format!("{at}: list {:?} does not exist", a.list)),
        Some(list) => {
            if let Some(prop) = &a.where_property_set {
                p.check(list.properties.contains(prop), || {
                    format!("{at}: {prop:?} is not a property of list {:?}", list.name)
                });
            }
        }
    }
}
