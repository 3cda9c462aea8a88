//! The "Additional security verification" tab: the preferred way to verify
//! and the phone numbers, with Save and Cancel.

use leptos::prelude::*;

use crate::api::{
    ApiError, AuthenticatorApp, FieldError, Phone, Phones, ProblemKind, SecurityInfo,
    SecurityInfoUpdate,
};
use crate::calls::{use_calls, Failed};
use crate::components::{ErrorLine, ErrorNotice, SelectField, TextField};
use crate::drafts::Draft;
use crate::fetch::Fetch;
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::{use_kept_draft, use_session};
use crate::write::Write;

/// The five options, with the keys of their labels (the seed's words).
const METHODS: [(&str, &str); 5] = [
    ("app_notification", keys::INFO_METHOD_APP_NOTIFICATION),
    ("app_code", keys::INFO_METHOD_APP_CODE),
    ("sms", keys::INFO_METHOD_SMS),
    ("call_mobile", keys::INFO_METHOD_CALL_MOBILE),
    ("call_office", keys::INFO_METHOD_CALL_OFFICE),
];

/// Shows and edits the verification settings.
#[component]
pub fn SecurityInfoPanel() -> impl IntoView {
    let i18n = use_i18n();
    let calls = use_calls();
    let loaded = Fetch::new(move || {
        let calls = calls.clone();
        async move {
            calls.api().security_info().await.inspect_err(|error| {
                // Shown in place unless sign-in takes over.
                let _ = calls.failed(error.clone(), None);
            })
        }
    });
    // Changes an ended session interrupted come back over what is saved;
    // whose they are is known once the session is.
    let draft = use_kept_draft(|draft| matches!(draft, Draft::SecurityInfo(_)));
    let session = use_session().session;
    view! {
        <h2 id="security-info-title">{i18n.t(keys::SECURITY_TAB_VERIFICATION)}</h2>
        <p class="muted">{i18n.t(keys::INFO_INTRO)}</p>
        {move || match loaded.get() {
            None => view! { <p class="loading" role="status">{i18n.t(keys::INFO_LOADING)}</p> }.into_any(),
            Some(Err(error)) => view! { <ErrorNotice error=error on_retry=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
            Some(Ok(info)) => session.with(Option::is_some).then(|| {
                let typed = match draft.get() {
                    Some(Draft::SecurityInfo(update)) => Some(update),
                    _ => None,
                };
                view! { <SecurityInfoForm saved=info draft=typed /> }
            })
            .into_any(),
        }}
    }
}

/// The editable fields of one phone.
#[derive(Clone, Copy)]
struct PhoneFields {
    country_code: RwSignal<String>,
    number: RwSignal<String>,
    extension: RwSignal<String>,
}

impl PhoneFields {
    fn new() -> Self {
        Self {
            country_code: RwSignal::new(String::new()),
            number: RwSignal::new(String::new()),
            extension: RwSignal::new(String::new()),
        }
    }

    fn load(&self, phone: Option<&Phone>) {
        self.country_code
            .set(phone.map(|p| p.country_code.clone()).unwrap_or_default());
        self.number
            .set(phone.map(|p| p.number.clone()).unwrap_or_default());
        self.extension
            .set(phone.and_then(|p| p.extension.clone()).unwrap_or_default());
    }

    /// The phone as typed; `None` when both parts are empty.
    fn read(&self) -> Option<Phone> {
        let country_code = self.country_code.get_untracked().trim().to_owned();
        let number: String = self
            .number
            .get_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let extension = self.extension.get_untracked().trim().to_owned();
        (!country_code.is_empty() || !number.is_empty()).then(|| Phone {
            country_code,
            number,
            extension: (!extension.is_empty()).then_some(extension),
        })
    }
}

/// The whole form as typed, and the messages it shows.
#[derive(Clone, Copy)]
struct Form {
    method: RwSignal<String>,
    authentication: PhoneFields,
    office: PhoneFields,
    alternate: PhoneFields,
    errors: RwSignal<Vec<FieldError>>,
    message: RwSignal<Option<String>>,
}

impl Form {
    fn new() -> Self {
        Self {
            method: RwSignal::new(String::new()),
            authentication: PhoneFields::new(),
            office: PhoneFields::new(),
            alternate: PhoneFields::new(),
            errors: RwSignal::new(Vec::new()),
            message: RwSignal::new(None),
        }
    }

    /// Shows `default_method` and `phones`, with no messages.
    fn fill(&self, default_method: &str, phones: &Phones) {
        self.method.set(default_method.to_owned());
        self.authentication.load(phones.authentication.as_ref());
        self.office.load(phones.office.as_ref());
        self.alternate.load(phones.alternate.as_ref());
        self.errors.set(Vec::new());
        self.message.set(None);
    }

    fn typed(&self) -> SecurityInfoUpdate {
        SecurityInfoUpdate {
            default_method: self.method.get_untracked(),
            phones: Phones {
                authentication: self.authentication.read(),
                office: self.office.read(),
                alternate: self.alternate.read(),
            },
        }
    }

    /// The backend's message for the field at `pointer`, if any.
    fn error_for(&self, pointer: &'static str) -> Signal<Option<String>> {
        let errors = self.errors;
        Signal::derive(move || {
            errors
                .read()
                .iter()
                .find(|e| e.pointer == pointer)
                .map(|e| e.detail.clone())
        })
    }

    /// Shows a failed save: each field's message next to it, or what went
    /// wrong above the form; the values stay as typed.
    fn show_error(&self, error: &ApiError, i18n: I18n) {
        match error {
            ApiError::Problem(problem)
                if problem.kind == ProblemKind::ValidationFailed && !problem.errors.is_empty() =>
            {
                self.errors.set(problem.errors.clone());
                self.message.set(Some(i18n.t(keys::INFO_CHECK_FIELDS)));
            }
            _ => self.message.set(Some(
                i18n.t_with(keys::INFO_NOT_SAVED, &[("error", &error.message(&i18n))]),
            )),
        }
    }
}

/// The settings as `saved`, or as `draft` when an ended session
/// interrupted changes to them, with Save and Cancel.
#[component]
fn SecurityInfoForm(saved: SecurityInfo, draft: Option<SecurityInfoUpdate>) -> impl IntoView {
    let i18n = use_i18n();
    let form = Form::new();
    form.fill(&saved.default_method, &saved.phones);
    let status = RwSignal::new(String::new());
    if let Some(update) = draft {
        form.fill(&update.default_method, &update.phones);
        status.set(i18n.t(keys::INFO_RESTORED));
    }
    let methods = offered_methods(saved.available_methods.as_deref(), i18n);
    let authenticator = saved
        .authenticator_app
        .clone()
        .map(|app| authenticator_said(app, i18n));
    // What Cancel goes back to.
    let current = StoredValue::new(saved);
    let save = save_action(form, current, status);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        status.set(String::new());
        form.message.set(None);
        save.start(form.typed());
    };
    let cancel = move |_| {
        current.with_value(|info| form.fill(&info.default_method, &info.phones));
        status.set(i18n.t(keys::INFO_UNDONE));
    };
    view! {
        <form class="security-form" on:submit=submit novalidate>
            <ErrorLine message=form.message />
            <SelectField
                id="default-method"
                label=i18n.t(keys::INFO_METHOD)
                value=form.method
                options=methods
                error=form.error_for("/default_method")
            />
            {PHONES.map(|phone| view! { <PhoneFieldset phone=phone form=form /> })}
            {authenticator.map(|said| view! { <p class="authenticator">{said}</p> })}
            <div class="form-actions">
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                    {move || if save.pending().get() { i18n.t(keys::COMMON_SAVING) } else { i18n.t(keys::COMMON_SAVE) }}
                </button>
                <button type="button" class="button" on:click=cancel>{i18n.t(keys::COMMON_CANCEL)}</button>
            </div>
            <p class="status-line" role="status">{move || status.get()}</p>
        </form>
    }
}

/// The save request, its result handled here: the form shows what was
/// saved (and `current` becomes it), or what went wrong, with the values
/// as typed.
fn save_action(
    form: Form,
    current: StoredValue<SecurityInfo>,
    status: RwSignal<String>,
) -> Write<SecurityInfoUpdate> {
    let (calls, i18n) = (use_calls(), use_i18n());
    Write::new(move |update: &SecurityInfoUpdate| {
        let (calls, update) = (calls.clone(), update.clone());
        async move {
            match calls.api().update_security_info(&update).await {
                Ok(info) => {
                    form.fill(&info.default_method, &info.phones);
                    current.set_value(info);
                    status.set(i18n.t(keys::INFO_SAVED));
                }
                Err(error) => {
                    if let Failed::Show(error) =
                        calls.failed(error, Some(Draft::SecurityInfo(update)))
                    {
                        form.show_error(&error, i18n);
                    }
                }
            }
        }
    })
}

/// The methods the backend offers (all five when it does not say), as the
/// select lists them: value and label.
fn offered_methods(offered: Option<&[String]>, i18n: I18n) -> Vec<(String, String)> {
    METHODS
        .iter()
        .filter(|(value, _)| offered.is_none_or(|o| o.iter().any(|m| m == value)))
        .map(|(value, label)| ((*value).to_owned(), i18n.t(label)))
        .collect()
}

/// What the form says of the authenticator app.
fn authenticator_said(app: AuthenticatorApp, i18n: I18n) -> String {
    match (app.configured, app.device_name) {
        (true, Some(device)) => i18n.t_with(
            keys::INFO_AUTHENTICATOR_SET_UP_ON,
            &[("device", &i18n.user_text(&device))],
        ),
        (true, None) => i18n.t(keys::INFO_AUTHENTICATOR_SET_UP),
        (false, _) => i18n.t(keys::INFO_AUTHENTICATOR_NOT_SET_UP),
    }
}

/// A field of the form: its element id and its JSON Pointer in the update.
type FieldAt = (&'static str, &'static str);

/// One of the three phones, as the form shows it.
#[derive(Clone, Copy)]
struct PhoneKind {
    /// The key of its legend.
    legend: &'static str,
    /// Its fields in the form.
    fields: fn(&Form) -> PhoneFields,
    country_code: FieldAt,
    number: FieldAt,
    /// The office phone's only.
    extension: Option<FieldAt>,
    /// What password managers may fill into the number.
    number_autocomplete: &'static str,
}

/// A [`PhoneKind`] whose element ids start with `$id` and whose pointers
/// name `$name` in the contract's `phones`.
macro_rules! phone_kind {
    ($legend:expr, $field:ident, $id:literal, $name:literal, $extension:expr, $autocomplete:literal) => {
        PhoneKind {
            legend: $legend,
            fields: |form| form.$field,
            country_code: (
                concat!($id, "-country-code"),
                concat!("/phones/", $name, "/country_code"),
            ),
            number: (
                concat!($id, "-number"),
                concat!("/phones/", $name, "/number"),
            ),
            extension: $extension,
            number_autocomplete: $autocomplete,
        }
    };
}

/// The phones, in the order the form shows them.
const PHONES: [PhoneKind; 3] = [
    phone_kind!(
        keys::INFO_PHONE_AUTHENTICATION,
        authentication,
        "auth",
        "authentication",
        None,
        "tel-national"
    ),
    phone_kind!(
        keys::INFO_PHONE_OFFICE,
        office,
        "office",
        "office",
        Some(("office-extension", "/phones/office/extension")),
        "off"
    ),
    phone_kind!(
        keys::INFO_PHONE_ALTERNATE,
        alternate,
        "alt",
        "alternate",
        None,
        "off"
    ),
];

/// The fields of one phone: country code and number, and the office
/// phone's extension.
#[component]
fn PhoneFieldset(phone: PhoneKind, form: Form) -> impl IntoView {
    let i18n = use_i18n();
    let fields = (phone.fields)(&form);
    let (country_code, country_code_at) = phone.country_code;
    let (number, number_at) = phone.number;
    view! {
        <fieldset class="phone">
            <legend>{i18n.t(phone.legend)}</legend>
            <TextField id=country_code label=i18n.t(keys::INFO_PHONE_COUNTRY_CODE) value=fields.country_code error=form.error_for(country_code_at) inputmode="tel" />
            <TextField
                id=number
                label=i18n.t(keys::INFO_PHONE_NUMBER)
                value=fields.number
                error=form.error_for(number_at)
                input_type="tel"
                autocomplete=phone.number_autocomplete
            />
            {phone.extension.map(|(extension, extension_at)| view! {
                <TextField id=extension label=i18n.t(keys::INFO_PHONE_EXTENSION) value=fields.extension error=form.error_for(extension_at) inputmode="numeric" />
            })}
        </fieldset>
    }
}
