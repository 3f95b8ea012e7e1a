//! contract — shim contract v1 (harness/stacks/README.md): the request, the
//! request loop on fd 3 (SOCK_SEQPACKET, the connection's fd by SCM_RIGHTS),
//! the one-shot modes, and the close sequence. The same rules as
//! harness/stacks/common/shim.c, which the C shims share.

use std::fs;
use std::mem;
use std::net::{TcpListener, TcpStream};
use std::os::unix::io::{IntoRawFd, RawFd};
use std::time::Instant;

use serde_json::{json, Value};

use crate::listfile;
use crate::observation::{self, Obs};

pub const CONTRACT: i64 = 1;
pub const EXIT_UNSUPPORTED: i32 = 89;
const CTL_FD: RawFd = 3;
const MAX_REQUEST: usize = 65536;

pub const TLS: &[&str] = &["1.2", "1.3"];
pub const SOURCES: &[&str] = &["explicit", "trust-store", "raw", "none"];
pub const SELECTS: &[&str] = &["native", "by-issuer"];

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Role {
    Server,
    Client,
}

pub struct Cred {
    pub cert: String,
    pub key: String,
}

/// Case is one parsed request.
pub struct Case {
    pub case_id: String,
    pub role: Role,
    pub tls13: bool,
    pub cert: Option<String>,
    pub key: Option<String>,
    pub client_creds: Vec<Cred>,
    pub trust: Option<String>,
    /// "explicit", "trust-store", "raw" or "none"
    pub source: String,
    pub calist_path: Option<String>,
    pub calist_pem: Option<String>,
    /// the list file's DNs (server), already read
    pub calist: Vec<Vec<u8>>,
    pub require_cert: bool,
    /// "native" or "by-issuer"
    pub select: String,
    pub keylog: Option<String>,
    pub received_out: Option<String>,
    pub timeout_ms: i64,
}

fn opt_str(req: &Value, key: &str) -> Option<String> {
    req.get(key).and_then(Value::as_str).map(String::from)
}

/// parse_request fills a Case from |req|, or says what is wrong with it.
pub fn parse_request(req: &Value) -> Result<Case, String> {
    if !req.is_object() {
        return Err("request is not a JSON object".into());
    }
    if req.get("contract").and_then(Value::as_i64) != Some(CONTRACT) {
        return Err(format!("request contract must be {}", CONTRACT));
    }
    let role = match req.get("role").and_then(Value::as_str) {
        Some("server") => Role::Server,
        Some("client") => Role::Client,
        _ => return Err("role must be \"server\" or \"client\"".into()),
    };
    let tls13 = match req.get("tls").and_then(Value::as_str) {
        Some("1.2") => false,
        Some("1.3") => true,
        _ => return Err("tls must be \"1.2\" or \"1.3\"".into()),
    };
    let require_cert = match req.get("verify").and_then(Value::as_str) {
        None | Some("require") => true,
        Some("request") => false,
        Some(_) => return Err("verify must be \"require\" or \"request\"".into()),
    };
    let source = opt_str(req, "calist_source").unwrap_or_else(|| "explicit".into());
    if !SOURCES.contains(&source.as_str()) {
        return Err(format!("unknown calist_source \"{}\"", source));
    }
    let select = opt_str(req, "select").unwrap_or_else(|| "native".into());
    if !SELECTS.contains(&select.as_str()) {
        return Err(format!("unknown select \"{}\"", select));
    }
    let mut client_creds = Vec::new();
    match req.get("client_creds") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, e) in a.iter().enumerate() {
                match (opt_str(e, "cert"), opt_str(e, "key")) {
                    (Some(cert), Some(key)) => client_creds.push(Cred { cert, key }),
                    _ => return Err(format!("client_creds[{}] needs cert and key", i)),
                }
            }
        }
        Some(_) => return Err("client_creds must be an array".into()),
    }
    let mut c = Case {
        case_id: opt_str(req, "case").unwrap_or_default(),
        role,
        tls13,
        cert: opt_str(req, "cert"),
        key: opt_str(req, "key"),
        client_creds,
        trust: opt_str(req, "trust"),
        source,
        calist_path: opt_str(req, "calist"),
        calist_pem: opt_str(req, "calist_pem"),
        calist: Vec::new(),
        require_cert,
        select,
        keylog: opt_str(req, "keylog"),
        received_out: opt_str(req, "received_out"),
        timeout_ms: req.get("timeout_ms").and_then(Value::as_i64).unwrap_or(5000),
    };
    if c.role == Role::Server {
        if c.cert.is_none() || c.key.is_none() {
            return Err("server needs cert and key".into());
        }
        if c.source != "none" && c.source != "trust-store" && c.calist_path.is_none() {
            return Err(format!("calist_source {} needs calist", c.source));
        }
        if c.source == "trust-store" && c.calist_pem.is_none() {
            return Err("calist_source trust-store needs calist_pem".into());
        }
        if let Some(p) = &c.calist_path {
            c.calist = listfile::read(p)?;
        }
    }
    Ok(c)
}

// ---- sockets ---------------------------------------------------------------

fn set_timeout(fd: RawFd, opt: libc::c_int, ms: i64) {
    let ms = ms.max(0);
    let tv = libc::timeval { tv_sec: (ms / 1000) as libc::time_t, tv_usec: ((ms % 1000) * 1000) as libc::suseconds_t };
    // SAFETY: tv is a valid timeval for the call's duration.
    unsafe {
        libc::setsockopt(fd, libc::SOL_SOCKET, opt, &tv as *const _ as *const libc::c_void,
                         mem::size_of::<libc::timeval>() as libc::socklen_t);
    }
}

/// linger_close half-closes |fd| and reads until the peer closes too (at most
/// a second): a peer still writing (a TLS 1.3 client's ChangeCipherSpec)
/// then reads our alert instead of failing on a reset.
fn linger_close(fd: RawFd, timeout_ms: i64) {
    // SAFETY: plain syscalls on a descriptor we were handed.
    unsafe { libc::shutdown(fd, libc::SHUT_WR) };
    let ms = timeout_ms.min(1000);
    set_timeout(fd, libc::SO_RCVTIMEO, ms);
    let end = Instant::now() + std::time::Duration::from_millis(ms.max(0) as u64);
    let mut buf = [0u8; 4096];
    while Instant::now() < end {
        let n = unsafe { libc::read(fd, buf.as_mut_ptr() as *mut libc::c_void, buf.len()) };
        if n <= 0 {
            break;
        }
    }
}

/// observe runs one case over |fd| and returns its observation; |fd| stays
/// open (the caller owns it).
pub fn observe(c: &Case, fd: RawFd) -> Value {
    // A peer gone quiet fails the case fast; the harness kills us past its
    // own deadline anyway.
    set_timeout(fd, libc::SO_RCVTIMEO, c.timeout_ms);
    set_timeout(fd, libc::SO_SNDTIMEO, c.timeout_ms);
    let mut obs = Obs::default();
    let t0 = Instant::now();
    let tls = if c.tls13 { "1.3" } else { "1.2" };
    let mode = if c.role == Role::Server { &c.source } else { &c.select };
    let modes = if c.role == Role::Server { SOURCES } else { SELECTS };
    if !TLS.contains(&tls) {
        obs.unsupported = Some(format!("rustls does not support TLS {} in this build", tls));
    } else if !modes.contains(&mode.as_str()) {
        let what = if c.role == Role::Server { "calist_source" } else { "select" };
        obs.unsupported = Some(format!("rustls does not support {} {}", what, mode));
    } else {
        crate::tls::run(c, fd, &mut obs);
    }
    let us = t0.elapsed().as_micros();
    crate::tls::keylog_close(); // the harness reads it once both replies are in
    linger_close(fd, c.timeout_ms);
    observation::to_json(c, &obs, us)
}

fn error_reply(case_id: Option<&str>, msg: &str) -> Value {
    json!({"contract": CONTRACT, "case": case_id.unwrap_or(""), "status": "bad-request", "reason": msg})
}

/// recv_request reads one datagram from fd 3 with its attached descriptor.
/// None at EOF (or an error that ends the loop).
fn recv_request(buf: &mut [u8]) -> Option<(usize, RawFd)> {
    // u64s keep the control buffer aligned for cmsghdr.
    let mut ctl = [0u64; 8];
    loop {
        let mut iov = libc::iovec { iov_base: buf.as_mut_ptr() as *mut libc::c_void, iov_len: buf.len() };
        // SAFETY: msghdr is plain data; every pointer in it outlives the call.
        let mut msg: libc::msghdr = unsafe { mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = ctl.as_mut_ptr() as *mut libc::c_void;
        msg.msg_controllen = unsafe { libc::CMSG_SPACE(mem::size_of::<libc::c_int>() as u32) } as _;
        let n = unsafe { libc::recvmsg(CTL_FD, &mut msg, libc::MSG_CMSG_CLOEXEC) };
        if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
            continue;
        }
        if n <= 0 {
            return None;
        }
        let mut fd = -1;
        // SAFETY: CMSG_FIRSTHDR/CMSG_DATA walk the control buffer recvmsg filled.
        unsafe {
            let cm = libc::CMSG_FIRSTHDR(&msg);
            if !cm.is_null() && (*cm).cmsg_level == libc::SOL_SOCKET && (*cm).cmsg_type == libc::SCM_RIGHTS {
                fd = std::ptr::read_unaligned(libc::CMSG_DATA(cm) as *const libc::c_int);
            }
        }
        return Some((n as usize, fd));
    }
}

/// serve is the request loop: one observation per request until EOF on fd 3.
pub fn serve() -> i32 {
    let mut buf = vec![0u8; MAX_REQUEST];
    while let Some((n, fd)) = recv_request(&mut buf) {
        let reply = match serde_json::from_slice::<Value>(&buf[..n]) {
            Err(e) => error_reply(None, &format!("request is not JSON: {}", e)),
            Ok(req) => {
                let id = req.get("case").and_then(Value::as_str);
                if fd < 0 {
                    error_reply(id, "request carries no file descriptor")
                } else {
                    match parse_request(&req) {
                        Err(e) => error_reply(id, &e),
                        Ok(c) => observe(&c, fd),
                    }
                }
            }
        };
        if fd >= 0 {
            // SAFETY: the descriptor came to us by SCM_RIGHTS; we own it.
            unsafe { libc::close(fd) };
        }
        let out = reply.to_string();
        let sent = unsafe {
            libc::send(CTL_FD, out.as_ptr() as *const libc::c_void, out.len(), libc::MSG_NOSIGNAL)
        };
        if sent < 0 {
            break;
        }
    }
    0
}

/// tcp_fd connects to or listens on (accepting one connection) HOST:PORT.
pub fn tcp_fd(arg: &str, listening: bool) -> Result<RawFd, String> {
    if !arg.contains(':') {
        return Err(format!("shim: expected HOST:PORT, got \"{}\"", arg));
    }
    if listening {
        let l = TcpListener::bind(arg).map_err(|e| format!("shim: listen: {}", e))?;
        let (s, _) = l.accept().map_err(|e| format!("shim: accept: {}", e))?;
        Ok(s.into_raw_fd())
    } else {
        let s = TcpStream::connect(arg).map_err(|e| format!("shim: connect: {}", e))?;
        Ok(s.into_raw_fd())
    }
}

/// one_shot runs the request in |path| over |fd| and prints the observation.
pub fn one_shot(path: &str, fd: RawFd) -> i32 {
    let text = match fs::read(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{}: {}", path, e);
            return 2;
        }
    };
    let req: Value = match serde_json::from_slice(&text) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{}:{}: {}", path, e.line(), e);
            return 2;
        }
    };
    let c = match parse_request(&req) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("{}: {}", path, e);
            return 2;
        }
    };
    let obs = observe(&c, fd);
    println!("{}", obs);
    if obs.get("status").and_then(Value::as_str) == Some("unsupported") {
        EXIT_UNSUPPORTED
    } else {
        0
    }
}

/// describe is --describe's one line.
pub fn describe() -> Value {
    json!({
        "stack": observation::STACK,
        "version": observation::VERSION,
        "library": observation::LIBRARY,
        "tls": TLS,
        "calist_source": SOURCES,
        "select": SELECTS,
        "contract": CONTRACT,
        "runtime": observation::RUNTIME,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(extra: &str) -> Value {
        serde_json::from_str(&format!("{{\"contract\":1,\"tls\":\"1.3\",{}}}", extra)).unwrap()
    }

    #[test]
    fn bad_requests_say_why() {
        let e = |v: &Value| parse_request(v).err().unwrap();
        assert_eq!(e(&json!({"contract": 2})), "request contract must be 1");
        assert_eq!(e(&req("\"role\":\"peer\"")), "role must be \"server\" or \"client\"");
        assert_eq!(e(&req("\"role\":\"client\",\"select\":\"best\"")), "unknown select \"best\"");
        assert_eq!(e(&req("\"role\":\"server\",\"cert\":\"c\",\"key\":\"k\"")), "calist_source explicit needs calist");
        assert_eq!(
            e(&req("\"role\":\"server\",\"cert\":\"c\",\"key\":\"k\",\"calist_source\":\"trust-store\"")),
            "calist_source trust-store needs calist_pem"
        );
        assert_eq!(e(&req("\"role\":\"client\",\"client_creds\":[{\"cert\":\"c\"}]")), "client_creds[0] needs cert and key");
    }

    #[test]
    fn defaults_match_the_contract() {
        let c = parse_request(&req("\"role\":\"client\"")).unwrap();
        assert_eq!((c.select.as_str(), c.require_cert, c.timeout_ms, c.tls13), ("native", true, 5000, true));
    }
}
