package logparse

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/google/go-cmp/cmp"
)

// Every line below was written by real nginx 1.22.1 (testdata/logs/capture.sh,
// testdata/logs/nginx-1.22.1-*.log) unless its comment says it is copied
// from the shared corpus or catalog because this nginx cannot write it.
// (Re-running capture.sh changes paths, ports and pids: update these
// literals together with the log files.)

const captureLog = "../testdata/logs/nginx-1.22.1-capture.log"

// captureRecord returns the record of the capture log that starts at the
// given 1-based line, with its continuation lines.
func captureRecord(t testing.TB, line int) string {
	t.Helper()
	data, err := os.ReadFile(captureLog)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	rec := []string{lines[line-1]}
	for _, l := range lines[line:] {
		if isRecordStart(l) {
			break
		}
		rec = append(rec, l)
	}
	return strings.Join(rec, "\n")
}

func utc(s string) time.Time {
	t, err := time.Parse("2006/01/02 15:04:05", s)
	if err != nil {
		panic(err)
	}
	return t
}

const fcgiSock = "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:"

func TestParseErrorLine(t *testing.T) {
	type tc struct {
		name string
		line string
		want ErrorEntry // Raw, Pos and Lines are filled in by the test
	}
	tests := []tc{
		{
			name: "open ENOENT with referrer",
			line: `2026/11/21 00:40:26 [error] 17706#17706: *2 open() "/tmp/bgcap.jkITOm/www/missing.html" failed (2: No such file or directory), client: 127.0.0.1, server: capture.test, request: "GET /missing.html HTTP/1.1", host: "127.0.0.1:38701", referrer: "http://ref.test/page?a=1"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:26"), Level: LevelError, PID: 17706, TID: 17706, CID: 2,
				Message: `open() "/tmp/bgcap.jkITOm/www/missing.html" failed`, Syscall: "open", Errno: 2, ErrnoText: "No such file or directory",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost | FieldReferrer,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /missing.html HTTP/1.1", Host: "127.0.0.1:38701", Referrer: "http://ref.test/page?a=1"},
		},
		{
			name: "connect to missing unix socket",
			line: `2026/11/21 00:40:26 [crit] 17706#17706: *3 connect() to unix:/tmp/bgcap.jkITOm/missing.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /nosock HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/missing.sock:", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:26"), Level: LevelCrit, PID: 17706, TID: 17706, CID: 3,
				Message: "connect() to unix:/tmp/bgcap.jkITOm/missing.sock failed", Syscall: "connect", Errno: 2, ErrnoText: "No such file or directory",
				Action: "connecting to upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /nosock HTTP/1.1", Upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/missing.sock:", Host: "127.0.0.1:38701"},
		},
		{
			name: "proxy connection refused",
			line: `2026/11/21 00:40:26 [error] 17706#17706: *7 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /proxyrefused/x HTTP/1.1", upstream: "http://127.0.0.1:42993/api/x", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:26"), Level: LevelError, PID: 17706, TID: 17706, CID: 7,
				Message: "connect() failed", Syscall: "connect", Errno: 111, ErrnoText: "Connection refused", Action: "connecting to upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /proxyrefused/x HTTP/1.1", Upstream: "http://127.0.0.1:42993/api/x", Host: "127.0.0.1:38701"},
		},
		{
			name: "primary script unknown",
			line: `2026/11/21 00:40:26 [error] 17706#17706: *13 FastCGI sent in stderr: "Primary script unknown" while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /nothere.php HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:26"), Level: LevelError, PID: 17706, TID: 17706, CID: 13,
				Message: `FastCGI sent in stderr: "Primary script unknown"`, Action: "reading response header from upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /nothere.php HTTP/1.1", Upstream: fcgiSock, Host: "127.0.0.1:38701"},
		},
		{
			name: "multi-line stderr with context",
			line: "2026/11/21 00:40:26 [error] 17706#17706: *21 FastCGI sent in stderr: \"PHP message: line one\nline two\nline three\" while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: \"GET /newline.php HTTP/1.1\", upstream: \"fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:\", host: \"127.0.0.1:38701\"",
			want: ErrorEntry{Time: utc("2026/11/21 00:40:26"), Level: LevelError, PID: 17706, TID: 17706, CID: 21,
				Message: "FastCGI sent in stderr: \"PHP message: line one\nline two\nline three\"", Action: "reading response header from upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /newline.php HTTP/1.1", Upstream: fcgiSock, Host: "127.0.0.1:38701"},
		},
		{
			name: "upstream timed out, unix upstream without trailing colon",
			line: `2026/11/21 00:40:27 [error] 17706#17706: *27 upstream timed out (110: Connection timed out) while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /timeout HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:27"), Level: LevelError, PID: 17706, TID: 17706, CID: 27,
				Message: "upstream timed out", Errno: 110, ErrnoText: "Connection timed out", Action: "reading response header from upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /timeout HTTP/1.1", Upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock", Host: "127.0.0.1:38701"},
		},
		{
			name: "recv reset by peer",
			line: `2026/11/21 00:40:28 [error] 17706#17706: *29 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /killed HTTP/1.1", upstream: "fastcgi://127.0.0.1:45499", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:28"), Level: LevelError, PID: 17706, TID: 17706, CID: 29,
				Message: "recv() failed", Syscall: "recv", Errno: 104, ErrnoText: "Connection reset by peer", Action: "reading response header from upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /killed HTTP/1.1", Upstream: "fastcgi://127.0.0.1:45499", Host: "127.0.0.1:38701"},
		},
		{
			name: "message with its own while and no action",
			line: `2026/11/21 00:40:28 [error] 17706#17706: *31 rewrite or internal redirection cycle while internally redirecting to "/loop2", client: 127.0.0.1, server: capture.test, request: "GET /loop HTTP/1.1", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:28"), Level: LevelError, PID: 17706, TID: 17706, CID: 31,
				Message: `rewrite or internal redirection cycle while internally redirecting to "/loop2"`,
				Fields:  FieldClient | FieldServer | FieldRequest | FieldHost,
				Client:  "127.0.0.1", Server: "capture.test", Request: "GET /loop HTTP/1.1", Host: "127.0.0.1:38701"},
		},
		{
			name: "resolver context, no cid",
			line: `2026/11/21 00:40:28 [error] 17706#17706: send() failed (111: Connection refused) while resolving, resolver: 127.0.0.1:42442`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:28"), Level: LevelError, PID: 17706, TID: 17706,
				Message: "send() failed", Syscall: "send", Errno: 111, ErrnoText: "Connection refused", Action: "resolving",
				Fields: FieldResolver, Resolver: "127.0.0.1:42442"},
		},
		{
			name: "resolver code in the errno place",
			line: `2026/11/21 00:40:29 [error] 17706#17706: *32 backend.invalid could not be resolved (110: Operation timed out), client: 127.0.0.1, server: capture.test, request: "GET /resolve HTTP/1.1", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelError, PID: 17706, TID: 17706, CID: 32,
				Message: "backend.invalid could not be resolved", Errno: 110, ErrnoText: "Operation timed out",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /resolve HTTP/1.1", Host: "127.0.0.1:38701"},
		},
		{
			name: "stderr text containing a fake context and while",
			line: `2026/11/21 00:40:29 [error] 17706#17706: *36 FastCGI sent in stderr: "PHP message: he said "hi", client: 6.6.6.6, server: evil while faking" while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /quote.php HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelError, PID: 17706, TID: 17706, CID: 36,
				Message: `FastCGI sent in stderr: "PHP message: he said "hi", client: 6.6.6.6, server: evil while faking"`, Action: "reading response header from upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /quote.php HTTP/1.1", Upstream: fcgiSock, Host: "127.0.0.1:38701"},
		},
		{
			name: "quotes in request line and host header",
			line: `2026/11/21 00:40:29 [info] 17706#17706: *38 client sent invalid host header while reading client request headers, client: 127.0.0.1, server: capture.test, request: "GET /x",host:"evil.html HTTP/1.1", host: "cap"ture, client: 9.9.9.9"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelInfo, PID: 17706, TID: 17706, CID: 38,
				Message: "client sent invalid host header", Action: "reading client request headers",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: `GET /x",host:"evil.html HTTP/1.1`, Host: `cap"ture, client: 9.9.9.9`},
		},
		{
			name: "fake context in the decoded URI and in the referrer",
			line: `2026/11/21 00:40:29 [error] 17706#17706: *39 open() "/tmp/bgcap.jkITOm/www/y", client: 5.5.5.5.html" failed (2: No such file or directory), client: 127.0.0.1, server: capture.test, request: "GET /y",%20client:%205.5.5.5.html HTTP/1.1", host: "capture.test", referrer: "http://r.test/", client: 8.8.8.8, server: fake, request: "GET / HTTP/1.1"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelError, PID: 17706, TID: 17706, CID: 39,
				Message: `open() "/tmp/bgcap.jkITOm/www/y", client: 5.5.5.5.html" failed`, Syscall: "open", Errno: 2, ErrnoText: "No such file or directory",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost | FieldReferrer,
				Client: "127.0.0.1", Server: "capture.test", Request: `GET /y",%20client:%205.5.5.5.html HTTP/1.1`, Host: "capture.test",
				Referrer: `http://r.test/", client: 8.8.8.8, server: fake, request: "GET / HTTP/1.1`},
		},
		{
			name: "invalid UTF-8 kept as bytes",
			line: "2026/11/21 00:40:29 [error] 17706#17706: *40 open() \"/tmp/bgcap.jkITOm/www/caf\xc3\xa9\xff.html\" failed (2: No such file or directory), client: 127.0.0.1, server: capture.test, request: \"GET /caf\xc3\xa9\xff.html HTTP/1.1\", host: \"capture.test\"",
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelError, PID: 17706, TID: 17706, CID: 40,
				Message: "open() \"/tmp/bgcap.jkITOm/www/caf\xc3\xa9\xff.html\" failed", Syscall: "open", Errno: 2, ErrnoText: "No such file or directory",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /caf\xc3\xa9\xff.html HTTP/1.1", Host: "capture.test"},
		},
		{
			// testdata/logs/capture-subrequest.sh (mirror subrequest).
			name: "mirror subrequest with referrer",
			line: `2026/11/21 00:59:29 [error] 8674#8674: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: sub.test, request: "GET /mirrored HTTP/1.1", subrequest: "/mirror", upstream: "http://127.0.0.1:43929/copy", host: "127.0.0.1:59397", referrer: "http://ref.test/"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:59:29"), Level: LevelError, PID: 8674, TID: 8674, CID: 1,
				Message: "connect() failed", Syscall: "connect", Errno: 111, ErrnoText: "Connection refused", Action: "connecting to upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldSubrequest | FieldUpstream | FieldHost | FieldReferrer,
				Client: "127.0.0.1", Server: "sub.test", Request: "GET /mirrored HTTP/1.1", Subrequest: "/mirror",
				Upstream: "http://127.0.0.1:43929/copy", Host: "127.0.0.1:59397", Referrer: "http://ref.test/"},
		},
		{
			// testdata/logs/capture-subrequest.sh (auth_request answered 502).
			name: "auth_request result",
			line: `2026/11/21 00:59:29 [error] 8674#8674: *3 auth request unexpected status: 502 while sending to client, client: 127.0.0.1, server: sub.test, request: "GET /private HTTP/1.1", host: "127.0.0.1:59397"`,
			want: ErrorEntry{Time: utc("2026/11/21 00:59:29"), Level: LevelError, PID: 8674, TID: 8674, CID: 3,
				Message: "auth request unexpected status: 502", Action: "sending to client",
				Fields: FieldClient | FieldServer | FieldRequest | FieldHost,
				Client: "127.0.0.1", Server: "sub.test", Request: "GET /private HTTP/1.1", Host: "127.0.0.1:59397"},
		},
		{
			name: "master alert without cid",
			line: `2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:29"), Level: LevelAlert, PID: 17704, TID: 17704,
				Message: "worker process 17706 exited on signal 11"},
		},
		{
			name: "notice with a syscall-like prefix",
			line: `2026/11/21 00:40:25 [notice] 17703#17703: getrlimit(RLIMIT_NOFILE): 20000:20000`,
			want: ErrorEntry{Time: utc("2026/11/21 00:40:25"), Level: LevelNotice, PID: 17703, TID: 17703,
				Message: "getrlimit(RLIMIT_NOFILE): 20000:20000", Syscall: "getrlimit"},
		},
		{
			name: "syslog with empty host",
			line: `<189>Nov 21 00:40:25  nginx: 2026/11/21 00:40:25 [notice] 17703#17703: nginx/1.22.1`,
			want: ErrorEntry{Form: FormSyslog, Time: utc("2026/11/21 00:40:25"), Level: LevelNotice, PID: 17703, TID: 17703,
				Message: "nginx/1.22.1", SyslogPriority: 189, SyslogTag: "nginx"},
		},
		{
			name: "syslog with host and context",
			line: `<186>Nov 21 00:40:26 vm nginx: 2026/11/21 00:40:26 [crit] 17706#17706: *3 connect() to unix:/tmp/bgcap.jkITOm/missing.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /nosock HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/missing.sock:", host: "127.0.0.1:38701"`,
			want: ErrorEntry{Form: FormSyslog, Time: utc("2026/11/21 00:40:26"), Level: LevelCrit, PID: 17706, TID: 17706, CID: 3,
				Message: "connect() to unix:/tmp/bgcap.jkITOm/missing.sock failed", Syscall: "connect", Errno: 2, ErrnoText: "No such file or directory",
				Action: "connecting to upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Server: "capture.test", Request: "GET /nosock HTTP/1.1", Upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/missing.sock:", Host: "127.0.0.1:38701",
				SyslogPriority: 186, SyslogHost: "vm", SyslogTag: "nginx"},
		},
		{
			// testdata/logs/capture-syslog-nohostname.sh: no HOST field;
			// an empty server name (no server_name) is "server: ,".
			name: "syslog nohostname, empty server",
			line: `<187>Nov 21 00:53:21 nginx_err: 2026/11/21 00:53:21 [error] 8998#8998: *1 connect() failed (111: Connection refused) while connecting to upstream, client: 127.0.0.1, server: , request: "GET /x HTTP/1.1", upstream: "http://127.0.0.1:49159/x", host: "127.0.0.1:35675"`,
			want: ErrorEntry{Form: FormSyslog, Time: utc("2026/11/21 00:53:21"), Level: LevelError, PID: 8998, TID: 8998, CID: 1,
				Message: "connect() failed", Syscall: "connect", Errno: 111, ErrnoText: "Connection refused", Action: "connecting to upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "127.0.0.1", Request: "GET /x HTTP/1.1", Upstream: "http://127.0.0.1:49159/x", Host: "127.0.0.1:35675",
				SyslogPriority: 187, SyslogTag: "nginx_err"},
		},
		{
			// The line above as a syslog daemon (rsyslog's default file
			// format) writes it: the same bytes without "<PRI>". No syslog
			// daemon runs here, so the "<186>" was removed by hand.
			name: "syslog daemon file without PRI",
			line: `Nov 21 00:40:26 vm nginx: 2026/11/21 00:40:26 [alert] 17704#17704: worker process 17706 exited on signal 11`,
			want: ErrorEntry{Form: FormSyslog, Time: utc("2026/11/21 00:40:26"), Level: LevelAlert, PID: 17704, TID: 17704,
				Message: "worker process 17706 exited on signal 11", SyslogPriority: -1, SyslogHost: "vm", SyslogTag: "nginx"},
		},
		{
			name: "console emerg",
			line: `nginx: [emerg] unknown directive "bogus_directive" in /tmp/bgcap.jkITOm/bad.conf:2`,
			want: ErrorEntry{Form: FormConsole, Level: LevelEmerg, Message: `unknown directive "bogus_directive" in /tmp/bgcap.jkITOm/bad.conf:2`},
		},
		{
			name: "console without level",
			line: `nginx: configuration file /tmp/bgcap.jkITOm/bad.conf test failed`,
			want: ErrorEntry{Form: FormConsole, Message: "configuration file /tmp/bgcap.jkITOm/bad.conf test failed"},
		},
		{
			// Copied from corpus/logs/vector-vrl (a build without threads
			// prints TID 0; Debian's nginx is built with threads).
			name: "tid 0 and a comma in the message",
			line: `2022/05/30 20:56:22 [info] 3134#0: *99247 epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too (104: Connection reset by peer) while reading upstream, client: 10.244.0.0, server: example.org, request: "GET / HTTP/1.1", upstream: "fastcgi://unix:/run/php-fpm/php8.3-fpm.sock:", host: "example:8080"`,
			want: ErrorEntry{Time: utc("2022/05/30 20:56:22"), Level: LevelInfo, PID: 3134, CID: 99247,
				Message: "epoll_wait() reported that client prematurely closed connection, so upstream connection is closed too", Syscall: "epoll_wait",
				Errno: 104, ErrnoText: "Connection reset by peer", Action: "reading upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost,
				Client: "10.244.0.0", Server: "example.org", Request: "GET / HTTP/1.1", Upstream: "fastcgi://unix:/run/php-fpm/php8.3-fpm.sock:", Host: "example:8080"},
		},
		{
			// Copied from corpus/logs/vector-vrl: empty server name, empty
			// host and referrer (present but empty).
			name: "present but empty fields",
			line: `2023/09/08 13:50:28 [warn] 3#3: *531 an upstream response is buffered to a temporary file /var/lib/nginx/tmp/fastcgi/6/03/0000000036 while reading upstream, client: 10.224.1.1, server: , request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "", referrer: ""`,
			want: ErrorEntry{Time: utc("2023/09/08 13:50:28"), Level: LevelWarn, PID: 3, TID: 3, CID: 531,
				Message: "an upstream response is buffered to a temporary file /var/lib/nginx/tmp/fastcgi/6/03/0000000036", Action: "reading upstream",
				Fields: FieldClient | FieldServer | FieldRequest | FieldUpstream | FieldHost | FieldReferrer,
				Client: "10.224.1.1", Request: "GET / HTTP/1.1", Upstream: "fastcgi://127.0.0.1:9000"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseErrorLine([]byte(tt.line))
			if err != nil {
				t.Fatalf("ParseErrorLine: %v", err)
			}
			want := tt.want
			want.Raw, want.Pos, want.Lines = tt.line, badgateway.Pos{Line: 1}, 1+strings.Count(tt.line, "\n")
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("ParseErrorLine mismatch (-want +got):\n%s", diff)
			}
			// CRLF and a final newline give the same entry.
			got2, err := ParseErrorLine([]byte(tt.line + "\r\n"))
			if err != nil {
				t.Fatalf("ParseErrorLine(CRLF): %v", err)
			}
			if diff := cmp.Diff(want, got2); diff != "" {
				t.Errorf("ParseErrorLine(line+CRLF) mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

// TestParseErrorLineTruncated checks records nginx cut at NGX_MAX_ERROR_STR.
func TestParseErrorLineTruncated(t *testing.T) {
	tests := []struct {
		name      string
		line      int // first line in the capture log
		wantLines int
		check     func(t *testing.T, e ErrorEntry)
	}{
		{"stderr cut, one line", 23, 1, func(t *testing.T, e ErrorEntry) {
			if !strings.HasPrefix(e.Message, `FastCGI sent in stderr: "PHP message: AAAA`) || !strings.HasSuffix(e.Message, "AAAA") {
				t.Errorf("Message = %.60q…", e.Message)
			}
			if e.Fields != 0 || e.Action != "" || e.Errno != 0 {
				t.Errorf("cut record has Fields %b, Action %q, Errno %d; want none", e.Fields, e.Action, e.Errno)
			}
		}},
		{"stderr cut, three lines", 27, 3, func(t *testing.T, e ErrorEntry) {
			if !strings.Contains(e.Message, "BBB\nCCC") || !strings.HasSuffix(e.Message, "DDD") {
				t.Errorf("Message = %.60q…", e.Message)
			}
			if e.Fields != 0 || e.Action != "" {
				t.Errorf("cut record has Fields %b, Action %q; want none", e.Fields, e.Action)
			}
		}},
		{"long URI, cut after client", 58, 1, func(t *testing.T, e ErrorEntry) {
			// "… LLL... (36: File name too long), client: 127.0.0.1, " — ngx_log_errno
			// keeps 50 bytes for the errno and inserts "..."; the context is cut.
			if !strings.HasSuffix(e.Message, "LLL...") || e.Syscall != "open" {
				t.Errorf("Message ends %q, Syscall %q", e.Message[len(e.Message)-8:], e.Syscall)
			}
			if e.Errno != 36 || e.ErrnoText != "File name too long" {
				t.Errorf("errno = %d %q, want 36", e.Errno, e.ErrnoText)
			}
			if e.Fields != FieldClient || e.Client != "127.0.0.1" {
				t.Errorf("Fields %b Client %q, want client 127.0.0.1 only", e.Fields, e.Client)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := captureRecord(t, tt.line)
			if len(rec) != MaxErrorStr-1 {
				t.Fatalf("capture record at line %d is %d bytes, want %d", tt.line, len(rec), MaxErrorStr-1)
			}
			e, err := ParseErrorLine([]byte(rec))
			if err != nil {
				t.Fatal(err)
			}
			if !e.Truncated || e.Lines != tt.wantLines || e.Level != LevelError || e.CID == 0 {
				t.Errorf("Truncated %v Lines %d Level %v CID %d; want true %d error", e.Truncated, e.Lines, e.Level, e.CID, tt.wantLines)
			}
			tt.check(t, e)
		})
	}
	// A record one byte shorter than the cap was not cut.
	e, err := ParseErrorLine([]byte(captureRecord(t, 23)[:MaxErrorStr-2]))
	if err != nil || e.Truncated {
		// The heuristic still flags an unclosed stderr text without context.
		if err != nil || !strings.HasPrefix(e.Message, fastcgiStderrPrefix) {
			t.Errorf("shorter record: %v, Truncated %v", err, e.Truncated)
		}
	}
	// The Elastic fixture's stderr record (corpus, 885 bytes) has no closing
	// quote and no context: Truncated by the heuristic, not by length.
	el, err := os.ReadFile("../testdata/logs/corpus/elastic-beats/filebeat-nginx-error_error.log")
	if err != nil {
		t.Fatal(err)
	}
	recs := bytes.SplitN(el, []byte("\n2019/11/05"), 2)[0]
	recs = recs[bytes.Index(recs, []byte("2019/10/30")):]
	e, err = ParseErrorLine(recs)
	if err != nil || !e.Truncated || e.Lines != 3 {
		t.Errorf("elastic stderr record: err %v, Truncated %v, Lines %d; want Truncated, 3 lines", err, e.Truncated, e.Lines)
	}
	// A complete stderr record is not Truncated.
	if e, _ := ParseErrorLine([]byte(captureRecord(t, 21))); e.Truncated {
		t.Errorf("complete record marked Truncated")
	}
}

func TestParseErrorLineErrors(t *testing.T) {
	// nginx cannot write these; they are hand-made bad inputs.
	tests := []struct {
		name    string
		line    string
		wantErr error
		wantCol int
	}{
		{"empty", "", ErrNotErrorLog, 1},
		{"text", "hello world, this is not nginx", ErrNotErrorLog, 1},
		{"binary", "\x00\x01\x02\xff\xfe garbage \x1f\x8b", ErrNotErrorLog, 1},
		{"continuation line alone", "PHP message: line two", ErrNotErrorLog, 1},
		{"month 13", "2026/13/21 00:40:26 [error] 1#1: *1 x", ErrBadTime, 1},
		{"february 30", "2026/02/30 00:40:26 [error] 1#1: x", ErrBadTime, 1},
		{"hour 24", "2026/11/21 24:00:00 [error] 1#1: x", ErrBadTime, 1},
		{"unknown level", "2026/11/21 00:40:26 [fatal] 1#1: x", ErrBadLevel, 21},
		{"no pid", "2026/11/21 00:40:26 [error] x", ErrBadPID, 29},
		{"no tid", "2026/11/21 00:40:26 [error] 12: x", ErrBadPID, 29},
		{"pid overflow", "2026/11/21 00:40:26 [error] 99999999999#1: x", ErrBadPID, 29},
		{"syslog bad pri", "<999>Nov 21 00:40:26 vm nginx: 2026/11/21 00:40:26 [error] 1#1: x", ErrBadSyslog, 1},
		{"syslog without nginx line", "<189>Nov 21 00:40:26 vm nginx: hello", ErrNotErrorLog, 32},
		{"syslog bad time inside", "<189>Nov 21 00:40:26 vm nginx: 2026/11/99 00:40:26 [error] 1#1: x", ErrBadTime, 32},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseErrorLine([]byte(tt.line))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *ParseError", err)
			}
			if !errors.Is(err, tt.wantErr) {
				t.Errorf("err = %v, want %v", err, tt.wantErr)
			}
			if want := (badgateway.Pos{Line: 1, Col: tt.wantCol}); pe.Pos != want {
				t.Errorf("Pos = %+v, want %+v", pe.Pos, want)
			}
		})
	}
	// Too long: refused before any copy.
	long := append([]byte("2026/11/21 00:40:26 [error] 1#1: "), bytes.Repeat([]byte("x"), DefaultMaxRecordBytes)...)
	if _, err := ParseErrorLine(long); !errors.Is(err, ErrLineTooLong) {
		t.Errorf("long line: err = %v, want ErrLineTooLong", err)
	}
	if got := (&ParseError{Pos: badgateway.Pos{File: "e.log", Line: 3, Col: 21}, Err: ErrBadLevel}).Error(); got != "e.log:3:21: bad level" {
		t.Errorf("Error() = %q", got)
	}
}

func TestParseErrorLineInLocation(t *testing.T) {
	loc := time.FixedZone("UTC-2", -2*3600)
	e, err := ParseErrorLineIn([]byte(`2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11`), loc)
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2026, 11, 21, 2, 40, 29, 0, time.UTC); !e.Time.Equal(want) || e.Time.Location() != loc {
		t.Errorf("Time = %v, want %v in %v", e.Time, want, loc)
	}
	if e, _ := ParseErrorLineIn([]byte(`2026/11/21 00:40:29 [alert] 1#1: x`), nil); e.Time.Location() != time.UTC {
		t.Errorf("nil location gave %v, want UTC", e.Time.Location())
	}
}

// TestParseNginxTimeUTC checks the UTC fast path against time.Date.
func TestParseNginxTimeUTC(t *testing.T) {
	for _, y := range []int{0, 1, 1969, 1970, 2000, 2024, 2026, 2100, 9999} {
		for m := 1; m <= 12; m++ {
			for d := 1; d <= daysIn(time.Month(m), y); d++ {
				for _, hms := range [][3]int{{0, 0, 0}, {23, 59, 59}, {12, 34, 60}} {
					s := fmt.Sprintf("%04d/%02d/%02d %02d:%02d:%02d", y, m, d, hms[0], hms[1], hms[2])
					got, ok := parseNginxTime(s, time.UTC)
					want := time.Date(y, time.Month(m), d, hms[0], hms[1], hms[2], 0, time.UTC)
					if !ok || got != want {
						t.Fatalf("%s: got %v %v, want %v", s, got, ok, want)
					}
				}
			}
		}
	}
}

func TestLevel(t *testing.T) {
	for l := LevelEmerg; l <= LevelDebug; l++ {
		if got := ParseLevel(l.String()); got != l {
			t.Errorf("ParseLevel(%q) = %v, want %v", l.String(), got, l)
		}
	}
	if LevelUnknown.String() != "unknown" || Level(42).String() != "unknown" || ParseLevel("err") != LevelUnknown {
		t.Error("unknown levels mishandled")
	}
	if b, _ := LevelWarn.MarshalText(); string(b) != "warn" {
		t.Errorf("MarshalText = %q", b)
	}
	if got := []string{FormPlain.String(), FormConsole.String(), FormSyslog.String(), Form(9).String()}; !cmp.Equal(got, []string{"plain", "console", "syslog", "form(9)"}) {
		t.Errorf("Form.String: %q", got)
	}
}

// TestParseErrorLineSubstrings checks that every string field is a substring
// of Raw, which is what makes the one-allocation promise hold.
func TestParseErrorLineSubstrings(t *testing.T) {
	data, err := os.ReadFile(captureLog)
	if err != nil {
		t.Fatal(err)
	}
	for rec := range NewErrorReader(bytes.NewReader(data), ErrorReaderOptions{}).All() {
		checkSubstrings(t, rec)
	}
}

func checkSubstrings(t testing.TB, e ErrorEntry) {
	t.Helper()
	for name, s := range map[string]string{"Message": e.Message, "Syscall": e.Syscall, "ErrnoText": e.ErrnoText, "Action": e.Action,
		"Client": e.Client, "Server": e.Server, "Request": e.Request, "Subrequest": e.Subrequest, "Upstream": e.Upstream,
		"Host": e.Host, "Referrer": e.Referrer, "Resolver": e.Resolver, "SyslogHost": e.SyslogHost, "SyslogTag": e.SyslogTag} {
		if s != "" && !strings.Contains(e.Raw, s) {
			t.Errorf("line %d: %s %q is not a substring of Raw", e.Pos.Line, name, s)
		}
	}
}

func TestParseErrorLineAllocs(t *testing.T) {
	line := []byte(captureRecord(t, 11))
	n := testing.AllocsPerRun(200, func() {
		if _, err := ParseErrorLine(line); err != nil {
			t.Fatal(err)
		}
	})
	if n > 1 {
		t.Errorf("ParseErrorLine: %v allocations per line, want at most 1", n)
	}
}

// TestByteClass checks the byteClass table of errorbody.go, bit by bit,
// against the byte sets the parser's scans are specified by.
func TestByteClass(t *testing.T) {
	in := func(c byte, set string) bool { return strings.IndexByte(set, c) >= 0 }
	const (
		digits = "0123456789"
		lower  = "abcdefghijklmnopqrstuvwxyz"
		upper  = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	)
	for i := range 256 {
		c := byte(i)
		want := map[byte]bool{
			clsAction:     in(c, " -./_"+digits+upper+lower),
			clsW:          c == 'w',
			clsAddr:       in(c, digits+"abcdefABCDEF.:[]unix"),
			clsAddrStop:   in(c, " \",\n\r"),
			clsServerStop: in(c, " \"\n\r"),
			clsIdent:      in(c, "_"+upper+lower),
			clsIdentCont:  in(c, "_"+upper+lower+digits),
		}
		for bit, w := range want {
			if got := byteClass[c]&bit != 0; got != w {
				t.Errorf("byteClass[%q] bit %#x = %v, want %v", c, bit, got, w)
			}
		}
	}
}

// TestLevelBracket checks levelBracket against its definition: "[" + an
// nginx level name + "]", then one optional space.
func TestLevelBracket(t *testing.T) {
	ref := func(s string) (Level, int) {
		end := strings.IndexByte(s, ']')
		if len(s) < 3 || s[0] != '[' || end < 0 {
			return LevelUnknown, 0
		}
		l := ParseLevel(s[1:end])
		if l == LevelUnknown {
			return LevelUnknown, 0
		}
		if n := end + 1; n < len(s) && s[n] == ' ' {
			return l, n + 1
		}
		return l, end + 1
	}
	var inputs []string
	for _, name := range levelNames {
		for _, tail := range []string{"", " ", "  x", "x", "]"} {
			inputs = append(inputs, "["+name+"]"+tail, "["+name+tail, "["+name[:len(name)/2]+"]"+tail)
		}
		inputs = append(inputs, strings.ToUpper("["+name+"] "), "["+name+"x] ")
	}
	inputs = append(inputs, "", "[", "[]", "[e]", "error] ", "[errors] ")
	for _, s := range inputs {
		wl, wn := ref(s)
		if l, n := levelBracket(s); l != wl || n != wn {
			t.Errorf("levelBracket(%q) = %v, %d; want %v, %d", s, l, n, wl, wn)
		}
	}
}

// TestDaysFromCivilU checks the unsigned fast path against daysFromCivil
// for every month of every year it is used for.
func TestDaysFromCivilU(t *testing.T) {
	for y := 1; y <= 9999; y++ {
		for m := 1; m <= 12; m++ {
			for _, d := range []int{1, 28, daysIn(time.Month(m), y)} {
				if got, want := daysFromCivilU(uint(y), uint(m), uint(d)), daysFromCivil(y, m, d); got != want {
					t.Fatalf("daysFromCivilU(%d, %d, %d) = %d, want %d", y, m, d, got, want)
				}
			}
		}
	}
}
