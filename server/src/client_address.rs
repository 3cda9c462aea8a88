//! Who the client is on the network: the connection's peer, or, when the
//! peer is a proxy named by `--trusted-proxy`, the address named by the
//! one header the operator chose with `--client-address-header`. Rate
//! limits and the last use of an app password go by it.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderName};

use crate::config::{canonical, IpNetwork};
use crate::AppState;

/// The header a trusted proxy names the client in. Only the operator
/// knows which one the proxy writes (and overwrites): a header the proxy
/// leaves alone passes on whatever the client put there, so the choice is
/// never made by which header a request happens to carry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ClientAddressHeader {
    /// `X-Forwarded-For`, which proxies append to (nginx
    /// `$proxy_add_x_forwarded_for`, Caddy).
    #[default]
    XForwardedFor,
    /// `Forwarded`'s `for=` (RFC 7239; HAProxy `option forwarded`).
    Forwarded,
    /// `X-Real-IP`: one address, which the proxy sets (nginx
    /// `proxy_set_header X-Real-IP $remote_addr`).
    XRealIp,
}

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
            state.settings.client_address_header,
        )))
    }
}

/// `peer`, unless it is one of the `trusted` proxies: then the nearest
/// address in `header` that is not itself a trusted proxy. A list is read
/// from the right, the end the proxies append to, so that whatever a
/// client wrote there itself is never believed over its own address. An
/// entry that is not an address (`unknown`, an obfuscated name) stops the
/// walk at the last proxy.
pub fn client_address(
    peer: IpAddr,
    headers: &HeaderMap,
    trusted: &[IpNetwork],
    header: ClientAddressHeader,
) -> IpAddr {
    let is_trusted = |address: IpAddr| trusted.iter().any(|network| network.contains(address));
    let mut client = canonical(peer);
    if !is_trusted(client) {
        return client;
    }
    for hop in forwarded_hops(headers, header).iter().rev() {
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

/// The addresses `header` names, client first. `None` for an entry that
/// is not an address.
fn forwarded_hops(headers: &HeaderMap, header: ClientAddressHeader) -> Vec<Option<IpAddr>> {
    let values = |name| {
        headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    match header {
        ClientAddressHeader::XForwardedFor => values(HeaderName::from_static("x-forwarded-for"))
            .join(",")
            .split(',')
            .filter(|entry| !entry.trim().is_empty())
            .map(|entry| entry.trim().parse().ok())
            .collect(),
        ClientAddressHeader::Forwarded => values(header::FORWARDED)
            .join(",")
            .split(',')
            .filter(|element| !element.trim().is_empty())
            .map(|element| {
                element
                    .split(';')
                    .filter_map(|pair| pair.trim().split_once('='))
                    .find(|(name, _)| name.eq_ignore_ascii_case("for"))
                    .and_then(|(_, node)| node_address(node))
            })
            .collect(),
        // The proxy sets one address, replacing any the client sent; more
        // than one means it did not, and none of them is believed.
        ClientAddressHeader::XRealIp => match values(HeaderName::from_static("x-real-ip"))[..] {
            [] => Vec::new(),
            [ref one] => vec![one.trim().parse().ok()],
            _ => vec![None],
        },
    }
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

    use ClientAddressHeader::{Forwarded, XForwardedFor, XRealIp};

    #[test]
    fn only_a_trusted_proxy_is_believed_and_only_from_its_own_end() {
        let trusted: Vec<IpNetwork> = vec![
            "127.0.0.1/32".parse().unwrap(),
            "10.0.0.0/8".parse().unwrap(),
        ];
        let proxy = address("127.0.0.1");
        let forwarded = headers(&[("x-forwarded-for", "198.51.100.1, 203.0.113.5, 10.1.2.3")]);
        assert_eq!(
            client_address(proxy, &forwarded, &trusted, XForwardedFor),
            address("203.0.113.5")
        );
        assert_eq!(
            client_address(address("192.0.2.9"), &forwarded, &trusted, XForwardedFor),
            address("192.0.2.9"),
            "an untrusted peer's header is ignored"
        );
        assert_eq!(
            client_address(proxy, &HeaderMap::new(), &trusted, XForwardedFor),
            proxy
        );
        assert_eq!(
            client_address(
                proxy,
                &headers(&[("x-forwarded-for", "unknown, 10.0.0.7")]),
                &trusted,
                XForwardedFor
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
                &trusted,
                Forwarded
            ),
            address("2001:db8::17")
        );
        assert_eq!(
            client_address(
                proxy,
                &headers(&[("forwarded", "for=\"192.0.2.60:4711\"")]),
                &trusted,
                Forwarded
            ),
            address("192.0.2.60")
        );
        assert_eq!(
            client_address(proxy, &forwarded, &[], XForwardedFor),
            proxy,
            "no proxy trusted"
        );
    }

    #[test]
    fn only_the_chosen_header_names_the_client() {
        let trusted: Vec<IpNetwork> = vec!["127.0.0.1/32".parse().unwrap()];
        let proxy = address("127.0.0.1");
        // The proxy writes Forwarded; X-Forwarded-For is the client's own.
        let both = headers(&[
            ("x-forwarded-for", "198.51.100.1"),
            ("forwarded", "for=203.0.113.5"),
            ("x-real-ip", "192.0.2.77"),
        ]);
        for (header, client) in [
            (XForwardedFor, "198.51.100.1"),
            (Forwarded, "203.0.113.5"),
            (XRealIp, "192.0.2.77"),
        ] {
            assert_eq!(
                client_address(proxy, &both, &trusted, header),
                address(client),
                "{header:?}"
            );
        }
        // The chosen header missing: the proxy, whatever else is there.
        let only_xff = headers(&[("x-forwarded-for", "198.51.100.1")]);
        assert_eq!(client_address(proxy, &only_xff, &trusted, Forwarded), proxy);
        assert_eq!(client_address(proxy, &only_xff, &trusted, XRealIp), proxy);
        // X-Real-IP is one address: two, or a list, are not believed.
        let two = headers(&[("x-real-ip", "192.0.2.1"), ("x-real-ip", "192.0.2.2")]);
        assert_eq!(client_address(proxy, &two, &trusted, XRealIp), proxy);
        let list = headers(&[("x-real-ip", "192.0.2.1, 192.0.2.2")]);
        assert_eq!(client_address(proxy, &list, &trusted, XRealIp), proxy);
        let v6 = headers(&[("x-real-ip", "2001:db8::5")]);
        assert_eq!(
            client_address(proxy, &v6, &trusted, XRealIp),
            address("2001:db8::5")
        );
    }
}
