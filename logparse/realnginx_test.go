package logparse

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRealNginx runs the installed nginx in a temporary directory on free
// loopback ports, provokes a few errors and parses the log it wrote, so that
// the parser is checked against whatever nginx the machine (or CI) has, not
// only against the committed captures. It skips when nginx is missing, and
// fails then under CI=true.
func TestRealNginx(t *testing.T) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		if _, err2 := os.Stat("/usr/sbin/nginx"); err2 == nil {
			bin = "/usr/sbin/nginx"
		} else if os.Getenv("CI") == "true" {
			t.Fatalf("nginx not installed (CI=true): %v", err)
		} else {
			t.Skipf("nginx not installed: %v", err)
		}
	}
	t.Parallel()
	dir := t.TempDir()
	// nginx's workers run as nobody: let them reach the document root.
	// Only the two directories t.TempDir created are opened up (its
	// per-test directory and the one it returned), never anything above.
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	www := filepath.Join(dir, "www")
	if err := os.Mkdir(www, 0o755); err != nil {
		t.Fatal(err)
	}
	port, dead := freePort(t), freePort(t)
	sock := filepath.Join(dir, "missing.sock")
	conf := filepath.Join(dir, "nginx.conf")
	errorLog := filepath.Join(dir, "error.log")
	cfg := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[2]s info;
worker_processes 1;
daemon off;
events { worker_connections 32; }
http {
  access_log off;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  server {
    listen 127.0.0.1:%[3]d;
    server_name real.test;
    root %[4]s;
    location /nosock { fastcgi_pass unix:%[5]s; }
    location /refused { proxy_pass http://127.0.0.1:%[6]d/api; }
  }
}
`, dir, errorLog, port, www, sock, dead)
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-p", dir, "-c", conf, "-e", errorLog)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			cmd.Process.Signal(syscall.SIGQUIT)
			cmd.Wait()
		}
	}
	defer stop()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	for deadline := time.Now().Add(5 * time.Second); ; {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx did not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	referer := `http://r.test/", client: 8.8.8.8, server: fake, request: "GET / HTTP/1.1`
	longURI := "/" + strings.Repeat("L", 2100)
	for _, req := range []string{
		"GET /nosock HTTP/1.1\r\nHost: real.test\r\n",
		"GET /refused/x HTTP/1.1\r\nHost: real.test\r\n",
		"GET /missing.html HTTP/1.1\r\nHost: real.test\r\nReferer: " + referer + "\r\n",
		"GET " + longURI + " HTTP/1.1\r\nHost: real.test\r\n",
	} {
		rawRequest(t, addr, req+"Connection: close\r\n\r\n")
	}
	stop()

	f, err := os.Open(errorLog)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	found := map[string]bool{}
	for e, err := range NewErrorReader(bufio.NewReader(f), ErrorReaderOptions{File: errorLog, Location: time.Local}).All() {
		if err != nil {
			t.Errorf("parse error in nginx's own log: %v", err)
			continue
		}
		checkSubstrings(t, e)
		if e.Level == LevelUnknown || e.PID == 0 || time.Since(e.Time) > time.Hour || time.Until(e.Time) > time.Minute {
			t.Errorf("%s: level %v pid %d time %v", e.Pos, e.Level, e.PID, e.Time)
		}
		switch {
		case e.Request == "GET /nosock HTTP/1.1":
			found["nosock"] = true
			want := "fastcgi://unix:" + sock + ":"
			if e.Level != LevelCrit || e.Syscall != "connect" || e.Errno != 2 || e.Action != "connecting to upstream" || e.Upstream != want || e.Client != "127.0.0.1" || e.Server != "real.test" {
				t.Errorf("missing socket: %+v", e)
			}
		case e.Request == "GET /refused/x HTTP/1.1":
			found["refused"] = true
			want := fmt.Sprintf("http://127.0.0.1:%d/api/x", dead)
			if e.Level != LevelError || e.Message != "connect() failed" || e.Errno != 111 || e.Action != "connecting to upstream" || e.Upstream != want {
				t.Errorf("refused: %+v", e)
			}
		case strings.HasPrefix(e.Message, `open() "`+www+"/missing.html"):
			found["referrer"] = true
			if e.Errno != 2 || e.Client != "127.0.0.1" || e.Server != "real.test" || e.Host != "real.test" || e.Referrer != referer {
				t.Errorf("forged referrer: client %q server %q referrer %q", e.Client, e.Server, e.Referrer)
			}
		case strings.Contains(e.Message, "LLLLLLLL"):
			found["cut"] = true
			if !e.Truncated || len(e.Raw) != MaxErrorStr-1 || e.Errno != 36 || e.Client != "127.0.0.1" {
				t.Errorf("cut record: Truncated %v, %d bytes, errno %d, client %q", e.Truncated, len(e.Raw), e.Errno, e.Client)
			}
		}
	}
	for _, k := range []string{"nosock", "refused", "referrer", "cut"} {
		if !found[k] {
			t.Errorf("nginx wrote no %s record", k)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func rawRequest(t *testing.T, addr, req string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
