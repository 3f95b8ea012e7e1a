//! cabound-shim-rustls — the rustls 0.20 shim: shim contract v1
//! (harness/stacks/README.md) in Rust, since rustls is a Rust library. The
//! contract and the request loop are in contract.rs, the TLS side in tls.rs
//! (driving a connection), server.rs (setting the list) and client.rs
//! (reading it). NOTES.md cites the rustls source for every behaviour.

mod client;
mod contract;
mod der;
mod listfile;
mod observation;
mod server;
mod tls;

use std::process::exit;

fn usage(argv0: &str) {
    eprintln!(
        "usage: {0} --serve              (request loop on fd 3, see harness/stacks/README.md)\n       \
         {0} --describe\n       \
         {0} --request FILE (--fd N | --connect HOST:PORT | --listen HOST:PORT)",
        argv0
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let argv0 = args.first().map(String::as_str).unwrap_or("cabound-shim-rustls");
    let (mut request, mut connect_to, mut listen_on) = (None, None, None);
    let (mut fd, mut do_serve, mut do_describe) = (-1, false, false);
    let mut i = 1;
    while i < args.len() {
        let a = args[i].as_str();
        let has_value = i + 1 < args.len();
        match a {
            "--serve" => do_serve = true,
            "--describe" => do_describe = true,
            "--request" if has_value => {
                i += 1;
                request = Some(args[i].clone());
            }
            "--fd" if has_value => {
                i += 1;
                fd = args[i].parse().unwrap_or(-1);
            }
            "--connect" if has_value => {
                i += 1;
                connect_to = Some(args[i].clone());
            }
            "--listen" if has_value => {
                i += 1;
                listen_on = Some(args[i].clone());
            }
            _ => {
                eprintln!("Unrecognized flag: {}", a);
                usage(argv0);
                exit(2);
            }
        }
        i += 1;
    }
    if do_describe {
        println!("{}", contract::describe());
        exit(0);
    }
    if let Err(e) = tls::init() {
        eprintln!("shim-rustls: {}", e);
        exit(3);
    }
    if do_serve {
        exit(contract::serve());
    }
    let request = match request {
        Some(r) => r,
        None => {
            usage(argv0);
            exit(2);
        }
    };
    if fd < 0 {
        let target = connect_to.as_ref().map(|c| (c, false)).or(listen_on.as_ref().map(|l| (l, true)));
        if let Some((addr, listening)) = target {
            match contract::tcp_fd(addr, listening) {
                Ok(f) => fd = f,
                Err(e) => eprintln!("{}", e),
            }
        }
    }
    if fd < 0 {
        usage(argv0);
        exit(2);
    }
    exit(contract::one_shot(&request, fd));
}
