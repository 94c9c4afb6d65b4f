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
