//! The App passwords list as a demanding user sees it, in Chromium against
//! the real server: 40 app passwords sorted and filtered, the new one
//! highlighted and in view, 130 drawn a screenful at a time, Create at the limit, the name field's count and
//! errors, and nothing that wraps or scrolls sideways at 1280 and 390 px in
//! English, German and Arabic.

#![cfg(not(target_arch = "wasm32"))]

mod support;

use reqwest::Method;
use serde_json::json;
use support::{Browser, TestServer, GRACE};

/// Makes `names` through the API, in order.
async fn make(server: &TestServer, names: &[String]) {
    let api = server.other_client(GRACE.login);
    for name in names {
        let (status, body) = api
            .call(
                Method::POST,
                "/app-passwords",
                Some(&json!({ "name": name })),
            )
            .await;
        assert_eq!(status, 201, "{body}");
    }
}

/// `count` names that sort as they were made: "Device 01" to "Device 40".
fn devices(count: usize) -> Vec<String> {
    (1..=count).map(|n| format!("Device {n:02}")).collect()
}

#[tokio::test]
async fn forty_rows_sort_filter_and_show_the_new_one() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "0"]);
    make(&server, &devices(40)).await;
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "40 app passwords")
        .await;

    // Newest first, as the Created heading says.
    let first = browser.row_names().await;
    assert_eq!(first.len(), 40);
    assert_eq!(first[0], "Device 40", "newest first");
    assert_eq!(
        browser.script("return document.getElementById('sort-created').closest('th').getAttribute('aria-sort')").await,
        "descending"
    );
    browser.screenshot("app-passwords-40").await;
    browser
        .expect_accessible("40 rows, sorted, with the filter")
        .await;

    // By name, A to Z, then Z to A; the heading keeps the focus.
    browser.click("#sort-name").await;
    browser
        .wait_for_script(
            "return document.querySelector('.app-password-row .name').textContent",
            "Device 01",
        )
        .await;
    assert_eq!(browser.focused().await, "sort-name");
    assert_eq!(
        browser.script("return document.getElementById('sort-name').closest('th').getAttribute('aria-sort')").await,
        "ascending"
    );
    browser.click("#sort-name").await;
    browser
        .wait_for_script(
            "return document.querySelector('.app-password-row .name').textContent",
            "Device 40",
        )
        .await;

    // A filter, since the list is longer than a screen: any case, and it
    // says how many it shows, or that none matches.
    browser.type_into("#filter", "device 1").await;
    browser
        .wait_for_rows(&[
            "Device 19",
            "Device 18",
            "Device 17",
            "Device 16",
            "Device 15",
            "Device 14",
            "Device 13",
            "Device 12",
            "Device 11",
            "Device 10",
        ])
        .await;
    browser
        .wait_for_text(".list-filtered", "10 of 40 shown")
        .await;
    assert_eq!(browser.focused().await, "filter", "typing keeps the focus");
    browser.type_into("#filter", "printer").await;
    browser.wait_for_text(".empty", "printer").await;
    browser
        .expect_accessible("a filter that matches nothing")
        .await;
    browser.set_value("#filter", "").await;
    browser
        .wait_for_text("#app-password-count", "40 app passwords")
        .await;

    // Sorted A to Z, a new "Zebra" lands at the bottom: highlighted, and
    // scrolled into view.
    browser.click("#sort-name").await;
    browser
        .wait_for_script(
            "return document.querySelector('.app-password-row .name').textContent",
            "Device 01",
        )
        .await;
    browser.create_app_password("Zebra").await;
    browser.wait_for_text(".row-new .name", "Zebra").await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('.row-new').length")
            .await,
        1
    );
    browser
        .wait_for_script(
            "const r = document.querySelector('.row-new').getBoundingClientRect();
             return String(r.top >= 0 && r.bottom <= window.innerHeight)",
            "true",
        )
        .await;
    browser.expect_accessible("a new row, marked").await;
    browser.finish().await;
}

#[tokio::test]
async fn a_long_list_draws_what_is_in_view_then_the_rest_as_the_user_goes_down() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "0"]);
    make(&server, &devices(130)).await;
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "130 app passwords")
        .await;
    let drawn = "return document.querySelectorAll('.app-password-row').length";
    let at_first = browser.script(drawn).await.as_u64().unwrap_or_default();
    assert!(
        (40..130).contains(&at_first),
        "the first screens and a margin, not all 130: {at_first}"
    );
    // Assistive technology hears how long the list is, and where each row is.
    assert_eq!(
        browser
            .script("return document.querySelector('.app-password-table').getAttribute('aria-rowcount')")
            .await,
        "131"
    );
    browser.expect_accessible("a long list, partly drawn").await;

    // The focus reaching the last row drawn, as a keyboard user's Tab
    // does: it scrolls into view, and the next rows are drawn before the
    // next Tab.
    browser
        .script(&format!(
            "document.getElementById('delete-{}').focus()",
            at_first - 1
        ))
        .await;
    browser
        .wait_for_script(
            &format!(
                "return String(document.querySelectorAll('.app-password-row').length > {at_first})"
            ),
            "true",
        )
        .await;

    // The sure way for a keyboard or a screen reader's browse mode: a
    // "Show 40 more" button after the list, out of sight until focused,
    // that draws the next rows and takes the focus to the first of them.
    // Focused and pressed in one go: nearing the view, it would also draw
    // rows by itself, and this is about the button.
    let before = browser.script(drawn).await.as_u64().unwrap_or_default();
    let pressed = browser
        .script(
            "const more = document.querySelector('.list-more');
             more.focus();
             const width = more.getBoundingClientRect().width;
             const said = more.textContent;
             more.click();
             return [width, said]",
        )
        .await;
    assert!(
        pressed[0].as_f64().unwrap_or_default() > 20.0,
        "visible once focused: {pressed}"
    );
    assert_eq!(pressed[1], "Show 40 more");
    browser
        .wait_for_script(
            "return document.activeElement.id",
            &format!("rename-{before}"),
        )
        .await;
    let after = browser.script(drawn).await.as_u64().unwrap_or_default();
    assert!(after > before, "{before} rows drawn, then {after}");

    // Scrolling to the end draws the rest, down to the oldest.
    for _ in 0..10 {
        browser
            .script("window.scrollTo(0, document.documentElement.scrollHeight)")
            .await;
        if browser.script(drawn).await == 130 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let names = browser.row_names().await;
    assert_eq!(names.len(), 130, "every row drawn once scrolled to");
    assert_eq!(names[0], "Device 130");
    assert_eq!(names[129], "Device 01", "oldest last");
    assert_eq!(
        browser
            .script("return [...document.querySelectorAll('.app-password-row')].at(-1).getAttribute('aria-rowindex')")
            .await,
        "131"
    );

    // The filter finds rows that were never drawn, too.
    browser.goto(&server.url("/app-passwords")).await;
    browser
        .wait_for_text("#app-password-count", "130 app passwords")
        .await;
    browser.type_into("#filter", "device 01").await;
    browser.wait_for_rows(&["Device 01"]).await;
    browser.finish().await;
}

#[tokio::test]
async fn at_the_limit_create_stays_reachable_and_points_to_why() {
    let server = TestServer::start_with(&[&GRACE], &["--max-app-passwords", "1"]);
    make(&server, &devices(1)).await;
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "1 of 1 used")
        .await;
    browser.expect_at_the_limit().await;
    // One count line: the limit is said once, with why, not twice.
    let said = browser
        .script("return document.querySelector('.content').innerText")
        .await;
    assert_eq!(
        said.as_str().unwrap().matches("1 of 1").count(),
        1,
        "{said}"
    );
    assert_eq!(
        browser
            .script("return document.getElementById('create').getAttribute('aria-describedby')")
            .await,
        "limit-note"
    );
    // Pressed, it opens nothing and takes the user to the explanation.
    browser.click("#create").await;
    browser
        .wait_for_script("return document.activeElement.id", "limit-note")
        .await;
    assert_eq!(
        browser
            .script("return document.querySelectorAll('dialog[open]').length")
            .await,
        0
    );
    browser
        .expect_accessible("at the limit, the note focused")
        .await;
    browser.finish().await;
}

#[tokio::test]
async fn the_name_field_counts_and_its_errors_follow_the_text() {
    let server = TestServer::start(&[&GRACE]);
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser.click("#create").await;
    browser.find("#app-password-name").await;
    browser
        .wait_for_text("#app-password-name-count", "You have 120 characters left")
        .await;

    // Enter on an empty name says what is missing.
    browser.press('\u{E007}').await;
    browser
        .wait_for_text("#app-password-name-error", "Enter a name")
        .await;

    // Too long: counted as it is typed; refused on Next with how long it
    // is; the error follows the text, and goes when the name is fine.
    browser
        .type_into("#app-password-name", &"x".repeat(121))
        .await;
    browser
        .wait_for_text("#app-password-name-count", "1 character too many")
        .await;
    browser.click(".ap-root dialog button[type=submit]").await;
    browser
        .wait_for_text("#app-password-name-error", "this has 121")
        .await;
    // Said once: the count steps aside while the error says it.
    browser
        .wait_for_script(
            "return String(document.getElementById('app-password-name-count').hidden)",
            "true",
        )
        .await;
    browser
        .set_value("#app-password-name", &"x".repeat(122))
        .await;
    browser
        .wait_for_text("#app-password-name-error", "this has 122")
        .await;
    browser
        .expect_accessible("a name over the limit, counted")
        .await;
    browser
        .type_into("#app-password-name", "Phone for mail")
        .await;
    browser
        .wait_for_script(
            "return String(document.getElementById('app-password-name-error').hidden)",
            "true",
        )
        .await;
    browser
        .wait_for_text("#app-password-name-count", "You have 106 characters left")
        .await;
    browser.finish().await;
}

/// Ten long names of the kind people give, the longest words first.
fn long_names() -> Vec<String> {
    [
        "Outlook on the meeting-room PC in building three",
        "Thunderbird on my laptop at home",
        "Calendar sync for the shared family iPad",
        "Mail on the Android phone from work",
        "Printer scan-to-email in the second-floor office",
        "Backup job on the file server (nightly)",
        "Apple Mail on the MacBook Pro",
        "Contacts on the car's infotainment system",
        "Evolution on the Linux workstation",
        "Old BlackBerry kept for emergencies",
    ]
    .map(String::from)
    .to_vec()
}

/// The names whose cell breaks a word across lines (a word's text has more
/// than one line box), as the user would see "Outlo / ok". A line may
/// break at a space or after a hyphen ("scan-/to-email").
const NAMES_BROKEN_MID_WORD: &str = "
    return [...document.querySelectorAll('.app-password-row .name')].filter(cell => {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const word of node.data.matchAll(/[^\\s-]+/g)) {
          const range = document.createRange();
          range.setStart(node, word.index);
          range.setEnd(node, word.index + word[0].length);
          if (range.getClientRects().length > 1) return true;
        }
      }
      return false;
    }).map(cell => cell.textContent)";

#[tokio::test]
async fn nothing_in_the_list_wraps_or_scrolls_sideways_in_any_language() {
    let server = TestServer::start(&[&GRACE]);
    let api = server.other_client(GRACE.login);
    // Twelve rows of every kind, with long names: used through a service,
    // expiring, plain.
    make(&server, &long_names()).await;
    let soon = (time::OffsetDateTime::now_utc() + time::Duration::days(12))
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, _) = api
        .call(
            Method::POST,
            "/app-passwords",
            Some(&json!({ "name": "Calendar on the phone", "expires_at": soon })),
        )
        .await;
    assert_eq!(status, 201);
    let (_, made) = api
        .call(
            Method::POST,
            "/app-passwords",
            Some(&json!({ "name": "Mail" })),
        )
        .await;
    let (status, used) = server
        .verify(GRACE.login, made["password"].as_str().unwrap())
        .await;
    assert_eq!(status, 200, "{used}");

    for languages in ["en-US", "de-DE", "ar"] {
        let browser = Browser::start_speaking(languages)
            .await
            .signed_in_at(&server.url("/app-passwords"), &GRACE)
            .await;
        browser.find(".app-password-row").await;
        for width in [1280, 390] {
            browser.set_width(width).await;
            let wrapped = browser
                .script(
                    "return [...document.querySelectorAll('.app-password-table th, .app-password-row .when, .list-header .count')]
                       .filter(e => {
                         const s = getComputedStyle(e);
                         const text = e.getBoundingClientRect().height - parseFloat(s.paddingTop) - parseFloat(s.paddingBottom);
                         return text > parseFloat(s.lineHeight) * 1.5;
                       })
                       .map(e => e.textContent)",
                )
                .await;
            assert_eq!(wrapped, json!([]), "{languages} at {width} px: these wrap");
            browser
                .expect_no_sideways_scroll(&format!("{languages} at {width} px"))
                .await;
            assert_eq!(
                browser.script(NAMES_BROKEN_MID_WORD).await,
                json!([]),
                "{languages} at {width} px: these names break inside a word"
            );
            assert_eq!(
                browser
                    .script("const table = document.querySelector('.app-password-table').getBoundingClientRect();
                             const panel = document.querySelector('.tab-panel').getBoundingClientRect();
                             return table.left >= panel.left - 0.5 && table.right <= panel.right + 0.5")
                    .await,
                true,
                "{languages} at {width} px: the table spills out of its card"
            );
            if width == 1280 {
                // The name keeps its room beside four columns (14rem).
                let narrowest = browser
                    .script("return Math.min(...[...document.querySelectorAll('.app-password-row .name')].map(c => c.getBoundingClientRect().width))")
                    .await;
                assert!(
                    narrowest.as_f64().unwrap_or_default() >= 224.0,
                    "{languages}: the Name column is {narrowest} px wide"
                );
                browser
                    .screenshot(&format!("app-passwords-1280-{languages}"))
                    .await;
            } else {
                // A card a row: the name bold, and the list still sortable.
                assert_eq!(
                    browser
                        .script("return getComputedStyle(document.querySelector('.app-password-row .name')).fontWeight")
                        .await,
                    "600"
                );
                browser.click("#sort-name").await;
                browser
                    .wait_for_script("return document.getElementById('sort-name').closest('th').getAttribute('aria-sort')", "ascending")
                    .await;
                browser.click("#sort-created").await;
            }
            if languages == "en-US" && width == 390 {
                browser.screenshot("app-passwords-phone").await;
            }
        }
        browser.finish().await;
    }
}

#[tokio::test]
async fn a_repeated_name_is_pointed_out_and_the_delete_question_tells_rows_apart() {
    let server = TestServer::start(&[&GRACE]);
    make(&server, &["Outlook on my laptop".into(), "Phone".into()]).await;
    let browser = Browser::signed_in(&server.url("/app-passwords"), &GRACE).await;
    browser
        .wait_for_text("#app-password-count", "2 of 40")
        .await;
    let hidden = |id: &str| format!("return String(document.getElementById('{id}').hidden)");

    // Create: the same name in another case is pointed out, with when the
    // first was made; a name of its own is not. Next still works.
    browser.click("#create").await;
    browser
        .type_into("#app-password-name", "  outlook ON my laptop")
        .await;
    browser
        .wait_for_text(
            "#create-same-name",
            "You already have one with this name, created this minute.",
        )
        .await;
    browser
        .expect_accessible("Create, with a name already used")
        .await;
    browser
        .type_into("#app-password-name", "Outlook on my desktop")
        .await;
    browser
        .wait_for_script(&hidden("create-same-name"), "true")
        .await;
    browser.press('\u{E00C}').await;

    // Rename: another row's name is pointed out; its own is not.
    browser.click_in_row("Phone", "Rename").await;
    browser
        .wait_for_script(&hidden("rename-same-name"), "true")
        .await;
    browser
        .type_into("#rename-name", "Outlook on my laptop")
        .await;
    browser
        .wait_for_text("#rename-same-name", "You already have one with this name")
        .await;
    browser.press('\u{E00C}').await;

    // The delete question says when it was made and last used.
    browser.click_in_row("Phone", "Delete").await;
    browser
        .wait_for_text(".delete-detail", "Created this minute, never used.")
        .await;
    browser
        .expect_accessible("the delete question, with when")
        .await;
    browser.finish().await;
}
