//! bench-floor-rustls — the floor ci/bench holds cabound's rustls cases
//! against (as fuzz/bench_floor.c is for the C stacks): rustls's own
//! handshake cost, client and server in one process over memory, no harness,
//! no relay, no processes. Each iteration runs a whole TLS 1.2 handshake with
//! client authentication, configured as the shim configures a case: the
//! server's list set explicitly through a ClientCertVerifier (a new list of
//! LIST_BYTES list bytes each time, the client's issuer last), the client's
//! certificate verified against the client CAs (AllowAnyAuthenticatedClient),
//! the server's chain verified with webpki, the client choosing by issuer.
//! Prints the mean microseconds per handshake.
//!
//! usage: bench_floor_rustls LIST_BYTES ITERATIONS PEM_LIST
//! PEM_LIST is the file ci/bench gives every floor (one PEM bundle path per
//! line, in cabound's PKI directory); the credentials are taken from that
//! PKI (server-v1/, the first clients-*/), since rustls makes no
//! certificates and Debian packages no crate that does.

#[path = "der.rs"]
mod der;

use std::fs;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::exit;
use std::sync::{Arc, Mutex};
use std::time::{Instant, SystemTime};

use rustls::client::{ResolvesClientCert, ServerCertVerified, ServerCertVerifier};
use rustls::internal::msgs::base::PayloadU16;
use rustls::server::{AllowAnyAuthenticatedClient, ClientCertVerified, ClientCertVerifier};
use rustls::sign::CertifiedKey;
use rustls::{Certificate, Connection, DistinguishedNames, Error, PrivateKey, ServerName, SignatureScheme};

fn certs(p: &Path) -> Vec<Certificate> {
    let f = fs::File::open(p).unwrap_or_else(|e| die(&format!("{}: {}", p.display(), e)));
    let v = rustls_pemfile::certs(&mut BufReader::new(f)).unwrap_or_else(|e| die(&format!("{}: {}", p.display(), e)));
    v.into_iter().map(Certificate).collect()
}

fn key(p: &Path) -> PrivateKey {
    let f = fs::File::open(p).unwrap_or_else(|e| die(&format!("{}: {}", p.display(), e)));
    match rustls_pemfile::pkcs8_private_keys(&mut BufReader::new(f)).ok().and_then(|mut v| v.pop()) {
        Some(k) => PrivateKey(k),
        None => die(&format!("{}: no PKCS#8 key", p.display())),
    }
}

fn die(msg: &str) -> ! {
    eprintln!("bench_floor_rustls: {}", msg);
    exit(2)
}

/// name makes a DER Name of |len| bytes (≥ 16): SEQUENCE { SET { SEQUENCE {
/// OID 2.5.4.3, UTF8String } } }, its text taken from |seed|.
fn name(len: usize, seed: u64) -> Vec<u8> {
    let hdr = |tag: u8, n: usize| -> Vec<u8> {
        if n < 128 {
            vec![tag, n as u8]
        } else if n < 256 {
            vec![tag, 0x81, n as u8]
        } else {
            vec![tag, 0x82, (n >> 8) as u8, n as u8]
        }
    };
    // Shrink the text until the whole encoding is exactly |len| bytes.
    let mut text = len;
    loop {
        let s: Vec<u8> = (0..text).map(|i| b'a' + ((seed as usize + i * 7) % 26) as u8).collect();
        let mut atv = vec![0x06, 0x03, 0x55, 0x04, 0x03];
        atv.extend(hdr(0x0c, s.len()));
        atv.extend(&s);
        let mut seq = hdr(0x30, atv.len());
        seq.extend(atv);
        let mut set = hdr(0x31, seq.len());
        set.extend(seq);
        let mut out = hdr(0x30, set.len());
        out.extend(set);
        if out.len() <= len || text == 1 {
            return out;
        }
        text -= out.len() - len;
    }
}

struct Explicit {
    inner: Arc<dyn ClientCertVerifier>,
    names: Mutex<Vec<Vec<u8>>>,
}

impl ClientCertVerifier for Explicit {
    fn client_auth_root_subjects(&self) -> Option<DistinguishedNames> {
        Some(self.names.lock().unwrap().iter().map(|d| PayloadU16::new(d.clone())).collect())
    }
    fn verify_client_cert(&self, ee: &Certificate, im: &[Certificate], now: SystemTime) -> Result<ClientCertVerified, Error> {
        self.inner.verify_client_cert(ee, im, now)
    }
}

struct ChainOnly(Vec<Vec<u8>>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(&self, ee: &Certificate, im: &[Certificate], _: &ServerName, _: &mut dyn Iterator<Item = &[u8]>,
                          _: &[u8], now: SystemTime) -> Result<ServerCertVerified, Error> {
        let bad = |e: webpki::Error| Error::InvalidCertificateData(e.to_string());
        let cert = webpki::EndEntityCert::try_from(ee.0.as_slice()).map_err(bad)?;
        let anchors: Vec<_> = self.0.iter().filter_map(|d| webpki::TrustAnchor::try_from_cert_der(d).ok()).collect();
        let chain: Vec<&[u8]> = im.iter().map(|c| c.0.as_slice()).collect();
        let now = webpki::Time::try_from(now).map_err(|_| Error::FailedToGetCurrentTime)?;
        cert.verify_is_valid_tls_server_cert(&[&webpki::ECDSA_P256_SHA256], &webpki::TlsServerTrustAnchors(&anchors), &chain, now)
            .map_err(bad)?;
        Ok(ServerCertVerified::assertion())
    }
}

struct ByIssuer {
    key: Arc<CertifiedKey>,
    issuer: Vec<u8>,
}

impl ResolvesClientCert for ByIssuer {
    fn resolve(&self, issuers: &[&[u8]], _: &[SignatureScheme]) -> Option<Arc<CertifiedKey>> {
        issuers.iter().any(|d| *d == self.issuer.as_slice()).then(|| Arc::clone(&self.key))
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// pump moves everything |from| has queued into |to|.
fn pump(from: &mut Connection, to: &mut Connection) {
    let mut buf = Vec::new();
    while from.wants_write() {
        from.write_tls(&mut buf).unwrap();
    }
    let mut rd = &buf[..];
    while !rd.is_empty() {
        to.read_tls(&mut rd).unwrap();
        if let Err(e) = to.process_new_packets() {
            die(&format!("handshake failed: {}", e));
        }
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    if a.len() != 4 {
        die("usage: bench_floor_rustls LIST_BYTES ITERATIONS PEM_LIST");
    }
    let bytes: usize = a[1].parse().unwrap_or_else(|_| die("LIST_BYTES is not a number"));
    let iters: u64 = a[2].parse().unwrap_or(0);
    if iters == 0 || iters > 10000 {
        die("ITERATIONS must be 1..10000");
    }
    let mut list = String::new();
    fs::File::open(&a[3]).and_then(|mut f| f.read_to_string(&mut list)).unwrap_or_else(|e| die(&format!("{}: {}", a[3], e)));
    let first = list.lines().find(|l| !l.is_empty()).unwrap_or_else(|| die("PEM_LIST names no file"));
    let pki = Path::new(first).parent().unwrap_or_else(|| Path::new("."));
    let clients: PathBuf = fs::read_dir(pki)
        .unwrap_or_else(|e| die(&format!("{}: {}", pki.display(), e)))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().map_or(false, |n| n.to_string_lossy().starts_with("clients-")))
        .min()
        .unwrap_or_else(|| die(&format!("no clients-* directory in {}", pki.display())));

    let client_cas: Vec<Vec<u8>> = certs(&clients.join("client-cas.pem")).into_iter().map(|c| c.0).collect();
    let mut roots = rustls::RootCertStore::empty();
    roots.add_parsable_certificates(&client_cas);
    let verifier = Arc::new(Explicit { inner: AllowAnyAuthenticatedClient::new(roots), names: Mutex::new(Vec::new()) });
    let tls12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
    let mut scfg = rustls::ServerConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(tls12)
        .unwrap()
        .with_client_cert_verifier(verifier.clone())
        .with_single_cert(certs(&pki.join("server-v1/server.pem")), key(&pki.join("server-v1/server.key")))
        .unwrap_or_else(|e| die(&e.to_string()));
    scfg.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    let scfg = Arc::new(scfg);
    let ccert = certs(&clients.join("client-0.pem"));
    let issuer = der::issuer(&ccert[0].0).unwrap_or_else(|| die("client-0.pem: no issuer"));
    let signer = rustls::sign::any_supported_type(&key(&clients.join("client-0.key"))).unwrap_or_else(|e| die(&e.to_string()));
    let resolver = Arc::new(ByIssuer { key: Arc::new(CertifiedKey::new(ccert, signer)), issuer: issuer.clone() });
    let server_ca: Vec<Vec<u8>> = certs(&pki.join("server-v1/server-ca.pem")).into_iter().map(|c| c.0).collect();
    let mut ccfg = rustls::ClientConfig::builder()
        .with_safe_default_cipher_suites()
        .with_safe_default_kx_groups()
        .with_protocol_versions(tls12)
        .unwrap()
        .with_custom_certificate_verifier(Arc::new(ChainOnly(server_ca)))
        .with_client_cert_resolver(resolver);
    ccfg.session_storage = Arc::new(rustls::client::NoClientSessionStorage {});
    let ccfg = Arc::new(ccfg);

    let mut total = 0u128;
    for i in 0..iters {
        // A new list each time (no stack gets to reuse one): DNs of about
        // 100 bytes, then the client's issuer, to |bytes| list bytes.
        let mut dns = Vec::new();
        let mut left = bytes.saturating_sub(2 + issuer.len());
        while left >= 2 + 16 {
            let n = if left - 2 > 100 + 18 { 100 } else { left - 2 };
            dns.push(name(n, i * 1000 + dns.len() as u64));
            left -= 2 + dns.last().unwrap().len();
        }
        dns.push(issuer.clone());
        *verifier.names.lock().unwrap() = dns;
        let t0 = Instant::now();
        let ip = ServerName::IpAddress(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST));
        let mut c: Connection = rustls::ClientConnection::new(ccfg.clone(), ip).unwrap().into();
        let mut s: Connection = rustls::ServerConnection::new(scfg.clone()).unwrap().into();
        while c.is_handshaking() || s.is_handshaking() {
            pump(&mut c, &mut s);
            pump(&mut s, &mut c);
        }
        total += t0.elapsed().as_micros();
    }
    let mut out = std::io::stdout();
    let _ = writeln!(out, "{:.1} us per handshake (rustls {}, TLS 1.2, {} list bytes, {} iterations)",
                     total as f64 / iters as f64, env!("CABOUND_RUSTLS_VERSION"), bytes, iters);
}
