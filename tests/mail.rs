//! From the clipboard into a mail client: an app password made and copied
//! in the browser signs in to the real Dovecot over IMAP (Python's imaplib
//! and curl, as `docs/services.md` tries it), Dovecot asking the
//! reference server through the example's checkpassword passdb
//! (`examples/dovecot/app-passwords.conf`, started as the server's tests
//! start it); the list then shows that use, and once the row is deleted the
//! same password is refused. Needs `scripts/test.sh` to have built the app
//! and the server first.
#![cfg(not(target_arch = "wasm32"))]

mod support;

use support::{Browser, TestServer, ADA};
use testkit::{Dovecot, Login, Verifier};

/// The mail client's own loopback address: the list must name it, not
/// Dovecot's.
const MAIL_CLIENT: &str = "127.0.0.2";

/// The app password's name, as the user types it.
const NAME: &str = "Thunderbird";

/// The Last used cell of the only row.
const LAST_USED: &str = ".app-password-row td[data-label='Last used']";

#[tokio::test(flavor = "multi_thread")]
async fn a_copied_app_password_signs_in_to_imap_until_its_row_is_deleted() {
    let server = TestServer::start(&[&ADA]);
    let credential = server.service_credential("dovecot");
    let dovecot = Dovecot::start(&Verifier {
        url: &server.url("/api/v1/verify"),
        server_binary: server.binary(),
        credential_file: &credential,
    });
    // Two IMAP clients, Python's imaplib and curl, which must agree. They
    // block: they run off the runtime's other workers.
    let imap_login = |password: &str| {
        tokio::task::block_in_place(|| {
            let by_imaplib = dovecot.imap_login(MAIL_CLIENT, ADA.login, password);
            let by_curl = dovecot.curl_imap_login(MAIL_CLIENT, ADA.login, password);
            assert_eq!(by_imaplib, by_curl, "imaplib and curl disagree");
            by_imaplib
        })
    };

    let browser = Browser::signed_in(&server.url("/app-passwords"), &ADA).await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;

    // Create, Copy, and paste into the mail client what the clipboard holds.
    browser.grant_clipboard().await;
    let shown = browser.create_app_password_and_stay(NAME).await;
    let pasted = browser.copy_password().await;
    assert_eq!(pasted, shown, "the clipboard holds the password shown");
    browser.click("#done").await;
    browser
        .wait_for_text("#app-password-count", "1 of 40")
        .await;

    assert_eq!(imap_login(&pasted), Login::Accepted);

    // The list, reloaded, says where it was last used: over IMAP, from the
    // mail client's address, on a line under the date ("IMAP · address").
    browser.client.refresh().await.expect("reload");
    let last_used = browser.wait_for_text(LAST_USED, "IMAP").await;
    assert!(
        last_used.lines().last() == Some(format!("IMAP · {MAIL_CLIENT}").as_str()),
        "{last_used}"
    );

    // Deleted in the browser: the very next IMAP login is refused.
    browser.click_in_row(NAME, "Delete").await;
    browser
        .wait_for_text("dialog[open] h2", &format!("Delete “{NAME}”?"))
        .await;
    browser.click("dialog[open] .button-danger").await;
    browser
        .wait_for_text("#app-password-count", "0 of 40")
        .await;
    assert_eq!(imap_login(&pasted), Login::Refused);

    // Dovecot logged the logins, and neither the password nor the
    // credential it asked with.
    let log = dovecot.log();
    assert!(log.contains("user=<ada>"), "{log}");
    let secret = std::fs::read_to_string(&credential).expect("the credential file");
    assert!(!log.contains(&pasted) && !log.contains(secret.trim()));

    browser.finish().await;
}
