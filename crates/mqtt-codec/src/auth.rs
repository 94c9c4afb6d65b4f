//! AUTH (MQTT 5.0 §3.15): a step of enhanced authentication, in either direction. MQTT 3.1.1
//! has no AUTH: packet type 15 is reserved there.

use bytes::{BufMut, Bytes};

use crate::ProtocolVersion;
use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{UserProperty, properties};
use crate::reason_code::AuthReasonCode;
use crate::string::MqttString;
use crate::wire::Reader;

properties! {
    /// Properties of an AUTH (MQTT 5.0 §3.15.2.2).
    pub struct AuthProperties {
        /// Required whenever the AUTH has a body (§3.15.2.2.2).
        pub authentication_method: Option<MqttString> = AuthenticationMethod,
        pub authentication_data: Option<Bytes> = AuthenticationData,
        pub reason_string: Option<MqttString> = ReasonString,
        pub user_properties: Vec<UserProperty> = UserProperty,
    }
}

/// One step of an enhanced authentication exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Auth {
    pub reason_code: AuthReasonCode,
    pub properties: AuthProperties,
}

impl Auth {
    /// An AUTH with a reason, the authentication method and its data.
    pub fn new(reason_code: AuthReasonCode, method: MqttString, data: Option<Bytes>) -> Self {
        Auth {
            reason_code,
            properties: AuthProperties {
                authentication_method: Some(method),
                authentication_data: data,
                ..AuthProperties::default()
            },
        }
    }

    /// Whether the packet is the short form: "The Reason Code and Property Length can be
    /// omitted if the Reason Code is 0x00 (Success) and there are no Properties. In this case
    /// the AUTH has a Remaining Length of 0" (§3.15.2.1).
    fn is_short(&self) -> bool {
        self.reason_code == AuthReasonCode::Success && self.properties.is_empty()
    }

    pub(crate) fn decode(mut body: Reader) -> Result<Self, DecodeError> {
        if body.is_empty() {
            return Ok(Auth {
                reason_code: AuthReasonCode::Success,
                properties: AuthProperties::default(),
            });
        }
        let code = body.u8("Reason Code")?;
        // "The Sender of the AUTH Packet MUST use one of the Authenticate Reason Codes"
        // [MQTT-3.15.2-1].
        let reason_code = AuthReasonCode::from_u8(code).ok_or(DecodeError::InvalidReasonCode {
            packet: PacketType::Auth,
            code,
        })?;
        // Unlike DISCONNECT and the acknowledgements, AUTH has no rule that lets the Property
        // Length alone be left out: a one-byte body is cut short.
        let properties = AuthProperties::decode(&mut body, PacketType::Auth)?;
        body.finish(PacketType::Auth)?;
        // "It is a Protocol Error to omit the Authentication Method or to include it more than
        // once" (§3.15.2.2.2).
        if properties.authentication_method.is_none() {
            return Err(DecodeError::MissingAuthenticationMethod {
                packet: PacketType::Auth,
            });
        }
        Ok(Auth {
            reason_code,
            properties,
        })
    }

    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if version == ProtocolVersion::V311 {
            return Err(EncodeError::NotInVersion {
                what: "AUTH",
                version,
            });
        }
        if !self.is_short() && self.properties.authentication_method.is_none() {
            return Err(EncodeError::MissingAuthenticationMethod);
        }
        let len = self.properties.longest_binary();
        if len > usize::from(u16::MAX) {
            return Err(EncodeError::BinaryDataTooLong {
                field: "Authentication Data",
                len,
            });
        }
        Ok(())
    }

    pub(crate) fn body_len(&self) -> usize {
        if self.is_short() {
            0
        } else {
            1 + self.properties.wire_len()
        }
    }

    pub(crate) fn write_body(&self, buf: &mut impl BufMut) {
        if !self.is_short() {
            buf.put_u8(self.reason_code.to_u8());
            self.properties.write(buf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Packet;
    use crate::ack::testing::{decode, encode};
    use ProtocolVersion::{V5, V311};

    fn scram(reason_code: AuthReasonCode) -> Auth {
        Auth::new(
            reason_code,
            MqttString::from_static("SCRAM-SHA-1"),
            Some(Bytes::from_static(b"c=biws")),
        )
    }

    // §3.15.2.1: the short form.
    #[test]
    fn encodes_and_decodes_a_successful_auth_without_properties_as_an_empty_packet() {
        let auth = Auth {
            reason_code: AuthReasonCode::Success,
            properties: AuthProperties::default(),
        };
        assert_eq!(encode(auth.clone(), V5).unwrap(), [0xF0, 0x00]);
        assert_eq!(decode(&[0xF0, 0x00], V5), Ok(Packet::Auth(auth)));
    }

    // [MQTT-3.15.2-1]
    #[test]
    fn encodes_and_decodes_continue_authentication_with_method_and_data() {
        let auth = scram(AuthReasonCode::ContinueAuthentication);
        let bytes = [
            0xF0, 0x19, // AUTH, remaining length 25
            0x18, // Continue authentication
            0x17, // property length 23
            0x15, 0x00, 0x0B, b'S', b'C', b'R', b'A', b'M', b'-', b'S', b'H', b'A', b'-',
            b'1', // Authentication Method
            0x16, 0x00, 0x06, b'c', b'=', b'b', b'i', b'w', b's', // Authentication Data
        ];
        assert_eq!(encode(auth.clone(), V5).unwrap(), bytes);
        assert_eq!(decode(&bytes, V5), Ok(Packet::Auth(auth)));
        let reauth = scram(AuthReasonCode::ReAuthenticate);
        let mut bytes = bytes;
        bytes[2] = 0x19;
        assert_eq!(decode(&bytes, V5), Ok(Packet::Auth(reauth)));
    }

    // [MQTT-3.15.2-1]
    #[test]
    fn rejects_a_reason_code_auth_does_not_define() {
        assert_eq!(
            decode(&[0xF0, 0x02, 0x87, 0x00], V5),
            Err(DecodeError::InvalidReasonCode {
                packet: PacketType::Auth,
                code: 0x87
            })
        );
    }

    #[test]
    fn rejects_an_auth_with_a_body_but_no_authentication_method() {
        assert_eq!(
            decode(&[0xF0, 0x02, 0x18, 0x00], V5),
            Err(DecodeError::MissingAuthenticationMethod {
                packet: PacketType::Auth
            })
        );
        let auth = Auth {
            reason_code: AuthReasonCode::ContinueAuthentication,
            properties: AuthProperties::default(),
        };
        assert_eq!(
            encode(auth, V5),
            Err(EncodeError::MissingAuthenticationMethod)
        );
    }

    #[test]
    fn rejects_an_auth_whose_property_length_is_missing() {
        assert_eq!(
            decode(&[0xF0, 0x01, 0x18], V5),
            Err(DecodeError::FieldOverrunsPacket {
                field: "Property Length"
            })
        );
    }

    // [MQTT-3.15.1-1]
    #[test]
    fn rejects_an_auth_with_reserved_flags_set() {
        assert_eq!(
            decode(&[0xF1, 0x00], V5),
            Err(DecodeError::InvalidFlags {
                packet: PacketType::Auth,
                flags: 1
            })
        );
    }

    #[test]
    fn rejects_auth_on_a_3_1_1_connection() {
        assert_eq!(
            decode(&[0xF0, 0x00], V311),
            Err(DecodeError::ReservedPacketType { value: 15 })
        );
        assert_eq!(
            encode(scram(AuthReasonCode::Success), V311),
            Err(EncodeError::NotInVersion {
                what: "AUTH",
                version: V311
            })
        );
    }

    #[test]
    fn rejects_a_property_auth_does_not_allow() {
        // Session Expiry Interval is not an AUTH property.
        assert_eq!(
            decode(&[0xF0, 0x07, 0x18, 0x05, 0x11, 0, 0, 0, 1], V5),
            Err(DecodeError::PropertyNotAllowed {
                property: crate::PropertyId::SessionExpiryInterval,
                packet: PacketType::Auth
            })
        );
    }
}
