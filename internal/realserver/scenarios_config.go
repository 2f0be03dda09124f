package realserver

// ConfigScenarios returns the incidents whose cause only the configs
// decide (issue 5: nginx and php-fpm cross-checked), in a fresh slice of
// fresh values on every call: nginx and the pool disagree on the listen
// address both ways (unix socket vs TCP), proxy_pass speaks HTTP to a
// pool's TCP FastCGI port, https:// through an upstream group to a
// plaintext server, and a location prefix without its trailing slash in
// front of a proxy_pass URI part. Two controls (Cause "") run setups that
// work and must give no finding: a fastcgi_pass path that differs from the
// pool's listen only before cleaning ("dir//php-fpm.sock"), and
// listen.allowed_clients naming nginx's address.
//
// They are kept apart from Scenarios so that this package's own golden
// test does not depend on them; package classify runs them and keeps
// their captures under testdata/incidents/<name>/.
func ConfigScenarios() []Scenario {
	return []Scenario{
		{
			Name:    "cfg_listen_unix_to_tcp",
			Cause:   "listen_mismatch",
			Doc:     "nginx passes to the pool's unix socket path, but the pool listens on TCP: nginx finds no socket file (ENOENT) although php-fpm runs.",
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[crit]", "connect() to unix:", "php-fpm.sock failed (2: ", "while connecting to upstream"}},
				{Log: FPMError, Line: []string{"NOTICE: ready to handle connections"}},
			},
		},
		{
			Name:    "cfg_listen_tcp_to_unix",
			Cause:   "listen_mismatch",
			Doc:     "nginx passes to 127.0.0.1:PORT, but the pool listens on its unix socket: nothing listens on the port (ECONNREFUSED) although php-fpm runs.",
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "connect() failed (111: ", "while connecting to upstream", `upstream: "fastcgi://127.0.0.1:`}},
				{Log: FPMError, Line: []string{"NOTICE: ready to handle connections"}},
			},
		},
		{
			Name:    "cfg_path_clean",
			Doc:     "control: fastcgi_pass names the pool's socket with a doubled slash (DIR//php-fpm.sock); the kernel resolves it to the same file and every request succeeds.",
			Nginx:   `{{define "pass"}}unix:{{.Dir}}//php-fpm.sock{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 200},
			},
			Want: []Want{
				{Log: NginxAccess, Line: []string{`"GET /index.php HTTP/1.1" 200`}},
			},
		},
		{
			Name:    "cfg_allowed_clients_ok",
			Doc:     "control: the pool listens on TCP with listen.allowed_clients = 127.0.0.1, nginx connects to localhost: allowed, every request succeeds.",
			Nginx:   `{{define "pass"}}{{addr "fpm"}}{{end}}`,
			FPM:     `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}listen.allowed_clients = 127.0.0.1{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/index.php", Status: 200},
			},
			Want: []Want{
				{Log: FPMError, Line: []string{"Connection disallowed"}, None: true},
			},
		},
		{
			Name:  "cfg_proxy_pass_fastcgi_tcp",
			Cause: "protocol_mismatch",
			Doc:   "proxy_pass http:// to the pool's TCP port: php-fpm reads an HTTP request as FastCGI records and drops the connection.",
			FPM:   `{{define "listen"}}{{addr "fpm"}}{{end}}{{define "listen_perms"}}{{end}}`,
			Nginx: `{{define "pass"}}{{addr "fpm"}}{{end}}{{define "server"}}
        location /app/ {
            proxy_pass http://{{addr "fpm"}};
        }
{{end}}`,
			Scripts: map[string]string{"index.php": indexPHP},
			Requests: []Request{
				{Path: "/app/hello", Status: 502},
				{Path: "/index.php", Status: 200},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"[error]", "recv() failed (104: ", "while reading response header from upstream", `upstream: "http://127.0.0.1:`},
					Or: [][]string{
						{"[error]", "upstream prematurely closed connection while reading response header from upstream", `upstream: "http://127.0.0.1:`},
						{"[error]", "upstream sent no valid HTTP/1.0 header while reading response header from upstream"},
					}},
			},
		},
		{
			Name:  "cfg_https_upstream_group",
			Cause: "tls_mismatch",
			Doc:   "proxy_pass https:// to an upstream group whose server is a plaintext HTTP server: the TLS handshake fails.",
			NoFPM: true,
			Nginx: `{{define "http"}}
    upstream api {
        server {{addr "backend"}};
    }

    server {
        listen {{addr "backend"}};
        server_name backend;
        location / {
            return 200 "backend ok\n";
        }
    }
{{end}}{{define "server"}}
        location /api/ {
            proxy_pass https://api;
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/users", Status: 502},
			},
			Want: []Want{
				{Log: NginxError, Line: []string{"SSL_do_handshake() failed", "while SSL handshaking to upstream"}},
			},
		},
		{
			Name:  "cfg_proxy_pass_double_slash",
			Cause: "proxy_pass_uri_rewrite",
			Doc:   "location /api (no trailing slash) with proxy_pass http://backend/: /api/users reaches the backend as //users, which it does not serve (404).",
			NoFPM: true,
			Nginx: `{{define "http"}}
    server {
        listen {{addr "backend"}};
        server_name backend;
        merge_slashes off;
        location = /api/users {
            return 200 "users\n";
        }
        location = /users {
            return 200 "users\n";
        }
    }
{{end}}{{define "server"}}
        location /api {
            proxy_pass http://{{addr "backend"}}/;
        }
{{end}}`,
			Requests: []Request{
				{Path: "/api/users", Status: 404},
			},
			Want: []Want{
				{Log: NginxAccess, Line: []string{`"GET //users HTTP/1.0" 404`}},
				{Log: NginxError, Line: []string{`open() "`, `//users" failed (2: `}},
			},
		},
	}
}
