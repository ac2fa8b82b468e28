//! A list of Anaplan objects as the library hands it out: each item's id, name and whole JSON
//! object, with index accessors for callers without a JSON parser (C, VBA).

use serde_json::Value;

use super::error::{Error, Result};
use super::kind::ObjectKind;

/// One listed object.
#[derive(Clone, Debug, PartialEq)]
pub struct Item {
    pub id: String,
    pub name: String,
    /// The object exactly as Anaplan sent it (all fields, including those this library does not
    /// know).
    pub json: Value,
}

impl Item {
    /// Reads the id and name of one list entry. Ids are strings in Anaplan's JSON; a numeric id
    /// is accepted as its decimal text. An entry without an id cannot be used and is an error.
    pub fn from_json(json: Value, kind: ObjectKind, path: &str) -> Result<Item> {
        let id = match json.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            _ => {
                return Err(Error::Protocol {
                    path: path.to_string(),
                    message: format!("an entry of the {} list has no id", kind.collection()),
                })
            }
        };
        let name = json
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        Ok(Item { id, name, json })
    }
}

/// The objects of one kind, in the order Anaplan listed them.
#[derive(Clone, Debug, PartialEq)]
pub struct Listing {
    kind: ObjectKind,
    items: Vec<Item>,
}

impl Listing {
    pub fn new(kind: ObjectKind, items: Vec<Item>) -> Listing {
        Listing { kind, items }
    }

    /// Builds a listing from the raw entries of a list response.
    pub fn from_json(kind: ObjectKind, entries: Vec<Value>, path: &str) -> Result<Listing> {
        let items = entries
            .into_iter()
            .map(|json| Item::from_json(json, kind, path))
            .collect::<Result<Vec<_>>>()?;
        Ok(Listing { kind, items })
    }

    pub fn kind(&self) -> ObjectKind {
        self.kind
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, index: usize) -> Option<&Item> {
        self.items.get(index)
    }

    /// The id of the item at `index`, `None` past the end.
    pub fn id(&self, index: usize) -> Option<&str> {
        self.get(index).map(|item| item.id.as_str())
    }

    /// The name of the item at `index`, `None` past the end.
    pub fn name(&self, index: usize) -> Option<&str> {
        self.get(index).map(|item| item.name.as_str())
    }

    pub fn items(&self) -> &[Item] {
        &self.items
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Item> {
        self.items.iter()
    }

    /// The whole list as a JSON array of the objects as Anaplan sent them (`[]` when empty).
    pub fn json(&self) -> String {
        Value::Array(self.items.iter().map(|item| item.json.clone()).collect()).to_string()
    }
}

impl<'a> IntoIterator for &'a Listing {
    type Item = &'a Item;
    type IntoIter = std::slice::Iter<'a, Item>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keeps_id_name_and_the_whole_object() {
        let entries = vec![
            json!({"id": "113000000001", "name": "Employees.csv", "chunkCount": 1, "extra": [1]}),
            json!({"id": 113000000002_u64, "name": "Salaries.csv"}),
        ];
        let l = Listing::from_json(ObjectKind::File, entries.clone(), "/files").unwrap();
        assert_eq!(l.len(), 2);
        assert_eq!(l.id(0), Some("113000000001"));
        assert_eq!(l.name(1), Some("Salaries.csv"));
        assert_eq!(l.id(1), Some("113000000002"));
        assert_eq!(l.id(2), None);
        assert_eq!(l.name(2), None);
        let back: Value = serde_json::from_str(&l.json()).unwrap();
        assert_eq!(back, Value::Array(entries));
    }

    #[test]
    fn an_empty_listing_is_an_empty_array() {
        let l = Listing::from_json(ObjectKind::Action, vec![], "/actions").unwrap();
        assert!(l.is_empty());
        assert_eq!(l.json(), "[]");
    }

    #[test]
    fn an_entry_without_id_is_a_protocol_error() {
        let err = Listing::from_json(ObjectKind::Import, vec![json!({"name": "x"})], "/imports")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "unexpected response from /imports: an entry of the imports list has no id"
        );
    }
}
