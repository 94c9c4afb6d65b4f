use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::QosSelect;
use crate::runtime::{Connection, QoS, SubscriptionState};

/// A topic filter to subscribe to, and the subscriptions made so far with their outcome.
#[component]
pub fn SubscribeForm() -> impl IntoView {
    let conn = expect_context::<Connection>();
    let filter = RwSignal::new(String::from("#"));
    let qos = RwSignal::new(QoS::AtLeastOnce);
    let error = RwSignal::new(None::<String>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        match conn.subscribe(&filter.get_untracked(), qos.get_untracked()) {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e.to_string())),
        }
    };

    view! {
        <section class="card" aria-labelledby="subscribe-heading">
            <h2 id="subscribe-heading">"Subscribe"</h2>
            <form on:submit=on_submit>
                <div class="row">
                    <label>
                        "Topic filter"
                        <input
                            id="subscribe-filter"
                            type="text"
                            autocapitalize="off"
                            autocomplete="off"
                            spellcheck="false"
                            placeholder="home/# or zigbee2mqtt/+"
                            bind:value=filter
                        />
                    </label>
                    <QosSelect qos id="subscribe-qos" />
                    <button id="subscribe" type="submit">"Subscribe"</button>
                </div>
                {move || error.get().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            </form>
            <ul class="subscriptions" id="subscriptions">
                <For
                    each=move || conn.subscriptions.get()
                    key=|s| (s.filter.clone(), s.state.clone())
                    children=move |s| {
                        let (state, title) = match &s.state {
                            SubscriptionState::Pending => ("pending", "waiting for the broker".to_owned()),
                            SubscriptionState::Granted(qos) => ("granted", format!("granted QoS {qos}")),
                            SubscriptionState::Refused(why) => ("failed", format!("refused: {why}")),
                        };
                        view! { <li data-state=state title=title>{s.filter}</li> }
                    }
                />
            </ul>
        </section>
    }
}
