package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestListRoundTrip: what writeList writes, readList reads back, DN for DN,
// including a zero-length DN and duplicates.
func TestListRoundTrip(t *testing.T) {
	dns := [][]byte{{0x30, 0x00}, {}, {0x30, 0x03, 0x31, 0x01, 0x00}, {0x30, 0x00}}
	p := filepath.Join(t.TempDir(), "l.list")
	if err := writeList(p, dns, "two\nlines"); err != nil {
		t.Fatal(err)
	}
	got, err := readList(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(dns) {
		t.Fatalf("read %d DNs, wrote %d", len(got), len(dns))
	}
	for i := range dns {
		if !bytes.Equal(got[i], dns[i]) {
			t.Errorf("DN %d: read %x, wrote %x", i, got[i], dns[i])
		}
	}
}

// TestListErrors: bad input names the file and the line.
func TestListErrors(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"cabound-list 2\n", ":1: expected header"},
		{"cabound-list 1\ndn 300\n", ":2: odd number of hex digits"},
		{"cabound-list 1\n# c\ndn 30zz\n", ":3: not a hex digit"},
		{"cabound-list 1\nca 3000\n", ":2: unknown line"},
		{"cabound-list 1\ndn 3000 l%bel\n", ":2: bad label"},
		{"cabound-list 1\ndn 3000 a b\n", ":2: unexpected text after the label"},
		{"", ":0: empty file"},
	} {
		p := filepath.Join(t.TempDir(), "bad.list")
		if err := os.WriteFile(p, []byte(c.text), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := readList(p)
		if err == nil || !strings.Contains(err.Error(), p+c.want) {
			t.Errorf("%q: got %v, want %q", c.text, err, p+c.want)
		}
	}
}
