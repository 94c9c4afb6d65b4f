//! What the user asked a device for and the device has not yet confirmed.
//!
//! A control shows the value asked for, marked pending, until the device reports that value;
//! if it has not by the deadline, the control goes back to what the device last reported and
//! the user is told. Plain logic over `home-model`'s entities, tested natively.

use home_model::{Command, CoverCommand, DeviceId, Entity, EntityId, EntityKind};

/// How long a device has to confirm a command.
pub const CONFIRM_WITHIN_MS: u64 = 5_000;

/// One part of a command whose result the device should report.
#[derive(Debug, Clone, PartialEq)]
pub enum Want {
    On(bool),
    /// 0.0..=1.0.
    Brightness(f32),
    /// Mireds.
    ColorTemp(u16),
    /// Hue in degrees, saturation in percent.
    HueSat(f32, f32),
    Effect(String),
    /// Cover position, 0 closed to 100 open.
    Position(u8),
    TargetTemperature(f64),
    Mode(String),
    Percentage(u8),
    Number(f64),
    Select(String),
}

/// Which control a [`Want`] belongs to: a newer want for the same field replaces the older.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    On,
    Brightness,
    ColorTemp,
    HueSat,
    Effect,
    Position,
    TargetTemperature,
    Mode,
    Percentage,
    Number,
    Select,
}

impl Want {
    pub fn field(&self) -> Field {
        match self {
            Want::On(_) => Field::On,
            Want::Brightness(_) => Field::Brightness,
            Want::ColorTemp(_) => Field::ColorTemp,
            Want::HueSat(..) => Field::HueSat,
            Want::Effect(_) => Field::Effect,
            Want::Position(_) => Field::Position,
            Want::TargetTemperature(_) => Field::TargetTemperature,
            Want::Mode(_) => Field::Mode,
            Want::Percentage(_) => Field::Percentage,
            Want::Number(_) => Field::Number,
            Want::Select(_) => Field::Select,
        }
    }

    /// What a command asks for, part by part. Commands whose outcome no state shows (cover
    /// stop, refresh) ask for nothing.
    pub fn of(command: &Command) -> Vec<Want> {
        match command {
            Command::Light {
                on,
                brightness,
                color_temp,
                hue_sat,
                effect,
            } => {
                let mut wants = Vec::new();
                wants.extend(on.map(Want::On));
                wants.extend(brightness.map(Want::Brightness));
                wants.extend(color_temp.map(Want::ColorTemp));
                wants.extend(hue_sat.map(|(h, s)| Want::HueSat(h, s)));
                wants.extend(effect.clone().map(Want::Effect));
                wants
            }
            Command::Switch(on) => vec![Want::On(*on)],
            Command::Fan { on, percentage } => {
                let mut wants = Vec::new();
                wants.extend(on.map(Want::On));
                wants.extend(percentage.map(Want::Percentage));
                wants
            }
            Command::Cover(CoverCommand::Position(p)) => vec![Want::Position(*p)],
            Command::Cover(CoverCommand::Open) => vec![Want::Position(100)],
            Command::Cover(CoverCommand::Close) => vec![Want::Position(0)],
            Command::Cover(CoverCommand::Stop) => Vec::new(),
            Command::Climate {
                target_temperature,
                mode,
            } => {
                let mut wants = Vec::new();
                wants.extend(target_temperature.map(Want::TargetTemperature));
                wants.extend(mode.clone().map(Want::Mode));
                wants
            }
            Command::Number(n) => vec![Want::Number(*n)],
            Command::Select(s) => vec![Want::Select(s.clone())],
            Command::Refresh => Vec::new(),
        }
    }

    /// Whether `kind` reports this want as done. Numbers match within what the devices' own
    /// scales can express (a brightness of 0.5 comes back as 127/254).
    pub fn is_met_by(&self, kind: &EntityKind) -> bool {
        fn near(a: f64, b: f64, tolerance: f64) -> bool {
            (a - b).abs() <= tolerance
        }
        match (self, kind) {
            (Want::On(want), EntityKind::Light(l)) => l.on == Some(*want),
            (Want::On(want), EntityKind::Switch(s)) => s.on == Some(*want),
            (Want::On(want), EntityKind::Fan(f)) => f.on == Some(*want),
            (Want::Brightness(want), EntityKind::Light(l)) => l
                .brightness
                .is_some_and(|b| near(b.into(), (*want).into(), 0.02)),
            (Want::ColorTemp(want), EntityKind::Light(l)) => l
                .color_temp
                .is_some_and(|t| near(t.into(), (*want).into(), 3.0)),
            (Want::HueSat(hue, sat), EntityKind::Light(l)) => l.hue_sat.is_some_and(|(h, s)| {
                let dh = (h - hue).rem_euclid(360.0);
                dh.min(360.0 - dh) <= 4.0 && (s - sat).abs() <= 4.0
            }),
            (Want::Effect(want), EntityKind::Light(l)) => l.effect.as_ref() == Some(want),
            (Want::Position(want), EntityKind::Cover(c)) => {
                c.position.is_some_and(|p| p.abs_diff(*want) <= 1)
            }
            (Want::TargetTemperature(want), EntityKind::Climate(c)) => {
                c.target_temperature.is_some_and(|t| near(t, *want, 0.05))
            }
            (Want::Mode(want), EntityKind::Climate(c)) => c.mode.as_ref() == Some(want),
            (Want::Percentage(want), EntityKind::Fan(f)) => {
                f.percentage.is_some_and(|p| p.abs_diff(*want) <= 1)
            }
            (Want::Number(want), EntityKind::Number(n)) => n
                .value
                .is_some_and(|v| near(v, *want, 1e-6 + want.abs() * 1e-6)),
            (Want::Select(want), EntityKind::Select(s)) => s.value.as_ref() == Some(want),
            _ => false,
        }
    }
}

/// A want waiting for its device.
#[derive(Debug, Clone, PartialEq)]
pub struct Pending {
    pub entity: EntityId,
    pub want: Want,
    /// When the device must have confirmed it by (ms, the caller's clock).
    pub deadline: u64,
}

/// Every unconfirmed want, at most one per entity and field.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PendingSet {
    items: Vec<Pending>,
}

impl PendingSet {
    /// Records that `command` was sent to `entity` at `now`: each of its parts replaces an
    /// older want for the same field.
    pub fn expect(&mut self, entity: &EntityId, command: &Command, now: u64) {
        for want in Want::of(command) {
            self.items
                .retain(|p| !(&p.entity == entity && p.want.field() == want.field()));
            self.items.push(Pending {
                entity: entity.clone(),
                want,
                deadline: now + CONFIRM_WITHIN_MS,
            });
        }
    }

    /// Drops the wants `entity` now shows as done. Returns whether anything was confirmed.
    pub fn confirm(&mut self, entity: &Entity) -> bool {
        let before = self.items.len();
        self.items
            .retain(|p| !(p.entity == entity.id && p.want.is_met_by(&entity.kind)));
        self.items.len() != before
    }

    /// Drops and returns the wants whose deadline has passed.
    pub fn expire(&mut self, now: u64) -> Vec<Pending> {
        let (expired, kept) = std::mem::take(&mut self.items)
            .into_iter()
            .partition(|p| p.deadline <= now);
        self.items = kept;
        expired
    }

    /// Forgets every want for the entities of `device` (it was removed).
    pub fn forget_device(&mut self, device: &DeviceId) {
        self.items.retain(|p| &p.entity.device() != device);
    }

    /// The value asked for `entity`'s `field`, while the device has not confirmed it.
    pub fn wanted(&self, entity: &EntityId, field: Field) -> Option<&Want> {
        self.items
            .iter()
            .find(|p| &p.entity == entity && p.want.field() == field)
            .map(|p| &p.want)
    }

    /// Whether anything is still unconfirmed for `entity`.
    pub fn any_for(&self, entity: &EntityId) -> bool {
        self.items.iter().any(|p| &p.entity == entity)
    }

    /// The earliest deadline, for the one timer that expires wants.
    pub fn next_deadline(&self) -> Option<u64> {
        self.items.iter().map(|p| p.deadline).min()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use home_model::{Light, Switch};

    fn light(on: Option<bool>, brightness: Option<f32>) -> Entity {
        Entity {
            id: EntityId::from("z2m:lamp/light"),
            name: "Lamp".into(),
            kind: EntityKind::Light(Light {
                on,
                brightness,
                ..Light::default()
            }),
            target: None,
            optimistic: false,
        }
    }

    #[test]
    fn a_command_is_pending_until_the_device_reports_the_value() {
        let mut set = PendingSet::default();
        let id = EntityId::from("z2m:lamp/light");
        set.expect(&id, &Command::light_on(true), 0);
        assert_eq!(set.wanted(&id, Field::On), Some(&Want::On(true)));

        assert!(!set.confirm(&light(Some(false), None)), "still off");
        assert!(set.any_for(&id));
        assert!(set.confirm(&light(Some(true), None)));
        assert!(set.is_empty());
    }

    #[test]
    fn brightness_is_confirmed_within_the_devices_own_steps() {
        let mut set = PendingSet::default();
        let id = EntityId::from("z2m:lamp/light");
        set.expect(&id, &Command::light_brightness(0.5), 0);
        // 127 of 254.
        assert!(set.confirm(&light(Some(true), Some(127.0 / 254.0))));
    }

    #[test]
    fn a_newer_value_for_the_same_control_replaces_the_older_one() {
        let mut set = PendingSet::default();
        let id = EntityId::from("z2m:lamp/light");
        set.expect(&id, &Command::light_brightness(0.2), 0);
        set.expect(&id, &Command::light_brightness(0.8), 100);
        assert_eq!(
            set.wanted(&id, Field::Brightness),
            Some(&Want::Brightness(0.8))
        );
        // The device catching up on the first value does not confirm the second.
        assert!(!set.confirm(&light(Some(true), Some(0.2))));
        assert_eq!(set.next_deadline(), Some(100 + CONFIRM_WITHIN_MS));
    }

    #[test]
    fn an_unconfirmed_command_expires_at_its_deadline() {
        let mut set = PendingSet::default();
        let id = EntityId::from("ha:plug/switch");
        set.expect(&id, &Command::Switch(true), 1_000);
        assert!(set.expire(1_000 + CONFIRM_WITHIN_MS - 1).is_empty());
        let expired = set.expire(1_000 + CONFIRM_WITHIN_MS);
        assert_eq!(expired.len(), 1);
        assert_eq!(expired[0].want, Want::On(true));
        assert!(set.wanted(&id, Field::On).is_none());
    }

    #[test]
    fn a_want_is_only_met_by_the_entity_it_was_sent_to() {
        let mut set = PendingSet::default();
        set.expect(&EntityId::from("ha:plug/switch"), &Command::Switch(true), 0);
        let other = Entity {
            id: EntityId::from("ha:other/switch"),
            name: "Other".into(),
            kind: EntityKind::Switch(Switch { on: Some(true) }),
            target: None,
            optimistic: false,
        };
        assert!(!set.confirm(&other));
    }

    #[test]
    fn hue_is_compared_around_the_circle() {
        let want = Want::HueSat(359.0, 80.0);
        let kind = EntityKind::Light(Light {
            hue_sat: Some((1.0, 79.0)),
            ..Light::default()
        });
        assert!(want.is_met_by(&kind));
    }
}
