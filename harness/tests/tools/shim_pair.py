#!/usr/bin/env python3
"""shim_pair.py — try two shims against each other in request-loop mode,
without the harness (a development aid; the harness's `cabound pair` is the
real driver).

usage: shim_pair.py SERVER_SHIM CLIENT_SHIM SERVER_REQUEST.json CLIENT_REQUEST.json [N]

Starts both shims with --serve (fd 3 = SOCK_SEQPACKET control socket), makes
one socketpair per case that directly connects them, sends each its request
with its end of the socketpair attached, and prints both observations. N
repeats the case N times over the same two processes.
"""
import json, os, socket, subprocess, sys


def start(path):
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    os.set_inheritable(child.fileno(), True)
    proc = subprocess.Popen([path, "--serve"], pass_fds=(3, child.fileno()),
                            preexec_fn=lambda: os.dup2(child.fileno(), 3))
    child.close()
    return proc, parent


def main():
    srv_shim, cli_shim, srv_req, cli_req = sys.argv[1:5]
    n = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    sp, sctl = start(srv_shim)
    cp, cctl = start(cli_shim)
    sreq = open(srv_req, "rb").read()
    creq = open(cli_req, "rb").read()
    for _ in range(n):
        a, b = socket.socketpair()
        socket.send_fds(sctl, [sreq], [a.fileno()])
        socket.send_fds(cctl, [creq], [b.fileno()])
        a.close(); b.close()
        sctl.settimeout(30); cctl.settimeout(30)
        print("server:", sctl.recv(1 << 20).decode())
        print("client:", cctl.recv(1 << 20).decode())
    sctl.close(); cctl.close()
    sys.exit(max(sp.wait(), cp.wait()))


if __name__ == "__main__":
    main()
