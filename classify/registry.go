package classify

// Code is a cause code: the stable, snake_case name of one reason why nginx
// answered an error (see the package documentation and TAXONOMY.md). Once
// released a code is never renamed, reused or renumbered; retired codes
// stay in the registry with Retired set.
type Code string

// The cause codes. The string value is the contract; the Go names may
// change. Groups follow TAXONOMY.md.
const (
	// Backend not reachable.
	FPMDown          Code = "fpm_down"
	FPMStaleSocket   Code = "fpm_stale_socket"
	ListenMismatch   Code = "listen_mismatch"
	SocketPermission Code = "socket_permission"
	FPMAllowedClient Code = "fpm_allowed_clients"
	FPMConfigInvalid Code = "fpm_config_invalid"
	FPMBindFailed    Code = "fpm_bind_failed"
	BackendDown      Code = "backend_down"

	// Capacity.
	FPMMaxChildren         Code = "fpm_max_children"
	NginxWorkerConnections Code = "nginx_worker_connections"
	NginxFDLimit           Code = "nginx_fd_limit"
	LocalPortsExhausted    Code = "local_ports_exhausted"

	// Timeouts.
	FPMRequestTerminate   Code = "fpm_request_terminate"
	UpstreamReadTimeout   Code = "upstream_read_timeout"
	UpstreamSendTimeout   Code = "upstream_send_timeout"
	UpstreamConnectTimout Code = "upstream_connect_timeout"
	PHPMaxExecutionTime   Code = "php_max_execution_time"

	// Worker death and connection loss.
	FPMWorkerCrash            Code = "fpm_worker_crash"
	FPMWorkerKilled           Code = "fpm_worker_killed"
	FPMReload                 Code = "fpm_reload"
	UpstreamReset             Code = "upstream_reset"
	UpstreamPrematurelyClosed Code = "upstream_prematurely_closed"
	UpstreamKeepaliveClosed   Code = "upstream_keepalive_closed"
	UpstreamTruncatedBody     Code = "upstream_truncated_body"
	NginxWorkerCrash          Code = "nginx_worker_crash"

	// Protocol and TLS.
	HeaderTooBig          Code = "header_too_big"
	ProtocolMismatch      Code = "protocol_mismatch"
	UpstreamInvalidHeader Code = "upstream_invalid_header"
	TLSMismatch           Code = "tls_mismatch"
	UpstreamTLSVerify     Code = "upstream_tls_verify"
	UpstreamTLSProtocol   Code = "upstream_tls_protocol"

	// Routing and name resolution.
	NoLiveUpstreams     Code = "no_live_upstreams"
	ResolverMissing     Code = "resolver_missing"
	ResolverUnreachable Code = "resolver_unreachable"
	DNSNXDomain         Code = "dns_nxdomain"
	PassTargetInvalid   Code = "pass_target_invalid"

	// Look-alikes.
	App502                Code = "app_502"
	ClientClosedRequest   Code = "client_closed_request"
	PHPFatalError         Code = "php_fatal_error"
	PrimaryScriptUnknown  Code = "primary_script_unknown"
	ScriptPermission      Code = "script_permission_denied"
	SecurityLimitExt      Code = "security_limit_extensions"
	ProxyPassURIRewrite   Code = "proxy_pass_uri_rewrite"
	UpstreamPartiallyDown Code = "upstream_partially_down"
	RateLimited           Code = "rate_limited"
	RewriteCycle          Code = "rewrite_cycle"
)

// Group names, in the order of TAXONOMY.md.
const (
	GroupReachability = "Backend not reachable"
	GroupCapacity     = "Capacity"
	GroupTimeouts     = "Timeouts"
	GroupWorkerDeath  = "Worker death and connection loss"
	GroupProtocol     = "Protocol and TLS"
	GroupRouting      = "Routing and name resolution"
	GroupLookAlikes   = "Look-alikes: not a gateway fault, often mistaken for one"
)

// Cause documents one cause code. Status is the status a client usually
// sees, as text because some causes have several ("502 or 504") or none
// ("0" = the connection is dropped without a response). Description says
// what happened, Evidence what shows it, Remediation what to change.
type Cause struct {
	Code        Code
	Group       string
	Title       string
	Status      string
	Description string
	Evidence    string
	Remediation string
	// Retired is set when a code is no longer produced; a retired code is
	// never reused.
	Retired bool
}

// registry is the single source of every cause. Order: TAXONOMY.md, with
// codes added by this package (marked in their Description) at the end of
// their group.
var registry = [...]Cause{
	{FPMDown, GroupReachability, "php-fpm is not running", "502",
		"php-fpm is not running or not listening at the address that nginx and the pool agree on.",
		"`connect() to unix:PATH failed (2: No such file or directory)` [crit] with PATH the pool's `listen`, or `connect() failed (111: Connection refused)` to the pool's TCP address.",
		"Start php-fpm (`systemctl start php8.2-fpm`) and find why it stopped in its own log (`error_log` in php-fpm.conf): a config error, a failed bind, the OOM killer. Make the service restart on failure.", false},
	{FPMStaleSocket, GroupReachability, "socket file exists but nothing listens", "502",
		"The unix socket file is still there but no php-fpm process listens on it: php-fpm was killed without cleaning up.",
		"`connect() to unix:PATH failed (111: Connection refused)`.",
		"Restart php-fpm (it recreates the socket); find what killed the master (`journalctl`, `dmesg` for the OOM killer).", false},
	{ListenMismatch, GroupReachability, "fastcgi_pass does not match any pool listen", "502",
		"The address in `fastcgi_pass` is not one any php-fpm pool listens on: unix vs TCP, another path, another host or port.",
		"ENOENT or ECONNREFUSED to an address the php-fpm config does not listen on; statically, the cross-check of both configs.",
		"Make `fastcgi_pass` and the pool's `listen` name the same address (e.g. `fastcgi_pass unix:/run/php/php8.2-fpm.sock;` with `listen = /run/php/php8.2-fpm.sock`).", false},
	{SocketPermission, GroupReachability, "nginx may not connect to the php-fpm socket", "502",
		"The nginx worker user cannot connect to the unix socket: `listen.owner`, `listen.group`, `listen.mode`, the directory permissions or the ACLs keep it out.",
		"`connect() to unix:PATH failed (13: Permission denied)` [crit].",
		"Set `listen.owner`/`listen.group` to nginx's `user` (Debian: `www-data`) with `listen.mode = 0660`, or add that user to `listen.acl_users`; make every directory on the path searchable by it.", false},
	{FPMAllowedClient, GroupReachability, "listen.allowed_clients rejects nginx", "502",
		"`listen.allowed_clients` does not include nginx's source address; php-fpm accepts and at once closes the connection.",
		"nginx `recv() failed (104: Connection reset by peer)` at once; php-fpm logs `Connection disallowed: IP address 'X' has been dropped.` only with `catch_workers_output` or a log level that shows it.",
		"Add nginx's source address (the one php-fpm sees, e.g. `127.0.0.1`) to `listen.allowed_clients`, or remove the setting on a unix socket.", false},
	{FPMConfigInvalid, GroupReachability, "php-fpm refused to start: config error", "502",
		"php-fpm refused to start or reload because its configuration is invalid; nginx then sees it down.",
		"php-fpm `ALERT`/`ERROR` lines such as `pm.start_servers(10) must not be less than pm.min_spare_servers(1) …` followed by `FPM initialization failed`; nginx shows `fpm_down` symptoms.",
		"Run `php-fpm8.2 -t` after every change, fix the reported line, then start php-fpm.", false},
	{FPMBindFailed, GroupReachability, "php-fpm could not bind its listen address", "502",
		"php-fpm could not bind its `listen` address: the port is taken, the socket directory is missing or not writable.",
		"`ERROR: unable to bind listening socket for address '…': Address already in use (98)` (or `No such file or directory (2)`, `Permission denied (13)`).",
		"Free the address (another php-fpm or service holds it), create the socket directory (`/run/php`), or choose another `listen`.", false},
	{BackendDown, GroupReachability, "the HTTP/uwsgi/scgi/grpc backend is unreachable", "502",
		"A non-FastCGI backend refuses connections or cannot be reached.",
		"`connect() failed (111: Connection refused)`, `(113: No route to host)` or `(101: Network is unreachable)` to a non-FastCGI upstream.",
		"Start the backend or fix the address in `proxy_pass`/`uwsgi_pass`/`scgi_pass`/`grpc_pass`; check firewalls and routes between nginx and it.", false},

	{FPMMaxChildren, GroupCapacity, "php-fpm pool saturated (pm.max_children)", "502 or 504",
		"Every child of the pool is busy and the listen queue fills: new requests wait, time out or are refused.",
		"php-fpm `WARNING: [pool P] server reached pm.max_children setting (N), consider raising it` (ondemand: `server reached max_children setting`; static pools log nothing); nginx `connect() to unix:… failed (11: Resource temporarily unavailable)` → 502, or on TCP `upstream timed out (110) while connecting to upstream` / a read timeout while queued → 504; status page `listen queue`, `max children reached`.",
		"Raise `pm.max_children` if memory allows (max_children × per-child memory < available memory), or make the slow requests faster; watch the status page's `listen queue` and `max children reached`.", false},
	{NginxWorkerConnections, GroupCapacity, "nginx worker_connections exhausted", "0",
		"An nginx worker ran out of connection slots (`worker_connections`); each proxied request uses two.",
		"`[alert] … worker_connections are not enough`.",
		"Raise `worker_connections` in the `events` block (and `worker_rlimit_nofile` to at least twice that).", false},
	{NginxFDLimit, GroupCapacity, "nginx out of file descriptors", "500",
		"nginx ran out of file descriptors.",
		"`(24: Too many open files)`, e.g. `socket() failed (24: Too many open files) while connecting to upstream`.",
		"Raise `worker_rlimit_nofile` (and the service's `LimitNOFILE`); check for descriptor leaks.", false},
	{LocalPortsExhausted, GroupCapacity, "no local port left for upstream connections", "502",
		"Added by badgateway (catalog: `connect_to_failed`): the host ran out of ephemeral ports for new upstream connections, typically many short TCP connections to one backend without keepalive.",
		"`connect() to ADDR failed (99: Cannot assign requested address) while connecting to upstream` [crit].",
		"Reuse upstream connections (`keepalive` in the upstream block with `proxy_http_version 1.1` and `proxy_set_header Connection \"\"`, or `fastcgi_keep_conn on`), use a unix socket, or widen `net.ipv4.ip_local_port_range`.", false},

	{FPMRequestTerminate, GroupTimeouts, "request_terminate_timeout killed the child", "502",
		"php-fpm's `request_terminate_timeout` killed the child in the middle of the request.",
		"php-fpm `WARNING: [pool P] child PID, script 'S' (request: \"…\") execution timed out (T sec), terminating` and `child PID exited on signal 15 (SIGTERM)`; nginx `recv() failed (104: Connection reset by peer) while reading response header from upstream`.",
		"Make the slow script faster, or order the timeouts: `max_execution_time` < `request_terminate_timeout` < `fastcgi_read_timeout`, so PHP stops first with a clear error.", false},
	{UpstreamReadTimeout, GroupTimeouts, "the backend did not answer in time (read timeout)", "504",
		"`fastcgi_read_timeout`/`proxy_read_timeout`/… fired before the backend sent its response header.",
		"`upstream timed out (110: Connection timed out) while reading response header from upstream`.",
		"Find the slow requests (php-fpm slow log, `request_slowlog_timeout`); raise the read timeout only if such durations are expected.", false},
	{UpstreamSendTimeout, GroupTimeouts, "the backend did not take the request in time (send timeout)", "504",
		"`*_send_timeout` fired while nginx was sending the request to the backend.",
		"`upstream timed out (110: …) while sending request to upstream`.",
		"Check the backend's request reading (large uploads, a stuck backend); raise `*_send_timeout` for large bodies.", false},
	{UpstreamConnectTimout, GroupTimeouts, "the connection to the backend did not open in time", "504",
		"The TCP connect did not complete within `*_connect_timeout`: packets dropped by a firewall, or a full listen backlog.",
		"`upstream timed out (110: …) while connecting to upstream`.",
		"Check that the backend host is up and reachable and that its listen backlog is not full (for php-fpm: `pm.max_children`, `listen.backlog`).", false},
	{PHPMaxExecutionTime, GroupTimeouts, "PHP max_execution_time exceeded", "500",
		"PHP's own `max_execution_time` stopped the script (CPU time on Linux; `sleep()` does not count).",
		"`FastCGI sent in stderr: \"PHP message: PHP Fatal error:  Maximum execution time of N second(s) exceeded …\"`.",
		"Make the script faster, or raise `max_execution_time` (php.ini or `php_admin_value[max_execution_time]` in the pool).", false},

	{FPMWorkerCrash, GroupWorkerDeath, "a php-fpm child crashed", "502",
		"A php-fpm child died from a fault signal (SIGSEGV, SIGBUS, SIGABRT, …): an extension bug or a stack overflow.",
		"php-fpm `child PID exited on signal 11 (SIGSEGV) after T seconds from start`; nginx `recv() failed (104: Connection reset by peer)`.",
		"Find the crashing script and extension (core dump with `rlimit_core = unlimited`, or disable extensions one by one); update PHP and the extension.", false},
	{FPMWorkerKilled, GroupWorkerDeath, "a php-fpm child was killed (SIGKILL)", "502",
		"A php-fpm child was killed with SIGKILL: the kernel OOM killer, a cgroup memory limit, or an operator.",
		"php-fpm `child PID exited on signal 9 (SIGKILL)`; nginx `recv() failed (104: Connection reset by peer)`; `dmesg` shows the OOM killer.",
		"Lower `pm.max_children` or `memory_limit` so that max_children × per-child memory fits the memory limit, or give the host/container more memory.", false},
	{FPMReload, GroupWorkerDeath, "php-fpm reload cut requests in flight", "502",
		"A php-fpm reload or restart (SIGUSR2, a deploy) cut the requests that were running.",
		"php-fpm `NOTICE: Reloading in progress ...`, `reloading: execvp(…)`, `using inherited socket fd=N` in the same second as nginx 104 resets.",
		"Set `process_control_timeout` so that children finish their requests before a reload, and reload outside peak hours.", false},
	{UpstreamReset, GroupWorkerDeath, "the backend reset the connection", "502",
		"The backend reset the connection and nothing else explains it.",
		"`recv() failed (104: Connection reset by peer)` with no php-fpm event at the same time.",
		"Read the backend's own log at the time of the reset; for php-fpm, enable `catch_workers_output` and keep its log at `notice`.", false},
	{UpstreamPrematurelyClosed, GroupWorkerDeath, "the backend closed the connection before answering", "502",
		"An HTTP backend closed the connection before it sent a complete response header.",
		"`upstream prematurely closed connection while reading response header from upstream`.",
		"Read the backend's log: it crashed, restarted or refused the request (e.g. body too large) at that moment.", false},
	{UpstreamKeepaliveClosed, GroupWorkerDeath, "the backend closed a kept-alive connection", "502",
		"The backend closed an idle kept-alive connection just as nginx reused it; GET is retried silently, POST fails.",
		"A reset or premature close on a reused connection; `$upstream_status` like `502, 200`; upstream `keepalive` with a backend idle timeout shorter than nginx's `keepalive_timeout`.",
		"Make nginx's upstream `keepalive_timeout` shorter than the backend's idle timeout.", false},
	{UpstreamTruncatedBody, GroupWorkerDeath, "the backend died after the response header", "200 (cut)",
		"The backend failed after the response header was sent: the client got a truncated body with the upstream's status.",
		"`upstream prematurely closed connection while reading upstream` (or a read error while reading upstream) with access-log status 200.",
		"Read the backend's log at that time; for large responses check its output timeouts and memory.", false},
	{NginxWorkerCrash, GroupWorkerDeath, "an nginx worker process crashed", "0",
		"Added by badgateway (catalog: `worker_exited_signal`): an nginx worker died from a signal; its connections are dropped and a load balancer in front reports 502.",
		"`[alert] … worker process PID exited on signal 11 (core dumped)` from the master, with no upstream error line.",
		"Get a core dump (`worker_rlimit_core`, `working_directory`) and check third-party modules; update nginx.", false},

	{HeaderTooBig, GroupProtocol, "response header larger than the buffer", "502",
		"The backend's response header is larger than `fastcgi_buffer_size`/`proxy_buffer_size`.",
		"`upstream sent too big header while reading response header from upstream`.",
		"Raise `fastcgi_buffer_size` (or `proxy_buffer_size`) to hold the largest header (e.g. `16k`), and `fastcgi_buffers`/`proxy_buffers` accordingly; or trim large Set-Cookie/CSP headers.", false},
	{ProtocolMismatch, GroupProtocol, "FastCGI and HTTP mixed up", "502",
		"FastCGI was spoken to an HTTP server, or HTTP to a FastCGI port.",
		"`upstream sent unsupported FastCGI protocol version: 72` (the H of an HTTP answer); `proxy_pass` to php-fpm: 104 reset or `upstream sent no valid HTTP/1.0 header`.",
		"Use `fastcgi_pass` for php-fpm and `proxy_pass` for HTTP backends.", false},
	{UpstreamInvalidHeader, GroupProtocol, "the backend sent a malformed response", "502",
		"The backend sent a malformed response header or FastCGI record.",
		"`upstream sent invalid header`, `upstream sent invalid FastCGI record type`, `upstream sent invalid status`.",
		"Fix the backend's header output (the shown bytes say where); check that nothing writes to stdout before the headers.", false},
	{TLSMismatch, GroupProtocol, "TLS and plaintext mixed up", "502 or 504",
		"TLS was spoken to a plaintext backend, or plaintext to a TLS backend.",
		"`SSL_do_handshake() failed (SSL: error:0A00010B:SSL routines::wrong version number) while SSL handshaking to upstream`; plaintext to TLS: `upstream prematurely closed connection`; a handshake timeout gives 504.",
		"Use `https://` in `proxy_pass` only for TLS backends and `http://` for plaintext ones.", false},
	{UpstreamTLSVerify, GroupProtocol, "backend certificate rejected", "502",
		"`proxy_ssl_verify on` and the backend's certificate fails verification or does not match the name.",
		"`upstream SSL certificate verify error: (18:self-signed certificate)`, `upstream SSL certificate does not match \"NAME\"`.",
		"Give nginx the issuing CA in `proxy_ssl_trusted_certificate`, set `proxy_ssl_name` to a name in the certificate, or renew the certificate.", false},
	{UpstreamTLSProtocol, GroupProtocol, "no common TLS version or cipher", "502",
		"nginx and the backend share no TLS version or cipher.",
		"`SSL_do_handshake() failed (SSL: … tlsv1 alert protocol version:SSL alert number 70)`, `… no protocols available`, `… handshake failure`.",
		"Align `proxy_ssl_protocols` and `proxy_ssl_ciphers` with what the backend supports.", false},

	{NoLiveUpstreams, GroupRouting, "every server of the upstream group is marked failed", "502",
		"Every server of the `upstream` group is marked failed (`max_fails`/`fail_timeout`) or down; the real cause is in earlier lines for the same group.",
		"`no live upstreams while connecting to upstream`, `upstream:` = the group name.",
		"Fix the earlier failures of the group's servers (see the verdicts this one points at); with a single server, `max_fails=0` stops nginx from marking it failed.", false},
	{ResolverMissing, GroupRouting, "no resolver for a name in *_pass", "502",
		"A `*_pass` with variables needs a name resolved at run time and no `resolver` is set.",
		"`no resolver defined to resolve NAME`.",
		"Add `resolver` (e.g. `resolver 127.0.0.53 valid=30s;`) in the `http` or `server` block, or use an `upstream` block.", false},
	{ResolverUnreachable, GroupRouting, "the DNS resolver does not answer", "502",
		"The resolver nginx uses times out, refuses or fails.",
		"`NAME could not be resolved (110: Operation timed out)`, `(2: Server failure)`, `(5: Operation refused)`; `send() failed (111: Connection refused) while resolving`.",
		"Point `resolver` at a working DNS server reachable from nginx; check `resolver_timeout`.", false},
	{DNSNXDomain, GroupRouting, "the backend name does not exist", "502",
		"The name in `*_pass` does not exist in DNS.",
		"`NAME could not be resolved (3: Host not found)`.",
		"Fix the host name in `*_pass` (or the variable that builds it), or create the DNS record.", false},
	{PassTargetInvalid, GroupRouting, "a *_pass with variables gave an invalid address", "500",
		"Added by badgateway (catalog: `no_port`, `parse_url_in_upstream`, `invalid_url_prefix`): a `*_pass` built from variables gave an address nginx cannot use.",
		"`no port in upstream \"…\"`, `invalid port in upstream \"…\"`, `invalid URL prefix in \"…\"`.",
		"Fix the variables that build the `*_pass` target so that it has a scheme, host and port.", false},

	{App502, GroupLookAlikes, "the application itself answered 502", "502",
		"The backend application answered 502 itself; nginx passed it on.",
		"Access log `$upstream_status` 502 with no nginx error line.",
		"Look in the application's log: it is usually a proxy inside the application (or a gateway it calls) failing.", false},
	{ClientClosedRequest, GroupLookAlikes, "the client gave up first (499)", "499",
		"The client closed the connection before nginx answered, often because the backend was slow.",
		"Access log 499; `[info] … client prematurely closed connection` (info level only).",
		"Nothing to fix in nginx: find why responses were slow, or raise the client's timeout.", false},
	{PHPFatalError, GroupLookAlikes, "PHP fatal error (500)", "500",
		"A PHP fatal error: memory_limit exhausted, an uncaught exception, a call to an undefined function.",
		"`FastCGI sent in stderr: \"PHP message: PHP Fatal error: …\"`.",
		"Fix the error in the shown script and line; for `Allowed memory size … exhausted`, raise `memory_limit` or use less memory.", false},
	{PrimaryScriptUnknown, GroupLookAlikes, "php-fpm cannot find the script (404)", "404",
		"`SCRIPT_FILENAME` is wrong or missing: a wrong `root`, or `fastcgi_params` used where `fastcgi.conf` was meant.",
		"`FastCGI sent in stderr: \"Primary script unknown\"`.",
		"Set `fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;` (or `include fastcgi.conf;`) and check `root`.", false},
	{ScriptPermission, GroupLookAlikes, "php-fpm may not read the script (403)", "403",
		"The pool's user cannot read the script file.",
		"`FastCGI sent in stderr: \"Unable to open primary script: … (Permission denied)\"` or `… Failed to open stream: Permission denied …`; php-fpm answers `Access denied.`.",
		"Give the pool's `user` read access to the script and search access to its directories.", false},
	{SecurityLimitExt, GroupLookAlikes, "script extension not allowed (403)", "403",
		"The script's extension is not in `security.limit_extensions`.",
		"`Access to the script '…' has been denied (see security.limit_extensions)`.",
		"Send only `.php` requests to php-fpm (`location ~ \\.php$` with `try_files $uri =404;`), or add the extension to `security.limit_extensions` deliberately.", false},
	{ProxyPassURIRewrite, GroupLookAlikes, "proxy_pass with a URI part rewrites the path (404)", "404 (from backend)",
		"`proxy_pass` with a URI part replaces the matched location prefix (`location /api/ { proxy_pass http://b/; }` sends `/users`, not `/api/users`).",
		"The config; backend 404s in the access log.",
		"Remove the URI part from `proxy_pass` (`proxy_pass http://b;`) to pass the path unchanged, or make the location and the URI part end alike.", false},
	{UpstreamPartiallyDown, GroupLookAlikes, "one peer failed, a retry succeeded", "200",
		"One server of the group failed and nginx's retry on the next one succeeded.",
		"An error line and an access-log `$upstream_status` like `502, 200`.",
		"Fix the failing peer (see its error lines); the client did not see an error.", false},
	{RateLimited, GroupLookAlikes, "nginx rate limiting (503)", "503",
		"Added by badgateway (catalog: `limit_req`, `limit_conn`): nginx's own `limit_req`/`limit_conn` rejected the request; dashboards often count it with 502/504.",
		"`limiting requests, excess: … by zone \"Z\"`, `limiting connections by zone \"Z\"`.",
		"Raise `rate`/`burst` of the zone or the connection limit if the traffic is legitimate.", false},
	{RewriteCycle, GroupLookAlikes, "rewrite or internal redirection cycle (500)", "500",
		"Added by badgateway (catalog: `rewrite_cycle`): a rewrite or `try_files` loop, typical with `try_files … /index.php` when no location handles `.php`.",
		"`rewrite or internal redirection cycle while internally redirecting to \"…\"`.",
		"Add a `location ~ \\.php$` that passes to php-fpm, or end the loop in the rewrite rules.", false},
}

// Causes returns every cause of the registry, in registry order (grouped
// as in TAXONOMY.md). The slice is a fresh copy; it is safe for concurrent
// use.
func Causes() []Cause {
	out := make([]Cause, len(registry))
	copy(out[:], registry[:])
	return out
}

// Lookup returns the registry entry for code.
func Lookup(code Code) (Cause, bool) {
	for i := range registry {
		if registry[i].Code == code {
			return registry[i], true
		}
	}
	return Cause{}, false
}

// Title returns the cause's title, or the code itself when it is unknown.
func (c Code) Title() string {
	if k, ok := Lookup(c); ok {
		return k.Title
	}
	return string(c)
}
