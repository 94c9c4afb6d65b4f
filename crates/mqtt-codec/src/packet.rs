//! The fixed header (§2.1), the [`Packet`] enum and the streaming decoder and encoder.

use core::fmt;

use bytes::{BufMut, Bytes};

use crate::error::{DecodeError, EncodeError};
use crate::wire::{self, FixedHeader, MAX_VAR_INT, Reader};
use crate::{
    Auth, ConnAck, Connect, Disconnect, ProtocolVersion, PubAck, PubComp, PubRec, PubRel, Publish,
    SubAck, Subscribe, UnsubAck, Unsubscribe,
};

/// The MQTT Control Packet type, the high nibble of the first byte (§2.1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PacketType {
    Connect = 1,
    ConnAck = 2,
    Publish = 3,
    PubAck = 4,
    PubRec = 5,
    PubRel = 6,
    PubComp = 7,
    Subscribe = 8,
    SubAck = 9,
    Unsubscribe = 10,
    UnsubAck = 11,
    PingReq = 12,
    PingResp = 13,
    Disconnect = 14,
    /// MQTT 5.0 only.
    Auth = 15,
}

impl PacketType {
    fn from_nibble(value: u8, version: ProtocolVersion) -> Result<Self, DecodeError> {
        Ok(match value {
            1 => PacketType::Connect,
            2 => PacketType::ConnAck,
            3 => PacketType::Publish,
            4 => PacketType::PubAck,
            5 => PacketType::PubRec,
            6 => PacketType::PubRel,
            7 => PacketType::PubComp,
            8 => PacketType::Subscribe,
            9 => PacketType::SubAck,
            10 => PacketType::Unsubscribe,
            11 => PacketType::UnsubAck,
            12 => PacketType::PingReq,
            13 => PacketType::PingResp,
            14 => PacketType::Disconnect,
            15 if version == ProtocolVersion::V5 => PacketType::Auth,
            _ => return Err(DecodeError::ReservedPacketType { value }),
        })
    }

    /// The flags every packet but PUBLISH must carry (§2.1.3, Table 2-2): PUBREL, SUBSCRIBE
    /// and UNSUBSCRIBE have 0b0010 ([MQTT-3.6.1-1], [MQTT-3.8.1-1], [MQTT-3.10.1-1]), the
    /// others 0 (AUTH: [MQTT-3.15.1-1]).
    const fn required_flags(self) -> u8 {
        match self {
            PacketType::PubRel | PacketType::Subscribe | PacketType::Unsubscribe => 0b0010,
            _ => 0,
        }
    }
}

impl fmt::Display for PacketType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PacketType::Connect => "CONNECT",
            PacketType::ConnAck => "CONNACK",
            PacketType::Publish => "PUBLISH",
            PacketType::PubAck => "PUBACK",
            PacketType::PubRec => "PUBREC",
            PacketType::PubRel => "PUBREL",
            PacketType::PubComp => "PUBCOMP",
            PacketType::Subscribe => "SUBSCRIBE",
            PacketType::SubAck => "SUBACK",
            PacketType::Unsubscribe => "UNSUBSCRIBE",
            PacketType::UnsubAck => "UNSUBACK",
            PacketType::PingReq => "PINGREQ",
            PacketType::PingResp => "PINGRESP",
            PacketType::Disconnect => "DISCONNECT",
            PacketType::Auth => "AUTH",
        })
    }
}

/// An MQTT Control Packet of either protocol version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Packet {
    Connect(Connect),
    ConnAck(ConnAck),
    Publish(Publish),
    PubAck(PubAck),
    PubRec(PubRec),
    PubRel(PubRel),
    PubComp(PubComp),
    Subscribe(Subscribe),
    SubAck(SubAck),
    Unsubscribe(Unsubscribe),
    UnsubAck(UnsubAck),
    PingReq,
    PingResp,
    Disconnect(Disconnect),
    /// MQTT 5.0 only.
    Auth(Auth),
}

/// The largest packet MQTT can describe: a fixed header of 5 bytes and the largest Remaining
/// Length. Pass it as the maximum packet size to mean "no limit of our own".
pub const MAX_PACKET_SIZE: u32 = 1 + 4 + MAX_VAR_INT;

/// Reads the fixed header at the start of `input` and returns the size of the whole packet, or
/// `Ok(None)` if the fixed header itself is not complete yet.
///
/// A packet larger than `max_packet_size` is refused here, before its body is buffered. This
/// only frames packets: it accepts a Remaining Length padded beyond its minimal encoding,
/// which 3.1.1 allows and [`Packet::decode`] refuses on a 5.0 connection [MQTT-1.5.5-1].
pub fn packet_len(input: &[u8], max_packet_size: u32) -> Result<Option<usize>, DecodeError> {
    Ok(fixed_header(input, false, max_packet_size)?.map(|(_, size)| size))
}

/// The length of the fixed header and of the whole packet.
fn fixed_header(
    input: &[u8],
    minimal: bool,
    max_packet_size: u32,
) -> Result<Option<(usize, usize)>, DecodeError> {
    let Some(rest) = input.get(1..) else {
        return Ok(None);
    };
    let read = if minimal {
        wire::read_minimal_var_int(rest)?
    } else {
        wire::read_var_int(rest)?
    };
    let Some((remaining_len, len_len)) = read else {
        return Ok(None);
    };
    let header_len = 1 + len_len;
    let size = header_len as u64 + u64::from(remaining_len);
    if size > u64::from(max_packet_size) {
        return Err(DecodeError::PacketTooLarge {
            size,
            maximum: max_packet_size,
        });
    }
    Ok(Some((header_len, size as usize)))
}

impl Packet {
    /// Decodes the packet at the start of `input`.
    ///
    /// Returns the packet and the number of bytes it took, or `Ok(None)` when `input` holds
    /// only part of a packet (read more and call again with the same bytes in front). The
    /// strings and payloads of the packet are slices of `input`, not copies.
    ///
    /// `max_packet_size` is the largest packet accepted, fixed header included (MQTT 5.0's
    /// Maximum Packet Size); a larger one is refused as soon as its fixed header is read.
    pub fn decode(
        input: &Bytes,
        version: ProtocolVersion,
        max_packet_size: u32,
    ) -> Result<Option<(Packet, usize)>, DecodeError> {
        let Some((packet_type, flags, body, size)) = whole_packet(input, version, max_packet_size)?
        else {
            return Ok(None);
        };
        match packet_type {
            PacketType::Connect => decode_connect(body, version, size),
            PacketType::Subscribe => decode_subscribe(body, version, size),
            PacketType::Unsubscribe => decode_unsubscribe(body, version, size),
            PacketType::PingReq => {
                body.finish(PacketType::PingReq)?;
                Ok(Some((Packet::PingReq, size)))
            }
            _ => decode_from_server(packet_type, flags, body, version, size),
        }
    }

    /// [`Packet::decode`] for a client: what a server sends is decoded the same way, and a
    /// packet only clients send (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ) is refused with
    /// [`DecodeError::NotSentByServer`] once it is whole, without reading its body. A client
    /// built on this carries no decoder for those packets.
    pub fn decode_from_server(
        input: &Bytes,
        version: ProtocolVersion,
        max_packet_size: u32,
    ) -> Result<Option<(Packet, usize)>, DecodeError> {
        let Some((packet_type, flags, body, size)) = whole_packet(input, version, max_packet_size)?
        else {
            return Ok(None);
        };
        decode_from_server(packet_type, flags, body, version, size)
    }

    pub fn packet_type(&self) -> PacketType {
        match self {
            Packet::Connect(_) => PacketType::Connect,
            Packet::ConnAck(_) => PacketType::ConnAck,
            Packet::Publish(_) => PacketType::Publish,
            Packet::PubAck(_) => PacketType::PubAck,
            Packet::PubRec(_) => PacketType::PubRec,
            Packet::PubRel(_) => PacketType::PubRel,
            Packet::PubComp(_) => PacketType::PubComp,
            Packet::Subscribe(_) => PacketType::Subscribe,
            Packet::SubAck(_) => PacketType::SubAck,
            Packet::Unsubscribe(_) => PacketType::Unsubscribe,
            Packet::UnsubAck(_) => PacketType::UnsubAck,
            Packet::PingReq => PacketType::PingReq,
            Packet::PingResp => PacketType::PingResp,
            Packet::Disconnect(_) => PacketType::Disconnect,
            Packet::Auth(_) => PacketType::Auth,
        }
    }

    #[inline]
    fn body_len(&self, version: ProtocolVersion) -> usize {
        match self {
            Packet::Connect(packet) => packet.body_len(version),
            Packet::ConnAck(packet) => packet.body_len(version),
            Packet::Publish(packet) => packet.body_len(version),
            Packet::PubAck(packet) => packet.body_len(version),
            Packet::PubRec(packet) => packet.body_len(version),
            Packet::PubRel(packet) => packet.body_len(version),
            Packet::PubComp(packet) => packet.body_len(version),
            Packet::Subscribe(packet) => packet.body_len(version),
            Packet::SubAck(packet) => packet.body_len(version),
            Packet::Unsubscribe(packet) => packet.body_len(version),
            Packet::UnsubAck(packet) => packet.body_len(version),
            Packet::PingReq | Packet::PingResp => 0,
            Packet::Disconnect(packet) => packet.body_len(version),
            Packet::Auth(packet) => packet.body_len(),
        }
    }

    /// The exact number of bytes [`Packet::encode`] writes for `version`.
    pub fn encoded_len(&self, version: ProtocolVersion) -> usize {
        let body = self.body_len(version);
        1 + wire::var_int_len(body) + body
    }

    /// Appends the packet to `buf` and returns the number of bytes written.
    ///
    /// Checks first, writing nothing on error, that the packet is valid for `version` and that
    /// its size does not exceed `max_packet_size` (the peer's Maximum Packet Size, or
    /// [`MAX_PACKET_SIZE`]).
    pub fn encode(
        &self,
        version: ProtocolVersion,
        max_packet_size: u32,
        buf: &mut impl BufMut,
    ) -> Result<usize, EncodeError> {
        // One dispatch on the packet type; each arm is the whole encoder for that type.
        match self {
            Packet::Connect(packet) => encode(
                packet,
                first_byte(PacketType::Connect),
                version,
                max_packet_size,
                buf,
            ),
            Packet::ConnAck(packet) => encode(
                packet,
                first_byte(PacketType::ConnAck),
                version,
                max_packet_size,
                buf,
            ),
            Packet::Publish(packet) => encode_inline(
                packet,
                first_byte(PacketType::Publish) | packet.flags(),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PubAck(packet) => encode(
                packet,
                first_byte(PacketType::PubAck),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PubRec(packet) => encode(
                packet,
                first_byte(PacketType::PubRec),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PubRel(packet) => encode(
                packet,
                first_byte(PacketType::PubRel),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PubComp(packet) => encode(
                packet,
                first_byte(PacketType::PubComp),
                version,
                max_packet_size,
                buf,
            ),
            Packet::Subscribe(packet) => encode(
                packet,
                first_byte(PacketType::Subscribe),
                version,
                max_packet_size,
                buf,
            ),
            Packet::SubAck(packet) => encode(
                packet,
                first_byte(PacketType::SubAck),
                version,
                max_packet_size,
                buf,
            ),
            Packet::Unsubscribe(packet) => encode(
                packet,
                first_byte(PacketType::Unsubscribe),
                version,
                max_packet_size,
                buf,
            ),
            Packet::UnsubAck(packet) => encode(
                packet,
                first_byte(PacketType::UnsubAck),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PingReq => encode(
                &Empty,
                first_byte(PacketType::PingReq),
                version,
                max_packet_size,
                buf,
            ),
            Packet::PingResp => encode(
                &Empty,
                first_byte(PacketType::PingResp),
                version,
                max_packet_size,
                buf,
            ),
            Packet::Disconnect(packet) => encode(
                packet,
                first_byte(PacketType::Disconnect),
                version,
                max_packet_size,
                buf,
            ),
            Packet::Auth(packet) => encode(
                packet,
                first_byte(PacketType::Auth),
                version,
                max_packet_size,
                buf,
            ),
        }
    }
}

/// What [`Packet::decode`] returns.
type Decoded = Result<Option<(Packet, usize)>, DecodeError>;

/// Inlined into `Packet::decode`: PUBLISH is the packet received most, and this saves a call.
#[inline(always)]
fn decode_publish(body: Reader, flags: u8, version: ProtocolVersion, size: usize) -> Decoded {
    Ok(Some((
        Packet::Publish(Publish::decode(body, flags, version)?),
        size,
    )))
}

/// The decoders of the other packet types, with the shape of [`decode_publish`] but each a
/// function of its own.
macro_rules! decoders {
    ($($function:ident: $name:ident,)+) => {
        $(
            #[inline(never)]
            fn $function(body: Reader, version: ProtocolVersion, size: usize) -> Decoded {
                Ok(Some((Packet::$name($name::decode(body, version)?), size)))
            }
        )+
    };
}

decoders! {
    decode_connect: Connect,
    decode_connack: ConnAck,
    decode_puback: PubAck,
    decode_pubrec: PubRec,
    decode_pubrel: PubRel,
    decode_pubcomp: PubComp,
    decode_subscribe: Subscribe,
    decode_suback: SubAck,
    decode_unsubscribe: Unsubscribe,
    decode_unsuback: UnsubAck,
    decode_disconnect: Disconnect,
}

#[inline(never)]
fn decode_auth(body: Reader, size: usize) -> Decoded {
    Ok(Some((Packet::Auth(Auth::decode(body)?), size)))
}

/// The first byte of a packet of type `packet`, but for PUBLISH's own flags.
const fn first_byte(packet: PacketType) -> u8 {
    (packet as u8) << 4 | packet.required_flags()
}

/// What the encoder needs from each packet type. Each implementation forwards to the packet
/// type's own functions and is inlined into that type's [`encode`], its only caller.
trait Body {
    /// Refuses what the packet cannot say in `version`, or says wrongly; otherwise returns its
    /// Remaining Length.
    fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError>;
    /// Writes `header`, whose Remaining Length is what `checked_len` returned, then the
    /// variable header and the payload.
    fn write(&self, header: FixedHeader, version: ProtocolVersion, buf: &mut impl BufMut);
}

macro_rules! impl_body {
    ($($name:ident),+) => {
        $( impl Body for $name {
            #[inline(always)]
            fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
                $name::check(self, version)?;
                Ok($name::body_len(self, version))
            }
            #[inline(always)]
            fn write(&self, header: FixedHeader, version: ProtocolVersion, buf: &mut impl BufMut) {
                $name::write(self, header, version, buf)
            }
        } )+
    };
}

impl_body!(
    Connect,
    ConnAck,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    SubAck,
    Unsubscribe,
    UnsubAck,
    Disconnect
);

impl Body for Publish {
    #[inline(always)]
    fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
        Publish::checked_len(self, version)
    }
    #[inline(always)]
    fn write(&self, header: FixedHeader, version: ProtocolVersion, buf: &mut impl BufMut) {
        Publish::write(self, header, version, buf)
    }
}

impl Body for Subscribe {
    #[inline(always)]
    fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
        Subscribe::checked_len(self, version)
    }
    #[inline(always)]
    fn write(&self, header: FixedHeader, version: ProtocolVersion, buf: &mut impl BufMut) {
        Subscribe::write(self, header, version, buf)
    }
}

impl Body for Auth {
    #[inline(always)]
    fn checked_len(&self, version: ProtocolVersion) -> Result<usize, EncodeError> {
        Auth::check(self, version)?;
        Ok(Auth::body_len(self))
    }
    #[inline(always)]
    fn write(&self, header: FixedHeader, _: ProtocolVersion, buf: &mut impl BufMut) {
        header.write(buf);
        Auth::write_body(self, buf)
    }
}

/// The body of PINGREQ and PINGRESP: nothing.
struct Empty;

impl Body for Empty {
    fn checked_len(&self, _: ProtocolVersion) -> Result<usize, EncodeError> {
        Ok(0)
    }
    fn write(&self, header: FixedHeader, _: ProtocolVersion, buf: &mut impl BufMut) {
        header.write(buf);
    }
}

/// Checks, sizes and writes one packet: see [`Packet::encode`].
///
/// One function per packet type, not inlined into `Packet::encode`: kept small, each inlines
/// the buffer's writes, which a single function for all fifteen types would not. PUBLISH, the
/// packet sent most, is the exception: [`encode_inline`] puts its encoder in `Packet::encode`,
/// saving a call.
#[inline(never)]
fn encode(
    packet: &impl Body,
    first_byte: u8,
    version: ProtocolVersion,
    max_packet_size: u32,
    buf: &mut impl BufMut,
) -> Result<usize, EncodeError> {
    encode_inline(packet, first_byte, version, max_packet_size, buf)
}

/// [`encode`], inlined where it is called.
#[inline(always)]
fn encode_inline(
    packet: &impl Body,
    first_byte: u8,
    version: ProtocolVersion,
    max_packet_size: u32,
    buf: &mut impl BufMut,
) -> Result<usize, EncodeError> {
    let body = packet.checked_len(version)?;
    let size = 1 + wire::var_int_len(body) as u64 + body as u64;
    let maximum = max_packet_size.min(MAX_PACKET_SIZE);
    if body > MAX_VAR_INT as usize || size > u64::from(maximum) {
        return Err(EncodeError::PacketTooLarge { size, maximum });
    }
    let header = FixedHeader {
        first_byte,
        remaining_len: body,
    };
    packet.write(header, version, buf);
    Ok(size as usize)
}

/// The packet at the start of `input` once it is all there: its type, the flags of its fixed
/// header and a reader of its body, and its size. The fixed header is checked first, so
/// garbage and oversized packets are refused before the rest arrives.
#[inline(always)]
fn whole_packet(
    input: &Bytes,
    version: ProtocolVersion,
    max_packet_size: u32,
) -> Result<Option<(PacketType, u8, Reader<'_>, usize)>, DecodeError> {
    let Some(&first) = input.first() else {
        return Ok(None);
    };
    // Check the first byte before waiting for more: garbage is refused at once.
    let packet_type = PacketType::from_nibble(first >> 4, version)?;
    let flags = first & 0x0F;
    // "Where a flag bit is marked as "Reserved", it is reserved for future use and MUST be
    // set to the value listed" [MQTT-2.1.3-1] (3.1.1 [MQTT-2.2.2-1]); "If invalid flags
    // are received it is a Malformed Packet" (3.1.1 [MQTT-2.2.2-2]).
    if packet_type != PacketType::Publish && flags != packet_type.required_flags() {
        return Err(DecodeError::InvalidFlags {
            packet: packet_type,
            flags,
        });
    }
    // The Remaining Length is a Variable Byte Integer, minimal in 5.0 [MQTT-1.5.5-1]; 3.1.1
    // (§2.2.3) does not require that.
    let minimal = version == ProtocolVersion::V5;
    let Some((header_len, size)) = fixed_header(input, minimal, max_packet_size)? else {
        return Ok(None);
    };
    if input.len() < size {
        return Ok(None);
    }
    Ok(Some((
        packet_type,
        flags,
        Reader::new(input, header_len, size),
        size,
    )))
}

/// Decodes the body of a packet a server may send. Each arm is a function of its own
/// (PUBLISH's inlined here) that builds the packet where the result goes, so a packet is not
/// copied on its way out; the caller's copies are all that is left.
#[inline(always)]
fn decode_from_server(
    packet_type: PacketType,
    flags: u8,
    body: Reader<'_>,
    version: ProtocolVersion,
    size: usize,
) -> Result<Option<(Packet, usize)>, DecodeError> {
    match packet_type {
        PacketType::Publish => decode_publish(body, flags, version, size),
        PacketType::ConnAck => decode_connack(body, version, size),
        PacketType::PubAck => decode_puback(body, version, size),
        PacketType::PubRec => decode_pubrec(body, version, size),
        PacketType::PubRel => decode_pubrel(body, version, size),
        PacketType::PubComp => decode_pubcomp(body, version, size),
        PacketType::SubAck => decode_suback(body, version, size),
        PacketType::UnsubAck => decode_unsuback(body, version, size),
        PacketType::PingResp => {
            body.finish(PacketType::PingResp)?;
            Ok(Some((Packet::PingResp, size)))
        }
        PacketType::Disconnect => decode_disconnect(body, version, size),
        // `from_nibble` refuses type 15 on a 3.1.1 connection.
        PacketType::Auth => decode_auth(body, size),
        PacketType::Connect
        | PacketType::Subscribe
        | PacketType::Unsubscribe
        | PacketType::PingReq => Err(DecodeError::NotSentByServer {
            packet: packet_type,
        }),
    }
}

macro_rules! impl_from_for_packet {
    ($($name:ident),+) => {
        $( impl From<$name> for Packet {
            fn from(packet: $name) -> Self {
                Packet::$name(packet)
            }
        } )+
    };
}

impl_from_for_packet!(
    Connect,
    ConnAck,
    Publish,
    PubAck,
    PubRec,
    PubRel,
    PubComp,
    Subscribe,
    SubAck,
    Unsubscribe,
    UnsubAck,
    Disconnect,
    Auth
);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ProtocolVersion::{V5, V311};

    fn decode(
        bytes: &'static [u8],
        version: ProtocolVersion,
    ) -> Result<Option<(Packet, usize)>, DecodeError> {
        Packet::decode(&Bytes::from_static(bytes), version, MAX_PACKET_SIZE)
    }

    #[test]
    fn a_client_decodes_what_a_server_sends_and_refuses_what_only_clients_send() {
        let from_server = |bytes: &'static [u8], version| {
            Packet::decode_from_server(&Bytes::from_static(bytes), version, MAX_PACKET_SIZE)
        };
        // CONNACK, PUBLISH, PINGRESP and a 5.0 DISCONNECT decode as `decode` has them.
        for (bytes, version) in [
            (&[0x20, 0x02, 0x00, 0x00][..], V311),
            (&[0x30, 0x04, 0x00, 0x01, b'a', b'x'][..], V311),
            (&[0xD0, 0x00][..], V311),
            (&[0xE0, 0x01, 0x8E][..], V5),
        ] {
            assert_eq!(from_server(bytes, version), decode(bytes, version));
            assert!(matches!(from_server(bytes, version), Ok(Some(_))));
        }
        // PINGREQ, and CONNECT, SUBSCRIBE and UNSUBSCRIBE whose bodies would decode.
        let connect: &[u8] = &[
            0x10, 0x0D, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x02, 0x00, 0x3C, 0x00, 0x01,
            b'c',
        ];
        let subscribe: &[u8] = &[0x82, 0x06, 0x00, 0x01, 0x00, 0x01, b'a', 0x00];
        let unsubscribe: &[u8] = &[0xA2, 0x05, 0x00, 0x01, 0x00, 0x01, b'a'];
        for (bytes, packet) in [
            (&[0xC0, 0x00][..], PacketType::PingReq),
            (connect, PacketType::Connect),
            (subscribe, PacketType::Subscribe),
            (unsubscribe, PacketType::Unsubscribe),
        ] {
            assert!(matches!(decode(bytes, V311), Ok(Some(_))));
            assert_eq!(
                from_server(bytes, V311),
                Err(DecodeError::NotSentByServer { packet })
            );
        }
        // Part of one is still "need more bytes".
        assert_eq!(from_server(&connect[..5], V311), Ok(None));
    }

    #[test]
    fn reports_need_more_bytes_for_a_partial_packet_not_an_error() {
        assert_eq!(decode(&[], V311), Ok(None));
        assert_eq!(decode(&[0xC0], V311), Ok(None));
        // PUBLISH announcing 5 bytes with 3 present.
        assert_eq!(decode(&[0x30, 0x05, 0x00, 0x01, b'a'], V311), Ok(None));
    }

    #[test]
    fn decodes_one_packet_and_reports_its_length_when_several_are_buffered() {
        let (packet, used) = decode(&[0xC0, 0x00, 0xD0, 0x00, 0x30], V311)
            .unwrap()
            .unwrap();
        assert_eq!(packet, Packet::PingReq);
        assert_eq!(used, 2);
    }

    // [MQTT-2.1.3-1]
    #[test]
    fn rejects_reserved_flag_bits_in_the_fixed_header() {
        assert_eq!(
            decode(&[0xC1, 0x00], V311),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::PingReq,
                flags: 1
            })
        );
        assert_eq!(
            decode(&[0x80, 0x00], V5),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::Subscribe,
                flags: 0
            })
        );
    }

    #[test]
    fn rejects_reserved_packet_types() {
        assert_eq!(
            decode(&[0x00, 0x00], V5),
            Err(DecodeError::ReservedPacketType { value: 0 })
        );
        assert_eq!(
            decode(&[0xF0, 0x00], V311),
            Err(DecodeError::ReservedPacketType { value: 15 })
        );
    }

    #[test]
    fn refuses_a_packet_over_the_maximum_size_before_its_body_arrives() {
        // A PUBLISH announcing 2,097,152 bytes, with none of them here yet.
        let input = Bytes::from_static(&[0x30, 0x80, 0x80, 0x80, 0x01]);
        assert_eq!(
            Packet::decode(&input, V5, 1024),
            Err(DecodeError::PacketTooLarge {
                size: 2_097_157,
                maximum: 1024
            })
        );
    }

    // [MQTT-1.5.5-1] binds 5.0 only; 3.1.1 §2.2.3 has no such rule.
    #[test]
    fn accepts_a_padded_remaining_length_in_3_1_1_and_rejects_it_in_5_0() {
        assert_eq!(
            decode(&[0xC0, 0x80, 0x00], V311),
            Ok(Some((Packet::PingReq, 3)))
        );
        assert_eq!(
            decode(&[0xC0, 0x80, 0x00], V5),
            Err(DecodeError::NonMinimalVariableByteInteger)
        );
        assert_eq!(
            packet_len(&[0xC0, 0x80, 0x00], MAX_PACKET_SIZE),
            Ok(Some(3))
        );
    }

    // 3.1.1 [MQTT-1.5.3-1] is 5.0 [MQTT-1.5.4-1]: the error names the statement of each.
    #[test]
    fn names_the_statement_of_the_connection_version_for_ill_formed_utf8() {
        // A PUBLISH whose topic is an encoded surrogate half.
        let input: &[u8] = &[0x30, 0x05, 0x00, 0x03, 0xED, 0xA0, 0x80];
        for version in [V311, V5] {
            let mut bytes = input.to_vec();
            if version == V5 {
                bytes.push(0x00);
                bytes[1] += 1;
            }
            let error = Packet::decode(&Bytes::from(bytes), version, MAX_PACKET_SIZE).unwrap_err();
            assert_eq!(error, DecodeError::InvalidUtf8);
            let expected = if version == V5 {
                "MQTT-1.5.4-1"
            } else {
                "MQTT-1.5.3-1"
            };
            assert_eq!(error.statement_in(version), Some(expected));
            assert!(
                error
                    .to_string()
                    .ends_with("[MQTT-1.5.4-1; 3.1.1: MQTT-1.5.3-1]")
            );
        }
        assert_eq!(
            DecodeError::ZeroPacketId {
                packet: PacketType::PubAck
            }
            .statement_in(V311),
            Some("MQTT-2.3.1-1")
        );
    }

    #[test]
    fn rejects_a_remaining_length_of_five_bytes() {
        assert_eq!(
            decode(&[0x30, 0x80, 0x80, 0x80, 0x80, 0x01], V311),
            Err(DecodeError::MalformedVariableByteInteger)
        );
    }

    #[test]
    fn rejects_a_pingreq_with_a_body() {
        assert_eq!(
            decode(&[0xC0, 0x01, 0x00], V311),
            Err(DecodeError::TrailingBytes {
                packet: PacketType::PingReq,
                count: 1
            })
        );
    }

    #[test]
    fn encodes_pingreq_and_pingresp() {
        let mut buf = Vec::new();
        Packet::PingReq
            .encode(V311, MAX_PACKET_SIZE, &mut buf)
            .unwrap();
        Packet::PingResp
            .encode(V5, MAX_PACKET_SIZE, &mut buf)
            .unwrap();
        assert_eq!(buf, [0xC0, 0x00, 0xD0, 0x00]);
        assert_eq!(decode(&[0xD0, 0x00], V5), Ok(Some((Packet::PingResp, 2))));
    }

    #[test]
    fn refuses_to_encode_a_packet_over_the_peer_maximum_size() {
        let mut buf = Vec::new();
        assert_eq!(
            Packet::PingReq.encode(V5, 1, &mut buf),
            Err(EncodeError::PacketTooLarge {
                size: 2,
                maximum: 1
            })
        );
        assert!(buf.is_empty());
    }
}
