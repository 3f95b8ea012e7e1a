package main

// request.go — the contract's request (../README.md "Request"), parsed and
// checked the way parse_request in ../common/shim.c does, with the same
// messages.

import (
	"encoding/json"
	"fmt"
	"strings"
)

const contractVersion = 1

type credPaths struct {
	Cert string `json:"cert"`
	Key  string `json:"key"`
}

// shimCase is one parsed request.
type shimCase struct {
	id          string
	server      bool
	tls13       bool
	cert, key   string
	clientCreds []credPaths
	trust       string
	source      string // explicit, trust-store, raw, none
	calistPath  string
	calistPEM   string
	calist      [][]byte // server: calistPath, loaded
	require     bool
	sel         string // native, by-issuer
	keylog      string
	receivedOut string
	timeoutMS   int
	// appRequest: written after the handshake before the first byte is read;
	// a real application server (harness/stacks/apps) answers a request.
	appRequest string
}

func (c *shimCase) tlsName() string {
	if c.tls13 {
		return "1.3"
	}
	return "1.2"
}

// mode is the calist_source (server) or select (client) in use.
func (c *shimCase) mode() string {
	if c.server {
		return c.source
	}
	return c.sel
}

// optStr returns the string value of key, or "" when it is absent or not a
// string (as opt_str in shim.c).
func optStr(m map[string]json.RawMessage, key string) string {
	var s string
	if v, ok := m[key]; ok && json.Unmarshal(v, &s) == nil {
		return s
	}
	return ""
}

// caseID is the request's case id for an error reply ("" when unknown).
func caseID(text []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(text, &m) != nil {
		return ""
	}
	return optStr(m, "case")
}

// parseRequest checks one JSON request and fills a shimCase.
func parseRequest(text []byte) (*shimCase, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(text, &m); err != nil {
		if strings.HasPrefix(strings.TrimSpace(string(text)), "{") {
			return nil, fmt.Errorf("request is not JSON: %v", err)
		}
		return nil, fmt.Errorf("request is not a JSON object")
	}
	if v, ok := m["contract"]; !ok || strings.TrimSpace(string(v)) != fmt.Sprint(contractVersion) {
		return nil, fmt.Errorf("request contract must be %d", contractVersion)
	}
	c := &shimCase{
		id: optStr(m, "case"), cert: optStr(m, "cert"), key: optStr(m, "key"),
		trust: optStr(m, "trust"), calistPath: optStr(m, "calist"), calistPEM: optStr(m, "calist_pem"),
		keylog: optStr(m, "keylog"), receivedOut: optStr(m, "received_out"), timeoutMS: 5000,
		appRequest: optStr(m, "app_request"),
	}
	switch optStr(m, "role") {
	case "server":
		c.server = true
	case "client":
	default:
		return nil, fmt.Errorf("role must be \"server\" or \"client\"")
	}
	switch optStr(m, "tls") {
	case "1.2":
	case "1.3":
		c.tls13 = true
	default:
		return nil, fmt.Errorf("tls must be \"1.2\" or \"1.3\"")
	}
	if v, ok := m["timeout_ms"]; ok {
		var t int
		if json.Unmarshal(v, &t) == nil {
			c.timeoutMS = t
		}
	}
	switch v := optStr(m, "verify"); v {
	case "", "require":
		c.require = true
	case "request":
	default:
		return nil, fmt.Errorf("verify must be \"require\" or \"request\"")
	}
	c.source = optStr(m, "calist_source")
	switch c.source {
	case "":
		c.source = "explicit"
	case "explicit", "trust-store", "raw", "none":
	default:
		return nil, fmt.Errorf("unknown calist_source \"%s\"", c.source)
	}
	c.sel = optStr(m, "select")
	switch c.sel {
	case "":
		c.sel = "native"
	case "native", "by-issuer":
	default:
		return nil, fmt.Errorf("unknown select \"%s\"", c.sel)
	}
	if v, ok := m["client_creds"]; ok {
		var creds []map[string]json.RawMessage
		if json.Unmarshal(v, &creds) != nil {
			return nil, fmt.Errorf("client_creds must be an array")
		}
		for i, e := range creds {
			cp := credPaths{Cert: optStr(e, "cert"), Key: optStr(e, "key")}
			if cp.Cert == "" || cp.Key == "" {
				return nil, fmt.Errorf("client_creds[%d] needs cert and key", i)
			}
			c.clientCreds = append(c.clientCreds, cp)
		}
	}
	if c.server {
		if c.cert == "" || c.key == "" {
			return nil, fmt.Errorf("server needs cert and key")
		}
		if c.source != "none" && c.source != "trust-store" && c.calistPath == "" {
			return nil, fmt.Errorf("calist_source %s needs calist", c.source)
		}
		if c.source == "trust-store" && c.calistPEM == "" {
			return nil, fmt.Errorf("calist_source trust-store needs calist_pem")
		}
		if c.calistPath != "" {
			l, err := readList(c.calistPath)
			if err != nil {
				return nil, err
			}
			c.calist = l
		}
	}
	return c, nil
}
