//! CONNECT (MQTT 5.0 §3.1, 3.1.1 §3.1): the first packet a client sends.

use core::num::{NonZeroU16, NonZeroU32};

use bytes::{BufMut, Bytes};

use crate::error::{DecodeError, EncodeError};
use crate::packet::PacketType;
use crate::properties::{PayloadFormat, UserProperty, properties};
use crate::string::MqttString;
use crate::topic::{TopicName, validate_decoded_topic_name, validate_string_topic_name};
use crate::wire::{self, FixedHeader, Reader};
use crate::{ProtocolVersion, QoS};

properties! {
    /// Properties of a CONNECT (MQTT 5.0 §3.1.2.11).
    pub struct ConnectProperties {
        /// Seconds the server keeps the session after the connection closes; absent means 0.
        pub session_expiry_interval: Option<u32> = SessionExpiryInterval,
        /// How many QoS 1 and 2 publications the client processes at once.
        pub receive_maximum: Option<NonZeroU16> = ReceiveMaximum,
        /// The largest packet the client accepts.
        pub maximum_packet_size: Option<NonZeroU32> = MaximumPacketSize,
        pub topic_alias_maximum: Option<u16> = TopicAliasMaximum,
        pub request_response_information: Option<bool> = RequestResponseInformation,
        pub request_problem_information: Option<bool> = RequestProblemInformation,
        pub user_properties: Vec<UserProperty> = UserProperty,
        pub authentication_method: Option<MqttString> = AuthenticationMethod,
        pub authentication_data: Option<Bytes> = AuthenticationData,
    }
}

properties! {
    /// Properties of the Will Message of a CONNECT (MQTT 5.0 §3.1.3.2).
    pub struct WillProperties {
        pub will_delay_interval: Option<u32> = WillDelayInterval,
        pub payload_format: Option<PayloadFormat> = PayloadFormatIndicator,
        pub message_expiry_interval: Option<u32> = MessageExpiryInterval,
        pub content_type: Option<MqttString> = ContentType,
        pub response_topic: Option<MqttString> = ResponseTopic,
        pub correlation_data: Option<Bytes> = CorrelationData,
        pub user_properties: Vec<UserProperty> = UserProperty,
    }
}

/// The message the server publishes on the client's behalf if the connection ends without a
/// DISCONNECT.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LastWill {
    pub topic: TopicName,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: WillProperties,
}

/// A connection request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connect {
    /// Clean Start (5.0), Clean Session (3.1.1): discard any existing session.
    pub clean_start: bool,
    /// Seconds; 0 turns the keep-alive mechanism off.
    pub keep_alive: u16,
    /// May be empty, asking the server to assign one.
    pub client_id: MqttString,
    pub will: Option<LastWill>,
    pub username: Option<MqttString>,
    pub password: Option<Bytes>,
    /// MQTT 5.0 only; must be empty for 3.1.1.
    pub properties: ConnectProperties,
}

const PROTOCOL_NAME: &[u8; 4] = b"MQTT";

mod flag {
    pub const USERNAME: u8 = 0b1000_0000;
    pub const PASSWORD: u8 = 0b0100_0000;
    pub const WILL_RETAIN: u8 = 0b0010_0000;
    pub const WILL_QOS_SHIFT: u8 = 3;
    pub const WILL: u8 = 0b0000_0100;
    pub const CLEAN_START: u8 = 0b0000_0010;
    pub const RESERVED: u8 = 0b0000_0001;
}

impl Connect {
    // Inlined into its function in `packet.rs`, so the packet is built where it is returned
    // instead of being copied there.
    #[inline(always)]
    pub(crate) fn decode(mut body: Reader, version: ProtocolVersion) -> Result<Self, DecodeError> {
        if body.binary("Protocol Name")?.as_ref() != PROTOCOL_NAME {
            return Err(DecodeError::InvalidProtocolName);
        }
        let level = body.u8("Protocol Level")?;
        if level != version.level() {
            return Err(DecodeError::ProtocolVersionMismatch {
                expected: version,
                found: level,
            });
        }
        let flags = body.u8("Connect Flags")?;
        // "The Server MUST validate that the reserved flag in the CONNECT packet is set to 0"
        // [MQTT-3.1.2-3].
        if flags & flag::RESERVED != 0 {
            return Err(DecodeError::ConnectReservedFlag);
        }
        let has_will = flags & flag::WILL != 0;
        let will_retain = flags & flag::WILL_RETAIN != 0;
        // "If the Will Flag is set to 1, the value of Will QoS can be 0, 1, or 2. A value of 3
        // is a Malformed Packet" [MQTT-3.1.2-12].
        let will_qos = QoS::from_bits((flags >> flag::WILL_QOS_SHIFT) & 0b11)
            .ok_or(DecodeError::InvalidWillFlags)?;
        // "If the Will Flag is set to 0, then the Will QoS MUST be set to 0" [MQTT-3.1.2-11];
        // "If the Will Flag is set to 0, then Will Retain MUST be set to 0" [MQTT-3.1.2-13].
        if !has_will && (will_qos != QoS::AtMostOnce || will_retain) {
            return Err(DecodeError::InvalidWillFlags);
        }
        let has_username = flags & flag::USERNAME != 0;
        let has_password = flags & flag::PASSWORD != 0;
        // 3.1.1: "If the User Name Flag is set to 0, the Password Flag MUST be set to 0"
        // [MQTT-3.1.2-22]. MQTT 5.0 allows a password alone.
        if version == ProtocolVersion::V311 && has_password && !has_username {
            return Err(DecodeError::PasswordWithoutUserName);
        }
        let keep_alive = body.u16("Keep Alive")?;
        let properties = match version {
            ProtocolVersion::V5 => ConnectProperties::decode(&mut body, PacketType::Connect)?,
            ProtocolVersion::V311 => ConnectProperties::default(),
        };
        // "It is a Protocol Error to include Authentication Data if there is no Authentication
        // Method" (§3.1.2.11.10).
        if properties.authentication_data.is_some() && properties.authentication_method.is_none() {
            return Err(DecodeError::AuthenticationDataWithoutMethod);
        }
        let client_id = body.string("Client Identifier")?;
        let will = if has_will {
            let properties = match version {
                ProtocolVersion::V5 => WillProperties::decode(&mut body, PacketType::Connect)?,
                ProtocolVersion::V311 => WillProperties::default(),
            };
            if let Some(response_topic) = &properties.response_topic {
                validate_string_topic_name(response_topic)
                    .map_err(DecodeError::InvalidResponseTopic)?;
            }
            // "The Will Topic MUST be a UTF-8 Encoded String" [MQTT-3.1.3-11] (3.1.1
            // [MQTT-3.1.3-10]), and a Topic Name: the Will Message is published to it.
            let (topic, wildcard) = body.topic("Will Topic")?;
            validate_decoded_topic_name(&topic, wildcard).map_err(DecodeError::InvalidTopicName)?;
            let payload = body.binary("Will Payload")?;
            Some(LastWill {
                topic: TopicName::from_checked(topic),
                payload,
                qos: will_qos,
                retain: will_retain,
                properties,
            })
        } else {
            None
        };
        let username = if has_username {
            Some(body.string("User Name")?)
        } else {
            None
        };
        let password = if has_password {
            Some(body.binary("Password")?)
        } else {
            None
        };
        body.finish(PacketType::Connect)?;
        Ok(Connect {
            clean_start: flags & flag::CLEAN_START != 0,
            keep_alive,
            client_id,
            will,
            username,
            password,
            properties,
        })
    }

    /// Refuses what the packet cannot say in `version`, or says wrongly.
    ///
    /// A CONNECT without properties and with short enough binary fields is told to pass by a
    /// few tests with a single way out; any other goes to [`Connect::check_in_turn`], which
    /// makes every check in turn and names the rule broken. On wasm32, built for size, that is
    /// the only way.
    #[inline(always)]
    pub(crate) fn check(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        if cfg!(target_arch = "wasm32") {
            return self.check_in_turn(version);
        }
        let max = usize::from(u16::MAX);
        let mut passes = self
            .password
            .as_ref()
            .is_none_or(|password| password.len() <= max)
            & self.properties.is_empty();
        if let Some(will) = &self.will {
            passes &= (will.payload.len() <= max) & will.properties.is_empty();
        }
        if version == ProtocolVersion::V311 {
            passes &= !(self.client_id.is_empty() & !self.clean_start)
                & !(self.password.is_some() & self.username.is_none());
        }
        if passes {
            Ok(())
        } else {
            self.check_in_turn(version)
        }
    }

    /// [`Connect::check`] for a CONNECT that may break a rule: every check, in turn.
    #[cfg_attr(not(target_arch = "wasm32"), cold, inline(never))]
    #[cfg_attr(target_arch = "wasm32", inline(always))]
    pub(crate) fn check_in_turn(&self, version: ProtocolVersion) -> Result<(), EncodeError> {
        // Properties are rare in a CONNECT: the checks of their values are skipped when there
        // are none, which is all they would find.
        let has_properties = !self.properties.is_empty();
        let will_properties = self
            .will
            .as_ref()
            .map(|will| &will.properties)
            .filter(|properties| !properties.is_empty());
        let binary_fields = [
            ("Password", self.password.as_ref().map_or(0, Bytes::len)),
            (
                "Will Payload",
                self.will.as_ref().map_or(0, |will| will.payload.len()),
            ),
        ];
        for (field, len) in binary_fields {
            if len > usize::from(u16::MAX) {
                return Err(EncodeError::BinaryDataTooLong { field, len });
            }
        }
        if has_properties || will_properties.is_some() {
            let binary_properties = [
                ("a binary property", self.properties.longest_binary()),
                (
                    "a binary Will property",
                    will_properties.map_or(0, WillProperties::longest_binary),
                ),
            ];
            for (field, len) in binary_properties {
                if len > usize::from(u16::MAX) {
                    return Err(EncodeError::BinaryDataTooLong { field, len });
                }
            }
            if self.properties.authentication_data.is_some()
                && self.properties.authentication_method.is_none()
            {
                return Err(EncodeError::AuthenticationDataWithoutMethod);
            }
            if let Some(response_topic) =
                will_properties.and_then(|properties| properties.response_topic.as_ref())
            {
                validate_string_topic_name(response_topic)
                    .map_err(EncodeError::InvalidResponseTopic)?;
            }
        }
        if version == ProtocolVersion::V311 {
            // "If the Client supplies a zero-byte ClientId, the Client MUST also set
            // CleanSession to 1" (3.1.1 [MQTT-3.1.3-7]).
            if self.client_id.is_empty() && !self.clean_start {
                return Err(EncodeError::EmptyClientIdWithoutCleanSession);
            }
            if has_properties || will_properties.is_some() {
                return Err(EncodeError::NotInVersion {
                    what: "CONNECT properties",
                    version,
                });
            }
            if self.password.is_some() && self.username.is_none() {
                return Err(EncodeError::PasswordWithoutUserName);
            }
        }
        Ok(())
    }

    // Inlined into the encoder on native targets; on wasm32, built for size, not.
    #[cfg_attr(not(target_arch = "wasm32"), inline(always))]
    pub(crate) fn body_len(&self, version: ProtocolVersion) -> usize {
        let mut len = wire::prefixed_len(PROTOCOL_NAME.len()) + 1 + 1 + 2;
        if version == ProtocolVersion::V5 {
            len += self.properties.wire_len();
        }
        len += wire::prefixed_len(self.client_id.len());
        if let Some(will) = &self.will {
            if version == ProtocolVersion::V5 {
                len += will.properties.wire_len();
            }
            len += wire::prefixed_len(will.topic.len()) + wire::prefixed_len(will.payload.len());
        }
        if let Some(username) = &self.username {
            len += wire::prefixed_len(username.len());
        }
        if let Some(password) = &self.password {
            len += wire::prefixed_len(password.len());
        }
        len
    }

    pub(crate) fn write(
        &self,
        header: FixedHeader,
        version: ProtocolVersion,
        buf: &mut impl BufMut,
    ) {
        let mut flags = 0;
        if self.username.is_some() {
            flags |= flag::USERNAME;
        }
        if self.password.is_some() {
            flags |= flag::PASSWORD;
        }
        if let Some(will) = &self.will {
            flags |= flag::WILL | will.qos.bits() << flag::WILL_QOS_SHIFT;
            if will.retain {
                flags |= flag::WILL_RETAIN;
            }
        }
        if self.clean_start {
            flags |= flag::CLEAN_START;
        }
        // The fixed header, then the Protocol Name "MQTT" with its length, the Protocol Level,
        // the Connect Flags, Keep Alive and (3.1.1) the Client Identifier's length: a fixed
        // layout written in two writes, each write to a buffer checking its capacity.
        header.write_with_u16(PROTOCOL_NAME.len() as u16, buf);
        let [name_0, name_1, name_2, name_3] = *PROTOCOL_NAME;
        let [keep_alive_high, keep_alive_low] = self.keep_alive.to_be_bytes();
        let client_id = self.client_id.as_bytes();
        // Every MqttString is at most 65,535 bytes: its constructors check it.
        let [id_high, id_low] = (client_id.len() as u16).to_be_bytes();
        let fixed = [
            name_0,
            name_1,
            name_2,
            name_3,
            version.level(),
            flags,
            keep_alive_high,
            keep_alive_low,
            id_high,
            id_low,
        ];
        match version {
            ProtocolVersion::V311 => buf.put_slice(&fixed),
            ProtocolVersion::V5 => {
                // The properties come before the Client Identifier.
                buf.put_slice(&fixed[..8]);
                self.properties.write(buf);
                buf.put_slice(&fixed[8..]);
            }
        }
        buf.put_slice(client_id);
        if let Some(will) = &self.will {
            if version == ProtocolVersion::V5 {
                will.properties.write(buf);
            }
            wire::write_string(buf, will.topic.as_mqtt_string());
            wire::write_binary(buf, &will.payload);
        }
        if let Some(username) = &self.username {
            wire::write_string(buf, username);
        }
        if let Some(password) = &self.password {
            wire::write_binary(buf, password);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{MAX_PACKET_SIZE, Packet};
    use ProtocolVersion::{V5, V311};

    fn minimal(client_id: &'static str) -> Connect {
        Connect {
            clean_start: true,
            keep_alive: 60,
            client_id: MqttString::from_static(client_id),
            will: None,
            username: None,
            password: None,
            properties: ConnectProperties::default(),
        }
    }

    fn encode(packet: Connect, version: ProtocolVersion) -> Vec<u8> {
        let packet = Packet::from(packet);
        let mut buf = Vec::new();
        let written = packet.encode(version, MAX_PACKET_SIZE, &mut buf).unwrap();
        assert_eq!(written, buf.len());
        assert_eq!(packet.encoded_len(version), buf.len());
        buf
    }

    fn decode(bytes: &[u8], version: ProtocolVersion) -> Result<Connect, DecodeError> {
        match Packet::decode(&Bytes::copy_from_slice(bytes), version, MAX_PACKET_SIZE)? {
            Some((Packet::Connect(connect), used)) if used == bytes.len() => Ok(connect),
            other => panic!("expected one whole CONNECT, got {other:?}"),
        }
    }

    const V311_MINIMAL: &[u8] = &[
        0x10, 0x0F, // CONNECT, remaining length 15
        0x00, 0x04, b'M', b'Q', b'T', b'T', // protocol name
        0x04, // protocol level 4 = 3.1.1
        0x02, // clean session
        0x00, 0x3C, // keep alive 60 s
        0x00, 0x03, b'l', b'a', b'm', // client identifier "lam"
    ];

    #[test]
    fn encodes_and_decodes_a_minimal_3_1_1_connect() {
        assert_eq!(encode(minimal("lam"), V311), V311_MINIMAL);
        assert_eq!(decode(V311_MINIMAL, V311), Ok(minimal("lam")));
    }

    #[test]
    fn encodes_and_decodes_a_5_0_connect_with_will_credentials_and_properties() {
        let mut connect = minimal("c");
        connect.clean_start = false;
        connect.username = Some(MqttString::from_static("u"));
        connect.password = Some(Bytes::from_static(b"p"));
        connect.properties.session_expiry_interval = Some(3600);
        connect.will = Some(LastWill {
            topic: TopicName::from_static("t"),
            payload: Bytes::from_static(b"x"),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: WillProperties {
                will_delay_interval: Some(5),
                ..Default::default()
            },
        });
        let bytes: &[u8] = &[
            0x10,
            0x25, //
            0x00,
            0x04,
            b'M',
            b'Q',
            b'T',
            b'T',
            0x05,        // MQTT 5.0
            0b1110_1100, // user name, password, will retain, will QoS 1, will
            0x00,
            0x3C, // keep alive
            0x05,
            0x11,
            0x00,
            0x00,
            0x0E,
            0x10, // Session Expiry Interval 3600
            0x00,
            0x01,
            b'c', // client id
            0x05,
            0x18,
            0x00,
            0x00,
            0x00,
            0x05, // Will Delay Interval 5
            0x00,
            0x01,
            b't',
            0x00,
            0x01,
            b'x', // will topic, payload
            0x00,
            0x01,
            b'u',
            0x00,
            0x01,
            b'p', // user name, password
        ];
        assert_eq!(encode(connect.clone(), V5), bytes);
        assert_eq!(decode(bytes, V5), Ok(connect));
    }

    // [MQTT-3.1.2-3]
    #[test]
    fn rejects_connect_with_the_reserved_flag_set() {
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[9] |= 0x01;
        assert_eq!(decode(&bytes, V311), Err(DecodeError::ConnectReservedFlag));
    }

    // [MQTT-3.1.2-11], [MQTT-3.1.2-13]
    #[test]
    fn rejects_will_qos_or_retain_without_a_will() {
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[9] |= 0b0000_1000;
        assert_eq!(decode(&bytes, V311), Err(DecodeError::InvalidWillFlags));
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[9] |= 0b0010_0000;
        assert_eq!(decode(&bytes, V311), Err(DecodeError::InvalidWillFlags));
    }

    // [MQTT-3.1.2-12]; 3.1.1 [MQTT-3.1.2-14]
    #[test]
    fn rejects_a_will_qos_of_3() {
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[9] |= 0b0001_1100;
        assert_eq!(decode(&bytes, V311), Err(DecodeError::InvalidWillFlags));
    }

    // 3.1.1 [MQTT-3.1.2-22]
    #[test]
    fn rejects_a_3_1_1_password_without_a_user_name() {
        let mut connect = minimal("lam");
        connect.password = Some(Bytes::from_static(b"secret"));
        let mut buf = Vec::new();
        assert_eq!(
            Packet::from(connect.clone()).encode(V311, MAX_PACKET_SIZE, &mut buf),
            Err(EncodeError::PasswordWithoutUserName)
        );
        assert!(buf.is_empty());
        // MQTT 5.0 allows it.
        let bytes = encode(connect.clone(), V5);
        assert_eq!(decode(&bytes, V5), Ok(connect));
    }

    // 3.1.1 [MQTT-3.1.3-7], [MQTT-3.1.3-8]
    #[test]
    fn refuses_to_encode_a_3_1_1_empty_client_identifier_without_clean_session() {
        let mut connect = minimal("");
        connect.clean_start = false;
        // It is well-formed, so it decodes: the server must answer it with CONNACK 0x02.
        let bytes = [
            0x10, 0x0C, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x04, 0x00, 0x00, 0x3C, 0x00, 0x00,
        ];
        assert_eq!(decode(&bytes, V311), Ok(connect.clone()));
        assert_eq!(
            Packet::from(connect.clone()).encode(V311, MAX_PACKET_SIZE, &mut Vec::new()),
            Err(EncodeError::EmptyClientIdWithoutCleanSession)
        );
        // MQTT 5.0 lets the server assign an identifier either way.
        assert_eq!(decode(&encode(connect.clone(), V5), V5), Ok(connect));
    }

    #[test]
    fn rejects_authentication_data_without_an_authentication_method() {
        // 5.0 CONNECT with properties: Authentication Data (0x16) of one byte.
        let bytes = [
            0x10, 0x12, 0x00, 0x04, b'M', b'Q', b'T', b'T', 0x05, 0x02, 0x00, 0x3C, //
            0x04, 0x16, 0x00, 0x01, b'x', // properties
            0x00, 0x01, b'c',
        ];
        assert_eq!(
            decode(&bytes, V5),
            Err(DecodeError::AuthenticationDataWithoutMethod)
        );
        let mut connect = minimal("c");
        connect.properties.authentication_data = Some(Bytes::from_static(b"x"));
        assert_eq!(
            Packet::from(connect).encode(V5, MAX_PACKET_SIZE, &mut Vec::new()),
            Err(EncodeError::AuthenticationDataWithoutMethod)
        );
    }

    #[test]
    fn rejects_a_protocol_level_other_than_the_connection_speaks() {
        assert_eq!(
            decode(V311_MINIMAL, V5),
            Err(DecodeError::ProtocolVersionMismatch {
                expected: V5,
                found: 4
            })
        );
    }

    #[test]
    fn rejects_a_protocol_name_other_than_mqtt() {
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[5] = b'X';
        assert_eq!(decode(&bytes, V311), Err(DecodeError::InvalidProtocolName));
    }

    #[test]
    fn refuses_to_encode_a_connect_naming_the_first_rule_it_breaks_and_writes_nothing() {
        let refusal = |connect: &Connect, version| {
            let mut buf = Vec::new();
            let result = Packet::from(connect.clone()).encode(version, MAX_PACKET_SIZE, &mut buf);
            assert!(buf.is_empty());
            result.unwrap_err()
        };
        // A password too long for its length, without a user name on 3.1.1: the length is named.
        let mut connect = minimal("lam");
        connect.password = Some(Bytes::from(vec![0; 65_536]));
        let too_long = |field| EncodeError::BinaryDataTooLong { field, len: 65_536 };
        assert_eq!(refusal(&connect, V311), too_long("Password"));
        connect.password = Some(Bytes::from_static(b"secret"));
        assert_eq!(
            refusal(&connect, V311),
            EncodeError::PasswordWithoutUserName
        );
        connect.password = None;
        connect.will = Some(LastWill {
            topic: TopicName::from_static("t"),
            payload: Bytes::from(vec![0; 65_536]),
            qos: QoS::AtMostOnce,
            retain: false,
            properties: WillProperties::default(),
        });
        assert_eq!(refusal(&connect, V5), too_long("Will Payload"));
        // On 3.1.1, Authentication Data without a method is named before properties themselves.
        let mut connect = minimal("lam");
        connect.properties.authentication_data = Some(Bytes::from_static(b"token"));
        assert_eq!(
            refusal(&connect, V311),
            EncodeError::AuthenticationDataWithoutMethod
        );
        connect.properties.authentication_method = Some(MqttString::from_static("SCRAM"));
        assert_eq!(
            refusal(&connect, V311),
            EncodeError::NotInVersion {
                what: "CONNECT properties",
                version: V311
            }
        );
    }

    // Native targets pass most packets by a shorter path than the checks in turn, which wasm32
    // takes for every packet: both say the same of every packet.
    #[test]
    fn checks_a_connect_as_the_checks_in_turn_do() {
        let long = Bytes::from(vec![0; 65_536]);
        let mut connects = Vec::new();
        for client_id in ["", "lam"] {
            for clean_start in [false, true] {
                for username in [None, Some(MqttString::from_static("u"))] {
                    for password in [None, Some(Bytes::from_static(b"p")), Some(long.clone())] {
                        let mut connect = minimal(client_id);
                        connect.clean_start = clean_start;
                        connect.username = username.clone();
                        connect.password = password;
                        connects.push(connect);
                    }
                }
            }
        }
        let mut connect = minimal("lam");
        for payload in [Bytes::from_static(b"bye"), long] {
            connect.will = Some(LastWill {
                topic: TopicName::from_static("t"),
                payload,
                qos: QoS::AtLeastOnce,
                retain: true,
                properties: WillProperties::default(),
            });
            connects.push(connect.clone());
        }
        if let Some(will) = &mut connect.will {
            will.payload = Bytes::from_static(b"bye");
            will.properties.response_topic = Some(MqttString::from_static("r/#"));
        }
        connects.push(connect.clone());
        connect.will = None;
        connect.properties.authentication_data = Some(Bytes::from_static(b"token"));
        connects.push(connect.clone());
        connect.properties.authentication_method = Some(MqttString::from_static("SCRAM"));
        connects.push(connect);
        for connect in &connects {
            for version in [V311, V5] {
                assert_eq!(
                    connect.check(version),
                    connect.check_in_turn(version),
                    "{connect:?} {version:?}"
                );
            }
        }
    }

    #[test]
    fn refuses_to_encode_properties_on_a_3_1_1_connection() {
        let mut connect = minimal("lam");
        connect.properties.receive_maximum = NonZeroU16::new(10);
        assert_eq!(
            Packet::from(connect).encode(V311, MAX_PACKET_SIZE, &mut Vec::new()),
            Err(EncodeError::NotInVersion {
                what: "CONNECT properties",
                version: V311
            })
        );
    }

    #[test]
    fn rejects_a_client_identifier_longer_than_the_remaining_length() {
        let mut bytes = V311_MINIMAL.to_vec();
        bytes[13] = 0x09;
        assert_eq!(
            decode(&bytes, V311),
            Err(DecodeError::FieldOverrunsPacket {
                field: "Client Identifier"
            })
        );
    }
}
