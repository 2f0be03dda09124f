package probe

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// needNginx skips the test when nginx is missing, except under CI=true.
func needNginx(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("nginx")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginx not found (CI=true requires it): %v", err)
		}
		t.Skipf("nginx not found, skipping the real nginx test: %v", err)
	}
	return path
}

// freePort returns a loopback address nobody listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// selfSigned writes a self-signed ECDSA certificate for "localhost" and
// 127.0.0.1 and its key as PEM files in dir.
func selfSigned(t *testing.T, dir string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "localhost", Organization: []string{"badgateway test"}},
		DNSNames:     []string{"localhost"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	must(t, err)
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	must(t, os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644))
	must(t, os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), 0o600))
	return certFile, keyFile
}

// startNginx runs real nginx with a plaintext server and a TLS server on
// free loopback ports, both answering 204, and returns their addresses.
func startNginx(t *testing.T) (plain, tlsAddr, certFile string) {
	t.Helper()
	bin := needNginx(t)
	dir := t.TempDir()
	certFile, keyFile := selfSigned(t, dir)
	plain, tlsAddr = freePort(t), freePort(t)
	conf := fmt.Sprintf(`daemon off;
user root;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    server { listen %[2]s; location / { return 204; } }
    server {
        listen %[3]s ssl;
        ssl_certificate %[4]s;
        ssl_certificate_key %[5]s;
        location / { return 204; }
    }
}
`, dir, plain, tlsAddr, certFile, keyFile)
	confFile := filepath.Join(dir, "nginx.conf")
	must(t, os.WriteFile(confFile, []byte(conf), 0o644))
	cmd := exec.Command(bin, "-p", dir, "-c", confFile)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	must(t, cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c1, err1 := net.Dial("tcp", plain)
		c2, err2 := net.Dial("tcp", tlsAddr)
		if c1 != nil {
			c1.Close()
		}
		if c2 != nil {
			c2.Close()
		}
		if err1 == nil && err2 == nil {
			return plain, tlsAddr, certFile
		}
		select {
		case err := <-exited:
			exited <- err
			log, _ := os.ReadFile(filepath.Join(dir, "error.log"))
			t.Fatalf("nginx exited: %v\n%s\n%s", err, out.Bytes(), log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx not listening after 10s: %v %v\n%s", err1, err2, out.Bytes())
		}
	}
}

func TestRealNginx(t *testing.T) {
	t.Parallel()
	plain, tlsAddr, certFile := startNginx(t)
	var p Prober
	ctx := context.Background()

	t.Run("FastCGI to an HTTP server", func(t *testing.T) {
		// nginx rejects the binary request line at once with a 400: the
		// protocol_mismatch case, as nginx itself logs "upstream sent
		// unsupported FastCGI protocol version: 72".
		r := p.Probe(ctx, Target{Kind: KindFastCGI, Network: "tcp", Address: plain, PingPath: "/ping"})
		var pe *ProtocolError
		if !errors.As(r.PingErr, &pe) || !errors.Is(r.PingErr, ErrNotFastCGI) || !hasPrefix(pe.First, "HTTP/1.1 400 Bad Request\r\nServer: nginx") {
			t.Errorf("ping err = %#v", r.PingErr)
		}
		if r.Speaks != ProtoHTTP {
			t.Errorf("speaks %v", r.Speaks)
		}
	})
	t.Run("HTTP", func(t *testing.T) {
		r := p.Probe(ctx, Target{Kind: KindHTTP, Network: "tcp", Address: plain})
		if r.HTTPErr != nil || r.HTTP.Status != 204 || !strings.HasPrefix(r.HTTP.Header.Get("Server"), "nginx") || r.Speaks != ProtoHTTP {
			t.Errorf("http = %+v, %v; speaks %v", r.HTTP, r.HTTPErr, r.Speaks)
		}
		// The TLS handshake on a plaintext port: nginx answers 400 in
		// plaintext.
		if !errors.Is(r.TLSErr, ErrPlaintext) {
			t.Errorf("tls err = %v", r.TLSErr)
		}
	})
	t.Run("https upstream that is plaintext", func(t *testing.T) {
		r := p.Probe(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: plain})
		if !errors.Is(r.TLSErr, ErrPlaintext) || r.Speaks != ProtoHTTP {
			t.Errorf("tls err = %v, speaks %v", r.TLSErr, r.Speaks)
		}
	})
	t.Run("http upstream that is TLS", func(t *testing.T) {
		// nginx answers a plain request on an ssl port with "400 The
		// plain HTTP request was sent to HTTPS port"; the handshake on a
		// second connection shows TLS.
		r := p.Probe(ctx, Target{Kind: KindHTTP, Network: "tcp", Address: tlsAddr})
		if r.HTTPErr != nil || r.HTTP.Status != 400 || r.TLSErr != nil || r.Speaks != ProtoTLS {
			t.Errorf("http = %+v, %v; tls err %v; speaks %v", r.HTTP, r.HTTPErr, r.TLSErr, r.Speaks)
		}
	})
	t.Run("https", func(t *testing.T) {
		r := p.Probe(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: tlsAddr, SNI: "localhost"})
		if r.HTTPErr != nil || r.HTTP.Status != 204 || r.Speaks != ProtoTLS || r.TLS.Version < 0x0303 {
			t.Fatalf("https = %+v, %v; speaks %v", r.HTTP, r.HTTPErr, r.Speaks)
		}
		var ua x509.UnknownAuthorityError
		if !errors.As(r.TLS.Verify, &ua) || r.TLS.NameMatch != nil {
			t.Errorf("verify %v, name %v", r.TLS.Verify, r.TLS.NameMatch)
		}
		r = p.Probe(ctx, Target{Kind: KindHTTPS, Network: "tcp", Address: tlsAddr, SNI: "backend.test", TrustedCertificate: certFile})
		var he x509.HostnameError
		if r.TLS == nil || r.TLS.Verify != nil || !errors.As(r.TLS.NameMatch, &he) {
			t.Errorf("tls = %+v", r.TLS)
		}
	})
	t.Run("FastCGI to a TLS port", func(t *testing.T) {
		_, err := p.Ping(ctx, Target{Kind: KindFastCGI, Network: "tcp", Address: tlsAddr, PingPath: "/ping"})
		// nginx gives up the handshake and closes, or answers 400.
		if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrNotFastCGI) && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("err = %v", err)
		}
		t.Logf("FastCGI to nginx's ssl port: %v", err)
	})
}
