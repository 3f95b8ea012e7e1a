#!/usr/bin/env bash
# Case ids are unique and suites bounded: a repeated value, a repeated case,
# two files with one suite name or a name too long to keep whole are errors
# with FILE:LINE; a FIFO is not read; more than 256 suite files work; the
# documented limits (cases per suite, cases per plan) give clear errors; a
# 10,000-case suite lists quickly in little memory (parsing is linear).
. "$(dirname "$0")/lib.sh"
list() { "$CABOUND" run --suites "$1" --expect "$TMP/none" --list "${@:2}"; }
check "the shipped suites make no case id twice" bash -c "'$CABOUND' run --list | sort | uniq -d | wc -l | grep -qx 0"
mkdir -p "$TMP/two"; printf 'suite same\ncase a\n  list-bytes 100\nend\n' >"$TMP/two/a.suite"; cp "$TMP/two/a.suite" "$TMP/two/b.suite"
list "$TMP/two" >/dev/null 2>"$TMP/err"; rc=$?
check "two files with one suite name: exit 2 naming both" bash -c "[ $rc -eq 2 ] && grep -q 'b.suite:1: suite \"same\" is already defined in .*a.suite:1' '$TMP/err'"
mkdir -p "$TMP/long"; n=$(printf 'x%.0s' $(seq 90))
printf 'suite long\ncase %s\n  list-bytes 100000\n  issuer first,last last\n  select native by-issuer\n  source explicit trust-store\nend\n' "$n" >"$TMP/long/l.suite"
list "$TMP/long" >/dev/null 2>"$TMP/err"; rc=$?
check "a variant name too long to keep whole: exit 2 with FILE:LINE" bash -c "[ $rc -eq 2 ] && grep -q 'l.suite:2: ' '$TMP/err'"
mkdir -p "$TMP/fifo"; cp "$(dirname "$0")/../data/suites/mini.suite" "$TMP/fifo/"; mkfifo "$TMP/fifo/z.suite"
timeout 10 "$CABOUND" run --suites "$TMP/fifo" --expect "$TMP/none" --list >/dev/null 2>"$TMP/err"; rc=$?
check "a FIFO named *.suite: exit 2 at once, naming it" bash -c "[ $rc -eq 2 ] && grep -q 'z.suite: not a regular file' '$TMP/err'"
mkdir -p "$TMP/many"
for i in $(seq 300); do printf 'suite s%d\ndefaults\n  servers openssl\n  clients openssl\n  tls 1.2\nend\ncase a\n  list-bytes 100\nend\n' $i >"$TMP/many/s$i.suite"; done
check "300 suite files: every one is planned" bash -c "[ \"\$(timeout 60 '$CABOUND' run --suites '$TMP/many' --expect '$TMP/none' --list | wc -l)\" -eq 300 ]"
# Limits.
mkdir -p "$TMP/big"
python3 -c '
import sys
print("suite big\ndefaults\n  servers openssl\n  clients openssl\n  tls 1.2\nend")
for i in range(10001): print("case c%d\n  list-bytes %d\nend" % (i, 100 + i))' >"$TMP/big/big.suite"
list "$TMP/big" >/dev/null 2>"$TMP/err"; rc=$?
check "more than 10000 cases in a suite: exit 2 naming the limit" bash -c "[ $rc -eq 2 ] && grep -q '10000 cases' '$TMP/err'"
head -n -3 "$TMP/big/big.suite" >"$TMP/big/b2"; mv "$TMP/big/b2" "$TMP/big/big.suite"
/usr/bin/time -f '%e %M' -o "$TMP/time" "$CABOUND" run --suites "$TMP/big" --expect "$TMP/none" --list >"$TMP/out" 2>/dev/null
read -r secs kb <"$TMP/time"
check "a 10000-case suite lists all its cases" [ "$(wc -l <"$TMP/out")" -eq 10000 ]
check "a 10000-case suite lists in under 10 s (took $secs s)" python3 -c "import sys; sys.exit(0 if $secs < 10 else 1)"
check "a 10000-case suite lists in under 200 MB (took $kb KB)" [ "$kb" -lt 204800 ]
mkdir -p "$TMP/wide"
printf 'suite wide\ncase w\n  list-bytes 100..4000/1\n  issuer first last middle absent 0 1 2 3 4 5 6 7\n  select native by-issuer\n  source explicit trust-store\nend\n' >"$TMP/wide/w.suite"
list "$TMP/wide" >/dev/null 2>"$TMP/err"; rc=$?
check "a case expanding past the plan limit: exit 2 with FILE:LINE and the limit" bash -c "[ $rc -eq 2 ] && grep -q 'w.suite:2: the plan passes 200000 cases' '$TMP/err'"
done_checks
