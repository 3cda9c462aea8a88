//! The real nginx (Debian's nginx-light, with auth_request) with
//! `examples/nginx-auth-request/caldav.conf`, asking this server about
//! every request for the service behind it. nginx runs as a process of its
//! own in a throwaway folder, on free loopback ports, and stops with the
//! test.

mod common;

use std::path::Path;

use common::services::assert_readme_quotes;
use common::Server;
use reqwest::{header, StatusCode};
use testkit::{adapted, free_port, Nginx};

/// The example, as shipped.
const EXAMPLE: &str = include_str!("../../examples/nginx-auth-request/caldav.conf");

/// What the service behind nginx serves.
const CALENDAR: &str = "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n";

/// nginx with the example, in front of a static stand-in for the CalDAV
/// server, its files in `folder`; returns it and its port.
fn start_nginx(folder: &Path, server: &Server, credential_file: &Path) -> (Nginx, u16) {
    let www = folder.join("www");
    std::fs::create_dir(&www).unwrap();
    std::fs::write(www.join("calendar.ics"), CALENDAR).unwrap();
    let (port, behind) = (free_port(), free_port());
    let example = [
        (
            "    listen 443 ssl;\n",
            format!("    listen 127.0.0.1:{port};\n"),
        ),
        (
            "    ssl_certificate /etc/ssl/certs/dav.example.com.pem;\n",
            String::new(),
        ),
        (
            "    ssl_certificate_key /etc/ssl/private/dav.example.com.key;\n",
            String::new(),
        ),
        (
            "http://127.0.0.1:5232;",
            format!("http://127.0.0.1:{behind};"),
        ),
        (
            "http://127.0.0.1:8080/api/v1/verify;",
            format!("{};", server.url("/api/v1/verify")),
        ),
        (
            "/etc/nginx/app-passwords-credential.conf",
            credential_file.display().to_string(),
        ),
    ];
    let example = adapted(EXAMPLE, &example);
    std::fs::write(folder.join("caldav.conf"), example).unwrap();
    // Beside the example, as conf.d/ would hold it: the service behind,
    // static files standing in for a CalDAV server.
    let http = format!(
        "  server {{\n    listen 127.0.0.1:{behind};\n    root {www};\n  }}\n  include {folder}/caldav.conf;",
        www = www.display(),
        folder = folder.display(),
    );
    (Nginx::start(folder, &http, port), port)
}

#[tokio::test]
async fn nginx_lets_in_exactly_the_requests_with_a_valid_app_password() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let ada = server.ada().await;
    let (id, password) = ada.new_app_password("Calendar on the phone").await;
    let credential_file = server.service_credential("nginx", "nginx");
    let folder = tempfile::tempdir().unwrap();
    let (_nginx, port) = start_nginx(folder.path(), &server, &credential_file);

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

#[test]
fn the_readme_quotes_the_example() {
    assert_readme_quotes("### nginx `auth_request`", EXAMPLE);
}
