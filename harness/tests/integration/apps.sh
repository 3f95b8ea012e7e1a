#!/usr/bin/env bash
# The real applications (harness/stacks/apps): each installed server is
# started and stopped in one small case of the apps suite (4000 list bytes,
# an OpenSSL client), whose measured server verdict must meet the recorded
# expectation (suites/expect/APP.expect); its row names the application's
# version and the TLS library it mapped; and no process of it is left. One
# client application (wget, GnuTLS) likewise against an OpenSSL server.
. "$(dirname "$0")/lib.sh"
apps=$("$CABOUND" stacks --json | python3 -c 'import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("installed") and o.get("kind") == "app" and o.get("calist_source"): print(o["stack"])')
clients=$("$CABOUND" stacks --json | python3 -c 'import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("installed") and o.get("kind") == "app" and o.get("select"): print(o["stack"])')
[ -n "$apps" ] || { echo "no application installed (bash ci/deps installs them)"; exit 77; }
# The shims make their scratch directories under TMPDIR: one of our own, so
# that a leftover process is ours to find.
export TMPDIR="$TMP"
no_leftover() { ! pgrep -f "$TMP/[c]abound-app-" >/dev/null; }
no_scratch() { ! compgen -G "$TMP/cabound-app-*" >/dev/null; }
for app in $apps; do
  start=$(date +%s%N)
  (cd "$TMP" && timeout 60 "$CABOUND" pair --server "$app" --client openssl --tls 1.2 --list-bytes 4000 \
    --dn-size 40-120 --seed 1 --issuer last --issuer-size 80 --source explicit --select by-issuer \
    --verify require --timeout-ms 10000 --suite apps --name sizes@4000 \
    --expect "$(dirname "$0")/../../../suites/expect" >"$TMP/$app.json" 2>"$TMP/$app.err"); rc=$?
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  check "$app: the case meets its recorded expectation (exit $rc, $ms ms): $(tail -1 "$TMP/$app.err")" [ "$rc" -eq 0 ]
  # The row: a measured verdict, no fault, the program's version and the
  # shared object of the TLS library it mapped.
  check "$app: verdict measured, no fault, version and library named" python3 - "$TMP/$app.json" <<'PY'
import json, re, sys
r = json.load(open(sys.argv[1]))
ok = (r["server_verdict"] not in ("unmeasured", "unsupported") and r["fault"] is None
      and re.search(r"lighttpd/|nginx/|Apache/|haproxy/", r["server_version"] or "")
      and re.match(r"/.*\.so", r["server_library"] or ""))
sys.exit(0 if ok else 1)
PY
  sleep 0.2
  check "$app: no process left behind" no_leftover
  check "$app: its scratch directory removed" no_scratch
done
if echo "$clients" | grep -qx wget; then
  (cd "$TMP" && timeout 60 "$CABOUND" pair --server openssl --client wget --tls 1.2 --list-bytes 4000 \
    --dn-size 40-120 --seed 1 --issuer last --issuer-size 80 --source explicit --select native \
    --verify require --timeout-ms 10000 --suite apps --name client-sizes@4000 \
    --expect "$(dirname "$0")/../../../suites/expect" >"$TMP/wget.json" 2>"$TMP/wget.err"); rc=$?
  check "wget: the case meets its recorded expectation (exit $rc): $(tail -1 "$TMP/wget.err")" [ "$rc" -eq 0 ]
  check "wget: its row names wget and the GnuTLS it mapped" python3 - "$TMP/wget.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if "Wget" in (r["client_version"] or "") and "libgnutls" in (r["client_library"] or "")
         and r["fault"] is None else 1)
PY
  sleep 0.2
  check "wget: no process left behind" no_leftover
  check "wget: its scratch directory removed" no_scratch
fi
if echo "$clients" | grep -qx wget; then
  # An application named in the role it does not play is a usage error.
  "$CABOUND" pair --server wget --client openssl >/dev/null 2>"$TMP/role.err"; rc=$?
  check "wget as a server: exit 2 naming its role (exit $rc)" bash -c "[ $rc -eq 2 ] && grep -q 'client application' '$TMP/role.err'"
fi
done_checks
