//! The saved profiles as the UI sees them, kept in step with the browser's storage.

use leptos::prelude::*;

use super::storage;
use crate::profiles::Profile;

/// A `Copy` handle on the saved profiles, shared through context.
#[derive(Clone, Copy)]
pub struct ProfileStore {
    /// Saved profiles; passwords only where the user asked for them to be remembered.
    pub profiles: ReadSignal<Vec<Profile>>,
    /// The profile last connected with, used again when the page opens.
    pub active: ReadSignal<Option<String>>,
    set_profiles: WriteSignal<Vec<Profile>>,
    set_active_name: WriteSignal<Option<String>>,
}

impl ProfileStore {
    pub fn load() -> Self {
        let (saved, active) = storage::load_profiles();
        let active = active.filter(|name| saved.iter().any(|p| &p.name == name));
        let (profiles, set_profiles) = signal(saved);
        let (active, set_active_name) = signal(active);
        Self {
            profiles,
            active,
            set_profiles,
            set_active_name,
        }
    }

    /// The active profile, if it still exists.
    pub fn active_profile(&self) -> Option<Profile> {
        let name = self.active.get_untracked()?;
        self.profiles
            .with_untracked(|all| all.iter().find(|p| p.name == name).cloned())
    }

    /// The password to connect with: the remembered one, or the one this tab was given.
    pub fn password_for(&self, profile: &Profile) -> Option<String> {
        profile
            .password
            .clone()
            .or_else(|| storage::tab_password(&profile.name))
    }

    /// Saves `profile`, replacing the one named `original` (or adding it). A password not to be
    /// remembered is kept for this tab only.
    pub fn save(&self, original: Option<&str>, profile: Profile) {
        if let Some(old) = original.filter(|old| *old != profile.name) {
            storage::set_tab_password(old, None);
        }
        let tab_password = (!profile.remember_password)
            .then(|| profile.password.clone())
            .flatten();
        storage::set_tab_password(&profile.name, tab_password.as_deref());
        let stored = profile.for_storage();
        let renamed_active =
            original.is_some() && self.active.get_untracked().as_deref() == original;
        self.set_profiles.update(|all| {
            let position = all
                .iter()
                .position(|p| Some(p.name.as_str()) == original || p.name == stored.name);
            match position {
                Some(i) => all[i] = stored.clone(),
                None => all.push(stored.clone()),
            }
        });
        if renamed_active {
            self.set_active_name.set(Some(stored.name.clone()));
        }
        self.persist();
    }

    pub fn delete(&self, name: &str) {
        storage::set_tab_password(name, None);
        self.set_profiles
            .update(|all| all.retain(|p| p.name != name));
        if self.active.get_untracked().as_deref() == Some(name) {
            self.set_active_name.set(None);
        }
        self.persist();
    }

    pub fn set_active(&self, name: Option<&str>) {
        self.set_active_name.set(name.map(str::to_owned));
        self.persist();
    }

    fn persist(&self) {
        self.profiles.with_untracked(|all| {
            storage::save_profiles(all, self.active.get_untracked().as_deref())
        });
    }
}
