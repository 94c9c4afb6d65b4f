//! Errors split by blame, as h11 does: the application misusing the client
//! ([`UsageError`], returned from the call) and the server breaking the protocol
//! ([`ProtocolError`], which ends the connection and is reported as an event).

use core::fmt;

use mqtt_codec::{
    DecodeError, DisconnectReasonCode, EncodeError, PacketId, PacketType, QoS, StringError,
    TopicError,
};

/// The application asked for something the client cannot do. Nothing was sent or queued.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsageError {
    InvalidTopicName(TopicError),
    InvalidTopicFilter(TopicError),
    /// A client identifier or user name that is not a valid MQTT string.
    InvalidString {
        field: &'static str,
        error: StringError,
    },
    /// Binary data longer than the 65,535 bytes its length prefix allows.
    BinaryDataTooLong {
        field: &'static str,
        len: usize,
    },
    /// Keep alive above 65,535 seconds.
    KeepAliveTooLong,
    /// MQTT 3.1.1 cannot send a password without a user name (3.1.1 [MQTT-3.1.2-22]).
    PasswordWithoutUserName,
    /// SUBSCRIBE and UNSUBSCRIBE need at least one filter.
    NoFilters,
    /// The queue of commands waiting for the connection (or for the server's Receive
    /// Maximum) holds `capacity` commands already.
    QueueFull {
        capacity: usize,
    },
    /// The queue holds `capacity` bytes of topics and payloads already.
    QueueBytesFull {
        capacity: usize,
    },
    /// The application called `disconnect`: there is no session until the transport opens
    /// again.
    NoSession,
    /// All 65,535 packet identifiers are waiting for acknowledgements.
    PacketIdsExhausted,
    /// The server's Maximum QoS (CONNACK, 5.0) is below the QoS of the message
    /// [MQTT-3.2.2-11].
    QoSNotSupported {
        qos: QoS,
        maximum: QoS,
    },
    /// The server does not keep retained messages (Retain Available 0) [MQTT-3.2.2-14].
    RetainNotSupported,
    /// The server does not support wildcard subscriptions (CONNACK Wildcard Subscription Available 0).
    WildcardSubscriptionsNotSupported,
    /// The server does not support shared subscriptions (`$share/...`).
    SharedSubscriptionsNotSupported,
    /// The server does not support Subscription Identifiers.
    SubscriptionIdentifiersNotSupported,
    /// A subscription identifier of 0 or above 268,435,455.
    InvalidSubscriptionId {
        value: u32,
    },
    /// A configuration value out of its range.
    InvalidConfig {
        field: &'static str,
    },
    /// A saved session in a format this version cannot read, or for another client.
    UnsupportedSessionFormat {
        found: u16,
    },
    /// A saved session whose content is not valid (a bad topic, a zero packet id, ...).
    CorruptSession {
        what: &'static str,
    },
    /// The packet cannot be encoded, e.g. it exceeds the server's Maximum Packet Size.
    Encode(EncodeError),
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UsageError::InvalidTopicName(error) => write!(f, "invalid topic name: {error}"),
            UsageError::InvalidTopicFilter(error) => write!(f, "invalid topic filter: {error}"),
            UsageError::InvalidString { field, error } => write!(f, "invalid {field}: {error}"),
            UsageError::BinaryDataTooLong { field, len } => {
                write!(f, "{field} is {len} bytes, over the 65535 MQTT allows")
            }
            UsageError::KeepAliveTooLong => f.write_str("keep alive is at most 65535 seconds"),
            UsageError::PasswordWithoutUserName => {
                f.write_str("MQTT 3.1.1 needs a user name to send a password")
            }
            UsageError::NoFilters => f.write_str("at least one topic filter is needed"),
            UsageError::QueueFull { capacity } => {
                write!(f, "{capacity} commands already wait to be sent")
            }
            UsageError::QueueBytesFull { capacity } => {
                write!(f, "{capacity} bytes of messages already wait to be sent")
            }
            UsageError::NoSession => f.write_str("the client was disconnected by the application"),
            UsageError::PacketIdsExhausted => f.write_str("no packet identifier is free"),
            UsageError::QoSNotSupported { qos, maximum } => {
                write!(f, "the server accepts at most {maximum}, not {qos}")
            }
            UsageError::RetainNotSupported => {
                f.write_str("the server does not support retained messages")
            }
            UsageError::WildcardSubscriptionsNotSupported => {
                f.write_str("the server does not support wildcard subscriptions")
            }
            UsageError::SharedSubscriptionsNotSupported => {
                f.write_str("the server does not support shared subscriptions")
            }
            UsageError::SubscriptionIdentifiersNotSupported => {
                f.write_str("the server does not support subscription identifiers")
            }
            UsageError::InvalidSubscriptionId { value } => {
                write!(f, "subscription identifier {value} is not in 1..=268435455")
            }
            UsageError::InvalidConfig { field } => write!(f, "{field} is out of range"),
            UsageError::UnsupportedSessionFormat { found } => {
                write!(f, "saved session format {found} is not supported")
            }
            UsageError::CorruptSession { what } => write!(f, "saved session is corrupt: {what}"),
            UsageError::Encode(error) => write!(f, "cannot encode: {error}"),
        }
    }
}

impl std::error::Error for UsageError {}

/// The server broke the protocol. The client closes the connection (sending a 5.0
/// DISCONNECT with [`ProtocolError::disconnect_reason`] first) and reports
/// `Event::Disconnected` with this error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ProtocolError {
    /// Bytes that are not a valid packet.
    Malformed(DecodeError),
    /// A packet the server must not send now, or at all (e.g. anything before CONNACK
    /// [MQTT-3.2.0-1], a second CONNACK, a SUBSCRIBE).
    UnexpectedPacket { packet: PacketType },
    /// An acknowledgement for a packet identifier the client is not waiting on.
    UnknownPacketId {
        packet: PacketType,
        packet_id: PacketId,
    },
    /// A SUBACK or UNSUBACK whose reason codes do not match the request's filters one to one.
    ReasonCodeCountMismatch {
        packet: PacketType,
        expected: usize,
        received: usize,
    },
    /// A Topic Alias, which this client never allowed (its Topic Alias Maximum is 0).
    TopicAliasNotAllowed,
    /// A Topic Alias above the client's Topic Alias Maximum [MQTT-3.3.2-9].
    TopicAliasOutOfRange { alias: u16, maximum: u16 },
    /// A PUBLISH with an empty topic and an alias the server never set on this connection.
    UnknownTopicAlias { alias: u16 },
    /// The authenticator refused the server's authentication data.
    AuthenticationRejected { reason: String },
}

impl ProtocolError {
    /// The MQTT 5.0 reason code of the DISCONNECT the client sends over this error.
    pub fn disconnect_reason(&self) -> DisconnectReasonCode {
        match self {
            ProtocolError::Malformed(error) => error.disconnect_reason(),
            ProtocolError::TopicAliasNotAllowed
            | ProtocolError::TopicAliasOutOfRange { .. }
            | ProtocolError::UnknownTopicAlias { .. } => DisconnectReasonCode::TopicAliasInvalid,
            ProtocolError::AuthenticationRejected { .. } => DisconnectReasonCode::NotAuthorized,
            _ => DisconnectReasonCode::ProtocolError,
        }
    }
}

impl fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ProtocolError::Malformed(error) => write!(f, "malformed packet: {error}"),
            ProtocolError::UnexpectedPacket { packet } => {
                write!(f, "unexpected {packet} from the server")
            }
            ProtocolError::UnknownPacketId { packet, packet_id } => {
                write!(
                    f,
                    "{packet} for packet identifier {packet_id}, which is not in flight"
                )
            }
            ProtocolError::ReasonCodeCountMismatch {
                packet,
                expected,
                received,
            } => {
                write!(
                    f,
                    "{packet} carries {received} reason codes for {expected} filters"
                )
            }
            ProtocolError::TopicAliasNotAllowed => {
                f.write_str("Topic Alias received although the client's Topic Alias Maximum is 0")
            }
            ProtocolError::TopicAliasOutOfRange { alias, maximum } => {
                write!(
                    f,
                    "Topic Alias {alias} above the client's maximum of {maximum}"
                )
            }
            ProtocolError::AuthenticationRejected { reason } => {
                write!(f, "the server's authentication was rejected: {reason}")
            }
            ProtocolError::UnknownTopicAlias { alias } => {
                write!(f, "Topic Alias {alias} was never set on this connection")
            }
        }
    }
}

impl std::error::Error for ProtocolError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ProtocolError::Malformed(error) => Some(error),
            _ => None,
        }
    }
}
