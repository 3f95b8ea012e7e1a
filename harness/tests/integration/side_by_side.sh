#!/usr/bin/env bash
# Two builds of one stack in one run: a copy of the installed OpenSSL under a
# scratch prefix, built in as openssl@copy with CABOUND_EXTRA_BUILDS. The
# shim must load exactly that copy (its observation names the shared object
# it loaded), and a run must compare both builds in one matrix.
. "$(dirname "$0")/lib.sh"
SRC=$(cd "$(dirname "$0")/../../.." && pwd)
ARCH=$(gcc -print-multiarch)
P="$TMP/prefix"
mkdir -p "$P/lib/pkgconfig" "$P/include"
cp -L /usr/lib/$ARCH/libssl.so.3 /usr/lib/$ARCH/libcrypto.so.3 "$P/lib/"
ln -s libssl.so.3 "$P/lib/libssl.so"; ln -s libcrypto.so.3 "$P/lib/libcrypto.so"
cp -r /usr/include/openssl "$P/include/"
cp /usr/include/$ARCH/openssl/*.h "$P/include/openssl/"
for pc in openssl libssl libcrypto; do
  sed -e "s|^prefix=.*|prefix=$P|" -e "s|^libdir=.*|libdir=\${prefix}/lib|" -e "s|^includedir=.*|includedir=\${prefix}/include|" \
    /usr/lib/$ARCH/pkgconfig/$pc.pc >"$P/lib/pkgconfig/$pc.pc"
done
cmake -S "$SRC" -B "$TMP/build" -DCABOUND_STACKS=openssl -DCABOUND_BUILD_TESTS=OFF \
  -DCABOUND_EXTRA_BUILDS="openssl@copy=$P" >"$TMP/configure.log" 2>&1
check "configure finds the extra build" grep -q "extra builds found: openssl@copy" "$TMP/configure.log"
cmake --build "$TMP/build" -j2 --target cabound cabound-shim-openssl cabound-shim-openssl_copy >"$TMP/build.log" 2>&1
check "the extra shim is built" [ -x "$TMP/build/cabound-shim-openssl@copy" ]
CABOUND="$TMP/build/cabound"
stacks=$("$CABOUND" stacks --json)
check "cabound stacks lists openssl@copy from the copy" python3 -c '
import json, sys
rows = {json.loads(l)["stack"]: json.loads(l) for l in sys.argv[1].splitlines()}
c = rows.get("openssl@copy", {})
sys.exit(0 if c.get("installed") and c.get("library", "").startswith(sys.argv[2]) and
         not rows["openssl"]["library"].startswith(sys.argv[2]) else 1)' "$stacks" "$P"
line=$("$CABOUND" pair --server openssl@copy --client openssl --list-bytes 3000)
check "a case between the builds completes" [ "$(field "$line" 'r["handshake"]')" = ok ]
check "the server loaded the copy" [ "$(field "$line" 'r["server_library"].startswith("'"$P"'")')" = True ]
check "the client loaded the system library" [ "$(field "$line" 'r["client_library"].startswith("'"$P"'")')" = False ]
"$CABOUND" run --suites "$(dirname "$0")/../data/suites" --stacks openssl,openssl@copy --out "$TMP/r" \
  --quiet --no-reports >/dev/null 2>&1
check "one run holds both builds as distinct stacks" python3 -c '
import json, sys
pairs = {(json.loads(l)["server"], json.loads(l)["client"]) for l in open(sys.argv[1])}
sys.exit(0 if {("openssl", "openssl@copy"), ("openssl@copy", "openssl"), ("openssl@copy", "openssl@copy")} <= pairs else 1)' "$TMP/r/results.jsonl"
done_checks
