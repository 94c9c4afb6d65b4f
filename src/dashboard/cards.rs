//! A device's card, and the views of the controls that [`super::model`] works out.
//!
//! Each control is drawn by one view per kind of control, fed by signals of plain values;
//! readings update in place, so a slider being dragged is never replaced under the finger.

use std::sync::Arc;

use home_model::{DeviceId, EntityId};
use leptos::prelude::*;

use super::light::ColorWheel;
use super::model::{CardModel, Control};
use super::rooms::clean_room_name;
use super::store::HomeStore;
use super::widgets::{Slider, Sparkline, keyed_list};

/// Which light's detail view is open, shared by the cards and the page.
#[derive(Clone, Copy)]
pub struct OpenDetail(pub RwSignal<Option<EntityId>>);

/// One device as a card.
#[component]
pub fn DeviceCard(id: DeviceId) -> impl IntoView {
    let store = expect_context::<HomeStore>();
    let device = StoredValue::new(id);
    let model = Memo::new(move |_| device.with_value(|id| store.card(id)));
    let offline = Signal::derive(move || model.with(|m| m.as_ref().is_some_and(|m| m.offline)));
    let editing = RwSignal::new(false);

    view! {
        <article
            class="card"
            class:offline=move || offline.get()
            data-device=device.get_value().0
            aria-label=move || card_name(model)
        >
            <header class="card-head">
                <h3>{move || card_name(model)}</h3>
                {move || offline.get().then(offline_badge)}
                <button
                    type="button"
                    class="icon-button"
                    aria-label=move || format!("Room of {}", card_name(model))
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

/// A card's title: its device's name.
fn card_name(model: Memo<Option<CardModel>>) -> String {
    model.with(|m| m.as_ref().map(|m| m.name.clone()).unwrap_or_default())
}

/// The badge of a device that has gone away, on its card and on its light's detail sheet.
pub fn offline_badge() -> AnyView {
    view! { <span class="badge offline-badge">"Offline"</span> }.into_any()
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

/// What `f` reads from a control, or the default once the control is gone.
fn read<T: Default>(control: Memo<Option<Control>>, f: impl FnOnce(&Control) -> T) -> T {
    control.with(|c| c.as_ref().map(f).unwrap_or_default())
}

/// A control's name, for reactive attributes and text.
fn label(control: Memo<Option<Control>>) -> String {
    read(control, |c| c.label().to_owned())
}

/// A control's state in words.
fn state(control: Memo<Option<Control>>) -> String {
    read(control, |c| c.state().to_owned())
}

/// Whether a control waits for its device to confirm.
fn awaiting(control: Memo<Option<Control>>) -> bool {
    read(control, Control::awaiting)
}

/// The view of the control under `key` in `model`. Every value in it is read from one memo
/// of the control, so that the views of all kinds share the same few reactive types.
fn control_view(model: Memo<Option<CardModel>>, key: String, offline: Signal<bool>) -> AnyView {
    let store = expect_context::<HomeStore>();
    let entity = model.with_untracked(|m| {
        m.as_ref()
            .and_then(|m| m.controls.iter().find(|p| p.key == key))
            .map(|p| p.entity.clone())
    });
    let Some(entity) = entity else {
        return ().into_any();
    };
    let entity = StoredValue::new(entity);
    let control = Memo::new(move |_| {
        model.with(|m| {
            m.as_ref()
                .and_then(|m| m.controls.iter().find(|p| p.key == key))
                .map(|p| p.control.clone())
        })
    });
    let send = move |command| entity.with_value(|id| store.send(id, command));
    match control.get_untracked() {
        Some(Control::Switch {
            kind, opens_detail, ..
        }) => {
            let on = move || read(control, |c| matches!(c, Control::Switch { on: true, .. }));
            view! {
                <div class="entity">
                    {entity_name(control, opens_detail.then(|| entity.get_value()))}
                    <button
                        type="button"
                        role="switch"
                        class="toggle"
                        class:awaiting=move || awaiting(control)
                        aria-checked=move || if on() { "true" } else { "false" }
                        aria-label=move || label(control)
                        disabled=move || offline.get()
                        on:click=move |_| {
                            let on = control.with_untracked(|c| {
                                matches!(c, Some(Control::Switch { on: true, .. }))
                            });
                            send(kind.command(!on))
                        }
                    >
                        <span class="knob"></span>
                    </button>
                </div>
            }
            .into_any()
        }
        Some(Control::Range {
            label,
            min,
            max,
            step,
            kind,
            ..
        }) => {
            let value = Signal::derive(move || {
                read(control, |c| match c {
                    Control::Range { value, .. } => *value,
                    _ => 0.0,
                })
            });
            let on_send = Callback::new(move |v: f64| {
                // The kind carries what the command keeps (a hue slider keeps the saturation
                // shown now), so it is read when sending.
                if let Some(Control::Range { kind, .. }) = control.get_untracked() {
                    send(kind.command(v));
                }
            });
            view! {
                <Slider
                    label=label
                    min=min
                    max=max
                    step=step
                    value=value
                    pending=Signal::derive(move || awaiting(control))
                    disabled=offline
                    kind=kind
                    on_send=on_send
                />
            }
            .into_any()
        }
        Some(Control::Reading { .. }) => {
            let history = Signal::derive(move || {
                read(control, |c| match c {
                    Control::Reading { history, .. } => history.clone(),
                    _ => Vec::new(),
                })
            });
            view! {
                <div class="entity reading">
                    <span class="entity-name">{move || label(control)}</span>
                    <Sparkline points=history />
                    <span
                        class="value"
                        class:active=move || read(control, |c| matches!(c, Control::Reading { active: true, .. }))
                    >
                        {move || state(control)}
                    </span>
                </div>
            }
            .into_any()
        }
        Some(Control::Stepper { .. }) => {
            let step = move |up: bool| {
                let command = control.with_untracked(|c| match c {
                    Some(Control::Stepper {
                        down, up: raise, ..
                    }) => {
                        if up {
                            raise.clone()
                        } else {
                            down.clone()
                        }
                    }
                    _ => None,
                });
                if let Some(command) = command {
                    send(command);
                }
            };
            view! {
                <div class="entity">
                    {entity_name(control, None)}
                    <div class="stepper" class:awaiting=move || awaiting(control)>
                        <button
                            type="button"
                            aria-label=move || format!("Lower {} target", label(control))
                            disabled=move || offline.get()
                            on:click=move |_| step(false)
                        >
                            "−"
                        </button>
                        <output aria-label="Target temperature">{move || state(control)}</output>
                        <button
                            type="button"
                            aria-label=move || format!("Raise {} target", label(control))
                            disabled=move || offline.get()
                            on:click=move |_| step(true)
                        >
                            "+"
                        </button>
                    </div>
                </div>
            }
            .into_any()
        }
        Some(Control::Buttons { buttons, .. }) => {
            let buttons = buttons
                .into_iter()
                .enumerate()
                .map(|(i, (text, _))| {
                    let press = move |_| {
                        let command = control.with_untracked(|c| match c {
                            Some(Control::Buttons { buttons, .. }) => {
                                buttons.get(i).map(|(_, command)| command.clone())
                            }
                            _ => None,
                        });
                        if let Some(command) = command {
                            send(command);
                        }
                    };
                    view! {
                        <button type="button" disabled=move || offline.get() on:click=press>
                            {text}
                        </button>
                    }
                    .into_any()
                })
                .collect::<Vec<_>>();
            view! {
                <div class="entity">
                    {entity_name(control, None)}
                    <div class="button-row">{buttons}</div>
                </div>
            }
            .into_any()
        }
        Some(Control::Choice { kind, .. }) => {
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
                            .into_any()
                        })
                        .collect::<Vec<_>>(),
                    _ => Vec::new(),
                })
            };
            view! {
                <label class="entity choice" class:awaiting=move || awaiting(control)>
                    <span class="entity-name">{move || label(control)}</span>
                    <select
                        disabled=move || offline.get()
                        on:change:target=move |ev| send(kind.command(ev.target().value()))
                    >
                        {options}
                    </select>
                </label>
            }
            .into_any()
        }
        Some(Control::Wheel { .. }) => {
            let colour = Signal::derive(move || {
                read(control, |c| match c {
                    Control::Wheel { hue, sat, .. } => (*hue, *sat),
                    _ => (0.0, 0.0),
                })
            });
            let set = Callback::new(move |(h, s): (f32, f32)| {
                send(home_model::Command::Light {
                    on: None,
                    brightness: None,
                    color_temp: None,
                    hue_sat: Some((h, s)),
                    effect: None,
                })
            });
            view! {
                <ColorWheel
                    value=colour
                    pending=Signal::derive(move || awaiting(control))
                    disabled=offline
                    on_send=set
                />
            }
            .into_any()
        }
        None => ().into_any(),
    }
}

/// A control's name with its state below it. `opens`: the light whose detail view the name
/// opens, as a button; otherwise plain text.
fn entity_name(control: Memo<Option<Control>>, opens: Option<EntityId>) -> AnyView {
    let inner = view! {
        <span>{move || label(control)}</span>
        <small
            class="state"
            class:awaiting=move || {
                // A thermostat marks its stepper, not its mode, while it waits.
                read(control, |c| c.awaiting() && !matches!(c, Control::Stepper { .. }))
            }
        >
            {move || {
                // A thermostat shows its mode below its name; its target is in the stepper.
                read(control, |c| match c {
                    Control::Stepper { note, .. } => note.clone(),
                    _ => c.state().to_owned(),
                })
            }}
        </small>
    };
    match opens {
        Some(light) => {
            let detail = expect_context::<OpenDetail>().0;
            let light = StoredValue::new(light);
            view! {
                <button
                    type="button"
                    class="entity-name link"
                    aria-label=move || format!("{} details", label(control))
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
    let store = expect_context::<HomeStore>();
    let typed = RwSignal::new(current.unwrap_or_default());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let room = clean_room_name(&typed.get_untracked());
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
                    prop:value=typed
                    on:input:target=move |ev| typed.set(ev.target().value())
                />
            </label>
            <button type="submit">"Save"</button>
        </form>
    }
}
