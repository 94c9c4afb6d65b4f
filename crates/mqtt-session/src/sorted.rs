//! Maps and sets kept as a `Vec` sorted by key.
//!
//! The session's tables (messages in flight, commands awaiting acknowledgement, granted
//! subscriptions, packet ids in use) are bounded by the configuration's in-flight window and
//! command queue (100 and 1,000 by default) and usually hold a handful of entries; the Topic
//! Alias tables by the Topic Alias Maximum of each side. A sorted
//! `Vec` looks up by binary search and iterates in key order as a `BTreeMap` does; inserting
//! and removing move the entries after the position, cheap at these sizes. It compiles to a
//! fraction of a B-tree's code, which matters in WebAssembly, where each `BTreeMap<K, V>` is
//! a separate copy of the whole B-tree.

use core::borrow::Borrow;

/// A map in key order, as a sorted `Vec` of entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        Self {
            entries: Vec::new(),
        }
    }
}

impl<K: Ord, V> SortedMap<K, V> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    fn find<Q: Ord + ?Sized>(&self, key: &Q) -> Result<usize, usize>
    where
        K: Borrow<Q>,
    {
        self.entries.binary_search_by(|(k, _)| k.borrow().cmp(key))
    }

    /// Inserts or replaces; the value replaced, if any.
    pub(crate) fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(i) => Some(core::mem::replace(&mut self.entries[i].1, value)),
            Err(i) => {
                self.entries.insert(i, (key, value));
                None
            }
        }
    }

    pub(crate) fn get<Q: Ord + ?Sized>(&self, key: &Q) -> Option<&V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &self.entries[i].1)
    }

    pub(crate) fn get_mut<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| &mut self.entries[i].1)
    }

    pub(crate) fn remove<Q: Ord + ?Sized>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
    {
        self.find(key).ok().map(|i| self.entries.remove(i).1)
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn clear(&mut self) {
        self.entries.clear();
    }

    /// The entries in key order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (&K, &V)> {
        self.entries.iter().map(|(k, v)| (k, v))
    }
}

impl<K, V> IntoIterator for SortedMap<K, V> {
    type Item = (K, V);
    type IntoIter = std::vec::IntoIter<(K, V)>;

    /// The entries in key order.
    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

/// A set in order, as a sorted `Vec`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortedSet<T> {
    items: Vec<T>,
}

impl<T> Default for SortedSet<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T: Ord> SortedSet<T> {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Whether `item` was new.
    pub(crate) fn insert(&mut self, item: T) -> bool {
        match self.items.binary_search(&item) {
            Ok(_) => false,
            Err(i) => {
                self.items.insert(i, item);
                true
            }
        }
    }

    /// Whether `item` was there.
    pub(crate) fn remove(&mut self, item: &T) -> bool {
        match self.items.binary_search(item) {
            Ok(i) => {
                self.items.remove(i);
                true
            }
            Err(_) => false,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.items.clear();
    }

    /// The items in order.
    pub(crate) fn iter(&self) -> core::slice::Iter<'_, T> {
        self.items.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_map_keeps_its_entries_in_key_order_with_one_value_per_key() {
        let mut map = SortedMap::new();
        assert_eq!(map.insert(5, "five"), None);
        assert_eq!(map.insert(1, "one"), None);
        assert_eq!(map.insert(3, "three"), None);
        assert_eq!(map.insert(3, "THREE"), Some("three"));
        assert_eq!(map.len(), 3);
        assert_eq!(
            map.iter().collect::<Vec<_>>(),
            [(&1, &"one"), (&3, &"THREE"), (&5, &"five")]
        );
        assert_eq!(map.get(&5), Some(&"five"));
        assert_eq!(map.get(&4), None);
        *map.get_mut(&1).expect("present") = "uno";
        assert_eq!(map.remove(&3), Some("THREE"));
        assert_eq!(map.remove(&3), None);
        assert_eq!(
            map.into_iter().collect::<Vec<_>>(),
            [(1, "uno"), (5, "five")]
        );
    }

    #[test]
    fn a_map_with_owned_keys_is_looked_up_by_borrowed_ones() {
        let mut map = SortedMap::new();
        map.insert("b".to_owned(), 2);
        map.insert("a".to_owned(), 1);
        assert_eq!(map.get("a"), Some(&1));
        assert_eq!(map.remove("b"), Some(2));
        assert_eq!(map.len(), 1);
        map.clear();
        assert_eq!(map.len(), 0);
    }

    #[test]
    fn a_set_says_whether_it_changed() {
        let mut set = SortedSet::new();
        assert!(set.insert(7));
        assert!(set.insert(2));
        assert!(!set.insert(7));
        assert_eq!(set.iter().copied().collect::<Vec<_>>(), [2, 7]);
        assert!(set.remove(&7));
        assert!(!set.remove(&7));
        set.clear();
        assert_eq!(set.iter().count(), 0);
    }
}
