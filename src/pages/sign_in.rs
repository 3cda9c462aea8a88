//! Sign in: login and password, then the second-factor code when the
//! backend asks for one. One line above the form says what went wrong, or
//! that the user has signed out; the focus goes to the field to fix, or to
//! that line when no field is at fault. The languages are at the foot.

use leptos::html;
use leptos::prelude::*;
use leptos_router::hooks::{use_navigate, use_query_map};
use leptos_router::NavigateOptions;

use crate::api::{use_api, ApiError, Credentials, ProblemKind, SecondFactor, Session};
use crate::components::{focus_page_heading, TextField};
use crate::i18n::{keys, use_i18n, I18n};
use crate::pages::sign_in_notice::{Notice, NoticeLine};
use crate::pages::sign_in_providers::{use_sign_in_ways, ProviderButtons};
use crate::pages::used_code;
use crate::session::{safe_return_path, use_session, Arrival};
use crate::shell::LanguageChoices;
use crate::write::Write;

/// Which part of sign-in is on screen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// Login and password, with the field that takes the focus, if any: the
    /// login when the user chose another account, the password when the
    /// login is filled in for them.
    Password {
        focus: Option<Field>,
    },
    Code,
}

/// A field of the password step, in the order of the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    Login = 0,
    Password = 1,
}

/// The sign-in screen. Already signed in, it goes straight on.
#[component]
pub fn SignInPage() -> impl IntoView {
    let (context, i18n) = (use_session(), use_i18n());
    let navigate = use_navigate();
    let query = use_query_map();
    let return_to = Memo::new(move |_| safe_return_path(query.read().get("return").as_deref()));
    // Why the user is here, when the app sent them: the login of a
    // session that ended is filled in, and the password takes the focus.
    let arrival = Arrival::here();
    let ended_login = arrival.as_ref().and_then(Arrival::login).map(str::to_owned);
    let confirm = matches!(arrival, Some(Arrival::Confirm { .. }));
    // A provider's user has no password here: they confirm there.
    let by_provider = matches!(arrival, Some(Arrival::Confirm { provider: true, .. }));
    let focus = ended_login
        .as_ref()
        .filter(|_| !by_provider)
        .map(|_| Field::Password);
    let step = RwSignal::new(Step::Password { focus });
    // Kept across the steps: starting over keeps the login.
    let login = RwSignal::new(ended_login.unwrap_or_default());
    let takes_focus = focus.is_none() && !by_provider;
    let notice = RwSignal::new(arrival.map(|arrival| Notice::on(&arrival, i18n, takes_focus)));
    let on_signed_in = Callback::new(move |session: Session| {
        context.session.set(Some(session));
        navigate(
            &return_to.get_untracked(),
            NavigateOptions {
                replace: true,
                ..Default::default()
            },
        );
        // The focus would be left on the body: a screen reader starts on
        // the heading of the page that came instead.
        focus_page_heading(20);
    });
    let ways = use_sign_in_ways(on_signed_in);
    // A Memo, so that the answer saying what was known (a password is
    // offered) does not build the form again and drop what was typed
    // while it was on its way.
    let password = Memo::new(move |_| {
        !by_provider && ways.with(|ways| ways.as_ref().is_none_or(|ways| ways.password))
    });
    let on_restart = Callback::new(move |()| {
        step.set(Step::Password { focus: None });
        notice.set(Notice::about_form(i18n.t(keys::SIGN_IN_START_AGAIN)));
    });
    let on_other_account = Callback::new(move |()| {
        login.set(String::new());
        notice.set(None);
        step.set(Step::Password {
            focus: Some(Field::Login),
        });
    });
    let on_code_due = Callback::new(move |()| step.set(Step::Code));
    view! {
        <section class="card sign-in" aria-labelledby="sign-in-title">
            <h1 id="sign-in-title">{i18n.t(keys::SIGN_IN_TITLE)}</h1>
            <NoticeLine notice=notice />
            <ProviderButtons ways return_to confirm focus=by_provider />
            {move || match step.get() {
                _ if !password.get() => ().into_any(),
                Step::Password { focus } => view! {
                    <PasswordStep login notice focus on_signed_in on_code_due />
                }
                .into_any(),
                Step::Code => view! {
                    <CodeStep login notice on_signed_in on_restart on_other_account />
                }
                .into_any(),
            }}
            <LanguageChoices />
        </section>
    }
}

/// Login and password.
#[component]
fn PasswordStep(
    login: RwSignal<String>,
    notice: RwSignal<Option<Notice>>,
    /// The field that takes the focus as it appears, if any.
    focus: Option<Field>,
    on_signed_in: Callback<Session>,
    /// Called when the password was right and a second factor is due.
    on_code_due: Callback<()>,
) -> impl IntoView {
    let (api, i18n) = (use_api(), use_i18n());
    let password = RwSignal::new(String::new());
    let (login_input, password_input) = (NodeRef::new(), NodeRef::new());
    if let Some(field) = focus {
        focus_when_shown([login_input, password_input][field as usize]);
    }
    let sign_in = Write::new(move |credentials: &Credentials| {
        let (api, credentials) = (api.clone(), credentials.clone());
        async move {
            match api.sign_in(&credentials).await {
                Ok(session) => {
                    on_signed_in.try_run(session);
                }
                Err(error) if error.kind() == ProblemKind::MfaRequired => {
                    notice.set(None);
                    on_code_due.try_run(());
                }
                // Which of the two was wrong is not said; the password is
                // the likelier.
                Err(error) => {
                    show_failure(&error, keys::SIGN_IN_WRONG, password_input, notice, i18n)
                }
            }
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if sign_in.pending().get_untracked() {
            return;
        }
        let typed = login.get_untracked().trim().to_owned();
        let empty = if typed.is_empty() {
            Some(login_input)
        } else {
            password
                .read_untracked()
                .is_empty()
                .then_some(password_input)
        };
        if let Some(field) = empty {
            notice.set(Notice::about_field(i18n.t(keys::SIGN_IN_MISSING)));
            select(field);
            return;
        }
        notice.set(None);
        sign_in.start(Credentials {
            login: typed,
            password: password.get_untracked(),
        });
    };
    let no_error = Signal::derive(|| None::<String>);
    view! {
        <form on:submit=on_submit novalidate>
            <TextField id="login" label=i18n.t(keys::SIGN_IN_LOGIN) value=login error=no_error autocomplete="username" node_ref=login_input />
            <TextField
                id="password"
                label=i18n.t(keys::SIGN_IN_PASSWORD)
                value=password
                error=no_error
                input_type="password"
                autocomplete="current-password"
                node_ref=password_input
            />
            <SubmitButton busy=sign_in.pending() label=i18n.t(keys::SIGN_IN_SUBMIT) />
        </form>
    }
}

/// The second-factor code, for the account being signed in to, with a way
/// back to sign in to another.
#[component]
fn CodeStep(
    login: RwSignal<String>,
    notice: RwSignal<Option<Notice>>,
    on_signed_in: Callback<Session>,
    /// Called when the half-signed-in state is gone and the user must
    /// enter the password again.
    on_restart: Callback<()>,
    /// Called when the user wants to sign in to another account.
    on_other_account: Callback<()>,
) -> impl IntoView {
    let (api, i18n) = (use_api(), use_i18n());
    let code = RwSignal::new(String::new());
    let input = NodeRef::<html::Input>::new();
    let submit_code = Write::new(move |code: &SecondFactor| {
        let (api, code) = (api.clone(), code.clone());
        async move {
            match api.submit_code(&code).await {
                Ok(session) => {
                    used_code::remember(&code.code);
                    on_signed_in.try_run(session);
                }
                Err(error) if error.is_session_expired() => {
                    on_restart.try_run(());
                }
                Err(error) => {
                    let wrong = if used_code::is_recent(&code.code) {
                        keys::SIGN_IN_CODE_USED
                    } else {
                        keys::SIGN_IN_WRONG_CODE
                    };
                    show_failure(&error, wrong, input, notice, i18n)
                }
            }
        }
    });
    // The cursor is in the code field as soon as it appears.
    focus_when_shown(input);
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
            notice.set(Notice::about_field(i18n.t(keys::SIGN_IN_CODE_FORMAT)));
            select(input);
            return;
        }
        notice.set(None);
        submit_code.start(SecondFactor { code: typed });
    };
    let (before, after) = i18n.around(keys::SIGN_IN_AS, "login");
    view! {
        <p class="signing-in-as">{before}<strong>{i18n.user_text(&login.get_untracked())}</strong>{after}</p>
        <form on:submit=on_submit novalidate>
            <TextField
                id="code"
                label=i18n.t(keys::SIGN_IN_CODE)
                hint=i18n.t(keys::SIGN_IN_CODE_PROMPT)
                value=code
                error=Signal::derive(|| None::<String>)
                autocomplete="one-time-code"
                inputmode="numeric"
                node_ref=input
            />
            <SubmitButton busy=submit_code.pending() label=i18n.t(keys::SIGN_IN_VERIFY) />
        </form>
        <button type="button" class="button-link" id="other-account" on:click=move |_| on_other_account.run(())>
            {i18n.t(keys::SIGN_IN_OTHER_ACCOUNT)}
        </button>
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

/// Says why a step failed. When the backend refused what was typed in
/// `field` (a wrong password or code), says `wrong` and gives the field
/// the focus, its text selected so that typing replaces it; otherwise
/// says what went wrong, never whether the login exists, on the line,
/// which takes the focus.
fn show_failure(
    error: &ApiError,
    wrong: &str,
    field: NodeRef<html::Input>,
    notice: RwSignal<Option<Notice>>,
    i18n: I18n,
) {
    if matches!(
        error.kind(),
        ProblemKind::InvalidCredentials | ProblemKind::InvalidCode
    ) {
        notice.set(Notice::about_field(i18n.t(wrong)));
        select(field);
    } else {
        notice.set(
            Notice::about_form(error.message(&i18n)).map(|notice| Notice {
                help: error.status() == Some(429),
                ..notice
            }),
        );
    }
}

/// Gives `field` the focus as soon as it appears.
fn focus_when_shown(field: NodeRef<html::Input>) {
    field.on_load(|input| {
        let _ = input.focus();
    });
}

/// Gives `field` the focus with its text selected, so that typing
/// replaces it.
fn select(field: NodeRef<html::Input>) {
    if let Some(input) = field.get_untracked() {
        let _ = input.focus();
        input.select();
    }
}
