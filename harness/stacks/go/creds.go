package main

// creds.go — loading key pairs and trust pools, cached by the files'
// identity (path, device, inode, size, mtime) as the C shims' shim_id_add
// does: a trust store of hundreds of anchors is parsed once per run, and a
// file made again under the same name is read again.

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"
	"syscall"
)

const cacheMax = 32

func fileID(path string) (string, error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	id := fmt.Sprintf("%s\t%d:%d", path, st.Size(), st.ModTime().UnixNano())
	if s, ok := st.Sys().(*syscall.Stat_t); ok {
		id += fmt.Sprintf(":%d:%d", s.Dev, s.Ino)
	}
	return id, nil
}

type cache[T any] map[string]T

// get returns the cached value for key, or builds and keeps it.
func (c cache[T]) get(key string, build func() (T, error)) (T, error) {
	if v, ok := c[key]; ok {
		return v, nil
	}
	v, err := build()
	if err != nil {
		return v, err
	}
	if len(c) >= cacheMax {
		for k := range c {
			delete(c, k)
		}
	}
	c[key] = v
	return v, nil
}

var (
	pairCache = cache[tls.Certificate]{}
	poolCache = cache[*x509.CertPool]{}
)

// loadPair reads a PEM certificate chain and key with tls.LoadX509KeyPair
// (Leaf left nil, as an application that does not parse it would).
func loadPair(certPath, keyPath string) (tls.Certificate, error) {
	a, err := fileID(certPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	b, err := fileID(keyPath)
	if err != nil {
		return tls.Certificate{}, err
	}
	return pairCache.get(a+"\n"+b, func() (tls.Certificate, error) {
		return tls.LoadX509KeyPair(certPath, keyPath)
	})
}

// loadPool reads a PEM bundle into an x509.CertPool with
// AppendCertsFromPEM, the usual way to fill Config.ClientCAs and RootCAs.
// A bundle without one certificate that parses is an error.
func loadPool(path string) (*x509.CertPool, error) {
	id, err := fileID(path)
	if err != nil {
		return nil, err
	}
	return poolCache.get(id, func() (*x509.CertPool, error) {
		pem, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		p := x509.NewCertPool()
		if !p.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: no certificate that x509.ParseCertificate accepts", path)
		}
		return p, nil
	})
}

// verifyChain checks a peer's chain (leaf first, DER) against roots, with
// the other certificates as intermediates and no host name: what
// crypto/tls does itself in processCertsFromClient (handshake_server.go) and
// verifyServerCertificate (handshake_client.go), minus the DNSName.
func verifyChain(raw [][]byte, roots *x509.CertPool, usage x509.ExtKeyUsage) error {
	if len(raw) == 0 {
		return nil
	}
	certs := make([]*x509.Certificate, len(raw))
	for i, r := range raw {
		c, err := x509.ParseCertificate(r)
		if err != nil {
			return fmt.Errorf("tls: failed to parse certificate %d: %v", i, err)
		}
		certs[i] = c
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool(),
		KeyUsages: []x509.ExtKeyUsage{usage}}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, err := certs[0].Verify(opts)
	return err
}
