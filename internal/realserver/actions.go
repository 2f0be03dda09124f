package realserver

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// StopFPM stops php-fpm (SIGTERM, "Terminating ...") and waits for it.
func StopFPM() Action {
	return func(ctx context.Context, e *Env) error { return e.StopFPM(ctx) }
}

// StartFPM starts php-fpm again and waits until it is ready.
func StartFPM() Action {
	return func(ctx context.Context, e *Env) error { return e.StartFPM(ctx) }
}

// KillFPM sends sig to php-fpm's whole process group (master and children)
// at once, as a crash or `kill -9` of everything does, and waits until the
// master and every child are gone. With SIGKILL nobody removes the socket file: a stale
// socket.
func KillFPM(sig syscall.Signal) Action {
	return func(ctx context.Context, e *Env) error {
		pid := e.FPMPid()
		if pid == 0 {
			return fmt.Errorf("php-fpm is not running")
		}
		if err := syscall.Kill(-pid, sig); err != nil {
			return err
		}
		select {
		case <-e.fpm.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		// The children die a moment after the master; until they have, a
		// connection still lands in the listen queue they hold (and is
		// reset as they die) instead of being refused.
		ctx, cancel := context.WithTimeout(ctx, startTimeout)
		defer cancel()
		for groupAlive(pid) {
			select {
			case <-ctx.Done():
				return fmt.Errorf("php-fpm's children (process group %d) outlived %v: %w", pid, sig, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
		return nil
	}
}

// groupAlive reports whether a process of process group pgid is alive
// (not a zombie), from /proc/PID/stat.
func groupAlive(pgid int) bool {
	ents, _ := os.ReadDir("/proc")
	for _, ent := range ents {
		pid, err := strconv.Atoi(ent.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		// after "(comm)": state ppid pgrp …
		f := strings.Fields(s[i+1:])
		if len(f) >= 3 && f[2] == strconv.Itoa(pgid) && f[0] != "Z" && f[0] != "X" {
			return true
		}
	}
	return false
}

// ReloadFPM sends SIGUSR2 to the php-fpm master (a reload, as
// `systemctl reload php8.2-fpm` does) and waits until it is ready again.
func ReloadFPM() Action {
	return func(ctx context.Context, e *Env) error {
		pid := e.FPMPid()
		if pid == 0 {
			return fmt.Errorf("php-fpm is not running")
		}
		before := e.fpmReady()
		if err := syscall.Kill(pid, syscall.SIGUSR2); err != nil {
			return err
		}
		return e.fpm.waitFor(ctx, "\"ready to handle connections\" after reload", func() bool { return e.fpmReady() > before })
	}
}

// SignalChild waits until a PHP script has written its pid (getmypid())
// to pidFile in the document root, checks that this pid is a child of our
// php-fpm master, and sends it sig: the busy child serving that script.
// It waits at most 5 s for the file.
func SignalChild(pidFile string, sig syscall.Signal) Action {
	return func(ctx context.Context, e *Env) error {
		path := filepath.Join(e.DocRoot, pidFile)
		ctx, cancel := context.WithTimeout(ctx, startTimeout)
		defer cancel()
		for {
			if pid, ok := readPID(path); ok {
				master := e.FPMPid()
				if pp := parentPID(pid); master == 0 || pp != master {
					return fmt.Errorf("pid %d from %s is not a child of php-fpm %d (parent %d)", pid, pidFile, master, pp)
				}
				return syscall.Kill(pid, sig)
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no pid in %s: %w", pidFile, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
	}
}

// parentPID reads the parent pid of pid from /proc/PID/stat; 0 if unknown.
func parentPID(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// "pid (comm) state ppid …"; comm may hold spaces and parens.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return 0
	}
	pp, _ := strconv.Atoi(f[1])
	return pp
}

// WaitFile waits until the file name of the document root exists (a
// script writes it, e.g. sleep.php?pid=busy.pid), at most 5 s.
func WaitFile(name string) Action {
	return func(ctx context.Context, e *Env) error {
		path := filepath.Join(e.DocRoot, name)
		ctx, cancel := context.WithTimeout(ctx, startTimeout)
		defer cancel()
		for {
			if _, err := os.Stat(path); err == nil {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("no file %s: %w", name, ctx.Err())
			case <-time.After(pollInterval):
			}
		}
	}
}

// WaitRequests waits until every Async request sent so far has its
// response (use it as a later Request's Before).
func WaitRequests() Action {
	return func(ctx context.Context, e *Env) error {
		done := make(chan struct{})
		go func() { e.async.Wait(); close(done) }()
		select {
		case <-done:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Seq runs the actions one after another, stopping at the first error.
func Seq(actions ...Action) Action {
	return func(ctx context.Context, e *Env) error {
		for _, a := range actions {
			if err := a(ctx, e); err != nil {
				return err
			}
		}
		return nil
	}
}

// Chmod changes the mode of the file name of the run's directory
// (e.g. "www/secret.php").
func Chmod(name string, mode os.FileMode) Action {
	return func(ctx context.Context, e *Env) error {
		return os.Chmod(e.Path(name), mode)
	}
}

// Sleep waits d (or until ctx ends).
func Sleep(d time.Duration) Action {
	return func(ctx context.Context, e *Env) error {
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// HoldAddr listens on the address {{addr name}} and never accepts, so that
// the port is taken (php-fpm's bind fails) while connections to it still
// complete into the backlog. The listener is closed when the test ends.
// Use it in Scenario.Setup.
func HoldAddr(name string) Action {
	return func(ctx context.Context, e *Env) error {
		addr, err := e.Addr(name)
		if err != nil {
			return err
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		e.t.Cleanup(func() { l.Close() })
		return nil
	}
}

// CloseOnReuse serves HTTP/1.1 on {{addr name}} from the test process: a
// backend that answers the first request of every connection with a
// keep-alive 200 and closes the connection (FIN, no answer) when the next
// request arrives on it, the way a backend whose idle timeout is shorter
// than nginx's closes a kept-alive connection just as nginx reuses it. It
// runs until the test ends. Use it in Scenario.Setup.
func CloseOnReuse(name string) Action {
	return func(ctx context.Context, e *Env) error {
		addr, err := e.Addr(name)
		if err != nil {
			return err
		}
		l, err := net.Listen("tcp", addr)
		if err != nil {
			return err
		}
		e.t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go serveThenClose(c)
			}
		}()
		return nil
	}
}

// serveThenClose answers one request on c and closes c once the next
// request has been read; it returns when the peer closes first.
func serveThenClose(c net.Conn) {
	defer c.Close()
	br := bufio.NewReader(c)
	req, err := http.ReadRequest(br)
	if err != nil {
		return
	}
	io.Copy(io.Discard, req.Body)
	const body = "backend ok\n"
	fmt.Fprintf(c, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %d\r\nConnection: keep-alive\r\n\r\n%s", len(body), body)
	if req, err = http.ReadRequest(br); err == nil {
		io.Copy(io.Discard, req.Body)
	}
}
