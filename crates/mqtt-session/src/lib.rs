//! A sans-IO MQTT client engine: bytes, time and commands in; bytes, one deadline and events
//! out.
//!
//! [`Client`] speaks MQTT 3.1.1 or 5.0 (on [`mqtt_codec`]) without touching a socket, a clock
//! or a random number generator, in the shape of quinn-proto: the driver feeds it inputs
//! (`handle_*`: transport opened, bytes received, transport closed, timeout) and commands
//! (`publish`, `subscribe`, `unsubscribe`, `disconnect`), each with the current [`Instant`],
//! and after each one drains `poll_transmit` and `poll_event` and re-reads `poll_timeout`.
//! The same engine runs in the browser (WebSocket, `performance.now()`, one `setTimeout`),
//! natively (`mqtt-tcp`), and in tests on a virtual clock.
//!
//! It keeps MQTT's delivery promises (see [`Client`]): QoS 1 and 2 messages in flight
//! within the server's Receive Maximum until acknowledged ([`Event::Published`]), resent
//! with DUP after a reconnection that finds the session, re-subscription when it does not,
//! a bounded queue while offline, incoming QoS 2 delivered exactly once. It honours what
//! CONNACK says (Maximum QoS, Retain Available, Maximum Packet Size, Topic Alias Maximum,
//! wildcard, shared and subscription-identifier availability, Server Keep Alive, an
//! assigned client identifier), chooses outgoing Topic Aliases itself, and runs 5.0
//! enhanced authentication through an [`Authenticator`]. [`Client::save`] and
//! [`Client::restore`] carry the whole session across a page reload; [`Backoff`] spaces
//! reconnections. Errors are split by blame: [`UsageError`] (the application's, returned
//! from the call) and [`ProtocolError`] (the server's, which ends the connection).
//!
//! ```
//! use mqtt_codec::{ConnAck, ConnAckProperties, ConnectReasonCode, Packet, ProtocolVersion};
//! use mqtt_session::{Client, ClientConfig, Event, Instant, QoS};
//!
//! let mut client = Client::new(ClientConfig::new("lamplighter"))?;
//! let now = Instant::from_millis(0);
//!
//! // Commands before the connection is up are queued, not lost.
//! client.subscribe(now, &[("home/+/state", QoS::AtMostOnce)])?;
//!
//! client.handle_transport_opened(now);
//! let connect = client.poll_transmit().expect("CONNECT");
//! assert_eq!(connect[0], 0x10);
//!
//! // The server accepts.
//! let connack = ConnAck {
//!     session_present: false,
//!     reason_code: ConnectReasonCode::Success,
//!     properties: ConnAckProperties::default(),
//! };
//! let mut bytes = Vec::new();
//! Packet::ConnAck(connack).encode(ProtocolVersion::V311, u32::MAX, &mut bytes)?;
//! client.handle_bytes_received(now, bytes);
//!
//! assert!(matches!(client.poll_event(), Some(Event::Connected { session_present: false, .. })));
//! let subscribe = client.poll_transmit().expect("the queued SUBSCRIBE");
//! assert_eq!(subscribe[0], 0x82);
//! // Keep alive: the driver's one timer.
//! assert_eq!(client.poll_timeout(), Some(now + std::time::Duration::from_secs(60)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod auth;
mod backoff;
mod client;
mod config;
mod error;
mod event;
mod session;
mod sorted;
mod time;
mod timer;

pub use auth::{AuthRejected, Authenticator};
pub use backoff::Backoff;
pub use bytes::Bytes;
pub use client::{Client, ConnectionState};
pub use config::{ClientConfig, Will};
pub use core::time::Duration;
pub use error::{ProtocolError, UsageError};
pub use event::{DisconnectReason, Event, Message, SubscribeResult, UnsubscribeResult};
pub use mqtt_codec::{
    PacketId, ProtocolVersion, PubAckReasonCode, QoS, RetainHandling, SubscriptionOptions,
};
pub use session::{SESSION_FORMAT, SessionState};
pub use time::Instant;
