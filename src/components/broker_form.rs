use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fields::{TextInput, error_line};
use crate::app::shared;

/// The broker URL, editable, with Connect and Disconnect.
#[component]
pub fn BrokerForm() -> impl IntoView {
    let conn = shared().conn;
    let url = RwSignal::new(conn.broker_url.get_untracked());
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        error.set(
            conn.connect(&url.get_untracked())
                .err()
                .map(|e| e.to_string()),
        );
    };

    view! {
        <section class="card" aria-labelledby="broker-heading">
            <h2 id="broker-heading">"Broker"</h2>
            <form on:submit=on_submit>
                <div class="row">
                    {TextInput {
                        kind: "url",
                        inputmode: Some("url"),
                        autocomplete: Some("url"),
                        spellcheck: Some("false"),
                        placeholder: Some("ws://192.168.1.10:9001"),
                        ..TextInput::text(Some("broker-url"))
                    }
                        .view("WebSocket URL", url)}
                    <button id="connect" type="submit">"Connect"</button>
                    <button
                        id="disconnect"
                        type="button"
                        class="secondary"
                        disabled=move || !conn.status.with(|s| s.is_active())
                        on:click=move |_| conn.disconnect()
                    >
                        "Disconnect"
                    </button>
                </div>
                {move || error_line(error.get())}
            </form>
        </section>
    }
}
