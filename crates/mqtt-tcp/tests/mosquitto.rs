//! Scenarios against a real Mosquitto that each test starts for itself.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::time::Duration;

use mqtt_session::{ClientConfig, Event, QoS, SubscriptionOptions, UsageError, Will};
use mqtt_tcp::Mosquitto;
use support::{Peer, v5};

fn broker(extra: &str) -> Mosquitto {
    Mosquitto::start(extra).expect("a Mosquitto of the test's own")
}

#[test]
fn a_new_subscriber_receives_the_retained_message_flagged_as_retained() {
    let broker = broker("");
    let (mut publisher, _) = Peer::connect(broker.address(), ClientConfig::new("pub"));
    publisher.publish_acked("home/lamp/state", "ON", QoS::AtLeastOnce, true);
    let (mut subscriber, _) = Peer::connect(broker.address(), v5("sub"));
    assert_eq!(
        subscriber.subscribe(&[("home/+/state", QoS::AtLeastOnce)]),
        [Ok(QoS::AtLeastOnce)]
    );
    let message = subscriber.message("the retained message");
    assert_eq!(message.topic.as_str(), "home/lamp/state");
    assert_eq!(message.payload, "ON");
    assert!(message.retain);
}

#[test]
fn a_zero_length_client_id_gets_one_assigned_by_the_server_in_5_0_and_is_accepted_in_3_1_1() {
    let broker = broker("");
    let (mut v5_peer, _) = Peer::connect(broker.address(), v5(""));
    let assigned = v5_peer.client().client_id().to_owned();
    assert!(!assigned.is_empty(), "no assigned client identifier");
    let (mut v3_peer, present) = Peer::connect(broker.address(), ClientConfig::new(""));
    assert!(!present);
    v3_peer.publish_acked("a", "x", QoS::AtLeastOnce, false);
}

#[test]
fn messages_published_while_a_persistent_subscriber_is_away_arrive_when_it_returns() {
    let broker = broker("");
    let config = ClientConfig {
        clean_start: false,
        session_expiry_interval: 300,
        ..v5("away")
    };
    let (mut subscriber, _) = Peer::connect(broker.address(), config.clone());
    subscriber.subscribe(&[("inbox/#", QoS::ExactlyOnce)]);
    subscriber.disconnect();
    let (mut publisher, _) = Peer::connect(broker.address(), v5("pub"));
    for (i, qos) in [QoS::AtLeastOnce, QoS::ExactlyOnce, QoS::AtLeastOnce]
        .into_iter()
        .enumerate()
    {
        publisher.publish_acked("inbox/a", format!("m{i}"), qos, false);
    }
    let (mut subscriber, present) = Peer::connect(broker.address(), config);
    assert!(present, "the broker kept no session");
    let payloads: Vec<_> = (0..3)
        .map(|_| subscriber.message("a queued message").payload)
        .collect();
    assert_eq!(payloads, ["m0", "m1", "m2"]);
}

#[test]
fn overlapping_subscriptions_deliver_the_message_for_every_matching_subscription_identifier() {
    let broker = broker("");
    let (mut subscriber, _) = Peer::connect(broker.address(), v5("overlap"));
    for (filter, id) in [("home/#", 1), ("home/+/state", 2)] {
        let now = subscriber.now();
        let packet_id = subscriber
            .client()
            .subscribe_with_options(
                now,
                &[(filter, SubscriptionOptions::qos(QoS::AtLeastOnce))],
                Some(id),
            )
            .unwrap();
        subscriber.subacked(packet_id);
    }
    let (mut publisher, _) = Peer::connect(broker.address(), v5("pub"));
    publisher.publish_acked("home/lamp/state", "ON", QoS::AtLeastOnce, false);
    publisher.publish_acked("marker", "", QoS::AtLeastOnce, false);
    let now = subscriber.now();
    let id = subscriber
        .client()
        .subscribe(now, &[("marker", QoS::AtLeastOnce)])
        .unwrap();
    subscriber.subacked(id);
    publisher.publish_acked("marker", "", QoS::AtLeastOnce, false);
    let messages = subscriber.messages_until("marker");
    let mut ids: Vec<u32> = messages
        .iter()
        .filter(|m| m.topic.as_str() == "home/lamp/state")
        .flat_map(|m| {
            m.properties
                .subscription_identifiers
                .iter()
                .map(|id| id.get())
        })
        .collect();
    ids.sort();
    assert_eq!(ids, [1, 2], "{messages:?}");
}

#[test]
fn keep_alive_pings_hold_an_idle_connection_open() {
    let broker = broker("");
    let config = ClientConfig {
        keep_alive: Duration::from_secs(1),
        ..ClientConfig::new("idle")
    };
    let (mut peer, _) = Peer::connect(broker.address(), config);
    // Mosquitto closes a connection silent for 1.5 keep alive periods.
    let until = std::time::Instant::now() + Duration::from_secs(4);
    while std::time::Instant::now() < until {
        if let Some(event) = peer.conn().next_event(Duration::from_millis(200)).unwrap() {
            panic!("unexpected event while idle: {event:?}");
        }
    }
    assert!(!peer.conn().is_closed());
    peer.publish_acked("still/here", "1", QoS::AtLeastOnce, false);
}

#[test]
fn an_unacknowledged_publish_is_redelivered_after_reconnecting_and_reaches_the_subscriber() {
    let broker = broker("");
    let (mut subscriber, _) = Peer::connect(broker.address(), ClientConfig::new("sub"));
    subscriber.subscribe(&[("redeliver/#", QoS::AtLeastOnce)]);
    let config = ClientConfig {
        clean_start: false,
        ..ClientConfig::new("flaky")
    };
    let (mut publisher, _) = Peer::connect(broker.address(), config);
    // Sent, then the connection drops before PUBACK can be read.
    let id = publisher
        .publish("redeliver/1", "x", QoS::AtLeastOnce, false)
        .unwrap();
    let client = publisher.drop_connection();
    assert_eq!(client.inflight_len(), 1);
    assert!(publisher.reopen(client), "session not present");
    publisher.expect("PUBACK of the resent message", |event| match event {
        Event::Published { packet_id, outcome } if *packet_id == id => Some(outcome.is_ok()),
        _ => None,
    });
    let message = subscriber.message("the redelivered message");
    assert_eq!(message.payload, "x");
}

/// Mosquitto 2.0.11 grants every subscription in SUBACK (its ACLs apply when messages are
/// delivered), so per-filter refusals are covered against the scripted broker
/// (`reports_per_filter_results_of_a_subscribe`). What Mosquitto does refuse is a filter
/// deeper than its 200-level limit: it closes the connection with Malformed Packet, which
/// the client reports.
#[test]
fn a_subscription_the_broker_cannot_take_is_reported_with_the_broker_reason() {
    let broker = broker("");
    let (mut peer, _) = Peer::connect(broker.address(), v5("deep"));
    let deep = vec!["a"; 250].join("/");
    let now = peer.now();
    peer.client()
        .subscribe(now, &[(deep.as_str(), QoS::AtMostOnce)])
        .unwrap();
    let reason = peer.expect("the broker's DISCONNECT", |event| match event {
        Event::Disconnected { reason } => Some(reason.clone()),
        _ => None,
    });
    assert_eq!(
        reason,
        mqtt_session::DisconnectReason::ServerDisconnected {
            reason_code: mqtt_codec::DisconnectReasonCode::MalformedPacket,
            reason_string: None
        }
    );
}

#[test]
fn dollar_topics_are_not_matched_by_a_leading_wildcard_but_by_their_own_filter() {
    let broker = broker("sys_interval 1");
    let (mut peer, _) = Peer::connect(broker.address(), ClientConfig::new("dollar"));
    peer.subscribe(&[("#", QoS::AtMostOnce)]);
    peer.subscribe(&[("$SYS/broker/version", QoS::AtMostOnce)]);
    peer.publish("marker", "", QoS::AtMostOnce, false);
    let message = peer.message("the $SYS version");
    // The version comes (retained) from the $SYS filter; "#" must not have matched any $SYS
    // topic, and the marker arrives through "#".
    let mut messages = vec![message];
    messages.extend(peer.messages_until("marker"));
    let sys: Vec<_> = messages
        .iter()
        .filter(|m| m.topic.as_str().starts_with('$'))
        .map(|m| m.topic.as_str().to_owned())
        .collect();
    assert_eq!(sys, ["$SYS/broker/version"], "{messages:?}");
}

#[test]
fn nothing_arrives_on_a_filter_after_unsubscribing() {
    let broker = broker("");
    let (mut peer, _) = Peer::connect(broker.address(), v5("unsub"));
    peer.subscribe(&[("a", QoS::AtLeastOnce), ("marker", QoS::AtLeastOnce)]);
    let now = peer.now();
    let id = peer.client().unsubscribe(now, &["a"]).unwrap();
    peer.conn().flush().unwrap();
    let results = peer.expect("UNSUBACK", |event| match event {
        Event::Unsubscribed { packet_id, results } if *packet_id == id => Some(results.clone()),
        _ => None,
    });
    assert_eq!(
        results[0].reason_code,
        Some(mqtt_codec::UnsubscribeReasonCode::Success)
    );
    peer.publish_acked("a", "after", QoS::AtLeastOnce, false);
    peer.publish_acked("marker", "", QoS::AtLeastOnce, false);
    let messages = peer.messages_until("marker");
    assert_eq!(messages.len(), 1, "{messages:?}");
}

#[test]
fn the_will_message_is_published_when_the_connection_drops_without_disconnect() {
    let broker = broker("");
    let (mut watcher, _) = Peer::connect(broker.address(), ClientConfig::new("watcher"));
    watcher.subscribe(&[("status/#", QoS::AtLeastOnce)]);
    let config = ClientConfig {
        will: Some(Will::new("status/lamp", "offline", QoS::AtLeastOnce, false)),
        ..v5("lamp")
    };
    let (mut lamp, _) = Peer::connect(broker.address(), config.clone());
    lamp.drop_connection();
    let message = watcher.message("the will message");
    assert_eq!(message.topic.as_str(), "status/lamp");
    assert_eq!(message.payload, "offline");

    // A normal DISCONNECT discards it.
    let (mut lamp, _) = Peer::connect(broker.address(), config);
    lamp.disconnect();
    let (mut publisher, _) = Peer::connect(broker.address(), ClientConfig::new("pub"));
    publisher.publish_acked("status/marker", "", QoS::AtLeastOnce, false);
    let messages = watcher.messages_until("status/marker");
    assert_eq!(messages.len(), 1, "{messages:?}");
}

#[test]
fn the_session_is_gone_after_its_expiry_interval_and_kept_before() {
    let broker = broker("");
    let config = |expiry| ClientConfig {
        clean_start: false,
        session_expiry_interval: expiry,
        ..v5("expiring")
    };
    let (mut peer, _) = Peer::connect(broker.address(), config(60));
    peer.subscribe(&[("x", QoS::AtLeastOnce)]);
    assert!(
        peer.reconnect(),
        "session lost although within its expiry interval"
    );
    peer.disconnect();
    let (mut peer, present) = Peer::connect(broker.address(), config(1));
    assert!(present);
    peer.disconnect();
    std::thread::sleep(Duration::from_millis(2500));
    let (_peer, present) = Peer::connect(broker.address(), config(1));
    assert!(!present, "session outlived its expiry interval");
}

#[test]
fn topic_aliases_are_used_towards_the_broker_and_accepted_from_it() {
    let broker = broker("");
    let (mut subscriber, _) = Peer::connect(
        broker.address(),
        ClientConfig {
            topic_alias_maximum: 10,
            ..v5("alias-sub")
        },
    );
    subscriber.subscribe(&[("alias/#", QoS::AtLeastOnce)]);
    let (mut publisher, _) = Peer::connect(broker.address(), v5("alias-pub"));
    for i in 0..3 {
        publisher.publish_acked(
            "alias/long/topic/name",
            format!("{i}"),
            QoS::AtLeastOnce,
            false,
        );
    }
    for i in 0..3 {
        let message = subscriber.message("an aliased message");
        assert_eq!(message.topic.as_str(), "alias/long/topic/name");
        assert_eq!(message.payload, format!("{i}"));
    }
}

#[test]
fn the_broker_maximum_packet_size_is_honoured_both_ways() {
    let broker = broker("max_packet_size 200");
    let (mut publisher, _) = Peer::connect(broker.address(), v5("big-pub"));
    let now = publisher.now();
    let refused = publisher
        .client()
        .publish(now, "big", vec![b'x'; 300], QoS::AtLeastOnce, false);
    assert!(matches!(refused, Err(UsageError::Encode(_))), "{refused:?}");
    // The subscriber accepts at most 100 bytes: the broker must not send it the 150.
    let (mut subscriber, _) = Peer::connect(
        broker.address(),
        ClientConfig {
            max_incoming_packet_size: 100,
            ..v5("small-sub")
        },
    );
    subscriber.subscribe(&[("big", QoS::AtLeastOnce), ("marker", QoS::AtLeastOnce)]);
    publisher.publish_acked("big", vec![b'x'; 150], QoS::AtLeastOnce, false);
    publisher.publish_acked("big", "small", QoS::AtLeastOnce, false);
    publisher.publish_acked("marker", "", QoS::AtLeastOnce, false);
    let messages = subscriber.messages_until("marker");
    let payloads: Vec<_> = messages.iter().map(|m| m.payload.len()).collect();
    assert_eq!(payloads, [5, 0]);
}

#[test]
fn never_more_messages_in_flight_than_the_broker_receive_maximum() {
    let broker = broker("max_inflight_messages 3");
    let (mut publisher, _) = Peer::connect(broker.address(), v5("flow"));
    let mut ids = Vec::new();
    for i in 0..20 {
        ids.push(
            publisher
                .publish(&format!("flow/{i}"), "x", QoS::ExactlyOnce, false)
                .unwrap(),
        );
        assert!(publisher.client().inflight_len() <= 3);
    }
    let mut done = 0;
    while done < ids.len() {
        let outcome = publisher.expect("PUBCOMP", |event| match event {
            Event::Published { outcome, .. } => Some(*outcome),
            _ => None,
        });
        assert_eq!(outcome, Ok(()));
        done += 1;
        assert!(publisher.client().inflight_len() <= 3);
    }
}
