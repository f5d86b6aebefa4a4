//! Network addresses a server may be asked to reach: which are internal (loopback, private,
//! link-local, reserved …) and the configured exceptions (`Net`, a CIDR block). Used to keep
//! webhooks from being pointed at the server itself or at the internal network (SSRF).

use serde::{Deserialize, Deserializer};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::str::FromStr;

/// A block of addresses: `10.0.0.0/8`, `fd00::/8`, or one address (`192.168.1.5`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    /// Whether `ip` is in the block (an IPv4 block also holds the IPv4-mapped IPv6 forms).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Net {
    type Err = String;
    fn from_str(s: &str) -> Result<Net, String> {
        let s = s.trim();
        let bad = || format!("“{s}”不是有效的地址或网段（如 10.0.0.0/8、192.168.1.5、fd00::/8）");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        let c = canonical(addr);
        Ok(Net {
            addr: c,
            // `::ffff:10.0.0.0/104` is `10.0.0.0/8`
            prefix: if addr.is_ipv6() && c.is_ipv4() {
                prefix.saturating_sub(96)
            } else {
                prefix
            },
        })
    }
}

impl<'de> Deserialize<'de> for Net {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Net, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
/// NAT64 `64:ff9b::a.b.c.d`, 6to4 `2002:aabb:ccdd::`) judged as that IPv4 address.
fn canonical(ip: IpAddr) -> IpAddr {
    let IpAddr::V6(v6) = ip else { return ip };
    if let Some(v4) = v6.to_ipv4_mapped() {
        return IpAddr::V4(v4);
    }
    let s = v6.segments();
    if s[..6] == [0, 0, 0, 0, 0, 0] && !(s[6] == 0 && s[7] <= 1) {
        return IpAddr::V4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        return IpAddr::V4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    if s[0] == 0x2002 {
        return IpAddr::V4(Ipv4Addr::new(
            (s[1] >> 8) as u8,
            s[1] as u8,
            (s[2] >> 8) as u8,
            s[2] as u8,
        ));
    }
    ip
}

/// Whether `ip` is internal: this host, a private or shared network, link-local, multicast,
/// broadcast, documentation or otherwise reserved — nothing a public service lives at.
pub fn is_internal(ip: IpAddr) -> bool {
    match canonical(ip) {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || o[0] == 0
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 192 && o[1] == 0 && o[2] == 0)
                || (o[0] == 198 && (18..20).contains(&o[1]))
                || o[0] >= 240
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            v6 == Ipv6Addr::UNSPECIFIED
                || v6 == Ipv6Addr::LOCALHOST
                || (s[0] & 0xfe00) == 0xfc00
                || (s[0] & 0xffc0) == 0xfe80
                || (s[0] & 0xffc0) == 0xfec0
                || (s[0] & 0xff00) == 0xff00
                || s[0] == 0x2001 && s[1] == 0x0db8
        }
    }
}

/// Whether a server may connect to `ip`: not internal, unless a block of `allow` holds it.
pub fn deliverable(ip: IpAddr, allow: &[Net]) -> bool {
    !is_internal(ip) || allow.iter().any(|n| n.contains(ip))
}

/// Checks a URL's host before it is saved: an address literal must be deliverable, `localhost`
/// names are refused, and numeric forms other than a dotted quad (`2130706433`, `0x7f.1`,
/// `127.1`), which resolvers read as addresses, are refused.
pub fn check_host(host: &str, allow: &[Net]) -> Result<(), String> {
    let internal = || {
        format!(
            "不能推送到本机、内网或保留地址（{host}）；如确需推送到内网系统，请由管理员在配置 [webhooks] allow_networks 中放行"
        )
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return if deliverable(ip, allow) {
            Ok(())
        } else {
            Err(internal())
        };
    }
    let lower = host.to_ascii_lowercase();
    let lower = lower.trim_end_matches('.');
    if lower == "localhost" || lower.ends_with(".localhost") {
        return if allow
            .iter()
            .any(|n| n.contains(IpAddr::V4(Ipv4Addr::LOCALHOST)))
        {
            Ok(())
        } else {
            Err(internal())
        };
    }
    let numeric = lower.split('.').all(|part| {
        !part.is_empty()
            && (part.bytes().all(|b| b.is_ascii_digit())
                || part
                    .strip_prefix("0x")
                    .is_some_and(|h| h.bytes().all(|b| b.is_ascii_hexdigit())))
    });
    if numeric {
        return Err(format!("请使用标准的IP地址或域名（{host}）"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn internal_addresses_in_every_spelling() {
        for s in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "::",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
        ] {
            assert!(is_internal(ip(s)), "{s}");
            assert!(!deliverable(ip(s), &[]), "{s}");
        }
        for s in ["8.8.8.8", "202.96.128.86", "2400:da00::6666"] {
            assert!(!is_internal(ip(s)), "{s}");
        }
        let allow: Vec<Net> = vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()];
        assert!(deliverable(ip("10.9.8.7"), &allow));
        assert!(deliverable(ip("::ffff:10.9.8.7"), &allow));
        assert!(deliverable(ip("::1"), &allow));
        assert!(!deliverable(ip("192.168.0.1"), &allow));
        assert!("10.0.0.0/33".parse::<Net>().is_err());
        assert!("x".parse::<Net>().is_err());
    }

    #[test]
    fn hosts_are_checked_before_saving() {
        for h in [
            "127.0.0.1",
            "[::1]",
            "localhost",
            "a.localhost",
            "LOCALHOST.",
        ] {
            assert!(check_host(h, &[]).unwrap_err().contains("内网"), "{h}");
        }
        for h in ["2130706433", "0x7f.1", "127.1", "017700000001"] {
            assert!(
                check_host(h, &[]).unwrap_err().contains("标准的IP地址"),
                "{h}"
            );
        }
        for h in ["sms.example.gov.cn", "8.8.8.8", "a1.example.com"] {
            assert_eq!(check_host(h, &[]), Ok(()), "{h}");
        }
        let allow = ["127.0.0.1/32".parse().unwrap()];
        assert_eq!(check_host("127.0.0.1", &allow), Ok(()));
        assert_eq!(check_host("localhost", &allow), Ok(()));
    }
}
