package realserver

import (
	"slices"
	"syscall"
	"time"
)

// Scripts shared by the scenarios. sleep.php sleeps ?s= seconds (default
// 3) even when signalled, writing its pid first to ?pid= (a file of the document root) when
// given, so that an action can signal the child serving it.
var (
	indexPHP = `<?php
echo "ok\n";
`
	sleepPHP = `<?php
if (isset($_GET['pid'])) {
    file_put_contents(__DIR__ . '/' . basename($_GET['pid']), getmypid() . "\n");
}
// usleep in a loop, not one sleep(): a signal (php-fpm's SIGQUIT on
// reload) interrupts sleep() and the script would end early.
$end = microtime(true) + (float)($_GET['s'] ?? 3);
while (microtime(true) < $end) {
    usleep(10000);
}
echo "slept\n";
`
)

// resolverServer is the server block of the DNS scenarios: a proxy_pass
// whose host is a variable, resolved through {{addr "dns"}} at request time.
const resolverServer = `{{define "server"}}
        resolver {{addr "dns"}};
        resolver_timeout 1s;
        location /api/ {
            set $backend "backend.example.internal";
            proxy_pass http://$backend;
        }
{{end}}`

// Scenarios returns the incidents the project reproduces with real nginx
// and php-fpm, in a fresh slice of fresh values on every call. Each one
// names the cause code it demonstrates, the status every client must see,
// and the nginx/php-fpm lines that must appear; the Want lists record
// what nginx 1.22.1 and php-fpm 8.2 really wrote here.
func Scenarios() []Scenario {
	return []Scenario{
		{
			Name:    "fpm_down_unix",
			Cause:   "fpm_down",
			Doc:     "php-fpm is not running; nginx passes to its unix socket, whose file does not exist.",
			NoFPM:   true,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php-fpm.sock failed (2: ", "while connecting to upstream", `upstream: "fastcgi://unix:`}},
				{Log: NginxAccess, Line: []string{`"GET /index.php HTTP/1.1" 502`}},
			},
		},
		{
			Name:    "fpm_down_tcp",
			Cause:   "fpm_down",
			Doc:     "php-fpm is not running; nginx passes to 127.0.0.1:PORT where nothing listens.",
			NoFPM:   true,
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() failed (111: ", "while connecting to upstream", `upstream: "fastcgi://127.0.0.1:`}},
			},
		},
		{
			Name:    "fpm_stale_socket",
			Cause:   "fpm_stale_socket",
			Doc:     "php-fpm was killed with SIGKILL (master and children): its socket file stays, nobody listens.",
			Scripts: map[string]string{"index.php": indexPHP},
			Before:  []Action{KillFPM(syscall.SIGKILL)},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() to unix:", "php-fpm.sock failed (111: ", "while connecting to upstream"}},
			},
		},
		{
			Name:  "socket_permission",
			Cause: "socket_permission",
			Doc:   "the pool's socket is root:root 0660; nginx's workers run as www-data and may not connect.",
			FPM: `{{define "listen_perms"}}listen.owner = root
listen.group = root
listen.mode = 0660{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php-fpm.sock failed (13: ", "while connecting to upstream"}},
			},
		},
		{
			Name:  "fpm_request_terminate",
			Cause: "fpm_request_terminate",
			Doc:   "request_terminate_timeout = 1s kills the child of a script that sleeps 3 s; nginx waits up to 10 s.",
			FPM:   `{{define "pool"}}request_terminate_timeout = 1s{{end}}`,
			Nginx: `{{define "location"}}            fastcgi_read_timeout 10s;
{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=3", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream", `request: "GET /sleep.php?s=3 HTTP/1.1"`}},
				{Log: NginxError, Line: []string{"upstream prematurely closed"}, None: true},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", "sleep.php' (request: \"GET /sleep.php?s=3\") execution timed out (", "sec), terminating"}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 15 (SIGTERM) after "}},
			},
		},
		{
			Name:  "upstream_read_timeout",
			Cause: "upstream_read_timeout",
			Doc:   "fastcgi_read_timeout 1s; the script sleeps 2 s: nginx gives up first with 504, php-fpm's access log says 200.",
			Nginx: `{{define "location"}}            fastcgi_read_timeout 1s;
{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=2", Status: 504},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 504`, `us="504"`}},
				// php-fpm never learns that nginx gave up: the script ends
				// and its access log says 200.
				{Log: FPMAccess, Line: []string{`"GET /sleep.php?s=2" 200`}},
			},
		},
		{
			Name:  "header_too_big",
			Cause: "header_too_big",
			Doc:   "the script sends an 8 KiB header; fastcgi_buffer_size is 1k.",
			Nginx: `{{define "location"}}            fastcgi_buffer_size 1k;
{{end}}`,
			Scripts: map[string]string{"bigheader.php": `<?php
header('X-Big: ' . str_repeat('a', 8192));
echo "ok\n";
`},
			Requests: []Request{
				{Path: "/bigheader.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream sent too big header while reading response header from upstream"}},
			},
		},
		{
			Name:  "no_live_upstreams",
			Cause: "no_live_upstreams",
			Doc:   "an upstream group of two php-fpm peers, both down (the local pool's config listens on the first): the first request fails on both and marks them down, the next ones find no live upstream.",
			NoFPM: true,
			Nginx: `{{define "http"}}
    upstream php_backend {
        server {{addr "dead1"}} max_fails=1 fail_timeout=30s;
        server {{addr "dead2"}} max_fails=1 fail_timeout=30s;
    }
{{end}}{{define "pass"}}php_backend{{end}}`,
			FPM:     `{{define "listen"}}{{addr "dead1"}}{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
				{Path: "/index.php", Status: 502},
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() failed (111: ", "while connecting to upstream", `upstream: "fastcgi://127.0.0.1:`}, Min: 2},
				{Log: NginxError, Line: []string{"[error]", "no live upstreams while connecting to upstream", `upstream: "fastcgi://php_backend"`}, Min: 2},
			},
		},
		{
			Name:    "fpm_worker_crash",
			Cause:   "fpm_worker_crash",
			Doc:     "the child serving a request is killed with SIGSEGV while the script sleeps.",
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=5&pid=busy.pid", Status: 502, During: SignalChild("busy.pid", syscall.SIGSEGV)},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 11 (SIGSEGV", " after "}},
			},
		},
		{
			Name:    "fpm_worker_killed",
			Cause:   "fpm_worker_killed",
			Doc:     "the child serving a request is killed with SIGKILL (as the OOM killer does) while the script sleeps.",
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=5&pid=busy.pid", Status: 502, During: SignalChild("busy.pid", syscall.SIGKILL)},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 9 (SIGKILL) after "}},
			},
		},
		{
			Name:    "primary_script_unknown",
			Cause:   "primary_script_unknown",
			Doc:     "SCRIPT_FILENAME points into a directory that does not exist: php-fpm answers 404 \"File not found.\".",
			Nginx:   `{{define "script_filename"}}fastcgi_param SCRIPT_FILENAME /srv/www/nonexistent$fastcgi_script_name;{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 404},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "Primary script unknown" while reading response header from upstream`}},
				{Log: FPMAccess, Line: []string{`"GET /index.php" 404`}},
			},
		},
		{
			Name:  "php_fatal_error",
			Cause: "php_fatal_error",
			Doc:   "the script calls an undefined function: PHP Fatal error, 500.",
			Scripts: map[string]string{"fatal.php": `<?php
echo undefined_function();
`},
			Requests: []Request{
				{Path: "/fatal.php", Status: 500},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function undefined_function()`}},
			},
		},
		{
			Name:   "php_memory_limit",
			Cause:  "php_fatal_error",
			Doc:    "memory_limit = 8M and the script builds a 16 MiB string: PHP Fatal error, 500.",
			PHPIni: `{{define "ini"}}memory_limit = 8M{{end}}`,
			Scripts: map[string]string{"memory.php": `<?php
$s = str_repeat('x', 16 << 20);
echo strlen($s), "\n";
`},
			Requests: []Request{
				{Path: "/memory.php", Status: 500},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "PHP message: PHP Fatal error:  Allowed memory size of 8388608 bytes exhausted`}},
			},
		},
		{
			Name:    "client_closed_request",
			Cause:   "client_closed_request",
			Doc:     "the client gives up after 0.5 s on a script that sleeps 2 s: nginx logs 499 and, at info level, the client's close.",
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=2", Status: 0, Timeout: 500 * time.Millisecond},
			},
			After: []Action{Sleep(200 * time.Millisecond)},
			Want: []Want{
				{Log: NginxError, Line: []string{"[info]", "client prematurely closed connection"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 499`}},
			},
		},
		{
			Name:  "app_502",
			Cause: "app_502",
			Doc:   "the application itself answers 502; nginx logs no error.",
			Scripts: map[string]string{"app502.php": `<?php
http_response_code(502);
echo "payment gateway down\n";
`},
			Requests: []Request{
				{Path: "/app502.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxAccess, Line: []string{`"GET /app502.php HTTP/1.1" 502`, `us="502"`}},
				{Log: NginxError, Line: []string{"[error]"}, None: true},
				{Log: FPMAccess, Line: []string{`"GET /app502.php" 502`}},
			},
		},
		{
			Name:    "fpm_allowed_clients",
			Cause:   "fpm_allowed_clients",
			Doc:     "the pool listens on TCP with listen.allowed_clients = 127.0.0.2; nginx connects from 127.0.0.1 and is dropped (nginx logs a 104 reset or a premature close, by timing).",
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}listen.allowed_clients = 127.0.0.2{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				// php-fpm closes the accepted connection at once: a reset when
				// nginx's request was already in its buffer, else a clean close.
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"},
					Or: [][]string{{"[error]", "upstream prematurely closed connection while reading response header from upstream"}}},
				{Log: FPMError, Line: []string{"Connection disallowed: IP address '127.0.0.1' has been dropped."}},
			},
		},
		{
			Name:     "fpm_config_invalid",
			Cause:    "fpm_config_invalid",
			Doc:      "pm.start_servers is above pm.max_spare_servers: php-fpm refuses to start, nginx finds no socket.",
			FPMFails: true,
			FPM: `{{define "pm"}}pm = dynamic
pm.max_children = 5
pm.start_servers = 10
pm.min_spare_servers = 1
pm.max_spare_servers = 3{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: FPMError, Line: []string{"ALERT: [pool www] pm.start_servers(10)"}},
				{Log: FPMError, Line: []string{"ERROR: FPM initialization failed"}},
				{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php-fpm.sock failed (2: "}},
			},
		},
		{
			Name:     "fpm_bind_failed",
			Cause:    "fpm_bind_failed",
			Doc:      "another process holds php-fpm's TCP port (and never answers): php-fpm cannot bind and exits; nginx's requests wait on the other process and time out.",
			Setup:    []Action{HoldAddr("fpm")},
			FPMFails: true,
			Nginx: `{{define "pass"}}{{addr "fpm"}}{{end}}{{define "location"}}            fastcgi_read_timeout 1s;
{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 504},
			},
			Want: []Want{
				{Log: FPMError, Line: []string{"ERROR: unable to bind listening socket for address '127.0.0.1:", "Address already in use (98)"}},
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}},
			},
		},
		{
			Name:    "fpm_reload",
			Cause:   "fpm_reload",
			Doc:     "php-fpm is reloaded (SIGUSR2) while a script sleeps; the request in flight is cut.",
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=3&pid=busy.pid", Status: 502, During: Seq(WaitFile("busy.pid"), ReloadFPM())},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"}},
				{Log: FPMError, Line: []string{"NOTICE: Reloading in progress ..."}},
				{Log: FPMError, Line: []string{"NOTICE: using inherited socket fd="}},
			},
		},
		{
			Name:  "fpm_request_terminate_tcp",
			Cause: "fpm_request_terminate",
			Doc:   "as fpm_request_terminate, with the pool on TCP 127.0.0.1:PORT.",
			Nginx: `{{define "pass"}}{{addr "fpm"}}{{end}}{{define "location"}}            fastcgi_read_timeout 10s;
{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "pool"}}request_terminate_timeout = 1s{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=3", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream", `upstream: "fastcgi://127.0.0.1:`}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", "execution timed out (", "sec), terminating"}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 15 (SIGTERM) after "}},
			},
		},
		{
			Name:  "fpm_max_children_static",
			Cause: "fpm_max_children",
			Doc:   "pm = static with one child and listen.backlog = 1 on a unix socket; five requests of 1 s arrive 50 ms apart, fastcgi_read_timeout 1.5s.",
			Nginx: `{{define "location"}}            fastcgi_read_timeout 1500ms;
{{end}}`,
			FPM: `{{define "pm"}}pm = static
pm.max_children = 1{{end}}{{define "pool"}}listen.backlog = 1{{end}}`,
			Scripts:  map[string]string{"sleep.php": sleepPHP},
			Requests: saturate(5, "/sleep.php?s=1", 200, 504, 504, 502, 502),
			Want: []Want{
				// The unix socket's listen queue (backlog + 1) is full: the
				// non-blocking connect() fails at once (usually 2 of 5).
				{Log: NginxError, Line: []string{"[error]", "connect() to unix:", "php-fpm.sock failed (11: ", "while connecting to upstream"}},
				// The queued ones wait past fastcgi_read_timeout (usually 2).
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=1 HTTP/1.1" 200`}},
				// pm = static logs nothing when saturated.
				{Log: FPMError, Line: []string{"max_children"}, None: true},
			},
		},
		{
			Name:  "fpm_max_children_dynamic",
			Cause: "fpm_max_children",
			Doc:   "pm = dynamic, pm.max_children = 2; five requests of 2 s arrive 50 ms apart, fastcgi_read_timeout 3s.",
			Nginx: `{{define "location"}}            fastcgi_read_timeout 3s;
{{end}}`,
			FPM: `{{define "pm"}}pm = dynamic
pm.max_children = 2
pm.start_servers = 1
pm.min_spare_servers = 1
pm.max_spare_servers = 1{{end}}`,
			Scripts:  map[string]string{"sleep.php": sleepPHP},
			Requests: saturate(5, "/sleep.php?s=2", 200, 200, 504, 504, 504),
			Want: []Want{
				// Usually two 200 (the second child is spawned by the
				// once-a-second maintenance) and three 504; on a loaded
				// machine the second child can come too late for its 200.
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 200`}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 504`}, Min: 3},
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}, Min: 3},
				{Log: FPMError, Line: []string{"WARNING: [pool www] server reached pm.max_children setting (2), consider raising it"}},
			},
		},
		{
			Name:  "fpm_max_children_ondemand",
			Cause: "fpm_max_children",
			Doc:   "pm = ondemand, pm.max_children = 1; three requests of 1 s arrive 50 ms apart, fastcgi_read_timeout 1.5s.",
			Nginx: `{{define "location"}}            fastcgi_read_timeout 1500ms;
{{end}}`,
			FPM: `{{define "pm"}}pm = ondemand
pm.max_children = 1{{end}}`,
			Scripts:  map[string]string{"sleep.php": sleepPHP},
			Requests: saturate(3, "/sleep.php?s=1", 200, 504, 504),
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}, Min: 2},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=1 HTTP/1.1" 200`}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] server reached max_children setting (1), consider raising it"}},
			},
		},
		{
			Name:    "fpm_allowed_clients_quiet",
			Cause:   "fpm_allowed_clients",
			Doc:     "as fpm_allowed_clients with catch_workers_output = no: php-fpm's log says nothing.",
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}listen.allowed_clients = 127.0.0.2{{end}}{{define "pool"}}catch_workers_output = no{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"},
					Or: [][]string{{"[error]", "upstream prematurely closed connection while reading response header from upstream"}}},
				{Log: FPMError, Line: []string{"Connection disallowed"}, None: true},
			},
		},
		{
			Name:  "protocol_mismatch_fastcgi_to_http",
			Cause: "protocol_mismatch",
			Doc:   "fastcgi_pass to an HTTP server (a second server of the same nginx): it answers 400 in HTTP, which nginx reads as a FastCGI record.",
			NoFPM: true,
			Nginx: `{{define "http"}}{{template "http_backend" .}}{{end}}{{define "server"}}
        location /app/ {
            fastcgi_pass {{addr "backend"}};
        }
{{end}}` + httpBackend,
			Requests: []Request{
				{Path: "/app/index", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream sent unsupported FastCGI protocol version: 72 while reading response header from upstream"}},
			},
		},
		{
			Name:  "protocol_mismatch_http_to_fastcgi",
			Cause: "protocol_mismatch",
			Doc:   "proxy_pass (HTTP) to php-fpm's FastCGI socket: php-fpm drops the connection.",
			Nginx: `{{define "server"}}
        location /app/ {
            proxy_pass http://unix:{{.FPMSocket}}:/;
        }
{{end}}`,
			Requests: []Request{
				{Path: "/app/index", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream", `upstream: "http://unix:`},
					Or: [][]string{{"[error]", "upstream prematurely closed connection while reading response header from upstream", `upstream: "http://unix:`}}},
			},
		},
		{
			Name:  "upstream_prematurely_closed",
			Cause: "upstream_prematurely_closed",
			Doc:   "proxy_pass to an HTTP backend (a second server of the same nginx) that closes the connection without an answer (return 444).",
			NoFPM: true,
			Nginx: `{{define "http"}}{{template "http_backend" .}}{{end}}{{define "server"}}
        location /api/ {
            proxy_pass http://{{addr "backend"}};
        }
{{end}}` + httpBackend,
			Requests: []Request{
				{Path: "/api/close", Status: 502},
				{Path: "/api/ok", Status: 200},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream prematurely closed connection while reading response header from upstream", `request: "GET /api/close HTTP/1.1"`, `upstream: "http://127.0.0.1:`}},
				{Log: NginxAccess, Line: []string{`"GET /api/close HTTP/1.1" 502`, `us="502"`}},
				// The backend server of the same nginx logs the proxied request (HTTP/1.0, proxy_http_version's default) with 444.
				{Log: NginxAccess, Line: []string{`"GET /api/close HTTP/1.0" 444`}},
			},
		},
		{
			Name:  "upstream_truncated_body",
			Cause: "upstream_truncated_body",
			Doc:   "the child is killed with SIGKILL after it sent the header and part of the body: the client gets a 200 with a cut body.",
			Scripts: map[string]string{"stream.php": `<?php
file_put_contents(__DIR__ . '/busy.pid', getmypid() . "\n");
echo str_repeat("row\n", 16384);
flush();
$end = microtime(true) + 5;
while (microtime(true) < $end) {
    usleep(10000);
}
echo "end\n";
`},
			PHPIni: `{{define "ini"}}output_buffering = 0{{end}}`,
			Requests: []Request{
				{Path: "/stream.php", Status: 200, During: SignalChild("busy.pid", syscall.SIGKILL)},
			},
			Want: []Want{
				// The header is out (200, in the access log too); the body
				// read fails when the child dies.
				{Log: NginxError, Line: []string{"[error]", "readv() failed (104: ", "while reading upstream", `request: "GET /stream.php HTTP/1.1"`},
					Or: [][]string{{"[error]", "upstream prematurely closed", "while reading upstream", `request: "GET /stream.php HTTP/1.1"`}}},
				{Log: NginxAccess, Line: []string{`"GET /stream.php HTTP/1.1" 200`}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 9 (SIGKILL) after "}},
			},
		},
		{
			Name:  "upstream_keepalive_closed",
			Cause: "upstream_keepalive_closed",
			Doc:   "an upstream with keepalive whose backend closes a kept-alive connection when nginx reuses it: GET is retried on a new connection (502, 200), POST is not (502).",
			NoFPM: true,
			Setup: []Action{CloseOnReuse("backend")},
			Nginx: `{{define "http"}}
    upstream app {
        server {{addr "backend"}};
        keepalive 4;
    }
{{end}}{{define "server"}}
        location /api/ {
            proxy_pass http://app;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/a", Status: 200},
				{Path: "/api/b", Status: 200},
				{Method: "POST", Path: "/api/c", Body: "order=1", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream prematurely closed connection while reading response header from upstream", `request: "GET /api/b HTTP/1.1"`, `upstream: "http://127.0.0.1:`}},
				{Log: NginxError, Line: []string{"[error]", "upstream prematurely closed connection while reading response header from upstream", `request: "POST /api/c HTTP/1.1"`}},
				{Log: NginxAccess, Line: []string{`"GET /api/b HTTP/1.1" 200`, `us="502, 200"`}},
				{Log: NginxAccess, Line: []string{`"POST /api/c HTTP/1.1" 502`, `us="502"`}},
			},
		},
		{
			Name:   "php_max_execution_time",
			Cause:  "php_max_execution_time",
			Doc:    "max_execution_time = 1 and the script burns 3 s of CPU: PHP's own timer (CPU time on Linux) stops it with a Fatal error, 500.",
			PHPIni: `{{define "ini"}}max_execution_time = 1{{end}}`,
			// Spin on CPU time, not wall time, so that a loaded machine
			// cannot end the loop before the CPU timer fires.
			Scripts: map[string]string{"spin.php": `<?php
$cpu = function () {
    $r = getrusage();
    return $r['ru_utime.tv_sec'] + $r['ru_utime.tv_usec'] / 1e6;
};
$end = $cpu() + 3;
$wall = microtime(true) + 9;
$n = 0;
while ($cpu() < $end && microtime(true) < $wall) {
    $n++;
}
echo $n, "\n";
`},
			Requests: []Request{
				{Path: "/spin.php", Status: 500},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "PHP message: PHP Fatal error:  Maximum execution time of 1 second exceeded in `}},
			},
		},
		{
			Name:    "php_max_execution_time_sleep",
			Cause:   "",
			Doc:     "max_execution_time = 1 and the script sleeps 2 s: on Linux the timer counts CPU time, so the request succeeds (200) — not an incident, a fact the timeout ladder check needs.",
			PHPIni:  `{{define "ini"}}max_execution_time = 1{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=2", Status: 200},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"Maximum execution time"}, None: true},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 200`}},
			},
		},
		{
			Name:  "resolver_missing",
			Cause: "resolver_missing",
			Doc:   "proxy_pass with a variable host name and no resolver: nginx cannot resolve it at request time.",
			NoFPM: true,
			Nginx: `{{define "server"}}
        location /api/ {
            set $backend "backend.example.internal";
            proxy_pass http://$backend;
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/x", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "no resolver defined to resolve backend.example.internal"}},
			},
		},
		{
			Name:  "resolver_unreachable",
			Cause: "resolver_unreachable",
			Doc:   "proxy_pass with a variable host name; the resolver's address has no DNS server (resolver_timeout 1s).",
			NoFPM: true,
			Nginx: resolverServer,
			Requests: []Request{
				{Path: "/api/x", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "backend.example.internal could not be resolved (110: "}},
			},
		},
		{
			Name:  "tls_mismatch",
			Cause: "tls_mismatch",
			Doc:   "proxy_pass https:// to a plain HTTP backend (a second server of the same nginx).",
			NoFPM: true,
			Nginx: `{{define "http"}}{{template "http_backend" .}}{{end}}{{define "server"}}
        location /api/ {
            proxy_pass https://{{addr "backend"}};
        }
{{end}}` + httpBackend,
			Requests: []Request{
				{Path: "/api/ok", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"SSL_do_handshake() failed", "wrong version number", "while SSL handshaking to upstream"}},
			},
		},
		{
			Name:     "nginx_worker_connections",
			Cause:    "nginx_worker_connections",
			Doc:      "worker_connections 4 and five slow requests at once: nginx runs out of connections.",
			Nginx:    `{{define "events"}}worker_connections 4;{{end}}`,
			Scripts:  map[string]string{"sleep.php": sleepPHP},
			Requests: saturate(5, "/sleep.php?s=1", 200, 200, 0, 0, 0),
			Want: []Want{
				// The connections nginx cannot take are closed unanswered
				// (status 0 at the client); two get through.
				{Log: NginxError, Line: []string{"[alert]", "worker_connections are not enough"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=1 HTTP/1.1" 200`}},
			},
		},
		{
			Name:  "upstream_connect_timeout",
			Cause: "upstream_connect_timeout",
			Doc:   "pm = static with one child on TCP with listen.backlog = 1; five requests of 2 s arrive 50 ms apart, fastcgi_connect_timeout 1s: SYNs to the full queue are dropped.",
			Nginx: `{{define "pass"}}{{addr "fpm"}}{{end}}{{define "location"}}            fastcgi_connect_timeout 1s;
            fastcgi_read_timeout 3s;
{{end}}`,
			FPM: `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "pm"}}pm = static
pm.max_children = 1{{end}}{{define "pool"}}listen.backlog = 1{{end}}`,
			Scripts:  map[string]string{"sleep.php": sleepPHP},
			Requests: saturate(5, "/sleep.php?s=2", 200, 504, 504, 504, 504),
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while connecting to upstream"}},
			},
		},
		{
			Name:  "security_limit_extensions",
			Cause: "security_limit_extensions",
			Doc:   "nginx passes *.html to php-fpm, whose security.limit_extensions allows only .php.",
			Nginx: `{{define "server"}}
        location ~ \.html$ {
            fastcgi_pass unix:{{.FPMSocket}};
        }
{{end}}`,
			Scripts: map[string]string{"page.html": "<p>hello</p>\n"},
			Requests: []Request{
				{Path: "/page.html", Status: 403},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "Access to the script '`, "page.html' has been denied (see security.limit_extensions)"}},
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", "Access to the script '", "has been denied (see security.limit_extensions)"}},
			},
		},
		{
			Name:  "script_permission_denied",
			Cause: "script_permission_denied",
			Doc:   "the pool runs as www-data; the script is root's, mode 0600.",
			FPM: `{{define "pool_user"}}user = www-data
group = www-data{{end}}`,
			Scripts: map[string]string{"secret.php": "<?php echo 1;\n"},
			Before:  []Action{Chmod("www/secret.php", 0o600)},
			Requests: []Request{
				{Path: "/secret.php", Status: 403},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "PHP message: PHP Warning:  PHP Request Startup: Failed to open stream: Permission denied`, "Unable to open primary script: ", "secret.php (Permission denied)"}},
				{Log: NginxAccess, Line: []string{`"GET /secret.php HTTP/1.1" 403`}},
			},
		},
		{
			Name:    "listen_mismatch",
			Cause:   "listen_mismatch",
			Doc:     "php-fpm runs and listens on its socket, but nginx passes to another path (php8.1-fpm.sock, left from an upgrade).",
			Nginx:   `{{define "pass"}}unix:{{.Dir}}/php8.1-fpm.sock{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php8.1-fpm.sock failed (2: ", "while connecting to upstream"}},
				{Log: FPMError, Line: []string{"NOTICE: ready to handle connections"}},
			},
		},
		{
			Name:  "backend_down",
			Cause: "backend_down",
			Doc:   "proxy_pass to an HTTP backend where nothing listens.",
			NoFPM: true,
			Nginx: `{{define "server"}}
        location /api/ {
            proxy_pass http://{{addr "backend"}};
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/users", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() failed (111: ", "while connecting to upstream", `upstream: "http://127.0.0.1:`}},
			},
		},
		{
			Name:  "upstream_partially_down",
			Cause: "upstream_partially_down",
			Doc:   "an upstream group of a dead peer and a live one (a second server of the same nginx): requests that try the dead one first are retried on the live one and succeed.",
			NoFPM: true,
			Nginx: `{{define "http"}}{{template "http_backend" .}}
    upstream app {
        server {{addr "dead"}};
        server {{addr "backend"}};
    }
{{end}}{{define "server"}}
        location /api/ {
            proxy_pass http://app;
        }
{{end}}` + httpBackend,
			Requests: []Request{
				{Path: "/api/ok", Status: 200},
				{Path: "/api/ok", Status: 200},
				{Path: "/api/ok", Status: 200},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() failed (111: ", "while connecting to upstream"}},
				{Log: NginxAccess, Line: []string{`"GET /api/ok HTTP/1.1" 200`, `us="502, 200"`}},
			},
		},
		{
			Name:  "proxy_pass_uri_rewrite",
			Cause: "proxy_pass_uri_rewrite",
			Doc:   "location /api/ { proxy_pass http://backend/; } sends /users, not /api/users, to a backend that serves /api/users: the backend answers 404.",
			NoFPM: true,
			Nginx: `{{define "http"}}
    server {
        listen {{addr "backend"}};
        server_name backend;
        location = /api/users {
            return 200 "users\n";
        }
    }
{{end}}{{define "server"}}
        location /api/ {
            proxy_pass http://{{addr "backend"}}/;
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/users", Status: 404},
			},
			Want: []Want{
				{Log: NginxAccess, Line: []string{`"GET /users HTTP/1.0" 404`}},
				{Log: NginxAccess, Line: []string{`"GET /api/users HTTP/1.1" 404`, `us="404"`}},
				{Log: NginxError, Line: []string{`open() "`, `/users" failed (2: `}},
			},
		},
		{
			Name:  "upstream_send_timeout",
			Cause: "upstream_send_timeout",
			Doc:   "a 16 MiB POST proxied to a backend that accepts no connection and reads nothing (proxy_send_timeout 1s): the request cannot be sent.",
			NoFPM: true,
			Setup: []Action{HoldAddr("backend")},
			Nginx: `{{define "server"}}
        client_max_body_size 0;
        location /upload/ {
            proxy_pass http://{{addr "backend"}};
            proxy_send_timeout 1s;
            proxy_read_timeout 5s;
        }
{{end}}`,
			Requests: []Request{
				{Method: "POST", Path: "/upload/big", BodySize: 16 << 20, Status: 504},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while sending request to upstream"}},
			},
		},
		{
			Name:  "upstream_invalid_header",
			Cause: "upstream_invalid_header",
			Doc:   "the script sends a header line with a space in its name; nginx 1.21.1+ rejects it.",
			Scripts: map[string]string{"badheader.php": `<?php
header("X Bad Header: 1");
echo "ok\n";
`},
			Requests: []Request{
				{Path: "/badheader.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream sent invalid header", "while reading response header from upstream"}},
			},
		},
		{
			Name:    "nginx_fd_limit",
			Cause:   "nginx_fd_limit",
			Doc:     "worker_rlimit_nofile 12 and six slow requests at once: nginx runs out of file descriptors.",
			Nginx:   `{{define "main"}}worker_rlimit_nofile 12;{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			// Requests that find no descriptor for the upstream socket get
			// 500; accept4() failures only delay the others.
			Requests: saturate(6, "/sleep.php?s=1", 200, 500, 500, 500, 500, 200),
			Want: []Want{
				{Log: NginxError, Line: []string{"[alert]", "socket() failed (24: ", "while connecting to upstream"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=1 HTTP/1.1" 500`}},
			},
		},
		{
			Name:  "upstream_tls_verify",
			Cause: "upstream_tls_verify",
			Doc:   "proxy_pass https:// with proxy_ssl_verify on to a backend (a second server of the same nginx) with a self-signed certificate.",
			NoFPM: true,
			Setup: []Action{SelfSignedCert("backend")},
			Nginx: `{{define "http"}}{{template "tls_backend" .}}{{end}}{{define "server"}}
        location /api/ {
            proxy_pass https://{{addr "tls"}};
            proxy_ssl_verify on;
            proxy_ssl_name backend;
            proxy_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;
        }
{{end}}` + tlsBackend("TLSv1.2 TLSv1.3"),
			Requests: []Request{
				{Path: "/api/ok", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream SSL certificate verify error: (18:", "while SSL handshaking to upstream"}},
			},
		},
		{
			Name:  "upstream_tls_protocol",
			Cause: "upstream_tls_protocol",
			Doc:   "proxy_pass https:// to a backend that speaks only TLSv1.3: nginx 1.22's default proxy_ssl_protocols (TLSv1 TLSv1.1 TLSv1.2) has no TLSv1.3.",
			NoFPM: true,
			Setup: []Action{SelfSignedCert("backend")},
			Nginx: `{{define "http"}}{{template "tls_backend" .}}{{end}}{{define "server"}}
        location /api/ {
            proxy_pass https://{{addr "tls"}};
        }
{{end}}` + tlsBackend("TLSv1.3"),
			Requests: []Request{
				{Path: "/api/ok", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "SSL_do_handshake() failed", "alert number 70", "while SSL handshaking to upstream"}},
			},
		},
		{
			Name:  "dns_nxdomain",
			Cause: "dns_nxdomain",
			Doc:   "proxy_pass with a variable host name; the resolver (a DNS responder of the test) says the name does not exist.",
			NoFPM: true,
			Setup: []Action{NXDomain("dns")},
			Nginx: resolverServer,
			Requests: []Request{
				{Path: "/api/x", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "backend.example.internal could not be resolved (3: "}},
			},
		},
		{
			Name:  "fpm_slowlog",
			Cause: "",
			Doc:   "request_slowlog_timeout = 1s and a script that waits 2 s two calls deep: php-fpm's slow log gets the stack (a control: the client gets its 200).",
			FPM:   `{{define "pool"}}request_slowlog_timeout = 1s{{end}}`,
			Scripts: map[string]string{"slow.php": `<?php
function fetch_rates($currency)
{
    $end = microtime(true) + 2;
    while (microtime(true) < $end) {
        usleep(10000);
    }
    return 1.0;
}

function checkout_total()
{
    return fetch_rates('EUR') * 42;
}

echo checkout_total(), "\n";
`},
			Requests: []Request{
				{Path: "/slow.php", Status: 200},
			},
			Want: []Want{
				{Log: FPMError, Line: []string{"WARNING: [pool www] child ", ", script '", "slow.php' (request: \"GET /slow.php\") executing too slow ("}},
				{Log: FPMSlow, Line: []string{"[pool www] pid "}},
				{Log: FPMSlow, Line: []string{"script_filename = ", "slow.php"}},
				{Log: FPMSlow, Line: []string{"fetch_rates() ", "slow.php:"}},
				{Log: FPMSlow, Line: []string{"checkout_total() ", "slow.php:"}},
			},
		},
	}
}

// tlsBackend is a TLS server block for nginx.conf ({{template
// "tls_backend" .}} in the "http" block) on {{addr "tls"}}, speaking the
// ssl_protocols given, with the certificate SelfSignedCert("backend")
// writes.
func tlsBackend(protocols string) string {
	return `{{define "tls_backend"}}
    server {
        listen {{addr "tls"}} ssl;
        server_name backend;
        ssl_certificate {{.Dir}}/backend.crt;
        ssl_certificate_key {{.Dir}}/backend.key;
        ssl_protocols ` + protocols + `;
        location / {
            return 200 "backend ok\n";
        }
    }
{{end}}`
}

// httpBackend is a second server block for nginx.conf (use it with
// {{template "http_backend" .}} in the "http" block): a plain HTTP backend
// on {{addr "backend"}} that answers /ok and closes /close without a word.
const httpBackend = `{{define "http_backend"}}
    server {
        listen {{addr "backend"}};
        server_name backend;
        location / {
            return 200 "backend ok\n";
        }
        location /api/close {
            return 444;
        }
    }
{{end}}`

// saturate returns n async requests for path, 50 ms apart, wanting the
// statuses given, in that order when nginx sees them in order. Which
// queued request a freed child takes, and which one finds the listen
// queue full, is timing on a loaded machine, so each request also allows
// the other statuses of the list (Or); the scenario's Wants count them in
// the logs.
func saturate(n int, path string, statuses ...int) []Request {
	reqs := make([]Request, n)
	for i := range reqs {
		reqs[i] = Request{Path: path, Status: statuses[i], Async: true}
		for _, st := range statuses {
			if st != statuses[i] && !slices.Contains(reqs[i].Or, st) {
				reqs[i].Or = append(reqs[i].Or, st)
			}
		}
		if i > 0 {
			reqs[i].Before = Sleep(50 * time.Millisecond)
		}
	}
	return reqs
}

// Demo returns one mixed incident from a single nginx and php-fpm, the
// built-in incident of examples/diagnose: a checkout endpoint whose POSTs
// run past request_terminate_timeout = 2s (php-fpm kills the children:
// 502), a report endpoint with fastcgi_read_timeout 1s that takes 1.5 s
// (504, while php-fpm's access log says 200), a PHP warning on a page that
// still answers 200, and a php-fpm restart window in which nginx finds no
// socket (502), between ordinary 200s. request_slowlog_timeout = 1s fills
// php-fpm's slow log with the slow requests' stacks.
func Demo() Scenario {
	get := func(path string, status int) Request { return Request{Path: path, Status: status} }
	checkout := Request{Method: "POST", Path: "/checkout.php?s=4", Body: "cart=4711&pay=card", Status: 502, Async: true}
	report := Request{Path: "/report.php?s=1.5", Status: 504, Async: true}
	reqs := []Request{
		get("/index.php", 200),
		get("/search.php?q=shoes", 200),
		get("/index.php", 200),
		checkout, checkout, report, checkout, report, checkout,
		get("/index.php", 200),
		get("/search.php?q=boots", 200),
	}
	// Wait for the slow ones, then restart php-fpm with requests arriving
	// while it is down.
	reqs = append(reqs,
		Request{Path: "/index.php", Status: 200, Before: Seq(WaitRequests(), Sleep(500*time.Millisecond))},
		Request{Path: "/index.php", Status: 502, Before: StopFPM()},
		get("/search.php?q=boots", 502),
		get("/index.php", 502),
		Request{Path: "/index.php", Status: 200, Before: StartFPM()},
		get("/search.php?q=socks", 200),
		get("/index.php", 200),
	)
	return Scenario{
		Name:  "demo",
		Cause: "fpm_request_terminate",
		Doc:   "one nginx and php-fpm: POST /checkout.php killed by request_terminate_timeout (502 ×4), /report.php past fastcgi_read_timeout (504 ×2), a PHP warning on a 200, and a php-fpm restart window (502 ×3).",
		FPM: `{{define "pm"}}pm = static
pm.max_children = 8{{end}}{{define "pool"}}request_terminate_timeout = 2s
request_slowlog_timeout = 1s{{end}}`,
		Nginx: `{{define "server"}}
        location = /report.php {
            fastcgi_pass unix:{{.FPMSocket}};
            fastcgi_read_timeout 1s;
        }
{{end}}{{define "location"}}            fastcgi_read_timeout 30s;
{{end}}`,
		Scripts: map[string]string{
			"index.php":    indexPHP,
			"checkout.php": sleepPHP,
			"report.php":   sleepPHP,
			"search.php": `<?php
trigger_error("search index is stale, falling back to LIKE query", E_USER_WARNING);
echo "results\n";
`,
		},
		Requests: reqs,
		Want: []Want{
			{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream", `request: "POST /checkout.php?s=4 HTTP/1.1"`}, Min: 4},
			{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream", `request: "GET /report.php?s=1.5 HTTP/1.1"`}, Min: 2},
			{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php-fpm.sock failed (2: ", "while connecting to upstream"}, Min: 3},
			{Log: NginxError, Line: []string{"[error]", `FastCGI sent in stderr: "PHP message: PHP Warning:  search index is stale`}, Min: 2},
			{Log: FPMError, Line: []string{"WARNING: [pool www] child ", "checkout.php' (request: \"POST /checkout.php?s=4\") execution timed out (", "sec), terminating"}, Min: 4},
			{Log: FPMError, Line: []string{"WARNING: [pool www] child ", " exited on signal 15 (SIGTERM) after "}, Min: 4},
			{Log: FPMAccess, Line: []string{`"GET /report.php?s=1.5" 200`}, Min: 2},
			{Log: FPMError, Line: []string{"NOTICE: Terminating ..."}},
			{Log: FPMError, Line: []string{"NOTICE: ready to handle connections"}, Min: 2},
			{Log: FPMError, Line: []string{"WARNING: [pool www] child ", "checkout.php' (request: \"POST /checkout.php?s=4\") executing too slow ("}, Min: 4},
			{Log: FPMSlow, Line: []string{"script_filename = ", "checkout.php"}, Min: 4},
		},
	}
}
