//! Sign in: login and password, then the second-factor code when the
//! backend asks for one.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{ApiError, Credentials, ProblemKind, SecondFactor, Session};
use crate::components::{ErrorLine, TextField};
use crate::i18n::{keys, use_i18n, I18n};
use crate::session::{safe_return_path, use_api, use_session};

/// Which part of sign-in is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Password,
    Code,
}

/// The sign-in screen. Already signed in, it goes straight on.
#[component]
pub fn SignInPage() -> impl IntoView {
    let api = use_api();
    let context = use_session();
    let navigate = use_navigate();
    let query = use_query_map();
    let return_to = Memo::new(move |_| safe_return_path(query.read().get("return").as_deref()));

    let step = RwSignal::new(Step::Password);
    let login = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let message = RwSignal::new(None::<String>);
    let code_input = NodeRef::<html::Input>::new();
    let i18n = use_i18n();

    let finish = move |session: Session| {
        context.session.set(Some(session));
        navigate(
            &return_to.get_untracked(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
    };

    // Skip the form for someone who is signed in already.
    let existing = LocalResource::new({
        let api = api.clone();
        move || {
            let api = api.clone();
            async move { api.session().await.ok() }
        }
    });
    Effect::new({
        let finish = finish.clone();
        move || {
            if let Some(Some(session)) = existing.get() {
                finish(session);
            }
        }
    });

    let sign_in = Action::new_local({
        let api = api.clone();
        move |credentials: &Credentials| {
            let api = api.clone();
            let credentials = credentials.clone();
            async move { api.sign_in(&credentials).await }
        }
    });
    let submit_code = Action::new_local(move |code: &SecondFactor| {
        let api = api.clone();
        let code = code.clone();
        async move { api.submit_code(&code).await }
    });

    Effect::new({
        let finish = finish.clone();
        move || match sign_in.value().get() {
            Some(Ok(session)) => finish(session),
            Some(Err(error)) if error.kind() == ProblemKind::MfaRequired => {
                message.set(None);
                step.set(Step::Code);
            }
            Some(Err(error)) => message.set(Some(sign_in_message(&error, &i18n))),
            None => {}
        }
    });
    Effect::new(move || match submit_code.value().get() {
        Some(Ok(session)) => finish(session),
        Some(Err(error)) if error.is_session_expired() => {
            // The half-signed-in state is gone: start over, keeping the login.
            code.set(String::new());
            password.set(String::new());
            step.set(Step::Password);
            message.set(Some(i18n.t(keys::SIGN_IN_START_AGAIN)));
        }
        Some(Err(error)) => message.set(Some(sign_in_message(&error, &i18n))),
        None => {}
    });
    // Put the cursor in the code field as soon as it appears.
    Effect::new(move || {
        if step.get() == Step::Code {
            if let Some(input) = code_input.get() {
                let _ = input.focus();
            }
        }
    });

    let busy = Signal::derive(move || sign_in.pending().get() || submit_code.pending().get());
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        match step.get_untracked() {
            Step::Password => {
                if login.get_untracked().trim().is_empty() || password.get_untracked().is_empty() {
                    message.set(Some(i18n.t(keys::SIGN_IN_MISSING)));
                    return;
                }
                message.set(None);
                sign_in.dispatch(Credentials {
                    login: login.get_untracked().trim().to_owned(),
                    password: password.get_untracked(),
                });
            }
            Step::Code => {
                let typed: String = code
                    .get_untracked()
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .collect();
                if typed.len() != 6 || !typed.chars().all(|c| c.is_ascii_digit()) {
                    message.set(Some(i18n.t(keys::SIGN_IN_CODE_PROMPT)));
                    return;
                }
                message.set(None);
                submit_code.dispatch(SecondFactor { code: typed });
            }
        }
    };
    let no_error = Signal::derive(|| None::<String>);

    view! {
        <section class="card sign-in" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{i18n.t(keys::SIGN_IN_TITLE)}</h1>
            <form on:submit=on_submit novalidate>
                <ErrorLine message=message />
                <Show
                    when=move || step.get() == Step::Password
                    fallback=move || {
                        view! {
                            <p>{i18n.t(keys::SIGN_IN_CODE_PROMPT)}</p>
                            <TextField
                                id="code"
                                label=i18n.t(keys::SIGN_IN_CODE)
                                value=code
                                error=no_error
                                autocomplete="one-time-code"
                                inputmode="numeric"
                                node_ref=code_input
                            />
                        }
                    }
                >
                    <TextField id="login" label=i18n.t(keys::SIGN_IN_LOGIN) value=login error=no_error autocomplete="username" />
                    <TextField
                        id="password"
                        label=i18n.t(keys::SIGN_IN_PASSWORD)
                        value=password
                        error=no_error
                        input_type="password"
                        autocomplete="current-password"
                    />
                </Show>
                <button type="submit" class="button button-primary" disabled=move || busy.get()>
                    {move || match (step.get(), busy.get()) {
                        (_, true) => i18n.t(keys::SIGN_IN_BUSY),
                        (Step::Password, false) => i18n.t(keys::SIGN_IN_SUBMIT),
                        (Step::Code, false) => i18n.t(keys::SIGN_IN_VERIFY),
                    }}
                </button>
            </form>
        </section>
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
