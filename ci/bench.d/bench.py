#!/usr/bin/env python3
"""ci/bench driver: runs the measurements and prints one table (stdlib only)."""
import json, os, subprocess, sys, threading, time

B, OUT = sys.argv[1], sys.argv[2]
CAB = os.path.join(B, "cabound")
HERE = os.path.dirname(os.path.abspath(__file__))
rows = []


def rss_sampler(stop, peaks):
    """Samples VmRSS of cabound's processes every 0.1 s: peak per kind."""
    while not stop.is_set():
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                cmd = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[0].decode()
                name = os.path.basename(cmd)
                if not name.startswith("cabound"):
                    continue
                for line in open(f"/proc/{pid}/status"):
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        kind = name if name.startswith("cabound-shim-") else "cabound (harness)"
                        peaks[kind] = max(peaks.get(kind, 0), kb)
                        samples = peaks.setdefault("_series_" + kind, [])
                        samples.append(kb)
            except (OSError, ValueError, IndexError):
                pass
        time.sleep(0.1)


def timed_run(args, sample=False):
    stop, peaks = threading.Event(), {}
    t = threading.Thread(target=rss_sampler, args=(stop, peaks)) if sample else None
    if t:
        t.start()
    t0 = time.monotonic()
    p = subprocess.run([CAB] + args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dt = time.monotonic() - t0
    if t:
        stop.set()
        t.join()
    return dt, p.returncode, peaks


def results(d):
    return [json.loads(l) for l in open(os.path.join(d, "results.jsonl"))]


# 1. The full default run.
dt, rc, peaks = timed_run(["run", "--out", f"{OUT}/full", "--quiet", "--no-boundaries"], sample=True)
res = results(f"{OUT}/full")
run = [r for r in res if r.get("outcome") != "unsupported"]
rows.append(("full default run: cases (handshakes)", f"{len(res)} ({len(run)})"))
rows.append(("full default run: wall time", f"{dt:.1f} s (target < 300 s)"))
rows.append(("full default run: handshakes per second", f"{len(run) / dt:.0f}"))
per_case_ms = {}
for r in run:
    per_case_ms.setdefault((r["server"], r["client"], r["tls"]), []).append(r["time_ms"])
dt_b, _, _ = timed_run(["boundaries", "--out", f"{OUT}/full"])
rows.append(("boundary search (all stacks, both versions)", f"{dt_b:.1f} s"))

# 2. The floor: each stack's own in-process handshake loop (fuzz/bench_floor.c,
# the fuzz targets' same-stack pair, both sides in one process) against
# cabound's wall time per case for the same stack with itself, one job, warm.
floor_args = ["run", "--suites", HERE, "--suite", "bench-floor", "--out", f"{OUT}/floor", "--quiet",
              "--no-boundaries", "--no-reports", "--expect", f"{OUT}/none", "--jobs", "1"]
timed_run(floor_args)  # makes the PKI
for stack in ("openssl", "boringssl", "gnutls", "mbedtls", "wolfssl", "nss"):
    exe = os.path.join(B, "fuzz", f"bench_floor_{stack}")
    if not os.access(exe, os.X_OK):
        rows.append((f"floor {stack}", "not built (fuzz/bench_floor.c)"))
        continue
    out = subprocess.run([exe, "20000", "200"], capture_output=True, text=True).stdout.split()
    floor_ms = float(out[0]) / 1000 if out else float("nan")
    dt1, _, _ = timed_run(floor_args + ["--stacks", stack])
    # The median case (the first one also starts the two shim processes).
    t = sorted(r["time_ms"] for r in results(f"{OUT}/floor") if r.get("outcome") != "unsupported")
    c_ms = t[len(t) // 2] if t else float("nan")
    rows.append((f"{stack} with itself, 20000 list bytes: floor / cabound per case (median)",
                 f"{floor_ms:.2f} ms / {c_ms:.2f} ms = {c_ms / floor_ms:.1f}x (target <= 1.5x)"))

# 3. The manual way: 50 cases with the command-line tools, against cabound.
# The tools get the CA bundles cabound made for the slice (a maintainer would
# have to make them too), so cabound is timed warm as well as cold.
slice_args = ["run", "--suites", HERE, "--suite", "bench-slice", "--out", f"{OUT}/slice", "--quiet",
              "--no-boundaries", "--no-reports", "--expect", f"{OUT}/none"]
dt_cold, _, _ = timed_run(slice_args + ["--jobs", "1"])
dt_warm1, _, _ = timed_run(slice_args + ["--jobs", "1"])
dt_warm, _, _ = timed_run(slice_args)
manual = subprocess.run(["bash", os.path.join(HERE, "manual.sh"), CAB, f"{OUT}/slice"], capture_output=True, text=True)
try:
    m_ossl, m_gnutls = [float(x) for x in manual.stdout.split()[:2]]
    rows.append(("50 cases by hand: openssl s_server/s_client loop", f"{m_ossl:.2f} s"))
    rows.append(("50 cases by hand: gnutls-serv/gnutls-cli loop", f"{m_gnutls:.2f} s"))
    rows.append(("50 cases with cabound: cold (PKI made) / warm, 1 job", f"{dt_cold:.2f} s / {dt_warm1:.2f} s"))
    rows.append((f"50 cases with cabound: warm, {os.cpu_count()} jobs", f"{dt_warm:.2f} s: {m_ossl / dt_warm:.1f}x faster than "
                 f"openssl's tools, {m_gnutls / dt_warm:.1f}x than gnutls' (target >= 20x)"))
except ValueError:
    rows.append(("manual way", "failed: " + manual.stderr.strip()[:200]))

# 4. Memory: peaks during the full run, and growth over 10,000 cases.
for k, v in sorted(peaks.items()):
    if not k.startswith("_series_"):
        rows.append((f"peak RSS {k}", f"{v / 1024:.1f} MiB"))
dt_s, _, spk = timed_run(["run", "--suites", HERE, "--suite", "bench-soak", "--out", f"{OUT}/soak", "--quiet",
                          "--no-boundaries", "--expect", f"{OUT}/none"], sample=True)
n_soak = sum(1 for _ in open(f"{OUT}/soak/results.jsonl"))
for kind in ("cabound (harness)", "cabound-shim-openssl", "cabound-shim-gnutls"):
    s = spk.get("_series_" + kind, [])
    if len(s) >= 10:
        # Cases run between 10% and 90% of the samples; the reports at the
        # end read every line and are measured separately (peak).
        tenth = max(s[len(s) // 20: len(s) // 10 + 1])
        late = max(s[8 * len(s) // 10: 9 * len(s) // 10 + 1])
        rows.append((f"soak {n_soak} cases: {kind} RSS while running", f"{tenth / 1024:.1f} MiB at 10%, "
                     f"{late / 1024:.1f} MiB at 90% ({(late - tenth) / 1024:+.1f} MiB); peak {max(s) / 1024:.1f} MiB"))
rows.append((f"soak {n_soak} cases: wall time", f"{dt_s:.1f} s"))

width = max(len(k) for k, _ in rows)
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"cabound bench — {os.cpu_count()} cores ({cpu}), {time.strftime('%Y-%m-%d')}")
print(f"| {'measure'.ljust(width)} | value |")
print(f"| {'-' * width} | --- |")
for k, v in rows:
    print(f"| {k.ljust(width)} | {v} |")
