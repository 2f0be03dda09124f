package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// methods records the methods a test server saw.
type methods struct {
	mu   sync.Mutex
	seen []string
}

func (m *methods) handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m.mu.Lock()
		m.seen = append(m.seen, r.Method+" "+r.Host+" "+r.URL.Path)
		m.mu.Unlock()
		w.Header().Set("X-Upstream", "test")
		w.WriteHeader(http.StatusTeapot)
	})
}

func (m *methods) get() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.seen...)
}

func certFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	f := filepath.Join(t.TempDir(), "ca.pem")
	must(t, os.WriteFile(f, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644))
	return f
}

func TestHTTPPlain(t *testing.T) {
	var m methods
	srv := httptest.NewServer(m.handler())
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	var p Prober
	res, err := p.HTTP(context.Background(), Target{Kind: KindHTTP, Network: "tcp", Address: addr, Host: "app.test", URI: "/health"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Status != 418 || res.Proto != "HTTP/1.1" || res.Header.Get("X-Upstream") != "test" || !hasPrefix(res.First, "HTTP/1.1 418") || res.TLS != nil {
		t.Errorf("res = %+v", res)
	}
	if got := m.get(); len(got) != 1 || got[0] != "HEAD app.test /health" {
		t.Errorf("server saw %q, want one HEAD", got)
	}

	// TLS to a plaintext server: the server answers the ClientHello with
	// an HTTP 400 in plaintext.
	_, err = p.TLS(context.Background(), Target{Kind: KindHTTPS, Network: "tcp", Address: addr})
	diffErr(t, err, ErrPlaintext)
	var pe *ProtocolError
	if !errors.As(err, &pe) || !hasPrefix(pe.First, "HTTP/1.1 400") {
		t.Errorf("err = %#v", err)
	}
	// The same through HTTP on a KindHTTPS target.
	_, err = p.HTTP(context.Background(), Target{Kind: KindHTTPS, Network: "tcp", Address: addr})
	diffErr(t, err, ErrPlaintext)
	if got := m.get(); len(got) != 1 {
		t.Errorf("server saw %q, want only the first HEAD", got)
	}
}

func TestHTTPS(t *testing.T) {
	var m methods
	srv := httptest.NewUnstartedServer(m.handler())
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	addr := srv.Listener.Addr().String()
	ca := certFile(t, srv)
	var p Prober
	ctx := context.Background()

	t.Run("trusted, name matches", func(t *testing.T) {
		res, err := p.HTTP(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: addr, SNI: "example.com", TrustedCertificate: ca})
		if err != nil {
			t.Fatal(err)
		}
		if res.Status != 418 || res.TLS == nil {
			t.Fatalf("res = %+v", res)
		}
		tr := res.TLS
		if tr.Verify != nil || tr.NameMatch != nil || tr.VersionName != "TLS 1.3" || tr.ALPN != "" || tr.SNI != "example.com" ||
			len(tr.Certificates) != 1 || !strings.Contains(tr.Certificates[0].Subject, "Acme Co") {
			t.Errorf("tls = %+v", tr)
		}
	})
	t.Run("system roots: unknown authority", func(t *testing.T) {
		tr, err := p.TLS(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: addr, ALPN: []string{"h2", "http/1.1"}})
		if err != nil {
			t.Fatal(err)
		}
		var ua x509.UnknownAuthorityError
		if !errors.As(tr.Verify, &ua) {
			t.Errorf("verify = %v, want x509.UnknownAuthorityError", tr.Verify)
		}
		// No SNI sent; the name checked is the address's host, an IP
		// address that httptest's certificate carries.
		if tr.SNI != "" || tr.VerifyName != "127.0.0.1" || tr.NameMatch != nil || tr.ALPN != "h2" {
			t.Errorf("tls = %+v", tr)
		}
	})
	t.Run("name mismatch", func(t *testing.T) {
		tr, err := p.TLS(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: addr, SNI: "backend.internal", TrustedCertificate: ca})
		if err != nil {
			t.Fatal(err)
		}
		var he x509.HostnameError
		if tr.Verify != nil || !errors.As(tr.NameMatch, &he) {
			t.Errorf("verify %v, name %v; want nil, x509.HostnameError", tr.Verify, tr.NameMatch)
		}
	})
	t.Run("plaintext HEAD to TLS server", func(t *testing.T) {
		// Go's TLS server answers a plaintext request with an HTTP 400;
		// the HEAD succeeds and only a handshake tells TLS is spoken.
		res, err := p.HTTP(ctx, Target{Kind: KindHTTP, Network: "tcp", Address: addr})
		if err != nil || res.Status != 400 {
			t.Errorf("res = %+v, %v", res, err)
		}
	})
	if got := m.get(); len(got) != 1 || !strings.HasPrefix(got[0], "HEAD ") {
		t.Errorf("server saw %q, want one HEAD", got)
	}
}

func TestHTTPFaults(t *testing.T) {
	alert := func(c net.Conn, _ <-chan struct{}) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Read(make([]byte, 1024))
		// A TLS alert record: protocol_version (70), as OpenSSL sends it
		// for a plaintext request.
		c.Write([]byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46})
	}
	fastcgi := func(c net.Conn, _ <-chan struct{}) {
		c.SetDeadline(time.Now().Add(2 * time.Second))
		c.Read(make([]byte, 1024))
		c.Write(capture(t, "ping.bin"))
	}
	// closer reads the request (an HTTP HEAD or a ClientHello, one segment)
	// before it closes: closing with unread data would make the kernel send
	// a reset instead of a FIN, and the test a race between the two.
	closer := func(c net.Conn, _ <-chan struct{}) {
		c.SetReadDeadline(time.Now().Add(time.Second))
		c.Read(make([]byte, 4096))
	}
	tests := []struct {
		name   string
		handle func(net.Conn, <-chan struct{})
		want   error
	}{
		{"TLS alert", alert, ErrTLSAnswer},
		{"FastCGI answer", fastcgi, ErrNotHTTP},
		{"closed", closer, io.ErrUnexpectedEOF},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			addr := serve(t, "tcp", tt.handle)
			var p Prober
			_, err := p.HTTP(context.Background(), Target{Kind: KindHTTP, Network: "tcp", Address: addr})
			diffErr(t, err, tt.want)
		})
	}
	t.Run("TLS to a closing server", func(t *testing.T) {
		addr := serve(t, "tcp", closer)
		var p Prober
		_, err := p.TLS(context.Background(), Target{Kind: KindHTTPS, Network: "tcp", Address: addr})
		diffErr(t, err, io.ErrUnexpectedEOF)
	})
	t.Run("TLS alert to ClientHello", func(t *testing.T) {
		srv := httptest.NewUnstartedServer(http.NotFoundHandler())
		srv.Config.ErrorLog = log.New(io.Discard, "", 0)
		srv.TLS = &tls.Config{MaxVersion: tls.VersionTLS12, CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}}
		srv.StartTLS() // its certificate is RSA: no cipher suite in common
		defer srv.Close()
		var p Prober
		_, err := p.TLS(context.Background(), Target{Kind: KindHTTPS, Network: "tcp", Address: srv.Listener.Addr().String()})
		var ae *TLSAlertError
		if !errors.As(err, &ae) || ae.Alert != 40 || !errors.Is(err, ErrTLSAlert) {
			t.Errorf("err = %v (%T), want TLSAlertError 40 (handshake_failure)", err, err)
		}
	})
	for _, kind := range []Kind{KindHTTP, KindHTTPS} {
		t.Run(kind.String()+" silent", func(t *testing.T) {
			addr := serve(t, "tcp", silent)
			var p Prober
			ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
			defer cancel()
			_, err := p.HTTP(ctx, Target{Kind: kind, Network: "tcp", Address: addr})
			diffErr(t, err, syscall.ETIMEDOUT, context.DeadlineExceeded)
		})
	}
	t.Run("too large", func(t *testing.T) {
		huge := func(c net.Conn, _ <-chan struct{}) {
			c.SetDeadline(time.Now().Add(2 * time.Second))
			c.Read(make([]byte, 1024))
			io.WriteString(c, "HTTP/1.1 200 OK\r\nX: "+strings.Repeat("a", 4096)+"\r\n\r\n")
		}
		addr := serve(t, "tcp", huge)
		p := Prober{MaxResponseBytes: 1024}
		_, err := p.HTTP(context.Background(), Target{Kind: KindHTTP, Network: "tcp", Address: addr})
		diffErr(t, err, ErrResponseTooLarge)
	})
}
