//! What a user does: types, clicks, presses keys, picks, signs in and
//! out, creates an app password and copies it.

use std::time::Duration;

use super::super::TestUser;
use super::{poll, Browser};

impl Browser {
    /// Types `text` into the field matching `css`.
    pub async fn type_into(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.expect("clear field");
        field.send_keys(text).await.expect("type into field");
    }

    /// Clicks the element matching `css`. An element that the page drew
    /// anew between finding and clicking (a stale reference) is found again
    /// once: a person would click what is there.
    pub async fn click(&self, css: &str) {
        let clicked = self.find(css).await.click().await;
        match clicked {
            Err(e) if e.to_string().contains("stale element") => self.find(css).await.click().await,
            other => other,
        }
        .unwrap_or_else(|e| panic!("click {css:?}: {e}"));
    }

    /// Presses `key` (a character, or a special key such as
    /// `Key::Tab.into()`) as a keyboard would, on whatever has focus.
    pub async fn press(&self, key: char) {
        self.press_keys(&[], key).await;
    }

    /// Presses `key` while holding Shift.
    pub async fn press_shifted(&self, key: char) {
        self.press_keys(&[fantoccini::key::Key::Shift.into()], key)
            .await;
    }

    async fn press_keys(&self, held: &[char], key: char) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut keys = KeyActions::new("keyboard".into());
        for modifier in held {
            keys = keys.then(KeyAction::Down { value: *modifier });
        }
        keys = keys
            .then(KeyAction::Down { value: key })
            .then(KeyAction::Up { value: key });
        for modifier in held.iter().rev() {
            keys = keys.then(KeyAction::Up { value: *modifier });
        }
        self.client.perform_actions(keys).await.expect("press keys");
    }

    /// Types `text` into whatever has focus.
    pub async fn type_here(&self, text: &str) {
        self.client
            .active_element()
            .await
            .expect("a focused element")
            .send_keys(text)
            .await
            .expect("type");
    }

    /// Gives the first element matching `css` the focus, as the keyboard
    /// would reach it, so that the next key goes to it.
    pub async fn focus_first(&self, css: &str) {
        self.find(css).await;
        self.client
            .execute(
                "document.querySelector(arguments[0]).focus()",
                vec![css.into()],
            )
            .await
            .expect("focus an element");
    }

    /// Chooses the option with `value` in the `<select>` matching `css`, as
    /// a person would (the page hears `change`).
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("choose {value:?} in {css:?}: {e}"));
    }

    /// Sets the value of the `<select>` or `<input>` matching `css` as a
    /// user's pick would (date inputs take keys in the browser's own
    /// order), and tells the page.
    pub async fn set_value(&self, css: &str, value: &str) {
        self.find(css).await;
        self.client
            .execute(
                "const field = document.querySelector(arguments[0]); field.value = arguments[1];\
                 field.dispatchEvent(new Event('input', {bubbles: true}));\
                 field.dispatchEvent(new Event('change', {bubbles: true}));",
                vec![css.into(), value.into()],
            )
            .await
            .expect("set a field's value");
    }

    /// Signs in as `user` on the sign-in screen that is showing.
    pub async fn sign_in(&self, user: &TestUser) {
        self.type_into("#login", user.login).await;
        self.type_into("#password", user.password).await;
        self.click("button[type=submit]").await;
        if user.totp_secret.is_some() {
            self.find("#code").await;
            self.type_into("#code", &user.current_code()).await;
            self.click("button[type=submit]").await;
        }
    }

    /// Signs in again after the session ended, with the login the app
    /// filled in: the password alone.
    pub async fn sign_in_again(&self, user: &TestUser) {
        assert_eq!(self.value_of("#login").await, user.login, "login filled in");
        self.type_into("#password", user.password).await;
        self.click("button[type=submit]").await;
    }

    /// Signs out through the settings menu.
    pub async fn sign_out(&self) {
        self.click("button[aria-haspopup=menu]").await;
        self.click("[role=menu] button[role=menuitem]").await;
    }

    /// Picks the theme `label` (System, Light, Dark) in the settings menu,
    /// opening it first if it is closed.
    pub async fn choose_theme(&self, label: &str) {
        if self
            .script("return document.querySelector('[role=menu]') === null")
            .await
            == true
        {
            self.click("button[aria-haspopup=menu]").await;
        }
        self.find("[role=menu]").await;
        // The themes are the menu's choices without a language of their own.
        let chosen = self
            .client
            .execute(
                "const item = [...document.querySelectorAll('[role=menuitemradio]:not([lang])')]
                     .find(i => i.textContent.trim() === arguments[0]);
                 if (item) { item.click(); return true; }
                 return false;",
                vec![label.into()],
            )
            .await
            .expect("choose a theme");
        assert_eq!(chosen, true, "no theme {label:?} in the menu");
    }

    /// Opens the Create dialog and types `name`, without sending it.
    pub async fn start_create(&self, name: &str) {
        self.click("#create").await;
        self.type_into("#app-password-name", name).await;
    }

    /// Creates an app password named `name` through the Create dialog and
    /// closes it with Done (and "Close anyway", as nothing was copied);
    /// returns the password it showed.
    pub async fn create_app_password(&self, name: &str) -> String {
        let password = self.create_app_password_and_stay(name).await;
        self.close_created().await;
        password
    }

    /// Creates an app password named `name` through the Create dialog and
    /// leaves its password on screen; returns it.
    pub async fn create_app_password_and_stay(&self, name: &str) -> String {
        self.start_create(name).await;
        self.click(".ap-root dialog button[type=submit]").await;
        self.shown_password().await
    }

    /// Closes the password step with Done, and with "Close anyway" when it
    /// asks (nothing of the password was copied, read out or selected).
    pub async fn close_created(&self) {
        self.click("#done").await;
        let asked = poll(Duration::from_millis(50), async || {
            let state = self
                .script(
                    "return document.getElementById('close-anyway') ? 'asked'
                         : document.getElementById('done') ? 'open' : 'closed'",
                )
                .await;
            match state.as_str() {
                Some("asked") => Some(true),
                Some("closed") => Some(false),
                _ => None,
            }
        })
        .await
        .unwrap_or_else(|| panic!("Done neither closed nor asked"));
        if asked {
            self.click("#close-anyway").await;
        }
    }

    /// Selects Copy on the password step of Create, waits until it says
    /// Copied, and returns what the clipboard then holds, as a user's
    /// paste would get it (after [`Browser::grant_clipboard`]).
    pub async fn copy_password(&self) -> String {
        self.click("#copy-password").await;
        self.wait_for_text("#copy-password", "Copied").await;
        let clipboard = self
            .script_async("navigator.clipboard.readText().then(done, e => done('refused: ' + e))")
            .await;
        clipboard.as_str().unwrap_or_default().to_owned()
    }

    /// Clicks the button labelled `label` in the row named `name`.
    pub async fn click_in_row(&self, name: &str, label: &str) {
        let clicked = self
            .client
            .execute(
                "const [name, label] = arguments;
                 const row = [...document.querySelectorAll('.app-password-row')]
                     .find(r => r.querySelector('.name').textContent === name);
                 const button = row && [...row.querySelectorAll('button')].find(b => b.textContent.trim() === label);
                 if (button) { button.click(); return true; }
                 return false;",
                vec![name.into(), label.into()],
            )
            .await
            .expect("run script");
        assert_eq!(clicked, true, "no {label:?} button in the row {name:?}");
    }

    /// Saves `url` (such as a `blob:` address) as `name` through a link the
    /// person clicks, in the open dialog or else the page. A download is the
    /// one way to read a `blob:` address that the strict CSP allows.
    pub async fn download_link(&self, url: &str, name: &str) {
        self.client
            .execute(
                "const [url, name] = arguments;
                 const a = document.createElement('a');
                 Object.assign(a, { id: 'download-probe', href: url, download: name, textContent: name });
                 (document.querySelector('dialog[open]') || document.body).append(a);",
                vec![url.into(), name.into()],
            )
            .await
            .expect("add a link");
        self.click("#download-probe").await;
        self.script("document.getElementById('download-probe').remove()")
            .await;
    }
}
