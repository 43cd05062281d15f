//! The keys every AWS client signs with in Berth's own practice. They are not a secret: they open
//! nothing but the local practice backend, which takes any key and gives unknown ones the practice
//! account. Using fixed ones means practice never reads the user's profiles, environment or
//! keychain, so no real credential is ever sent, not even to the local backend.

use aws_credential_types::provider::SharedCredentialsProvider;
use aws_credential_types::Credentials;

/// Shaped like no real key (real ones start AKIA or ASIA), so it cannot be mistaken for one.
pub const ACCESS_KEY_ID: &str = "BERTHPRACTICE0000001";
const SECRET_ACCESS_KEY: &str = "berth-practice-not-a-secret";

pub fn provider() -> SharedCredentialsProvider {
    SharedCredentialsProvider::new(Credentials::new(
        ACCESS_KEY_ID,
        SECRET_ACCESS_KEY,
        None,
        None,
        "berth-practice",
    ))
}
