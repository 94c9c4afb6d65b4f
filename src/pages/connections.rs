use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::app::shared;
use crate::components::{TextInput, checkbox, choice, outcome_line, text_area};
use crate::profiles::{Profile, Protocol, UserProperty, Will, export_profiles, import_profiles};

/// The MQTT versions a profile may speak, as the editor offers them: value, then label.
const PROTOCOLS: [(&str, &str); 2] = [("3.1.1", "3.1.1"), ("5.0", "5.0")];
/// The will's quality of service, as the editor offers it.
const WILL_QOS: [(&str, &str); 3] = [("0", "0"), ("1", "1"), ("2", "2")];

/// Saved connection profiles: edit, save, connect, import and export.
#[component]
pub fn ConnectionsPage() -> impl IntoView {
    let conn = shared().conn;
    let store = shared().profiles;
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
                // Rebuilt whole when one changes: a handful of rows.
                {move || store.profiles.get().into_iter().map(|profile| profile_row(profile, editing, notice)).collect_view()}
            </ul>
            {move || outcome_line(notice.get())}
        </section>
        {move || editing.get().map(|(original, profile)| view! {
            <ProfileEditor original profile editing notice />
        })}
        <TransferCard notice />
    }
}

/// One saved profile in the list, with Connect and Edit.
fn profile_row(
    profile: Profile,
    editing: RwSignal<Option<(Option<String>, Profile)>>,
    notice: RwSignal<Option<Result<String, String>>>,
) -> impl IntoView + use<> {
    let conn = shared().conn;
    let store = shared().profiles;
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
    let urls = profile.broker_urls.join(", ");
    let edit = move |_| {
        let mut copy = profile.clone();
        copy.password = store.password_for(&profile);
        editing.set(Some((Some(profile.name.clone()), copy)));
        notice.set(None);
    };
    view! {
        <li data-active=move || is_active().to_string()>
            <span class="profile-name">{name}</span>
            <span class="hint">{urls}</span>
            <div class="row">
                <button type="button" on:click=connect>"Connect"</button>
                <button type="button" class="secondary" on:click=edit>"Edit"</button>
            </div>
        </li>
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
    let conn = shared().conn;
    let store = shared().profiles;
    let problems = RwSignal::new(Vec::<String>::new());
    let is_new = original.is_none();
    let original = StoredValue::new(original);

    let name = RwSignal::new(profile.name.clone());
    let urls = RwSignal::new(profile.broker_urls.join("\n"));
    let client_id = RwSignal::new(profile.client_id.clone());
    let username = RwSignal::new(profile.username.clone());
    let password = RwSignal::new(profile.password.clone().unwrap_or_default());
    let remember = RwSignal::new(profile.remember_password);
    let protocol = RwSignal::new(
        match profile.protocol {
            Protocol::V311 => PROTOCOLS[0].0,
            Protocol::V5 => PROTOCOLS[1].0,
        }
        .to_owned(),
    );
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
            protocol: if protocol.get_untracked() == PROTOCOLS[1].0 {
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
                {move || {
                    problems.with(|found| {
                        (!found.is_empty()).then(|| {
                            let items = found.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view();
                            view! { <ul class="error" role="alert" id="profile-problems">{items}</ul> }
                        })
                    })
                }}
                {TextInput::text(Some("profile-name")).view("Name", name)}
                {text_area("Broker URLs, one per line, tried in order", Some("profile-urls"), urls)}
                <div class="row">
                    {TextInput { autocomplete: Some("username"), ..TextInput::text(Some("profile-username")) }.view("User name", username)}
                    {TextInput {
                        kind: "password",
                        autocomplete: Some("current-password"),
                        ..TextInput::text(Some("profile-password"))
                    }
                        .view("Password", password)}
                </div>
                {checkbox("Remember the password on this device", Some("profile-remember"), remember)}
                <p class="hint">"Otherwise it is kept only until this tab closes."</p>
                <div class="row">
                    {choice("MQTT version", Some("profile-protocol"), &PROTOCOLS, protocol)}
                    {TextInput::numeric(Some("profile-keep-alive")).view("Keep alive (s)", keep_alive)}
                </div>
                <div class="row">
                    {TextInput { spellcheck: Some("false"), ..TextInput::text(Some("profile-client-id")) }.view("Client id (empty: one per tab)", client_id)}
                    {checkbox("Clean start", Some("profile-clean-start"), clean_start)}
                </div>
                <details>
                    <summary>"Last will"</summary>
                    {TextInput { spellcheck: Some("false"), ..TextInput::text(Some("profile-will-topic")) }.view("Topic (empty: no will)", will_topic)}
                    {TextInput::text(Some("profile-will-payload")).view("Payload", will_payload)}
                    <div class="row">
                        {choice("QoS", None, &WILL_QOS, will_qos)}
                        {checkbox("Retain", None, will_retain)}
                    </div>
                </details>
                <details>
                    <summary>"MQTT 5.0 settings"</summary>
                    <div class="row">
                        {TextInput::numeric(Some("profile-session-expiry")).view("Session expiry (s)", session_expiry)}
                        {TextInput::numeric(None).view("Receive maximum", receive_maximum)}
                    </div>
                    <div class="row">
                        {TextInput::numeric(None).view("Maximum packet size", max_packet)}
                        {TextInput::numeric(None).view("Topic alias maximum", alias_max)}
                    </div>
                    {text_area("User properties, name=value per line", None, user_props)}
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
    let store = shared().profiles;
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
            {text_area("Profiles as JSON (passwords only where remembered)", Some("profiles-json"), text)}
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
