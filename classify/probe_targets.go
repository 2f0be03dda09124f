package classify

import (
	"net"
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// ProbePlan is what to probe on a live host, derived from the nginx and
// php-fpm configuration models by PlanProbes.
type ProbePlan struct {
	// Targets are the distinct addresses to probe, in config order: nginx's
	// *_pass peers first (reading order; the servers of an upstream group
	// in their order), then the php-fpm pools' listen and pm.status_listen
	// addresses nginx does not already name. Two *_pass (or a pass and a
	// pool listen) that reach the same address with the same Kind are one
	// target, which carries what each of them knows (the pool's ping and
	// status paths, nginx's user).
	Targets []probe.Target
	// Sources[i] lists every config position that leads to Targets[i],
	// Targets[i].Pos first: the *_pass directives, upstream server lines,
	// the pool's listen or pm.status_listen value.
	Sources [][]badgateway.Pos
	// StatusListen[i] reports that Targets[i] is a pool's pm.status_listen
	// address (php-fpm's master answers there, not the pool's children),
	// not an address nginx sends requests to.
	StatusListen []bool
	// Skipped are the *_pass and listen values that give no address to
	// probe, with the reason.
	Skipped []SkippedTarget
	// Lookups are the names nginx resolves at run time through its own
	// `resolver`: a *_pass whose host is a variable that a `set` of the
	// same location (or an enclosing level) gives a literal name. Probe
	// them with probe.Prober.Resolve(ctx, Name, Server).
	Lookups []NameLookup
}

// NameLookup is a host name nginx looks up per request with its `resolver`.
type NameLookup struct {
	Name   string         // the host name, e.g. "backend.example.internal"
	Server string         // the first address of the resolver in force ("127.0.0.53", "10.0.0.2:5353")
	Pos    badgateway.Pos // the *_pass directive
	What   string         // the *_pass as written
}

// SkippedTarget is a configured upstream that PlanProbes cannot probe.
type SkippedTarget struct {
	Pos    badgateway.Pos // the directive or setting
	What   string         // as written, e.g. "proxy_pass http://$backend"
	Reason string         // a sentence: why there is no address to probe
}

// ProbeTargets returns the targets of PlanProbes(nginx, fpm): every
// *_pass peer of nginx and every php-fpm pool listen and
// pm.status_listen, deduplicated. Either config may be nil. See
// PlanProbes for the details and the targets it skips.
func ProbeTargets(nginx *nginxconf.Config, fpm *fpmconf.Config) []probe.Target {
	return PlanProbes(nginx, fpm).Targets
}

// PlanProbes derives the probe targets from the configs, filling each
// probe.Target as its documentation asks:
//
//   - every peer of every proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass
//     and grpc_pass: its own address, or the servers of the upstream group
//     it names (servers marked down are skipped); Kind from the module and
//     scheme; Host from the effective proxy_set_header Host ($proxy_host
//     and the default give the proxy_pass host; $host and $http_host the
//     server's first plain server_name, else none); SNI from proxy_ssl_name
//     (default the proxy_pass host) only with proxy_ssl_server_name on;
//     VerifyName from proxy_ssl_name, else the proxy_pass host;
//     TrustedCertificate from proxy_ssl_trusted_certificate; Pos the
//     *_pass directive, or the upstream's server line;
//   - every php-fpm pool: its listen (a port alone, 0.0.0.0 or * becomes
//     127.0.0.1, [::] becomes [::1]) and its pm.status_listen, each with
//     Pool, PingPath, PingResponse and StatusPath; Pos the value's
//     position (the pool's [name] header when listen is unset);
//   - User and Group on every target: nginx's `user` directive (its
//     default when nginx.conf has none; none at all without an nginx
//     config, which skips the access check).
//
// Targets with the same Kind, network and address (unix paths compared
// after path.Clean) are merged. A pass whose host has variables, names
// an unknown upstream, or lacks a port, and a listen php-fpm cannot use,
// is skipped with a reason. PlanProbes reads nothing but the models, and
// is safe for concurrent use.
func PlanProbes(nginx *nginxconf.Config, fpm *fpmconf.Config) *ProbePlan {
	b := planBuilder{plan: &ProbePlan{}, index: map[targetKey]int{}}
	if nginx != nil && nginx.Main != nil {
		b.user, b.group = nginx.Main.User.Value, nginx.Main.Group.Value
	}
	if nginx != nil {
		for p := range nginx.Passes() {
			b.addPass(p)
		}
	}
	if fpm != nil {
		for _, pool := range fpm.Pools {
			b.addPool(pool)
		}
	}
	return b.plan
}

type targetKey struct {
	kind    probe.Kind
	network string
	address string
}

type planBuilder struct {
	plan        *ProbePlan
	index       map[targetKey]int
	user, group string
}

func keyOf(t *probe.Target) targetKey {
	addr := t.Address
	if t.Network == "unix" {
		addr = path.Clean(addr)
	} else {
		addr = strings.ToLower(addr)
	}
	return targetKey{t.Kind, t.Network, addr}
}

// add merges t into the plan and returns its index.
func (b *planBuilder) add(t probe.Target, statusListen bool) int {
	k := keyOf(&t)
	if i, ok := b.index[k]; ok {
		old := &b.plan.Targets[i]
		if old.Pool == "" {
			old.Pool, old.PingPath, old.PingResponse, old.StatusPath = t.Pool, t.PingPath, t.PingResponse, t.StatusPath
		}
		for _, f := range []struct{ dst, src *string }{{&old.Host, &t.Host}, {&old.SNI, &t.SNI},
			{&old.VerifyName, &t.VerifyName}, {&old.TrustedCertificate, &t.TrustedCertificate}} {
			if *f.dst == "" {
				*f.dst = *f.src
			}
		}
		src := b.plan.Sources[i]
		if t.Pos != (badgateway.Pos{}) && !containsPos(src, t.Pos) {
			b.plan.Sources[i] = append(src, t.Pos)
		}
		if !statusListen {
			b.plan.StatusListen[i] = false
		}
		return i
	}
	t.User, t.Group = b.user, b.group
	b.index[k] = len(b.plan.Targets)
	b.plan.Targets = append(b.plan.Targets, t)
	var src []badgateway.Pos
	if t.Pos != (badgateway.Pos{}) {
		src = []badgateway.Pos{t.Pos}
	}
	b.plan.Sources = append(b.plan.Sources, src)
	b.plan.StatusListen = append(b.plan.StatusListen, statusListen)
	return len(b.plan.Targets) - 1
}

func containsPos(ps []badgateway.Pos, p badgateway.Pos) bool {
	for _, x := range ps {
		if x == p {
			return true
		}
	}
	return false
}

func (b *planBuilder) skip(pos badgateway.Pos, what, reason string) {
	b.plan.Skipped = append(b.plan.Skipped, SkippedTarget{Pos: pos, What: what, Reason: reason})
}

// passKind is the probe Kind of a pass.
func passKind(p *nginxconf.Pass) probe.Kind {
	switch p.Module {
	case "fastcgi":
		return probe.KindFastCGI
	case "proxy":
		if p.Scheme == "https" {
			return probe.KindHTTPS
		}
		return probe.KindHTTP
	}
	return probe.KindStream
}

func (b *planBuilder) addPass(p *nginxconf.Pass) {
	pos := dpos(p.Directive)
	what := passString(p)
	switch {
	case p.HostVariables:
		reason := "the address has variables: nginx evaluates it per request, so there is no fixed address to probe"
		if name, ok := setHost(p); ok {
			var res *nginxconf.Resolver
			if p.Location != nil && p.Location.Settings != nil {
				res = p.Location.Settings.Resolver.Value
			}
			if res != nil && len(res.Addresses) > 0 {
				b.plan.Lookups = append(b.plan.Lookups, NameLookup{Name: name, Server: res.Addresses[0], Pos: pos, What: what})
				reason += "; the name it is set to, " + name + ", is looked up through nginx's resolver " + res.Addresses[0] + " instead"
			} else {
				reason += "; no resolver is in force to look its name " + name + " up"
			}
		}
		b.skip(pos, what, reason)
		return
	case p.Upstream == nil && p.UpstreamName != "" && p.Host == "" && p.Unix == "":
		b.skip(pos, what, "names upstream "+strconv.Quote(p.UpstreamName)+", which is not defined in the config read")
		return
	}
	kind := passKind(p)
	var base probe.Target
	base.Kind = kind
	// The host nginx puts in Host, SNI and certificate checks: the
	// proxy_pass host (an upstream group's name for a group).
	proxyHost := p.Host
	if p.Upstream != nil {
		proxyHost = p.Upstream.Name
	}
	if kind == probe.KindHTTP || kind == probe.KindHTTPS {
		base.Host = hostHeader(p, proxyHost)
	}
	if kind == probe.KindHTTPS {
		name := proxyHost
		if d := inheritedDirective(p.Directive, "proxy_ssl_name"); d != nil && !strings.Contains(d.Arg(0), "$") {
			name = d.Arg(0)
		}
		base.VerifyName = strings.Trim(name, "[]")
		if d := inheritedDirective(p.Directive, "proxy_ssl_server_name"); d != nil && d.Arg(0) == "on" {
			base.SNI = base.VerifyName
		}
		if d := inheritedDirective(p.Directive, "proxy_ssl_trusted_certificate"); d != nil {
			base.TrustedCertificate = d.Arg(0)
		}
	}
	if p.Upstream != nil {
		n := 0
		for _, s := range p.Upstream.Servers {
			spos := dpos(s.Directive)
			if s.Down {
				b.skip(spos, "server "+s.Address, "marked down: nginx sends it nothing")
				continue
			}
			t := base
			t.Pos = spos
			if s.Unix != "" {
				t.Network, t.Address = "unix", s.Unix
			} else {
				t.Network, t.Address = "tcp", net.JoinHostPort(strings.Trim(s.Host, "[]"), strconv.Itoa(s.Port))
			}
			i := b.add(t, false)
			if pos != (badgateway.Pos{}) && !containsPos(b.plan.Sources[i], pos) {
				b.plan.Sources[i] = append(b.plan.Sources[i], pos)
			}
			n++
		}
		if n == 0 {
			b.skip(pos, what, "upstream "+strconv.Quote(p.Upstream.Name)+" has no server that is not down")
		}
		return
	}
	t := base
	t.Pos = pos
	if p.Unix != "" {
		t.Network, t.Address = "unix", p.Unix
		b.add(t, false)
		return
	}
	port := p.Port
	if port == 0 {
		switch p.Scheme {
		case "https", "grpcs":
			port = 443
		case "http", "grpc":
			port = 80
		default:
			b.skip(pos, what, "no port: nginx itself refuses this address")
			return
		}
	}
	t.Network, t.Address = "tcp", net.JoinHostPort(strings.Trim(p.Host, "[]"), strconv.Itoa(port))
	b.add(t, false)
}

// setHost returns the host name a pass with a variable host resolves
// when the variable is the whole host and a `set $var NAME` with a
// literal name is in force where the pass is (the last one of the nearest
// level that sets it; rewrite-module order within a level is not
// modelled). ok is false otherwise.
func setHost(p *nginxconf.Pass) (string, bool) {
	raw := p.Raw
	if i := strings.Index(raw, "://"); i >= 0 {
		raw = raw[i+3:]
	}
	host, _, _ := strings.Cut(raw, "/")
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	v := host
	if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
		v = "$" + v[2:len(v)-1]
	}
	if len(v) < 2 || v[0] != '$' || strings.ContainsAny(v[1:], "${}.:") || p.Directive == nil {
		return "", false
	}
	for blk := p.Directive.Parent; blk != nil; blk = blk.Parent {
		var val string
		found := false
		for _, c := range blk.Children {
			if c.Name == "set" && len(c.Args) == 2 && c.Args[0] == v {
				val, found = c.Args[1], true
			}
		}
		if found {
			if val == "" || strings.ContainsAny(val, "$/ ") {
				return "", false
			}
			if h, _, err := net.SplitHostPort(val); err == nil {
				val = h
			}
			if _, err := netipParse(val); err == nil {
				return "", false // an address: nothing to resolve
			}
			return val, true
		}
	}
	return "", false
}

// hostHeader is the Host header nginx sends to an HTTP upstream, when it
// is known from the config alone; "" lets the probe use the address.
func hostHeader(p *nginxconf.Pass, proxyHost string) string {
	if p.Location == nil || p.Location.Settings == nil {
		return proxyHost
	}
	v, _, ok := p.Location.Settings.ProxyHeader("Host")
	if !ok || v == "$proxy_host" {
		return proxyHost
	}
	if v == "$host" || v == "$http_host" {
		if s := p.Location.Server; s != nil {
			for _, n := range s.ServerNames {
				if n != "" && n != "_" && !strings.ContainsAny(n, "*~$") {
					return n
				}
			}
		}
		return ""
	}
	if strings.Contains(v, "$") {
		return ""
	}
	return v
}

// inheritedDirective returns the directive name in force at d: the last
// one among d's siblings, else in each enclosing block (location, server,
// http), as nginx inherits scalar directives. Nil when none sets it.
func inheritedDirective(d *nginxconf.Directive, name string) *nginxconf.Directive {
	if d == nil {
		return nil
	}
	for blk := d.Parent; blk != nil; blk = blk.Parent {
		var found *nginxconf.Directive
		for _, c := range blk.Children {
			if c.Name == name && !c.IsBlock {
				found = c
			}
		}
		if found != nil {
			return found
		}
	}
	return nil
}

// localAddr turns a php-fpm listen address into one to connect to: a
// wildcard host becomes the loopback address of its family.
func localAddr(l fpmconf.Listen) (network, address string, ok bool) {
	if l.Network == "unix" {
		return "unix", l.Path, l.Path != ""
	}
	if l.Network != "tcp" || l.Port <= 0 || l.Port > 65535 {
		return "", "", false
	}
	host := l.Host
	if l.AnyHost {
		host = "127.0.0.1"
		if l.Host == "::" {
			host = "::1"
		}
	}
	return "tcp", net.JoinHostPort(host, strconv.Itoa(l.Port)), true
}

func (b *planBuilder) addPool(pool *fpmconf.Pool) {
	t := probe.Target{
		Kind:         probe.KindFastCGI,
		Pool:         pool.Name,
		PingPath:     pool.PingPath.Value,
		PingResponse: pool.PingResponse.Value,
		StatusPath:   pool.PMStatusPath.Value,
	}
	l := pool.Listen.Value
	t.Pos = pool.Listen.Pos
	if !pool.Listen.IsSet() {
		t.Pos = pool.NamePos
	}
	if nw, addr, ok := localAddr(l); ok {
		lt := t
		lt.Network, lt.Address = nw, addr
		b.add(lt, false)
	} else {
		b.skip(t.Pos, "listen = "+pool.Listen.Raw, "pool "+strconv.Quote(pool.Name)+": no address php-fpm can listen on")
	}
	if !pool.PMStatusListen.IsSet() || pool.PMStatusListen.Value == "" {
		return
	}
	sl := fpmconf.ParseListen(pool.PMStatusListen.Value)
	if sl.Network == "unix" && !path.IsAbs(sl.Path) && pool.Prefix.Value != "" {
		sl.Path = path.Join(pool.Prefix.Value, sl.Path)
	}
	st := t
	st.Pos = pool.PMStatusListen.Pos
	if nw, addr, ok := localAddr(sl); ok {
		st.Network, st.Address = nw, addr
		b.add(st, true)
	} else {
		b.skip(st.Pos, "pm.status_listen = "+pool.PMStatusListen.Raw, "pool "+strconv.Quote(pool.Name)+": no address to probe")
	}
}

func netipParse(s string) (netip.Addr, error) { return netip.ParseAddr(strings.Trim(s, "[]")) }
