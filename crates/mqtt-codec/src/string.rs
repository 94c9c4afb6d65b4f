//! UTF-8 Encoded Strings (MQTT 5.0 §1.5.4, 3.1.1 §1.5.3), validated once and held over
//! [`Bytes`] so that decoding never copies them.

use core::fmt;
use core::ops::{Deref, Range};

use bytes::Bytes;

use crate::error::DecodeError;
use crate::scan;

/// A UTF-8 Encoded String as MQTT allows it: well-formed UTF-8 (which in Rust already excludes
/// the surrogates U+D800..U+DFFF), no U+0000, at most 65,535 bytes.
///
/// Cloning is cheap: the bytes are reference counted, and a decoded string is a slice of the
/// buffer it was decoded from.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct MqttString(Bytes);

/// Why a string is not a valid MQTT string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StringError {
    /// [MQTT-1.5.4-2]
    NullCharacter,
    /// The two-byte length prefix cannot express it.
    TooLong { len: usize },
}

impl fmt::Display for StringError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StringError::NullCharacter => {
                f.write_str("a UTF-8 Encoded String must not contain U+0000 [MQTT-1.5.4-2]")
            }
            StringError::TooLong { len } => {
                write!(
                    f,
                    "a UTF-8 Encoded String is at most 65535 bytes, not {len}"
                )
            }
        }
    }
}

impl std::error::Error for StringError {}

fn check(text: &str) -> Result<(), StringError> {
    // "A UTF-8 Encoded String MUST NOT include an encoding of the null character U+0000"
    // [MQTT-1.5.4-2].
    if text.contains('\0') {
        return Err(StringError::NullCharacter);
    }
    if text.len() > usize::from(u16::MAX) {
        return Err(StringError::TooLong { len: text.len() });
    }
    Ok(())
}

impl MqttString {
    /// A string from a literal, checked when the program runs.
    ///
    /// # Panics
    ///
    /// If `text` contains U+0000 or is longer than 65,535 bytes: for literals written in the
    /// program, never for data from outside (use [`MqttString::try_from`] for that).
    pub fn from_static(text: &'static str) -> Self {
        match check(text) {
            Ok(()) => MqttString(Bytes::from_static(text.as_bytes())),
            Err(error) => panic!("invalid MQTT string literal {text:?}: {error}"),
        }
    }

    /// Validates bytes that came off the wire (already at most 65,535 bytes long).
    #[cfg(test)]
    pub(crate) fn from_bytes(bytes: Bytes) -> Result<Self, DecodeError> {
        Self::from_wire(&bytes, 0..bytes.len())
    }

    /// The string at `range` of `input`, which came off the wire (so it is at most 65,535
    /// bytes), validated where it lies before it is sliced out: checking the bytes of a
    /// `Bytes` just made would read them back through memory.
    #[inline]
    pub(crate) fn from_wire(input: &Bytes, range: Range<usize>) -> Result<Self, DecodeError> {
        // Nearly every string on the wire is ASCII without NUL, which one pass proves valid;
        // anything else takes the full checks.
        if !scan::is_plain_ascii(&input[range.clone()]) {
            check_wire_text(&input[range.clone()])?;
        }
        Ok(MqttString(input.slice(range)))
    }

    /// [`MqttString::from_wire`] for a Topic Name or Filter, in the same pass telling whether
    /// it holds a wildcard ('+' or '#').
    #[inline]
    pub(crate) fn from_wire_topic(
        input: &Bytes,
        range: Range<usize>,
    ) -> Result<(Self, bool), DecodeError> {
        let scan = scan::scan_topic(&input[range.clone()]);
        if scan.suspect {
            check_wire_text(&input[range.clone()])?;
        }
        Ok((MqttString(input.slice(range)), scan.wildcard))
    }

    pub fn as_str(&self) -> &str {
        // SAFETY: every constructor checks that the bytes are valid UTF-8 (`from_static` and
        // `TryFrom` take a `str`; `from_wire` and `from_wire_topic` accept only what their scan
        // proves plain ASCII, or what `from_utf8` accepts), and the bytes are immutable.
        unsafe { core::str::from_utf8_unchecked(&self.0) }
    }

    /// The string's bytes, sharing the buffer they were decoded from.
    pub fn as_bytes(&self) -> &Bytes {
        &self.0
    }
}

/// The full checks of a string from the wire that is not plain ASCII.
#[cold]
fn check_wire_text(bytes: &[u8]) -> Result<(), DecodeError> {
    // "The character data in a UTF-8 Encoded String MUST be well-formed UTF-8 [...]
    // In particular, the character data MUST NOT include encodings of code points between
    // U+D800 and U+DFFF" [MQTT-1.5.4-1].
    core::str::from_utf8(bytes).map_err(|_| DecodeError::InvalidUtf8)?;
    // "A UTF-8 Encoded String MUST NOT include an encoding of the null character U+0000"
    // [MQTT-1.5.4-2].
    if bytes.contains(&0) {
        return Err(DecodeError::NullCharacter);
    }
    Ok(())
}

impl Deref for MqttString {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for MqttString {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl TryFrom<&str> for MqttString {
    type Error = StringError;

    fn try_from(text: &str) -> Result<Self, StringError> {
        check(text)?;
        Ok(MqttString(Bytes::copy_from_slice(text.as_bytes())))
    }
}

impl TryFrom<String> for MqttString {
    type Error = StringError;

    fn try_from(text: String) -> Result<Self, StringError> {
        check(&text)?;
        Ok(MqttString(Bytes::from(text)))
    }
}

impl PartialEq<str> for MqttString {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for MqttString {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Debug for MqttString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for MqttString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // [MQTT-1.5.4-1]
    #[test]
    fn rejects_ill_formed_utf8_from_the_wire() {
        // An encoded surrogate half (U+D800) and a lone continuation byte.
        assert_eq!(
            MqttString::from_bytes(Bytes::from_static(&[0xED, 0xA0, 0x80])),
            Err(DecodeError::InvalidUtf8)
        );
        assert_eq!(
            MqttString::from_bytes(Bytes::from_static(&[0x80])),
            Err(DecodeError::InvalidUtf8)
        );
    }

    // The ASCII scan reads eight bytes at a time, the last word overlapping the one before:
    // NUL and bad UTF-8 are found wherever they are, and good UTF-8 past the scan still passes.
    #[test]
    fn checks_every_position_of_a_long_string() {
        for len in [1, 15, 16, 17, 40] {
            for at in 0..len {
                let mut text = vec![b'a'; len];
                text[at] = 0;
                let nul = MqttString::from_bytes(Bytes::from(text.clone()));
                assert_eq!(nul, Err(DecodeError::NullCharacter));
                text[at] = 0xFF;
                let invalid = MqttString::from_bytes(Bytes::from(text.clone()));
                assert_eq!(invalid, Err(DecodeError::InvalidUtf8));
                text.splice(at..=at, "é".bytes());
                assert!(MqttString::from_bytes(Bytes::from(text)).is_ok());
            }
        }
    }

    // [MQTT-1.5.4-2]
    #[test]
    fn rejects_the_null_character() {
        assert_eq!(
            MqttString::from_bytes(Bytes::from_static(b"a\0b")),
            Err(DecodeError::NullCharacter)
        );
        assert_eq!(
            MqttString::try_from("a\0b"),
            Err(StringError::NullCharacter)
        );
    }

    // [MQTT-1.5.4-3]: a BOM is a character like any other and is kept.
    #[test]
    fn keeps_a_byte_order_mark() {
        let text = MqttString::from_bytes(Bytes::from_static("\u{FEFF}A".as_bytes())).unwrap();
        assert_eq!(text.as_str(), "\u{FEFF}A");
    }

    #[test]
    fn refuses_a_string_longer_than_the_length_prefix_allows() {
        let long = "a".repeat(65_536);
        assert_eq!(
            MqttString::try_from(long),
            Err(StringError::TooLong { len: 65_536 })
        );
    }
}
