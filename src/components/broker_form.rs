use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::runtime::Connection;

/// The broker URL, editable, with Connect and Disconnect.
#[component]
pub fn BrokerForm() -> impl IntoView {
    let conn = expect_context::<Connection>();
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
                    <label>
                        "WebSocket URL"
                        <input
                            id="broker-url"
                            type="url"
                            inputmode="url"
                            autocomplete="url"
                            spellcheck="false"
                            placeholder="ws://192.168.1.10:9001"
                            bind:value=url
                        />
                    </label>
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
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
        </section>
    }
}
