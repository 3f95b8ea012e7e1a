package main

// listfile.go — the CA-list file format of harness/lib/listfile.h, read and
// written the same way as cb_listfile_read / cb_listfile_write (the one
// definition lives there; this is its Go reading, kept small on purpose).

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const listHeader = "cabound-list 1"

// readList parses a list file into its DNs, in file order. Errors name the
// file and line, as cb_listfile_parse does.
func readList(path string) ([][]byte, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if bytes.IndexByte(text, 0) >= 0 {
		return nil, fmt.Errorf("%s:0: binary data (NUL byte) in a list file", path)
	}
	if len(text) == 0 {
		return nil, fmt.Errorf("%s:0: empty file (expected header %q)", path, listHeader)
	}
	lines := strings.Split(string(text), "\n")
	if text[len(text)-1] == '\n' {
		lines = lines[:len(lines)-1]
	}
	var dns [][]byte
	for i, line := range lines {
		no := i + 1
		line = strings.TrimSuffix(line, "\r")
		if i == 0 {
			if line != listHeader {
				return nil, fmt.Errorf("%s:%d: expected header %q", path, no, listHeader)
			}
			continue
		}
		f := strings.Fields(line) // splits on spaces and tabs like the C parser
		switch {
		case len(f) == 0 || strings.HasPrefix(f[0], "#"):
		case f[0] != "dn":
			return nil, fmt.Errorf("%s:%d: unknown line (expected \"dn HEX [label]\", a comment or a blank line)", path, no)
		case len(f) == 1:
			dns = append(dns, []byte{}) // "dn" alone: a zero-length DN
		case len(f) > 3:
			return nil, fmt.Errorf("%s:%d: unexpected text after the label", path, no)
		default:
			if len(f[1])%2 != 0 {
				return nil, fmt.Errorf("%s:%d: odd number of hex digits (%d)", path, no, len(f[1]))
			}
			if len(f[1])/2 > 65535 {
				return nil, fmt.Errorf("%s:%d: DN of %d bytes exceeds 65535", path, no, len(f[1])/2)
			}
			der, err := hex.DecodeString(f[1])
			if err != nil {
				return nil, fmt.Errorf("%s:%d: not a hex digit in DN: %v", path, no, err)
			}
			if len(f) == 3 && !labelOK(f[2]) {
				return nil, fmt.Errorf("%s:%d: bad label (allowed: A-Z a-z 0-9 . _ : @ -, up to 127)", path, no)
			}
			dns = append(dns, der)
		}
	}
	return dns, nil
}

func labelOK(s string) bool {
	if len(s) == 0 || len(s) > 127 {
		return false
	}
	for _, c := range s {
		ok := c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			strings.ContainsRune("._:@-", c)
		if !ok {
			return false
		}
	}
	return true
}

// writeList writes dns to path atomically (a temporary file, then rename),
// with comment as "# " lines after the header.
func writeList(path string, dns [][]byte, comment string) error {
	var b bytes.Buffer
	b.WriteString(listHeader + "\n")
	for _, l := range strings.Split(comment, "\n") {
		if comment != "" {
			b.WriteString("# " + l + "\n")
		}
	}
	for _, dn := range dns {
		b.WriteString("dn " + hex.EncodeToString(dn) + "\n")
	}
	tmp := fmt.Sprintf("%s.tmp.%d", path, os.Getpid())
	if err := os.WriteFile(tmp, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s: write failed: %v", filepath.Clean(path), err)
	}
	return nil
}
