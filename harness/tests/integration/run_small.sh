#!/usr/bin/env bash
# An end-to-end run of a small suite: every planned case gets exactly one
# results line with a valid outcome, written as it finishes; junit.xml parses
# back with the same counts; report.html is written.
. "$(dirname "$0")/lib.sh"
SUITES="$(dirname "$0")/../data/suites"
planned=$("$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --list | wc -l)
check "the mini suite plans cases" [ "$planned" -gt 0 ]
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/r" --jobs 2 --quiet >"$TMP/out" 2>&1
rc=$?
check "run exits 0 or 1 (no input error)" [ $rc -le 1 ]
check "one results line per planned case" [ "$(wc -l <"$TMP/r/results.jsonl")" -eq "$planned" ]
check "every line has a known outcome and a repro" python3 - "$TMP/r/results.jsonl" <<'PY'
import json, sys
ok = {"pass", "finding", "regression", "xpass", "error", "unsupported", "missing"}
lines = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if all(l["outcome"] in ok and l["repro"].startswith("build/cabound pair") or "cabound pair" in l["repro"] for l in lines) else 1)
PY
check "without expectations the completeness check fails the run" [ $rc -eq 1 ]
check "summary line printed" grep -Eq '^[0-9]+ passed, [0-9]+ failed' "$TMP/out"
check "junit.xml parses back with one testcase per line" python3 - "$TMP/r/junit.xml" "$planned" <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
sys.exit(0 if sum(1 for _ in cases) == int(sys.argv[2]) else 1)
PY
check "report.html written" [ -s "$TMP/r/report.html" ]
# The repro command of a line reruns that case and gets the same verdicts.
line=$(sed -n 1p "$TMP/r/results.jsonl")
repro=$(field "$line" 'r["repro"]')
again=$(eval "$repro")  # the repro works from where the run started
check "repro reruns the same case" [ "$(field "$again" 'r["case"]')" = "$(field "$line" 'r["case"]')" ]
check "repro gives the same server verdict" [ "$(field "$again" 'r["server_verdict"]')" = "$(field "$line" 'r["server_verdict"]')" ]
done_checks
