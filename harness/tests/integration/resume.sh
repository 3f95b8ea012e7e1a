#!/usr/bin/env bash
# A run killed with SIGKILL and continued with --resume ends with the same
# set of results as an uninterrupted run; two runs with the same seed give
# identical results.jsonl apart from timing fields.
. "$(dirname "$0")/lib.sh"
SUITES="$(dirname "$0")/../data/suites"
strip() { python3 -c '
import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    for k in ("time_ms", "server_handshake_us", "client_handshake_us", "pcap", "keylog", "timeline"):
        r.pop(k, None)
    print(json.dumps(r, sort_keys=True))' "$1" | sort; }
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/a" --jobs 2 --quiet --no-reports >/dev/null 2>&1
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/b" --jobs 1 --quiet --no-reports >/dev/null 2>&1
check "two runs with one seed are identical apart from timings" cmp -s <(strip "$TMP/a/results.jsonl") <(strip "$TMP/b/results.jsonl")
check "and in the same line order" cmp -s <(cut -d, -f1 "$TMP/a/results.jsonl") <(cut -d, -f1 "$TMP/b/results.jsonl")
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/c" --jobs 2 --quiet --no-reports >/dev/null 2>&1 &
pid=$!
wait_lines "$TMP/c/results.jsonl" 3
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
pkill -9 -f "cabound run --suites $SUITES" 2>/dev/null
partial=$(wc -l <"$TMP/c/results.jsonl")
check "the killed run had written some results" [ "$partial" -ge 1 ]
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/c" --jobs 2 --quiet --no-reports --resume >/dev/null 2>&1
check "resume completes the same set of results" cmp -s <(strip "$TMP/a/results.jsonl") <(strip "$TMP/c/results.jsonl")
sleep 0.3
check "no shim left behind" bash -c "! pgrep -f '$BUILD/[c]abound-shim-.*--serve' >/dev/null"
done_checks
