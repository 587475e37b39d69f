//! Who a request comes from: the peer's address, or, when (and only when) the peer is a
//! configured trusted proxy, the client address it passes on in `X-Forwarded-For`.
//!
//! Behind the documented Caddy every request comes from 127.0.0.1; without this, one
//! person's wrong passwords slowed every coordinator down. A header from anyone else is
//! ignored, so nobody can pick their own address by sending one.

use std::net::{IpAddr, SocketAddr};

use axum::http::HeaderMap;
use ipnet::IpNet;

/// The client's address. From a trusted proxy, `X-Forwarded-For` is read from the right
/// (each proxy appends the address it saw): the first address that is not itself a
/// trusted proxy is the client. A missing or unreadable header leaves the peer's address.
pub fn address(peer: SocketAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let peer = canonical(peer.ip());
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let mut client = peer;
    let hops = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect::<Vec<_>>();
    for hop in hops.into_iter().rev() {
        let Ok(ip) = hop.parse::<IpAddr>().map(canonical) else { return client };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// An IPv4 address seen through an IPv6 socket is the IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// An address as the log writes it: the network, not the household (the last part of an
/// IPv4 address, all but the first three groups of an IPv6 address, hidden), as the log
/// masks phone numbers.
pub fn masked(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            format!("{a}.{b}.{c}.x")
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}::x", s[0], s[1], s[2])
        }
    }
}

/// Parses `--trusted-proxy`: an address (`127.0.0.1`, `::1`) or a network (`10.0.0.0/8`).
pub fn parse_trusted(text: &str) -> Result<IpNet, String> {
    let text = text.trim();
    text.parse::<IpNet>()
        .or_else(|_| text.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| format!("--trusted-proxy '{text}' is not an address or network like 127.0.0.1 or 10.0.0.0/8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(peer: &str, forwarded: &[&str], trusted: &[&str]) -> String {
        let peer = SocketAddr::new(peer.parse().unwrap(), 50000);
        let mut headers = HeaderMap::new();
        for f in forwarded {
            headers.append("x-forwarded-for", f.parse().unwrap());
        }
        let trusted: Vec<IpNet> = trusted.iter().map(|t| parse_trusted(t).unwrap()).collect();
        address(peer, &headers, &trusted).to_string()
    }

    #[test]
    fn the_forwarded_address_counts_only_from_a_trusted_proxy() {
        for (peer, forwarded, trusted, client) in [
            // Caddy on the same machine passes the client on.
            ("127.0.0.1", &["203.0.113.9"][..], &["127.0.0.1"][..], "203.0.113.9"),
            // Without a trusted proxy the header is anyone's to write, and ignored.
            ("127.0.0.1", &["203.0.113.9"], &[], "127.0.0.1"),
            ("198.51.100.7", &["203.0.113.9"], &["127.0.0.1"], "198.51.100.7"),
            // A client's own header comes first; the proxy appends what it saw: rightmost wins.
            ("127.0.0.1", &["10.9.9.9, 203.0.113.9"], &["127.0.0.1"], "203.0.113.9"),
            ("127.0.0.1", &["10.9.9.9", "203.0.113.9"], &["127.0.0.1"], "203.0.113.9"),
            // Two proxies of our own in a row, given as a network.
            ("10.0.0.2", &["203.0.113.9, 10.0.0.1"], &["10.0.0.0/8"], "203.0.113.9"),
            // Nothing readable: the proxy itself.
            ("127.0.0.1", &[], &["127.0.0.1"], "127.0.0.1"),
            ("127.0.0.1", &["unknown"], &["127.0.0.1"], "127.0.0.1"),
            ("::ffff:127.0.0.1", &["2001:db8::1"], &["127.0.0.1"], "2001:db8::1"),
        ] {
            assert_eq!(from(peer, forwarded, trusted), client, "{peer} {forwarded:?} {trusted:?}");
        }
    }

    #[test]
    fn addresses_are_masked_in_the_log_and_bad_proxies_refused() {
        assert_eq!(masked("203.0.113.9".parse().unwrap()), "203.0.113.x");
        assert_eq!(masked("2001:db8:42:7::1".parse().unwrap()), "2001:db8:42::x");
        assert_eq!(
            parse_trusted("caddy").unwrap_err(),
            "--trusted-proxy 'caddy' is not an address or network like 127.0.0.1 or 10.0.0.0/8"
        );
        assert_eq!(parse_trusted("::1").unwrap().to_string(), "::1/128");
    }
}
