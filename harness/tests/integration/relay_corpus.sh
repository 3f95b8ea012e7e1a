#!/usr/bin/env bash
# fuzz/relay_corpus.sh runs and finds no fault: the client_cr corpus through
# the relay's rewrite and a raw server, for the installed clients among go,
# rustls and bctls (the quick ones; the script's default adds jsse and erlang).
. "$(dirname "$0")/lib.sh"
have=" $(installed_stacks | tr '\n' ' ') "
clients=""
for s in go rustls bctls; do [[ $have == *" $s "* ]] && clients="$clients,$s"; done
clients=${clients#,}
[ -n "$clients" ] || { echo "none of go, rustls, bctls installed"; exit 77; }
[[ $have == *" openssl "* && $have == *" boringssl "* ]] || { echo "needs the openssl and boringssl servers"; exit 77; }
start=$SECONDS
CABOUND="$CABOUND" timeout 240 bash "$(dirname "$0")/../../../fuzz/relay_corpus.sh" "$clients" \
  "$(dirname "$0")/../../../corpus/client_cr_openssl" "$TMP/out" >"$TMP/summary" 2>"$TMP/err"
rc=$?
check "relay_corpus ($clients): exit 0, no client fault" [ $rc -eq 0 ]
[ $rc -eq 0 ] || cat "$TMP/summary" "$TMP/err" >&2
n=$(wc -l <"$TMP/out/results.jsonl" 2>/dev/null || echo 0)
files=$(python3 -c 'import json,sys; print(len({json.loads(l)["name"].split("-", 1)[1].split("@")[0] for l in open(sys.argv[1])}))' \
  "$TMP/out/results.jsonl" 2>/dev/null || echo 0)
check "relay_corpus: most corpus files replayed ($files)" [ "$files" -ge 10 ]
check "relay_corpus: 24 cases per corpus file and client ($n)" [ "$n" -eq $((files * 24 * $(echo "$clients" | tr ',' '\n' | wc -l))) ]
check "relay_corpus: the relay rewrote (a client exposed a zero-length DN it was never sent)" python3 -c '
import json, sys
sys.exit(0 if any(r.get("inject") == "zero-length-dn" and (r.get("client_received") or {}).get("count", 0) > 0
                  for r in map(json.loads, open(sys.argv[1]))) else 1)' "$TMP/out/results.jsonl"
check "relay_corpus: bounded time" [ $((SECONDS - start)) -lt 120 ]
done_checks
