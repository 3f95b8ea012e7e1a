#!/usr/bin/env bash
# The seqpacket transport (contract 1) from the shim's side, without a TLS
# peer, for the stacks of issue 12 that speak it: go and rustls (each with the
# contract in its own language: serve.go, contract.rs) and botan and bearssl
# (common/shim.c). Requests go as datagrams on fd 3, each with a socket
# attached (SCM_RIGHTS), as the harness sends them: a request that is not
# JSON, or names a bad role, is a bad-request (the case echoed); one with no
# descriptor is a bad-request; a mode the stack lacks is unsupported; a bad
# list file is named with its line; one reply datagram per request; EOF on
# fd 3 ends the shim with exit 0. Interop with real peers is pairs.sh,
# misbehaving peers peer_faults.sh.
. "$(dirname "$0")/lib.sh"
want="go rustls botan bearssl"
have=" $(installed_stacks | tr '\n' ' ') "
stacks=""
for s in $want; do
  if [[ $have == *" $s "* ]]; then stacks="$stacks $s"; else echo "note: $s is not installed; not tested" >&2; fi
done
[ -n "$stacks" ] || { echo "none of $want installed"; exit 77; }
printf 'cabound-list 1\ndn 3000 ok\ndn abc\n' >"$TMP/bad.calist"
printf 'cabound-list 1\ndn 3000 ok\n' >"$TMP/good.calist"

for s in $stacks; do
  SHIM="$BUILD/cabound-shim-$s"
  desc=$("$SHIM" --describe)
  check "$s: describe says seqpacket (or nothing)" [ "$(field "$desc" 'r.get("transport", "seqpacket")')" = seqpacket ]
  start=$SECONDS
  timeout 60 python3 - "$SHIM" "$desc" "$TMP" >"$TMP/verdicts" 2>"$TMP/err" <<'PY'
import json, os, socket, subprocess, sys
shim, desc, tmp = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
name = desc["stack"]
ctl, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
os.set_inheritable(theirs.fileno(), True)
log = open(os.path.join(tmp, name + ".log"), "w")
p = subprocess.Popen([shim, "--serve"], stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                     pass_fds=(3,), preexec_fn=lambda: os.dup2(theirs.fileno(), 3))
theirs.close()
ctl.settimeout(30)
# A mode the stack lacks: a list source, else a TLS version (None: it has every one).
lacks = next((("calist_source", m) for m in ("explicit", "trust-store", "raw", "none") if m not in desc["calist_source"]), None)
if lacks is None and "1.3" not in desc["tls"]:
    lacks = ("tls", "1.3")
base = {"contract": 1, "role": "server", "tls": "1.2", "cert": "c", "key": "k", "trust": "t", "timeout_ms": 2000}
reqs = [
    (b"not json", True),
    (json.dumps({**base, "case": "c1", "role": "bogus"}).encode(), True),
    (json.dumps({**base, "case": "c2", "calist_source": "explicit", "calist": tmp + "/bad.calist"}).encode(), False),
    (json.dumps({**base, "case": "c3", "calist_source": "explicit" if "explicit" in desc["calist_source"] else "trust-store",
                 "calist_pem": "p", "calist": tmp + "/bad.calist"}).encode(), True),
]
if lacks:
    k, m = lacks
    r = {**base, "case": "c4", "calist_source": m if k == "calist_source" else "none", "calist": tmp + "/good.calist",
         "calist_pem": tmp + "/none.pem"}
    if k == "tls":
        r["tls"] = m
    reqs.append((json.dumps(r).encode(), True))
replies = []
for data, with_fd in reqs:
    a, b = socket.socketpair()
    if with_fd:
        socket.send_fds(ctl, [data], [b.fileno()])
    else:
        ctl.send(data)
    b.close()
    try:
        replies.append(json.loads(ctl.recv(1 << 20)))
    except (socket.timeout, ValueError) as e:
        replies.append({"status": "no reply: %s" % e})
    a.close()
ctl.shutdown(socket.SHUT_WR)
try:
    rc = p.wait(timeout=10)
except subprocess.TimeoutExpired:
    p.kill()
    rc = "still running"

def v(ok, what):
    print(("PASS" if ok else "FAIL") + "\t" + name + ": " + what)

v(len(replies) == len(reqs), "one reply per request")
v(replies[0].get("status") == "bad-request", "not JSON: bad-request")
v(replies[1].get("status") == "bad-request" and replies[1].get("reason") == 'role must be "server" or "client"',
  "bad role: bad-request naming it (%s)" % replies[1].get("reason"))
v(replies[1].get("case") == "c1", "bad role: case echoed")
v(replies[2].get("status") == "bad-request" and replies[2].get("case") == "c2",
  "no descriptor: bad-request (%s)" % replies[2].get("reason"))
v((replies[3].get("reason") or "").startswith(tmp + "/bad.calist:3: odd number of hex digits"),
  "bad list file: its path and line (%s)" % replies[3].get("reason"))
if lacks:
    k, m = lacks
    want = ("%s does not support TLS %s in this build" % (name, m)) if k == "tls" else \
           ("%s does not support calist_source %s" % (name, m))
    v(replies[4].get("status") == "unsupported" and replies[4].get("reason") == want,
      "%s %s: unsupported (%s)" % (k, m, replies[4].get("reason")))
else:
    print("note: %s supports every source and version; no unsupported request" % name, file=sys.stderr)
v(rc == 0, "EOF on fd 3 ends the shim with exit 0 (%s)" % rc)
PY
  rc=$?
  check "$s: the exchange ran" [ $rc -eq 0 ]
  [ $rc -eq 0 ] || tail -5 "$TMP/err" >&2
  while IFS=$'\t' read -r verdict what; do
    check "$what" [ "$verdict" = PASS ]
  done <"$TMP/verdicts"
  check "$s: every check ran" [ "$(wc -l <"$TMP/verdicts")" -ge 7 ]
  check "$s: done in bounded time" [ $((SECONDS - start)) -lt 30 ]
done
done_checks
