package main

// serve.go — the request loop (../README.md "Invocation"): one JSON request
// per SOCK_SEQPACKET datagram on fd 3 with the connection's fd attached
// (SCM_RIGHTS), one JSON observation per reply datagram, exit 0 on EOF.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"syscall"
)

const (
	ctlFD      = 3
	maxRequest = 65536
)

// fdConn wraps a connected socket fd in a net.Conn. net.FileConn works on a
// dup, so the original is closed here.
func fdConn(fd int) (net.Conn, error) {
	f := os.NewFile(uintptr(fd), "connection")
	if f == nil {
		return nil, fmt.Errorf("fd %d is not a file descriptor", fd)
	}
	defer f.Close()
	return net.FileConn(f)
}

func errorReply(id, msg string) object {
	return object{{"contract", contractVersion}, {"case", id}, {"status", "bad-request"}, {"reason", msg}}
}

// receive reads one request datagram and the fd attached to it (-1 when
// none). n == 0 is EOF.
func receive(ctl int, buf, oob []byte) (n int, fd int, err error) {
	for {
		var oobn int
		n, oobn, _, _, err = syscall.Recvmsg(ctl, buf, oob, syscall.MSG_CMSG_CLOEXEC)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return 0, -1, err
		}
		fd = -1
		msgs, perr := syscall.ParseSocketControlMessage(oob[:oobn])
		for _, m := range msgs {
			if perr != nil {
				break
			}
			fds, rerr := syscall.ParseUnixRights(&m)
			for i, f := range fds {
				if rerr == nil && i == 0 && fd < 0 {
					fd = f
				} else {
					syscall.Close(f) // more than one fd: keep the first
				}
			}
		}
		return n, fd, nil
	}
}

func serveLoop(ctl int) int {
	buf := make([]byte, maxRequest)
	oob := make([]byte, syscall.CmsgSpace(4*4))
	for {
		n, fd, err := receive(ctl, buf, oob)
		if err != nil {
			fmt.Fprintf(os.Stderr, "shim: reading fd %d: %v\n", ctl, err)
		}
		if err != nil || n == 0 {
			if fd >= 0 {
				syscall.Close(fd)
			}
			return 0
		}
		text := buf[:n]
		var reply object
		if !json.Valid(text) {
			if fd >= 0 {
				syscall.Close(fd)
			}
			reply = errorReply("", "request is not JSON")
		} else if fd < 0 {
			reply = errorReply(caseID(text), "request carries no file descriptor")
		} else if c, perr := parseRequest(text); perr != nil {
			syscall.Close(fd)
			reply = errorReply(caseID(text), perr.Error())
		} else if conn, cerr := fdConn(fd); cerr != nil {
			reply = errorReply(c.id, "the attached file descriptor is not a socket: "+cerr.Error())
		} else {
			reply = observe(c, conn)
		}
		out, err := marshal(reply)
		if err != nil {
			out = []byte(`{"contract":1,"case":"","status":"bad-request","reason":"cannot encode the reply"}`)
		}
		// MSG_NOSIGNAL: a harness that went away is EOF, not a SIGPIPE.
		if err := syscall.Sendmsg(ctl, out, nil, nil, syscall.MSG_NOSIGNAL); err != nil {
			return 0
		}
	}
}
