use std::sync::Arc;

use leptos::prelude::*;

use crate::components::StatusBadge;
use crate::dashboard::widgets::keyed_list;
use crate::dashboard::{HomeStore, OpenDetail};
use crate::pages::{ConnectionsPage, ConsolePage, HomePage};
use crate::runtime::{Connection, ProfileStore, on_hash_change, page_hash, set_page_hash};

/// The screens reachable from the app bar, each with its address fragment so that reloads and
/// the back button keep the screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Screen {
    Home,
    Console,
    Connections,
}

impl Screen {
    fn from_hash(hash: &str) -> Screen {
        match hash.trim_start_matches('#') {
            "console" => Screen::Console,
            "connections" => Screen::Connections,
            _ => Screen::Home,
        }
    }

    fn hash(self) -> &'static str {
        match self {
            Screen::Home => "#home",
            Screen::Console => "#console",
            Screen::Connections => "#connections",
        }
    }
}

/// What every screen shares: the broker connection, the saved profiles, the home as the
/// dashboard sees it, and which light's detail sheet is open. [`App`] provides them as one
/// context rather than four, since each type looked up in the context compiles a lookup of
/// its own into the wasm.
#[derive(Clone, Copy)]
pub struct Shared {
    pub conn: Connection,
    pub profiles: ProfileStore,
    pub home: HomeStore,
    pub detail: OpenDetail,
}

/// The [`Shared`] state of the app around the calling component.
pub fn shared() -> Shared {
    expect_context::<Shared>()
}

/// The whole app: one broker connection and the saved profiles, shared through context.
#[component]
pub fn App() -> impl IntoView {
    let conn = Connection::new();
    let store = ProfileStore::load();
    let home = HomeStore::start(conn);
    provide_context(Shared {
        conn,
        profiles: store,
        home,
        detail: OpenDetail(RwSignal::new(None)),
    });
    // What the connection has to tell the user (a saved session it had to drop) joins the
    // dashboard's messages.
    Effect::new(move |_| {
        if let Some(text) = conn.notice.get() {
            home.notify(text);
        }
    });

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

    let screen = RwSignal::new(Screen::from_hash(&page_hash()));
    on_hash_change(move |hash| screen.set(Screen::from_hash(&hash)));
    let tab = move |target: Screen, label: &'static str, id: &'static str| {
        view! {
            <button
                type="button"
                id=id
                class="tab"
                aria-current=move || (screen.get() == target).then_some("page")
                on:click=move |_| {
                    screen.set(target);
                    set_page_hash(target.hash());
                }
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
            {tab(Screen::Home, "Home", "nav-home")}
            {tab(Screen::Console, "Console", "nav-console")}
            {tab(Screen::Connections, "Connections", "nav-connections")}
        </nav>
        <main>
            {move || match screen.get() {
                Screen::Home => view! { <HomePage /> }.into_any(),
                Screen::Console => view! { <ConsolePage /> }.into_any(),
                Screen::Connections => view! { <ConnectionsPage /> }.into_any(),
            }}
        </main>
        <Notices />
    }
}

/// Messages for the user (a command a device did not confirm), over every screen.
#[component]
fn Notices() -> impl IntoView {
    let home = shared().home;
    let ids = Memo::new(move |_| {
        home.notices
            .with(|ns| ns.iter().map(|n| n.id.to_string()).collect())
    });
    let notice = move |key: String| {
        let found = home.notices.with_untracked(|ns| {
            ns.iter()
                .find(|n| n.id.to_string() == key)
                .map(|n| (n.id, n.text.clone()))
        });
        let Some((id, text)) = found else {
            return ().into_any();
        };
        view! {
            <p class="notice">
                <span>{text}</span>
                <button type="button" aria-label="Dismiss" on:click=move |_| home.dismiss(id)>
                    "×"
                </button>
            </p>
        }
        .into_any()
    };
    view! {
        <div class="notices" role="status" aria-live="polite">
            {keyed_list(ids, Arc::new(notice))}
        </div>
    }
}
