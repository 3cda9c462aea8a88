//! `checkpassword` as Dovecot runs it (the login and password on file
//! descriptor 3), against this server and against what a mistyped
//! `--verifier-url` reaches instead: only `/verify`'s answer about the
//! very login lets it in; any other 200 is a temporary failure (111) that
//! says why, never a success.

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::process::Command;

use common::{Server, SERVER_BINARY};

/// Accepted (the reply program ran and succeeded).
const ACCEPTED: i32 = 0;
/// Refused by the verifier.
const REFUSED: i32 = 1;
/// Dovecot's temporary failure.
const TEMPORARY_FAILURE: i32 = 111;

/// Runs `checkpassword` asking `url` about `login` and `password`, handed
/// over on file descriptor 3 as Dovecot does, with `true` as the reply
/// program; returns its exit status and what it said on stderr.
fn checkpassword(url: &str, credential: &Path, login: &str, password: &str) -> (i32, String) {
    let folder = tempfile::tempdir().unwrap();
    let input = folder.path().join("fd3");
    std::fs::write(&input, format!("{login}\0{password}\0")).unwrap();
    let output = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" \"$@\" 3<\"$INPUT\"")
        .arg(SERVER_BINARY)
        .args(["checkpassword", "--verifier-url", url, "--credential-file"])
        .arg(credential)
        .arg("true")
        .env("INPUT", &input)
        .env("SERVICE", "imap")
        .env("TCPREMOTEIP", "127.0.0.5")
        .env_remove("AUTHORIZED")
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(!said.contains(password), "said the password: {said}");
    (output.status.code().unwrap_or(-1), said)
}

/// A stand-in verifier on 127.0.0.1 that answers one request with
/// `response` (head and body); returns its URL.
fn one_answer(response: String) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/api/v1/verify", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut request = Vec::new();
        let mut byte = [0u8; 1];
        while !request.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            request.push(byte[0]);
        }
        stream.write_all(response.as_bytes()).unwrap();
    });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_verifiers_answer_about_this_login_lets_it_in() {
    let data = tempfile::tempdir().unwrap();
    let server = Server::start(data.path()).await;
    let (_, password) = server.ada().await.new_app_password("Mail").await;
    let credential = server.service_credential("dovecot", "plain");
    let wrong = "aaaaa-bbbbb-ccccc-ddddd-eeeee";
    let ask = |url: String, password: &str| {
        let (credential, password) = (credential.clone(), password.to_owned());
        tokio::task::spawn_blocking(move || checkpassword(&url, &credential, "ada", &password))
    };

    let verifier = server.url("/api/v1/verify");
    assert_eq!(ask(verifier.clone(), &password).await.unwrap().0, ACCEPTED);
    assert_eq!(ask(verifier, wrong).await.unwrap().0, REFUSED);

    // Mistyped URLs that answer 200: the health check, and the page
    // (the path without /api/v1).
    for url in [server.url("/healthz"), server.url("/verify")] {
        for password in [password.as_str(), wrong] {
            let (status, said) = ask(url.clone(), password).await.unwrap();
            assert_eq!(status, TEMPORARY_FAILURE, "{url}: {said}");
            assert!(said.contains("--verifier-url"), "{url}: {said}");
        }
    }

    // A 200 of /verify's shape, about another login.
    let body = r#"{"login":"bob","app_password":{"id":"1","name":"Mail"}}"#;
    let about_bob = one_answer(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    ));
    let (status, said) = ask(about_bob, &password).await.unwrap();
    assert_eq!(status, TEMPORARY_FAILURE, "{said}");
    assert!(said.contains("another login"), "{said}");

    // The same answer about ada, chunked as a proxy between may send it.
    let body = r#"{"login":"ada","app_password":{"id":"1","name":"Mail"}}"#;
    let (head, tail) = body.split_at(10);
    let chunked = one_answer(format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n\
         {:x}\r\n{head}\r\n{:x}\r\n{tail}\r\n0\r\n\r\n",
        head.len(),
        tail.len()
    ));
    assert_eq!(ask(chunked, &password).await.unwrap().0, ACCEPTED);
}
