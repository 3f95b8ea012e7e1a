// Command cabound-shim-go is cabound's shim for Go's crypto/tls (standard
// library only), speaking shim contract 1 (../README.md): the request loop
// on fd 3, the one-shot modes and --describe. NOTES.md cites the Go source
// for every behaviour the shim relies on.
package main

import (
	"fmt"
	"net"
	"os"
	"runtime"
	"strconv"
)

const (
	stackName       = "go"
	exitUnsupported = 89
	exitUsage       = 2
)

var (
	supportedTLS     = []string{"1.2", "1.3"}
	supportedSources = []string{"explicit", "trust-store", "none"}
	supportedSelects = []string{"native", "by-issuer"}
)

// stackVersion is the version of the Go release whose crypto/tls is linked
// in: the standard library is compiled into the binary.
func stackVersion() string { return runtime.Version() }

// libraryPath names the library: there is no shared object to dladdr, so
// the package and the GOROOT the shim was built from.
func libraryPath() string { return "crypto/tls (Go stdlib) " + runtime.GOROOT() }

func usage() {
	a := os.Args[0]
	fmt.Fprintf(os.Stderr, "usage: %s --serve              (request loop on fd 3, see harness/stacks/README.md)\n"+
		"       %s --describe\n"+
		"       %s --request FILE (--fd N | --connect HOST:PORT | --listen HOST:PORT)\n", a, a, a)
}

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	var request, connectTo, listenOn string
	fd := -1
	serve, describe := false, false
	for i := 0; i < len(args); i++ {
		a := args[i]
		next := i+1 < len(args)
		switch {
		case a == "--serve":
			serve = true
		case a == "--describe":
			describe = true
		case a == "--request" && next:
			i++
			request = args[i]
		case a == "--fd" && next:
			i++
			n, err := strconv.Atoi(args[i])
			if err != nil || n < 0 {
				fmt.Fprintf(os.Stderr, "--fd: not a file descriptor: %s\n", args[i])
				return exitUsage
			}
			fd = n
		case a == "--connect" && next:
			i++
			connectTo = args[i]
		case a == "--listen" && next:
			i++
			listenOn = args[i]
		default:
			fmt.Fprintf(os.Stderr, "Unrecognized flag: %s\n", a)
			usage()
			return exitUsage
		}
	}
	if describe {
		return printDescribe()
	}
	if serve {
		return serveLoop(ctlFD)
	}
	if request == "" {
		usage()
		return exitUsage
	}
	var conn net.Conn
	var err error
	switch {
	case fd >= 0:
		conn, err = fdConn(fd)
	case connectTo != "":
		conn, err = net.Dial("tcp", connectTo)
	case listenOn != "":
		conn, err = acceptOne(listenOn)
	default:
		usage()
		return exitUsage
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "shim: %v\n", err)
		return exitUsage
	}
	return oneShot(request, conn)
}

func printDescribe() int {
	d := object{{"stack", stackName}, {"version", stackVersion()}, {"library", libraryPath()},
		{"tls", supportedTLS}, {"calist_source", supportedSources}, {"select", supportedSelects},
		{"runtime", runtime.Version() + " " + runtime.GOOS + "/" + runtime.GOARCH + " " + runtime.Compiler},
		{"contract", contractVersion}}
	b, err := marshal(d)
	if err != nil {
		fmt.Fprintf(os.Stderr, "shim: %v\n", err)
		return 1
	}
	fmt.Println(string(b))
	return 0
}

func acceptOne(addr string) (net.Conn, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	defer l.Close()
	return l.Accept()
}

// oneShot runs the request in file path over conn and prints the
// observation; 89 when the case is unsupported, 2 for a bad request.
func oneShot(path string, conn net.Conn) int {
	text, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%v\n", err)
		conn.Close()
		return exitUsage
	}
	c, err := parseRequest(text)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", path, err)
		conn.Close()
		return exitUsage
	}
	o := observe(c, conn)
	b, err := marshal(o)
	if err != nil {
		fmt.Fprintf(os.Stderr, "shim: %v\n", err)
		return 1
	}
	fmt.Println(string(b))
	for _, e := range o {
		if e.k == "status" && e.v == "unsupported" {
			return exitUnsupported
		}
	}
	return 0
}
