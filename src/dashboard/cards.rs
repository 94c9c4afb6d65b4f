//! A device's card, and the views of the controls that [`super::model`] works out.
//!
//! Each control is drawn by one view per kind of control, fed by one memo of the control;
//! readings update in place, so a slider being dragged is never replaced under the finger.

use std::sync::Arc;

use home_model::{DeviceId, EntityId};
use leptos::prelude::*;

use super::light::ColorWheel;
use super::model::{CardModel, Control};
use super::rooms::clean_room_name;
use super::widgets::{Sender, Slider, flag, keyed_list, sparkline_points, text};
use crate::app::shared;

/// Which light's detail view is open, shared by the cards and the page.
#[derive(Clone, Copy)]
pub struct OpenDetail(pub RwSignal<Option<EntityId>>);

/// One device as a card.
#[component]
pub fn DeviceCard(id: DeviceId) -> impl IntoView {
    let store = shared().home;
    let device = StoredValue::new(id);
    let model = Memo::new(move |_| device.with_value(|id| store.card(id)));
    let offline = Signal::derive(flag(model, |m| m.offline));
    let editing = RwSignal::new(false);

    view! {
        <article
            class="card"
            class:offline=offline
            data-device=device.get_value().0
            aria-label=text(model, |m| m.name.clone())
        >
            <header class="card-head">
                <h3>{text(model, |m| m.name.clone())}</h3>
                {offline_badge(offline)}
                <button
                    type="button"
                    class="icon-button"
                    aria-label=text(model, |m| format!("Room of {}", m.name))
                    aria-expanded=move || if editing.get() { "true" } else { "false" }
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    "⋯"
                </button>
            </header>
            {move || {
                editing.get().then(|| {
                    let current = model.with_untracked(|m| m.as_ref().and_then(|m| m.room.clone()));
                    view! { <RoomEditor device=device current=current editing=editing /> }
                })
            }}
            <div class="entities">
                <Controls model=model offline=offline />
            </div>
        </article>
    }
}

/// The badge of a device that has gone away, shown while `offline`, on its card and on its
/// light's detail sheet.
pub fn offline_badge(
    offline: Signal<bool>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static {
    move || {
        offline
            .get()
            .then(|| view! { <span class="badge offline-badge">"Offline"</span> }.into_any())
    }
}

/// The controls of a card or a detail view, each updated in place while its key stays.
#[component]
pub fn Controls(model: Memo<Option<CardModel>>, offline: Signal<bool>) -> impl IntoView {
    let keys = Memo::new(move |_| {
        model.with(|m| {
            m.as_ref()
                .map(|m| m.controls.iter().map(|p| p.key.clone()).collect())
                .unwrap_or_default()
        })
    });
    keyed_list(keys, Arc::new(move |key| control_view(model, key, offline)))
}

/// The click handler of the control's button `button`: every button of every control is
/// this one type, asking [`Control::press`] what to send.
fn press(
    control: Memo<Option<Control>>,
    sender: Sender,
    button: usize,
) -> impl Fn(leptos::ev::MouseEvent) + Copy + 'static {
    move |_| sender.send_from(control, |c| c.press(button))
}

/// A reading's recent history as a line in a 100 x 24 box; nothing for fewer than two points.
fn reading_line(c: &Control) -> String {
    match c {
        Control::Reading { history, .. } => sparkline_points(history, 100.0, 24.0),
        _ => String::new(),
    }
}

fn label_of(c: &Control) -> String {
    c.label().to_owned()
}

fn state_of(c: &Control) -> String {
    c.state().to_owned()
}

/// The view of the control under `key` in `model`. Every value in it is read from one memo
/// of the control, so that the views of all kinds share the same few reactive types.
fn control_view(model: Memo<Option<CardModel>>, key: String, offline: Signal<bool>) -> AnyView {
    let store = shared().home;
    let entity = model.with_untracked(|m| {
        m.as_ref()
            .and_then(|m| m.controls.iter().find(|p| p.key == key))
            .map(|p| p.entity.clone())
    });
    let Some(entity) = entity else {
        return ().into_any();
    };
    let control = Memo::new(move |_| {
        model.with(|m| {
            m.as_ref()
                .and_then(|m| m.controls.iter().find(|p| p.key == key))
                .map(|p| p.control.clone())
        })
    });
    let sender = Sender::new(store, entity.clone());
    let Some(shape) = control.with_untracked(|c| c.as_ref().map(Shape::of)) else {
        return ().into_any();
    };
    match shape {
        Shape::Switch { opens_detail } => {
            let toggle = view! {
                <button
                    type="button"
                    role="switch"
                    class="toggle"
                    class:awaiting=flag(control, Control::awaiting)
                    aria-checked=text(control, |c| c.is_on().to_string())
                    aria-label=text(control, label_of)
                    disabled=offline
                    on:click=press(control, sender, 0)
                >
                    <span class="knob"></span>
                </button>
            };
            entity_row(
                entity_name(control, opens_detail.then_some(entity)),
                toggle.into_any(),
            )
        }
        Shape::Range => {
            view! { <Slider control=control disabled=offline sender=sender /> }.into_any()
        }
        Shape::Reading => view! {
            <div class="entity reading">
                <span class="entity-name">{text(control, label_of)}</span>
                <svg
                    class="sparkline"
                    viewBox="0 0 100 24"
                    preserveAspectRatio="none"
                    aria-hidden="true"
                >
                    <polyline
                        points=text(control, reading_line)
                        fill="none"
                        vector-effect="non-scaling-stroke"
                    ></polyline>
                </svg>
                <span class="value" class:active=flag(control, Control::is_on)>
                    {text(control, state_of)}
                </span>
            </div>
        }
        .into_any(),
        Shape::Stepper => {
            let stepper = view! {
                <div class="stepper" class:awaiting=flag(control, Control::awaiting)>
                    {command_button(
                        control,
                        sender,
                        offline,
                        0,
                        Some(|c: &Control| format!("Lower {} target", c.label())),
                        "−",
                    )}
                    <output aria-label="Target temperature">{text(control, state_of)}</output>
                    {command_button(
                        control,
                        sender,
                        offline,
                        1,
                        Some(|c: &Control| format!("Raise {} target", c.label())),
                        "+",
                    )}
                </div>
            };
            entity_row(entity_name(control, None), stepper.into_any())
        }
        Shape::Buttons(names) => {
            let buttons = names
                .into_iter()
                .enumerate()
                .map(|(i, name)| command_button(control, sender, offline, i, None, name))
                .collect::<Vec<_>>();
            entity_row(
                entity_name(control, None),
                view! { <div class="button-row">{buttons}</div> }.into_any(),
            )
        }
        Shape::Choice => {
            // The options change rarely, and then in place: the select keeps its focus.
            let options = move || {
                control.with(|c| match c {
                    Some(Control::Choice {
                        options, selected, ..
                    }) => options
                        .iter()
                        .map(|option| {
                            let text = if option.is_empty() { "None" } else { option };
                            view! {
                                <option value=option.clone() selected=option == selected>
                                    {text.to_owned()}
                                </option>
                            }
                        })
                        .collect::<Vec<_>>(),
                    _ => Vec::new(),
                })
            };
            view! {
                <label class="entity choice" class:awaiting=flag(control, Control::awaiting)>
                    <span class="entity-name">{text(control, label_of)}</span>
                    <select
                        disabled=offline
                        on:change:target=move |ev| {
                            let choice = ev.target().value();
                            sender.send_from(control, |c| c.choose(choice))
                        }
                    >
                        {options}
                    </select>
                </label>
            }
            .into_any()
        }
        Shape::Wheel => {
            view! { <ColorWheel control=control disabled=offline sender=sender /> }.into_any()
        }
    }
}

/// What of a control decides the markup of its view; everything else is read reactively.
enum Shape {
    Switch {
        opens_detail: bool,
    },
    Range,
    Reading,
    Stepper,
    /// The buttons' names.
    Buttons(Vec<&'static str>),
    Choice,
    Wheel,
}

impl Shape {
    fn of(control: &Control) -> Shape {
        match control {
            Control::Switch { opens_detail, .. } => Shape::Switch {
                opens_detail: *opens_detail,
            },
            Control::Range { .. } => Shape::Range,
            Control::Reading { .. } => Shape::Reading,
            Control::Stepper { .. } => Shape::Stepper,
            Control::Buttons { buttons, .. } => {
                Shape::Buttons(buttons.iter().map(|(name, _)| *name).collect())
            }
            Control::Choice { .. } => Shape::Choice,
            Control::Wheel { .. } => Shape::Wheel,
        }
    }
}

/// A control's row: its name, then what it offers.
fn entity_row(name: AnyView, body: AnyView) -> AnyView {
    view! { <div class="entity">{name}{body}</div> }.into_any()
}

/// A button that sends what pressing the control's button `button` asks, disabled while the
/// device is offline; `aria_label`: its name when its text does not say enough.
fn command_button(
    control: Memo<Option<Control>>,
    sender: Sender,
    offline: Signal<bool>,
    button: usize,
    aria_label: Option<fn(&Control) -> String>,
    content: &'static str,
) -> AnyView {
    view! {
        <button
            type="button"
            aria-label=aria_label.map(|f| text(control, f))
            disabled=offline
            on:click=press(control, sender, button)
        >
            {content}
        </button>
    }
    .into_any()
}

/// A control's name with its state below it. `opens`: the light whose detail view the name
/// opens, as a button; otherwise plain text.
fn entity_name(control: Memo<Option<Control>>, opens: Option<EntityId>) -> AnyView {
    let inner = view! {
        <span>{text(control, label_of)}</span>
        // A thermostat marks its stepper, not its mode, while it waits.
        <small
            class="state"
            class:awaiting=flag(control, |c| c.awaiting() && !matches!(c, Control::Stepper { .. }))
        >
            {text(control, |c| c.note().to_owned())}
        </small>
    };
    match opens {
        Some(light) => {
            let detail = shared().detail.0;
            let light = StoredValue::new(light);
            view! {
                <button
                    type="button"
                    class="entity-name link"
                    aria-label=text(control, |c| format!("{} details", c.label()))
                    on:click=move |_| detail.set(Some(light.get_value()))
                >
                    {inner}
                </button>
            }
            .into_any()
        }
        None => view! { <span class="entity-name">{inner}</span> }.into_any(),
    }
}

/// Choosing the room a device is shown in.
#[component]
fn RoomEditor(
    device: StoredValue<DeviceId>,
    /// The room it is in now, to start from.
    current: Option<String>,
    /// Set while the editor is open; saving closes it.
    editing: RwSignal<bool>,
) -> impl IntoView {
    let store = shared().home;
    let current = current.unwrap_or_default();
    // What is typed, read when saving: nothing on the page follows it.
    let typed = StoredValue::new(current.clone());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let room = typed.with_value(|typed| clean_room_name(typed));
        device.with_value(|id| store.set_room(id, room));
        editing.set(false);
    };
    view! {
        <form class="room-editor" on:submit=save>
            <label>
                "Room"
                <input
                    type="text"
                    list="room-names"
                    autocomplete="off"
                    value=current
                    on:input:target=move |ev| typed.set_value(ev.target().value())
                />
            </label>
            <button type="submit">"Save"</button>
        </form>
    }
}
