//! observation — what one case observed, and its JSON form (the
//! "Observation" table of harness/stacks/README.md; the same keys and rules
//! as observe() in harness/stacks/common/shim.c).

use serde_json::{json, Map, Value};

use crate::contract::{Case, Role};
use crate::listfile;

pub const STACK: &str = "rustls";
pub const VERSION: &str = env!("CABOUND_RUSTLS_VERSION");
pub const LIBRARY: &str = env!("CABOUND_RUSTLS_LIBRARY");
pub const RUNTIME: &str = env!("CABOUND_RUSTC_VERSION");

#[derive(Default)]
pub struct Obs {
    pub unsupported: Option<String>,
    pub handshake_ok: bool,
    /// the error's text; rustls's errors carry no number, so the JSON code
    /// is always null
    pub error: Option<String>,
    pub alerts_exposed: bool,
    pub alert_sent: Option<u8>,
    pub alert_received: Option<u8>,
    /// client: the DNs the API exposed, in order (None: not exposed)
    pub received: Option<Vec<Vec<u8>>>,
    /// client: index of the credential sent, -1 for an empty Certificate
    pub sent_cert: Option<i64>,
    /// server: DER of the client certificate as received
    pub peer_cert: Option<Vec<u8>>,
}

impl Obs {
    /// set_error records the first error only: later ones are consequences.
    pub fn set_error(&mut self, text: impl Into<String>) {
        if self.error.is_none() {
            self.error = Some(text.into());
        }
    }
}

fn hex(b: &[u8]) -> String {
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push_str(&format!("{:02x}", x));
    }
    s
}

/// to_json renders |o| for |c|; it also writes the received list file (the
/// C shims do that here too). |us| is the handshake's wall time.
pub fn to_json(c: &Case, o: &Obs, us: u128) -> Value {
    let mut m = Map::new();
    m.insert("contract".into(), json!(1));
    m.insert("case".into(), json!(c.case_id));
    m.insert("stack".into(), json!(STACK));
    m.insert("version".into(), json!(VERSION));
    m.insert("library".into(), json!(LIBRARY));
    m.insert("role".into(), json!(if c.role == Role::Server { "server" } else { "client" }));
    m.insert("tls".into(), json!(if c.tls13 { "1.3" } else { "1.2" }));
    if let Some(reason) = &o.unsupported {
        m.insert("status".into(), json!("unsupported"));
        m.insert("reason".into(), json!(reason));
        return Value::Object(m);
    }
    m.insert("status".into(), json!("observed"));
    match c.role {
        Role::Server => m.insert("calist_source".into(), json!(c.source)),
        Role::Client => m.insert("select".into(), json!(c.select)),
    };
    m.insert("handshake".into(), json!(if o.handshake_ok { "ok" } else { "failed" }));
    m.insert(
        "error".into(),
        match &o.error {
            Some(t) => json!({"code": Value::Null, "text": t}),
            None => Value::Null,
        },
    );
    m.insert("alerts_exposed".into(), json!(o.alerts_exposed));
    m.insert("alert_sent".into(), json!(o.alert_sent));
    m.insert("alert_received".into(), json!(o.alert_received));
    match c.role {
        Role::Client => {
            match &o.received {
                Some(dns) => {
                    let bytes: usize = dns.iter().map(|d| 2 + d.len()).sum();
                    m.insert(
                        "received".into(),
                        json!({"exposed": true, "count": dns.len(), "list_bytes": bytes}),
                    );
                    if let Some(path) = &c.received_out {
                        if let Err(e) = listfile::write(path, dns, "received by the client API") {
                            eprintln!("shim: {}", e);
                        }
                    }
                }
                None => {
                    m.insert("received".into(), json!({"exposed": false}));
                }
            }
            m.insert("sent_cert".into(), json!(o.sent_cert));
        }
        Role::Server => {
            m.insert("peer_cert".into(), json!(o.peer_cert.as_ref().map(|d| hex(d))));
        }
    }
    m.insert("handshake_us".into(), json!(us as u64));
    Value::Object(m)
}
