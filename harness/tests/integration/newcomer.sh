#!/usr/bin/env bash
# The newcomer's path: `cabound --version`; a bare `cabound` prints usage
# (exit 2) instead of starting a full run; `decode --json` prints only JSON;
# `cmake --install` installs what the suites read (the schannel roots), so an
# installed cabound runs the schannel scenario.
. "$(dirname "$0")/lib.sh"
"$CABOUND" --version >"$TMP/out" 2>&1; rc=$?
check "cabound --version: exit 0, prints the version" bash -c "[ $rc -eq 0 ] && grep -q '^cabound [0-9]' '$TMP/out'"
(cd "$TMP" && timeout 20 "$CABOUND" >"$TMP/out" 2>"$TMP/err"); rc=$?
check "bare cabound: exit 2 with usage" bash -c "[ $rc -eq 2 ] && grep -q '^usage: cabound COMMAND' '$TMP/err'"
check "bare cabound: starts no run (no results/)" [ ! -e "$TMP/results" ]
"$CABOUND" gen-list --bytes 3000 --out "$TMP/it's.calist" >/dev/null
printf '\x0d\x00\x00\x02\x01' >"$TMP/cr.bin"
"$CABOUND" decode --json --model schannel-16k "$TMP/it's.calist" >"$TMP/out" 2>/dev/null
"$CABOUND" decode --json --as cr12 "$TMP/cr.bin" >>"$TMP/out" 2>/dev/null
check "decode --json: every stdout line is JSON (model and problems included)" \
  python3 -c 'import json,sys; ls=open(sys.argv[1]).read().splitlines(); [json.loads(l) for l in ls]; sys.exit(0 if len(ls)==2 and "model" in json.loads(ls[0]) else 1)' "$TMP/out"
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
if cmake --install "$BUILD" --prefix "$TMP/inst" >/dev/null 2>&1; then
  check "cmake --install installs the schannel roots beside the suites" [ -s "$TMP/inst/share/cabound/corpus/schannel/roots.calist" ]
  (cd "$TMP" && CABOUND_SUITES="$TMP/inst/share/cabound/suites" "$TMP/inst/bin/cabound" run --suite schannel-scenario \
     --stacks openssl --match '*/cut@*/openssl>openssl/1.2' --out "$TMP/ir" --quiet >/dev/null 2>&1)
  check "the installed cabound runs the schannel scenario without an error" \
    bash -c "[ -s '$TMP/ir/results.jsonl' ] && ! grep -q '\"outcome\":\"error\"' '$TMP/ir/results.jsonl'"
fi
# Pointing a shim at an own build: a prefix without the pieces gets a warning
# that names the missing one.
mkdir -p "$TMP/pfx/include"
cmake -S "$ROOT" -B "$TMP/cfg" -DCABOUND_BUILD_TESTS=OFF -DCABOUND_STACKS=openssl \
  -DCABOUND_EXTRA_BUILDS="openssl@mine=$TMP/pfx" >"$TMP/cfg.log" 2>&1
tr -s ' \n' ' ' <"$TMP/cfg.log" >"$TMP/cfg.flat"
check "an own build without libraries: the warning names the missing pieces" \
  grep -q "openssl@mine: not found under $TMP/pfx: no shared libraries in lib/.*no lib/pkgconfig/openssl.pc" "$TMP/cfg.flat"
done_checks
