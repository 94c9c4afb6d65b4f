//! The browser runtime in a real headless Chromium, against the Mosquitto that scripts/test
//! starts. Its addresses come at build time: `LAMPLIGHTER_TEST_BROKER_WS` (MQTT over
//! WebSocket), `LAMPLIGHTER_TEST_BROKER_TCP_PORT` (plain MQTT) and `LAMPLIGHTER_TEST_CLOSED_PORT`
//! (nothing listening).
#![cfg(target_arch = "wasm32")]

use std::time::Duration;

use lamplighter::runtime::{ConnectError, Connection, ConnectionStatus, QoS, SubscriptionState};
use leptos::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

/// A build-time setting from scripts/test; the tests cannot run without it.
fn setting(value: Option<&'static str>, name: &str) -> &'static str {
    match value {
        Some(value) => value,
        None => panic!("{name} is not set: run the browser tests through scripts/test"),
    }
}

fn broker() -> &'static str {
    setting(
        option_env!("LAMPLIGHTER_TEST_BROKER_WS"),
        "LAMPLIGHTER_TEST_BROKER_WS",
    )
}

async fn sleep(duration: Duration) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
                resolve.unchecked_ref(),
                duration.as_millis() as i32,
            );
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Waits, up to a generous bound, for `condition`; false if it never held.
async fn eventually(mut condition: impl FnMut() -> bool) -> bool {
    for _ in 0..200 {
        if condition() {
            return true;
        }
        sleep(Duration::from_millis(50)).await;
    }
    condition()
}

fn unique_topic(label: &str) -> String {
    format!(
        "lamplighter-wasm/{label}/{}",
        (js_sys::Math::random() * 1e12) as u64
    )
}

#[wasm_bindgen_test]
async fn connects_to_the_broker_over_websocket() {
    let _owner = Owner::new();
    let conn = Connection::new_detached();
    conn.connect(broker()).expect("a valid broker URL");
    assert!(matches!(
        conn.status.get_untracked(),
        ConnectionStatus::Connecting { .. }
    ));
    assert!(
        eventually(|| matches!(
            conn.status.get_untracked(),
            ConnectionStatus::Connected { .. }
        ))
        .await,
        "never connected: {:?}",
        conn.status.get_untracked()
    );
}

#[wasm_bindgen_test]
async fn receives_its_own_publish_on_a_subscribed_topic() {
    let _owner = Owner::new();
    let conn = Connection::new_detached();
    conn.connect(broker()).expect("a valid broker URL");
    let topic = unique_topic("echo");
    // Both commands are given before the connection is up: they must wait for it, not vanish.
    conn.subscribe(&topic, QoS::AtMostOnce)
        .expect("a valid filter");
    assert!(
        eventually(|| {
            conn.subscriptions.with_untracked(|subs| {
                subs.iter()
                    .any(|s| s.filter == topic && s.state == SubscriptionState::Granted(0))
            })
        })
        .await,
        "the subscription was never granted: {:?}",
        conn.subscriptions.get_untracked()
    );
    conn.publish(&topic, "hello from wasm".as_bytes(), QoS::AtMostOnce, false)
        .expect("a valid topic");
    assert!(
        eventually(|| conn.messages.with_untracked(|log| {
            log.entries()
                .any(|m| m.topic == topic && m.payload == "hello from wasm")
        }))
        .await,
        "the message never came back"
    );
}

/// Connects to `url`, which does not lead to an MQTT-over-WebSocket broker, and returns the
/// reason the page shows while it waits to try again.
async fn reason_for_failed_connection(url: &str) -> String {
    let conn = Connection::new_detached();
    conn.connect(url).expect("a valid broker URL");
    let waiting = || {
        matches!(
            conn.status.get_untracked(),
            ConnectionStatus::Reconnecting { .. }
        )
    };
    assert!(
        eventually(waiting).await,
        "a failed attempt must lead to a scheduled retry, not hang: {:?}",
        conn.status.get_untracked()
    );
    let ConnectionStatus::Reconnecting { reason, .. } = conn.status.get_untracked() else {
        unreachable!()
    };
    conn.disconnect();
    assert!(
        matches!(
            conn.status.get_untracked(),
            ConnectionStatus::Disconnected { .. }
        ),
        "disconnect must stop the retries: {:?}",
        conn.status.get_untracked()
    );
    reason
}

#[wasm_bindgen_test]
async fn reports_a_broker_address_where_nothing_listens() {
    let _owner = Owner::new();
    let port = setting(
        option_env!("LAMPLIGHTER_TEST_CLOSED_PORT"),
        "LAMPLIGHTER_TEST_CLOSED_PORT",
    );
    let reason = reason_for_failed_connection(&format!("ws://127.0.0.1:{port}")).await;
    assert!(
        reason.contains("could not reach the broker"),
        "unhelpful reason: {reason}"
    );
}

#[wasm_bindgen_test]
async fn reports_an_address_that_speaks_mqtt_but_not_over_websocket() {
    let _owner = Owner::new();
    let port = setting(
        option_env!("LAMPLIGHTER_TEST_BROKER_TCP_PORT"),
        "LAMPLIGHTER_TEST_BROKER_TCP_PORT",
    );
    let reason = reason_for_failed_connection(&format!("ws://127.0.0.1:{port}")).await;
    assert!(
        reason.contains("could not reach the broker"),
        "unhelpful reason: {reason}"
    );
}

#[wasm_bindgen_test]
fn refuses_a_url_that_is_not_websocket() {
    let _owner = Owner::new();
    let conn = Connection::new_detached();
    let err = conn.connect("mqtt://127.0.0.1:1883").unwrap_err();
    assert!(matches!(err, ConnectError::BadUrl(_)));
    assert_eq!(conn.status.get_untracked(), ConnectionStatus::Idle);
}

#[wasm_bindgen_test]
async fn disconnect_ends_the_session_and_says_so() {
    let _owner = Owner::new();
    let conn = Connection::new_detached();
    conn.connect(broker()).expect("a valid broker URL");
    assert!(
        eventually(|| matches!(
            conn.status.get_untracked(),
            ConnectionStatus::Connected { .. }
        ))
        .await
    );
    conn.disconnect();
    assert!(
        eventually(|| conn.status.get_untracked()
            == ConnectionStatus::Disconnected {
                reason: "you disconnected".to_owned()
            })
        .await,
        "{:?}",
        conn.status.get_untracked()
    );
}

#[wasm_bindgen_test]
async fn round_trips_qos_1_and_qos_2_messages() {
    let _owner = Owner::new();
    let conn = Connection::new_detached();
    conn.connect(broker()).expect("a valid broker URL");
    let topic = unique_topic("qos");
    for qos in [QoS::AtLeastOnce, QoS::ExactlyOnce] {
        let filter = format!("{topic}/{}", qos.bits());
        conn.subscribe(&filter, qos).expect("a valid filter");
        conn.publish(&filter, format!("at {qos}").as_bytes(), qos, false)
            .expect("a valid topic");
    }
    let arrived = |payload: &'static str| {
        move || {
            conn.messages
                .with_untracked(|log| log.entries().any(|m| m.payload == payload))
        }
    };
    assert!(
        eventually(arrived("at QoS 1")).await,
        "the QoS 1 message never came back"
    );
    assert!(
        eventually(arrived("at QoS 2")).await,
        "the QoS 2 message never came back"
    );
    assert!(
        eventually(|| conn.pending.get_untracked() == 0).await,
        "acknowledgements missing"
    );
    assert_eq!(
        conn.messages.with_untracked(|log| log.received()),
        2,
        "each message once"
    );
}

#[wasm_bindgen_test]
async fn a_qos_1_message_queued_offline_survives_a_reload_and_is_delivered() {
    let topic = unique_topic("reload");
    let closed = setting(
        option_env!("LAMPLIGHTER_TEST_CLOSED_PORT"),
        "LAMPLIGHTER_TEST_CLOSED_PORT",
    );

    // The page is offline (its broker unreachable) and the user publishes at QoS 1.
    let before_reload = Owner::new();
    let conn = before_reload.with(|| {
        let conn = Connection::new();
        conn.connect(&format!("ws://127.0.0.1:{closed}"))
            .expect("a valid broker URL");
        conn.publish(&topic, b"kept across the reload", QoS::AtLeastOnce, false)
            .expect("queued while offline");
        conn
    });
    assert!(
        eventually(|| conn.pending.get_untracked() == 1).await,
        "the message is not shown as waiting"
    );
    // The session is written to IndexedDB asynchronously; give it a moment, then "reload":
    // everything of the page's runtime goes, the tab's sessionStorage stays.
    sleep(Duration::from_millis(300)).await;
    drop(before_reload);

    let _owner = Owner::new();
    let listener = Connection::new_detached();
    let received = Rc::new(RefCell::new(Vec::<String>::new()));
    listener.on_message({
        let received = received.clone();
        move |_, payload| {
            received
                .borrow_mut()
                .push(String::from_utf8_lossy(payload).into_owned())
        }
    });
    listener.connect(broker()).expect("a valid broker URL");
    listener
        .subscribe(&topic, QoS::AtLeastOnce)
        .expect("a valid filter");
    assert!(
        eventually(|| listener
            .subscriptions
            .with_untracked(|s| s.iter().any(|s| s.state == SubscriptionState::Granted(1))))
        .await
    );

    let after_reload = Connection::new();
    after_reload.connect(broker()).expect("a valid broker URL");
    assert!(
        eventually(|| received
            .borrow()
            .iter()
            .any(|p| p == "kept across the reload"))
        .await,
        "the message queued before the reload was never delivered"
    );
    assert!(eventually(|| after_reload.pending.get_untracked() == 0).await);
}

/// Puts `bytes` in the page's session store as the saved session of `client_id`, as an
/// older or damaged copy of the app could have left it.
async fn save_raw_session(client_id: &str, bytes: &[u8]) {
    let script = format!(
        "new Promise((resolve, reject) => {{
            const open = indexedDB.open('lamplighter', 1);
            open.onupgradeneeded = () => open.result.createObjectStore('sessions');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {{
                const db = open.result;
                const tx = db.transaction('sessions', 'readwrite');
                tx.objectStore('sessions').put(new Uint8Array({bytes:?}), '{client_id}');
                tx.oncomplete = () => {{ db.close(); resolve(); }};
                tx.onerror = () => reject(tx.error);
            }};
        }})"
    );
    let promise: js_sys::Promise = js_sys::eval(&script)
        .expect("the script runs")
        .dyn_into()
        .expect("a promise");
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the record is written");
}

#[wasm_bindgen_test]
async fn a_saved_session_that_cannot_be_read_is_dropped_and_the_user_is_told() {
    let client_id = format!(
        "lamplighter-damaged-{}",
        (js_sys::Math::random() * 1e9) as u64
    );
    web_sys::window()
        .and_then(|w| w.session_storage().ok().flatten())
        .expect("session storage")
        .set_item("lamplighter.client-id", &client_id)
        .expect("the tab's client id is set");
    save_raw_session(&client_id, &[0x80]).await;

    let _owner = Owner::new();
    let conn = Connection::new();
    conn.connect(broker()).expect("a valid broker URL");
    assert!(
        eventually(|| conn.notice.get_untracked().is_some()).await,
        "the user was not told that the saved session was dropped"
    );
    assert!(
        eventually(|| matches!(
            conn.status.get_untracked(),
            ConnectionStatus::Connected { .. }
        ))
        .await,
        "the page did not connect afresh"
    );
}
