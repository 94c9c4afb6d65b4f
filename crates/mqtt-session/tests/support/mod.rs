//! The server's side of the wire for the engine's tests: a client, a virtual clock, and
//! packets encoded and decoded with mqtt-codec.

// Each test file uses its own part of this.
#![allow(dead_code)]

use std::time::Duration;

use mqtt_codec::{
    ConnAck, ConnAckProperties, ConnectReasonCode, MAX_PACKET_SIZE, Packet, PacketId,
};
use mqtt_session::{Client, ClientConfig, Event, Instant, ProtocolVersion, QoS};

/// A client, a virtual clock, and the server's side of the wire.
pub struct FakeBroker {
    pub client: Client,
    pub now: Instant,
    pub version: ProtocolVersion,
}

impl FakeBroker {
    pub fn new(config: ClientConfig) -> Self {
        FakeBroker::with_client(Client::new(config).unwrap())
    }

    pub fn with_client(client: Client) -> Self {
        FakeBroker {
            version: client.protocol_version(),
            client,
            now: Instant::from_millis(1_000),
        }
    }

    pub fn v311() -> Self {
        FakeBroker::new(ClientConfig::new("lamp"))
    }

    pub fn v5() -> Self {
        FakeBroker::new(v5_config())
    }

    pub fn advance(&mut self, duration: Duration) {
        self.now = self.now + duration;
    }

    /// Moves the clock to the client's deadline and lets it act, as the driver's timer would.
    pub fn fire_timer(&mut self) {
        let deadline = self.client.poll_timeout().expect("a deadline");
        assert!(deadline >= self.now, "deadline in the past");
        self.now = deadline;
        self.client.handle_timeout(self.now);
    }

    pub fn encode(&self, packet: impl Into<Packet>) -> Vec<u8> {
        let mut bytes = Vec::new();
        packet
            .into()
            .encode(self.version, MAX_PACKET_SIZE, &mut bytes)
            .unwrap();
        bytes
    }

    pub fn send(&mut self, packet: impl Into<Packet>) {
        let bytes = self.encode(packet);
        self.client.handle_bytes_received(self.now, bytes);
    }

    /// Everything the client sent since the last call, decoded.
    pub fn received(&mut self) -> Vec<Packet> {
        let mut packets = Vec::new();
        while let Some(mut bytes) = self.client.poll_transmit() {
            while !bytes.is_empty() {
                let (packet, used) = Packet::decode(&bytes, self.version, MAX_PACKET_SIZE)
                    .unwrap()
                    .expect("the client hands out whole packets");
                packets.push(packet);
                let _ = bytes.split_to(used);
            }
        }
        packets
    }

    pub fn events(&mut self) -> Vec<Event> {
        std::iter::from_fn(|| self.client.poll_event()).collect()
    }

    pub fn accept(&mut self, properties: ConnAckProperties) {
        self.send(ConnAck {
            session_present: false,
            reason_code: ConnectReasonCode::Success,
            properties,
        });
    }

    /// Opens the transport, answers CONNECT, and returns what the client sent after CONNACK.
    pub fn connect_with(
        &mut self,
        session_present: bool,
        properties: ConnAckProperties,
    ) -> Vec<Packet> {
        self.client.handle_transport_opened(self.now);
        let sent = self.received();
        assert!(matches!(sent.as_slice(), [Packet::Connect(_)]), "{sent:?}");
        self.send(ConnAck {
            session_present,
            reason_code: ConnectReasonCode::Success,
            properties,
        });
        self.received()
    }

    /// Opens the transport and accepts the connection, which the client reports, with nothing
    /// to send after CONNACK; returns the CONNECT.
    pub fn connect(&mut self) -> Packet {
        self.client.handle_transport_opened(self.now);
        let mut sent = self.received();
        assert!(matches!(sent.as_slice(), [Packet::Connect(_)]), "{sent:?}");
        self.accept(ConnAckProperties::default());
        let after = self.received();
        assert!(after.is_empty(), "sent after CONNACK: {after:?}");
        let events = self.events();
        assert!(
            matches!(events.as_slice(), [Event::Connected { .. }]),
            "{events:?}"
        );
        sent.remove(0)
    }

    pub fn drop_connection(&mut self) {
        self.client.handle_transport_closed(self.now);
        self.events();
    }

    pub fn publish(&mut self, topic: &str, payload: &'static str, qos: QoS) -> Option<PacketId> {
        self.client
            .publish(self.now, topic, payload, qos, false)
            .unwrap()
    }
}

pub fn v5_config() -> ClientConfig {
    ClientConfig {
        protocol_version: ProtocolVersion::V5,
        ..ClientConfig::new("lamp")
    }
}

pub fn pid(id: u16) -> PacketId {
    PacketId::new(id).unwrap()
}
