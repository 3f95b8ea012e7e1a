#!/bin/sh
# report_browser_test.sh CABOUND DATA_DIR [WORK_DIR]
#
# Loads the report.html that `cabound report` writes from the hand-made
# results in DATA_DIR into headless Chromium: the page must log nothing to
# the console (a probe page first proves that console messages are caught),
# and its DOM must hold everything the file holds (the matrix tables, cells,
# plots and findings: nothing dropped by a parse error). Then, at 1400 and
# 900 px wide, a copy of the page with a probe script measures what the
# rendered page shows: no horizontal overflow, a malformed / rejected chip
# colored differently from a full / selected one, every chip with a mark,
# the findings before the errors, divergences and matrix, every finding with
# its repro command. Screenshots are left in WORK_DIR/report-1400.png and
# WORK_DIR/report-900.png (and report.png) for a person to look at.
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
cp "$DATA/results.jsonl" "$DATA/boundaries.jsonl" "$DATA/divergences.jsonl" "$WORK/out/" || exit 1

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
    timeout 30 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run --hide-scrollbars --user-data-dir="$profile" \
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
    '<svg class="plot client-strip"' '<article class="finding ' '<table class="boundaries"'; do
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

# The rendered page, measured by a probe script in a copy of it (the report
# itself has no script). The probe writes "key=value;..." into the body's
# data-probe attribute, which --dump-dom shows.
cat >"$WORK/probe.js" <<'EOF'
<script>
(function () {
  var out = [], doc = document.documentElement;
  function put(k, v) { out.push(k + "=" + v); }
  function bg(sel) { var e = document.querySelector(sel); return e ? getComputedStyle(e).backgroundColor : ""; }
  function top(sel) { var e = document.querySelector(sel); return e ? e.getBoundingClientRect().top + scrollY : -1; }
  put("width", innerWidth);
  put("overflow", doc.scrollWidth - doc.clientWidth);
  put("height", doc.scrollHeight);
  var mal = bg(".chip .sv.v-malformed"), full = bg(".chip .sv.v-full");
  var rej = bg(".chip .cv.v-rejected"), sel = bg(".chip .cv.v-selected");
  put("malformed_differs", mal && full && mal != full ? 1 : 0);
  put("rejected_differs", rej && sel && rej != sel ? 1 : 0);
  var chips = document.querySelectorAll(".chip"), unmarked = 0;
  for (var i = 0; i < chips.length; i++) {
    var mk = chips[i].querySelector(".mk");
    if (!mk || !mk.textContent.trim() || mk.getBoundingClientRect().width < 8) unmarked++;
  }
  put("chips", chips.length);
  put("unmarked_chips", unmarked);
  var f = top("#findings"), e = top("#errors"), d = top("#divergences"), m = top("#matrix");
  put("findings_first", f >= 0 && f < e && e < d && d < m ? 1 : 0);
  var arts = document.querySelectorAll("article.finding"), norepro = 0;
  for (var j = 0; j < arts.length; j++) {
    var pre = arts[j].querySelector("pre.repro");
    if (!pre || !/(^|\/)cabound pair /.test(pre.textContent) || pre.getBoundingClientRect().height < 10) norepro++;
  }
  put("articles", arts.length);
  put("articles_without_repro", norepro);
  document.body.setAttribute("data-probe", out.join(";"));
})();
</script>
EOF
sed 's#</body></html>##' "$WORK/out/report.html" >"$WORK/out/probe.html"
cat "$WORK/probe.js" >>"$WORK/out/probe.html"
echo '</body></html>' >>"$WORK/out/probe.html"

# probe_val KEY: a value from the last probe.
probe_val() { sed 's/^data-probe="//' "$WORK/probe.out" | tr ';' '\n' | sed -n "s/^$1=//p" | tr -d '"'; }
# png_width FILE: the width in a PNG's IHDR.
png_width() { od -An -tu1 -j16 -N4 "$1" | awk '{ print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4 }'; }

for w in 1400 900; do
    chrome "file://$WORK/out/probe.html" --window-size=$w,1200 --dump-dom | grep -o 'data-probe="[^"]*"' >"$WORK/probe.out"
    check "$w px: the probe ran" [ -s "$WORK/probe.out" ]
    n=$(console_lines)
    check "$w px: no console messages from the probe page ($n)" [ "$n" -eq 0 ]
    check "$w px: the window is $w px wide ($(probe_val width))" [ "$(probe_val width)" = "$w" ]
    check "$w px: no horizontal overflow ($(probe_val overflow) px)" [ "$(probe_val overflow)" -le 0 ]
    check "$w px: a malformed server verdict has another color than full" [ "$(probe_val malformed_differs)" = 1 ]
    check "$w px: a rejected client verdict has another color than selected" [ "$(probe_val rejected_differs)" = 1 ]
    check "$w px: every chip shows its mark ($(probe_val unmarked_chips) of $(probe_val chips) without)" \
        [ "$(probe_val chips)" -gt 0 -a "$(probe_val unmarked_chips)" = 0 ]
    check "$w px: findings, then errors, divergences and the matrix" [ "$(probe_val findings_first)" = 1 ]
    check "$w px: every finding shows its repro ($(probe_val articles_without_repro) of $(probe_val articles) without)" \
        [ "$(probe_val articles)" -gt 0 -a "$(probe_val articles_without_repro)" = 0 ]
    # The whole page (up to 16000 px) in one screenshot.
    h=$(probe_val height)
    [ "${h:-0}" -gt 0 ] 2>/dev/null || h=3000
    [ "$h" -le 16000 ] || h=16000
    chrome "file://$WORK/out/report.html" --window-size=$w,$h --screenshot="$WORK/report-$w.png" >/dev/null
    check "$w px: screenshot written" [ -s "$WORK/report-$w.png" ]
    check "$w px: screenshot is $w px wide" [ "$(png_width "$WORK/report-$w.png")" = "$w" ]
done

echo "screenshots: $WORK/report.png $WORK/report-1400.png $WORK/report-900.png"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
