//! The dashboard's controls: a throttled slider, a sparkline's line, how controls send
//! their commands; and its keyed lists.

use std::sync::Arc;
use std::time::Duration;

use home_model::{Command, EntityId};
use leptos::prelude::*;

use super::model::Control;
use super::store::HomeStore;
use super::throttle::{Step, Throttle};
use crate::runtime::page_clock_millis;

/// Draws one view per key of `keys`, each made once by `item` and kept while its key stays.
///
/// Every keyed list of the app goes through this one function, with string keys: the keyed
/// list's diffing is large in WebAssembly, and this way it is there once, not once per list.
pub fn keyed_list(
    keys: Memo<Vec<String>>,
    item: Arc<dyn Fn(String) -> AnyView + Send + Sync>,
) -> AnyView {
    view! { <For each=move || keys.get() key=String::clone children=move |key| item(key) /> }
        .into_any()
}

/// A reactive text of a card or a control: what `f` reads from it, or nothing once it is gone.
///
/// Every text and attribute of every card and kind of control is one of these, and every
/// flag one of [`flag`]: a few closure types, so that their rendering is in the WebAssembly
/// once, not once per place they are used.
pub fn text<T: Send + Sync + 'static>(
    memo: Memo<Option<T>>,
    f: fn(&T) -> String,
) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || memo.with(|m| m.as_ref().map(f).unwrap_or_default())
}

/// A reactive flag of a card or a control: what `f` reads from it, or false once it is gone.
pub fn flag<T: Send + Sync + 'static>(
    memo: Memo<Option<T>>,
    f: fn(&T) -> bool,
) -> impl Fn() -> bool + Copy + Send + Sync + 'static {
    move || memo.with(|m| m.as_ref().is_some_and(f))
}

/// Sends one entity's commands through the store. `Copy`, so every handler of a control can
/// hold one.
#[derive(Clone, Copy)]
pub struct Sender {
    store: HomeStore,
    entity: StoredValue<EntityId>,
}

impl Sender {
    pub fn new(store: HomeStore, entity: EntityId) -> Self {
        Sender {
            store,
            entity: StoredValue::new(entity),
        }
    }

    /// Sends what `ask` makes of `control` as it is now, if it asks anything.
    pub fn send_from(
        self,
        control: Memo<Option<Control>>,
        ask: impl FnOnce(&Control) -> Option<Command>,
    ) {
        if let Some(command) = control.with_untracked(|c| c.as_ref().and_then(ask)) {
            self.send(command);
        }
    }

    pub fn send(self, command: Command) {
        self.entity.with_value(|id| self.store.send(id, command));
    }
}

/// The commands of a drag (a slider, a colour wheel): the first at once, then at most about
/// four a second while the finger moves, always the latest; and the one where the finger
/// lifts, unless the finger has not moved since the last one sent.
///
/// The throttle counts the finger's moves rather than comparing values, so that one drag
/// serves commands of every kind.
#[derive(Clone, Copy)]
pub struct Drag {
    sender: Sender,
    throttle: StoredValue<Throttle>,
    moves: StoredValue<u32>,
    /// The command of the newest move, sent when the throttle's wait is over.
    latest: StoredValue<Option<Command>>,
    timer: StoredValue<Option<TimeoutHandle>>,
}

impl Drag {
    pub fn new(sender: Sender) -> Self {
        Drag {
            sender,
            throttle: StoredValue::new(Throttle::new(Throttle::SLIDER_INTERVAL_MS)),
            moves: StoredValue::new(0),
            latest: StoredValue::new(None),
            timer: StoredValue::new(None),
        }
    }

    /// The finger moved to where it asks for `command`.
    pub fn moved(self, command: Command) {
        let n = self.moves.try_update_value(|n| {
            *n += 1;
            *n
        });
        let step = self
            .throttle
            .try_update_value(|t| t.input(now(), f64::from(n.unwrap_or(0))))
            .unwrap_or(Step::WaitUntil(0));
        match step {
            Step::Send(_) => self.sender.send(command),
            Step::WaitUntil(at) => {
                self.latest.set_value(Some(command));
                if self.timer.with_value(Option::is_some) {
                    return;
                }
                let handle = set_timeout_with_handle(
                    move || {
                        self.timer.set_value(None);
                        let due = self.throttle.try_update_value(|t| t.tick(now())).flatten();
                        let latest = self.latest.try_update_value(Option::take).flatten();
                        if let (Some(_), Some(command)) = (due, latest) {
                            self.sender.send(command);
                        }
                    },
                    Duration::from_millis(at.saturating_sub(now())),
                );
                self.timer.set_value(handle.ok());
            }
        }
    }

    /// The finger lifted where it asks for `command`.
    pub fn lifted(self, command: Command) {
        if let Some(handle) = self.timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        self.latest.set_value(None);
        let n = self.moves.get_value();
        let send = self
            .throttle
            .try_update_value(|t| t.release(now(), f64::from(n)));
        if send.flatten().is_some() {
            self.sender.send(command);
        }
    }
}

/// The page's clock in whole milliseconds, for the throttle.
fn now() -> u64 {
    page_clock_millis() as u64
}

/// A range input that tells the device at most about four times a second while dragged, then
/// the final value. While the finger is down it shows the finger's value, not the device's.
///
/// Its name, limits and kind are the range control's when the view is made; its value, and
/// whether it waits for the device, follow the control.
#[component]
pub fn Slider(
    control: Memo<Option<Control>>,
    disabled: Signal<bool>,
    sender: Sender,
) -> impl IntoView {
    let Some((label, min, max, step, kind)) = control.with_untracked(|c| match c {
        Some(Control::Range {
            label,
            min,
            max,
            step,
            kind,
            ..
        }) => Some((*label, *min, *max, *step, *kind)),
        _ => None,
    }) else {
        return ().into_any();
    };
    // What was asked for while pending, else what the device reports.
    let value = move || {
        control.with(|c| match c {
            Some(Control::Range { value, .. }) => *value,
            _ => 0.0,
        })
    };
    let dragging = RwSignal::new(None::<f64>);
    let drag = Drag::new(sender);
    let shown = move || dragging.get().unwrap_or_else(value);
    let command = move |v: f64| control.with_untracked(|c| c.as_ref().and_then(|c| c.set_to(v)));
    let parse = |text: String| home_model::number::parse_finite(&text);
    // Written by home-model's number writer: f64's own Display would link core's float
    // formatting into the WebAssembly for three attributes.
    let number = |n: f64| {
        let mut text = String::new();
        home_model::number::push_number(&mut text, n);
        text
    };

    view! {
        <label class="slider" class:awaiting=flag(control, Control::awaiting)>
            <span class="slider-label">{label}</span>
            <input
                type="range"
                min=number(min)
                max=number(max)
                step=number(step)
                prop:value=move || number(shown())
                disabled=disabled
                on:input:target=move |ev| {
                    if let Some(v) = parse(ev.target().value()) {
                        dragging.set(Some(v));
                        if let Some(command) = command(v) {
                            drag.moved(command);
                        }
                    }
                }
                on:change:target=move |ev| {
                    if let Some(v) = parse(ev.target().value()) {
                        if let Some(command) = command(v) {
                            drag.lifted(command);
                        }
                        dragging.set(None);
                    }
                }
            />
            <output>{move || kind.format(shown())}</output>
        </label>
    }
    .into_any()
}

/// A number with one decimal, written with integer arithmetic (float formatting is large in
/// WebAssembly).
pub struct Tenths(pub f64);

impl std::fmt::Display for Tenths {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let tenths = (self.0 * 10.0).round() as i64;
        let sign = if tenths < 0 { "-" } else { "" };
        let tenths = tenths.unsigned_abs();
        write!(f, "{sign}{}.{}", tenths / 10, tenths % 10)
    }
}

/// The `points` attribute of a polyline drawing `points` in a `width` x `height` box, oldest
/// at the left; a flat series is drawn across the middle.
pub fn sparkline_points(points: &[(u64, f64)], width: f64, height: f64) -> String {
    use std::fmt::Write;
    if points.len() < 2 {
        return String::new();
    }
    let (t0, t1) = (points[0].0, points[points.len() - 1].0);
    let (lo, hi) = points
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &(_, v)| {
            (lo.min(v), hi.max(v))
        });
    let span_t = (t1 - t0).max(1) as f64;
    let mut out = String::new();
    for &(t, v) in points {
        let x = (t - t0) as f64 / span_t * width;
        let y = if hi > lo {
            // 1 unit of margin so the stroke is not clipped at the extremes.
            1.0 + (hi - v) / (hi - lo) * (height - 2.0)
        } else {
            height / 2.0
        };
        let _ = write!(out, "{},{} ", Tenths(x), Tenths(y));
    }
    out.pop();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sparkline_spans_the_box_with_the_highest_reading_at_the_top() {
        let points = [(1_000, 20.0), (2_000, 22.0), (3_000, 21.0)];
        assert_eq!(
            sparkline_points(&points, 100.0, 24.0),
            "0.0,23.0 50.0,1.0 100.0,12.0"
        );
    }

    #[test]
    fn a_flat_series_is_drawn_across_the_middle() {
        let points = [(0, 5.0), (10, 5.0)];
        assert_eq!(
            sparkline_points(&points, 100.0, 24.0),
            "0.0,12.0 100.0,12.0"
        );
    }

    #[test]
    fn tenths_are_written_with_one_decimal() {
        assert_eq!(Tenths(12.34).to_string(), "12.3");
        assert_eq!(Tenths(-0.25).to_string(), "-0.3");
        assert_eq!(Tenths(7.0).to_string(), "7.0");
    }

    #[test]
    fn one_reading_draws_nothing() {
        assert_eq!(sparkline_points(&[(0, 1.0)], 100.0, 24.0), "");
    }
}
