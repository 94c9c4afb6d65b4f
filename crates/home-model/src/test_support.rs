//! Lookups shared by the conventions' tests: an entity of a given kind, or a panic that says
//! what was there instead.

use crate::{EntityId, EntityKind, Home, Light, Sensor, Switch};

pub(crate) fn kind<'a>(home: &'a Home, id: &str) -> &'a EntityKind {
    &home
        .entity(&EntityId::from(id))
        .unwrap_or_else(|| panic!("no entity {id}"))
        .kind
}

pub(crate) fn light<'a>(home: &'a Home, id: &str) -> &'a Light {
    match kind(home, id) {
        EntityKind::Light(light) => light,
        other => panic!("{id} is not a light: {other:?}"),
    }
}

pub(crate) fn sensor<'a>(home: &'a Home, id: &str) -> &'a Sensor {
    match kind(home, id) {
        EntityKind::Sensor(sensor) => sensor,
        other => panic!("{id} is not a sensor: {other:?}"),
    }
}

pub(crate) fn switch<'a>(home: &'a Home, id: &str) -> &'a Switch {
    match kind(home, id) {
        EntityKind::Switch(switch) => switch,
        other => panic!("{id} is not a switch: {other:?}"),
    }
}
