#!/usr/bin/env python3
"""listcov_test.py — listcov.py against a report cut from a real run
(client_cr_mbedtls@3.6.7, ci/fuzz --long 600): a required function reached
passes; unreached, absent (a misspelt name) or a bad listfuncs line fails
with the documented status; cabound's own functions never count as the
library's. Run by CTest (fuzz-listcov)."""
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# Lines as libFuzzer 14 printed them (paths: the library's build tree, and
# cabound's own glue, which must not count as the library's).
REPORT = """COVERED_FUNC: hits: 147 edges: 6/35 fz_stack_run {root}/fuzz/stacks/mbedtls.c:154
COVERED_FUNC: hits: 147 edges: 14/24 mbedtls_ssl_handshake_client_step /cache/build/mbedtls-3.6.7-fuzz/src/library/ssl_tls12_client.c:3574
COVERED_FUNC: hits: 147 edges: 15/44 ssl_parse_certificate_request /cache/build/mbedtls-3.6.7-fuzz/src/library/ssl_tls12_client.c:2565
  UNCOVERED_PC: /cache/build/mbedtls-3.6.7-fuzz/src/library/ssl_tls12_client.c:2580
UNCOVERED_FUNC: hits: 0 edges: 0/34 ssl_tls13_parse_certificate_request /cache/build/mbedtls-3.6.7-fuzz/src/library/ssl_tls13_client.c:2421
UNCOVERED_FUNC: hits: 0 edges: 0/11 ssl_tls13_write_certificate_request /cache/build/mbedtls-3.6.7-fuzz/src/library/ssl_tls13_server.c:2757
"""


def run(listfuncs, kind, report=REPORT):
    with tempfile.TemporaryDirectory() as d:
        log = os.path.join(d, "cov.log")
        lf = os.path.join(d, "list.txt")
        with open(log, "w") as f:
            f.write(report.format(root=ROOT))
        with open(lf, "w") as f:
            f.write(listfuncs)
        p = subprocess.run([sys.executable, os.path.join(HERE, "listcov.py"), log, lf, kind, ROOT],
                           capture_output=True, text=True)
        return p.returncode, p.stdout.strip(), p.stderr.strip()


def expect(what, got, rc, out_has=()):
    code, out, err = got
    ok = code == rc and all(s in out for s in out_has)
    print(f"{'ok' if ok else 'FAIL'}: {what}: exit {code} (want {rc}): {out or err}")
    return ok


good = True
reached = "client_cr ssl_parse_certificate_request library/ssl_tls12_client.c required\n" \
          "client_cr ssl_tls13_parse_certificate_request library/ssl_tls13_client.c\n"
good &= expect("required reached", run(reached, "client_cr"), 0,
               ("list=15/78", "lib=29/113", "reached=ssl_parse_certificate_request:15/44",
                "unreached=ssl_tls13_parse_certificate_request:0/34"))
good &= expect("required unreached", run("client_cr ssl_tls13_parse_certificate_request "
                                         "library/ssl_tls13_client.c required\n", "client_cr"), 1,
               ("unreached=ssl_tls13_parse_certificate_request:0/34",))
good &= expect("absent name", run("client_cr ssl_parse_certificate_reqest library/ssl_tls12_client.c "
                                  "required\n", "client_cr"), 1, ("absent=ssl_parse_certificate_reqest",))
good &= expect("same name, other file", run("client_cr ssl_parse_certificate_request library/ssl_tls13_client.c "
                                            "required\n", "client_cr"), 1, ("absent=",))
good &= expect("other kind's functions ignored", run(reached, "server_calist"), 0, ("list=0/0",))
# BoringSSL's C++: demangled, namespaced, parameters with spaces; the
# same static name in two files (TLS 1.2 and 1.3 handshakes).
CXX = """COVERED_FUNC: hits: 9 edges: 12/20 bssl::ssl_parse_client_CA_list(ssl_st*, unsigned char*, cbs_st*) /b/src/ssl/ssl_cert.cc:616
COVERED_FUNC: hits: 9 edges: 7/16 bssl::do_read_certificate_request(bssl::SSL_HANDSHAKE*) /b/src/ssl/handshake_client.cc:1231
UNCOVERED_FUNC: hits: 0 edges: 0/22 bssl::do_read_certificate_request(bssl::SSL_HANDSHAKE*) /b/src/ssl/tls13_client.cc:621
"""
good &= expect("C++ names", run("client_cr ssl_parse_client_CA_list ssl/ssl_cert.cc required\n"
                                "client_cr do_read_certificate_request ssl/handshake_client.cc required\n"
                                "client_cr do_read_certificate_request ssl/tls13_client.cc\n", "client_cr", CXX), 0,
               ("list=19/58", "lib=19/58", "reached=ssl_parse_client_CA_list:12/20,do_read_certificate_request:7/16",
                "unreached=do_read_certificate_request:0/22"))
good &= expect("bad line", run("client_cr ssl_parse_certificate_request\n", "client_cr"), 2)
good &= expect("unknown kind", run("client ssl_parse_certificate_request a.c\n", "client_cr"), 2)
good &= expect("no report", run(reached, "client_cr", report="INFO: nothing\n"), 2)
# Every committed list parses (a typo in a kind or a missing column is
# caught here, not in a fuzzing run).
for name in sorted(os.listdir(os.path.join(HERE, "listfuncs"))):
    if name.endswith(".txt"):
        with open(os.path.join(HERE, "listfuncs", name)) as f:
            text = f.read()
        for kind in ("client_cr", "server_calist", "server_calist13"):
            code, out, err = run(text, kind)
            ok = code in (0, 1)  # 2: a line listcov.py refuses
            print(f"{'ok' if ok else 'FAIL'}: listfuncs/{name} parses ({kind}): exit {code} {err}")
            good &= ok
sys.exit(0 if good else 1)
