//! The shape the four QoS acknowledgements share (MQTT 5.0 §3.4–3.7): a Packet Identifier,
//! then in 5.0 a reason code and properties, both of which may be left out.

use bytes::BufMut;

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::AckProperties;
use crate::wire::{FixedHeader, Reader};
use crate::{PacketId, ProtocolVersion};

/// Decodes the body of an acknowledgement. The reason code byte is given to `reason`.
pub(crate) fn decode<R>(
    mut body: Reader,
    version: ProtocolVersion,
    packet: PacketType,
    success: R,
    reason: impl Fn(u8) -> Option<R>,
) -> Result<(PacketId, R, AckProperties), DecodeError> {
    let packet_id = body.packet_id(packet)?;
    if version == ProtocolVersion::V311 || body.is_empty() {
        // "The Reason Code and Property Length can be omitted if the Reason Code is 0x00
        // (Success) and there are no Properties. In this case the [packet] has a Remaining
        // Length of 2."
        body.finish(packet)?;
        return Ok((packet_id, success, AckProperties::default()));
    }
    let code = body.u8("Reason Code")?;
    let reason_code = reason(code).ok_or(DecodeError::InvalidReasonCode { packet, code })?;
    // "If the Remaining Length is less than 4 there is no Property Length and the value of 0
    // is used."
    let properties = if body.is_empty() {
        AckProperties::default()
    } else {
        AckProperties::decode(&mut body, packet)?
    };
    body.finish(packet)?;
    Ok((packet_id, reason_code, properties))
}

pub(crate) fn check(
    version: ProtocolVersion,
    is_success: bool,
    properties: &AckProperties,
) -> Result<(), EncodeError> {
    if version == ProtocolVersion::V311 && !(is_success && properties.is_empty()) {
        return Err(EncodeError::NotInVersion {
            what: "acknowledgement reason codes and properties",
            version,
        });
    }
    Ok(())
}

/// The shortest body: the reason code and properties only when they say something.
pub(crate) fn body_len(version: ProtocolVersion, code: u8, properties: &AckProperties) -> usize {
    match version {
        ProtocolVersion::V311 => 2,
        ProtocolVersion::V5 if properties.is_empty() && code == 0 => 2,
        ProtocolVersion::V5 if properties.is_empty() => 3,
        ProtocolVersion::V5 => 3 + properties.wire_len(),
    }
}

pub(crate) fn write(
    header: FixedHeader,
    version: ProtocolVersion,
    packet_id: PacketId,
    code: u8,
    properties: &AckProperties,
    buf: &mut impl BufMut,
) {
    header.write_with_u16(packet_id.get(), buf);
    if version == ProtocolVersion::V5 && (code != 0 || !properties.is_empty()) {
        buf.put_u8(code);
        if !properties.is_empty() {
            properties.write(buf);
        }
    }
}

/// Declares one of the four acknowledgement packets.
macro_rules! ack_packet {
    ($(#[$meta:meta])* $name:ident, $packet:ident, $reason:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub struct $name {
            pub packet_id: $crate::PacketId,
            /// Always `Success` in 3.1.1.
            pub reason_code: $crate::reason_code::$reason,
            /// MQTT 5.0 only; must be empty for 3.1.1.
            pub properties: $crate::properties::AckProperties,
        }

        impl $name {
            /// A successful acknowledgement without properties.
            pub fn new(packet_id: $crate::PacketId) -> Self {
                $name {
                    packet_id,
                    reason_code: $crate::reason_code::$reason::Success,
                    properties: Default::default(),
                }
            }

            pub(crate) fn decode(
                body: $crate::wire::Reader,
                version: $crate::ProtocolVersion,
            ) -> Result<Self, $crate::error::DecodeError> {
                let (packet_id, reason_code, properties) = $crate::ack::decode(
                    body,
                    version,
                    $crate::packet::PacketType::$packet,
                    $crate::reason_code::$reason::Success,
                    $crate::reason_code::$reason::from_u8,
                )?;
                Ok($name { packet_id, reason_code, properties })
            }

            pub(crate) fn check(
                &self,
                version: $crate::ProtocolVersion,
            ) -> Result<(), $crate::error::EncodeError> {
                $crate::ack::check(version, self.reason_code.to_u8() == 0, &self.properties)
            }

            pub(crate) fn body_len(&self, version: $crate::ProtocolVersion) -> usize {
                $crate::ack::body_len(version, self.reason_code.to_u8(), &self.properties)
            }

            pub(crate) fn write(
                &self,
                header: $crate::wire::FixedHeader,
                version: $crate::ProtocolVersion,
                buf: &mut impl bytes::BufMut,
            ) {
                $crate::ack::write(
                    header,
                    version,
                    self.packet_id,
                    self.reason_code.to_u8(),
                    &self.properties,
                    buf,
                );
            }
        }
    };
}

pub(crate) use ack_packet;

/// Test helpers shared by the acknowledgement modules.
#[cfg(test)]
pub(crate) mod testing {
    use bytes::Bytes;

    use crate::error::{DecodeError, EncodeError};
    use crate::{MAX_PACKET_SIZE, Packet, ProtocolVersion};

    pub(crate) fn decode(bytes: &[u8], version: ProtocolVersion) -> Result<Packet, DecodeError> {
        match Packet::decode(&Bytes::copy_from_slice(bytes), version, MAX_PACKET_SIZE)? {
            Some((packet, used)) if used == bytes.len() => Ok(packet),
            other => panic!("expected one whole packet, got {other:?}"),
        }
    }

    pub(crate) fn encode(
        packet: impl Into<Packet>,
        version: ProtocolVersion,
    ) -> Result<Vec<u8>, EncodeError> {
        let packet = packet.into();
        let mut buf = Vec::new();
        packet.encode(version, MAX_PACKET_SIZE, &mut buf)?;
        assert_eq!(packet.encoded_len(version), buf.len());
        Ok(buf)
    }
}
