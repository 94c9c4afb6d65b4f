//! The client against a scripted fake broker on a virtual clock: the test plays the server,
//! feeding the engine bytes encoded with mqtt-codec and decoding what it sends.

use std::time::Duration;

use bytes::Bytes;
use mqtt_codec::{
    AckProperties, ConnAck, ConnAckProperties, ConnectReasonCode, DecodeError, Disconnect,
    DisconnectReasonCode, MqttString, Packet, PacketType, PubAck, PubRec, PubRel, Publish, QosPid,
    SubAck, SubscribeReasonCode, TopicName, UnsubAck, UnsubscribeReasonCode,
};
mod support;

use support::{FakeBroker, pid};

use mqtt_session::{
    Client, ClientConfig, ConnectionState, DisconnectReason, Event, ProtocolError, ProtocolVersion,
    QoS, UsageError,
};

fn publish(topic: &'static str, payload: &'static [u8], qos: QosPid) -> Packet {
    let mut publish = Publish::at_most_once(TopicName::from_static(topic), payload);
    publish.qos = qos;
    Packet::Publish(publish)
}

#[test]
fn sends_connect_when_transport_opens() {
    let mut broker = FakeBroker::new(ClientConfig {
        username: Some("ann".into()),
        password: Some(Bytes::from_static(b"pw")),
        ..ClientConfig::new("lamp")
    });
    assert_eq!(broker.client.poll_transmit(), None);
    broker.client.handle_transport_opened(broker.now);
    let sent = broker.received();
    let [Packet::Connect(connect)] = sent.as_slice() else {
        panic!("expected CONNECT, got {sent:?}")
    };
    assert_eq!(connect.client_id, "lamp");
    assert_eq!(connect.keep_alive, 60);
    assert!(connect.clean_start);
    assert_eq!(connect.username.as_ref().unwrap(), "ann");
    assert_eq!(connect.password.as_deref(), Some(&b"pw"[..]));
    assert_eq!(broker.client.state(), ConnectionState::Connecting);
}

#[test]
fn reports_connected_after_connack() {
    let mut broker = FakeBroker::v311();
    broker.client.handle_transport_opened(broker.now);
    broker.received();
    broker.send(Packet::ConnAck(ConnAck {
        session_present: true,
        reason_code: ConnectReasonCode::Success,
        properties: ConnAckProperties::default(),
    }));
    let events = broker.events();
    let [
        Event::Connected {
            session_present: true,
            keep_alive,
            assigned_client_id: None,
            ..
        },
    ] = events.as_slice()
    else {
        panic!("expected Connected, got {events:?}")
    };
    assert_eq!(*keep_alive, Duration::from_secs(60));
    assert_eq!(broker.client.state(), ConnectionState::Connected);
}

#[test]
fn reports_a_refused_connection_as_disconnected_with_the_reason() {
    let mut broker = FakeBroker::v311();
    broker.client.handle_transport_opened(broker.now);
    broker.received();
    broker.send(Packet::ConnAck(ConnAck {
        session_present: false,
        reason_code: ConnectReasonCode::BadUserNameOrPassword,
        properties: ConnAckProperties::default(),
    }));
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ConnectionRefused {
                reason_code: ConnectReasonCode::BadUserNameOrPassword,
                reason_string: None
            }
        }]
    );
    assert_eq!(broker.client.state(), ConnectionState::Closing);
    assert_eq!(broker.client.poll_timeout(), None);
}

#[test]
fn sends_receive_maximum_and_user_properties_with_a_5_0_connect() {
    let mut broker = FakeBroker::new(ClientConfig {
        protocol_version: ProtocolVersion::V5,
        receive_maximum: core::num::NonZeroU16::new(20),
        user_properties: vec![("app".into(), "lamplighter".into())],
        ..ClientConfig::new("lamp")
    });
    broker.client.handle_transport_opened(broker.now);
    let sent = broker.received();
    let [Packet::Connect(connect)] = sent.as_slice() else {
        panic!("expected CONNECT, got {sent:?}")
    };
    assert_eq!(
        connect.properties.receive_maximum.map(|m| m.get()),
        Some(20)
    );
    let properties: Vec<(&str, &str)> = connect
        .properties
        .user_properties
        .iter()
        .map(|p| (p.name.as_str(), p.value.as_str()))
        .collect();
    assert_eq!(properties, [("app", "lamplighter")]);
}

#[test]
fn refuses_a_user_property_that_is_not_a_valid_mqtt_string() {
    let config = ClientConfig {
        protocol_version: ProtocolVersion::V5,
        user_properties: vec![("bad\0name".into(), "x".into())],
        ..ClientConfig::new("lamp")
    };
    assert!(matches!(
        Client::new(config),
        Err(UsageError::InvalidString { .. })
    ));
}

#[test]
fn honours_the_server_assigned_client_id_and_keep_alive_in_5_0() {
    let mut broker = FakeBroker::new(ClientConfig {
        protocol_version: ProtocolVersion::V5,
        client_id: String::new(),
        clean_start: false,
        ..ClientConfig::new("")
    });
    broker.client.handle_transport_opened(broker.now);
    broker.received();
    broker.accept(ConnAckProperties {
        assigned_client_identifier: Some(MqttString::from_static("auto-7")),
        server_keep_alive: Some(5),
        ..ConnAckProperties::default()
    });
    let events = broker.events();
    let [
        Event::Connected {
            assigned_client_id: Some(id),
            keep_alive,
            ..
        },
    ] = events.as_slice()
    else {
        panic!("expected Connected, got {events:?}")
    };
    assert_eq!(id, "auto-7");
    assert_eq!(*keep_alive, Duration::from_secs(5));
    assert_eq!(
        broker.client.poll_timeout(),
        Some(broker.now + Duration::from_secs(5))
    );

    // On reconnection, the assigned identifier resumes the session.
    broker.client.handle_transport_closed(broker.now);
    broker.client.handle_transport_opened(broker.now);
    let sent = broker.received();
    let [Packet::Connect(connect)] = sent.as_slice() else {
        panic!("expected CONNECT")
    };
    assert_eq!(connect.client_id, "auto-7");
}

#[test]
fn sends_pingreq_after_keep_alive_idle() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let connected_at = broker.now;
    broker.fire_timer();
    assert_eq!(broker.now, connected_at + Duration::from_secs(60));
    assert_eq!(broker.received(), [Packet::PingReq]);
    broker.send(Packet::PingResp);
    assert!(broker.events().is_empty());
    // The next PINGREQ is due a keep-alive interval after this one.
    assert_eq!(
        broker.client.poll_timeout(),
        Some(broker.now + Duration::from_secs(60))
    );
}

#[test]
fn sends_pingreq_after_the_ping_interval_when_it_is_shorter_than_keep_alive() {
    let mut config = ClientConfig::new("lamplighter");
    config.ping_interval = Some(Duration::from_secs(30));
    let mut broker = FakeBroker::new(config);
    broker.connect();
    let connected_at = broker.now;
    broker.fire_timer();
    assert_eq!(broker.now, connected_at + Duration::from_secs(30));
    assert_eq!(broker.received(), [Packet::PingReq]);
}

#[test]
fn a_ping_interval_longer_than_keep_alive_changes_nothing() {
    let mut config = ClientConfig::new("lamplighter");
    config.ping_interval = Some(Duration::from_secs(600));
    let mut broker = FakeBroker::new(config);
    broker.connect();
    let connected_at = broker.now;
    broker.fire_timer();
    assert_eq!(broker.now, connected_at + Duration::from_secs(60));
    assert_eq!(broker.received(), [Packet::PingReq]);
}

#[test]
fn postpones_pingreq_while_other_packets_are_sent() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.advance(Duration::from_secs(50));
    broker
        .client
        .publish(broker.now, "home/lamp/set", "ON", QoS::AtMostOnce, false)
        .unwrap();
    assert_eq!(
        broker.client.poll_timeout(),
        Some(broker.now + Duration::from_secs(60))
    );
}

#[test]
fn declares_connection_lost_when_pingresp_missing() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.fire_timer();
    assert_eq!(broker.received(), [Packet::PingReq]);
    let pinged_at = broker.now;
    broker.fire_timer();
    assert_eq!(broker.now, pinged_at + Duration::from_secs(10));
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::KeepAliveTimeout
        }]
    );
    assert_eq!(broker.client.poll_timeout(), None);
    assert_eq!(broker.client.state(), ConnectionState::Closing);
}

#[test]
fn declares_connect_timeout_when_connack_missing() {
    let mut broker = FakeBroker::v311();
    broker.client.handle_transport_opened(broker.now);
    broker.received();
    broker.fire_timer();
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ConnectTimeout
        }]
    );
}

#[test]
fn delivers_incoming_publish_as_event() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.send(publish("home/lamp/state", b"ON", QosPid::AtMostOnce));
    let events = broker.events();
    let [Event::Message(message)] = events.as_slice() else {
        panic!("expected Message, got {events:?}")
    };
    assert_eq!(message.topic, "home/lamp/state");
    assert_eq!(message.payload, &b"ON"[..]);
    assert_eq!(message.qos, QoS::AtMostOnce);
    assert!(!message.retain);
    assert!(broker.received().is_empty());
}

#[test]
fn acknowledges_a_qos_1_publish_with_puback() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.send(publish("t", b"x", QosPid::AtLeastOnce(pid(9))));
    assert!(matches!(broker.events().as_slice(), [Event::Message(m)] if m.qos == QoS::AtLeastOnce));
    assert_eq!(broker.received(), [Packet::PubAck(PubAck::new(pid(9)))]);
}

#[test]
fn delivers_a_qos_2_message_once_even_when_the_server_resends_it() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.send(publish("t", b"x", QosPid::ExactlyOnce(pid(4))));
    assert_eq!(broker.events().len(), 1);
    assert_eq!(broker.received(), [Packet::PubRec(PubRec::new(pid(4)))]);
    broker.send(publish("t", b"x", QosPid::ExactlyOnce(pid(4))));
    assert!(broker.events().is_empty());
    assert_eq!(broker.received(), [Packet::PubRec(PubRec::new(pid(4)))]);
    broker.send(Packet::PubRel(PubRel::new(pid(4))));
    assert_eq!(
        broker.received(),
        [Packet::PubComp(mqtt_codec::PubComp::new(pid(4)))]
    );
}

#[test]
fn decodes_packets_split_across_and_batched_within_reads() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let mut bytes = broker.encode(publish("a", b"1", QosPid::AtMostOnce));
    bytes.extend(broker.encode(publish("b", b"2", QosPid::AtMostOnce)));
    bytes.extend(broker.encode(publish("c", b"3", QosPid::AtMostOnce)));
    // One byte at a time, then the rest in one read holding two and a half packets.
    for byte in &bytes[..4] {
        broker.client.handle_bytes_received(broker.now, vec![*byte]);
    }
    broker
        .client
        .handle_bytes_received(broker.now, bytes[4..].to_vec());
    let topics: Vec<String> = broker
        .events()
        .into_iter()
        .map(|event| match event {
            Event::Message(message) => message.topic.to_string(),
            other => panic!("unexpected {other:?}"),
        })
        .collect();
    assert_eq!(topics, ["a", "b", "c"]);
}

#[test]
fn queued_messages_count_publishes_but_not_subscriptions() {
    let mut broker = FakeBroker::v311();
    let now = broker.now;
    broker
        .client
        .subscribe(now, &[("home/#", QoS::AtLeastOnce)])
        .unwrap();
    broker
        .client
        .publish(now, "home/lamp/set", "ON", QoS::AtLeastOnce, false)
        .unwrap();
    broker
        .client
        .subscribe(now, &[("zigbee2mqtt/#", QoS::AtMostOnce)])
        .unwrap();
    assert_eq!(broker.client.queued_len(), 3);
    assert_eq!(broker.client.queued_messages_len(), 1);
}

#[test]
fn queues_publish_until_connack() {
    let mut broker = FakeBroker::v311();
    broker
        .client
        .publish(broker.now, "home/lamp/set", "ON", QoS::AtMostOnce, true)
        .unwrap();
    assert_eq!(broker.client.poll_transmit(), None);
    broker.client.handle_transport_opened(broker.now);
    assert!(matches!(broker.received().as_slice(), [Packet::Connect(_)]));
    broker.accept(ConnAckProperties::default());
    let sent = broker.received();
    let [Packet::Publish(publish)] = sent.as_slice() else {
        panic!("expected PUBLISH, got {sent:?}")
    };
    assert_eq!(publish.topic, "home/lamp/set");
    assert!(publish.retain);
}

#[test]
fn refuses_commands_beyond_the_queue_capacity() {
    let mut broker = FakeBroker::new(ClientConfig {
        max_queued_commands: 1,
        ..ClientConfig::new("lamp")
    });
    broker
        .client
        .publish(broker.now, "a", "1", QoS::AtMostOnce, false)
        .unwrap();
    assert_eq!(
        broker
            .client
            .publish(broker.now, "a", "2", QoS::AtMostOnce, false),
        Err(UsageError::QueueFull { capacity: 1 })
    );
    assert_eq!(
        broker
            .client
            .subscribe(broker.now, &[("a", QoS::AtMostOnce)]),
        Err(UsageError::QueueFull { capacity: 1 })
    );
}

#[test]
fn reports_per_filter_results_of_a_subscribe() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let packet_id = broker
        .client
        .subscribe(
            broker.now,
            &[
                ("home/+/state", QoS::AtLeastOnce),
                ("secret/#", QoS::AtMostOnce),
            ],
        )
        .unwrap();
    let sent = broker.received();
    let [Packet::Subscribe(subscribe)] = sent.as_slice() else {
        panic!("expected SUBSCRIBE")
    };
    assert_eq!(subscribe.packet_id, packet_id);
    assert_eq!(subscribe.subscriptions.len(), 2);
    broker.send(Packet::SubAck(SubAck {
        packet_id,
        reason_codes: vec![
            SubscribeReasonCode::GrantedQoS1,
            SubscribeReasonCode::UnspecifiedError,
        ],
        properties: AckProperties::default(),
    }));
    let events = broker.events();
    let [
        Event::Subscribed {
            packet_id: acked,
            results,
        },
    ] = events.as_slice()
    else {
        panic!("expected Subscribed, got {events:?}")
    };
    assert_eq!(*acked, packet_id);
    assert_eq!(results[0].filter, "home/+/state");
    assert_eq!(results[0].outcome, Ok(QoS::AtLeastOnce));
    assert_eq!(
        results[1].outcome,
        Err(SubscribeReasonCode::UnspecifiedError)
    );
}

#[test]
fn reports_unsubscribe_results_in_5_0() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    let packet_id = broker.client.unsubscribe(broker.now, &["a/#"]).unwrap();
    assert!(
        matches!(broker.received().as_slice(), [Packet::Unsubscribe(u)] if u.packet_id == packet_id)
    );
    broker.send(Packet::UnsubAck(UnsubAck {
        packet_id,
        reason_codes: vec![UnsubscribeReasonCode::NoSubscriptionExisted],
        properties: AckProperties::default(),
    }));
    let events = broker.events();
    let [Event::Unsubscribed { results, .. }] = events.as_slice() else {
        panic!("{events:?}")
    };
    assert_eq!(
        results[0].reason_code,
        Some(UnsubscribeReasonCode::NoSubscriptionExisted)
    );
}

#[test]
fn resends_an_unanswered_subscribe_after_reconnecting() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    let packet_id = broker
        .client
        .subscribe(broker.now, &[("a", QoS::AtMostOnce)])
        .unwrap();
    broker.received();
    broker.client.handle_transport_closed(broker.now);
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::TransportClosed
        }]
    );
    let resent = broker.connect_with(false, ConnAckProperties::default());
    assert!(matches!(resent.as_slice(), [Packet::Subscribe(s)] if s.packet_id == packet_id));
}

#[test]
fn rejects_an_invalid_topic_as_a_usage_error() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    assert!(matches!(
        broker
            .client
            .publish(broker.now, "home/+", "x", QoS::AtMostOnce, false),
        Err(UsageError::InvalidTopicName(_))
    ));
    assert!(matches!(
        broker
            .client
            .subscribe(broker.now, &[("home/#/x", QoS::AtMostOnce)]),
        Err(UsageError::InvalidTopicFilter(_))
    ));
    assert_eq!(
        broker.client.subscribe(broker.now, &[]),
        Err(UsageError::NoFilters)
    );
    assert!(broker.received().is_empty());
}

#[test]
fn sends_disconnect_and_refuses_commands_after_disconnect() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.client.disconnect(broker.now);
    assert_eq!(
        broker.received(),
        [Packet::Disconnect(Disconnect::normal())]
    );
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ClientDisconnected
        }]
    );
    assert_eq!(
        broker
            .client
            .publish(broker.now, "a", "1", QoS::AtMostOnce, false),
        Err(UsageError::NoSession)
    );
    broker.client.handle_transport_closed(broker.now);
    assert!(broker.events().is_empty());
    assert_eq!(broker.client.poll_timeout(), None);
}

#[test]
fn reports_transport_closed_as_disconnected() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.client.handle_transport_closed(broker.now);
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::TransportClosed
        }]
    );
    assert_eq!(broker.client.state(), ConnectionState::Offline);
    assert_eq!(broker.client.poll_timeout(), None);
}

#[test]
fn closes_the_connection_on_a_malformed_packet_with_a_5_0_disconnect() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    // PUBLISH with QoS 3 [MQTT-3.3.1-4].
    broker
        .client
        .handle_bytes_received(broker.now, vec![0x36, 0x03, 0x00, 0x01, b't']);
    assert_eq!(
        broker.received(),
        [Packet::Disconnect(Disconnect::with_reason(
            DisconnectReasonCode::MalformedPacket
        ))]
    );
    let events = broker.events();
    let [
        Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::Malformed(error)),
        },
    ] = events.as_slice()
    else {
        panic!("expected a protocol error, got {events:?}")
    };
    assert!(matches!(error, DecodeError::InvalidQoS { .. }));
    // Later bytes on the dead connection are ignored.
    broker.send(publish("t", b"x", QosPid::AtMostOnce));
    assert!(broker.events().is_empty());
}

#[test]
fn closes_the_connection_silently_on_a_3_1_1_protocol_error() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.send(Packet::ConnAck(ConnAck {
        session_present: false,
        reason_code: ConnectReasonCode::Success,
        properties: ConnAckProperties::default(),
    }));
    assert!(broker.received().is_empty());
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnexpectedPacket { .. })
        }]
    ));
}

#[test]
fn a_packet_only_clients_send_is_a_protocol_error_with_a_5_0_disconnect() {
    // UNSUBSCRIBE of "a" and PINGREQ: well-formed, but never sent by a server.
    for (bytes, packet) in [
        (
            vec![0xA2, 0x06, 0x00, 0x01, 0x00, 0x00, 0x01, b'a'],
            PacketType::Unsubscribe,
        ),
        (vec![0xC0, 0x00], PacketType::PingReq),
    ] {
        let mut broker = FakeBroker::v5();
        broker.connect();
        broker.client.handle_bytes_received(broker.now, bytes);
        assert_eq!(
            broker.received(),
            [Packet::Disconnect(Disconnect::with_reason(
                DisconnectReasonCode::ProtocolError
            ))]
        );
        assert_eq!(
            broker.events(),
            [Event::Disconnected {
                reason: DisconnectReason::ProtocolError(ProtocolError::UnexpectedPacket { packet })
            }]
        );
    }
}

#[test]
fn treats_a_packet_before_connack_as_a_protocol_error() {
    let mut broker = FakeBroker::v311();
    broker.client.handle_transport_opened(broker.now);
    broker.received();
    broker.send(publish("t", b"x", QosPid::AtMostOnce));
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnexpectedPacket { .. })
        }]
    ));
}

#[test]
fn refuses_an_incoming_packet_over_the_maximum_size_before_buffering_it() {
    let mut broker = FakeBroker::new(ClientConfig {
        max_incoming_packet_size: 64,
        ..ClientConfig::new("lamp")
    });
    broker.connect();
    // A PUBLISH header announcing 100 bytes.
    broker
        .client
        .handle_bytes_received(broker.now, vec![0x30, 100]);
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::Malformed(
                DecodeError::PacketTooLarge { .. }
            ))
        }]
    ));
}

#[test]
fn rejects_an_acknowledgement_for_an_unknown_packet_id() {
    let mut broker = FakeBroker::v311();
    broker.connect();
    broker.send(Packet::PubAck(PubAck::new(pid(77))));
    assert!(matches!(
        broker.events().as_slice(),
        [Event::Disconnected {
            reason: DisconnectReason::ProtocolError(ProtocolError::UnknownPacketId { .. })
        }]
    ));
}

#[test]
fn reports_a_5_0_server_disconnect_with_its_reason() {
    let mut broker = FakeBroker::v5();
    broker.connect();
    broker.send(Packet::Disconnect(Disconnect::with_reason(
        DisconnectReasonCode::ServerShuttingDown,
    )));
    assert_eq!(
        broker.events(),
        [Event::Disconnected {
            reason: DisconnectReason::ServerDisconnected {
                reason_code: DisconnectReasonCode::ServerShuttingDown,
                reason_string: None
            }
        }]
    );
}

#[test]
fn refuses_a_3_1_1_password_without_user_name_at_configuration() {
    let config = ClientConfig {
        password: Some(Bytes::from_static(b"pw")),
        ..ClientConfig::new("lamp")
    };
    assert_eq!(
        Client::new(config).unwrap_err(),
        UsageError::PasswordWithoutUserName
    );
}
