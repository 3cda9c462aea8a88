//! The real nginx (Debian's nginx-light, with auth_request) with
//! `examples/nginx-auth-request/caldav.conf`, asking this server about
//! every request for the service behind it, which it names `caldav`. nginx runs as a process of its
//! own in a throwaway folder, on free loopback ports, and stops with the
//! test.

mod common;

use std::path::Path;

use common::services::start_nginx;
use common::Server;
use reqwest::{header, StatusCode};
use testkit::free_port;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What the service behind nginx serves.
const CALENDAR: &str = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";

/// A static stand-in for the CalDAV server, its files in `folder`: its
/// port and the server block that serves it.
fn static_calendar(folder: &Path) -> (u16, String) {
    let www = folder.join("www");
    std::fs::create_dir(&www).unwrap();
    std::fs::write(www.join("calendar.ics"), CALENDAR).unwrap();
    let behind = free_port();
    let block = format!(
        "  server {{\n    listen 127.0.0.1:{behind};\n    root {www};\n  }}",
        www = www.display(),
    );
    (behind, block)
}

/// A service that answers every request with the request's own head, on
/// 127.0.0.1; returns its port.
async fn echo_service() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        loop {
            let (mut stream, _) = listener.accept().await.unwrap();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut byte = [0u8; 1];
                while !head.ends_with(b"\r\n\r\n") {
                    match stream.read(&mut byte).await {
                        Ok(1) => head.push(byte[0]),
                        _ => return,
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    head.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.write_all(&head).await;
            });
        }
    });
    port
}

#[tokio::test]
async fn nginx_lets_in_exactly_the_requests_with_a_valid_app_password() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (id, password) = ada.new_app_password("Calendar on the phone").await;
    let credential_file = server.service_credential("nginx", "nginx");
    let folder = tempfile::tempdir().unwrap();
    let (behind, calendar) = static_calendar(folder.path());
    let (_nginx, port) = start_nginx(folder.path(), &server, &credential_file, behind, &calendar);

    // The credential is in the included file alone, which is root's.
    let credential = std::fs::read_to_string(&credential_file).unwrap();
    let credential = credential.split('"').nth(1).unwrap();
    for config in ["nginx.conf", "caldav.conf"] {
        let text = std::fs::read_to_string(folder.path().join(config)).unwrap();
        assert!(!text.contains(credential), "{config}");
    }

    // A calendar app on the phone, from an address of its own.
    let phone = reqwest::Client::builder()
        .local_address("127.0.0.9".parse::<std::net::IpAddr>().unwrap())
        .build()
        .unwrap();
    let calendar = format!("http://127.0.0.1:{port}/calendar.ics");
    let get = |password: Option<&str>| {
        let mut request = phone
            .get(&calendar)
            // Which nginx must not pass on as the client's address.
            .header("X-Client-Address", "203.0.113.9");
        if let Some(password) = password {
            request = request.basic_auth("ada", Some(password));
        }
        async move { request.send().await.unwrap() }
    };

    let response = get(Some(&password)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.text().await.unwrap(), CALENDAR);
    let item = &ada.get("/app-passwords").await.body["items"][0];
    assert_eq!(item["last_used_service"], "caldav", "{item}");
    assert_eq!(item["last_used_ip"], "127.0.0.9", "the phone, not nginx");

    for password in [None, Some("aaaaa-bbbbb-ccccc-ddddd-eeeee")] {
        let refused = get(password).await;
        assert_eq!(refused.status(), StatusCode::UNAUTHORIZED, "{password:?}");
        let challenge = refused.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.starts_with("Basic "), "{challenge}");
        assert!(!refused.text().await.unwrap().contains(CALENDAR));
    }

    // Revoked: the very next request is refused; nothing was kept.
    assert_eq!(get(Some(&password)).await.status(), StatusCode::OK);
    let revoked = ada.delete(&format!("/app-passwords/{id}")).await;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get(Some(&password)).await.status(),
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_behind_learns_who_was_verified_and_never_from_the_client() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let (_, adas) = server.ada().await.new_app_password("Calendar").await;
    let (_, bobs) = server.bob().await.new_app_password("Calendar").await;
    let credential_file = server.service_credential("nginx", "nginx");
    let folder = tempfile::tempdir().unwrap();
    let (_nginx, port) = start_nginx(
        folder.path(),
        &server,
        &credential_file,
        echo_service().await,
        "",
    );
    let http = reqwest::Client::new();
    // What the service behind received, as (lower-case name, value).
    let received = |login: &'static str, password: String, forged: bool| {
        let mut request = http
            .get(format!("http://127.0.0.1:{port}/ada/calendar.ics/"))
            .basic_auth(login, Some(password));
        if forged {
            request = request
                .header("X-Remote-User", "ada")
                .header("X_Remote_User", "ada");
        }
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            let head = response.text().await.unwrap();
            head.lines()
                .skip(1)
                .filter_map(|line| line.split_once(':'))
                .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_owned()))
                .collect::<Vec<_>>()
        }
    };
    let users = |headers: &[(String, String)]| -> Vec<String> {
        headers
            .iter()
            .filter(|(name, _)| name.replace('_', "-") == "x-remote-user")
            .map(|(_, value)| value.clone())
            .collect()
    };

    let adas_request = received("ada", adas, false).await;
    assert_eq!(users(&adas_request), ["ada"], "{adas_request:?}");
    assert!(
        adas_request.iter().all(|(name, _)| name != "authorization"),
        "the app password reached the service: {adas_request:?}"
    );
    for forged in [false, true] {
        let bobs_request = received("bob", bobs.clone(), forged).await;
        assert_eq!(users(&bobs_request), ["bob"], "{bobs_request:?}");
    }
}

#[tokio::test]
async fn nginx_refuses_a_mail_password_for_the_calendar() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (_, mail) = ada
        .new_app_password_for("Mail", Some(&["imap", "smtp"]))
        .await;
    let (_, calendars) = ada
        .new_app_password_for("Calendar", Some(&["caldav", "carddav"]))
        .await;
    let credential_file = server.service_credential("nginx", "nginx");
    let folder = tempfile::tempdir().unwrap();
    let (behind, calendar) = static_calendar(folder.path());
    let (_nginx, port) = start_nginx(folder.path(), &server, &credential_file, behind, &calendar);
    let http = reqwest::Client::new();
    let get = |password: String| {
        let request = http
            .get(format!("http://127.0.0.1:{port}/calendar.ics"))
            .basic_auth("ada", Some(password));
        async move { request.send().await.unwrap() }
    };

    let refused = get(mail).await;
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    assert!(refused.headers().contains_key(header::WWW_AUTHENTICATE));
    assert!(!refused.text().await.unwrap().contains(CALENDAR));
    let allowed = get(calendars).await;
    assert_eq!(allowed.status(), StatusCode::OK);
    assert_eq!(allowed.text().await.unwrap(), CALENDAR);

    let items = ada.get("/app-passwords").await.body["items"].clone();
    assert!(items[0].get("last_used_at").is_none(), "{}", items[0]);
    assert_eq!(items[1]["last_used_service"], "caldav", "{}", items[1]);
}
