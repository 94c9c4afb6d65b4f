use std::sync::Arc;

use home_model::DeviceId;
use leptos::prelude::*;

use crate::app::shared;
use crate::dashboard::cards::DeviceCard;
use crate::dashboard::light::LightDetail;
use crate::dashboard::model::reading_text;
use crate::dashboard::widgets::keyed_list;
use crate::runtime::ConnectionStatus;

/// The home: every room with its devices as cards, and a light's detail sheet when one is open.
#[component]
pub fn HomePage() -> impl IntoView {
    let store = shared().home;
    let conn = shared().conn;
    let rooms = Memo::new(move |_| store.rooms());
    let room_keys =
        Memo::new(move |_| rooms.with(|rs| rs.iter().map(|r| room_key(&r.room)).collect()));
    let room_names = Memo::new(move |_| store.room_names());
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
        {keyed_list(
            room_keys,
            Arc::new(move |key| view! { <RoomSection room=room_of_key(&key) rooms=rooms /> }.into_any()),
        )}
        <datalist id="room-names">
            {keyed_list(room_names, Arc::new(|name| view! { <option value=name></option> }.into_any()))}
        </datalist>
        <LightDetail />
    }
}

#[component]
fn RoomSection(
    room: Option<String>,
    rooms: Memo<Vec<crate::dashboard::store::RoomDevices>>,
) -> impl IntoView {
    let store = shared().home;
    let key = StoredValue::new(room.clone());
    let devices = Memo::new(move |_| {
        rooms.with(|rs| {
            key.with_value(|key| {
                rs.iter()
                    .find(|r| &r.room == key)
                    .map(|r| r.devices.iter().map(|id| id.0.clone()).collect())
                    .unwrap_or_default()
            })
        })
    });
    let title = room.clone().unwrap_or_else(|| "Not in a room".to_owned());
    let temperature = move || {
        key.with_value(|k| store.room_average(k.as_deref(), "temperature"))
            .map(|t| {
                let mut text = reading_text(t);
                text.push('°');
                text
            })
    };
    let label = title.clone();
    view! {
        <section class="room" aria-label=label>
            <header class="room-head">
                <h2>{title}</h2>
                <span class="room-summary">{temperature}</span>
            </header>
            <div class="cards">
                {keyed_list(devices, Arc::new(|id| view! { <DeviceCard id=DeviceId(id) /> }.into_any()))}
            </div>
        </section>
    }
}

/// A room as a list key: `/` and its name, or nothing for devices in no room. Every room
/// name, empty or not, keeps a key of its own.
fn room_key(room: &Option<String>) -> String {
    room.as_ref()
        .map_or_else(String::new, |name| format!("/{name}"))
}

/// The room a [`room_key`] stands for.
fn room_of_key(key: &str) -> Option<String> {
    key.strip_prefix('/').map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_room_and_no_room_have_keys_of_their_own() {
        for room in [
            None,
            Some(String::new()),
            Some("/".into()),
            Some("Kitchen".into()),
        ] {
            assert_eq!(room_of_key(&room_key(&room)), room);
        }
        assert_ne!(room_key(&None), room_key(&Some(String::new())));
    }
}
