//! Create, finished: the one-time password is hard to lose (Back, reload,
//! leaving and Done without copying never drop it unasked), and "Set up a
//! device" gives each mail client its steps with the operator's values and
//! Apple devices a configuration profile that holds exactly what was shown,
//! starting on the device the browser names; where the page says to ask the
//! administrator, it says how to reach IT.
//! Needs `scripts/test.sh` to have built the app and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use axum::http::Method;
use serde_json::{json, Value};
use support::faults::{Fault, FaultyFront};
use support::{Browser, TestServer, GRACE, PATIENCE};

/// The services of an operator's `app-config.json`.
const SERVICES: &str = r#"{
    "imap_host": "imap.example.test", "imap_port": 993, "imap_security": "tls",
    "smtp_host": "smtp.example.test", "smtp_port": 587, "smtp_security": "starttls",
    "dav_url": "https://dav.example.test/remote.php/dav/",
    "help_url": "https://help.example.test/app-passwords"
}"#;

/// The Copy beside the IMAP server's name in the set-up table.
const IMAP_HOST_COPY: &str = "#copy-imap-host";

/// Signs GRACE in through a front that serves `config` as the
/// configuration, on the App passwords tab, with the verification tab
/// before it in the history.
async fn signed_in(config: Option<&str>) -> (TestServer, FaultyFront, Browser) {
    let server = TestServer::start(&[&GRACE]);
    let front = FaultyFront::start(&server, config).await;
    let browser = Browser::start_watching_prompts()
        .await
        .signed_in_at(&front.url("/security-info"), &GRACE)
        .await;
    browser.find("#default-method").await;
    browser.click("#tab-app-passwords").await;
    browser.find("#app-password-count").await;
    (server, front, browser)
}

/// Whether the password step is on screen.
async fn password_shown(browser: &Browser) -> bool {
    browser
        .script("return document.querySelector('dialog[open] #new-password') !== null")
        .await
        == true
}

#[tokio::test(flavor = "multi_thread")]
async fn reloading_or_leaving_the_page_asks_first_while_the_password_shows() {
    let (_server, front, browser) = signed_in(None).await;
    let password = browser.create_app_password_and_stay("Phone").await;
    // The next step, in one line; no "Learn more" without a help page.
    browser
        .wait_for_text("#next-step", "with or without the dashes")
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('learn-more')")
            .await,
        Value::Null
    );
    // No settings configured: no set-up section.
    assert_eq!(
        browser
            .script("return document.getElementById('setup-device')")
            .await,
        Value::Null
    );

    // A reload asks first (chromedriver then answers Leave, as a person
    // who meant it would); the password is gone, kept nowhere.
    browser
        .script("setTimeout(() => location.reload(), 0)")
        .await;
    browser.wait_for_leave_questions(1).await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.assert_forgotten(&password).await;
    // Nothing of it was taken: after the reload, the page owns up to it.
    browser
        .wait_for_text("#never-copied", "“Phone” was created")
        .await;
    browser.click("#keep-never-copied").await;
    // Leaving for another page asks too.
    let password = browser.create_app_password_and_stay("Tablet").await;
    browser
        .script("setTimeout(() => { location.href = '/security-info'; }, 0)")
        .await;
    browser.wait_for_leave_questions(2).await;
    browser.find("#default-method").await;
    browser.assert_forgotten(&password).await;
    // Without a password on screen, nothing asks.
    browser.goto(&front.url("/app-passwords")).await;
    browser
        .wait_for_text("#app-password-count", "2 of 40")
        .await;
    assert_eq!(browser.leave_questions(), 2);

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn back_and_done_never_lose_the_password_unasked() {
    let (server, _front, browser) = signed_in(None).await;
    let password = browser.create_app_password_and_stay("Phone").await;
    // The history entry that catches Back holds nothing.
    assert_eq!(browser.script("return history.state").await, Value::Null);

    // Back, with nothing copied: it stays and asks, with the safe choice
    // focused; keeping it open goes back to Copy. Again, the same.
    for _ in 0..2 {
        browser.client.back().await.expect("go back");
        browser
            .wait_for_text("#close-question", "You haven't copied it. Close anyway?")
            .await;
        browser.wait_for_focus("keep-open").await;
        browser.wait_for_path("/app-passwords").await;
        assert!(password_shown(&browser).await);
        browser.click("#keep-open").await;
        browser.wait_for_focus("copy-password").await;
    }
    // Done, with nothing copied: the same question.
    browser.click("#done").await;
    browser.find("#close-question").await;
    browser.click("#keep-open").await;

    // A refused copy selects the password and says how to copy it by
    // hand, but nothing was taken yet: Done still asks.
    browser.deny_clipboard().await;
    browser.click("#copy-password").await;
    browser.wait_for_text(".copy-status", "press Ctrl+C").await;
    browser.click("#done").await;
    browser.find("#close-question").await;
    browser.click("#keep-open").await;
    // On a touch screen there is no Ctrl+C to press.
    browser.emulate_touch(true).await;
    browser.click("#copy-password").await;
    browser
        .wait_for_text(".copy-status", "touch and hold it, then choose Copy")
        .await;
    browser.emulate_touch(false).await;
    browser.click("#done").await;
    browser.find("#close-question").await;
    browser.click("#keep-open").await;

    // Copied, Back closes the dialog and stays on the tab; the next Back
    // goes where it was going.
    browser.grant_clipboard().await;
    browser.click("#copy-password").await;
    browser.wait_for_text("#copy-password", "Copied").await;
    browser.client.back().await.expect("go back");
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.wait_for_path("/app-passwords").await;
    browser.assert_forgotten(&password).await;
    browser.client.back().await.expect("go back");
    browser.wait_for_path("/security-info").await;
    assert_eq!(server.verify(GRACE.login, &password).await.0, 200);

    // Selecting the password counts as taking it: Done closes at once.
    browser.click("#tab-app-passwords").await;
    let password = browser.create_app_password_and_stay("Tablet").await;
    browser.click("#new-password").await;
    let selected = browser
        .script("return String(getSelection()).replace(/\\s/g, '')")
        .await;
    assert_eq!(selected, password.as_str());
    browser.script("getSelection().removeAllRanges()").await;
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "2 of 40")
        .await;
    browser.assert_forgotten(&password).await;

    // "Close anyway" closes it, and takes the entry that caught Back out of
    // the history: Back then leaves the tab as it would have.
    let password = browser.create_app_password_and_stay("Watch").await;
    browser.click("#done").await;
    browser.click("#close-anyway").await;
    browser
        .wait_for_text("#app-password-count", "3 of 40")
        .await;
    browser.assert_forgotten(&password).await;
    browser.client.back().await.expect("go back");
    browser.wait_for_path("/security-info").await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn set_up_a_device_gives_each_client_its_steps_with_the_configured_values() {
    let (_server, _front, browser) = signed_in(Some(SERVICES)).await;
    browser.grant_clipboard().await;
    let password = browser.create_app_password_and_stay("Laptop").await;
    // The password is named for screen readers by the step's heading.
    let label = browser
        .script(
            "const p = document.getElementById('new-password');
             return [p.getAttribute('role'),
                     document.getElementById(p.getAttribute('aria-labelledby')).textContent]",
        )
        .await;
    assert_eq!(label, json!(["group", "Your new app password"]));
    let learn_more = browser
        .script("const a = document.getElementById('learn-more'); return [a.href, a.target]")
        .await;
    assert_eq!(
        learn_more,
        json!(["https://help.example.test/app-passwords", "_blank"])
    );

    browser.click("#setup-device").await;
    browser.find("#setup-client").await;
    // Headless Chromium on Linux names no phone: the list starts on Other.
    assert_eq!(browser.value_of("#setup-client").await, "other");
    let clients = browser
        .script("return [...document.querySelectorAll('#setup-client option')].map(o => o.value)")
        .await;
    assert_eq!(
        clients,
        json!(["apple", "outlook", "thunderbird", "android", "other"])
    );
    // Every client shows the configured values, each with a copy button
    // (security is chosen from a menu, not typed).
    let values = json!({
        "setup-login": "grace", "setup-password": password,
        "setup-imap-host": "imap.example.test", "setup-imap-port": "993", "setup-imap-security": "SSL/TLS",
        "setup-smtp-host": "smtp.example.test", "setup-smtp-port": "587", "setup-smtp-security": "STARTTLS",
        "setup-dav-url": "https://dav.example.test/remote.php/dav/"
    });
    for (client, first_step) in [
        ("other", "Type these settings into your app."),
        ("outlook", "Add account"),
        ("thunderbird", "Add Mail Account"),
        ("android", "Manual setup"),
        ("apple", "holds your app password"),
    ] {
        browser.choose("#setup-client", client).await;
        browser
            .wait_for_text("#setup-steps li:first-child", first_step)
            .await;
        let shown = browser
            .script(
                "return Object.fromEntries([...document.querySelectorAll('.setup-value')]
                     .map(e => [e.id, e.textContent]))",
            )
            .await;
        assert_eq!(shown, values, "{client}");
        let copy_buttons = browser
            .script("return document.querySelectorAll('.setup-values button').length")
            .await;
        assert_eq!(copy_buttons, 7, "{client}");
        if let Some(name) = match client {
            "other" => Some("setup-device"),
            "thunderbird" => Some("setup-thunderbird"),
            _ => None,
        } {
            scroll_to_set_up(&browser).await;
            browser.screenshot(name).await;
        }
    }
    // A value's copy button copies that value.
    browser.click("#copy-imap-host").await;
    browser.wait_for_text("#copy-imap-host", "Copied").await;
    assert_eq!(clipboard(&browser).await, "imap.example.test");
    // A value's copy is not the password's: Done still asks.
    browser.click("#done").await;
    browser.click("#close-anyway").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.assert_forgotten(&password).await;

    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_apple_profile_holds_exactly_what_was_shown_and_leaves_with_the_dialog() {
    let (server, _front, browser) = signed_in(Some(SERVICES)).await;
    let downloads = tempfile::tempdir().expect("a download folder");
    browser.download_into(downloads.path()).await;
    let password = browser.create_app_password_and_stay("Phone").await;
    browser.click("#setup-device").await;
    browser.choose("#setup-client", "apple").await;
    browser
        .wait_for_text("#setup-steps", "The file holds your app password")
        .await;
    browser
        .wait_for_text("#setup-steps", "Profile Downloaded")
        .await;
    browser
        .wait_for_text("#setup-steps", "System Settings")
        .await;
    // On a computer it says how to get the file to the phone.
    browser.wait_for_text("#setup-apple-move", "AirDrop").await;
    browser
        .expect_accessible("set up a device, Apple, on a computer")
        .await;
    scroll_to_set_up(&browser).await;
    browser.screenshot("setup-apple").await;
    let link = browser
        .script(
            "const a = document.getElementById('download-profile'); return [a.href, a.download]",
        )
        .await;
    let blob_url = link[0].as_str().expect("an address").to_owned();
    assert!(blob_url.starts_with("blob:"), "{blob_url}");
    assert_eq!(link[1], "Phone.mobileconfig");

    browser.click("#download-profile").await;
    let profile = read_plist(&wait_for_download(downloads.path(), "Phone.mobileconfig"));
    assert_eq!(profile["PayloadType"], "Configuration");
    // Without `organization_name` and `title`, the page's host offers it;
    // without `profile_description`, a sentence says what it does.
    assert_eq!(profile["PayloadOrganization"], "127.0.0.1");
    assert_eq!(
        profile["PayloadDescription"],
        "Adds the accounts that use the app password “Phone” to this device."
    );
    let payloads = profile["PayloadContent"].as_array().expect("payloads");
    let kinds: Vec<&str> = payloads
        .iter()
        .map(|payload| payload["PayloadType"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        kinds,
        [
            "com.apple.mail.managed",
            "com.apple.caldav.account",
            "com.apple.carddav.account"
        ]
    );
    let mail = &payloads[0];
    for (key, expected) in [
        ("EmailAccountType", json!("EmailTypeIMAP")),
        ("IncomingMailServerHostName", json!("imap.example.test")),
        ("IncomingMailServerPortNumber", json!(993)),
        ("IncomingMailServerUseSSL", json!(true)),
        ("IncomingMailServerUsername", json!(GRACE.login)),
        ("IncomingPassword", json!(password)),
        ("OutgoingMailServerHostName", json!("smtp.example.test")),
        ("OutgoingMailServerPortNumber", json!(587)),
        ("OutgoingMailServerUseSSL", json!(true)),
        ("OutgoingMailServerUsername", json!(GRACE.login)),
        ("OutgoingPassword", json!(password)),
    ] {
        assert_eq!(mail[key], expected, "{key}");
    }
    for (payload, prefix) in [(&payloads[1], "CalDAV"), (&payloads[2], "CardDAV")] {
        assert_eq!(payload[format!("{prefix}HostName")], "dav.example.test");
        assert_eq!(payload[format!("{prefix}Port")], 443);
        assert_eq!(payload[format!("{prefix}UseSSL")], true);
        assert_eq!(payload[format!("{prefix}Username")], GRACE.login);
        assert_eq!(payload[format!("{prefix}Password")], password.as_str());
    }
    // What the profile holds works.
    assert_eq!(server.verify(GRACE.login, &password).await.0, 200);

    // Saving the profile took the password: Done closes at once, and the
    // profile's address goes with the dialog: saved again before, it gives
    // the file; after, nothing.
    browser
        .download_link(&blob_url, "before.mobileconfig")
        .await;
    wait_for_download(downloads.path(), "before.mobileconfig");
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.assert_forgotten(&password).await;
    browser.assert_forgotten(&blob_url).await;
    browser.download_link(&blob_url, "after.mobileconfig").await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(
        !downloads.path().join("after.mobileconfig").exists(),
        "the profile's address still resolves after Done"
    );

    browser.finish().await;
}

/// The set-up values that break inside a piece (a text node between the
/// `<wbr>`s after dots and slashes), where "mail.example .com" would read
/// as a space to type.
const VALUES_BROKEN_MID_WORD: &str = "
    return [...document.querySelectorAll('.setup-value')].filter(value =>
      [...value.childNodes].some(node => {
        if (node.nodeType !== Node.TEXT_NODE) return false;
        const range = document.createRange();
        range.selectNodeContents(node);
        return range.getClientRects().length > 1;
      })).map(value => value.id)";

#[tokio::test(flavor = "multi_thread")]
async fn set_up_reads_right_to_left_and_fits_a_narrow_screen() {
    let config = SERVICES.replacen('{', r#"{ "lang": "ar","#, 1);
    let (_server, _front, browser) = signed_in(Some(&config)).await;
    browser.create_app_password_and_stay("Phone").await;
    browser.click("#setup-device").await;
    for client in ["thunderbird", "apple"] {
        browser.choose("#setup-client", client).await;
        browser.find("#setup-steps li").await;
        browser
            .expect_accessible(&format!("set up a device, {client}, in Arabic"))
            .await;
        // Values read left to right inside the right-to-left page.
        let directions = browser
            .script(
                "return [document.documentElement.dir,
                     getComputedStyle(document.getElementById('setup-imap-host')).direction]",
            )
            .await;
        assert_eq!(directions, json!(["rtl", "ltr"]));
        for width in [320, 550, 1100] {
            browser.set_width(width).await;
            browser
                .expect_no_sideways_scroll(&format!("set up a device, {client}, at {width} px"))
                .await;
            assert_eq!(
                browser.script(VALUES_BROKEN_MID_WORD).await,
                json!([]),
                "{client} at {width} px"
            );
        }
        browser.set_width(1100).await;
    }
    browser.close_created().await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_operator_can_turn_set_up_off() {
    let config = SERVICES.replacen('{', r#"{ "device_setup": false,"#, 1);
    let (_server, _front, browser) = signed_in(Some(&config)).await;
    browser.create_app_password_and_stay("Printer").await;
    // "Learn more" stays: it is the help page, not the set-up.
    browser.find("#learn-more").await;
    assert_eq!(
        browser
            .script("return document.getElementById('setup-device')")
            .await,
        Value::Null
    );
    browser.close_created().await;
    browser.finish().await;
}

/// The set-up's values on screen, by id.
const SHOWN_VALUES: &str =
    "return Object.fromEntries([...document.querySelectorAll('.setup-value')]
     .map(e => [e.id, e.textContent]))";

#[tokio::test(flavor = "multi_thread")]
async fn a_password_for_mail_only_opens_mail_and_sets_up_mail_alone() {
    let (server, _front, browser) = signed_in(Some(SERVICES)).await;
    let downloads = tempfile::tempdir().expect("a download folder");
    browser.download_into(downloads.path()).await;
    browser.start_create("Mail on the phone").await;
    // Everything unless the user chooses; the kinds as a person uses them.
    browser.wait_for_text("#scope legend", "Works for").await;
    browser
        .wait_for_text("#scope-hint", "opens nothing else")
        .await;
    let choices = browser
        .script(
            "return [...document.querySelectorAll('#scope input')]
                 .map(i => [i.value, i.checked, i.labels[0].textContent])",
        )
        .await;
    assert_eq!(
        choices,
        json!([
            ["all", true, "Everything"],
            ["mail", false, "Mail"],
            ["dav", false, "Calendars and contacts"]
        ])
    );
    browser.click("#scope-mail").await;
    browser.expect_accessible("create, mail only chosen").await;
    browser.click(".ap-root dialog button[type=submit]").await;
    let password = browser.shown_password().await;

    // Set-up offers the mail clients with no calendar step or address.
    browser.click("#setup-device").await;
    for client in ["thunderbird", "other", "apple"] {
        browser.choose("#setup-client", client).await;
        browser.find("#setup-steps li").await;
        let steps = browser
            .script("return document.getElementById('setup-steps').textContent")
            .await;
        assert!(
            !steps.as_str().unwrap_or_default().contains("CalDAV"),
            "{client}: {steps}"
        );
        let shown = browser.script(SHOWN_VALUES).await;
        assert_eq!(shown.get("setup-dav-url"), None, "{client}");
        assert_eq!(shown["setup-imap-host"], "imap.example.test", "{client}");
    }
    browser
        .expect_accessible("set up a device, mail only")
        .await;
    // Apple's profile holds the mail account alone.
    browser.click("#download-profile").await;
    let file = wait_for_download(downloads.path(), "Mail on the phone.mobileconfig");
    let profile = read_plist(&file);
    let kinds: Vec<&Value> = profile["PayloadContent"]
        .as_array()
        .expect("payloads")
        .iter()
        .map(|payload| &payload["PayloadType"])
        .collect();
    assert_eq!(kinds, [&json!("com.apple.mail.managed")]);
    browser.close_created().await;

    // The list says so; the verifier lets it into mail and nowhere else.
    browser
        .wait_for_text(".app-password-row .scope", "Mail only")
        .await;
    browser
        .expect_accessible("the list with a mail-only password")
        .await;
    let credential = server.service_credential("dovecot");
    for (service, status) in [
        ("imap", 200),
        ("smtp", 200),
        ("caldav", 401),
        ("carddav", 401),
    ] {
        let answered = server
            .verify_through(&credential, service, GRACE.login, &password)
            .await;
        assert_eq!(answered, status, "{service}");
    }
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_calendar_choice_survives_an_ended_session_and_sets_up_calendars_alone() {
    let (server, _front, browser) = signed_in(Some(SERVICES)).await;
    browser.start_create("Calendar").await;
    browser.click("#scope-dav").await;
    browser
        .click_after_the_session_ends(".ap-root dialog button[type=submit]", "/app-passwords")
        .await;
    browser.sign_in(&GRACE).await;
    browser.find("#create-restored").await;
    let checked = browser
        .script("return document.querySelector('#scope input:checked').value")
        .await;
    assert_eq!(checked, "dav", "the choice came back with the name");
    browser
        .expect_accessible("create restored, calendars chosen")
        .await;
    browser.click(".ap-root dialog button[type=submit]").await;
    let password = browser.shown_password().await;
    let items = server.other_client(GRACE.login).app_passwords().await;
    assert_eq!(items[0]["services"], json!(["caldav", "carddav"]));

    // No mail client, no mail server.
    browser.click("#setup-device").await;
    let clients = browser
        .script("return [...document.querySelectorAll('#setup-client option')].map(o => o.value)")
        .await;
    assert_eq!(clients, json!(["apple", "other"]));
    let shown = browser.script(SHOWN_VALUES).await;
    assert_eq!(
        shown,
        json!({"setup-login": "grace", "setup-password": password,
               "setup-dav-url": "https://dav.example.test/remote.php/dav/"})
    );
    browser.close_created().await;
    browser
        .wait_for_text(".app-password-row .scope", "Calendars and contacts only")
        .await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_set_up_table_copies_the_password_and_that_counts_as_taking_it() {
    let (_server, _front, browser) = signed_in(Some(SERVICES)).await;
    browser.grant_clipboard().await;
    let password = browser.create_app_password_and_stay("Tablet").await;
    browser.click("#setup-device").await;
    browser.find("#copy-setup-password").await;
    // The password's row, after the user name: the password left to
    // right, with a break allowed after each group and nowhere else.
    let row = browser
        .script(
            "const v = document.getElementById('setup-password');
             const th = [...document.querySelectorAll('.setup-values th')].map(t => t.textContent);
             return [th.slice(0, 2), v.textContent, v.querySelectorAll('wbr').length, v.dir,
                     document.getElementById('copy-setup-password').getAttribute('aria-label')]",
        )
        .await;
    let groups = password.split_inclusive('-').count();
    assert_eq!(
        row,
        json!([
            ["User name", "Password"],
            password,
            groups,
            "ltr",
            "Copy Password"
        ])
    );
    assert!(groups > 1, "{password}");
    browser
        .expect_accessible("set up a device, with the password's row")
        .await;
    browser.set_width(320).await;
    browser
        .expect_no_sideways_scroll("set up a device, the password's row, at 320 px")
        .await;
    assert_eq!(browser.script(VALUES_BROKEN_MID_WORD).await, json!([]));
    browser.set_width(1100).await;

    // Copied, then a server name after it: the clipboard no longer holds
    // the password, no button says it does, and Done asks.
    browser.click("#copy-password").await;
    browser.wait_for_text("#copy-password", "Copied").await;
    browser.click(IMAP_HOST_COPY).await;
    browser.wait_for_text(IMAP_HOST_COPY, "Copied").await;
    assert_eq!(clipboard(&browser).await, "imap.example.test");
    let said = browser
        .find("#copy-password")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        !said.contains("Copied"),
        "the password's Copy said {said:?}"
    );
    browser.click("#done").await;
    browser
        .wait_for_text("#close-question", "no longer holds it")
        .await;
    browser
        .expect_accessible("Done asks: the clipboard was copied over")
        .await;
    browser.click("#keep-open").await;

    browser.click("#copy-setup-password").await;
    browser
        .wait_for_text("#copy-setup-password", "Copied")
        .await;
    assert_eq!(clipboard(&browser).await, password.as_str());
    // Copied from the table, the password is taken: Done closes at once.
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    assert_eq!(
        browser
            .script("return document.getElementById('close-anyway')")
            .await,
        Value::Null
    );
    browser.assert_forgotten(&password).await;
    browser.finish().await;
}

/// Safari on an iPhone, and Chrome on an Android phone, as they name
/// themselves.
const IPHONE: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
const ANDROID: &str = "Mozilla/5.0 (Linux; Android 14; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36";

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_set_up_starts_on_its_kind_and_the_profile_names_the_organisation() {
    let config = SERVICES.replacen(
        '{',
        r#"{ "organization_name": "Example Ltd",
             "profile_description": "Mail, calendars and contacts at Example Ltd.","#,
        1,
    );
    let (_server, front, browser) = signed_in(Some(&config)).await;
    let downloads = tempfile::tempdir().expect("a download folder");
    browser.download_into(downloads.path()).await;
    browser.pretend_to_be(IPHONE).await;
    browser.goto(&front.url("/app-passwords")).await;
    browser.find("#app-password-count").await;
    let password = browser.create_app_password_and_stay("iPhone").await;
    browser.click("#setup-device").await;
    browser.find("#download-profile").await;
    assert_eq!(browser.value_of("#setup-client").await, "apple");
    // On the iPhone itself there is nothing to move.
    assert_eq!(
        browser
            .script("return document.getElementById('setup-apple-move')")
            .await,
        Value::Null
    );
    browser
        .expect_accessible("set up a device, Apple, on an iPhone")
        .await;
    browser.click("#download-profile").await;
    let profile = read_plist(&wait_for_download(downloads.path(), "iPhone.mobileconfig"));
    assert_eq!(profile["PayloadOrganization"], "Example Ltd");
    assert_eq!(
        profile["PayloadDescription"],
        "Mail, calendars and contacts at Example Ltd."
    );
    assert_eq!(
        profile["PayloadContent"][0]["IncomingPassword"],
        password.as_str()
    );
    // Saving the profile took the password.
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;

    browser.pretend_to_be(ANDROID).await;
    browser.goto(&front.url("/app-passwords")).await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;
    browser.create_app_password_and_stay("Android phone").await;
    browser.click("#setup-device").await;
    browser
        .wait_for_text("#setup-steps li:first-child", "Manual setup")
        .await;
    assert_eq!(browser.value_of("#setup-client").await, "android");
    browser.close_created().await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread")]
async fn where_it_says_to_ask_the_administrator_it_says_how_to_reach_it() {
    let server = TestServer::start(&[&GRACE]);
    server.admin(&["app-passwords", "--login", GRACE.login, "off"]);
    let config = r#"{"support_url": "https://it.example.test/help",
                     "support_email": "it-help@example.test"}"#;
    let front = FaultyFront::start(&server, Some(config)).await;
    let browser = Browser::signed_in(&front.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-passwords-disabled", "turned off creating")
        .await;
    browser
        .wait_for_text(
            "#app-passwords-disabled",
            "Questions? Ask your IT team: help page or it-help@example.test",
        )
        .await;
    let links = browser
        .script(
            "return [...document.querySelectorAll('#app-passwords-disabled a')]
                 .map(a => [a.textContent, a.getAttribute('href')])",
        )
        .await;
    assert_eq!(
        links,
        json!([
            ["help page", "https://it.example.test/help"],
            ["it-help@example.test", "mailto:it-help@example.test"]
        ])
    );
    browser
        .expect_accessible("creation turned off, with the way to IT")
        .await;
    browser.screenshot("creation-off-support").await;
    browser.emulate_media("prefers-color-scheme", "dark").await;
    browser
        .expect_accessible("creation turned off, with the way to IT, dark")
        .await;
    browser.emulate_media("prefers-color-scheme", "light").await;

    // An answer the page cannot read says to contact the administrator if
    // it keeps happening: the way to IT is beside it.
    front.fail_next(
        Method::GET,
        "/app-passwords",
        Fault::respond(200, Some("application/json"), r#"{"items": "none"}"#),
    );
    browser.click("#tab-verification").await;
    browser.find("#default-method").await;
    browser.click("#tab-app-passwords").await;
    browser
        .wait_for_text("[role=alert]", "contact your administrator")
        .await;
    browser.find("[role=alert] .support-email").await;
    browser
        .expect_accessible("an answer the page cannot read, with the way to IT")
        .await;
    browser.finish().await;
}

/// Scrolls the dialog to the set-up section, for its screenshot.
async fn scroll_to_set_up(browser: &Browser) {
    browser
        .script("document.getElementById('setup-client').scrollIntoView({ block: 'start' })")
        .await;
}

/// The file `name` in `folder`, once Chromium has finished writing it.
fn wait_for_download(folder: &Path, name: &str) -> PathBuf {
    let path = folder.join(name);
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        let partial = std::fs::read_dir(folder)
            .map(|entries| {
                entries
                    .flatten()
                    .any(|entry| entry.path().extension().is_some_and(|e| e == "crdownload"))
            })
            .unwrap_or(true);
        if path.is_file() && !partial {
            return path;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("{} was not downloaded", path.display());
}

/// A property list read by Python's `plistlib`, which follows Apple's
/// format and refuses what does not, as JSON.
fn read_plist(path: &Path) -> Value {
    let output = std::process::Command::new("python3")
        .arg("-c")
        .arg(
            "import json, plistlib, sys; print(json.dumps(plistlib.load(open(sys.argv[1], 'rb'))))",
        )
        .arg(path)
        .output()
        .expect("run python3");
    assert!(
        output.status.success(),
        "plistlib refused the profile: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("JSON from plistlib")
}

/// What the clipboard holds (the test granted the page its permission).
async fn clipboard(browser: &Browser) -> Value {
    browser
        .script_async("navigator.clipboard.readText().then(done, e => done('refused: ' + e))")
        .await
}
