//! Property-based round trip: every packet the codec accepts to encode, for either version,
//! decodes back to itself from exactly the bytes `encoded_len` announced, and decodes the same
//! however the bytes are split on the way in.
#![cfg(not(target_arch = "wasm32"))]

use core::num::{NonZeroU16, NonZeroU32};

use mqtt_codec::*;
use proptest::collection::vec;
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;

/// Generates a "valid by construction" value: the strategies below only build what the
/// specification allows for `version`, so a failure is always the codec's.
type Version = ProtocolVersion;

fn text() -> impl Strategy<Value = MqttString> {
    // ASCII, a two-byte, a three-byte and a four-byte character, and the byte order mark.
    "[a-zA-Z0-9 é☃🏠\u{FEFF}/_-]{0,12}".prop_map(|s| MqttString::try_from(s).unwrap())
}

fn binary() -> impl Strategy<Value = Bytes> {
    vec(any::<u8>(), 0..24).prop_map(Bytes::from)
}

fn topic_name() -> impl Strategy<Value = TopicName> {
    vec("[a-z0-9$ é]{0,5}", 1..4)
        .prop_map(|levels| levels.join("/"))
        .prop_filter_map("empty topic", |topic| {
            TopicName::try_from(topic.as_str()).ok()
        })
}

fn topic_filter(version: Version) -> impl Strategy<Value = TopicFilter> {
    let level = prop_oneof![3 => "[a-z0-9$]{0,4}", 1 => Just("+".to_owned())];
    let shared = match version {
        Version::V5 => of("[a-z0-9]{1,4}").boxed(),
        Version::V311 => Just(None).boxed(),
    };
    (vec(level, 1..4), any::<bool>(), shared).prop_filter_map(
        "not a filter",
        |(mut levels, multi, share)| {
            if multi {
                levels.push("#".to_owned());
            }
            let mut filter = levels.join("/");
            if let Some(share) = share {
                filter = format!("$share/{share}/{filter}");
            }
            TopicFilter::try_from(filter.as_str()).ok()
        },
    )
}

fn user_properties() -> impl Strategy<Value = Vec<UserProperty>> {
    vec(
        (text(), text()).prop_map(|(name, value)| UserProperty { name, value }),
        0..3,
    )
}

fn nonzero_u16() -> impl Strategy<Value = NonZeroU16> {
    (1..=u16::MAX).prop_map(|v| NonZeroU16::new(v).unwrap())
}

fn nonzero_u32() -> impl Strategy<Value = NonZeroU32> {
    (1..=u32::MAX).prop_map(|v| NonZeroU32::new(v).unwrap())
}

fn qos() -> impl Strategy<Value = QoS> {
    select(vec![QoS::AtMostOnce, QoS::AtLeastOnce, QoS::ExactlyOnce])
}

fn packet_id() -> impl Strategy<Value = PacketId> {
    nonzero_u16()
}

fn payload_format() -> impl Strategy<Value = PayloadFormat> {
    select(vec![PayloadFormat::Unspecified, PayloadFormat::Utf8])
}

fn subscription_id() -> impl Strategy<Value = SubscriptionId> {
    prop_oneof![1u32..200, 1u32..=268_435_455].prop_map(|v| SubscriptionId::new(v).unwrap())
}

/// Every code `from_u8` accepts, so new codes are covered without listing them here.
fn codes<T: Clone + core::fmt::Debug + 'static>(from_u8: fn(u8) -> Option<T>) -> Vec<T> {
    (0..=u8::MAX).filter_map(from_u8).collect()
}

/// Properties only on a 5.0 connection: on 3.1.1 the default (empty) set.
fn v5_only<T: Default + core::fmt::Debug + Clone + 'static>(
    version: Version,
    strategy: impl Strategy<Value = T> + 'static,
) -> BoxedStrategy<T> {
    match version {
        Version::V5 => strategy.boxed(),
        Version::V311 => Just(T::default()).boxed(),
    }
}

fn ack_properties(version: Version) -> BoxedStrategy<AckProperties> {
    v5_only(
        version,
        (of(text()), user_properties()).prop_map(|(reason_string, user_properties)| {
            AckProperties {
                reason_string,
                user_properties,
            }
        }),
    )
}

fn connect(version: Version) -> impl Strategy<Value = Connect> {
    let properties = v5_only(
        version,
        (
            (of(any::<u32>()), of(nonzero_u16()), of(nonzero_u32())),
            (of(any::<u16>()), of(any::<bool>()), of(any::<bool>())),
            (user_properties(), of(text()), of(binary())),
        )
            .prop_map(
                |((a, b, c), (d, e, f), (g, method, data))| ConnectProperties {
                    session_expiry_interval: a,
                    receive_maximum: b,
                    maximum_packet_size: c,
                    topic_alias_maximum: d,
                    request_response_information: e,
                    request_problem_information: f,
                    user_properties: g,
                    // Authentication Data needs an Authentication Method.
                    authentication_data: method.as_ref().and(data),
                    authentication_method: method,
                },
            ),
    );
    let will_properties = v5_only(
        version,
        (
            (of(any::<u32>()), of(payload_format()), of(any::<u32>())),
            (
                of(text()),
                of(topic_name()),
                of(binary()),
                user_properties(),
            ),
        )
            .prop_map(|((a, b, c), (d, e, f, g))| WillProperties {
                will_delay_interval: a,
                payload_format: b,
                message_expiry_interval: c,
                content_type: d,
                response_topic: e.map(|topic| topic.as_mqtt_string().clone()),
                correlation_data: f,
                user_properties: g,
            }),
    );
    let will = (
        topic_name(),
        binary(),
        qos(),
        any::<bool>(),
        will_properties,
    )
        .prop_map(|(topic, payload, qos, retain, properties)| LastWill {
            topic,
            payload,
            qos,
            retain,
            properties,
        });
    (
        (any::<bool>(), any::<u16>(), text()),
        (of(will), of(text()), of(binary())),
        properties,
    )
        .prop_map(
            move |(
                (clean_start, keep_alive, client_id),
                (will, username, password),
                properties,
            )| {
                let v311 = version == Version::V311;
                Connect {
                    // 3.1.1: an empty client id needs Clean Session [MQTT-3.1.3-7].
                    clean_start: clean_start || (v311 && client_id.is_empty()),
                    keep_alive,
                    client_id,
                    will,
                    // 3.1.1: a password needs a user name [MQTT-3.1.2-22].
                    password: if v311 {
                        username.as_ref().and(password)
                    } else {
                        password
                    },
                    username,
                    properties,
                }
            },
        )
}

fn connack(version: Version) -> impl Strategy<Value = ConnAck> {
    let reason_codes = match version {
        Version::V5 => codes(ConnectReasonCode::from_u8),
        Version::V311 => codes(ConnectReasonCode::from_v3_return_code),
    };
    let properties = v5_only(
        version,
        (
            (
                of(any::<u32>()),
                of(nonzero_u16()),
                of(select(vec![QoS::AtMostOnce, QoS::AtLeastOnce])),
            ),
            (
                of(any::<bool>()),
                of(nonzero_u32()),
                of(text()),
                of(any::<u16>()),
            ),
            (
                of(text()),
                user_properties(),
                of(any::<bool>()),
                of(any::<bool>()),
            ),
            (of(any::<bool>()), of(any::<u16>()), of(text()), of(text())),
            (of(text()), of(binary())),
        )
            .prop_map(
                |((a, b, c), (d, e, f, g), (h, i, j, k), (l, m, n, o), (p, q))| ConnAckProperties {
                    session_expiry_interval: a,
                    receive_maximum: b,
                    maximum_qos: c,
                    retain_available: d,
                    maximum_packet_size: e,
                    assigned_client_identifier: f,
                    topic_alias_maximum: g,
                    reason_string: h,
                    user_properties: i,
                    wildcard_subscription_available: j,
                    subscription_identifiers_available: k,
                    shared_subscription_available: l,
                    server_keep_alive: m,
                    response_information: n,
                    server_reference: o,
                    authentication_method: p,
                    authentication_data: q,
                },
            ),
    );
    (any::<bool>(), select(reason_codes), properties).prop_map(
        |(session_present, reason_code, properties)| ConnAck {
            // [MQTT-3.2.2-6]: a refusal never claims a session.
            session_present: session_present && reason_code.is_success(),
            reason_code,
            properties,
        },
    )
}

fn publish(version: Version) -> impl Strategy<Value = Publish> {
    let properties = v5_only(
        version,
        (
            (of(payload_format()), of(any::<u32>()), of(nonzero_u16())),
            (of(topic_name()), of(binary()), user_properties()),
            (vec(subscription_id(), 0..3), of(text())),
        )
            .prop_map(|((a, b, c), (d, e, f), (g, h))| PublishProperties {
                payload_format: a,
                message_expiry_interval: b,
                topic_alias: c,
                response_topic: d.map(|topic| topic.as_mqtt_string().clone()),
                correlation_data: e,
                user_properties: f,
                subscription_identifiers: g,
                content_type: h,
            }),
    );
    let qos = prop_oneof![
        Just(QosPid::AtMostOnce),
        packet_id().prop_map(QosPid::AtLeastOnce),
        packet_id().prop_map(QosPid::ExactlyOnce),
    ];
    (
        (any::<bool>(), qos, any::<bool>()),
        (topic_name(), any::<bool>(), vec(any::<u8>(), 0..64)),
        properties,
    )
        .prop_map(
            |((dup, qos, retain), (topic, drop_topic, payload), properties)| {
                // With a Topic Alias the topic name may be left empty (5.0 §3.3.2.3.4).
                let topic = if drop_topic && properties.topic_alias.is_some() {
                    TopicName::empty_for_alias()
                } else {
                    topic
                };
                Publish {
                    // [MQTT-3.3.1-2]: DUP only above QoS 0.
                    dup: dup && qos != QosPid::AtMostOnce,
                    qos,
                    retain,
                    topic,
                    payload: Bytes::from(payload),
                    properties,
                }
            },
        )
}

macro_rules! ack_strategy {
    ($name:ident, $packet:ident, $reason:ident) => {
        fn $name(version: Version) -> impl Strategy<Value = $packet> {
            let reason_codes = match version {
                Version::V5 => codes($reason::from_u8),
                Version::V311 => vec![$reason::from_u8(0).unwrap()],
            };
            (packet_id(), select(reason_codes), ack_properties(version)).prop_map(
                |(packet_id, reason_code, properties)| $packet {
                    packet_id,
                    reason_code,
                    properties,
                },
            )
        }
    };
}

ack_strategy!(puback, PubAck, PubAckReasonCode);
ack_strategy!(pubrec, PubRec, PubAckReasonCode);
ack_strategy!(pubrel, PubRel, PubCompReasonCode);
ack_strategy!(pubcomp, PubComp, PubCompReasonCode);

fn subscribe(version: Version) -> impl Strategy<Value = Subscribe> {
    let retain_handling = select(vec![
        RetainHandling::SendAtSubscribe,
        RetainHandling::SendAtNewSubscribe,
        RetainHandling::DoNotSend,
    ]);
    let subscription = (
        topic_filter(version),
        qos(),
        any::<bool>(),
        any::<bool>(),
        retain_handling,
    )
        .prop_map(
            move |(filter, maximum_qos, no_local, retain_as_published, retain_handling)| {
                let options = match version {
                    Version::V311 => SubscriptionOptions::qos(maximum_qos),
                    Version::V5 => SubscriptionOptions {
                        maximum_qos,
                        // [MQTT-3.8.3-4]: never No Local on a Shared Subscription.
                        no_local: no_local && filter.share_name().is_none(),
                        retain_as_published,
                        retain_handling,
                    },
                };
                Subscription { filter, options }
            },
        );
    let properties = v5_only(
        version,
        (of(subscription_id()), user_properties()).prop_map(
            |(subscription_identifier, user_properties)| SubscribeProperties {
                subscription_identifier,
                user_properties,
            },
        ),
    );
    (packet_id(), vec(subscription, 1..4), properties).prop_map(
        |(packet_id, subscriptions, properties)| Subscribe {
            packet_id,
            subscriptions,
            properties,
        },
    )
}

fn suback(version: Version) -> impl Strategy<Value = SubAck> {
    let reason_codes: Vec<_> = codes(SubscribeReasonCode::from_u8)
        .into_iter()
        .filter(|code| version == Version::V5 || code.is_in_v3())
        .collect();
    (
        packet_id(),
        vec(select(reason_codes), 1..5),
        ack_properties(version),
    )
        .prop_map(|(packet_id, reason_codes, properties)| SubAck {
            packet_id,
            reason_codes,
            properties,
        })
}

fn unsubscribe(version: Version) -> impl Strategy<Value = Unsubscribe> {
    let properties = v5_only(
        version,
        user_properties().prop_map(|user_properties| UnsubscribeProperties { user_properties }),
    );
    (packet_id(), vec(topic_filter(version), 1..4), properties).prop_map(
        |(packet_id, filters, properties)| Unsubscribe {
            packet_id,
            filters,
            properties,
        },
    )
}

fn unsuback(version: Version) -> impl Strategy<Value = UnsubAck> {
    let reason_codes = match version {
        Version::V5 => vec(select(codes(UnsubscribeReasonCode::from_u8)), 1..5).boxed(),
        Version::V311 => Just(Vec::new()).boxed(),
    };
    (packet_id(), reason_codes, ack_properties(version)).prop_map(
        |(packet_id, reason_codes, properties)| UnsubAck {
            packet_id,
            reason_codes,
            properties,
        },
    )
}

fn disconnect(version: Version) -> BoxedStrategy<Disconnect> {
    let properties = (of(any::<u32>()), of(text()), user_properties(), of(text())).prop_map(
        |(session_expiry_interval, reason_string, user_properties, server_reference)| {
            DisconnectProperties {
                session_expiry_interval,
                reason_string,
                user_properties,
                server_reference,
            }
        },
    );
    match version {
        Version::V311 => Just(Disconnect::normal()).boxed(),
        Version::V5 => (select(codes(DisconnectReasonCode::from_u8)), properties)
            .prop_map(|(reason_code, properties)| Disconnect {
                reason_code,
                properties,
            })
            .boxed(),
    }
}

fn auth() -> impl Strategy<Value = Auth> {
    let properties = (text(), of(binary()), of(text()), user_properties()).prop_map(
        |(method, authentication_data, reason_string, user_properties)| AuthProperties {
            authentication_method: Some(method),
            authentication_data,
            reason_string,
            user_properties,
        },
    );
    prop_oneof![
        // The short form: Success and nothing else.
        Just(Auth {
            reason_code: AuthReasonCode::Success,
            properties: AuthProperties::default(),
        }),
        (select(codes(AuthReasonCode::from_u8)), properties).prop_map(
            |(reason_code, properties)| Auth {
                reason_code,
                properties,
            }
        ),
    ]
}

fn packet(version: Version) -> BoxedStrategy<Packet> {
    let common = prop_oneof![
        1 => connect(version).prop_map(Packet::from),
        1 => connack(version).prop_map(Packet::from),
        4 => publish(version).prop_map(Packet::Publish),
        1 => puback(version).prop_map(Packet::PubAck),
        1 => pubrec(version).prop_map(Packet::PubRec),
        1 => pubrel(version).prop_map(Packet::PubRel),
        1 => pubcomp(version).prop_map(Packet::PubComp),
        1 => subscribe(version).prop_map(Packet::Subscribe),
        1 => suback(version).prop_map(Packet::SubAck),
        1 => unsubscribe(version).prop_map(Packet::Unsubscribe),
        1 => unsuback(version).prop_map(Packet::UnsubAck),
        1 => Just(Packet::PingReq),
        1 => Just(Packet::PingResp),
        1 => disconnect(version).prop_map(Packet::Disconnect),
    ];
    match version {
        Version::V311 => common.boxed(),
        Version::V5 => prop_oneof![14 => common, 1 => auth().prop_map(Packet::Auth)].boxed(),
    }
}

fn round_trips(packet: &Packet, version: Version) -> Result<(), TestCaseError> {
    let mut wire = Vec::new();
    let written = packet
        .encode(version, MAX_PACKET_SIZE, &mut wire)
        .map_err(|error| TestCaseError::fail(format!("encode refused: {error}")))?;
    prop_assert_eq!(written, wire.len());
    prop_assert_eq!(packet.encoded_len(version), wire.len());
    prop_assert_eq!(packet_len(&wire, MAX_PACKET_SIZE), Ok(Some(wire.len())));

    // Followed by the start of another packet, which must be left alone.
    let mut input = wire.clone();
    input.push(0xC0);
    let decoded = Packet::decode(&Bytes::from(input), version, MAX_PACKET_SIZE);
    prop_assert_eq!(decoded, Ok(Some((packet.clone(), wire.len()))));

    // Any proper prefix is "need more bytes", never an error or a different packet.
    for cut in [0, 1, wire.len() / 2, wire.len() - 1] {
        let prefix = Bytes::copy_from_slice(&wire[..cut]);
        prop_assert_eq!(Packet::decode(&prefix, version, MAX_PACKET_SIZE), Ok(None));
    }

    // One byte less than its size as the limit: refused both ways.
    let limit = u32::try_from(wire.len() - 1).unwrap_or(u32::MAX);
    prop_assert!(packet.encode(version, limit, &mut Vec::new()).is_err());
    prop_assert!(Packet::decode(&Bytes::from(wire), version, limit).is_err());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn every_3_1_1_packet_decodes_back_to_itself(packet in packet(Version::V311)) {
        round_trips(&packet, Version::V311)?;
    }

    #[test]
    fn every_5_0_packet_decodes_back_to_itself(packet in packet(Version::V5)) {
        round_trips(&packet, Version::V5)?;
    }

    #[test]
    fn a_stream_of_5_0_packets_decodes_the_same_whatever_the_chunking(
        packets in vec(packet(Version::V5), 1..6),
        chunk in 1usize..40,
    ) {
        let mut wire = Vec::new();
        for packet in &packets {
            packet.encode(Version::V5, MAX_PACKET_SIZE, &mut wire).unwrap();
        }
        // Feed `chunk` bytes at a time, as a WebSocket might deliver them.
        let mut buffer = Vec::new();
        let mut decoded = Vec::new();
        for piece in wire.chunks(chunk) {
            buffer.extend_from_slice(piece);
            loop {
                let input = Bytes::from(buffer.clone());
                match Packet::decode(&input, Version::V5, MAX_PACKET_SIZE) {
                    Ok(Some((packet, used))) => {
                        decoded.push(packet);
                        buffer.drain(..used);
                    }
                    Ok(None) => break,
                    Err(error) => return Err(TestCaseError::fail(error.to_string())),
                }
            }
        }
        prop_assert!(buffer.is_empty());
        prop_assert_eq!(decoded, packets);
    }

    #[test]
    fn arbitrary_bytes_yield_a_packet_need_more_or_an_error_and_never_a_panic(
        bytes in vec(any::<u8>(), 0..64),
        v5 in any::<bool>(),
        max in prop_oneof![Just(MAX_PACKET_SIZE), 0u32..80],
    ) {
        let version = if v5 { Version::V5 } else { Version::V311 };
        let input = Bytes::from(bytes);
        if let Ok(Some((packet, used))) = Packet::decode(&input, version, max) {
            prop_assert!(used <= input.len());
            // What decodes re-encodes to a packet that decodes to the same thing.
            let mut wire = Vec::new();
            match packet.encode(version, MAX_PACKET_SIZE, &mut wire) {
                Ok(_) => {}
                // Well-formed, so it decodes for the server to refuse it with CONNACK 0x02
                // (3.1.1 [MQTT-3.1.3-8]); a client must not send it ([MQTT-3.1.3-7]).
                Err(EncodeError::EmptyClientIdWithoutCleanSession) => return Ok(()),
                Err(error) => return Err(TestCaseError::fail(error.to_string())),
            }
            let again = Packet::decode(&Bytes::from(wire), version, MAX_PACKET_SIZE);
            prop_assert_eq!(again.map(|decoded| decoded.map(|(packet, _)| packet)), Ok(Some(packet)));
        }
    }
}
