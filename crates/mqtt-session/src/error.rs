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
    /// The queue of commands waiting for the connection is full.
    QueueFull {
        capacity: usize,
    },
    /// The application called `disconnect`: there is no session until the transport opens
    /// again.
    NoSession,
    /// All 65,535 packet identifiers are waiting for acknowledgements.
    PacketIdsExhausted,
    /// Not supported by this version of the engine (publishing at QoS 1 or 2).
    QoSNotSupported {
        qos: QoS,
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
                write!(f, "{capacity} commands already wait for the connection")
            }
            UsageError::NoSession => f.write_str("the client was disconnected by the application"),
            UsageError::PacketIdsExhausted => f.write_str("no packet identifier is free"),
            UsageError::QoSNotSupported { qos } => {
                write!(f, "publishing at {qos} is not supported yet")
            }
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
}

impl ProtocolError {
    /// The MQTT 5.0 reason code of the DISCONNECT the client sends over this error.
    pub fn disconnect_reason(&self) -> DisconnectReasonCode {
        match self {
            ProtocolError::Malformed(error) => error.disconnect_reason(),
            ProtocolError::TopicAliasNotAllowed => DisconnectReasonCode::TopicAliasInvalid,
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
