//! The delivery promises, the CONNACK limits, topic aliases and save/restore, against a
//! scripted fake broker on a virtual clock.

use std::num::{NonZeroU16, NonZeroU32};
use std::time::Duration;

use mqtt_codec::{
    AckProperties, ConnAck, ConnAckProperties, ConnectReasonCode, DisconnectReasonCode,
    MAX_PACKET_SIZE, Packet, PacketId, PubAck, PubAckReasonCode, PubComp, PubRec, PubRel, Publish,
    QosPid, SubAck, SubscribeReasonCode, TopicName,
};
mod support;

use support::{FakeBroker, pid, v5_config};

use mqtt_session::{
    Client, ClientConfig, DisconnectReason, Event, ProtocolError, ProtocolVersion, QoS,
    SessionState, UsageError, Will,
};

fn publishes(packets: &[Packet]) -> Vec<(Option<PacketId>, bool, String)> {
    packets
        .iter()
        .map(|packet| match packet {
            Packet::Publish(publish) => (
                publish.qos.packet_id(),
                publish.dup,
                String::from_utf8_lossy(&publish.payload).into_owned(),
            ),
            other => panic!("expected PUBLISH, got {other:?}"),
        })
        .collect()
}

fn incoming(topic: &'static str, payload: &'static str, qos: QosPid) -> Publish {
    let mut publish = Publish::at_most_once(TopicName::from_static(topic), payload);
    publish.qos = qos;
    publish
}

#[test]
fn publishes_at_qos_1_and_reports_published_on_puback() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let id = broker.publish("a", "1", QoS::AtLeastOnce).unwrap();
    assert_eq!(
        publishes(&broker.received()),
        [(Some(id), false, "1".into())]
    );
    assert_eq!(broker.client.inflight_len(), 1);
    assert!(broker.events().is_empty());
    broker.send(PubAck::new(id));
    assert_eq!(
        broker.events(),
        [Event::Published {
            packet_id: id,
            outcome: Ok(())
        }]
    );
    assert_eq!(broker.client.inflight_len(), 0);
}

#[test]
fn completes_qos_2_with_pubrel_and_reports_published_on_pubcomp() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let id = broker.publish("a", "1", QoS::ExactlyOnce).unwrap();
    let sent = broker.received();
    assert!(matches!(&sent[..], [Packet::Publish(p)] if p.qos == QosPid::ExactlyOnce(id)));
    broker.send(PubRec::new(id));
    assert_eq!(broker.received(), [Packet::PubRel(PubRel::new(id))]);
    assert!(broker.events().is_empty());
    broker.send(PubComp::new(id));
    assert_eq!(
        broker.events(),
        [Event::Published {
            packet_id: id,
            outcome: Ok(())
        }]
    );
}

#[test]
fn reports_a_publish_the_5_0_server_refuses_with_its_reason_code() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    let id = broker.publish("a", "1", QoS::ExactlyOnce).unwrap();
    broker.received();
    broker.send(PubRec {
        packet_id: id,
        reason_code: PubAckReasonCode::NotAuthorized,
        properties: AckProperties::default(),
    });
    // A refusal in PUBREC ends the exchange: no PUBREL.
    assert!(broker.received().is_empty());
    assert_eq!(
        broker.events(),
        [Event::Published {
            packet_id: id,
            outcome: Err(PubAckReasonCode::NotAuthorized)
        }]
    );
    assert_eq!(broker.client.inflight_len(), 0);
}

#[test]
fn never_uses_packet_id_0_nor_one_still_in_flight_when_ids_wrap_around() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let held = broker.publish("a", "held", QoS::AtLeastOnce).unwrap();
    broker.received();
    for _ in 0..70_000 {
        let id = broker.publish("a", "x", QoS::AtLeastOnce).unwrap();
        assert_ne!(id, held, "packet id {held} reused while in flight");
        broker.send(PubAck::new(id));
    }
    broker.received();
    broker.events();
    broker.send(PubAck::new(held));
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Published { packet_id, .. }] if *packet_id == held
    ));
}

#[test]
fn holds_qos_1_and_2_publishes_beyond_the_server_receive_maximum_until_acknowledged() {
    let mut broker = FakeBroker::v5();
    let sent = broker.connect_with(
        false,
        ConnAckProperties {
            receive_maximum: NonZeroU16::new(2),
            ..ConnAckProperties::default()
        },
    );
    assert!(sent.is_empty());
    let first = broker.publish("a", "1", QoS::AtLeastOnce).unwrap();
    let second = broker.publish("a", "2", QoS::ExactlyOnce).unwrap();
    broker.publish("a", "3", QoS::AtLeastOnce);
    // QoS 0 behind them keeps its place in line.
    broker.publish("a", "4", QoS::AtMostOnce);
    let sent = publishes(&broker.received());
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert_eq!(broker.client.queued_len(), 2);
    broker.send(PubAck::new(first));
    let sent = publishes(&broker.received());
    assert_eq!(
        sent.iter().map(|p| p.2.as_str()).collect::<Vec<_>>(),
        ["3", "4"]
    );
    // PUBREC does not free the quota; PUBCOMP does.
    broker.send(PubRec::new(second));
    assert_eq!(broker.received(), [Packet::PubRel(PubRel::new(second))]);
    broker.publish("a", "5", QoS::AtLeastOnce);
    assert!(broker.received().is_empty());
    broker.send(PubComp::new(second));
    assert_eq!(publishes(&broker.received())[0].2, "5");
}

#[test]
fn applies_its_own_in_flight_limit_on_3_1_1() {
    let mut broker = FakeBroker::new(ClientConfig {
        max_inflight: 1,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    let first = broker.publish("a", "1", QoS::AtLeastOnce).unwrap();
    broker.publish("a", "2", QoS::AtLeastOnce);
    assert_eq!(broker.received().len(), 1);
    broker.send(PubAck::new(first));
    assert_eq!(publishes(&broker.received())[0].2, "2");
}

#[test]
fn resends_unacknowledged_publish_with_dup_and_pubrel_in_original_order_after_reconnect() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    let a = broker.publish("t", "a", QoS::AtLeastOnce).unwrap();
    let b = broker.publish("t", "b", QoS::ExactlyOnce).unwrap();
    let c = broker.publish("t", "c", QoS::ExactlyOnce).unwrap();
    let d = broker.publish("t", "d", QoS::AtLeastOnce).unwrap();
    broker.received();
    broker.send(PubRec::new(b));
    broker.send(PubAck::new(d));
    broker.received();
    broker.events();
    broker.drop_connection();

    let sent = broker.connect_with(true, ConnAckProperties::default());
    let summary: Vec<String> = sent
        .iter()
        .map(|packet| match packet {
            Packet::Publish(p) => format!("PUBLISH {} dup={}", p.qos.packet_id().unwrap(), p.dup),
            Packet::PubRel(r) => format!("PUBREL {}", r.packet_id),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            format!("PUBLISH {a} dup=true"),
            format!("PUBREL {b}"),
            format!("PUBLISH {c} dup=true"),
        ]
    );
}

#[test]
fn resubscribes_and_sends_unacknowledged_messages_again_when_the_session_is_lost() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    let sub = broker
        .client
        .subscribe(
            broker.now,
            &[("home/#", QoS::AtLeastOnce), ("x/+", QoS::ExactlyOnce)],
        )
        .unwrap();
    broker.received();
    broker.send(SubAck {
        packet_id: sub,
        reason_codes: vec![
            SubscribeReasonCode::GrantedQoS1,
            SubscribeReasonCode::UnspecifiedError,
        ],
        properties: AckProperties::default(),
    });
    let q1 = broker.publish("t", "q1", QoS::AtLeastOnce).unwrap();
    let q2_sent = broker.publish("t", "q2-sent", QoS::ExactlyOnce).unwrap();
    let q2_received = broker
        .publish("t", "q2-received", QoS::ExactlyOnce)
        .unwrap();
    broker.received();
    broker.send(PubRec::new(q2_received));
    broker.received();
    broker.events();
    broker.drop_connection();

    let sent = broker.connect_with(false, ConnAckProperties::default());
    let [Packet::Subscribe(subscribe), rest @ ..] = sent.as_slice() else {
        panic!("expected SUBSCRIBE first, got {sent:?}")
    };
    // Only the granted filter, with its options.
    assert_eq!(subscribe.subscriptions.len(), 1);
    assert_eq!(subscribe.subscriptions[0].filter.as_str(), "home/#");
    assert_eq!(
        subscribe.subscriptions[0].options.maximum_qos,
        QoS::AtLeastOnce
    );
    assert_eq!(
        publishes(rest),
        [
            (Some(q1), false, "q1".to_owned()),
            (Some(q2_sent), false, "q2-sent".to_owned())
        ]
    );
    // The server had the PUBREC'd message before it lost the session.
    let events = broker.events();
    assert!(events.contains(&Event::Published {
        packet_id: q2_received,
        outcome: Ok(())
    }));
}

#[test]
fn queues_messages_while_offline_and_sends_them_in_order_after_connack() {
    let mut broker = FakeBroker::v311();
    broker.publish("t", "1", QoS::AtMostOnce);
    broker.publish("t", "2", QoS::AtLeastOnce);
    broker.publish("t", "3", QoS::ExactlyOnce);
    assert_eq!(broker.client.poll_transmit(), None);
    let sent = broker.connect_with(false, ConnAckProperties::default());
    assert_eq!(
        publishes(&sent)
            .iter()
            .map(|p| p.2.as_str())
            .collect::<Vec<_>>(),
        ["1", "2", "3"]
    );
}

#[test]
fn refuses_messages_beyond_the_queue_byte_limit_and_keeps_those_queued() {
    let mut broker = FakeBroker::new(ClientConfig {
        max_queued_bytes: 10,
        ..ClientConfig::new("lamp")
    });
    broker.publish("t", "12345678", QoS::AtLeastOnce);
    assert_eq!(
        broker
            .client
            .publish(broker.now, "t", "xx", QoS::AtMostOnce, false),
        Err(UsageError::QueueBytesFull { capacity: 10 })
    );
    let sent = broker.connect_with(false, ConnAckProperties::default());
    assert_eq!(publishes(&sent)[0].2, "12345678");
    // Sent, so the queue has room again.
    broker.publish("t", "12345678", QoS::AtMostOnce);
}

#[test]
fn sends_the_will_message_clean_start_and_session_expiry_in_connect() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        session_expiry_interval: 3600,
        will: Some(Will {
            delay_interval: 5,
            ..Will::new("home/lamplighter/status", "offline", QoS::AtLeastOnce, true)
        }),
        ..v5_config()
    });
    broker.client.handle_transport_opened(broker.now);
    let sent = broker.received();
    let [Packet::Connect(connect)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert!(!connect.clean_start);
    assert_eq!(connect.properties.session_expiry_interval, Some(3600));
    let will = connect.will.as_ref().expect("a will");
    assert_eq!(will.topic.as_str(), "home/lamplighter/status");
    assert_eq!(will.payload, "offline");
    assert_eq!(will.qos, QoS::AtLeastOnce);
    assert!(will.retain);
    assert_eq!(will.properties.will_delay_interval, Some(5));
}

#[test]
fn refuses_an_invalid_will_topic_at_configuration() {
    let config = ClientConfig {
        will: Some(Will::new("a/#", "x", QoS::AtMostOnce, false)),
        ..ClientConfig::new("lamp")
    };
    assert!(matches!(
        Client::new(config),
        Err(UsageError::InvalidTopicName(_))
    ));
}

#[test]
fn honours_the_server_maximum_qos_retain_and_subscription_availability() {
    let mut broker = FakeBroker::v5();
    broker.connect_with(
        false,
        ConnAckProperties {
            maximum_qos: Some(QoS::AtLeastOnce),
            retain_available: Some(false),
            wildcard_subscription_available: Some(false),
            shared_subscription_available: Some(false),
            subscription_identifiers_available: Some(false),
            ..ConnAckProperties::default()
        },
    );
    let now = broker.now;
    assert_eq!(
        broker
            .client
            .publish(now, "a", "x", QoS::ExactlyOnce, false),
        Err(UsageError::QoSNotSupported {
            qos: QoS::ExactlyOnce,
            maximum: QoS::AtLeastOnce
        })
    );
    assert_eq!(
        broker.client.publish(now, "a", "x", QoS::AtMostOnce, true),
        Err(UsageError::RetainNotSupported)
    );
    assert_eq!(
        broker.client.subscribe(now, &[("a/+", QoS::AtMostOnce)]),
        Err(UsageError::WildcardSubscriptionsNotSupported)
    );
    assert_eq!(
        broker
            .client
            .subscribe(now, &[("$share/g/a", QoS::AtMostOnce)]),
        Err(UsageError::SharedSubscriptionsNotSupported)
    );
    let options = mqtt_session::SubscriptionOptions::qos(QoS::AtMostOnce);
    assert_eq!(
        broker
            .client
            .subscribe_with_options(now, &[("a", options)], Some(7)),
        Err(UsageError::SubscriptionIdentifiersNotSupported)
    );
    assert!(broker.received().is_empty());
    // What is allowed still goes out.
    broker.publish("a", "x", QoS::AtLeastOnce);
    assert_eq!(broker.received().len(), 1);
}

#[test]
fn drops_a_queued_message_the_server_maximum_qos_forbids_and_reports_it() {
    let mut broker = FakeBroker::v5();
    let id = broker.publish("a", "x", QoS::ExactlyOnce);
    broker.connect_with(
        false,
        ConnAckProperties {
            maximum_qos: Some(QoS::AtMostOnce),
            ..ConnAckProperties::default()
        },
    );
    let events = broker.events();
    assert!(
        events.contains(&Event::CommandDropped {
            packet_id: id,
            error: UsageError::QoSNotSupported {
                qos: QoS::ExactlyOnce,
                maximum: QoS::AtMostOnce
            }
        }),
        "{events:?}"
    );
}

#[test]
fn refuses_a_publish_larger_than_the_server_maximum_packet_size() {
    let mut broker = FakeBroker::v5();
    broker.connect_with(
        false,
        ConnAckProperties {
            maximum_packet_size: NonZeroU32::new(64),
            ..ConnAckProperties::default()
        },
    );
    let result = broker
        .client
        .publish(broker.now, "a", vec![0u8; 100], QoS::AtLeastOnce, false);
    assert!(matches!(result, Err(UsageError::Encode(_))), "{result:?}");
    assert_eq!(broker.client.inflight_len(), 0);
    assert!(broker.received().is_empty());
}

#[test]
fn uses_topic_aliases_within_the_server_limit() {
    let mut broker = FakeBroker::v5();
    broker.connect_with(
        false,
        ConnAckProperties {
            topic_alias_maximum: Some(1),
            ..ConnAckProperties::default()
        },
    );
    broker.publish("home/lamp/set", "1", QoS::AtMostOnce);
    broker.publish("home/lamp/set", "2", QoS::AtMostOnce);
    broker.publish("home/fan/set", "3", QoS::AtMostOnce);
    let sent = broker.received();
    let topics: Vec<(String, Option<u16>)> = sent
        .iter()
        .map(|packet| match packet {
            Packet::Publish(p) => (
                p.topic.as_str().to_owned(),
                p.properties.topic_alias.map(NonZeroU16::get),
            ),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        topics,
        [
            ("home/lamp/set".to_owned(), Some(1)),
            (String::new(), Some(1)),
            ("home/fan/set".to_owned(), None),
        ]
    );
    // Aliases belong to one connection: the next one sets them again.
    broker.drop_connection();
    broker.connect_with(
        false,
        ConnAckProperties {
            topic_alias_maximum: Some(1),
            ..ConnAckProperties::default()
        },
    );
    broker.publish("home/lamp/set", "4", QoS::AtMostOnce);
    let sent = broker.received();
    assert!(matches!(&sent[..], [Packet::Publish(p)] if p.topic.as_str() == "home/lamp/set"));
}

#[test]
fn never_uses_topic_aliases_when_the_server_allows_none() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    broker.publish("a", "1", QoS::AtMostOnce);
    broker.publish("a", "2", QoS::AtMostOnce);
    for packet in broker.received() {
        let Packet::Publish(p) = packet else { panic!() };
        assert_eq!(p.properties.topic_alias, None);
        assert_eq!(p.topic.as_str(), "a");
    }
}

fn aliased(topic: &'static str, alias: u16) -> Publish {
    let mut publish = if topic.is_empty() {
        // An empty topic only decodes with an alias: build it through the wire.
        let bytes = [0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, alias as u8];
        match Packet::decode(
            &bytes::Bytes::copy_from_slice(&bytes),
            ProtocolVersion::V5,
            MAX_PACKET_SIZE,
        ) {
            Ok(Some((Packet::Publish(p), _))) => p,
            other => panic!("{other:?}"),
        }
    } else {
        incoming(topic, "", QosPid::AtMostOnce)
    };
    publish.properties.topic_alias = NonZeroU16::new(alias);
    publish
}

#[test]
fn resolves_incoming_topic_aliases_and_forgets_them_on_reconnect() {
    let mut broker = FakeBroker::new(ClientConfig {
        topic_alias_maximum: 4,
        ..v5_config()
    });
    broker.client.handle_transport_opened(broker.now);
    let sent = broker.received();
    let [Packet::Connect(connect)] = sent.as_slice() else {
        panic!()
    };
    assert_eq!(connect.properties.topic_alias_maximum, Some(4));
    broker.send(ConnAck {
        session_present: false,
        reason_code: ConnectReasonCode::Success,
        properties: ConnAckProperties::default(),
    });
    broker.events();
    broker.send(aliased("home/temp", 2));
    broker.send(aliased("", 2));
    let topics: Vec<String> = broker
        .events()
        .into_iter()
        .map(|event| match event {
            Event::Message(m) => m.topic.as_str().to_owned(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(topics, ["home/temp", "home/temp"]);
    broker.drop_connection();
    broker.connect_with(false, ConnAckProperties::default());
    broker.events();
    broker.send(aliased("", 2));
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnknownTopicAlias { alias: 2 })
        }]
    );
    let sent = broker.received();
    assert!(
        matches!(&sent[..], [Packet::Disconnect(d)] if d.reason_code == DisconnectReasonCode::TopicAliasInvalid)
    );
}

#[test]
fn closes_the_connection_on_an_incoming_topic_alias_above_its_maximum() {
    let mut broker = FakeBroker::new(ClientConfig {
        topic_alias_maximum: 4,
        ..v5_config()
    });
    broker.connect_with(false, ConnAckProperties::default());
    broker.events();
    broker.send(aliased("a", 5));
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::TopicAliasOutOfRange {
                alias: 5,
                maximum: 4
            })
        }]
    );
}

#[test]
fn treats_a_puback_for_a_qos_2_message_as_a_protocol_error() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    let id = broker.publish("a", "1", QoS::ExactlyOnce).unwrap();
    broker.received();
    broker.send(PubAck::new(id));
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnknownPacketId { .. })
        }]
    ));
}

#[test]
fn delivers_an_incoming_qos_2_message_once_across_a_reconnect_with_the_session_present() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    broker.send(incoming("t", "once", QosPid::ExactlyOnce(pid(9))));
    assert_eq!(broker.received(), [Packet::PubRec(PubRec::new(pid(9)))]);
    assert_eq!(broker.events().len(), 1);
    broker.drop_connection();
    broker.connect_with(true, ConnAckProperties::default());
    broker.events();
    let mut again = incoming("t", "once", QosPid::ExactlyOnce(pid(9)));
    again.dup = true;
    broker.send(again);
    assert_eq!(broker.received(), [Packet::PubRec(PubRec::new(pid(9)))]);
    assert!(broker.events().is_empty(), "delivered twice");
    broker.send(PubRel::new(pid(9)));
    assert_eq!(broker.received(), [Packet::PubComp(PubComp::new(pid(9)))]);
}

fn through_json(state: &SessionState) -> SessionState {
    let text = serde_json::to_string(state).unwrap();
    serde_json::from_str(&text).unwrap()
}

#[test]
fn restores_a_saved_session_and_resends_its_messages_after_a_reload() {
    let config = ClientConfig {
        clean_start: false,
        ..ClientConfig::new("lamp")
    };
    let mut broker = FakeBroker::new(config.clone());
    broker.connect();
    let sub = broker
        .client
        .subscribe(broker.now, &[("home/#", QoS::ExactlyOnce)])
        .unwrap();
    broker.received();
    broker.send(SubAck {
        packet_id: sub,
        reason_codes: vec![SubscribeReasonCode::GrantedQoS2],
        properties: AckProperties::default(),
    });
    let a = broker.publish("t", "a", QoS::AtLeastOnce).unwrap();
    let b = broker.publish("t", "b", QoS::ExactlyOnce).unwrap();
    broker.received();
    broker.send(PubRec::new(b));
    broker.send(incoming("home/x", "in", QosPid::ExactlyOnce(pid(77))));
    broker.received();
    broker.events();
    broker.drop_connection();
    let queued = broker.publish("t", "queued", QoS::AtLeastOnce).unwrap();

    // The page reloads: only the saved state survives.
    let saved = through_json(&broker.client.save());
    assert_eq!(saved.format(), mqtt_session::SESSION_FORMAT);
    let mut reloaded =
        FakeBroker::with_client(Client::restore(config.clone(), saved.clone()).unwrap());
    let sent = reloaded.connect_with(true, ConnAckProperties::default());
    let summary: Vec<String> = sent
        .iter()
        .map(|packet| match packet {
            Packet::Publish(p) => format!("PUBLISH {} dup={}", p.qos.packet_id().unwrap(), p.dup),
            Packet::PubRel(r) => format!("PUBREL {}", r.packet_id),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(
        summary,
        [
            format!("PUBLISH {a} dup=true"),
            format!("PUBREL {b}"),
            format!("PUBLISH {queued} dup=false"),
        ]
    );
    // The incoming QoS 2 message is not delivered a second time.
    let mut again = incoming("home/x", "in", QosPid::ExactlyOnce(pid(77)));
    again.dup = true;
    reloaded.events();
    reloaded.send(again);
    assert!(reloaded.events().is_empty());
    // New packet ids do not collide with restored ones.
    let next = reloaded.publish("t", "n", QoS::AtLeastOnce).unwrap();
    assert!(![a, b, queued].contains(&next));

    // Without the session on the server, the restored subscriptions are made again.
    let mut fresh = FakeBroker::with_client(Client::restore(config, saved).unwrap());
    let sent = fresh.connect_with(false, ConnAckProperties::default());
    assert!(
        matches!(&sent[0], Packet::Subscribe(s) if s.subscriptions[0].filter.as_str() == "home/#"),
        "{sent:?}"
    );
}

#[test]
fn a_session_with_granted_subscriptions_survives_a_binary_format_that_does_not_describe_itself() {
    let config = ClientConfig {
        clean_start: false,
        ..ClientConfig::new("dashboard")
    };
    let mut broker = FakeBroker::new(config.clone());
    broker.connect();
    let sub = broker
        .client
        .subscribe(
            broker.now,
            &[
                ("homeassistant/#", QoS::AtLeastOnce),
                ("zigbee2mqtt/#", QoS::AtMostOnce),
            ],
        )
        .unwrap();
    broker.received();
    broker.send(SubAck {
        packet_id: sub,
        reason_codes: vec![
            SubscribeReasonCode::GrantedQoS1,
            SubscribeReasonCode::GrantedQoS0,
        ],
        properties: AckProperties::default(),
    });
    broker.drop_connection();
    broker
        .publish("garage/door/set", "CLOSE", QoS::AtLeastOnce)
        .unwrap();

    let bytes = postcard::to_allocvec(&broker.client.save()).unwrap();
    let saved: mqtt_session::SessionState = postcard::from_bytes(&bytes).unwrap();
    let restored = Client::restore(config, saved).unwrap();
    assert_eq!(restored.queued_messages_len(), 1);
}

#[test]
fn keeps_a_server_assigned_client_id_across_save_and_restore() {
    let mut broker = FakeBroker::new(ClientConfig {
        client_id: String::new(),
        ..v5_config()
    });
    broker.connect_with(
        false,
        ConnAckProperties {
            assigned_client_identifier: Some("auto-1".try_into().unwrap()),
            ..ConnAckProperties::default()
        },
    );
    let restored = Client::restore(v5_config(), through_json(&broker.client.save())).unwrap();
    assert_eq!(restored.client_id(), "auto-1");
}

#[test]
fn refuses_a_saved_session_of_an_unknown_format() {
    let broker = FakeBroker::v311();
    let mut json: serde_json::Value = serde_json::to_value(broker.client.save()).unwrap();
    json["v"] = 99.into();
    let state: SessionState = serde_json::from_value(json).unwrap();
    assert_eq!(
        Client::restore(ClientConfig::new("lamp"), state).unwrap_err(),
        UsageError::UnsupportedSessionFormat { found: 99 }
    );
}

#[test]
fn describes_why_the_connection_ended_in_short_words() {
    assert_eq!(
        DisconnectReason::TransportClosed.to_string(),
        "connection lost"
    );
    assert_eq!(
        DisconnectReason::KeepAliveTimeout.to_string(),
        "the broker stopped answering"
    );
    let refused = DisconnectReason::ConnectionRefused {
        reason_code: ConnectReasonCode::NotAuthorized,
        reason_string: Some("no".try_into().unwrap()),
    };
    assert_eq!(
        refused.to_string(),
        "refused by the broker (NotAuthorized (0x87)): no"
    );
}

#[test]
fn keeps_the_session_after_the_application_disconnects() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    let id = broker.publish("t", "a", QoS::AtLeastOnce).unwrap();
    broker.received();
    broker.client.disconnect(broker.now);
    broker.client.handle_transport_closed(broker.now);
    broker.events();
    broker.received();
    let sent = broker.connect_with(true, ConnAckProperties::default());
    assert_eq!(publishes(&sent), [(Some(id), true, "a".to_owned())]);
    let _ = Duration::ZERO;
}

#[test]
fn refuses_a_3_1_1_persistent_session_without_a_client_id_at_configuration() {
    let config = ClientConfig {
        client_id: String::new(),
        clean_start: false,
        ..ClientConfig::new("")
    };
    assert!(matches!(
        Client::new(config),
        Err(UsageError::InvalidConfig { .. })
    ));
}

#[test]
fn resends_no_more_publishes_than_the_new_receive_maximum_allows_after_reconnecting() {
    let mut broker = FakeBroker::new(ClientConfig {
        clean_start: false,
        ..v5_config()
    });
    broker.connect();
    let ids: Vec<PacketId> = ["a", "b", "c"]
        .into_iter()
        .map(|payload| broker.publish("t", payload, QoS::AtLeastOnce).unwrap())
        .collect();
    broker.received();
    broker.drop_connection();
    let sent = broker.connect_with(
        true,
        ConnAckProperties {
            receive_maximum: NonZeroU16::new(2),
            ..ConnAckProperties::default()
        },
    );
    assert_eq!(
        publishes(&sent),
        [
            (Some(ids[0]), true, "a".to_owned()),
            (Some(ids[1]), true, "b".to_owned())
        ]
    );
    // New messages wait behind the one still to be resent.
    broker.publish("t", "d", QoS::AtLeastOnce);
    assert!(broker.received().is_empty());
    broker.send(PubAck::new(ids[0]));
    assert_eq!(
        publishes(&broker.received()),
        [(Some(ids[2]), true, "c".to_owned())]
    );
    broker.send(PubAck::new(ids[1]));
    assert_eq!(publishes(&broker.received())[0].2, "d");
}

#[test]
fn sends_5_0_subscription_options_and_identifier_and_only_the_qos_on_3_1_1() {
    use mqtt_session::{RetainHandling, SubscriptionOptions};
    let options = SubscriptionOptions {
        maximum_qos: QoS::ExactlyOnce,
        no_local: true,
        retain_as_published: true,
        retain_handling: RetainHandling::DoNotSend,
    };
    let mut broker = FakeBroker::v5();
    broker.connect();
    let now = broker.now;
    broker
        .client
        .subscribe_with_options(now, &[("home/#", options)], Some(42))
        .unwrap();
    let sent = broker.received();
    let [Packet::Subscribe(subscribe)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(subscribe.subscriptions[0].options, options);
    assert_eq!(
        subscribe
            .properties
            .subscription_identifier
            .map(|id| id.get()),
        Some(42)
    );

    let mut broker = FakeBroker::v311();
    broker.connect();
    let now = broker.now;
    broker
        .client
        .subscribe_with_options(now, &[("home/#", options)], None)
        .unwrap();
    let sent = broker.received();
    let [Packet::Subscribe(subscribe)] = sent.as_slice() else {
        panic!("{sent:?}")
    };
    assert_eq!(
        subscribe.subscriptions[0].options,
        SubscriptionOptions::qos(QoS::ExactlyOnce)
    );
    assert_eq!(
        broker
            .client
            .subscribe_with_options(now, &[("a", options)], Some(1)),
        Err(UsageError::InvalidSubscriptionId { value: 1 })
    );
}
