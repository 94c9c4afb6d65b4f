use leptos::prelude::*;

use crate::app::shared;
use crate::runtime::{Connection, ConnectionStatus};

/// The connection state, always visible in the app bar, with a countdown and "Retry now"
/// while the runtime waits to reconnect.
#[component]
pub fn StatusBadge() -> impl IntoView {
    let conn = shared().conn;
    // Ticks once a second while a countdown is shown; nothing runs otherwise.
    let tick = RwSignal::new(0u32);
    Effect::new(move |handle: Option<Option<IntervalHandle>>| {
        if let Some(Some(handle)) = handle {
            handle.clear();
        }
        let counting = conn
            .status
            .with(|s| matches!(s, ConnectionStatus::Reconnecting { .. }));
        counting
            .then(|| {
                set_interval_with_handle(
                    move || tick.update(|t| *t = t.wrapping_add(1)),
                    std::time::Duration::from_secs(1),
                )
                .ok()
            })
            .flatten()
    });
    let text = move || {
        tick.track();
        conn.status.with(|status| match status {
            ConnectionStatus::Reconnecting { reason, at_millis } => {
                let seconds = Connection::millis_until(*at_millis).div_ceil(1000);
                format!("{reason}. Reconnecting in {seconds} s")
            }
            other => other.label(),
        })
    };
    view! {
        <div class="status-line">
            <span
                id="connection-status"
                class="status"
                role="status"
                aria-live="polite"
                data-state=move || conn.status.with(|s| s.key())
            >
                {text}
            </span>
            {move || {
                let pending = conn.pending.get();
                (pending != 0).then(|| view! {
                    <span class="pending" id="pending-count" title="Messages and commands the broker has not acknowledged yet">
                        {format!("{pending} waiting")}
                    </span>
                })
            }}
            {move || {
                conn.status.with(|s| s.can_retry()).then(|| view! {
                    <button type="button" id="retry-now" class="secondary small" on:click=move |_| conn.retry_now()>
                        "Retry now"
                    </button>
                })
            }}
        </div>
    }
}
