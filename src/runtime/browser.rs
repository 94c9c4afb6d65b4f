//! Small reads of the browser's state: the page's address, the clock, randomness.

use mqtt_session::Instant;
use wasm_bindgen::{JsCast, JsValue};

/// What the page's own address says about where the broker is.
pub struct PageLocation {
    /// `http:` or `https:`.
    pub protocol: String,
    /// The host name the page was loaded from, without port.
    pub host: String,
    /// The `broker` query parameter, when the link carried one.
    pub broker_param: Option<String>,
}

pub fn page_location() -> PageLocation {
    let location = web_sys::window().map(|w| w.location());
    let read = |f: fn(&web_sys::Location) -> Result<String, JsValue>| {
        location
            .as_ref()
            .and_then(|l| f(l).ok())
            .unwrap_or_default()
    };
    let search = read(web_sys::Location::search);
    let broker_param = web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|params| params.get("broker"))
        .filter(|url| !url.trim().is_empty());
    PageLocation {
        protocol: read(web_sys::Location::protocol),
        host: read(web_sys::Location::hostname),
        broker_param,
    }
}

/// What the benchmark page's address asks: `bench/[?autorun][&broker=ws://...]`.
pub struct BenchRequest {
    pub broker: String,
    pub autorun: bool,
    /// `messages=`: how many QoS 0 messages each throughput run sends.
    pub messages: Option<u32>,
    /// `round_trips=`: how many QoS 1 round trips to time.
    pub round_trips: Option<u32>,
}

/// The benchmark request in the page's address; without one, a run against the page's own
/// host, started by hand.
pub fn bench_request() -> BenchRequest {
    let params = web_sys::window()
        .and_then(|window| window.location().search().ok())
        .and_then(|search| web_sys::UrlSearchParams::new_with_str(&search).ok());
    let page = page_location();
    let broker = page
        .broker_param
        .unwrap_or_else(|| crate::broker_url::default_broker_url(&page.protocol, &page.host));
    let number = |name: &str| {
        params
            .as_ref()
            .and_then(|p| p.get(name))
            .and_then(|v| v.parse().ok())
    };
    BenchRequest {
        broker,
        autorun: params.as_ref().is_some_and(|p| p.has("autorun")),
        messages: number("messages"),
        round_trips: number("round_trips"),
    }
}

pub fn page_is_https() -> bool {
    page_location().protocol == "https:"
}

/// The engine's clock: milliseconds since the page started, monotonic.
pub fn now() -> Instant {
    let millis = web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now());
    Instant::from_millis(millis.max(0.0) as u64)
}

/// The local time of day, `HH:MM:SS`, for showing when something arrived.
pub fn time_of_day() -> String {
    let date = js_sys::Date::new_0();
    crate::message_log::format_time_of_day(date.get_hours(), date.get_minutes(), date.get_seconds())
}

/// A client identifier of this tab's own, so two tabs never take each other's session.
pub fn random_client_id() -> String {
    let suffix: String = (0..10)
        .map(|_| {
            let digit = (js_sys::Math::random() * 36.0) as u32;
            char::from_digit(digit.min(35), 36).unwrap_or('0')
        })
        .collect();
    format!("lamplighter-{suffix}")
}

/// What the browser believes about the network. `false` is reliable (no network at all);
/// `true` only means some network exists.
pub fn browser_is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// A seed for the engine's random choices (reconnection jitter), from the browser.
pub fn random_seed() -> u64 {
    (js_sys::Math::random() * (1u64 << 53) as f64) as u64
}

/// Milliseconds on the page's monotonic clock, with sub-millisecond precision.
pub fn page_clock_millis() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// Resolves after `duration`, on the browser's timer.
pub async fn sleep(duration: std::time::Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let millis = i32::try_from(duration.as_millis()).unwrap_or(i32::MAX);
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                millis,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The page address's fragment (`#console`), or empty.
pub fn page_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Sets the fragment, which adds a history entry: the back button returns to the last screen.
pub fn set_page_hash(hash: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().set_hash(hash);
    }
}

/// Calls `f` with the new fragment whenever it changes (back and forward buttons, links).
pub fn on_hash_change(f: impl Fn(String) + 'static) {
    let handle =
        leptos::prelude::window_event_listener(leptos::ev::hashchange, move |_| f(page_hash()));
    // The listener lives as long as the page.
    std::mem::forget(handle);
}

/// Registers the service worker that keeps the app shell for opening without a network
/// (`sw.js`, next to the page, so a site hosted under a sub-path keeps working). Browsers offer
/// service workers only to secure pages (https, or localhost): elsewhere this does nothing.
pub fn register_service_worker() {
    let Some(window) = web_sys::window() else {
        return;
    };
    let navigator = window.navigator();
    let available = window.is_secure_context()
        && js_sys::Reflect::has(&navigator, &JsValue::from_str("serviceWorker")).unwrap_or(false);
    if available {
        // A refusal (private mode, a file that failed to load) only costs the offline start;
        // awaiting it keeps the rejection from being reported as unhandled.
        let registering = navigator.service_worker().register("sw.js");
        wasm_bindgen_futures::spawn_local(async move {
            let _ = wasm_bindgen_futures::JsFuture::from(registering).await;
        });
    }
}
