# lib.sh — shared by the integration tests: counts assertions and ends with
# the "N passed, N failed" line that CTest logs show.
set -u
BUILD=${BUILD:?set BUILD to the build directory}
CABOUND="$BUILD/cabound"
passed=0
failed=0
TMP=$(mktemp -d /tmp/cabound-test.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

check() { # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then passed=$((passed + 1)); else failed=$((failed + 1)); echo "FAIL: $what" >&2; fi
}

done_checks() {
  echo "$passed passed, $failed failed"
  if [ "$failed" -gt 0 ]; then exit 1; fi
  if [ "$passed" -eq 0 ]; then exit 77; fi
  exit 0
}

# wait_lines FILE N — wait (up to 5 s) until FILE holds N lines: a run in the
# background has written that many results.
wait_lines() {
  for _ in $(seq 250); do
    [ -s "$1" ] && [ "$(wc -l <"$1")" -ge "$2" ] && return 0
    sleep 0.02
  done
  return 1
}

# field LINE EXPR — evaluate a Python expression over the JSON line `r`.
field() { python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$1" "$2"; }

# installed_stacks lists the installed library stacks: the real applications
# (kind "app", harness/stacks/apps) have their own test, apps.sh.
installed_stacks() {
  "$CABOUND" stacks --json | python3 -c 'import json,sys
for l in sys.stdin:
    o=json.loads(l)
    if o.get("installed") and o.get("kind", "library") != "app": print(o["stack"])'
}
