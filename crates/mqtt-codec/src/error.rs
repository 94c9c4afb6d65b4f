//! What can be wrong with bytes being decoded, or a packet being encoded.
//!
//! Statement ids (`[MQTT-x.y.z-n]`) differ between the two standards for some rules (UTF-8 is
//! [MQTT-1.5.4-1] in 5.0 and [MQTT-1.5.3-1] in 3.1.1): [`DecodeError::statement_in`] gives the
//! one of a version, and the error's text names both where they differ.

use core::fmt;

use crate::ProtocolVersion;
use crate::packet::PacketType;
use crate::properties::PropertyId;
use crate::reason_code::DisconnectReasonCode;
use crate::topic::TopicError;

/// Why bytes received from the peer are not a valid packet. The connection they came on
/// cannot continue: MQTT requires the receiver to close it.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecodeError {
    /// Packet type 0 (reserved in every version), or 15 (AUTH) in MQTT 3.1.1.
    ReservedPacketType { value: u8 },
    /// The flags of the fixed header are not those the packet type requires [MQTT-2.1.3-1]
    /// (3.1.1 [MQTT-2.2.2-1]).
    InvalidFlags { packet: PacketType, flags: u8 },
    /// A Variable Byte Integer longer than four bytes.
    MalformedVariableByteInteger,
    /// 5.0: a Variable Byte Integer longer than its value needs [MQTT-1.5.5-1].
    NonMinimalVariableByteInteger,
    /// The fixed header announces a packet larger than the receiver accepts. Reported before
    /// the body is buffered.
    PacketTooLarge { size: u64, maximum: u32 },
    /// A length or field inside the packet runs past the end the Remaining Length announced.
    FieldOverrunsPacket { field: &'static str },
    /// Bytes are left in the packet after its last field: a length inside it disagrees with
    /// the Remaining Length.
    TrailingBytes { packet: PacketType, count: usize },
    /// A PUBLISH with both QoS bits set [MQTT-3.3.1-4], or a QoS of 3 elsewhere.
    InvalidQoS { packet: PacketType },
    /// A Packet Identifier of zero where one is required [MQTT-2.2.1-3].
    ZeroPacketId { packet: PacketType },
    /// The DUP flag set on a QoS 0 PUBLISH [MQTT-3.3.1-2].
    DuplicateAtQoS0,
    /// A UTF-8 Encoded String that is not well-formed UTF-8 [MQTT-1.5.4-1].
    InvalidUtf8,
    /// A UTF-8 Encoded String containing U+0000 [MQTT-1.5.4-2].
    NullCharacter,
    /// A PUBLISH Topic Name that breaks the topic rules, e.g. contains a wildcard
    /// [MQTT-3.3.2-2].
    InvalidTopicName(TopicError),
    /// A SUBSCRIBE or UNSUBSCRIBE Topic Filter that breaks the topic rules.
    InvalidTopicFilter(TopicError),
    /// A CONNECT whose Protocol Name is not "MQTT".
    InvalidProtocolName,
    /// A CONNECT whose Protocol Level is not the version this connection speaks.
    ProtocolVersionMismatch {
        expected: ProtocolVersion,
        found: u8,
    },
    /// The reserved bit of the CONNECT flags is set [MQTT-3.1.2-3].
    ConnectReservedFlag,
    /// Will QoS or Will Retain set without the Will Flag [MQTT-3.1.2-11], [MQTT-3.1.2-13],
    /// or a Will QoS of 3 [MQTT-3.1.2-12].
    InvalidWillFlags,
    /// 3.1.1 only: the Password Flag set without the User Name Flag (3.1.1 [MQTT-3.1.2-22]).
    PasswordWithoutUserName,
    /// CONNACK Acknowledge Flags with a reserved bit set [MQTT-3.2.2-1].
    ConnAckReservedFlags { flags: u8 },
    /// A CONNACK refusing the connection while claiming a session is present [MQTT-3.2.2-6].
    SessionPresentOnRefusal,
    /// A reason code (or 3.1.1 return code) not defined for this packet.
    InvalidReasonCode { packet: PacketType, code: u8 },
    /// A SUBSCRIBE with reserved bits of the Subscription Options set [MQTT-3.8.3-5].
    ReservedSubscriptionOptions { options: u8 },
    /// A SUBSCRIBE asking for Retain Handling 3.
    InvalidRetainHandling,
    /// A SUBSCRIBE without any topic filter [MQTT-3.8.3-2].
    EmptySubscribe,
    /// An UNSUBSCRIBE without any topic filter [MQTT-3.10.3-2].
    EmptyUnsubscribe,
    /// A SUBACK or UNSUBACK with no reason code in its payload.
    EmptyAcknowledgement { packet: PacketType },
    /// A property identifier MQTT 5.0 does not define.
    UnknownProperty { id: u32 },
    /// A property MQTT 5.0 does not allow in this packet.
    PropertyNotAllowed {
        property: PropertyId,
        packet: PacketType,
    },
    /// A property that may appear only once, found twice.
    DuplicateProperty { property: PropertyId },
    /// A property whose value is outside what MQTT 5.0 allows (e.g. Receive Maximum of 0).
    InvalidPropertyValue { property: PropertyId },
    /// An AUTH with a body but no Authentication Method (§3.15.2.2.2).
    MissingAuthenticationMethod { packet: PacketType },
    /// A CONNECT with Authentication Data but no Authentication Method (§3.1.2.11.10).
    AuthenticationDataWithoutMethod,
    /// A Response Topic that is not a valid Topic Name [MQTT-3.3.2-14].
    InvalidResponseTopic(TopicError),
    /// A SUBSCRIBE asking for No Local on a Shared Subscription [MQTT-3.8.3-4].
    NoLocalOnSharedSubscription,
    /// A packet only clients send (CONNECT, SUBSCRIBE, UNSUBSCRIBE, PINGREQ), given to
    /// [`Packet::decode_from_server`](crate::Packet::decode_from_server).
    NotSentByServer { packet: PacketType },
}

impl DecodeError {
    /// The MQTT 5.0 specification statement the input violated, where it numbers one (for
    /// the 3.1.1-only password rule, the 3.1.1 statement, marked so).
    pub const fn statement(&self) -> Option<&'static str> {
        match self {
            DecodeError::PasswordWithoutUserName => Some("3.1.1 MQTT-3.1.2-22"),
            other => other.statement_in(ProtocolVersion::V5),
        }
    }

    /// The statement the input violated in the specification of `version`, where it numbers
    /// one.
    pub const fn statement_in(&self, version: ProtocolVersion) -> Option<&'static str> {
        let v5 = matches!(version, ProtocolVersion::V5);
        Some(match self {
            DecodeError::InvalidFlags { .. } if v5 => "MQTT-2.1.3-1",
            DecodeError::InvalidFlags { .. } => "MQTT-2.2.2-1",
            DecodeError::NonMinimalVariableByteInteger if v5 => "MQTT-1.5.5-1",
            DecodeError::InvalidQoS {
                packet: PacketType::Publish,
            } => "MQTT-3.3.1-4",
            // The 3.1.1 statement covers the QoS and the reserved bits together.
            DecodeError::InvalidQoS {
                packet: PacketType::Subscribe,
            } if !v5 => "MQTT-3-8.3-4",
            DecodeError::ZeroPacketId { .. } if v5 => "MQTT-2.2.1-3",
            DecodeError::ZeroPacketId { .. } => "MQTT-2.3.1-1",
            DecodeError::DuplicateAtQoS0 => "MQTT-3.3.1-2",
            DecodeError::InvalidUtf8 if v5 => "MQTT-1.5.4-1",
            DecodeError::InvalidUtf8 => "MQTT-1.5.3-1",
            DecodeError::NullCharacter if v5 => "MQTT-1.5.4-2",
            DecodeError::NullCharacter => "MQTT-1.5.3-2",
            DecodeError::InvalidTopicName(TopicError::WildcardInTopicName) => "MQTT-3.3.2-2",
            DecodeError::InvalidTopicName(error) | DecodeError::InvalidTopicFilter(error) => {
                error.statement_in(version)
            }
            DecodeError::InvalidProtocolName => "MQTT-3.1.2-1",
            DecodeError::ProtocolVersionMismatch { .. } => "MQTT-3.1.2-2",
            DecodeError::ConnectReservedFlag => "MQTT-3.1.2-3",
            // 5.0 splits the rule (-11 QoS, -12 QoS 3, -13 Retain); 3.1.1's -11 states both.
            DecodeError::InvalidWillFlags => "MQTT-3.1.2-11",
            DecodeError::PasswordWithoutUserName if !v5 => "MQTT-3.1.2-22",
            // 3.1.1 states the CONNACK flag rule without an id.
            DecodeError::ConnAckReservedFlags { .. } if v5 => "MQTT-3.2.2-1",
            DecodeError::SessionPresentOnRefusal if v5 => "MQTT-3.2.2-6",
            DecodeError::SessionPresentOnRefusal => "MQTT-3.2.2-4",
            DecodeError::ReservedSubscriptionOptions { .. } if v5 => "MQTT-3.8.3-5",
            DecodeError::ReservedSubscriptionOptions { .. } => "MQTT-3-8.3-4",
            DecodeError::EmptySubscribe if v5 => "MQTT-3.8.3-2",
            DecodeError::EmptySubscribe => "MQTT-3.8.3-3",
            DecodeError::EmptyUnsubscribe => "MQTT-3.10.3-2",
            DecodeError::InvalidReasonCode {
                packet: PacketType::SubAck,
                ..
            } => "MQTT-3.9.3-2",
            DecodeError::InvalidReasonCode {
                packet: PacketType::Auth,
                ..
            } if v5 => "MQTT-3.15.2-1",
            DecodeError::InvalidResponseTopic(_) if v5 => "MQTT-3.3.2-14",
            DecodeError::NoLocalOnSharedSubscription if v5 => "MQTT-3.8.3-4",
            _ => return None,
        })
    }

    /// The MQTT 5.0 reason code a receiver sends in its DISCONNECT when closing the
    /// connection over this error: most are a Malformed Packet, the property rules are a
    /// Protocol Error (MQTT 5.0 §2.2.2.2, §4.13).
    pub const fn disconnect_reason(&self) -> DisconnectReasonCode {
        match self {
            DecodeError::PacketTooLarge { .. } => DisconnectReasonCode::PacketTooLarge,
            // "It is a Protocol Error to include [a property] more than once, or to have a
            // value other than [those allowed]" (§3.x, for each property).
            DecodeError::DuplicateProperty { .. }
            | DecodeError::PropertyNotAllowed { .. }
            | DecodeError::InvalidPropertyValue { .. }
            | DecodeError::InvalidRetainHandling
            | DecodeError::MissingAuthenticationMethod { .. }
            | DecodeError::AuthenticationDataWithoutMethod
            | DecodeError::NoLocalOnSharedSubscription
            | DecodeError::NotSentByServer { .. }
            | DecodeError::ProtocolVersionMismatch { .. } => DisconnectReasonCode::ProtocolError,
            _ => DisconnectReasonCode::MalformedPacket,
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::ReservedPacketType { value } => write!(f, "reserved packet type {value}"),
            DecodeError::InvalidFlags { packet, flags } => {
                write!(f, "invalid fixed header flags {flags:#06b} for {packet}")
            }
            DecodeError::MalformedVariableByteInteger => {
                f.write_str("Variable Byte Integer longer than four bytes")
            }
            DecodeError::NonMinimalVariableByteInteger => {
                f.write_str("Variable Byte Integer longer than its value needs")
            }
            DecodeError::PacketTooLarge { size, maximum } => {
                write!(
                    f,
                    "packet of {size} bytes exceeds the maximum packet size of {maximum}"
                )
            }
            DecodeError::FieldOverrunsPacket { field } => {
                write!(f, "{field} runs past the end of the packet")
            }
            DecodeError::TrailingBytes { packet, count } => {
                write!(f, "{count} bytes left over at the end of {packet}")
            }
            DecodeError::InvalidQoS { packet } => write!(f, "QoS 3 in {packet}"),
            DecodeError::ZeroPacketId { packet } => write!(f, "Packet Identifier 0 in {packet}"),
            DecodeError::DuplicateAtQoS0 => f.write_str("DUP flag set on a QoS 0 PUBLISH"),
            DecodeError::InvalidUtf8 => f.write_str("string is not well-formed UTF-8"),
            DecodeError::NullCharacter => f.write_str("string contains U+0000"),
            DecodeError::InvalidTopicName(error) => write!(f, "invalid topic name: {error}"),
            DecodeError::InvalidTopicFilter(error) => write!(f, "invalid topic filter: {error}"),
            DecodeError::InvalidProtocolName => {
                f.write_str("CONNECT protocol name is not \"MQTT\"")
            }
            DecodeError::ProtocolVersionMismatch { expected, found } => {
                write!(
                    f,
                    "CONNECT protocol level {found}, expected {}",
                    expected.level()
                )
            }
            DecodeError::ConnectReservedFlag => f.write_str("reserved CONNECT flag is set"),
            DecodeError::InvalidWillFlags => {
                f.write_str("Will QoS or Will Retain set without a Will, or Will QoS 3")
            }
            DecodeError::PasswordWithoutUserName => {
                f.write_str("password flag set without user name flag")
            }
            DecodeError::ConnAckReservedFlags { flags } => {
                write!(f, "reserved CONNACK acknowledge flags set: {flags:#010b}")
            }
            DecodeError::SessionPresentOnRefusal => {
                f.write_str("CONNACK refuses the connection but sets Session Present")
            }
            DecodeError::InvalidReasonCode { packet, code } => {
                write!(f, "reason code {code:#04x} is not defined for {packet}")
            }
            DecodeError::ReservedSubscriptionOptions { options } => {
                write!(f, "reserved subscription option bits set: {options:#010b}")
            }
            DecodeError::InvalidRetainHandling => f.write_str("Retain Handling 3 in SUBSCRIBE"),
            DecodeError::EmptySubscribe => f.write_str("SUBSCRIBE without a topic filter"),
            DecodeError::EmptyUnsubscribe => f.write_str("UNSUBSCRIBE without a topic filter"),
            DecodeError::EmptyAcknowledgement { packet } => {
                write!(f, "{packet} without a reason code")
            }
            DecodeError::NotSentByServer { packet } => {
                write!(f, "{packet} from a server: only clients send it")
            }
            DecodeError::UnknownProperty { id } => {
                write!(f, "unknown property identifier {id:#04x}")
            }
            DecodeError::PropertyNotAllowed { property, packet } => {
                write!(f, "property {property} is not allowed in {packet}")
            }
            DecodeError::DuplicateProperty { property } => {
                write!(f, "property {property} appears more than once")
            }
            DecodeError::InvalidPropertyValue { property } => {
                write!(f, "invalid value for property {property}")
            }
            DecodeError::MissingAuthenticationMethod { packet } => {
                write!(f, "{packet} without an Authentication Method")
            }
            DecodeError::AuthenticationDataWithoutMethod => {
                f.write_str("Authentication Data without an Authentication Method")
            }
            DecodeError::InvalidResponseTopic(error) => {
                write!(f, "invalid Response Topic: {error}")
            }
            DecodeError::NoLocalOnSharedSubscription => {
                f.write_str("No Local set on a Shared Subscription")
            }
        }?;
        write_statements(
            f,
            self.statement_in(ProtocolVersion::V5),
            self.statement_in(ProtocolVersion::V311),
        )
    }
}

impl std::error::Error for DecodeError {}

/// Appends the statement ids of both versions: once when they agree, both when they differ.
pub(crate) fn write_statements(
    f: &mut fmt::Formatter<'_>,
    v5: Option<&str>,
    v311: Option<&str>,
) -> fmt::Result {
    match (v5, v311) {
        (Some(v5), Some(v311)) if v5 == v311 => write!(f, " [{v5}]"),
        (Some(v5), Some(v311)) => write!(f, " [{v5}; 3.1.1: {v311}]"),
        (Some(v5), None) => write!(f, " [{v5}]"),
        (None, Some(v311)) => write!(f, " [3.1.1: {v311}]"),
        (None, None) => Ok(()),
    }
}

/// Why a packet cannot be encoded. Nothing has been written to the buffer when this is
/// returned.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum EncodeError {
    /// The encoded packet would exceed the peer's Maximum Packet Size (or the 256 MiB MQTT
    /// limit on the Remaining Length).
    PacketTooLarge { size: u64, maximum: u32 },
    /// Binary Data (a password, a Will payload, correlation data...) over 65,535 bytes.
    BinaryDataTooLong { field: &'static str, len: usize },
    /// The packet uses something this protocol version cannot express: properties, a reason
    /// code or a subscription option of MQTT 5.0 on a 3.1.1 connection.
    NotInVersion {
        what: &'static str,
        version: ProtocolVersion,
    },
    /// A SUBSCRIBE without a topic filter [MQTT-3.8.3-2].
    EmptySubscribe,
    /// An UNSUBSCRIBE without a topic filter [MQTT-3.10.3-2].
    EmptyUnsubscribe,
    /// A SUBACK or UNSUBACK (5.0) without a reason code.
    EmptyAcknowledgement,
    /// A PUBLISH with an empty topic name and no Topic Alias to stand for it.
    EmptyTopicWithoutAlias,
    /// The DUP flag on a QoS 0 PUBLISH [MQTT-3.3.1-2].
    DuplicateAtQoS0,
    /// A refusing CONNACK that claims a session is present [MQTT-3.2.2-6].
    SessionPresentOnRefusal,
    /// 3.1.1 only: a password without a user name (3.1.1 [MQTT-3.1.2-22]).
    PasswordWithoutUserName,
    /// 3.1.1 only: an empty Client Identifier with Clean Session 0 (3.1.1 [MQTT-3.1.3-7]).
    EmptyClientIdWithoutCleanSession,
    /// An AUTH with a body but no Authentication Method (§3.15.2.2.2).
    MissingAuthenticationMethod,
    /// A CONNECT with Authentication Data but no Authentication Method (§3.1.2.11.10).
    AuthenticationDataWithoutMethod,
    /// A Response Topic that is not a valid Topic Name [MQTT-3.3.2-14].
    InvalidResponseTopic(TopicError),
    /// A topic filter MQTT 5.0 refuses, such as a malformed Shared Subscription [MQTT-4.8.2-1].
    InvalidTopicFilter(TopicError),
    /// No Local on a Shared Subscription [MQTT-3.8.3-4].
    NoLocalOnSharedSubscription,
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::PacketTooLarge { size, maximum } => {
                write!(
                    f,
                    "packet of {size} bytes exceeds the maximum packet size of {maximum}"
                )
            }
            EncodeError::BinaryDataTooLong { field, len } => {
                write!(
                    f,
                    "{field} is {len} bytes, over the 65535 a length prefix allows"
                )
            }
            EncodeError::NotInVersion { what, version } => {
                write!(f, "{what} cannot be expressed in {version}")
            }
            EncodeError::EmptySubscribe => {
                f.write_str("SUBSCRIBE needs at least one topic filter [MQTT-3.8.3-2]")
            }
            EncodeError::EmptyUnsubscribe => {
                f.write_str("UNSUBSCRIBE needs at least one topic filter [MQTT-3.10.3-2]")
            }
            EncodeError::EmptyAcknowledgement => {
                f.write_str("SUBACK and UNSUBACK need at least one reason code")
            }
            EncodeError::EmptyTopicWithoutAlias => {
                f.write_str("an empty topic name needs a Topic Alias")
            }
            EncodeError::DuplicateAtQoS0 => {
                f.write_str("DUP must be 0 on a QoS 0 PUBLISH [MQTT-3.3.1-2]")
            }
            EncodeError::SessionPresentOnRefusal => {
                f.write_str("a refusing CONNACK must not set Session Present [MQTT-3.2.2-6]")
            }
            EncodeError::PasswordWithoutUserName => {
                f.write_str("MQTT 3.1.1 needs a user name to send a password [MQTT-3.1.2-22]")
            }
            EncodeError::EmptyClientIdWithoutCleanSession => f.write_str(
                "MQTT 3.1.1 needs Clean Session with an empty Client Identifier [MQTT-3.1.3-7]",
            ),
            EncodeError::MissingAuthenticationMethod => {
                f.write_str("an AUTH with a body needs an Authentication Method")
            }
            EncodeError::AuthenticationDataWithoutMethod => {
                f.write_str("Authentication Data needs an Authentication Method")
            }
            EncodeError::InvalidResponseTopic(error) => {
                write!(f, "invalid Response Topic: {error} [MQTT-3.3.2-14]")
            }
            EncodeError::InvalidTopicFilter(error) => write!(f, "invalid topic filter: {error}"),
            EncodeError::NoLocalOnSharedSubscription => {
                f.write_str("No Local must not be set on a Shared Subscription [MQTT-3.8.3-4]")
            }
        }
    }
}

impl std::error::Error for EncodeError {}
