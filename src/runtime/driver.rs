//! Feeds the MQTT engine from one WebSocket and one timer, keeps the connection up through
//! what phones do to pages, and turns the engine's events into signals.
//!
//! The invariant, after every input (socket opened, frame received, socket closed, timer fired,
//! page lifecycle event) and every command: [`Driver::pump`] sends everything the engine wants
//! sent as one frame, takes every event it produced, and re-arms the single timer at the
//! earliest of the engine's deadline and the driver's own (handshake timeout, next attempt).
//! Signals are written only after the driver's borrow ends, so whatever they trigger may call
//! back in.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use mqtt_codec::{ConnectReasonCode, DisconnectReasonCode};
use mqtt_session::{
    Backoff, Client, ClientConfig, DisconnectReason, Duration, Event, Instant, PacketId,
    ProtocolVersion, QoS, SessionState, UsageError, Will,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::browser::{browser_is_online, now, random_client_id, random_seed, sleep, time_of_day};
use super::lifecycle::PageLifecycle;
use super::session_store::{SessionStore, UNREADABLE_NOTICE};
use super::tabs::TabGuard;
use super::{ConnectionStatus, Outputs, PublishError, Subscription, SubscriptionState, storage};
use crate::profiles::{Profile, Protocol};

/// MQTT over WebSocket: "the Sec-WebSocket-Protocol MUST be 'mqtt'" for both 3.1.1 and 5.0.
const SUBPROTOCOL: &str = "mqtt";
/// How long a WebSocket handshake may take before the attempt counts as failed. Without it a
/// socket stuck half-open (a sleeping Wi-Fi, a captive portal) would never end.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// Reconnection delays grow from half a second to a minute, with full jitter; a connection
/// that lasted half a minute starts them over.
const RECONNECT_MIN: Duration = Duration::from_millis(500);
const RECONNECT_MAX: Duration = Duration::from_secs(60);
const STABLE_AFTER: Duration = Duration::from_secs(30);
/// While the browser holds more than this unsent on the socket, new bytes wait in the driver.
const SOCKET_HIGH_WATER: u32 = 512 * 1024;
/// How long a new tab waits for another tab to say it uses the same client id.
const CLAIM_WINDOW: std::time::Duration = std::time::Duration::from_millis(150);
/// How soon to look again at a socket that was too full to take more.
const DRAIN_CHECK: Duration = Duration::from_millis(50);
/// How much may wait in the driver before publishing is refused as too fast for the link.
const MAX_HELD: usize = 4 * 1024 * 1024;

/// Where the driver stands between the page and the broker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Not connecting: never asked, the user disconnected, or the broker refused in a way
    /// retrying would not fix.
    Stopped,
    /// The WebSocket handshake is under way until `deadline`.
    Opening { deadline: Instant },
    /// The socket is open; the engine runs MQTT over it.
    Open { connected: bool },
    /// The next attempt is due `at`.
    Waiting { at: Instant },
    /// The browser says it has no network; the next attempt waits for `online`.
    NoNetwork,
}

pub struct Driver {
    engine: Client,
    profile: Option<Profile>,
    password: Option<String>,
    client_id: String,
    /// The broker URL of the profile tried now; the next one after a failed attempt.
    url_index: usize,
    phase: Phase,
    socket: Option<Socket>,
    timer: Option<Timer>,
    backoff: Backoff,
    /// Why the socket closed, when the browser said, for the status line.
    close_detail: Option<String>,
    /// A status decided while the driver is borrowed, shown by the next pump.
    pending_status: Option<ConnectionStatus>,
    /// The filters of each SUBSCRIBE awaiting its SUBACK.
    pending_subscribes: PendingSubscribes,
    outputs: Outputs,
    lifecycle: Option<PageLifecycle>,
    tabs: Option<TabGuard>,
    /// Where the session is kept across reloads; `None` for a detached connection, or until
    /// (and unless) IndexedDB opens.
    sessions: Option<SessionStore>,
    /// True while the saved session is being read: a start waits for it.
    restoring: bool,
    deferred_start: Option<(Profile, Option<String>)>,
    /// Commands given while the saved session was being read, replayed on top of it.
    deferred_commands: Vec<DeferredCommand>,
    /// The session changed since it was last saved.
    dirty: bool,
    /// Called with every message received, for code that counts rather than shows them.
    observer: Option<MessageObserver>,
    /// Also called with every message, before it goes to the log (or the observer).
    listeners: Vec<MessageListener>,
    /// A pump is queued for the end of the current task (see [`Driver::pump_soon`]).
    pump_queued: bool,
    /// Bytes taken from the engine and not yet given to the socket, held back while the
    /// browser's own send buffer is full.
    held: Vec<u8>,
}

/// Code that wants every received message (topic, payload) rather than the message list.
pub(super) type MessageObserver = Rc<dyn Fn(&str, &[u8])>;
pub(super) type MessageListener = Rc<dyn Fn(&str, &[u8], bool)>;

/// A command that arrived before the saved session was read.
enum DeferredCommand {
    Subscribe {
        filter: String,
        qos: QoS,
    },
    Publish {
        topic: String,
        payload: Vec<u8>,
        qos: QoS,
        retain: bool,
    },
}

/// What the UI learns from one pump, applied once the driver is no longer borrowed.
enum UiChange {
    Status(ConnectionStatus),
    Message {
        topic: String,
        payload: mqtt_codec::Bytes,
        retained: bool,
    },
    Subscription(Subscription),
    /// The connection ended: every subscription waits to be confirmed again.
    SubscriptionsUnconfirmed,
}

impl Driver {
    /// A driver for the page: its client id is the tab's, its session survives reloads, and it
    /// follows the page's lifecycle. A `detached` one (for measurements) has none of that.
    pub(super) fn new(outputs: Outputs, detached: bool) -> Rc<RefCell<Self>> {
        let client_id = if detached {
            random_client_id()
        } else {
            storage::tab_client_id(random_client_id)
        };
        let this = Rc::new(RefCell::new(Self {
            engine: fallback_engine(&client_id),
            profile: None,
            password: None,
            client_id: client_id.clone(),
            url_index: 0,
            phase: Phase::Stopped,
            socket: None,
            timer: None,
            backoff: Backoff::new(RECONNECT_MIN, RECONNECT_MAX, random_seed())
                .with_stable_after(STABLE_AFTER),
            close_detail: None,
            pending_status: None,
            pending_subscribes: PendingSubscribes::default(),
            outputs,
            lifecycle: None,
            tabs: None,
            sessions: None,
            restoring: !detached,
            deferred_start: None,
            deferred_commands: Vec::new(),
            dirty: false,
            observer: None,
            listeners: Vec::new(),
            pump_queued: false,
            held: Vec::new(),
        }));
        if detached {
            return this;
        }
        let weak = Rc::downgrade(&this);
        Self::restore_saved_session(weak.clone());
        let lifecycle = PageLifecycle::listen(weak.clone());
        let tabs = TabGuard::start(
            &client_id,
            {
                let weak = weak.clone();
                move || {
                    weak.upgrade()
                        .map(|d| d.borrow().client_id.clone())
                        .unwrap_or_default()
                }
            },
            move || {
                if let Some(driver) = weak.upgrade() {
                    Driver::take_new_client_id(&driver);
                }
            },
        );
        {
            let mut driver = this.borrow_mut();
            driver.lifecycle = lifecycle;
            driver.tabs = tabs;
        }
        this
    }

    /// Opens the session store and reads this tab's saved session; a start asked for meanwhile
    /// goes ahead once it is read, carrying on the saved session.
    fn restore_saved_session(driver: Weak<RefCell<Self>>) {
        wasm_bindgen_futures::spawn_local(async move {
            // Another tab using this id answers the tab guard within milliseconds: waiting a
            // little before the first connection means a duplicated tab never connects with
            // its original's id (which would knock the original off the broker).
            let started = now();
            let sessions = SessionStore::open().await;
            let waited = now().saturating_duration_since(started);
            sleep(CLAIM_WINDOW.saturating_sub(waited)).await;
            let Some(this) = driver.upgrade() else { return };
            let client_id = this.borrow().client_id.clone();
            let saved = match &sessions {
                Some(store) => store.load(&client_id).await,
                None => None,
            };
            // A record that cannot be read is dropped (the next save replaces it), and the
            // user is told, since it may have held messages they sent.
            let saved = saved.and_then(|read| {
                if read.is_err() {
                    let notice = this.borrow().outputs.notice;
                    notice.set(Some(UNREADABLE_NOTICE.to_owned()));
                }
                read.ok()
            });
            let (start, commands) = {
                let mut driver = this.borrow_mut();
                driver.sessions = sessions;
                driver.restoring = false;
                (
                    driver.deferred_start.take(),
                    std::mem::take(&mut driver.deferred_commands),
                )
            };
            if let Some((profile, password)) = start {
                Self::start_with(&this, profile, password, saved);
            }
            // Checked when they were given, so they cannot be refused for their content now.
            for command in commands {
                let _ = match command {
                    DeferredCommand::Subscribe { filter, qos } => {
                        Self::subscribe(&this, &filter, qos).map_err(PublishError::from)
                    }
                    DeferredCommand::Publish {
                        topic,
                        payload,
                        qos,
                        retain,
                    } => Self::publish(&this, &topic, &payload, qos, retain),
                };
            }
        });
    }

    /// Starts connecting with `profile`, dropping any current connection and session.
    pub(super) fn start(this: &Rc<RefCell<Self>>, profile: Profile, password: Option<String>) {
        if this.borrow().restoring {
            let url = profile.broker_urls.first().cloned().unwrap_or_default();
            this.borrow_mut().deferred_start = Some((profile, password));
            this.borrow()
                .outputs
                .status
                .set(ConnectionStatus::Connecting { url });
            return;
        }
        Self::start_with(this, profile, password, None);
    }

    fn start_with(
        this: &Rc<RefCell<Self>>,
        profile: Profile,
        password: Option<String>,
        saved: Option<SessionState>,
    ) {
        let resubscribe = this.borrow().outputs.subscriptions.try_update(|subs| {
            subs.retain(|s| !matches!(s.state, SubscriptionState::Refused(_)));
            subs.iter_mut()
                .for_each(|s| s.state = SubscriptionState::Pending);
            subs.iter().map(|s| s.filter.clone()).collect::<Vec<_>>()
        });
        let mut session_lost = false;
        {
            let mut driver = this.borrow_mut();
            driver.socket = None;
            driver.timer = None;
            driver.pending_subscribes.clear();
            let config = engine_config(&driver.client_id, &profile, password.as_deref());
            // A saved session carries on what it held: queued and in-flight messages,
            // subscriptions. One the engine cannot take up again is dropped, not fatal, and
            // the user is told.
            let restored = saved.and_then(|state| {
                let restored = Client::restore(config.clone(), state).ok();
                session_lost = restored.is_none();
                restored
            });
            driver.dirty = restored.is_none();
            driver.engine = match restored {
                Some(client) => client,
                None => Client::new(config).unwrap_or_else(|_| fallback_engine(&driver.client_id)),
            };
            driver.profile = Some(profile);
            driver.password = password;
            driver.url_index = 0;
            driver.backoff.reset();
            let now = now();
            for filter in resubscribe.unwrap_or_default() {
                // These filters were accepted before, so they are valid.
                if let Ok(id) = driver
                    .engine
                    .subscribe(now, &[(filter.as_str(), QoS::AtMostOnce)])
                {
                    driver.pending_subscribes.insert(id, vec![filter]);
                }
            }
        }
        if session_lost {
            let notice = this.borrow().outputs.notice;
            notice.set(Some(UNREADABLE_NOTICE.to_owned()));
        }
        Self::attempt(this);
    }

    /// Opens a socket to the current broker URL now.
    fn attempt(this: &Rc<RefCell<Self>>) {
        let status = {
            let mut driver = this.borrow_mut();
            let Some(profile) = &driver.profile else {
                return;
            };
            let urls = &profile.broker_urls;
            let url = urls[driver.url_index % urls.len().max(1)].trim().to_owned();
            driver.socket = None;
            driver.close_detail = None;
            driver.held.clear();
            match Socket::open(&url, Rc::downgrade(this)) {
                Ok(socket) => {
                    driver.socket = Some(socket);
                    driver.phase = Phase::Opening {
                        deadline: now() + HANDSHAKE_TIMEOUT,
                    };
                    ConnectionStatus::Connecting { url }
                }
                Err(e) => {
                    driver.phase = Phase::Stopped;
                    ConnectionStatus::Disconnected {
                        reason: format!("the browser refused {url}: {e}"),
                    }
                }
            }
        };
        this.borrow().outputs.status.set(status);
        Self::pump(this);
    }

    pub(super) fn retry_now(this: &Rc<RefCell<Self>>) {
        let due = {
            let mut driver = this.borrow_mut();
            let due = driver.profile.is_some()
                && matches!(
                    driver.phase,
                    Phase::Waiting { .. } | Phase::NoNetwork | Phase::Stopped
                );
            if due {
                driver.backoff.reset();
            }
            due
        };
        if due {
            Self::attempt(this);
        }
    }

    pub(super) fn disconnect(this: &Rc<RefCell<Self>>) {
        {
            let mut driver = this.borrow_mut();
            driver.phase = Phase::Stopped;
            driver.engine.disconnect(now());
        }
        Self::pump(this);
        {
            let mut driver = this.borrow_mut();
            driver.socket = None;
            driver.timer = None;
        }
        let status = ConnectionStatus::Disconnected {
            reason: "you disconnected".to_owned(),
        };
        this.borrow().outputs.status.set(status);
    }

    pub(super) fn subscribe(
        this: &Rc<RefCell<Self>>,
        filter: &str,
        qos: QoS,
    ) -> Result<(), UsageError> {
        let outputs = {
            let mut driver = this.borrow_mut();
            if driver.restoring {
                mqtt_codec::validate_topic_filter(filter)
                    .map_err(UsageError::InvalidTopicFilter)?;
                let filter = filter.to_owned();
                driver
                    .deferred_commands
                    .push(DeferredCommand::Subscribe { filter, qos });
            } else {
                let id = driver.engine.subscribe(now(), &[(filter, qos)])?;
                driver.dirty = true;
                driver
                    .pending_subscribes
                    .insert(id, vec![filter.to_owned()]);
            }
            driver.outputs
        };
        let pending = Subscription {
            filter: filter.to_owned(),
            state: SubscriptionState::Pending,
        };
        outputs.subscriptions.update(|subs| upsert(subs, pending));
        Self::pump_soon(this);
        Ok(())
    }

    pub(super) fn publish(
        this: &Rc<RefCell<Self>>,
        topic: &str,
        payload: &[u8],
        qos: QoS,
        retain: bool,
    ) -> Result<(), PublishError> {
        {
            let mut driver = this.borrow_mut();
            if driver.held.len() > MAX_HELD {
                return Err(PublishError::TooFast {
                    waiting_bytes: driver.held.len(),
                });
            }
            if driver.restoring {
                mqtt_codec::validate_topic_name(topic).map_err(UsageError::InvalidTopicName)?;
                let (topic, payload) = (topic.to_owned(), payload.to_vec());
                driver.deferred_commands.push(DeferredCommand::Publish {
                    topic,
                    payload,
                    qos,
                    retain,
                });
            } else {
                driver
                    .engine
                    .publish(now(), topic, payload.to_vec(), qos, retain)?;
                driver.dirty |= qos != QoS::AtMostOnce;
            }
        }
        Self::pump_soon(this);
        Ok(())
    }

    pub(super) fn add_listener(this: &Rc<RefCell<Self>>, listener: MessageListener) {
        this.borrow_mut().listeners.push(listener);
    }

    pub(super) fn set_observer(this: &Rc<RefCell<Self>>, observer: MessageObserver) {
        this.borrow_mut().observer = Some(observer);
    }

    /// Another tab already uses this tab's client id (a duplicated tab inherits it): take a new
    /// one, and connect with it if a connection was wanted.
    fn take_new_client_id(this: &Rc<RefCell<Self>>) {
        let restart = {
            let mut driver = this.borrow_mut();
            driver.client_id = random_client_id();
            storage::set_tab_client_id(&driver.client_id);
            if let Some(tabs) = &driver.tabs {
                tabs.announce(&driver.client_id);
            }
            (driver.phase != Phase::Stopped)
                .then(|| driver.profile.clone().map(|p| (p, driver.password.clone())))
                .flatten()
        };
        if let Some((profile, password)) = restart {
            Self::start(this, profile, password);
        }
    }

    /// The browser is online again: an attempt that was waiting goes now.
    pub(super) fn handle_online(this: &Rc<RefCell<Self>>) {
        let waiting = matches!(
            this.borrow().phase,
            Phase::Waiting { .. } | Phase::NoNetwork
        );
        if waiting {
            this.borrow_mut().backoff.reset();
            Self::attempt(this);
        }
    }

    /// The browser lost its network: stop counting down to attempts that cannot succeed.
    pub(super) fn handle_offline(this: &Rc<RefCell<Self>>) {
        let status = {
            let mut driver = this.borrow_mut();
            if !matches!(driver.phase, Phase::Waiting { .. }) {
                return;
            }
            driver.phase = Phase::NoNetwork;
            driver.timer = None;
            driver.outputs.status
        };
        status.update(|s| {
            let reason = match s {
                ConnectionStatus::Reconnecting { reason, .. } => std::mem::take(reason),
                _ => String::new(),
            };
            *s = ConnectionStatus::WaitingForNetwork { reason };
        });
    }

    /// The page became visible or was restored from the back-forward cache. Timers may have
    /// slept for minutes: catch up on every deadline now, and reconnect at once if the
    /// connection is gone.
    pub(super) fn handle_wake(this: &Rc<RefCell<Self>>) {
        let phase = this.borrow().phase;
        match phase {
            Phase::Waiting { .. } | Phase::NoNetwork if browser_is_online() => {
                this.borrow_mut().backoff.reset();
                Self::attempt(this);
            }
            Phase::Open { .. } | Phase::Opening { .. } => Self::handle_timer(this),
            _ => {}
        }
    }

    fn handle_open(this: &Rc<RefCell<Self>>) {
        {
            let mut driver = this.borrow_mut();
            driver.phase = Phase::Open { connected: false };
            driver.engine.handle_transport_opened(now());
        }
        Self::pump(this);
    }

    fn handle_frame(this: &Rc<RefCell<Self>>, event: MessageEvent) {
        match event.data().dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                this.borrow_mut().engine.handle_bytes_received(now(), bytes);
                Self::pump(this);
            }
            // MQTT travels in binary frames only; a text frame means the other end is not an
            // MQTT broker.
            Err(_) => Self::socket_gone(this, Some("the server sent text, not MQTT".to_owned())),
        }
    }

    fn handle_close(this: &Rc<RefCell<Self>>, event: CloseEvent) {
        let was_open = this
            .borrow()
            .socket
            .as_ref()
            .is_some_and(Socket::was_opened);
        Self::socket_gone(this, close_detail(&event, was_open));
    }

    /// The socket is closed or abandoned: tell the engine, and decide what comes next.
    fn socket_gone(this: &Rc<RefCell<Self>>, detail: Option<String>) {
        let never_opened = {
            let mut driver = this.borrow_mut();
            driver.close_detail = detail;
            driver.socket = None;
            driver.engine.handle_transport_closed(now());
            matches!(driver.phase, Phase::Opening { .. })
        };
        // An open socket's end comes out of the engine as `Disconnected`, handled in `pump`.
        // A socket that never opened started no MQTT connection: the attempt failed all the
        // same.
        if never_opened {
            let reason = this
                .borrow_mut()
                .close_detail
                .take()
                .unwrap_or_else(|| "could not reach the broker".to_owned());
            this.borrow_mut().after_connection(false, true, reason);
        }
        Self::pump(this);
    }

    fn handle_timer(this: &Rc<RefCell<Self>>) {
        let now = now();
        let action = {
            let mut driver = this.borrow_mut();
            driver.timer = None;
            match driver.phase {
                Phase::Opening { deadline } if now >= deadline => Some(false),
                Phase::Waiting { at } if now >= at => Some(true),
                _ => {
                    driver.engine.handle_timeout(now);
                    None
                }
            }
        };
        match action {
            Some(true) => Self::attempt(this),
            Some(false) => Self::socket_gone(
                this,
                Some("the broker did not complete the WebSocket handshake in time".to_owned()),
            ),
            None => Self::pump(this),
        }
    }

    /// Pumps once the current task is done, so that commands given together (a page
    /// publishing a batch, a slider sending its value) leave in one WebSocket frame.
    fn pump_soon(this: &Rc<RefCell<Self>>) {
        if std::mem::replace(&mut this.borrow_mut().pump_queued, true) {
            return;
        }
        let driver = Rc::downgrade(this);
        wasm_bindgen_futures::spawn_local(async move {
            if let Some(this) = driver.upgrade() {
                Self::pump(&this);
            }
        });
    }

    /// Drains the engine: bytes to the socket in one frame, events to the UI, the next deadline
    /// to the timer.
    fn pump(this: &Rc<RefCell<Self>>) {
        let (changes, outputs, pending, observer, listeners) = {
            let mut driver = this.borrow_mut();
            driver.pump_queued = false;
            let mut changes = Vec::new();
            loop {
                driver.flush_transmit();
                let Some(event) = driver.engine.poll_event() else {
                    break;
                };
                driver.apply(event, &mut changes);
            }
            driver.flush_transmit();
            if let Some(status) = driver.pending_status.take() {
                changes.push(UiChange::Status(status));
            }
            driver.arm_timer(this);
            driver.save_if_changed();
            // Messages only: subscriptions are made again by themselves and lose nothing.
            let pending = driver.engine.inflight_len()
                + driver.engine.queued_messages_len()
                + driver
                    .deferred_commands
                    .iter()
                    .filter(|c| matches!(c, DeferredCommand::Publish { .. }))
                    .count();
            (
                changes,
                driver.outputs,
                pending,
                driver.observer.clone(),
                driver.listeners.clone(),
            )
        };
        if outputs.pending.get_untracked() != pending {
            outputs.pending.set(pending);
        }
        for change in changes {
            match change {
                UiChange::Status(status) => outputs.status.set(status),
                UiChange::Message {
                    topic,
                    payload,
                    retained,
                } => {
                    for listener in &listeners {
                        listener(&topic, &payload, retained);
                    }
                    match &observer {
                        Some(observer) => observer(&topic, &payload),
                        None => outputs
                            .messages
                            .update(|log| _ = log.push(&topic, &payload, retained, time_of_day())),
                    }
                }
                UiChange::Subscription(sub) => {
                    outputs.subscriptions.update(|subs| upsert(subs, sub))
                }
                UiChange::SubscriptionsUnconfirmed => outputs.subscriptions.update(|subs| {
                    subs.iter_mut()
                        .filter(|s| matches!(s.state, SubscriptionState::Granted(_)))
                        .for_each(|s| s.state = SubscriptionState::Pending)
                }),
            }
        }
    }

    /// Hands what the engine wants sent to the socket as one frame, unless the browser still
    /// holds more than [`SOCKET_HIGH_WATER`] unsent: then the bytes wait here, and the timer
    /// comes back for them shortly.
    fn flush_transmit(&mut self) {
        while let Some(bytes) = self.engine.poll_transmit() {
            self.held.extend_from_slice(&bytes);
        }
        if self.held.is_empty() {
            return;
        }
        match &self.socket {
            Some(socket) if socket.buffered() > SOCKET_HIGH_WATER => {}
            Some(socket) => {
                socket.send(&self.held);
                self.held.clear();
            }
            // Bytes for a transport that is gone: the engine sends again, on the next one,
            // whatever QoS 1 and 2 require.
            None => self.held.clear(),
        }
    }

    fn apply(&mut self, event: Event, changes: &mut Vec<UiChange>) {
        match event {
            Event::Connected { .. } => {
                self.dirty = true;
                self.phase = Phase::Open { connected: true };
                self.backoff.connected(now());
                let url = self.current_url();
                changes.push(UiChange::Status(ConnectionStatus::Connected { url }));
            }
            Event::Message(message) => {
                // An incoming QoS 2 exchange is part of the session until PUBREL.
                self.dirty |= message.qos == QoS::ExactlyOnce;
                changes.push(UiChange::Message {
                    topic: message.topic.as_str().to_owned(),
                    payload: message.payload,
                    retained: message.retain,
                });
            }
            Event::Subscribed { packet_id, results } => {
                self.dirty = true;
                self.pending_subscribes.remove(&packet_id);
                for result in results {
                    let state = match result.outcome {
                        Ok(qos) => SubscriptionState::Granted(qos.bits()),
                        Err(code) => SubscriptionState::Refused(code.to_string()),
                    };
                    let filter = result.filter.as_str().to_owned();
                    changes.push(UiChange::Subscription(Subscription { filter, state }));
                }
            }
            Event::Unsubscribed { .. } | Event::Published { .. } => self.dirty = true,
            Event::CommandDropped { packet_id, error } => {
                let filters = packet_id.and_then(|id| self.pending_subscribes.remove(&id));
                for filter in filters.into_iter().flatten() {
                    let state = SubscriptionState::Refused(error.to_string());
                    changes.push(UiChange::Subscription(Subscription { filter, state }));
                }
            }
            Event::Disconnected { reason } => {
                // Whatever the engine still had to say (a DISCONNECT) goes out, then the socket.
                self.flush_transmit();
                self.socket = None;
                let was_connected = matches!(self.phase, Phase::Open { connected: true });
                let detail = self.close_detail.take();
                let text = match (&reason, detail) {
                    (DisconnectReason::TransportClosed, Some(detail)) => detail,
                    (reason, _) => reason.to_string(),
                };
                changes.push(UiChange::SubscriptionsUnconfirmed);
                if self.phase != Phase::Stopped {
                    self.after_connection(was_connected, retryable(&reason), text);
                }
            }
            // Events added to the engine later mean nothing to this page yet.
            _ => {}
        }
    }

    /// A connection or an attempt ended. Unless retrying cannot help, the next attempt is
    /// scheduled with backoff, on the next broker URL if this one never accepted us.
    fn after_connection(&mut self, was_connected: bool, retry: bool, reason: String) {
        self.socket = None;
        if !retry {
            self.phase = Phase::Stopped;
            self.pending_status = Some(ConnectionStatus::Disconnected { reason });
            return;
        }
        if !was_connected {
            self.url_index = self.url_index.wrapping_add(1);
        }
        if !browser_is_online() {
            self.phase = Phase::NoNetwork;
            self.pending_status = Some(ConnectionStatus::WaitingForNetwork { reason });
            return;
        }
        let now = now();
        self.backoff.disconnected(now);
        let at = now + self.backoff.next_delay();
        self.phase = Phase::Waiting { at };
        self.pending_status = Some(ConnectionStatus::Reconnecting {
            reason,
            at_millis: at.as_millis(),
        });
    }

    /// Writes the session to IndexedDB when it changed: after every command or event that
    /// adds, acknowledges or drops something a reload must not lose.
    fn save_if_changed(&mut self) {
        if !std::mem::take(&mut self.dirty) {
            return;
        }
        if let Some(sessions) = &self.sessions {
            sessions.save(&self.client_id, &self.engine.save());
        }
    }

    fn current_url(&self) -> String {
        self.profile
            .as_ref()
            .map(|p| {
                p.broker_urls[self.url_index % p.broker_urls.len().max(1)]
                    .trim()
                    .to_owned()
            })
            .unwrap_or_default()
    }

    fn arm_timer(&mut self, this: &Rc<RefCell<Self>>) {
        let own = match self.phase {
            Phase::Opening { deadline } => Some(deadline),
            Phase::Waiting { at } => Some(at),
            _ => None,
        };
        let engine = self.socket.as_ref().and(self.engine.poll_timeout());
        let drain = (!self.held.is_empty()).then(|| now() + DRAIN_CHECK);
        let Some(deadline) = [own, engine, drain].into_iter().flatten().min() else {
            self.timer = None;
            return;
        };
        // Every packet sent pushes the keep-alive deadline later; re-arming the browser timer
        // for each would cost more than the packet. A timer armed for an earlier moment stays:
        // when it fires early, the engine finds nothing due and the timer is armed again.
        if self.timer.as_ref().is_some_and(|t| t.deadline <= deadline) {
            return;
        }
        self.timer = Timer::start(deadline, Rc::downgrade(this));
    }
}

/// The engine's settings for `profile`.
fn engine_config(client_id: &str, profile: &Profile, password: Option<&str>) -> ClientConfig {
    let id = if profile.client_id.is_empty() {
        client_id
    } else {
        profile.client_id.as_str()
    };
    let mut config = ClientConfig::new(id);
    config.protocol_version = match profile.protocol {
        Protocol::V311 => ProtocolVersion::V311,
        Protocol::V5 => ProtocolVersion::V5,
    };
    config.keep_alive = Duration::from_secs(profile.keep_alive_secs.into());
    // A background tab's timers fire about once a minute: pinging at half the keep alive
    // keeps a 60 s keep alive within the broker's one and a half times, however late.
    config.ping_interval = Some(config.keep_alive / 2);
    config.clean_start = profile.clean_start;
    config.session_expiry_interval = profile.session_expiry_secs;
    config.username = Some(profile.username.clone()).filter(|u| !u.is_empty());
    config.password = password
        .filter(|p| !p.is_empty())
        .map(|p| p.as_bytes().to_vec().into());
    config.will = profile.will.as_ref().map(|will| {
        let qos = QoS::from_bits(will.qos).unwrap_or(QoS::AtMostOnce);
        Will::new(
            will.topic.clone(),
            will.payload.clone().into_bytes(),
            qos,
            will.retain,
        )
    });
    if let Some(size) = profile.maximum_packet_size {
        config.max_incoming_packet_size = size;
    }
    if let Some(aliases) = profile.topic_alias_maximum {
        config.topic_alias_maximum = aliases;
    }
    config.receive_maximum = profile.receive_maximum.and_then(std::num::NonZeroU16::new);
    config.user_properties = profile
        .user_properties
        .iter()
        .map(|p| (p.name.clone(), p.value.clone()))
        .collect();
    config
}

/// An engine that works with a generated client id, should a profile's settings be refused
/// (profiles are checked before use, so this is a safety net, not a path).
fn fallback_engine(client_id: &str) -> Client {
    // Not `expect`: that would format the error with Debug, and bring the Debug code of every
    // error type it holds into the wasm for a message that is never shown.
    match Client::new(ClientConfig::new(client_id)) {
        Ok(client) => client,
        Err(_) => panic!("a generated ASCII client id is valid"),
    }
}

fn upsert(subs: &mut Vec<Subscription>, sub: Subscription) {
    match subs.iter_mut().find(|s| s.filter == sub.filter) {
        Some(existing) => *existing = sub,
        None => subs.push(sub),
    }
}

/// Whether trying again could end differently. Refusals over identity or credentials would be
/// refused again, and a session taken over means another client uses our id: reconnecting
/// would only throw it off in turn.
fn retryable(reason: &DisconnectReason) -> bool {
    match reason {
        DisconnectReason::ConnectionRefused { reason_code, .. } => !matches!(
            reason_code,
            ConnectReasonCode::UnsupportedProtocolVersion
                | ConnectReasonCode::ClientIdentifierNotValid
                | ConnectReasonCode::BadUserNameOrPassword
                | ConnectReasonCode::NotAuthorized
                | ConnectReasonCode::Banned
                | ConnectReasonCode::BadAuthenticationMethod
        ),
        DisconnectReason::ServerDisconnected { reason_code, .. } => !matches!(
            reason_code,
            DisconnectReasonCode::SessionTakenOver | DisconnectReasonCode::NotAuthorized
        ),
        DisconnectReason::ClientDisconnected => false,
        _ => true,
    }
}

/// What a WebSocket close event tells about why the connection ended, when it tells anything.
fn close_detail(event: &CloseEvent, was_open: bool) -> Option<String> {
    if !was_open {
        // Browsers hide why a WebSocket could not open (code 1006, no reason) on purpose.
        return Some(
            "could not reach the broker: is the address right, and does it accept MQTT over \
             WebSocket there?"
                .to_owned(),
        );
    }
    match event.reason() {
        reason if !reason.is_empty() => Some(format!("the connection closed ({reason})")),
        _ if event.code() == 1006 => Some("the connection dropped".to_owned()),
        _ => None,
    }
}
/// The filters of each SUBSCRIBE awaiting its SUBACK: a few at a time, so a list rather than
/// a `HashMap`, whose hashing and table code would be in the wasm for this one use.
#[derive(Default)]
struct PendingSubscribes(Vec<(PacketId, Vec<String>)>);

impl PendingSubscribes {
    fn insert(&mut self, id: PacketId, filters: Vec<String>) {
        self.remove(&id);
        self.0.push((id, filters));
    }

    fn remove(&mut self, id: &PacketId) -> Option<Vec<String>> {
        let i = self.0.iter().position(|(pending, _)| pending == id)?;
        Some(self.0.swap_remove(i).1)
    }

    fn clear(&mut self) {
        self.0.clear();
    }
}

/// A WebSocket with its event handler. Dropping it detaches the handler and closes it, so a
/// replaced socket can never feed the engine again.
struct Socket {
    ws: WebSocket,
    opened: Rc<std::cell::Cell<bool>>,
    /// One handler for `open`, `message` and `close`: one closure type in the wasm rather
    /// than one per event, each with its own glue.
    _on_event: Closure<dyn FnMut(web_sys::Event)>,
}

impl Socket {
    fn open(url: &str, driver: Weak<RefCell<Driver>>) -> Result<Self, String> {
        let ws = WebSocket::new_with_str(url, SUBPROTOCOL)
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let opened = Rc::new(std::cell::Cell::new(false));

        let on_event = {
            let opened = opened.clone();
            Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
                let kind = event.type_();
                if kind == "open" {
                    opened.set(true);
                }
                let Some(driver) = driver.upgrade() else {
                    return;
                };
                match kind.as_str() {
                    "open" => Driver::handle_open(&driver),
                    "message" => Driver::handle_frame(&driver, event.unchecked_into()),
                    "close" => Driver::handle_close(&driver, event.unchecked_into()),
                    _ => {}
                }
            })
        };
        let handler = Some(on_event.as_ref().unchecked_ref());
        ws.set_onopen(handler);
        ws.set_onmessage(handler);
        ws.set_onclose(handler);
        Ok(Self {
            ws,
            opened,
            _on_event: on_event,
        })
    }

    fn was_opened(&self) -> bool {
        self.opened.get()
    }

    /// Bytes given to the socket that the browser has not sent yet.
    fn buffered(&self) -> u32 {
        self.ws.buffered_amount()
    }

    fn send(&self, frame: &[u8]) {
        // A send on a closing socket fails; the close event that follows tells the engine.
        let _ = self.ws.send_with_u8_array(frame);
    }
}

impl Drop for Socket {
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        let _ = self.ws.close();
    }
}

/// The one `setTimeout` for the engine's next deadline; dropping it cancels it.
struct Timer {
    deadline: Instant,
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Timer {
    fn start(deadline: Instant, driver: Weak<RefCell<Driver>>) -> Option<Self> {
        let window = web_sys::window()?;
        let delay = deadline.saturating_duration_since(now()).as_millis();
        let callback = Closure::<dyn FnMut()>::new(move || {
            if let Some(driver) = driver.upgrade() {
                Driver::handle_timer(&driver);
            }
        });
        let id = window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                callback.as_ref().unchecked_ref(),
                i32::try_from(delay).unwrap_or(i32::MAX),
            )
            .ok()?;
        Some(Self {
            deadline,
            id,
            _callback: callback,
        })
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(window) = web_sys::window() {
            window.clear_timeout_with_handle(self.id);
        }
    }
}
