//! The OpenID provider the sign-in tests use is the real one and says what
//! they rely on: its discovery document and JWKS over HTTP, key rotation,
//! tokens signed with its key (or not), and its stop before a code exchange.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use data_encoding::BASE64URL_NOPAD;
use serde_json::Value;
use testkit::oidc::{email_of, Signer};
use testkit::OidcProvider;

const CALLBACK: &str = "http://127.0.0.1:9/oidc/callback";
const PORTAL_CALLBACK: &str = "http://127.0.0.1:9/portal/callback";

/// Sends `request` (without its Host and Connection headers, nor the
/// blank line) to the provider; its answer as status and body, or `None`
/// when the connection closed without one.
fn exchange(provider: &OidcProvider, request: &str, body: &str) -> Option<(u16, String)> {
    let address = provider.issuer().replace("http://", "");
    let mut stream = TcpStream::connect(&address).expect("connect to the provider");
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "{request}\r\nHost: {address}\r\nConnection: close\r\n\r\n{body}"
    )
    .expect("send the request");
    let mut answer = String::new();
    let _ = stream.read_to_string(&mut answer);
    let (head, body) = answer.split_once("\r\n\r\n")?;
    let status = head.split(' ').nth(1)?.parse().ok()?;
    Some((status, body.to_owned()))
}

/// GETs `path` (HTTP/1.0: no chunked body) and parses the JSON it answers.
fn get_json(provider: &OidcProvider, path: &str) -> Value {
    let (status, body) =
        exchange(provider, &format!("GET {path} HTTP/1.0"), "").expect("an answer");
    assert_eq!(status, 200, "GET {path}: {body}");
    serde_json::from_str(&body).unwrap_or_else(|error| panic!("GET {path}: {error}: {body}"))
}

/// The `kid`s the provider's JWKS publishes over HTTP, in order.
fn published_kids(provider: &OidcProvider) -> Vec<String> {
    let discovery = get_json(provider, "/.well-known/openid-configuration");
    let jwks_uri = discovery["jwks_uri"].as_str().expect("a jwks_uri");
    let path = jwks_uri
        .strip_prefix(&provider.issuer())
        .expect("the JWKS is the issuer's");
    get_json(provider, path)["keys"]
        .as_array()
        .expect("keys")
        .iter()
        .map(|key| {
            assert!(key.get("d").is_none(), "a private key is published");
            key["kid"].as_str().expect("a kid").to_owned()
        })
        .collect()
}

/// A compact JWS's header or claims.
fn part(token: &str, index: usize) -> Value {
    let part = token.split('.').nth(index).expect("a compact JWS");
    serde_json::from_slice(&BASE64URL_NOPAD.decode(part.as_bytes()).expect("base64url"))
        .expect("JSON")
}

#[test]
fn discovery_names_the_issuer_and_the_jwks_its_key() {
    let provider = OidcProvider::start(CALLBACK, PORTAL_CALLBACK);
    let issuer = provider.issuer();
    assert!(!issuer.ends_with('/'), "{issuer}");
    let discovery = get_json(&provider, "/.well-known/openid-configuration");
    assert_eq!(discovery["issuer"], issuer.as_str());
    assert_eq!(
        discovery["jwks_uri"],
        format!("{issuer}/jwks").as_str(),
        "{discovery}"
    );
    let kids = published_kids(&provider);
    assert_eq!(kids.len(), 1);
    assert_eq!(kids, provider.kids());
    assert_eq!(provider.client_id(), OidcProvider::CLIENT_ID);
    assert_eq!(provider.audience(), OidcProvider::AUDIENCE);
    let secret_file = std::fs::metadata(provider.client_secret_file()).unwrap();
    assert_eq!(
        std::os::unix::fs::PermissionsExt::mode(&secret_file.permissions()) & 0o777,
        0o600
    );
}

#[test]
fn a_rotated_key_signs_and_the_old_one_stays_published_second() {
    let mut provider = OidcProvider::start(CALLBACK, PORTAL_CALLBACK);
    let issuer = provider.issuer();
    let old = published_kids(&provider);
    provider.rotate_key();
    assert_eq!(provider.issuer(), issuer, "the same port");
    let kids = published_kids(&provider);
    assert_eq!(kids.len(), 2, "{kids:?}");
    assert_ne!(kids[0], old[0]);
    assert_eq!(kids[1], old[0]);
    let token = provider.mint(&provider.access_claims("alice"), Signer::Published);
    assert_eq!(part(&token, 0)["kid"], kids[0].as_str());
}

#[test]
fn minted_tokens_carry_the_claims_and_the_kid_asked_for() {
    let provider = OidcProvider::start(CALLBACK, PORTAL_CALLBACK);
    let kid = provider.kids().remove(0);
    let claims = provider.access_claims("alice");
    assert_eq!(claims["email"], email_of("alice").as_str());
    assert_eq!(claims["aud"], OidcProvider::AUDIENCE);
    assert_eq!(claims["iss"], provider.issuer().as_str());

    let published = provider.mint(&claims, Signer::Published);
    let header = part(&published, 0);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(header["kid"], kid.as_str());
    assert_eq!(part(&published, 1), claims);

    let forged = provider.mint(&claims, Signer::Foreign { kid: None });
    assert_eq!(part(&forged, 0)["kid"], kid.as_str());
    assert_ne!(
        forged.rsplit('.').next(),
        published.rsplit('.').next(),
        "another key signed it"
    );
    let unknown = provider.mint(
        &claims,
        Signer::Foreign {
            kid: Some("nobody's".into()),
        },
    );
    assert_eq!(part(&unknown, 0)["kid"], "nobody's");
}

#[test]
fn a_token_request_after_the_stop_file_ends_the_provider_unanswered() {
    let mut provider = OidcProvider::start(CALLBACK, PORTAL_CALLBACK);
    let body = "grant_type=authorization_code&code=nothing";
    let request = format!(
        "POST /token HTTP/1.0\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}",
        body.len()
    );
    // Without the file, an answer (an error: no such code).
    let (status, _) = exchange(&provider, &request, body).expect("an answer");
    assert_eq!(status, 400);

    provider.stop_on_next_token_request();
    assert_eq!(exchange(&provider, &request, body), None);
    let status = provider
        .wait_for_exit(Duration::from_secs(10))
        .expect("the provider ended");
    assert_eq!(status.code(), Some(3));
    assert!(!provider.is_running());

    provider.restart();
    let (status, _) = exchange(&provider, &request, body).expect("answered again");
    assert_eq!(status, 400);
}
