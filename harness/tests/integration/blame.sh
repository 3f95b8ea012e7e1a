#!/usr/bin/env bash
# Rule hits name the side that failed, judged from the relay's timeline, on
# the real stacks where each behaviour was first seen (issue: findings a
# maintainer can trust). Each case is one `cabound pair`.
. "$(dirname "$0")/lib.sh"
need() { for s in "$@"; do installed_stacks | grep -x "$s" >/dev/null || { echo "skip: $s not installed"; exit 77; }; done; }
need openssl boringssl gnutls mbedtls wolfssl nss
hits() { field "$1" '" ".join(sorted(h["rule"] + ":" + h["side"] for h in r["rule_hits"]))'; }
pair() { "$CABOUND" pair "$@" 2>/dev/null; }

# 1. NSS sends a correct 16334-byte request in two records; Mbed TLS cannot
#    take a fragmented message and closes without an alert: the client's
#    silence, not the server's.
l=$(pair --server nss --client mbedtls --tls 1.2 --list-bytes 20000 --issuer absent,last --select native --model schannel-16k)
check "nss>mbedtls: the server's list is sent whole" [ "$(field "$l" 'r["server_verdict"]')" = full ]
check "nss>mbedtls: ALERT-ON-FAIL is about the Mbed TLS client only" [ "$(hits "$l")" = "ALERT-ON-FAIL:client" ]
check "nss>mbedtls: the timeline shows the client's FIN before the server's" \
  [ "$(field "$l" '[e.split()[1] + " " + e.split()[2] for e in r["timeline"] if e.endswith(" fin")][0]')" = "C fin" ]

# 2. The README's old example: BoringSSL's full 37500-byte request over three
#    records; the failure is Mbed TLS's.
l=$(pair --server boringssl --client mbedtls --tls 1.2 --list-bytes 37500 --dn-size 60-180 --base-list "$(dirname "$0")/../../../corpus/schannel/roots.calist" --select native)
check "boringssl>mbedtls 37500: server full" [ "$(field "$l" 'r["server_verdict"]')" = full ]
check "boringssl>mbedtls 37500: the hit is the client's" [ "$(hits "$l")" = "ALERT-ON-FAIL:client" ]

# 3. OpenSSL answers the client's EOF with an alert: a reaction, which does
#    not excuse the silent wolfSSL client (-404 on a 65000-byte DN).
l=$(pair --server openssl --client wolfssl --tls 1.2 --list-bytes 1000 --inject dn-65000 --pcap "$TMP/cap")
d=$(pair --server openssl --client gnutls --tls 1.2 --list-bytes 1000 --inject duplicates --pcap "$TMP/cap")
check "openssl>wolfssl dn-65000: the silent client is blamed" [ "$(hits "$l")" = "ALERT-ON-FAIL:client" ]
check "openssl>wolfssl dn-65000: the server's alert 50 is on the wire, after the client's FIN" \
  [ "$(field "$l" 'next(i for i, e in enumerate(r["timeline"]) if "C fin" in e) < next(i for i, e in enumerate(r["timeline"]) if "S alert:50" in e)')" = True ]
# ...and the API never delivered a list (rejected before its callback ran): no API-WIRE.
check "openssl>wolfssl dn-65000: no API-WIRE when the callback never ran" [ "$(field "$l" 'r["client_received"]["exposed"]')" = False ]
# The capture of a rewritten case shows what the client received, with the
# server's original beside it; the FIN comes where it came.
pc=$(field "$d" 'r.get("pcap", "")'); ps=$(field "$d" 'r.get("pcap_server_sent", "")')
check "rewritten case: two captures" [ -s "$TMP/cap/$pc" -a -s "$TMP/cap/$ps" ]
if command -v tshark >/dev/null; then
  got=$(tshark -r "$TMP/cap/$pc" -Y 'tls.handshake.type == 13' -T fields -e tls.handshake.dnames_len 2>/dev/null | head -1)
  sent=$(tshark -r "$TMP/cap/$ps" -Y 'tls.handshake.type == 13' -T fields -e tls.handshake.dnames_len 2>/dev/null | head -1)
  check "rewritten case: the wire capture carries the rewritten list ($got vs $sent)" [ -n "$got" -a "$got" != "$sent" ]
  pc=$(field "$l" 'r.get("pcap", "")')
  order=$(tshark -r "$TMP/cap/$pc" -T fields -e tcp.srcport -e tcp.flags.fin -e tls.alert_message.desc 2>/dev/null |
          awk '$2=="1" && $1!="443" {print "cfin"; exit} $1=="443" && $3!="" {print "salert"; exit}')
  check "the capture shows the client's FIN before the server's alert" [ "$order" = cfin ]
fi

# 4. GnuTLS's retrieve callback after a zero-length DN: compared with the DNs
#    the length fields delimit, whatever the issuer's place.
l=$(pair --server openssl --client gnutls --tls 1.2 --list-bytes 1000 --inject zero-length-dn --issuer first)
check "gnutls zero-length-dn: API-WIRE checked on the malformed list" \
  [ "$(field "$l" '"API-WIRE" in r["rules_checked"]["client"]')" = True ]
check "gnutls zero-length-dn: the API differs from the bytes ($(hits "$l"))" [ "$(field "$l" '"API-WIRE:client" in [h["rule"] + ":" + h["side"] for h in r["rule_hits"]]')" = True ]

# 5. OpenSSL 3.0's TLS 1.3 client sends decode_error in plaintext after
#    ServerHello: recorded as plaintext, and no ALERT-PROTECTED hit, since
#    before the server's Finished a client still sends in the clear (RFC 8446
#    A.1); the rule was checked for it.
l=$(pair --server boringssl --client openssl --tls 1.3 --list-bytes 1000 --source raw --inject zero-length-dn)
check "openssl 1.3 client: the alert is marked plaintext" [ "$(field "$l" 'r["alerts"]["client_plaintext"]')" = True ]
check "openssl 1.3 client: the alert is decode_error" [ "$(field "$l" 'r["alerts"]["wire_from_client"]')" = 50 ]
check "openssl 1.3 client: ALERT-PROTECTED checked, not hit" \
  [ "$(field "$l" '"ALERT-PROTECTED" in r["rules_checked"]["client"] and "ALERT-PROTECTED" not in r["rules"]')" = True ]

# 6. Silent refusals the old rule missed: BoringSSL's server above its 1.3
#    limit, Mbed TLS's client one byte over its message size.
l=$(pair --server boringssl --client openssl --tls 1.3 --list-bytes 65510)
check "boringssl 1.3 server over its limit: silent, about the server" [ "$(hits "$l")" = "ALERT-ON-FAIL:server" ]
l=$(pair --server openssl --client mbedtls --tls 1.2 --list-bytes 16333 --issuer first)
check "mbedtls client at 16333: silent, about the client" [ "$(hits "$l")" = "ALERT-ON-FAIL:client" ]
done_checks
