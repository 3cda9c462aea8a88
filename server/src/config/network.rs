//! The networks `--trusted-proxy` names.

use std::net::IpAddr;

use ipnet::IpNet;

/// An IP network in CIDR notation (`192.0.2.0/24`, `::1/128`; a bare
/// address is the one address): `ipnet`'s [`IpNet`], read so that an
/// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is the IPv4 one, as
/// [`IpNetwork::contains`] takes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNetwork(IpNet);

impl IpNetwork {
    /// Whether `address` is in this network. An IPv4 address in its IPv6
    /// form (`::ffff:127.0.0.1`) counts as the IPv4 address.
    pub fn contains(&self, address: IpAddr) -> bool {
        self.0.contains(&canonical(address))
    }
}

/// `address`, with an IPv4-mapped IPv6 address as the IPv4 one.
pub fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    }
}

impl std::str::FromStr for IpNetwork {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        let refused = || {
            format!("{text:?} is not an IP network: write it as 192.0.2.0/24, 10.0.0.1 or ::1/128")
        };
        // Not `IpNet::from_str` alone: it takes no bare address, and reads
        // `::ffff:10.0.0.0/8` as an IPv6 network.
        let (address, prefix) = match text.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (text, None),
        };
        let address = canonical(address.parse::<IpAddr>().map_err(|_| refused())?);
        let network = match prefix {
            Some(prefix) => {
                let prefix = prefix.parse::<u8>().map_err(|_| refused())?;
                IpNet::new(address, prefix).map_err(|_| refused())?
            }
            None => IpNet::from(address),
        };
        Ok(Self(network))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trusted_proxies_are_networks() {
        let loopback: IpNetwork = "127.0.0.1/8".parse().unwrap();
        assert!(loopback.contains("127.9.9.9".parse().unwrap()));
        assert!(loopback.contains("::ffff:127.0.0.1".parse().unwrap()));
        assert!(!loopback.contains("128.0.0.1".parse().unwrap()));
        let one: IpNetwork = "::1".parse().unwrap();
        assert!(one.contains("::1".parse().unwrap()));
        assert!(!one.contains("::2".parse().unwrap()));
        let mapped: IpNetwork = "::ffff:10.0.0.0/8".parse().unwrap();
        assert!(mapped.contains("10.1.2.3".parse().unwrap()));
        assert!(!mapped.contains("::1".parse().unwrap()));
        let all: IpNetwork = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("203.0.113.5".parse().unwrap()));
        for bad in ["10.0.0.0/33", "::/129", "proxy", "10.0.0.0/x", ""] {
            assert!(bad.parse::<IpNetwork>().is_err(), "{bad}");
        }
    }
}
