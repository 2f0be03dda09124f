// Package probe looks at the live system: is anything listening at an
// upstream address, can nginx's user open that socket, does php-fpm answer
// its ping and status pages, is the pool saturated, what does an upstream
// speak (FastCGI, HTTP, TLS) and what certificate does it present, what
// does DNS say, how much memory does a php-fpm child really use. It
// returns typed results, never verdicts: package classify turns them into
// causes.
//
// # Using it
//
// A zero Prober is ready to use; its fields set time limits, the response
// size cap, the root directory host facts are read under (tests point it
// at a fixture tree) and a *slog.Logger. Every method takes a
// context.Context first: its deadline, or Prober.Timeout if sooner, bounds
// the whole exchange, and cancelling it closes the connection at once, so
// no probe outlives its caller and no goroutine is left behind.
//
// Describe what to probe with Target values — one per *_pass peer, per
// php-fpm pool listen, per pm.status_listen — and call Probe (or
// ProbeAll), which runs what fits the target's Kind and returns a Result
// holding each probe's value and error. The single probes are methods
// too:
//
//	Dial          connect and close (timing, errno)
//	StatSocket    owner, group, mode and POSIX ACL of a unix socket
//	Access        can user U connect(2) to that socket: the kernel's
//	              permission check on every directory and the socket
//	Ping, Status  php-fpm's ping.path and pm.status_path (?json&full),
//	              spoken in FastCGI by the package's own client
//	HTTP, TLS     an HTTP HEAD (over TLS for https://) and a TLS handshake
//	Resolve       A/AAAA lookup through a given resolver or resolv.conf's
//	Host          MemAvailable, somaxconn, the memory cgroup, and php-fpm
//	              processes with their PSS/RSS/USS, from /proc and cgroupfs
//	Accounts      /etc/passwd and /etc/group, for Identity and names
//
// # What is sent
//
// Nothing but fixed requests: a FastCGI GET of the configured ping.path
// and of pm.status_path with "json&full" (php-src sapi/fpm/fpm/fpm_main.c
// and fpm_status.c route on SCRIPT_NAME/SCRIPT_FILENAME, so no script
// runs); an HTTP "HEAD" of Target.URI with "Connection: close"; a TLS
// ClientHello; DNS queries. Stream targets (uwsgi, scgi, grpc, memcached)
// are only dialled.
//
// # Errors
//
// Errors keep what the system said, for errors.Is and errors.As: a
// refused or failed connect is the *net.OpError with its syscall.Errno
// (ENOENT, ECONNREFUSED, EACCES, EAGAIN — a unix socket with a full listen
// queue — ENETUNREACH); a probe that runs out of time is a *TimeoutError,
// which matches syscall.ETIMEDOUT and context.DeadlineExceeded; a peer
// that does not speak the expected protocol is a *ProtocolError holding
// ErrNotFastCGI, ErrInvalidRecord, ErrNotHTTP, ErrTLSAnswer or
// ErrPlaintext and the first bytes it sent; a denied socket is an
// *AccessError (EACCES) naming the path component, the permission and the
// class that refused. Errno extracts the errno number to compare with the
// "(111: Connection refused)" of an nginx log line.
//
// # The FastCGI client
//
// Records follow the FastCGI 1.0 specification (and php-src
// sapi/fpm/fpm/fastcgi.c): one FCGI_RESPONDER request with keep-conn off,
// read until FCGI_END_REQUEST. Stdout is split into the CGI header (its
// "Status:" parsed) and body; stderr ("Primary script unknown", PHP
// messages) is kept apart; END_REQUEST's appStatus and protocolStatus are
// exposed. The reader keeps at most Prober.MaxResponseBytes of stdout and
// stderr and reads at most twice that plus 64 KiB in all, so a hostile or
// broken peer cannot make it use unbounded memory, and it recognises a
// non-FastCGI answer from its first byte.
//
// # Concurrency
//
// A Prober is safe for concurrent use once its fields are set. Results
// are plain values owned by the caller.
package probe
