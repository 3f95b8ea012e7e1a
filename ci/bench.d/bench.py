#!/usr/bin/env python3
"""ci/bench driver: runs the measurements and prints one table (stdlib only).

usage: bench.py BUILD_DIR SCRATCH_DIR [full|floor|manual|memory ...] (default: all)
BENCH_STACKS=openssl,gnutls limits the floor section to those stacks."""
import glob, json, os, subprocess, sys, threading, time

B, OUT = sys.argv[1], sys.argv[2]
SECTIONS = sys.argv[3:] or ["full", "floor", "manual", "memory"]
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
def full():
    global peaks
    dt, rc, peaks = timed_run(["run", "--out", f"{OUT}/full", "--quiet", "--no-boundaries"], sample=True)
    res = results(f"{OUT}/full")
    run = [r for r in res if r.get("outcome") != "unsupported"]
    rows.append(("full default run: cases (handshakes)", f"{len(res)} ({len(run)})"))
    rows.append(("full default run: wall time", f"{dt:.1f} s (target < 300 s)"))
    rows.append(("full default run: handshakes per second", f"{len(run) / dt:.0f}"))
    dt_b, _, _ = timed_run(["boundaries", "--out", f"{OUT}/full"])
    rows.append(("boundary search (all stacks, both versions)", f"{dt_b:.1f} s"))


# 2. The floor: each stack's own in-process handshake loop (fuzz/bench_floor.c,
# the fuzz targets' same-stack pair, both sides in one process, a whole TLS 1.2
# handshake with a client certificate, each side verifying the other's chain,
# the trust-anchor stacks loading the same PEM bundles as the case) against
# cabound's cost per case for the
# same stack with itself, one job, warm. cabound's cost per case is the
# marginal wall time: (100 cases - 1 case) / 99, so that starting the
# processes, which a run pays once, is not charged to every case. Each figure
# is the best of three runs (the machine is shared; noise only adds): the best
# 100-case run less the best 1-case run, not the best of three differences,
# which a slow 1-case run pulls down (on a loaded machine, below zero). No
# captures: the floor writes none, and cabound writes them only for cases
# that fail a rule (wolfSSL's API-WIRE here).
# The stacks in other languages have floors in their own language, built by
# their shims' CMake into the same place (build/fuzz/bench_floor_STACK, same
# arguments, microseconds first): go (harness/stacks/go/floor), rustls
# (src/bench.rs), jsse and bctls (floor/, on cabound.shim.Floor: the JVM is
# warmed before the clock), erlang (cabound_floor_erlang.erl: one BEAM node,
# the two sides over loopback TCP, as OTP ssl needs a transport).
def floor():
    floor_args = ["run", "--suites", HERE, "--suite", "bench-floor", "--out", f"{OUT}/floor", "--quiet",
                  "--no-boundaries", "--no-reports", "--expect", f"{OUT}/none", "--jobs", "1", "--pcap", "never"]
    one_case = ["--match", "bench-floor/floor@16000/*"]
    timed_run(floor_args)  # makes the PKI
    # The stacks whose list comes from trust anchors (GnuTLS, Mbed TLS) load,
    # in the floor too, the certificate bundles cabound made for these cases.
    pems = sorted(glob.glob(f"{OUT}/floor/work/pki/list-*.pem"))
    with open(f"{OUT}/floor-pems.txt", "w") as f:
        f.write("".join(p + "\n" for p in pems))
    for stack in os.environ.get("BENCH_STACKS", "openssl,boringssl,gnutls,mbedtls,wolfssl,nss,go,jsse,bctls,rustls,erlang,botan,bearssl").split(","):
        exe = os.path.join(B, "fuzz", f"bench_floor_{stack}")
        if not os.access(exe, os.X_OK):
            rows.append((f"floor {stack}", "not built (fuzz/bench_floor.c)"))
            continue
        floors = []
        for _ in range(3):
            out = subprocess.run([exe, "16000", "200", f"{OUT}/floor-pems.txt"], capture_output=True, text=True).stdout.split()
            floors.append(float(out[0]) / 1000 if out else float("nan"))
        floor_ms = min(floors)
        walls, ones, medians, mode = [], [], [], "?"
        for _ in range(3):
            os.makedirs(f"{OUT}/floor", exist_ok=True)
            for f in ("results.jsonl",):
                if os.path.exists(f"{OUT}/floor/{f}"):
                    os.unlink(f"{OUT}/floor/{f}")
            dt1, _, _ = timed_run(floor_args + ["--stacks", stack] + one_case)
            os.unlink(f"{OUT}/floor/results.jsonl")
            dt100, _, _ = timed_run(floor_args + ["--stacks", stack])
            res = [r for r in results(f"{OUT}/floor") if r.get("outcome") != "unsupported"]
            t = sorted(r["time_ms"] for r in res)
            if len(res) < 2:
                continue
            ones.append(dt1)
            walls.append((dt100, len(res)))
            medians.append(t[len(t) // 2])
            mode = f"{res[0]['source']}, {res[0]['select']}"
        if not walls:
            rows.append((f"{stack} with itself: floor / cabound", "no case ran"))
            continue
        best100, n_cases = min(walls)
        c_ms, relay_ms = (best100 - min(ones)) / (n_cases - 1) * 1000, min(medians)
        if c_ms <= 0:
            rows.append((f"{stack} with itself ({mode}), 16000 list bytes: floor / cabound per case",
                         f"{floor_ms:.2f} ms / unmeasured (the best 1-case run, {min(ones) * 1000:.0f} ms, took as "
                         f"long as the best {n_cases}-case run, {best100 * 1000:.0f} ms: the machine's noise); "
                         f"handshake through the relay {relay_ms:.2f} ms"))
            continue
        rows.append((f"{stack} with itself ({mode}), 16000 list bytes: floor / cabound per case",
                     f"{floor_ms:.2f} ms / {c_ms:.2f} ms = {c_ms / floor_ms:.2f}x (target <= 1.5x); "
                     f"handshake through the relay {relay_ms:.2f} ms; start-up {min(ones) * 1000:.0f} ms once"))


# 3. The manual way: 50 cases with the command-line tools, against cabound.
# The tools get the CA bundles cabound made for the slice (a maintainer would
# have to make them too), so cabound is timed warm as well as cold.
def manual():
    slice_args = ["run", "--suites", HERE, "--suite", "bench-slice", "--out", f"{OUT}/slice", "--quiet",
                  "--no-boundaries", "--no-reports", "--expect", f"{OUT}/none"]
    dt_cold, _, _ = timed_run(slice_args + ["--jobs", "1"])
    # Each timing is the best of three (the machine is shared; noise only adds).
    dt_warm1 = min(timed_run(slice_args + ["--jobs", "1"])[0] for _ in range(3))
    dt_warm = min(timed_run(slice_args)[0] for _ in range(3))
    # The tools' loops too: best of three, as for cabound.
    runs = [subprocess.run(["bash", os.path.join(HERE, "manual.sh"), CAB, f"{OUT}/slice"], capture_output=True,
                           text=True) for _ in range(3)]
    manual = runs[-1]
    try:
        times = [[float(x) for x in r.stdout.split()[:2]] for r in runs]
        m_ossl, m_gnutls = min(t[0] for t in times), min(t[1] for t in times)
        rows.append(("50 cases by hand: openssl s_server/s_client loop", f"{m_ossl:.2f} s"))
        rows.append(("50 cases by hand: gnutls-serv/gnutls-cli loop", f"{m_gnutls:.2f} s"))
        rows.append(("50 cases with cabound: cold (PKI made) / warm, 1 job", f"{dt_cold:.2f} s / {dt_warm1:.2f} s"))
        rows.append((f"50 cases with cabound: warm, {os.cpu_count()} jobs", f"{dt_warm:.2f} s: {m_ossl / dt_warm:.1f}x faster than "
                     f"openssl's tools, {m_gnutls / dt_warm:.1f}x than gnutls' (target >= 20x)"))
    except ValueError:
        rows.append(("manual way", "failed: " + manual.stderr.strip()[:200]))


# 4. Memory: peaks during the full run, and growth over 10,000 cases.
def memory():
    for k, v in sorted(peaks.items()):
        if not k.startswith("_series_"):
            rows.append((f"peak RSS {k}", f"{v / 1024:.1f} MiB"))
    dt_s, _, spk = timed_run(["run", "--suites", HERE, "--suite", "bench-soak", "--out", f"{OUT}/soak", "--quiet",
                              "--no-boundaries", "--expect", f"{OUT}/none"], sample=True)
    n_soak = sum(1 for _ in open(f"{OUT}/soak/results.jsonl"))
    for kind in sorted(k[len("_series_"):] for k in spk if k.startswith("_series_")):
        s = spk.get("_series_" + kind, [])
        if len(s) >= 10:
            # Cases run between 10% and 90% of the samples; the reports at the
            # end read every line and are measured separately (peak).
            tenth = max(s[len(s) // 20: len(s) // 10 + 1])
            late = max(s[8 * len(s) // 10: 9 * len(s) // 10 + 1])
            rows.append((f"soak {n_soak} cases: {kind} RSS while running", f"{tenth / 1024:.1f} MiB at 10%, "
                         f"{late / 1024:.1f} MiB at 90% ({(late - tenth) / 1024:+.1f} MiB); peak {max(s) / 1024:.1f} MiB"))
    rows.append((f"soak {n_soak} cases: wall time", f"{dt_s:.1f} s"))


peaks = {}
for name in SECTIONS:
    {"full": full, "floor": floor, "manual": manual, "memory": memory}[name]()

width = max(len(k) for k, _ in rows)
cpu = subprocess.run(["sh", "-c", "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print(f"cabound bench — {os.cpu_count()} cores ({cpu}), {time.strftime('%Y-%m-%d')}")
print(f"| {'measure'.ljust(width)} | value |")
print(f"| {'-' * width} | --- |")
for k, v in rows:
    print(f"| {k.ljust(width)} | {v} |")
