package classify

import (
	"errors"
	"fmt"
	"net"
	"path"
	"strconv"
	"strings"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
)

// cfgIndex is what refine needs from the configs in Options, built once
// per Diagnoser.
type cfgIndex struct {
	nginx *nginxconf.Config
	pools []*fpmconf.Pool
	// keepalive holds the peers of upstream groups with keepalive > 0.
	keepalive map[netAddrKey]string
	// rewrites holds the peers of proxy_passes whose URI part replaces the
	// location prefix, with the pass for the note.
	rewrites map[netAddrKey]*nginxconf.Pass
	findings []Finding
	checked  bool
}

type netAddrKey struct {
	unix string
	host string
	port int
}

func (a netAddr) key() netAddrKey { return netAddrKey{a.unix, strings.ToLower(a.host), a.port} }

// index builds the config index on first use.
func (d *Diagnoser) index() *cfgIndex {
	if d.cfg != nil {
		return d.cfg
	}
	x := &cfgIndex{nginx: d.opts.Nginx, keepalive: map[netAddrKey]string{}, rewrites: map[netAddrKey]*nginxconf.Pass{}}
	if d.opts.FPM != nil {
		x.pools = d.opts.FPM.Pools
	}
	if x.nginx != nil {
		for p := range x.nginx.Passes() {
			if p.Upstream != nil && p.Upstream.Keepalive.Value > 0 {
				for _, a := range passAddrs(p) {
					x.keepalive[a.key()] = p.Upstream.Name
				}
			}
			if p.Module == "proxy" && p.HasURI && !p.Variables && p.Location != nil && p.Location.Kind == "location" &&
				(p.Location.Modifier == "" || p.Location.Modifier == "^~") && p.Location.Match != p.URI {
				for _, a := range passAddrs(p) {
					x.rewrites[a.key()] = p
				}
			}
		}
	}
	d.cfg = x
	return x
}

// peerAddr parses the peer nginx names in a log record: "unix:/path",
// "host:port" or "[v6]:port". A group name (no port) gives false.
func peerAddr(peer string) (netAddr, bool) {
	if p, ok := strings.CutPrefix(peer, "unix:"); ok {
		return netAddr{unix: path.Clean(p), text: peer}, true
	}
	h, ps, err := net.SplitHostPort(peer)
	if err != nil {
		return netAddr{}, false
	}
	port, err := strconv.Atoi(ps)
	if err != nil {
		return netAddr{}, false
	}
	return netAddr{host: h, port: port, text: peer}, true
}

func (x *cfgIndex) poolAt(a netAddr) *fpmconf.Pool {
	for _, p := range x.pools {
		if a.matchesPool(p.Listen.Value) {
			return p
		}
	}
	return nil
}

func (x *cfgIndex) listener(a netAddr) *nginxconf.Listen {
	if x.nginx == nil || x.nginx.HTTP == nil {
		return nil
	}
	for _, s := range x.nginx.HTTP.Servers {
		for _, l := range s.Listen {
			if l.Directive != nil && a.matchesListen(l) {
				return l
			}
		}
	}
	return nil
}

// decide makes cause the record's most likely cause with confidence conf;
// the other candidates keep their order, scaled to share what is left.
func decide(s Symptom, cause Code, conf float64, why string) Symptom {
	rest := 0.0
	for _, c := range s.Candidates {
		if c.Cause != cause {
			rest += c.Confidence
		}
	}
	out := []Candidate{{cause, conf}}
	for _, c := range s.Candidates {
		if c.Cause == cause {
			continue
		}
		x := c.Confidence
		if rest > 1-conf && rest > 0 {
			x = round2(x * (1 - conf) / rest)
		}
		if x > 0 {
			out = append(out, Candidate{c.Cause, x})
		}
	}
	s.Candidates = out
	s.Decide = why
	return s
}

func hasCandidate(s Symptom, cause Code) bool {
	for _, c := range s.Candidates {
		if c.Cause == cause {
			return true
		}
	}
	return false
}

// refine lets what the Diagnoser knows beyond one record (the configs in
// Options) change a record's symptom: reorder or replace its candidates,
// raise or lower their confidence. It returns s unchanged when it knows
// nothing more. The rules:
//
//   - a FastCGI connect() failing with ENOENT or ECONNREFUSED on an address
//     no pool listens on is listen_mismatch; on an address a pool listens
//     on it is fpm_down (ECONNREFUSED on a unix socket: fpm_stale_socket);
//   - a FastCGI reset on a TCP pool whose listen.allowed_clients excludes
//     nginx's address is fpm_allowed_clients;
//   - an HTTP upstream that is a pool's FastCGI listen is protocol_mismatch,
//     as is fastcgi_pass to an HTTP server of the same nginx;
//   - https:// to a plaintext listener of the same nginx, or http:// to a
//     TLS one, is tls_mismatch;
//   - a premature close or reset on a peer of a group with keepalive makes
//     upstream_keepalive_closed the likely cause;
//   - a 404 from a peer reached through a URI-rewriting proxy_pass is
//     proxy_pass_uri_rewrite.
func (d *Diagnoser) refine(s Symptom, e *logparse.ErrorEntry) Symptom {
	if d.opts.Nginx == nil && d.opts.FPM == nil {
		return s
	}
	x := d.index()
	if s.Status == 404 && s.Upstream.IsZero() && e.Host != "" {
		// The backend is a server of this nginx: its 404 record names the
		// request as the proxy sent it, and the Host proxy_pass set.
		if a, ok := peerAddr(e.Host); ok {
			if p, ok := x.rewrites[a.key()]; ok && x.listener(a) != nil {
				return decide(s, ProxyPassURIRewrite, 0.8, fmt.Sprintf("this server is the backend of %s at %s, which replaces the location prefix %s with %s: the backend got %q",
					passString(p), dpos(p.Directive), p.Location.Match, p.URI, e.Request))
			}
		}
	}
	if len(s.Candidates) == 0 {
		return s
	}
	a, ok := peerAddr(s.Upstream.Peer)
	if !ok {
		return s
	}
	connecting := e.Action == actConnecting
	fcgi := s.Upstream.FastCGI() || s.Upstream.Scheme == "" && hasCandidate(s, FPMDown)
	switch {
	case fcgi:
		if l := x.listener(a); l != nil && x.poolAt(a) == nil {
			return decide(s, ProtocolMismatch, 0.9, fmt.Sprintf("fastcgi_pass points at %s, an HTTP server of this nginx (listen at %s)", a.text, dpos(l.Directive)))
		}
		if len(x.pools) == 0 {
			return s
		}
		pool := x.poolAt(a)
		if connecting && (e.Errno == errnoENOENT || e.Errno == errnoECONNREFUSED) {
			if pool == nil {
				var ls []string
				for _, p := range x.pools {
					ls = append(ls, poolDesc(p))
				}
				return decide(s, ListenMismatch, 0.9, fmt.Sprintf("no pool of the php-fpm config listens on %s (%s)", a.text, strings.Join(ls, "; ")))
			}
			why := fmt.Sprintf("pool %s listens on %s (%s): php-fpm is not running there; its own log says why (a config error, a failed bind)", pool.Name, a.text, listenPos(pool))
			if e.Errno == errnoECONNREFUSED && a.unix != "" {
				s = decide(s, FPMDown, 0.25, why)
				return decide(s, FPMStaleSocket, 0.75, "pool "+pool.Name+" listens on this socket and the file exists, but nothing accepts: php-fpm was killed without removing it, or it is starting")
			}
			s = decide(s, FPMDown, 0.9, why)
			return s
		}
		if pool != nil && !connecting && pool.Listen.Value.Network == "tcp" {
			if allowed := pool.AllowedClients(); allowed != nil {
				if src, ok := sourceAddr(a.host); ok && !allowedHas(allowed, src) {
					return decide(s, FPMAllowedClient, 0.9, fmt.Sprintf("pool %s allows only %s (listen.allowed_clients at %s); nginx connects from %s",
						pool.Name, strings.Join(allowed, ","), settingPos(pool.ListenAllowedClients, pool), src))
				}
			}
		}
		if pool != nil && !connecting {
			s = ruleOut(s, pool)
		}
	case s.Upstream.HTTP():
		if connecting && e.Errno != 0 {
			return s
		}
		if pool := x.poolAt(a); pool != nil && (s.Status == 502 || s.Status == 0) {
			return decide(s, ProtocolMismatch, 0.9, fmt.Sprintf("%s is pool %s's FastCGI listen (%s): proxy_pass speaks HTTP to it", a.text, pool.Name, listenPos(pool)))
		}
		if l := x.listener(a); l != nil && l.SSL != (s.Upstream.Scheme == "https") && (s.Status == 502 || s.Status == 504 || s.Status == 0) {
			return decide(s, TLSMismatch, 0.95, fmt.Sprintf("%s://%s is served by listen %s at %s", s.Upstream.Scheme, a.text, l.Raw, dpos(l.Directive)))
		}
		if g, ok := x.keepalive[a.key()]; ok && hasCandidate(s, UpstreamKeepaliveClosed) {
			return decide(s, UpstreamKeepaliveClosed, 0.6, fmt.Sprintf("%s is a server of upstream %s, which keeps idle connections (keepalive): a backend idle timeout shorter than nginx's closes them as nginx reuses them; the access log's $upstream_status `502, 200` confirms", a.text, g))
		}
		if p, ok := x.rewrites[a.key()]; ok && s.Status == 404 {
			return decide(s, ProxyPassURIRewrite, 0.7, fmt.Sprintf("%s at %s replaces the location prefix %s", passString(p), dpos(p.Directive), p.Location.Match))
		}
	}
	return s
}

// errNoRead is what the Diagnoser's default ReadFile returns.
var errNoRead = errors.New("classify: Options.ReadFile is nil: config files are not read again")

// explainedBy maps a verdict's cause to the causes of findings that explain
// it besides its own: php-fpm refusing to start shows as fpm_down.
var explainedBy = map[Code][]Code{
	FPMDown:        {FPMConfigInvalid},
	FPMStaleSocket: {FPMConfigInvalid},
}

// attachFindings runs the config checks once (when Options has a config)
// and links each verdict to the findings that predict its cause.
func (d *Diagnoser) attachFindings(r *Report) {
	if d.opts.Nginx == nil && d.opts.FPM == nil {
		return
	}
	x := d.index()
	if !x.checked {
		read := d.opts.ReadFile
		if read == nil {
			read = func(string) ([]byte, error) { return nil, errNoRead }
		}
		x.findings = CheckWith(CheckInput{Nginx: d.opts.Nginx, FPM: d.opts.FPM, PHPIni: d.opts.PHPIni, Host: d.opts.Host, ReadFile: read})
		x.checked = true
	}
	r.Findings = append([]Finding(nil), x.findings...)
	// The addresses each pass directive connects to: a finding at a pass
	// explains only verdicts on one of those addresses.
	passKeys := map[lineKey][]netAddrKey{}
	if d.opts.Nginx != nil {
		for p := range d.opts.Nginx.Passes() {
			k := lineKey{dpos(p.Directive).File, dpos(p.Directive).Line}
			for _, a := range passAddrs(p) {
				passKeys[k] = append(passKeys[k], a.key())
			}
		}
	}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		want := append([]Code{v.Cause}, explainedBy[v.Cause]...)
		var vkeys []netAddrKey
		for _, u := range v.Upstreams {
			if a, ok := peerAddr(ParseUpstream(u).Peer); ok {
				vkeys = append(vkeys, a.key())
			}
		}
		for _, f := range x.findings {
			if f.Suppressed != nil {
				continue
			}
			if keys := passKeys[lineKey{f.Pos.File, f.Pos.Line}]; len(keys) > 0 && len(vkeys) > 0 && !overlapKeys(keys, vkeys) {
				continue // a finding about another upstream
			}
			for _, c := range want {
				if f.Cause == c {
					v.Findings = append(v.Findings, f)
					break
				}
			}
		}
	}
}

func overlapKeys(a, b []netAddrKey) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// ruleOut drops the candidates a pool's config makes impossible for a
// failure while talking to it: fpm_request_terminate when the pool has no
// request_terminate_timeout (0: php-fpm never kills for time), and
// fpm_allowed_clients when it sets no listen.allowed_clients or listens on
// a unix socket (php-fpm checks it for TCP only). The others keep their
// order and share the confidence the dropped ones had.
func ruleOut(s Symptom, pool *fpmconf.Pool) Symptom {
	var why []string
	drop := map[Code]bool{}
	if hasCandidate(s, FPMRequestTerminate) && pool.RequestTerminateTimeout.Value == 0 {
		drop[FPMRequestTerminate] = true
		why = append(why, fmt.Sprintf("pool %s sets no request_terminate_timeout, so php-fpm kills no child for time", pool.Name))
	}
	if hasCandidate(s, FPMAllowedClient) && (pool.AllowedClients() == nil || pool.Listen.Value.Network != "tcp") {
		drop[FPMAllowedClient] = true
		why = append(why, fmt.Sprintf("pool %s accepts every client (no listen.allowed_clients on a TCP listen)", pool.Name))
	}
	if len(drop) == 0 {
		return s
	}
	total, kept := 0.0, 0.0
	for _, c := range s.Candidates {
		total += c.Confidence
		if !drop[c.Cause] {
			kept += c.Confidence
		}
	}
	if kept == 0 {
		return s
	}
	var out []Candidate
	for _, c := range s.Candidates {
		if !drop[c.Cause] {
			out = append(out, Candidate{c.Cause, round2(c.Confidence * total / kept)})
		}
	}
	s.Candidates = out
	s.Decide = strings.Join(why, "; ") + ". " + s.Decide
	return s
}
