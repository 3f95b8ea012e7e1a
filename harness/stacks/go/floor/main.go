// Command bench_floor_go is the floor ci/bench compares cabound with for Go
// (the Go twin of fuzz/bench_floor.c): Go's own handshake cost with both
// sides in one process over net.Pipe, with no harness, relay or processes.
// Each iteration is a whole TLS 1.2 handshake with a client certificate,
// each side verifying the other's chain, with a server list of about
// LIST_BYTES list bytes built inside the timed loop the way the shim builds
// it once per case (each case has a new list):
//
//	explicit     (printed first: the mode cabound's "auto" picks for Go) one
//	             certificate per DN made with x509.CreateCertificate and
//	             Template.RawSubject and kept across lists, as ../server.go
//	             explicitPool; the client
//	             is verified against the CA in VerifyPeerCertificate.
//	trust-store  (printed second) the PEM bundle read with
//	             AppendCertsFromPEM; crypto/tls verifies against that pool.
//
// It prints the mean microseconds per handshake of each (the unit of the C
// floors): "EXPLICIT_US TRUST_STORE_US".
//
// With PEM_LIST (a file naming one PEM bundle per line; ci/bench gives the
// bundles cabound made for the same cases) the bundles are read into memory
// first and used in turn; without it, one bundle of throwaway certificates
// is made per iteration before the clock starts.
//
// usage: bench_floor_go LIST_BYTES ITERATIONS [PEM_LIST]
package main

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"os"
	"strconv"
	"strings"
	"time"
)

func die(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench_floor_go: "+format+"\n", args...)
	os.Exit(2)
}

type issued struct {
	pair tls.Certificate
	x    *x509.Certificate
}

func issue(name string, parent *issued, isCA bool, usage x509.ExtKeyUsage) *issued {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		die("%v", err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: isCA, BasicConstraintsValid: true}
	if isCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{usage}
		tmpl.DNSNames = []string{name}
	}
	pTmpl, pKey := tmpl, any(key)
	if parent != nil {
		pTmpl, pKey = parent.x, parent.pair.PrivateKey
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, pTmpl, &key.PublicKey, pKey)
	if err != nil {
		die("%v", err)
	}
	x, _ := x509.ParseCertificate(der)
	return &issued{pair: tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, x: x}
}

// throwawayBundle makes a PEM bundle of self-signed certificates whose
// subjects add up to about listBytes list bytes (2 + len(DN) each).
func throwawayBundle(listBytes int, seq int) []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		die("%v", err)
	}
	var out []byte
	for n, i := 0, 0; n < listBytes; i++ {
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(int64(i + 1)),
			Subject:   pkix.Name{CommonName: fmt.Sprintf("floor %d CA %d %s", seq, i, strings.Repeat("x", 40))},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
			BasicConstraintsValid: true}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			die("%v", err)
		}
		x, _ := x509.ParseCertificate(der)
		n += 2 + len(x.RawSubject)
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	return out
}

// explicitPool is the shim's explicit mode (../server.go explicitPool): one
// self-signed certificate per DN under a throwaway Ed25519 key, kept across
// lists by DN and occurrence as the shim keeps them across cases (dnCerts),
// so that a DN seen before costs no new certificate: ci/bench's cases share
// most of their DNs, and the floor pays what the shim pays for them.
var (
	dnKey   ed25519.PrivateKey
	dnCerts = map[string]*x509.Certificate{}
	serial  int64
)

func explicitPool(dns [][]byte) *x509.CertPool {
	if dnKey == nil {
		var err error
		if _, dnKey, err = ed25519.GenerateKey(rand.Reader); err != nil {
			die("%v", err)
		}
	}
	pool := x509.NewCertPool()
	seen := map[string]int{}
	for _, dn := range dns {
		seen[string(dn)]++
		key := fmt.Sprintf("%d:%s", seen[string(dn)], dn)
		x := dnCerts[key]
		if x == nil {
			serial++
			tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), RawSubject: dn,
				NotBefore: time.Unix(1577836800, 0), NotAfter: time.Unix(4102444800, 0)}
			der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, dnKey.Public(), dnKey)
			if err != nil {
				die("%v", err)
			}
			if x, err = x509.ParseCertificate(der); err != nil {
				die("%v", err)
			}
			dnCerts[key] = x
		}
		pool.AddCert(x)
	}
	return pool
}

func main() {
	if len(os.Args) != 3 && len(os.Args) != 4 {
		fmt.Fprintf(os.Stderr, "usage: %s LIST_BYTES ITERATIONS [PEM_LIST]\n", os.Args[0])
		os.Exit(2)
	}
	listBytes, err1 := strconv.Atoi(os.Args[1])
	iters, err2 := strconv.Atoi(os.Args[2])
	if err1 != nil || err2 != nil || iters <= 0 || iters > 10000 || listBytes < 0 {
		die("LIST_BYTES and ITERATIONS (1..10000) must be numbers")
	}
	var bundles [][]byte
	if len(os.Args) == 4 {
		f, err := os.Open(os.Args[3])
		if err != nil {
			die("%v", err)
		}
		s := bufio.NewScanner(f)
		for s.Scan() {
			if p := strings.TrimSpace(s.Text()); p != "" {
				b, err := os.ReadFile(p)
				if err != nil {
					die("%v", err)
				}
				bundles = append(bundles, b)
			}
		}
		f.Close()
		if len(bundles) == 0 {
			die("%s names no PEM bundle", os.Args[3])
		}
	} else {
		for i := 0; i < iters; i++ {
			bundles = append(bundles, throwawayBundle(listBytes, i))
		}
	}

	ca := issue("floor CA", nil, true, 0)
	server := issue("server.floor", ca, false, x509.ExtKeyUsageServerAuth)
	client := issue("client.floor", ca, false, x509.ExtKeyUsageClientAuth)
	roots := x509.NewCertPool()
	roots.AddCert(ca.x)
	verify := func(usage x509.ExtKeyUsage) func([][]byte, [][]*x509.Certificate) error {
		return func(raw [][]byte, _ [][]*x509.Certificate) error {
			leaf, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			_, err = leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{usage}})
			return err
		}
	}

	// The subjects of each bundle, for the explicit mode, before the clock.
	subjects := make([][][]byte, len(bundles))
	for i, b := range bundles {
		for rest := b; ; {
			var blk *pem.Block
			if blk, rest = pem.Decode(rest); blk == nil {
				break
			}
			if x, err := x509.ParseCertificate(blk.Bytes); err == nil {
				subjects[i] = append(subjects[i], x.RawSubject)
			}
		}
	}
	var results []float64
	// explicit first: ci/bench reads the first number as the floor.
	for _, explicit := range []bool{true, false} {
		start := time.Now()
		for i := 0; i < iters; i++ {
			scfg := &tls.Config{Certificates: []tls.Certificate{server.pair},
				MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12}
			if explicit {
				scfg.ClientCAs = explicitPool(subjects[i%len(subjects)])
				scfg.ClientAuth = tls.RequireAnyClientCert
				scfg.VerifyPeerCertificate = verify(x509.ExtKeyUsageClientAuth)
			} else {
				pool := x509.NewCertPool()
				if !pool.AppendCertsFromPEM(bundles[i%len(bundles)]) {
					die("bundle %d holds no certificate", i%len(bundles))
				}
				pool.AddCert(ca.x) // the client's issuer: crypto/tls verifies against this pool
				scfg.ClientCAs = pool
				scfg.ClientAuth = tls.RequireAndVerifyClientCert
			}
			ccfg := &tls.Config{InsecureSkipVerify: true, VerifyPeerCertificate: verify(x509.ExtKeyUsageServerAuth),
				MinVersion: tls.VersionTLS12, MaxVersion: tls.VersionTLS12,
				GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &client.pair, nil }}
			a, b := net.Pipe()
			s, c := tls.Server(a, scfg), tls.Client(b, ccfg)
			done := make(chan error, 1)
			go func() { done <- s.Handshake() }()
			cerr := c.Handshake()
			if serr := <-done; serr != nil || cerr != nil {
				die("handshake %d failed: server %v, client %v", i, serr, cerr)
			}
			a.Close()
			b.Close()
		}
		results = append(results, float64(time.Since(start).Microseconds())/float64(iters))
	}
	fmt.Printf("%.1f %.1f\n", results[0], results[1])
}
