package main

// client.go — the client side of a case.
//
//   native     Config.Certificates = every client_creds entry, in order, and
//              no GetClientCertificate: crypto/tls chooses by itself
//              (Conn.getClientCertificate, handshake_client.go): the first
//              chain for which CertificateRequestInfo.SupportsCertificate
//              (common.go) returns nil — a signature scheme fits and, when
//              AcceptableCAs is not empty, some certificate of the chain has
//              a RawIssuer byte-equal to an acceptable DN; none fits → an
//              empty Certificate. No API shows the list or the choice then:
//              received is {"exposed": false}, sent_cert null (the harness
//              reads the sent certificate from the wire).
//   by-issuer  Config.GetClientCertificate, which receives
//              CertificateRequestInfo.AcceptableCAs, the DNs of the
//              CertificateRequest exactly as parsed, in order, unfiltered
//              (handshake_client.go doFullHandshake for TLS 1.2,
//              handshake_client_tls13.go sendClientCertificate for TLS 1.3,
//              both pass certReq.certificateAuthorities). The callback copies
//              them and returns the first credential whose leaf's RawIssuer
//              is byte-equal to one of them, else an empty Certificate.
// The server's chain is verified against `trust` without a host name:
// InsecureSkipVerify plus VerifyPeerCertificate (called from
// verifyServerCertificate, handshake_client.go, bad_certificate on error).

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"net"
)

type clientCred struct {
	pair   tls.Certificate
	issuer []byte // the leaf's RawIssuer
}

func loadClientCreds(c *shimCase, obs *observation) ([]clientCred, bool) {
	creds := make([]clientCred, len(c.clientCreds))
	for i, p := range c.clientCreds {
		pair, err := loadPair(p.Cert, p.Key)
		if err != nil {
			obs.setError(errSetup, "loading client certificate %s: %v", p.Cert, err)
			return nil, false
		}
		leaf, err := x509.ParseCertificate(pair.Certificate[0])
		if err != nil {
			obs.setError(errSetup, "parsing client certificate %s: %v", p.Cert, err)
			return nil, false
		}
		creds[i] = clientCred{pair: pair, issuer: leaf.RawIssuer}
	}
	return creds, true
}

// byIssuer returns the index of the first credential whose leaf's issuer
// is byte-equal to an acceptable DN, or -1.
func byIssuer(cas [][]byte, creds []clientCred) int {
	for i := range creds {
		for _, dn := range cas {
			if bytes.Equal(creds[i].issuer, dn) {
				return i
			}
		}
	}
	return -1
}

func runClient(c *shimCase, raw net.Conn, obs *observation) {
	creds, ok := loadClientCreds(c, obs)
	if !ok {
		return
	}
	trust := x509.NewCertPool()
	if c.trust != "" {
		var err error
		if trust, err = loadPool(c.trust); err != nil {
			obs.setError(errSetup, "loading trust: %v", err)
			return
		}
	}
	v := tlsVersion(c)
	cfg := &tls.Config{MinVersion: v, MaxVersion: v, InsecureSkipVerify: true}
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		return verifyChain(raw, trust, x509.ExtKeyUsageServerAuth)
	}
	if c.sel == "native" {
		for i := range creds {
			cfg.Certificates = append(cfg.Certificates, creds[i].pair)
		}
	} else {
		cfg.GetClientCertificate = func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
			obs.receivedExposed = true
			obs.received = make([][]byte, len(cri.AcceptableCAs))
			for i, dn := range cri.AcceptableCAs {
				obs.received[i] = append([]byte{}, dn...)
			}
			i := byIssuer(obs.received, creds)
			obs.sentCert = i
			if i < 0 {
				return &tls.Certificate{}, nil
			}
			return &creds[i].pair, nil
		}
	}
	kl := openKeylog(c)
	if kl != nil {
		defer kl.Close()
		cfg.KeyLogWriter = kl
	}
	conn := tls.Client(raw, cfg)
	setDeadline(raw, c.timeoutMS)
	if err := conn.Handshake(); err != nil {
		obs.setError(errHandshake, "Handshake: %v", err)
	} else {
		setDeadline(raw, c.timeoutMS)
		b := make([]byte, 1)
		if c.appRequest != "" {
			if _, err := conn.Write([]byte(c.appRequest)); err != nil {
				obs.setError(errData, "Write: %v", err)
				readAlerts(conn, obs)
				return
			}
		}
		// Read returns (1, io.EOF) when the peer's close_notify came in the
		// same read as the byte (conn.go Read): the byte counts first.
		n, err := conn.Read(b)
		switch {
		case n == 1 && (b[0] == 'x' || c.appRequest != ""):
			obs.handshakeOK = true
			conn.CloseWrite()
		case n == 1:
			obs.setError(errByte, "Read: received an unexpected application byte")
		default:
			obs.setError(errData, "Read: %v", err)
		}
	}
	readAlerts(conn, obs)
}
