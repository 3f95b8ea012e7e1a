#!/usr/bin/env bash
# cabound probe against live servers on loopback: a cabound server shim in
# its one-shot --listen mode sending a 20000-byte list (TLS 1.2 and 1.3),
# `openssl s_server` asking for no certificate, a closed port, a server
# that answers HTTP, one that says nothing; the values asserted are the
# ones the list was built with, and the server's own report says the probe
# sent no certificate.
. "$(dirname "$0")/lib.sh"
SHIM="$BUILD/cabound-shim-openssl"
[ -x "$SHIM" ] || { echo "no $SHIM: skipped"; exit 77; }
start=$(date +%s)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$TMP"' EXIT

# Loopback ports in use, from /proc (no connection: a one-shot server
# serves exactly one). Bash only: a Python start-up costs most of a second.
ports_in_use() {
  local _sl local_addr _rest
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | while read -r _sl local_addr _rest; do
    [ "$_sl" = sl ] || echo $(( 16#${local_addr##*:} ))
  done
}
free_port() {
  local used p
  used=" $(ports_in_use | tr '\n' ' ') "
  for _ in $(seq 100); do
    p=$(( 20000 + RANDOM % 40000 ))
    case "$used" in *" $p "*) ;; *) echo "$p"; return 0 ;; esac
  done
  return 1
}
# wait_listen PORT — until something listens on 127.0.0.1:PORT (up to 5 s).
wait_listen() {
  local want
  want=$(printf '0100007F:%04X' "$1")
  for _ in $(seq 250); do
    awk -v w="$want" '$2 == w && $4 == "0A" { found = 1 } END { exit !found }' /proc/net/tcp && return 0
    sleep 0.02
  done
  return 1
}

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/k.pem" -out "$TMP/c.pem" \
  -subj /CN=probe-test -days 2 >/dev/null 2>&1
"$CABOUND" gen-list --bytes 20000 --seed 7 --out "$TMP/l.calist" >"$TMP/gen.out"
ndns=$(sed -n 's/.*: \([0-9]*\) DNs, 20000 list bytes/\1/p' "$TMP/gen.out")
check "gen-list made a 20000-byte list ($ndns DNs)" [ -n "$ndns" ]

for v in 1.2 1.3; do
  port=$(free_port)
  cat >"$TMP/req$v.json" <<J
{"contract":1,"case":"probe-$v","role":"server","tls":"$v","cert":"$TMP/c.pem","key":"$TMP/k.pem","calist_source":"explicit","calist":"$TMP/l.calist","verify":"require","timeout_ms":5000}
J
  "$SHIM" --request "$TMP/req$v.json" --listen "127.0.0.1:$port" >"$TMP/server$v.json" 2>"$TMP/server$v.err" &
  pids+=($!); spid=$!
  wait_listen "$port"
  timeout 20 "$CABOUND" probe --tls "$v" --json "127.0.0.1:$port" >"$TMP/probe$v.json" 2>"$TMP/probe$v.err"; rc=$?
  wait "$spid" 2>/dev/null
  line=$(head -n1 "$TMP/probe$v.json")
  sent=$(field "$(cat "$TMP/server$v.json")" 'r["alert_sent"]')
  # One Python start for every value of the line (each start costs most of a second).
  got=$(python3 -c 'import json,sys
r = json.loads(sys.argv[1]); n = int(sys.argv[2])
print(r["status"], r["wire_list_bytes"], len(r["dns"]) == r["dns_on_wire"] == n and all(d.startswith("CN=") for d in r["dns"]),
      r["records"], r["fits"]["16k"], r["fits"]["32k"], r["fits"]["64k"], r["server_answer"]["alert"])' "$line" "$ndns")
  read -r status lbytes dnsok records f16 f32 f64 answer <<<"$got"
  check "TLS $v: exit 1 (a limit exceeded), got $rc" [ "$rc" -eq 1 ]
  check "TLS $v: measured" [ "$status" = measured ]
  check "TLS $v: the list on the wire is the 20000 bytes configured" [ "$lbytes" = 20000 ]
  check "TLS $v: all $ndns DNs, printed as RFC 4514 strings" [ "$dnsok" = True ]
  check "TLS $v: 2 records" [ "$records" = 2 ]
  check "TLS $v: over 16 KB, within 32 KB and 64 KB" [ "$f16 $f32 $f64" = "False True True" ]
  check "TLS $v: the server got no certificate from the probe" grep -q '"peer_cert":null' "$TMP/server$v.json"
  check "TLS $v: and its alert ($sent) is the answer the probe reports ($answer)" [ "$answer" = "$sent" ]
done
# The same list in text form, with what a Schannel cut keeps.
port=$(free_port)
"$SHIM" --request "$TMP/req1.2.json" --listen "127.0.0.1:$port" >/dev/null 2>&1 &
pids+=($!)
wait_listen "$port"
timeout 20 "$CABOUND" probe --tls 1.2 "127.0.0.1:$port" >"$TMP/text.out" 2>&1; rc=$?
check "text: exit 1" [ "$rc" -eq 1 ]
check "text: says the list exceeds 16 KB" grep -q "16 KB: .* EXCEEDS (20000 list bytes, limit 16384)" "$TMP/text.out"
check "text: 2 records" grep -q "CertificateRequest of 20052 bytes in 2 records" "$TMP/text.out"
check "text: lists DN $ndns" grep -qE "^ +$ndns  CN=" "$TMP/text.out"

# A server that asks for no certificate.
port=$(free_port)
openssl s_server -accept "127.0.0.1:$port" -cert "$TMP/c.pem" -key "$TMP/k.pem" -naccept 2 -quiet >/dev/null 2>&1 </dev/null &
pids+=($!)
wait_listen "$port"
timeout 20 "$CABOUND" probe "127.0.0.1:$port" >"$TMP/none.out" 2>&1; rc=$?
check "no CertificateRequest: exit 4, got $rc" [ "$rc" -eq 4 ]
check "no CertificateRequest: said for both versions" [ "$(grep -c 'asked for no client certificate' "$TMP/none.out")" -eq 2 ]

# --sni reaches the server: one that knows only probe.example (and says so
# fatally) answers another name with unrecognized_name.
for name in probe.example other.example; do
  port=$(free_port)
  openssl s_server -accept "127.0.0.1:$port" -cert "$TMP/c.pem" -key "$TMP/k.pem" -naccept 1 -quiet \
    -servername probe.example -servername_fatal -cert2 "$TMP/c.pem" -key2 "$TMP/k.pem" >/dev/null 2>&1 </dev/null &
  pids+=($!)
  wait_listen "$port"
  timeout 20 "$CABOUND" probe --tls 1.2 --sni "$name" "127.0.0.1:$port" >"$TMP/sni-$name.out" 2>&1
done
check "--sni probe.example: the server's flight (no certificate asked)" grep -q "asked for no client certificate" "$TMP/sni-probe.example.out"
check "--sni other.example: refused with alert 112" grep -q "refused TLS 1.2: alert 112 (unrecognized_name)" "$TMP/sni-other.example.out"

# A closed port.
port=$(free_port)
timeout 20 "$CABOUND" probe --tls 1.2 "127.0.0.1:$port" >"$TMP/closed.out" 2>&1; rc=$?
check "closed port: exit 3" [ "$rc" -eq 3 ]
check "closed port: connection refused" grep -q "cannot connect to 127.0.0.1 port $port.*Connection refused" "$TMP/closed.out"

# A server that is not TLS (HTTP), and one that says nothing.
port=$(free_port)
python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(2)
c, _ = s.accept(); c.recv(100); c.sendall(b"HTTP/1.1 400 Bad Request\r\n\r\n"); c.close()
c, _ = s.accept(); time.sleep(8)
' "$port" &
pids+=($!)
wait_listen "$port"
timeout 20 "$CABOUND" probe --tls 1.2 --json "127.0.0.1:$port" >"$TMP/http.json" 2>&1; rc=$?
check "HTTP server: exit 3" [ "$rc" -eq 3 ]
check "HTTP server: not TLS, with its first bytes" grep -q 'not TLS: .*HTTP/1.1 400 Bad Request' "$TMP/http.json"
t0=$(date +%s)
timeout 20 "$CABOUND" probe --tls 1.3 --timeout-ms 1000 "127.0.0.1:$port" >"$TMP/silent.out" 2>&1; rc=$?
took_silent=$(( $(date +%s) - t0 ))
check "silent server: exit 3 within the timeout (took $took_silent s)" [ "$rc$((took_silent < 6))" = 31 ]
check "silent server: says nothing came" grep -q "sent nothing within the timeout" "$TMP/silent.out"

# Usage errors.
"$CABOUND" probe 127.0.0.1 >/dev/null 2>"$TMP/u1"; r1=$?
"$CABOUND" probe 127.0.0.1:70000 >/dev/null 2>"$TMP/u2"; r2=$?
"$CABOUND" probe --tls 1.4 127.0.0.1:1 >/dev/null 2>"$TMP/u3"; r3=$?
check "usage: exit 2 for a missing port, a port out of range, --tls 1.4" [ "$r1$r2$r3" = 222 ]
check "usage: the message names the problem" grep -q "expected HOST:PORT" "$TMP/u1"
took=$(( $(date +%s) - start ))
check "under 30 s (took $took s)" [ "$took" -lt 30 ]
done_checks
