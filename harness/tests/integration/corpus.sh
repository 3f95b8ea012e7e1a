#!/usr/bin/env bash
# cabound corpus: every boundary file is written, the manifest describes each,
# and the codec classifies each CertificateRequest (TLS 1.2 and 1.3) as the
# manifest says. The tiers are 2^14, 2^15 (the suites' around-32k cases) and
# 2^16; the sizes each case is named after are measured on the files.
. "$(dirname "$0")/lib.sh"
"$CABOUND" corpus --out "$TMP/c" >/dev/null
check "manifest lists the boundary cases of every tier and kind" python3 -c '
import json, os, sys; d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
kinds = {(e["kind"], e["boundary"], e["delta"]) for e in m}
need = {(k, b, dl) for k in ("list", "message", "message13", "extension13") for b in (16384, 32768, 65536) for dl in (-2, -1, 0, 1, 2)}
need |= {("record", b, dl) for b in (16384, 32768) for dl in (-2, -1, 0, 1, 2)}
missing = sorted(need - kinds)
if missing: print("missing:", missing[:5], file=sys.stderr)
absent = [f for e in m for f in e["files"].values() if not os.path.exists(d + "/" + f)]
if absent: print("absent:", absent[:5], file=sys.stderr)
sys.exit(1 if missing or absent else 0)' "$TMP/c"
check "each case has the size it is named after (list, TLS 1.2 / 1.3 message, 1.3 extension data, record)" python3 -c '
import json, struct, sys; d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
bad = []
for e in m:
    f = e["files"]; size = e["boundary"] + e["delta"]
    cr12 = open(d + "/" + f["cr12"], "rb").read(); cr13 = open(d + "/" + f["cr13"], "rb").read()
    ext = open(d + "/" + f["ext13"], "rb").read()
    got = {"list": e["list_bytes"], "message": len(cr12), "record": len(cr12), "message13": len(cr13),
           "extension13": len(ext) - 4}[e["kind"]]
    ok = got == size and e["message_bytes"] == len(cr12) and e["message13_bytes"] == len(cr13)
    ok = ok and cr12[0] == 13 and cr13[0] == 13 and int.from_bytes(cr13[1:4], "big") == len(cr13) - 4
    ok = ok and ext[:2] == b"\x00\x2f" and struct.unpack(">H", ext[2:4])[0] == (len(ext) - 4) & 0xffff
    ok = ok and e["extension13_data_bytes"] == len(ext) - 4 == 2 + e["list_bytes"]
    if not ok: bad.append((e["kind"], size, got))
if bad: print("wrong sizes:", bad[:5], file=sys.stderr)
sys.exit(1 if bad else 0)' "$TMP/c"
check "every TLS 1.2 and TLS 1.3 CertificateRequest decodes to the manifest's class" python3 -c '
import json, subprocess, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
bad = []
for e in m:
    for form in ("cr12", "cr13"):
        out = subprocess.run([sys.argv[2], "decode", "--json", "--as", form, sys.argv[1] + "/" + e["files"][form]], capture_output=True, text=True).stdout
        r = json.loads(out)
        if r["class"] != e["class"] or r["dns"] != e["dns"]: bad.append((form, e["kind"], e["boundary"], e["delta"], r["class"]))
if bad: print("misdecoded:", bad[:5], file=sys.stderr)
sys.exit(1 if bad else 0)' "$TMP/c" "$CABOUND"
check "a list past 65535 list bytes is a wrapped length" python3 -c '
import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json"))
sys.exit(0 if all((e["class"] == "wrapped-length") == (e["list_bytes"] > 65535) for e in m) else 1)' "$TMP/c"
check "the 2^15 tier: messages of exactly 32768 and 32769 bytes in both versions, lists of 32767 and 32769 list bytes" python3 -c '
import json, subprocess, sys; d = sys.argv[1]; m = json.load(open(d + "/manifest.json"))
by = {(e["kind"], e["boundary"] + e["delta"]): e for e in m}
ok = by[("message", 32768)]["message_bytes"] == 32768 and by[("message", 32769)]["message_bytes"] == 32769
ok = ok and by[("message13", 32768)]["message13_bytes"] == 32768 and by[("message13", 32769)]["message13_bytes"] == 32769
ok = ok and by[("list", 32767)]["list_bytes"] == 32767 and by[("list", 32769)]["list_bytes"] == 32769
sys.exit(0 if ok else 1)' "$TMP/c"
check "an unwritable --out is refused naming the path" bash -c '
mkdir -p "$1/ro/cr12" && touch "$1/ro/cr13" && ! "$2" corpus --out "$1/ro" >/dev/null 2>"$1/err" && grep -q "$1/ro" "$1/err"' _ "$TMP" "$CABOUND"
long="$TMP/$(printf 'd%.0s' $(seq 120))/$(printf 'e%.0s' $(seq 120))"
mkdir -p "$(dirname "$long")"
check "a long --out path (over 250 bytes) gets every file where the manifest says" bash -c '
"$2" corpus --out "$1" >/dev/null && python3 -c "
import json, os, sys; d = sys.argv[1]; m = json.load(open(d + \"/manifest.json\"))
sys.exit(0 if all(os.path.getsize(d + \"/\" + f) > 0 for e in m for f in e[\"files\"].values()) else 1)" "$1"' _ "$long" "$CABOUND"
check "an --out path over 4000 bytes is refused" bash -c '! "$2" corpus --out "$1" >/dev/null 2>&1' _ "$TMP/$(printf 'x%.0s' $(seq 4100))" "$CABOUND"
done_checks
