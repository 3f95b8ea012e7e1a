package main

// server.go — the server side of a case.
//
// Setting the list: crypto/tls has one way, Config.ClientCAs (an
// x509.CertPool); the CertificateRequest carries ClientCAs.Subjects(), the
// RawSubject of each pooled certificate in the order added
// (handshake_server.go doFullHandshake, handshake_server_tls13.go
// sendServerCertificate; crypto/x509/cert_pool.go Subjects).
//   trust-store  ClientCAs = calist_pem read with AppendCertsFromPEM, the
//                native way; the same pool verifies the client
//                (processCertsFromClient), ClientAuth
//                RequireAndVerifyClientCert or VerifyClientCertIfGiven.
//   explicit     ClientCAs = one throwaway self-signed certificate per DN of
//                the list file, made with x509.CreateCertificate with
//                Template.RawSubject = the DN (see explicitPool). Those
//                certificates must not verify anyone, so ClientAuth is
//                RequireAnyClientCert or RequestClientCert and
//                VerifyPeerCertificate verifies against `trust`.
//   none         no ClientCAs, verification as for explicit: TLS 1.2 sends
//                an empty list, TLS 1.3 omits certificate_authorities.

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"math/big"
	"net"
	"os"
	"time"
)

var explicitCache = cache[*x509.CertPool]{}

// dnCerts keeps the throwaway certificate made for each DN (with its
// occurrence number in the list, so a repeated DN gets a certificate of its
// own) across cases: a run's lists share most of their DNs (the same filler
// seed), and making a certificate costs a signature and its verification
// (CreateCertificate checks what it signed), about 0.2 ms of CPU here.
var (
	dnCerts   = map[string]*x509.Certificate{}
	dnKey     ed25519.PrivateKey
	dnSerial  int64
	dnCertMax = 200000
)

// explicitPool builds a CertPool whose Subjects() are exactly the list
// file's DNs, in order, duplicates included. Each DN becomes the subject
// (and, self-signed, the issuer) of a certificate signed by a throwaway
// Ed25519 key; CreateCertificate writes RawSubject unchanged
// (crypto/x509/x509.go subjectBytes, asn1.RawValue FullBytes), and distinct
// serial numbers keep AddCert from dropping a repeated DN (cert_pool.go
// addCertFunc dedupes by the SHA-224 of the whole certificate only).
// A DN the API cannot hold is an error, never silently replaced:
// a zero-length DN (subjectBytes would encode Template.Subject instead),
// one x509.ParseCertificate rejects, or one whose RawSubject comes back
// different.
func explicitPool(c *shimCase) (*x509.CertPool, error) {
	id, err := fileID(c.calistPath)
	if err != nil {
		return nil, err
	}
	return explicitCache.get(id, func() (*x509.CertPool, error) {
		if dnKey == nil || len(dnCerts) > dnCertMax {
			if _, dnKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
				return nil, err
			}
			dnCerts = map[string]*x509.Certificate{}
		}
		pool := x509.NewCertPool()
		seen := map[string]int{}
		for i, dn := range c.calist {
			if len(dn) == 0 {
				return nil, fmt.Errorf("calist DN %d is empty: x509.CreateCertificate cannot carry a zero-length RawSubject", i)
			}
			seen[string(dn)]++
			key := fmt.Sprintf("%d:%s", seen[string(dn)], dn)
			cert := dnCerts[key]
			if cert == nil {
				dnSerial++
				tmpl := &x509.Certificate{
					SerialNumber: big.NewInt(dnSerial),
					RawSubject:   dn,
					NotBefore:    time.Unix(1577836800, 0), // 2020-01-01, as harness/pki
					NotAfter:     time.Unix(4102444800, 0),
				}
				der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, dnKey.Public(), dnKey)
				if err != nil {
					return nil, fmt.Errorf("calist DN %d (%d bytes): x509.CreateCertificate: %v", i, len(dn), err)
				}
				if cert, err = x509.ParseCertificate(der); err != nil {
					return nil, fmt.Errorf("calist DN %d (%d bytes) does not parse with x509.ParseCertificate: %v", i, len(dn), err)
				}
				if !bytes.Equal(cert.RawSubject, dn) {
					return nil, fmt.Errorf("calist DN %d (%d bytes): RawSubject came back as %d other bytes", i, len(dn), len(cert.RawSubject))
				}
				dnCerts[key] = cert
			}
			pool.AddCert(cert)
		}
		return pool, nil
	})
}

func tlsVersion(c *shimCase) uint16 {
	if c.tls13 {
		return tls.VersionTLS13
	}
	return tls.VersionTLS12
}

// openKeylog opens the case's key log for appending (nil: none).
func openKeylog(c *shimCase) *os.File {
	if c.keylog == "" {
		return nil
	}
	f, err := os.OpenFile(c.keylog, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		// As shim_keylog in shim.c: no key log is not a failed case (the
		// harness then cannot decrypt TLS 1.3 and says so itself).
		fmt.Fprintf(os.Stderr, "shim: key log %s: %v\n", c.keylog, err)
		return nil
	}
	return f
}

func serverConfig(c *shimCase, obs *observation) *tls.Config {
	pair, err := loadPair(c.cert, c.key)
	if err != nil {
		obs.setError(errSetup, "loading server certificate %s: %v", c.cert, err)
		return nil
	}
	v := tlsVersion(c)
	cfg := &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: v, MaxVersion: v}
	if c.source == "trust-store" {
		pool, err := loadPool(c.calistPEM)
		if err != nil {
			obs.setError(errSetup, "loading calist_pem: %v", err)
			return nil
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
		if c.require {
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
	} else {
		trust := x509.NewCertPool() // no trust file: nothing verifies
		if c.trust != "" {
			if trust, err = loadPool(c.trust); err != nil {
				obs.setError(errSetup, "loading trust: %v", err)
				return nil
			}
		}
		if c.source == "explicit" {
			if cfg.ClientCAs, err = explicitPool(c); err != nil {
				obs.setError(errSetup, "%v", err)
				return nil
			}
		}
		cfg.ClientAuth = tls.RequestClientCert
		if c.require {
			cfg.ClientAuth = tls.RequireAnyClientCert
		}
		cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
			return verifyChain(raw, trust, x509.ExtKeyUsageClientAuth)
		}
	}
	return cfg
}

func runServer(c *shimCase, raw net.Conn, obs *observation) {
	cfg := serverConfig(c, obs)
	if cfg == nil {
		return
	}
	kl := openKeylog(c)
	if kl != nil {
		defer kl.Close()
		cfg.KeyLogWriter = kl
	}
	conn := tls.Server(raw, cfg)
	setDeadline(raw, c.timeoutMS)
	if err := conn.Handshake(); err != nil {
		obs.setError(errHandshake, "Handshake: %v", err)
	} else {
		setDeadline(raw, c.timeoutMS)
		if _, err := conn.Write([]byte("x")); err != nil {
			obs.setError(errData, "Write: %v", err)
		} else {
			obs.handshakeOK = true
			conn.CloseWrite() // our close_notify; the peer's is not awaited
		}
	}
	// The client's leaf as crypto/tls kept it: set only once
	// processCertsFromClient accepted the chain (a chain it rejects is not
	// stored, so peer_cert is null then).
	if pc := conn.ConnectionState().PeerCertificates; len(pc) > 0 {
		obs.peerCert = pc[0].Raw
	}
	readAlerts(conn, obs)
}
