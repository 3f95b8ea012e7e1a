//! tls — what both roles share: the per-case state the rustls callbacks
//! write into, the key log, the alert tap, file loading, the config cache,
//! and driving a rustls Connection over the case's socket.

use std::cell::RefCell;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::os::unix::io::RawFd;
use std::sync::{Arc, Mutex};

use rustls::{AlertDescription, Certificate, Connection, PrivateKey};

use crate::contract::{Case, Role};
use crate::observation::Obs;

/// CaseState is what rustls's callbacks (key log, verifier, resolver, log
/// records) learn during one case. The shim serves one case at a time.
#[derive(Default)]
pub struct CaseState {
    keylog_path: Option<String>,
    keylog: Option<File>,
    /// the first fatal alert rustls logged as sent
    pub alert_sent: Option<u8>,
    /// server explicit/raw/none: the DNs client_auth_root_subjects returns
    pub names: Vec<Vec<u8>>,
    /// server: the client's end-entity certificate as the verifier got it
    pub peer_cert: Option<Vec<u8>>,
    /// client: acceptable_issuers as ResolvesClientCert::resolve got them
    pub received: Option<Vec<Vec<u8>>>,
    /// client: index of the credential handed to rustls, -1 for none
    pub sent_cert: Option<i64>,
}

pub static STATE: Mutex<Option<CaseState>> = Mutex::new(None);

/// with_state runs |f| on the current case's state.
pub fn with_state<T>(f: impl FnOnce(&mut CaseState) -> T) -> T {
    let mut g = STATE.lock().unwrap_or_else(|e| e.into_inner());
    f(g.get_or_insert_with(CaseState::default))
}

// ---- key log ---------------------------------------------------------------

/// CaseKeyLog appends NSS key-log lines to the current case's `keylog`; the
/// file stays open for the case (closed by keylog_close), as in shim.c.
pub struct CaseKeyLog;

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{:02x}", x)).collect()
}

impl rustls::KeyLog for CaseKeyLog {
    fn log(&self, label: &str, client_random: &[u8], secret: &[u8]) {
        with_state(|s| {
            let path = match &s.keylog_path {
                Some(p) => p.clone(),
                None => return,
            };
            if s.keylog.is_none() {
                s.keylog = OpenOptions::new().create(true).append(true).open(&path).ok();
            }
            if let Some(f) = s.keylog.as_mut() {
                let _ = writeln!(f, "{} {} {}", label, hex(client_random), hex(secret));
            }
        })
    }

    fn will_log(&self, _label: &str) -> bool {
        with_state(|s| s.keylog_path.is_some())
    }
}

pub fn keylog_close() {
    with_state(|s| {
        s.keylog = None;
        s.keylog_path = None;
    })
}

// ---- the alert tap ---------------------------------------------------------

/// AlertTap reads rustls's own log records: CommonState::send_fatal_alert
/// (src/conn.rs) logs `warn!("Sending fatal alert {:?}", desc)` for every
/// fatal alert it queues, and rustls has no other API that reports a sent
/// alert. The Debug name is turned back into its number through
/// AlertDescription::from(u8) (src/msgs/enums.rs), not a table of our own.
struct AlertTap;

fn alert_number(name: &str) -> Option<u8> {
    (0..=255u8).find(|&v| format!("{:?}", AlertDescription::from(v)) == name)
}

impl log::Log for AlertTap {
    fn enabled(&self, m: &log::Metadata) -> bool {
        m.level() <= log::Level::Warn && m.target().starts_with("rustls")
    }

    fn log(&self, r: &log::Record) {
        if !self.enabled(r.metadata()) {
            return;
        }
        let msg = r.args().to_string();
        if let Some(name) = msg.strip_prefix("Sending fatal alert ") {
            if let Some(v) = alert_number(name) {
                with_state(|s| {
                    if s.alert_sent.is_none() {
                        s.alert_sent = Some(v)
                    }
                });
            }
        }
    }

    fn flush(&self) {}
}

static TAP: AlertTap = AlertTap;

/// init runs once per process (not for --describe).
pub fn init() -> Result<(), String> {
    log::set_logger(&TAP).map_err(|e| format!("cannot install the alert tap: {}", e))?;
    log::set_max_level(log::LevelFilter::Warn);
    Ok(())
}

// ---- files -----------------------------------------------------------------

/// load_certs reads every certificate of a PEM file, in order.
pub fn load_certs(path: &str) -> Result<Vec<Certificate>, String> {
    let f = File::open(path).map_err(|e| format!("cannot read {}: {}", path, e))?;
    let ders = rustls_pemfile::certs(&mut BufReader::new(f)).map_err(|e| format!("{}: {}", path, e))?;
    if ders.is_empty() {
        return Err(format!("no certificate in {}", path));
    }
    Ok(ders.into_iter().map(Certificate).collect())
}

/// load_key reads the first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
pub fn load_key(path: &str) -> Result<PrivateKey, String> {
    let f = File::open(path).map_err(|e| format!("cannot read {}: {}", path, e))?;
    let items = rustls_pemfile::read_all(&mut BufReader::new(f)).map_err(|e| format!("{}: {}", path, e))?;
    for it in items {
        match it {
            rustls_pemfile::Item::PKCS8Key(k) | rustls_pemfile::Item::RSAKey(k) | rustls_pemfile::Item::ECKey(k) => {
                return Ok(PrivateKey(k))
            }
            _ => {}
        }
    }
    Err(format!("no private key in {}", path))
}

/// roots builds a RootCertStore from a PEM bundle with
/// RootCertStore::add_parsable_certificates (src/anchors.rs), rustls's
/// loader for bundles: a certificate webpki cannot parse is skipped, and its
/// subject then is not in the list either (said on stderr).
pub fn roots(path: Option<&str>) -> Result<rustls::RootCertStore, String> {
    let mut store = rustls::RootCertStore::empty();
    if let Some(p) = path {
        let ders: Vec<Vec<u8>> = load_certs(p)?.into_iter().map(|c| c.0).collect();
        let (_, ignored) = store.add_parsable_certificates(&ders);
        if ignored > 0 {
            eprintln!("shim-rustls: {}: {} certificate(s) webpki could not parse were skipped", p, ignored);
        }
    }
    Ok(store)
}

/// file_id names a file and its identity (device, inode, size, mtime) for a
/// cache key: a file made again under the same name gets a new key.
fn file_id(tag: &str, path: Option<&str>) -> Result<String, String> {
    match path {
        None => Ok(format!("{}=-\n", tag)),
        Some(p) => {
            let m = fs::metadata(p).map_err(|e| format!("cannot read {}: {}", p, e))?;
            Ok(format!("{}={}\t{}:{}:{}:{}.{:09}\n", tag, p, m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec()))
        }
    }
}

/// cache_key identifies everything a cached config was built from.
pub fn cache_key(c: &Case) -> Result<String, String> {
    let mut k = format!("tls13={} role={:?}\n", c.tls13, c.role);
    match c.role {
        Role::Server => {
            k += &format!("source={} require={}\n", c.source, c.require_cert);
            let trust = if c.source == "trust-store" { c.calist_pem.as_deref() } else { c.trust.as_deref() };
            k += &file_id("trust", trust)?;
            k += &file_id("cert", c.cert.as_deref())?;
            k += &file_id("key", c.key.as_deref())?;
        }
        Role::Client => {
            k += &format!("select={}\n", c.select);
            k += &file_id("trust", c.trust.as_deref())?;
            for cr in &c.client_creds {
                k += &file_id("cert", Some(&cr.cert))?;
                k += &file_id("key", Some(&cr.key))?;
            }
        }
    }
    Ok(k)
}

/// Cache keeps the last few configs: loading hundreds of trust anchors per
/// case would dominate the run time (as in the C shims, 8 slots).
pub struct Cache<T> {
    slots: Vec<(String, Arc<T>)>,
    next: usize,
}

impl<T> Cache<T> {
    pub const fn new() -> Self {
        Cache { slots: Vec::new(), next: 0 }
    }

    pub fn get_or_make(&mut self, key: String, make: impl FnOnce() -> Result<T, String>) -> Result<Arc<T>, String> {
        if let Some((_, v)) = self.slots.iter().find(|(k, _)| *k == key) {
            return Ok(Arc::clone(v));
        }
        let v = Arc::new(make()?);
        if self.slots.len() < 8 {
            self.slots.push((key, Arc::clone(&v)));
        } else {
            self.slots[self.next] = (key, Arc::clone(&v));
            self.next = (self.next + 1) % 8;
        }
        Ok(v)
    }
}

thread_local! {
    pub static SERVERS: RefCell<Cache<rustls::ServerConfig>> = RefCell::new(Cache::new());
    pub static CLIENTS: RefCell<Cache<rustls::ClientConfig>> = RefCell::new(Cache::new());
}

static ONLY_TLS12: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS12];
static ONLY_TLS13: &[&rustls::SupportedProtocolVersion] = &[&rustls::version::TLS13];

/// versions: the only version offered and accepted.
pub fn versions(tls13: bool) -> &'static [&'static rustls::SupportedProtocolVersion] {
    if tls13 {
        ONLY_TLS13
    } else {
        ONLY_TLS12
    }
}

// ---- driving a connection --------------------------------------------------

/// Sock reads and writes the case's descriptor, which it does not own.
pub struct Sock(pub RawFd);

impl Read for Sock {
    fn read(&mut self, b: &mut [u8]) -> io::Result<usize> {
        loop {
            // SAFETY: b is a valid buffer of b.len() bytes.
            let n = unsafe { libc::read(self.0, b.as_mut_ptr() as *mut libc::c_void, b.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }
}

impl Write for Sock {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        loop {
            // SAFETY: b is a valid buffer of b.len() bytes.
            let n = unsafe { libc::send(self.0, b.as_ptr() as *const libc::c_void, b.len(), libc::MSG_NOSIGNAL) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let e = io::Error::last_os_error();
            if e.kind() != io::ErrorKind::Interrupted {
                return Err(e);
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

fn io_text(op: &str, e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => format!("{}: timed out waiting for the peer", op),
        _ => format!("{}: {}", op, e),
    }
}

/// Driver runs one connection and records what it meets into an Obs.
pub struct Driver<'a> {
    pub conn: Connection,
    pub sock: Sock,
    pub obs: &'a mut Obs,
    /// a close_notify came in (IoState::peer_has_closed)
    close_rcvd: bool,
}

impl<'a> Driver<'a> {
    pub fn new(conn: Connection, fd: RawFd, obs: &'a mut Obs) -> Self {
        Driver { conn, sock: Sock(fd), obs, close_rcvd: false }
    }

    /// flush writes everything rustls has queued (also the alert it queued
    /// with an error).
    fn flush(&mut self) -> Result<(), ()> {
        while self.conn.wants_write() {
            if let Err(e) = self.conn.write_tls(&mut self.sock) {
                self.obs.set_error(io_text("write_tls", &e));
                return Err(());
            }
        }
        Ok(())
    }

    fn lib_error(&mut self, e: rustls::Error) {
        if let rustls::Error::AlertReceived(d) = &e {
            if self.obs.alert_received.is_none() {
                self.obs.alert_received = Some(d.get_u8());
            }
        }
        self.obs.set_error(format!("process_new_packets: {}", e));
    }

    /// read_more reads once from the socket and lets rustls process it.
    fn read_more(&mut self) -> Result<(), ()> {
        match self.conn.read_tls(&mut self.sock) {
            Ok(0) => {
                let why = if self.close_rcvd { "the peer sent close_notify" } else { "unexpected EOF from the peer" };
                self.obs.set_error(format!("read_tls: {}", why));
                return Err(());
            }
            Ok(_) => {}
            Err(e) => {
                self.obs.set_error(io_text("read_tls", &e));
                return Err(());
            }
        }
        match self.conn.process_new_packets() {
            Ok(st) => {
                if st.peer_has_closed() {
                    self.close_rcvd = true;
                }
                Ok(())
            }
            Err(e) => {
                self.lib_error(e);
                let _ = self.flush(); // the alert rustls queued
                Err(())
            }
        }
    }

    /// handshake runs the handshake to its end (our last flight written).
    pub fn handshake(&mut self) -> Result<(), ()> {
        loop {
            self.flush()?;
            if !self.conn.is_handshaking() {
                return Ok(());
            }
            self.read_more()?;
        }
    }

    /// write_byte sends one application byte (the server's `x`).
    pub fn write_byte(&mut self, b: u8) -> Result<(), ()> {
        if let Err(e) = self.conn.writer().write_all(&[b]) {
            self.obs.set_error(format!("writer: {}", e));
            return Err(());
        }
        self.flush()
    }

    /// read_byte reads one application byte (the client's `x`).
    pub fn read_byte(&mut self) -> Result<u8, ()> {
        let mut b = [0u8; 1];
        loop {
            match self.conn.reader().read(&mut b) {
                Ok(1) => return Ok(b[0]),
                Ok(_) => {
                    self.obs.set_error("reader: the peer sent close_notify");
                    return Err(());
                }
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                Err(e) => {
                    self.obs.set_error(format!("reader: {}", e));
                    return Err(());
                }
            }
            self.read_more()?;
            self.flush()?;
        }
    }

    /// finish sends close_notify after a completed exchange, and records a
    /// bare close_notify from the peer as the alert of a failed handshake
    /// (as the C shims' finish_alerts do).
    pub fn finish(&mut self) {
        if self.obs.handshake_ok {
            self.conn.send_close_notify();
            let _ = self.flush();
        } else if self.obs.alert_received.is_none() && self.close_rcvd {
            self.obs.alert_received = Some(0);
        }
    }
}

/// run performs one case over |fd| (which it does not close).
pub fn run(c: &Case, fd: RawFd, obs: &mut Obs) {
    with_state(|s| {
        *s = CaseState { keylog_path: c.keylog.clone(), ..CaseState::default() };
    });
    // Received alerts come back as Error::AlertReceived; sent ones through
    // the alert tap (see AlertTap).
    obs.alerts_exposed = true;
    match c.role {
        Role::Server => crate::server::run(c, fd, obs),
        Role::Client => crate::client::run(c, fd, obs),
    }
    with_state(|s| {
        if obs.alert_sent.is_none() {
            obs.alert_sent = s.alert_sent;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::alert_number;

    #[test]
    fn alert_names_map_back_to_their_numbers() {
        // The names rustls logs (AlertDescription's Debug) for alerts seen in
        // the suites, and an unknown value.
        assert_eq!(alert_number("DecodeError"), Some(50));
        assert_eq!(alert_number("CertificateRequired"), Some(116));
        assert_eq!(alert_number("BadRecordMac"), Some(20));
        assert_eq!(alert_number("Unknown(255)"), Some(255));
        assert_eq!(alert_number("NoSuchAlert"), None);
    }
}
