#!/usr/bin/env bash
# A shim that crashes, hangs, prints garbage, closes early or floods is a
# recorded result, never a harness crash or hang, and leaves no process.
. "$(dirname "$0")/lib.sh"
expect_fault() { # NAME PATTERN
  local start=$SECONDS line
  line=$(timeout 60 "$CABOUND" pair --server misbehave --client openssl --name "$1" --timeout-ms 1500 2>"$TMP/err")
  local rc=$?
  check "$1: pair exits 1 (a fault is a finding)" [ $rc -eq 1 ]
  check "$1: fault recorded as $2" python3 -c 'import json,re,sys; r=json.loads(sys.argv[1]); sys.exit(0 if re.match(sys.argv[2], (r["fault"] or {}).get("server") or "") else 1)' "$line" "$2"
  check "$1: finished in bounded time" [ $((SECONDS - start)) -lt 15 ]
}
expect_fault crash '^crash:SIGSEGV$'
expect_fault abort '^crash:SIGABRT$'
expect_fault hang '^timeout$'
expect_fault close '^shim-error: closed without a reply'
expect_fault garbage '^shim-error: garbage reply'
# Flooding and a silent failure are observations, not faults: the handshake fails.
line=$(timeout 60 "$CABOUND" pair --server misbehave --client openssl --name flood --timeout-ms 1500)
check "flood: handshake failed, recorded" [ "$(field "$line" 'r["handshake"]')" = failed ]
check "flood: the server's bytes are not TLS" [ "$(field "$line" 'r["server_verdict"]')" = malformed ]
sleep 0.5
check "no shim left running" bash -c '! pgrep -f [c]abound-shim-misbehave >/dev/null'
# Zombies of this test's misbehaving shims (other tests run beside this one,
# and their processes may be between exit and reaping for a moment).
check "no zombie left" bash -c 'for _ in 1 2 3 4 5 6 7 8 9 10; do ps -eo stat,comm | grep -q "^Z.*cabound-shim-mi" || exit 0; sleep 0.2; done; exit 1'
# A results directory that cannot be written is a clean input error.
"$CABOUND" run --suites "$(dirname "$0")/../data/suites" --out /dev/null/results --quiet >/dev/null 2>"$TMP/err"
check "unwritable results directory: exit 2" [ $? -eq 2 ]
check "unwritable results directory: says where" grep -q "/dev/null/results" "$TMP/err"
# A peer that closes early: the client shim is killed mid-handshake by a
# timeout far shorter than the handshake; the case still gets a line.
line=$(timeout 60 "$CABOUND" pair --server openssl --client misbehave --name hang --timeout-ms 300)
check "client hung: recorded as a timeout" [ "$(field "$line" '(r["fault"] or {}).get("client")')" = timeout ]
check "client hung: the server's side is still an observation" [ "$(field "$line" 'r["handshake"]')" = failed ]
done_checks
