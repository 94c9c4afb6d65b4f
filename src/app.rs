use leptos::prelude::*;

use crate::components::StatusBadge;
use crate::pages::{BenchPage, ConnectionsPage, ConsolePage};
use crate::runtime::{Connection, ProfileStore};

/// The screens reachable from the app bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Console,
    Connections,
}

/// The whole app: one broker connection and the saved profiles, shared through context.
/// `?bench` opens the benchmark instead (`&autorun` starts it at once, for headless runs).
#[component]
pub fn App() -> impl IntoView {
    if let Some(bench) = crate::runtime::bench_request() {
        return view! {
            <header class="app-bar"><h1>"Lamplighter benchmark"</h1></header>
            <main><BenchPage request=bench /></main>
        }
        .into_any();
    }
    let conn = Connection::new();
    let store = ProfileStore::load();
    provide_context(conn);
    provide_context(store);

    // Connect straight away: to the broker a link names (`?broker=`), else with the profile
    // used last, else to the page's own host. Every choice stays editable.
    let started = match (conn.has_broker_param(), store.active_profile()) {
        (false, Some(profile)) => {
            let password = store.password_for(&profile);
            conn.connect_profile(profile, password)
        }
        _ => conn.connect(&conn.broker_url.get_untracked()),
    };
    if let Err(e) = started {
        conn.report_error(e.to_string());
    }

    let screen = RwSignal::new(Screen::Console);
    let tab = move |target: Screen, label: &'static str, id: &'static str| {
        view! {
            <button
                type="button"
                id=id
                class="tab"
                aria-current=move || (screen.get() == target).then_some("page")
                on:click=move |_| screen.set(target)
            >
                {label}
            </button>
        }
    };

    view! {
        <header class="app-bar">
            <h1>"Lamplighter"</h1>
            <StatusBadge />
        </header>
        <nav class="tabs" aria-label="Screens">
            {tab(Screen::Console, "Console", "nav-console")}
            {tab(Screen::Connections, "Connections", "nav-connections")}
        </nav>
        <main>
            {move || match screen.get() {
                Screen::Console => view! { <ConsolePage /> }.into_any(),
                Screen::Connections => view! { <ConnectionsPage /> }.into_any(),
            }}
        </main>
    }
    .into_any()
}
