#!/usr/bin/env python3
"""reasons-mbedtls.py GENERATED.expect RESULTS.jsonl OUT.expect — the reasons of
suites/expect/mbedtls@3.6.7.expect, chosen per expectation from what the run
measured (verdict, rules, and for a refused CertificateRequest the client's
error code: -28928 the input buffer, -29440 the DN walk), citing the 3.6.7
tree. Mbed TLS needs this beside reasons.py because one verdict has two
causes in 3.6. A case it cannot explain stops it (exit 1)."""
import json, re, sys, fnmatch, collections
exp, results, out = sys.argv[1:4]
R = [json.loads(l) for l in open(results)]
V = re.search(r"mbedtls@([0-9]+(?:\.[0-9]+)*)", exp).group(1)
S = "mbedtls@" + V
t = open(exp).read()
head, _, rest = t.partition("\nexpect ")
rest = "expect " + rest
blocks = re.findall(r"(expect (\S+) (server|client)\n((?:  .*\n)*?)end\n)", rest)
SRV_NOALERT = ("ALERT-ON-FAIL: ssl_tls.c mbedtls_ssl_parse_certificate (" + V + "): an empty client "
               "Certificate under MBEDTLS_SSL_VERIFY_REQUIRED sets MBEDTLS_ERR_SSL_NO_CLIENT_CERTIFICATE "
               "(-29824) and goes to exit without mbedtls_ssl_send_alert_message")
def reason(pat, role, body):
    v = re.search(r"^  (?:server|client)-verdict (\S+)$", body, re.M)
    v = v.group(1) if v else ""
    rules = re.search(r"^  rules (.*)$", body, re.M).group(1)
    tls = pat.rsplit("/", 1)[1]
    cases = [d for d in R if fnmatch.fnmatchcase(d.get("case", ""), pat)]
    if v == "unsupported":
        why = collections.Counter(d.get("unsupported", "") for d in cases).most_common(1)
        w = why[0][0] if why else ""
        return f"the case cannot run: {w} (cabound's capability check from each shim's --describe; Mbed TLS exposes no received list in 2.28 or {V}: harness/stacks/mbedtls/NOTES-3.6.md)"
    if role == "server":
        if v == "full":
            r = (f"library/ssl_tls12_server.c ssl_write_certificate_request ({V}): writes the subject_raw of each "
                 "mbedtls_ssl_conf_dn_hints certificate, in order, while it fits MBEDTLS_SSL_OUT_CONTENT_LEN (16384)")
        elif v == "truncated":
            r = (f"library/ssl_tls12_server.c ssl_write_certificate_request ({V}): 'skipping CAs: buffer too short' at the "
                 "first DN that no longer fits MBEDTLS_SSL_OUT_CONTENT_LEN (16384): whole-DN prefix, no error, no alert (as in 2.28)")
        elif v == "omitted":
            r = (f"library/ssl_tls13_server.c ssl_tls13_write_certificate_request_body ({V}): a TLS 1.3 CertificateRequest "
                 "carries only signature_algorithms; Mbed TLS never sends certificate_authorities")
        else:
            raise SystemExit(f"no reason for {pat} {role} {v}")
        if "ALERT-ON-FAIL" in rules:
            r += "; " + SRV_NOALERT
        return r
    if v == "selected":
        if tls == "1.2":
            return (f"library/ssl_tls12_client.c ssl_parse_certificate_request ({V}) checks the lengths, walks the DNs only to "
                    "print them (MBEDTLS_DEBUG_C) and keeps nothing; the first mbedtls_ssl_conf_own_cert certificate is sent")
        return (f"library/ssl_tls13_client.c ssl_tls13_parse_certificate_request ({V}) skips certificate_authorities "
                "('( ignored )'); the first own certificate is sent (ssl_tls13_generic.c ssl_tls13_write_certificate_body)")
    if v == "not-asked":
        r = "the server sent no CertificateRequest (it refused the list or failed before it)"
        if "ALERT-ON-FAIL" in rules:
            r += "; ALERT-ON-FAIL: the failure is the server's, which sent no alert"
        return r
    if v == "rejected":
        codes = collections.Counter((d.get("client_error") or {}).get("code") for d in cases if d.get("client_verdict") == "rejected")
        parts = []
        if -28928 in codes:
            parts.append(f"library/ssl_msg.c mbedtls_ssl_fetch_input ({V}): the CertificateRequest, reassembled from its records in "
                         "the input buffer (mbedtls_ssl_prepare_handshake_record), does not fit MBEDTLS_SSL_IN_BUFFER_LEN "
                         "(16384 content): 'requesting more data than fits', MBEDTLS_ERR_SSL_BAD_INPUT_DATA (-28928), no alert")
        if -29440 in codes:
            parts.append(f"library/ssl_tls12_client.c ssl_parse_certificate_request ({V}, under MBEDTLS_DEBUG_C): a DN that overruns "
                         "the list or does not parse (mbedtls_x509_get_name) is decode_error (50), MBEDTLS_ERR_SSL_DECODE_ERROR (-29440)")
        other = [c for c in codes if c not in (-28928, -29440)]
        if other or not parts:
            raise SystemExit(f"no reason for {pat} codes {codes}")
        r = "; ".join(parts)
        if "ALERT-ON-FAIL" in rules:
            r += "; ALERT-ON-FAIL: mbedtls_ssl_fetch_input returns the error without sending an alert"
        return r
    raise SystemExit(f"no reason for {pat} {role} {v}")

outb = []
for whole, pat, role, body in blocks:
    if re.search(r"^  fault timeout$", body, re.M):
        print("dropped (a timeout under load; the same case was measured truncated):", pat, file=sys.stderr)
        continue
    r = reason(pat, role, body).replace('"', "'")
    outb.append(re.sub(r'  reason ".*"', lambda m: '  reason "' + r + '"', whole))
head = head.replace("# A reason cites the stack's source (file and function) or a public issue.",
                    "# A reason cites the stack's source (file and function) or a public issue.\n"
                    "# Mbed TLS " + V + " built by `bash ci/stacks mbedtls` (harness/stacks/mbedtls/NOTES-3.6.md); reasons cite the " + V + " tree.")
open(out, "w").write(head + "\n" + "\n".join(outb))
