package classify

import (
	"fmt"
	"net/netip"
	"path"
	"strconv"
	"strings"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// netAddr is one address nginx connects to: a unix path or host:port.
type netAddr struct {
	unix string
	host string
	port int
	pos  badgateway.Pos // the fastcgi_pass / proxy_pass or upstream server
	text string
}

// passAddrs returns the addresses a pass connects to: its own, or those of
// the servers of the upstream group it names (down servers left out).
// A pass with variables in the host has none.
func passAddrs(p *nginxconf.Pass) []netAddr {
	if p.HostVariables {
		return nil
	}
	if p.Upstream != nil {
		var out []netAddr
		for _, s := range p.Upstream.Servers {
			if s.Down {
				continue
			}
			a := netAddr{host: strings.Trim(s.Host, "[]"), port: s.Port, pos: dpos(s.Directive), text: s.Address}
			if s.Unix != "" {
				a = netAddr{unix: path.Clean(s.Unix), pos: dpos(s.Directive), text: s.Address}
			}
			out = append(out, a)
		}
		return out
	}
	if p.UpstreamName != "" && p.Host == "" && p.Unix == "" {
		return nil
	}
	if p.Unix != "" {
		return []netAddr{{unix: path.Clean(p.Unix), pos: dpos(p.Directive), text: "unix:" + p.Unix}}
	}
	port := p.Port
	if port == 0 {
		switch p.Scheme {
		case "https", "grpcs":
			port = 443
		case "http", "grpc":
			port = 80
		default:
			return nil // fastcgi_pass without port: nginx refuses it
		}
	}
	h := strings.Trim(p.Host, "[]")
	return []netAddr{{host: h, port: port, pos: dpos(p.Directive), text: net2(h, port)}}
}

func net2(host string, port int) string {
	if strings.Contains(host, ":") {
		return "[" + host + "]:" + strconv.Itoa(port)
	}
	return host + ":" + strconv.Itoa(port)
}

// hostKind classifies a host: an IP address, localhost, or another name.
func parseHost(h string) (netip.Addr, bool) {
	a, err := netip.ParseAddr(h)
	return a, err == nil
}

// sameHost reports whether nginx connecting to host a may reach a socket
// bound to host b. A name other than localhost cannot be resolved here
// and is taken to match (no finding on a guess).
func sameHost(a, b string) bool {
	if strings.EqualFold(a, b) {
		return true
	}
	ipA, okA := parseHost(a)
	ipB, okB := parseHost(b)
	if strings.EqualFold(a, "localhost") {
		return !okB || ipB.IsLoopback()
	}
	if strings.EqualFold(b, "localhost") {
		return !okA || ipA.IsLoopback()
	}
	if !okA || !okB {
		return true
	}
	return ipA.Unmap() == ipB.Unmap()
}

// matchesPool reports whether a php-fpm listen accepts connections to a.
func (a netAddr) matchesPool(l fpmconf.Listen) bool {
	if a.unix != "" {
		return l.Network == "unix" && path.Clean(l.Path) == a.unix
	}
	if l.Network != "tcp" || l.Port != a.port || a.port == 0 {
		return false
	}
	if l.AnyHost {
		return true
	}
	return sameHost(a.host, l.Host)
}

// matchesListen reports whether an nginx listen accepts connections to a.
func (a netAddr) matchesListen(l *nginxconf.Listen) bool {
	if a.unix != "" {
		return l.Unix != "" && path.Clean(l.Unix) == a.unix
	}
	if l.Unix != "" || l.Port != a.port {
		return false
	}
	h := strings.Trim(l.Host, "[]")
	if h == "" || h == "*" || h == "0.0.0.0" || h == "::" {
		_, isIP := parseHost(a.host)
		return isIP && isLocal(a.host) || strings.EqualFold(a.host, "localhost")
	}
	if _, ok := parseHost(a.host); !ok && !strings.EqualFold(a.host, "localhost") {
		return false // a remote name: not this nginx, as far as we know
	}
	return sameHost(a.host, h)
}

func isLocal(h string) bool {
	ip, ok := parseHost(h)
	return ok && (ip.IsLoopback() || ip.IsUnspecified())
}

// passString formats the pass as written.
func passString(p *nginxconf.Pass) string { return p.Module + "_pass " + p.Raw }

func checkPassListen(r *checkRun) {
	if r.in.Nginx == nil || len(r.pools()) == 0 {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if p.Module != "fastcgi" || p.HostVariables {
			continue
		}
		addrs := passAddrs(p)
		if len(addrs) == 0 {
			continue
		}
		for _, a := range addrs {
			matched := false
			for _, pool := range r.pools() {
				if a.matchesPool(pool.Listen.Value) {
					matched = true
				}
			}
			if matched || r.nginxListener(a) != nil {
				continue // an HTTP server of this nginx: pass_protocol reports it
			}
			f := Finding{Severity: badgateway.SeverityError, Pos: dpos(p.Directive)}
			via := ""
			if p.Upstream != nil {
				via = fmt.Sprintf(" (server %s of upstream %s)", a.text, p.Upstream.Name)
				f.Related = append(f.Related, Related{a.pos, "upstream server " + a.text})
			}
			var listens []string
			for _, pool := range r.pools() {
				listens = append(listens, poolDesc(pool))
				f.Related = append(f.Related, Related{listenPos(pool), poolDesc(pool)})
			}
			f.Message = fmt.Sprintf("%s%s reaches no php-fpm pool: %s; nginx will log ENOENT or ECONNREFUSED (listen_mismatch, not php-fpm down)",
				passString(p), via, strings.Join(listens, "; "))
			best := closestPool(a, r.pools())
			target := "unix:" + best.Listen.Value.Path
			if best.Listen.Value.Network == "tcp" {
				h := best.Listen.Value.Host
				if best.Listen.Value.AnyHost || h == "" {
					h = "127.0.0.1"
				}
				target = net2(h, best.Listen.Value.Port)
			}
			if p.Upstream != nil {
				f.Fixes = append(f.Fixes, Fix{
					Description: fmt.Sprintf("point the upstream server at pool %s: `server %s;` at %s", best.Name, target, a.pos),
					Edits:       []Edit{{Pos: a.pos, New: "server " + target + ";"}},
				})
			} else {
				f.Fixes = append(f.Fixes, Fix{
					Description: fmt.Sprintf("set `fastcgi_pass %s;` at %s", target, dpos(p.Directive)),
					Edits:       []Edit{replace(p.Directive, "fastcgi_pass "+target+";")},
				})
			}
			want := a.unix
			if want == "" {
				want = net2(a.host, a.port)
			}
			f.Fixes = append(f.Fixes, Fix{
				Description: fmt.Sprintf("make pool %s listen where nginx connects: `listen = %s` at %s", best.Name, want, listenPos(best)),
				Edits:       []Edit{fpmEdit(best.Listen, best, "listen = "+want)},
			})
			r.report(f)
		}
	}
}

// closestPool picks the pool a mismatched address most likely meant: same
// network kind and socket file name or port, else the first.
func closestPool(a netAddr, pools []*fpmconf.Pool) *fpmconf.Pool {
	for _, p := range pools {
		l := p.Listen.Value
		if a.unix != "" && l.Network == "unix" && path.Base(l.Path) == path.Base(a.unix) {
			return p
		}
		if a.unix == "" && l.Network == "tcp" && l.Port == a.port {
			return p
		}
	}
	for _, p := range pools {
		if (a.unix != "") == (p.Listen.Value.Network == "unix") {
			return p
		}
	}
	return pools[0]
}

func checkPassVariable(r *checkRun) {
	if r.in.Nginx == nil || len(r.pools()) == 0 {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if p.Module != "fastcgi" || !p.HostVariables {
			continue
		}
		f := Finding{Severity: badgateway.SeverityInfo, Pos: dpos(p.Directive),
			Message: fmt.Sprintf("%s is decided per request (variables): whether it reaches a pool cannot be checked statically", passString(p)),
			Fixes:   []Fix{{Description: fmt.Sprintf("make sure every value of the variable is one of the pools' listen addresses, or name the address (or an upstream group) at %s so that it can be checked", dpos(p.Directive))}}}
		for _, pool := range r.pools() {
			f.Related = append(f.Related, Related{listenPos(pool), poolDesc(pool)})
		}
		r.report(f)
	}
}

func checkSocketPermission(r *checkRun) {
	if r.in.Nginx == nil || len(r.pools()) == 0 {
		return
	}
	user := r.in.Nginx.Main.User
	group := r.in.Nginx.Main.Group
	if ctx := r.in.Nginx.Context; user.Directive == nil && ctx != "" && ctx != "main" {
		return // a snippet (sites-enabled/app): the user is set in an nginx.conf not given
	}
	acc := r.in.Host.accounts()
	var id *probe.Identity
	if acc != nil {
		if x, err := acc.Identity(user.Value, group.Value); err == nil {
			id = &x
		}
	}
	seen := map[*fpmconf.Pool]bool{}
	for p := range r.in.Nginx.Passes() {
		for _, pool := range r.reach[p] {
			if seen[pool] || pool.Listen.Value.Network != "unix" {
				continue
			}
			seen[pool] = true
			if !pool.User.IsSet() && pool.ListenOwner.Value == "" && len(pool.SocketPermissions().ACLUsers)+len(pool.SocketPermissions().ACLGroups) == 0 {
				// No pool user: php-fpm runs as a user other than root (a
				// container's USER), which owns the socket; unknown here.
				continue
			}
			ok, sev, why := socketAccess(user.Value, group.Value, pool.SocketPermissions(), id, acc)
			if ok {
				continue
			}
			sp := pool.SocketPermissions()
			f := Finding{Severity: sev, Pos: dpos(p.Directive),
				Message: fmt.Sprintf("nginx workers run as %s (user at %s) and connect to %s of pool %s: %s; nginx will log connect() … (13: Permission denied)",
					userDesc(user.Value, group.Value), posOrDefault(user.Pos(), "nginx's default"), pool.Listen.Value.Path, pool.Name, why),
			}
			f.Related = append(f.Related, Related{listenPos(pool), poolDesc(pool)})
			if pool.ListenOwner.Pos.IsValid() {
				f.Related = append(f.Related, Related{pool.ListenOwner.Pos, "listen.owner = " + sp.Owner})
			}
			if pool.ListenGroup.Pos.IsValid() {
				f.Related = append(f.Related, Related{pool.ListenGroup.Pos, "listen.group = " + sp.Group})
			}
			if pool.ListenMode.Pos.IsValid() {
				f.Related = append(f.Related, Related{pool.ListenMode.Pos, "listen.mode = " + pool.ListenMode.Raw})
			}
			if user.Directive != nil {
				f.Related = append(f.Related, Related{user.Directive.Pos, "nginx user " + user.Value})
			}
			var edits []Edit
			if len(sp.ACLUsers) > 0 || len(sp.ACLGroups) > 0 {
				edits = append(edits, fpmEdit(pool.ListenACLUsers, pool, "listen.acl_users = "+strings.Join(append(sp.ACLUsers, user.Value), ",")))
			} else {
				edits = append(edits, fpmEdit(pool.ListenOwner, pool, "listen.owner = "+user.Value),
					fpmEdit(pool.ListenGroup, pool, "listen.group = "+group.Value),
					fpmEdit(pool.ListenMode, pool, "listen.mode = 0660"))
			}
			f.Fixes = append(f.Fixes, Fix{
				Description: fmt.Sprintf("give nginx's user the socket in pool %s: %s", pool.Name, editsText(edits)),
				Edits:       edits,
			})
			r.report(f)
		}
	}
}

func posOrDefault(p badgateway.Pos, def string) string {
	if p.IsValid() {
		return p.String()
	}
	return def
}

func userDesc(user, group string) string {
	if group == "" || group == user {
		return user
	}
	return user + ":" + group
}

func editsText(es []Edit) string {
	var s []string
	for _, e := range es {
		s = append(s, "`"+e.New+"`")
	}
	return strings.Join(s, ", ")
}

// socketAccess decides whether nginx's worker (user, group; id when the
// host's accounts are known) may connect to a socket set up as sp. It
// returns the severity of the finding when not: error when denied for
// certain, warning when it depends on group membership we do not know.
func socketAccess(user, group string, sp fpmconf.SocketPerm, id *probe.Identity, acc *probe.Accounts) (bool, badgateway.Severity, string) {
	if user == "root" || id != nil && id.UID == 0 {
		return true, 0, ""
	}
	inGroup := func(g string) (yes, known bool) {
		if g == group {
			return true, true
		}
		if id == nil || acc == nil {
			return false, false
		}
		gr, err := acc.Group(g)
		if err != nil {
			return false, true
		}
		return id.HasGroup(gr.GID), true
	}
	if len(sp.ACLUsers) > 0 || len(sp.ACLGroups) > 0 {
		for _, u := range sp.ACLUsers {
			if u == user {
				return true, 0, ""
			}
		}
		unknown := false
		for _, g := range sp.ACLGroups {
			yes, known := inGroup(g)
			if yes {
				return true, 0, ""
			}
			unknown = unknown || !known
		}
		// php-fpm's socket keeps mode 0660 of root:root besides the ACL.
		why := fmt.Sprintf("listen.acl_users (%s) and listen.acl_groups (%s) do not include it", strings.Join(sp.ACLUsers, ","), strings.Join(sp.ACLGroups, ","))
		if unknown {
			return false, badgateway.SeverityWarning, why + " (unless it is a member of one of those groups: give HostFacts.Accounts to decide)"
		}
		return false, badgateway.SeverityError, why
	}
	owner := sp.Owner
	if owner == "" {
		owner = "root"
	}
	grp := sp.Group
	if grp == "" && sp.Owner == "" {
		grp = "root"
	}
	if grp == "" && sp.OwnerGroup {
		grp = owner // the owner's primary group; by Debian convention named like the user
		if acc != nil {
			if u, err := acc.User(owner); err == nil {
				if n := acc.GroupName(u.GID); n != "" {
					grp = n
				}
			}
		}
	}
	mode := sp.Mode
	desc := fmt.Sprintf("the socket is %s:%s mode %04o", owner, grp, mode)
	if owner == user {
		if mode&0o200 != 0 {
			return true, 0, ""
		}
		return false, badgateway.SeverityError, desc + ": the owner has no write permission"
	}
	yes, known := inGroup(grp)
	if yes {
		if mode&0o020 != 0 {
			return true, 0, ""
		}
		return false, badgateway.SeverityError, desc + ": the group has no write permission"
	}
	if mode&0o002 != 0 {
		return true, 0, ""
	}
	if !known && mode&0o020 != 0 {
		return false, badgateway.SeverityWarning, desc + fmt.Sprintf(": only the owner and group %s may connect (unless %s is a member of %s: give HostFacts.Accounts to decide)", grp, user, grp)
	}
	return false, badgateway.SeverityError, desc + ": nginx's user is neither its owner nor in its group, and others may not write"
}

func checkAllowedClients(r *checkRun) {
	if r.in.Nginx == nil || len(r.pools()) == 0 {
		return
	}
	for p := range r.in.Nginx.Passes() {
		for _, pool := range r.reach[p] {
			allowed := pool.AllowedClients()
			if allowed == nil || pool.Listen.Value.Network != "tcp" {
				continue
			}
			for _, a := range passAddrs(p) {
				if !a.matchesPool(pool.Listen.Value) {
					continue
				}
				src, ok := sourceAddr(a.host)
				if !ok {
					continue // a remote host: nginx's source address is not known here
				}
				if allowedHas(allowed, src) {
					continue
				}
				f := Finding{Severity: badgateway.SeverityError, Pos: dpos(p.Directive),
					Message: fmt.Sprintf("nginx connects to %s from %s, but pool %s allows only %s (listen.allowed_clients): php-fpm drops the connection, nginx logs recv() failed (104: Connection reset by peer)",
						a.text, src, pool.Name, strings.Join(allowed, ",")),
					Related: []Related{{settingPos(pool.ListenAllowedClients, pool), "listen.allowed_clients = " + pool.ListenAllowedClients.Raw}, {listenPos(pool), poolDesc(pool)}},
				}
				e := fpmEdit(pool.ListenAllowedClients, pool, "listen.allowed_clients = "+strings.Join(append(append([]string(nil), allowed...), src), ","))
				f.Fixes = []Fix{{Description: fmt.Sprintf("allow nginx's address: `%s` at %s", e.New, e.Pos), Edits: []Edit{e}}}
				r.report(f)
			}
		}
	}
}

// sourceAddr is the address nginx connects from when it connects to host:
// the same loopback address for a loopback destination.
func sourceAddr(host string) (string, bool) {
	if strings.EqualFold(host, "localhost") {
		return "127.0.0.1", true
	}
	ip, ok := parseHost(host)
	if !ok || !ip.IsLoopback() {
		return "", false
	}
	if ip.Is4() {
		return "127.0.0.1", true // Linux picks 127.0.0.1 as the source for 127.0.0.0/8
	}
	return ip.String(), true
}

func allowedHas(list []string, src string) bool {
	s, _ := parseHost(src)
	for _, x := range list {
		if strings.EqualFold(x, "any") {
			return true
		}
		if ip, ok := parseHost(x); ok && ip.Unmap() == s.Unmap() {
			return true
		}
		if strings.EqualFold(x, "localhost") && s.IsLoopback() {
			return true
		}
	}
	return false
}

func checkPassProtocol(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		switch p.Module {
		case "proxy":
			for _, a := range passAddrs(p) {
				for _, pool := range r.pools() {
					if !a.matchesPool(pool.Listen.Value) {
						continue
					}
					f := Finding{Severity: badgateway.SeverityError, Pos: dpos(p.Directive),
						Message: fmt.Sprintf("%s speaks HTTP to %s, where pool %s speaks FastCGI: php-fpm drops the request, nginx logs a reset or \"upstream prematurely closed connection\" (502)",
							passString(p), a.text, pool.Name),
						Related: []Related{{listenPos(pool), poolDesc(pool)}},
					}
					target := a.text
					if a.unix != "" {
						target = "unix:" + a.unix
					}
					f.Fixes = []Fix{{Description: fmt.Sprintf("pass PHP with FastCGI: `fastcgi_pass %s;` (with fastcgi_param SCRIPT_FILENAME) at %s", target, dpos(p.Directive)),
						Edits: []Edit{replace(p.Directive, "fastcgi_pass "+target+";")}}}
					r.report(f)
				}
			}
		case "fastcgi":
			for _, a := range passAddrs(p) {
				if l := r.nginxListener(a); l != nil && len(r.reach[p]) == 0 {
					f := Finding{Severity: badgateway.SeverityError, Pos: dpos(p.Directive),
						Message: fmt.Sprintf("%s speaks FastCGI to %s, an HTTP server of this nginx (listen at %s): nginx logs \"upstream sent unsupported FastCGI protocol version: 72\" (502)",
							passString(p), a.text, dpos(l.Directive)),
						Related: []Related{{dpos(l.Directive), "listen " + l.Raw}},
					}
					f.Fixes = []Fix{{Description: fmt.Sprintf("use `proxy_pass http://%s;` at %s, or point fastcgi_pass at php-fpm's listen", a.text, dpos(p.Directive)),
						Edits: []Edit{replace(p.Directive, "proxy_pass http://"+a.text+";")}}}
					r.report(f)
				}
			}
		}
	}
}

// nginxListener returns a listen of this nginx that accepts connections to a.
func (r *checkRun) nginxListener(a netAddr) *nginxconf.Listen {
	if r.in.Nginx.HTTP == nil {
		return nil
	}
	for _, s := range r.in.Nginx.HTTP.Servers {
		for _, l := range s.Listen {
			if l.Directive != nil && a.matchesListen(l) {
				return l
			}
		}
	}
	return nil
}

func checkPassTLS(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if p.Module != "proxy" || p.Scheme != "http" && p.Scheme != "https" {
			continue
		}
		tls := p.Scheme == "https"
		for _, a := range passAddrs(p) {
			if a.unix == "" && r.poolAt(a) {
				continue // pass_protocol reports it
			}
			var why string
			var rel []Related
			if l := r.nginxListener(a); l != nil {
				if l.SSL != tls {
					kind := "plaintext HTTP"
					if l.SSL {
						kind = "TLS"
					}
					why = fmt.Sprintf("the server listening there (listen %s at %s) speaks %s", l.Raw, dpos(l.Directive), kind)
					rel = append(rel, Related{dpos(l.Directive), "listen " + l.Raw})
				}
			} else if a.unix == "" && tls && a.port == 80 && p.Port != 0 {
				why = "port 80 is plaintext HTTP by convention"
			} else if a.unix == "" && !tls && a.port == 443 {
				why = "port 443 is HTTPS by convention"
			}
			if why == "" {
				continue
			}
			sev := badgateway.SeverityWarning // a convention only
			if len(rel) > 0 {
				sev = badgateway.SeverityError // a listener of this nginx
			}
			f := Finding{Severity: sev, Pos: dpos(p.Directive), Related: rel}
			other := "https"
			if tls {
				other = "http"
				f.Message = fmt.Sprintf("%s speaks TLS to %s, but %s: nginx logs SSL_do_handshake() failed (…wrong version number) (502)", passString(p), a.text, why)
			} else {
				f.Message = fmt.Sprintf("%s speaks plaintext HTTP to %s, but %s: the backend closes the connection, nginx logs \"upstream prematurely closed connection\" (502)", passString(p), a.text, why)
			}
			raw := other + strings.TrimPrefix(p.Raw, p.Scheme)
			f.Fixes = []Fix{{Description: fmt.Sprintf("use `proxy_pass %s;` at %s", raw, dpos(p.Directive)), Edits: []Edit{replace(p.Directive, "proxy_pass "+raw+";")}}}
			r.report(f)
		}
	}
}

func (r *checkRun) poolAt(a netAddr) bool {
	for _, pool := range r.pools() {
		if a.matchesPool(pool.Listen.Value) {
			return true
		}
	}
	return false
}
