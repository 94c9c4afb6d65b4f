//! DISCONNECT (MQTT 5.0 §3.14, 3.1.1 §3.14): the last packet of a connection. In 3.1.1 only
//! the client sends it and it is empty; in 5.0 either side sends it, with a reason.

use bytes::BufMut;

use crate::ProtocolVersion;
use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{UserProperty, properties};
use crate::reason_code::DisconnectReasonCode;
use crate::string::MqttString;
use crate::wire::{FixedHeader, Reader};

properties! {
    /// Properties of a DISCONNECT (MQTT 5.0 §3.14.2.2).
    pub struct DisconnectProperties {
        pub session_expiry_interval: Option<u32> = SessionExpiryInterval,
        pub reason_string: Option<MqttString> = ReasonString,
        pub user_properties: Vec<UserProperty> = UserProperty,
        pub server_reference: Option<MqttString> = ServerReference,
    }
}

/// The end of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disconnect {
    /// Always `NormalDisconnection` in 3.1.1.
    pub reason_code: DisconnectReasonCode,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: DisconnectProperties,
}

impl Disconnect {
    /// A normal disconnection without properties: the only DISCONNECT of 3.1.1.
    pub fn normal() -> Self {
        Disconnect::with_reason(DisconnectReasonCode::NormalDisconnection)
    }

    pub fn with_reason(reason_code: DisconnectReasonCode) -> Self {
        Disconnect {
            reason_code,
            properties: DisconnectProperties::default(),
        }
    }

    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        // "If the Remaining Length is less than 1 the value of 0x00 (Normal disconnection) is
        // used." 3.1.1 has no variable header at all.
        if version == ProtocolVersion::V311 || body.is_empty() {
            body.finish(PacketType::Disconnect)?;
            return Ok(Disconnect::normal());
        }
        let code = body.u8("Reason Code")?;
        let reason_code =
            DisconnectReasonCode::from_u8(code).ok_or(DecodeError::InvalidReasonCode {
                packet: PacketType::Disconnect,
                code,
            })?;
        // "If the Remaining Length is less than 2, a value of 0 is used" for the properties.
        let properties = if body.is_empty() {
            DisconnectProperties::default()
        } else {
            DisconnectProperties::decode(&mut body, PacketType::Disconnect)?
        };
        body.finish(PacketType::Disconnect)?;
        Ok(Disconnect {
            reason_code,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if version == ProtocolVersion::V311 && *self != Disconnect::normal() {
            return Err(EncodeError::NotInVersion {
                what: "DISCONNECT reason codes and properties",
                version,
            });
        }
        Ok(())
    }

    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        match version {
            ProtocolVersion::V311 => 0,
            ProtocolVersion::V5 if self.properties.is_empty() => {
                usize::from(self.reason_code != DisconnectReasonCode::NormalDisconnection)
            }
            ProtocolVersion::V5 => 1 + self.properties.wire_len(),
        }
    }

    pub(crate) fn write(&self, header: FixedHeader, _: ProtocolVersion, buf: &mut impl BufMut) {
        header.write(buf);
        if header.remaining_len > 0 {
            buf.put_u8(self.reason_code.to_u8());
            if !self.properties.is_empty() {
                self.properties.write(buf);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Packet;
    use crate::ack::testing::{decode, encode};
    use ProtocolVersion::{V5, V311};

    #[test]
    fn encodes_a_normal_disconnect_as_an_empty_packet() {
        assert_eq!(encode(Disconnect::normal(), V311).unwrap(), [0xE0, 0x00]);
        assert_eq!(encode(Disconnect::normal(), V5).unwrap(), [0xE0, 0x00]);
        assert_eq!(
            decode(&[0xE0, 0x00], V311),
            Ok(Packet::Disconnect(Disconnect::normal()))
        );
        assert_eq!(
            decode(&[0xE0, 0x00], V5),
            Ok(Packet::Disconnect(Disconnect::normal()))
        );
    }

    #[test]
    fn encodes_and_decodes_a_5_0_reason_and_reason_string() {
        let mut packet = Disconnect::with_reason(DisconnectReasonCode::ServerShuttingDown);
        assert_eq!(encode(packet.clone(), V5).unwrap(), [0xE0, 0x01, 0x8B]);
        assert_eq!(
            decode(&[0xE0, 0x01, 0x8B], V5),
            Ok(Packet::Disconnect(packet.clone()))
        );
        packet.properties.reason_string = Some(MqttString::from_static("bye"));
        let bytes = [0xE0, 0x08, 0x8B, 0x06, 0x1F, 0x00, 0x03, b'b', b'y', b'e'];
        assert_eq!(encode(packet.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::Disconnect(packet)));
    }

    #[test]
    fn rejects_a_3_1_1_disconnect_with_a_body() {
        assert_eq!(
            decode(&[0xE0, 0x01, 0x00], V311),
            Err(DecodeError::TrailingBytes {
                packet: PacketType::Disconnect,
                count: 1
            })
        );
    }

    #[test]
    fn rejects_an_undefined_disconnect_reason_code() {
        assert_eq!(
            decode(&[0xE0, 0x01, 0x01], V5),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::Disconnect,
                code: 0x01
            })
        );
    }

    #[test]
    fn refuses_to_encode_a_reason_for_3_1_1() {
        let packet = Disconnect::with_reason(DisconnectReasonCode::KeepAliveTimeout);
        assert!(matches!(
            encode(packet, V311),
            Err(EncodeError::NotInVersion { .. })
        ));
    }
}
