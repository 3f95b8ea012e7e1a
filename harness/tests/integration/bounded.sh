#!/usr/bin/env bash
# Bounded in time: a shim whose --describe hangs is reported missing after
# the describe timeout instead of blocking `stacks` and every run; a FIFO
# named *.expect is refused at once.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/shims"
for s in $(installed_stacks); do ln -s "$BUILD/cabound-shim-$s" "$TMP/shims/"; done
printf '#!/bin/sh\necho $$ >%s/hang.pid\nexec sleep 300\n' "$TMP" >"$TMP/shims/cabound-shim-openssl@hang"; chmod +x "$TMP/shims/cabound-shim-openssl@hang"
start=$(date +%s)
CABOUND_DESCRIBE_TIMEOUT_MS=1000 CABOUND_SHIM_DIR="$TMP/shims" timeout 60 "$CABOUND" stacks >"$TMP/out" 2>&1; rc=$?
took=$(( $(date +%s) - start ))
check "stacks with a hanging --describe ends in under 10 s (took $took s)" [ "$took" -lt 10 ]
check "and names the shim that did not answer" grep -q "openssl@hang.*did not answer within 1000 ms" "$TMP/out"
sleep 0.2
check "and the hanging shim is gone" bash -c "[ -s '$TMP/hang.pid' ] && ! kill -0 \$(cat '$TMP/hang.pid') 2>/dev/null"
S="$TMP/suites"; mkdir -p "$S/expect"; cp "$(dirname "$0")/../data/suites/mini.suite" "$S/"; mkfifo "$S/expect/openssl.expect"
timeout 20 "$CABOUND" run --suites "$S" --list >/dev/null 2>"$TMP/err"; rc=$?
check "a FIFO named *.expect: exit 2 at once, naming it" bash -c "[ $rc -eq 2 ] && grep -q 'openssl.expect: not a regular file' '$TMP/err'"
done_checks
