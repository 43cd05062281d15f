//! TLS to an engine (`DOCKER_TLS_VERIFY`, `DOCKER_CERT_PATH`, a context's TLS material), with
//! rustls, as the docker CLI sets it up.

use super::super::discovery::TlsMaterial;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls_pki_types::pem::PemObject;
use std::sync::Arc;

/// The TLS client settings for `material`: its CA (else the system's roots), its client
/// certificate, or no verification at all when the user asked for that.
pub fn tls_config(material: &TlsMaterial) -> Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let builder = if material.verify {
        let mut roots = rustls::RootCertStore::empty();
        match &material.ca {
            Some(ca) => {
                let mut any = false;
                for cert in CertificateDer::pem_slice_iter(ca) {
                    let cert = cert.map_err(|e| format!("ca.pem in {}: {e}", material.origin))?;
                    roots
                        .add(cert)
                        .map_err(|e| format!("ca.pem in {}: {e}", material.origin))?;
                    any = true;
                }
                if !any {
                    return Err(format!(
                        "ca.pem in {} holds no certificate",
                        material.origin
                    ));
                }
            }
            None => {
                for cert in rustls_native_certs::load_native_certs().certs {
                    let _ = roots.add(cert);
                }
            }
        }
        builder.with_root_certificates(roots)
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(NoVerification(provider)))
    };
    match (&material.cert, &material.key) {
        (Some(cert), Some(key)) => {
            let certs = CertificateDer::pem_slice_iter(cert)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| format!("cert.pem in {}: {e}", material.origin))?;
            let key = PrivateKeyDer::from_pem_slice(key).map_err(|e| {
                format!(
                    "key.pem in {}: {e} (an encrypted key is not supported, as with the docker CLI)",
                    material.origin
                )
            })?;
            builder
                .with_client_auth_cert(certs, key)
                .map_err(|e| format!("cert.pem and key.pem in {}: {e}", material.origin))
        }
        _ => Ok(builder.with_no_client_auth()),
    }
}

/// `DOCKER_TLS` without `DOCKER_TLS_VERIFY` (or a context's `SkipTLSVerify`): encrypted, but the
/// engine's certificate is not checked — what the user configured, as the CLI does it.
#[derive(Debug)]
struct NoVerification(Arc<rustls::crypto::CryptoProvider>);

impl rustls::client::danger::ServerCertVerifier for NoVerification {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        Ok(rustls::client::danger::ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_tls_material_is_named() {
        let material = TlsMaterial {
            ca: Some(b"not a certificate".to_vec()),
            cert: None,
            key: None,
            verify: true,
            origin: "/home/me/.docker".to_owned(),
        };
        let err = tls_config(&material).unwrap_err();
        assert!(err.contains("ca.pem in /home/me/.docker"), "{err}");
    }
}
