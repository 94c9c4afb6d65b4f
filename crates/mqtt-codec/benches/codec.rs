//! Encode and decode throughput, side by side with rumqttc's `mqttbytes` in the same run.
//!
//! Run with `cargo bench -p mqtt-codec --bench codec`. Each case is one criterion group with
//! two functions, `mqtt-codec` and `rumqttc`, over the same bytes: rumqttc's packets are made
//! by decoding what this codec encoded, so both sides encode and decode identical packets.
//!
//! Decoding reads a buffer holding `STREAM` copies of the packet one after the other, as a
//! connection's receive buffer does; rumqttc's decoder consumes a `BytesMut`, so its buffer is
//! copied in the untimed setup. Encoding writes one packet into a cleared, pre-allocated
//! buffer.

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use core::hint::black_box;
    use core::num::NonZeroU16;

    use bytes::{Buf, BytesMut};
    use criterion::{BatchSize, Criterion, Throughput, criterion_group};
    use mqtt_codec::{
        Bytes, Connect, LastWill, MAX_PACKET_SIZE, MqttString, Packet, ProtocolVersion, Publish,
        QoS, QosPid, Subscribe, Subscription, SubscriptionOptions, TopicFilter, TopicName,
        UserProperty,
    };
    use rumqttc::mqttbytes::v4 as rumqtt_v4;
    use rumqttc::v5::mqttbytes::v5 as rumqtt_v5;

    /// Packets per decoded buffer.
    const STREAM: usize = 64;
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

    fn wire(packet: &Packet, version: ProtocolVersion) -> Vec<u8> {
        let mut wire = Vec::new();
        packet.encode(version, MAX_PACKET_SIZE, &mut wire).unwrap();
        wire
    }

    // Boxing the larger variant would add an allocation to rumqttc's measured decode.
    #[allow(clippy::large_enum_variant)]
    enum Rumqtt {
        V4(rumqtt_v4::Packet),
        V5(rumqtt_v5::Packet),
    }

    impl Rumqtt {
        fn read(version: ProtocolVersion, buf: &mut BytesMut) -> Rumqtt {
            match version {
                ProtocolVersion::V311 => Rumqtt::V4(rumqtt_v4::Packet::read(buf, MAX).unwrap()),
                ProtocolVersion::V5 => Rumqtt::V5(rumqtt_v5::Packet::read(buf, None).unwrap()),
            }
        }

        fn write(&self, buf: &mut BytesMut) -> usize {
            match self {
                Rumqtt::V4(packet) => packet.write(buf, MAX).unwrap(),
                Rumqtt::V5(packet) => packet.write(buf, None).unwrap(),
            }
        }
    }

    fn case(c: &mut Criterion, name: &str, packet: Packet, version: ProtocolVersion) {
        let single = wire(&packet, version);
        let rumqtt = Rumqtt::read(version, &mut BytesMut::from(&single[..]));
        let mut check = BytesMut::new();
        rumqtt.write(&mut check);
        // Same packet on both sides: same size (5.0 properties may come in another order).
        assert_eq!(
            check.len(),
            single.len(),
            "{name}: rumqttc re-encodes differently"
        );

        let stream: Vec<u8> = single
            .iter()
            .copied()
            .cycle()
            .take(single.len() * STREAM)
            .collect();
        let stream = Bytes::from(stream);

        let mut group = c.benchmark_group(format!("decode/{name}"));
        group.throughput(Throughput::Elements(STREAM as u64));
        group.bench_function("mqtt-codec", |b| {
            b.iter_batched(
                || stream.clone(),
                |mut input| {
                    while let Ok(Some((packet, used))) =
                        Packet::decode(&input, version, MAX_PACKET_SIZE)
                    {
                        black_box(packet);
                        input.advance(used);
                    }
                    input
                },
                BatchSize::SmallInput,
            )
        });
        group.bench_function("rumqttc", |b| {
            b.iter_batched(
                || BytesMut::from(&stream[..]),
                |mut input| {
                    while !input.is_empty() {
                        black_box(Rumqtt::read(version, &mut input));
                    }
                    input
                },
                BatchSize::SmallInput,
            )
        });
        group.finish();

        let mut group = c.benchmark_group(format!("encode/{name}"));
        group.throughput(Throughput::Elements(1));
        let mut buf = BytesMut::with_capacity(single.len() * 2);
        group.bench_function("mqtt-codec", |b| {
            b.iter(|| {
                buf.clear();
                black_box(&packet)
                    .encode(version, MAX_PACKET_SIZE, &mut buf)
                    .unwrap()
            })
        });
        group.bench_function("rumqttc", |b| {
            b.iter(|| {
                buf.clear();
                black_box(&rumqtt).write(&mut buf)
            })
        });
        group.finish();
    }

    fn benches(c: &mut Criterion) {
        use ProtocolVersion::{V5, V311};
        case(c, "publish-32B", Packet::Publish(publish(32)), V311);
        case(c, "publish-1KiB", Packet::Publish(publish(1024)), V311);
        case(
            c,
            "publish-5.0-properties",
            Packet::Publish(publish_with_properties()),
            V5,
        );
        case(c, "subscribe", Packet::Subscribe(subscribe()), V311);
        case(c, "connect", Packet::from(connect()), V311);
    }

    criterion_group!(codec, benches);

    /// What `criterion_main!` expands to, public so the crate's `main` can call it.
    pub fn main() {
        codec();
        Criterion::default().configure_from_args().final_summary();
    }
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    native::main();
}

// `harness = false` needs a `main` on every target; there is nothing to measure on wasm32.
#[cfg(target_arch = "wasm32")]
fn main() {}
