#!/usr/bin/env bash
# The exit status is the contract (README: 0 met, 1 finding/regression/xpass/
# error/missing, 2 usage): a name that matches nothing is a usage error that
# lists the valid names, a case without an expectation is `missing` and fails
# unless --allow-missing, and run, pair, merge and report agree.
. "$(dirname "$0")/lib.sh"
S="$TMP/suites"; mkdir -p "$S/expect" "$TMP/none"
cp "$(dirname "$0")/../data/suites/mini.suite" "$S/"
cp "$(dirname "$0")/../../../suites/expect/citations.tsv" "$S/expect/"
first=$(installed_stacks | head -1)

# Unknown names, in every subcommand that takes them.
"$CABOUND" run --stacks opensl --suites "$S" --out "$TMP/x" --quiet >/dev/null 2>"$TMP/err"; rc=$?
check "run --stacks with a typo: exit 2" [ $rc -eq 2 ]
check "run --stacks with a typo: lists the installed stacks" grep -q "installed: .*$first" "$TMP/err"
"$CABOUND" boundaries --stacks wolfsll --out "$TMP/x" >/dev/null 2>"$TMP/err"; rc=$?
check "boundaries --stacks with a typo: exit 2" [ $rc -eq 2 ]
check "boundaries --stacks with a typo: lists the installed stacks" grep -q "installed: .*$first" "$TMP/err"
"$CABOUND" pair --server "$first" --client nosuch >/dev/null 2>"$TMP/err"; rc=$?
check "pair with an unknown client: exit 2, names the stack" bash -c "[ $rc -eq 2 ] && grep -q 'unknown stack \"nosuch\"' '$TMP/err'"
"$CABOUND" run --suites "$S" --suite mni --out "$TMP/x" --list >/dev/null 2>"$TMP/err"; rc=$?
check "run --suite with a typo: exit 2 listing the suites" bash -c "[ $rc -eq 2 ] && grep -q 'the suites are: mini' '$TMP/err'"
"$CABOUND" run --suites "$S" --match 'nothing/*' --out "$TMP/x" --list >/dev/null 2>"$TMP/err"; rc=$?
check "run --match that matches nothing: exit 2" [ $rc -eq 2 ]
printf 'stack opensl\n' >"$S/expect/opensl.expect"
"$CABOUND" run --suites "$S" --out "$TMP/x" --list >/dev/null 2>"$TMP/err"; rc=$?
check "an expectation file for an unknown stack: exit 2 naming the file" bash -c "[ $rc -eq 2 ] && grep -q 'opensl.expect:1: unknown stack' '$TMP/err'"
rm "$S/expect/opensl.expect"
printf 'stack openssl\n' >"$S/expect/openssl.expect"; printf 'stack openssl\n' >"$S/expect/openssl-old.expect"
"$CABOUND" run --suites "$S" --out "$TMP/x" --list >/dev/null 2>"$TMP/err"; rc=$?
check "two expectation files for one stack: exit 2 naming the second" bash -c "[ $rc -eq 2 ] && grep -q 'openssl-old.expect:1: .*one file per stack' '$TMP/err'"
rm "$S/expect/openssl.expect" "$S/expect/openssl-old.expect"

# A case with no expectation is `missing`: counted, and it fails the run.
run() { "$CABOUND" run --suites "$S" --stacks openssl --suite mini --out "$1" --quiet --no-boundaries "${@:2}" >"$TMP/out" 2>&1; }
run "$TMP/m"; rc=$?
check "no expectation: exit 1" [ $rc -eq 1 ]
check "no expectation: the outcome is missing" grep -q '"outcome":"missing"' "$TMP/m/results.jsonl"
check "no expectation: counted in the summary" grep -q "missing an expectation" "$TMP/out"
run "$TMP/m2" --allow-missing; rc=$?
check "--allow-missing: exit 0" [ $rc -eq 0 ]
"$CABOUND" report "$TMP/m" >/dev/null 2>&1; rc=$?
check "report on missing expectations: exit 1" [ $rc -eq 1 ]
"$CABOUND" merge --out "$TMP/mm" "$TMP/m" "$TMP/m2" >/dev/null 2>&1; rc=$?
check "merge of shards missing expectations: exit 1" [ $rc -eq 1 ]
"$CABOUND" merge --allow-missing --out "$TMP/mm" "$TMP/m" "$TMP/m2" >/dev/null 2>&1; rc=$?
check "merge --allow-missing: exit 0" [ $rc -eq 0 ]

# Recorded: the same run passes; expected.file names the real file.
run "$TMP/r" --update-expectations; run "$TMP/r"; rc=$?
check "recorded expectations are met: exit 0" [ $rc -eq 0 ]
check "expected.file names the file that matched" grep -q "\"file\":\"$S/expect/openssl.expect\"" "$TMP/r/results.jsonl"
"$CABOUND" report "$TMP/r" >/dev/null 2>&1; rc=$?
check "report on a clean run: exit 0" [ $rc -eq 0 ]
# A finding in the results makes report and merge exit 1.
mkdir -p "$TMP/f"; sed '1s/"outcome":"pass"/"outcome":"finding"/' "$TMP/r/results.jsonl" >"$TMP/f/results.jsonl"
"$CABOUND" report "$TMP/f" >/dev/null 2>&1; rc=$?
check "report on a finding: exit 1" [ $rc -eq 1 ]

# merge: a missing shard is an error; --out may be one of the shards.
"$CABOUND" merge --out "$TMP/mm" "$TMP/r" "$TMP/no-such-shard" >/dev/null 2>"$TMP/err"; rc=$?
check "merge with a missing shard directory: exit 2 naming it" bash -c "[ $rc -eq 2 ] && grep -q no-such-shard '$TMP/err'"
"$CABOUND" run --suites "$S" --stacks openssl --suite mini --match 'mini/small*' --out "$TMP/s1" --quiet >/dev/null 2>&1
"$CABOUND" run --suites "$S" --stacks openssl --suite mini --match 'mini/record*' --out "$TMP/s2" --quiet >/dev/null 2>&1
n1=$(wc -l <"$TMP/s1/results.jsonl"); n2=$(wc -l <"$TMP/s2/results.jsonl")
"$CABOUND" merge --out "$TMP/s1" "$TMP/s1" "$TMP/s2" >/dev/null 2>&1; rc=$?
check "merge --out s1 s1 s2 keeps s1's lines: $((n1 + n2)) lines" [ "$(wc -l <"$TMP/s1/results.jsonl")" -eq $((n1 + n2)) ]
check "merge --out s1 s1 s2: exit 0" [ $rc -eq 0 ]
done_checks
