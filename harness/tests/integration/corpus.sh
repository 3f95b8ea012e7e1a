#!/usr/bin/env bash
# cabound corpus: every boundary file is written, the manifest describes each,
# and the codec classifies each CertificateRequest as the manifest says.
. "$(dirname "$0")/lib.sh"
"$CABOUND" corpus --out "$TMP/c" >/dev/null
check "manifest lists the boundary cases" python3 -c '
import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json"))
kinds = {(e["kind"], e["boundary"], e["delta"]) for e in m}
need = {(k, b, d) for k in ("list", "message") for b in (16384, 65536) for d in (-2, -1, 0, 1, 2)}
sys.exit(0 if need <= kinds and all(all(__import__("os").path.exists(sys.argv[1] + "/" + f) for f in e["files"].values()) for e in m) else 1)' "$TMP/c"
check "every CertificateRequest decodes to the manifest's class" python3 -c '
import json, subprocess, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
bad = 0
for e in m:
    out = subprocess.run([sys.argv[2], "decode", "--json", "--as", "cr12", sys.argv[1] + "/" + e["files"]["cr12"]], capture_output=True, text=True).stdout
    bad += json.loads(out)["class"] != e["class"]
sys.exit(1 if bad else 0)' "$TMP/c" "$CABOUND"
check "a list past 65535 list bytes is a wrapped length" python3 -c '
import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json"))
sys.exit(0 if all((e["class"] == "wrapped-length") == (e["list_bytes"] > 65535) for e in m) else 1)' "$TMP/c"
done_checks
