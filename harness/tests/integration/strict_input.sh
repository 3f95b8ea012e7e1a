#!/usr/bin/env bash
# Numbers parse strictly, limits are stated, and pair says what it judged:
# no octal, no negative timeout, no silent shard 0, a seed recorded exactly;
# pair's exit status follows the expectations and names a known finding; an
# unsupported mode says which one and which would work; --pcap wants a directory.
. "$(dirname "$0")/lib.sh"
pair() { "$CABOUND" pair --server openssl --client openssl "$@"; }
pair --list-bytes 01000 >/dev/null 2>"$TMP/err"; rc=$?
check "--list-bytes 01000 (octal-looking): exit 2" [ $rc -eq 2 ]
pair --timeout-ms -5 >/dev/null 2>"$TMP/err"; rc=$?
check "a negative --timeout-ms: exit 2" [ $rc -eq 2 ]
pair --list-bytes 99999999999 >/dev/null 2>"$TMP/err"; rc=$?
check "--list-bytes past the limit: exit 2, naming the limit" bash -c "[ $rc -eq 2 ] && grep -q 16777216 '$TMP/err'"
"$CABOUND" gen-list --bytes 99999999999 --out "$TMP/l.calist" >/dev/null 2>"$TMP/err"; rc=$?
check "gen-list --bytes past the limit: exit 2, naming the limit" bash -c "[ $rc -eq 2 ] && grep -q 16777216 '$TMP/err'"
pair --seed 18446744073709551615 >/dev/null 2>"$TMP/err"; rc=$?
check "a seed past 2^63-1: exit 2 (it could not be recorded exactly)" [ $rc -eq 2 ]
pair --seed 9223372036854775807 --list-bytes 3000 >"$TMP/line" 2>/dev/null
check "a seed of 2^63-1 is recorded exactly" grep -q "seed 9223372036854775807" "$TMP/line"
TEST_SHARD_INDEX=abc TEST_TOTAL_SHARDS=2 "$CABOUND" run --list >/dev/null 2>"$TMP/err"; rc=$?
check "TEST_SHARD_INDEX=abc: exit 2" [ $rc -eq 2 ]
TEST_SHARD_INDEX=0 "$CABOUND" run --list >/dev/null 2>"$TMP/err"; rc=$?
check "TEST_SHARD_INDEX without TEST_TOTAL_SHARDS: exit 2" [ $rc -eq 2 ]
"$CABOUND" run --shard 0/3 --list >/dev/null 2>"$TMP/err"; rc=$?
check "--shard 0/3: exit 2" [ $rc -eq 2 ]
"$CABOUND" run --shard 1/03 --list >/dev/null 2>"$TMP/err"; rc=$?
check "--shard 1/03: exit 2" [ $rc -eq 2 ]

# pair and the expectations.
pair --pcap /etc/hostname >/dev/null 2>"$TMP/err"; rc=$?
check "pair --pcap FILE: exit 2" [ $rc -eq 2 ]
(cd "$TMP" && pair --pcap always >/dev/null 2>"$TMP/err"); rc=$?
check "pair --pcap always (run's WHEN, not a directory): exit 2, no directory made" \
  bash -c "[ $rc -eq 2 ] && [ ! -e '$TMP/always' ] && grep -q 'takes a directory' '$TMP/err'"
stacks=$(installed_stacks)
if echo "$stacks" | grep -qx gnutls; then
  "$CABOUND" pair --server gnutls --client openssl --source explicit >"$TMP/line" 2>"$TMP/err"; rc=$?
  check "an unsupported source: recorded as unsupported (exit 0)" bash -c "[ $rc -eq 0 ] && grep -q '\"outcome\":\"unsupported\"' '$TMP/line'"
  check "an unsupported source: says which mode and which would work" grep -q 'unsupported: gnutls does not support --source explicit; it supports: trust-store' "$TMP/err"
fi
if echo "$stacks" | grep -qx wolfssl; then
  # A known finding (suites/expect/wolfssl.expect): met, exit 0, and said.
  "$CABOUND" pair --server wolfssl --client openssl --tls 1.2 --list-bytes 16363 --source explicit --select by-issuer \
    --suite record-16k --name 'crossing@16363' >"$TMP/line" 2>"$TMP/err"; rc=$?
  check "pair on a known finding: exit 0" [ $rc -eq 0 ]
  check "pair on a known finding: says it is known" grep -q "known finding" "$TMP/err"
  # The same case without an expectation: the rule failure is a finding.
  "$CABOUND" pair --server wolfssl --client openssl --tls 1.2 --list-bytes 16363 --source explicit --select by-issuer \
    --expect "$TMP" >/dev/null 2>"$TMP/err"; rc=$?
  check "pair on an unrecorded finding: exit 1" [ $rc -eq 1 ]
fi
done_checks
