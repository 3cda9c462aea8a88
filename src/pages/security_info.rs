//! The "Additional security verification" tab: the preferred way to verify
//! and the phone numbers, with Save and Cancel.

use leptos::prelude::*;

use crate::api::{
    ApiError, FieldError, Phone, Phones, ProblemKind, SecurityInfo, SecurityInfoUpdate,
};
use crate::components::{ErrorLine, ErrorNotice, TextField};
use crate::drafts::Draft;
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::{use_api, use_kept_draft, use_session_expired};

/// The five options, with the keys of their labels (the seed's words).
const METHODS: [(&str, &str); 5] = [
    ("app_notification", keys::INFO_METHOD_APP_NOTIFICATION),
    ("app_code", keys::INFO_METHOD_APP_CODE),
    ("sms", keys::INFO_METHOD_SMS),
    ("call_mobile", keys::INFO_METHOD_CALL_MOBILE),
    ("call_office", keys::INFO_METHOD_CALL_OFFICE),
];

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

/// Shows and edits the verification settings.
#[component]
pub fn SecurityInfoPanel() -> impl IntoView {
    let i18n = use_i18n();
    let api = use_api();
    let on_expired = use_session_expired();
    let loaded = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.security_info().await }
        }
    });
    let method = RwSignal::new(String::new());
    let phones = [PhoneFields::new(), PhoneFields::new(), PhoneFields::new()];
    let [authentication, office, alternate] = phones;
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let message = RwSignal::new(None::<String>);
    let status = RwSignal::new(String::new());
    let current = RwSignal::new(None::<SecurityInfo>);

    let fill = move |default_method: &str, phones: &Phones| {
        method.set(default_method.to_owned());
        authentication.load(phones.authentication.as_ref());
        office.load(phones.office.as_ref());
        alternate.load(phones.alternate.as_ref());
        errors.set(Vec::new());
        message.set(None);
    };
    // The form as typed.
    let typed = move || SecurityInfoUpdate {
        default_method: method.get_untracked(),
        phones: Phones {
            authentication: authentication.read(),
            office: office.read(),
            alternate: alternate.read(),
        },
    };
    // Changes interrupted by an ended session come back over what is saved,
    // once; the draft may come after the saved settings (use_kept_draft).
    let draft = use_kept_draft(|draft| matches!(draft, Draft::SecurityInfo(_)));
    Effect::new({
        let on_expired = on_expired.clone();
        move |restored: Option<bool>| {
            let restored = restored.unwrap_or(false);
            let draft = draft.get();
            match loaded.get() {
                Some(Ok(info)) => {
                    fill(&info.default_method, &info.phones);
                    current.set(Some(info));
                    match draft {
                        Some(Draft::SecurityInfo(update)) if !restored => {
                            fill(&update.default_method, &update.phones);
                            status.set(i18n.t(keys::INFO_RESTORED));
                            true
                        }
                        _ => restored,
                    }
                }
                Some(Err(error)) => {
                    on_expired(&error, None);
                    restored
                }
                None => restored,
            }
        }
    });

    let save = Action::new_local(move |update: &SecurityInfoUpdate| {
        let (api, update) = (api.clone(), update.clone());
        async move { api.update_security_info(&update).await }
    });
    Effect::new(move || match save.value().get() {
        Some(Ok(info)) => {
            fill(&info.default_method, &info.phones);
            current.set(Some(info));
            status.set(i18n.t(keys::INFO_SAVED));
        }
        Some(Err(error)) => {
            let draft = Draft::SecurityInfo(typed());
            if !on_expired(&error, Some(draft)) {
                show_save_error(&error, errors, message, i18n);
            }
        }
        None => {}
    });
    let error_for = move |pointer: &'static str| {
        Signal::derive(move || {
            errors
                .read()
                .iter()
                .find(|e| e.pointer == pointer)
                .map(|e| e.detail.clone())
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if save.pending().get_untracked() {
            return;
        }
        status.set(String::new());
        message.set(None);
        save.dispatch(typed());
    };
    let cancel = move |_| {
        if let Some(info) = current.get_untracked() {
            fill(&info.default_method, &info.phones);
            status.set(i18n.t(keys::INFO_UNDONE));
        }
    };
    let method_error = error_for("/default_method");

    view! {
        <h2 id="security-info-title">{i18n.t(keys::SECURITY_TAB_VERIFICATION)}</h2>
        <p class="muted">{i18n.t(keys::INFO_INTRO)}</p>
        <Transition fallback=move || view! { <p class="loading" role="status">{i18n.t(keys::INFO_LOADING)}</p> }>
            {move || loaded.get().map(|result| match result {
                Err(error) => view! { <ErrorNotice error=error on_retry=Callback::new(move |()| loaded.refetch()) /> }.into_any(),
                Ok(info) => {
                    let offered = info.available_methods.clone();
                    let authenticator = info.authenticator_app.clone();
                    view! {
                        <form class="security-form" on:submit=submit novalidate>
                            <ErrorLine message=message />
                            <div class="field" class:field-invalid=move || method_error.get().is_some()>
                                <label for="default-method">{i18n.t(keys::INFO_METHOD)}</label>
                                <select
                                    id="default-method"
                                    aria-describedby="default-method-error"
                                    aria-invalid=move || method_error.get().is_some().then_some("true")
                                    prop:value=move || method.get()
                                    on:change=move |ev| method.set(event_target_value(&ev))
                                >
                                    {METHODS
                                        .iter()
                                        .filter(|(value, _)| offered.as_ref().is_none_or(|o| o.iter().any(|m| m == value)))
                                        .map(|(value, label)| view! {
                                            <option value=*value selected=move || method.get() == *value>{i18n.t(label)}</option>
                                        })
                                        .collect_view()}
                                </select>
                                <p class="field-error" id="default-method-error" hidden=move || method_error.get().is_none()>
                                    {move || method_error.get()}
                                </p>
                            </div>
                            <fieldset class="phone">
                                <legend>{i18n.t(keys::INFO_PHONE_AUTHENTICATION)}</legend>
                                <TextField id="auth-country-code" label=i18n.t(keys::INFO_PHONE_COUNTRY_CODE) value=authentication.country_code error=error_for("/phones/authentication/country_code") inputmode="tel" />
                                <TextField id="auth-number" label=i18n.t(keys::INFO_PHONE_NUMBER) value=authentication.number error=error_for("/phones/authentication/number") input_type="tel" autocomplete="tel-national" />
                            </fieldset>
                            <fieldset class="phone">
                                <legend>{i18n.t(keys::INFO_PHONE_OFFICE)}</legend>
                                <TextField id="office-country-code" label=i18n.t(keys::INFO_PHONE_COUNTRY_CODE) value=office.country_code error=error_for("/phones/office/country_code") inputmode="tel" />
                                <TextField id="office-number" label=i18n.t(keys::INFO_PHONE_NUMBER) value=office.number error=error_for("/phones/office/number") input_type="tel" />
                                <TextField id="office-extension" label=i18n.t(keys::INFO_PHONE_EXTENSION) value=office.extension error=error_for("/phones/office/extension") inputmode="numeric" />
                            </fieldset>
                            <fieldset class="phone">
                                <legend>{i18n.t(keys::INFO_PHONE_ALTERNATE)}</legend>
                                <TextField id="alt-country-code" label=i18n.t(keys::INFO_PHONE_COUNTRY_CODE) value=alternate.country_code error=error_for("/phones/alternate/country_code") inputmode="tel" />
                                <TextField id="alt-number" label=i18n.t(keys::INFO_PHONE_NUMBER) value=alternate.number error=error_for("/phones/alternate/number") input_type="tel" />
                            </fieldset>
                            {authenticator.map(|app| {
                                let said = match (app.configured, app.device_name) {
                                    (true, Some(device)) => i18n.t_with(keys::INFO_AUTHENTICATOR_SET_UP_ON, &[("device", &i18n.user_text(&device))]),
                                    (true, None) => i18n.t(keys::INFO_AUTHENTICATOR_SET_UP),
                                    (false, _) => i18n.t(keys::INFO_AUTHENTICATOR_NOT_SET_UP),
                                };
                                view! { <p class="authenticator">{said}</p> }
                            })}
                            <div class="form-actions">
                                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>
                                    {move || if save.pending().get() { i18n.t(keys::COMMON_SAVING) } else { i18n.t(keys::COMMON_SAVE) }}
                                </button>
                                <button type="button" class="button" on:click=cancel>{i18n.t(keys::COMMON_CANCEL)}</button>
                            </div>
                            <p class="status-line" role="status">{move || status.get()}</p>
                        </form>
                    }
                    .into_any()
                }
            })}
        </Transition>
    }
}

/// Shows a failed save: each field's message next to it, or what went
/// wrong above the form; the values stay as typed.
fn show_save_error(
    error: &ApiError,
    errors: RwSignal<Vec<FieldError>>,
    message: RwSignal<Option<String>>,
    i18n: I18n,
) {
    match error {
        ApiError::Problem(problem)
            if problem.kind == ProblemKind::ValidationFailed && !problem.errors.is_empty() =>
        {
            errors.set(problem.errors.clone());
            message.set(Some(i18n.t(keys::INFO_CHECK_FIELDS)));
        }
        _ => message.set(Some(
            i18n.t_with(keys::INFO_NOT_SAVED, &[("error", &error.message(&i18n))]),
        )),
    }
}
