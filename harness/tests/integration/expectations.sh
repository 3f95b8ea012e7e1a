#!/usr/bin/env bash
# Expectations end to end: --update-expectations records a run; the same run
# then meets them (exit 0); a changed verdict is a regression (exit 1); an
# expectation whose rule no longer fails is an xpass; rewriting keeps reasons.
. "$(dirname "$0")/lib.sh"
S="$TMP/suites"; mkdir -p "$S/expect"
cp "$(dirname "$0")/../data/suites/mini.suite" "$S/"
cp "$(dirname "$0")/../../../suites/expect/citations.tsv" "$S/expect/"
run() { "$CABOUND" run --suites "$S" --out "$TMP/r" --quiet --no-boundaries --no-reports "$@" >"$TMP/out" 2>&1; }
run --update-expectations
check "expectations written for the mini suite's stacks" [ -s "$S/expect/openssl.expect" -a -s "$S/expect/nss.expect" ]
check "every expectation has a cited reason" bash -c '! grep -q UNCITED '"$S"'/expect/*.expect'
run
check "the same run meets its expectations: exit 0" [ $? -eq 0 ]
# Claim a verdict the stack does not give: a regression.
python3 - "$S/expect/openssl.expect" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r"(expect mini/small@\S+ server\n  server-verdict )full", r"\1truncated", s, count=1)
s = re.sub(r'(reason ")', r'\1kept: ', s, count=1)
open(p, "w").write(s)
PY
run
check "a changed verdict fails the run: exit 1" [ $? -eq 1 ]
check "and is called a regression" grep -q "regression" "$TMP/r/results.jsonl"
# Claim a known finding that does not happen: an xpass.
run --update-expectations
python3 - "$S/expect/gnutls.expect" <<'PY'
import re, sys
p = sys.argv[1]; s = open(p).read()
s = re.sub(r"(expect mini/small@\S+ server\n  server-verdict full\n  rules )none", r"\1CA-PREFIX", s, count=1)
open(p, "w").write(s)
PY
run
check "an expected finding that stopped happening fails the run" [ $? -eq 1 ]
check "and is called an xpass" grep -q '"outcome":"xpass"' "$TMP/r/results.jsonl"
sed -i 's/reason "\(kept: \)*/reason "kept: /' "$S/expect/openssl.expect"
run --update-expectations
check "rewriting keeps an existing reason" grep -q 'reason "kept: ' "$S/expect/openssl.expect"
run
check "after rewriting, the run passes again" [ $? -eq 0 ]
# A shim that fails on its own (shim-error) is cabound's fault, not the
# stack's behaviour: it is never recorded as expected. The misbehaving test
# shim takes part in a run as another build of a stack (STACK@BUILD).
mkdir -p "$TMP/shims"
ln -s "$(dirname "$CABOUND")/cabound-shim-openssl" "$TMP/shims/"
ln -s "$(dirname "$CABOUND")/cabound-shim-misbehave" "$TMP/shims/cabound-shim-misbehave@faulty"
cat > "$S/faulty.suite" <<'SUITE'
suite faulty
description "a server shim that exits without answering"
defaults
  tls 1.2
  servers misbehave@faulty
  clients openssl
end
case close
  list-bytes 2000
end
SUITE
CABOUND_SHIM_DIR="$TMP/shims" run --suite faulty --update-expectations
check "a shim-error is reported as not recorded" grep -q "not recorded: faulty/close@2000/misbehave@faulty>openssl/1.2 (the server shim failed: shim-error)" "$TMP/out"
check "and no expectation states it" bash -c '! grep -q "faulty/" '"$S"'/expect/*.expect'
CABOUND_SHIM_DIR="$TMP/shims" run --suite faulty
check "so the run keeps failing on it: exit 1" [ $? -eq 1 ]
done_checks
