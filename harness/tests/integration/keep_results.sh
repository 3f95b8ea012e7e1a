#!/usr/bin/env bash
# Never lose what was written: a narrowed boundary search replaces only its
# own rows of boundaries.jsonl.
. "$(dirname "$0")/lib.sh"
mkdir -p "$TMP/r"
cat >"$TMP/r/boundaries.jsonl" <<'J'
{"stack":"gnutls","side":"server","tls":"1.2","largest_ok_list_bytes":65535,"mark":"kept"}
{"stack":"openssl","side":"server","tls":"1.3","largest_ok_list_bytes":65491,"mark":"kept"}
{"stack":"openssl","side":"server","tls":"1.2","largest_ok_list_bytes":1,"mark":"stale"}
J
"$CABOUND" boundaries --stacks openssl --tls 1.2 --out "$TMP/r" --json >/dev/null 2>"$TMP/err"; rc=$?
check "boundaries --stacks openssl --tls 1.2: exit 0" [ $rc -eq 0 ]
check "the other stacks' rows stay" grep -q '"stack":"gnutls".*"kept"' "$TMP/r/boundaries.jsonl"
check "the other version's rows stay" grep -q '"tls":"1.3".*"kept"' "$TMP/r/boundaries.jsonl"
check "its own stale row is replaced" bash -c "! grep -q stale '$TMP/r/boundaries.jsonl'"
check "with new rows for both sides" [ "$(grep -c '"stack":"openssl","side":"[a-z]*","tls":"1.2"' "$TMP/r/boundaries.jsonl")" -eq 2 ]
done_checks
