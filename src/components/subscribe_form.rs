use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fields::{TextInput, error_line};
use super::{chosen_qos, qos_choice, qos_value};
use crate::app::shared;
use crate::runtime::{QoS, SubscriptionState};

/// A topic filter to subscribe to, and the subscriptions made so far with their outcome.
#[component]
pub fn SubscribeForm() -> impl IntoView {
    let conn = shared().conn;
    let filter = RwSignal::new(String::from("#"));
    let qos = RwSignal::new(qos_value(QoS::AtLeastOnce));
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match conn.subscribe(&filter.get_untracked(), chosen_qos(&qos.get_untracked())) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
    };

    view! {
        <section class="card" aria-labelledby="subscribe-heading">
            <h2 id="subscribe-heading">"Subscribe"</h2>
            <form on:submit=on_submit>
                <div class="row">
                    {TextInput::exact("subscribe-filter", "home/# or zigbee2mqtt/+")
                        .view("Topic filter", filter)}
                    {qos_choice("subscribe-qos", qos)}
                    <button id="subscribe" type="submit">"Subscribe"</button>
                </div>
                {move || error_line(error.get())}
            </form>
            <ul class="subscriptions" id="subscriptions">
                // Rebuilt whole when one changes: a few rows, and no keyed list's code in the
                // wasm for them.
                {move || {
                    conn.subscriptions
                        .get()
                        .into_iter()
                        .map(|s| {
                            let (state, title) = match &s.state {
                                SubscriptionState::Pending => ("pending", "waiting for the broker".to_owned()),
                                SubscriptionState::Granted(qos) => ("granted", format!("granted QoS {qos}")),
                                SubscriptionState::Refused(why) => ("failed", format!("refused: {why}")),
                            };
                            view! { <li data-state=state title=title>{s.filter}</li> }
                        })
                        .collect_view()
                }}
            </ul>
        </section>
    }
}
