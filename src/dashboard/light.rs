//! A light's detail view: on/off, brightness, colour temperature, colour and effect.

use home_model::EntityId;
use leptos::prelude::*;
use web_sys::PointerEvent;

use super::cards::{Controls, offline_badge};
use super::model::{Control, colour_command};
use super::widgets::{Drag, Sender, Tenths, flag, text};
use crate::app::shared;

/// Hue (degrees, 0 at the top, clockwise) and saturation (percent, 0 at the centre) of the
/// point `(x, y)` from the centre of a colour wheel of `radius`; outside the rim counts as
/// the rim.
pub fn hue_sat_at(x: f64, y: f64, radius: f64) -> (f32, f32) {
    // atan2 is within -180..=180 degrees.
    let hue = trig::atan2(x, -y).to_degrees();
    let hue = if hue < 0.0 { hue + 360.0 } else { hue };
    let sat = ((x * x + y * y).sqrt() / radius.max(f64::MIN_POSITIVE)).min(1.0) * 100.0;
    (hue as f32, sat as f32)
}

/// Where `(hue, sat)` lies on the wheel, as fractions of its width and height from the top left.
pub fn wheel_position(hue: f32, sat: f32) -> (f64, f64) {
    let (h, r) = (
        f64::from(hue).to_radians(),
        f64::from(sat.clamp(0.0, 100.0)) / 100.0,
    );
    (0.5 + trig::sin(h) * r * 0.5, 0.5 - trig::cos(h) * r * 0.5)
}

/// The browser's `Math` in WebAssembly, where Rust's own trigonometry would add its
/// implementation to the download; Rust's natively, where the tests run.
mod trig {
    #[cfg(target_arch = "wasm32")]
    pub use js_sys::Math::{atan2, cos, sin};

    #[cfg(not(target_arch = "wasm32"))]
    pub fn atan2(y: f64, x: f64) -> f64 {
        y.atan2(x)
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }

    #[cfg(not(target_arch = "wasm32"))]
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
}

/// The detail sheet of the light whose id is in [`OpenDetail`], if any.
#[component]
pub fn LightDetail() -> impl IntoView {
    let open = shared().detail.0;
    move || open.get().map(|id| view! { <LightSheet id=id /> })
}

#[component]
fn LightSheet(id: EntityId) -> impl IntoView {
    let store = shared().home;
    let open = shared().detail.0;
    let id = StoredValue::new(id);
    let model = Memo::new(move |_| id.with_value(|id| store.light_detail(id)));
    let offline = Signal::derive(flag(model, |m| m.offline));
    let close = move || open.set(None);
    view! {
        <div class="sheet-backdrop" on:click=move |_| close()></div>
        <section
            class="sheet"
            role="dialog"
            aria-modal="true"
            aria-labelledby="light-detail-title"
            class:offline=offline
            on:keydown=move |ev| {
                if ev.key() == "Escape" {
                    close()
                }
            }
        >
            <header class="sheet-head">
                <h2 id="light-detail-title">{text(model, |m| m.name.clone())}</h2>
                {offline_badge(offline)}
                <button type="button" class="close" on:click=move |_| close()>"Close"</button>
            </header>
            <Controls model=model offline=offline />
        </section>
    }
}

/// A hue and saturation wheel: tap or drag. Sends at most about four colours a second while
/// dragging, then the colour where the finger lifts. Its colour, and whether it waits for the
/// device, follow the wheel control.
#[component]
pub fn ColorWheel(
    control: Memo<Option<Control>>,
    disabled: Signal<bool>,
    sender: Sender,
) -> impl IntoView {
    let dragging = RwSignal::new(None::<(f32, f32)>);
    let drag = Drag::new(sender);
    let value = move || {
        control.with(|c| match c {
            Some(Control::Wheel { hue, sat, .. }) => (*hue, *sat),
            _ => (0.0, 0.0),
        })
    };
    let shown = move || dragging.get().unwrap_or_else(value);

    let colour_at = |ev: &PointerEvent| -> Option<(f32, f32)> {
        let target: web_sys::Element = event_target(ev)?;
        let rect = target.get_bounding_client_rect();
        let radius = rect.width().min(rect.height()) / 2.0;
        let x = f64::from(ev.client_x()) - (rect.left() + rect.width() / 2.0);
        let y = f64::from(ev.client_y()) - (rect.top() + rect.height() / 2.0);
        Some(hue_sat_at(x, y, radius))
    };
    let moved = move |(hue, sat): (f32, f32)| {
        dragging.set(Some((hue, sat)));
        drag.moved(colour_command(hue, sat));
    };
    let lifted = move |(hue, sat): (f32, f32)| {
        drag.lifted(colour_command(hue, sat));
        dragging.set(None);
    };

    view! {
        <div
            class="wheel"
            class:awaiting=flag(control, Control::awaiting)
            class:disabled=disabled
            role="img"
            aria-label="Colour wheel"
            on:pointerdown=move |ev| {
                if disabled.get_untracked() {
                    return;
                }
                if let Some(target) = event_target::<web_sys::Element>(&ev) {
                    let _ = target.set_pointer_capture(ev.pointer_id());
                }
                if let Some(colour) = colour_at(&ev) {
                    moved(colour)
                }
            }
            on:pointermove=move |ev| {
                if dragging.get_untracked().is_some() && let Some(colour) = colour_at(&ev) {
                    moved(colour)
                }
            }
            on:pointerup=move |ev| {
                if dragging.get_untracked().is_some() && let Some(colour) = colour_at(&ev) {
                    lifted(colour)
                }
            }
            on:pointercancel=move |_| {
                if let Some(colour) = dragging.get_untracked() {
                    lifted(colour)
                }
            }
        >
            <span
                class="wheel-thumb"
                style:left=move || format!("{}%", Tenths(wheel_position(shown().0, shown().1).0 * 100.0))
                style:top=move || format!("{}%", Tenths(wheel_position(shown().0, shown().1).1 * 100.0))
                style:background-color=move || {
                    format!("hsl({} {}% 50%)", shown().0.round() as i32, shown().1.round() as i32)
                }
            ></span>
        </div>
    }
}

/// The element a pointer event is bound to (the wheel, not the thumb inside it).
fn event_target<T: wasm_bindgen::JsCast>(ev: &PointerEvent) -> Option<T> {
    use wasm_bindgen::JsCast;
    ev.current_target()?.dyn_into::<T>().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_top_of_the_wheel_is_red_and_the_centre_is_white() {
        let (hue, sat) = hue_sat_at(0.0, -50.0, 50.0);
        assert!(hue.abs() < 0.01, "{hue}");
        assert!((sat - 100.0).abs() < 0.01);
        assert_eq!(hue_sat_at(0.0, 0.0, 50.0).1, 0.0);
    }

    #[test]
    fn hue_runs_clockwise_and_outside_the_rim_counts_as_the_rim() {
        let (hue, sat) = hue_sat_at(80.0, 0.0, 50.0);
        assert!((hue - 90.0).abs() < 0.01, "right is 90°: {hue}");
        assert_eq!(sat, 100.0);
        let (hue, _) = hue_sat_at(0.0, 25.0, 50.0);
        assert!((hue - 180.0).abs() < 0.01);
    }

    #[test]
    fn a_colour_is_drawn_where_tapping_would_choose_it() {
        for (hue, sat) in [(0.0, 100.0), (120.0, 50.0), (270.0, 80.0)] {
            let (fx, fy) = wheel_position(hue, sat);
            let (h, s) = hue_sat_at((fx - 0.5) * 200.0, (fy - 0.5) * 200.0, 100.0);
            assert!(
                (h - hue).abs() < 0.01 && (s - sat).abs() < 0.01,
                "{hue},{sat} -> {h},{s}"
            );
        }
    }
}
