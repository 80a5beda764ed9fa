//! TLS to PostgreSQL with rustls, as libpq's `sslmode` asks: `disable`
//! sends nothing encrypted; `prefer` (the default) and `require` encrypt
//! without checking the server's certificate, as libpq does without a root
//! certificate; `verify-ca` and `verify-full` check it against `sslrootcert`
//! (a PEM file) or, without one, the Mozilla roots, and the host name.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres_rustls::MakeRustlsConnect;

/// What the connection string asks of TLS beyond what tokio-postgres reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tls {
    /// `verify-ca` or `verify-full`: the certificate must be trusted.
    pub verify: bool,
    /// `sslrootcert`: the certificates to trust instead of the Mozilla roots.
    pub root_cert: Option<PathBuf>,
}

/// Takes `sslmode=verify-ca|verify-full` (read by tokio-postgres as `require`)
/// and `sslrootcert` (which it does not know) out of a URL or `key=value`
/// string; everything else is left as written.
pub fn take_params(conn: &str) -> (String, Tls) {
    let mut tls = Tls::default();
    // One `key=value` (value decoded): `None` takes it out, else what replaces it.
    let mut rewrite = |key: &str, value: &str| -> Option<Option<String>> {
        match (key.to_ascii_lowercase().as_str(), value) {
            ("sslmode", "verify-ca" | "verify-full") => {
                tls.verify = true;
                Some(Some(format!("{key}=require")))
            }
            ("sslrootcert", path) => {
                tls.root_cert = Some(PathBuf::from(path));
                Some(None)
            }
            _ => None,
        }
    };
    if conn.contains("://") {
        let Some((head, query)) = conn.split_once('?') else {
            return (conn.to_string(), tls);
        };
        let params: Vec<String> = query
            .split('&')
            .filter_map(|p| {
                let Some((k, v)) = p.split_once('=') else {
                    return Some(p.to_string());
                };
                let v = percent_encoding::percent_decode_str(v).decode_utf8_lossy();
                rewrite(k, &v).unwrap_or_else(|| Some(p.to_string()))
            })
            .collect();
        let url = if params.is_empty() {
            head.to_string()
        } else {
            format!("{head}?{}", params.join("&"))
        };
        return (url, tls);
    }
    // `key = value` pairs, values bare or in single quotes (`\'` escapes one).
    static PAIR: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let pair = PAIR.get_or_init(|| {
        regex::Regex::new(r"(?i)(^|\s)(sslmode|sslrootcert)\s*=\s*('(?:[^'\\]|\\.)*'|[^\s']+)").expect("valid regex")
    });
    let out = pair.replace_all(conn, |c: &regex::Captures| {
        let raw = &c[3];
        let value = match raw.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')) {
            Some(quoted) => quoted.replace("\\'", "'").replace("\\\\", "\\"),
            None => raw.to_string(),
        };
        match rewrite(&c[2], &value) {
            Some(Some(with)) => format!("{}{with}", &c[1]),
            // Taken out with the space before it.
            Some(None) => String::new(),
            None => c[0].to_string(),
        }
    });
    (out.into_owned(), tls)
}

/// The connector for `tls`; an unreadable or empty `sslrootcert` is an error.
pub fn connector(tls: &Tls) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("cannot set up TLS: {e}"))?;
    let config = if tls.verify {
        let mut roots = RootCertStore::empty();
        match &tls.root_cert {
            Some(path) => {
                let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(path)
                    .and_then(|it| it.collect::<Result<_, _>>())
                    .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
                let (added, _) = roots.add_parsable_certificates(certs);
                if added == 0 {
                    return Err(format!("sslrootcert {}: no certificate in it", path.display()));
                }
            }
            None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
        }
        builder.with_root_certificates(roots).with_no_client_auth()
    } else {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(provider)))
            .with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

/// `prefer` and `require`: the channel is encrypted and the handshake's
/// signatures checked, but whose certificate it is is not.
#[derive(Debug)]
struct Unverified(Arc<CryptoProvider>);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(message, cert, dss, &self.0.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_modes_and_root_certificates_are_taken_out_of_urls_and_key_values() {
        let (url, tls) = take_params(
            "postgres://u@db.example.com/app?sslmode=verify-full&sslrootcert=/etc/ca.pem&application_name=x",
        );
        assert_eq!(
            url,
            "postgres://u@db.example.com/app?sslmode=require&application_name=x"
        );
        assert!(tls.verify);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/ca.pem")));
        let (kv, tls) = take_params("host=db.example.com sslmode=verify-ca dbname=app");
        assert_eq!(kv, "host=db.example.com sslmode=require dbname=app");
        assert!(tls.verify && tls.root_cert.is_none());
        let (url, tls) = take_params("postgres://u@localhost/app?sslmode=require");
        assert_eq!(url, "postgres://u@localhost/app?sslmode=require");
        assert_eq!(tls, Tls::default());
        let (url, _) = take_params("postgres://u@localhost/app?sslrootcert=/x");
        assert_eq!(url, "postgres://u@localhost/app");
        // URL values are percent-encoded; key=value values may be quoted; the rest stays as written.
        let (_, tls) = take_params("postgres://u@h/app?sslrootcert=%2Fetc%2Fmy%20ca.pem&sslmode=verify%2Dfull");
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/my ca.pem")));
        assert!(tls.verify);
        let (kv, tls) = take_params("host=h password='a  b' sslmode = 'verify-full' sslrootcert='/etc/my ca.pem'");
        assert_eq!(kv, "host=h password='a  b' sslmode=require");
        assert!(tls.verify);
        assert_eq!(tls.root_cert, Some(PathBuf::from("/etc/my ca.pem")));
    }

    #[test]
    fn a_root_certificate_file_must_hold_a_certificate() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "").unwrap();
        let tls = |p: &std::path::Path| Tls {
            verify: true,
            root_cert: Some(p.to_path_buf()),
        };
        assert!(connector(&tls(&empty)).err().unwrap().contains("no certificate"));
        assert!(connector(&tls(&dir.path().join("missing.pem"))).is_err());
        assert!(connector(&Tls::default()).is_ok());
        assert!(connector(&Tls {
            verify: true,
            root_cert: None
        })
        .is_ok());
    }
}
