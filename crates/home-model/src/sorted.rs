//! Maps and sets kept as vectors sorted by their keys' text.
//!
//! Why not `BTreeMap`: every key type and value type of a `BTreeMap` compiles its own copy of
//! the tree's insert, remove, search and iteration code, and in WebAssembly those copies added
//! up to some 45 KB for this crate alone. A home holds tens of devices and each adapter a
//! similar number of entries, so a sorted `Vec` with a binary search is as fast, and its one
//! search below is shared by every map and set: keys are compared as `&str`.

use crate::model::{DeviceId, EntityId};

/// A key of a [`SortedMap`] or [`DeviceSet`]: ordered by its text, as `String`'s `Ord` orders.
pub trait Key {
    fn text(&self) -> &str;
}

impl Key for str {
    fn text(&self) -> &str {
        self
    }
}

impl Key for String {
    fn text(&self) -> &str {
        self
    }
}

impl Key for DeviceId {
    fn text(&self) -> &str {
        &self.0
    }
}

impl Key for EntityId {
    fn text(&self) -> &str {
        &self.0
    }
}

/// Where `key` is among `len` sorted keys (`key_at(i)` is the i-th): `Ok` with its index, or
/// `Err` with the index it would be inserted at. Not generic, so compiled once for every map.
pub(crate) fn search<'a>(
    len: usize,
    key: &str,
    key_at: &dyn Fn(usize) -> &'a str,
) -> Result<usize, usize> {
    let (mut low, mut high) = (0, len);
    while low < high {
        let mid = low + (high - low) / 2;
        match key_at(mid).cmp(key) {
            core::cmp::Ordering::Less => low = mid + 1,
            core::cmp::Ordering::Greater => high = mid,
            core::cmp::Ordering::Equal => return Ok(mid),
        }
    }
    Err(low)
}

/// Adds `item` to a sorted list of texts unless it is there already; whether it was added.
pub fn insert_text(list: &mut Vec<String>, item: String) -> bool {
    match search(list.len(), &item, &|i| &list[i]) {
        Ok(_) => false,
        Err(at) => {
            list.insert(at, item);
            true
        }
    }
}

/// A map ordered by key, as `BTreeMap` is; see the module documentation for why.
#[derive(Debug, Clone, PartialEq)]
pub struct SortedMap<K, V> {
    entries: Vec<(K, V)>,
}

impl<K, V> Default for SortedMap<K, V> {
    fn default() -> Self {
        SortedMap {
            entries: Vec::new(),
        }
    }
}

impl<K: Key, V> SortedMap<K, V> {
    pub fn new() -> Self {
        Self::default()
    }

    fn find<Q: Key + ?Sized>(&self, key: &Q) -> Result<usize, usize> {
        search(self.entries.len(), key.text(), &|i| {
            self.entries[i].0.text()
        })
    }

    pub fn get<Q: Key + ?Sized>(&self, key: &Q) -> Option<&V> {
        let at = self.find(key).ok()?;
        Some(&self.entries[at].1)
    }

    pub fn get_mut<Q: Key + ?Sized>(&mut self, key: &Q) -> Option<&mut V> {
        let at = self.find(key).ok()?;
        Some(&mut self.entries[at].1)
    }

    pub fn contains_key<Q: Key + ?Sized>(&self, key: &Q) -> bool {
        self.find(key).is_ok()
    }

    /// Sets the value at `key`, returning the one it replaced.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        match self.find(&key) {
            Ok(at) => Some(core::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (key, value));
                None
            }
        }
    }

    /// The value at `key`, first inserting `make()` there if there is none.
    pub fn get_or_insert_with(&mut self, key: K, make: impl FnOnce() -> V) -> &mut V {
        let at = match self.find(&key) {
            Ok(at) => at,
            Err(at) => {
                self.entries.insert(at, (key, make()));
                at
            }
        };
        &mut self.entries[at].1
    }

    pub fn remove<Q: Key + ?Sized>(&mut self, key: &Q) -> Option<V> {
        let at = self.find(key).ok()?;
        Some(self.entries.remove(at).1)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&K, &mut V) -> bool) {
        self.entries.retain_mut(|(k, v)| keep(k, v));
    }

    /// Entries in key order, as `(key, value)` pairs.
    pub fn iter(&self) -> core::slice::Iter<'_, (K, V)> {
        self.entries.iter()
    }

    pub fn keys(&self) -> Keys<'_, K, V> {
        Keys(self.entries.iter())
    }

    pub fn values(&self) -> Values<'_, K, V> {
        Values(self.entries.iter())
    }
}

/// The keys of a [`SortedMap`], in order. A named type rather than `impl Iterator`, so the
/// borrow checker can see it has no destructor.
pub struct Keys<'a, K, V>(core::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Keys<'a, K, V> {
    type Item = &'a K;

    fn next(&mut self) -> Option<&'a K> {
        self.0.next().map(|(k, _)| k)
    }
}

/// The values of a [`SortedMap`], in key order.
pub struct Values<'a, K, V>(core::slice::Iter<'a, (K, V)>);

impl<'a, K, V> Iterator for Values<'a, K, V> {
    type Item = &'a V;

    fn next(&mut self) -> Option<&'a V> {
        self.0.next().map(|(_, v)| v)
    }
}

impl<'a, K, V> IntoIterator for &'a SortedMap<K, V> {
    type Item = &'a (K, V);
    type IntoIter = core::slice::Iter<'a, (K, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

/// A set of device ids in order, as in [`crate::Changes`]. Offers what `BTreeSet` offered
/// there: `contains`, `insert`, `remove`, `retain`, `len`, `is_empty` and iteration in order.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct DeviceSet {
    ids: Vec<DeviceId>,
}

/// Written as `BTreeSet`'s was: `{DeviceId("a"), DeviceId("b")}`.
impl core::fmt::Debug for DeviceSet {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_set().entries(&self.ids).finish()
    }
}

impl DeviceSet {
    pub fn new() -> DeviceSet {
        DeviceSet::default()
    }

    fn find(&self, id: &DeviceId) -> Result<usize, usize> {
        search(self.ids.len(), &id.0, &|i| &self.ids[i].0)
    }

    pub fn contains(&self, id: &DeviceId) -> bool {
        self.find(id).is_ok()
    }

    /// Adds `id`; `false` if it was there already.
    pub fn insert(&mut self, id: DeviceId) -> bool {
        match self.find(&id) {
            Ok(_) => false,
            Err(at) => {
                self.ids.insert(at, id);
                true
            }
        }
    }

    /// Takes `id` out; `false` if it was not there.
    pub fn remove(&mut self, id: &DeviceId) -> bool {
        match self.find(id) {
            Ok(at) => {
                self.ids.remove(at);
                true
            }
            Err(_) => false,
        }
    }

    pub fn retain(&mut self, keep: impl FnMut(&DeviceId) -> bool) {
        self.ids.retain(keep);
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// The ids in order.
    pub fn iter(&self) -> core::slice::Iter<'_, DeviceId> {
        self.ids.iter()
    }
}

impl<'a> IntoIterator for &'a DeviceSet {
    type Item = &'a DeviceId;
    type IntoIter = core::slice::Iter<'a, DeviceId>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.iter()
    }
}

impl IntoIterator for DeviceSet {
    type Item = DeviceId;
    type IntoIter = std::vec::IntoIter<DeviceId>;

    fn into_iter(self) -> Self::IntoIter {
        self.ids.into_iter()
    }
}

impl FromIterator<DeviceId> for DeviceSet {
    fn from_iter<I: IntoIterator<Item = DeviceId>>(ids: I) -> DeviceSet {
        let mut set = DeviceSet::new();
        for id in ids {
            set.insert(id);
        }
        set
    }
}

impl Extend<DeviceId> for DeviceSet {
    fn extend<I: IntoIterator<Item = DeviceId>>(&mut self, ids: I) {
        for id in ids {
            self.insert(id);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_keeps_keys_in_order_and_replaces_a_repeated_key() {
        let mut map = SortedMap::new();
        for (k, v) in [("b", 2), ("d", 4), ("a", 1), ("c", 3), ("b", 20)] {
            map.insert(k.to_owned(), v);
        }
        let entries: Vec<(&str, i32)> = map.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(entries, [("a", 1), ("b", 20), ("c", 3), ("d", 4)]);
        assert_eq!(map.insert("a".to_owned(), 10), Some(1));
        assert_eq!(map.get("a"), Some(&10));
        assert_eq!(map.get("e"), None);
        assert!(map.contains_key("d"));
    }

    #[test]
    fn map_orders_as_string_ord_does() {
        let keys = [
            "z2m:0x01", "Z", "ha:x", "", "ha:x_2", "ha:x/", "ü", "a\u{0}",
        ];
        let mut map = SortedMap::new();
        for k in keys {
            map.insert(k.to_owned(), ());
        }
        let mut expected: Vec<&str> = keys.to_vec();
        expected.sort();
        assert_eq!(map.keys().map(String::as_str).collect::<Vec<_>>(), expected);
    }

    #[test]
    fn map_removes_retains_and_inserts_on_demand() {
        let mut map: SortedMap<String, Vec<u8>> = SortedMap::new();
        map.get_or_insert_with("x".to_owned(), Vec::new).push(1);
        map.get_or_insert_with("x".to_owned(), Vec::new).push(2);
        map.get_or_insert_with("y".to_owned(), Vec::new).push(3);
        if let Some(y) = map.get_mut("y") {
            y.push(4);
        }
        assert_eq!(map.get("x"), Some(&vec![1, 2]));
        assert_eq!(map.get("y"), Some(&vec![3, 4]));
        assert_eq!(map.remove("x"), Some(vec![1, 2]));
        assert_eq!(map.remove("x"), None);
        map.insert("z".to_owned(), vec![]);
        map.retain(|_, v| !v.is_empty());
        assert_eq!(map.values().collect::<Vec<_>>(), [&vec![3, 4]]);
    }

    #[test]
    fn device_set_is_ordered_and_holds_each_id_once() {
        let mut set: DeviceSet = ["z2m:b", "ha:a", "z2m:b", "tasmota:c"]
            .into_iter()
            .map(DeviceId::from)
            .collect();
        assert_eq!(set.len(), 3);
        assert!(!set.insert(DeviceId::from("ha:a")));
        assert!(set.contains(&DeviceId::from("tasmota:c")));
        assert!(set.remove(&DeviceId::from("tasmota:c")));
        assert!(!set.remove(&DeviceId::from("tasmota:c")));
        let ids: Vec<&str> = set.iter().map(DeviceId::as_str).collect();
        assert_eq!(ids, ["ha:a", "z2m:b"]);
        assert_eq!(
            format!("{set:?}"),
            format!(
                "{:?}",
                std::collections::BTreeSet::from([DeviceId::from("ha:a"), DeviceId::from("z2m:b")])
            )
        );
        set.retain(|id| id.as_str() != "ha:a");
        assert_eq!(
            set.into_iter().collect::<Vec<_>>(),
            [DeviceId::from("z2m:b")]
        );
    }

    #[test]
    fn text_list_stays_sorted_without_repeats() {
        let mut list = Vec::new();
        for s in ["tele/+/+", "homie/#", "stat/+/+", "homie/#", "a"] {
            insert_text(&mut list, s.to_owned());
        }
        assert_eq!(list, ["a", "homie/#", "stat/+/+", "tele/+/+"]);
    }
}
