use leptos::prelude::*;

use crate::dashboard::HomeStore;
use crate::dashboard::cards::DeviceCard;
use crate::dashboard::light::LightDetail;
use crate::dashboard::model::reading_text;
use crate::runtime::{Connection, ConnectionStatus};

/// The home: every room with its devices as cards, and a light's detail sheet when one is open.
#[component]
pub fn HomePage() -> impl IntoView {
    let store = expect_context::<HomeStore>();
    let conn = expect_context::<Connection>();
    let rooms = Memo::new(move |_| store.rooms());
    let room_keys = move || rooms.with(|rs| rs.iter().map(|r| r.room.clone()).collect::<Vec<_>>());
    let empty = move || rooms.with(Vec::is_empty);
    let waiting_text = move || match conn.status.get() {
        ConnectionStatus::Connected { .. } => {
            "No devices yet. Lamplighter shows what Home Assistant discovery, Zigbee2MQTT, \
             Tasmota and Homie devices announce on this broker."
        }
        _ => "Waiting for the broker…",
    };

    view! {
        {move || {
            empty().then(|| view! { <p class="empty" id="home-empty">{waiting_text}</p> }.into_any())
        }}
        <For each=room_keys key=|room| room.clone() let:room>
            <RoomSection room=room rooms=rooms />
        </For>
        <datalist id="room-names">
            <For each=move || store.room_names() key=|name| name.clone() let:name>
                <option value=name></option>
            </For>
        </datalist>
        <LightDetail />
    }
}

#[component]
fn RoomSection(
    room: Option<String>,
    rooms: Memo<Vec<crate::dashboard::store::RoomDevices>>,
) -> impl IntoView {
    let store = expect_context::<HomeStore>();
    let key = StoredValue::new(room.clone());
    let devices = Memo::new(move |_| {
        rooms.with(|rs| {
            key.with_value(|key| {
                rs.iter()
                    .find(|r| &r.room == key)
                    .map(|r| r.devices.clone())
                    .unwrap_or_default()
            })
        })
    });
    let title = room.clone().unwrap_or_else(|| "Not in a room".to_owned());
    let temperature = move || {
        key.with_value(|k| store.room_average(k.as_deref(), "temperature"))
            .map(|t| format!("{}°", reading_text(t)))
    };
    let label = title.clone();
    view! {
        <section class="room" aria-label=label>
            <header class="room-head">
                <h2>{title}</h2>
                <span class="room-summary">{temperature}</span>
            </header>
            <div class="cards">
                <For each=move || devices.get() key=|id| id.clone() let:id>
                    <DeviceCard id=id />
                </For>
            </div>
        </section>
    }
}
