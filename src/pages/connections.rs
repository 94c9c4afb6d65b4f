use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::profiles::{Profile, Protocol, UserProperty, Will, export_profiles, import_profiles};
use crate::runtime::{Connection, ProfileStore};

/// Saved connection profiles: edit, save, connect, import and export.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let conn = expect_context::<Connection>();
    let store = expect_context::<ProfileStore>();
    // The profile being edited: a copy, saved only on Save.
    let editing = RwSignal::new(None::<(Option<String>, Profile)>);
    let notice = RwSignal::new(None::<Result<String, String>>);

    let new_profile = move |_| {
        let url = conn.broker_url.get_untracked();
        editing.set(Some((None, Profile::new("", &url))));
        notice.set(None);
    };

    view! {
        <section class="card" aria-labelledby="profiles-heading">
            <div class="row">
                <h2 id="profiles-heading">"Connection profiles"</h2>
                <button type="button" id="new-profile" on:click=new_profile>"New profile"</button>
            </div>
            {move || store.profiles.with(|p| p.is_empty()).then(|| view! {
                <p class="hint">"No saved profiles yet. A profile remembers a broker and how to log in."</p>
            })}
            <ul class="profiles" id="profiles">
                <For
                    each=move || store.profiles.get()
                    key=|p| p.name.clone()
                    children=move |profile| {
                        let name = profile.name.clone();
                        let is_active = {
                            let name = name.clone();
                            move || store.active.with(|a| a.as_deref() == Some(name.as_str()))
                        };
                        let connect = {
                            let profile = profile.clone();
                            move |_| {
                                let password = store.password_for(&profile);
                                notice.set(match conn.connect_profile(profile.clone(), password) {
                                    Ok(()) => {
                                        store.set_active(Some(&profile.name));
                                        Some(Ok(format!("Connecting with {}", profile.name)))
                                    }
                                    Err(e) => Some(Err(e.to_string())),
                                });
                            }
                        };
                        let edit = {
                            let profile = profile.clone();
                            move |_| {
                                let mut copy = profile.clone();
                                copy.password = store.password_for(&profile);
                                editing.set(Some((Some(profile.name.clone()), copy)));
                                notice.set(None);
                            }
                        };
                        view! {
                            <li data-active=move || is_active().to_string()>
                                <span class="profile-name">{name.clone()}</span>
                                <span class="hint">{profile.broker_urls.join(", ")}</span>
                                <div class="row">
                                    <button type="button" on:click=connect>"Connect"</button>
                                    <button type="button" class="secondary" on:click=edit>"Edit"</button>
                                </div>
                            </li>
                        }
                    }
                />
            </ul>
            {move || notice.get().map(|n| match n {
                Ok(text) => view! { <p class="hint" role="status">{text}</p> }.into_any(),
                Err(text) => view! { <p class="error" role="alert">{text}</p> }.into_any(),
            })}
        </section>
        {move || editing.get().map(|(original, profile)| view! {
            <ProfileEditor original profile editing notice />
        })}
        <TransferCard notice />
    }
}

/// The form for one profile.
#[component]
fn ProfileEditor(
    original: Option<String>,
    profile: Profile,
    editing: RwSignal<Option<(Option<String>, Profile)>>,
    notice: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView {
    let conn = expect_context::<Connection>();
    let store = expect_context::<ProfileStore>();
    let problems = RwSignal::new(Vec::<String>::new());
    let is_new = original.is_none();
    let original = StoredValue::new(original);

    let name = RwSignal::new(profile.name.clone());
    let urls = RwSignal::new(profile.broker_urls.join("\n"));
    let client_id = RwSignal::new(profile.client_id.clone());
    let username = RwSignal::new(profile.username.clone());
    let password = RwSignal::new(profile.password.clone().unwrap_or_default());
    let remember = RwSignal::new(profile.remember_password);
    let v5 = RwSignal::new(profile.protocol == Protocol::V5);
    let keep_alive = RwSignal::new(profile.keep_alive_secs.to_string());
    let clean_start = RwSignal::new(profile.clean_start);
    let session_expiry = RwSignal::new(profile.session_expiry_secs.to_string());
    let will = profile.will.clone();
    let will_topic = RwSignal::new(will.as_ref().map(|w| w.topic.clone()).unwrap_or_default());
    let will_payload = RwSignal::new(will.as_ref().map(|w| w.payload.clone()).unwrap_or_default());
    let will_qos = RwSignal::new(will.as_ref().map_or(0, |w| w.qos).to_string());
    let will_retain = RwSignal::new(will.as_ref().is_some_and(|w| w.retain));
    let receive_maximum = RwSignal::new(
        profile
            .receive_maximum
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let max_packet = RwSignal::new(
        profile
            .maximum_packet_size
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let alias_max = RwSignal::new(
        profile
            .topic_alias_maximum
            .map(|v| v.to_string())
            .unwrap_or_default(),
    );
    let user_props = RwSignal::new(
        profile
            .user_properties
            .iter()
            .map(|p| format!("{}={}", p.name, p.value))
            .collect::<Vec<_>>()
            .join("\n"),
    );

    // Reads the form into a profile, or says which number could not be read.
    let read_form = move || -> Result<Profile, String> {
        fn number<T: std::str::FromStr>(text: &str, what: &str) -> Result<T, String> {
            text.trim().parse().map_err(|_| {
                format!(
                    "{what}: \"{}\" is not a whole number in range.",
                    text.trim()
                )
            })
        }
        fn optional<T: std::str::FromStr>(text: &str, what: &str) -> Result<Option<T>, String> {
            if text.trim().is_empty() {
                Ok(None)
            } else {
                number(text, what).map(Some)
            }
        }
        let topic = will_topic.get_untracked();
        Ok(Profile {
            name: name.get_untracked().trim().to_owned(),
            broker_urls: urls
                .get_untracked()
                .lines()
                .map(str::trim)
                .filter(|u| !u.is_empty())
                .map(str::to_owned)
                .collect(),
            client_id: client_id.get_untracked().trim().to_owned(),
            username: username.get_untracked(),
            password: Some(password.get_untracked()).filter(|p| !p.is_empty()),
            remember_password: remember.get_untracked(),
            protocol: if v5.get_untracked() {
                Protocol::V5
            } else {
                Protocol::V311
            },
            keep_alive_secs: number(&keep_alive.get_untracked(), "Keep alive")?,
            clean_start: clean_start.get_untracked(),
            session_expiry_secs: optional(&session_expiry.get_untracked(), "Session expiry")?
                .unwrap_or(0),
            will: (!topic.trim().is_empty()).then(|| Will {
                topic: topic.trim().to_owned(),
                payload: will_payload.get_untracked(),
                qos: will_qos.get_untracked().parse().unwrap_or(0),
                retain: will_retain.get_untracked(),
            }),
            receive_maximum: optional(&receive_maximum.get_untracked(), "Receive maximum")?,
            maximum_packet_size: optional(&max_packet.get_untracked(), "Maximum packet size")?,
            topic_alias_maximum: optional(&alias_max.get_untracked(), "Topic alias maximum")?,
            user_properties: user_props
                .get_untracked()
                .lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| {
                    let (name, value) = l.split_once('=').unwrap_or((l, ""));
                    UserProperty {
                        name: name.trim().to_owned(),
                        value: value.trim().to_owned(),
                    }
                })
                .collect(),
        })
    };

    let save = move |connect_after: bool| {
        let profile = match read_form() {
            Ok(profile) => profile,
            Err(e) => return problems.set(vec![e]),
        };
        let mut found: Vec<String> = profile
            .problems(crate::runtime::page_is_https())
            .into_iter()
            .map(|p| p.message)
            .collect();
        let renamed_onto_another = store.profiles.with_untracked(|all| {
            all.iter().any(|p| p.name == profile.name)
                && original.with_value(|o| o.as_deref() != Some(profile.name.as_str()))
        });
        if renamed_onto_another {
            found.push(format!(
                "A profile named \"{}\" exists already.",
                profile.name
            ));
        }
        if !found.is_empty() {
            return problems.set(found);
        }
        problems.set(Vec::new());
        original.with_value(|o| store.save(o.as_deref(), profile.clone()));
        editing.set(None);
        notice.set(Some(Ok(format!("Saved {}", profile.name))));
        if connect_after {
            let password = store.password_for(&profile);
            match conn.connect_profile(profile.clone(), password) {
                Ok(()) => store.set_active(Some(&profile.name)),
                Err(e) => notice.set(Some(Err(e.to_string()))),
            }
        }
    };
    let delete = move |_| {
        if let Some(name) = original.get_value() {
            store.delete(&name);
            notice.set(Some(Ok(format!("Deleted {name}"))));
        }
        editing.set(None);
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        save(true);
    };
    view! {
        <section class="card" aria-labelledby="editor-heading">
            <h2 id="editor-heading">{if is_new { "New profile" } else { "Edit profile" }}</h2>
            <form on:submit=on_submit id="profile-form">
                <Show when=move || !problems.with(Vec::is_empty)>
                    <ul class="error" role="alert" id="profile-problems">
                        <For each=move || problems.get() key=|p| p.clone() children=|p| view! { <li>{p}</li> } />
                    </ul>
                </Show>
                <label>"Name"<input type="text" id="profile-name" bind:value=name /></label>
                <label>
                    "Broker URLs, one per line, tried in order"
                    <textarea id="profile-urls" spellcheck="false" bind:value=urls></textarea>
                </label>
                <div class="row">
                    <label>"User name"<input type="text" id="profile-username" autocomplete="username" bind:value=username /></label>
                    <label>"Password"<input type="password" id="profile-password" autocomplete="current-password" bind:value=password /></label>
                </div>
                <label class="inline">
                    <input type="checkbox" id="profile-remember" bind:checked=remember />
                    "Remember the password on this device"
                </label>
                <p class="hint">"Otherwise it is kept only until this tab closes."</p>
                <div class="row">
                    <label>
                        "MQTT version"
                        <select id="profile-protocol" on:change=move |ev| v5.set(event_target_value(&ev) == "5.0")>
                            <option value="3.1.1" selected=move || !v5.get()>"3.1.1"</option>
                            <option value="5.0" selected=move || v5.get()>"5.0"</option>
                        </select>
                    </label>
                    <label>"Keep alive (s)"<input type="text" inputmode="numeric" id="profile-keep-alive" bind:value=keep_alive /></label>
                </div>
                <div class="row">
                    <label>"Client id (empty: one per tab)"<input type="text" id="profile-client-id" spellcheck="false" bind:value=client_id /></label>
                    <label class="inline">
                        <input type="checkbox" id="profile-clean-start" bind:checked=clean_start />
                        "Clean start"
                    </label>
                </div>
                <details>
                    <summary>"Last will"</summary>
                    <label>"Topic (empty: no will)"<input type="text" id="profile-will-topic" spellcheck="false" bind:value=will_topic /></label>
                    <label>"Payload"<input type="text" id="profile-will-payload" bind:value=will_payload /></label>
                    <div class="row">
                        <label>
                            "QoS"
                            <select on:change=move |ev| will_qos.set(event_target_value(&ev))>
                                {["0", "1", "2"].map(|q| view! { <option value=q selected=move || will_qos.get() == q>{q}</option> })}
                            </select>
                        </label>
                        <label class="inline"><input type="checkbox" bind:checked=will_retain />"Retain"</label>
                    </div>
                </details>
                <details>
                    <summary>"MQTT 5.0 settings"</summary>
                    <div class="row">
                        <label>"Session expiry (s)"<input type="text" inputmode="numeric" id="profile-session-expiry" bind:value=session_expiry /></label>
                        <label>"Receive maximum"<input type="text" inputmode="numeric" bind:value=receive_maximum /></label>
                    </div>
                    <div class="row">
                        <label>"Maximum packet size"<input type="text" inputmode="numeric" bind:value=max_packet /></label>
                        <label>"Topic alias maximum"<input type="text" inputmode="numeric" bind:value=alias_max /></label>
                    </div>
                    <label>"User properties, name=value per line"<textarea spellcheck="false" bind:value=user_props></textarea></label>
                </details>
                <div class="row">
                    <button type="submit" id="profile-save-connect">"Save and connect"</button>
                    <button type="button" class="secondary" id="profile-save" on:click=move |_| save(false)>"Save"</button>
                    <button type="button" class="secondary" on:click=move |_| editing.set(None)>"Cancel"</button>
                    {(!is_new).then(|| view! { <button type="button" class="secondary danger" on:click=delete>"Delete"</button> })}
                </div>
            </form>
        </section>
    }
}

/// Import and export of all profiles as one JSON file.
#[component]
fn TransferCard(notice: RwSignal<Option<Result<String, String>>>) -> impl IntoView {
    let store = expect_context::<ProfileStore>();
    let text = RwSignal::new(String::new());
    let export = move |_| {
        let json = store.profiles.with_untracked(|p| export_profiles(p));
        text.set(json);
        notice.set(Some(Ok(
            "Exported: copy the text below, or download it.".to_owned()
        )));
    };
    let import =
        move |_| match import_profiles(&text.get_untracked(), crate::runtime::page_is_https()) {
            Ok(profiles) => {
                let count = profiles.len();
                for profile in profiles {
                    let name = profile.name.clone();
                    store.save(Some(&name), profile);
                }
                notice.set(Some(Ok(format!("Imported {count} profile(s)."))));
            }
            Err(e) => notice.set(Some(Err(e.to_string()))),
        };
    let download_href = move || {
        let json = text.get();
        (!json.is_empty()).then(|| {
            format!(
                "data:application/json;charset=utf-8,{}",
                String::from(js_sys::encode_uri_component(&json))
            )
        })
    };
    view! {
        <section class="card" aria-labelledby="transfer-heading">
            <h2 id="transfer-heading">"Import and export"</h2>
            <label>
                "Profiles as JSON (passwords only where remembered)"
                <textarea id="profiles-json" spellcheck="false" bind:value=text></textarea>
            </label>
            <div class="row">
                <button type="button" class="secondary" id="export-profiles" on:click=export>"Export"</button>
                <button type="button" class="secondary" id="import-profiles" on:click=import>"Import"</button>
                {move || download_href().map(|href| view! {
                    <a class="button-link" href=href download="lamplighter-profiles.json">"Download"</a>
                })}
            </div>
        </section>
    }
}
