//! Byte scans over strings and topics, eight bytes at a time in plain integer arithmetic
//! ("SWAR"): the same code is fast on wasm32, which has no vector instructions by default, and
//! on native targets, without `unsafe`.
//!
//! Every scan reads the whole string in words that may overlap but never reach past it, so a
//! bit in a result always stands for a byte that is really there. Only saying *where* a special
//! byte is, which a string without one never needs, goes byte by byte ([`each_special`]).

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` that is zero, and no other bit.
///
/// `(byte & 0x7F) + 0x7F` sets a byte's high bit exactly when its low seven bits are not all
/// zero, and never carries into the next byte; or-ing the byte itself in covers the high bit.
#[inline(always)]
const fn zero_bytes(word: u64) -> u64 {
    !(((word & !HIGH) + !HIGH) | word) & HIGH
}

/// The high bit of each byte of `word` equal to `byte`, and no other bit.
#[inline(always)]
const fn bytes_equal(word: u64, byte: u8) -> u64 {
    zero_bytes(word ^ (ONES * byte as u64))
}

/// The high bit of each byte that is NUL or not ASCII: the bytes a UTF-8 Encoded String must
/// be checked further for.
#[inline(always)]
const fn suspect_bytes(word: u64) -> u64 {
    (word & HIGH) | zero_bytes(word)
}

/// The high bit of each '+' and '#'.
///
/// '+' (0x2B) and '#' (0x23) differ only in bit 3, and no other byte becomes 0x2B when bit 3
/// is set: one comparison finds both.
#[inline(always)]
const fn wildcard_bytes(word: u64) -> u64 {
    bytes_equal(word | (ONES * 0x08), b'+')
}

/// The suspect bytes of `word` in the high bit of their lane, its wildcards in the low bit.
#[inline(always)]
const fn suspect_and_wildcard_bytes(word: u64) -> u64 {
    suspect_bytes(word) | wildcard_bytes(word) >> 7
}

/// The high bit of each NUL, '+' and '#'.
#[inline(always)]
const fn special_bytes(word: u64) -> u64 {
    zero_bytes(word) | wildcard_bytes(word)
}

/// Eight bytes as a little-endian word: byte `i` of the slice is byte `i` of the word.
#[inline(always)]
fn word_at(bytes: &[u8], at: usize) -> u64 {
    match bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        Some(&chunk) => u64::from_le_bytes(chunk),
        None => 0,
    }
}

/// `classify` of every byte of `bytes`, or-ed together. The words classified cover every byte,
/// some more than once, and only bytes of `bytes`: a bit of the result stands for a real byte,
/// but not one at a known position.
#[inline(always)]
fn fold(bytes: &[u8], classify: impl Fn(u64) -> u64) -> u64 {
    let len = bytes.len();
    if len >= 8 {
        let mut found = 0;
        let mut at = 0;
        while at + 8 <= len {
            found |= classify(word_at(bytes, at));
            at += 8;
        }
        if at < len {
            // The last eight bytes, overlapping those already read.
            found |= classify(word_at(bytes, len - 8));
        }
        found
    } else if len >= 4 {
        // The first four and the last four bytes, which overlap.
        let low = bytes
            .first_chunk::<4>()
            .map_or(0, |&b| u32::from_le_bytes(b));
        let high = bytes
            .last_chunk::<4>()
            .map_or(0, |&b| u32::from_le_bytes(b));
        classify(u64::from(low) | u64::from(high) << 32)
    } else if let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) {
        // One to three bytes: the first, the middle and the last are all of them.
        let middle = bytes[len / 2];
        classify(u64::from(u32::from_le_bytes([first, middle, last, last])) * (1 + (1 << 32)))
    } else {
        0
    }
}

/// Whether every byte is ASCII and none is NUL: such a string is a valid UTF-8 Encoded String
/// without further checks.
#[inline]
pub(crate) fn is_plain_ascii(bytes: &[u8]) -> bool {
    fold(bytes, suspect_bytes) == 0
}

/// What one pass over a topic found.
#[derive(Clone, Copy)]
pub(crate) struct TopicScan {
    /// A NUL or a byte that is not ASCII: the string needs the full UTF-8 checks.
    pub suspect: bool,
    /// A '+' or '#'.
    pub wildcard: bool,
}

/// One pass over a Topic Name or Filter for both the string checks and the wildcards.
#[inline]
pub(crate) fn scan_topic(bytes: &[u8]) -> TopicScan {
    let found = fold(bytes, suspect_and_wildcard_bytes);
    TopicScan {
        suspect: found & HIGH != 0,
        wildcard: found & ONES != 0,
    }
}

/// Whether `bytes` holds a NUL, '+' or '#'.
#[inline]
pub(crate) fn has_special(bytes: &[u8]) -> bool {
    fold(bytes, special_bytes) != 0
}

/// Whether `bytes` holds a '+' or '#'.
#[inline]
pub(crate) fn has_wildcard(bytes: &[u8]) -> bool {
    fold(bytes, wildcard_bytes) != 0
}

/// Calls `visit` with the index of every NUL, '+' and '#' in `bytes`, in increasing order,
/// stopping at the first error.
#[inline]
pub(crate) fn each_special<E>(
    bytes: &[u8],
    mut visit: impl FnMut(usize) -> Result<(), E>,
) -> Result<(), E> {
    for (index, &byte) in bytes.iter().enumerate() {
        if matches!(byte, 0 | b'+' | b'#') {
            visit(index)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn specials(bytes: &[u8]) -> Vec<usize> {
        let mut found = Vec::new();
        each_special(bytes, |index| {
            found.push(index);
            Ok::<(), ()>(())
        })
        .unwrap();
        found
    }

    // Every length around the word size, every position, every byte value: the scans agree
    // with the plain definition of what they look for.
    #[test]
    fn finds_each_kind_of_byte_at_every_position_of_every_short_length() {
        for len in 0..=20 {
            for at in 0..len {
                for byte in 0..=255u8 {
                    let mut bytes = vec![b'a'; len];
                    bytes[at] = byte;
                    let suspect = byte == 0 || byte >= 0x80;
                    let wildcard = byte == b'+' || byte == b'#';
                    assert_eq!(is_plain_ascii(&bytes), !suspect, "{bytes:?}");
                    let scan = scan_topic(&bytes);
                    assert_eq!(scan.suspect, suspect, "{bytes:?}");
                    assert_eq!(scan.wildcard, wildcard, "{bytes:?}");
                    assert_eq!(has_special(&bytes), byte == 0 || wildcard, "{bytes:?}");
                    assert_eq!(has_wildcard(&bytes), wildcard, "{bytes:?}");
                    let expected = if byte == 0 || wildcard {
                        vec![at]
                    } else {
                        vec![]
                    };
                    assert_eq!(specials(&bytes), expected, "{bytes:?}");
                }
            }
        }
    }

    #[test]
    fn visits_specials_in_increasing_order() {
        assert_eq!(specials(b"+/a/+/\0/bbbbbbbbbbbbb/+/#"), [0, 4, 6, 22, 24]);
    }

    #[test]
    fn sees_a_suspect_byte_next_to_others() {
        // Bytes that are zero only after a borrow, and high bytes next to NUL.
        for bytes in [
            &[0x01, 0x00, 0x01, 0x01, 0x01][..],
            &[0x80, 0x00, 0x80],
            &[0x00; 9],
            &[0x7F; 9],
            &[0x2B, 0x23, 0x2B, 0x23, 0x2B, 0x23, 0x2B, 0x23, 0x2B],
        ] {
            let suspect = bytes.iter().any(|&b| b == 0 || b >= 0x80);
            let wildcard = bytes.iter().any(|&b| b == b'+' || b == b'#');
            assert_eq!(is_plain_ascii(bytes), !suspect, "{bytes:?}");
            assert_eq!(scan_topic(bytes).wildcard, wildcard, "{bytes:?}");
            assert_eq!(has_wildcard(bytes), wildcard, "{bytes:?}");
        }
    }
}
