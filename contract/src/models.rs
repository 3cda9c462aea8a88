//! The contract's bodies. Decoding is lenient, so that any compatible
//! backend decodes: unknown fields are ignored, and optional ones may be
//! absent or `null`. Encoding leaves out what is not there.

use serde::{Deserialize, Serialize};

/// The signed-in user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Opaque id.
    pub id: String,
    /// The sign-in name.
    pub login: String,
    /// The name to greet the user with.
    pub display_name: String,
}

/// `Session`: who is signed in, and what they may do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    /// The user.
    pub user: User,
    /// Token for `X-CSRF-Token` on unsafe methods (cookie mode); absent for
    /// bearer tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csrf_token: Option<String>,
    /// `false` when an administrator has turned creation off; absent means on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_passwords_enabled: Option<bool>,
    /// The identity provider the user signs in through, when they have no
    /// password here: a sign-in to confirm goes there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs_in_with: Option<String>,
}

impl Session {
    /// Whether the user may create app passwords.
    pub fn can_create_app_passwords(&self) -> bool {
        self.app_passwords_enabled.unwrap_or(true)
    }
}

/// How a backend lets people sign in, in the 401 of `GET /session` as
/// `sign_in`: a backend that leaves it out has the password form only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInWays {
    /// Whether the login, password and code form works here.
    #[serde(default = "yes")]
    pub password: bool,
    /// Providers to sign in through, one button each.
    #[serde(default)]
    pub providers: Vec<SignInProvider>,
}

fn yes() -> bool {
    true
}

/// An identity provider the backend signs people in through: the app sends
/// the browser to `start_url` with `return_to` (the path to land on) and,
/// to confirm a sign-in, `reauth=1`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInProvider {
    /// Shown as "Sign in with {name}".
    pub name: String,
    /// Absolute URL that starts the provider's sign-in.
    pub start_url: String,
}

/// Body of `POST /session`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Credentials {
    /// The sign-in name.
    pub login: String,
    /// The account password.
    pub password: String,
}

/// Body of `POST /session/mfa`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecondFactor {
    /// The 6-digit code.
    pub code: String,
}

/// One app password as lists show it (never with its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPassword {
    /// Opaque id: never parsed, ordered or computed with.
    pub id: String,
    /// The name the user gave it.
    pub name: String,
    /// RFC 3339, UTC.
    pub created_at: String,
    /// When an app last signed in with it, if the backend tracks that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<String>,
    /// From where, if the backend tracks that.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_ip: Option<String>,
    /// Through which service (`imap`, `smtp`, `caldav`…), if the backend
    /// knows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_service: Option<String>,
    /// When it stops working, if it expires.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The services it opens (`imap`, `caldav`…); absent for every
    /// service, and from a backend that does not limit passwords to
    /// services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

/// The most services one app password may be limited to: more than any
/// server offers, so that a longer list is a mistake or an attack on the
/// stored row, not a choice.
pub const MAX_SERVICES: usize = 16;

/// `GET /app-passwords`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppPasswordList {
    /// The user's app passwords.
    pub items: Vec<AppPassword>,
    /// The most one user may hold; `null` when the backend has no limit.
    #[serde(default)]
    pub max_count: Option<u32>,
    /// When new app passwords may expire; absent when the backend does not
    /// let the user choose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiry: Option<ExpiryPolicy>,
}

/// The backend's rules for when a new app password stops working.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExpiryPolicy {
    /// How many days a new one lasts unless the user chooses; `null`: it
    /// never expires unless the user chooses a date.
    #[serde(default)]
    pub default_days: Option<u32>,
    /// The most days one may last; `null`: no limit, and "never" is allowed.
    #[serde(default)]
    pub max_days: Option<u32>,
}

impl ExpiryPolicy {
    /// Whether an app password may never expire.
    pub fn allows_never(&self) -> bool {
        self.max_days.is_none()
    }

    /// Whether one may last `days` days.
    pub fn allows_days(&self, days: u32) -> bool {
        self.max_days.is_none_or(|max| days <= max)
    }
}

/// Body of `POST /app-passwords`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewAppPassword {
    /// The name.
    pub name: String,
    /// When it stops working (RFC 3339), within the list's
    /// [`ExpiryPolicy`]; absent for the policy's default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<String>,
    /// The services it may be used through (at most [`MAX_SERVICES`]
    /// distinct names); absent for every service. Rename leaves it as it
    /// was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
}

/// `CreatedAppPassword`: the one response that carries the secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedAppPassword {
    /// The new app password as the list will show it.
    #[serde(flatten)]
    pub item: AppPassword,
    /// The secret, shown once and never again.
    pub password: String,
    /// The login to use with it, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub login: Option<String>,
}

/// Body of `PATCH /app-passwords/{id}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AppPasswordName {
    /// The name.
    pub name: String,
}

/// Response of `DELETE /app-passwords`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revoked {
    /// How many were revoked.
    pub revoked: u32,
}

/// A phone number as the contract carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone {
    /// `+` and 1 to 3 digits.
    pub country_code: String,
    /// Digits only.
    pub number: String,
    /// Office phones only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extension: Option<String>,
}

/// The three phones; `null` where not set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phones {
    /// The mobile phone for calls and texts.
    #[serde(default)]
    pub authentication: Option<Phone>,
    /// The office phone.
    #[serde(default)]
    pub office: Option<Phone>,
    /// A second phone.
    #[serde(default)]
    pub alternate: Option<Phone>,
}

/// Whether an authenticator app is set up.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorApp {
    /// Set up or not.
    pub configured: bool,
    /// The device's name, when the backend knows it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
}

/// `SecurityInfo`: the preferred verification option and phones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityInfo {
    /// One of the five method names.
    pub default_method: String,
    /// The methods offered; absent means all five.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub available_methods: Option<Vec<String>>,
    /// The phones.
    #[serde(default)]
    pub phones: Phones,
    /// The authenticator app, when the backend says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authenticator_app: Option<AuthenticatorApp>,
}

/// Body of `PUT /security-info`. Decoded strictly, unlike the answers
/// above: it replaces what is saved, so a missing `phones`, or a missing
/// member of it, read as "no phone" would erase the saved numbers. Each
/// must be there, `null` for no phone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityInfoUpdate {
    /// The chosen method.
    pub default_method: String,
    /// The phones, all three named.
    #[serde(deserialize_with = "every_phone_named")]
    pub phones: Phones,
}

/// [`Phones`] whose three members must each be there, if only as `null`.
fn every_phone_named<'de, D: serde::Deserializer<'de>>(phones: D) -> Result<Phones, D::Error> {
    /// With `deserialize_with`, serde does not take a missing member for
    /// `None`, as it does for a plain `Option`.
    #[derive(Deserialize)]
    struct Named {
        #[serde(deserialize_with = "Option::deserialize")]
        authentication: Option<Phone>,
        #[serde(deserialize_with = "Option::deserialize")]
        office: Option<Phone>,
        #[serde(deserialize_with = "Option::deserialize")]
        alternate: Option<Phone>,
    }
    let named = Named::deserialize(phones)?;
    Ok(Phones {
        authentication: named.authentication,
        office: named.office,
        alternate: named.alternate,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_minimal_and_extended_backends() {
        let minimal: AppPasswordList = serde_json::from_str(
            r#"{"items":[{"id":"7","name":"Mail","created_at":"2026-01-01T00:00:00Z"}]}"#,
        )
        .unwrap();
        assert_eq!(minimal.items[0].last_used_at, None);
        assert_eq!(minimal.items[0].services, None, "every service");
        assert_eq!(minimal.max_count, None);

        let extended: AppPasswordList = serde_json::from_str(
            r#"{"items":[{"id":"a-b","name":"x","created_at":"2026-01-01T00:00:00Z",
                "last_used_at":null,"scopes":["mail"]}],"max_count":40,"next":null}"#,
        )
        .unwrap();
        assert_eq!(extended.max_count, Some(40));

        let session: Session =
            serde_json::from_str(r#"{"user":{"id":"1","login":"a","display_name":"A"}}"#).unwrap();
        assert!(session.can_create_app_passwords());
        assert_eq!(session.csrf_token, None);

        let created: CreatedAppPassword = serde_json::from_str(
            r#"{"id":"u-1","name":"Mail","created_at":"2026-01-01T00:00:00Z","password":"abcde-fghjk"}"#,
        )
        .unwrap();
        assert_eq!(created.item.name, "Mail");
        let scoped: AppPassword = serde_json::from_str(
            r#"{"id":"u-2","name":"Phone","created_at":"2026-01-01T00:00:00Z","services":["caldav","carddav"]}"#,
        )
        .unwrap();
        assert_eq!(scoped.services.unwrap(), ["caldav", "carddav"]);
        assert_eq!(created.login, None);
    }

    #[test]
    fn an_update_names_every_phone() {
        let full = r#"{"default_method":"app_code","phones":{"authentication":null,"office":null,"alternate":{"country_code":"+44","number":"2071234567"}}}"#;
        let update: SecurityInfoUpdate = serde_json::from_str(full).unwrap();
        assert_eq!(update.phones.alternate.unwrap().country_code, "+44");
        for (partial, missing) in [
            (r#"{"default_method":"app_code"}"#, "phones"),
            (
                r#"{"default_method":"app_code","phones":{"authentication":null,"alternate":null}}"#,
                "office",
            ),
        ] {
            let error = serde_json::from_str::<SecurityInfoUpdate>(partial).unwrap_err();
            assert!(
                error
                    .to_string()
                    .contains(&format!("missing field `{missing}`")),
                "{error}"
            );
        }
        // What the app reads stays lenient.
        let shown: SecurityInfo =
            serde_json::from_str(r#"{"default_method":"app_code","phones":{}}"#).unwrap();
        assert_eq!(shown.phones, Phones::default());
    }

    #[test]
    fn encodes_absent_optional_fields_as_nothing_and_no_limit_as_null() {
        let item = AppPassword {
            id: "1".into(),
            name: "Mail".into(),
            created_at: "2026-01-01T00:00:00Z".into(),
            last_used_at: None,
            last_used_ip: None,
            last_used_service: None,
            expires_at: None,
            services: None,
        };
        let list = serde_json::to_value(AppPasswordList {
            items: vec![item],
            max_count: None,
            expiry: None,
        })
        .unwrap();
        assert_eq!(
            list,
            serde_json::json!({"items":[{"id":"1","name":"Mail","created_at":"2026-01-01T00:00:00Z"}],"max_count":null})
        );
    }
}
