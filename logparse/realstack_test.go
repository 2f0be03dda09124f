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

	"github.com/google/go-cmp/cmp"
)

// The access-log formats the real nginx of TestRealStack writes with;
// the test compiles the same texts.
var realFormats = []struct {
	name   string
	escape AccessEscape
	text   string
}{
	{"upstreaminfo", EscapeDefault, `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time" uct="$upstream_connect_time" uht="$upstream_header_time" url=$upstream_response_length`},
	{"jsonlog", EscapeJSON, `{"t":"$time_iso8601","ms":$msec,"a":"$remote_addr","r":"$request","s":$status,"ua":"$http_user_agent","ref":"$http_referer","u":"$remote_user","x":"$http_x_test","up":"$upstream_addr","us":"$upstream_status","rt":$request_time}`},
	{"spaced", EscapeDefault, `$remote_addr $upstream_addr $upstream_status $upstream_response_time $upstream_connect_time [$time_local] "$request" $status $request_time`},
	{"rawlog", EscapeNone, `$remote_addr|$http_user_agent|$status|$request_method $scheme://$host$request_uri $server_protocol|$bytes_sent $request_length|$msec`},
}

// realFPMAccessFormat is the access.format of TestRealStack's pool: every
// php-fpm 8.2 token but %o (which php-fpm cannot fill for FastCGI), some
// with arguments.
const realFPMAccessFormat = `%R - %u %t "%m %r%Q%q" %s %f %d %{milli}d %{micro}d %M %{kilo}M %{mega}M %C %{user}C %l %n %p %P %{REQUEST_METHOD}e %T %{%Y-%m-%dT%H:%M:%S%z}T %%`

// TestRealStack runs the installed php-fpm 8.2 (log_level = debug, so
// every master line has the pid/function/line decoration) behind the
// installed nginx, sends requests that make both write every kind of line
// the parsers of this package read — worker output wrapped at log_limit,
// stdout, a request over request_slowlog_timeout and
// request_terminate_timeout (slow log, SIGTERM), an upstream group with a
// dead peer ("502, 200"), an internal redirect to another upstream
// (" : "), an HTTP/0.9 answer (status 009), client text that needs
// escaping — and parses the error log, the slow log and the php-fpm and
// nginx access logs (three log_formats, escape=default, json and none).
// It skips when a binary is missing, and fails then under CI=true.
func TestRealStack(t *testing.T) {
	nginxBin := lookBinary(t, "nginx", "/usr/sbin/nginx")
	fpmBin := lookBinary(t, "php-fpm8.2", "/usr/sbin/php-fpm8.2")
	t.Parallel()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	www := filepath.Join(dir, "www")
	if err := os.Mkdir(www, 0o755); err != nil {
		t.Fatal(err)
	}
	scripts := map[string]string{
		"hello.php": `<?php echo "hello\n";`,
		// 3000 bytes through error_log(): the child's zlog cuts it at its
		// log_limit, the master wraps what it reads at its own.
		"big.php": `<?php error_log(str_repeat("A", 1500) . str_repeat("B", 1500)); echo "big\n";`,
		"out.php": `<?php file_put_contents("php://stdout", "to stdout\n"); echo "out\n";`,
		"slow.php": `<?php
function wait_for_it() { sleep(5); }
wait_for_it();
echo "never\n";`,
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(www, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sock := filepath.Join(dir, "fpm.sock")
	fpmLog, slowLog, fpmAccess := filepath.Join(dir, "fpm.log"), filepath.Join(dir, "slow.log"), filepath.Join(dir, "fpm-access.log")
	fpmConf := fmt.Sprintf(`[global]
pid = %[1]s/fpm.pid
error_log = %[2]s
log_level = debug
daemonize = no
[www]
listen = %[3]s
listen.mode = 0666
pm = static
pm.max_children = 2
catch_workers_output = yes
request_slowlog_timeout = 1s
request_terminate_timeout = 2s
slowlog = %[4]s
access.log = %[5]s
access.format = "%[6]s"
`, dir, fpmLog, sock, slowLog, fpmAccess, strings.ReplaceAll(realFPMAccessFormat, `"`, `\"`))
	if err := os.WriteFile(filepath.Join(dir, "php-fpm.conf"), []byte(fpmConf), 0o644); err != nil {
		t.Fatal(err)
	}
	fpm := exec.Command(fpmBin, "-R", "-F", "-y", filepath.Join(dir, "php-fpm.conf"), "-n",
		"-d", "log_errors=1", "-d", "display_errors=0")
	if err := fpm.Start(); err != nil {
		t.Fatal(err)
	}
	fpmStopped := false
	stopFPM := func() {
		if !fpmStopped {
			fpmStopped = true
			fpm.Process.Signal(syscall.SIGTERM)
			fpm.Wait()
		}
	}
	defer stopFPM()
	waitFor(t, func() bool { _, err := os.Stat(sock); return err == nil }, "php-fpm socket")

	// A TCP service that answers no HTTP: nginx passes its bytes on as an
	// HTTP/0.9 response and logs status 009.
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	go func() {
		for {
			c, err := raw.Accept()
			if err != nil {
				return
			}
			c.Write([]byte("not http at all\n"))
			c.Close()
		}
	}()

	port, dead := freePort(t), freePort(t)
	var formats strings.Builder
	for _, f := range realFormats {
		fmt.Fprintf(&formats, "  log_format %s escape=%s '%s';\n  access_log %s/%s.log %s;\n", f.name, f.escape, f.text, dir, f.name, f.name)
	}
	nginxConf := fmt.Sprintf(`pid %[1]s/nginx.pid;
error_log %[1]s/nginx-error.log info;
worker_processes 1;
daemon off;
events { worker_connections 32; }
http {
%[2]s  access_log %[1]s/combined.log;
  client_body_temp_path %[1]s/body; proxy_temp_path %[1]s/proxy; fastcgi_temp_path %[1]s/fcgi;
  uwsgi_temp_path %[1]s/uwsgi; scgi_temp_path %[1]s/scgi;
  upstream php { server 127.0.0.1:%[4]d; server unix:%[5]s; }
  server {
    listen 127.0.0.1:%[3]d;
    server_name stack.test;
    root %[6]s;
    location ~ ^/group/(.*)$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME %[6]s/$1; fastcgi_pass php; }
    location /redir/ { include /etc/nginx/fastcgi_params; fastcgi_pass unix:%[1]s/dead.sock; fastcgi_intercept_errors on; error_page 502 = @fpm; }
    location @fpm { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME %[6]s/hello.php; fastcgi_pass unix:%[5]s; }
    location /http09 { proxy_pass http://%[7]s; }
    location ~ \.php$ { include /etc/nginx/fastcgi_params; fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name; fastcgi_pass unix:%[5]s; }
  }
}
`, dir, formats.String(), port, dead, sock, www, raw.Addr())
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(nginxConf), 0o644); err != nil {
		t.Fatal(err)
	}
	ngx := exec.Command(nginxBin, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "nginx-error.log"))
	ngx.Stdout, ngx.Stderr = os.Stderr, os.Stderr
	if err := ngx.Start(); err != nil {
		t.Fatal(err)
	}
	ngxStopped := false
	stopNginx := func() {
		if !ngxStopped {
			ngxStopped = true
			ngx.Process.Signal(syscall.SIGQUIT)
			ngx.Wait()
		}
	}
	defer stopNginx()
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	waitFor(t, func() bool {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, "nginx")

	const ua = "ag\"ent\\ \xc3\xa9 x"
	const referer = `http://r.test/"q"`
	for _, req := range []string{
		"GET /hello.php?x=1 HTTP/1.1\r\nHost: stack.test\r\nUser-Agent: " + ua + "\r\nReferer: " + referer + "\r\nX-Test: a\"b\r\n",
		"GET /big.php HTTP/1.1\r\nHost: stack.test\r\n",
		"GET /out.php HTTP/1.1\r\nHost: stack.test\r\n",
		"GET /group/hello.php HTTP/1.1\r\nHost: stack.test\r\n",
		"GET /redir/x HTTP/1.1\r\nHost: stack.test\r\n",
		"GET /http09 HTTP/1.1\r\nHost: stack.test\r\n",
		"GET /slow.php?a=1 HTTP/1.1\r\nHost: stack.test\r\n",
	} {
		rawRequest(t, addr, req+"Connection: close\r\n\r\n")
	}
	stopNginx()
	stopFPM()

	// php-fpm's error log.
	events := map[FPMEvent][]FPMEntry{}
	masterPID := 0
	for e, err := range NewFPMReader(openT(t, fpmLog), FPMReaderOptions{File: fpmLog, Location: time.Local}).All() {
		if err != nil {
			t.Errorf("php-fpm's own log: %v", err)
			continue
		}
		checkFPMSubstrings(t, &e)
		if e.Form != FPMFormPlain || e.Level == FPMLevelUnknown || e.Func == "" || e.PID == 0 || time.Since(e.Time) > time.Hour {
			t.Errorf("%s: form %v level %v func %q pid %d time %v", e.Pos, e.Form, e.Level, e.Func, e.PID, e.Time)
		}
		if e.Event == FPMRunning {
			masterPID = e.MasterPID
		}
		events[e.Event] = append(events[e.Event], e)
	}
	for _, ev := range []FPMEvent{FPMRunning, FPMReady, FPMSaidInto, FPMTooSlow, FPMTimedOut, FPMChildExited,
		FPMStoppedForTracing, FPMAboutToTrace, FPMFinishedTrace, FPMTerminating, FPMExiting} {
		if len(events[ev]) == 0 {
			t.Errorf("php-fpm wrote no %v record", ev)
		}
	}
	var wrapped, stdout, timedOut *FPMEntry
	for i := range events[FPMSaidInto] {
		e := &events[FPMSaidInto][i]
		if e.Pieces > 1 {
			wrapped = e
		}
		if e.Stream == "stdout" && e.Text == "to stdout" {
			stdout = e
		}
	}
	if wrapped == nil {
		t.Error("no worker line wrapped at log_limit was joined")
	} else {
		text := string(wrapped.AppendText(nil))
		if wrapped.Lines != wrapped.Pieces || len(strings.SplitN(wrapped.Raw, "\n", 2)[0]) != DefaultFPMLogLimit-1 ||
			!strings.Contains(text, "PHP message: "+strings.Repeat("A", 900)) || !strings.HasSuffix(text, "A...") ||
			len(text) <= len(wrapped.Text) || !strings.HasPrefix(text, wrapped.Text) ||
			wrapped.InnerEvent != FPMPHPMessage || wrapped.InnerLevel != FPMLevelNotice {
			t.Errorf("wrapped worker line: %d pieces, %d lines, inner %v/%v, text %.80q…", wrapped.Pieces, wrapped.Lines, wrapped.InnerLevel, wrapped.InnerEvent, text)
		}
	}
	if stdout == nil || stdout.Pool != "www" || stdout.Child == 0 {
		t.Errorf("stdout line: %+v", stdout)
	}
	for _, ev := range []FPMEvent{FPMTooSlow, FPMTimedOut} {
		for _, e := range events[ev] {
			if e.Pool != "www" || e.Script != filepath.Join(www, "slow.php") || e.Method != "GET" || e.RequestURI != "/slow.php" || e.Query != "a=1" || e.Duration < time.Second {
				t.Errorf("%v: %+v", ev, e)
			}
			if ev == FPMTimedOut {
				timedOut = &e
			}
		}
	}
	if timedOut != nil {
		found := false
		for _, e := range events[FPMChildExited] {
			if e.Child == timedOut.Child {
				found = true
				if e.Signal != 15 || e.SignalName != "SIGTERM" || e.CoreDumped || e.Duration <= 0 {
					t.Errorf("exit of the timed-out child: %+v", e)
				}
			}
		}
		if !found {
			t.Errorf("no exit of child %d", timedOut.Child)
		}
	}

	// The slow log.
	n := 0
	for e, err := range NewSlowReader(openT(t, slowLog), SlowReaderOptions{File: slowLog, Location: time.Local}).All() {
		if err != nil {
			t.Errorf("slow log: %v", err)
			continue
		}
		n++
		var frames []SlowFrame
		for f := range e.Frames() {
			frames = append(frames, f)
		}
		if e.Pool != "www" || timedOut != nil && e.PID != timedOut.Child || e.ScriptFilename != filepath.Join(www, "slow.php") ||
			e.NumFrames != len(frames) || len(frames) < 2 || frames[0].Func != "sleep" || frames[1].Func != "wait_for_it" ||
			frames[0].Line != 2 || frames[1].File != e.ScriptFilename || frames[1].Line != 3 || frames[0].Addr == 0 {
			t.Errorf("slow-log block %s: %+v, frames %+v", e.Pos, e, frames)
		}
	}
	if n != 1 {
		t.Errorf("%d slow-log blocks, want 1", n)
	}

	// php-fpm's access log.
	ff, err := CompileFPMAccessFormat(realFPMAccessFormat)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]FPMAccessEntry{}
	for e, err := range NewFPMAccessReader(openT(t, fpmAccess), ff, AccessReaderOptions{File: fpmAccess}).All() {
		if err != nil {
			t.Errorf("php-fpm access log: %v", err)
			continue
		}
		seen[e.RequestURI] = e
		m, _ := e.Var("%{REQUEST_METHOD}e")
		if e.Pool != "www" || e.Child == 0 || e.Master != masterPID || e.Method != "GET" || m != "GET" || e.RemoteAddr != "-" ||
			e.Memory <= 0 || e.Duration < 0 || e.CPU < 0 || e.ContentLength != 0 || e.Time.IsZero() || e.EndTime.Before(e.Time) ||
			time.Since(e.Time) > time.Hour {
			t.Errorf("php-fpm access line %s: %+v", e.Pos, e)
		}
	}
	if e, ok := seen["/hello.php"]; !ok || e.Status != 200 || e.ScriptFilename != filepath.Join(www, "hello.php") {
		t.Errorf("php-fpm access log has no /hello.php line: %+v", seen)
	}
	if e, ok := seen["/hello.php"]; ok && e.Query != "x=1" {
		t.Errorf("/hello.php query %q", e.Query)
	}

	// nginx's access logs.
	all := append([]struct {
		name   string
		escape AccessEscape
		text   string
	}{{"combined", EscapeDefault, CombinedFormat}}, realFormats...)
	for _, rf := range all {
		f, err := CompileAccessFormat(rf.name, rf.escape, rf.text)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, rf.name+".log")
		byURI := map[string]AccessEntry{}
		lines := 0
		for e, err := range NewAccessReader(openT(t, name), f, AccessReaderOptions{File: name}).All() {
			if err != nil {
				t.Errorf("%s: %v", rf.name, err)
				continue
			}
			lines++
			byURI[e.URI] = e
			if e.RemoteAddr != "127.0.0.1" || e.Method != "GET" || e.Status == 0 || time.Since(e.Time) > time.Hour || time.Until(e.Time) > time.Minute {
				t.Errorf("%s %s: %+v", rf.name, e.Pos, e)
			}
		}
		if lines != 7 {
			t.Errorf("%s: %d lines, want 7", rf.name, lines)
		}
		hello := byURI["/hello.php?x=1"]
		if got := string(f.Unescape(nil, hello.UserAgent)); rf.name != "spaced" && got != ua {
			t.Errorf("%s: user agent %q unescaped to %q, want %q", rf.name, hello.UserAgent, got, ua)
		}
		if rf.name != "rawlog" && rf.name != "spaced" {
			if got := string(f.Unescape(nil, hello.Referer)); got != referer {
				t.Errorf("%s: referer %q", rf.name, got)
			}
			if hello.Status != 200 || hello.Protocol != "HTTP/1.1" {
				t.Errorf("%s: hello %+v", rf.name, hello)
			}
		}
		if e := byURI["/http09"]; e.Status != 9 {
			t.Errorf("%s: /http09 status %d, want 9 (\"009\")", rf.name, e.Status)
		}
		if rf.name == "jsonlog" {
			if x, _ := hello.Var("http_x_test"); string(f.Unescape(nil, x)) != `a"b` {
				t.Errorf("json X-Test %q", x)
			}
		}
		if rf.name == "rawlog" {
			if h, _ := hello.Var("host"); h != "stack.test" {
				t.Errorf("rawlog $host %q", h)
			}
			if hello.BytesSent <= 0 || hello.RequestLength <= 0 {
				t.Errorf("rawlog sizes %d %d", hello.BytesSent, hello.RequestLength)
			}
		}
		if rf.name == "upstreaminfo" || rf.name == "spaced" {
			var got []UpstreamAttempt
			group := byURI["/group/hello.php"]
			for a := range group.Upstreams() {
				a.ResponseTime, a.ConnectTime, a.HeaderTime, a.ResponseLength = 0, 0, 0, 0
				got = append(got, a)
			}
			want := []UpstreamAttempt{{Addr: fmt.Sprintf("127.0.0.1:%d", dead), Status: 502}, {Addr: "unix:" + sock, Status: 200}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("group attempts (-want +got):\n%s", d)
			}
			got = got[:0]
			redir := byURI["/redir/x"]
			for a := range redir.Upstreams() {
				a.ResponseTime, a.ConnectTime, a.HeaderTime, a.ResponseLength = 0, 0, 0, 0
				got = append(got, a)
			}
			want = []UpstreamAttempt{{Addr: "unix:" + dir + "/dead.sock", Status: 502}, {Group: 1, Addr: "unix:" + sock, Status: 200}}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("redirect attempts %q (-want +got):\n%s", byURI["/redir/x"].UpstreamAddr, d)
			}
			if s := byURI["/slow.php?a=1"]; s.Status != 502 || s.UpstreamStatus != "502" {
				t.Errorf("slow.php: %+v", s)
			}
		}
	}
}

func lookBinary(t *testing.T, name, fallback string) string {
	t.Helper()
	if bin, err := exec.LookPath(name); err == nil {
		return bin
	}
	if _, err := os.Stat(fallback); err == nil {
		return fallback
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not installed (CI=true)", name)
	}
	t.Skipf("%s not installed", name)
	return ""
}

func waitFor(t *testing.T, ok func() bool, what string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !ok(); {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openT(t *testing.T, name string) *bufio.Reader {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return bufio.NewReader(f)
}

// checkFPMSubstrings checks that every string field of e is a substring
// of Raw (by address).
func checkFPMSubstrings(t *testing.T, e *FPMEntry) {
	t.Helper()
	for name, f := range map[string]string{"Func": e.Func, "Message": e.Message, "Pool": e.Pool, "SignalName": e.SignalName,
		"Script": e.Script, "Method": e.Method, "RequestURI": e.RequestURI, "Query": e.Query, "Stream": e.Stream,
		"Text": e.Text, "InnerMessage": e.InnerMessage, "Address": e.Address, "ErrnoText": e.ErrnoText,
		"SyslogHost": e.SyslogHost, "SyslogTag": e.SyslogTag} {
		if !isSubstring(f, e.Raw) {
			t.Errorf("%s: %s %q is not a substring of Raw", e.Pos, name, f)
		}
	}
}
