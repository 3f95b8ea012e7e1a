#!/usr/bin/env bash
# Every installed stack as server and as client, with itself and with
# OpenSSL, at a list of about 2 KB in both versions: the handshake completes
# with client authentication (native selection: every client sends its
# certificate whatever the list says), and the relay's DN count equals the one
# the client API exposed, where it exposes one and a list was sent.
. "$(dirname "$0")/lib.sh"
for s in $(installed_stacks); do
  for pair in "$s $s" "$s openssl" "openssl $s"; do
    set -- $pair
    for tls in 1.2 1.3; do
      line=$("$CABOUND" pair --server "$1" --client "$2" --tls $tls --list-bytes 2048 --issuer last --select native)
      if [ "$(field "$line" 'r.get("unsupported") is not None')" = True ]; then
        echo "skip $1>$2 $tls: $(field "$line" 'r["unsupported"]')"
        continue
      fi
      check "$1>$2 $tls handshake ok" [ "$(field "$line" 'r["handshake"]')" = ok ]
      check "$1>$2 $tls client certificate selected" [ "$(field "$line" 'r["client_verdict"]')" = selected ]
      check "$1>$2 $tls the wire was measured" [ "$(field "$line" 'r["wire"]')" = measured ]
      check "$1>$2 $tls the server verified the client's certificate" [ "$(field "$line" 'r["selected"]')" = 0 ]
      check "$1>$2 $tls API count equals wire count" \
        [ "$(field "$line" 'r["client_received"]["count"] == r["dns_on_wire"] if r["client_received"]["exposed"] and r["dns_on_wire"] is not None else True')" = True ]
    done
  done
done
done_checks
