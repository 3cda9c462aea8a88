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
//! Plain HTTP through ureq, a blocking HTTP/1.1 client, without an async
//! runtime or TLS (its default features off): this runs before the server's
//! Tokio runtime would start, the verifier runs on the same host or a
//! private network, and a process that lives for one request should start
//! fast.

use std::io::Read;
use std::net::IpAddr;
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
    let (Some("http"), Some(_)) = (url.scheme_str(), url.authority()) else {
        return Err(format!(
            "--verifier-url {} must be http://HOST:PORT/…",
            args.verifier_url
        ));
    };
    let credential = std::fs::read_to_string(&args.credential_file)
        .map_err(|err| format!("reading {}: {err}", args.credential_file.display()))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        // The whole exchange, connecting included, within the timeout.
        .timeout_global(Some(Duration::from_secs(args.timeout_seconds)))
        // Every status is an answer to judge, not an error.
        .http_status_as_error(false)
        // A redirect is no answer of the verifier's: its 3xx is judged
        // (a temporary failure), never followed with the password.
        .max_redirects(0)
        .max_redirects_will_error(false)
        // Straight to the verifier, whatever HTTP_PROXY Dovecot's
        // environment holds.
        .proxy(None)
        .build()
        .into();
    let mut request = agent
        .get(url)
        .header(
            axum::http::header::AUTHORIZATION,
            format!(
                "Basic {}",
                BASE64.encode(format!("{login}:{password}").as_bytes())
            ),
        )
        // Through the header API, which refuses a value with a line break
        // (a credential file edited by hand) instead of sending it raw.
        .header(contract::headers::SERVICE_CREDENTIAL, credential.trim());
    if let Some(service) = std::env::var("SERVICE").ok().filter(|s| is_service_name(s)) {
        request = request.header(contract::headers::SERVICE_NAME, service);
    }
    if let Some(client) = std::env::var("TCPREMOTEIP")
        .ok()
        .filter(|ip| ip.parse::<IpAddr>().is_ok())
    {
        request = request.header(contract::headers::CLIENT_ADDRESS, client);
    }
    let mut response = request
        .call()
        .map_err(|err| format!("asking the verifier at {}: {err}", args.verifier_url))?;
    let status = response.status().as_u16();
    let body = response
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER)
        .read_to_vec()
        .map_err(|err| format!("reading the verifier's answer: {err}"))?;
    judge(status, &body, login)
}

/// The most of an answer read: `/verify`'s is a few hundred bytes.
const MAX_ANSWER: u64 = 64 * 1024;

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
}
