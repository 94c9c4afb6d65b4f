//! How the client connects.

use core::time::Duration;

use bytes::Bytes;
use mqtt_codec::ProtocolVersion;

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
    /// Clean Start (5.0) / Clean Session (3.1.1): begin with no session state.
    pub clean_start: bool,
    pub username: Option<String>,
    pub password: Option<Bytes>,
    /// 5.0: seconds the server keeps the session after the connection closes.
    pub session_expiry_interval: u32,
    /// The largest packet the client accepts, fixed header included; a larger one ends the
    /// connection before it is buffered. Sent to a 5.0 server as Maximum Packet Size.
    pub max_incoming_packet_size: u32,
    /// How long to wait for CONNACK after the transport opens.
    pub connect_timeout: Duration,
    /// How long to wait for PINGRESP after PINGREQ before declaring the connection lost.
    pub pingresp_timeout: Duration,
    /// How many commands may wait for the connection to come up.
    pub max_queued_commands: usize,
}

impl ClientConfig {
    /// MQTT 3.1.1, keep alive 60 s, clean start, no credentials, 1 MiB incoming packets.
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
            max_queued_commands: 64,
        }
    }
}
