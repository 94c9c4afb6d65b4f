//! The benchmark page, a Trunk target of its own (`bench.html`, served at `bench/` beside the
//! app) so that the app's download does not carry it. It runs the app's MQTT path (WebSocket,
//! engine, driver) against a broker and writes the figures as JSON into `#bench-result`:
//! `bench/?autorun&broker=ws://127.0.0.1:9001&messages=5000&round_trips=500` runs at once, for
//! headless runs; without `autorun` it waits for the Run button.

use lamplighter::pages::BenchPage;
use lamplighter::runtime::bench_request;
use leptos::prelude::*;

fn main() {
    leptos::mount::mount_to_body(|| {
        view! {
            <header class="app-bar"><h1>"Lamplighter benchmark"</h1></header>
            <main><BenchPage request=bench_request() /></main>
        }
    });
}
