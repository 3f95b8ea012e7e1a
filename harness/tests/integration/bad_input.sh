#!/usr/bin/env bash
# Malformed suite and expectation files, and corrupt list files: exit 2 with
# FILE:LINE (or FILE:) and a message; never a crash (the ASan build runs this
# too).
. "$(dirname "$0")/lib.sh"
BAD="$(dirname "$0")/../data/bad"
GOOD="$(dirname "$0")/../data/suites/mini.suite"
for f in "$BAD"/*.suite; do
  d="$TMP/s-$(basename "$f" .suite)"; mkdir -p "$d"; cp "$f" "$d/"
  "$CABOUND" run --suites "$d" --expect "$TMP/none" --list >/dev/null 2>"$TMP/err"; rc=$?
  check "$(basename "$f"): exit 2" [ $rc -eq 2 ]
  check "$(basename "$f"): message names the file and line" grep -Eq "$(basename "$f"):[0-9]+: " "$TMP/err"
done
for f in "$BAD"/*.expect; do
  d="$TMP/e-$(basename "$f" .expect)"; mkdir -p "$d/expect"; cp "$GOOD" "$d/"; cp "$f" "$d/expect/"
  "$CABOUND" run --suites "$d" --list >/dev/null 2>"$TMP/err"; rc=$?
  check "$(basename "$f"): exit 2" [ $rc -eq 2 ]
  check "$(basename "$f"): message names the file and line" grep -Eq "$(basename "$f"):[0-9]+: " "$TMP/err"
done
# Corrupt and truncated list files given to decode and gen-list.
"$CABOUND" gen-list --bytes 3000 --out "$TMP/good.calist" >/dev/null
head -c 1500 "$TMP/good.calist" >"$TMP/cut.calist"
printf 'cabound-list 1\ndn 30zz\n' >"$TMP/hex.calist"
head -c 4000 /dev/urandom >"$TMP/random.calist"
for f in cut hex random; do
  "$CABOUND" decode --as list "$TMP/$f.calist" >/dev/null 2>"$TMP/err"; rc=$?
  check "decode $f.calist: exit 2" [ $rc -eq 2 ]
  check "decode $f.calist: names the file" grep -q "$f.calist" "$TMP/err"
done
"$CABOUND" decode --as cr12 "$TMP/random.calist" >/dev/null 2>&1; rc=$?
check "decode random bytes as a CertificateRequest: no crash" [ $rc -le 2 ]
"$CABOUND" decode "$TMP/random.calist" >/dev/null 2>&1; rc=$?
check "decode random bytes as a vector: classified, exit 0" [ $rc -eq 0 ]
"$CABOUND" pair --server openssl --client openssl --base-list "$TMP/cut.calist" >/dev/null 2>"$TMP/err"; rc=$?
check "pair with a truncated base list: exit 2" [ $rc -eq 2 ]
check "pair with a truncated base list: names file and line" grep -q "cut.calist:" "$TMP/err"
"$CABOUND" pair --server nosuchstack --client openssl >/dev/null 2>"$TMP/err"; rc=$?
check "pair with an unknown stack: exit 2" [ $rc -eq 2 ]
"$CABOUND" run --bogus-flag >/dev/null 2>"$TMP/err"; rc=$?
check "unknown flag: exit 2" [ $rc -eq 2 ]
check "unknown flag: says so" grep -q "Unrecognized flag: --bogus-flag" "$TMP/err"
done_checks
