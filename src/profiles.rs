//! Saved connection profiles: which broker to reach and how to introduce ourselves to it.
//!
//! Profiles are plain data, checked by [`Profile::problems`] before use and exchanged as JSON
//! (import and export, and the browser's storage). A password is written out only when the user
//! asked for it to be remembered.

use std::fmt;

use home_model::json::Value;

use crate::broker_url::check_broker_url;
use crate::json_writer::JsonWriter;

/// The MQTT version a profile speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    V311,
    V5,
}

impl Protocol {
    /// The name profile files use.
    fn as_str(self) -> &'static str {
        match self {
            Protocol::V311 => "3.1.1",
            Protocol::V5 => "5.0",
        }
    }
}

/// The message the broker publishes for us if we vanish without saying goodbye.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Will {
    pub topic: String,
    pub payload: String,
    pub qos: u8,
    pub retain: bool,
}

/// A 5.0 user property: a name and a value, both text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserProperty {
    pub name: String,
    pub value: String,
}

/// One way of connecting to a broker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Profile {
    pub name: String,
    /// Tried in order; the next one when a connection attempt fails.
    pub broker_urls: Vec<String>,
    /// Empty: each tab makes up its own, so two tabs never take each other's session.
    pub client_id: String,
    /// Empty: no user name.
    pub username: String,
    /// Kept in storage only when `remember_password` is set.
    pub password: Option<String>,
    pub remember_password: bool,
    pub protocol: Protocol,
    /// Seconds; 0 turns keep alive off.
    pub keep_alive_secs: u16,
    /// Start with no session state; otherwise resume the broker's session for this client id.
    pub clean_start: bool,
    /// 5.0: how long the broker keeps the session after the connection closes, in seconds.
    pub session_expiry_secs: u32,
    pub will: Option<Will>,
    /// 5.0: how many QoS 1 and 2 messages the broker may have in flight to us at once.
    pub receive_maximum: Option<u16>,
    /// 5.0: the largest packet we accept, in bytes.
    pub maximum_packet_size: Option<u32>,
    /// 5.0: how many topic aliases the broker may use towards us.
    pub topic_alias_maximum: Option<u16>,
    pub user_properties: Vec<UserProperty>,
}

impl Profile {
    /// A profile for the broker at `url` with the usual settings: MQTT 3.1.1, a unique client
    /// id per tab, keep alive 30 s, clean start.
    pub fn new(name: &str, url: &str) -> Self {
        Self {
            name: name.to_owned(),
            broker_urls: vec![url.to_owned()],
            client_id: String::new(),
            username: String::new(),
            password: None,
            remember_password: false,
            protocol: Protocol::V311,
            keep_alive_secs: 30,
            clean_start: true,
            session_expiry_secs: 0,
            will: None,
            receive_maximum: None,
            maximum_packet_size: None,
            topic_alias_maximum: None,
            user_properties: Vec::new(),
        }
    }

    /// Everything wrong with this profile, each tied to the field it concerns. Empty when the
    /// profile can be used.
    pub fn problems(&self, page_is_https: bool) -> Vec<ProfileProblem> {
        let mut problems = Vec::new();
        let mut problem =
            |field: Field, message: String| problems.push(ProfileProblem { field, message });

        if self.name.trim().is_empty() {
            problem(Field::Name, "Give the profile a name.".to_owned());
        }
        if self.broker_urls.iter().all(|u| u.trim().is_empty()) {
            problem(Field::BrokerUrls, "Add at least one broker URL.".to_owned());
        }
        for url in self.broker_urls.iter().filter(|u| !u.trim().is_empty()) {
            if let Err(e) = check_broker_url(url, page_is_https) {
                problem(Field::BrokerUrls, format!("{}: {e}", url.trim()));
            }
        }
        if self.client_id.len() > 65_535 || self.client_id.contains('\0') {
            problem(
                Field::ClientId,
                "A client id is at most 65,535 bytes, with no NUL characters.".to_owned(),
            );
        }
        if self.username.contains('\0') {
            problem(
                Field::Username,
                "The user name cannot contain NUL characters.".to_owned(),
            );
        }
        // MQTT 3.1.1: "If the User Name Flag is set to 0, the Password Flag MUST be set to 0"
        // [MQTT-3.1.2-22]. 5.0 allows a password alone.
        if self.protocol == Protocol::V311
            && self.username.is_empty()
            && self.password.as_deref().is_some_and(|p| !p.is_empty())
        {
            problem(
                Field::Password,
                "MQTT 3.1.1 sends a password only with a user name: add one, or use 5.0."
                    .to_owned(),
            );
        }
        if let Some(will) = &self.will {
            if let Err(e) = mqtt_codec::validate_topic_name(&will.topic) {
                problem(Field::Will, format!("Will topic: {e}."));
            }
            if will.qos > 2 {
                problem(Field::Will, "Will QoS is 0, 1 or 2.".to_owned());
            }
        }
        if self.protocol == Protocol::V311 {
            let five_only = [
                (self.session_expiry_secs != 0, "session expiry"),
                (self.receive_maximum.is_some(), "receive maximum"),
                (self.maximum_packet_size.is_some(), "maximum packet size"),
                (self.topic_alias_maximum.is_some(), "topic alias maximum"),
                (!self.user_properties.is_empty(), "user properties"),
            ];
            for (_, what) in five_only.iter().filter(|(set, _)| *set) {
                problem(
                    Field::Protocol,
                    format!("The {what} setting needs MQTT 5.0."),
                );
            }
        }
        if self.receive_maximum == Some(0) {
            problem(
                Field::ConnectProperties,
                "Receive maximum is at least 1.".to_owned(),
            );
        }
        if self.maximum_packet_size == Some(0) {
            problem(
                Field::ConnectProperties,
                "Maximum packet size is at least 1 byte.".to_owned(),
            );
        }
        if self.user_properties.iter().any(|p| p.name.is_empty()) {
            problem(
                Field::ConnectProperties,
                "Every user property needs a name.".to_owned(),
            );
        }
        problems
    }

    /// The profile as it may be stored or exported: without the password unless the user asked
    /// for it to be remembered.
    pub fn for_storage(&self) -> Profile {
        let mut stored = self.clone();
        if !stored.remember_password {
            stored.password = None;
        }
        stored
    }
}

/// The part of a profile a problem concerns, so the form can show it in the right place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    Name,
    BrokerUrls,
    ClientId,
    Username,
    Password,
    Protocol,
    Will,
    ConnectProperties,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileProblem {
    pub field: Field,
    pub message: String,
}

impl fmt::Display for ProfileProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// The profiles file: what export writes and import reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileFile {
    pub format: String,
    pub version: u32,
    pub profiles: Vec<Profile>,
}

const FILE_FORMAT: &str = "lamplighter-profiles";
const FILE_VERSION: u32 = 1;

/// Why a profiles file could not be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportError {
    NotJson,
    NotProfiles,
    NewerVersion(u32),
    Invalid {
        profile: String,
        problems: Vec<ProfileProblem>,
    },
    DuplicateName(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotJson => f.write_str(
                "This is not a Lamplighter profiles file: it is not JSON, or a field has the wrong type.",
            ),
            Self::NotProfiles => f.write_str("This JSON is not a Lamplighter profiles file."),
            Self::NewerVersion(v) => write!(
                f,
                "This file was written by a newer Lamplighter (format version {v}); update the app to import it."
            ),
            Self::Invalid { profile, problems } => {
                write!(f, "Profile \"{profile}\" cannot be used: ")?;
                let messages: Vec<&str> = problems.iter().map(|p| p.message.as_str()).collect();
                f.write_str(&messages.join(" "))
            }
            Self::DuplicateName(name) => write!(f, "Two profiles are named \"{name}\"; names must differ."),
        }
    }
}

impl std::error::Error for ImportError {}

/// Writes profiles as a JSON file, passwords left out unless remembered.
pub fn export_profiles(profiles: &[Profile]) -> String {
    let mut w = JsonWriter::default();
    w.begin_object();
    w.str_member("format", FILE_FORMAT);
    w.uint_member("version", Some(FILE_VERSION));
    w.key("profiles");
    w.begin_array();
    for profile in profiles {
        profile.write_json(&mut w);
    }
    w.end_array();
    w.end_object();
    w.finish()
}

/// Reads a profiles file, checking every profile; all or nothing.
pub fn import_profiles(text: &str, page_is_https: bool) -> Result<Vec<Profile>, ImportError> {
    let file = Value::parse(text.as_bytes())
        .ok()
        .and_then(|value| ProfileFile::from_json(&value))
        .ok_or(ImportError::NotJson)?;
    if file.format != FILE_FORMAT {
        return Err(ImportError::NotProfiles);
    }
    if file.version > FILE_VERSION {
        return Err(ImportError::NewerVersion(file.version));
    }
    for (i, profile) in file.profiles.iter().enumerate() {
        let problems = profile.problems(page_is_https);
        if !problems.is_empty() {
            return Err(ImportError::Invalid {
                profile: profile.name.clone(),
                problems,
            });
        }
        if file.profiles[..i].iter().any(|p| p.name == profile.name) {
            return Err(ImportError::DuplicateName(profile.name.clone()));
        }
    }
    Ok(file.profiles)
}

// The JSON form: members named and ordered as the fields. Reading takes what the file holds
// and nothing else: a member missing, or of another type, fails the whole file, except that an
// optional one may be missing or null. Members it does not know are passed over.

impl Profile {
    /// Writes [`Profile::for_storage`], without the clone.
    fn write_json(&self, w: &mut JsonWriter) {
        w.begin_object();
        w.str_member("name", &self.name);
        w.key("broker_urls");
        w.begin_array();
        for url in &self.broker_urls {
            w.string(url);
        }
        w.end_array();
        w.str_member("client_id", &self.client_id);
        w.str_member("username", &self.username);
        w.key("password");
        match self.password.as_deref().filter(|_| self.remember_password) {
            Some(password) => w.string(password),
            None => w.null(),
        }
        w.bool_member("remember_password", self.remember_password);
        w.str_member("protocol", self.protocol.as_str());
        w.uint_member("keep_alive_secs", Some(self.keep_alive_secs.into()));
        w.bool_member("clean_start", self.clean_start);
        w.uint_member("session_expiry_secs", Some(self.session_expiry_secs));
        w.key("will");
        match &self.will {
            Some(will) => {
                w.begin_object();
                w.str_member("topic", &will.topic);
                w.str_member("payload", &will.payload);
                w.uint_member("qos", Some(will.qos.into()));
                w.bool_member("retain", will.retain);
                w.end_object();
            }
            None => w.null(),
        }
        w.uint_member("receive_maximum", self.receive_maximum.map(u32::from));
        w.uint_member("maximum_packet_size", self.maximum_packet_size);
        w.uint_member(
            "topic_alias_maximum",
            self.topic_alias_maximum.map(u32::from),
        );
        w.key("user_properties");
        w.begin_array();
        for property in &self.user_properties {
            w.begin_object();
            w.str_member("name", &property.name);
            w.str_member("value", &property.value);
            w.end_object();
        }
        w.end_array();
        w.end_object();
    }

    fn from_json(v: &Value) -> Option<Self> {
        Some(Profile {
            name: string(v, "name")?,
            broker_urls: v
                .get("broker_urls")?
                .as_array()?
                .iter()
                .map(|url| url.as_str().map(str::to_owned))
                .collect::<Option<_>>()?,
            client_id: string(v, "client_id")?,
            username: string(v, "username")?,
            password: optional(v, "password", |p| p.as_str().map(str::to_owned))?,
            remember_password: v.bool_at("remember_password")?,
            protocol: match v.str_at("protocol")? {
                "3.1.1" => Protocol::V311,
                "5.0" => Protocol::V5,
                _ => return None,
            },
            keep_alive_secs: whole(v.get("keep_alive_secs")?)?.try_into().ok()?,
            clean_start: v.bool_at("clean_start")?,
            session_expiry_secs: whole(v.get("session_expiry_secs")?)?,
            will: optional(v, "will", |will| {
                Some(Will {
                    topic: string(will, "topic")?,
                    payload: string(will, "payload")?,
                    qos: whole(will.get("qos")?)?.try_into().ok()?,
                    retain: will.bool_at("retain")?,
                })
            })?,
            receive_maximum: optional(v, "receive_maximum", |n| whole(n)?.try_into().ok())?,
            maximum_packet_size: optional(v, "maximum_packet_size", whole)?,
            topic_alias_maximum: optional(v, "topic_alias_maximum", |n| whole(n)?.try_into().ok())?,
            user_properties: v
                .get("user_properties")?
                .as_array()?
                .iter()
                .map(|property| {
                    Some(UserProperty {
                        name: string(property, "name")?,
                        value: string(property, "value")?,
                    })
                })
                .collect::<Option<_>>()?,
        })
    }
}

impl ProfileFile {
    fn from_json(v: &Value) -> Option<Self> {
        Some(ProfileFile {
            format: string(v, "format")?,
            version: whole(v.get("version")?)?,
            profiles: v
                .get("profiles")?
                .as_array()?
                .iter()
                .map(Profile::from_json)
                .collect::<Option<_>>()?,
        })
    }
}

/// The string member `key`.
fn string(v: &Value, key: &str) -> Option<String> {
    v.str_at(key).map(str::to_owned)
}

/// A whole number from 0 to `u32::MAX`; narrower fields convert from it.
fn whole(v: &Value) -> Option<u32> {
    let n = v.as_f64()?;
    (n >= 0.0 && n <= f64::from(u32::MAX) && n.fract() == 0.0).then_some(n as u32)
}

/// An optional member: `Some(None)` when missing or null, `None` when it does not read.
fn optional<T>(v: &Value, key: &str, read: impl FnOnce(&Value) -> Option<T>) -> Option<Option<T>> {
    match v.get(key) {
        None | Some(Value::Null) => Some(None),
        Some(value) => read(value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(profile: &Profile) -> Vec<Field> {
        profile
            .problems(false)
            .into_iter()
            .map(|p| p.field)
            .collect()
    }

    #[test]
    fn a_new_profile_is_valid() {
        assert_eq!(
            Profile::new("Home", "ws://192.168.1.5:9001").problems(false),
            []
        );
    }

    #[test]
    fn a_profile_needs_a_name_and_a_broker() {
        let mut profile = Profile::new(" ", "");
        profile.broker_urls.clear();
        assert_eq!(fields(&profile), [Field::Name, Field::BrokerUrls]);
    }

    #[test]
    fn each_bad_broker_url_is_reported_with_its_reason() {
        let mut profile = Profile::new("Home", "ws://a:9001");
        profile.broker_urls.push("mqtt://b:1883".to_owned());
        let problems = profile.problems(false);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.starts_with("mqtt://b:1883: "));
    }

    #[test]
    fn plain_ws_is_refused_from_an_https_page() {
        let profile = Profile::new("Home", "ws://192.168.1.5:9001");
        let problems = profile.problems(true);
        assert_eq!(problems.len(), 1);
        assert!(problems[0].message.contains("wss://"));
    }

    #[test]
    fn a_password_without_user_name_is_refused_on_3_1_1_but_allowed_on_5() {
        let mut profile = Profile::new("Home", "ws://a:9001");
        profile.password = Some("secret".to_owned());
        assert_eq!(fields(&profile), [Field::Password]);
        profile.protocol = Protocol::V5;
        assert_eq!(fields(&profile), []);
    }

    #[test]
    fn five_only_settings_are_refused_on_3_1_1() {
        let mut profile = Profile::new("Home", "ws://a:9001");
        profile.session_expiry_secs = 3600;
        profile.receive_maximum = Some(10);
        assert_eq!(fields(&profile), [Field::Protocol, Field::Protocol]);
        profile.protocol = Protocol::V5;
        assert_eq!(fields(&profile), []);
    }

    #[test]
    fn a_will_topic_with_a_wildcard_is_refused() {
        let mut profile = Profile::new("Home", "ws://a:9001");
        profile.will = Some(Will {
            topic: "home/+/status".to_owned(),
            payload: "gone".to_owned(),
            qos: 1,
            retain: true,
        });
        assert_eq!(fields(&profile), [Field::Will]);
    }

    #[test]
    fn export_leaves_out_a_password_that_is_not_remembered() {
        let mut kept = Profile::new("Kept", "ws://a:9001");
        kept.username = "me".to_owned();
        kept.password = Some("kept-secret".to_owned());
        kept.remember_password = true;
        let mut forgotten = kept.clone();
        forgotten.name = "Forgotten".to_owned();
        forgotten.password = Some("forgotten-secret".to_owned());
        forgotten.remember_password = false;
        let text = export_profiles(&[kept, forgotten]);
        assert!(text.contains("kept-secret"));
        assert!(!text.contains("forgotten-secret"));
    }

    #[test]
    fn import_reads_back_what_export_wrote() {
        let mut profile = Profile::new("Home", "wss://broker.home:8884/mqtt");
        profile.protocol = Protocol::V5;
        profile.session_expiry_secs = 86_400;
        profile.clean_start = false;
        profile.will = Some(Will {
            topic: "phone/status".to_owned(),
            payload: "offline".to_owned(),
            qos: 1,
            retain: true,
        });
        profile.user_properties.push(UserProperty {
            name: "app".to_owned(),
            value: "lamplighter".to_owned(),
        });
        let text = export_profiles(std::slice::from_ref(&profile));
        assert!(text.contains("\"5.0\""));
        assert_eq!(import_profiles(&text, true), Ok(vec![profile]));
    }

    /// Written by the app when it still used miniserde: files and storage from then on must
    /// read the same, and export must write them the same, byte for byte.
    const EARLIER_EXPORT: &str = r#"{"format":"lamplighter-profiles","version":1,"profiles":[{"name":"Home \"main\"","broker_urls":["wss://broker.home:8884/mqtt","ws://10.0.0.2:9001"],"client_id":"phone\u0001","username":"me","password":"p\\w\n","remember_password":true,"protocol":"5.0","keep_alive_secs":60,"clean_start":false,"session_expiry_secs":86400,"will":{"topic":"phone/status","payload":"offline","qos":1,"retain":true},"receive_maximum":20,"maximum_packet_size":1048576,"topic_alias_maximum":10,"user_properties":[{"name":"app","value":"lamplighter\té"}]},{"name":"Plain","broker_urls":["ws://a:9001"],"client_id":"","username":"","password":null,"remember_password":false,"protocol":"3.1.1","keep_alive_secs":30,"clean_start":true,"session_expiry_secs":0,"will":null,"receive_maximum":null,"maximum_packet_size":null,"topic_alias_maximum":null,"user_properties":[]}]}"#;

    #[test]
    fn files_written_by_earlier_versions_read_and_write_back_unchanged() {
        let profiles = import_profiles(EARLIER_EXPORT, false).expect("an earlier export");
        let mut home = Profile::new("Home \"main\"", "wss://broker.home:8884/mqtt");
        home.broker_urls.push("ws://10.0.0.2:9001".to_owned());
        home.client_id = "phone\u{1}".to_owned();
        home.username = "me".to_owned();
        home.password = Some("p\\w\n".to_owned());
        home.remember_password = true;
        home.protocol = Protocol::V5;
        home.keep_alive_secs = 60;
        home.clean_start = false;
        home.session_expiry_secs = 86_400;
        home.will = Some(Will {
            topic: "phone/status".to_owned(),
            payload: "offline".to_owned(),
            qos: 1,
            retain: true,
        });
        home.receive_maximum = Some(20);
        home.maximum_packet_size = Some(1_048_576);
        home.topic_alias_maximum = Some(10);
        home.user_properties.push(UserProperty {
            name: "app".to_owned(),
            value: "lamplighter\té".to_owned(),
        });
        let plain = Profile::new("Plain", "ws://a:9001");
        assert_eq!(profiles, [home, plain]);
        assert_eq!(export_profiles(&profiles), EARLIER_EXPORT);
    }

    #[test]
    fn optional_members_may_be_left_out_and_unknown_ones_are_passed_over() {
        let text = r#"{"format":"lamplighter-profiles","version":1,"extra":true,"profiles":[
            {"name":"x","broker_urls":["ws://a:9001"],"client_id":"","username":"",
             "remember_password":false,"protocol":"3.1.1","keep_alive_secs":30,
             "clean_start":true,"session_expiry_secs":0,"user_properties":[],"more":[1,{}]}]}"#;
        assert_eq!(
            import_profiles(text, false),
            Ok(vec![Profile::new("x", "ws://a:9001")])
        );
    }

    #[test]
    fn a_member_missing_or_of_the_wrong_type_makes_the_file_unreadable() {
        let good = export_profiles(&[Profile::new("x", "ws://a:9001")]);
        for (from, to) in [
            (r#""client_id":"","#, ""),
            (r#""keep_alive_secs":30"#, r#""keep_alive_secs":"30""#),
            (r#""keep_alive_secs":30"#, r#""keep_alive_secs":70000"#),
            (r#""keep_alive_secs":30"#, r#""keep_alive_secs":-1"#),
            (r#""keep_alive_secs":30"#, r#""keep_alive_secs":1.5"#),
            (r#""protocol":"3.1.1""#, r#""protocol":"4""#),
            (r#""will":null"#, r#""will":{"topic":"t"}"#),
            (r#""broker_urls":["ws://a:9001"]"#, r#""broker_urls":[1]"#),
            (r#""version":1"#, r#""version":null"#),
        ] {
            let text = good.replace(from, to);
            assert_ne!(text, good);
            assert_eq!(
                import_profiles(&text, false),
                Err(ImportError::NotJson),
                "{text}"
            );
        }
    }

    #[test]
    fn import_refuses_text_that_is_not_a_profiles_file() {
        assert_eq!(
            import_profiles("not json", false),
            Err(ImportError::NotJson)
        );
        assert_eq!(
            import_profiles(r#"{"format":"other","version":1,"profiles":[]}"#, false),
            Err(ImportError::NotProfiles)
        );
    }

    #[test]
    fn import_refuses_a_newer_format_version() {
        let text = export_profiles(&[]).replace("\"version\":1", "\"version\":9");
        assert_eq!(
            import_profiles(&text, false),
            Err(ImportError::NewerVersion(9))
        );
    }

    #[test]
    fn import_refuses_an_invalid_profile_and_names_it() {
        let text = export_profiles(&[Profile::new("Broken", "http://a")]);
        let err = import_profiles(&text, false).unwrap_err();
        assert!(matches!(&err, ImportError::Invalid { profile, .. } if profile == "Broken"));
        assert!(err.to_string().contains("Broken"));
    }

    #[test]
    fn import_refuses_two_profiles_with_one_name() {
        let profile = Profile::new("Home", "ws://a:9001");
        let text = export_profiles(&[profile.clone(), profile]);
        assert_eq!(
            import_profiles(&text, false),
            Err(ImportError::DuplicateName("Home".to_owned()))
        );
    }
}
