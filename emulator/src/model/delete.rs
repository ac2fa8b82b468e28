//! Delete actions (`DELETE_BY_SELECTION`): remove list items, all of them or those whose given
//! property is set, with their module data.
//!
//! The result carries no `details`: recorded Anaplan delete results have none, and
//! `failureDumpAvailable` is always false for deletes.

use serde_json::Value;

use crate::seed::SeedAction;

use super::data::{ListItem, ModelData};
use super::details::{failure, result};

pub const DELETE_BY_SELECTION: &str = "DELETE_BY_SELECTION";

/// Runs a delete action; returns the task result and how many items went.
pub fn run(data: &mut ModelData, action: &SeedAction) -> (Value, usize) {
    if action.action_type != DELETE_BY_SELECTION {
        let message = format!(
            "Action type {} is not supported by the emulator",
            action.action_type
        );
        let values = [("actionType", action.action_type.clone())];
        return (
            failure(&action.id, "unsupportedActionType", message, &values),
            0,
        );
    }
    if data.list(&action.list).is_none() {
        let values = [("listName", action.list.clone())];
        let message = format!("List not found: {}", action.list);
        return (failure(&action.id, "unknownList", message, &values), 0);
    }
    let property = action.where_property_set.as_deref();
    let deleted = data.delete_items(&action.list, |item| selected(item, property));
    (result(&action.id, true, false, Vec::new()), deleted)
}

fn selected(item: &ListItem, property: Option<&str>) -> bool {
    match property {
        None => true,
        Some(p) => item.properties.get(p).is_some_and(|v| !v.trim().is_empty()),
    }
}
