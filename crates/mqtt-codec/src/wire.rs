//! The data representations of MQTT §1.5 (5.0) / §1.5 (3.1.1): integers, variable byte integers,
//! strings and binary data, read from a packet body and written to the caller's buffer.

use core::ops::Range;

use bytes::{BufMut, Bytes};

use crate::error::DecodeError;
use crate::packet::PacketType;
use crate::qos::PacketId;
use crate::string::MqttString;

/// The largest value a Variable Byte Integer can carry: four bytes of seven bits.
pub const MAX_VAR_INT: u32 = 268_435_455;

/// Reads a Variable Byte Integer from the start of `input`, accepting any encoding of up to
/// four bytes (3.1.1 allows a padded Remaining Length; see [`read_minimal_var_int`] for 5.0).
///
/// Returns `Ok(None)` when `input` ends before the integer does, so the fixed header can be
/// read from a partial packet.
pub(crate) fn read_var_int(input: &[u8]) -> Result<Option<(u32, usize)>, DecodeError> {
    // One byte is by far the most common case: a small packet or a one-byte property id.
    match input.first() {
        None => return Ok(None),
        Some(&byte) if byte & 0x80 == 0 => return Ok(Some((u32::from(byte), 1))),
        Some(_) => {}
    }
    let mut value: u32 = 0;
    for (index, &byte) in input.iter().enumerate().take(4) {
        value |= u32::from(byte & 0x7F) << (7 * index);
        if byte & 0x80 == 0 {
            return Ok(Some((value, index + 1)));
        }
    }
    // "The maximum number of bytes in the Variable Byte Integer field is four" (5.0 §1.5.5,
    // 3.1.1 §2.2.3): a fourth byte with its continuation bit set is malformed.
    if input.len() >= 4 {
        return Err(DecodeError::MalformedVariableByteInteger);
    }
    Ok(None)
}

/// [`read_var_int`], refusing an encoding longer than the value needs.
pub(crate) fn read_minimal_var_int(input: &[u8]) -> Result<Option<(u32, usize)>, DecodeError> {
    let read = read_var_int(input)?;
    if let Some((value, len)) = read {
        // "The encoded value MUST use the minimum number of bytes necessary to represent the
        // value" [MQTT-1.5.5-1].
        if len != var_int_len(value as usize) {
            return Err(DecodeError::NonMinimalVariableByteInteger);
        }
    }
    Ok(read)
}

pub(crate) const fn var_int_len(value: usize) -> usize {
    match value {
        0..=127 => 1,
        128..=16_383 => 2,
        16_384..=2_097_151 => 3,
        _ => 4,
    }
}

/// The `n` of a field made of a Variable Byte Integer `n` followed by `n` bytes, from the
/// field's whole size.
pub(crate) const fn content_len_of(field_len: usize) -> usize {
    let mut prefix = 1;
    while prefix < 4 && var_int_len(field_len.saturating_sub(prefix)) != prefix {
        prefix += 1;
    }
    field_len.saturating_sub(prefix)
}

/// Writes `value`, which the caller has checked is at most [`MAX_VAR_INT`].
pub(crate) fn write_var_int(buf: &mut impl BufMut, value: usize) {
    debug_assert!(value <= MAX_VAR_INT as usize);
    let mut rest = value;
    loop {
        let digit = (rest % 128) as u8;
        rest /= 128;
        if rest == 0 {
            buf.put_u8(digit);
            return;
        }
        buf.put_u8(digit | 0x80);
    }
}

/// The fixed header of a packet being written: its first byte and its Remaining Length, which
/// the caller has checked is at most [`MAX_VAR_INT`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct FixedHeader {
    pub first_byte: u8,
    pub remaining_len: usize,
}

impl FixedHeader {
    #[inline]
    pub(crate) fn write(self, buf: &mut impl BufMut) {
        if self.remaining_len < 128 {
            buf.put_u16(u16::from_be_bytes([
                self.first_byte,
                self.remaining_len as u8,
            ]));
        } else {
            buf.put_u8(self.first_byte);
            write_var_int(buf, self.remaining_len);
        }
    }

    /// Writes the fixed header and the two bytes the body starts with (a Packet Identifier or
    /// a string's length) in one write for a packet under 16 KiB: each write to a buffer
    /// checks its capacity.
    ///
    /// Inlined into every encoder on native targets, where it is a handful of instructions on
    /// the hottest path; on wasm32, built for size, every packet type shares one copy.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn write_with_u16(self, first_field: u16, buf: &mut impl BufMut) {
        let [high, low] = first_field.to_be_bytes();
        let len = self.remaining_len;
        if len < 128 {
            buf.put_slice(&[self.first_byte, len as u8, high, low]);
        } else if len < 16_384 {
            let length = [len as u8 | 0x80, (len >> 7) as u8];
            buf.put_slice(&[self.first_byte, length[0], length[1], high, low]);
        } else {
            self.write(buf);
            buf.put_u16(first_field);
        }
    }
}

/// The wire size of a UTF-8 Encoded String or Binary Data of `len` bytes.
pub(crate) const fn prefixed_len(len: usize) -> usize {
    2 + len
}

pub(crate) fn write_string(buf: &mut impl BufMut, value: &MqttString) {
    write_binary(buf, value.as_bytes());
}

/// Writes Binary Data; the caller has checked that `value` fits a two-byte length.
pub(crate) fn write_binary(buf: &mut impl BufMut, value: &[u8]) {
    debug_assert!(value.len() <= usize::from(u16::MAX));
    buf.put_u16(value.len() as u16);
    buf.put_slice(value);
}

/// A cursor over the body of one packet (the bytes the Remaining Length announced), within the
/// buffer the packet is decoded from.
///
/// Every read checks the bytes are there: a length field inside the packet that runs past the
/// Remaining Length is [`DecodeError::FieldOverrunsPacket`]. Reads of strings and binary data
/// are slices of the input, never copies; the reader itself only borrows the input, so walking
/// a packet costs no reference counting.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    input: &'a Bytes,
    position: usize,
    end: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `input[start..end]`; the caller has checked that range is inside `input`.
    pub(crate) fn new(input: &'a Bytes, start: usize, end: usize) -> Self {
        debug_assert!(start <= end && end <= input.len());
        Reader {
            input,
            position: start,
            end,
        }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.end - self.position
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.position == self.end
    }

    /// The unread bytes.
    #[inline]
    fn unread(&self) -> &'a [u8] {
        let input: &'a [u8] = self.input;
        input.get(self.position..self.end).unwrap_or_default()
    }

    #[inline]
    fn advance(&mut self, len: usize, field: &'static str) -> Result<usize, DecodeError> {
        if len > self.remaining() {
            return Err(DecodeError::FieldOverrunsPacket { field });
        }
        let start = self.position;
        self.position += len;
        Ok(start)
    }

    #[inline]
    pub(crate) fn u8(&mut self, field: &'static str) -> Result<u8, DecodeError> {
        match self.unread().first() {
            Some(&byte) => {
                self.position += 1;
                Ok(byte)
            }
            None => Err(DecodeError::FieldOverrunsPacket { field }),
        }
    }

    #[inline]
    pub(crate) fn u16(&mut self, field: &'static str) -> Result<u16, DecodeError> {
        match self.unread().first_chunk::<2>() {
            Some(&bytes) => {
                self.position += 2;
                Ok(u16::from_be_bytes(bytes))
            }
            None => Err(DecodeError::FieldOverrunsPacket { field }),
        }
    }

    pub(crate) fn u32(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        match self.unread().first_chunk::<4>() {
            Some(&bytes) => {
                self.position += 4;
                Ok(u32::from_be_bytes(bytes))
            }
            None => Err(DecodeError::FieldOverrunsPacket { field }),
        }
    }

    /// A Variable Byte Integer inside a packet body: these exist only in MQTT 5.0, which
    /// demands the minimal encoding.
    pub(crate) fn var_int(&mut self, field: &'static str) -> Result<u32, DecodeError> {
        match read_minimal_var_int(self.unread())? {
            Some((value, len)) => {
                self.position += len;
                Ok(value)
            }
            None => Err(DecodeError::FieldOverrunsPacket { field }),
        }
    }

    /// The next `len` bytes as a reader of their own (a property section).
    pub(crate) fn section(
        &mut self,
        len: usize,
        field: &'static str,
    ) -> Result<Reader<'a>, DecodeError> {
        let at = self.advance(len, field)?;
        Ok(Reader::new(self.input, at, at + len))
    }

    /// Everything left in the packet (a PUBLISH payload), as a slice of the input buffer.
    #[inline]
    pub(crate) fn rest(&mut self) -> Bytes {
        let at = self.position;
        self.position = self.end;
        self.input.slice(at..self.end)
    }

    /// Where the next Binary Data or String is in the input: after a two-byte length, that
    /// many bytes.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    fn prefixed(&mut self, field: &'static str) -> Result<Range<usize>, DecodeError> {
        let len = usize::from(self.u16(field)?);
        let at = self.advance(len, field)?;
        Ok(at..at + len)
    }

    /// Binary Data: a two-byte length, then that many bytes.
    #[inline]
    pub(crate) fn binary(&mut self, field: &'static str) -> Result<Bytes, DecodeError> {
        let range = self.prefixed(field)?;
        Ok(self.input.slice(range))
    }

    /// A UTF-8 Encoded String: Binary Data that must be well-formed UTF-8 without U+0000.
    #[inline]
    pub(crate) fn string(&mut self, field: &'static str) -> Result<MqttString, DecodeError> {
        let range = self.prefixed(field)?;
        MqttString::from_wire(self.input, range)
    }

    /// A Topic Name or Filter: a UTF-8 Encoded String, and whether it holds a wildcard, found
    /// in the same pass.
    ///
    /// Inlined on native targets, so that the reader stays in registers across a SUBSCRIBE's
    /// filters; on wasm32, built for size, one copy serves every caller.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn topic(&mut self, field: &'static str) -> Result<(MqttString, bool), DecodeError> {
        let range = self.prefixed(field)?;
        MqttString::from_wire_topic(self.input, range)
    }

    /// A Packet Identifier, which is never zero where present.
    #[inline]
    pub(crate) fn packet_id(&mut self, packet: PacketType) -> Result<PacketId, DecodeError> {
        // "SUBSCRIBE, UNSUBSCRIBE, and PUBLISH (in cases where QoS > 0) MQTT Control Packets
        // MUST contain a non-zero 16-bit Packet Identifier" [MQTT-2.2.1-3]; the acknowledgements
        // carry the same identifier back.
        PacketId::new(self.u16("Packet Identifier")?).ok_or(DecodeError::ZeroPacketId { packet })
    }

    /// Ends the packet: bytes left over mean a length inside it disagrees with the
    /// Remaining Length.
    pub(crate) fn finish(self, packet: PacketType) -> Result<(), DecodeError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(DecodeError::TrailingBytes { packet, count }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(value: usize) -> Vec<u8> {
        let mut buf = Vec::new();
        write_var_int(&mut buf, value);
        buf
    }

    // Boundaries from the table in MQTT 5.0 §1.5.5 / 3.1.1 §2.2.3.
    #[test]
    fn encodes_variable_byte_integers_at_each_size_boundary() {
        assert_eq!(encoded(0), [0x00]);
        assert_eq!(encoded(127), [0x7F]);
        assert_eq!(encoded(128), [0x80, 0x01]);
        assert_eq!(encoded(16_383), [0xFF, 0x7F]);
        assert_eq!(encoded(16_384), [0x80, 0x80, 0x01]);
        assert_eq!(encoded(2_097_151), [0xFF, 0xFF, 0x7F]);
        assert_eq!(encoded(2_097_152), [0x80, 0x80, 0x80, 0x01]);
        assert_eq!(encoded(268_435_455), [0xFF, 0xFF, 0xFF, 0x7F]);
        for value in [
            0,
            127,
            128,
            16_383,
            16_384,
            2_097_151,
            2_097_152,
            268_435_455,
        ] {
            assert_eq!(var_int_len(value), encoded(value).len());
            assert_eq!(
                read_var_int(&encoded(value)),
                Ok(Some((value as u32, encoded(value).len())))
            );
        }
    }

    #[test]
    fn recovers_a_length_from_the_size_of_the_length_prefixed_field() {
        for content in [
            0, 1, 126, 127, 128, 129, 16_382, 16_383, 16_384, 2_097_151, 2_097_152,
        ] {
            assert_eq!(content_len_of(var_int_len(content) + content), content);
        }
    }

    #[test]
    fn reports_a_partial_variable_byte_integer_as_incomplete() {
        assert_eq!(read_var_int(&[]), Ok(None));
        assert_eq!(read_var_int(&[0x80, 0x80]), Ok(None));
    }

    #[test]
    fn rejects_a_variable_byte_integer_longer_than_four_bytes() {
        assert_eq!(
            read_var_int(&[0x80, 0x80, 0x80, 0x80, 0x01]),
            Err(DecodeError::MalformedVariableByteInteger)
        );
        assert_eq!(
            read_var_int(&[0xFF, 0xFF, 0xFF, 0xFF]),
            Err(DecodeError::MalformedVariableByteInteger)
        );
    }

    // [MQTT-1.5.5-1]
    #[test]
    fn rejects_a_variable_byte_integer_padded_beyond_its_minimum_length_in_5_0() {
        for padded in [
            &[0x80, 0x00][..],
            &[0x81, 0x80, 0x00],
            &[0xFF, 0x80, 0x80, 0x00],
        ] {
            assert_eq!(
                read_minimal_var_int(padded),
                Err(DecodeError::NonMinimalVariableByteInteger),
                "{padded:?}"
            );
        }
    }

    // 3.1.1 §2.2.3 sets no minimum-length rule for the Remaining Length.
    #[test]
    fn accepts_a_padded_variable_byte_integer_where_3_1_1_allows_it() {
        assert_eq!(read_var_int(&[0x80, 0x00]), Ok(Some((0, 2))));
        assert_eq!(read_var_int(&[0x85, 0x80, 0x80, 0x00]), Ok(Some((5, 4))));
    }

    #[test]
    fn rejects_a_string_whose_length_runs_past_the_packet() {
        let input = Bytes::from_static(&[0x00, 0x05, b'a', b'b']);
        let mut reader = Reader::new(&input, 0, input.len());
        assert_eq!(
            reader.string("Topic Name"),
            Err(DecodeError::FieldOverrunsPacket {
                field: "Topic Name"
            })
        );
    }
}
