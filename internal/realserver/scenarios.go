package realserver

import (
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
			Doc:   "fastcgi_read_timeout 1s; the script sleeps 2 s: nginx gives up first with 504.",
			Nginx: `{{define "location"}}            fastcgi_read_timeout 1s;
{{end}}`,
			Scripts: map[string]string{"sleep.php": sleepPHP},
			Requests: []Request{
				{Path: "/sleep.php?s=2", Status: 504},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "upstream timed out (110: ", "while reading response header from upstream"}},
				{Log: NginxAccess, Line: []string{`"GET /sleep.php?s=2 HTTP/1.1" 504`, `us="504"`}},
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
			Doc:   "an upstream group of two peers where nothing listens: the first request fails on both and marks them down, the next ones find no live upstream.",
			NoFPM: true,
			Nginx: `{{define "http"}}
    upstream php_backend {
        server {{addr "dead1"}} max_fails=1 fail_timeout=30s;
        server {{addr "dead2"}} max_fails=1 fail_timeout=30s;
    }
{{end}}{{define "pass"}}php_backend{{end}}`,
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
			Doc:     "the pool listens on TCP with listen.allowed_clients = 127.0.0.2; nginx connects from 127.0.0.1 and is dropped.",
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}listen.allowed_clients = 127.0.0.2{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream"}},
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
	}
}
