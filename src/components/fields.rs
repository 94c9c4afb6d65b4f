//! The form controls the console and the connection profiles share: a labelled text input, a
//! labelled text area, a labelled checkbox, a labelled drop-down list, and the one-line outcome of a form.
//!
//! Each is a plain function of one concrete type, whatever the form: tachys compiles a view
//! once per distinct type, so forty inputs written inline, each with its own set of
//! attributes, would put forty copies of the same rendering code in the wasm.

use leptos::prelude::*;

/// A text input's attributes beyond its value: what differs from one field to the next.
/// `None` leaves the attribute out of the page.
#[derive(Clone, Copy)]
pub struct TextInput {
    pub id: Option<&'static str>,
    /// The input's `type`: `text`, `password` or `url`.
    pub kind: &'static str,
    pub inputmode: Option<&'static str>,
    pub autocomplete: Option<&'static str>,
    pub autocapitalize: Option<&'static str>,
    pub spellcheck: Option<&'static str>,
    pub placeholder: Option<&'static str>,
}

impl TextInput {
    /// A plain text input with this id, and no other attribute.
    pub const fn text(id: Option<&'static str>) -> Self {
        Self {
            id,
            kind: "text",
            inputmode: None,
            autocomplete: None,
            autocapitalize: None,
            spellcheck: None,
            placeholder: None,
        }
    }

    /// A text input for a whole number, which phones answer with a number pad.
    pub const fn numeric(id: Option<&'static str>) -> Self {
        Self {
            inputmode: Some("numeric"),
            ..Self::text(id)
        }
    }

    /// A text input for names the user types exactly: topics, ids. No spelling fixes, no
    /// capital letters, no suggestions.
    pub const fn exact(id: &'static str, placeholder: &'static str) -> Self {
        Self {
            autocapitalize: Some("off"),
            autocomplete: Some("off"),
            spellcheck: Some("false"),
            placeholder: Some(placeholder),
            ..Self::text(Some(id))
        }
    }

    /// The input inside its label, its value bound to `value`.
    pub fn view(self, label: &'static str, value: RwSignal<String>) -> impl IntoView + use<> {
        view! {
            <label>
                {label}
                <input
                    type=self.kind
                    id=self.id
                    inputmode=self.inputmode
                    autocomplete=self.autocomplete
                    autocapitalize=self.autocapitalize
                    spellcheck=self.spellcheck
                    placeholder=self.placeholder
                    bind:value=value
                />
            </label>
        }
    }
}

/// A text area inside its label, for text whose spelling is not the browser's to fix (URLs,
/// payloads, JSON), its value bound to `value`.
pub fn text_area(
    label: &'static str,
    id: Option<&'static str>,
    value: RwSignal<String>,
) -> impl IntoView + use<> {
    view! {
        <label>
            {label}
            <textarea id=id spellcheck="false" bind:value=value></textarea>
        </label>
    }
}

/// A checkbox before its label, its state bound to `checked`.
pub fn checkbox(
    label: &'static str,
    id: Option<&'static str>,
    checked: RwSignal<bool>,
) -> impl IntoView + use<> {
    view! {
        <label class="inline">
            <input type="checkbox" id=id bind:checked=checked />
            {label}
        </label>
    }
}

/// A drop-down list inside its label: `options` are (value, label) pairs, and `value` holds
/// the chosen option's value.
pub fn choice(
    label: &'static str,
    id: Option<&'static str>,
    options: &'static [(&'static str, &'static str)],
    value: RwSignal<String>,
) -> impl IntoView + use<> {
    let options = options
        .iter()
        .map(|&(option, text)| {
            view! { <option value=option selected=move || value.with(|v| v == option)>{text}</option> }
        })
        .collect_view();
    view! {
        <label>
            {label}
            <select id=id on:change=move |ev| value.set(event_target_value(&ev))>{options}</select>
        </label>
    }
}

/// What became of a form's last action: a hint when it went through, an alert when it did
/// not, nothing before the first.
pub fn outcome_line(outcome: Option<Result<String, String>>) -> impl IntoView + use<> {
    outcome.map(|outcome| {
        let (class, role, text) = match outcome {
            Ok(text) => ("hint", "status", text),
            Err(text) => ("error", "alert", text),
        };
        view! { <p class=class role=role>{text}</p> }
    })
}

/// An error under a form, or nothing.
pub fn error_line(error: Option<String>) -> impl IntoView + use<> {
    outcome_line(error.map(Err))
}
