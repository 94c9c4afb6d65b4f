//! The MQTT session kept in IndexedDB, so that a reload loses no QoS 1 or 2 message: what was
//! queued or in flight is restored and delivered once the page is connected again.
//!
//! One record per client id, holding the engine's [`SessionState`] in postcard's compact
//! binary form. The engine bounds what the state can hold (its offline queue has a count and a
//! byte limit), so the record is bounded too.

use mqtt_session::SessionState;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

const DATABASE: &str = "lamplighter";
const VERSION: u32 = 1;
const STORE: &str = "sessions";

/// A saved session that cannot be read back: written by an incompatible version of the app,
/// or damaged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unreadable;

/// What the user is told when a saved session is dropped: what it may have held is gone.
pub const UNREADABLE_NOTICE: &str = "Messages kept from your last visit could not be read back, \
     so any that were waiting to be sent are lost.";

/// An open IndexedDB database for sessions.
#[derive(Clone)]
pub struct SessionStore {
    db: IdbDatabase,
}

/// Resolves when `request` succeeds (with its result) or fails.
fn finished(request: &IdbRequest) -> JsFuture {
    let request = request.clone();
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        // One handler for both outcomes, of the closure type the page's other event handlers
        // have: no closure type of its own in the wasm. It detaches itself when called, so
        // that nothing holds it any more and the browser frees it (and the request with it).
        let settle = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |event: web_sys::Event| {
                request.set_onsuccess(None);
                request.set_onerror(None);
                let _ = if event.type_() == "success" {
                    resolve.call1(
                        &JsValue::NULL,
                        &request.result().unwrap_or(JsValue::UNDEFINED),
                    )
                } else {
                    reject.call0(&JsValue::NULL)
                };
            }
        })
        .into_js_value();
        request.set_onsuccess(Some(settle.unchecked_ref()));
        request.set_onerror(Some(settle.unchecked_ref()));
    });
    JsFuture::from(promise)
}

impl SessionStore {
    /// Opens (creating on first use) the sessions database. `None` where IndexedDB is missing
    /// or refused (some private modes): the app then works without surviving reloads.
    pub async fn open() -> Option<Self> {
        let factory = web_sys::window()?.indexed_db().ok()??;
        let request: IdbOpenDbRequest = factory.open_with_u32(DATABASE, VERSION).ok()?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new({
            let request = request.clone();
            move |_| {
                if let Ok(db) = request.result().and_then(|r| r.dyn_into::<IdbDatabase>())
                    && !db.object_store_names().contains(STORE)
                {
                    let _ = db.create_object_store(STORE);
                }
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = finished(&request)
            .await
            .ok()?
            .dyn_into::<IdbDatabase>()
            .ok()?;
        request.set_onupgradeneeded(None);
        Some(Self { db })
    }

    fn store(&self, mode: IdbTransactionMode) -> Option<IdbObjectStore> {
        self.db
            .transaction_with_str_and_mode(STORE, mode)
            .ok()?
            .object_store(STORE)
            .ok()
    }

    /// The saved session of `client_id`: `None` if nothing is saved (or the store cannot be
    /// read at all), `Some(Err(Unreadable))` if a record is there but cannot be read back.
    pub async fn load(&self, client_id: &str) -> Option<Result<SessionState, Unreadable>> {
        let request = self
            .store(IdbTransactionMode::Readonly)?
            .get(&client_id.into())
            .ok()?;
        let value = finished(&request).await.ok()?;
        if value.is_undefined() {
            return None;
        }
        let Ok(bytes) = value.dyn_into::<js_sys::Uint8Array>() else {
            return Some(Err(Unreadable));
        };
        let bytes = bytes.to_vec();
        Some(postcard::from_bytes(&bytes).map_err(|_| Unreadable))
    }

    /// Saves the session of `client_id`, replacing the previous one. Writes are queued by
    /// IndexedDB in the order they are made, so the last one wins.
    pub fn save(&self, client_id: &str, state: &SessionState) {
        let Ok(bytes) = postcard::to_allocvec(state) else {
            return;
        };
        if let Some(store) = self.store(IdbTransactionMode::Readwrite) {
            let _ = store.put_with_key(
                &js_sys::Uint8Array::from(bytes.as_slice()),
                &client_id.into(),
            );
        }
    }
}
