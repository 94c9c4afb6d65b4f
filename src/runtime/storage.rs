//! What the app keeps in the browser: profiles (localStorage, shared by tabs) and what belongs
//! to one tab (sessionStorage: its client id, and a password not to be remembered).
//!
//! Storage can be missing or refuse writes (private browsing, quota); the app then works for
//! the session and forgets on reload, which is all it can do.

use web_sys::Storage;

use crate::profiles::{Profile, export_profiles, import_profiles};

const PROFILES_KEY: &str = "lamplighter.profiles";
const ACTIVE_KEY: &str = "lamplighter.active-profile";
const CLIENT_ID_KEY: &str = "lamplighter.client-id";
const LAST_CLIENT_ID_KEY: &str = "lamplighter.last-client-id";
const PASSWORD_KEY_PREFIX: &str = "lamplighter.password.";
const ROOMS_KEY: &str = "lamplighter.rooms";

fn local() -> Option<Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn session() -> Option<Storage> {
    web_sys::window()?.session_storage().ok().flatten()
}

/// The saved profiles and the name of the one in use. Unreadable storage counts as none.
pub fn load_profiles() -> (Vec<Profile>, Option<String>) {
    let Some(storage) = local() else {
        return (Vec::new(), None);
    };
    let profiles = storage
        .get_item(PROFILES_KEY)
        .ok()
        .flatten()
        .and_then(|text| import_profiles(&text, false).ok())
        .unwrap_or_default();
    let active = storage.get_item(ACTIVE_KEY).ok().flatten();
    (profiles, active)
}

pub fn save_profiles(profiles: &[Profile], active: Option<&str>) {
    let Some(storage) = local() else { return };
    let _ = storage.set_item(PROFILES_KEY, &export_profiles(profiles));
    match active {
        Some(name) => _ = storage.set_item(ACTIVE_KEY, name),
        None => _ = storage.remove_item(ACTIVE_KEY),
    }
}

/// This tab's password for a profile that does not remember it: kept until the tab closes, so
/// a reload can reconnect without asking again.
pub fn tab_password(profile: &str) -> Option<String> {
    session()?
        .get_item(&format!("{PASSWORD_KEY_PREFIX}{profile}"))
        .ok()
        .flatten()
}

pub fn set_tab_password(profile: &str, password: Option<&str>) {
    let Some(storage) = session() else { return };
    let key = format!("{PASSWORD_KEY_PREFIX}{profile}");
    match password {
        Some(password) => _ = storage.set_item(&key, password),
        None => _ = storage.remove_item(&key),
    }
}

/// This tab's client id: the same across reloads (so the broker's session resumes), different
/// from other tabs'. A new tab carries on the id the app used last, so that what a closed tab
/// left queued is delivered when the app is opened again; if a tab still open uses it, the
/// tab guard makes this one take a fresh id. `fresh` makes one up.
pub fn tab_client_id(fresh: impl FnOnce() -> String) -> String {
    let stored =
        |storage: Option<Storage>, key| storage.and_then(|s| s.get_item(key).ok().flatten());
    let id = stored(session(), CLIENT_ID_KEY)
        .or_else(|| stored(local(), LAST_CLIENT_ID_KEY))
        .unwrap_or_else(fresh);
    set_tab_client_id(&id);
    id
}

pub fn set_tab_client_id(id: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(CLIENT_ID_KEY, id);
    }
    if let Some(storage) = local() {
        let _ = storage.set_item(LAST_CLIENT_ID_KEY, id);
    }
}

/// The rooms the user chose for devices, as [`crate::dashboard::rooms`] writes them.
pub fn saved_rooms() -> String {
    local()
        .and_then(|s| s.get_item(ROOMS_KEY).ok().flatten())
        .unwrap_or_default()
}

pub fn save_rooms(text: &str) {
    if let Some(storage) = local() {
        let _ = storage.set_item(ROOMS_KEY, text);
    }
}
