//! The home as the dashboard sees it: `home-model`'s [`Home`], fed by the connection, with
//! signals fine-grained enough that a sensor's new reading redraws that sensor's card only.

use std::time::Duration;

use home_model::sorted::{SortedMap, insert_text};
use home_model::{Command, CommandError, Device, DeviceId, EntityId, Home, HomeConfig};
use leptos::prelude::*;

use super::model::{self, CardModel};
use super::pending::{PendingSet, Want};
use super::rooms;
use crate::runtime::{Connection, QoS, page_clock_millis, save_rooms, saved_rooms};

/// How long a notice stays up unless dismissed.
const NOTICE_MS: u64 = 8_000;

/// Something the user should read: a command a device did not confirm, a command refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub id: u64,
    pub text: String,
}

/// One room's devices, for the room list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoomDevices {
    /// `None`: devices no convention and no user has placed.
    pub room: Option<String>,
    pub devices: Vec<DeviceId>,
}

/// A handle on the dashboard's state, shared through context. `Copy`.
#[derive(Clone, Copy)]
pub struct HomeStore {
    home: StoredValue<Home>,
    conn: Connection,
    /// Bumped when devices appear, go, or change room: the room list reads it.
    layout: RwSignal<u64>,
    /// One per device, bumped when the device changes: its card reads it.
    versions: StoredValue<SortedMap<DeviceId, RwSignal<u64>>>,
    /// Each device's room as last laid out, to notice a move.
    placed: StoredValue<SortedMap<DeviceId, Option<String>>>,
    /// The topic filters subscribed to, sorted.
    subscribed: StoredValue<Vec<String>>,
    pending: RwSignal<PendingSet>,
    expiry: StoredValue<Option<TimeoutHandle>>,
    pub notices: RwSignal<Vec<Notice>>,
    next_notice: StoredValue<u64>,
}

impl HomeStore {
    /// Starts reading the home from `conn`: subscribes to every convention's topics and applies
    /// the rooms the user chose before.
    pub fn start(conn: Connection) -> HomeStore {
        let mut home = Home::new(HomeConfig::default());
        for (device, room) in rooms::decode(&saved_rooms()) {
            home.set_room(&DeviceId(device), Some(room));
        }
        let store = HomeStore {
            home: StoredValue::new(home),
            conn,
            layout: RwSignal::new(0),
            versions: StoredValue::new(SortedMap::default()),
            placed: StoredValue::new(SortedMap::default()),
            subscribed: StoredValue::new(Vec::new()),
            pending: RwSignal::new(PendingSet::default()),
            expiry: StoredValue::new(None),
            notices: RwSignal::new(Vec::new()),
            next_notice: StoredValue::new(0),
        };
        store.subscribe_missing();
        conn.add_listener(move |topic, payload, retained| {
            store.handle_message(topic, payload, retained)
        });
        store
    }

    fn handle_message(&self, topic: &str, payload: &[u8], retained: bool) {
        let now = now_ms();
        let Some(changes) = self
            .home
            .try_update_value(|home| home.handle_message(topic, payload, retained, now))
        else {
            return;
        };
        if changes.subscriptions_changed {
            self.subscribe_missing();
        }
        let mut relayout = !changes.removed.is_empty();
        for id in &changes.removed {
            self.placed.update_value(|placed| _ = placed.remove(id));
            self.pending.update(|pending| pending.forget_device(id));
        }
        for id in &changes.devices {
            let room = self
                .home
                .with_value(|home| home.device(id).map(|d| d.room.clone()));
            let Some(room) = room else { continue };
            let before = self
                .placed
                .try_update_value(|placed| placed.insert(id.clone(), room.clone()));
            if let Some(before) = before {
                if before.is_none() {
                    self.refresh(id);
                }
                relayout |= before.as_ref() != Some(&room);
            }
            self.confirm(id);
            self.bump(id);
        }
        if relayout {
            self.layout.update(|n| *n += 1);
        }
    }

    /// Subscribes to whatever filters the model wants that are not subscribed yet.
    fn subscribe_missing(&self) {
        let wanted = self.home.with_value(Home::subscriptions);
        for filter in wanted {
            let new = self
                .subscribed
                .try_update_value(|subscribed| insert_text(subscribed, filter.clone()))
                .unwrap_or(false);
            if new && let Err(e) = self.conn.subscribe(&filter, QoS::AtLeastOnce) {
                self.notify(format!("Could not subscribe to {filter}: {e}"));
            }
        }
    }

    /// Asks a device seen for the first time for its state, where its convention does not keep
    /// it on the broker (Tasmota's `STATE`, Zigbee2MQTT's `/get`).
    fn refresh(&self, device: &DeviceId) {
        // Entities of one device often share the question (Tasmota's one STATE).
        let mut messages: Vec<home_model::Outgoing> = Vec::new();
        self.home.with_value(|home| {
            let Some(device) = home.device(device) else {
                return;
            };
            for entity in &device.entities {
                for message in home
                    .command(&entity.id, Command::Refresh)
                    .unwrap_or_default()
                {
                    if !messages.contains(&message) {
                        messages.push(message);
                    }
                }
            }
        });
        for message in messages {
            let _ = self.conn.publish(
                &message.topic,
                message.payload.as_bytes(),
                QoS::AtMostOnce,
                false,
            );
        }
    }

    /// Drops the wants that `device` now shows as done.
    fn confirm(&self, device: &DeviceId) {
        // Read in place: the device's entities are not copied for this.
        let confirmed = self.home.with_value(|home| {
            let Some(device) = home.device(device) else {
                return false;
            };
            self.pending
                .try_update_untracked(|pending| {
                    device
                        .entities
                        .iter()
                        .fold(false, |any, entity| pending.confirm(entity) | any)
                })
                .unwrap_or(false)
        });
        if confirmed {
            self.pending.notify();
        }
    }

    fn bump(&self, device: &DeviceId) {
        let signal = self.version(device);
        signal.update(|n| *n += 1);
    }

    /// The signal a device's card tracks.
    fn version(&self, device: &DeviceId) -> RwSignal<u64> {
        if let Some(signal) = self.versions.with_value(|v| v.get(device).copied()) {
            return signal;
        }
        let signal = RwSignal::new(0);
        self.versions
            .update_value(|v| _ = v.insert(device.clone(), signal));
        signal
    }

    /// Every room with its devices, rooms by name, devices by name; devices in no room last.
    /// Tracks the layout only, not each device's state.
    pub fn rooms(&self) -> Vec<RoomDevices> {
        self.layout.track();
        self.home.with_value(|home| {
            let mut rooms: Vec<Option<String>> = home
                .rooms()
                .into_iter()
                .map(|r| Some(r.to_owned()))
                .collect();
            rooms.push(None);
            rooms
                .into_iter()
                .filter_map(|room| {
                    // Placed in order one by one rather than sorted after: a room holds a few
                    // devices, and the wasm then needs no sort routine for them. Ids are
                    // unique, so the order is total.
                    let mut devices: Vec<&Device> = Vec::new();
                    for device in home.devices_in(room.as_deref()) {
                        let key = (device.name.as_str(), device.id.as_str());
                        let at =
                            devices.partition_point(|d| (d.name.as_str(), d.id.as_str()) < key);
                        devices.insert(at, device);
                    }
                    let devices: Vec<DeviceId> =
                        devices.into_iter().map(|d| d.id.clone()).collect();
                    (!devices.is_empty()).then_some(RoomDevices { room, devices })
                })
                .collect()
        })
    }

    /// Every room name, for the room picker.
    pub fn room_names(&self) -> Vec<String> {
        self.layout.track();
        self.home
            .with_value(|home| home.rooms().into_iter().map(str::to_owned).collect())
    }

    /// The average of a kind of reading (`temperature`) over a room's sensors.
    pub fn room_average(&self, room: Option<&str>, device_class: &str) -> Option<f64> {
        self.layout.track();
        let ids: Vec<DeviceId> = self
            .home
            .with_value(|home| home.devices_in(room).map(|d| d.id.clone()).collect());
        for id in &ids {
            self.version(id).track();
        }
        self.home
            .with_value(|home| home.room_average(room, device_class))
    }

    /// A device's card as it is now; tracks that device's changes and unconfirmed commands.
    pub fn card(&self, id: &DeviceId) -> Option<CardModel> {
        self.version(id).track();
        self.pending.with(|pending| {
            self.home
                .with_value(|home| home.device(id).map(|d| model::card(d, pending)))
        })
    }

    /// A light's detail view as it is now.
    pub fn light_detail(&self, id: &EntityId) -> Option<CardModel> {
        let device = id.device();
        self.version(&device).track();
        self.pending.with(|pending| {
            self.home.with_value(|home| {
                home.device(&device)
                    .and_then(|d| model::light_detail(d, id, pending))
            })
        })
    }

    /// Sends `command` to `entity`; the control shows it pending until the device confirms.
    pub fn send(&self, entity: &EntityId, command: Command) {
        let outgoing = self
            .home
            .with_value(|home| home.command(entity, command.clone()));
        let messages = match outgoing {
            Ok(messages) => messages,
            Err(e) => {
                self.notify(command_refused(&self.entity_label(entity), &e));
                return;
            }
        };
        for message in &messages {
            let qos = match message.qos {
                0 => QoS::AtMostOnce,
                1 => QoS::AtLeastOnce,
                _ => QoS::ExactlyOnce,
            };
            if let Err(e) = self.conn.publish(
                &message.topic,
                message.payload.as_bytes(),
                qos,
                message.retain,
            ) {
                self.notify(format!("{}: {e}", self.entity_label(entity)));
                return;
            }
        }
        let now = now_ms();
        self.pending
            .update(|pending| pending.expect(entity, &command, now));
        let device = entity.device();
        let assumed = self
            .home
            .try_update_value(|home| home.assume(entity, &command))
            .unwrap_or(false);
        if assumed {
            self.confirm(&device);
            self.bump(&device);
        }
        self.arm_expiry();
    }

    /// Puts `device` in `room` (or back where its convention puts it, with `None`), and
    /// remembers the choice.
    pub fn set_room(&self, device: &DeviceId, room: Option<String>) {
        self.home.update_value(|home| match room {
            Some(room) => home.set_room(device, Some(room)),
            None => home.clear_room(device),
        });
        let saved = rooms::decode(&saved_rooms());
        let mut kept: Vec<(String, String)> = saved
            .into_iter()
            .filter(|(id, _)| id != device.as_str())
            .collect();
        if let Some(room) = self
            .home
            .with_value(|home| home.device(device).and_then(|d| d.room.clone()))
            .filter(|room| {
                self.home.with_value(|home| {
                    home.device(device)
                        .is_some_and(|d| d.suggested_room.as_ref() != Some(room))
                })
            })
        {
            kept.push((device.0.clone(), room));
        }
        save_rooms(&rooms::encode(&kept));
        self.placed.update_value(|placed| _ = placed.remove(device));
        self.handle_room_change(device);
    }

    fn handle_room_change(&self, device: &DeviceId) {
        let room = self
            .home
            .with_value(|home| home.device(device).map(|d| d.room.clone()))
            .flatten();
        self.placed
            .update_value(|placed| _ = placed.insert(device.clone(), room));
        self.bump(device);
        self.layout.update(|n| *n += 1);
    }

    /// Expires unconfirmed commands at the earliest deadline: their controls go back to what
    /// the device last reported, and the user is told.
    fn arm_expiry(&self) {
        if let Some(handle) = self.expiry.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        let Some(deadline) = self.pending.with_untracked(PendingSet::next_deadline) else {
            return;
        };
        let store = *self;
        let wait = deadline.saturating_sub(now_ms());
        let handle = set_timeout_with_handle(
            move || {
                store.expiry.set_value(None);
                let expired = store
                    .pending
                    .try_update(|pending| pending.expire(now_ms()))
                    .unwrap_or_default();
                for p in expired {
                    let text = format!(
                        "{} did not confirm {}: showing what it last reported.",
                        store.entity_label(&p.entity),
                        describe(&p.want)
                    );
                    store.notify(text);
                }
                store.arm_expiry();
            },
            Duration::from_millis(wait),
        );
        self.expiry.set_value(handle.ok());
    }

    /// The name a person knows an entity by: the device's, and the entity's if it differs.
    fn entity_label(&self, entity: &EntityId) -> String {
        self.home.with_value(|home| {
            let device = home.device(&entity.device());
            let device_name = device.map_or(entity.as_str(), |d| d.name.as_str());
            match device.and_then(|d| d.entity(entity)) {
                Some(e)
                    if e.name != device_name && device.is_some_and(|d| d.entities.len() > 1) =>
                {
                    format!("{device_name} ({})", e.name)
                }
                _ => device_name.to_owned(),
            }
        })
    }

    /// Shows `text` for a while.
    pub fn notify(&self, text: String) {
        let id = self
            .next_notice
            .try_update_value(|n| {
                *n += 1;
                *n
            })
            .unwrap_or_default();
        self.notices.update(|n| n.push(Notice { id, text }));
        let notices = self.notices;
        set_timeout(
            move || notices.update(|n| n.retain(|x| x.id != id)),
            Duration::from_millis(NOTICE_MS),
        );
    }

    pub fn dismiss(&self, id: u64) {
        self.notices.update(|n| n.retain(|x| x.id != id));
    }
}

fn now_ms() -> u64 {
    page_clock_millis() as u64
}

fn command_refused(label: &str, error: &CommandError) -> String {
    format!("{label}: {error}")
}

/// A want in words, for a notice.
fn describe(want: &Want) -> String {
    match want {
        Want::On(true) => "turning on".into(),
        Want::On(false) => "turning off".into(),
        Want::Brightness(b) => format!("brightness {}", model::percent(f64::from(*b))),
        Want::ColorTemp(m) => format!(
            "colour temperature {} K",
            1_000_000 / u32::from((*m).max(1))
        ),
        Want::HueSat(..) => "the colour".into(),
        Want::Effect(e) => format!("effect {e}"),
        Want::Position(p) => format!("position {p}%"),
        Want::TargetTemperature(t) => format!("target {}°", model::reading_text(*t)),
        Want::Mode(m) => format!("mode {m}"),
        Want::Percentage(p) => format!("speed {p}%"),
        Want::Number(n) => format!("value {}", model::reading_text(*n)),
        Want::Select(s) => s.clone(),
    }
}
