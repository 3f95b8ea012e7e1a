#!/usr/bin/env python3
"""listcov.py LOG LISTFUNCS KIND ROOT — coverage inside a stack's library
from libFuzzer's own -print_coverage=1 report (LOG), for ci/fuzz.

LISTFUNCS is fuzz/listfuncs/STACK.txt (README.md there), KIND the target kind
(client_cr, server_calist, server_calist13), ROOT cabound's source tree:
every instrumented function outside it (and outside /usr/, system headers'
inline functions) is the library's.

Prints one line of key=value fields:
  list=X/Y     edges covered / instrumented in the listed functions of KIND
  lib=A/B      edges covered / instrumented in the whole library
  reached=...  listed functions reached (name:covered/total), comma-separated
  unreached=... listed functions instrumented but never run
  absent=...   listed functions the report does not name at all
Exit status: 0; 1 when a required function was not reached (or absent);
2 on a bad LISTFUNCS line or a log without a coverage report."""
import os
import re
import sys

# A C++ function (BoringSSL's) comes demangled, with spaces in its
# parameters: "bssl::ssl_add_client_CA_list(bssl::SSL_HANDSHAKE*, cbb_st*)".
LINE = re.compile(r"^(UN)?COVERED_FUNC: hits: (\d+) edges: (\d+)/(\d+) (.+) (\S+?):\d+$")


def plain(name):
    """A C++ name without its parameters and namespaces (as listfuncs/ names
    it); a C name as it is."""
    return name.split("(", 1)[0].rsplit("::", 1)[-1]


def main():
    if len(sys.argv) != 5:
        print(__doc__.splitlines()[0], file=sys.stderr)
        return 2
    log, listfile, kind, root = sys.argv[1:]
    root = os.path.realpath(root) + os.sep
    wanted = []  # (name, file, required)
    with open(listfile, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) not in (3, 4) or (len(line) == 4 and line[3] != "required"):
                print(f"{listfile}:{n}: expected 'TARGETS FUNCTION FILE [required]'", file=sys.stderr)
                return 2
            kinds = line[0].split(",")
            for k in kinds:
                if k not in ("client_cr", "server_calist", "server_calist13"):
                    print(f"{listfile}:{n}: unknown target kind '{k}'", file=sys.stderr)
                    return 2
            if kind in kinds:
                wanted.append((line[1], line[2], len(line) == 4))
    funcs = {}  # (name, file) -> (covered, total); the library's only
    lib_cov = lib_all = 0
    seen_report = False
    with open(log, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = LINE.match(line.rstrip("\n"))
            if not m:
                continue
            seen_report = True
            cov, tot, name, path = int(m.group(3)), int(m.group(4)), plain(m.group(5)), m.group(6)
            if os.path.isabs(path) and (os.path.realpath(path).startswith(root) or path.startswith("/usr/")):
                continue  # cabound's own code (targets, glue, core library), system headers' inlines
            lib_cov += cov
            lib_all += tot
            key = (name, path)
            c0, t0 = funcs.get(key, (0, 0))
            funcs[key] = (c0 + cov, t0 + tot)  # a function printed twice (two modules)
    if not seen_report:
        print(f"{log}: no COVERED_FUNC lines (not run with -print_coverage=1?)", file=sys.stderr)
        return 2
    lcov = ltot = 0
    reached, unreached, absent = [], [], []
    failed = False
    for name, file, required in wanted:
        hits = [v for (n, p), v in funcs.items() if n == name and (p == file or p.endswith("/" + file))]
        if not hits:
            absent.append(name)
            failed |= required
            continue
        c = sum(h[0] for h in hits)
        t = sum(h[1] for h in hits)
        lcov += c
        ltot += t
        if c:
            reached.append(f"{name}:{c}/{t}")
        else:
            unreached.append(f"{name}:0/{t}")
            failed |= required
    print(f"list={lcov}/{ltot} lib={lib_cov}/{lib_all} reached={','.join(reached) or '-'} "
          f"unreached={','.join(unreached) or '-'} absent={','.join(absent) or '-'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
