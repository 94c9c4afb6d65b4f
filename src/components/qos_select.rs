use leptos::prelude::*;

use crate::runtime::QoS;

/// A choice of MQTT quality of service, 0, 1 or 2.
#[component]
pub fn QosSelect(qos: RwSignal<QoS>, #[prop(into)] id: String) -> impl IntoView {
    let options = [
        (QoS::AtMostOnce, "0", "0: at most once"),
        (QoS::AtLeastOnce, "1", "1: at least once"),
        (QoS::ExactlyOnce, "2", "2: exactly once"),
    ];
    view! {
        <label>
            "QoS"
            <select
                id=id
                on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    if let Some((level, ..)) = options.iter().find(|(_, value, _)| *value == chosen) {
                        qos.set(*level);
                    }
                }
            >
                {options
                    .map(|(level, value, label)| {
                        view! { <option value=value selected=move || qos.get() == level>{label}</option> }
                    })}
            </select>
        </label>
    }
}
