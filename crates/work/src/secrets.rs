//! Secrets: password hashes (argon2id), random tokens and the SHA-256 the database keeps of
//! them. Hashing is CPU-heavy: the server runs it on its CPU pool, the CLI directly.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
use sha2::{Digest, Sha256};

/// Hashes a password with argon2id and a random salt (PHC string).
pub fn hash_password(password: &str) -> Result<String, String> {
    let hash: PasswordHash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| format!("argon2: {e}"))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC hash.
pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// `n` random bytes from the operating system.
pub fn random_bytes(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // getrandom only fails when the OS has no entropy source at all; a zeroed buffer would be
    // unsafe, so fail loudly instead.
    if let Err(e) = getrandom::fill(&mut buf) {
        tracing::error!(%e, "no operating-system randomness");
        std::process::abort();
    }
    buf
}

/// A random URL-safe token of 32 bytes.
pub fn random_token() -> String {
    data_encoding::BASE64URL_NOPAD.encode(&random_bytes(32))
}

/// SHA-256 hex of a token: what the database stores.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}
