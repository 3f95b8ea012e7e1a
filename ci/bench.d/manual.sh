#!/usr/bin/env bash
# manual.sh CABOUND SLICE_OUT — the 50-case slice done the way a maintainer
# would by hand: for each list, start the reference server with the list's CA
# bundle (s_server -CAfile and gnutls-serv --x509cafile send its subjects as
# the CA list), connect the reference client with a client certificate, wait
# for it, next. The bundles and certificates are the ones cabound made for the
# same slice (SLICE_OUT/work/pki), so both sides do the same handshakes.
# Prints the wall seconds for OpenSSL's tools, then GnuTLS'.
set -euo pipefail
P=$2/work/pki
S=$P/server-v1
C=$(ls -d "$P"/clients-* | head -1)
lists=$(ls -S -r "$P"/list-*.pem)
port=$((20000 + RANDOM % 20000))
wait_port() { for _ in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return; sleep 0.01; done; }
t0=$(date +%s.%N)
for l in $lists; do
  openssl s_server -quiet -accept 127.0.0.1:$port -naccept 1 -cert "$S/server.pem" -key "$S/server.key" \
    -Verify 1 -CAfile "$l" -tls1_2 >/dev/null 2>&1 &
  sp=$!
  wait_port
  echo | openssl s_client -connect 127.0.0.1:$port -cert "$C/client-0.pem" -key "$C/client-0.key" \
    -CAfile "$S/server-ca.pem" -tls1_2 >/dev/null 2>&1 || true
  wait $sp 2>/dev/null || true
  port=$((port + 1))
done
t1=$(date +%s.%N)
for l in $lists; do
  gnutls-serv -q -p $port --x509certfile "$S/server.pem" --x509keyfile "$S/server.key" \
    --x509cafile "$l" --require-client-cert >/dev/null 2>&1 &
  sp=$!
  wait_port
  echo | gnutls-cli -p $port localhost --x509certfile "$C/client-0.pem" --x509keyfile "$C/client-0.key" \
    --x509cafile "$S/server-ca.pem" --priority NORMAL:-VERS-ALL:+VERS-TLS1.2 >/dev/null 2>&1 || true
  kill $sp 2>/dev/null; wait $sp 2>/dev/null || true
  port=$((port + 1))
done
t2=$(date +%s.%N)
python3 -c "print(round($t1-$t0,2), round($t2-$t1,2), $(echo "$lists" | wc -w))"
