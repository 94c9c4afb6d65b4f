//! What the client tells the application.

use core::fmt;
use core::time::Duration;

use bytes::Bytes;
use mqtt_codec::{
    ConnAckProperties, ConnectReasonCode, DisconnectReasonCode, MqttString, PacketId,
    PubAckReasonCode, PublishProperties, QoS, SubscribeReasonCode, TopicFilter, TopicName,
    UnsubscribeReasonCode,
};

use crate::error::{ProtocolError, UsageError};

/// An application event, from [`Client::poll_event`](crate::Client::poll_event).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Event {
    /// The server accepted the connection. Queued commands have been sent.
    Connected {
        /// Whether the server resumed a session it held for this client.
        session_present: bool,
        /// The identifier the server assigned (5.0), which the client now uses.
        assigned_client_id: Option<MqttString>,
        /// The keep alive in force: the configured one, or the server's (5.0).
        keep_alive: Duration,
        /// Everything else the 5.0 CONNACK said (limits, availability, reason string).
        properties: Box<ConnAckProperties>,
    },
    /// A message arrived on a subscription.
    Message(Message),
    /// The server finished with a QoS 1 or 2 message from
    /// [`Client::publish`](crate::Client::publish): PUBACK (QoS 1) or PUBCOMP (QoS 2), or
    /// refused it with a 5.0 reason code in PUBACK or PUBREC.
    Published {
        packet_id: PacketId,
        outcome: Result<(), PubAckReasonCode>,
    },
    /// The server answered a [`Client::subscribe`](crate::Client::subscribe).
    Subscribed {
        packet_id: PacketId,
        results: Vec<SubscribeResult>,
    },
    /// The server answered a [`Client::unsubscribe`](crate::Client::unsubscribe).
    Unsubscribed {
        packet_id: PacketId,
        results: Vec<UnsubscribeResult>,
    },
    /// A command queued before the connection came up could not be sent after all.
    CommandDropped {
        packet_id: Option<PacketId>,
        error: UsageError,
    },
    /// The server completed a re-authentication the client started (5.0 AUTH).
    Reauthenticated,
    /// The connection is over. Send what `poll_transmit` still returns, then close the
    /// transport (if it is not closed already).
    Disconnected { reason: DisconnectReason },
}

/// An application message received from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub topic: TopicName,
    /// A slice of the received bytes, not a copy.
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    /// The server may have delivered it before (QoS 1 and 2).
    pub dup: bool,
    /// 5.0 properties: content type, user properties, subscription identifiers...
    pub properties: PublishProperties,
}

/// The outcome of one filter of a SUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscribeResult {
    pub filter: TopicFilter,
    /// The QoS granted, or why the server refused.
    pub outcome: Result<QoS, SubscribeReasonCode>,
}

/// The outcome of one filter of an UNSUBSCRIBE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsubscribeResult {
    pub filter: TopicFilter,
    /// 5.0 only: what the server reported. 3.1.1's UNSUBACK says nothing per filter.
    pub reason_code: Option<UnsubscribeReasonCode>,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DisconnectReason {
    /// The transport closed under the client.
    TransportClosed,
    /// The server refused the connection in its CONNACK.
    ConnectionRefused {
        reason_code: ConnectReasonCode,
        reason_string: Option<MqttString>,
    },
    /// No CONNACK came within the connect timeout.
    ConnectTimeout,
    /// No PINGRESP came within the timeout after PINGREQ: the connection is lost.
    KeepAliveTimeout,
    /// The server sent DISCONNECT (5.0).
    ServerDisconnected {
        reason_code: DisconnectReasonCode,
        reason_string: Option<MqttString>,
    },
    /// The server broke the protocol.
    ProtocolError(ProtocolError),
    /// The application called [`Client::disconnect`](crate::Client::disconnect).
    ClientDisconnected,
}

impl fmt::Display for DisconnectReason {
    /// Short words for a status line, e.g. "connection lost" or "refused by the broker
    /// (NotAuthorized (0x87))".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::TransportClosed => f.write_str("connection lost"),
            DisconnectReason::ConnectionRefused {
                reason_code,
                reason_string,
            } => {
                write!(f, "refused by the broker ({reason_code})")?;
                match reason_string {
                    Some(text) => write!(f, ": {}", text.as_str()),
                    None => Ok(()),
                }
            }
            DisconnectReason::ConnectTimeout => f.write_str("no answer from the broker"),
            DisconnectReason::KeepAliveTimeout => f.write_str("the broker stopped answering"),
            DisconnectReason::ServerDisconnected {
                reason_code,
                reason_string,
            } => {
                write!(f, "disconnected by the broker ({reason_code})")?;
                match reason_string {
                    Some(text) => write!(f, ": {}", text.as_str()),
                    None => Ok(()),
                }
            }
            DisconnectReason::ProtocolError(error) => write!(f, "broker protocol error: {error}"),
            DisconnectReason::ClientDisconnected => f.write_str("disconnected"),
        }
    }
}
