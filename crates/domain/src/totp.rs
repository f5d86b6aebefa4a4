//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 30-second steps, 6 digits), the
//! optional second factor for staff accounts.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

/// Length of a generated secret, in bytes (160 bits, as RFC 4226 recommends).
pub const SECRET_LEN: usize = 20;

/// The 6-digit code for `secret` at Unix time `unix_seconds`.
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    hotp(secret, unix_seconds / 30, 6)
}

/// Whether `code` is valid for `secret` at `unix_seconds`, allowing one step of clock drift.
pub fn verify(secret: &[u8], code: &str, unix_seconds: u64) -> bool {
    matching_step(secret, code, unix_seconds).is_some()
}

/// The time step whose code `code` is (the current one or one step either side), if any. A
/// login remembers the step it used, so that the same code cannot be used twice.
pub fn matching_step(secret: &[u8], code: &str, unix_seconds: u64) -> Option<u64> {
    let code = code.trim();
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let step = unix_seconds / 30;
    [step.saturating_sub(1), step, step + 1]
        .into_iter()
        .find(|s| hotp(secret, *s, 6) == code)
}

/// Base32 (RFC 4648, no padding) form of a secret, as authenticator apps expect.
pub fn secret_base32(secret: &[u8]) -> String {
    data_encoding::BASE32_NOPAD.encode(secret)
}

/// Decodes a base32 secret.
pub fn secret_from_base32(text: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD
        .decode(text.trim().to_ascii_uppercase().as_bytes())
        .ok()
}

/// The `otpauth://` address an authenticator app can import.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    (b as char).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}",
        enc(issuer),
        enc(account),
        secret_base32(secret),
        enc(issuer)
    )
}

/// HOTP (RFC 4226) with dynamic truncation.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> String {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(secret) else {
        return String::new();
    };
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = (h[h.len() - 1] & 0x0f) as usize;
    let bin = (u32::from(h[offset]) & 0x7f) << 24
        | u32::from(h[offset + 1]) << 16
        | u32::from(h[offset + 2]) << 8
        | u32::from(h[offset + 3]);
    format!(
        "{:0width$}",
        bin % 10u32.pow(digits),
        width = digits as usize
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vectors() {
        let secret = b"12345678901234567890";
        // RFC 6238 appendix B (8 digits); the 6-digit code is the last six.
        let cases = [
            (59u64, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
        ];
        for (t, want) in cases {
            assert_eq!(hotp(secret, t / 30, 8), want, "t={t}");
            assert_eq!(code_at(secret, t), &want[2..], "t={t}");
        }
    }

    #[test]
    fn verify_allows_one_step_of_drift_only() {
        let secret = b"12345678901234567890";
        let code = code_at(secret, 1_000_000);
        assert!(verify(secret, &code, 1_000_000));
        assert!(verify(secret, &code, 1_000_000 + 30));
        assert!(!verify(secret, &code, 1_000_000 + 90));
        assert!(!verify(secret, "12345", 1_000_000));
        assert!(!verify(secret, "abcdef", 1_000_000));
    }

    #[test]
    fn base32_round_trip() {
        let s = [7u8; SECRET_LEN];
        assert_eq!(secret_from_base32(&secret_base32(&s)).unwrap(), s.to_vec());
        assert!(otpauth_uri("gongkai", "张三", &s).starts_with("otpauth://totp/gongkai:%E5"));
    }
}
