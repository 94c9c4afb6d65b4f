//! The page lifecycle events a phone puts a web app through, routed to the driver.

use std::cell::RefCell;
use std::rc::Weak;

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventTarget};

use super::driver::Driver;

/// One event listener: where, on what, and the handler kept alive while it is registered.
type Listener = (EventTarget, &'static str, Closure<dyn FnMut(Event)>);

/// Listeners on `window` and `document`, removed when dropped.
pub struct PageLifecycle {
    listeners: Vec<Listener>,
}

impl PageLifecycle {
    pub fn listen(driver: Weak<RefCell<Driver>>) -> Option<Self> {
        let window = web_sys::window()?;
        let document = window.document()?;
        let mut lifecycle = Self {
            listeners: Vec::new(),
        };
        let on = |target: &EventTarget,
                  name: &'static str,
                  handler: fn(&std::rc::Rc<RefCell<Driver>>)| {
            let driver = driver.clone();
            let closure = Closure::<dyn FnMut(Event)>::new(move |_: Event| {
                if let Some(driver) = driver.upgrade() {
                    handler(&driver);
                }
            });
            target
                .add_event_listener_with_callback(name, closure.as_ref().unchecked_ref())
                .ok()
                .map(|()| (target.clone(), name, closure))
        };
        let window_target: &EventTarget = window.as_ref();
        let document_target: &EventTarget = document.as_ref();
        let wanted = [
            on(window_target, "online", Driver::handle_online),
            on(window_target, "offline", Driver::handle_offline),
            // Restored from the back-forward cache: the old socket is long dead.
            on(window_target, "pageshow", Driver::handle_wake),
            on(document_target, "visibilitychange", |driver| {
                if !page_is_hidden() {
                    Driver::handle_wake(driver);
                }
            }),
            // Chrome's Page Lifecycle: a frozen tab (background, low memory) resumes.
            on(document_target, "resume", Driver::handle_wake),
        ];
        lifecycle.listeners.extend(wanted.into_iter().flatten());
        Some(lifecycle)
    }
}

fn page_is_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

impl Drop for PageLifecycle {
    fn drop(&mut self) {
        for (target, name, closure) in &self.listeners {
            let _ =
                target.remove_event_listener_with_callback(name, closure.as_ref().unchecked_ref());
        }
    }
}
