use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;
use mqtt_session::QoS;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use crate::bench::{BenchReport, Latency, RoundTrips, Throughput, error_json};
use crate::runtime::{BenchRequest, Connection, ConnectionStatus, page_clock_millis, sleep};

/// The in-browser benchmark: the app's own runtime (WebSocket, engine, driver) against a
/// broker, with the result as JSON in `#bench-result` for a headless run to read.
#[component]
pub fn BenchPage(request: BenchRequest) -> impl IntoView {
    let autorun = request.autorun;
    let url = RwSignal::new(request.broker);
    let messages = RwSignal::new(request.messages.unwrap_or(5000).to_string());
    let round_trips = RwSignal::new(request.round_trips.unwrap_or(500).to_string());
    let progress = RwSignal::new(String::new());
    let result = RwSignal::new(String::new());
    let running = RwSignal::new(false);

    let run = move || {
        if running.get_untracked() {
            return;
        }
        running.set(true);
        result.set(String::new());
        let settings = Settings {
            url: url.get_untracked(),
            messages: messages.get_untracked().trim().parse().unwrap_or(5000),
            round_trips: round_trips.get_untracked().trim().parse().unwrap_or(500),
            payload_bytes: 32,
        };
        spawn_local(async move {
            let outcome = run_benchmark(&settings, |text| progress.set(text)).await;
            result.set(match outcome {
                Ok(report) => report.to_json(),
                Err(error) => error_json(&error),
            });
            progress.set("Done".to_owned());
            running.set(false);
        });
    };
    if autorun {
        run();
    }

    view! {
        <section class="card" aria-labelledby="bench-heading">
            <h2 id="bench-heading">"Benchmark"</h2>
            <p class="hint">
                "Measures this app's MQTT path in this browser: QoS 0 receive rate, QoS 0 publish \
                 to receive rate, and QoS 1 round trips with latency percentiles."
            </p>
            <label>"Broker URL"<input type="url" id="bench-broker" bind:value=url /></label>
            <div class="row">
                <label>"QoS 0 messages"<input type="text" inputmode="numeric" bind:value=messages /></label>
                <label>"QoS 1 round trips"<input type="text" inputmode="numeric" bind:value=round_trips /></label>
            </div>
            <button type="button" id="bench-run" disabled=move || running.get() on:click=move |_| run()>
                "Run"
            </button>
            <p class="hint" id="bench-progress" role="status">{move || progress.get()}</p>
            <pre id="bench-result" class="payload">{move || result.get()}</pre>
        </section>
    }
}

struct Settings {
    url: String,
    messages: u32,
    round_trips: u32,
    payload_bytes: u32,
}

/// Waits until `connection` is connected, or says why it is not.
async fn connected(connection: &Connection) -> Result<(), String> {
    for _ in 0..200 {
        match connection.status.get_untracked() {
            ConnectionStatus::Connected { .. } => return Ok(()),
            ConnectionStatus::Reconnecting { reason, .. }
            | ConnectionStatus::Disconnected { reason } => {
                return Err(format!("could not connect: {reason}"));
            }
            _ => sleep(Duration::from_millis(25)).await,
        }
    }
    Err("could not connect within 5 s".to_owned())
}

/// Waits until `count` reaches `target`, or until it has not moved for two seconds (QoS 0
/// may be dropped under load: the report then says how many arrived).
async fn arrived(count: &Cell<u32>, target: u32) {
    let (mut last, mut still) = (count.get(), 0);
    while count.get() < target && still < 200 {
        sleep(Duration::from_millis(10)).await;
        if count.get() == last {
            still += 1;
        } else {
            (last, still) = (count.get(), 0);
        }
    }
}

async fn subscribed(connection: &Connection, filter: &str, qos: QoS) -> Result<(), String> {
    connection
        .subscribe(filter, qos)
        .map_err(|e| e.to_string())?;
    for _ in 0..200 {
        let granted = connection.subscriptions.with_untracked(|subs| {
            subs.iter().any(|s| {
                s.filter == filter
                    && matches!(s.state, crate::runtime::SubscriptionState::Granted(_))
            })
        });
        if granted {
            return Ok(());
        }
        sleep(Duration::from_millis(25)).await;
    }
    Err(format!("the broker did not grant {filter}"))
}

async fn run_benchmark(
    settings: &Settings,
    progress: impl Fn(String),
) -> Result<BenchReport, String> {
    let run_id = format!("{:x}", (js_sys::Math::random() * 1e15) as u64);
    let payload = vec![b'x'; settings.payload_bytes as usize];
    let receiver = Connection::new_detached();
    let sender = Connection::new_detached();
    receiver.connect(&settings.url).map_err(|e| e.to_string())?;
    sender.connect(&settings.url).map_err(|e| e.to_string())?;
    connected(&receiver).await?;
    connected(&sender).await?;

    // QoS 0 receive: another connection floods, this one receives.
    progress("QoS 0 receive".to_owned());
    let topic = format!("lamplighter-bench/{run_id}/receive");
    subscribed(&receiver, &topic, QoS::AtMostOnce).await?;
    let count = Rc::new(Cell::new(0u32));
    receiver.on_message({
        let count = count.clone();
        move |_, _| count.set(count.get() + 1)
    });
    let start = page_clock_millis();
    for _ in 0..settings.messages {
        sender
            .publish(&topic, &payload, QoS::AtMostOnce, false)
            .map_err(|e| e.to_string())?;
    }
    arrived(&count, settings.messages).await;
    let qos0_receive = Throughput::new(settings.messages, count.get(), page_clock_millis() - start);

    // QoS 0 publish -> receive: one connection publishes to its own subscription.
    progress("QoS 0 publish to receive".to_owned());
    let topic = format!("lamplighter-bench/{run_id}/echo");
    subscribed(&sender, &topic, QoS::AtMostOnce).await?;
    count.set(0);
    sender.on_message({
        let count = count.clone();
        move |_, _| count.set(count.get() + 1)
    });
    let start = page_clock_millis();
    for _ in 0..settings.messages {
        sender
            .publish(&topic, &payload, QoS::AtMostOnce, false)
            .map_err(|e| e.to_string())?;
    }
    arrived(&count, settings.messages).await;
    let qos0_publish_receive =
        Throughput::new(settings.messages, count.get(), page_clock_millis() - start);

    // QoS 1 round trips, one at a time, each timed until it comes back.
    progress("QoS 1 round trips".to_owned());
    let topic = format!("lamplighter-bench/{run_id}/qos1");
    subscribed(&sender, &topic, QoS::AtLeastOnce).await?;
    // Each round trip waits on a promise the message observer resolves with its arrival time,
    // so the loop wakes the moment the message is back (polling would add timer clamping).
    let waiter = Rc::new(RefCell::new(None::<js_sys::Function>));
    sender.on_message({
        let waiter = waiter.clone();
        move |_, _| {
            if let Some(resolve) = waiter.borrow_mut().take() {
                let _ = resolve.call1(&JsValue::NULL, &page_clock_millis().into());
            }
        }
    });
    let mut latencies = Vec::with_capacity(settings.round_trips as usize);
    let start = page_clock_millis();
    for _ in 0..settings.round_trips {
        let back = js_sys::Promise::new(&mut |resolve, _| *waiter.borrow_mut() = Some(resolve));
        let sent_at = page_clock_millis();
        sender
            .publish(&topic, &payload, QoS::AtLeastOnce, false)
            .map_err(|e| e.to_string())?;
        let give_up = js_sys::Promise::new(&mut |resolve, _| {
            if let Some(window) = web_sys::window() {
                let _ =
                    window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5_000);
            }
        });
        let race = js_sys::Promise::race(&js_sys::Array::of2(&back, &give_up));
        match JsFuture::from(race).await.ok().and_then(|at| at.as_f64()) {
            Some(arrived_at) => latencies.push(arrived_at - sent_at),
            None => break,
        }
    }
    let elapsed = page_clock_millis() - start;
    let qos1_round_trip = RoundTrips {
        throughput: Throughput::new(settings.round_trips, latencies.len() as u32, elapsed),
        latency_ms: Latency::of(&latencies),
    };
    receiver.disconnect();
    sender.disconnect();
    Ok(BenchReport {
        client: "lamplighter".to_owned(),
        broker: settings.url.clone(),
        payload_bytes: settings.payload_bytes,
        qos0_receive,
        qos0_publish_receive,
        qos1_round_trip,
    })
}
