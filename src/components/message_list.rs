use std::sync::Arc;

use leptos::prelude::*;

use crate::app::shared;
use crate::dashboard::widgets::keyed_list;

/// Received messages, newest first. Payloads are rendered as text, never as HTML.
#[component]
pub fn MessageList() -> impl IntoView {
    let conn = shared().conn;
    let shown = move || conn.messages.with(|log| log.len());
    let received = move || conn.messages.with(|log| log.received());
    // Keyed by sequence number through the app's one keyed list (see `keyed_list`).
    let keys = Memo::new(move |_| {
        conn.messages
            .with(|log| log.entries().map(|m| m.seq.to_string()).collect())
    });
    let row = move |key: String| {
        let seq = key.parse::<u64>().ok();
        let found = conn
            .messages
            .with_untracked(|log| log.entries().find(|m| Some(m.seq) == seq).cloned());
        let Some(m) = found else {
            return ().into_any();
        };
        view! {
            <li>
                <span class="topic">{m.topic.clone()}</span>
                <span class="time">{m.received_at.clone()}</span>
                <pre class="payload">{m.payload.clone()}</pre>
                {m.retained.then(|| view! { <span class="flags">"retained"</span> })}
            </li>
        }
        .into_any()
    };

    view! {
        <section class="card" aria-labelledby="messages-heading">
            <div class="row">
                <h2 id="messages-heading">"Messages"</h2>
                <span class="hint" id="message-count">
                    {move || match (shown(), received()) {
                        (_, 0) => "none yet".to_owned(),
                        (s, r) if s as u64 == r => format!("{r} received"),
                        (s, r) => format!("{r} received, newest {s} shown"),
                    }}
                </span>
                <button
                    type="button"
                    class="secondary"
                    on:click=move |_| conn.messages.update(|log| log.clear())
                >
                    "Clear"
                </button>
            </div>
            <ol class="messages" id="messages">
                {keyed_list(keys, Arc::new(row))}
            </ol>
        </section>
    }
}
