//! Dovecot's `checkpassword` passdb, as a subcommand: Dovecot runs it once
//! per login, hands it the login and password on file descriptor 3 (never
//! as arguments, which `ps` would show), and says in the environment which
//! service the client uses (`SERVICE`) and from where (`TCPREMOTEIP`). It
//! asks the verifier with the service credential, and then either becomes
//! Dovecot's reply program (accepted: a 200 whose body is `/verify`'s,
//! naming this login) or exits 1 (refused) or 111 (the verifier could not
//! say, or something else answered: a temporary failure, so clients keep
//! the password and try again, and the operator finds why in the log).
//!
//! Plain HTTP over a std socket, without an async runtime or TLS: the
//! verifier runs on the same host or a private network, and a process that
//! lives for one request should start fast.

use std::io::{Read, Write};
use std::net::{IpAddr, TcpStream, ToSocketAddrs};
use std::os::unix::process::CommandExt;
use std::time::Duration;

use axum::http::Uri;
use data_encoding::BASE64;

use crate::config::CheckpasswordArgs;
use crate::service_credentials::is_service_name;

/// Exit status that Dovecot reads as wrong credentials.
const REFUSED: i32 = 1;
/// Exit status that Dovecot reads as a temporary failure.
const TEMPORARY_FAILURE: i32 = 111;
/// The most Dovecot sends on file descriptor 3.
const MAX_INPUT: u64 = 512;

/// Runs one check. On acceptance it does not return: the process becomes
/// the reply program. Otherwise it returns the exit status, having said why
/// on stderr (which Dovecot logs) without the password.
pub fn run(args: &CheckpasswordArgs) -> i32 {
    let outcome = read_login_and_password().and_then(|(login, password)| {
        if std::env::var_os("AUTHORIZED").is_some() {
            // A userdb or credentials lookup: no password to check.
            return Err(
                "only plaintext passdb checks are supported: use auth_mechanisms = plain login \
                 and another userdb (static)"
                    .to_owned(),
            );
        }
        let answer = ask_verifier(args, &login, &password)?;
        Ok((login, answer))
    });
    match outcome {
        Ok((login, Answer::Verified)) => {
            let (program, rest) = args
                .reply
                .split_first()
                .expect("clap requires the reply program");
            let failed = std::process::Command::new(program)
                .args(rest)
                .env("USER", login)
                .exec();
            eprintln!("app-passwords checkpassword: running the reply program: {failed}");
            TEMPORARY_FAILURE
        }
        Ok((_, Answer::Status(401))) => REFUSED,
        Ok((_, Answer::Status(status))) => {
            eprintln!(
                "app-passwords checkpassword: the verifier answered {status}: {}",
                meaning(status)
            );
            TEMPORARY_FAILURE
        }
        Err(why) => {
            eprintln!("app-passwords checkpassword: {why}");
            TEMPORARY_FAILURE
        }
    }
}

/// What the verifier answered.
#[derive(Debug, PartialEq, Eq)]
enum Answer {
    /// 200 with the body of `/verify` about this very login: the one
    /// answer that lets a login in.
    Verified,
    /// Any other status.
    Status(u16),
}

/// What an unexpected answer of the verifier means for the operator.
fn meaning(status: u16) -> &'static str {
    match status {
        403 => "it refused this service's credential (revoked, or the wrong file)",
        429 => "too many failed attempts for this login or client address",
        400 => "it did not take the service name or client address",
        _ => "it cannot check passwords now",
    }
}

/// `login NUL password NUL …` from file descriptor 3, opened through
/// `/dev/fd` so that no unsafe code claims the descriptor.
fn read_login_and_password() -> Result<(String, String), String> {
    let input = std::fs::File::open("/dev/fd/3")
        .map_err(|err| format!("file descriptor 3 (from Dovecot) cannot be read: {err}"))?;
    let mut bytes = Vec::new();
    input
        .take(MAX_INPUT)
        .read_to_end(&mut bytes)
        .map_err(|err| format!("reading file descriptor 3: {err}"))?;
    let mut parts = bytes.split(|&byte| byte == 0);
    let (Some(login), Some(password)) = (parts.next(), parts.next()) else {
        return Err("file descriptor 3 did not hold login NUL password NUL".to_owned());
    };
    let text = |part: &[u8]| {
        String::from_utf8(part.to_vec())
            .map_err(|_| "the login or password is not UTF-8".to_owned())
    };
    Ok((text(login)?, text(password)?))
}

/// Sends `GET` to the verifier with HTTP Basic, the service credential, the
/// service's name and the client's address; returns what it answered.
fn ask_verifier(args: &CheckpasswordArgs, login: &str, password: &str) -> Result<Answer, String> {
    let url: Uri = args
        .verifier_url
        .parse()
        .map_err(|_| format!("--verifier-url {} is not a URL", args.verifier_url))?;
    let (Some("http"), Some(authority)) = (url.scheme_str(), url.authority()) else {
        return Err(format!(
            "--verifier-url {} must be http://HOST:PORT/…",
            args.verifier_url
        ));
    };
    let credential = std::fs::read_to_string(&args.credential_file)
        .map_err(|err| format!("reading {}: {err}", args.credential_file.display()))?;
    let timeout = Duration::from_secs(args.timeout_seconds);

    let mut request = format!(
        "GET {} HTTP/1.1\r\nHost: {authority}\r\nAuthorization: Basic {}\r\n{}: {}\r\n",
        url.path_and_query().map_or("/", |p| p.as_str()),
        BASE64.encode(format!("{login}:{password}").as_bytes()),
        contract::headers::SERVICE_CREDENTIAL,
        credential.trim(),
    );
    if let Some(service) = std::env::var("SERVICE").ok().filter(|s| is_service_name(s)) {
        request.push_str(&format!(
            "{}: {service}\r\n",
            contract::headers::SERVICE_NAME
        ));
    }
    if let Some(client) = std::env::var("TCPREMOTEIP")
        .ok()
        .filter(|ip| ip.parse::<IpAddr>().is_ok())
    {
        request.push_str(&format!(
            "{}: {client}\r\n",
            contract::headers::CLIENT_ADDRESS
        ));
    }
    request.push_str("Connection: close\r\n\r\n");

    let port = url.port_u16().unwrap_or(80);
    let host = url.host().unwrap_or_default().trim_matches(['[', ']']);
    let addresses = (host, port)
        .to_socket_addrs()
        .map_err(|err| format!("resolving {authority}: {err}"))?;
    let mut last_error = format!("{authority} has no address");
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeout) {
            Ok(stream) => {
                let (status, body) = exchange(stream, request.as_bytes(), timeout)?;
                return judge(status, &body, login);
            }
            Err(err) => last_error = format!("connecting to {address}: {err}"),
        }
    }
    Err(last_error)
}

/// The most of an answer read: `/verify`'s is a few hundred bytes.
const MAX_ANSWER: u64 = 64 * 1024;

/// Writes the request and reads the whole response (the request says
/// `Connection: close`): its status and its body.
fn exchange(
    mut stream: TcpStream,
    request: &[u8],
    timeout: Duration,
) -> Result<(u16, Vec<u8>), String> {
    let io = |err: std::io::Error| format!("talking to the verifier: {err}");
    stream.set_read_timeout(Some(timeout)).map_err(io)?;
    stream.set_write_timeout(Some(timeout)).map_err(io)?;
    stream.write_all(request).map_err(io)?;
    let mut response = Vec::new();
    stream
        .take(MAX_ANSWER)
        .read_to_end(&mut response)
        .map_err(io)?;
    let (head, body) = match response.windows(4).position(|w| w == b"\r\n\r\n") {
        Some(end) => (&response[..end], &response[end + 4..]),
        None => (&response[..], &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.split("\r\n");
    let line = lines.next().unwrap_or_default();
    let status = line
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
        .ok_or_else(|| {
            format!("the verifier's answer does not start with a status line: {line:?}")
        })?;
    let chunked = lines.any(|header| {
        header.split_once(':').is_some_and(|(name, value)| {
            name.trim().eq_ignore_ascii_case("transfer-encoding")
                && value.to_ascii_lowercase().contains("chunked")
        })
    });
    let body = if chunked {
        unchunk(body).ok_or("the verifier's chunked answer is cut short")?
    } else {
        body.to_vec()
    };
    Ok((status, body))
}

/// The body of a chunked answer (a proxy between may send one), or
/// `None` when it is malformed.
fn unchunk(mut chunked: &[u8]) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    loop {
        let end = chunked.windows(2).position(|w| w == b"\r\n")?;
        let size = std::str::from_utf8(&chunked[..end]).ok()?;
        let size = usize::from_str_radix(size.split(';').next()?.trim(), 16).ok()?;
        if size == 0 {
            return Some(body);
        }
        let data = chunked.get(end + 2..end + 2 + size)?;
        body.extend_from_slice(data);
        chunked = chunked.get(end + 4 + size..)?;
    }
}

/// The body of a 200 from `/verify`.
#[derive(serde::Deserialize)]
struct Verified {
    login: String,
    // Present in every answer of `/verify`, and in no other 200 of the
    // server: what tells it from `/healthz` or the page.
    #[serde(rename = "app_password")]
    _app_password: serde::de::IgnoredAny,
}

/// A login counts only when the verifier answered 200 with `/verify`'s
/// body naming this login: any other 200 comes from something else at a
/// mistyped `--verifier-url` (the page, `/healthz`), which would let every
/// password in. Says what was wrong without the body, which is not the
/// operator's to read in a log.
fn judge(status: u16, body: &[u8], login: &str) -> Result<Answer, String> {
    if status != 200 {
        return Ok(Answer::Status(status));
    }
    match serde_json::from_slice::<Verified>(body) {
        Ok(verified) if verified.login == login => Ok(Answer::Verified),
        Ok(_) => Err(
            "the verifier answered 200 about another login than the one asked: \
                      is --verifier-url the verifier (http://HOST:PORT/api/v1/verify)?"
                .to_owned(),
        ),
        Err(_) => Err(format!(
            "the verifier answered 200 without /verify's body ({} bytes that are not \
             {{\"login\": …, \"app_password\": …}}): is --verifier-url the verifier \
             (http://HOST:PORT/api/v1/verify)?",
            body.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_verifys_answer_about_this_login_lets_it_in() {
        let verified = br#"{"login":"ada","app_password":{"id":"1","name":"Mail"}}"#;
        assert_eq!(judge(200, verified, "ada"), Ok(Answer::Verified));
        assert!(judge(200, verified, "bob").is_err());
        assert!(judge(200, br#"{"status":"ok"}"#, "ada").is_err());
        assert!(judge(200, b"<!DOCTYPE html><title>app</title>", "ada").is_err());
        assert!(judge(200, br#"{"login":"ada"}"#, "ada").is_err());
        assert!(judge(200, b"", "ada").is_err());
        assert_eq!(judge(401, b"", "ada"), Ok(Answer::Status(401)));
    }

    #[test]
    fn chunked_answers_are_read_whole() {
        assert_eq!(
            unchunk(b"4\r\n{\"a\"\r\n3;x=y\r\n:1}\r\n0\r\n\r\n").as_deref(),
            Some(&b"{\"a\":1}"[..])
        );
        assert_eq!(unchunk(b"9\r\nshort"), None);
        assert_eq!(unchunk(b"zz\r\n"), None);
    }
}
