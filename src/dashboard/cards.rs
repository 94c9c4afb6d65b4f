//! A device's card, and the views of the controls that [`super::model`] works out.
//!
//! Each control is drawn by one view per kind of control, fed by signals of plain values;
//! readings update in place, so a slider being dragged is never replaced under the finger.

use home_model::{DeviceId, EntityId};
use leptos::prelude::*;

use super::light::ColorWheel;
use super::model::{CardModel, Control};
use super::rooms::clean_room_name;
use super::store::HomeStore;
use super::widgets::{Slider, Sparkline, Toggle};

/// Which light's detail view is open, shared by the cards and the page.
#[derive(Clone, Copy)]
pub struct OpenDetail(pub RwSignal<Option<EntityId>>);

/// One device as a card.
#[component]
pub fn DeviceCard(id: DeviceId) -> impl IntoView {
    let store = expect_context::<HomeStore>();
    let device = StoredValue::new(id);
    let model = Memo::new(move |_| device.with_value(|id| store.card(id)));
    let name = pick_card(model, |m| m.name.clone());
    let offline = pick_card(model, |m| m.offline);
    let room = Signal::derive(move || model.with(|m| m.as_ref().and_then(|m| m.room.clone())));
    let editing = RwSignal::new(false);
    let room_label = Signal::derive(move || format!("Room of {}", name.get()));

    view! {
        <article class="card" class:offline=offline data-device=device.get_value().0 aria-label=name>
            <header class="card-head">
                <h3>{name}</h3>
                <Show when=move || offline.get()>
                    <span class="badge offline-badge">"Offline"</span>
                </Show>
                <button
                    type="button"
                    class="icon-button"
                    aria-label=room_label
                    aria-expanded=move || if editing.get() { "true" } else { "false" }
                    on:click=move |_| editing.update(|e| *e = !*e)
                >
                    "⋯"
                </button>
            </header>
            <Show when=move || editing.get()>
                <RoomEditor device=device current=room done=Callback::new(move |()| editing.set(false)) />
            </Show>
            <div class="entities">
                <Controls model=model offline=offline />
            </div>
        </article>
    }
}

/// The controls of a card or a detail view, each updated in place while its key stays.
#[component]
pub fn Controls(model: Memo<Option<CardModel>>, offline: Signal<bool>) -> impl IntoView {
    let keys = Memo::new(move |_| {
        model.with(|m| {
            m.as_ref()
                .map(|m| {
                    m.controls
                        .iter()
                        .map(|p| (p.key.clone(), p.entity.clone()))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    view! {
        <For each=move || keys.get() key=|(key, _)| key.clone() let:((key, entity))>
            {control_view(model, key, entity, offline)}
        </For>
    }
}

/// A value of the card, or its default while the device is gone.
fn pick_card<T: Default + Clone + PartialEq + Send + Sync + 'static>(
    model: Memo<Option<CardModel>>,
    f: fn(&CardModel) -> T,
) -> Signal<T> {
    Signal::derive(move || model.with(|m| m.as_ref().map(f).unwrap_or_default()))
}

/// A value of one control, or its default once the control is gone.
fn pick<T: Default + Send + Sync + 'static>(
    control: Signal<Option<Control>>,
    f: fn(&Control) -> Option<T>,
) -> Signal<T> {
    Signal::derive(move || control.with(|c| c.as_ref().and_then(f).unwrap_or_default()))
}

fn awaiting(c: &Control) -> Option<bool> {
    match c {
        Control::Switch { awaiting, .. }
        | Control::Range { awaiting, .. }
        | Control::Stepper { awaiting, .. }
        | Control::Buttons { awaiting, .. }
        | Control::Choice { awaiting, .. }
        | Control::Wheel { awaiting, .. } => Some(*awaiting),
        Control::Reading { .. } => Some(false),
    }
}

fn label(c: &Control) -> Option<String> {
    match c {
        Control::Switch { label, .. }
        | Control::Reading { label, .. }
        | Control::Stepper { label, .. }
        | Control::Buttons { label, .. }
        | Control::Choice { label, .. } => Some(label.clone()),
        Control::Range { label, .. } => Some((*label).to_owned()),
        Control::Wheel { .. } => None,
    }
}

fn state(c: &Control) -> Option<String> {
    match c {
        Control::Switch { state, .. } | Control::Buttons { state, .. } => Some(state.clone()),
        Control::Reading { text, .. } | Control::Stepper { text, .. } => Some(text.clone()),
        _ => None,
    }
}

fn control_view(
    model: Memo<Option<CardModel>>,
    key: String,
    entity: EntityId,
    offline: Signal<bool>,
) -> AnyView {
    let store = expect_context::<HomeStore>();
    let entity = StoredValue::new(entity);
    let key = StoredValue::new(key);
    let control = Signal::derive(move || {
        model.with(|m| {
            m.as_ref().and_then(|m| {
                key.with_value(|key| m.controls.iter().find(|p| &p.key == key))
                    .map(|p| p.control.clone())
            })
        })
    });
    let send = Callback::new(move |command| entity.with_value(|id| store.send(id, command)));
    let awaiting = pick(control, awaiting);
    let label = pick(control, label);
    let state = pick(control, state);
    match control.get_untracked() {
        Some(Control::Switch {
            kind, opens_detail, ..
        }) => {
            let on = pick(control, |c| match c {
                Control::Switch { on, .. } => Some(*on),
                _ => None,
            });
            let name = if opens_detail {
                let detail = expect_context::<OpenDetail>().0;
                let details = Signal::derive(move || format!("{} details", label.get()));
                view! {
                    <button
                        type="button"
                        class="entity-name link"
                        aria-label=details
                        on:click=move |_| detail.set(Some(entity.get_value()))
                    >
                        <span>{label}</span>
                        <small class="state" class:awaiting=awaiting>{state}</small>
                    </button>
                }
                .into_any()
            } else {
                view! {
                    <span class="entity-name">
                        <span>{label}</span>
                        <small class="state" class:awaiting=awaiting>{state}</small>
                    </span>
                }
                .into_any()
            };
            view! {
                <div class="entity">
                    {name}
                    <Toggle
                        label=label
                        on=on
                        pending=awaiting
                        disabled=offline
                        on_toggle=Callback::new(move |on| send.run(kind.command(on)))
                    />
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
            let value = pick(control, |c| match c {
                Control::Range { value, .. } => Some(*value),
                _ => None,
            });
            let on_send = Callback::new(move |v: f64| {
                // The kind carries what the command keeps (a hue slider keeps the saturation
                // shown now), so it is read when sending.
                if let Some(Control::Range { kind, .. }) = control.get_untracked() {
                    send.run(kind.command(v));
                }
            });
            view! {
                <Slider
                    label=label
                    min=min
                    max=max
                    step=step
                    value=value
                    pending=awaiting
                    disabled=offline
                    kind=kind
                    on_send=on_send
                />
            }
            .into_any()
        }
        Some(Control::Reading { .. }) => {
            let active = pick(control, |c| match c {
                Control::Reading { active, .. } => Some(*active),
                _ => None,
            });
            let history = pick(control, |c| match c {
                Control::Reading { history, .. } => Some(history.clone()),
                _ => None,
            });
            view! {
                <div class="entity reading">
                    <span class="entity-name">{label}</span>
                    <Sparkline points=history />
                    <span class="value" class:active=active>{state}</span>
                </div>
            }
            .into_any()
        }
        Some(Control::Stepper { .. }) => {
            let note = pick(control, |c| match c {
                Control::Stepper { note, .. } => Some(note.clone()),
                _ => None,
            });
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
                    send.run(command);
                }
            };
            let lower = Signal::derive(move || format!("Lower {} target", label.get()));
            let raise = Signal::derive(move || format!("Raise {} target", label.get()));
            view! {
                <div class="entity">
                    <span class="entity-name">
                        <span>{label}</span>
                        <small class="state">{note}</small>
                    </span>
                    <div class="stepper" class:awaiting=awaiting>
                        <button type="button" aria-label=lower disabled=offline on:click=move |_| step(false)>
                            "−"
                        </button>
                        <output aria-label="Target temperature">{state}</output>
                        <button type="button" aria-label=raise disabled=offline on:click=move |_| step(true)>
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
                            send.run(command);
                        }
                    };
                    view! { <button type="button" disabled=offline on:click=press>{text}</button> }
                })
                .collect_view();
            view! {
                <div class="entity">
                    <span class="entity-name">
                        <span>{label}</span>
                        <small class="state" class:awaiting=awaiting>{state}</small>
                    </span>
                    <div class="button-row">{buttons}</div>
                </div>
            }
            .into_any()
        }
        Some(Control::Choice { kind, .. }) => {
            let options = pick(control, |c| match c {
                Control::Choice { options, .. } => Some(options.clone()),
                _ => None,
            });
            let selected = pick(control, |c| match c {
                Control::Choice { selected, .. } => Some(selected.clone()),
                _ => None,
            });
            view! {
                <label class="entity choice" class:awaiting=awaiting>
                    <span class="entity-name">{label}</span>
                    <select
                        disabled=offline
                        on:change:target=move |ev| send.run(kind.command(ev.target().value()))
                    >
                        <For each=move || options.get() key=|o| o.clone() let:option>
                            {
                                let value = option.clone();
                                let text = if option.is_empty() { "None".to_owned() } else { option.clone() };
                                view! {
                                    <option value=value selected=move || selected.with(|s| s == &option)>
                                        {text}
                                    </option>
                                }
                            }
                        </For>
                    </select>
                </label>
            }
            .into_any()
        }
        Some(Control::Wheel { .. }) => {
            let colour = pick(control, |c| match c {
                Control::Wheel { hue, sat, .. } => Some((*hue, *sat)),
                _ => None,
            });
            let set = Callback::new(move |(h, s): (f32, f32)| {
                send.run(home_model::Command::Light {
                    on: None,
                    brightness: None,
                    color_temp: None,
                    hue_sat: Some((h, s)),
                    effect: None,
                })
            });
            view! { <ColorWheel value=colour pending=awaiting disabled=offline on_send=set /> }
                .into_any()
        }
        None => ().into_any(),
    }
}

/// Choosing the room a device is shown in.
#[component]
fn RoomEditor(
    device: StoredValue<DeviceId>,
    current: Signal<Option<String>>,
    done: Callback<()>,
) -> impl IntoView {
    let store = expect_context::<HomeStore>();
    let typed = RwSignal::new(current.get_untracked().unwrap_or_default());
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let room = clean_room_name(&typed.get_untracked());
        device.with_value(|id| store.set_room(id, room));
        done.run(());
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
