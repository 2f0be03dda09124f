package probe

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

const fpmBinary = "php-fpm8.2"

// needFPM skips the test when php-fpm8.2 is missing, except under CI=true
// where a missing binary fails it.
func needFPM(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath(fpmBinary)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found (CI=true requires it): %v", fpmBinary, err)
		}
		t.Skipf("%s not found, skipping the real php-fpm test: %v", fpmBinary, err)
	}
	return path
}

// fpm is a real php-fpm master started for one test.
type fpm struct {
	dir    string
	sock   string // the pool's listen socket
	status string // the pool's pm.status_listen socket
	cmd    *exec.Cmd
}

// startFPM runs php-fpm8.2 in the foreground with one pool "www" (pm =
// static, pm.max_children = 1, ping.path /ping, pm.status_path /status,
// pm.status_listen on a second socket) under a fresh directory, plus the
// pool lines in extra. listen is the pool's listen address ("" = a unix
// socket in the directory). It waits until php-fpm logs "ready to handle
// connections" and stops php-fpm (its whole process group) at cleanup.
func startFPM(t *testing.T, listen, extra string) *fpm {
	t.Helper()
	bin := needFPM(t)
	dir := t.TempDir()
	f := &fpm{dir: dir, sock: listen, status: filepath.Join(dir, "status.sock")}
	if listen == "" {
		f.sock = filepath.Join(dir, "fpm.sock")
	}
	conf := fmt.Sprintf(`[global]
error_log = %[1]s/fpm.log
pid = %[1]s/fpm.pid
daemonize = no
[www]
listen = %[2]s
pm = static
pm.max_children = 1
ping.path = /ping
pm.status_path = /status
pm.status_listen = %[3]s
%[4]s
`, dir, f.sock, f.status, extra)
	confFile := filepath.Join(dir, "php-fpm.conf")
	must(t, os.WriteFile(confFile, []byte(conf), 0o644))
	must(t, os.WriteFile(filepath.Join(dir, "slow.php"), []byte("<?php sleep(2); echo 'done';\n"), 0o644))
	// -R: we run as root here and in CI.
	f.cmd = exec.Command(bin, "-R", "-F", "-y", confFile, "-p", dir)
	f.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var out bytes.Buffer
	f.cmd.Stdout, f.cmd.Stderr = &out, &out
	must(t, f.cmd.Start())
	exited := make(chan error, 1)
	go func() { exited <- f.cmd.Wait() }()
	t.Cleanup(func() {
		syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
		<-exited
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		log, _ := os.ReadFile(filepath.Join(dir, "fpm.log"))
		if bytes.Contains(log, []byte("ready to handle connections")) {
			return f
		}
		select {
		case err := <-exited:
			exited <- err
			t.Fatalf("php-fpm exited: %v\n%s\n%s", err, out.Bytes(), log)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("php-fpm not ready after 10s:\n%s\n%s", out.Bytes(), log)
		}
	}
}

func (f *fpm) target(network string) Target {
	return Target{Kind: KindFastCGI, Network: network, Address: f.sock, Pool: "www", PingPath: "/ping", StatusPath: "/status"}
}

func TestRealFPMPingStatus(t *testing.T) {
	t.Parallel()
	f := startFPM(t, "", "")
	var p Prober
	ctx := context.Background()
	tg := f.target("unix")

	resp, err := p.Ping(ctx, tg)
	if err != nil {
		t.Fatalf("ping: %v", err)
	}
	if resp.Status != 200 || string(resp.Body) != "pong" || resp.Header.Get("Content-Type") != "text/plain;charset=UTF-8" {
		t.Errorf("ping = %d %q %v", resp.Status, resp.Body, resp.Header)
	}

	st, _, err := p.Status(ctx, tg)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	if st.Pool != "www" || st.ProcessManager != "static" || st.TotalProcesses != 1 || st.ActiveProcesses != 1 || st.IdleProcesses != 0 ||
		st.AcceptedConn < 2 || st.StartTime <= 0 {
		t.Errorf("status = %+v", st)
	}
	if len(st.Processes) != 1 {
		t.Fatalf("processes = %+v", st.Processes)
	}
	pr := st.Processes[0]
	// The only child is the one serving this very status request.
	if pr.State != "Running" || pr.RequestMethod != "GET" || pr.RequestURI != "/status?json&full" || pr.PID <= 0 || pr.Requests < 2 {
		t.Errorf("process = %+v", pr)
	}

	// A path php-fpm does not know: 404 with "Primary script unknown".
	tg.PingPath = "/nope.php"
	resp, err = p.Ping(ctx, tg)
	diffErr(t, err, ErrHTTPStatus)
	if resp == nil || resp.Status != 404 || string(resp.Stderr) != "Primary script unknown" {
		t.Errorf("resp = %+v", resp)
	}

	// HTTP spoken to php-fpm: it drops the connection without an answer.
	// (php-fpm reads "HE" as a FastCGI header of version 72 and closes.)
	_, err = p.HTTP(ctx, Target{Kind: KindHTTP, Network: "unix", Address: f.sock})
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("HTTP HEAD to php-fpm: %v, want unexpected EOF or ECONNRESET", err)
	}
	// TLS spoken to php-fpm: the same.
	_, err = p.TLS(ctx, Target{Kind: KindHTTPS, Network: "unix", Address: f.sock})
	if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("TLS to php-fpm: %v, want unexpected EOF or ECONNRESET", err)
	}
}

func TestRealFPMTCP(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	f := startFPM(t, addr, "listen.backlog = 17")
	var p Prober
	tg := f.target("tcp")
	if _, err := p.Ping(context.Background(), tg); err != nil {
		t.Fatalf("ping: %v", err)
	}
	st, _, err := p.Status(context.Background(), tg)
	if err != nil {
		t.Fatalf("status: %v", err)
	}
	// On TCP php-fpm reads the accept queue from TCP_INFO: its length is
	// listen.backlog.
	if st.ListenQueueLen != 17 || st.ListenQueue != 0 {
		t.Errorf("listen queue len %d, listen queue %d; want 17, 0", st.ListenQueueLen, st.ListenQueue)
	}
}

func TestRealFPMSaturated(t *testing.T) {
	t.Parallel()
	f := startFPM(t, "", "")
	var p Prober
	ctx := context.Background()
	slow := filepath.Join(f.dir, "slow.php")
	type result struct {
		resp *FastCGIResponse
		err  error
	}
	done := make(chan result, 1)
	go func() {
		// Test-only request of a script: the prober itself never sends one.
		resp, err := p.fastCGI(ctx, "unix", f.sock, slow, "")
		done <- result{resp, err}
	}()

	// pm.status_listen answers while the pool's only child is busy.
	statusTarget := Target{Kind: KindFastCGI, Network: "unix", Address: f.status, StatusPath: "/status"}
	var st *Status
	deadline := time.Now().Add(2 * time.Second)
	for {
		var err error
		st, _, err = p.Status(ctx, statusTarget)
		if err != nil {
			t.Fatalf("status through pm.status_listen: %v", err)
		}
		// The child shows the script while still "Getting request
		// information"; wait until it runs it.
		if len(st.Processes) == 1 && st.Processes[0].Script == slow && st.Processes[0].State == "Running" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow request never seen running: %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	pr := st.Processes[0]
	if st.ActiveProcesses != 1 || st.IdleProcesses != 0 || st.TotalProcesses != 1 || pr.State != "Running" || pr.RequestURI != slow {
		t.Errorf("status = %+v", st)
	}
	// pm.status_listen answers ping too.
	statusTarget.PingPath = "/ping"
	if _, err := p.Ping(ctx, statusTarget); err != nil {
		t.Errorf("ping through pm.status_listen: %v", err)
	}

	// The pool's own socket accepts (the kernel queues the connection) but
	// nobody answers: the probe times out.
	short := Prober{Timeout: 300 * time.Millisecond}
	_, err := short.Ping(ctx, f.target("unix"))
	diffErr(t, err, syscall.ETIMEDOUT, context.DeadlineExceeded)

	r := <-done
	if r.err != nil || string(r.resp.Body) != "done" {
		t.Errorf("slow request = %+v, %v", r.resp, r.err)
	}
}

// openPath makes every directory above dir searchable by others, so that
// a permission denial is decided by the socket itself.
func openPath(t *testing.T, dir string) {
	for d := dir; d != "/" && strings.HasPrefix(d, os.TempDir()+"/"); d = filepath.Dir(d) {
		os.Chmod(d, 0o755)
	}
}

func TestRealFPMSocketPermission(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("needs root: php-fpm chowns its socket")
	}
	ctx := context.Background()
	var p Prober
	nobody := Identity{User: "nobody", UID: 65534, GID: 65534, Groups: []uint32{65534}}

	t.Run("mode 0660 root root", func(t *testing.T) {
		f := startFPM(t, "", "listen.owner = root\nlisten.group = root\nlisten.mode = 0660")
		openPath(t, f.dir)
		info, err := p.StatSocket(ctx, f.sock)
		if err != nil || info.Mode.Perm() != 0o660 || info.UID != 0 || info.GID != 0 || info.ACL != nil {
			t.Fatalf("stat = %+v, %v", info, err)
		}
		a, err := p.Access(ctx, f.sock, nobody)
		var ae *AccessError
		if !errors.As(err, &ae) || !errors.Is(err, syscall.EACCES) || a.Decision != Denied {
			t.Fatalf("access = %+v, %v", a, err)
		}
		if ae.Step.Path != f.sock || ae.Step.Need != PermWrite || ae.Step.Class != ClassOther {
			t.Errorf("reason = %+v", ae.Step)
		}
		if kerr := kernelConnect(t, f.sock, nobody); !errors.Is(kerr, syscall.EACCES) {
			t.Errorf("kernel connect as nobody = %v, want EACCES", kerr)
		}
		// root still gets in.
		if _, err := p.Ping(ctx, f.target("unix")); err != nil {
			t.Errorf("ping as root: %v", err)
		}
	})

	t.Run("acl_users nobody", func(t *testing.T) {
		f := startFPM(t, "", "listen.acl_users = nobody")
		openPath(t, f.dir)
		info, err := p.StatSocket(ctx, f.sock)
		if err != nil || len(info.ACL) == 0 {
			t.Fatalf("stat = %+v, %v", info, err)
		}
		a, err := p.Access(ctx, f.sock, nobody)
		if err != nil || a.Decision != Granted || a.Steps[len(a.Steps)-1].Class != ClassACLUser {
			t.Errorf("access = %+v, %v", a, err)
		}
		if kerr := kernelConnect(t, f.sock, nobody); kerr != nil {
			t.Errorf("kernel connect as nobody = %v", kerr)
		}
		www := Identity{User: "www-data", UID: 33, GID: 33, Groups: []uint32{33}}
		if _, err := p.Access(ctx, f.sock, www); !errors.Is(err, syscall.EACCES) {
			t.Errorf("www-data: err = %v, want EACCES", err)
		}
	})
}

func TestRealFPMKilled(t *testing.T) {
	t.Parallel()
	f := startFPM(t, "", "")
	var p Prober
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	// SIGKILL leaves the socket file: connect is refused (fpm_stale_socket).
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := p.Ping(context.Background(), f.target("unix"))
		if errors.Is(err, syscall.ECONNREFUSED) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ping after SIGKILL: %v, want ECONNREFUSED", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := p.StatSocket(context.Background(), f.sock); err != nil {
		t.Errorf("socket file gone: %v", err)
	}
}

func TestRealFPMListenQueueFull(t *testing.T) {
	t.Parallel()
	// A saturated pool on a unix socket with a tiny listen.backlog: once
	// the kernel's accept queue is full, connect(2) fails at once with
	// EAGAIN — nginx's "(11: Resource temporarily unavailable)".
	f := startFPM(t, "", "listen.backlog = 1")
	var p Prober
	ctx := context.Background()
	done := make(chan error, 1)
	go func() {
		_, err := p.fastCGI(ctx, "unix", f.sock, filepath.Join(f.dir, "slow.php"), "")
		done <- err
	}()
	// Wait until the only child runs the slow script.
	statusTarget := Target{Kind: KindFastCGI, Network: "unix", Address: f.status, StatusPath: "/status"}
	for deadline := time.Now().Add(2 * time.Second); ; {
		st, _, err := p.Status(ctx, statusTarget)
		if err == nil && len(st.Processes) == 1 && st.Processes[0].State == "Running" && st.Processes[0].Script == filepath.Join(f.dir, "slow.php") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow request never seen running: %v %v", st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var err error
	for i := 0; i < 10; i++ {
		var c net.Conn
		c, err = net.Dial("unix", f.sock)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	if !errors.Is(err, syscall.EAGAIN) {
		t.Fatalf("after %d queued connections: %v, want EAGAIN", len(held), err)
	}
	_, err = p.Dial(ctx, "unix", f.sock)
	diffErr(t, err, syscall.EAGAIN)
	if Errno(err) != syscall.EAGAIN {
		t.Errorf("Errno = %v", Errno(err))
	}
	t.Logf("accept queue full after %d connections (listen.backlog = 1)", len(held))
	for _, c := range held {
		c.Close()
	}
	held = nil
	if err := <-done; err != nil {
		t.Errorf("slow request: %v", err)
	}
}

func TestRealFPMListenQueueFullTCP(t *testing.T) {
	t.Parallel()
	// The same on TCP: a full accept queue drops the SYN, so connect(2)
	// times out (nginx: "upstream timed out (110: Connection timed out)
	// while connecting to upstream"), and the status page, which php-fpm
	// fills from TCP_INFO on TCP, shows the queue.
	addr := freePort(t)
	f := startFPM(t, addr, "listen.backlog = 1")
	var p Prober
	ctx := context.Background()
	// php-fpm refreshes the listen queue figures once a second (its
	// process-manager heartbeat): a request that runs 4 s leaves time.
	slow := filepath.Join(f.dir, "slow4.php")
	must(t, os.WriteFile(slow, []byte("<?php sleep(4); echo 'done';\n"), 0o644))
	done := make(chan error, 1)
	go func() {
		_, err := p.fastCGI(ctx, "tcp", addr, slow, "")
		done <- err
	}()
	statusTarget := Target{Kind: KindFastCGI, Network: "unix", Address: f.status, StatusPath: "/status"}
	for deadline := time.Now().Add(2 * time.Second); ; {
		st, _, err := p.Status(ctx, statusTarget)
		if err == nil && len(st.Processes) == 1 && st.Processes[0].State == "Running" && st.Processes[0].Script == slow {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("slow request never seen running: %v %v", st, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	short := Prober{DialTimeout: 200 * time.Millisecond}
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	var err error
	for i := 0; i < 10; i++ {
		var c net.Conn
		c, _, err = short.dial(ctx, "tcp", addr)
		if err != nil {
			break
		}
		held = append(held, c)
	}
	diffErr(t, err, syscall.ETIMEDOUT)
	var st *Status
	for deadline := time.Now().Add(2500 * time.Millisecond); ; {
		var serr error
		st, _, serr = p.Status(ctx, statusTarget)
		if serr != nil {
			t.Fatal(serr)
		}
		if st.ListenQueue >= 1 || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if st.ListenQueue < 1 || st.MaxListenQueue < 1 || st.ListenQueueLen != 1 {
		t.Errorf("listen queue %d, max listen queue %d, listen queue len %d; want ≥1, ≥1, 1", st.ListenQueue, st.MaxListenQueue, st.ListenQueueLen)
	}
	t.Logf("%d connections queued, then %v; status listen queue %d", len(held), err, st.ListenQueue)
	for _, c := range held {
		c.Close()
	}
	held = nil
	if err := <-done; err != nil {
		t.Errorf("slow request: %v", err)
	}
}

func TestRealFPMAllowedClients(t *testing.T) {
	t.Parallel()
	// listen.allowed_clients without our address: php-fpm accepts and
	// closes at once; the probe sees the connection end before any
	// record — fpm_allowed_clients.
	addr := freePort(t)
	f := startFPM(t, addr, "listen.allowed_clients = 192.0.2.1")
	var p Prober
	r := p.Probe(context.Background(), f.target("tcp"))
	if r.DialErr != nil {
		t.Fatalf("dial: %v", r.DialErr)
	}
	if !errors.Is(r.PingErr, ErrNoEndRequest) && !errors.Is(r.PingErr, syscall.ECONNRESET) {
		t.Errorf("ping err = %v, want ErrNoEndRequest or ECONNRESET", r.PingErr)
	}
	if r.Ping != nil && (len(r.Ping.Body) > 0 || r.Ping.Status != 0) || r.Speaks != ProtoUnknown {
		t.Errorf("ping = %+v, speaks %v", r.Ping, r.Speaks)
	}
	t.Logf("ping to a pool that disallows us: %v", r.PingErr)
	// (In this setup php-fpm's error_log showed no line for the drop.)
}
