//! Choosing the one object of a list that has a given name.
//!
//! Names are matched exactly, case and spaces included. Anaplan's reference says nothing about
//! whether object names are compared regardless of case, and path parameters (ids) are
//! case-sensitive. Quietly taking `employees.csv` for `Employees.csv` could upload into, or run,
//! the wrong object, so there is no case-insensitive fallback: a miss is `NotFound`, and its
//! message suggests the objects whose names differ only in case so the caller can correct the
//! name.

use super::error::{Candidate, Error, Result};
use super::kind::ObjectKind;
use super::listing::{Item, Listing};

/// The object of `listing` named exactly `name`.
///
/// `scope` says where it was looked for (` in model 75A4…`); it ends up in the error message.
pub fn find_by_name<'a>(listing: &'a Listing, name: &str, scope: &str) -> Result<&'a Item> {
    find_among(listing.kind(), listing.iter(), name, scope)
}

/// [`find_by_name`] among some of the items of a list (`kind` is theirs, for messages).
pub fn find_among<'a>(
    kind: ObjectKind,
    items: impl IntoIterator<Item = &'a Item>,
    name: &str,
    scope: &str,
) -> Result<&'a Item> {
    let items: Vec<&Item> = items.into_iter().collect();
    let matches: Vec<&Item> = items.iter().copied().filter(|i| i.name == name).collect();
    match matches.as_slice() {
        [one] => Ok(one),
        [] => Err(not_found(kind, &items, name, scope)),
        several => Err(Error::Ambiguous {
            kind: kind.label(),
            name: name.to_string(),
            candidates: several
                .iter()
                .map(|item| Candidate {
                    id: item.id.clone(),
                    name: item.name.clone(),
                })
                .collect(),
        }),
    }
}

fn not_found(kind: ObjectKind, items: &[&Item], name: &str, scope: &str) -> Error {
    let lower = name.to_lowercase();
    let near: Vec<String> = items
        .iter()
        .filter(|item| item.name.to_lowercase() == lower)
        .map(|item| format!("{:?} ({})", item.name, item.id))
        .collect();
    let hint = if near.is_empty() {
        String::new()
    } else {
        format!(
            "; names are case-sensitive, did you mean {}?",
            near.join(" or ")
        )
    };
    Error::NotFound {
        kind: kind.label(),
        name: name.to_string(),
        scope: format!("{scope}{hint}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn listing(entries: &[(&str, &str)]) -> Listing {
        let items = entries
            .iter()
            .map(|(id, name)| Item {
                id: id.to_string(),
                name: name.to_string(),
                json: json!({"id": id, "name": name}),
            })
            .collect();
        Listing::new(ObjectKind::Model, items)
    }

    #[test]
    fn exact_name_wins() {
        let l = listing(&[("A", "Plan"), ("B", "Plan - Sandbox"), ("C", "plan")]);
        assert_eq!(find_by_name(&l, "Plan", "").unwrap().id, "A");
        assert_eq!(find_by_name(&l, "plan", "").unwrap().id, "C");
    }

    #[test]
    fn no_match_is_not_found_with_kind_name_and_scope() {
        let l = listing(&[("A", "Plan")]);
        let err = find_by_name(&l, "Budget", " in workspace w1").unwrap_err();
        assert!(matches!(err, Error::NotFound { kind: "model", .. }));
        assert_eq!(err.to_string(), "no model named \"Budget\" in workspace w1");
    }

    #[test]
    fn a_different_case_is_not_taken_but_suggested() {
        let l = listing(&[("A", "Plan"), ("B", "PLAN ")]);
        let err = find_by_name(&l, "plan", "").unwrap_err();
        assert_eq!(
            err.to_string(),
            "no model named \"plan\"; names are case-sensitive, did you mean \"Plan\" (A)?"
        );
    }

    #[test]
    fn several_matches_are_ambiguous_and_name_every_candidate() {
        let l = listing(&[("A", "Plan"), ("B", "Other"), ("C", "Plan")]);
        match find_by_name(&l, "Plan", "").unwrap_err() {
            Error::Ambiguous {
                kind,
                name,
                candidates,
            } => {
                assert_eq!((kind, name.as_str()), ("model", "Plan"));
                let ids: Vec<&str> = candidates.iter().map(|c| c.id.as_str()).collect();
                assert_eq!(ids, ["A", "C"]);
            }
            other => panic!("expected Ambiguous, got {other:?}"),
        }
    }
}
