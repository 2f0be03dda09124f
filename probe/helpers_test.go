package probe

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestMain fails the run when goroutines started by the tests are still
// running after every test and its cleanups are done (a bounded wait lets
// closing connections finish).
func TestMain(m *testing.M) {
	before := runtime.NumGoroutine()
	code := m.Run()
	// The fuzzing engine keeps its own signal goroutine running.
	fuzzing := flag.Lookup("test.fuzz") != nil && flag.Lookup("test.fuzz").Value.String() != ""
	if code == 0 && !fuzzing {
		deadline := time.Now().Add(5 * time.Second)
		n := runtime.NumGoroutine()
		for n > before && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
			n = runtime.NumGoroutine()
		}
		if n > before {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			fmt.Fprintf(os.Stderr, "goroutine leak: %d before the tests, %d after\n%s\n", before, n, buf)
			code = 1
		}
	}
	os.Exit(code)
}

// capture returns a file of testdata/fpm82: raw FastCGI answers of real
// php-fpm 8.2.35 captured on this project's test machine.
func capture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "fpm82", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// statusBody is the JSON body of a captured real php-fpm status page.
func statusBody(t testing.TB) []byte {
	t.Helper()
	resp, err := readResponse(bytes.NewReader(capture(t, "status.bin")), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return resp.Body
}

// listen returns a listener on a unix socket under t.TempDir() or on
// 127.0.0.1:0, closed when the test ends.
func listen(t testing.TB, network string) net.Listener {
	t.Helper()
	addr := "127.0.0.1:0"
	if network == "unix" {
		addr = filepath.Join(t.TempDir(), "s.sock")
	}
	l, err := net.Listen(network, addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// fakeFPM serves php-fpm's ping and status pages with net/http/fcgi: /ping
// answers "pong", /status answers the captured real JSON status page
// (json) or a text one, anything else 404 "File not found." like php-fpm.
func fakeFPM(t testing.TB, network string, status []byte) Target {
	t.Helper()
	l := listen(t, network)
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Expires", "Thu, 01 Jan 1970 00:00:00 GMT")
		switch r.URL.Path {
		case "/ping":
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, "pong")
		case "/status":
			if _, ok := r.URL.Query()["json"]; ok {
				w.Header().Set("Content-Type", "application/json")
				w.Write(status)
				return
			}
			io.WriteString(w, "pool:                 www\n")
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, "File not found.\n")
		}
	})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); fcgi.Serve(l, h) }()
	t.Cleanup(func() { l.Close(); wg.Wait() })
	return Target{Kind: KindFastCGI, Network: network, Address: l.Addr().String(), PingPath: "/ping", StatusPath: "/status"}
}

// serve runs handle on every connection accepted on a new listener until
// the test ends; it closes each connection after handle returns and waits
// for every handler at cleanup. done is closed at cleanup so that handlers
// that hold connections open can stop.
func serve(t testing.TB, network string, handle func(c net.Conn, done <-chan struct{})) string {
	t.Helper()
	l := listen(t, network)
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				handle(c, done)
			}()
		}
	}()
	t.Cleanup(func() { close(done); l.Close(); wg.Wait() })
	return l.Addr().String()
}

// garbage answers every connection like an HTTP server answers bytes it
// cannot parse.
func garbage(c net.Conn, _ <-chan struct{}) {
	c.SetDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4096)
	c.Read(buf)
	io.WriteString(c, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\nConnection: close\r\n\r\n<html>400</html>")
}

// silent accepts and never answers; it holds the connection until the
// peer closes it or the test ends.
func silent(c net.Conn, done <-chan struct{}) {
	go func() { <-done; c.Close() }()
	io.Copy(io.Discard, c)
}

func diffErr(t *testing.T, err error, want ...error) {
	t.Helper()
	for _, w := range want {
		if w == nil {
			if err != nil {
				t.Errorf("err = %v, want nil", err)
			}
			continue
		}
		if !errors.Is(err, w) {
			t.Errorf("err = %v (%T), want errors.Is %v", err, err, w)
		}
	}
}

func hasPrefix(b []byte, p string) bool { return strings.HasPrefix(string(b), p) }
