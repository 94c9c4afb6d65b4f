//! The client state machine. Everything that changes the connection's state lives in this file.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use bytes::{Bytes, BytesMut};
use core::time::Duration;
use mqtt_codec::{
    ConnAck, Connect, ConnectProperties, Disconnect, MAX_PACKET_SIZE, MqttString, Packet, PacketId,
    PacketType, ProtocolVersion, PubAck, PubComp, PubRec, Publish, QoS, QosPid, SubAck, Subscribe,
    SubscribeProperties, Subscription, SubscriptionOptions, TopicFilter, TopicName, UnsubAck,
    Unsubscribe, UnsubscribeProperties, packet_len,
};

use crate::config::ClientConfig;
use crate::error::{ProtocolError, UsageError};
use crate::event::{DisconnectReason, Event, Message, SubscribeResult, UnsubscribeResult};
use crate::time::Instant;
use crate::timer::{Timer, TimerTable};

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// No transport. Commands are queued for the next connection.
    Offline,
    /// The transport is open and CONNECT sent; waiting for CONNACK. Commands are queued.
    Connecting,
    /// The server accepted the connection. Commands are sent at once.
    Connected,
    /// The client ended the connection (refusal, timeout, protocol error, server DISCONNECT)
    /// and waits for the driver to close the transport. Commands are queued.
    Closing,
    /// The application called `disconnect`. Commands are refused until the transport opens
    /// again.
    Disconnected,
}

/// A command accepted before the connection was up.
#[derive(Debug)]
enum QueuedCommand {
    Publish(Publish),
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
}

/// A sans-IO MQTT client: it never touches a socket or a clock.
///
/// # Call contract
///
/// The driver owns the transport (a browser WebSocket, a TCP stream, a test) and a single
/// timer, and feeds the client:
///
/// * inputs, `handle_*`: [`handle_transport_opened`](Client::handle_transport_opened),
///   [`handle_bytes_received`](Client::handle_bytes_received),
///   [`handle_transport_closed`](Client::handle_transport_closed),
///   [`handle_timeout`](Client::handle_timeout);
/// * commands, plain verbs: [`publish`](Client::publish), [`subscribe`](Client::subscribe),
///   [`unsubscribe`](Client::unsubscribe), [`disconnect`](Client::disconnect).
///
/// Each takes `now`. **After every input or command, the driver drains
/// [`poll_transmit`](Client::poll_transmit) (sending every buffer, in order) and
/// [`poll_event`](Client::poll_event), then re-reads [`poll_timeout`](Client::poll_timeout)
/// and sets its one timer to that deadline** (or clears it on `None`); when the timer fires it
/// calls `handle_timeout`. When [`Event::Disconnected`] comes out, the driver sends what
/// `poll_transmit` still returns and closes the transport; to connect again it opens a new
/// transport and calls `handle_transport_opened`.
///
/// Connecting is opening the transport: `handle_transport_opened` sends CONNECT. Commands
/// issued before CONNACK are queued (up to `max_queued_commands`) and sent after it, so they
/// are not lost.
#[derive(Debug)]
pub struct Client {
    config: ClientConfig,
    version: ProtocolVersion,
    /// The configured identifier, or the one a 5.0 server assigned, used on reconnection.
    client_id: MqttString,
    username: Option<MqttString>,
    state: ConnectionState,
    /// The start of a packet whose end has not arrived yet.
    inbound: BytesMut,
    outbound: BytesMut,
    events: VecDeque<Event>,
    timers: TimerTable,
    queue: VecDeque<QueuedCommand>,
    /// Sent SUBSCRIBEs awaiting SUBACK, re-queued if the connection drops.
    pending_subscribes: BTreeMap<PacketId, Subscribe>,
    /// Sent UNSUBSCRIBEs awaiting UNSUBACK, re-queued if the connection drops.
    pending_unsubscribes: BTreeMap<PacketId, Unsubscribe>,
    /// Identifiers of queued and pending packets, which must not be reused.
    packet_ids_in_use: BTreeSet<PacketId>,
    last_packet_id: u16,
    /// QoS 2 messages delivered and answered with PUBREC, awaiting PUBREL: a re-delivery of
    /// one of these must not reach the application twice.
    incoming_qos2: BTreeSet<PacketId>,
    /// The keep alive in force on this connection.
    keep_alive: Duration,
    /// The server's Maximum Packet Size (5.0), or the protocol's limit.
    server_max_packet_size: u32,
    ping_outstanding: bool,
}

impl Client {
    /// A client in the [`ConnectionState::Offline`] state, after checking `config`.
    pub fn new(config: ClientConfig) -> Result<Self, UsageError> {
        let client_id = MqttString::try_from(config.client_id.as_str()).map_err(|error| {
            UsageError::InvalidString {
                field: "client identifier",
                error,
            }
        })?;
        let username = match &config.username {
            Some(name) => Some(MqttString::try_from(name.as_str()).map_err(|error| {
                UsageError::InvalidString {
                    field: "user name",
                    error,
                }
            })?),
            None => None,
        };
        if let Some(password) = &config.password {
            if password.len() > usize::from(u16::MAX) {
                return Err(UsageError::BinaryDataTooLong {
                    field: "password",
                    len: password.len(),
                });
            }
            if config.protocol_version == ProtocolVersion::V311 && username.is_none() {
                return Err(UsageError::PasswordWithoutUserName);
            }
        }
        if config.keep_alive.as_secs() > u64::from(u16::MAX) {
            return Err(UsageError::KeepAliveTooLong);
        }
        Ok(Client {
            version: config.protocol_version,
            keep_alive: config.keep_alive,
            client_id,
            username,
            config,
            state: ConnectionState::Offline,
            inbound: BytesMut::new(),
            outbound: BytesMut::new(),
            events: VecDeque::new(),
            timers: TimerTable::default(),
            queue: VecDeque::new(),
            pending_subscribes: BTreeMap::new(),
            pending_unsubscribes: BTreeMap::new(),
            packet_ids_in_use: BTreeSet::new(),
            last_packet_id: 0,
            incoming_qos2: BTreeSet::new(),
            server_max_packet_size: MAX_PACKET_SIZE,
            ping_outstanding: false,
        })
    }

    pub fn state(&self) -> ConnectionState {
        self.state
    }

    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    // ----- Outputs -----

    /// Bytes to send on the transport: whole packets, possibly several. `None` when there is
    /// nothing to send.
    pub fn poll_transmit(&mut self) -> Option<Bytes> {
        if self.outbound.is_empty() {
            return None;
        }
        Some(self.outbound.split().freeze())
    }

    /// The next application event.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// When to call [`handle_timeout`](Client::handle_timeout) next: the earliest of the
    /// client's deadlines.
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.timers.next_deadline()
    }

    // ----- Inputs -----

    /// The transport is open: send CONNECT and wait for CONNACK.
    pub fn handle_transport_opened(&mut self, now: Instant) {
        self.reset_connection();
        if self.config.clean_start {
            // A new session: nothing of the old one's QoS 2 exchanges survives.
            self.incoming_qos2.clear();
        }
        self.state = ConnectionState::Connecting;
        self.keep_alive = self.config.keep_alive;
        self.server_max_packet_size = MAX_PACKET_SIZE;
        let properties = match self.version {
            ProtocolVersion::V311 => ConnectProperties::default(),
            ProtocolVersion::V5 => ConnectProperties {
                session_expiry_interval: Some(self.config.session_expiry_interval)
                    .filter(|&seconds| seconds != 0),
                maximum_packet_size: core::num::NonZeroU32::new(
                    self.config.max_incoming_packet_size,
                )
                .filter(|&size| size.get() < MAX_PACKET_SIZE),
                ..ConnectProperties::default()
            },
        };
        let connect = Connect {
            clean_start: self.config.clean_start,
            keep_alive: self.config.keep_alive.as_secs() as u16,
            client_id: self.client_id.clone(),
            will: None,
            username: self.username.clone(),
            password: self.config.password.clone(),
            properties,
        };
        // `Client::new` checked everything `Connect` can object to.
        if let Err(error) = self.send(now, &Packet::Connect(connect)) {
            self.events.push_back(Event::CommandDropped {
                packet_id: None,
                error,
            });
        }
        self.timers
            .set(Timer::ConnectResponse, now + self.config.connect_timeout);
    }

    /// Bytes arrived on the transport: any number of whole or partial packets.
    pub fn handle_bytes_received(&mut self, now: Instant, bytes: impl Into<Bytes>) {
        if !self.is_reading() {
            return;
        }
        let mut input: Bytes = bytes.into();
        if !self.inbound.is_empty() {
            self.inbound.extend_from_slice(&input);
            input = Bytes::new();
        }
        // Packets in `inbound` are handed over once whole, so a large packet arriving in
        // pieces is copied once, not once per piece.
        while !self.inbound.is_empty() && self.is_reading() {
            match packet_len(&self.inbound, self.config.max_incoming_packet_size) {
                Ok(Some(len)) if len <= self.inbound.len() => {
                    let frame = self.inbound.split_to(len).freeze();
                    self.decode_and_handle(now, &frame);
                }
                Ok(_) => return,
                Err(error) => return self.fail(now, ProtocolError::Malformed(error)),
            }
        }
        // Whole packets straight from the received buffer, without copying.
        while !input.is_empty() && self.is_reading() {
            match Packet::decode(&input, self.version, self.config.max_incoming_packet_size) {
                Ok(Some((packet, used))) => {
                    let _ = input.split_to(used);
                    self.handle_packet(now, packet);
                }
                Ok(None) => {
                    self.inbound.extend_from_slice(&input);
                    return;
                }
                Err(error) => return self.fail(now, ProtocolError::Malformed(error)),
            }
        }
    }

    /// The transport closed, whoever closed it.
    pub fn handle_transport_closed(&mut self, _now: Instant) {
        match self.state {
            ConnectionState::Connecting | ConnectionState::Connected => {
                self.end_connection(DisconnectReason::TransportClosed);
                self.state = ConnectionState::Offline;
            }
            ConnectionState::Closing => self.state = ConnectionState::Offline,
            ConnectionState::Offline | ConnectionState::Disconnected => {}
        }
        self.reset_connection();
    }

    /// The deadline from [`poll_timeout`](Client::poll_timeout) has passed.
    pub fn handle_timeout(&mut self, now: Instant) {
        if self.timers.take_expired(Timer::ConnectResponse, now) {
            self.end_connection(DisconnectReason::ConnectTimeout);
            self.state = ConnectionState::Closing;
            return;
        }
        // "If a Client does not receive a PINGRESP packet within a reasonable amount of time
        // after it has sent a PINGREQ, it SHOULD close the Network Connection to the Server."
        if self.timers.take_expired(Timer::PingResponse, now) {
            self.end_connection(DisconnectReason::KeepAliveTimeout);
            self.state = ConnectionState::Closing;
            return;
        }
        // "It is the responsibility of the Client to ensure that the interval between MQTT
        // Control Packets being sent does not exceed the Keep Alive value. If the Client does
        // not send any other packet, it MUST send a PINGREQ packet" [MQTT-3.1.2-20].
        if self.timers.take_expired(Timer::KeepAlive, now)
            && self.state == ConnectionState::Connected
            && !self.ping_outstanding
        {
            self.send_infallible(now, &Packet::PingReq);
            self.ping_outstanding = true;
            self.timers
                .set(Timer::PingResponse, now + self.config.pingresp_timeout);
        }
    }

    // ----- Commands -----

    /// Publishes `payload` to `topic`. This stage of the engine publishes at QoS 0 only.
    pub fn publish(
        &mut self,
        now: Instant,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<(), UsageError> {
        let topic = TopicName::try_from(topic).map_err(UsageError::InvalidTopicName)?;
        if qos != QoS::AtMostOnce {
            return Err(UsageError::QoSNotSupported { qos });
        }
        let mut publish = Publish::at_most_once(topic, payload);
        publish.retain = retain;
        self.command(now, QueuedCommand::Publish(publish))
    }

    /// Subscribes to `filters`, each with the maximum QoS it wants. The answer comes as
    /// [`Event::Subscribed`] with the returned packet identifier.
    pub fn subscribe(
        &mut self,
        now: Instant,
        filters: &[(&str, QoS)],
    ) -> Result<PacketId, UsageError> {
        let subscriptions = filters
            .iter()
            .map(|&(filter, qos)| {
                Ok(Subscription {
                    filter: TopicFilter::try_from(filter)
                        .map_err(UsageError::InvalidTopicFilter)?,
                    options: SubscriptionOptions::qos(qos),
                })
            })
            .collect::<Result<Vec<_>, UsageError>>()?;
        if subscriptions.is_empty() {
            return Err(UsageError::NoFilters);
        }
        self.check_can_command()?;
        let packet_id = self.allocate_packet_id()?;
        let subscribe = Subscribe {
            packet_id,
            subscriptions,
            properties: SubscribeProperties::default(),
        };
        self.command(now, QueuedCommand::Subscribe(subscribe))
            .inspect_err(|_| {
                self.packet_ids_in_use.remove(&packet_id);
            })?;
        Ok(packet_id)
    }

    /// Removes the subscriptions of `filters`. The answer comes as [`Event::Unsubscribed`].
    pub fn unsubscribe(&mut self, now: Instant, filters: &[&str]) -> Result<PacketId, UsageError> {
        let filters = filters
            .iter()
            .map(|&filter| TopicFilter::try_from(filter).map_err(UsageError::InvalidTopicFilter))
            .collect::<Result<Vec<_>, UsageError>>()?;
        if filters.is_empty() {
            return Err(UsageError::NoFilters);
        }
        self.check_can_command()?;
        let packet_id = self.allocate_packet_id()?;
        let unsubscribe = Unsubscribe {
            packet_id,
            filters,
            properties: UnsubscribeProperties::default(),
        };
        self.command(now, QueuedCommand::Unsubscribe(unsubscribe))
            .inspect_err(|_| {
                self.packet_ids_in_use.remove(&packet_id);
            })?;
        Ok(packet_id)
    }

    /// Ends the connection with DISCONNECT and drops queued commands. Commands are refused
    /// until the transport opens again.
    pub fn disconnect(&mut self, now: Instant) {
        if matches!(
            self.state,
            ConnectionState::Connecting | ConnectionState::Connected
        ) {
            // A normal DISCONNECT: the server discards the Will Message.
            self.send_infallible(now, &Packet::Disconnect(Disconnect::normal()));
            self.end_connection(DisconnectReason::ClientDisconnected);
        }
        self.state = ConnectionState::Disconnected;
        self.queue.clear();
        self.pending_subscribes.clear();
        self.pending_unsubscribes.clear();
        self.packet_ids_in_use.clear();
    }

    // ----- Inside -----

    fn is_reading(&self) -> bool {
        matches!(
            self.state,
            ConnectionState::Connecting | ConnectionState::Connected
        )
    }

    fn check_can_command(&self) -> Result<(), UsageError> {
        if self.state == ConnectionState::Disconnected {
            return Err(UsageError::NoSession);
        }
        if self.state != ConnectionState::Connected
            && self.queue.len() >= self.config.max_queued_commands
        {
            return Err(UsageError::QueueFull {
                capacity: self.config.max_queued_commands,
            });
        }
        Ok(())
    }

    fn command(&mut self, now: Instant, command: QueuedCommand) -> Result<(), UsageError> {
        self.check_can_command()?;
        if self.state == ConnectionState::Connected {
            self.send_command(now, command)
        } else {
            self.queue.push_back(command);
            Ok(())
        }
    }

    fn send_command(&mut self, now: Instant, command: QueuedCommand) -> Result<(), UsageError> {
        match command {
            QueuedCommand::Publish(publish) => self.send(now, &Packet::Publish(publish)),
            QueuedCommand::Subscribe(subscribe) => {
                // Cheap to clone: the filters share their bytes.
                let sent = self.send(now, &Packet::Subscribe(subscribe.clone()));
                if sent.is_ok() {
                    self.pending_subscribes
                        .insert(subscribe.packet_id, subscribe);
                } else {
                    self.packet_ids_in_use.remove(&subscribe.packet_id);
                }
                sent
            }
            QueuedCommand::Unsubscribe(unsubscribe) => {
                let sent = self.send(now, &Packet::Unsubscribe(unsubscribe.clone()));
                if sent.is_ok() {
                    self.pending_unsubscribes
                        .insert(unsubscribe.packet_id, unsubscribe);
                } else {
                    self.packet_ids_in_use.remove(&unsubscribe.packet_id);
                }
                sent
            }
        }
    }

    /// Encodes `packet` for the server and restarts the keep-alive interval, which counts from
    /// the last packet sent.
    fn send(&mut self, now: Instant, packet: &Packet) -> Result<(), UsageError> {
        packet
            .encode(
                self.version,
                self.server_max_packet_size,
                &mut self.outbound,
            )
            .map_err(UsageError::Encode)?;
        if self.state == ConnectionState::Connected && !self.keep_alive.is_zero() {
            self.timers.set(Timer::KeepAlive, now + self.keep_alive);
        }
        Ok(())
    }

    /// Sends a packet of a few bytes that every server accepts (PINGREQ, an
    /// acknowledgement, DISCONNECT).
    fn send_infallible(&mut self, now: Instant, packet: &Packet) {
        if let Err(error) = self.send(now, packet) {
            let packet_id = None;
            self.events
                .push_back(Event::CommandDropped { packet_id, error });
        }
    }

    fn allocate_packet_id(&mut self) -> Result<PacketId, UsageError> {
        for _ in 0..u16::MAX {
            self.last_packet_id = self.last_packet_id.checked_add(1).unwrap_or(1);
            if let Some(id) = PacketId::new(self.last_packet_id)
                && self.packet_ids_in_use.insert(id)
            {
                return Ok(id);
            }
        }
        Err(UsageError::PacketIdsExhausted)
    }

    fn decode_and_handle(&mut self, now: Instant, frame: &Bytes) {
        match Packet::decode(frame, self.version, self.config.max_incoming_packet_size) {
            Ok(Some((packet, _))) => self.handle_packet(now, packet),
            // `frame` holds exactly one whole packet.
            Ok(None) => self.fail(
                now,
                ProtocolError::Malformed(mqtt_codec::DecodeError::FieldOverrunsPacket {
                    field: "packet",
                }),
            ),
            Err(error) => self.fail(now, ProtocolError::Malformed(error)),
        }
    }

    fn handle_packet(&mut self, now: Instant, packet: Packet) {
        let result = match (self.state, packet) {
            (ConnectionState::Connecting, Packet::ConnAck(connack)) => {
                self.handle_connack(now, connack);
                Ok(())
            }
            // "The first packet sent from the Server to the Client MUST be a CONNACK packet"
            // [MQTT-3.2.0-1].
            (ConnectionState::Connecting, other) => Err(ProtocolError::UnexpectedPacket {
                packet: other.packet_type(),
            }),
            (_, Packet::Publish(publish)) => self.handle_publish(now, publish),
            (_, Packet::PubRel(pubrel)) => {
                // Method B of §4.3.3: forget the identifier and complete the exchange.
                self.incoming_qos2.remove(&pubrel.packet_id);
                self.send_infallible(now, &Packet::PubComp(PubComp::new(pubrel.packet_id)));
                Ok(())
            }
            (_, Packet::SubAck(suback)) => self.handle_suback(suback),
            (_, Packet::UnsubAck(unsuback)) => self.handle_unsuback(unsuback),
            (_, Packet::PingResp) => {
                self.ping_outstanding = false;
                self.timers.stop(Timer::PingResponse);
                Ok(())
            }
            (_, Packet::Disconnect(disconnect)) if self.version == ProtocolVersion::V5 => {
                self.end_connection(DisconnectReason::ServerDisconnected {
                    reason_code: disconnect.reason_code,
                    reason_string: disconnect.properties.reason_string,
                });
                self.state = ConnectionState::Closing;
                Ok(())
            }
            // This client never publishes above QoS 0, so no acknowledgement of a PUBLISH can
            // be for it.
            (_, Packet::PubAck(PubAck { packet_id, .. })) => Err(ProtocolError::UnknownPacketId {
                packet: PacketType::PubAck,
                packet_id,
            }),
            (_, Packet::PubRec(PubRec { packet_id, .. })) => Err(ProtocolError::UnknownPacketId {
                packet: PacketType::PubRec,
                packet_id,
            }),
            (_, Packet::PubComp(PubComp { packet_id, .. })) => {
                Err(ProtocolError::UnknownPacketId {
                    packet: PacketType::PubComp,
                    packet_id,
                })
            }
            // A second CONNACK, packets only clients send, and a 3.1.1 server's DISCONNECT.
            (_, other) => Err(ProtocolError::UnexpectedPacket {
                packet: other.packet_type(),
            }),
        };
        if let Err(error) = result {
            self.fail(now, error);
        }
    }

    fn handle_connack(&mut self, now: Instant, connack: ConnAck) {
        self.timers.stop(Timer::ConnectResponse);
        let ConnAck {
            session_present,
            reason_code,
            properties,
        } = connack;
        if !reason_code.is_success() {
            self.end_connection(DisconnectReason::ConnectionRefused {
                reason_code,
                reason_string: properties.reason_string,
            });
            self.state = ConnectionState::Closing;
            return;
        }
        self.state = ConnectionState::Connected;
        // "If the Server returns a Server Keep Alive on the CONNACK packet, the Client MUST use
        // that value instead of the value it sent as the Keep Alive" [MQTT-3.1.2-21].
        if let Some(seconds) = properties.server_keep_alive {
            self.keep_alive = Duration::from_secs(u64::from(seconds));
        }
        if let Some(assigned) = &properties.assigned_client_identifier {
            self.client_id = assigned.clone();
        }
        if let Some(maximum) = properties.maximum_packet_size {
            self.server_max_packet_size = maximum.get();
        }
        if !self.keep_alive.is_zero() {
            self.timers.set(Timer::KeepAlive, now + self.keep_alive);
        }
        self.events.push_back(Event::Connected {
            session_present,
            assigned_client_id: properties.assigned_client_identifier.clone(),
            keep_alive: self.keep_alive,
            properties: Box::new(properties),
        });
        while let Some(command) = self.queue.pop_front() {
            let packet_id = match &command {
                QueuedCommand::Publish(_) => None,
                QueuedCommand::Subscribe(subscribe) => Some(subscribe.packet_id),
                QueuedCommand::Unsubscribe(unsubscribe) => Some(unsubscribe.packet_id),
            };
            if let Err(error) = self.send_command(now, command) {
                self.events
                    .push_back(Event::CommandDropped { packet_id, error });
            }
        }
    }

    fn handle_publish(&mut self, now: Instant, publish: Publish) -> Result<(), ProtocolError> {
        // The client's CONNECT sets no Topic Alias Maximum, which means 0: "A Topic Alias
        // value of 0 or greater than the Topic Alias Maximum is a Protocol Error".
        if publish.properties.topic_alias.is_some() {
            return Err(ProtocolError::TopicAliasNotAllowed);
        }
        let deliver = match publish.qos {
            QosPid::AtMostOnce => true,
            QosPid::AtLeastOnce(packet_id) => {
                self.send_infallible(now, &Packet::PubAck(PubAck::new(packet_id)));
                true
            }
            QosPid::ExactlyOnce(packet_id) => {
                let first_delivery = self.incoming_qos2.insert(packet_id);
                self.send_infallible(now, &Packet::PubRec(PubRec::new(packet_id)));
                first_delivery
            }
        };
        if deliver {
            self.events.push_back(Event::Message(Message {
                topic: publish.topic,
                payload: publish.payload,
                qos: publish.qos.qos(),
                retain: publish.retain,
                dup: publish.dup,
                properties: publish.properties,
            }));
        }
        Ok(())
    }

    fn handle_suback(&mut self, suback: SubAck) -> Result<(), ProtocolError> {
        let SubAck {
            packet_id,
            reason_codes,
            ..
        } = suback;
        let Some(subscribe) = self.pending_subscribes.remove(&packet_id) else {
            return Err(ProtocolError::UnknownPacketId {
                packet: PacketType::SubAck,
                packet_id,
            });
        };
        self.packet_ids_in_use.remove(&packet_id);
        // "The SUBACK packet sent by the Server to the Client MUST contain a Reason Code for
        // each Topic Filter/Subscription Option pair" [MQTT-3.8.4-6].
        if reason_codes.len() != subscribe.subscriptions.len() {
            return Err(ProtocolError::ReasonCodeCountMismatch {
                packet: PacketType::SubAck,
                expected: subscribe.subscriptions.len(),
                received: reason_codes.len(),
            });
        }
        let results = subscribe
            .subscriptions
            .into_iter()
            .zip(reason_codes)
            .map(|(subscription, reason_code)| SubscribeResult {
                filter: subscription.filter,
                outcome: reason_code.granted_qos().ok_or(reason_code),
            })
            .collect();
        self.events
            .push_back(Event::Subscribed { packet_id, results });
        Ok(())
    }

    fn handle_unsuback(&mut self, unsuback: UnsubAck) -> Result<(), ProtocolError> {
        let UnsubAck {
            packet_id,
            reason_codes,
            ..
        } = unsuback;
        let Some(unsubscribe) = self.pending_unsubscribes.remove(&packet_id) else {
            return Err(ProtocolError::UnknownPacketId {
                packet: PacketType::UnsubAck,
                packet_id,
            });
        };
        self.packet_ids_in_use.remove(&packet_id);
        let results = match self.version {
            ProtocolVersion::V311 => unsubscribe
                .filters
                .into_iter()
                .map(|filter| UnsubscribeResult {
                    filter,
                    reason_code: None,
                })
                .collect(),
            ProtocolVersion::V5 => {
                if reason_codes.len() != unsubscribe.filters.len() {
                    return Err(ProtocolError::ReasonCodeCountMismatch {
                        packet: PacketType::UnsubAck,
                        expected: unsubscribe.filters.len(),
                        received: reason_codes.len(),
                    });
                }
                unsubscribe
                    .filters
                    .into_iter()
                    .zip(reason_codes)
                    .map(|(filter, reason_code)| UnsubscribeResult {
                        filter,
                        reason_code: Some(reason_code),
                    })
                    .collect()
            }
        };
        self.events
            .push_back(Event::Unsubscribed { packet_id, results });
        Ok(())
    }

    /// The server broke the protocol: tell it why (5.0), and end the connection.
    fn fail(&mut self, now: Instant, error: ProtocolError) {
        if self.version == ProtocolVersion::V5 {
            let disconnect = Disconnect::with_reason(error.disconnect_reason());
            self.send_infallible(now, &Packet::Disconnect(disconnect));
        }
        self.end_connection(DisconnectReason::ProtocolError(error));
        self.state = ConnectionState::Closing;
    }

    /// Reports the end of the connection and puts back what was in flight: unanswered
    /// SUBSCRIBEs and UNSUBSCRIBEs go first in the queue for the next connection.
    fn end_connection(&mut self, reason: DisconnectReason) {
        self.timers.stop_all();
        self.ping_outstanding = false;
        self.inbound.clear();
        let mut in_flight: Vec<(PacketId, QueuedCommand)> =
            core::mem::take(&mut self.pending_subscribes)
                .into_iter()
                .map(|(id, subscribe)| (id, QueuedCommand::Subscribe(subscribe)))
                .chain(
                    core::mem::take(&mut self.pending_unsubscribes)
                        .into_iter()
                        .map(|(id, unsubscribe)| (id, QueuedCommand::Unsubscribe(unsubscribe))),
                )
                .collect();
        // Identifiers were handed out in increasing order (wrapping aside): keep the order the
        // application issued them in.
        in_flight.sort_by_key(|(id, _)| *id);
        for (_, command) in in_flight.into_iter().rev() {
            self.queue.push_front(command);
        }
        self.events.push_back(Event::Disconnected { reason });
    }

    /// Forgets the bytes of the connection that ended.
    fn reset_connection(&mut self) {
        self.inbound.clear();
        self.outbound.clear();
        self.timers.stop_all();
        self.ping_outstanding = false;
    }
}
