//! Keeps two tabs of the app from using one client id, which would make the broker drop one
//! connection each time the other connects, forever.
//!
//! A tab's id lives in sessionStorage, which a duplicated tab inherits. So each tab announces
//! its id on a BroadcastChannel when it starts; a tab already using that id answers, and the
//! newcomer takes a new id.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{BroadcastChannel, Event, MessageEvent};

const CHANNEL: &str = "lamplighter-client-ids";

pub struct TabGuard {
    channel: BroadcastChannel,
    /// Typed as any event, as the page's other handlers are: one closure type in the wasm.
    _on_message: Closure<dyn FnMut(Event)>,
}

impl TabGuard {
    /// Announces `client_id` and answers other tabs' announcements. `current_id` tells the
    /// id in use now; `on_taken` runs when an older tab already uses it.
    pub fn start(
        client_id: &str,
        current_id: impl Fn() -> String + 'static,
        on_taken: impl Fn() + 'static,
    ) -> Option<Self> {
        let channel = BroadcastChannel::new(CHANNEL).ok()?;
        let replies = channel.clone();
        let on_message = Closure::<dyn FnMut(Event)>::new(move |event: Event| {
            let Some(text) = event.unchecked_into::<MessageEvent>().data().as_string() else {
                return;
            };
            let mine = current_id();
            if text.strip_prefix("claim:") == Some(mine.as_str()) {
                let _ = replies.post_message(&format!("taken:{mine}").into());
            } else if text.strip_prefix("taken:") == Some(mine.as_str()) {
                on_taken();
            }
        });
        channel.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let _ = channel.post_message(&format!("claim:{client_id}").into());
        Some(Self {
            channel,
            _on_message: on_message,
        })
    }

    /// Tells the other tabs about a new id (after taking one).
    pub fn announce(&self, client_id: &str) {
        let _ = self
            .channel
            .post_message(&format!("claim:{client_id}").into());
    }
}

impl Drop for TabGuard {
    fn drop(&mut self) {
        self.channel.set_onmessage(None);
        self.channel.close();
    }
}
