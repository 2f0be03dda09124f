package classify

import (
	"context"
	"crypto/tls"
	"errors"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

func hostPort(t *testing.T, url string) string {
	t.Helper()
	return strings.TrimPrefix(strings.TrimPrefix(url, "https://"), "http://")
}

// TestClassifyProbeInProcess probes servers of this process: plain HTTP,
// TLS, a FastCGI responder (net/http/fcgi) and a closed port.
func TestClassifyProbeInProcess(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("pong")) })
	plain := httptest.NewServer(ok)
	defer plain.Close()
	tlsSrv := httptest.NewTLSServer(ok)
	defer tlsSrv.Close()
	old := httptest.NewUnstartedServer(ok)
	old.TLS = &tls.Config{MaxVersion: tls.VersionTLS11}
	old.StartTLS()
	defer old.Close()

	fl, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go fcgi.Serve(fl, ok)
	defer fl.Close()

	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedAddr := closed.Addr().String()
	closed.Close()

	pos := badgateway.Pos{File: "nginx.conf", Line: 12, Col: 5}
	tests := []struct {
		name     string
		target   probe.Target
		want     Code
		conf     float64
		rulesOut Code
	}{
		{"http:// to a TLS server", probe.Target{Kind: probe.KindHTTP, Network: "tcp", Address: hostPort(t, tlsSrv.URL)}, TLSMismatch, 0.9, ""},
		{"https:// to a plaintext server", probe.Target{Kind: probe.KindHTTPS, Network: "tcp", Address: hostPort(t, plain.URL)}, TLSMismatch, 0.9, ""},
		{"fastcgi_pass to a TLS server", probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: hostPort(t, tlsSrv.URL), PingPath: "/ping"}, "", 0, ""},
		{"https:// self-signed", probe.Target{Kind: probe.KindHTTPS, Network: "tcp", Address: hostPort(t, tlsSrv.URL), VerifyName: "example.com"}, UpstreamTLSVerify, 0.5, TLSMismatch},
		{"https:// to TLS 1.1 only", probe.Target{Kind: probe.KindHTTPS, Network: "tcp", Address: hostPort(t, old.URL)}, UpstreamTLSProtocol, 0.85, ""},
		{"healthy http://", probe.Target{Kind: probe.KindHTTP, Network: "tcp", Address: hostPort(t, plain.URL)}, "", 0, BackendDown},
		{"healthy FastCGI ping", probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: fl.Addr().String(), Pool: "www", PingPath: "/ping"}, "", 0, FPMDown},
		{"refused http://", probe.Target{Kind: probe.KindHTTP, Network: "tcp", Address: closedAddr}, BackendDown, 0.85, ""},
		{"refused fastcgi, no pool", probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: closedAddr}, FPMDown, 0.5, ""},
		{"missing socket, no pool", probe.Target{Kind: probe.KindFastCGI, Network: "unix", Address: filepath.Join(t.TempDir(), "x.sock")}, FPMDown, 0.5, ""},
	}
	var p probe.Prober
	p.Timeout = 2 * time.Second
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.target.Pos = pos
			r := p.Probe(context.Background(), tc.target)
			o := ClassifyProbe(r)
			t.Logf("%s → %v (rules out %v)", o.Saw, o.Candidates, o.RulesOut)
			if tc.name == "fastcgi_pass to a TLS server" {
				// Go's TLS server closes without a word on a FastCGI
				// record, as php-fpm does for a client not in
				// listen.allowed_clients: with no pool known at that
				// address, neither cause is likely enough to decide.
				if o.Cause() != FPMAllowedClient || o.Candidates[0].Confidence >= 0.5 || o.Candidates[1].Cause != ProtocolMismatch {
					t.Errorf("candidates = %v", o.Candidates)
				}
				return
			}
			if o.Cause() != tc.want {
				t.Fatalf("cause = %q, want %q", o.Cause(), tc.want)
			}
			if tc.want != "" && o.Candidates[0].Confidence != tc.conf {
				t.Errorf("confidence = %v, want %v", o.Candidates[0].Confidence, tc.conf)
			}
			if tc.rulesOut != "" && !slices.Contains(o.RulesOut, tc.rulesOut) {
				t.Errorf("rules out %v, want %s among them", o.RulesOut, tc.rulesOut)
			}
			if o.Target.Pos != pos || !strings.HasPrefix(o.Saw, strings.TrimPrefix(targetUpstreamPeer(&o.Target), "unix:")) && !strings.Contains(o.Saw, o.Target.Address) {
				t.Errorf("saw %q / pos %v", o.Saw, o.Target.Pos)
			}
			if strings.Contains(o.Saw, "\n") {
				t.Errorf("Saw is not one line: %q", o.Saw)
			}
		})
	}
}

func targetUpstreamPeer(t *probe.Target) string { return ParseUpstream(targetUpstream(t)).Peer }

// TestClassifyProbeErrors maps the errors the system gives for cases this
// machine cannot produce on demand (a DNS server, a full TCP backlog, an
// unreachable network): the errors are built as the net package returns
// them.
func TestClassifyProbeErrors(t *testing.T) {
	op := func(errno syscall.Errno) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", errno)}
	}
	fcgiT := probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: "10.0.0.5:9000"}
	httpT := probe.Target{Kind: probe.KindHTTP, Network: "tcp", Address: "backend.example:80"}
	unixT := probe.Target{Kind: probe.KindFastCGI, Network: "unix", Address: "/run/php/www.sock", Pool: "www"}
	tests := []struct {
		name string
		r    probe.Result
		want []Code
	}{
		{"NXDOMAIN", probe.Result{Target: httpT, DialErr: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "no such host", Name: "backend.example", IsNotFound: true}}}, []Code{DNSNXDomain}},
		{"resolver timeout", probe.Result{Target: httpT, DialErr: &net.OpError{Op: "dial", Net: "tcp",
			Err: &net.DNSError{Err: "i/o timeout", Name: "backend.example", IsTimeout: true}}}, []Code{ResolverUnreachable}},
		{"unix EAGAIN", probe.Result{Target: unixT, DialErr: &net.OpError{Op: "dial", Net: "unix", Err: os.NewSyscallError("connect", syscall.EAGAIN)}}, []Code{FPMMaxChildren}},
		{"tcp connect timeout, FastCGI", probe.Result{Target: fcgiT, DialErr: &probe.TimeoutError{Op: "dial", Err: op(syscall.ETIMEDOUT)}}, []Code{FPMMaxChildren, UpstreamConnectTimout}},
		{"tcp connect timeout, HTTP", probe.Result{Target: httpT, DialErr: &probe.TimeoutError{Op: "dial", Err: op(syscall.ETIMEDOUT)}}, []Code{UpstreamConnectTimout, BackendDown}},
		{"unreachable", probe.Result{Target: httpT, DialErr: op(syscall.EHOSTUNREACH)}, []Code{BackendDown, UpstreamConnectTimout}},
		{"EACCES on connect", probe.Result{Target: unixT, DialErr: op(syscall.EACCES)}, []Code{SocketPermission}},
		{"not a socket", probe.Result{Target: unixT, SocketErr: probe.ErrNotSocket, DialErr: op(syscall.ECONNREFUSED)}, []Code{FPMStaleSocket, ListenMismatch}},
		{"status: all busy with a queue", probe.Result{Target: fcgiT, Dial: &probe.DialResult{}, Speaks: probe.ProtoFastCGI,
			Status: &probe.Status{Pool: "www", ActiveProcesses: 2, TotalProcesses: 2, ListenQueue: 3,
				Processes: []probe.Process{{State: "Running", RequestURI: "/a.php"}, {State: "Running", RequestURI: "/b.php"}}}},
			[]Code{FPMMaxChildren, UpstreamReadTimeout}},
		{"status: queue only", probe.Result{Target: fcgiT, Dial: &probe.DialResult{}, Speaks: probe.ProtoFastCGI,
			Status: &probe.Status{Pool: "www", ListenQueue: 5, IdleProcesses: 1, TotalProcesses: 1, Processes: []probe.Process{{State: "Idle"}}}},
			[]Code{FPMMaxChildren}},
		{"status: served by a child, reached before", probe.Result{Target: probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: "127.0.0.1:9000", StatusPath: "/status"},
			Dial: &probe.DialResult{}, Speaks: probe.ProtoFastCGI,
			Status: &probe.Status{Pool: "www", ActiveProcesses: 1, TotalProcesses: 1, MaxChildrenReached: 4,
				Processes: []probe.Process{{State: "Running", RequestURI: "/status?json&full"}}}},
			[]Code{FPMMaxChildren}},
		{"status: served by a child, healthy", probe.Result{Target: probe.Target{Kind: probe.KindFastCGI, Network: "tcp", Address: "127.0.0.1:9000", StatusPath: "/status"},
			Dial: &probe.DialResult{}, Speaks: probe.ProtoFastCGI,
			Status: &probe.Status{Pool: "www", ActiveProcesses: 1, TotalProcesses: 1,
				Processes: []probe.Process{{State: "Running", RequestURI: "/status?json&full"}}}},
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := ClassifyProbe(&tc.r)
			var got []Code
			for _, c := range o.Candidates {
				got = append(got, c.Cause)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("causes = %v, want %v (%s)", got, tc.want, o.Saw)
			}
			if o.Saw == "" {
				t.Error("no description")
			}
		})
	}
	// A denied access check wins over the dial of the prober (root).
	r := probe.Result{Target: unixT, Dial: &probe.DialResult{}, AccessErr: &probe.AccessError{Path: unixT.Address,
		User: probe.Identity{User: "www-data", UID: 33, GID: 33}, Step: probe.AccessStep{Path: unixT.Address, Mode: 0o660, Need: probe.PermWrite, Class: probe.ClassOther}}}
	if o := ClassifyProbe(&r); o.Cause() != SocketPermission || !strings.Contains(o.Saw, "www-data") {
		t.Errorf("access denied: %+v", o)
	}
	if !errors.Is(r.AccessErr, syscall.EACCES) {
		t.Error("AccessError is not EACCES")
	}
}

// TestFoldTLSVerify weighs a certificate that does not verify by
// proxy_ssl_verify at the pass that reaches the target.
func TestFoldTLSVerify(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer srv.Close()
	addr := hostPort(t, srv.URL)
	var p probe.Prober
	for _, verify := range []string{"on", "off"} {
		src := "events{}\nhttp{server{location / {proxy_pass https://" + addr + ";\nproxy_ssl_verify " + verify + ";\nproxy_ssl_name backend;}}}\n"
		n, err := nginxconf.Parse("nginx.conf", []byte(src), nil)
		if err != nil {
			t.Fatal(err)
		}
		targets := ProbeTargets(n, nil)
		if len(targets) != 1 || targets[0].VerifyName != "backend" {
			t.Fatalf("targets = %+v", targets)
		}
		d := NewDiagnoser(&Options{Nginx: n})
		d.AddProbe(p.Probe(context.Background(), targets[0]))
		rep := d.Report()
		switch verify {
		case "on":
			if len(rep.Verdicts) != 1 || rep.Verdicts[0].Cause != UpstreamTLSVerify || rep.Verdicts[0].Confidence != 0.85 ||
				rep.Verdicts[0].Evidence[0].Pos.Line != 2 {
				t.Errorf("verify on: %+v", rep.Verdicts)
			}
		case "off":
			if len(rep.Verdicts) != 0 {
				t.Errorf("verify off: %+v", rep.Verdicts)
			}
		}
	}
}

// TestHostFactsFrom fills HostFacts from a real host's files copied under
// probe/testdata/host (cgroup v1) and this machine's accounts.
func TestHostFactsFrom(t *testing.T) {
	p := probe.Prober{Root: filepath.Join("..", "probe", "testdata", "host", "v1")}
	h, err := p.Host(context.Background())
	if err != nil {
		t.Logf("host problems: %v", err)
	}
	var live probe.Prober
	acc, _ := live.Accounts(context.Background())
	hf := HostFactsFrom(h, acc)
	if hf.MemAvailable != int64(h.MemAvailable) || hf.MemAvailable == 0 || hf.Somaxconn != h.Somaxconn || hf.Somaxconn == 0 {
		t.Errorf("facts = %+v from %+v", hf, h)
	}
	var sum, n uint64
	for _, c := range h.Children(0, "") {
		if c.PSS > 0 {
			sum, n = sum+c.PSS, n+1
		}
	}
	if n == 0 || hf.ChildMemory != int64(sum/n) {
		t.Errorf("child memory %d, want the mean PSS of %d children (%d)", hf.ChildMemory, n, sum)
	}
	if hf.Accounts != acc {
		t.Error("accounts not kept")
	}
	if _, err := hf.Accounts.User("root"); err != nil {
		t.Errorf("root: %v", err)
	}
	if z := HostFactsFrom(nil, nil); z.MemAvailable != 0 || z.Accounts != nil {
		t.Errorf("nil inputs: %+v", z)
	}
}
