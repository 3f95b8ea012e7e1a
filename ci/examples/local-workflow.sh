#!/usr/bin/env bash
# local-workflow.sh — the steps of ci/examples/github-workflow.yml on one
# machine, with a "library build" made by copying the installed OpenSSL into
# a prefix (what the workflow builds from the library's source): build cabound
# against it, run two shards, merge them, and check that the merged report
# holds exactly the cases of an unsharded run. ci/test runs it.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
W=$(mktemp -d /tmp/cabound-workflow.XXXXXX)
trap 'rm -rf "$W"' EXIT
passed=0; failed=0
check() { local what=$1; shift; if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); echo "FAIL: $what" >&2; fi; }

# "Build the library into a prefix"
ARCH=$(gcc -print-multiarch); P=$W/prefix
mkdir -p "$P/lib/pkgconfig" "$P/include"
cp -L /usr/lib/$ARCH/libssl.so.3 /usr/lib/$ARCH/libcrypto.so.3 "$P/lib/"
ln -s libssl.so.3 "$P/lib/libssl.so"; ln -s libcrypto.so.3 "$P/lib/libcrypto.so"
cp -r /usr/include/openssl "$P/include/"; cp /usr/include/$ARCH/openssl/*.h "$P/include/openssl/"
for pc in openssl libssl libcrypto; do
  sed -e "s|^prefix=.*|prefix=$P|" -e "s|^libdir=.*|libdir=\${prefix}/lib|" -e "s|^includedir=.*|includedir=\${prefix}/include|" \
    /usr/lib/$ARCH/pkgconfig/$pc.pc >"$P/lib/pkgconfig/$pc.pc"
done
STACK=openssl; SHARDS=2
# "Build cabound against the library"
cmake -S "$SRC" -B "$W/build" -DCABOUND_WERROR=ON -DCABOUND_BUILD_TESTS=OFF -DCABOUND_STACKS="openssl;gnutls" \
  -DCABOUND_EXTRA_BUILDS="$STACK@pr=$P" >"$W/configure.log" 2>&1
cmake --build "$W/build" -j"$(nproc)" >"$W/build.log" 2>&1
C=$W/build/cabound
check "stacks shows $STACK@pr" bash -c "'$C' stacks | grep -q '^$STACK@pr'"
# The library's recorded expectations (STACK@pr.expect, committed in its
# repository): recorded here once, as the README says.
SUITES="$SRC/harness/tests/data/suites"
mkdir -p "$W/expect"; cp "$SRC/suites/expect/citations.tsv" "$W/expect/"
"$C" run --suites "$SUITES" --expect "$W/expect" --stacks "$STACK,$STACK@pr" --update-expectations --out "$W/record" \
  --quiet --no-boundaries >/dev/null 2>&1
check "expectations recorded for $STACK@pr" [ -s "$W/expect/$STACK@pr.expect" ]
# "Conformance run (one shard)" x SHARDS, on a small suite to keep ci/test short;
# each shard's exit status is its job's.
for k in $(seq 1 $SHARDS); do
  rc=0
  "$C" run --suites "$SUITES" --expect "$W/expect" --stacks "$STACK,$STACK@pr" --shard $k/$SHARDS \
    --out "$W/shard-$k" --quiet --no-boundaries >/dev/null 2>&1 || rc=$?
  check "shard $k/$SHARDS meets its expectations (exit $rc)" [ $rc -eq 0 ]
done
# A shard without the build's expectations fails, as the workflow's job would.
rc=0
"$C" run --suites "$SUITES" --expect "$W/none" --stacks "$STACK,$STACK@pr" --shard 1/$SHARDS --out "$W/unrecorded" \
  --quiet --no-boundaries >/dev/null 2>&1 || rc=$?
check "a shard with no expectations fails (exit $rc)" [ $rc -eq 1 ]
# "Merge the shards"
rc=0
"$C" merge --out "$W/results" $(seq -f "$W/shard-%g" 1 $SHARDS) >/dev/null 2>&1 || rc=$?
check "merge of clean shards: exit $rc" [ $rc -eq 0 ]
rc=0
"$C" merge --out "$W/results-missing" "$W/shard-1" "$W/shard-$((SHARDS + 1))" >/dev/null 2>&1 || rc=$?
check "merge with a shard that never ran fails (exit $rc)" [ $rc -eq 2 ]
planned=$("$C" run --suites "$SUITES" --expect "$W/none" --stacks "$STACK,$STACK@pr" --list | wc -l)
check "merged results hold every planned case once" [ "$(wc -l <"$W/results/results.jsonl")" -eq "$planned" ]
check "no case recorded twice" [ "$(cut -d, -f1 "$W/results/results.jsonl" | sort | uniq -d | wc -l)" -eq 0 ]
check "junit.xml and report.html written" [ -s "$W/results/junit.xml" -a -s "$W/results/report.html" ]
check "the library build was exercised" grep -q "\"server\":\"$STACK@pr\"" "$W/results/results.jsonl"
check "the workflow checks out no repository the README does not name" bash -c "! grep -n 'repository: [a-z]' '$SRC/ci/examples/github-workflow.yml'"
check "the workflow keeps each shard's exit status" bash -c "! grep -q -- '--no-boundaries *||' '$SRC/ci/examples/github-workflow.yml'"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
