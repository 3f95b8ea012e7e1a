//! der — the little DER reading the shim needs: a certificate's issuer Name,
//! as the bytes it was encoded with (for `by-issuer`'s byte comparison). No
//! packaged X.509 parser is used: Debian 12 packages none for rustls 0.20
//! (x509-parser is not in /usr/share/cargo/registry), and the walk is short.

/// tlv splits the element at the start of |b| into (tag, whole element,
/// content). None when the header or the length does not fit.
fn tlv(b: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *b.first()?;
    let first = *b.get(1)? as usize;
    let (len, hdr) = if first < 0x80 {
        (first, 2)
    } else {
        let n = first & 0x7f;
        if n == 0 || n > 4 {
            return None; // indefinite or absurd lengths are not DER
        }
        let mut len = 0usize;
        for i in 0..n {
            len = len << 8 | *b.get(2 + i)? as usize;
        }
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    if end > b.len() {
        return None;
    }
    Some((tag, &b[..end], &b[hdr..end]))
}

/// issuer returns the encoded issuer Name (tag and length included) of the
/// certificate |cert|: Certificate ::= SEQUENCE { tbsCertificate SEQUENCE {
/// [0] version OPTIONAL, serialNumber, signature, issuer, ... } ... }.
pub fn issuer(cert: &[u8]) -> Option<Vec<u8>> {
    let (tag, _, body) = tlv(cert)?;
    if tag != 0x30 {
        return None;
    }
    let (tag, _, mut tbs) = tlv(body)?;
    if tag != 0x30 {
        return None;
    }
    // skip [0] EXPLICIT version when present, then serial and signature
    let mut skip = if tbs.first() == Some(&0xa0) { 3 } else { 2 };
    while skip > 0 {
        let (_, whole, _) = tlv(tbs)?;
        tbs = &tbs[whole.len()..];
        skip -= 1;
    }
    let (tag, whole, _) = tlv(tbs)?;
    if tag != 0x30 {
        return None;
    }
    Some(whole.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_issuer_after_version_serial_and_algorithm() {
        // SEQ { SEQ { [0]{INT 2}, INT 1, SEQ{OID}, SEQ{issuer}, ... } }
        let issuer_der = [0x30, 0x03, 0x31, 0x01, 0x00];
        let mut tbs = vec![0xa0, 0x03, 0x02, 0x01, 0x02, 0x02, 0x01, 0x01, 0x30, 0x02, 0x06, 0x00];
        tbs.extend_from_slice(&issuer_der);
        let mut cert = vec![0x30, (tbs.len() + 2) as u8, 0x30, tbs.len() as u8];
        cert.extend_from_slice(&tbs);
        assert_eq!(issuer(&cert).unwrap(), issuer_der);
        assert!(issuer(&cert[..cert.len() - 1]).is_none());
    }
}
