//! The per-connection cache of the lists that name lookups search.
//!
//! Policy (why a cached answer is never wrong for long):
//! - A lookup answered from the cache is used only when the cached list has exactly one object
//!   of that name. A miss or an ambiguity in a cached list fetches the list again before it is
//!   reported, so an object created since (a file created by an upload to a new file id, a
//!   renamed import) is found on its first lookup.
//! - Entries expire after [`DEFAULT_TTL`], which bounds how long a deleted or re-created
//!   object can resolve to its old id.
//! - Every listing call refreshes the entry it fetched; `clear` empties the whole cache and
//!   `forget_model` the lists of one model.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::kind::ObjectKind;
use super::listing::Listing;

/// How long a cached list is trusted.
pub const DEFAULT_TTL: Duration = Duration::from_secs(300);

/// Which list: the kind and the id of its parent (`None` for workspaces and for all models, a
/// workspace id for that workspace's models, a model id for a model's objects).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct ListKey {
    pub kind: ObjectKind,
    pub parent: Option<String>,
}

impl ListKey {
    pub fn new(kind: ObjectKind, parent: Option<&str>) -> ListKey {
        ListKey {
            kind,
            parent: parent.map(str::to_string),
        }
    }
}

#[derive(Debug)]
pub struct LookupCache {
    ttl: Duration,
    entries: Mutex<HashMap<ListKey, (Instant, Arc<Listing>)>>,
}

impl Default for LookupCache {
    fn default() -> Self {
        LookupCache::with_ttl(DEFAULT_TTL)
    }
}

impl LookupCache {
    pub fn with_ttl(ttl: Duration) -> LookupCache {
        LookupCache {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached list, if there is one younger than the TTL.
    pub fn get(&self, key: &ListKey) -> Option<Arc<Listing>> {
        let entries = self.lock();
        entries
            .get(key)
            .filter(|(fetched, _)| fetched.elapsed() < self.ttl)
            .map(|(_, listing)| Arc::clone(listing))
    }

    /// Stores a freshly fetched list and returns it shared.
    pub fn put(&self, key: ListKey, listing: Listing) -> Arc<Listing> {
        let listing = Arc::new(listing);
        self.lock()
            .insert(key, (Instant::now(), Arc::clone(&listing)));
        listing
    }

    /// Every cached list, whatever its age, for finding an object by id (`set_model`).
    pub fn all_of(&self, kind: ObjectKind) -> Vec<Arc<Listing>> {
        self.lock()
            .iter()
            .filter(|(key, (fetched, _))| key.kind == kind && fetched.elapsed() < self.ttl)
            .map(|(_, (_, listing))| Arc::clone(listing))
            .collect()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Drops the cached lists of one model's objects (after it changed them, e.g. an upload
    /// that created a file).
    pub fn forget_model(&self, model_id: &str) {
        self.lock().retain(|key, _| {
            !(key.kind.is_model_object() && key.parent.as_deref() == Some(model_id))
        });
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// A panic while the lock was held cannot leave the map half-updated (every change is one
    /// `insert`/`retain`/`clear`), so a poisoned lock is still safe to use.
    fn lock(&self) -> MutexGuard<'_, HashMap<ListKey, (Instant, Arc<Listing>)>> {
        self.entries
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::listing::Item;
    use serde_json::json;

    fn files(names: &[&str]) -> Listing {
        let items = names
            .iter()
            .enumerate()
            .map(|(i, n)| Item {
                id: format!("11300000000{i}"),
                name: n.to_string(),
                json: json!({}),
            })
            .collect();
        Listing::new(ObjectKind::File, items)
    }

    #[test]
    fn entries_are_per_kind_and_parent() {
        let cache = LookupCache::default();
        let m1 = ListKey::new(ObjectKind::File, Some("M1"));
        cache.put(m1.clone(), files(&["a.csv"]));
        assert_eq!(cache.get(&m1).unwrap().name(0), Some("a.csv"));
        assert!(cache
            .get(&ListKey::new(ObjectKind::File, Some("M2")))
            .is_none());
        assert!(cache
            .get(&ListKey::new(ObjectKind::Import, Some("M1")))
            .is_none());
    }

    #[test]
    fn entries_expire() {
        let cache = LookupCache::with_ttl(Duration::ZERO);
        let key = ListKey::new(ObjectKind::File, Some("M1"));
        cache.put(key.clone(), files(&["a.csv"]));
        assert!(cache.get(&key).is_none());
        assert!(cache.all_of(ObjectKind::File).is_empty());
    }

    #[test]
    fn forget_model_keeps_other_models_and_the_model_lists() {
        let cache = LookupCache::default();
        cache.put(ListKey::new(ObjectKind::File, Some("M1")), files(&["a"]));
        cache.put(ListKey::new(ObjectKind::Import, Some("M1")), files(&["b"]));
        cache.put(ListKey::new(ObjectKind::File, Some("M2")), files(&["c"]));
        cache.put(ListKey::new(ObjectKind::Model, None), files(&["d"]));
        cache.forget_model("M1");
        assert_eq!(cache.len(), 2);
        assert!(cache
            .get(&ListKey::new(ObjectKind::File, Some("M2")))
            .is_some());
        assert!(cache.get(&ListKey::new(ObjectKind::Model, None)).is_some());
        cache.clear();
        assert!(cache.is_empty());
    }
}
