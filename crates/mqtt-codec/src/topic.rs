//! Topic Names, Topic Filters and how filters match names (MQTT 5.0 §4.7, 3.1.1 §4.7).

use core::fmt;
use core::ops::Deref;

use crate::ProtocolVersion;
use crate::scan;
use crate::string::{MqttString, StringError};

/// Why a string is not a valid Topic Name or Topic Filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TopicError {
    /// "All Topic Names and Topic Filters MUST be at least one character long" [MQTT-4.7.3-1].
    Empty,
    /// "Topic Names and Topic Filters MUST NOT include the null character (Unicode U+0000)"
    /// [MQTT-4.7.3-2].
    NullCharacter,
    /// "Topic Names and Topic Filters are UTF-8 Encoded Strings; they MUST NOT encode to more
    /// than 65,535 bytes" [MQTT-4.7.3-3].
    TooLong { len: usize },
    /// "The wildcard characters can be used in Topic Filters, but MUST NOT be used within a
    /// Topic Name" [MQTT-4.7.0-1].
    WildcardInTopicName,
    /// "The multi-level wildcard character MUST be specified either on its own or following a
    /// topic level separator. In either case it MUST be the last character specified in the
    /// Topic Filter" [MQTT-4.7.1-1].
    MisplacedMultiLevelWildcard,
    /// "The single-level wildcard can be used at any level in the Topic Filter [...] Where it
    /// is used, it MUST occupy an entire level of the filter" [MQTT-4.7.1-2].
    MisplacedSingleLevelWildcard,
    /// 5.0: "A Shared Subscription's Topic Filter MUST start with $share/ and MUST contain a
    /// ShareName that is at least one character long" [MQTT-4.8.2-1].
    EmptyShareName,
    /// 5.0: "The ShareName MUST NOT contain the characters "/", "+" or "#"" [MQTT-4.8.2-2].
    InvalidShareName,
    /// 5.0: the ShareName "MUST be followed by a "/" character. This "/" character MUST be
    /// followed by a Topic Filter" [MQTT-4.8.2-2].
    MissingSharedFilter,
}

impl TopicError {
    /// The MQTT 5.0 specification statement this error violates.
    pub const fn statement(self) -> &'static str {
        self.statement_in(ProtocolVersion::V5)
    }

    /// The statement this error violates in the specification of `version` (3.1.1 numbers
    /// the wildcard rules differently; the shared subscription rules exist only in 5.0).
    pub const fn statement_in(self, version: ProtocolVersion) -> &'static str {
        let v5 = matches!(version, ProtocolVersion::V5);
        match self {
            TopicError::Empty => "MQTT-4.7.3-1",
            TopicError::NullCharacter => "MQTT-4.7.3-2",
            TopicError::TooLong { .. } => "MQTT-4.7.3-3",
            TopicError::WildcardInTopicName if v5 => "MQTT-4.7.0-1",
            TopicError::WildcardInTopicName => "MQTT-4.7.1-1",
            TopicError::MisplacedMultiLevelWildcard if v5 => "MQTT-4.7.1-1",
            TopicError::MisplacedMultiLevelWildcard => "MQTT-4.7.1-2",
            TopicError::MisplacedSingleLevelWildcard if v5 => "MQTT-4.7.1-2",
            TopicError::MisplacedSingleLevelWildcard => "MQTT-4.7.1-3",
            TopicError::EmptyShareName => "MQTT-4.8.2-1",
            TopicError::InvalidShareName | TopicError::MissingSharedFilter => "MQTT-4.8.2-2",
        }
    }
}

impl fmt::Display for TopicError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TopicError::Empty => f.write_str("a topic must be at least one character long")?,
            TopicError::NullCharacter => f.write_str("a topic must not contain U+0000")?,
            TopicError::TooLong { len } => write!(f, "a topic is at most 65535 bytes, not {len}")?,
            TopicError::WildcardInTopicName => {
                f.write_str("a topic name must not contain the wildcards '+' or '#'")?
            }
            TopicError::MisplacedMultiLevelWildcard => {
                f.write_str("'#' must be alone in the last level of a topic filter")?
            }
            TopicError::MisplacedSingleLevelWildcard => {
                f.write_str("'+' must occupy an entire level of a topic filter")?
            }
            TopicError::EmptyShareName => {
                f.write_str("a shared subscription needs a share name after \"$share/\"")?
            }
            TopicError::InvalidShareName => {
                f.write_str("a share name must not contain '/', '+' or '#'")?
            }
            TopicError::MissingSharedFilter => {
                f.write_str("a share name must be followed by '/' and a topic filter")?
            }
        }
        let v5 = self.statement_in(ProtocolVersion::V5);
        let v311 = self.statement_in(ProtocolVersion::V311);
        if v5 == v311 {
            write!(f, " [{v5}]")
        } else {
            write!(f, " [{v5}; 3.1.1: {v311}]")
        }
    }
}

impl std::error::Error for TopicError {}

impl From<StringError> for TopicError {
    fn from(error: StringError) -> Self {
        match error {
            StringError::NullCharacter => TopicError::NullCharacter,
            StringError::TooLong { len } => TopicError::TooLong { len },
        }
    }
}

/// Checks the rules every Topic Name obeys.
pub fn validate_topic_name(topic: &str) -> Result<(), TopicError> {
    if topic.is_empty() {
        return Err(TopicError::Empty);
    }
    if topic.len() > usize::from(u16::MAX) {
        return Err(TopicError::TooLong { len: topic.len() });
    }
    // In UTF-8 the bytes of '\0', '+' and '#' never occur inside the encoding of another
    // character, so scanning bytes is enough; the first forbidden byte names the rule broken.
    if !scan::has_special(topic.as_bytes()) {
        return Ok(());
    }
    scan::each_special(topic.as_bytes(), |index| {
        Err(match topic.as_bytes()[index] {
            0 => TopicError::NullCharacter,
            _ => TopicError::WildcardInTopicName,
        })
    })
}

/// [`validate_topic_name`] for a name decoded from the wire, which is at most 65,535 bytes and
/// has passed the string checks (so holds no NUL), with `wildcard` from its scan.
#[inline]
pub(crate) fn validate_decoded_topic_name(name: &str, wildcard: bool) -> Result<(), TopicError> {
    if name.is_empty() {
        Err(TopicError::Empty)
    } else if wildcard {
        Err(TopicError::WildcardInTopicName)
    } else {
        Ok(())
    }
}

/// [`validate_topic_name`] for a UTF-8 Encoded String (a Response Topic), which is at most
/// 65,535 bytes and holds no NUL: only emptiness and wildcards are left to check. Inlined on
/// native targets; on wasm32, built for size, one copy serves every caller.
#[cfg_attr(not(target_arch = "wasm32"), inline)]
#[cfg_attr(target_arch = "wasm32", inline(never))]
pub(crate) fn validate_string_topic_name(name: &MqttString) -> Result<(), TopicError> {
    if name.is_empty() {
        Err(TopicError::Empty)
    } else if scan::has_wildcard(name.as_bytes()) {
        Err(TopicError::WildcardInTopicName)
    } else {
        Ok(())
    }
}

/// The prefix of a Shared Subscription's Topic Filter (MQTT 5.0 §4.8.2).
const SHARE_PREFIX: &str = "$share/";

/// Checks the rules every Topic Filter obeys and, for a filter starting with `$share/`, the
/// rules of an MQTT 5.0 Shared Subscription (§4.8.2).
pub fn validate_topic_filter(filter: &str) -> Result<(), TopicError> {
    validate_topic_filter_in(filter, ProtocolVersion::V5)
}

/// Checks a Topic Filter by the rules of `version`: MQTT 3.1.1 has no Shared Subscriptions, so
/// there `$share/...` is an ordinary filter.
pub fn validate_topic_filter_in(filter: &str, version: ProtocolVersion) -> Result<(), TopicError> {
    validate_filter(filter)?;
    if version == ProtocolVersion::V5 {
        split_shared(filter).transpose()?;
    }
    Ok(())
}

/// The share name and the filter of a Shared Subscription, `None` for an ordinary filter.
fn split_shared(filter: &str) -> Option<Result<(&str, &str), TopicError>> {
    let rest = filter.strip_prefix(SHARE_PREFIX)?;
    let (name, inner) = rest.split_once('/').unwrap_or((rest, ""));
    Some(if name.is_empty() {
        Err(TopicError::EmptyShareName)
    } else if name.contains(['+', '#']) {
        Err(TopicError::InvalidShareName)
    } else if inner.is_empty() {
        // "$share/name" or "$share/name/": the Topic Filter after the name is missing.
        Err(TopicError::MissingSharedFilter)
    } else {
        // The inner filter's own rules were checked with the whole filter: its levels are
        // levels of the whole.
        Ok((name, inner))
    })
}

/// The rules of §4.7 every Topic Filter obeys, in one pass over the bytes (in UTF-8 the bytes
/// of '\0', '/', '+' and '#' never occur inside the encoding of another character).
fn validate_filter(filter: &str) -> Result<(), TopicError> {
    let bytes = filter.as_bytes();
    if bytes.is_empty() {
        return Err(TopicError::Empty);
    }
    if bytes.len() > usize::from(u16::MAX) {
        return Err(TopicError::TooLong { len: bytes.len() });
    }
    if !scan::has_special(bytes) {
        return Ok(());
    }
    check_specials(bytes)
}

/// Checks each NUL and wildcard of a filter, in order: only these need a look at their
/// neighbours. A wildcard must fill its level, so the byte before it is '/' (or it is first),
/// and the byte after '+' is '/' (or it is last), while '#' must be last.
#[inline]
fn check_specials(bytes: &[u8]) -> Result<(), TopicError> {
    scan::each_special(bytes, |index| {
        let starts_level = index == 0 || bytes[index - 1] == b'/';
        let next = bytes.get(index + 1);
        match bytes[index] {
            0 => Err(TopicError::NullCharacter),
            b'+' if !starts_level || !matches!(next, None | Some(b'/')) => {
                Err(TopicError::MisplacedSingleLevelWildcard)
            }
            b'#' if !starts_level || next.is_some() => Err(TopicError::MisplacedMultiLevelWildcard),
            _ => Ok(()),
        }
    })
}

/// [`validate_topic_filter_in`] for a filter decoded from the wire, which is at most 65,535
/// bytes and has passed the string checks (so holds no NUL), with `wildcard` from its scan.
#[inline]
pub(crate) fn validate_decoded_topic_filter(
    filter: &str,
    wildcard: bool,
    version: ProtocolVersion,
) -> Result<(), TopicError> {
    if filter.is_empty() {
        return Err(TopicError::Empty);
    }
    if wildcard {
        check_specials(filter.as_bytes())?;
    }
    if version == ProtocolVersion::V5 {
        split_shared(filter).transpose()?;
    }
    Ok(())
}

/// Whether the (valid) Topic Filter `filter` matches the (valid) Topic Name `topic`.
pub fn topic_matches(filter: &str, topic: &str) -> bool {
    let mut filter_levels = filter.split('/');
    let mut topic_levels = topic.split('/');

    // "The Server MUST NOT match Topic Filters starting with a wildcard character (# or +) with
    // Topic Names beginning with a $ character" [MQTT-4.7.2-1].
    if topic.starts_with('$') && filter.starts_with(['#', '+']) {
        return false;
    }

    loop {
        match (filter_levels.next(), topic_levels.next()) {
            // "#" matches the parent level too: "sport/tennis/#" matches "sport/tennis".
            (Some("#"), _) => return true,
            (Some("+"), Some(_)) => {}
            (Some(expected), Some(level)) if expected == level => {}
            (None, None) => return true,
            _ => return false,
        }
    }
}

/// A valid Topic Name: the topic a message is published to.
///
/// In MQTT 5.0 a received PUBLISH may carry an empty topic name when a Topic Alias stands for
/// it; only the decoder can produce such a name, and [`TopicName::is_empty`] tells.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicName(MqttString);

impl TopicName {
    /// A topic name from a literal, checked when the program runs.
    ///
    /// # Panics
    ///
    /// If `topic` is not a valid topic name: for literals in the program, never for data from
    /// outside (use [`TopicName::try_from`] for that).
    pub fn from_static(topic: &'static str) -> Self {
        match validate_topic_name(topic) {
            Ok(()) => TopicName(MqttString::from_static(topic)),
            Err(error) => panic!("invalid topic name literal {topic:?}: {error}"),
        }
    }

    /// The empty Topic Name of an MQTT 5.0 PUBLISH whose Topic Alias stands for the topic
    /// (§3.3.2.3.4). Encoding refuses it in a PUBLISH without a Topic Alias.
    pub fn empty_for_alias() -> Self {
        TopicName(MqttString::default())
    }

    /// A decoded string that passed [`validate_topic_name`], or the empty name a Topic Alias
    /// stands for.
    pub(crate) fn from_checked(name: MqttString) -> Self {
        TopicName(name)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_mqtt_string(&self) -> &MqttString {
        &self.0
    }
}

impl TryFrom<&str> for TopicName {
    type Error = TopicError;

    fn try_from(topic: &str) -> Result<Self, TopicError> {
        validate_topic_name(topic)?;
        Ok(TopicName(MqttString::try_from(topic)?))
    }
}

impl TryFrom<MqttString> for TopicName {
    type Error = TopicError;

    fn try_from(topic: MqttString) -> Result<Self, TopicError> {
        validate_topic_name(&topic)?;
        Ok(TopicName(topic))
    }
}

/// A valid Topic Filter: what a subscription asks for, possibly with wildcards.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TopicFilter(MqttString);

impl TopicFilter {
    /// A topic filter from a literal, checked when the program runs.
    ///
    /// # Panics
    ///
    /// If `filter` is not a valid topic filter: for literals in the program, never for data
    /// from outside (use [`TopicFilter::try_from`] for that).
    pub fn from_static(filter: &'static str) -> Self {
        match validate_topic_filter(filter) {
            Ok(()) => TopicFilter(MqttString::from_static(filter)),
            Err(error) => panic!("invalid topic filter literal {filter:?}: {error}"),
        }
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    pub fn as_mqtt_string(&self) -> &MqttString {
        &self.0
    }

    /// Whether a message published to `topic` is delivered to this filter. For a Shared
    /// Subscription (`$share/{ShareName}/{filter}`) that is whether the filter after the share
    /// name matches.
    pub fn matches(&self, topic: &TopicName) -> bool {
        let filter = match split_shared(self.as_str()) {
            Some(Ok((_, inner))) => inner,
            _ => self.as_str(),
        };
        topic_matches(filter, topic.as_str())
    }

    /// The ShareName of an MQTT 5.0 Shared Subscription, `None` for an ordinary filter.
    pub fn share_name(&self) -> Option<&str> {
        match split_shared(self.as_str()) {
            Some(Ok((name, _))) => Some(name),
            _ => None,
        }
    }

    /// A decoded filter that passed [`validate_topic_filter_in`] for the connection's version.
    pub(crate) fn from_checked(filter: MqttString) -> Self {
        TopicFilter(filter)
    }

    /// [`validate_topic_filter_in`] for MQTT 5.0, returning the ShareName of a Shared
    /// Subscription. Every `TopicFilter` passed the rules of §4.7 when it was made, so only
    /// the sharing rules are left to check: a filter decoded on a 3.1.1 connection may break
    /// them.
    #[inline]
    pub(crate) fn check_shared(&self) -> Result<Option<&str>, TopicError> {
        Ok(split_shared(self.as_str())
            .transpose()?
            .map(|(name, _)| name))
    }
}

impl TryFrom<&str> for TopicFilter {
    type Error = TopicError;

    fn try_from(filter: &str) -> Result<Self, TopicError> {
        validate_topic_filter(filter)?;
        Ok(TopicFilter(MqttString::try_from(filter)?))
    }
}

impl TryFrom<MqttString> for TopicFilter {
    type Error = TopicError;

    fn try_from(filter: MqttString) -> Result<Self, TopicError> {
        validate_topic_filter(&filter)?;
        Ok(TopicFilter(filter))
    }
}

macro_rules! string_like {
    ($name:ident) => {
        impl Deref for $name {
            type Target = str;

            fn deref(&self) -> &str {
                self.as_str()
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

string_like!(TopicName);
string_like!(TopicFilter);

#[cfg(test)]
mod tests {
    use super::*;

    // [MQTT-4.7.0-1]
    #[test]
    fn rejects_wildcards_in_a_topic_name() {
        assert_eq!(
            validate_topic_name("home/+/temp"),
            Err(TopicError::WildcardInTopicName)
        );
        assert_eq!(
            validate_topic_name("home/#"),
            Err(TopicError::WildcardInTopicName)
        );
    }

    // [MQTT-4.7.3-1], [MQTT-4.7.3-2]
    #[test]
    fn rejects_empty_topics_and_the_null_character() {
        assert_eq!(validate_topic_name(""), Err(TopicError::Empty));
        assert_eq!(validate_topic_filter(""), Err(TopicError::Empty));
        assert_eq!(validate_topic_name("a\0b"), Err(TopicError::NullCharacter));
    }

    // The scan reads eight bytes at a time: a forbidden byte is found wherever it is.
    #[test]
    fn finds_a_wildcard_or_null_at_any_position_of_a_long_topic_name() {
        for len in [1, 15, 16, 17, 33, 64] {
            for at in 0..len {
                for (byte, error) in [
                    (b'+', TopicError::WildcardInTopicName),
                    (b'#', TopicError::WildcardInTopicName),
                    (0, TopicError::NullCharacter),
                ] {
                    let mut topic = vec![b'a'; len];
                    topic[at] = byte;
                    let topic = String::from_utf8(topic).unwrap();
                    assert_eq!(validate_topic_name(&topic), Err(error), "{topic:?}");
                }
            }
            assert_eq!(validate_topic_name(&"é".repeat(len)), Ok(()));
        }
    }

    #[test]
    fn checks_a_response_topic_string_as_it_checks_any_topic_name() {
        let mut strings = vec![String::new(), "é".repeat(9), "a".repeat(65_535)];
        for len in [1, 7, 8, 9, 16, 27, 64] {
            for at in 0..len {
                for byte in [b'+', b'#', b'/', b'$', b' ', b'a'] {
                    let mut topic = vec![b'a'; len];
                    topic[at] = byte;
                    strings.push(String::from_utf8(topic).unwrap());
                }
            }
        }
        for topic in strings {
            let string = MqttString::try_from(topic.as_str()).unwrap();
            assert_eq!(
                validate_string_topic_name(&string),
                validate_topic_name(&topic),
                "{topic:?}"
            );
        }
    }

    #[test]
    fn accepts_empty_levels_and_spaces_in_a_topic_name() {
        for topic in ["/", "a//b", "/finance", "home/living room", "$SYS/uptime"] {
            assert_eq!(validate_topic_name(topic), Ok(()), "{topic}");
        }
    }

    // [MQTT-4.7.1-1]
    #[test]
    fn rejects_a_multi_level_wildcard_that_is_not_alone_in_the_last_level() {
        for filter in ["sport/tennis#", "sport/tennis/#/ranking", "#/a", "a/b#"] {
            assert_eq!(
                validate_topic_filter(filter),
                Err(TopicError::MisplacedMultiLevelWildcard),
                "{filter}"
            );
        }
        for filter in ["#", "sport/#", "/#"] {
            assert_eq!(validate_topic_filter(filter), Ok(()), "{filter}");
        }
    }

    // [MQTT-4.7.1-2]
    #[test]
    fn rejects_a_single_level_wildcard_that_shares_its_level() {
        assert_eq!(
            validate_topic_filter("sport+"),
            Err(TopicError::MisplacedSingleLevelWildcard)
        );
        assert_eq!(
            validate_topic_filter("sport/+x/a"),
            Err(TopicError::MisplacedSingleLevelWildcard)
        );
        for filter in ["+", "+/tennis/#", "sport/+/player1", "/+", "+/+"] {
            assert_eq!(validate_topic_filter(filter), Ok(()), "{filter}");
        }
    }

    // The examples of MQTT 5.0 §4.7.1.2 and §4.7.1.3.
    #[test]
    fn matches_wildcards_as_the_specification_examples_say() {
        assert!(topic_matches(
            "sport/tennis/player1/#",
            "sport/tennis/player1"
        ));
        assert!(topic_matches(
            "sport/tennis/player1/#",
            "sport/tennis/player1/ranking"
        ));
        assert!(topic_matches(
            "sport/tennis/player1/#",
            "sport/tennis/player1/score/wimbledon"
        ));
        assert!(topic_matches("sport/#", "sport"));
        assert!(topic_matches("#", "sport/tennis"));
        assert!(topic_matches("sport/tennis/+", "sport/tennis/player1"));
        assert!(!topic_matches(
            "sport/tennis/+",
            "sport/tennis/player1/ranking"
        ));
        assert!(!topic_matches("sport/+", "sport"));
        assert!(topic_matches("sport/+", "sport/"));
        assert!(topic_matches("+/+", "/finance"));
        assert!(topic_matches("/+", "/finance"));
        assert!(!topic_matches("+", "/finance"));
        assert!(topic_matches("a/b", "a/b"));
        assert!(!topic_matches("a/b", "a/b/c"));
        assert!(!topic_matches("a/b/c", "a/b"));
    }

    // [MQTT-4.7.2-1]
    #[test]
    fn does_not_match_dollar_topics_with_a_leading_wildcard() {
        assert!(!topic_matches("#", "$SYS/uptime"));
        assert!(!topic_matches("+/monitor/Clients", "$SYS/monitor/Clients"));
        assert!(topic_matches("$SYS/#", "$SYS/monitor/Clients"));
        assert!(topic_matches("$SYS/monitor/+", "$SYS/monitor/Clients"));
    }

    // [MQTT-4.8.2-1], [MQTT-4.8.2-2]
    #[test]
    fn validates_shared_subscription_filters_in_5_0() {
        for filter in [
            "$share/group/home/#",
            "$share/g/+",
            "$share/g/$SYS/x",
            "$share/g//",
        ] {
            assert_eq!(validate_topic_filter(filter), Ok(()), "{filter}");
        }
        assert_eq!(
            validate_topic_filter("$share//home"),
            Err(TopicError::EmptyShareName)
        );
        assert_eq!(
            validate_topic_filter("$share/"),
            Err(TopicError::EmptyShareName)
        );
        assert_eq!(
            validate_topic_filter("$share/group"),
            Err(TopicError::MissingSharedFilter)
        );
        assert_eq!(
            validate_topic_filter("$share/group/"),
            Err(TopicError::MissingSharedFilter)
        );
        // A wildcard in the share name breaks the level rules first, and the share rules too.
        assert!(validate_topic_filter("$share/g+/home").is_err());
        assert_eq!(
            validate_topic_filter("$share/+/home"),
            Err(TopicError::InvalidShareName)
        );
        assert_eq!(
            validate_topic_filter("$share/g/home#"),
            Err(TopicError::MisplacedMultiLevelWildcard)
        );
        // MQTT 3.1.1 has no shared subscriptions: these are ordinary filters there.
        assert_eq!(
            validate_topic_filter_in("$share/group", ProtocolVersion::V311),
            Ok(())
        );
        assert_eq!(
            validate_topic_filter_in("$share//x", ProtocolVersion::V311),
            Ok(())
        );
    }

    #[test]
    fn matches_a_shared_subscription_by_the_filter_after_its_share_name() {
        let shared = TopicFilter::from_static("$share/kitchen/home/+/state");
        assert_eq!(shared.share_name(), Some("kitchen"));
        assert!(shared.matches(&TopicName::from_static("home/lamp/state")));
        assert!(!shared.matches(&TopicName::from_static("$share/kitchen/home/lamp/state")));
        assert_eq!(TopicFilter::from_static("home/#").share_name(), None);
    }

    #[test]
    fn names_the_statement_of_each_version_where_they_differ() {
        let error = TopicError::MisplacedMultiLevelWildcard;
        assert_eq!(error.statement_in(ProtocolVersion::V5), "MQTT-4.7.1-1");
        assert_eq!(error.statement_in(ProtocolVersion::V311), "MQTT-4.7.1-2");
        assert!(
            error
                .to_string()
                .ends_with("[MQTT-4.7.1-1; 3.1.1: MQTT-4.7.1-2]")
        );
        assert!(TopicError::Empty.to_string().ends_with("[MQTT-4.7.3-1]"));
    }

    #[test]
    fn checks_topic_types_on_construction() {
        assert!(TopicName::try_from("a/+").is_err());
        assert!(TopicFilter::try_from("a/+").is_ok());
        let filter = TopicFilter::from_static("home/+/state");
        assert!(filter.matches(&TopicName::from_static("home/lamp/state")));
    }
}
