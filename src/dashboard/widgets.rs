//! The dashboard's controls: a throttled slider, a sparkline; and its keyed lists.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::model::RangeKind;
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

/// A range input that tells the device at most about four times a second while dragged, then
/// the final value. While the finger is down it shows the finger's value, not the device's.
#[component]
pub fn Slider(
    #[prop(into)] label: String,
    min: f64,
    max: f64,
    step: f64,
    /// The value to show when not dragging: what was asked for while pending, else what the
    /// device reports.
    #[prop(into)]
    value: Signal<f64>,
    #[prop(into)] pending: Signal<bool>,
    #[prop(into)] disabled: Signal<bool>,
    /// What the value is, and so how it reads ("60%", "2700 K").
    kind: RangeKind,
    on_send: Callback<f64>,
) -> impl IntoView {
    let dragging = RwSignal::new(None::<f64>);
    let throttle = StoredValue::new(Throttle::new(Throttle::SLIDER_INTERVAL_MS));
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let shown = move || dragging.get().unwrap_or_else(|| value.get());
    let now = || page_clock_millis() as u64;

    let on_input = move |v: f64| {
        dragging.set(Some(v));
        let step = throttle
            .try_update_value(|t| t.input(now(), v))
            .unwrap_or(Step::Send(v));
        match step {
            Step::Send(v) => on_send.run(v),
            Step::WaitUntil(at) => {
                if timer.with_value(Option::is_some) {
                    return;
                }
                let handle = set_timeout_with_handle(
                    move || {
                        timer.set_value(None);
                        if let Some(v) = throttle.try_update_value(|t| t.tick(now())).flatten() {
                            on_send.run(v);
                        }
                    },
                    Duration::from_millis(at.saturating_sub(now())),
                );
                timer.set_value(handle.ok());
            }
        }
    };
    let on_change = move |v: f64| {
        if let Some(handle) = timer.try_update_value(Option::take).flatten() {
            handle.clear();
        }
        if let Some(v) = throttle.try_update_value(|t| t.release(now(), v)).flatten() {
            on_send.run(v);
        }
        dragging.set(None);
    };
    let parse = |text: String| home_model::number::parse_finite(&text);
    // Written by home-model's number writer: f64's own Display would link core's float
    // formatting into the WebAssembly for three attributes.
    let number = |n: f64| {
        let mut text = String::new();
        home_model::number::push_number(&mut text, n);
        text
    };

    view! {
        <label class="slider" class:awaiting=move || pending.get()>
            <span class="slider-label">{label}</span>
            <input
                type="range"
                min=number(min)
                max=number(max)
                step=number(step)
                prop:value=move || number(shown())
                disabled=move || disabled.get()
                on:input:target=move |ev| {
                    if let Some(v) = parse(ev.target().value()) {
                        on_input(v)
                    }
                }
                on:change:target=move |ev| {
                    if let Some(v) = parse(ev.target().value()) {
                        on_change(v)
                    }
                }
            />
            <output>{move || kind.format(shown())}</output>
        </label>
    }
}

/// A line of recent readings, scaled to fit; nothing for fewer than two points.
#[component]
pub fn Sparkline(#[prop(into)] points: Signal<Vec<(u64, f64)>>) -> impl IntoView {
    let path = move || points.with(|p| sparkline_points(p, 100.0, 24.0));
    view! {
        <svg class="sparkline" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true">
            <polyline points=path fill="none" vector-effect="non-scaling-stroke"></polyline>
        </svg>
    }
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
