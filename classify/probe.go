package classify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"path"
	"strings"
	"syscall"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/probe"
)

// ProbeOutcome is what one live probe says about the causes of a 502: the
// causes it shows now, with confidence, and the causes it shows absent.
// It is a pure reading of a probe.Result (see ClassifyProbe); the probe
// shows the present, while logs show the past, and the Diagnoser weighs
// them together (AddProbe).
type ProbeOutcome struct {
	// Target is the probed target (its Pos is the config position).
	Target probe.Target
	// Candidates are the causes the probe shows, most likely first, each
	// with the confidence (0 to 1) the probe alone gives it; empty when it
	// shows none.
	Candidates []Candidate
	// RulesOut are causes the probe shows absent at the time of the probe
	// (a pool that answers its ping is not down).
	RulesOut []Code
	// Saw is a one-line description of what the probe saw, e.g.
	// "connect to unix:/run/php/www.sock: socket file exists, connection refused (111)".
	Saw string
	// Remote is the address the dial reached ("127.0.0.1:9000"), "" when
	// it failed or for unix sockets.
	Remote string
	// StatusListen marks a pool's pm.status_listen target: its
	// candidates are about the pool, whose own listen address nginx uses.
	StatusListen bool
	// Name is, for a DNS lookup (ClassifyLookup), the name looked up;
	// Target then holds the resolver's address and the *_pass position.
	Name string
}

// Cause returns the most likely cause the probe shows, or "".
func (o *ProbeOutcome) Cause() Code {
	if len(o.Candidates) == 0 {
		return ""
	}
	return o.Candidates[0].Cause
}

// downCauses are the causes a peer that answers rules out.
var downCauses = []Code{FPMDown, FPMStaleSocket, ListenMismatch, BackendDown, FPMConfigInvalid, FPMBindFailed}

// ClassifyProbe maps one probe result to causes. The table, in the order
// it is tried (confidences in parentheses):
//
//	socket file missing (ENOENT), the target a pool's listen   fpm_down (0.85)
//	socket file missing, no pool of the config listens there    fpm_down (0.5), listen_mismatch (0.45)
//	socket file exists, connect refused (ECONNREFUSED)          fpm_stale_socket (0.9)
//	the path exists but is not a socket                         fpm_stale_socket (0.5), listen_mismatch (0.4)
//	TCP connect refused, FastCGI target                         fpm_down (0.85; 0.5 + listen_mismatch 0.45 without a pool)
//	TCP connect refused, HTTP or stream target                  backend_down (0.85)
//	connect fails with EAGAIN (unix listen queue full)          fpm_max_children (0.85)
//	connect times out, FastCGI target                           fpm_max_children (0.55), upstream_connect_timeout (0.4)
//	connect times out, HTTP target                              upstream_connect_timeout (0.7), backend_down (0.25)
//	ENETUNREACH, EHOSTUNREACH                                   backend_down (0.7), upstream_connect_timeout (0.2)
//	host name does not exist (NXDOMAIN)                         dns_nxdomain (0.85)
//	resolver timed out or refused                               resolver_unreachable (0.7)
//	nginx's user may not connect (probe.AccessError, EACCES)    socket_permission (0.9)
//	FastCGI target, connection closed before END_REQUEST        fpm_allowed_clients (0.8), fpm_worker_crash (0.1);
//	                                                            without a pool there: 0.45, protocol_mismatch 0.4
//	FastCGI target, connection reset before any answer          fpm_allowed_clients (0.75), upstream_reset (0.15);
//	                                                            without a pool there: 0.45, upstream_reset 0.3
//	FastCGI target answering HTTP or TLS                        protocol_mismatch (0.9)
//	FastCGI target answering something else                     protocol_mismatch (0.6)
//	FastCGI target, ping/status accepted but unanswered in time fpm_max_children (0.7), upstream_read_timeout (0.2)
//	status page: every child busy and none serving the probe    fpm_max_children (0.85 with a listen queue, else 0.7)
//	status page: listen queue > 0                               fpm_max_children (0.8)
//	status page: "max children reached" > 0, not busy now      fpm_max_children (0.4)
//	http:// target speaking TLS                                 tls_mismatch (0.9)
//	https:// target answering in plaintext                      tls_mismatch (0.9)
//	http:// target answering non-HTTP                           protocol_mismatch (0.85), upstream_invalid_header (0.1)
//	http:// target closing without an answer                    protocol_mismatch (0.6), upstream_prematurely_closed (0.3)
//	http:// target resetting without an answer (php-fpm does)   protocol_mismatch (0.6), upstream_reset (0.3)
//	http:// target not answering a HEAD in time                 upstream_read_timeout (0.5)
//	https:// target refusing the handshake with an alert        upstream_tls_protocol (0.85)
//	https:// target closing on the ClientHello                  tls_mismatch (0.5), protocol_mismatch (0.3)
//	https:// target whose chain or name does not verify         upstream_tls_verify (0.5: it matters only
//	                                                            with proxy_ssl_verify on; the Diagnoser,
//	                                                            given the nginx config, raises it to 0.85
//	                                                            where it is on and drops it where it is off)
//
// A peer that answered in its protocol (a ping, a status page, even a
// 404 from php-fpm; an HTTP response) rules out fpm_down,
// fpm_stale_socket, listen_mismatch, backend_down, fpm_config_invalid
// and fpm_bind_failed; a socket nginx's user may open rules out
// socket_permission. ClassifyProbe is pure and safe for concurrent use.
func ClassifyProbe(r *probe.Result) ProbeOutcome {
	o := ProbeOutcome{Target: r.Target}
	if r.Dial != nil && r.Target.Network != "unix" {
		o.Remote = r.Dial.Remote
	}
	t := &r.Target
	where := t.Network + ":" + t.Address
	if t.Network == "tcp" || strings.HasPrefix(t.Network, "tcp") {
		where = t.Address
	}
	if t.Kind == probe.KindFastCGI && t.Network == "unix" {
		where = "unix:" + t.Address
	}
	saw := func(format string, args ...any) { o.Saw = where + ": " + fmt.Sprintf(format, args...) }
	add := func(code Code, conf float64) { o.Candidates = append(o.Candidates, c(code, conf)) }

	// nginx's user and the socket's permissions, decided before connecting.
	var ae *probe.AccessError
	denied := errors.As(r.AccessErr, &ae)
	if r.Access != nil && r.AccessErr == nil && r.Access.Decision == probe.Granted {
		o.RulesOut = append(o.RulesOut, SocketPermission)
	}

	if err := r.DialErr; err != nil {
		errno := probe.Errno(err)
		var dnsErr *net.DNSError
		switch {
		case errors.As(err, &dnsErr):
			if dnsErr.IsNotFound {
				add(DNSNXDomain, 0.85)
				saw("the name %q does not exist (NXDOMAIN)", dnsErr.Name)
			} else {
				add(ResolverUnreachable, 0.7)
				saw("resolving %q failed: %v", dnsErr.Name, dnsErr.Err)
			}
		case errno == syscall.ENOENT:
			if t.Pool != "" {
				add(FPMDown, 0.85)
				saw("no socket file: nothing listens there (pool %s)", t.Pool)
			} else {
				add(FPMDown, 0.5)
				add(ListenMismatch, 0.45)
				saw("no socket file, and no pool of the php-fpm config read listens there")
			}
		case errno == syscall.ECONNREFUSED && t.Network == "unix":
			if errors.Is(r.SocketErr, probe.ErrNotSocket) {
				add(FPMStaleSocket, 0.5)
				add(ListenMismatch, 0.4)
				saw("the path is not a socket (mode %v): connection refused (111)", socketMode(r))
			} else {
				add(FPMStaleSocket, 0.9)
				saw("the socket file exists%s but nothing listens: connection refused (111)", socketOwner(r))
			}
		case errno == syscall.ECONNREFUSED:
			if t.Kind == probe.KindFastCGI {
				if t.Pool != "" {
					add(FPMDown, 0.85)
				} else {
					add(FPMDown, 0.5)
					add(ListenMismatch, 0.45)
				}
			} else {
				add(BackendDown, 0.85)
			}
			saw("connection refused (111): nothing listens on that port")
		case errno == syscall.EAGAIN:
			add(FPMMaxChildren, 0.85)
			saw("connect failed with EAGAIN (11): the socket's listen queue is full")
		case errno == syscall.EACCES:
			add(SocketPermission, 0.9)
			saw("connect denied (13: Permission denied)")
		case errno == syscall.ETIMEDOUT:
			if t.Kind == probe.KindFastCGI {
				add(FPMMaxChildren, 0.55)
				add(UpstreamConnectTimout, 0.4)
			} else {
				add(UpstreamConnectTimout, 0.7)
				add(BackendDown, 0.25)
			}
			saw("connect timed out (110)")
		case errno == syscall.ENETUNREACH || errno == syscall.EHOSTUNREACH:
			add(BackendDown, 0.7)
			add(UpstreamConnectTimout, 0.2)
			saw("connect failed: %v", errno)
		default:
			saw("connect failed: %v", err)
		}
		if denied && o.Cause() != FPMDown && o.Cause() != SocketPermission {
			o.Candidates = append([]Candidate{c(SocketPermission, 0.9)}, o.Candidates...)
			o.Saw += "; " + accessText(ae)
		}
		return o
	}

	if denied {
		// The prober (root) got in; nginx's user would not.
		add(SocketPermission, 0.9)
		saw("%s", accessText(ae))
		return o
	}

	switch t.Kind {
	case probe.KindFastCGI:
		classifyFastCGI(r, &o, saw, add)
	case probe.KindHTTP:
		classifyHTTP(r, &o, saw, add)
	case probe.KindHTTPS:
		classifyHTTPS(r, &o, saw, add)
	default:
		o.RulesOut = append(o.RulesOut, downCauses...)
		saw("connected in %v", r.Dial.Elapsed.Round(1e5))
	}
	return o
}

func socketMode(r *probe.Result) fs.FileMode {
	if r.Socket == nil {
		return 0
	}
	return r.Socket.Mode
}

func socketOwner(r *probe.Result) string {
	s := r.Socket
	if s == nil {
		return ""
	}
	owner, group := s.Owner, s.Group
	if owner == "" {
		owner = fmt.Sprint(s.UID)
	}
	if group == "" {
		group = fmt.Sprint(s.GID)
	}
	return fmt.Sprintf(" (%s:%s %04o)", owner, group, s.Mode.Perm())
}

func accessText(ae *probe.AccessError) string {
	st := ae.Step
	return fmt.Sprintf("user %s (uid %d, gid %d) may not connect: %s %s is %04o uid %d gid %d, no %s permission for class %s",
		ae.User.User, ae.User.UID, ae.User.GID, kindOfStep(st), st.Path, st.Mode.Perm(), st.UID, st.GID, st.Need, st.Class)
}

func kindOfStep(st probe.AccessStep) string {
	if st.Need == probe.PermSearch {
		return "directory"
	}
	return "socket"
}

// firstErr returns the ping error, else the status error.
func fcgiErr(r *probe.Result) error {
	if r.PingErr != nil {
		return r.PingErr
	}
	return r.StatusErr
}

func classifyFastCGI(r *probe.Result, o *ProbeOutcome, saw func(string, ...any), add func(Code, float64)) {
	t := &r.Target
	answered := r.Speaks == probe.ProtoFastCGI
	err := fcgiErr(r)
	switch r.Speaks {
	case probe.ProtoHTTP, probe.ProtoTLS:
		add(ProtocolMismatch, 0.9)
		saw("the peer answers FastCGI in %s, not FastCGI%s", strings.ToUpper(r.Speaks.String()), firstBytes(err))
		return
	case probe.ProtoOther:
		add(ProtocolMismatch, 0.6)
		saw("the peer does not speak FastCGI%s", firstBytes(err))
		return
	}
	if answered {
		o.RulesOut = append(o.RulesOut, downCauses...)
	}
	if st := r.Status; st != nil {
		busy, total, self := 0, len(st.Processes), false
		for _, p := range st.Processes {
			if t.StatusPath != "" && strings.HasPrefix(p.RequestURI, t.StatusPath) && p.State != "Idle" {
				self = true // a child serves our status request: one was free
				continue
			}
			if p.State != "Idle" {
				busy++
			}
		}
		desc := fmt.Sprintf("status page of pool %s: %d active, %d idle, %d total, listen queue %d (max %d), max children reached %d",
			st.Pool, st.ActiveProcesses, st.IdleProcesses, st.TotalProcesses, st.ListenQueue, st.MaxListenQueue, st.MaxChildrenReached)
		switch {
		case total > 0 && !self && busy == total:
			if st.ListenQueue > 0 {
				add(FPMMaxChildren, 0.85)
			} else {
				add(FPMMaxChildren, 0.7)
			}
			o.Candidates = append(o.Candidates, c(UpstreamReadTimeout, 0.15))
			saw("every child is busy: %s", desc)
			return
		case st.ListenQueue > 0:
			add(FPMMaxChildren, 0.8)
			saw("connections wait in the listen queue: %s", desc)
			return
		case st.MaxChildrenReached > 0:
			add(FPMMaxChildren, 0.4)
			saw("not saturated now, but it was: %s", desc)
			return
		}
		if err == nil || r.PingErr == nil {
			saw("answers: %s", desc)
			return
		}
	}
	switch {
	case errors.Is(err, probe.ErrNoEndRequest) && t.Pool != "":
		add(FPMAllowedClient, 0.8)
		add(FPMWorkerCrash, 0.1)
		saw("connected, then the connection closed before any FastCGI answer (php-fpm drops clients not in listen.allowed_clients)")
	case errors.Is(err, probe.ErrNoEndRequest):
		// No pool is known to listen here: a TLS server closes the same
		// way on a FastCGI record.
		add(FPMAllowedClient, 0.45)
		add(ProtocolMismatch, 0.4)
		saw("connected, then the connection closed before any FastCGI answer (php-fpm's listen.allowed_clients, or a server that is not FastCGI)")
	case probe.Errno(err) == syscall.ECONNRESET && !answered && t.Pool != "":
		// php-fpm resets rather than closes when the request was already
		// in its buffer (seen on a real one: TestProbeRealServers).
		add(FPMAllowedClient, 0.75)
		add(UpstreamReset, 0.15)
		saw("connected, then the connection was reset before any FastCGI answer (php-fpm drops clients not in listen.allowed_clients)")
	case probe.Errno(err) == syscall.ECONNRESET && !answered:
		add(FPMAllowedClient, 0.45)
		add(UpstreamReset, 0.3)
		saw("connected, then the connection was reset before any FastCGI answer")
	case probe.Errno(err) == syscall.ETIMEDOUT && !answered:
		add(FPMMaxChildren, 0.7)
		add(UpstreamReadTimeout, 0.2)
		saw("connected, but no answer to the %s request in time: no child took the connection", fcgiOp(r))
	case err == nil && r.Ping != nil:
		saw("answers ping %q in %v", strings.TrimSpace(string(r.Ping.Body)), r.Ping.Elapsed.Round(1e5))
	case answered:
		saw("answers FastCGI (%v)", err)
	case err != nil:
		saw("connected; %s failed: %v", fcgiOp(r), err)
	default:
		o.RulesOut = append(o.RulesOut, FPMDown, FPMStaleSocket, ListenMismatch)
		saw("connected in %v (no ping.path or pm.status_path to ask)", r.Dial.Elapsed.Round(1e5))
	}
}

func fcgiOp(r *probe.Result) string {
	if r.PingErr != nil {
		return "ping"
	}
	return "status"
}

func firstBytes(err error) string {
	var pe *probe.ProtocolError
	if errors.As(err, &pe) && len(pe.First) > 0 {
		return fmt.Sprintf(" (first bytes %q)", pe.First)
	}
	return ""
}

func classifyHTTP(r *probe.Result, o *ProbeOutcome, saw func(string, ...any), add func(Code, float64)) {
	switch {
	case r.Speaks == probe.ProtoTLS || errors.Is(r.HTTPErr, probe.ErrTLSAnswer):
		add(TLSMismatch, 0.9)
		v := ""
		if r.TLS != nil {
			v = " (" + r.TLS.VersionName + ")"
		}
		saw("an http:// upstream that speaks TLS%s: nginx's plaintext request gets a TLS answer", v)
	case r.HTTPErr == nil && r.HTTP != nil:
		o.RulesOut = append(o.RulesOut, downCauses...)
		o.RulesOut = append(o.RulesOut, TLSMismatch, ProtocolMismatch)
		saw("answers HEAD with %s %d", r.HTTP.Proto, r.HTTP.Status)
	case r.Speaks == probe.ProtoFastCGI || errors.Is(r.HTTPErr, probe.ErrNotHTTP):
		add(ProtocolMismatch, 0.85)
		add(UpstreamInvalidHeader, 0.1)
		saw("does not answer HTTP%s", firstBytes(r.HTTPErr))
	case errors.Is(r.HTTPErr, io.ErrUnexpectedEOF) || errors.Is(r.HTTPErr, io.EOF):
		// A non-HTTP server may close a connection whose first bytes it
		// cannot read.
		add(ProtocolMismatch, 0.6)
		add(UpstreamPrematurelyClosed, 0.3)
		saw("closes the connection without an answer to an HTTP HEAD (a FastCGI or other non-HTTP server does)")
	case probe.Errno(r.HTTPErr) == syscall.ECONNRESET:
		// php-fpm 8.2 resets a connection whose first bytes are not a
		// FastCGI record (seen on a real one: TestProbeRealServers).
		add(ProtocolMismatch, 0.6)
		add(UpstreamReset, 0.3)
		saw("resets the connection on an HTTP HEAD, without an answer (php-fpm and other non-HTTP servers do)")
	case probe.Errno(r.HTTPErr) == syscall.ETIMEDOUT:
		add(UpstreamReadTimeout, 0.5)
		saw("no answer to an HTTP HEAD in time")
	default:
		saw("HTTP HEAD failed: %v", r.HTTPErr)
	}
}

func classifyHTTPS(r *probe.Result, o *ProbeOutcome, saw func(string, ...any), add func(Code, float64)) {
	var alert *probe.TLSAlertError
	herr := r.TLSErr
	if herr == nil && (r.TLS == nil || r.TLS.Version == 0) {
		herr = r.HTTPErr
	}
	switch {
	case errors.Is(herr, probe.ErrPlaintext):
		add(TLSMismatch, 0.9)
		saw("an https:// upstream that answers the TLS handshake in plaintext%s", firstBytes(herr))
		return
	case errors.As(herr, &alert):
		add(UpstreamTLSProtocol, 0.85)
		saw("the TLS handshake is refused with alert %d", alert.Alert)
		return
	case r.TLS == nil || r.TLS.Version == 0:
		if errors.Is(herr, io.ErrUnexpectedEOF) || errors.Is(herr, io.EOF) {
			add(TLSMismatch, 0.5)
			add(ProtocolMismatch, 0.3)
			saw("closes the connection on a TLS ClientHello (a plaintext or FastCGI server does)")
			return
		}
		saw("TLS handshake failed: %v", herr)
		return
	}
	tr := r.TLS
	o.RulesOut = append(o.RulesOut, downCauses...)
	o.RulesOut = append(o.RulesOut, TLSMismatch, UpstreamTLSProtocol)
	if tr.Verify != nil || tr.NameMatch != nil {
		add(UpstreamTLSVerify, 0.5)
		why := verifyText(tr.Verify)
		if tr.NameMatch != nil {
			if why != "" {
				why += "; "
			}
			why += fmt.Sprintf("certificate not valid for %q", tr.VerifyName)
		}
		saw("%s handshake, certificate does not verify: %s", tr.VersionName, why)
		return
	}
	o.RulesOut = append(o.RulesOut, UpstreamTLSVerify)
	if r.HTTP != nil {
		saw("%s, certificate verifies for %q, answers HEAD with %d", tr.VersionName, tr.VerifyName, r.HTTP.Status)
	} else {
		saw("%s, certificate verifies for %q", tr.VersionName, tr.VerifyName)
	}
}

func verifyText(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &ua):
		return "signed by an unknown authority (self-signed?)"
	case errors.As(err, &ci):
		return ci.Error()
	}
	return err.Error()
}

// ClassifyProbes maps results probed together and reads them against each
// other: a pool whose own address accepts but does not answer in time (or
// refuses with EAGAIN) while its pm.status_listen answers is saturated
// (fpm_max_children, 0.9), and what a pm.status_listen status page shows
// is moved to the pool's own listen target, the address nginx uses. fpm,
// when not nil, tells which targets are pm.status_listen addresses;
// without it a status page served by php-fpm's master (no child serving
// the request) marks one. The outcomes are in the order of rs.
func ClassifyProbes(rs []*probe.Result, fpm *fpmconf.Config) []ProbeOutcome {
	out := make([]ProbeOutcome, 0, len(rs))
	for _, r := range rs {
		if r == nil {
			continue
		}
		o := ClassifyProbe(r)
		o.StatusListen = isStatusListen(r, fpm)
		out = append(out, o)
	}
	for i := range out {
		sl := &out[i]
		if !sl.StatusListen || sl.Target.Pool == "" {
			continue
		}
		for j := range out {
			pl := &out[j]
			if j == i || pl.StatusListen || pl.Target.Pool != sl.Target.Pool || pl.Target.Kind != probe.KindFastCGI {
				continue
			}
			stuck := pl.Cause() == FPMMaxChildren && pl.Candidates[0].Confidence < 0.9
			switch {
			case stuck && len(sl.RulesOut) > 0:
				rest := []Candidate{c(FPMMaxChildren, 0.9)}
				for _, x := range pl.Candidates[1:] {
					rest = append(rest, c(x.Cause, min(x.Confidence, 0.1)))
				}
				pl.Candidates = rest
				pl.Saw += "; pm.status_listen " + sl.Target.Address + " answers meanwhile: " + afterColon(sl.Saw)
			case sl.Cause() == FPMMaxChildren && pl.Cause() == "":
				pl.Candidates = append([]Candidate(nil), sl.Candidates...)
				pl.Saw += "; pm.status_listen " + sl.Target.Address + ": " + afterColon(sl.Saw)
			default:
				continue
			}
			sl.Candidates = nil
		}
	}
	return out
}

func afterColon(s string) string {
	if _, rest, ok := strings.Cut(s, ": "); ok {
		return rest
	}
	return s
}

// isStatusListen reports whether r's target is a pool's pm.status_listen.
func isStatusListen(r *probe.Result, fpm *fpmconf.Config) bool {
	t := &r.Target
	if t.Kind != probe.KindFastCGI || t.Pool == "" {
		return false
	}
	if fpm != nil {
		p := fpm.Pool(t.Pool)
		if p == nil || !p.PMStatusListen.IsSet() || p.PMStatusListen.Value == "" {
			return false
		}
		nw, addr, ok := localAddr(fpmconf.ParseListen(p.PMStatusListen.Value))
		if !ok {
			return false
		}
		if nw == "unix" {
			return t.Network == "unix" && path.Clean(addr) == path.Clean(t.Address)
		}
		return t.Network != "unix" && strings.EqualFold(addr, t.Address)
	}
	if st := r.Status; st != nil && len(st.Processes) > 0 {
		for _, p := range st.Processes {
			if strings.HasPrefix(p.RequestURI, t.StatusPath) && p.State != "Idle" {
				return false
			}
		}
		return true
	}
	return false
}

// probeEvidence is the Evidence of an outcome: the target's config
// position and what the probe saw.
func probeEvidence(o *ProbeOutcome) Evidence {
	kind := o.Target.Kind.String()
	if o.Name != "" {
		kind = "dns"
	}
	return Evidence{Pos: o.Target.Pos, Text: "probe " + kind + " " + o.Saw}
}

// targetUpstream is the upstream address nginx would log for a target:
// "fastcgi://unix:/path", "http://127.0.0.1:8080".
func targetUpstream(t *probe.Target) string {
	peer := t.Address
	if t.Network == "unix" {
		peer = "unix:" + t.Address
	}
	switch t.Kind {
	case probe.KindFastCGI:
		return "fastcgi://" + peer
	case probe.KindHTTP:
		return "http://" + peer
	case probe.KindHTTPS:
		return "https://" + peer
	}
	return peer
}

// schemeFits reports whether an upstream scheme of a log record is what a
// target of kind k is reached with.
func schemeFits(scheme string, k probe.Kind) bool {
	switch k {
	case probe.KindFastCGI:
		return scheme == "fastcgi"
	case probe.KindHTTP:
		return scheme == "http"
	case probe.KindHTTPS:
		return scheme == "https"
	case probe.KindStream:
		return scheme != "fastcgi" && scheme != "http" && scheme != "https"
	}
	return false
}

// probeKeys are the addresses an outcome's target is known by.
func probeKeys(o *ProbeOutcome) []netAddrKey {
	var keys []netAddrKey
	t := &o.Target
	if t.Network == "unix" {
		return []netAddrKey{{unix: path.Clean(t.Address)}}
	}
	for _, s := range []string{t.Address, o.Remote} {
		if a, ok := peerAddr(s); ok {
			keys = append(keys, a.key())
		}
	}
	return keys
}

// registryStatus is the first status code of a cause's Status text.
func registryStatus(code Code) int {
	reg, ok := Lookup(code)
	if !ok {
		return 0
	}
	n := 0
	for _, ch := range reg.Status {
		if ch < '0' || ch > '9' {
			break
		}
		n = n*10 + int(ch-'0')
	}
	return n
}
