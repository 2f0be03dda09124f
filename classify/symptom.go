package classify

import (
	"strings"

	"github.com/badgateway/badgateway/logparse"
)

// Linux errno numbers (glibc and musl agree on the numbers; their texts
// differ, so symptoms are keyed on numbers only).
const (
	errnoENOENT        = 2
	errnoEAGAIN        = 11
	errnoEACCES        = 13
	errnoEMFILE        = 24
	errnoENFILE        = 23
	errnoEPIPE         = 32
	errnoEADDRNOTAVAIL = 99
	errnoENETUNREACH   = 101
	errnoECONNRESET    = 104
	errnoENOTCONN      = 107
	errnoETIMEDOUT     = 110
	errnoECONNREFUSED  = 111
	errnoEHOSTDOWN     = 112
	errnoEHOSTUNREACH  = 113
)

// Actions nginx appends as " while ACTION" (catalog §3).
const (
	actConnecting    = "connecting to upstream"
	actSSL           = "SSL handshaking to upstream"
	actSending       = "sending request to upstream"
	actReadingHeader = "reading response header from upstream"
	actReadingBody   = "reading upstream"
	actSendingClient = "sending to client"
	actUpgraded      = "proxying upgraded connection"
	actResolving     = "resolving"
)

// Symptom is what one nginx error-log record shows, before any other input
// is considered: which catalogued message it is, the status a client
// usually gets from it, the upstream it concerns, and the causes that can
// produce it, most likely first.
//
// A Symptom with no Candidates is a record that matters only as context
// (e.g. "upstream server temporarily disabled", PHP warnings in FastCGI
// stderr): it is not a cause by itself.
type Symptom struct {
	// ID is the catalog id of the message (catalog/nginx-messages.md §4),
	// e.g. "recv_failed", "connect_to_failed", "fastcgi_stderr". Stable.
	ID string
	// Status is the HTTP status a client usually gets when this record is
	// the last attempt of a request: 502, 504, 500, 404, 403, 499, 503; 200
	// for a body cut after the header; 0 when the record by itself decides
	// no status (context lines, connection drops).
	Status int
	// Upstream is the upstream the record names: from the "upstream:"
	// field, else from the message ("connect() to PEER failed").
	Upstream Upstream
	// Candidates are the causes that produce this record, most likely first.
	Candidates []Candidate
	// Decide says which further evidence would tell the candidates apart;
	// empty when the record alone decides.
	Decide string
}

// Candidate is a cause with the confidence (0..1) that this record alone
// gives it.
type Candidate struct {
	Cause      Code
	Confidence float64
}

// Cause returns the most likely cause, or "" when there is none.
func (s Symptom) Cause() Code {
	if len(s.Candidates) == 0 {
		return ""
	}
	return s.Candidates[0].Cause
}

// SymptomOf maps one nginx error-log record to its symptom. It reports
// false for records that are not catalogued as relevant to 502/504 or their
// look-alikes (start-up notices, static-file 404s, …).
//
// It is pure and safe for concurrent use. It keys on the message prefix,
// the errno number and the action — never on the errno text, which
// depends on the C library (catalog §8).
func SymptomOf(e *logparse.ErrorEntry) (Symptom, bool) {
	s := Symptom{Upstream: upstreamOf(e)}
	msg := e.Message
	fcgi := s.Upstream.FastCGI()
	known := s.Upstream.Scheme != ""
	set := func(id string, status int, decide string, cands ...Candidate) (Symptom, bool) {
		s.ID, s.Status, s.Decide, s.Candidates = id, status, decide, cands
		return s, true
	}
	switch {
	// §4.1 Connect / peer selection.
	case strings.HasPrefix(msg, "connect() to ") && e.Action == actResolving:
		return set("resolver_connect", 0, "", c(ResolverUnreachable, 0.8))
	case strings.HasPrefix(msg, "connect() to ") && strings.HasSuffix(msg, " failed"):
		return connectFailed(&s, "connect_to_failed", e.Errno, fcgi, known)
	case msg == "connect() failed", msg == "kevent() reported that connect() failed":
		id := "connect_failed"
		if msg != "connect() failed" {
			id = "kevent_connect_failed"
		}
		return connectFailed(&s, id, e.Errno, fcgi, known)
	case msg == "socket() failed":
		if e.Errno == errnoEMFILE || e.Errno == errnoENFILE {
			return set("socket_failed", 500, "", c(NginxFDLimit, 0.95))
		}
		return set("socket_failed", 500, "", c(NginxFDLimit, 0.5))
	case strings.HasSuffix(msg, " worker_connections are not enough"):
		return set("worker_connections", 500, "", c(NginxWorkerConnections, 0.95))
	case strings.HasPrefix(msg, "bind(") && strings.HasSuffix(msg, ") failed"):
		if e.Errno == errnoEADDRNOTAVAIL {
			return set("bind_failed", 500, "", c(LocalPortsExhausted, 0.6))
		}
		return set("bind_failed", 500, "")
	case msg == "no live upstreams":
		return set("no_live_upstreams", 502, "the earlier failures of the group's servers show the root cause", c(NoLiveUpstreams, 0.95))
	case msg == "upstream server temporarily disabled":
		return set("server_disabled", 0, "")

	// §4.2 Runtime configuration errors.
	case strings.HasPrefix(msg, "no port in upstream \""),
		strings.HasPrefix(msg, "invalid URL prefix in \""),
		strings.Contains(msg, " in upstream \"") && !strings.HasPrefix(msg, "upstream "):
		id := "parse_url_in_upstream"
		switch {
		case strings.HasPrefix(msg, "no port"):
			id = "no_port"
		case strings.HasPrefix(msg, "invalid URL prefix"):
			id = "invalid_url_prefix"
		}
		return set(id, 500, "", c(PassTargetInvalid, 0.9))

	// §4.3 DNS / resolver.
	case strings.HasPrefix(msg, "no resolver defined to resolve "):
		return set("no_resolver", 502, "", c(ResolverMissing, 0.95))
	case strings.Contains(msg, " could not be resolved"):
		id := "could_not_be_resolved"
		status := 502
		switch {
		case strings.HasPrefix(msg, "service "):
			id, status = "zone_service_not_resolved", 0
		case strings.HasPrefix(e.Action, "resolving service ") || strings.Contains(msg, " while resolving service "):
			id, status = "zone_service_host_not_resolved", 0
		case !has(e, logparse.FieldClient):
			// Periodic re-resolution of "server … resolve": no request.
			id, status = "zone_could_not_be_resolved", 0
		}
		switch e.Errno {
		case 3: // NGX_RESOLVE_NXDOMAIN "Host not found"
			return set(id, status, "", c(DNSNXDomain, 0.9))
		case 2, 5, errnoETIMEDOUT: // Server failure, Operation refused, timed out
			return set(id, status, "", c(ResolverUnreachable, 0.85))
		}
		return set(id, status, "", c(ResolverUnreachable, 0.5), c(DNSNXDomain, 0.3))
	case strings.HasPrefix(msg, "DNS error"):
		if strings.Contains(msg, ", name:\"") {
			return set("dns_error_name", 0, "", c(ResolverUnreachable, 0.5))
		}
		return set("dns_error", 0, "", c(ResolverUnreachable, 0.5))
	case e.Action == actResolving && (strings.HasPrefix(msg, "send() failed") || strings.HasPrefix(msg, "recv() failed")):
		return set("resolver_send_failed", 0, "", c(ResolverUnreachable, 0.85))

	// §4.12 Client-side look-alikes (checked before the generic I/O
	// failures, which share their syscalls).
	case strings.Contains(msg, "client prematurely closed connection"),
		strings.Contains(msg, "client closed prematurely connection"): // before nginx 1.2.0
		if strings.HasPrefix(e.Action, "reading client request") || strings.HasPrefix(e.Action, "reading PROXY protocol") {
			// The request was never complete: nginx logs 400, not 499
			// (src/http/ngx_http_request.c ngx_http_read_request_header).
			return set(clientClosedID(msg), 400, "")
		}
		return set(clientClosedID(msg), 499, "", c(ClientClosedRequest, 0.9))
	case msg == "client timed out":
		return set("client_timed_out", 0, "")
	case e.Action == actSendingClient:
		return set("writev_client", 0, "", c(ClientClosedRequest, 0.6))

	// §4.4 Sending the request.
	case e.Action == actSending && isIOFailure(msg):
		return ioFailure(&s, ioID(msg, "writev_failed"), 502, e.Errno, fcgi)

	// §4.6 Timeouts.
	case msg == "upstream timed out":
		return timedOut(&s, e.Action, fcgi)

	// §4.5 Reading the response header, §4.8 the body.
	case isIOFailure(msg) && (e.Action == actReadingHeader || e.Action == ""):
		return ioFailure(&s, ioID(msg, "recv_failed"), 502, e.Errno, fcgi)
	case isIOFailure(msg) && e.Action == actReadingBody:
		return set(ioID(msg, "recv_failed_body"), 200, "", c(UpstreamTruncatedBody, 0.8))
	case msg == "kevent() reported that upstream closed connection":
		return set("kevent_upstream_closed", 200, "", c(UpstreamTruncatedBody, 0.85))
	case msg == "upstream prematurely closed connection":
		if e.Action == actReadingBody {
			return set("premature_close_body", 200, "", c(UpstreamTruncatedBody, 0.85))
		}
		if fcgi {
			return set("premature_close_header", 502, decideFPM, fpmDeathCandidates()...)
		}
		return set("premature_close_header", 502,
			"the backend's log at the same second; access-log $upstream_status (a retried `502, 200` points at keep-alive); a TLS backend behind http:// closes at once",
			c(UpstreamPrematurelyClosed, 0.6), c(UpstreamKeepaliveClosed, 0.2), c(TLSMismatch, 0.1), c(ProtocolMismatch, 0.1))
	case msg == "upstream prematurely sent response":
		return set("premature_response_ssl", 502, "", c(TLSMismatch, 0.85))
	case msg == "upstream sent too big header":
		return set("too_big_header", 502, "", c(HeaderTooBig, 0.95))
	case msg == "upstream sent no valid HTTP/1.0 header":
		return set("no_valid_http10", 9, "whether the backend port speaks TLS or FastCGI (a probe decides)",
			c(ProtocolMismatch, 0.6), c(TLSMismatch, 0.4))

	// §4.9 FastCGI.
	case strings.HasPrefix(msg, "FastCGI sent in stderr: "):
		return fastcgiStderr(&s, e)
	case strings.HasPrefix(msg, "upstream sent unsupported FastCGI protocol version: "):
		return set("fastcgi_bad_version", 502, "", c(ProtocolMismatch, 0.95))
	case msg == "upstream prematurely closed FastCGI stdout", msg == "upstream closed prematurely FastCGI stdout":
		if e.Action == actReadingBody {
			return set("fastcgi_premature_stdout", 200, "", c(UpstreamTruncatedBody, 0.8))
		}
		return set("fastcgi_premature_stdout", 502, decideFPM, c(UpstreamInvalidHeader, 0.5), c(FPMWorkerCrash, 0.3))
	case msg == "upstream prematurely closed FastCGI request":
		return set("fastcgi_premature_request", 200, "", c(UpstreamTruncatedBody, 0.85))
	case msg == "invalid header after joining FastCGI records":
		return set("fastcgi_join_invalid", 500, "", c(UpstreamInvalidHeader, 0.9))
	case strings.HasPrefix(msg, "fastcgi request record is too big"),
		msg == "fastcgi request length mismatch",
		strings.HasPrefix(msg, "uwsgi request is too"),
		msg == "uwsgi request length mismatch", msg == "scgi request length mismatch":
		return set(requestRecordID(msg), 500, "")

	// §4.11 TLS to upstream.
	case msg == "SSL_do_handshake() failed" || strings.HasPrefix(msg, "SSL_do_handshake() failed ("):
		return sslHandshake(&s, msg, e.Errno)
	case msg == "peer closed connection in SSL handshake":
		return set("ssl_peer_closed", 502, "whether the backend port speaks TLS (a probe decides)",
			c(TLSMismatch, 0.6), c(UpstreamTLSProtocol, 0.3))
	case strings.HasPrefix(msg, "upstream SSL certificate verify error: "):
		return set("ssl_verify_error", 502, "", c(UpstreamTLSVerify, 0.95))
	case strings.HasPrefix(msg, "upstream SSL certificate does not match "):
		return set("ssl_name_mismatch", 502, "", c(UpstreamTLSVerify, 0.95))
	case strings.HasPrefix(msg, "SSL_read() failed"), strings.HasPrefix(msg, "SSL_write() failed"):
		id := "ssl_read_failed"
		if strings.HasPrefix(msg, "SSL_write") {
			id = "ssl_write_failed"
		}
		if e.Action == actReadingBody {
			return set(id, 200, "", c(UpstreamTruncatedBody, 0.7))
		}
		return set(id, 502, "the backend's log at the same second", c(UpstreamReset, 0.6), c(UpstreamKeepaliveClosed, 0.2))

	// §4.7 Response header validation, §5 gRPC / HTTP/2 (one rule for the
	// whole "upstream sent …" family not matched above).
	case msg == "upstream prematurely closed stream":
		return set("grpc_premature_close", 502, "", c(UpstreamPrematurelyClosed, 0.7))
	case strings.HasPrefix(msg, "upstream rejected request with error "), strings.HasPrefix(msg, "upstream sent goaway with error "):
		return set("grpc_rejected", 502, "", c(UpstreamReset, 0.7))
	case strings.HasPrefix(msg, "upstream sent duplicate header line: ") && strings.HasSuffix(msg, ", ignored"),
		strings.HasPrefix(msg, "upstream sent more data than specified"),
		strings.HasPrefix(msg, "upstream sent data after"),
		strings.HasPrefix(msg, "upstream sent too big early hints"),
		strings.HasPrefix(msg, "an upstream response is buffered to a temporary file"):
		return set(warnID(msg), 0, "")
	case strings.HasPrefix(msg, "too long http2 "), strings.HasPrefix(msg, "no buffer space in "), msg == "zero length URI to proxy":
		return set("grpc_create_request", 500, "")
	case msg == "no connection data found for keepalive http2 connection":
		return set("grpc_keepalive", 0, "")
	case strings.HasPrefix(msg, "upstream sent "):
		if e.Action == actReadingBody {
			return set(invalidHeaderID(msg), 200, "", c(UpstreamTruncatedBody, 0.7))
		}
		return set(invalidHeaderID(msg), 502, "", c(UpstreamInvalidHeader, 0.9))
	case strings.HasPrefix(msg, "upstream violated "):
		return set("grpc_protocol_error", 502, "", c(UpstreamInvalidHeader, 0.9))

	// §4.14 Non-upstream look-alikes.
	case strings.HasPrefix(msg, "limiting requests"), strings.HasPrefix(msg, "limiting connections"):
		id := "limit_req"
		if strings.HasPrefix(msg, "limiting connections") {
			id = "limit_conn"
		}
		return set(id, 503, "", c(RateLimited, 0.95))
	case strings.HasPrefix(msg, "rewrite or internal redirection cycle"):
		return set("rewrite_cycle", 500, "", c(RewriteCycle, 0.95))
	case strings.HasPrefix(msg, "delaying request"):
		return set("limit_req_delay", 0, "")
	case strings.HasPrefix(msg, "directory index of \"") && strings.HasSuffix(msg, "\" is forbidden"):
		return set("dir_index_forbidden", 403, "")
	case msg == "access forbidden by rule":
		return set("access_forbidden", 403, "")
	case strings.HasPrefix(msg, "\"") && strings.HasSuffix(msg, "\" is not found"):
		return set("index_not_found", 404, "")
	case isStaticOpen(msg, e.Truncated):
		switch e.Errno {
		case errnoENOENT, 20, 36: // ENOENT, ENOTDIR, ENAMETOOLONG
			return set("static_open_failed", 404, "")
		case errnoEACCES:
			return set("static_open_failed", 403, "")
		case 0: // cut at 2048 bytes before the errno
			return set("static_open_failed", 0, "")
		}
		return set("static_open_failed", 500, "")
	case strings.HasPrefix(msg, "cache file \"") && strings.HasSuffix(msg, "\" contains invalid header"):
		return set("cache_invalid_header", 500, "")
	case msg == "connection upgrade in subrequest":
		return set("upgrade_subrequest", 500, "")
	case msg == "no upstream configuration":
		return set("no_upstream_conf", 500, "")
	case msg == "suwsgi protocol requires SSL support", msg == "grpcs protocol requires SSL support":
		return set("suwsgi_ssl", 500, "")
	case strings.HasPrefix(msg, "SSL_set_tlsext_host_name(\""):
		return set("ssl_sni_failed", 500, "")
	case msg == "SSL_set_alpn_protos() failed":
		return set("ssl_alpn_failed", 500, "")
	case strings.HasPrefix(msg, "invalid local address \""):
		return set("invalid_local_address", 0, "")
	case strings.HasPrefix(msg, "cannot add new server to upstream \""):
		return set("zone_memory", 0, "", c(NoLiveUpstreams, 0.3))
	case msg == "thread operation took too long", strings.HasPrefix(msg, "SSL_shutdown() failed"),
		strings.HasPrefix(msg, "could not allocate new session"):
		return set(noiseID(msg), 0, "")
	case e.Action == actSending && strings.HasSuffix(msg, " failed") && e.Level == logparse.LevelCrit:
		return set("tcp_push_failed", 500, "")
	case e.CID == 0 && strings.Contains(msg, " exited on signal ") && strings.HasPrefix(msg, "worker process "):
		if strings.Contains(msg, " exited on signal 9") || strings.Contains(msg, " exited on signal 15") {
			return set("worker_exited_signal", 0, "", c(NginxWorkerCrash, 0.5))
		}
		return set("worker_exited_signal", 0, "", c(NginxWorkerCrash, 0.9))
	}
	return Symptom{}, false
}

// c builds a Candidate.
func c(code Code, conf float64) Candidate { return Candidate{Cause: code, Confidence: conf} }

// decideFPM says what separates the php-fpm causes of a reset or close.
const decideFPM = "php-fpm's log in the same second decides: `execution timed out … terminating` → fpm_request_terminate; " +
	"`exited on signal 11` (or 6, 7) → fpm_worker_crash; `exited on signal 9` → fpm_worker_killed; " +
	"`Reloading in progress` → fpm_reload; `Connection disallowed` or `listen.allowed_clients` without nginx's address → fpm_allowed_clients"

// fpmDeathCandidates are the causes of a FastCGI connection reset or close
// mid-request, most frequent first.
func fpmDeathCandidates() []Candidate {
	return []Candidate{
		c(FPMRequestTerminate, 0.35), c(FPMWorkerCrash, 0.15), c(FPMWorkerKilled, 0.15),
		c(FPMReload, 0.1), c(FPMAllowedClient, 0.1), c(UpstreamReset, 0.1),
	}
}

// upstreamOf returns the upstream of e: its "upstream:" field, else the
// peer named in "connect() to PEER failed", else the zero Upstream.
func upstreamOf(e *logparse.ErrorEntry) Upstream {
	if has(e, logparse.FieldUpstream) {
		return ParseUpstream(e.Upstream)
	}
	if rest, ok := strings.CutPrefix(e.Message, "connect() to "); ok {
		if peer, ok := strings.CutSuffix(rest, " failed"); ok {
			return Upstream{Peer: peer}
		}
	}
	return Upstream{}
}

// connectFailed maps the synchronous and asynchronous connect() failures.
func connectFailed(s *Symptom, id string, errno int, fcgi, known bool) (Symptom, bool) {
	s.ID, s.Status = id, 502
	unix := s.Upstream.Unix()
	fpmOrBackend := func(fpm, backend Code, conf float64) []Candidate {
		switch {
		case fcgi:
			return []Candidate{c(fpm, conf), c(ListenMismatch, 1-conf)}
		case known:
			return []Candidate{c(backend, conf)}
		}
		// The upstream field was lost (a cut line): either kind.
		return []Candidate{c(fpm, conf/2), c(backend, conf/2), c(ListenMismatch, 1-conf)}
	}
	switch errno {
	case errnoENOENT:
		s.Candidates = fpmOrBackend(FPMDown, BackendDown, 0.6)
		s.Decide = "the php-fpm config decides: a pool listening on this path → fpm_down (php-fpm is not running); none → listen_mismatch"
	case errnoEACCES:
		s.Candidates = []Candidate{c(SocketPermission, 0.95)}
	case errnoECONNREFUSED:
		if unix {
			if fcgi || !known {
				s.Candidates = []Candidate{c(FPMStaleSocket, 0.6), c(FPMDown, 0.2), c(ListenMismatch, 0.2)}
				s.Decide = "a live probe decides: the socket file exists with no listener → fpm_stale_socket"
				break
			}
			s.Candidates = []Candidate{c(BackendDown, 0.8)}
			break
		}
		s.Candidates = fpmOrBackend(FPMDown, BackendDown, 0.6)
		if fcgi || !known {
			s.Decide = "the php-fpm config decides: a pool listening on this address → fpm_down; none → listen_mismatch"
		}
	case errnoEAGAIN:
		// Linux: a unix socket whose listen backlog is full.
		if fcgi || !known {
			s.Candidates = []Candidate{c(FPMMaxChildren, 0.85)}
		} else {
			s.Candidates = []Candidate{c(BackendDown, 0.5)}
		}
		s.Decide = "php-fpm's log (`server reached pm.max_children`) and status page (`listen queue`) confirm"
	case errnoEADDRNOTAVAIL:
		s.Candidates = []Candidate{c(LocalPortsExhausted, 0.85)}
	case errnoEMFILE, errnoENFILE:
		s.Status = 500
		s.Candidates = []Candidate{c(NginxFDLimit, 0.9)}
	case errnoETIMEDOUT:
		// The kernel gave up on the SYN before nginx's connect timeout:
		// still a 502 (the prefix decides, not the errno).
		if fcgi {
			s.Candidates = []Candidate{c(FPMMaxChildren, 0.5), c(BackendDown, 0.5)}
			s.Decide = "php-fpm's log (`server reached pm.max_children`) tells a full backlog from an unreachable host"
		} else {
			s.Candidates = []Candidate{c(BackendDown, 0.8)}
		}
	case errnoENETUNREACH, errnoEHOSTUNREACH, errnoEHOSTDOWN, errnoECONNRESET:
		s.Candidates = fpmOrBackend(FPMDown, BackendDown, 0.7)
		if fcgi {
			s.Candidates = []Candidate{c(BackendDown, 0.6), c(ListenMismatch, 0.4)}
		}
	default:
		s.Candidates = fpmOrBackend(FPMDown, BackendDown, 0.4)
	}
	return *s, true
}

// ioFailure maps recv()/readv()/writev()/send()/sendfile() failures while
// talking to the upstream (sending the request or reading the header).
func ioFailure(s *Symptom, id string, status, errno int, fcgi bool) (Symptom, bool) {
	s.ID, s.Status = id, status
	switch errno {
	case errnoECONNRESET, errnoEPIPE, errnoENOTCONN, 0:
		if fcgi {
			s.Candidates = fpmDeathCandidates()
			s.Decide = decideFPM
		} else {
			s.Candidates = []Candidate{c(UpstreamReset, 0.45), c(UpstreamKeepaliveClosed, 0.3), c(ProtocolMismatch, 0.15), c(TLSMismatch, 0.1)}
			s.Decide = "the backend's log at the same second; access-log $upstream_status (`502, 200` = a retried keep-alive connection); " +
				"a php-fpm port behind proxy_pass resets every request"
		}
	case errnoECONNREFUSED:
		if fcgi {
			s.Candidates = []Candidate{c(FPMDown, 0.7), c(ListenMismatch, 0.3)}
		} else {
			s.Candidates = []Candidate{c(BackendDown, 0.8)}
		}
	case errnoETIMEDOUT:
		// A TCP-level timeout (retransmissions), not nginx's timer: 502.
		s.Candidates = []Candidate{c(BackendDown, 0.5), c(UpstreamReset, 0.3)}
	default:
		s.Candidates = []Candidate{c(UpstreamReset, 0.4)}
	}
	return *s, true
}

// timedOut maps "upstream timed out (110: …) while ACTION".
func timedOut(s *Symptom, action string, fcgi bool) (Symptom, bool) {
	s.ID = "upstream_timed_out"
	s.Status = 504
	switch action {
	case actConnecting:
		if fcgi {
			s.Candidates = []Candidate{c(FPMMaxChildren, 0.55), c(UpstreamConnectTimout, 0.45)}
			s.Decide = "php-fpm's log (`server reached pm.max_children`) or status page (`listen queue`) shows a full pool"
		} else {
			s.Candidates = []Candidate{c(UpstreamConnectTimout, 0.85)}
		}
	case actSending:
		s.Candidates = []Candidate{c(UpstreamSendTimeout, 0.9)}
	case actReadingHeader:
		if fcgi {
			s.Candidates = []Candidate{c(UpstreamReadTimeout, 0.65), c(FPMMaxChildren, 0.35)}
			s.Decide = "php-fpm's log (`server reached pm.max_children`) or status page (`listen queue`) tells a queued request from a slow script; the slow log names the slow script"
		} else {
			s.Candidates = []Candidate{c(UpstreamReadTimeout, 0.9)}
		}
	case actSSL:
		s.Candidates = []Candidate{c(TLSMismatch, 0.5), c(UpstreamConnectTimout, 0.5)}
		s.Decide = "whether the backend port speaks TLS (a probe decides)"
	case actReadingBody:
		s.ID, s.Status = "upstream_timed_out_body", 200
		s.Candidates = []Candidate{c(UpstreamTruncatedBody, 0.8)}
	case actUpgraded:
		s.ID, s.Status = "upstream_timed_out_upgraded", 0
	default:
		s.Candidates = []Candidate{c(UpstreamReadTimeout, 0.5)}
	}
	return *s, true
}

// fastcgiStderr maps "FastCGI sent in stderr: …" by what PHP or php-fpm
// wrote. The status is the one php-fpm answers with.
func fastcgiStderr(s *Symptom, e *logparse.ErrorEntry) (Symptom, bool) {
	s.ID = "fastcgi_stderr"
	text := e.Message
	switch {
	case strings.Contains(text, "Primary script unknown"):
		s.Status, s.Candidates = 404, []Candidate{c(PrimaryScriptUnknown, 0.95)}
	case strings.Contains(text, "PHP Fatal error:  Maximum execution time of"),
		strings.Contains(text, "PHP Fatal error: Maximum execution time of"):
		s.Status, s.Candidates = 500, []Candidate{c(PHPMaxExecutionTime, 0.95)}
	case strings.Contains(text, "has been denied (see security.limit_extensions)"):
		s.Status, s.Candidates = 403, []Candidate{c(SecurityLimitExt, 0.95)}
	case strings.Contains(text, "Unable to open primary script: ") && strings.Contains(text, "(Permission denied)"),
		strings.Contains(text, "Failed to open stream: Permission denied"),
		strings.Contains(text, "failed to open stream: Permission denied"):
		s.Status, s.Candidates = 403, []Candidate{c(ScriptPermission, 0.9)}
	case strings.Contains(text, "Unable to open primary script: "):
		s.Status, s.Candidates = 404, []Candidate{c(PrimaryScriptUnknown, 0.8)}
	case strings.Contains(text, "PHP Fatal error:"), strings.Contains(text, "PHP Parse error:"):
		s.Status, s.Candidates = 500, []Candidate{c(PHPFatalError, 0.9)}
	default:
		// Warnings, notices, deprecations: the request usually succeeded.
		s.Status = 0
	}
	return *s, true
}

// sslHandshake maps SSL_do_handshake() failures by OpenSSL's reason text
// (its error codes differ between OpenSSL 1.1 and 3; the reason does not).
func sslHandshake(s *Symptom, msg string, errno int) (Symptom, bool) {
	s.ID, s.Status = "ssl_do_handshake", 502
	switch {
	case strings.Contains(msg, "wrong version number"), strings.Contains(msg, "packet length too long"),
		strings.Contains(msg, "record layer failure"), strings.Contains(msg, "http request"):
		s.Candidates = []Candidate{c(TLSMismatch, 0.9)}
	case strings.Contains(msg, "alert protocol version"), strings.Contains(msg, "unsupported protocol"),
		strings.Contains(msg, "no protocols available"), strings.Contains(msg, "no shared cipher"),
		strings.Contains(msg, "handshake failure"), strings.Contains(msg, "no ciphers available"),
		strings.Contains(msg, "version too low"), strings.Contains(msg, "no suitable"):
		s.Candidates = []Candidate{c(UpstreamTLSProtocol, 0.85)}
	case strings.Contains(msg, "certificate verify failed"):
		s.Candidates = []Candidate{c(UpstreamTLSVerify, 0.85)}
	case errno == errnoECONNRESET || errno == errnoEPIPE || errno == 0:
		s.Candidates = []Candidate{c(TLSMismatch, 0.5), c(UpstreamTLSProtocol, 0.4)}
		s.Decide = "whether the backend port speaks TLS (a probe decides)"
	default:
		s.Candidates = []Candidate{c(UpstreamTLSProtocol, 0.5), c(TLSMismatch, 0.4)}
	}
	return *s, true
}

func isIOFailure(msg string) bool {
	for _, p := range [...]string{"recv() failed", "readv() failed", "writev() failed", "send() failed", "sendfile() failed",
		"kevent() reported about an closed connection"} {
		if msg == p {
			return true
		}
	}
	return false
}

// ioID names an I/O failure after its syscall, with the catalog's ids.
func ioID(msg, fallback string) string {
	switch {
	case strings.HasPrefix(msg, "writev"):
		return "writev_failed"
	case strings.HasPrefix(msg, "sendfile"):
		return "sendfile_failed"
	case strings.HasPrefix(msg, "send"):
		return "send_failed"
	case strings.HasPrefix(msg, "readv"):
		return "readv_failed"
	case strings.HasPrefix(msg, "kevent"):
		return "kevent_closed"
	}
	return fallback
}

func requestRecordID(msg string) string {
	switch {
	case strings.HasPrefix(msg, "fastcgi request record"):
		return "fastcgi_record_too_big"
	case strings.HasPrefix(msg, "fastcgi"):
		return "fastcgi_len_mismatch"
	case strings.HasPrefix(msg, "uwsgi request is too little"):
		return "uwsgi_too_little"
	case strings.HasPrefix(msg, "uwsgi request is too big"):
		return "uwsgi_too_big"
	case strings.HasPrefix(msg, "uwsgi"):
		return "uwsgi_len_mismatch"
	}
	return "scgi_len_mismatch"
}

func warnID(msg string) string {
	switch {
	case strings.HasPrefix(msg, "upstream sent duplicate header line"):
		return "dup_header_ignored"
	case strings.HasPrefix(msg, "upstream sent more data"):
		return "more_than_cl"
	case strings.HasPrefix(msg, "upstream sent data after final chunk"):
		return "data_after_final_chunk"
	case strings.HasPrefix(msg, "upstream sent data after trailers"):
		return "data_after_trailers"
	case strings.HasPrefix(msg, "upstream sent too big early hints"):
		return "too_big_early_hints"
	}
	return "buffered_temp_file"
}

func invalidHeaderID(msg string) string {
	switch {
	case strings.HasPrefix(msg, "upstream sent invalid header"):
		return "invalid_header"
	case strings.HasPrefix(msg, "upstream sent invalid status"):
		return "invalid_status"
	case strings.HasPrefix(msg, "upstream sent invalid FastCGI record type"):
		return "fastcgi_bad_type"
	case strings.HasPrefix(msg, "upstream sent unexpected FastCGI record"):
		return "fastcgi_unexpected_record"
	case strings.HasPrefix(msg, "upstream sent unexpected FastCGI request id high"):
		return "fastcgi_reqid_hi"
	case strings.HasPrefix(msg, "upstream sent unexpected FastCGI request id low"):
		return "fastcgi_reqid_lo"
	case strings.HasPrefix(msg, "upstream sent duplicate header line"):
		return "dup_header_fatal"
	case strings.HasPrefix(msg, "upstream sent \"Content-Length\" and \"Transfer-Encoding\""):
		return "cl_and_te"
	case strings.HasPrefix(msg, "upstream sent invalid \"Content-Length\""):
		return "invalid_cl"
	case strings.HasPrefix(msg, "upstream sent unknown \"Transfer-Encoding\""):
		return "unknown_te"
	case strings.HasPrefix(msg, "upstream sent HTTP/1.0 response with early hints"):
		return "http10_early_hints"
	case strings.HasPrefix(msg, "upstream sent invalid chunked response"):
		return "invalid_chunked"
	case strings.HasPrefix(msg, "upstream sent too big trailers"):
		return "too_big_trailers"
	case strings.HasPrefix(msg, "upstream sent invalid trailer: "):
		return "invalid_trailer"
	}
	return "grpc_protocol_error"
}

// has reports whether e carries context field f.
func has(e *logparse.ErrorEntry, f logparse.Field) bool { return e.Fields&f != 0 }

// isStaticOpen matches `%s "%s" failed` of ngx_http_static_module.c: a
// syscall name with parentheses, a quoted path, "failed".
func isStaticOpen(msg string, truncated bool) bool {
	i := strings.Index(msg, "() \"")
	if i <= 0 || !truncated && !strings.HasSuffix(msg, "\" failed") {
		return false
	}
	for _, r := range msg[:i] {
		if !(r == '_' || r >= 'a' && r <= 'z') {
			return false
		}
	}
	return true
}

func noiseID(msg string) string {
	switch {
	case strings.HasPrefix(msg, "thread"):
		return "thread_too_long"
	case strings.HasPrefix(msg, "SSL_shutdown"):
		return "ssl_shutdown_failed"
	}
	return "ssl_session_alloc"
}

func clientClosedID(msg string) string {
	id := "client_closed"
	switch {
	case strings.HasPrefix(msg, "epoll_wait()"):
		id = "epoll_client_closed"
	case strings.HasPrefix(msg, "kevent()"):
		id = "kevent_client_closed"
	}
	if strings.HasSuffix(msg, ", so upstream connection is closed too") {
		id += "_upstream_too"
	}
	return id
}
