//! Feeds the MQTT engine from one WebSocket and one timer, and turns its events into signals.
//!
//! The invariant, after every input (socket opened, frame received, socket closed, timer fired)
//! and every command: [`Driver::pump`] sends everything the engine wants sent as one frame,
//! takes every event it produced, and re-arms the single timer at its next deadline. Signals are
//! written only after the driver's borrow ends, so whatever they trigger may call back in.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use leptos::prelude::*;
use mqtt_session::{
    Client, ClientConfig, DisconnectReason, Duration, Event, Instant, PacketId, QoS, UsageError,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::browser::{now, random_client_id, time_of_day};
use super::{ConnectError, ConnectionStatus, Outputs, Subscription, SubscriptionState};

/// MQTT over WebSocket: "the Sec-WebSocket-Protocol MUST be 'mqtt'" for both 3.1.1 and 5.0.
const SUBPROTOCOL: &str = "mqtt";
const KEEP_ALIVE: Duration = Duration::from_secs(30);

pub struct Driver {
    engine: Client,
    client_id: String,
    socket: Option<Socket>,
    timer: Option<Timer>,
    url: String,
    /// Why the socket closed, when the browser said, for the status line.
    close_detail: Option<String>,
    /// The filters of each SUBSCRIBE awaiting its SUBACK.
    pending_subscribes: HashMap<PacketId, Vec<String>>,
    outputs: Outputs,
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
}

impl Driver {
    pub(super) fn new(outputs: Outputs) -> Rc<RefCell<Self>> {
        let client_id = random_client_id();
        Rc::new(RefCell::new(Self {
            engine: new_engine(&client_id),
            client_id,
            socket: None,
            timer: None,
            url: String::new(),
            close_detail: None,
            pending_subscribes: HashMap::new(),
            outputs,
        }))
    }

    pub(super) fn connect(this: &Rc<RefCell<Self>>, url: &str) -> Result<(), ConnectError> {
        let resubscribe: Vec<String> = {
            let outputs = this.borrow().outputs;
            outputs.subscriptions.try_update(|subs| {
                subs.retain(|s| !matches!(s.state, SubscriptionState::Refused(_)));
                subs.iter_mut()
                    .for_each(|s| s.state = SubscriptionState::Pending);
                subs.iter().map(|s| s.filter.clone()).collect()
            })
        }
        .unwrap_or_default();
        {
            let mut driver = this.borrow_mut();
            // A new connection starts a new session: the old socket goes, with its handlers.
            driver.socket = None;
            driver.timer = None;
            driver.pending_subscribes.clear();
            driver.engine = new_engine(&driver.client_id);
            driver.url = url.to_owned();
            driver.close_detail = None;
            let socket = Socket::open(url, Rc::downgrade(this)).map_err(ConnectError::Browser)?;
            driver.socket = Some(socket);
            let now = now();
            for filter in resubscribe {
                // These filters were accepted before, so they are valid.
                if let Ok(id) = driver
                    .engine
                    .subscribe(now, &[(filter.as_str(), QoS::AtMostOnce)])
                {
                    driver.pending_subscribes.insert(id, vec![filter]);
                }
            }
        }
        this.borrow()
            .outputs
            .status
            .set(ConnectionStatus::Connecting {
                url: url.to_owned(),
            });
        Ok(())
    }

    pub(super) fn disconnect(this: &Rc<RefCell<Self>>) {
        let closed_without_session = {
            let mut driver = this.borrow_mut();
            driver.engine.disconnect(now());
            // Without an open socket there is no session to end: just stop trying.
            if driver.socket.as_ref().is_none_or(|s| !s.is_open()) {
                driver.socket = None;
                true
            } else {
                false
            }
        };
        Self::pump(this);
        if closed_without_session {
            let status = ConnectionStatus::Disconnected {
                reason: "you disconnected".to_owned(),
            };
            this.borrow().outputs.status.set(status);
        }
    }

    pub(super) fn subscribe(this: &Rc<RefCell<Self>>, filter: &str) -> Result<(), UsageError> {
        let outputs = {
            let mut driver = this.borrow_mut();
            let id = driver
                .engine
                .subscribe(now(), &[(filter, QoS::AtMostOnce)])?;
            driver
                .pending_subscribes
                .insert(id, vec![filter.to_owned()]);
            driver.outputs
        };
        let pending = Subscription {
            filter: filter.to_owned(),
            state: SubscriptionState::Pending,
        };
        outputs.subscriptions.update(|subs| upsert(subs, pending));
        Self::pump(this);
        Ok(())
    }

    pub(super) fn publish(
        this: &Rc<RefCell<Self>>,
        topic: &str,
        payload: &[u8],
        retain: bool,
    ) -> Result<(), UsageError> {
        this.borrow_mut().engine.publish(
            now(),
            topic,
            payload.to_vec(),
            QoS::AtMostOnce,
            retain,
        )?;
        Self::pump(this);
        Ok(())
    }

    fn handle_open(this: &Rc<RefCell<Self>>) {
        this.borrow_mut().engine.handle_transport_opened(now());
        Self::pump(this);
    }

    fn handle_frame(this: &Rc<RefCell<Self>>, event: MessageEvent) {
        let data = event.data();
        match data.dyn_into::<js_sys::ArrayBuffer>() {
            Ok(buffer) => {
                let bytes = js_sys::Uint8Array::new(&buffer).to_vec();
                this.borrow_mut().engine.handle_bytes_received(now(), bytes);
            }
            // MQTT travels in binary frames only; a text frame means the other end is not an
            // MQTT broker, so this connection is over.
            Err(_) => {
                let mut driver = this.borrow_mut();
                driver.socket = None;
                driver.engine.handle_transport_closed(now());
            }
        }
        Self::pump(this);
    }

    fn handle_close(this: &Rc<RefCell<Self>>, event: CloseEvent) {
        let (never_opened, outputs) = {
            let mut driver = this.borrow_mut();
            let was_open = driver.socket.as_ref().is_some_and(Socket::was_opened);
            // The close event says more than the engine's "transport closed".
            driver.close_detail = close_detail(&event, was_open);
            driver.socket = None;
            driver.engine.handle_transport_closed(now());
            (!was_open, driver.outputs)
        };
        Self::pump(this);
        // A socket that never opened never started an MQTT connection, so the engine has
        // nothing to report: the attempt is over all the same.
        if never_opened {
            let reason = this.borrow_mut().close_detail.take().unwrap_or_default();
            outputs
                .status
                .set(ConnectionStatus::Disconnected { reason });
        }
    }

    fn handle_timer(this: &Rc<RefCell<Self>>) {
        {
            let mut driver = this.borrow_mut();
            driver.timer = None;
            driver.engine.handle_timeout(now());
        }
        Self::pump(this);
    }

    /// Drains the engine: bytes to the socket in one frame, events to the UI, the next deadline
    /// to the timer.
    fn pump(this: &Rc<RefCell<Self>>) {
        let (updates, outputs) = {
            let mut driver = this.borrow_mut();
            let mut updates = Vec::new();
            loop {
                driver.flush_transmit();
                let Some(event) = driver.engine.poll_event() else {
                    break;
                };
                driver.apply(event, &mut updates);
            }
            driver.flush_transmit();
            driver.arm_timer(this);
            (updates, driver.outputs)
        };
        for update in updates {
            match update {
                UiChange::Status(status) => outputs.status.set(status),
                UiChange::Message {
                    topic,
                    payload,
                    retained,
                } => outputs
                    .messages
                    .update(|log| _ = log.push(&topic, &payload, retained, time_of_day())),
                UiChange::Subscription(sub) => {
                    outputs.subscriptions.update(|subs| upsert(subs, sub))
                }
            }
        }
    }

    fn flush_transmit(&mut self) {
        let Some(first) = self.engine.poll_transmit() else {
            return;
        };
        let mut frame = first.to_vec();
        while let Some(more) = self.engine.poll_transmit() {
            frame.extend_from_slice(&more);
        }
        if let Some(socket) = &self.socket {
            socket.send(&frame);
        }
    }

    fn apply(&mut self, event: Event, updates: &mut Vec<UiChange>) {
        match event {
            Event::Connected { .. } => {
                updates.push(UiChange::Status(ConnectionStatus::Connected {
                    url: self.url.clone(),
                }));
            }
            Event::Message(message) => updates.push(UiChange::Message {
                topic: message.topic.as_str().to_owned(),
                payload: message.payload,
                retained: message.retain,
            }),
            Event::Subscribed { packet_id, results } => {
                self.pending_subscribes.remove(&packet_id);
                for result in results {
                    let state = match result.outcome {
                        Ok(qos) => SubscriptionState::Granted(qos.bits()),
                        Err(code) => SubscriptionState::Refused(code.to_string()),
                    };
                    let filter = result.filter.as_str().to_owned();
                    updates.push(UiChange::Subscription(Subscription { filter, state }));
                }
            }
            Event::Unsubscribed { .. } => {}
            Event::CommandDropped { packet_id, error } => {
                let filters = packet_id.and_then(|id| self.pending_subscribes.remove(&id));
                for filter in filters.into_iter().flatten() {
                    let state = SubscriptionState::Refused(error.to_string());
                    updates.push(UiChange::Subscription(Subscription { filter, state }));
                }
            }
            Event::Disconnected { reason } => {
                // Whatever the engine still had to say (a DISCONNECT) goes out, then the socket.
                self.flush_transmit();
                self.socket = None;
                self.timer = None;
                let detail = self.close_detail.take();
                let reason = match (reason, detail) {
                    (DisconnectReason::TransportClosed, Some(detail)) => detail,
                    (reason, _) => describe(&reason),
                };
                updates.push(UiChange::Status(ConnectionStatus::Disconnected { reason }));
            }
        }
    }

    fn arm_timer(&mut self, this: &Rc<RefCell<Self>>) {
        let Some(deadline) = self.engine.poll_timeout() else {
            self.timer = None;
            return;
        };
        if self.timer.as_ref().is_some_and(|t| t.deadline == deadline) {
            return;
        }
        self.timer = Timer::start(deadline, Rc::downgrade(this));
    }
}

fn new_engine(client_id: &str) -> Client {
    let mut config = ClientConfig::new(client_id);
    config.keep_alive = KEEP_ALIVE;
    // The configuration is ours and valid; `Client::new` only refuses a bad client id.
    Client::new(config).unwrap_or_else(|_| {
        Client::new(ClientConfig::new("lamplighter")).expect("a fixed ASCII client id is valid")
    })
}

fn upsert(subs: &mut Vec<Subscription>, sub: Subscription) {
    match subs.iter_mut().find(|s| s.filter == sub.filter) {
        Some(existing) => *existing = sub,
        None => subs.push(sub),
    }
}

/// Why a connection ended, in words for the status line.
fn describe(reason: &DisconnectReason) -> String {
    match reason {
        DisconnectReason::TransportClosed => "the connection closed".to_owned(),
        DisconnectReason::ConnectionRefused {
            reason_code,
            reason_string,
        } => match reason_string {
            Some(text) => format!("the broker refused the connection ({reason_code}: {text})"),
            None => format!("the broker refused the connection ({reason_code})"),
        },
        DisconnectReason::ConnectTimeout => "the broker did not answer in time".to_owned(),
        DisconnectReason::KeepAliveTimeout => "the broker stopped answering".to_owned(),
        DisconnectReason::ServerDisconnected {
            reason_code,
            reason_string,
        } => match reason_string {
            Some(text) => format!("the broker ended the session ({reason_code}: {text})"),
            None => format!("the broker ended the session ({reason_code})"),
        },
        DisconnectReason::ProtocolError(error) => format!("the broker broke the protocol: {error}"),
        DisconnectReason::ClientDisconnected => "you disconnected".to_owned(),
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
/// A WebSocket with its event handlers. Dropping it detaches the handlers and closes it, so a
/// replaced socket can never feed the engine again.
struct Socket {
    ws: WebSocket,
    opened: Rc<std::cell::Cell<bool>>,
    _on_open: Closure<dyn FnMut()>,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_close: Closure<dyn FnMut(CloseEvent)>,
}

impl Socket {
    fn open(url: &str, driver: Weak<RefCell<Driver>>) -> Result<Self, String> {
        let ws = WebSocket::new_with_str(url, SUBPROTOCOL)
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let opened = Rc::new(std::cell::Cell::new(false));

        let on_open = {
            let (driver, opened) = (driver.clone(), opened.clone());
            Closure::<dyn FnMut()>::new(move || {
                opened.set(true);
                if let Some(driver) = driver.upgrade() {
                    Driver::handle_open(&driver);
                }
            })
        };
        let on_message = {
            let driver = driver.clone();
            Closure::<dyn FnMut(MessageEvent)>::new(move |event| {
                if let Some(driver) = driver.upgrade() {
                    Driver::handle_frame(&driver, event);
                }
            })
        };
        let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |event| {
            if let Some(driver) = driver.upgrade() {
                Driver::handle_close(&driver, event);
            }
        });
        ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
        Ok(Self {
            ws,
            opened,
            _on_open: on_open,
            _on_message: on_message,
            _on_close: on_close,
        })
    }

    fn was_opened(&self) -> bool {
        self.opened.get()
    }

    fn is_open(&self) -> bool {
        self.ws.ready_state() == WebSocket::OPEN
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
