//! Sign in: login and password, then the second-factor code when the
//! backend asks for one.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{use_api, ApiError, Credentials, ProblemKind, SecondFactor, Session};
use crate::components::{ErrorLine, TextField};
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::{safe_return_path, use_session};

/// Which part of sign-in is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    Code,
}

/// The sign-in screen. Already signed in, it goes straight on.
#[component]
pub fn SignInPage() -> impl IntoView {
    let (api, context, i18n) = (use_api(), use_session(), use_i18n());
    let navigate = use_navigate();
    let query = use_query_map();
    let return_to = Memo::new(move |_| safe_return_path(query.read().get("return").as_deref()));
    let step = RwSignal::new(Step::Password);
    // Kept across the steps: starting over keeps the login.
    let login = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let on_signed_in = Callback::new(move |session: Session| {
        context.session.set(Some(session));
        navigate(
            &return_to.get_untracked(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    });
    // Someone signed in already skips the form.
    Action::new_local(move |(): &()| {
        let api = api.clone();
        async move {
            if let Ok(session) = api.session().await {
                on_signed_in.try_run(session);
            }
        }
    })
    .dispatch(());
    let on_restart = Callback::new(move |()| {
        step.set(Step::Password);
        message.set(Some(i18n.t(keys::SIGN_IN_START_AGAIN)));
    });
    view! {
        <section class="card sign-in" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{i18n.t(keys::SIGN_IN_TITLE)}</h1>
            {move || match step.get() {
                Step::Password => view! {
                    <PasswordStep
                        login=login
                        message=message
                        on_signed_in=on_signed_in
                        on_code_due=Callback::new(move |()| step.set(Step::Code))
                    />
                }
                .into_any(),
                Step::Code => view! { <CodeStep message=message on_signed_in=on_signed_in on_restart=on_restart /> }.into_any(),
            }}
        </section>
    }
}

/// Login and password.
#[component]
fn PasswordStep(
    login: RwSignal<String>,
    message: RwSignal<Option<String>>,
    on_signed_in: Callback<Session>,
    /// Called when the password was right and a second factor is due.
    on_code_due: Callback<()>,
) -> impl IntoView {
    let (api, i18n) = (use_api(), use_i18n());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new_local(move |credentials: &Credentials| {
        let (api, credentials) = (api.clone(), credentials.clone());
        async move {
            match api.sign_in(&credentials).await {
                Ok(session) => {
                    on_signed_in.try_run(session);
                }
                Err(error) if error.kind() == ProblemKind::MfaRequired => {
                    message.set(None);
                    on_code_due.try_run(());
                }
                Err(error) => message.set(Some(sign_in_message(&error, &i18n))),
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let typed = login.get_untracked().trim().to_owned();
        if typed.is_empty() || password.read_untracked().is_empty() {
            message.set(Some(i18n.t(keys::SIGN_IN_MISSING)));
            return;
        }
        message.set(None);
        sign_in.dispatch(Credentials {
            login: typed,
            password: password.get_untracked(),
        });
    };
    let no_error = Signal::derive(|| None::<String>);
    view! {
        <form on:submit=on_submit novalidate>
            <ErrorLine message=message />
            <TextField id="login" label=i18n.t(keys::SIGN_IN_LOGIN) value=login error=no_error autocomplete="username" />
            <TextField
                id="password"
                label=i18n.t(keys::SIGN_IN_PASSWORD)
                value=password
                error=no_error
                input_type="password"
                autocomplete="current-password"
            />
            <SubmitButton busy=sign_in.pending().into() label=i18n.t(keys::SIGN_IN_SUBMIT) />
        </form>
    }
}

/// The second-factor code.
#[component]
fn CodeStep(
    message: RwSignal<Option<String>>,
    on_signed_in: Callback<Session>,
    /// Called when the half-signed-in state is gone and the user must
    /// enter the password again.
    on_restart: Callback<()>,
) -> impl IntoView {
    let (api, i18n) = (use_api(), use_i18n());
    let code = RwSignal::new(String::new());
    let submit_code = Action::new_local(move |code: &SecondFactor| {
        let (api, code) = (api.clone(), code.clone());
        async move {
            match api.submit_code(&code).await {
                Ok(session) => {
                    on_signed_in.try_run(session);
                }
                Err(error) if error.is_session_expired() => {
                    on_restart.try_run(());
                }
                Err(error) => message.set(Some(sign_in_message(&error, &i18n))),
            }
        }
    });
    let input = NodeRef::<html::Input>::new();
    // The cursor is in the code field as soon as it appears.
    input.on_load(|input| {
        let _ = input.focus();
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if submit_code.pending().get_untracked() {
            return;
        }
        let typed: String = code
            .read_untracked()
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        if typed.len() != 6 || !typed.chars().all(|c| c.is_ascii_digit()) {
            message.set(Some(i18n.t(keys::SIGN_IN_CODE_PROMPT)));
            return;
        }
        message.set(None);
        submit_code.dispatch(SecondFactor { code: typed });
    };
    view! {
        <form on:submit=on_submit novalidate>
            <ErrorLine message=message />
            <p>{i18n.t(keys::SIGN_IN_CODE_PROMPT)}</p>
            <TextField
                id="code"
                label=i18n.t(keys::SIGN_IN_CODE)
                value=code
                error=Signal::derive(|| None::<String>)
                autocomplete="one-time-code"
                inputmode="numeric"
                node_ref=input
            />
            <SubmitButton busy=submit_code.pending().into() label=i18n.t(keys::SIGN_IN_VERIFY) />
        </form>
    }
}

/// A step's submit button, which says so while the request is under way.
#[component]
fn SubmitButton(busy: Signal<bool>, label: String) -> impl IntoView {
    let busy_label = use_i18n().t(keys::SIGN_IN_BUSY);
    view! {
        <button type="submit" class="button button-primary" disabled=move || busy.get()>
            {move || if busy.get() { busy_label.clone() } else { label.clone() }}
        </button>
    }
}

/// What to tell the user when sign-in fails; never says whether the login exists.
fn sign_in_message(error: &ApiError, i18n: &I18n) -> String {
    match error.kind() {
        ProblemKind::InvalidCredentials => i18n.t(keys::SIGN_IN_WRONG),
        ProblemKind::InvalidCode => i18n.t(keys::SIGN_IN_WRONG_CODE),
        _ => error.message(i18n),
    }
}
