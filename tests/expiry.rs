//! Expiry in the browser against the real server: chosen in the Create
//! dialog within the backend's policy, said in the list, refused next to
//! the field beyond the maximum, and expired ones deleted together. A
//! backend without a policy gets the dialog without a choice
//! (`tests/hosting.rs` runs the whole flow against one).

#![cfg(not(target_arch = "wasm32"))]

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Browser, TestServer, GRACE};

#[tokio::test]
async fn an_expiry_is_chosen_in_the_dialog_and_said_in_the_list() {
    let server = TestServer::start_with(&[&GRACE], &["--max-expiry-days", "365"]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser.start_create("Tablet").await;
    // The maximum is the default, and "never" is not offered under one.
    assert_eq!(browser.value_of("#expiry").await, "365");
    let offered = browser
        .script(
            "return [...document.querySelectorAll('#expiry option')].map(o => o.value).join(' ')",
        )
        .await;
    assert_eq!(offered, "30 90 365 date");
    browser.screenshot("create-expiry").await;
    browser.set_value("#expiry", "30").await;
    browser.click(".ap-root dialog button[type=submit]").await;
    browser.shown_password().await;
    browser.close_created().await;
    browser.wait_for_rows(&["Tablet"]).await;
    browser
        .wait_for_text(".app-password-row", "Expires in 30 days")
        .await;
    let stored = server.other_client(GRACE.login).app_passwords().await;
    assert!(stored[0]["expires_at"].is_string(), "{stored:?}");
    browser.finish().await;
}

#[tokio::test]
async fn a_day_beyond_the_maximum_is_refused_next_to_the_field() {
    let server = TestServer::start_with(&[&GRACE], &["--max-expiry-days", "30"]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser.start_create("Router").await;
    browser.set_value("#expiry", "date").await;
    let far = time::OffsetDateTime::now_utc() + time::Duration::days(60);
    browser.set_value("#expiry-date", &day(far)).await;
    browser.click(".ap-root dialog button[type=submit]").await;
    let said = browser.wait_for_text("#expiry-date-error", "30 days").await;
    assert!(!said.is_empty());
    assert_eq!(
        browser
            .script("return document.getElementById('expiry-date').getAttribute('aria-invalid')")
            .await,
        "true"
    );
    // Why "Never" is missing is said under the choice, which it describes.
    browser
        .wait_for_text("#expiry-hint", "Your organisation allows at most 30 days.")
        .await;
    // The calendar starts tomorrow, by the browser's clock and time zone,
    // and ends at the maximum.
    let bounds = browser
        .script(
            "const d = document.getElementById('expiry-date');
             const t = new Date(Date.now() + 864e5);
             const day = [t.getFullYear(), t.getMonth() + 1, t.getDate()]
                 .map((n, i) => String(n).padStart(i ? 2 : 4, '0')).join('-');
             return [d.min === day, d.max > d.min]",
        )
        .await;
    assert_eq!(bounds, json!([true, true]));
    // A past day typed past the calendar's `min` is refused here.
    let yesterday = day(time::OffsetDateTime::now_utc() - time::Duration::days(2));
    browser.set_value("#expiry-date", &yesterday).await;
    browser.click(".ap-root dialog button[type=submit]").await;
    browser
        .wait_for_text("#expiry-date-error", "Pick a day")
        .await;
    browser
        .expect_accessible("a past day refused, the maximum said")
        .await;
    // Another choice answers the error: none is left under "In 30 days".
    browser.set_value("#expiry", "30").await;
    browser
        .wait_for_script(
            "return String(document.getElementById('expiry-error').hidden)",
            "true",
        )
        .await;
    // What was typed stays, and nothing was made.
    assert_eq!(browser.value_of("#app-password-name").await, "Router");
    assert!(server
        .other_client(GRACE.login)
        .app_passwords()
        .await
        .is_empty());
    browser.finish().await;
}

/// `yyyy-mm-dd` of `at`, as a date input takes it.
fn day(at: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        at.year(),
        u8::from(at.month()),
        at.day()
    )
}

#[tokio::test]
async fn expired_passwords_sort_together_and_go_in_one_action() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "3"]);
    let api = server.other_client(GRACE.login);
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::seconds(2))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let in_three_days = (time::OffsetDateTime::now_utc() + time::Duration::days(3))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    for (name, expires_at) in [
        ("Old phone", json!(soon)),
        ("Tablet", json!(in_three_days)),
        ("Laptop", json!(null)),
    ] {
        let (status, body) = api
            .call(
                Method::POST,
                "/app-passwords",
                Some(&json!({ "name": name, "expires_at": expires_at })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;

    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    // The expired one comes after those that work, says so, and reads as
    // past; the one that stops within the week stands out.
    browser
        .wait_for_rows(&["Laptop", "Tablet", "Old phone"])
        .await;
    browser
        .wait_for_text(".app-password-row:last-child", "Expired on")
        .await;
    let looks = browser
        .script(
            "const rows = [...document.querySelectorAll('.app-password-row')];
             const color = (row, css) => getComputedStyle(row.querySelector(css)).color;
             return {
               expired_dimmed: color(rows[2], '.name') !== color(rows[0], '.name'),
               soon_marked: color(rows[1], 'td:nth-child(3)') !== color(rows[0], 'td:nth-child(2)')
                 && getComputedStyle(rows[1].querySelector('td:nth-child(3)')).fontWeight === '600',
             }",
        )
        .await;
    assert_eq!(
        looks,
        json!({ "expired_dimmed": true, "soon_marked": true }),
        "expired and soon-expiring rows look apart from active ones"
    );
    browser.screenshot("expired").await;
    browser
        .expect_accessible("an expired and a soon-expiring row")
        .await;
    // At the limit, the note points to the quickest way out.
    browser
        .wait_for_text("#limit-note", "Delete expired ones")
        .await;
    // On a phone's card the expiry says itself once ("Expires in 3 days",
    // not "Expires: Expires in 3 days").
    browser.set_width(390).await;
    let card = browser
        .script("return document.querySelectorAll('.app-password-row')[1].innerText")
        .await;
    let card = card.as_str().unwrap_or_default();
    assert_eq!(card.matches("Expire").count(), 1, "{card}");
    browser.set_width(1280).await;
    browser.click("#delete-expired").await;
    browser
        .wait_for_text("dialog[open] h2", "Delete the expired app password?")
        .await;
    browser
        .wait_for_text(".delete-detail", "The expired ones: Old phone.")
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser.wait_for_rows(&["Laptop", "Tablet"]).await;
    browser
        .wait_for_text(
            ".status-line[role=status]",
            "Deleted the expired app password.",
        )
        .await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('#delete-expired').length")
            .await,
        0
    );
    browser.finish().await;
}
