use leptos::prelude::*;

use super::fields::choice;
use crate::runtime::QoS;

/// The MQTT quality of service levels as [`qos_choice`] offers them: value, then label.
const LEVELS: [(&str, &str); 3] = [
    ("0", "0: at most once"),
    ("1", "1: at least once"),
    ("2", "2: exactly once"),
];

/// A choice of MQTT quality of service, 0, 1 or 2, held as the chosen option's value; read it
/// with [`chosen_qos`].
pub fn qos_choice(id: &'static str, value: RwSignal<String>) -> impl IntoView + use<> {
    choice("QoS", Some(id), &LEVELS, value)
}

/// The quality of service a [`qos_choice`] holds; at most once for anything else.
pub fn chosen_qos(value: &str) -> QoS {
    value
        .parse()
        .ok()
        .and_then(QoS::from_bits)
        .unwrap_or(QoS::AtMostOnce)
}

/// The value a [`qos_choice`] holds for `qos`.
pub fn qos_value(qos: QoS) -> String {
    qos.bits().to_string()
}
