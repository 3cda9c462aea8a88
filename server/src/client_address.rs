//! Who the client is on the network: the connection's peer, or, when the
//! peer is a proxy named by `--trusted-proxy`, the address its
//! `X-Forwarded-For` (or, without one, `Forwarded`) header names. Rate
//! limits and the last use of an app password go by it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};

use crate::config::{canonical, IpNetwork};
use crate::AppState;

/// The client's address, as [`client_address`] finds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        // `run` gives every request its peer; without one (a router
        // driven directly), the unspecified address stands for it.
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map_or(IpAddr::from([0, 0, 0, 0]), |info| info.0.ip());
        Ok(Self(client_address(
            peer,
            &parts.headers,
            &state.settings.trusted_proxies,
        )))
    }
}

/// `peer`, unless it is one of the `trusted` proxies: then the nearest
/// address in its forwarding header that is not itself a trusted proxy.
/// Read from the right, the end the proxies append to, so that whatever a
/// client wrote there itself is never believed over its own address. An
/// entry that is not an address (`unknown`, an obfuscated name) stops the
/// walk at the last proxy.
pub fn client_address(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNetwork]) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    for hop in forwarded_hops(headers).iter().rev() {
        let Some(hop) = hop else {
            break;
        };
        client = canonical(*hop);
        if !is_trusted(client) {
            break;
        }
    }
    client
}

/// The addresses of the forwarding header, client first: `X-Forwarded-For`
/// when there is one, else the `for=` of `Forwarded`. `None` for an entry
/// that is not an address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
            .join(",")
    };
    let x_forwarded_for = values(header::HeaderName::from_static("x-forwarded-for"));
    if !x_forwarded_for.trim().is_empty() {
        return x_forwarded_for
            .split(',')
            .map(|entry| entry.trim().parse().ok())
            .collect();
    }
    values(header::FORWARDED)
        .split(',')
        .filter(|element| !element.trim().is_empty())
        .map(|element| {
            element
                .split(';')
                .filter_map(|pair| pair.trim().split_once('='))
                .find(|(name, _)| name.eq_ignore_ascii_case("for"))
                .and_then(|(_, node)| node_address(node))
        })
        .collect()
}

/// The address of a `Forwarded` node: `192.0.2.60`, `"192.0.2.60:4711"`,
/// `"[2001:db8::17]:4711"`.
fn node_address(node: &str) -> Option<IpAddr> {
    let node = node.trim().trim_matches('"');
    if let Some(bracketed) = node.strip_prefix('[') {
        return bracketed.split(']').next()?.parse().ok();
    }
    node.parse()
        .ok()
        .or_else(|| node.rsplit_once(':')?.0.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for (name, value) in pairs {
            headers.append(*name, HeaderValue::from_static(value));
        }
        headers
    }

    fn address(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_from_its_own_end() {
        let trusted: Vec<IpNetwork> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let proxy = address("127.0.0.1");
        let forwarded = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.1.2.3")]);
        assert_eq!(
            client_address(proxy, &forwarded, &trusted),
            address("203.0.113.5")
        );
        assert_eq!(
            client_address(address("192.0.2.9"), &forwarded, &trusted),
            address("192.0.2.9"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(client_address(proxy, &HeaderMap::new(), &trusted), proxy);
        assert_eq!(
            client_address(
                proxy,
                &headers(&[("x-forwarded-for", "unknown, 10.0.0.7")]),
                &trusted
            ),
            address("10.0.0.7")
        );
        assert_eq!(
            client_address(
                proxy,
                &headers(&[(
                    "forwarded",
                    "for=192.0.2.60;proto=http, for=\"[2001:db8::17]:4711\""
                )]),
                &trusted
            ),
            address("2001:db8::17")
        );
        assert_eq!(
            client_address(
                proxy,
                &headers(&[("forwarded", "for=\"192.0.2.60:4711\"")]),
                &trusted
            ),
            address("192.0.2.60")
        );
        assert_eq!(
            client_address(proxy, &forwarded, &[]),
            proxy,
            "no proxy trusted"
        );
    }
}
