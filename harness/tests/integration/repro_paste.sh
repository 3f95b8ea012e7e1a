#!/usr/bin/env bash
# Every repro is safe to paste and works from where the run started: a
# --name or a base-list path holding a quote, a space or $(...) stays one
# word, and a run started outside the source tree prints commands that run
# from there.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../../.." && pwd)
evil="it's \$(touch $TMP/pwned)"
"$CABOUND" pair --server openssl --client openssl --list-bytes 3000 --name "$evil" >"$TMP/line" 2>/dev/null
repro=$(field "$(cat "$TMP/line")" 'r["repro"]')
(cd "$TMP" && eval "$repro" >"$TMP/again" 2>/dev/null)
check "a pasted repro with a quote and \$(...) in --name runs nothing" [ ! -e "$TMP/pwned" ]
check "and reruns the same case" [ "$(field "$(cat "$TMP/again")" 'r["case"]')" = "$(field "$(cat "$TMP/line")" 'r["case"]')" ]
# A suite whose base list sits in a directory with a quote and a space, run
# from outside the source tree.
D="$TMP/it's here"; mkdir -p "$D/expect" "$TMP/elsewhere"
cp "$ROOT/corpus/schannel/roots.calist" "$D/roots.calist"
printf 'suite q\ndefaults\n  servers openssl\n  clients openssl\n  tls 1.2\nend\ncase b\n  list-bytes 30000\n  base-list roots.calist\nend\n' >"$D/q.suite"
(cd "$TMP/elsewhere" && "$CABOUND" run --suites "$D" --out out --quiet --allow-missing >/dev/null 2>&1)
line=$(head -1 "$TMP/elsewhere/out/results.jsonl")
repro=$(field "$line" 'r["repro"]')
(cd "$TMP/elsewhere" && eval "$repro" >"$TMP/again" 2>"$TMP/err"); rc=$?
check "a repro printed by a run outside the tree runs from there (exit $rc)" [ $rc -le 1 ]
check "and reruns the same case" [ "$(field "$(cat "$TMP/again")" 'r["case"]' 2>/dev/null)" = "$(field "$line" 'r["case"]')" ]
check "and names the base list with its quote intact" bash -c "grep -q \"it'\\\\\\\\''s here/roots.calist\" <<<\"\$1\"" _ "$repro"
done_checks
