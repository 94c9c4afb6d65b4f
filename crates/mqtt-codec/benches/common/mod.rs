//! The packets both benchmarks measure, and rumqttc's side of the comparison: rumqttc's
//! packets are made by decoding this codec's bytes, so both sides handle the same packets.

use core::num::NonZeroU16;

use bytes::BytesMut;
use mqtt_codec::{
    Bytes, Connect, LastWill, MAX_PACKET_SIZE, MqttString, Packet, ProtocolVersion, Publish, QoS,
    QosPid, Subscribe, Subscription, SubscriptionOptions, TopicFilter, TopicName, UserProperty,
};
use rumqttc::mqttbytes::v4 as rumqtt_v4;
use rumqttc::v5::mqttbytes::v5 as rumqtt_v5;

/// Packets per decoded buffer.
pub const STREAM: usize = 64;
const MAX: usize = MAX_PACKET_SIZE as usize;

fn publish(payload_len: usize) -> Publish {
    let mut publish = Publish::at_most_once(
        TopicName::from_static("home/living-room/lamp/state"),
        vec![0x5A; payload_len],
    );
    publish.qos = QosPid::AtLeastOnce(NonZeroU16::new(42).unwrap());
    publish
}

fn publish_with_properties() -> Publish {
    let mut publish = publish(32);
    let properties = &mut publish.properties;
    properties.message_expiry_interval = Some(3600);
    properties.content_type = Some(MqttString::from_static("application/json"));
    properties.response_topic = Some(MqttString::from_static("home/living-room/lamp/reply"));
    properties.correlation_data = Some(Bytes::from_static(b"req-0001"));
    properties.user_properties = vec![UserProperty {
        name: MqttString::from_static("source"),
        value: MqttString::from_static("dashboard"),
    }];
    publish
}

fn subscribe() -> Subscribe {
    let filters = [
        "home/+/state",
        "homeassistant/#",
        "zigbee2mqtt/bridge/state",
    ];
    Subscribe {
        packet_id: NonZeroU16::new(7).unwrap(),
        subscriptions: filters
            .iter()
            .map(|filter| Subscription {
                filter: TopicFilter::from_static(filter),
                options: SubscriptionOptions::qos(QoS::AtLeastOnce),
            })
            .collect(),
        properties: Default::default(),
    }
}

fn connect() -> Connect {
    Connect {
        clean_start: true,
        keep_alive: 30,
        client_id: MqttString::from_static("lamplighter-7f3a9c"),
        will: Some(LastWill {
            topic: TopicName::from_static("lamplighter/7f3a9c/status"),
            payload: Bytes::from_static(b"offline"),
            qos: QoS::AtLeastOnce,
            retain: true,
            properties: Default::default(),
        }),
        username: Some(MqttString::from_static("dashboard")),
        password: Some(Bytes::from_static(b"correct horse battery staple")),
        properties: Default::default(),
    }
}

pub fn wire(packet: &Packet, version: ProtocolVersion) -> Vec<u8> {
    let mut wire = Vec::new();
    packet.encode(version, MAX_PACKET_SIZE, &mut wire).unwrap();
    wire
}

// Boxing the larger variant would add an allocation to rumqttc's measured decode.
#[allow(clippy::large_enum_variant)]
pub enum Rumqtt {
    V4(rumqtt_v4::Packet),
    V5(rumqtt_v5::Packet),
}

impl Rumqtt {
    pub fn read(version: ProtocolVersion, buf: &mut BytesMut) -> Rumqtt {
        match version {
            ProtocolVersion::V311 => Rumqtt::V4(rumqtt_v4::Packet::read(buf, MAX).unwrap()),
            ProtocolVersion::V5 => Rumqtt::V5(rumqtt_v5::Packet::read(buf, None).unwrap()),
        }
    }

    pub fn write(&self, buf: &mut BytesMut) -> usize {
        match self {
            Rumqtt::V4(packet) => packet.write(buf, MAX).unwrap(),
            Rumqtt::V5(packet) => packet.write(buf, None).unwrap(),
        }
    }
}

/// The cases, by name: a 32-byte and a 1 KiB QoS 1 PUBLISH, a 5.0 PUBLISH with properties, a
/// SUBSCRIBE of three filters and a CONNECT with a Will and credentials.
pub fn cases() -> Vec<(&'static str, Packet, ProtocolVersion)> {
    use ProtocolVersion::{V5, V311};
    vec![
        ("publish-32B", Packet::Publish(publish(32)), V311),
        ("publish-1KiB", Packet::Publish(publish(1024)), V311),
        (
            "publish-5.0-properties",
            Packet::Publish(publish_with_properties()),
            V5,
        ),
        ("subscribe", Packet::Subscribe(subscribe()), V311),
        ("connect", Packet::from(connect()), V311),
    ]
}

/// `STREAM` copies of the packet's bytes, one after the other, as a receive buffer holds them.
pub fn stream(single: &[u8]) -> Bytes {
    let stream: Vec<u8> = single
        .iter()
        .copied()
        .cycle()
        .take(single.len() * STREAM)
        .collect();
    Bytes::from(stream)
}
