//! How the client connects.

use core::time::Duration;

use bytes::Bytes;
use mqtt_codec::{ProtocolVersion, QoS};

/// The settings of a [`Client`](crate::Client). Start from [`ClientConfig::new`] and change
/// the fields you need; [`Client::new`](crate::Client::new) checks them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientConfig {
    /// MQTT 3.1.1 or 5.0, for every connection of this client.
    pub protocol_version: ProtocolVersion,
    /// May be empty: the server then assigns one (5.0 reports it; 3.1.1 requires
    /// `clean_start`).
    pub client_id: String,
    /// The longest the client stays silent before sending PINGREQ. Whole seconds, at most
    /// 65,535; zero turns keep alive off. A 5.0 server may impose its own.
    pub keep_alive: Duration,
    /// Clean Start (5.0) / Clean Session (3.1.1), sent on every connection: begin with no
    /// session state on the server.
    pub clean_start: bool,
    pub username: Option<String>,
    pub password: Option<Bytes>,
    /// 5.0: seconds the server keeps the session after the connection closes
    /// (`u32::MAX`: for ever). 3.1.1 keeps a session without Clean Session for ever.
    pub session_expiry_interval: u32,
    /// The largest packet the client accepts, fixed header included; a larger one ends the
    /// connection before it is buffered. Sent to a 5.0 server as Maximum Packet Size.
    pub max_incoming_packet_size: u32,
    /// How long to wait for CONNACK after the transport opens.
    pub connect_timeout: Duration,
    /// How long to wait for PINGRESP after PINGREQ before declaring the connection lost.
    pub pingresp_timeout: Duration,
    /// Send PINGREQ after this long without sending, when that is sooner than the keep alive.
    /// For drivers whose timers may fire late: a browser tab in the background runs its
    /// timers about once a minute, so pinging at half a 60 s keep alive still reaches the
    /// server before it gives up at one and a half times the keep alive.
    pub ping_interval: Option<Duration>,
    /// How many commands may wait in the queue: while offline, before CONNACK, or while the
    /// server's Receive Maximum is used up. At most 65,535 (each may hold a packet id).
    pub max_queued_commands: usize,
    /// How many bytes of topics and payloads the queue may hold.
    pub max_queued_bytes: usize,
    /// The most QoS 1 and 2 PUBLISHes awaiting acknowledgement at once; a 5.0 server's
    /// Receive Maximum lowers it further.
    pub max_inflight: u16,
    /// 5.0: how many Topic Aliases the server may use towards the client (0: none).
    pub topic_alias_maximum: u16,
    /// 5.0: how many QoS 1 and 2 messages the server may have in flight to the client at once
    /// (Receive Maximum). `None` leaves the protocol's default, 65,535.
    pub receive_maximum: Option<core::num::NonZeroU16>,
    /// 5.0: User Properties sent with CONNECT, as (name, value).
    pub user_properties: Vec<(String, String)>,
    /// The Will Message the server publishes if the connection ends without DISCONNECT.
    pub will: Option<Will>,
}

/// A Will Message (Last Will and Testament).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    pub topic: String,
    pub payload: Bytes,
    pub qos: QoS,
    pub retain: bool,
    /// 5.0: seconds the server waits after the connection ends before publishing it.
    pub delay_interval: u32,
}

impl Will {
    pub fn new(
        topic: impl Into<String>,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Self {
        Will {
            topic: topic.into(),
            payload: payload.into(),
            qos,
            retain,
            delay_interval: 0,
        }
    }
}

impl ClientConfig {
    /// MQTT 3.1.1, keep alive 60 s, clean start, no credentials, 1 MiB incoming packets, a
    /// queue of 1,000 commands and 1 MiB, 100 messages in flight, no Will.
    pub fn new(client_id: impl Into<String>) -> Self {
        ClientConfig {
            protocol_version: ProtocolVersion::V311,
            client_id: client_id.into(),
            keep_alive: Duration::from_secs(60),
            clean_start: true,
            username: None,
            password: None,
            session_expiry_interval: 0,
            max_incoming_packet_size: 1024 * 1024,
            connect_timeout: Duration::from_secs(20),
            pingresp_timeout: Duration::from_secs(10),
            ping_interval: None,
            max_queued_commands: 1000,
            max_queued_bytes: 1024 * 1024,
            max_inflight: 100,
            topic_alias_maximum: 0,
            receive_maximum: None,
            user_properties: Vec::new(),
            will: None,
        }
    }
}
