//! The browser runtime: the only code that touches the WebSocket and the timers.
//!
//! A [`Connection`] owns one MQTT engine ([`mqtt_session::Client`]), the WebSocket it speaks
//! through (binary frames, subprotocol `mqtt`) and one timer for the engine's next deadline.
//! Every frame that arrives is fed to the engine; after every input the runtime drains what the
//! engine wants sent (as one frame), the events it produced, and its next deadline. The UI sees
//! only what the runtime derives from those events, as signals.

mod browser;
mod driver;

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use leptos::prelude::*;

use crate::broker_url::{BrokerUrlError, check_broker_url, default_broker_url};
use crate::message_log::MessageLog;
use driver::Driver;

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
            Self::Disconnected { .. } => "disconnected",
        }
    }

    pub fn label(&self) -> String {
        match self {
            Self::Idle => "Not connected".to_owned(),
            Self::Connecting { url } => format!("Connecting to {url}…"),
            Self::Connected { url } => format!("Connected to {url}"),
            Self::Disconnected { reason } => format!("Disconnected: {reason}"),
        }
    }

    /// Whether there is a connection, or an attempt at one, to end.
    pub fn is_active(&self) -> bool {
        matches!(self, Self::Connecting { .. } | Self::Connected { .. })
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
    /// The browser refused to open the WebSocket.
    Browser(String),
}

impl fmt::Display for ConnectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadUrl(e) => e.fmt(f),
            Self::Browser(e) => write!(f, "The browser could not open the connection: {e}"),
        }
    }
}

impl std::error::Error for ConnectError {}

/// The signals the runtime writes and the UI reads.
#[derive(Clone, Copy)]
struct Outputs {
    status: RwSignal<ConnectionStatus>,
    subscriptions: RwSignal<Vec<Subscription>>,
    messages: RwSignal<MessageLog>,
}

/// A handle on the broker connection, shared through context. `Copy`, so closures in views can
/// hold it freely.
#[derive(Clone, Copy)]
pub struct Connection {
    pub status: ReadSignal<ConnectionStatus>,
    /// The broker URL last used, or the page's default before that.
    pub broker_url: ReadSignal<String>,
    pub subscriptions: ReadSignal<Vec<Subscription>>,
    /// Received messages, newest first. The UI may clear it.
    pub messages: RwSignal<MessageLog>,
    set_broker_url: WriteSignal<String>,
    outputs: Outputs,
    driver: StoredValue<Rc<RefCell<Driver>>, LocalStorage>,
}

impl Connection {
    /// A connection handle, not yet connected, whose default broker is the one the page was
    /// opened for: `?broker=` in the page's address, else `ws://<page host>:9001`.
    pub fn new() -> Self {
        let outputs = Outputs {
            status: RwSignal::new(ConnectionStatus::Idle),
            subscriptions: RwSignal::new(Vec::new()),
            messages: RwSignal::new(MessageLog::default()),
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
            set_broker_url,
            outputs,
            driver: StoredValue::new_local(Driver::new(outputs)),
        }
    }

    /// Connects to the broker at `url`, closing any current connection first. Subscriptions
    /// made so far are made again on the new connection.
    pub fn connect(&self, url: &str) -> Result<(), ConnectError> {
        let url = check_broker_url(url, browser::page_is_https()).map_err(ConnectError::BadUrl)?;
        self.set_broker_url.set(url.to_owned());
        Driver::connect(&self.driver.get_value(), url)
    }

    /// Ends the connection politely (DISCONNECT, then close).
    pub fn disconnect(&self) {
        Driver::disconnect(&self.driver.get_value());
    }

    /// Subscribes to a topic filter, at QoS 0 for now. Queued until connected.
    pub fn subscribe(&self, filter: &str) -> Result<(), mqtt_session::UsageError> {
        Driver::subscribe(&self.driver.get_value(), filter.trim())
    }

    /// Publishes `payload` to `topic` at QoS 0. Queued until connected.
    pub fn publish(
        &self,
        topic: &str,
        payload: &[u8],
        retain: bool,
    ) -> Result<(), mqtt_session::UsageError> {
        Driver::publish(&self.driver.get_value(), topic.trim(), payload, retain)
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
