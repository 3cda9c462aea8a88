//! What a test sets around the user, through chromedriver and DevTools:
//! the window's size, media features, the network, clipboard permission,
//! the user agent, where downloads go, and a session ended elsewhere.

use serde_json::json;

use super::super::webdriver::SessionPost;
use super::Browser;

impl Browser {
    /// Sets a media feature for the page, e.g. `prefers-color-scheme` to
    /// `dark` (DevTools' emulation, through chromedriver).
    pub async fn emulate_media(&self, feature: &str, value: &str) {
        self.cdp(
            "Emulation.setEmulatedMedia",
            json!({ "features": [{ "name": feature, "value": value }] }),
        )
        .await;
    }

    /// Makes the page `width` CSS pixels wide (800 high).
    pub async fn set_width(&self, width: u32) {
        self.client
            .set_window_size(width, 800)
            .await
            .expect("resize the window");
        self.wait_for_script("return String(window.innerWidth)", &width.to_string())
            .await;
    }

    /// Makes the page `width` by `height` CSS pixels, as a phone's screen
    /// (390 by 844) or a laptop's.
    pub async fn set_size(&self, width: u32, height: u32) {
        // The window's size counts the browser's own bars: set it, see what
        // the page got, and add the difference.
        self.client
            .set_window_size(width, height)
            .await
            .expect("resize the window");
        let inner = self
            .script("return [window.innerWidth, window.innerHeight]")
            .await;
        let grow = |i: usize, wanted: u32| {
            let got = inner[i].as_u64().unwrap_or(u64::from(wanted));
            wanted + u32::try_from(u64::from(wanted).saturating_sub(got)).unwrap_or(0)
        };
        self.client
            .set_window_size(grow(0, width), grow(1, height))
            .await
            .expect("resize the window");
        self.wait_for_script(
            "return window.innerWidth + 'x' + window.innerHeight",
            &format!("{width}x{height}"),
        )
        .await;
    }

    /// Takes the browser off the network, or back on (chromedriver's
    /// network conditions).
    pub async fn set_offline(&self, offline: bool) {
        self.client
            .issue_cmd(SessionPost::network(offline))
            .await
            .expect("set the network conditions");
    }

    /// Lets the page read and write the clipboard (W3C Set Permission).
    pub async fn grant_clipboard(&self) {
        self.clipboard_permission("granted").await;
    }

    /// Refuses the page the clipboard, as a browser does on plain HTTP or
    /// when the user said no.
    pub async fn deny_clipboard(&self) {
        self.clipboard_permission("denied").await;
    }

    async fn clipboard_permission(&self, state: &str) {
        for name in ["clipboard-read", "clipboard-write"] {
            self.client
                .issue_cmd(SessionPost::permission(name, state))
                .await
                .expect("set the clipboard permission");
        }
    }

    /// With `on`, a touch screen as the page's main pointer
    /// (`pointer: coarse`), as on a phone (DevTools' touch emulation,
    /// through chromedriver); without, the mouse again.
    pub async fn emulate_touch(&self, on: bool) {
        self.cdp(
            "Emulation.setTouchEmulationEnabled",
            json!({ "enabled": on, "maxTouchPoints": 5 }),
        )
        .await;
    }

    /// Makes the browser name itself `user_agent` (`navigator.userAgent`
    /// and the header), as an iPhone's Safari or an Android phone's
    /// Chrome would, from the next page load on (DevTools' emulation,
    /// through chromedriver).
    pub async fn pretend_to_be(&self, user_agent: &str) {
        self.cdp(
            "Emulation.setUserAgentOverride",
            json!({ "userAgent": user_agent }),
        )
        .await;
    }

    /// Saves the page's downloads in `folder` (DevTools, through
    /// chromedriver).
    pub async fn download_into(&self, folder: &std::path::Path) {
        self.cdp(
            "Browser.setDownloadBehavior",
            json!({ "behavior": "allow", "downloadPath": folder.to_string_lossy() }),
        )
        .await;
    }

    /// Ends the page's session on the server, as an expiry or a sign-out
    /// elsewhere would, without the page knowing.
    pub async fn end_session_on_server(&self) {
        let ended = self
            .script_async(
                "fetch('/api/v1/session').then(r => r.json()).then(s =>
                     fetch('/api/v1/session', { method: 'DELETE', headers: { 'X-CSRF-Token': s.csrf_token } }))
                 .then(r => done(r.status))",
            )
            .await;
        assert_eq!(ended, 204, "the session ended on the server");
    }

    /// Ends the session on the server, then clicks `css` (a submit, a
    /// tab): the app finds out and goes to sign-in, to come back to
    /// `return_to` afterwards.
    pub async fn click_after_the_session_ends(&self, css: &str, return_to: &str) {
        self.end_session_on_server().await;
        self.click(css).await;
        self.wait_for_path(&format!("/sign-in?return={return_to}"))
            .await;
    }

    /// Ends the session on the server while a password shows, then brings
    /// the tab back to the front (a `focus`): the app finds out and goes
    /// to sign-in, to come back to the App passwords tab.
    pub async fn end_session_while_password_shows(&self) {
        self.end_session_on_server().await;
        self.script("window.dispatchEvent(new Event('focus'))")
            .await;
        self.wait_for_path("/sign-in?return=/app-passwords").await;
    }
}
