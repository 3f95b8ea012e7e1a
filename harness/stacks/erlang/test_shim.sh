#!/usr/bin/env bash
# test_shim.sh — the Erlang shim's own side of the stream transport and its
# request checks, without a TLS peer: --describe declares the transport; in
# --serve every request that names an address gets exactly one connection
# before its reply (also bad-request and unsupported ones); a request that is
# not JSON gets a bad-request reply and no connection; a bad list file is
# named with its line; EOF ends the loop with exit 0. Interop with real peers
# is in harness/tests/integration/pairs.sh.
. "$(dirname "$0")/../../tests/integration/lib.sh"
SHIM="$BUILD/cabound-shim-erlang"
[ -x "$SHIM" ] || { echo "no $SHIM"; exit 77; }

desc=$("$SHIM" --describe)
check "describe says stream" [ "$(field "$desc" 'r["transport"]')" = stream ]
check "describe says contract 2" [ "$(field "$desc" 'r["contract"]')" = 2 ]
check "describe names the OTP release" [ "$(field "$desc" 'r["runtime"].startswith("OTP ")')" = True ]
check "describe offers both versions" [ "$(field "$desc" 'r["tls"]')" = "['1.2', '1.3']" ]

# A loopback listener that counts the connections it accepts and drains each.
port_file="$TMP/port"
count_file="$TMP/count"
python3 - "$port_file" "$count_file" <<'PY' &
import socket, sys, threading
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(8); s.settimeout(30)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
n = 0
try:
    while True:
        c, _ = s.accept(); n += 1
        open(sys.argv[2], "w").write(str(n))
        threading.Thread(target=lambda c=c: (c.recv(65536), c.close()), daemon=True).start()
except socket.timeout:
    pass
PY
listener=$!
for _ in $(seq 100); do [ -s "$port_file" ] && break; sleep 0.05; done
port=$(cat "$port_file")
addr="127.0.0.1:$port"

printf 'cabound-list 1\ndn 3000 ok\ndn abc\n' >"$TMP/bad.calist"
{
  echo 'not json'
  echo "{\"contract\":2,\"case\":\"c1\",\"connect\":\"$addr\",\"role\":\"bogus\",\"tls\":\"1.2\"}"
  echo "{\"contract\":2,\"case\":\"c2\",\"connect\":\"$addr\",\"role\":\"server\",\"tls\":\"1.2\",\"cert\":\"c\",\"key\":\"k\",\"trust\":\"t\",\"calist_source\":\"none\"}"
  echo "{\"contract\":2,\"case\":\"c3\",\"connect\":\"$addr\",\"role\":\"client\",\"tls\":\"1.3\",\"select\":\"by-issuer\"}"
  echo "{\"contract\":2,\"case\":\"c4\",\"connect\":\"$addr\",\"role\":\"server\",\"tls\":\"1.3\",\"cert\":\"c\",\"key\":\"k\",\"calist_source\":\"trust-store\",\"calist_pem\":\"p\",\"calist\":\"$TMP/bad.calist\"}"
} >"$TMP/requests"
"$SHIM" --serve <"$TMP/requests" >"$TMP/replies" 2>"$TMP/stderr"
rc=$?
check "EOF ends the loop with exit 0" [ "$rc" -eq 0 ]
check "one reply line per request" [ "$(wc -l <"$TMP/replies")" -eq 5 ]
reply() { sed -n "${1}p" "$TMP/replies"; }
check "not JSON: bad-request" [ "$(field "$(reply 1)" 'r["status"]')" = bad-request ]
check "bad role: bad-request naming it" [ "$(field "$(reply 2)" 'r["status"] + "|" + r["reason"]')" = 'bad-request|role must be "server" or "client"' ]
check "bad role: case echoed" [ "$(field "$(reply 2)" 'r["case"]')" = c1 ]
check "TLS 1.2 none: unsupported" [ "$(field "$(reply 3)" 'r["status"]')" = unsupported ]
check "by-issuer: unsupported" [ "$(field "$(reply 4)" 'r["status"] + "|" + r["reason"]')" = "unsupported|erlang does not support select by-issuer" ]
check "contract echoed" [ "$(field "$(reply 4)" 'r["contract"]')" = 2 ]
check "bad list file: its path and line" [ "$(field "$(reply 5)" 'r["reason"]')" = "$TMP/bad.calist:3: odd number of hex digits (3)" ]
for _ in $(seq 50); do [ "$(cat "$count_file" 2>/dev/null)" = 4 ] && break; sleep 0.05; done
check "one connection per request that names an address" [ "$(cat "$count_file" 2>/dev/null)" = 4 ]
check "stdout holds replies only" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/replies"
kill "$listener" 2>/dev/null

"$SHIM" --request "$TMP/requests" --fd 5 >/dev/null 2>&1
check "--fd is refused with exit 2" [ $? -eq 2 ]
done_checks
