//! CONNACK (MQTT 5.0 §3.2, 3.1.1 §3.2): the server's answer to CONNECT.

use core::num::{NonZeroU16, NonZeroU32};

use bytes::{BufMut, Bytes};

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{UserProperty, properties};
use crate::reason_code::ConnectReasonCode;
use crate::string::MqttString;
use crate::wire::{FixedHeader, Reader};
use crate::{ProtocolVersion, QoS};

properties! {
    /// Properties of a CONNACK (MQTT 5.0 §3.2.2.3).
    pub struct ConnAckProperties {
        pub session_expiry_interval: Option<u32> = SessionExpiryInterval,
        pub receive_maximum: Option<NonZeroU16> = ReceiveMaximum,
        /// Absent means QoS 2 is supported.
        pub maximum_qos: Option<QoS> = MaximumQoS,
        pub retain_available: Option<bool> = RetainAvailable,
        /// The largest packet the server accepts from the client.
        pub maximum_packet_size: Option<NonZeroU32> = MaximumPacketSize,
        /// The identifier the server chose when the client sent an empty one.
        pub assigned_client_identifier: Option<MqttString> = AssignedClientIdentifier,
        pub topic_alias_maximum: Option<u16> = TopicAliasMaximum,
        pub reason_string: Option<MqttString> = ReasonString,
        pub user_properties: Vec<UserProperty> = UserProperty,
        pub wildcard_subscription_available: Option<bool> = WildcardSubscriptionAvailable,
        pub subscription_identifiers_available: Option<bool> = SubscriptionIdentifierAvailable,
        pub shared_subscription_available: Option<bool> = SharedSubscriptionAvailable,
        /// The keep alive the client must use instead of the one it asked for.
        pub server_keep_alive: Option<u16> = ServerKeepAlive,
        pub response_information: Option<MqttString> = ResponseInformation,
        pub server_reference: Option<MqttString> = ServerReference,
        pub authentication_method: Option<MqttString> = AuthenticationMethod,
        pub authentication_data: Option<Bytes> = AuthenticationData,
    }
}

/// The server's acceptance or refusal of a connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnAck {
    /// Whether the server resumed a session it held for this client.
    pub session_present: bool,
    /// For 3.1.1, the return code mapped to its 5.0 equivalent (see [`ConnectReasonCode`]).
    pub reason_code: ConnectReasonCode,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: ConnAckProperties,
}

const SESSION_PRESENT: u8 = 0b0000_0001;

impl ConnAck {
    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        let flags = body.u8("Connect Acknowledge Flags")?;
        // "Bits 7-1 are reserved and MUST be set to 0" [MQTT-3.2.2-1].
        if flags & !SESSION_PRESENT != 0 {
            return Err(DecodeError::ConnAckReservedFlags { flags });
        }
        let code = body.u8("Connect Reason Code")?;
        let reason_code = match version {
            ProtocolVersion::V311 => ConnectReasonCode::from_v3_return_code(code),
            ProtocolVersion::V5 => ConnectReasonCode::from_u8(code),
        }
        .ok_or(DecodeError::InvalidReasonCode {
            packet: PacketType::ConnAck,
            code,
        })?;
        let session_present = flags & SESSION_PRESENT != 0;
        // "If a Server sends a CONNACK packet containing a non-zero Reason Code it MUST set
        // Session Present to 0" [MQTT-3.2.2-6].
        if session_present && !reason_code.is_success() {
            return Err(DecodeError::SessionPresentOnRefusal);
        }
        let properties = match version {
            ProtocolVersion::V5 => ConnAckProperties::decode(&mut body, PacketType::ConnAck)?,
            ProtocolVersion::V311 => ConnAckProperties::default(),
        };
        body.finish(PacketType::ConnAck)?;
        Ok(ConnAck {
            session_present,
            reason_code,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if self.session_present && !self.reason_code.is_success() {
            return Err(EncodeError::SessionPresentOnRefusal);
        }
        if self.properties.longest_binary() > usize::from(u16::MAX) {
            let len = self.properties.longest_binary();
            return Err(EncodeError::BinaryDataTooLong {
                field: "Authentication Data",
                len,
            });
        }
        if version == ProtocolVersion::V311 {
            if self.reason_code.to_v3_return_code().is_none() {
                return Err(EncodeError::NotInVersion {
                    what: "this CONNACK reason code",
                    version,
                });
            }
            if !self.properties.is_empty() {
                return Err(EncodeError::NotInVersion {
                    what: "CONNACK properties",
                    version,
                });
            }
        }
        Ok(())
    }

    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        match version {
            ProtocolVersion::V311 => 2,
            ProtocolVersion::V5 => 2 + self.properties.wire_len(),
        }
    }

    pub(crate) fn write(
        &self,
        header: FixedHeader,
        version: ProtocolVersion,
        buf: &mut impl BufMut,
    ) {
        let flags = if self.session_present {
            SESSION_PRESENT
        } else {
            0
        };
        let code = match version {
            // `check` ensured the code exists in 3.1.1.
            ProtocolVersion::V311 => self.reason_code.to_v3_return_code().unwrap_or(0x80),
            ProtocolVersion::V5 => self.reason_code.to_u8(),
        };
        header.write_with_u16(u16::from_be_bytes([flags, code]), buf);
        if version == ProtocolVersion::V5 {
            self.properties.write(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_PACKET_SIZE, Packet};
    use ProtocolVersion::{V5, V311};

    fn decode(bytes: &[u8], version: ProtocolVersion) -> Result<ConnAck, DecodeError> {
        match Packet::decode(&Bytes::copy_from_slice(bytes), version, MAX_PACKET_SIZE)? {
            Some((Packet::ConnAck(connack), used)) if used == bytes.len() => Ok(connack),
            other => panic!("expected one whole CONNACK, got {other:?}"),
        }
    }

    fn encode(connack: &ConnAck, version: ProtocolVersion) -> Result<Vec<u8>, EncodeError> {
        let mut buf = Vec::new();
        Packet::from(connack.clone()).encode(version, MAX_PACKET_SIZE, &mut buf)?;
        Ok(buf)
    }

    fn accepted(session_present: bool) -> ConnAck {
        ConnAck {
            session_present,
            reason_code: ConnectReasonCode::Success,
            properties: ConnAckProperties::default(),
        }
    }

    #[test]
    fn encodes_and_decodes_a_3_1_1_acceptance() {
        let bytes = [0x20, 0x02, 0x01, 0x00];
        assert_eq!(encode(&accepted(true), V311).unwrap(), bytes);
        assert_eq!(decode(&bytes, V311), Ok(accepted(true)));
    }

    #[test]
    fn maps_3_1_1_return_codes_to_5_0_reason_codes() {
        let refusal = decode(&[0x20, 0x02, 0x00, 0x04], V311).unwrap();
        assert_eq!(
            refusal.reason_code,
            ConnectReasonCode::BadUserNameOrPassword
        );
        assert_eq!(encode(&refusal, V311).unwrap(), [0x20, 0x02, 0x00, 0x04]);
        assert_eq!(
            encode(&refusal, V5).unwrap(),
            [0x20, 0x03, 0x00, 0x86, 0x00]
        );
    }

    #[test]
    fn rejects_a_3_1_1_return_code_above_5() {
        assert_eq!(
            decode(&[0x20, 0x02, 0x00, 0x06], V311),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::ConnAck,
                code: 6
            })
        );
    }

    #[test]
    fn encodes_and_decodes_a_5_0_acceptance_with_assigned_client_id_and_server_keep_alive() {
        let mut connack = accepted(false);
        connack.properties.assigned_client_identifier = Some(MqttString::from_static("auto-1"));
        connack.properties.server_keep_alive = Some(30);
        let bytes = [
            0x20, 0x0F, 0x00, 0x00, // flags, Success
            0x0C, // property length 12
            0x12, 0x00, 0x06, b'a', b'u', b't', b'o', b'-',
            b'1', // Assigned Client Identifier
            0x13, 0x00, 0x1E, // Server Keep Alive 30
        ];
        assert_eq!(encode(&connack, V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(connack));
    }

    // [MQTT-3.2.2-1]
    #[test]
    fn rejects_reserved_acknowledge_flags() {
        assert_eq!(
            decode(&[0x20, 0x02, 0x02, 0x00], V311),
            Err(DecodeError::ConnAckReservedFlags { flags: 0x02 })
        );
    }

    // [MQTT-3.2.2-6]
    #[test]
    fn rejects_session_present_on_a_refusal() {
        assert_eq!(
            decode(&[0x20, 0x02, 0x01, 0x05], V311),
            Err(DecodeError::SessionPresentOnRefusal)
        );
    }

    #[test]
    fn rejects_a_maximum_qos_of_2() {
        assert_eq!(
            decode(&[0x20, 0x05, 0x00, 0x00, 0x02, 0x24, 0x02], V5),
            Err(DecodeError::InvalidPropertyValue {
                property: crate::PropertyId::MaximumQoS
            })
        );
    }

    #[test]
    fn refuses_to_encode_a_5_0_only_reason_code_for_3_1_1() {
        let connack = ConnAck {
            reason_code: ConnectReasonCode::Banned,
            ..accepted(false)
        };
        assert_eq!(
            encode(&connack, V311),
            Err(EncodeError::NotInVersion {
                what: "this CONNACK reason code",
                version: V311
            })
        );
    }
}
