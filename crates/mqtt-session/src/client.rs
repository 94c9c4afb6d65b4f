//! The client state machine. Everything that changes the connection's or the session's state
//! lives in this file.

use std::collections::VecDeque;

use bytes::{Bytes, BytesMut};
use core::num::{NonZeroU16, NonZeroU32};
use core::time::Duration;
use mqtt_codec::{
    ConnAck, ConnAckProperties, Connect, ConnectProperties, Disconnect, LastWill, MAX_PACKET_SIZE,
    MqttString, Packet, PacketId, PacketType, ProtocolVersion, PubAck, PubAckReasonCode, PubComp,
    PubRec, PubRel, Publish, QoS, QosPid, SubAck, Subscribe, SubscribeProperties, Subscription,
    SubscriptionId, SubscriptionOptions, TopicFilter, TopicName, UnsubAck, Unsubscribe,
    UnsubscribeProperties, UserProperty, WillProperties, packet_len,
};

use crate::auth::{self, Auth, Authenticator};
use crate::config::ClientConfig;
use crate::error::{ProtocolError, UsageError};
use crate::event::{DisconnectReason, Event, Message, SubscribeResult, UnsubscribeResult};
use crate::sorted::{SortedMap, SortedSet};
use crate::time::Instant;
use crate::timer::{Timer, TimerTable};

/// Where the connection stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionState {
    /// No transport. Commands are queued for the next connection.
    Offline,
    /// The transport is open and CONNECT sent; waiting for CONNACK. Commands are queued.
    Connecting,
    /// The server accepted the connection. Commands are sent at once, within the server's
    /// Receive Maximum.
    Connected,
    /// The client ended the connection (refusal, timeout, protocol error, server DISCONNECT)
    /// and waits for the driver to close the transport. Commands are queued.
    Closing,
    /// The application called `disconnect`. Commands are refused until the transport opens
    /// again; the session (in-flight messages, queue, subscriptions) is kept.
    Disconnected,
}

/// A command waiting to be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum QueuedCommand {
    Publish(Publish),
    Subscribe(Subscribe),
    Unsubscribe(Unsubscribe),
}

impl QueuedCommand {
    pub(crate) fn packet_id(&self) -> Option<PacketId> {
        match self {
            QueuedCommand::Publish(publish) => publish.qos.packet_id(),
            QueuedCommand::Subscribe(subscribe) => Some(subscribe.packet_id),
            QueuedCommand::Unsubscribe(unsubscribe) => Some(unsubscribe.packet_id),
        }
    }

    /// What the command counts against the queue's byte limit.
    pub(crate) fn queued_bytes(&self) -> usize {
        match self {
            QueuedCommand::Publish(publish) => publish.topic.len() + publish.payload.len(),
            QueuedCommand::Subscribe(subscribe) => subscribe
                .subscriptions
                .iter()
                .map(|subscription| subscription.filter.as_str().len())
                .sum(),
            QueuedCommand::Unsubscribe(unsubscribe) => unsubscribe
                .filters
                .iter()
                .map(|filter| filter.as_str().len())
                .sum(),
        }
    }
}

/// How far the server has acknowledged an outgoing QoS 1 or 2 PUBLISH.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
// The variants are named after the packets the client awaits.
#[allow(clippy::enum_variant_names)]
pub(crate) enum Awaiting {
    /// QoS 1, sent: PUBACK ends it.
    PubAck,
    /// QoS 2, sent: PUBREC moves it on.
    PubRec,
    /// QoS 2, PUBREL sent: PUBCOMP ends it.
    PubComp,
}

/// An outgoing QoS 1 or 2 message the server has not finished acknowledging.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct InflightPublish {
    /// Sending order: redelivery after a reconnection keeps it [MQTT-4.6.0-1].
    pub(crate) order: u64,
    pub(crate) stage: Awaiting,
    /// With its packet id; DUP is set when it is sent again.
    pub(crate) publish: Publish,
}

/// What the server's CONNACK allows, honoured until the next CONNACK.
#[derive(Debug, Clone, PartialEq, Eq)]
struct ServerLimits {
    receive_maximum: u16,
    maximum_packet_size: u32,
    topic_alias_maximum: u16,
    maximum_qos: QoS,
    retain_available: bool,
    wildcard_subscription_available: bool,
    shared_subscription_available: bool,
    subscription_identifiers_available: bool,
}

impl ServerLimits {
    /// What holds when CONNACK leaves a property out (MQTT 5.0 §3.2.2.3), and for 3.1.1.
    fn from_connack(properties: &ConnAckProperties) -> Self {
        ServerLimits {
            receive_maximum: properties.receive_maximum.map_or(u16::MAX, NonZeroU16::get),
            maximum_packet_size: properties
                .maximum_packet_size
                .map_or(MAX_PACKET_SIZE, NonZeroU32::get),
            topic_alias_maximum: properties.topic_alias_maximum.unwrap_or(0),
            maximum_qos: properties.maximum_qos.unwrap_or(QoS::ExactlyOnce),
            retain_available: properties.retain_available.unwrap_or(true),
            wildcard_subscription_available: properties
                .wildcard_subscription_available
                .unwrap_or(true),
            shared_subscription_available: properties.shared_subscription_available.unwrap_or(true),
            subscription_identifiers_available: properties
                .subscription_identifiers_available
                .unwrap_or(true),
        }
    }
}

/// A subscription the server granted, remembered to subscribe again when a session is lost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct GrantedSubscription {
    pub(crate) options: SubscriptionOptions,
    pub(crate) subscription_id: Option<SubscriptionId>,
}

/// A sans-IO MQTT client: it never touches a socket, a clock or a random number generator.
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
/// `poll_transmit` still returns and closes the transport; to connect again (after a
/// [`Backoff`](crate::Backoff) delay) it opens a new transport and calls
/// `handle_transport_opened` on the same client, which keeps the session.
///
/// Connecting is opening the transport: `handle_transport_opened` sends CONNECT. Commands
/// issued before CONNACK, while offline, or beyond the server's Receive Maximum wait in a
/// queue bounded by count and bytes ([`ClientConfig::max_queued_commands`],
/// [`ClientConfig::max_queued_bytes`]) and go out in order.
///
/// # Delivery promises
///
/// * QoS 1 and 2 messages stay in flight until PUBACK / PUBCOMP ([`Event::Published`]).
///   Reconnecting with the server's session present resends unacknowledged PUBLISHes with
///   DUP set, and PUBRELs, in their original order.
/// * Without a session present, the client subscribes again to every granted subscription;
///   QoS 1 and 2 messages the server had not acknowledged (no PUBACK, no PUBREC) are sent
///   again as new messages (DUP clear); QoS 2 messages the server had answered with PUBREC
///   are delivered as far as the server is concerned and are reported as published.
/// * QoS 0 messages published while offline wait in the same queue as the others and are
///   sent when the connection is up; a message that finds the queue full is refused with
///   [`UsageError::QueueFull`] (nothing already queued is dropped).
/// * Incoming QoS 2 messages reach the application exactly once, also across reconnections
///   with the session present and across [`save`](Client::save) /
///   [`restore`](Client::restore).
#[derive(Debug)]
pub struct Client {
    pub(crate) config: ClientConfig,
    pub(crate) version: ProtocolVersion,
    /// The configured identifier, or the one a 5.0 server assigned, used on reconnection.
    pub(crate) client_id: MqttString,
    username: Option<MqttString>,
    will: Option<LastWill>,
    /// The empty topic name that goes with a Topic Alias.
    empty_topic: TopicName,
    state: ConnectionState,
    /// The start of a packet whose end has not arrived yet.
    inbound: BytesMut,
    outbound: BytesMut,
    events: VecDeque<Event>,
    timers: TimerTable,

    // The session: what save() keeps.
    pub(crate) queue: VecDeque<QueuedCommand>,
    queued_bytes: usize,
    pub(crate) inflight: SortedMap<PacketId, InflightPublish>,
    pub(crate) next_order: u64,
    /// Sent SUBSCRIBEs awaiting SUBACK, re-queued if the connection drops.
    pub(crate) pending_subscribes: SortedMap<PacketId, Subscribe>,
    /// Sent UNSUBSCRIBEs awaiting UNSUBACK, re-queued if the connection drops.
    pub(crate) pending_unsubscribes: SortedMap<PacketId, Unsubscribe>,
    pub(crate) subscriptions: SortedMap<TopicFilter, GrantedSubscription>,
    /// Identifiers of queued, in-flight and pending packets, which must not be reused.
    packet_ids_in_use: SortedSet<PacketId>,
    pub(crate) last_packet_id: u16,
    /// QoS 2 messages delivered and answered with PUBREC, awaiting PUBREL: a re-delivery of
    /// one of these must not reach the application twice.
    pub(crate) incoming_qos2: SortedSet<PacketId>,

    // The connection.
    /// The keep alive in force on this connection.
    keep_alive: Duration,
    limits: ServerLimits,
    ping_outstanding: bool,
    /// Topic Aliases the client set towards the server on this connection.
    aliases_out: SortedMap<TopicName, NonZeroU16>,
    /// Topic Aliases the server set towards the client on this connection.
    aliases_in: SortedMap<u16, TopicName>,
    /// 5.0 enhanced authentication, if the application plugged one in.
    authenticator: Option<Box<dyn Authenticator>>,
    /// A re-authentication the client started and the server has not finished.
    reauthenticating: bool,
    /// In-flight PUBLISHes of the resumed session still to be sent again on this
    /// connection, in order, held back by the server's Receive Maximum.
    awaiting_resend: VecDeque<PacketId>,
}

/// What arrives: a packet the codec knows, or AUTH, which this crate reads itself.
// Short-lived, on the stack between decoding and handling: boxing would cost an allocation
// per packet.
#[allow(clippy::large_enum_variant)]
enum Inbound {
    Packet(Packet),
    Auth(Auth),
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
        // "If the Client supplies a zero-byte ClientId, the Client MUST also set CleanSession
        // to 1" (3.1.1 [MQTT-3.1.3-7]).
        if config.protocol_version == ProtocolVersion::V311
            && client_id.is_empty()
            && !config.clean_start
        {
            return Err(UsageError::InvalidConfig {
                field: "client_id (3.1.1 needs clean_start without one)",
            });
        }
        for (name, value) in &config.user_properties {
            for text in [name, value] {
                MqttString::try_from(text.as_str()).map_err(|error| UsageError::InvalidString {
                    field: "user property",
                    error,
                })?;
            }
        }
        if config.max_queued_commands > usize::from(u16::MAX) {
            return Err(UsageError::InvalidConfig {
                field: "max_queued_commands",
            });
        }
        if config.max_inflight == 0 {
            return Err(UsageError::InvalidConfig {
                field: "max_inflight",
            });
        }
        let will = match &config.will {
            Some(will) => {
                if will.payload.len() > usize::from(u16::MAX) {
                    return Err(UsageError::BinaryDataTooLong {
                        field: "will payload",
                        len: will.payload.len(),
                    });
                }
                Some(LastWill {
                    topic: TopicName::try_from(will.topic.as_str())
                        .map_err(UsageError::InvalidTopicName)?,
                    payload: will.payload.clone(),
                    qos: will.qos,
                    retain: will.retain,
                    properties: match config.protocol_version {
                        ProtocolVersion::V311 => WillProperties::default(),
                        ProtocolVersion::V5 => WillProperties {
                            will_delay_interval: Some(will.delay_interval)
                                .filter(|&seconds| seconds != 0),
                            ..WillProperties::default()
                        },
                    },
                })
            }
            None => None,
        };
        Ok(Client {
            version: config.protocol_version,
            keep_alive: config.keep_alive,
            client_id,
            username,
            will,
            empty_topic: empty_topic_name(),
            config,
            state: ConnectionState::Offline,
            inbound: BytesMut::new(),
            outbound: BytesMut::new(),
            events: VecDeque::new(),
            timers: TimerTable::default(),
            queue: VecDeque::new(),
            queued_bytes: 0,
            inflight: SortedMap::new(),
            next_order: 0,
            pending_subscribes: SortedMap::new(),
            pending_unsubscribes: SortedMap::new(),
            subscriptions: SortedMap::new(),
            packet_ids_in_use: SortedSet::new(),
            last_packet_id: 0,
            incoming_qos2: SortedSet::new(),
            limits: ServerLimits::from_connack(&ConnAckProperties::default()),
            ping_outstanding: false,
            aliases_out: SortedMap::new(),
            aliases_in: SortedMap::new(),
            authenticator: None,
            reauthenticating: false,
            awaiting_resend: VecDeque::new(),
        })
    }

    pub fn state(&self) -> ConnectionState {
        self.state
    }

    pub fn protocol_version(&self) -> ProtocolVersion {
        self.version
    }

    /// The client identifier in use: the configured one, or the one the server assigned.
    pub fn client_id(&self) -> &str {
        self.client_id.as_str()
    }

    /// QoS 1 and 2 messages sent and not yet fully acknowledged.
    pub fn inflight_len(&self) -> usize {
        self.inflight.len()
    }

    /// Commands waiting to be sent.
    pub fn queued_len(&self) -> usize {
        self.queue.len()
    }

    /// Messages waiting to be sent (the queued commands that are publishes, not
    /// subscriptions): with [`inflight_len`](Client::inflight_len), what a user would lose.
    pub fn queued_messages_len(&self) -> usize {
        self.queue
            .iter()
            .filter(|c| matches!(c, QueuedCommand::Publish(_)))
            .count()
    }

    /// Whether a QoS 1 or 2 publish now would go out at once rather than wait in the queue.
    pub fn can_send_publish(&self) -> bool {
        self.state == ConnectionState::Connected
            && self.queue.is_empty()
            && self.inflight.len() < usize::from(self.send_quota())
    }

    /// Uses MQTT 5.0 enhanced authentication from the next connection on: CONNECT carries
    /// the authenticator's method and first data, and the server's AUTH challenges are
    /// answered by it until CONNACK.
    pub fn set_authenticator(&mut self, authenticator: Box<dyn Authenticator>) {
        self.authenticator = Some(authenticator);
    }

    /// Starts a 5.0 re-authentication on the live connection (AUTH, Re-authenticate).
    /// [`Event::Reauthenticated`] reports the server's Success.
    pub fn reauthenticate(&mut self, now: Instant) -> Result<(), UsageError> {
        if self.state != ConnectionState::Connected || self.version != ProtocolVersion::V5 {
            return Err(UsageError::NoSession);
        }
        let Some(authenticator) = self.authenticator.as_mut() else {
            return Err(UsageError::InvalidConfig {
                field: "authenticator",
            });
        };
        let auth = Auth {
            reason_code: auth::REAUTHENTICATE,
            method: MqttString::try_from(authenticator.method()).ok(),
            data: authenticator.start(),
        };
        self.send_auth(now, &auth);
        self.reauthenticating = true;
        Ok(())
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
        self.limits = ServerLimits::from_connack(&ConnAckProperties::default());
        let properties = match self.version {
            ProtocolVersion::V311 => ConnectProperties::default(),
            ProtocolVersion::V5 => ConnectProperties {
                session_expiry_interval: Some(self.config.session_expiry_interval)
                    .filter(|&seconds| seconds != 0),
                maximum_packet_size: NonZeroU32::new(self.config.max_incoming_packet_size)
                    .filter(|&size| size.get() < MAX_PACKET_SIZE),
                topic_alias_maximum: Some(self.config.topic_alias_maximum)
                    .filter(|&maximum| maximum != 0),
                receive_maximum: self.config.receive_maximum,
                // Checked by `Client::new`, so none is dropped here.
                user_properties: self
                    .config
                    .user_properties
                    .iter()
                    .filter_map(|(name, value)| {
                        Some(UserProperty {
                            name: MqttString::try_from(name.as_str()).ok()?,
                            value: MqttString::try_from(value.as_str()).ok()?,
                        })
                    })
                    .collect(),
                authentication_method: self
                    .authenticator
                    .as_ref()
                    .and_then(|authenticator| MqttString::try_from(authenticator.method()).ok()),
                authentication_data: self
                    .authenticator
                    .as_mut()
                    .and_then(|authenticator| authenticator.start()),
                ..ConnectProperties::default()
            },
        };
        self.reauthenticating = false;
        let connect = Connect {
            clean_start: self.config.clean_start,
            keep_alive: self.config.keep_alive.as_secs() as u16,
            client_id: self.client_id.clone(),
            will: self.will.clone(),
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
            match self.decode(&input) {
                Ok(Some((packet, used))) => {
                    let _ = input.split_to(used);
                    self.handle_inbound(now, packet);
                }
                Ok(None) => {
                    self.inbound.extend_from_slice(&input);
                    return;
                }
                Err(error) => return self.fail(now, refused(error)),
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

    /// Publishes `payload` to `topic`.
    ///
    /// Returns the packet id of a QoS 1 or 2 message, which [`Event::Published`] names when
    /// the server has acknowledged it; `None` for QoS 0. While connected, a QoS or RETAIN
    /// the server's CONNACK does not allow is refused here; while offline, it is refused when
    /// the message's turn comes ([`Event::CommandDropped`]).
    pub fn publish(
        &mut self,
        now: Instant,
        topic: &str,
        payload: impl Into<Bytes>,
        qos: QoS,
        retain: bool,
    ) -> Result<Option<PacketId>, UsageError> {
        let topic = TopicName::try_from(topic).map_err(UsageError::InvalidTopicName)?;
        self.check_can_command()?;
        let mut publish = Publish::at_most_once(topic, payload);
        publish.retain = retain;
        if self.state == ConnectionState::Connected {
            self.check_publish(qos, retain)?;
        }
        let packet_id = match qos {
            QoS::AtMostOnce => None,
            QoS::AtLeastOnce | QoS::ExactlyOnce => Some(self.allocate_packet_id()?),
        };
        publish.qos = match (qos, packet_id) {
            (QoS::AtLeastOnce, Some(id)) => QosPid::AtLeastOnce(id),
            (QoS::ExactlyOnce, Some(id)) => QosPid::ExactlyOnce(id),
            _ => QosPid::AtMostOnce,
        };
        self.command(now, QueuedCommand::Publish(publish))
            .inspect_err(|_| self.release_packet_id(packet_id))?;
        Ok(packet_id)
    }

    /// Subscribes to `filters`, each with the maximum QoS it wants. The answer comes as
    /// [`Event::Subscribed`] with the returned packet identifier.
    pub fn subscribe(
        &mut self,
        now: Instant,
        filters: &[(&str, QoS)],
    ) -> Result<PacketId, UsageError> {
        let with_options: Vec<(&str, SubscriptionOptions)> = filters
            .iter()
            .map(|&(filter, qos)| (filter, SubscriptionOptions::qos(qos)))
            .collect();
        self.subscribe_with_options(now, &with_options, None)
    }

    /// Subscribes with MQTT 5.0 subscription options (No Local, Retain As Published, Retain
    /// Handling) and an optional Subscription Identifier (1 to 268,435,455). On a 3.1.1
    /// connection only the QoS of the options is sent.
    pub fn subscribe_with_options(
        &mut self,
        now: Instant,
        filters: &[(&str, SubscriptionOptions)],
        subscription_id: Option<u32>,
    ) -> Result<PacketId, UsageError> {
        let subscriptions = filters
            .iter()
            .map(|&(filter, options)| {
                Ok(Subscription {
                    filter: TopicFilter::try_from(filter)
                        .map_err(UsageError::InvalidTopicFilter)?,
                    options: match self.version {
                        ProtocolVersion::V5 => options,
                        ProtocolVersion::V311 => SubscriptionOptions::qos(options.maximum_qos),
                    },
                })
            })
            .collect::<Result<Vec<_>, UsageError>>()?;
        if subscriptions.is_empty() {
            return Err(UsageError::NoFilters);
        }
        let subscription_id = match subscription_id {
            None => None,
            Some(value) => Some(
                SubscriptionId::new(value)
                    .filter(|_| self.version == ProtocolVersion::V5)
                    .ok_or(UsageError::InvalidSubscriptionId { value })?,
            ),
        };
        let properties = SubscribeProperties {
            subscription_identifier: subscription_id,
            ..SubscribeProperties::default()
        };
        self.check_can_command()?;
        if self.state == ConnectionState::Connected {
            self.check_subscribe(&subscriptions, &properties)?;
        }
        let packet_id = self.allocate_packet_id()?;
        let subscribe = Subscribe {
            packet_id,
            subscriptions,
            properties,
        };
        self.command(now, QueuedCommand::Subscribe(subscribe))
            .inspect_err(|_| self.release_packet_id(Some(packet_id)))?;
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
            .inspect_err(|_| self.release_packet_id(Some(packet_id)))?;
        Ok(packet_id)
    }

    /// Ends the connection with a normal DISCONNECT (the server discards the Will Message).
    /// The session stays: in-flight messages, the queue and subscriptions go to the next
    /// connection (and into [`save`](Client::save)). New commands are refused until the
    /// transport opens again.
    pub fn disconnect(&mut self, now: Instant) {
        if matches!(
            self.state,
            ConnectionState::Connecting | ConnectionState::Connected
        ) {
            self.send_infallible(now, &Packet::Disconnect(Disconnect::normal()));
            self.end_connection(DisconnectReason::ClientDisconnected);
        }
        self.state = ConnectionState::Disconnected;
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
        Ok(())
    }

    /// The most QoS 1 and 2 messages in flight: ours, and the server's Receive Maximum
    /// ("The Client MUST NOT send more than Receive Maximum QoS 1 and QoS 2 PUBLISH packets
    /// for which it has not received PUBACK, PUBCOMP, or PUBREC with a Reason Code of 128 or
    /// greater" [MQTT-3.3.4-7]).
    fn send_quota(&self) -> u16 {
        self.config.max_inflight.min(self.limits.receive_maximum)
    }

    /// What the CONNACK forbids for a PUBLISH.
    fn check_publish(&self, qos: QoS, retain: bool) -> Result<(), UsageError> {
        // "If a Client receives a Maximum QoS from a Server, it MUST NOT send PUBLISH packets
        // at a QoS level exceeding the Maximum QoS level specified" [MQTT-3.2.2-11].
        if qos > self.limits.maximum_qos {
            return Err(UsageError::QoSNotSupported {
                qos,
                maximum: self.limits.maximum_qos,
            });
        }
        // "A Client receiving Retain Available set to 0 from the Server MUST NOT send a PUBLISH
        // packet with the RETAIN flag set to 1" [MQTT-3.2.2-14].
        if retain && !self.limits.retain_available {
            return Err(UsageError::RetainNotSupported);
        }
        Ok(())
    }

    /// What the CONNACK forbids for a SUBSCRIBE.
    fn check_subscribe(
        &self,
        subscriptions: &[Subscription],
        properties: &SubscribeProperties,
    ) -> Result<(), UsageError> {
        for subscription in subscriptions {
            let filter = subscription.filter.as_str();
            if filter.starts_with("$share/") {
                if !self.limits.shared_subscription_available {
                    return Err(UsageError::SharedSubscriptionsNotSupported);
                }
            } else if filter.contains(['+', '#']) && !self.limits.wildcard_subscription_available {
                return Err(UsageError::WildcardSubscriptionsNotSupported);
            }
        }
        if properties.subscription_identifier.is_some()
            && !self.limits.subscription_identifiers_available
        {
            return Err(UsageError::SubscriptionIdentifiersNotSupported);
        }
        Ok(())
    }

    /// Sends `command` now if the connection and the Receive Maximum allow and nothing is
    /// queued before it; queues it otherwise.
    fn command(&mut self, now: Instant, command: QueuedCommand) -> Result<(), UsageError> {
        if self.state == ConnectionState::Connected
            && self.queue.is_empty()
            && self.has_quota_for(&command)
        {
            return self.send_command(now, command);
        }
        if self.queue.len() >= self.config.max_queued_commands {
            return Err(UsageError::QueueFull {
                capacity: self.config.max_queued_commands,
            });
        }
        let bytes = command.queued_bytes();
        if self.queued_bytes + bytes > self.config.max_queued_bytes {
            return Err(UsageError::QueueBytesFull {
                capacity: self.config.max_queued_bytes,
            });
        }
        self.queued_bytes += bytes;
        self.queue.push_back(command);
        Ok(())
    }

    fn has_quota_for(&self, command: &QueuedCommand) -> bool {
        match command {
            QueuedCommand::Publish(publish) if publish.qos != QosPid::AtMostOnce => {
                self.inflight.len() < usize::from(self.send_quota())
            }
            _ => true,
        }
    }

    /// Sends queued commands in order while the connection and the Receive Maximum allow,
    /// after what the resumed session still has to send again.
    fn send_queued(&mut self, now: Instant) {
        self.resend_within_quota(now);
        if !self.awaiting_resend.is_empty() {
            return;
        }
        while self.state == ConnectionState::Connected {
            let Some(front) = self.queue.front() else {
                break;
            };
            if !self.has_quota_for(front) {
                break;
            }
            let Some(command) = self.queue.pop_front() else {
                break;
            };
            self.queued_bytes = self.queued_bytes.saturating_sub(command.queued_bytes());
            let packet_id = command.packet_id();
            if let Err(error) = self.send_command(now, command) {
                self.events
                    .push_back(Event::CommandDropped { packet_id, error });
            }
        }
    }

    fn push_front(&mut self, commands: Vec<QueuedCommand>) {
        for command in commands.into_iter().rev() {
            self.queued_bytes += command.queued_bytes();
            self.queue.push_front(command);
        }
    }

    /// Sends a command; on failure its packet id is free again and nothing was sent.
    fn send_command(&mut self, now: Instant, command: QueuedCommand) -> Result<(), UsageError> {
        match command {
            QueuedCommand::Publish(publish) => {
                let packet_id = publish.qos.packet_id();
                let result = self
                    .check_publish(publish.qos.qos(), publish.retain)
                    .and_then(|()| self.send_publish(now, &publish));
                match (result, publish.qos) {
                    (Err(error), _) => {
                        self.release_packet_id(packet_id);
                        Err(error)
                    }
                    (Ok(()), QosPid::AtMostOnce) => Ok(()),
                    (Ok(()), QosPid::AtLeastOnce(id)) => {
                        self.track(id, Awaiting::PubAck, publish);
                        Ok(())
                    }
                    (Ok(()), QosPid::ExactlyOnce(id)) => {
                        self.track(id, Awaiting::PubRec, publish);
                        Ok(())
                    }
                }
            }
            QueuedCommand::Subscribe(subscribe) => {
                // Cheap to clone: the filters share their bytes.
                let sent = self
                    .check_subscribe(&subscribe.subscriptions, &subscribe.properties)
                    .and_then(|()| self.send(now, &Packet::Subscribe(subscribe.clone())));
                match sent {
                    Ok(()) => {
                        self.pending_subscribes
                            .insert(subscribe.packet_id, subscribe);
                    }
                    Err(_) => self.release_packet_id(Some(subscribe.packet_id)),
                }
                sent
            }
            QueuedCommand::Unsubscribe(unsubscribe) => {
                let sent = self.send(now, &Packet::Unsubscribe(unsubscribe.clone()));
                match sent {
                    Ok(()) => {
                        self.pending_unsubscribes
                            .insert(unsubscribe.packet_id, unsubscribe);
                    }
                    Err(_) => self.release_packet_id(Some(unsubscribe.packet_id)),
                }
                sent
            }
        }
    }

    pub(crate) fn track_restored(
        &mut self,
        packet_id: PacketId,
        stage: Awaiting,
        publish: Publish,
    ) {
        self.track(packet_id, stage, publish);
    }

    fn track(&mut self, packet_id: PacketId, stage: Awaiting, publish: Publish) {
        let order = self.next_order;
        self.next_order += 1;
        self.inflight.insert(
            packet_id,
            InflightPublish {
                order,
                stage,
                publish,
            },
        );
    }

    /// Encodes a PUBLISH, replacing its topic with a Topic Alias where the server allows
    /// aliases: an alias already set on this connection goes with an empty topic; a new topic
    /// gets the next free alias while there is one ("A Client MUST NOT send a PUBLISH packet
    /// with a Topic Alias greater than the Topic Alias Maximum value returned by the Server"
    /// [MQTT-3.3.2-9]).
    fn send_publish(&mut self, now: Instant, publish: &Publish) -> Result<(), UsageError> {
        let maximum = self.limits.topic_alias_maximum;
        if self.version != ProtocolVersion::V5 || maximum == 0 {
            return self.send(now, &Packet::Publish(publish.clone()));
        }
        let mut aliased = publish.clone();
        if let Some(&alias) = self.aliases_out.get(&publish.topic) {
            aliased.topic = self.empty_topic.clone();
            aliased.properties.topic_alias = Some(alias);
            return self.send(now, &Packet::Publish(aliased));
        }
        let next = u16::try_from(self.aliases_out.len() + 1).unwrap_or(u16::MAX);
        match NonZeroU16::new(next).filter(|alias| alias.get() <= maximum) {
            Some(alias) => {
                aliased.properties.topic_alias = Some(alias);
                self.send(now, &Packet::Publish(aliased))?;
                // Only once the server will have seen the alias set.
                self.aliases_out.insert(publish.topic.clone(), alias);
                Ok(())
            }
            None => self.send(now, &Packet::Publish(aliased)),
        }
    }

    /// How long the client stays silent before it sends PINGREQ: the keep alive, or the
    /// configured ping interval when that is shorter.
    fn idle_before_ping(&self) -> Duration {
        self.config
            .ping_interval
            .filter(|interval| !interval.is_zero())
            .map_or(self.keep_alive, |interval| interval.min(self.keep_alive))
    }

    /// Encodes `packet` for the server and restarts the keep-alive interval, which counts from
    /// the last packet sent.
    fn send(&mut self, now: Instant, packet: &Packet) -> Result<(), UsageError> {
        packet
            .encode(
                self.version,
                self.limits.maximum_packet_size,
                &mut self.outbound,
            )
            .map_err(UsageError::Encode)?;
        if self.state == ConnectionState::Connected && !self.keep_alive.is_zero() {
            self.timers
                .set(Timer::KeepAlive, now + self.idle_before_ping());
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

    /// "Each time a Client sends a new SUBSCRIBE, UNSUBSCRIBE, or PUBLISH (where QoS > 0)
    /// MQTT Control Packet it MUST assign it a non-zero Packet Identifier that is currently
    /// unused" [MQTT-2.2.1-3].
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

    fn release_packet_id(&mut self, packet_id: Option<PacketId>) {
        if let Some(id) = packet_id {
            self.packet_ids_in_use.remove(&id);
        }
    }

    pub(crate) fn reserve_packet_id(&mut self, packet_id: PacketId) -> bool {
        self.packet_ids_in_use.insert(packet_id)
    }

    pub(crate) fn enqueue_restored(&mut self, command: QueuedCommand) {
        self.queued_bytes += command.queued_bytes();
        self.queue.push_back(command);
    }

    fn decode(&self, input: &Bytes) -> Result<Option<(Inbound, usize)>, mqtt_codec::DecodeError> {
        let maximum = self.config.max_incoming_packet_size;
        if self.version == ProtocolVersion::V5 && input.first().is_some_and(|&b| b >> 4 == 15) {
            return match packet_len(input, maximum)? {
                Some(len) if len <= input.len() => Ok(Some((
                    Inbound::Auth(Auth::decode(&input.slice(..len))?),
                    len,
                ))),
                _ => Ok(None),
            };
        }
        // Only what a server sends is decoded: a packet only clients send is refused unread.
        Ok(Packet::decode_from_server(input, self.version, maximum)?
            .map(|(packet, used)| (Inbound::Packet(packet), used)))
    }

    fn handle_inbound(&mut self, now: Instant, inbound: Inbound) {
        match inbound {
            Inbound::Packet(packet) => self.handle_packet(now, packet),
            Inbound::Auth(auth) => {
                if let Err(error) = self.handle_auth(now, auth) {
                    self.fail(now, error);
                }
            }
        }
    }

    fn send_auth(&mut self, now: Instant, auth: &Auth) {
        auth.encode(&mut self.outbound);
        if self.state == ConnectionState::Connected && !self.keep_alive.is_zero() {
            self.timers
                .set(Timer::KeepAlive, now + self.idle_before_ping());
        }
    }

    /// An AUTH without an exchange under way (the server must not send one to a client whose
    /// CONNECT had no Authentication Method, §4.12), or for another method, is a Protocol
    /// Error.
    fn handle_auth(&mut self, now: Instant, auth: Auth) -> Result<(), ProtocolError> {
        let unexpected = ProtocolError::UnexpectedPacket {
            packet: PacketType::Auth,
        };
        let exchanging = self.state == ConnectionState::Connecting || self.reauthenticating;
        let Some(authenticator) = self.authenticator.as_mut().filter(|_| exchanging) else {
            return Err(unexpected);
        };
        if auth.method.as_deref() != Some(authenticator.method()) {
            return Err(unexpected);
        }
        match auth.reason_code {
            auth::CONTINUE => match authenticator.challenge(auth.data.as_deref()) {
                Ok(data) => {
                    let answer = Auth {
                        reason_code: auth::CONTINUE,
                        method: auth.method,
                        data,
                    };
                    self.send_auth(now, &answer);
                    Ok(())
                }
                Err(rejected) => Err(ProtocolError::AuthenticationRejected {
                    reason: rejected.reason,
                }),
            },
            // Success ends a re-authentication; the first authentication ends with CONNACK.
            auth::SUCCESS if self.state == ConnectionState::Connected => {
                authenticator
                    .finish(auth.data.as_deref())
                    .map_err(|rejected| ProtocolError::AuthenticationRejected {
                        reason: rejected.reason,
                    })?;
                self.reauthenticating = false;
                self.events.push_back(Event::Reauthenticated);
                Ok(())
            }
            _ => Err(unexpected),
        }
    }

    fn decode_and_handle(&mut self, now: Instant, frame: &Bytes) {
        match self.decode(frame) {
            Ok(Some((packet, _))) => self.handle_inbound(now, packet),
            // `frame` holds exactly one whole packet.
            Ok(None) => self.fail(
                now,
                ProtocolError::Malformed(mqtt_codec::DecodeError::FieldOverrunsPacket {
                    field: "packet",
                }),
            ),
            Err(error) => self.fail(now, refused(error)),
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
            (_, Packet::PubAck(puback)) => self.handle_puback(now, puback),
            (_, Packet::PubRec(pubrec)) => self.handle_pubrec(now, pubrec),
            (_, Packet::PubComp(pubcomp)) => self.handle_pubcomp(now, pubcomp),
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
        if let Some(authenticator) = self.authenticator.as_mut()
            && let Err(rejected) = authenticator.finish(properties.authentication_data.as_deref())
        {
            self.state = ConnectionState::Connected;
            return self.fail(
                now,
                ProtocolError::AuthenticationRejected {
                    reason: rejected.reason,
                },
            );
        }
        self.state = ConnectionState::Connected;
        self.limits = ServerLimits::from_connack(&properties);
        // "If the Server returns a Server Keep Alive on the CONNACK packet, the Client MUST use
        // that value instead of the value it sent as the Keep Alive" [MQTT-3.1.2-21].
        if let Some(seconds) = properties.server_keep_alive {
            self.keep_alive = Duration::from_secs(u64::from(seconds));
        }
        if let Some(assigned) = &properties.assigned_client_identifier {
            self.client_id = assigned.clone();
        }
        if !self.keep_alive.is_zero() {
            self.timers
                .set(Timer::KeepAlive, now + self.idle_before_ping());
        }
        self.events.push_back(Event::Connected {
            session_present,
            assigned_client_id: properties.assigned_client_identifier.clone(),
            keep_alive: self.keep_alive,
            properties: Box::new(properties),
        });
        if session_present {
            self.resume_session(now);
        } else {
            self.restart_session();
        }
        self.send_queued(now);
    }

    /// The packet ids of the in-flight PUBLISHes in their sending order.
    pub(crate) fn inflight_in_order(&self) -> Vec<PacketId> {
        let mut in_order: Vec<(u64, PacketId)> = self
            .inflight
            .iter()
            .map(|(&id, inflight)| (inflight.order, id))
            .collect();
        in_order.sort_unstable();
        in_order.into_iter().map(|(_, id)| id).collect()
    }

    /// The server kept the session: "When a Client reconnects with Clean Start set to 0 and a
    /// session is present, both the Client and Server MUST resend any unacknowledged PUBLISH
    /// packets (where QoS > 0) and PUBREL packets using their original Packet Identifiers"
    /// [MQTT-4.4.0-1], in their original order [MQTT-4.6.0-1], PUBLISH with DUP set
    /// [MQTT-3.3.1-1].
    fn resume_session(&mut self, now: Instant) {
        let in_order = self.inflight_in_order();
        let quota = usize::from(self.send_quota());
        // Sent on this connection and not acknowledged: what the Receive Maximum counts.
        let mut outstanding = 0;
        for packet_id in in_order {
            let Some(inflight) = self.inflight.get(&packet_id) else {
                continue;
            };
            let result = match inflight.stage {
                // Held back (and everything after it, to keep the order) once the quota is
                // used up.
                Awaiting::PubAck | Awaiting::PubRec
                    if outstanding >= quota || !self.awaiting_resend.is_empty() =>
                {
                    self.awaiting_resend.push_back(packet_id);
                    continue;
                }
                Awaiting::PubAck | Awaiting::PubRec => {
                    let mut publish = inflight.publish.clone();
                    publish.dup = true;
                    self.send_publish(now, &publish)
                }
                // The server has the message; PUBREL is no PUBLISH for the Receive Maximum
                // to hold back.
                Awaiting::PubComp => self.send(now, &Packet::PubRel(PubRel::new(packet_id))),
            };
            match result {
                Ok(()) => outstanding += 1,
                // Only a server that shrank its Maximum Packet Size can refuse a resend.
                Err(error) => self.drop_inflight(packet_id, error),
            }
        }
    }

    /// Sends again, with DUP, the resumed session's PUBLISHes the Receive Maximum allows:
    /// those sent on this connection and not acknowledged stay below the quota.
    fn resend_within_quota(&mut self, now: Instant) {
        while self.state == ConnectionState::Connected
            && self.inflight.len() - self.awaiting_resend.len() < usize::from(self.send_quota())
        {
            let Some(packet_id) = self.awaiting_resend.pop_front() else {
                break;
            };
            let Some(inflight) = self.inflight.get(&packet_id) else {
                continue;
            };
            let mut publish = inflight.publish.clone();
            publish.dup = true;
            // Only a server that shrank its Maximum Packet Size can refuse a resend.
            if let Err(error) = self.send_publish(now, &publish) {
                self.drop_inflight(packet_id, error);
            }
        }
    }

    fn drop_inflight(&mut self, packet_id: PacketId, error: UsageError) {
        self.inflight.remove(&packet_id);
        self.release_packet_id(Some(packet_id));
        self.events.push_back(Event::CommandDropped {
            packet_id: Some(packet_id),
            error,
        });
    }

    /// The server has no session for the client (a new one, Clean Start, or expired): its
    /// half of every exchange is gone. Subscribe again, and send again what the server had not
    /// acknowledged, as new messages (see the delivery promises on [`Client`]).
    fn restart_session(&mut self) {
        self.incoming_qos2.clear();
        let mut again = Vec::new();
        for packet_id in self.inflight_in_order() {
            let Some(inflight) = self.inflight.remove(&packet_id) else {
                continue;
            };
            match inflight.stage {
                Awaiting::PubAck | Awaiting::PubRec => {
                    again.push(QueuedCommand::Publish(inflight.publish));
                }
                // The server took the message (PUBREC) before it lost the session.
                Awaiting::PubComp => {
                    self.release_packet_id(Some(packet_id));
                    self.events.push_back(Event::Published {
                        packet_id,
                        outcome: Ok(()),
                    });
                }
            }
        }
        let granted: Vec<(TopicFilter, GrantedSubscription)> = self
            .subscriptions
            .iter()
            .map(|(filter, granted)| (filter.clone(), granted.clone()))
            .collect();
        let mut resubscribe = Vec::new();
        for (filter, granted) in granted {
            let Ok(packet_id) = self.allocate_packet_id() else {
                break;
            };
            resubscribe.push(QueuedCommand::Subscribe(Subscribe {
                packet_id,
                subscriptions: vec![Subscription {
                    filter,
                    options: granted.options,
                }],
                properties: SubscribeProperties {
                    subscription_identifier: granted.subscription_id,
                    ..SubscribeProperties::default()
                },
            }));
        }
        resubscribe.extend(again);
        self.push_front(resubscribe);
    }

    fn handle_puback(&mut self, now: Instant, puback: PubAck) -> Result<(), ProtocolError> {
        let packet_id = puback.packet_id;
        if self.inflight.get(&packet_id).map(|inflight| inflight.stage) != Some(Awaiting::PubAck) {
            return Err(ProtocolError::UnknownPacketId {
                packet: PacketType::PubAck,
                packet_id,
            });
        }
        self.finish_outgoing(packet_id, puback.reason_code);
        self.send_queued(now);
        Ok(())
    }

    fn handle_pubrec(&mut self, now: Instant, pubrec: PubRec) -> Result<(), ProtocolError> {
        let packet_id = pubrec.packet_id;
        let Some(inflight) = self.inflight.get_mut(&packet_id) else {
            return Err(ProtocolError::UnknownPacketId {
                packet: PacketType::PubRec,
                packet_id,
            });
        };
        match inflight.stage {
            Awaiting::PubAck => {
                return Err(ProtocolError::UnknownPacketId {
                    packet: PacketType::PubRec,
                    packet_id,
                });
            }
            // A Reason Code of 0x80 or above ends the exchange: no PUBREL, and the quota is
            // free again.
            Awaiting::PubRec if !pubrec.reason_code.is_success() => {
                self.finish_outgoing(packet_id, pubrec.reason_code);
                self.send_queued(now);
                return Ok(());
            }
            // A repeated PUBREC (after the server resent it) is answered again.
            Awaiting::PubRec | Awaiting::PubComp => {
                inflight.stage = Awaiting::PubComp;
            }
        }
        self.send_infallible(now, &Packet::PubRel(PubRel::new(packet_id)));
        Ok(())
    }

    fn handle_pubcomp(&mut self, now: Instant, pubcomp: PubComp) -> Result<(), ProtocolError> {
        let packet_id = pubcomp.packet_id;
        if self.inflight.get(&packet_id).map(|inflight| inflight.stage) != Some(Awaiting::PubComp) {
            return Err(ProtocolError::UnknownPacketId {
                packet: PacketType::PubComp,
                packet_id,
            });
        }
        // PUBCOMP's only failure, Packet Identifier not found, still means the server had
        // the message: it answered PUBREC before.
        self.finish_outgoing(packet_id, PubAckReasonCode::Success);
        self.send_queued(now);
        Ok(())
    }

    fn finish_outgoing(&mut self, packet_id: PacketId, reason_code: PubAckReasonCode) {
        self.inflight.remove(&packet_id);
        self.release_packet_id(Some(packet_id));
        let outcome = if reason_code.is_success() {
            Ok(())
        } else {
            Err(reason_code)
        };
        self.events
            .push_back(Event::Published { packet_id, outcome });
    }

    fn handle_publish(&mut self, now: Instant, mut publish: Publish) -> Result<(), ProtocolError> {
        if let Some(alias) = publish.properties.topic_alias.take() {
            let maximum = self.config.topic_alias_maximum;
            // "A Topic Alias value of 0 or greater than the Topic Alias Maximum is a Protocol
            // Error" (§3.3.2.3.4; 0 does not decode).
            if maximum == 0 {
                return Err(ProtocolError::TopicAliasNotAllowed);
            }
            if alias.get() > maximum {
                return Err(ProtocolError::TopicAliasOutOfRange {
                    alias: alias.get(),
                    maximum,
                });
            }
            if publish.topic.is_empty() {
                publish.topic = self
                    .aliases_in
                    .get(&alias.get())
                    .cloned()
                    .ok_or(ProtocolError::UnknownTopicAlias { alias: alias.get() })?;
            } else {
                self.aliases_in.insert(alias.get(), publish.topic.clone());
            }
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
        self.release_packet_id(Some(packet_id));
        // "The SUBACK packet sent by the Server to the Client MUST contain a Reason Code for
        // each Topic Filter/Subscription Option pair" [MQTT-3.8.4-6].
        if reason_codes.len() != subscribe.subscriptions.len() {
            return Err(ProtocolError::ReasonCodeCountMismatch {
                packet: PacketType::SubAck,
                expected: subscribe.subscriptions.len(),
                received: reason_codes.len(),
            });
        }
        let subscription_id = subscribe.properties.subscription_identifier;
        let results = subscribe
            .subscriptions
            .into_iter()
            .zip(reason_codes)
            .map(|(subscription, reason_code)| {
                let outcome = reason_code.granted_qos().ok_or(reason_code);
                if outcome.is_ok() {
                    self.subscriptions.insert(
                        subscription.filter.clone(),
                        GrantedSubscription {
                            options: subscription.options,
                            subscription_id,
                        },
                    );
                }
                SubscribeResult {
                    filter: subscription.filter,
                    outcome,
                }
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
        self.release_packet_id(Some(packet_id));
        for filter in &unsubscribe.filters {
            self.subscriptions.remove(filter);
        }
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
    /// SUBSCRIBEs and UNSUBSCRIBEs go first in the queue for the next connection. In-flight
    /// PUBLISHes stay in flight, to be resent or requeued after the next CONNACK.
    fn end_connection(&mut self, reason: DisconnectReason) {
        self.timers.stop_all();
        self.ping_outstanding = false;
        self.inbound.clear();
        let in_flight = merge_by_packet_id(
            core::mem::take(&mut self.pending_subscribes)
                .into_iter()
                .map(|(id, subscribe)| (id, QueuedCommand::Subscribe(subscribe))),
            core::mem::take(&mut self.pending_unsubscribes)
                .into_iter()
                .map(|(id, unsubscribe)| (id, QueuedCommand::Unsubscribe(unsubscribe))),
        );
        self.push_front(in_flight);
        self.events.push_back(Event::Disconnected { reason });
    }

    /// Forgets the bytes and the per-connection state of the connection that ended.
    fn reset_connection(&mut self) {
        self.inbound.clear();
        self.outbound.clear();
        self.timers.stop_all();
        self.ping_outstanding = false;
        // "A receiver MUST NOT carry forward any Topic Alias mappings from one Network
        // Connection to another" [MQTT-3.3.2-7].
        self.aliases_out.clear();
        self.aliases_in.clear();
        self.awaiting_resend.clear();
    }
}

/// Two lists in packet id order merged into one (ties: `first`'s first), as a stable sort of
/// the two chained would give: the sent SUBSCRIBEs and UNSUBSCRIBEs, each map already in id
/// order. Identifiers were handed out in increasing order (wrapping aside), so this is the
/// order the application issued the commands in.
pub(crate) fn merge_by_packet_id<T>(
    first: impl IntoIterator<Item = (PacketId, T)>,
    second: impl IntoIterator<Item = (PacketId, T)>,
) -> Vec<T> {
    let (mut first, mut second) = (first.into_iter().peekable(), second.into_iter().peekable());
    let mut merged = Vec::new();
    loop {
        let from_first = match (first.peek(), second.peek()) {
            (Some((a, _)), Some((b, _))) => a <= b,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => return merged,
        };
        let next = if from_first {
            first.next()
        } else {
            second.next()
        };
        merged.extend(next.map(|(_, item)| item));
    }
}

/// Why the bytes of a packet end the connection: a packet only clients send is an
/// unexpected packet, as any packet out of place is; anything else a malformed one.
fn refused(error: mqtt_codec::DecodeError) -> ProtocolError {
    match error {
        mqtt_codec::DecodeError::NotSentByServer { packet } => {
            ProtocolError::UnexpectedPacket { packet }
        }
        error => ProtocolError::Malformed(error),
    }
}

/// The empty Topic Name a PUBLISH carries with a Topic Alias. The codec only produces one by
/// decoding, so decode a fixed aliased PUBLISH once.
fn empty_topic_name() -> TopicName {
    // PUBLISH, QoS 0, topic "", properties: Topic Alias 1, no payload.
    const ALIASED: &[u8] = &[0x30, 0x06, 0x00, 0x00, 0x03, 0x23, 0x00, 0x01];
    match Packet::decode_from_server(
        &Bytes::from_static(ALIASED),
        ProtocolVersion::V5,
        MAX_PACKET_SIZE,
    ) {
        Ok(Some((Packet::Publish(publish), _))) => publish.topic,
        _ => unreachable!("a fixed, valid PUBLISH decodes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u16) -> PacketId {
        PacketId::new(n).expect("non-zero")
    }

    #[test]
    fn merging_by_packet_id_orders_as_a_stable_sort_would() {
        let subscribes = [(id(1), "s1"), (id(4), "s4"), (id(5), "s5")];
        let unsubscribes = [(id(2), "u2"), (id(4), "u4"), (id(9), "u9")];
        assert_eq!(
            merge_by_packet_id(subscribes, unsubscribes),
            ["s1", "u2", "s4", "u4", "s5", "u9"]
        );
        assert_eq!(merge_by_packet_id([], [(id(3), "u3")]), ["u3"]);
    }
}
