//! PKCE (RFC 7636) and the `state` of the authorization request, made as the AWS CLI makes them:
//! a 64-character verifier, its SHA-256 as unpadded base64url, and a random UUID as the state.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::rngs::OsRng;
use rand::Rng;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

const VERIFIER_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

/// The verifier stays in Berth (it proves the code was asked for by Berth); the challenge goes
/// into the authorization URL.
pub struct Pkce {
    pub verifier: SecretString,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Self {
        let mut rng = OsRng;
        let verifier: String = (0..64)
            .map(|_| char::from(VERIFIER_CHARS[rng.gen_range(0..VERIFIER_CHARS.len())]))
            .collect();
        let challenge = challenge_of(&verifier);
        Pkce {
            verifier: SecretString::from(verifier),
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// `BASE64URL(SHA256(verifier))` without padding (the CLI strips the one `=`).
pub fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

/// A random version-4 UUID, as the CLI's `state`.
pub fn new_state() -> String {
    let mut b: [u8; 16] = OsRng.gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl std::fmt::Debug for Pkce {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkce")
            .field("challenge", &self.challenge)
            .finish_non_exhaustive()
    }
}

/// For tests: whether `verifier` is the one behind `challenge`.
pub fn matches(verifier: &SecretString, challenge: &str) -> bool {
    challenge_of(verifier.expose_secret()) == challenge
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_challenge_is_the_rfc_7636_s256_of_the_verifier() {
        // RFC 7636, appendix B.
        assert_eq!(
            challenge_of("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        let pkce = Pkce::new();
        let v = pkce.verifier.expose_secret();
        assert_eq!(v.len(), 64);
        assert!(v.bytes().all(|c| VERIFIER_CHARS.contains(&c)));
        assert!(matches(&pkce.verifier, &pkce.challenge));
        assert!(!pkce.challenge.contains('='));
        assert_ne!(Pkce::new().challenge, pkce.challenge, "random each time");
        assert!(!format!("{pkce:?}").contains(v));
    }

    #[test]
    fn the_state_is_a_random_uuid_v4() {
        let s = new_state();
        assert_eq!(s.len(), 36);
        assert_eq!(&s[14..15], "4");
        assert_ne!(s, new_state());
    }
}
