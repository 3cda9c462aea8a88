//! `/security-info`: the preferred verification option and phone numbers
//! (the "Additional security verification" tab).

use axum::extract::State;
use axum::Json;
use contract::{AuthenticatorApp, Phones, SecurityInfo, SecurityInfoUpdate};

use crate::auth::SignedIn;
use crate::error::Error;
use crate::extract::ApiJson;
use crate::problem::FieldError;
use crate::{params, validate, AppState};

/// The five verification options, in the order the page offers them.
pub const METHODS: [&str; 5] = [
    "app_notification",
    "app_code",
    "sms",
    "call_mobile",
    "call_office",
];

/// The options that go through the authenticator app.
const APP_METHODS: [&str; 2] = ["app_notification", "app_code"];

/// `GET /security-info`.
pub async fn get(
    State(state): State<AppState>,
    caller: SignedIn,
) -> Result<Json<SecurityInfo>, Error> {
    load(&state, caller.user.id).await.map(Json)
}

/// `PUT /security-info`: replaces the option and phones after checking them.
pub async fn put(
    State(state): State<AppState>,
    caller: SignedIn,
    ApiJson(update): ApiJson<SecurityInfoUpdate>,
) -> Result<Json<SecurityInfo>, Error> {
    let user_id = caller.user.id;
    let current = load(&state, user_id).await?;
    let authenticator = current.authenticator_app.is_some_and(|app| app.configured);
    let errors = check(&update, authenticator);
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let phones = serde_json::to_string(&update.phones)?;
    state
        .db
        .call(move |conn| {
            conn.execute(
                "INSERT INTO security_info (user_id, default_method, phones) VALUES (?1, ?2, ?3)
                 ON CONFLICT(user_id) DO UPDATE SET default_method = excluded.default_method, phones = excluded.phones",
                params![user_id, update.default_method, phones],
            )?;
            Ok(())
        })
        .await?;
    load(&state, user_id).await.map(Json)
}

async fn load(state: &AppState, user_id: i64) -> Result<SecurityInfo, Error> {
    state
        .db
        .call(move |conn| {
            let configured: bool = conn.query_one(
                "SELECT totp_secret_sealed IS NOT NULL FROM users WHERE id = ?1",
                params![user_id],
                |row| row.get(0),
            )?;
            let stored: Option<(String, String)> = conn.query_opt(
                "SELECT default_method, phones FROM security_info WHERE user_id = ?1",
                params![user_id],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )?;
            let (default_method, phones) = match stored {
                Some((method, phones)) => (method, serde_json::from_str(&phones)?),
                // Until the user chooses, the authenticator app they signed
                // in with; without one, a text to the phone they will add.
                None => (
                    if configured { "app_code" } else { "sms" }.to_owned(),
                    Phones::default(),
                ),
            };
            // The app's options only with an app to notify (this server
            // enrolls none: an administrator sets the TOTP secret).
            let available = METHODS
                .into_iter()
                .filter(|method| configured || !APP_METHODS.contains(method))
                .map(str::to_owned)
                .collect();
            Ok(SecurityInfo {
                default_method,
                available_methods: Some(available),
                phones,
                authenticator_app: Some(AuthenticatorApp {
                    configured,
                    device_name: None,
                }),
            })
        })
        .await
}

/// Every field error of an update: the option must be known and have the
/// phone it calls or texts (or the authenticator app it notifies), and each
/// phone must be a valid E.164 number.
fn check(update: &SecurityInfoUpdate, authenticator: bool) -> Vec<FieldError> {
    let phones = &update.phones;
    let mut errors = Vec::new();
    for (name, phone, extension_allowed) in [
        ("authentication", &phones.authentication, false),
        ("office", &phones.office, true),
        ("alternate", &phones.alternate, false),
    ] {
        if let Some(phone) = phone {
            errors.extend(validate::phone(
                &format!("/phones/{name}"),
                &phone.country_code,
                &phone.number,
                phone.extension.as_deref(),
                extension_allowed,
            ));
        }
    }
    let method_error = match update.default_method.as_str() {
        "sms" | "call_mobile" if phones.authentication.is_none() => {
            Some("Add an authentication phone to be called or texted there.")
        }
        "call_office" if phones.office.is_none() => Some("Add an office phone to be called there."),
        method if !authenticator && APP_METHODS.contains(&method) => {
            Some("The authenticator app is not set up: choose a phone to be called or texted.")
        }
        method if !METHODS.contains(&method) => Some("Choose one of the listed options."),
        _ => None,
    };
    if let Some(detail) = method_error {
        errors.insert(
            0,
            FieldError {
                pointer: "/default_method".into(),
                detail: detail.into(),
            },
        );
    }
    errors
}
