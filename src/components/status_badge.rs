use leptos::prelude::*;

use crate::runtime::Connection;

/// The connection state, always visible in the app bar.
#[component]
pub fn StatusBadge() -> impl IntoView {
    let conn = expect_context::<Connection>();
    view! {
        <span
            id="connection-status"
            class="status"
            role="status"
            aria-live="polite"
            data-state=move || conn.status.with(|s| s.key())
        >
            {move || conn.status.with(|s| s.label())}
        </span>
    }
}
