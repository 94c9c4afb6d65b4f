use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::fields::{TextInput, checkbox, outcome_line, text_area};
use super::{chosen_qos, qos_choice, qos_value};
use crate::app::shared;
use crate::runtime::QoS;

/// Publishes a text payload to a topic.
#[component]
pub fn PublishForm() -> impl IntoView {
    let conn = shared().conn;
    let topic = RwSignal::new(String::new());
    let payload = RwSignal::new(String::new());
    let retain = RwSignal::new(false);
    let qos = RwSignal::new(qos_value(QoS::AtMostOnce));
    let outcome = RwSignal::new(None::<Result<String, String>>);

    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let topic_name = topic.get_untracked();
        let result = conn.publish(
            &topic_name,
            payload.get_untracked().as_bytes(),
            chosen_qos(&qos.get_untracked()),
            retain.get_untracked(),
        );
        outcome.set(Some(match result {
            Ok(()) => Ok(format!("Sent to {topic_name}")),
            Err(e) => Err(e.to_string()),
        }));
    };

    view! {
        <section class="card" aria-labelledby="publish-heading">
            <h2 id="publish-heading">"Publish"</h2>
            <form on:submit=on_submit>
                {TextInput::exact("publish-topic", "home/kitchen/light/set").view("Topic", topic)}
                {text_area("Payload", Some("publish-payload"), payload)}
                <div class="row">
                    {qos_choice("publish-qos", qos)}
                    {checkbox("Retain", Some("publish-retain"), retain)}
                    <button id="publish" type="submit">"Publish"</button>
                </div>
                {move || outcome_line(outcome.get())}
            </form>
        </section>
    }
}
