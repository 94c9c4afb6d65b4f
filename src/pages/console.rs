use leptos::prelude::*;

use crate::components::{BrokerForm, MessageList, PublishForm, SubscribeForm};

/// The MQTT console: choose a broker, subscribe to topics, watch messages arrive, publish.
#[component]
pub fn ConsolePage() -> impl IntoView {
    view! {
        <BrokerForm />
        <SubscribeForm />
        <PublishForm />
        <MessageList />
    }
}
