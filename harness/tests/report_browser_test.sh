#!/bin/sh
# report_browser_test.sh CABOUND DATA_DIR [WORK_DIR]
#
# Loads the report.html that `cabound report` writes from the hand-made
# results in DATA_DIR into headless Chromium: the page must log nothing to
# the console (a probe page first proves that console messages are caught),
# and its DOM must hold everything the file holds (the matrix tables, cells,
# plots and findings: nothing dropped by a parse error). A screenshot is left
# in WORK_DIR/report.png for a person to look at.
# Prints "N passed, N failed"; exits 0, 1 on a failure, 77 without Chromium.
set -u

CABOUND=${1:?usage: report_browser_test.sh CABOUND DATA_DIR [WORK_DIR]}
DATA=${2:?usage: report_browser_test.sh CABOUND DATA_DIR [WORK_DIR]}
WORK=${3:-$(mktemp -d /tmp/cabound-report-browser-XXXXXX)}

CHROMIUM=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$CHROMIUM" ]; then
    echo "chromium not found (Debian package: chromium): skipped"
    exit 77
fi

passed=0
failed=0
check() { # check DESCRIPTION COMMAND...
    desc=$1
    shift
    if "$@"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAILED: $desc" >&2
    fi
}

rm -rf "$WORK"
mkdir -p "$WORK/out" || exit 1
cp "$DATA/results.jsonl" "$DATA/boundaries.jsonl" "$WORK/out/" || exit 1

# The data holds malformed lines: exit 2, a FILE:LINE message, the page written anyway.
"$CABOUND" report "$WORK/out" >"$WORK/report.stdout" 2>"$WORK/report.stderr"
rc=$?
check "cabound report exits 2 on the malformed lines (got $rc)" [ "$rc" -eq 2 ]
check "the message names results.jsonl:6" grep -q "results.jsonl:6: not valid JSON" "$WORK/report.stderr"
check "report.html written" [ -s "$WORK/out/report.html" ]
check "junit.xml written" [ -s "$WORK/out/junit.xml" ]

# chrome URL [FLAGS...]: one headless run, its stderr in $WORK/chrome.err.
chrome() {
    url=$1
    shift
    profile=$(mktemp -d /tmp/cabound-chromium-XXXXXX)
    timeout 20 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
        --enable-logging=stderr --v=0 "$@" "$url" 2>"$WORK/chrome.err"
    status=$?
    rm -rf "$profile"
    return $status
}

console_lines() { grep -c ':CONSOLE' "$WORK/chrome.err"; }

# The probe: a page that logs an error must be seen to log it.
cat >"$WORK/probe.html" <<'EOF'
<!DOCTYPE html><html><head><link rel="icon" href="data:,"></head>
<body><script>console.error("cabound-probe")</script></body></html>
EOF
chrome "file://$WORK/probe.html" --dump-dom >"$WORK/probe.dom"
check "the console probe is caught (the detector works)" grep -q 'CONSOLE.*cabound-probe' "$WORK/chrome.err"

# The report: no console output at all, and a DOM that holds what the file holds.
chrome "file://$WORK/out/report.html" --dump-dom >"$WORK/report.dom"
check "chromium loaded report.html (exit 0)" [ $? -eq 0 ]
n=$(console_lines)
check "no console messages from report.html ($n)" [ "$n" -eq 0 ]
[ "$n" -eq 0 ] || grep ':CONSOLE' "$WORK/chrome.err" >&2
check "the DOM ends the page" grep -q '</html>' "$WORK/report.dom"

count() { grep -o "$1" "$2" | wc -l; }
for pat in '<table class="matrix"' '<td class="cell ' '<svg class="plot server-plot"' \
    '<svg class="plot client-strip"' '<article class="finding"' '<table class="boundaries"'; do
    in_file=$(count "$pat" "$WORK/out/report.html")
    in_dom=$(count "$pat" "$WORK/report.dom")
    check "DOM keeps $pat ($in_dom of $in_file)" test "$in_file" -gt 0 -a "$in_dom" -eq "$in_file"
done
# What the hand-made data implies: 2 suites x 2 TLS versions, 5 server stacks.
check "4 matrix tables in the DOM" [ "$(count '<table class="matrix"' "$WORK/report.dom")" -eq 4 ]
check "5 server plots in the DOM" [ "$(count '<svg class="plot server-plot"' "$WORK/report.dom")" -eq 5 ]
check "no script in the DOM" [ "$(count '<script' "$WORK/report.dom")" -eq 0 ]

# A screenshot for a person (and proof that the page renders).
chrome "file://$WORK/out/report.html" --window-size=1300,2600 --screenshot="$WORK/report.png" >/dev/null
check "screenshot written" [ -s "$WORK/report.png" ]
check "screenshot is a PNG of some substance" sh -c "head -c 4 '$WORK/report.png' | grep -q PNG && [ \$(wc -c <'$WORK/report.png') -gt 20000 ]"

echo "screenshot: $WORK/report.png"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
