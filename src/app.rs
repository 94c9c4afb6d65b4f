use leptos::prelude::*;

use crate::components::StatusBadge;
use crate::pages::ConsolePage;
use crate::runtime::Connection;

/// The whole app: one broker connection shared through context, and the page.
#[component]
pub fn App() -> impl IntoView {
    let conn = Connection::new();
    provide_context(conn);
    // Connect straight away to the broker the page was opened for; the URL stays editable.
    if let Err(e) = conn.connect(&conn.broker_url.get_untracked()) {
        conn.report_error(e.to_string());
    }

    view! {
        <header class="app-bar">
            <h1>"Lamplighter"</h1>
            <StatusBadge />
        </header>
        <main>
            <ConsolePage />
        </main>
    }
}
