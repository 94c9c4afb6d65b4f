//! The browser runtime: the only code that touches the WebSocket and the timers.
//!
//! A [`Connection`] owns one MQTT engine ([`mqtt_session::Client`]), the WebSocket it speaks
//! through (binary frames, subprotocol `mqtt`) and one timer for the engine's next deadline.
//! Every frame that arrives is fed to the engine; after every input the runtime drains what the
//! engine wants sent (as one frame), the events it produced, and its next deadline. The UI sees
//! only what the runtime derives from those events, as signals.

mod browser;
mod driver;
mod lifecycle;
mod profile_store;
mod session_store;
mod storage;
mod tabs;

pub use browser::page_is_https;
pub use profile_store::ProfileStore;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use leptos::prelude::*;

use crate::broker_url::{BrokerUrlError, check_broker_url, default_broker_url};
use crate::message_log::MessageLog;
use crate::profiles::Profile;
pub use browser::{
    BenchRequest, bench_request, on_hash_change, page_clock_millis, page_hash,
    register_service_worker, set_page_hash, sleep,
};
use driver::Driver;
pub use mqtt_session::QoS;
pub use storage::{save_rooms, saved_rooms};

/// Where the connection to the broker stands, as the page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectionStatus {
    /// Not asked to connect yet.
    Idle,
    Connecting {
        url: String,
    },
    Connected {
        url: String,
    },
    /// The connection ended for `reason`; the next attempt is due at `at_millis` on the
    /// runtime's clock (see [`Connection::millis_until`]).
    Reconnecting {
        reason: String,
        at_millis: u64,
    },
    /// The connection ended and the browser has no network; attempts resume when it has.
    WaitingForNetwork {
        reason: String,
    },
    /// Over, and no attempt will follow without the user: they disconnected, or the broker
    /// refused in a way retrying would not change.
    Disconnected {
        reason: String,
    },
}

impl ConnectionStatus {
    /// A stable name for styling and tests.
    pub fn key(&self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Connecting { .. } => "connecting",
            Self::Connected { .. } => "connected",
            Self::Reconnecting { .. } => "reconnecting",
            Self::WaitingForNetwork { .. } => "offline",
            Self::Disconnected { .. } => "disconnected",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Idle => "Not connected".to_owned(),
            Self::Connecting { url } => format!("Connecting to {url}…"),
            Self::Connected { url } => format!("Connected to {url}"),
            Self::Reconnecting { reason, .. } => format!("Reconnecting: {reason}"),
            Self::WaitingForNetwork { .. } => "No network: waiting to reconnect".to_owned(),
            Self::Disconnected { reason } => format!("Disconnected: {reason}"),
        }
    }

    /// Whether there is a connection, or an intent to have one, to end.
    pub fn is_active(&self) -> bool {
        !matches!(self, Self::Idle | Self::Disconnected { .. })
    }

    /// Whether "retry now" means something.
    pub fn can_retry(&self) -> bool {
        matches!(
            self,
            Self::Reconnecting { .. } | Self::WaitingForNetwork { .. } | Self::Disconnected { .. }
        )
    }
}

/// What became of a subscription the user asked for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SubscriptionState {
    /// Sent, or queued until the connection is up; the broker has not answered yet.
    Pending,
    /// The broker accepted it with this maximum QoS.
    Granted(u8),
    /// The broker refused it, for this reason.
    Refused(String),
}

/// One topic filter the user subscribed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscription {
    pub filter: String,
    pub state: SubscriptionState,
}

/// Why [`Connection::connect`] could not start connecting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    BadUrl(BrokerUrlError),
    BadProfile(String),
    /// The browser refused to open the WebSocket.
    Browser(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadUrl(e) => e.fmt(f),
            Self::BadProfile(e) => f.write_str(e),
            Self::Browser(e) => write!(f, "The browser could not open the connection: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// Why a message could not be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublishError {
    /// Not as given: a bad topic, a QoS or retain flag the broker does not allow, a full queue.
    Refused(mqtt_session::UsageError),
    /// More is waiting to go out than the connection carries; sending more would only pile up.
    TooFast { waiting_bytes: usize },
}

impl From<mqtt_session::UsageError> for PublishError {
    fn from(error: mqtt_session::UsageError) -> Self {
        Self::Refused(error)
    }
}

impl fmt::Display for PublishError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Refused(error) => error.fmt(f),
            Self::TooFast { waiting_bytes } => write!(
                f,
                "The connection is not keeping up: {} KB are still waiting to be sent. Try again in a moment.",
                waiting_bytes / 1024
            ),
        }
    }
}

impl std::error::Error for PublishError {}

/// The signals the runtime writes and the UI reads.
#[derive(Clone, Copy)]
struct Outputs {
    status: RwSignal<ConnectionStatus>,
    pending: RwSignal<usize>,
    subscriptions: RwSignal<Vec<Subscription>>,
    messages: RwSignal<MessageLog>,
    notice: RwSignal<Option<String>>,
}

/// A handle on the broker connection, shared through context. `Copy`, so closures in views can
/// hold it freely.
#[derive(Clone, Copy)]
pub struct Connection {
    pub status: ReadSignal<ConnectionStatus>,
    /// The broker URL last used, or the page's default before that.
    pub broker_url: ReadSignal<String>,
    pub subscriptions: ReadSignal<Vec<Subscription>>,
    /// QoS 1 and 2 messages not yet acknowledged by the broker, and commands waiting to be
    /// sent: what a reload or a lost connection must not lose.
    pub pending: ReadSignal<usize>,
    /// Received messages, newest first. The UI may clear it.
    pub messages: RwSignal<MessageLog>,
    /// Something the user should know that is not the connection's status: the latest one.
    pub notice: ReadSignal<Option<String>>,
    set_broker_url: WriteSignal<String>,
    outputs: Outputs,
    driver: StoredValue<Rc<RefCell<Driver>>, LocalStorage>,
}

impl Connection {
    /// A connection handle, not yet connected, whose default broker is the one the page was
    /// opened for: `?broker=` in the page's address, else `ws://<page host>:9001`.
    pub fn new() -> Self {
        Self::with_driver(false)
    }

    /// A connection of its own, apart from the page's: a random client id, no saved session,
    /// no page lifecycle. For measuring the runtime without disturbing the page's connection.
    pub fn new_detached() -> Self {
        Self::with_driver(true)
    }

    fn with_driver(detached: bool) -> Self {
        let outputs = Outputs {
            status: RwSignal::new(ConnectionStatus::Idle),
            pending: RwSignal::new(0),
            subscriptions: RwSignal::new(Vec::new()),
            messages: RwSignal::new(MessageLog::default()),
            notice: RwSignal::new(None),
        };
        let page = browser::page_location();
        let default_url = page
            .broker_param
            .unwrap_or_else(|| default_broker_url(&page.protocol, &page.host));
        let (broker_url, set_broker_url) = signal(default_url);
        Self {
            status: outputs.status.read_only(),
            broker_url,
            subscriptions: outputs.subscriptions.read_only(),
            messages: outputs.messages,
            notice: outputs.notice.read_only(),
            set_broker_url,
            outputs,
            pending: outputs.pending.read_only(),
            driver: StoredValue::new_local(Driver::new(outputs, detached)),
        }
    }

    /// Connects to the broker at `url` with the usual settings, closing any current connection
    /// first. Subscriptions made so far are made again on the new connection.
    pub fn connect(&self, url: &str) -> Result<(), ConnectError> {
        let url = check_broker_url(url, browser::page_is_https()).map_err(ConnectError::BadUrl)?;
        self.set_broker_url.set(url.to_owned());
        Driver::start(
            &self.driver.get_value(),
            Profile::new("Quick connect", url),
            None,
        );
        Ok(())
    }

    /// Connects with a saved profile, trying its broker URLs in turn.
    pub fn connect_profile(
        &self,
        profile: Profile,
        password: Option<String>,
    ) -> Result<(), ConnectError> {
        if let Some(problem) = profile
            .problems(browser::page_is_https())
            .into_iter()
            .next()
        {
            return Err(ConnectError::BadProfile(problem.message));
        }
        if let Some(url) = profile.broker_urls.first() {
            self.set_broker_url.set(url.trim().to_owned());
        }
        Driver::start(&self.driver.get_value(), profile, password);
        Ok(())
    }

    /// Whether the page's address named a broker (`?broker=`), which then wins over profiles.
    pub fn has_broker_param(&self) -> bool {
        browser::page_location().broker_param.is_some()
    }

    /// Makes the next attempt now instead of waiting out the backoff.
    pub fn retry_now(&self) {
        Driver::retry_now(&self.driver.get_value());
    }

    /// Ends the connection politely (DISCONNECT, then close) and stops reconnecting.
    pub fn disconnect(&self) {
        Driver::disconnect(&self.driver.get_value());
    }

    /// Milliseconds from now until `at_millis` on the runtime's clock, for countdowns.
    pub fn millis_until(at_millis: u64) -> u64 {
        at_millis.saturating_sub(browser::now().as_millis())
    }

    /// Subscribes to a topic filter with the highest QoS it wants. Queued until connected.
    pub fn subscribe(&self, filter: &str, qos: QoS) -> Result<(), mqtt_session::UsageError> {
        Driver::subscribe(&self.driver.get_value(), filter.trim(), qos)
    }

    /// Publishes `payload` to `topic`. Queued until connected; QoS 1 and 2 messages are kept
    /// until the broker acknowledges them, across reconnections and reloads.
    pub fn publish(
        &self,
        topic: &str,
        payload: &[u8],
        qos: QoS,
        retain: bool,
    ) -> Result<(), PublishError> {
        Driver::publish(&self.driver.get_value(), topic.trim(), payload, qos, retain)
    }

    /// Also hands every received message (topic, payload, retained) to `listener`; the message
    /// list still gets it.
    pub fn add_listener(&self, listener: impl Fn(&str, &[u8], bool) + 'static) {
        Driver::add_listener(&self.driver.get_value(), Rc::new(listener));
    }

    /// Hands every received message to `observer` instead of the message list.
    pub fn on_message(&self, observer: impl Fn(&str, &[u8]) + 'static) {
        Driver::set_observer(&self.driver.get_value(), std::rc::Rc::new(observer));
    }

    /// Shows an error that happened outside a connection attempt (a bad default URL, say).
    pub fn report_error(&self, reason: String) {
        self.outputs
            .status
            .set(ConnectionStatus::Disconnected { reason });
    }
}

impl Default for Connection {
    fn default() -> Self {
        Self::new()
    }
}
