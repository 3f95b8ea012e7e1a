#!/usr/bin/env bash
# --update-expectations on a narrowed run rewrites only the cases that run
# covered, and a run whose cases all errored records nothing (and fails).
. "$(dirname "$0")/lib.sh"
S="$TMP/suites"; mkdir -p "$S/expect"
cp "$(dirname "$0")/../data/suites/mini.suite" "$S/"
cp "$(dirname "$0")/../../../suites/expect/citations.tsv" "$S/expect/"
for s in openssl gnutls nss; do installed_stacks | grep -qx $s || { echo "needs $s"; exit 77; }; done
run() { "$CABOUND" run --suites "$S" --out "$TMP/r" --quiet --no-boundaries --no-reports "$@" >"$TMP/out" 2>&1; }
run --update-expectations
entries() { grep -c '^expect ' "$S/expect/openssl.expect"; }
before=$(entries); cp "$S/expect/openssl.expect" "$TMP/openssl.before"
run --update-expectations --stacks openssl; rc=$?
check "narrowed --stacks update: exit 0" [ $rc -eq 0 ]
check "narrowed --stacks update keeps openssl's entries for the pairs it did not run ($before)" [ "$(entries)" -eq "$before" ]
run --update-expectations --match 'mini/small@*'
check "narrowed --match update keeps the other cases' entries" grep -q 'mini/record@' "$S/expect/openssl.expect"
# Entries come out in plan order, whatever order the workers finished in:
# re-recording a few cases (nothing changed) leaves the file as it was.
cp "$S/expect/openssl.expect" "$TMP/openssl.ordered"
run --update-expectations --match 'mini/record@*' --jobs 2
check "a narrowed update that changes nothing leaves the file's entries in place" \
  diff <(grep -v '^# Rewritten' "$TMP/openssl.ordered") <(grep -v '^# Rewritten' "$S/expect/openssl.expect")
run --update-expectations --jobs 2
check "so does a full update that changes nothing" \
  diff <(grep -v '^# Rewritten' "$TMP/openssl.ordered") <(grep -v '^# Rewritten' "$S/expect/openssl.expect")
run
check "after narrowed updates the full run still meets every expectation: exit 0" [ $? -eq 0 ]
# Every case errors: a shim that answers --describe but fails every case.
mkdir -p "$TMP/shims"
for s in $(installed_stacks); do ln -s "$BUILD/cabound-shim-$s" "$TMP/shims/cabound-shim-$s"; done
rm "$TMP/shims/cabound-shim-openssl"
cat >"$TMP/shims/cabound-shim-openssl" <<SH
#!/bin/sh
[ "\$1" = --describe ] && exec "$BUILD/cabound-shim-openssl" "\$@"
exit 3
SH
chmod +x "$TMP/shims/cabound-shim-openssl"
cp "$S/expect/openssl.expect" "$TMP/openssl.recorded"
CABOUND_SHIM_DIR="$TMP/shims" run --update-expectations --stacks openssl; rc=$?
check "an update whose cases all errored: exit 1" [ $rc -eq 1 ]
check "and no error became an expectation (the file keeps its entries)" \
  [ "$(grep -c '^expect ' "$S/expect/openssl.expect")" -eq "$(grep -c '^expect ' "$TMP/openssl.recorded")" ]
check "and no expectation records a shim-error" bash -c "! grep -q 'fault shim-error' '$S/expect/openssl.expect'"
done_checks
