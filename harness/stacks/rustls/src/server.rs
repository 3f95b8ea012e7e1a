//! server — setting the list. rustls 0.20 has one way for a server to name
//! acceptable CAs: ClientCertVerifier::client_auth_root_subjects
//! (src/verify.rs), called by emit_certificate_req (src/server/tls12.rs) and
//! emit_certificate_req_tls13 (src/server/tls13.rs) for each handshake.
//!
//!   trust-store  AllowAnyAuthenticatedClient (verify require) or
//!                AllowAnyAnonymousOrAuthenticatedClient (request) over a
//!                RootCertStore of calist_pem: rustls's own verifiers, whose
//!                list is RootCertStore::subjects (src/anchors.rs): each
//!                anchor's subject as webpki kept it (the Name's content),
//!                wrapped again in a SEQUENCE by x509::wrap_in_sequence.
//!   explicit     the same verifier over `trust`, wrapped in CaseVerifier,
//!   raw          whose client_auth_root_subjects returns the list file's
//!                DNs as they are. rustls never parses or checks these bytes
//!                (DistinguishedName is a PayloadU16), so `explicit` and
//!                `raw` are the same call: one for well-formed lists, one for
//!                the malformed ones.
//!   none         CaseVerifier returning an empty list.
//!
//! In every mode CaseVerifier wraps the verifier, delegating each method
//! unchanged, to keep the client's certificate as received
//! (verify_client_cert is handed it before it is judged).

use std::os::unix::io::RawFd;
use std::sync::Arc;
use std::time::SystemTime;

use rustls::internal::msgs::base::PayloadU16;
use rustls::server::{
    AllowAnyAnonymousOrAuthenticatedClient, AllowAnyAuthenticatedClient, ClientCertVerified, ClientCertVerifier,
    NoServerSessionStorage,
};
use rustls::{Certificate, DigitallySignedStruct, DistinguishedNames, Error, ServerConfig, ServerConnection, SignatureScheme};

use crate::contract::Case;
use crate::observation::Obs;
use crate::tls::{self, with_state, Driver};

struct CaseVerifier {
    inner: Arc<dyn ClientCertVerifier>,
    /// the list comes from the case (explicit, raw, none), not from inner
    from_case: bool,
}

impl ClientCertVerifier for CaseVerifier {
    fn offer_client_auth(&self) -> bool {
        self.inner.offer_client_auth()
    }

    fn client_auth_mandatory(&self) -> Option<bool> {
        self.inner.client_auth_mandatory()
    }

    fn client_auth_root_subjects(&self) -> Option<DistinguishedNames> {
        if !self.from_case {
            return self.inner.client_auth_root_subjects();
        }
        Some(with_state(|s| s.names.iter().map(|d| PayloadU16::new(d.clone())).collect()))
    }

    fn verify_client_cert(&self, end_entity: &Certificate, intermediates: &[Certificate], now: SystemTime)
        -> Result<ClientCertVerified, Error> {
        with_state(|s| {
            if s.peer_cert.is_none() {
                s.peer_cert = Some(end_entity.0.clone())
            }
        });
        self.inner.verify_client_cert(end_entity, intermediates, now)
    }

    fn verify_tls12_signature(&self, message: &[u8], cert: &Certificate, dss: &DigitallySignedStruct)
        -> Result<rustls::client::HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(&self, message: &[u8], cert: &Certificate, dss: &DigitallySignedStruct)
        -> Result<rustls::client::HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

fn make_config(c: &Case) -> Result<ServerConfig, String> {
    let trust_store = c.source == "trust-store";
    let roots = tls::roots(if trust_store { c.calist_pem.as_deref() } else { c.trust.as_deref() })?;
    let inner = if c.require_cert {
        AllowAnyAuthenticatedClient::new(roots)
    } else {
        AllowAnyAnonymousOrAuthenticatedClient::new(roots)
    };
    let verifier = Arc::new(CaseVerifier { inner, from_case: !trust_store });
    let cert = c.cert.as_deref().unwrap_or_default();
    let chain = tls::load_certs(cert)?;
    let key = tls::load_key(c.key.as_deref().unwrap_or_default())?;
    let mut cfg = ServerConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(tls::versions(c.tls13))
        .map_err(|e| format!("setting the protocol version: {}", e))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| format!("loading server certificate {}: {}", cert, e))?;
    // No case resumes: a cached config must not pile up sessions.
    cfg.session_storage = Arc::new(NoServerSessionStorage {});
    cfg.key_log = Arc::new(tls::CaseKeyLog);
    Ok(cfg)
}

pub fn run(c: &Case, fd: RawFd, obs: &mut Obs) {
    let key = match tls::cache_key(c) {
        Ok(k) => k,
        Err(e) => return obs.set_error(e),
    };
    let cfg = match tls::SERVERS.with(|s| s.borrow_mut().get_or_make(key, || make_config(c))) {
        Ok(cfg) => cfg,
        Err(e) => return obs.set_error(e),
    };
    if c.source != "trust-store" {
        with_state(|s| s.names = if c.source == "none" { Vec::new() } else { c.calist.clone() });
    }
    let conn = match ServerConnection::new(cfg) {
        Ok(conn) => conn,
        Err(e) => return obs.set_error(format!("ServerConnection::new: {}", e)),
    };
    let mut d = Driver::new(conn.into(), fd, obs);
    if d.handshake().is_ok() && d.write_byte(b'x').is_ok() {
        d.obs.handshake_ok = true;
    }
    d.finish();
    obs.peer_cert = with_state(|s| s.peer_cert.take());
}
