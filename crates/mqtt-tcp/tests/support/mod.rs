//! A client on a real connection, with bounded waits that fail with a clear message.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::time::Duration;

use mqtt_session::{Client, ClientConfig, Event, Instant, Message, PacketId, ProtocolVersion, QoS};
use mqtt_tcp::Connection;

pub const WAIT: Duration = Duration::from_secs(10);

pub struct Peer {
    pub connection: Option<Connection>,
    address: SocketAddr,
    last_now: Instant,
    /// Events that arrived while waiting for another one.
    pub seen: Vec<Event>,
}

pub fn v5(client_id: &str) -> ClientConfig {
    ClientConfig {
        protocol_version: ProtocolVersion::V5,
        ..ClientConfig::new(client_id)
    }
}

impl Peer {
    /// Connects and waits for CONNACK; returns the peer and whether the session was present.
    pub fn connect(address: SocketAddr, config: ClientConfig) -> (Peer, bool) {
        let client = Client::new(config).expect("a valid configuration");
        let mut peer = Peer {
            connection: None,
            address,
            last_now: Instant::from_millis(0),
            seen: Vec::new(),
        };
        let present = peer.open(client);
        (peer, present)
    }

    fn open(&mut self, client: Client) -> bool {
        let connection =
            Connection::open_at(self.address, client, self.last_now).expect("TCP connection");
        self.connection = Some(connection);
        self.expect("CONNACK", |event| match event {
            Event::Connected {
                session_present, ..
            } => Some(*session_present),
            Event::Disconnected { reason } => panic!("connection refused: {reason}"),
            _ => None,
        })
    }

    pub fn conn(&mut self) -> &mut Connection {
        self.connection.as_mut().expect("connected")
    }

    pub fn client(&mut self) -> &mut Client {
        self.conn().client()
    }

    pub fn now(&mut self) -> Instant {
        self.conn().now()
    }

    /// Drops the TCP connection without DISCONNECT, keeps the engine, and connects again.
    pub fn reconnect(&mut self) -> bool {
        let client = self.drop_connection();
        self.open(client)
    }

    pub fn drop_connection(&mut self) -> Client {
        let connection = self.connection.take().expect("connected");
        self.last_now = connection.now();
        let mut client = connection.into_client();
        // The end of this connection is known; other events still count.
        while let Some(event) = client.poll_event() {
            if !matches!(event, Event::Disconnected { .. }) {
                self.seen.push(event);
            }
        }
        self.seen
            .retain(|event| !matches!(event, Event::Disconnected { .. }));
        client
    }

    pub fn reopen(&mut self, client: Client) -> bool {
        self.open(client)
    }

    /// Waits up to 10 s for an event `matches` picks; others are kept in `seen`.
    pub fn expect<T>(&mut self, what: &str, mut matches: impl FnMut(&Event) -> Option<T>) -> T {
        // An event that came while waiting for another one counts, in order.
        for index in 0..self.seen.len() {
            if let Some(value) = matches(&self.seen[index]) {
                self.seen.remove(index);
                return value;
            }
        }
        let until = std::time::Instant::now() + WAIT;
        loop {
            let left = until.saturating_duration_since(std::time::Instant::now());
            if left.is_zero() {
                panic!("no {what} within {WAIT:?}; other events: {:?}", self.seen);
            }
            match self.conn().next_event(left).expect("socket IO") {
                Some(event) => match matches(&event) {
                    Some(value) => return value,
                    None => self.seen.push(event),
                },
                None if self.conn().is_closed() => {
                    panic!(
                        "connection closed while waiting for {what}; events: {:?}",
                        self.seen
                    )
                }
                None => {}
            }
        }
    }

    pub fn message(&mut self, what: &str) -> Message {
        self.expect(what, |event| match event {
            Event::Message(message) => Some(message.clone()),
            _ => None,
        })
    }

    /// Messages up to and including the one on `marker_topic`, in order.
    pub fn messages_until(&mut self, marker_topic: &str) -> Vec<Message> {
        let mut messages = Vec::new();
        loop {
            let message = self.message(&format!("a message before the marker on {marker_topic}"));
            let done = message.topic.as_str() == marker_topic;
            messages.push(message);
            if done {
                return messages;
            }
        }
    }

    pub fn subscribe(
        &mut self,
        filters: &[(&str, QoS)],
    ) -> Vec<Result<QoS, mqtt_codec::SubscribeReasonCode>> {
        let now = self.now();
        let id = self.client().subscribe(now, filters).expect("subscribe");
        self.conn().flush().expect("send");
        self.subacked(id)
    }

    pub fn subacked(&mut self, id: PacketId) -> Vec<Result<QoS, mqtt_codec::SubscribeReasonCode>> {
        self.expect("SUBACK", |event| match event {
            Event::Subscribed { packet_id, results } if *packet_id == id => {
                Some(results.iter().map(|result| result.outcome).collect())
            }
            _ => None,
        })
    }

    pub fn publish(
        &mut self,
        topic: &str,
        payload: impl Into<mqtt_session::Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Option<PacketId> {
        let now = self.now();
        let id = self
            .client()
            .publish(now, topic, payload, qos, retain)
            .expect("publish");
        self.conn().flush().expect("send");
        id
    }

    /// Publishes and waits for the acknowledgement of a QoS 1 or 2 message.
    pub fn publish_acked(
        &mut self,
        topic: &str,
        payload: impl Into<mqtt_session::Bytes>,
        qos: QoS,
        retain: bool,
    ) {
        let id = self.publish(topic, payload, qos, retain);
        if let Some(id) = id {
            self.expect("PUBACK or PUBCOMP", |event| match event {
                Event::Published { packet_id, outcome } if *packet_id == id => {
                    assert_eq!(*outcome, Ok(()));
                    Some(())
                }
                _ => None,
            });
        }
    }

    pub fn disconnect(&mut self) {
        let now = self.now();
        self.client().disconnect(now);
        let _ = self.conn().next_event(Duration::from_millis(0));
        self.drop_connection();
    }
}
