//! Searching text for text: topics, names and templates of a few dozen bytes.
//!
//! Why not `str::find`, `contains`, `replace` and `trim_*_matches` with a `&str` pattern:
//! those run core's two-way searcher, some 4 KB of WebAssembly that nothing else in the app
//! needs. On texts this short a plain scan is as fast. Searches for a `char` are left to core,
//! whose one-character searcher is small.

/// Where `needle` first occurs in `text` (0 for an empty needle, as `str::find` says).
pub(crate) fn find(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    // A match of whole UTF-8 text starts at a character boundary: continuation bytes never
    // begin one, so slicing at the index found cannot fail.
    text.as_bytes()
        .windows(needle.len())
        .position(|window| window == needle.as_bytes())
}

/// Where `needle` last occurs in `text` (`text.len()` for an empty needle, as `str::rfind`).
pub(crate) fn rfind(text: &str, needle: &str) -> Option<usize> {
    if needle.is_empty() {
        return Some(text.len());
    }
    text.as_bytes()
        .windows(needle.len())
        .rposition(|window| window == needle.as_bytes())
}

/// `text.contains(needle)`.
pub(crate) fn contains(text: &str, needle: &str) -> bool {
    find(text, needle).is_some()
}

/// `text.rsplit_once(separator)`: the text before and after the last `separator`.
pub(crate) fn rsplit_once<'t>(text: &'t str, separator: &str) -> Option<(&'t str, &'t str)> {
    let at = rfind(text, separator)?;
    Some((&text[..at], &text[at + separator.len()..]))
}

/// The value of `key` in a table of `key value` lines, such as the tables of device classes
/// and units the conventions name. One text rather than a slice of pairs or a `match`: in
/// WebAssembly each pair would cost 16 bytes of pointers and lengths, and each `match` arm a
/// comparison of its own, while the table is text that compresses well. Keys hold no spaces,
/// so a key with one matches nothing.
pub(crate) fn lookup<'t>(table: &'t str, key: &str) -> Option<&'t str> {
    table
        .split('\n')
        .find_map(|line| line.split_once(' ').filter(|(k, _)| *k == key))
        .map(|(_, value)| value)
}

/// `text.replace(from, to)`: every `from`, left to right and not overlapping, replaced by
/// `to`. An empty `from` replaces nothing (every caller names a word to replace).
pub(crate) fn replace(text: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = find(rest, from) {
        out.push_str(&rest[..at]);
        out.push_str(to);
        rest = &rest[at + from.len()..];
    }
    out.push_str(rest);
    out
}

/// `text.replacen(from, to, 1)`: the first `from` replaced by `to`.
pub(crate) fn replace_first(text: &str, from: &str, to: &str) -> String {
    match find(text, from) {
        Some(at) => [&text[..at], to, &text[at + from.len()..]].concat(),
        None => text.to_owned(),
    }
}

/// `text.trim_start_matches(prefix)`: `text` without every repeat of `prefix` at its start.
pub(crate) fn trim_start<'t>(mut text: &'t str, prefix: &str) -> &'t str {
    if prefix.is_empty() {
        return text;
    }
    while let Some(rest) = text.strip_prefix(prefix) {
        text = rest;
    }
    text
}

/// `text.trim_end_matches(suffix)`: `text` without every repeat of `suffix` at its end.
pub(crate) fn trim_end<'t>(mut text: &'t str, suffix: &str) -> &'t str {
    if suffix.is_empty() {
        return text;
    }
    while let Some(rest) = text.strip_suffix(suffix) {
        text = rest;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts and patterns with repeats, overlaps, multi-byte characters and empty edges.
    const CASES: [(&str, &str); 12] = [
        ("", ""),
        ("", "a"),
        ("a", ""),
        ("aaa", "aa"),
        ("abcabc", "abc"),
        ("lamp/set/set", "/set"),
        ("Bedroom lamp/set", "/set"),
        ("%prefix%/%topic%/", "%topic%"),
        ("Küche/Licht/äö", "ä"),
        ("Küche", "üc"),
        ("POWERPOWER2", "POWER"),
        ("tasmota/discovery/x/config/config", "/config"),
    ];

    #[test]
    fn searches_agree_with_core_str() {
        for (text, needle) in CASES {
            assert_eq!(find(text, needle), text.find(needle), "{text} {needle}");
            assert_eq!(rfind(text, needle), text.rfind(needle), "{text} {needle}");
            assert_eq!(contains(text, needle), text.contains(needle));
            assert_eq!(
                rsplit_once(text, needle),
                text.rsplit_once(needle),
                "{text} {needle}"
            );
            assert_eq!(trim_start(text, needle), text.trim_start_matches(needle));
            assert_eq!(trim_end(text, needle), text.trim_end_matches(needle));
            if !needle.is_empty() {
                assert_eq!(replace(text, needle, "<>"), text.replace(needle, "<>"));
                assert_eq!(replace(text, needle, ""), text.replace(needle, ""));
                assert_eq!(
                    replace_first(text, needle, "<>"),
                    text.replacen(needle, "<>", 1)
                );
            }
        }
    }

    #[test]
    fn lookup_finds_whole_keys_only() {
        let table = "a one\nab two\nb three\n";
        assert_eq!(lookup(table, "a"), Some("one"));
        assert_eq!(lookup(table, "ab"), Some("two"));
        assert_eq!(lookup(table, "b"), Some("three"));
        for missing in ["", "c", "a one", "one", "\n", "a\nab"] {
            assert_eq!(lookup(table, missing), None, "{missing}");
        }
    }

    #[test]
    fn replacing_nothing_leaves_the_text() {
        assert_eq!(replace("abc", "", "x"), "abc");
    }
}
