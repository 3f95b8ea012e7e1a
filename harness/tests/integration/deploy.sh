#!/usr/bin/env bash
# cabound deploy: one small EAP-TLS case (FreeRADIUS + eapol_test) and one
# OpenVPN case, each measured from the TLS bytes its proxy extracted (the
# list the server was given, whole, in one record), both programs
# authenticated; then one case past 16 KB, measured whole or cut but always
# consistently (FreeRADIUS 3.2.1 cuts its flight after 16384 TLS bytes); and
# nothing they started is left running. Skipped (77) when the programs are
# not installed (bash ci/deps installs them).
. "$(dirname "$0")/lib.sh"
for p in freeradius eapol_test openvpn; do
  command -v "$p" >/dev/null || { echo "no $p: skipped (bash ci/deps)"; exit 77; }
done
OUT="$TMP/out"

timeout 60 "$CABOUND" deploy eap --list-bytes 3000 --out "$OUT" >"$TMP/eap.json" 2>"$TMP/eap.err"; rc=$?
line=$(head -n1 "$TMP/eap.json")
check "eap: exit 0 ($(cat "$TMP/eap.err"))" [ "$rc" -eq 0 ]
check "eap: the list on the wire is the 3000 bytes FreeRADIUS's ca_file holds, whole" \
  [ "$(field "$line" '(r["wire"], r["wire_list_bytes"], r["list_bytes"], r["server_verdict"], r["records"])')" = "('measured', 3000, 3000, 'full', 1)" ]
check "eap: eapol_test sent its certificate, both authenticated" \
  [ "$(field "$line" '(r["client_verdict"], r["selected"], r["handshake"])')" = "('selected', 0, 'ok')" ]
check "eap: the TLS bytes came in several EAP-TLS fragments" [ "$(field "$line" 'r["app"]["eap_tls_fragments"][0] > 1')" = True ]
check "eap: the line is in OUT/results.jsonl" grep -q '"deploy/eap-tls@3000,issuer=last/freeradius>eapol_test/1.2"' "$OUT/results.jsonl"

timeout 60 "$CABOUND" deploy vpn --list-bytes 3000 --out "$OUT" >"$TMP/vpn.json" 2>"$TMP/vpn.err"; rc=$?
line=$(head -n1 "$TMP/vpn.json")
check "vpn: exit 0 ($(cat "$TMP/vpn.err"))" [ "$rc" -eq 0 ]
check "vpn: the 3000 list bytes of --ca on the wire, every DN (in OpenVPN's sorted order)" \
  [ "$(field "$line" '(r["wire_list_bytes"], r["dns_on_wire"] == r["dns_configured"], r["records"])')" = "(3000, True, 1)" ]
check "vpn: the client sent its certificate, both ends completed" \
  [ "$(field "$line" '(r["client_verdict"], r["selected"], r["handshake"])')" = "('selected', 0, 'ok')" ]

# Past 16 KB: whatever FreeRADIUS sends is measured consistently: either the
# whole 20052-byte CertificateRequest, or (FreeRADIUS 3.2.1, measured: its
# flight stops after 16384 TLS bytes) bytes that stop inside it, judged
# malformed with where, and no handshake.
timeout 60 "$CABOUND" deploy eap --list-bytes 20000 --out "$OUT" >"$TMP/eap2.json" 2>"$TMP/eap2.err"; rc=$?
line=$(head -n1 "$TMP/eap2.json")
verdict=$(python3 -c 'import json,sys
r = json.loads(sys.argv[1]); a = r["app"]; u = a["server_unfinished_record"]
if r["cr_message_bytes"] == 20052 and r["wire_list_bytes"] == 20000:
    print("whole", r["handshake"])
elif r["server_verdict"] == "malformed" and u and u["received"] < u["declared"] and r["handshake"] == "failed" \
        and "stop after %d" % a["server_tls_bytes"] in r["server_detail"]:
    print("cut", a["server_tls_bytes"])
else:
    print("inconsistent", r["server_verdict"], r["server_detail"])' "$line")
check "eap 20000: measured whole or cut, consistently ($verdict)" bash -c "[[ '$verdict' == whole* || '$verdict' == cut* ]]"
check "eap 20000: the exit status follows the handshake ($rc)" \
  bash -c "[[ ( '$verdict' == 'whole ok' && $rc -eq 0 ) || ( '$verdict' != 'whole ok' && $rc -eq 1 ) ]]"

sleep 0.3
survivors=$(pgrep -af -- "$OUT/work" || true)
check "nothing left running (${survivors:-none})" [ -z "$survivors" ]
"$CABOUND" deploy dns >/dev/null 2>"$TMP/u"; rc=$?
check "an unknown driver: exit 2, naming the choices" bash -c "[ $rc -eq 2 ] && grep -q 'eap, vpn' '$TMP/u'"
"$CABOUND" deploy eap --tls 1.3 >/dev/null 2>"$TMP/u"; rc=$?
check "TLS 1.3: exit 2, saying why" bash -c "[ $rc -eq 2 ] && grep -q 'TLS 1.2' '$TMP/u'"
done_checks
