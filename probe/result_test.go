package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

func TestProbeAll(t *testing.T) {
	var m methods
	plain := httptest.NewServer(m.handler())
	defer plain.Close()
	tlsSrv := httptest.NewUnstartedServer(m.handler())
	tlsSrv.Config.ErrorLog = log.New(io.Discard, "", 0)
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	plainAddr, tlsAddr := plain.Listener.Addr().String(), tlsSrv.Listener.Addr().String()
	fpmTarget := fakeFPM(t, "unix", statusBody(t))
	fpmTarget.User = "nobody"
	unknownUser := fakeFPM(t, "tcp", statusBody(t))
	unknownUser.Network = "tcp"
	// nginx answers bytes that are not HTTP with a 400 at once (Go's
	// net/http waits for a line end instead, and the probe times out).
	garbageAddr := serve(t, "tcp", garbage)
	closed := listen(t, "tcp")
	closedAddr := closed.Addr().String()
	closed.Close()

	root := t.TempDir()
	must(t, os.MkdirAll(filepath.Join(root, "etc"), 0o755))
	must(t, os.WriteFile(filepath.Join(root, "etc", "passwd"), []byte("nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"), 0o644))
	must(t, os.WriteFile(filepath.Join(root, "etc", "group"), []byte("nogroup:x:65534:\n"), 0o644))

	targets := []Target{
		fpmTarget,
		{Kind: KindFastCGI, Network: "tcp", Address: garbageAddr, PingPath: "/ping", StatusPath: "/status"},
		{Kind: KindHTTP, Network: "tcp", Address: tlsAddr},
		{Kind: KindHTTPS, Network: "tcp", Address: plainAddr},
		{Kind: KindHTTPS, Network: "tcp", Address: tlsAddr},
		{Kind: KindHTTP, Network: "tcp", Address: plainAddr},
		{Kind: KindStream, Network: "tcp", Address: closedAddr},
		{Kind: KindFastCGI, Network: "unix", Address: filepath.Join(t.TempDir(), "missing.sock"), PingPath: "/ping"},
		{Kind: KindHTTP, Network: "unix", Address: fpmTarget.Address},
		{Kind: KindFastCGI, Network: "unix", Address: fpmTarget.Address, User: "www-data"},
	}
	checks := []func(*testing.T, *Result){
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoFastCGI || r.PingErr != nil || r.StatusErr != nil || r.Status.Pool != "www" || r.Socket == nil || r.Access == nil {
				t.Errorf("%+v", r)
			}
			// t.TempDir is 0700 root: nobody cannot get through.
			if os.Geteuid() == 0 && !errors.Is(r.AccessErr, syscall.EACCES) {
				t.Errorf("access err = %v", r.AccessErr)
			}
		},
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoHTTP || !errors.Is(r.PingErr, ErrNotFastCGI) || !errors.Is(r.StatusErr, ErrNotFastCGI) {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoTLS || r.TLSErr != nil || r.HTTP == nil || r.HTTP.Status != 400 {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoHTTP || !errors.Is(r.TLSErr, ErrPlaintext) {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoTLS || r.HTTPErr != nil || r.HTTP.Status != 418 || r.TLS == nil || r.TLS.Version == 0 {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if r.Speaks != ProtoHTTP || r.HTTPErr != nil || r.HTTP.Status != 418 || !errors.Is(r.TLSErr, ErrPlaintext) {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if !errors.Is(r.DialErr, syscall.ECONNREFUSED) || r.Speaks != ProtoUnknown || r.HTTP != nil || r.Socket != nil {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if !errors.Is(r.DialErr, syscall.ENOENT) || !errors.Is(r.SocketErr, syscall.ENOENT) || r.Ping != nil || r.PingErr != nil {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			// net/http/fcgi drops a connection that does not speak FastCGI.
			if r.DialErr != nil || r.HTTPErr == nil || r.Speaks != ProtoUnknown {
				t.Errorf("%+v", r)
			}
		},
		func(t *testing.T, r *Result) {
			if !errors.Is(r.AccessErr, ErrUnknownUser) || r.Access != nil {
				t.Errorf("%+v", r)
			}
		},
	}
	p := Prober{Root: root}
	results := p.ProbeAll(context.Background(), targets)
	if len(results) != len(targets) {
		t.Fatalf("%d results", len(results))
	}
	for i, r := range results {
		t.Run(r.Target.Kind.String()+"/"+filepath.Base(r.Target.Address), func(t *testing.T) {
			if r.Target.Address != targets[i].Address || r.Target.Kind != targets[i].Kind {
				t.Fatalf("result %d is for %+v", i, r.Target)
			}
			checks[i](t, r)
		})
	}
	// Only HEAD requests reached the HTTP servers.
	for _, s := range m.get() {
		if s[:5] != "HEAD " {
			t.Errorf("server saw %q", s)
		}
	}
}

func TestDial(t *testing.T) {
	l := listen(t, "tcp")
	var p Prober
	d, err := p.Dial(context.Background(), "tcp", l.Addr().String())
	if err != nil || d.Remote != l.Addr().String() || d.Elapsed <= 0 {
		t.Errorf("dial = %+v, %v", d, err)
	}
}

func TestLogger(t *testing.T) {
	var buf bytes.Buffer
	p := Prober{Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	tg := fakeFPM(t, "unix", statusBody(t))
	p.Probe(context.Background(), tg)
	for _, want := range []string{"msg=\"probe dial\"", "msg=\"probe fastcgi\" network=unix", "path=/ping", "path=/status"} {
		if !strings.Contains(buf.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, buf.String())
		}
	}
}
