package realserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The binaries the package runs, looked up in $PATH.
const (
	NginxBinary = "nginx"
	FPMBinary   = "php-fpm8.2"
)

// Bounds on waiting for the servers.
const (
	startTimeout = 5 * time.Second // until a server is ready
	stopTimeout  = 3 * time.Second // after the polite signal, before SIGKILL
	pollInterval = 10 * time.Millisecond
)

// Require skips the test when nginx or php-fpm8.2 is not in $PATH, saying
// which one is missing, except when the environment has CI=true: then a
// missing binary fails the test, so that CI cannot pass without running the
// real servers. It returns only when both binaries exist.
func Require(t testing.TB) {
	t.Helper()
	var missing []string
	for _, bin := range []string{NginxBinary, FPMBinary} {
		if _, err := exec.LookPath(bin); err != nil {
			missing = append(missing, bin)
		}
	}
	if len(missing) == 0 {
		return
	}
	msg := fmt.Sprintf("real-server test needs %s in $PATH (Debian packages nginx, php8.2-fpm; .ci/run installs them)", strings.Join(missing, " and "))
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// process is one started server: its command and a channel closed when it
// has exited.
type process struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	err  error // Wait's result, valid after done is closed
}

// start runs argv in its own process group with its stdout and stderr
// appended to the file stdio.
func start(name, stdio string, env []string, argv ...string) (*process, error) {
	out, err := os.OpenFile(stdio, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		out.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// stop sends sig to the process, waits up to stopTimeout for it to exit and
// then kills its whole process group. It is safe to call on an exited
// process.
func (p *process) stop(sig syscall.Signal) error {
	if p == nil || p.exited() {
		return nil
	}
	_ = p.cmd.Process.Signal(sig)
	select {
	case <-p.done:
		// The master is gone; make sure no orphaned child survives it.
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		return nil
	case <-time.After(stopTimeout):
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	select {
	case <-p.done:
	case <-time.After(stopTimeout):
		return fmt.Errorf("%s (pid %d) did not exit after SIGKILL", p.name, p.cmd.Process.Pid)
	}
	return fmt.Errorf("%s (pid %d) ignored %v for %v; killed", p.name, p.cmd.Process.Pid, sig, stopTimeout)
}

// waitFor polls ready until it returns true, the process exits, or the
// deadline passes.
func (p *process) waitFor(ctx context.Context, what string, ready func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, startTimeout)
	defer cancel()
	tick := time.NewTicker(pollInterval)
	defer tick.Stop()
	for {
		if ready() {
			return nil
		}
		select {
		case <-p.done:
			if ready() {
				return nil
			}
			return fmt.Errorf("%s exited (%v) before %s", p.name, p.err, what)
		case <-ctx.Done():
			return fmt.Errorf("%s: no %s after %v", p.name, what, startTimeout)
		case <-tick.C:
		}
	}
}

// freeAddr returns a loopback TCP address that nothing listened on a moment
// ago. Another process may take it before the caller binds it; startNginx
// retries when that happens.
//
// The port is taken below the kernel's ephemeral range
// (net.ipv4.ip_local_port_range): a port from that range, closed again,
// can be handed by the kernel to any outgoing connection (a client's, or
// nginx's to its upstream) before the server that should listen on it
// binds it, which made scenarios fail now and then. Ports are random so
// that test processes running at the same time rarely pick the same one,
// never handed out twice by one process, and checked free by a bind.
func freeAddr() (string, error) {
	lo, hi := portRange()
	portMu.Lock()
	defer portMu.Unlock()
	for range 200 {
		p := lo + rand.IntN(hi-lo)
		if portsHanded[p] {
			continue
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(p)))
		if err != nil {
			continue
		}
		addr := l.Addr().String()
		if err := l.Close(); err != nil {
			return "", err
		}
		portsHanded[p] = true
		return addr, nil
	}
	return "", fmt.Errorf("no free port in %d-%d", lo, hi)
}

var (
	portMu      sync.Mutex
	portsHanded = map[int]bool{}
)

// portRange returns the ports freeAddr picks from: [10000, the lower bound
// of the ephemeral range), or 10000-30000 when it cannot be read or leaves
// too few.
func portRange() (lo, hi int) {
	lo, hi = 10000, 30000
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return lo, hi
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return lo, hi
	}
	if eph, err := strconv.Atoi(f[0]); err == nil && eph-lo >= 2000 {
		hi = eph
	}
	return lo, hi
}

// readPID reads a pid file; ok is false while it is missing or incomplete.
func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil || !bytes.HasSuffix(b, []byte("\n")) {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil && pid > 0
}

// startNginx renders nginx.conf and starts nginx in the foreground (its
// master process in our process group), waiting until its pid file exists:
// nginx writes it after its listening sockets are bound. When the port was
// taken in between, it picks another and retries.
func (e *Env) startNginx(ctx context.Context) error {
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ {
		if attempt > 0 {
			addr, err := freeAddr()
			if err != nil {
				return err
			}
			e.NginxAddr = addr
		}
		if err := e.render(e.sc.Nginx, baseNginx, e.NginxConf); err != nil {
			return err
		}
		os.Remove(e.path("nginx.pid"))
		bin, err := exec.LookPath(NginxBinary)
		if err != nil {
			return err
		}
		p, err := start("nginx", e.path("nginx.stderr"), nil,
			bin, "-p", e.Dir+"/", "-c", e.NginxConf, "-e", e.NginxErrorLog, "-g", "daemon off;")
		if err != nil {
			return err
		}
		e.nginx = p
		err = p.waitFor(ctx, "pid file", func() bool { _, ok := readPID(e.path("nginx.pid")); return ok })
		if err == nil {
			return nil
		}
		p.stop(syscall.SIGTERM)
		lastErr = fmt.Errorf("%w\n%s", err, tail(e.NginxErrorLog, e.path("nginx.stderr")))
		if !strings.Contains(lastErr.Error(), "Address already in use") {
			break
		}
	}
	return lastErr
}

// StartFPM renders php-fpm.conf and php.ini (once per run) and starts
// php-fpm in the foreground, waiting until its log says "ready to handle
// connections" once more than before. It returns an error, with the end of
// the php-fpm log, when php-fpm exits instead, as it does on an invalid
// config.
func (e *Env) StartFPM(ctx context.Context) error {
	if e.fpm != nil && !e.fpm.exited() {
		return errors.New("php-fpm is already running")
	}
	if err := e.renderFPM(); err != nil {
		return err
	}
	before := e.fpmReady()
	// PHP_INI_SCAN_DIR= keeps Debian's conf.d out: only our php.ini applies.
	// The full path, as systemd runs it: php-fpm re-executes argv[0] on
	// reload and logs it ("reloading: execvp(…)").
	bin, err := exec.LookPath(FPMBinary)
	if err != nil {
		return err
	}
	p, err := start("php-fpm", e.path("php-fpm.stderr"), []string{"PHP_INI_SCAN_DIR="},
		bin, "-R", "-F", "-y", e.FPMConf, "-p", e.Dir, "-c", e.PHPIni)
	if err != nil {
		return err
	}
	e.fpm = p
	if err := p.waitFor(ctx, "\"ready to handle connections\"", func() bool { return e.fpmReady() > before }); err != nil {
		p.stop(syscall.SIGTERM)
		return fmt.Errorf("%w\n%s", err, tail(e.FPMLogPath, e.path("php-fpm.stderr")))
	}
	return nil
}

// renderFPM writes php-fpm.conf and php.ini, once per run: a scenario
// where php-fpm does not run still has them, as a host where it is
// stopped does.
func (e *Env) renderFPM() error {
	if e.rendered {
		return nil
	}
	if err := e.render(e.sc.FPM, baseFPM, e.FPMConf); err != nil {
		return err
	}
	if err := e.render(e.sc.PHPIni, basePHPIni, e.PHPIni); err != nil {
		return err
	}
	e.rendered = true
	return nil
}

// fpmReady counts php-fpm's "ready to handle connections" notices so far.
func (e *Env) fpmReady() int {
	b, _ := os.ReadFile(e.FPMLogPath)
	return bytes.Count(b, []byte("ready to handle connections"))
}

// StopFPM stops php-fpm with SIGTERM (php-fpm's fast shutdown: "Terminating
// ...") and waits for it; after a timeout it kills the process group.
func (e *Env) StopFPM(ctx context.Context) error {
	err := e.fpm.stop(syscall.SIGTERM)
	return err
}

// FPMPid returns the pid of the php-fpm master, or 0 when it is not running.
func (e *Env) FPMPid() int {
	if e.fpm == nil || e.fpm.exited() {
		return 0
	}
	return e.fpm.cmd.Process.Pid
}

// FPMExited reports whether php-fpm was started and has exited, and its
// exit error (nil for status 0).
func (e *Env) FPMExited() (bool, error) {
	if e.fpm == nil || !e.fpm.exited() {
		return false, nil
	}
	return true, e.fpm.err
}

// stopAll stops nginx (SIGQUIT, graceful) and php-fpm (SIGTERM).
func (e *Env) stopAll() error {
	return errors.Join(e.nginx.stop(syscall.SIGQUIT), e.fpm.stop(syscall.SIGTERM))
}

// tail returns the last lines of the files, for error messages.
func tail(paths ...string) string {
	var b strings.Builder
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil || len(data) == 0 {
			continue
		}
		if len(data) > 2000 {
			data = data[len(data)-2000:]
		}
		fmt.Fprintf(&b, "--- %s:\n%s", filepath.Base(p), data)
	}
	return b.String()
}
