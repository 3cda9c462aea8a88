//! Checking the provider's signed tokens with `jsonwebtoken`: the ID token
//! of a sign-in, and access tokens sent as bearer tokens by a portal.

use jsonwebtoken::{decode, decode_header, Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};

use super::provider::Provider;
use super::OidcError;

/// Claims of a checked token.
pub type Claims = Map<String, Value>;

/// Seconds of clock difference allowed between this server and the provider.
const LEEWAY_SECONDS: u64 = 60;

/// The algorithms a provider may sign with: asymmetric only, so that a
/// token "signed" with a public key as an HMAC secret never passes.
const ASYMMETRIC: [Algorithm; 8] = [
    Algorithm::RS256,
    Algorithm::RS384,
    Algorithm::RS512,
    Algorithm::PS256,
    Algorithm::PS384,
    Algorithm::PS512,
    Algorithm::ES256,
    Algorithm::ES384,
];

/// Checks `token`'s signature against the provider's keys, its issuer,
/// its audience (which must include `audience`) and its expiry.
async fn check(
    provider: &Provider,
    token: &str,
    audience: &str,
) -> Result<(Claims, Option<String>), OidcError> {
    let header = decode_header(token).map_err(|_| OidcError::BadToken("not a JWT"))?;
    if !ASYMMETRIC.contains(&header.alg) {
        return Err(OidcError::BadToken("not signed with an asymmetric key"));
    }
    let jwk = provider.key(header.kid.as_deref()).await?;
    // A key that names its algorithm is used with that one only.
    if let Some(alg) = jwk.common.key_algorithm {
        if format!("{alg:?}") != format!("{:?}", header.alg) {
            return Err(OidcError::BadToken(
                "signed with another algorithm than its key's",
            ));
        }
    }
    let key = DecodingKey::from_jwk(&jwk)
        .map_err(|_| OidcError::BadToken("the provider's key is not usable"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[provider.issuer(), &format!("{}/", provider.issuer())]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = LEEWAY_SECONDS;
    validation.validate_nbf = true;
    let data = decode::<Claims>(token, &key, &validation).map_err(|error| {
        use jsonwebtoken::errors::ErrorKind;
        OidcError::BadToken(match error.kind() {
            ErrorKind::ExpiredSignature => "expired",
            ErrorKind::InvalidIssuer => "another issuer",
            ErrorKind::InvalidAudience => "another audience",
            ErrorKind::InvalidSignature => "the signature does not match",
            _ => "not a valid token",
        })
    })?;
    Ok((data.claims, header.typ))
}

/// Checks a sign-in's ID token (OpenID Connect Core 3.1.3.7): signature,
/// issuer, audience (this client, and `azp` when there are several),
/// expiry, and the `nonce` this sign-in sent.
pub async fn check_id_token(
    provider: &Provider,
    client_id: &str,
    token: &str,
    nonce: &str,
) -> Result<Claims, OidcError> {
    let (claims, _) = check(provider, token, client_id).await?;
    let several = claims
        .get("aud")
        .and_then(Value::as_array)
        .is_some_and(|aud| aud.len() > 1);
    if several && claims.get("azp").and_then(Value::as_str) != Some(client_id) {
        return Err(OidcError::BadToken("issued to another party"));
    }
    let sent = claims
        .get("nonce")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !crate::crypto::constant_time_eq(sent, nonce) {
        return Err(OidcError::BadToken("another sign-in's nonce"));
    }
    Ok(claims)
}

/// Checks an access token a portal sends as a bearer token: signed by the
/// provider for `audience`. When the audience is this client's own id, an
/// ID token would carry it too, so only a token typed as an access token
/// (RFC 9068 `at+jwt`) is taken then.
pub async fn check_access_token(
    provider: &Provider,
    audience: &str,
    client_id: &str,
    token: &str,
) -> Result<Claims, OidcError> {
    let (claims, typ) = check(provider, token, audience).await?;
    let typed_as_access = typ.as_deref().is_some_and(|typ| {
        typ.eq_ignore_ascii_case("at+jwt") || typ.eq_ignore_ascii_case("application/at+jwt")
    });
    if audience == client_id && !typed_as_access {
        return Err(OidcError::BadToken("not typed as an access token"));
    }
    // An ID token carries the nonce of its sign-in; an access token never.
    if claims.contains_key("nonce") {
        return Err(OidcError::BadToken("an ID token, not an access token"));
    }
    Ok(claims)
}
