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
# The stream transport (contract 2): each way a shim can break it is a named
# fault in bounded time, on either side.
expect_stream_fault() { # NAME PATTERN SIDE
  local start=$SECONDS line rc server=misbehave-stream client=openssl
  [ "$3" = client ] && { server=openssl; client=misbehave-stream; }
  line=$(timeout 60 "$CABOUND" pair --server $server --client $client --name "$1" --timeout-ms 1500 2>"$TMP/err")
  rc=$?
  check "stream $1 ($3): pair exits 1 (a fault is a finding)" [ $rc -eq 1 ]
  check "stream $1 ($3): fault recorded as $2" python3 -c 'import json,re,sys; r=json.loads(sys.argv[1]); sys.exit(0 if re.match(sys.argv[2], (r["fault"] or {}).get(sys.argv[3]) or "") else 1)' "$line" "$2" "$3"
  check "stream $1 ($3): finished in bounded time" [ $((SECONDS - start)) -lt 15 ]
}
for side in server client; do
  expect_stream_fault noconnect '^shim-error: replied without connecting' $side
  expect_stream_fault close '^shim-error: died without connecting \(exit:3\)$' $side
  expect_stream_fault hang '^timeout$' $side
  expect_stream_fault crash '^crash:SIGSEGV$' $side
  expect_stream_fault flood '^shim-error: reply line over 1 MiB$' $side
  expect_stream_fault garbage '^shim-error: garbage reply' $side
done
# A well-behaved stream shim (it connects, closes, replies) is an observation.
line=$(timeout 60 "$CABOUND" pair --server misbehave-stream --client openssl --name silent --timeout-ms 1500)
check "stream silent: no fault" [ "$(field "$line" 'r["fault"]')" = None ]
check "stream silent: the shim's reply is the server's observation" [ "$(field "$line" '(r.get("server_error") or {}).get("text")')" = "misbehave-stream: no TLS here" ]
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
# A full disk: results.jsonl cannot be written. The run stops with a clean
# input error naming the file, in bounded time, with no shim left behind.
SUITES="$(dirname "$0")/../data/suites"
mkdir -p "$TMP/full"
ln -s /dev/full "$TMP/full/results.jsonl"
start=$SECONDS
timeout 60 "$CABOUND" run --suites "$SUITES" --out "$TMP/full" --quiet --no-boundaries >/dev/null 2>"$TMP/err"
rc=$?
check "disk full: exit 2" [ $rc -eq 2 ]
check "disk full: says which file and why" grep -q "cannot write $TMP/full/results.jsonl: No space left on device" "$TMP/err"
check "disk full: stops at once" [ $((SECONDS - start)) -lt 30 ]
sleep 0.3
check "disk full: no worker left running (its shims die with it)" bash -c '! pgrep -f "[c]abound run .*'"$TMP"'/full" >/dev/null'
# A disk that fills up mid-run (a 12 KiB tmpfs: root only): the lines
# written before stay whole, and --resume finishes the run once there is room.
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/mnt" && mount -t tmpfs -o size=12k tmpfs "$TMP/mnt" 2>/dev/null; then
  trap 'umount "$TMP/mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
  mkdir -p "$TMP/fills"
  ln -s "$TMP/mnt/results.jsonl" "$TMP/fills/results.jsonl"
  timeout 60 "$CABOUND" run --suites "$SUITES" --out "$TMP/fills" --quiet --no-boundaries >/dev/null 2>"$TMP/err"
  check "disk fills mid-run: exit 2" [ $? -eq 2 ]
  kept=$(wc -l <"$TMP/mnt/results.jsonl")
  check "disk fills mid-run: some results were written first" [ "$kept" -gt 0 ]
  check "disk fills mid-run: every line kept is whole" python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$TMP/mnt/results.jsonl"
  check "disk fills mid-run: the count said is the count kept" grep -q "the $kept results this run wrote before stay" "$TMP/err"
  rm "$TMP/fills/results.jsonl"
  cp "$TMP/mnt/results.jsonl" "$TMP/fills/results.jsonl"
  umount "$TMP/mnt"
  "$CABOUND" run --suites "$SUITES" --out "$TMP/fills" --quiet --no-boundaries --resume >/dev/null 2>&1
  all=$("$CABOUND" run --suites "$SUITES" --list | wc -l)
  check "disk fills mid-run: --resume then finishes the run" [ "$(wc -l <"$TMP/fills/results.jsonl")" -eq "$all" ]
else
  echo "note: the mid-run disk-full case needs root to mount a small tmpfs; only /dev/full was tried" >&2
fi
# A harness worker killed mid-run (one job, so it holds three cases: one
# judged, one in its handshake, one prepared): the case it was on becomes an
# error line, the others go to a new worker, and every case gets one line.
"$CABOUND" run --suites "$SUITES" --expect "$TMP/none" --out "$TMP/wk" --jobs 1 --quiet --no-reports >/dev/null 2>&1 &
pid=$!
wait_lines "$TMP/wk/results.jsonl" 2
worker=$(pgrep -P $pid -f "cabound run" | head -1)
[ -n "$worker" ] && kill -9 "$worker"
wait $pid
all=$("$CABOUND" run --suites "$SUITES" --list | wc -l)
check "worker killed: every case has a line" [ "$(wc -l <"$TMP/wk/results.jsonl")" -eq "$all" ]
check "worker killed: no case twice" python3 -c 'import json,sys; ids=[json.loads(l)["case"] for l in open(sys.argv[1])]; sys.exit(len(ids) != len(set(ids)))' "$TMP/wk/results.jsonl"
if [ -n "$worker" ]; then
  check "worker killed: one case says so" [ "$(grep -c 'harness worker died' "$TMP/wk/results.jsonl")" -eq 1 ]
else
  echo "note: the run ended before its worker could be killed; only completeness was checked" >&2
fi
# A peer that closes early: the client shim is killed mid-handshake by a
# timeout far shorter than the handshake; the case still gets a line.
line=$(timeout 60 "$CABOUND" pair --server openssl --client misbehave --name hang --timeout-ms 300)
check "client hung: recorded as a timeout" [ "$(field "$line" '(r["fault"] or {}).get("client")')" = timeout ]
check "client hung: the server's side is still an observation" [ "$(field "$line" 'r["handshake"]')" = failed ]
done_checks
