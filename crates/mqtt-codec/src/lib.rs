//! MQTT 3.1.1 and 5.0 packets to and from bytes, with no IO, no clock and no randomness.
//!
//! One set of packet types covers both versions: the version is chosen per connection and
//! passed to [`Packet::decode`] and [`Packet::encode`], and the 5.0 additions are typed
//! optional fields (reason codes, `properties` structs) that stay empty on a 3.1.1
//! connection. Decoding is streaming and zero-copy: give it a [`Bytes`] holding any number of
//! whole or partial packets and it returns one packet and the bytes it used, or `Ok(None)` for
//! "need more bytes"; a PUBLISH's topic and payload are slices of that buffer. Everything from
//! the network is validated, and a violation is a [`DecodeError`] naming the rule (with its
//! specification statement id where there is one), never a panic. Encoding writes to the
//! caller's buffer after checking the packet is valid for the version and fits the peer's
//! maximum packet size; [`Packet::encoded_len`] gives the exact size beforehand.
//!
//! ```
//! use bytes::Bytes;
//! use mqtt_codec::{Packet, ProtocolVersion, Publish, TopicName, MAX_PACKET_SIZE};
//!
//! let publish = Publish::at_most_once(TopicName::try_from("home/lamp/set")?, "ON");
//! let mut wire = Vec::new();
//! Packet::Publish(publish.clone()).encode(ProtocolVersion::V311, MAX_PACKET_SIZE, &mut wire)?;
//! assert_eq!(wire[0], 0x30);
//!
//! // Two packets arrive with the start of a third.
//! wire.extend_from_slice(&[0xD0, 0x00, 0x30]);
//! let input = Bytes::from(wire);
//! let (first, used) = Packet::decode(&input, ProtocolVersion::V311, MAX_PACKET_SIZE)?.unwrap();
//! assert_eq!(first, Packet::Publish(publish));
//! let rest = input.slice(used..);
//! let (second, used) = Packet::decode(&rest, ProtocolVersion::V311, MAX_PACKET_SIZE)?.unwrap();
//! assert_eq!(second, Packet::PingResp);
//! // The last byte is only the start of a packet: more bytes are needed, which is no error.
//! assert_eq!(Packet::decode(&rest.slice(used..), ProtocolVersion::V311, MAX_PACKET_SIZE)?, None);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use core::fmt;

pub use bytes::Bytes;

mod ack;
mod auth;
mod connack;
mod connect;
mod disconnect;
mod error;
mod packet;
mod properties;
mod puback;
mod pubcomp;
mod publish;
mod pubrec;
mod pubrel;
mod qos;
mod reason_code;
mod scan;
mod string;
mod suback;
mod subscribe;
mod topic;
mod unsuback;
mod unsubscribe;
mod wire;

pub use auth::{Auth, AuthProperties};
pub use connack::{ConnAck, ConnAckProperties};
pub use connect::{Connect, ConnectProperties, LastWill, WillProperties};
pub use disconnect::{Disconnect, DisconnectProperties};
pub use error::{DecodeError, EncodeError};
pub use packet::{MAX_PACKET_SIZE, Packet, PacketType, packet_len};
pub use properties::{AckProperties, PayloadFormat, PropertyId, SubscriptionId, UserProperty};
pub use puback::PubAck;
pub use pubcomp::PubComp;
pub use publish::{Publish, PublishProperties};
pub use pubrec::PubRec;
pub use pubrel::PubRel;
pub use qos::{PacketId, QoS, QosPid};
pub use reason_code::{
    AuthReasonCode, ConnectReasonCode, DisconnectReasonCode, PubAckReasonCode, PubCompReasonCode,
    SubscribeReasonCode, UnsubscribeReasonCode,
};
pub use string::{MqttString, StringError};
pub use suback::SubAck;
pub use subscribe::{
    RetainHandling, Subscribe, SubscribeProperties, Subscription, SubscriptionOptions,
};
pub use topic::{
    TopicError, TopicFilter, TopicName, topic_matches, validate_topic_filter,
    validate_topic_filter_in, validate_topic_name,
};
pub use unsuback::UnsubAck;
pub use unsubscribe::{Unsubscribe, UnsubscribeProperties};

/// The version of MQTT a connection speaks, fixed by its CONNECT.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProtocolVersion {
    /// MQTT 3.1.1 (protocol level 4).
    V311,
    /// MQTT 5.0 (protocol level 5).
    V5,
}

impl ProtocolVersion {
    /// The Protocol Level byte of CONNECT.
    pub const fn level(self) -> u8 {
        match self {
            ProtocolVersion::V311 => 4,
            ProtocolVersion::V5 => 5,
        }
    }
}

impl fmt::Display for ProtocolVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ProtocolVersion::V311 => "MQTT 3.1.1",
            ProtocolVersion::V5 => "MQTT 5.0",
        })
    }
}

// The README's example is compiled and run with the doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeExample;
