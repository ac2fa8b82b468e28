//! Lists and modules held in memory.
//!
//! List items get a numeric id inside their list, so that renaming an item (an import matched by
//! code) keeps its module data and its children. Module cells are keyed by one item id per
//! dimension, in dimension order; ordered maps keep exports in creation order.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::seed::{SeedLineItem, SeedList, SeedModel, SeedModule};

use super::values;

pub type ItemId = u64;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListItem {
    pub id: ItemId,
    pub name: String,
    pub code: Option<String>,
    /// Id of the parent item in the list's parent list.
    pub parent: Option<ItemId>,
    pub properties: BTreeMap<String, String>,
}

/// What an import writes into an item. `parent: None` leaves the parent as it is.
#[derive(Clone, Debug, Default)]
pub struct ItemChange {
    pub name: String,
    pub code: Option<String>,
    pub parent: Option<Option<ItemId>>,
    pub properties: BTreeMap<String, String>,
}

#[derive(Clone, Debug, Default)]
pub struct ListData {
    pub name: String,
    /// Name of the parent list of the hierarchy, if any.
    pub parent_list: Option<String>,
    pub properties: Vec<String>,
    items: BTreeMap<ItemId, ListItem>,
    by_name: HashMap<String, ItemId>,
    by_code: HashMap<String, ItemId>,
    next_id: ItemId,
}

impl ListData {
    fn from_seed(seed: &SeedList) -> ListData {
        let mut list = ListData {
            name: seed.name.clone(),
            parent_list: seed.parent.clone(),
            properties: seed.properties.clone(),
            ..ListData::default()
        };
        for item in &seed.items {
            list.create(ItemChange {
                name: item.name.clone(),
                code: item.code.clone(),
                parent: None,
                properties: item.properties.clone(),
            });
        }
        list
    }

    /// Items in creation order.
    pub fn items(&self) -> impl Iterator<Item = &ListItem> {
        self.items.values()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.items.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, id: ItemId) -> Option<&ListItem> {
        self.items.get(&id)
    }

    pub fn by_name(&self, name: &str) -> Option<ItemId> {
        self.by_name.get(name).copied()
    }

    pub fn by_code(&self, code: &str) -> Option<ItemId> {
        self.by_code.get(code).copied()
    }

    /// An item named or coded `key` (names first, as Anaplan resolves names before codes).
    pub fn find(&self, key: &str) -> Option<ItemId> {
        self.by_name(key).or_else(|| self.by_code(key))
    }

    pub fn create(&mut self, change: ItemChange) -> ItemId {
        self.next_id += 1;
        let id = self.next_id;
        let item = ListItem {
            id,
            name: change.name,
            code: change.code.filter(|c| !c.is_empty()),
            parent: change.parent.flatten(),
            properties: change.properties,
        };
        self.index(&item);
        self.items.insert(id, item);
        id
    }

    /// Writes `change` into item `id`: name, code (when given), parent (when given) and the
    /// properties it names. The caller has checked that the new name and code are free.
    pub fn update(&mut self, id: ItemId, change: ItemChange) {
        let Some(item) = self.items.get_mut(&id) else {
            return;
        };
        // Indexes are only touched when the name or code really changes: re-imports of
        // unchanged items are the common case and should stay cheap.
        let old_name =
            (item.name != change.name).then(|| std::mem::replace(&mut item.name, change.name));
        let new_code = change
            .code
            .filter(|c| !c.is_empty() && item.code.as_ref() != Some(c));
        let old_code = new_code.clone().map(|c| item.code.replace(c));
        if let Some(parent) = change.parent {
            item.parent = parent;
        }
        item.properties.extend(change.properties);
        let name = item.name.clone();
        if let Some(old) = old_name {
            if self.by_name.get(&old) == Some(&id) {
                self.by_name.remove(&old);
            }
            self.by_name.insert(name, id);
        }
        if let (Some(old), Some(new)) = (old_code, new_code) {
            if let Some(old) = old.filter(|o| self.by_code.get(o) == Some(&id)) {
                self.by_code.remove(&old);
            }
            self.by_code.insert(new, id);
        }
    }

    pub fn set_parent(&mut self, id: ItemId, parent: Option<ItemId>) {
        if let Some(item) = self.items.get_mut(&id) {
            item.parent = parent;
        }
    }

    /// Removes the items `doomed` selects and returns their ids.
    pub fn remove_where(&mut self, doomed: impl Fn(&ListItem) -> bool) -> BTreeSet<ItemId> {
        let ids: BTreeSet<ItemId> = self.items().filter(|i| doomed(i)).map(|i| i.id).collect();
        for id in &ids {
            if let Some(item) = self.items.remove(id) {
                self.unindex(&item);
            }
        }
        ids
    }

    fn index(&mut self, item: &ListItem) {
        self.by_name.insert(item.name.clone(), item.id);
        if let Some(code) = &item.code {
            self.by_code.insert(code.clone(), item.id);
        }
    }

    fn unindex(&mut self, item: &ListItem) {
        if self.by_name.get(&item.name) == Some(&item.id) {
            self.by_name.remove(&item.name);
        }
        if let Some(code) = &item.code {
            if self.by_code.get(code) == Some(&item.id) {
                self.by_code.remove(code);
            }
        }
    }
}

/// A module: its line items and its cells.
#[derive(Clone, Debug, Default)]
pub struct ModuleData {
    pub name: String,
    /// List names, in order.
    pub dimensions: Vec<String>,
    pub line_items: Vec<SeedLineItem>,
    /// Values by line-item name, keyed by one item id per dimension.
    pub cells: BTreeMap<Vec<ItemId>, BTreeMap<String, String>>,
}

impl ModuleData {
    pub fn line_item(&self, name: &str) -> Option<&SeedLineItem> {
        self.line_items.iter().find(|l| l.name == name)
    }
}

/// The data of one model: its lists and modules.
#[derive(Clone, Debug, Default)]
pub struct ModelData {
    pub lists: Vec<ListData>,
    pub modules: Vec<ModuleData>,
}

impl ModelData {
    /// Builds the model's data from its seed. References the seed validation would reject
    /// (unknown parents, items or line items) are skipped rather than trusted.
    pub fn from_seed(seed: &SeedModel) -> ModelData {
        let mut data = ModelData {
            lists: seed.lists.iter().map(ListData::from_seed).collect(),
            modules: Vec::new(),
        };
        data.link_seed_parents(seed);
        data.modules = seed
            .modules
            .iter()
            .map(|m| data.module_from_seed(m))
            .collect();
        data
    }

    /// Parents are set once every list exists, so a list may come before its parent list.
    fn link_seed_parents(&mut self, seed: &SeedModel) {
        for list_seed in &seed.lists {
            for item in &list_seed.items {
                let Some(parent_name) = &item.parent else {
                    continue;
                };
                let parent = self
                    .list(list_seed.parent.as_deref().unwrap_or_default())
                    .and_then(|p| p.find(parent_name));
                let Some(list) = self.list_mut(&list_seed.name) else {
                    continue;
                };
                if let Some(id) = list.by_name(&item.name) {
                    list.set_parent(id, parent);
                }
            }
        }
    }

    fn module_from_seed(&self, seed: &SeedModule) -> ModuleData {
        let mut module = ModuleData {
            name: seed.name.clone(),
            dimensions: seed.dimensions.clone(),
            line_items: seed.line_items.clone(),
            cells: BTreeMap::new(),
        };
        for row in &seed.data {
            let Some(key) = self.item_key(&module.dimensions, &row.items) else {
                continue;
            };
            let mut cells = BTreeMap::new();
            for (line_item, raw) in &row.values {
                let Some(li) = module.line_item(line_item) else {
                    continue;
                };
                if let Ok(v) = values::normalize(&li.format, raw) {
                    cells.insert(line_item.clone(), v);
                }
            }
            module.cells.entry(key).or_default().extend(cells);
        }
        module
    }

    /// The cell key for item names (or codes), one per dimension.
    fn item_key(&self, dimensions: &[String], items: &[String]) -> Option<Vec<ItemId>> {
        if dimensions.len() != items.len() {
            return None;
        }
        dimensions
            .iter()
            .zip(items)
            .map(|(dim, item)| self.list(dim)?.find(item))
            .collect()
    }

    pub fn list(&self, name: &str) -> Option<&ListData> {
        self.lists.iter().find(|l| l.name == name)
    }

    pub fn list_mut(&mut self, name: &str) -> Option<&mut ListData> {
        self.lists.iter_mut().find(|l| l.name == name)
    }

    pub fn module(&self, name: &str) -> Option<&ModuleData> {
        self.modules.iter().find(|m| m.name == name)
    }

    /// Deletes the items of `list_name` that `doomed` selects, with everything that points at
    /// them: module cells on those items and the parent links of child lists. Returns how many
    /// items were deleted.
    pub fn delete_items(&mut self, list_name: &str, doomed: impl Fn(&ListItem) -> bool) -> usize {
        let Some(list) = self.list_mut(list_name) else {
            return 0;
        };
        let gone = list.remove_where(doomed);
        if gone.is_empty() {
            return 0;
        }
        for module in &mut self.modules {
            let dims: Vec<usize> = module
                .dimensions
                .iter()
                .enumerate()
                .filter(|(_, d)| d.as_str() == list_name)
                .map(|(i, _)| i)
                .collect();
            if dims.is_empty() {
                continue;
            }
            module.cells.retain(|key, _| {
                dims.iter()
                    .all(|&d| key.get(d).is_none_or(|id| !gone.contains(id)))
            });
        }
        for child in self.lists.iter_mut() {
            if child.parent_list.as_deref() != Some(list_name) {
                continue;
            }
            let orphans: Vec<ItemId> = child
                .items()
                .filter(|i| i.parent.is_some_and(|p| gone.contains(&p)))
                .map(|i| i.id)
                .collect();
            for id in orphans {
                child.set_parent(id, None);
            }
        }
        gone.len()
    }
}
