package main

// observation.go — the observation record (../README.md "Observation"),
// built in the same key order as observe() in ../common/shim.c, and the
// stack-independent part of a case: the capability check, the timing and
// the close sequence.

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"time"
)

// Error codes of the observation's "error" (Go errors carry no number; these
// say which step failed, the text is Go's own). See NOTES.md.
const (
	errSetup     = 1 // loading files or building the configuration; no handshake ran
	errHandshake = 2 // tls.Conn.Handshake returned an error
	errData      = 3 // the application byte could not be written or read
	errByte      = 4 // the application byte arrived but was not 'x'
)

type observation struct {
	unsupported     bool
	reason          string
	handshakeOK     bool
	hasError        bool
	errCode         int
	errText         string
	alertsExposed   bool
	alertSent       int // -1: none
	alertReceived   int // -1: none
	receivedExposed bool
	received        [][]byte // client: DNs the API exposed, in order
	sentCert        int      // -2 unknown, -1 empty Certificate, >= 0 index
	peerCert        []byte   // server: DER of the client's leaf
}

func newObservation() *observation {
	return &observation{alertSent: -1, alertReceived: -1, sentCert: -2}
}

func (o *observation) setError(code int, format string, args ...any) {
	if o.hasError {
		return // the first failure is the cause; later ones are consequences
	}
	o.hasError, o.errCode, o.errText = true, code, fmt.Sprintf(format, args...)
}

// kv and object keep the keys in the order the C shims write them.
type kv struct {
	k string
	v any
}
type object []kv

func (o object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, e := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(e.k)
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(e.v)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal is json.Marshal without HTML escaping and without the newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(b.Bytes(), "\n"), nil
}

func intOrNull(v, none int) any {
	if v == none {
		return nil
	}
	return v
}

func listed(v []string, s string) bool {
	for _, x := range v {
		if x == s {
			return true
		}
	}
	return false
}

func listBytes(dns [][]byte) int {
	n := 0
	for _, d := range dns {
		n += 2 + len(d)
	}
	return n
}

// observe runs one case over conn (which it closes) and returns the
// observation record.
func observe(c *shimCase, conn net.Conn) object {
	obs := newObservation()
	t0 := time.Now()
	switch {
	case !listed(supportedTLS, c.tlsName()):
		obs.unsupported, obs.reason = true, fmt.Sprintf("go does not support TLS %s in this build", c.tlsName())
	case c.server && !listed(supportedSources, c.source):
		obs.unsupported, obs.reason = true, fmt.Sprintf("go does not support calist_source %s", c.source)
	case !c.server && !listed(supportedSelects, c.sel):
		obs.unsupported, obs.reason = true, fmt.Sprintf("go does not support select %s", c.sel)
	case c.server:
		runServer(c, conn, obs)
	default:
		runClient(c, conn, obs)
	}
	elapsed := time.Since(t0)
	lingerClose(conn, c.timeoutMS)

	role := "client"
	if c.server {
		role = "server"
	}
	o := object{{"contract", contractVersion}, {"case", c.id}, {"stack", stackName},
		{"version", stackVersion()}, {"library", libraryPath()}, {"role", role}, {"tls", c.tlsName()}}
	if obs.unsupported {
		return append(o, kv{"status", "unsupported"}, kv{"reason", obs.reason})
	}
	o = append(o, kv{"status", "observed"})
	if c.server {
		o = append(o, kv{"calist_source", c.source})
	} else {
		o = append(o, kv{"select", c.sel})
	}
	hs := "failed"
	if obs.handshakeOK {
		hs = "ok"
	}
	o = append(o, kv{"handshake", hs})
	if obs.hasError {
		o = append(o, kv{"error", object{{"code", obs.errCode}, {"text", obs.errText}}})
	} else {
		o = append(o, kv{"error", nil})
	}
	o = append(o, kv{"alerts_exposed", obs.alertsExposed}, kv{"alert_sent", intOrNull(obs.alertSent, -1)},
		kv{"alert_received", intOrNull(obs.alertReceived, -1)})
	if c.server {
		if obs.peerCert != nil {
			o = append(o, kv{"peer_cert", hex.EncodeToString(obs.peerCert)})
		} else {
			o = append(o, kv{"peer_cert", nil})
		}
	} else {
		if obs.receivedExposed {
			o = append(o, kv{"received", object{{"exposed", true}, {"count", len(obs.received)},
				{"list_bytes", listBytes(obs.received)}}})
			if c.receivedOut != "" {
				if err := writeList(c.receivedOut, obs.received, "received by the client API"); err != nil {
					fmt.Fprintf(os.Stderr, "shim: %v\n", err)
				}
			}
		} else {
			o = append(o, kv{"received", object{{"exposed", false}}})
		}
		o = append(o, kv{"sent_cert", intOrNull(obs.sentCert, -2)})
	}
	return append(o, kv{"handshake_us", elapsed.Microseconds()})
}

// setDeadline bounds the next blocking reads and writes by timeout_ms, as
// SO_RCVTIMEO/SO_SNDTIMEO do in shim.c; 0 or less means no bound there, and
// here too.
func setDeadline(conn net.Conn, timeoutMS int) {
	if timeoutMS > 0 {
		conn.SetDeadline(time.Now().Add(time.Duration(timeoutMS) * time.Millisecond))
	}
}

// lingerClose half-closes conn and reads until the peer closes too (at most
// a second), as linger_close in shim.c: a peer still writing (a TLS 1.3
// client's ChangeCipherSpec) then reads our alert instead of a reset.
func lingerClose(conn net.Conn, timeoutMS int) {
	if cw, ok := conn.(interface{ CloseWrite() error }); ok {
		cw.CloseWrite()
	}
	ms := timeoutMS
	if ms > 1000 {
		ms = 1000
	}
	if ms <= 0 { // shim.c's loop ends at once then
		conn.Close()
		return
	}
	conn.SetReadDeadline(time.Now().Add(time.Duration(ms) * time.Millisecond))
	buf := make([]byte, 4096)
	for {
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	conn.Close()
}
