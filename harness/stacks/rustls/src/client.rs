//! client — reading the list. rustls hands a client application the
//! server's list in exactly one place: ResolvesClientCert::resolve
//! (src/client/client_conn.rs), called from ClientAuthDetails::resolve
//! (src/client/common.rs) with `acceptable_issuers`, the DNs of the TLS 1.2
//! CertificateRequest (src/client/tls12.rs, ExpectCertificateRequest) or of
//! the TLS 1.3 certificate_authorities extension (src/client/tls13.rs,
//! ExpectCertificateRequest; an empty slice when the extension is absent),
//! as received, in order, undecoded.
//!
//!   native     CaseResolver returns the first credential whatever the list
//!              says: what rustls's only built-in client resolver does
//!              (with_single_cert → AlwaysResolvesClientCert,
//!              src/client/handy.rs, which ignores acceptable_issuers; with
//!              no credential, FailResolveClientCert returns None). Ours does
//!              the same and also copies the list.
//!   by-issuer  CaseResolver returns the first credential whose issuer DN
//!              is byte-equal to one of acceptable_issuers, or None (rustls
//!              then sends an empty Certificate).
//!
//! The server's chain is verified with webpki against `trust` without a
//! host name check (ChainOnly), as the contract asks; rustls's
//! WebPkiVerifier always checks the name.

use std::os::unix::io::RawFd;
use std::sync::Arc;
use std::time::SystemTime;

use rustls::client::{
    NoClientSessionStorage, ResolvesClientCert, ServerCertVerified, ServerCertVerifier,
};
use rustls::sign::{self, CertifiedKey};
use rustls::{Certificate, ClientConfig, ClientConnection, Error, ServerName, SignatureScheme};

use crate::contract::Case;
use crate::der;
use crate::observation::Obs;
use crate::tls::{self, with_state, Driver};

struct Cred {
    key: Arc<CertifiedKey>,
    /// the leaf's issuer Name as encoded in the certificate
    issuer: Option<Vec<u8>>,
}

struct CaseResolver {
    creds: Vec<Cred>,
    by_issuer: bool,
}

impl ResolvesClientCert for CaseResolver {
    fn resolve(&self, acceptable_issuers: &[&[u8]], sigschemes: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        let pick = if self.by_issuer {
            self.creds.iter().position(|c| match &c.issuer {
                Some(iss) => acceptable_issuers.iter().any(|dn| *dn == iss.as_slice()),
                None => false,
            })
        } else if self.creds.is_empty() {
            None
        } else {
            Some(0)
        };
        // rustls sends the certificate only when its key can sign with one
        // of the server's schemes (ClientAuthDetails::resolve, choose_scheme).
        let sent = pick.filter(|&i| self.creds[i].key.key.choose_scheme(sigschemes).is_some());
        with_state(|s| {
            s.received = Some(acceptable_issuers.iter().map(|d| d.to_vec()).collect());
            s.sent_cert = Some(sent.map(|i| i as i64).unwrap_or(-1));
        });
        pick.map(|i| Arc::clone(&self.creds[i].key))
    }

    fn has_certs(&self) -> bool {
        !self.creds.is_empty()
    }
}

/// SIG_ALGS: the algorithms rustls's WebPkiVerifier accepts in a server
/// chain (SUPPORTED_SIG_ALGS, src/verify.rs), named again here because that
/// list is private.
static SIG_ALGS: &[&webpki::SignatureAlgorithm] = &[
    &webpki::ECDSA_P256_SHA256,
    &webpki::ECDSA_P256_SHA384,
    &webpki::ECDSA_P384_SHA256,
    &webpki::ECDSA_P384_SHA384,
    &webpki::ED25519,
    &webpki::RSA_PSS_2048_8192_SHA256_LEGACY_KEY,
    &webpki::RSA_PSS_2048_8192_SHA384_LEGACY_KEY,
    &webpki::RSA_PSS_2048_8192_SHA512_LEGACY_KEY,
    &webpki::RSA_PKCS1_2048_8192_SHA256,
    &webpki::RSA_PKCS1_2048_8192_SHA384,
    &webpki::RSA_PKCS1_2048_8192_SHA512,
    &webpki::RSA_PKCS1_3072_8192_SHA384,
];

/// ChainOnly verifies the server's chain to `trust` (webpki's
/// verify_is_valid_tls_server_cert), without the host name check that
/// WebPkiVerifier::verify_server_cert adds.
struct ChainOnly {
    /// the DER certificates of `trust` (RootCertStore's anchors do not
    /// expose their SPKI, so webpki's anchors are made from these)
    roots: Vec<Vec<u8>>,
}

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(&self, end_entity: &Certificate, intermediates: &[Certificate], _name: &ServerName,
                          _scts: &mut dyn Iterator<Item = &[u8]>, _ocsp: &[u8], now: SystemTime)
        -> Result<ServerCertVerified, Error> {
        let cert = webpki::EndEntityCert::try_from(end_entity.0.as_slice())
            .map_err(|e| Error::InvalidCertificateData(format!("invalid peer certificate: {}", e)))?;
        let chain: Vec<&[u8]> = intermediates.iter().map(|c| c.0.as_slice()).collect();
        let anchors: Vec<webpki::TrustAnchor> =
            self.roots.iter().filter_map(|d| webpki::TrustAnchor::try_from_cert_der(d).ok()).collect();
        let now = webpki::Time::try_from(now).map_err(|_| Error::FailedToGetCurrentTime)?;
        cert.verify_is_valid_tls_server_cert(SIG_ALGS, &webpki::TlsServerTrustAnchors(&anchors), &chain, now)
            .map_err(|e| Error::InvalidCertificateData(format!("invalid peer certificate: {}", e)))?;
        Ok(ServerCertVerified::assertion())
    }
}

fn load_cred(cr: &crate::contract::Cred) -> Result<Cred, String> {
    let chain = tls::load_certs(&cr.cert)?;
    let key = tls::load_key(&cr.key)?;
    let signer = sign::any_supported_type(&key).map_err(|e| format!("loading client key {}: {}", cr.key, e))?;
    let issuer = der::issuer(&chain[0].0);
    Ok(Cred { key: Arc::new(CertifiedKey::new(chain, signer)), issuer })
}

fn make_config(c: &Case) -> Result<ClientConfig, String> {
    let creds = c.client_creds.iter().map(load_cred).collect::<Result<Vec<_>, _>>()?;
    let resolver = Arc::new(CaseResolver { creds, by_issuer: c.select == "by-issuer" });
    let roots = match c.trust.as_deref() {
        Some(p) => tls::load_certs(p)?.into_iter().map(|c| c.0).collect(),
        None => Vec::new(),
    };
    let verifier = Arc::new(ChainOnly { roots });
    let mut cfg = ClientConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(tls::versions(c.tls13))
        .map_err(|e| format!("setting the protocol version: {}", e))?
        .with_custom_certificate_verifier(verifier)
        .with_client_cert_resolver(resolver);
    // No resumption: every case must run a full handshake with a
    // CertificateRequest.
    cfg.session_storage = Arc::new(NoClientSessionStorage {});
    cfg.enable_tickets = false;
    cfg.key_log = Arc::new(tls::CaseKeyLog);
    Ok(cfg)
}

pub fn run(c: &Case, fd: RawFd, obs: &mut Obs) {
    let key = match tls::cache_key(c) {
        Ok(k) => k,
        Err(e) => return obs.set_error(e),
    };
    let cfg = match tls::CLIENTS.with(|s| s.borrow_mut().get_or_make(key, || make_config(c))) {
        Ok(cfg) => cfg,
        Err(e) => return obs.set_error(e),
    };
    // An IP address as the server name: rustls then sends no SNI, as the
    // other shims' clients do not; ChainOnly ignores the name.
    let name = ServerName::IpAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
    let conn = match ClientConnection::new(cfg, name) {
        Ok(conn) => conn,
        Err(e) => return obs.set_error(format!("ClientConnection::new: {}", e)),
    };
    let mut d = Driver::new(conn.into(), fd, obs);
    if d.handshake().is_ok() {
        match d.read_byte() {
            Ok(b'x') => d.obs.handshake_ok = true,
            Ok(_) => d.obs.set_error("reader: received an unexpected application byte"),
            Err(()) => {}
        }
    }
    d.finish();
    with_state(|s| {
        obs.received = s.received.take();
        obs.sent_cert = s.sent_cert.take();
    });
}
