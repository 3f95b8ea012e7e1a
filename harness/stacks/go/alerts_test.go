package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

func selfSigned(t *testing.T) tls.Certificate {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "alerts test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestAlertsFromConn: the layout alerts.go reads exists in this Go, and a
// server that requires a certificate and gets none records bad_certificate
// (42) as sent (handshake_server.go processCertsFromClient) while the client
// records it as received, in both versions.
func TestAlertsFromConn(t *testing.T) {
	if !alertLayoutOK {
		t.Fatal("tls.Conn no longer has in.err/out.err: alerts.go must be revisited")
	}
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		a, b := net.Pipe()
		s := tls.Server(a, &tls.Config{Certificates: []tls.Certificate{selfSigned(t)},
			ClientAuth: tls.RequireAnyClientCert, MinVersion: v, MaxVersion: v})
		c := tls.Client(b, &tls.Config{InsecureSkipVerify: true, MinVersion: v, MaxVersion: v})
		done := make(chan error, 1)
		go func() {
			err := s.Handshake()
			a.Close()
			done <- err
		}()
		cerr := c.Handshake()
		if cerr == nil { // TLS 1.3: the client learns of it when it reads
			_, cerr = c.Read(make([]byte, 1))
		}
		serr := <-done
		if serr == nil || cerr == nil {
			t.Fatalf("%x: the handshake should fail (server %v, client %v)", v, serr, cerr)
		}
		so, co := newObservation(), newObservation()
		readAlerts(s, so)
		readAlerts(c, co)
		if !so.alertsExposed || so.alertSent != 42 || so.alertReceived != -1 {
			t.Errorf("%x server: exposed %v sent %d received %d, want true 42 -1", v, so.alertsExposed, so.alertSent, so.alertReceived)
		}
		if co.alertReceived != 42 || co.alertSent != -1 {
			t.Errorf("%x client: sent %d received %d, want -1 42", v, co.alertSent, co.alertReceived)
		}
		b.Close()
	}
}
