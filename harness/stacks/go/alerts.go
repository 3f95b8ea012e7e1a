package main

// alerts.go — which alert the connection sent and received. crypto/tls has
// no API for this in Go 1.19 (the alert type is unexported, alert.go), but
// every alert passes through one place each way and is recorded in the
// connection's half-connection error (conn.go):
//   sent:     sendAlertLocked stores &net.OpError{Op: "local error", Err: alert}
//             in c.out.err (setErrorLocked; also in c.in.err where a read
//             path calls c.in.setErrorLocked(c.sendAlert(...)));
//             close_notify is not stored (it "isn't an error").
//   received: readRecordOrCCS stores &net.OpError{Op: "remote error", Err:
//             alert} in c.in.err for a fatal alert, io.EOF for close_notify.
// setErrorLocked wraps a net.Error in permanentError{err}. This file reads
// those fields with reflect, read-only, after the connection is done: the
// number is the library's own, never inferred from error text.

import (
	"crypto/tls"
	"io"
	"reflect"
)

// halfConnErr returns the concrete value of conn.<half>.err, or an invalid
// Value when it is nil or the layout is not the one read in Go 1.19.
func halfConnErr(conn *tls.Conn, half string) reflect.Value {
	h := reflect.ValueOf(conn).Elem().FieldByName(half)
	if !h.IsValid() || h.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	e := h.FieldByName("err")
	if !e.IsValid() || e.Kind() != reflect.Interface || e.IsNil() {
		return reflect.Value{}
	}
	return e.Elem()
}

// unwrapPermanent turns *permanentError{err} into err's concrete value.
func unwrapPermanent(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Struct &&
		v.Elem().Type().Name() == "permanentError" && v.Elem().Type().PkgPath() == "crypto/tls" {
		e := v.Elem().FieldByName("err")
		if e.IsValid() && e.Kind() == reflect.Interface && !e.IsNil() {
			return e.Elem()
		}
	}
	return v
}

// opAlert reads *net.OpError{Op, Err: tls.alert}: the op and the alert
// number, or ok == false when v is not that.
func opAlert(v reflect.Value) (op string, alert int, ok bool) {
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Type().Name() != "OpError" ||
		v.Elem().Type().PkgPath() != "net" {
		return "", 0, false
	}
	s := v.Elem()
	a := s.FieldByName("Err")
	if a.Kind() != reflect.Interface || a.IsNil() {
		return "", 0, false
	}
	a = a.Elem()
	if a.Kind() != reflect.Uint8 || a.Type().Name() != "alert" || a.Type().PkgPath() != "crypto/tls" {
		return "", 0, false
	}
	return s.FieldByName("Op").String(), int(a.Uint()), true
}

// isEOF reports whether v is io.EOF itself (the received close_notify).
func isEOF(v reflect.Value) bool {
	eof := reflect.ValueOf(io.EOF)
	return v.IsValid() && v.Kind() == eof.Kind() && v.Type() == eof.Type() && v.Pointer() == eof.Pointer()
}

// alertLayoutOK checks once that tls.Conn has the fields read here
// (in.err, out.err of interface type); when it does not, alerts are not
// exposed rather than guessed.
var alertLayoutOK = func() bool {
	t := reflect.TypeOf(tls.Conn{})
	for _, half := range []string{"in", "out"} {
		h, ok := t.FieldByName(half)
		if !ok || h.Type.Kind() != reflect.Struct {
			return false
		}
		e, ok := h.Type.FieldByName("err")
		if !ok || e.Type.Kind() != reflect.Interface {
			return false
		}
	}
	return true
}()

// readAlerts fills the observation's alerts from conn's recorded errors. A
// close_notify counts only when the handshake failed and no other alert was
// seen that way, as finish_alerts in the OpenSSL shim does.
func readAlerts(conn *tls.Conn, obs *observation) {
	obs.alertsExposed = alertLayoutOK
	if !alertLayoutOK {
		return
	}
	for _, half := range []string{"out", "in"} {
		v := unwrapPermanent(halfConnErr(conn, half))
		if op, a, ok := opAlert(v); ok {
			switch {
			case op == "local error" && obs.alertSent < 0:
				obs.alertSent = a
			case op == "remote error" && obs.alertReceived < 0:
				obs.alertReceived = a
			}
		} else if half == "in" && isEOF(v) && !obs.handshakeOK && obs.alertReceived < 0 {
			obs.alertReceived = 0
		}
	}
}
