//! listfile — the CA-list file format of harness/lib/listfile.h, read and
//! written the same way (that header is the one definition; this is its Rust
//! reading for the one shim that cannot link the C core):
//!
//!     cabound-list 1
//!     # comments and blank lines are ignored
//!     dn HEX [label]
//!
//! Line 1 is exactly the header; each "dn" line is one DN in hex (even digit
//! count, possibly zero), at most 65535 bytes, with an optional label token
//! ([A-Za-z0-9._:@-]+, up to 127). DNs keep file order.

use std::fs;
use std::io::Write;

pub const HEADER: &str = "cabound-list 1";

fn label_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'@' | b'-')
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn is_blank(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// parse_dn_line decodes "HEX [label]" (the text after "dn ").
fn parse_dn_line(p: &[u8]) -> Result<Vec<u8>, String> {
    let end_hex = p.iter().position(|&c| is_blank(c)).unwrap_or(p.len());
    let hex = &p[..end_hex];
    if hex.len() % 2 != 0 {
        return Err(format!("odd number of hex digits ({})", hex.len()));
    }
    if hex.len() / 2 > 65535 {
        return Err(format!("DN of {} bytes exceeds 65535", hex.len() / 2));
    }
    let mut der = Vec::with_capacity(hex.len() / 2);
    for i in 0..hex.len() / 2 {
        match (hex_value(hex[2 * i]), hex_value(hex[2 * i + 1])) {
            (Some(hi), Some(lo)) => der.push(hi << 4 | lo),
            _ => return Err(format!("not a hex digit in DN byte {}", i)),
        }
    }
    let mut q = end_hex;
    while q < p.len() && is_blank(p[q]) {
        q += 1;
    }
    let label_start = q;
    while q < p.len() && !is_blank(p[q]) {
        if !label_char(p[q]) || q - label_start + 1 >= 128 {
            return Err("bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)".into());
        }
        q += 1;
    }
    while q < p.len() && is_blank(p[q]) {
        q += 1;
    }
    if q != p.len() {
        return Err("unexpected text after the label".into());
    }
    Ok(der)
}

/// parse reads a list file's text; errors are "NAME:LINE: message".
pub fn parse(name: &str, text: &[u8]) -> Result<Vec<Vec<u8>>, String> {
    let at = |line: usize, msg: String| {
        if line > 0 {
            format!("{}:{}: {}", name, line, msg)
        } else {
            format!("{}: {}", name, msg)
        }
    };
    if text.contains(&0) {
        return Err(at(0, "binary data (NUL byte) in a list file".into()));
    }
    let mut out = Vec::new();
    let mut seen_header = false;
    let mut lineno = 0;
    // split on '\n'; a final line without newline still counts; a trailing
    // newline does not make an extra line.
    let mut rest = text;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&c| c == b'\n') {
            Some(i) => (&rest[..i], &rest[i + 1..]),
            None => (rest, &rest[rest.len()..]),
        };
        rest = next;
        lineno += 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if !seen_header {
            if line != HEADER.as_bytes() {
                return Err(at(lineno, format!("expected header \"{}\"", HEADER)));
            }
            seen_header = true;
            continue;
        }
        let mut q = 0;
        while q < line.len() && is_blank(line[q]) {
            q += 1;
        }
        let l = &line[q..];
        if l.is_empty() || l[0] == b'#' {
            continue;
        }
        if l.len() >= 3 && &l[..2] == b"dn" && is_blank(l[2]) {
            let mut s = 3;
            while s < l.len() && is_blank(l[s]) {
                s += 1;
            }
            out.push(parse_dn_line(&l[s..]).map_err(|e| at(lineno, e))?);
        } else if l == b"dn" {
            out.push(Vec::new()); // "dn" alone: a zero-length DN
        } else {
            return Err(at(
                lineno,
                "unknown line (expected \"dn HEX [label]\", a comment or a blank line)".into(),
            ));
        }
    }
    if !seen_header {
        return Err(at(0, format!("empty file (expected header \"{}\")", HEADER)));
    }
    Ok(out)
}

/// read parses the list file at |path|.
pub fn read(path: &str) -> Result<Vec<Vec<u8>>, String> {
    let text = fs::read(path).map_err(|e| format!("{}: {}", path, e))?;
    parse(path, &text)
}

/// format renders |dns| with |comment| as "# " lines after the header.
pub fn format(dns: &[Vec<u8>], comment: &str) -> Vec<u8> {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = Vec::new();
    out.extend_from_slice(HEADER.as_bytes());
    out.push(b'\n');
    for l in comment.lines() {
        out.extend_from_slice(b"# ");
        out.extend_from_slice(l.as_bytes());
        out.push(b'\n');
    }
    for dn in dns {
        out.extend_from_slice(b"dn ");
        for b in dn {
            out.push(DIGITS[(b >> 4) as usize]);
            out.push(DIGITS[(b & 15) as usize]);
        }
        out.push(b'\n');
    }
    out
}

/// write writes |dns| to |path| atomically (temporary file, then rename).
pub fn write(path: &str, dns: &[Vec<u8>], comment: &str) -> Result<(), String> {
    let tmp = format!("{}.tmp.{}", path, std::process::id());
    let res = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&format(dns, comment)))
        .and_then(|_| fs::rename(&tmp, path));
    res.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        format!("{}: write failed: {}", path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_keeps_order_and_empty_dn() {
        let dns = vec![vec![0x30, 0x00], vec![], vec![0xab; 3]];
        let text = format(&dns, "two\nlines");
        assert_eq!(parse("t", &text).unwrap(), dns);
    }

    #[test]
    fn errors_name_the_line() {
        let e = parse("f", b"cabound-list 1\ndn 3\n").unwrap_err();
        assert_eq!(e, "f:2: odd number of hex digits (1)");
        assert!(parse("f", b"nope\n").unwrap_err().starts_with("f:1: expected header"));
        assert!(parse("f", b"cabound-list 1\ndn 30 bad!\n").unwrap_err().contains("bad label"));
    }
}
