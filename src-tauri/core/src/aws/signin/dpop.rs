//! The sign-in's proof-of-possession key (RFC 9449, DPoP): a P-256 key made for this sign-in, whose
//! public half goes in a signed JWT with each token request. The refresh token only works with
//! the same key, so the key is kept next to it in the token cache (as `dpopKey`, SEC1 PEM, as the
//! CLI writes it) and the SDK's provider signs its refreshes with it.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::pkcs8::LineEnding;
use p256::SecretKey;
use rand::rngs::OsRng;
use rand::Rng;
use zeroize::Zeroizing;

/// The key; zeroized when dropped (p256's `SecretKey` does that itself).
pub struct DpopKey(SecretKey);

impl DpopKey {
    pub fn generate() -> Self {
        DpopKey(SecretKey::random(&mut OsRng))
    }

    /// `-----BEGIN EC PRIVATE KEY-----…`, 64-character lines, as the CLI writes `dpopKey`.
    pub fn to_pem(&self) -> Zeroizing<String> {
        self.0
            .to_sec1_pem(LineEnding::LF)
            .expect("a P-256 key always encodes")
    }

    #[cfg(test)]
    pub fn from_pem(pem: &str) -> Option<Self> {
        SecretKey::from_sec1_pem(pem).ok().map(DpopKey)
    }

    /// The `DPoP` header for a POST to `htu`, at `iat` (seconds since 1970).
    pub fn proof(&self, htu: &str, iat: u64) -> String {
        let point = self.0.public_key().to_encoded_point(false);
        let x = URL_SAFE_NO_PAD.encode(point.x().expect("uncompressed point"));
        let y = URL_SAFE_NO_PAD.encode(point.y().expect("uncompressed point"));
        let header = serde_json::json!({
            "typ": "dpop+jwt",
            "alg": "ES256",
            "jwk": { "kty": "EC", "x": x, "y": y, "crv": "P-256" },
        });
        let jti: [u8; 16] = OsRng.gen();
        let jti: String = jti.iter().map(|b| format!("{b:02x}")).collect();
        let payload = serde_json::json!({ "jti": jti, "htm": "POST", "htu": htu, "iat": iat });
        let message = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        );
        let signature: Signature = SigningKey::from(&self.0).sign(message.as_bytes());
        format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes()))
    }
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DpopKey(** redacted **)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::signature::Verifier;
    use p256::ecdsa::VerifyingKey;

    #[test]
    fn the_proof_is_an_es256_jwt_over_the_public_key_that_verifies() {
        let key = DpopKey::generate();
        let proof = key.proof(
            "https://us-east-1.signin.aws.amazon.com/v1/token",
            1_763_510_400,
        );
        let parts: Vec<&str> = proof.split('.').collect();
        assert_eq!(parts.len(), 3);
        let header: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[0]).unwrap()).unwrap();
        let payload: serde_json::Value =
            serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[1]).unwrap()).unwrap();
        assert_eq!(header["typ"], "dpop+jwt");
        assert_eq!(header["alg"], "ES256");
        assert_eq!(header["jwk"]["crv"], "P-256");
        assert_eq!(payload["htm"], "POST");
        assert_eq!(
            payload["htu"],
            "https://us-east-1.signin.aws.amazon.com/v1/token"
        );
        assert_eq!(payload["iat"], 1_763_510_400);

        // The public key in the header checks the signature.
        let x = URL_SAFE_NO_PAD
            .decode(header["jwk"]["x"].as_str().unwrap())
            .unwrap();
        let y = URL_SAFE_NO_PAD
            .decode(header["jwk"]["y"].as_str().unwrap())
            .unwrap();
        let point = p256::EncodedPoint::from_affine_coordinates(
            x.as_slice().into(),
            y.as_slice().into(),
            false,
        );
        let verifying = VerifyingKey::from_encoded_point(&point).unwrap();
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let message = format!("{}.{}", parts[0], parts[1]);
        verifying.verify(message.as_bytes(), &signature).unwrap();
        assert!(verifying.verify(b"something else", &signature).is_err());
    }

    #[test]
    fn the_pem_is_the_sec1_form_the_cli_writes_and_reads_back() {
        let key = DpopKey::generate();
        let pem = key.to_pem();
        assert!(pem.starts_with("-----BEGIN EC PRIVATE KEY-----\n"));
        assert!(pem.ends_with("-----END EC PRIVATE KEY-----\n"));
        assert!(pem.lines().all(|l| l.len() <= 64));
        let back = DpopKey::from_pem(&pem).unwrap();
        assert_eq!(back.0.public_key(), key.0.public_key());
        assert_eq!(format!("{key:?}"), "DpopKey(** redacted **)");
    }
}
