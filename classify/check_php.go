package classify

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
)

func secs(d time.Duration) string {
	if d == 0 {
		return "0 (unlimited)"
	}
	return fmt.Sprintf("%gs", d.Seconds())
}

func checkTimeoutLadder(r *checkRun) {
	if r.in.Nginx == nil || len(r.pools()) == 0 {
		return
	}
	for p := range r.in.Nginx.Passes() {
		loc := p.Location
		if p.Module != "fastcgi" || loc == nil {
			continue
		}
		read := loc.Settings.FastCGI.ReadTimeout
		for _, pool := range r.reach[p] {
			rtt := pool.RequestTerminateTimeout.Value
			met := pool.PHPIni(r.in.PHPIni, "max_execution_time")
			metSec, _ := met.Size()
			metD := time.Duration(max(metSec, 0)) * time.Second
			readD := read.Value
			rel := []Related{
				{settingPos(pool.RequestTerminateTimeout, pool), fmt.Sprintf("pool %s request_terminate_timeout = %s", pool.Name, secs(rtt))},
			}
			if read.Directive != nil {
				rel = append(rel, Related{read.Directive.Pos, "fastcgi_read_timeout " + secs(readD)})
			}
			if met.Pos.IsValid() {
				rel = append(rel, Related{met.Pos, fmt.Sprintf("max_execution_time = %s (%s)", met.Value, met.Source)})
			}
			ladder := fmt.Sprintf("max_execution_time %s (CPU time) / request_terminate_timeout %s / fastcgi_read_timeout %s (wall time)", secs(metD), secs(rtt), secs(readD))
			readWhere := "nginx's default"
			if read.Directive != nil {
				readWhere = read.Directive.Pos.String()
			}
			f := Finding{Severity: badgateway.SeverityWarning, Pos: dpos(p.Directive), Related: rel}
			switch {
			case rtt > 0 && readD > 0 && rtt >= readD:
				f.Cause = UpstreamReadTimeout
				f.Message = fmt.Sprintf("%s: for a request that runs long, fastcgi_read_timeout (%s) fires first: the client sees 504 after %s while pool %s's child keeps running up to %s; want max_execution_time < request_terminate_timeout < fastcgi_read_timeout",
					ladder, readWhere, secs(readD), pool.Name, secs(rtt))
				want := max(readD-5*time.Second, readD/2, time.Second)
				e := fpmEdit(pool.RequestTerminateTimeout, pool, fmt.Sprintf("request_terminate_timeout = %ds", int(want.Seconds())))
				f.Fixes = []Fix{{Description: fmt.Sprintf("set `%s` in %s", e.New, e.Pos), Edits: []Edit{e}}}
				if read.Directive != nil {
					f.Fixes = append(f.Fixes, Fix{Description: fmt.Sprintf("set `fastcgi_read_timeout %ds;` at %s", int(rtt.Seconds())+10, read.Directive.Pos),
						Edits: []Edit{replace(read.Directive, fmt.Sprintf("fastcgi_read_timeout %ds;", int(rtt.Seconds())+10))}})
				}
			case rtt > 0 && metD > 0 && metD >= rtt:
				f.Cause = FPMRequestTerminate
				f.Message = fmt.Sprintf("%s: request_terminate_timeout fires before max_execution_time: a script running %s is killed by php-fpm (502, nginx logs recv() failed (104)) instead of stopping with PHP's fatal error (500, with the script's name in the log)",
					ladder, secs(rtt))
				want := max(rtt-5*time.Second, rtt/2, time.Second)
				f.Fixes = []Fix{{Description: fmt.Sprintf("set `php_admin_value[max_execution_time] = %d` in pool %s (below request_terminate_timeout)", int(want.Seconds()), pool.Name),
					Edits: []Edit{iniEdit(met, pool, fmt.Sprintf("php_admin_value[max_execution_time] = %d", int(want.Seconds())))}}}
			case rtt == 0 && metD == 0:
				f.Cause = UpstreamReadTimeout
				f.Message = fmt.Sprintf("%s: nothing stops a runaway script: nginx answers 504 after %s and pool %s's child keeps running, holding a child slot, until the script ends",
					ladder, secs(readD), pool.Name)
				want := max(readD-5*time.Second, readD/2, time.Second)
				e := fpmEdit(pool.RequestTerminateTimeout, pool, fmt.Sprintf("request_terminate_timeout = %ds", int(want.Seconds())))
				f.Fixes = []Fix{{Description: fmt.Sprintf("set `%s` in %s", e.New, e.Pos), Edits: []Edit{e}}}
			case rtt == 0 && metD > 0 && readD > 0 && metD >= readD:
				f.Cause = UpstreamReadTimeout
				f.Message = fmt.Sprintf("%s: max_execution_time is not below fastcgi_read_timeout and no request_terminate_timeout is set: a long script gets nginx's 504 after %s and its child keeps running",
					ladder, secs(readD))
				want := max(readD-5*time.Second, readD/2, time.Second)
				e := fpmEdit(pool.RequestTerminateTimeout, pool, fmt.Sprintf("request_terminate_timeout = %ds", int(want.Seconds())))
				f.Fixes = []Fix{{Description: fmt.Sprintf("set `%s` in %s and max_execution_time below it", e.New, e.Pos), Edits: []Edit{e}}}
			default:
				continue
			}
			r.report(f)
		}
	}
}

// iniEdit replaces the line that sets a php.ini value (php.ini or a pool's
// php_value), or inserts a php_admin_value line after the pool header.
func iniEdit(e fpmconf.Effective, pool *fpmconf.Pool, text string) Edit {
	if e.Source != "php.ini" && e.Pos.IsValid() {
		return Edit{Pos: lineStart(e.Pos), New: text}
	}
	at := pool.NamePos
	at.Line++
	at.Col = 1
	return Edit{Pos: at, New: text, Insert: true}
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

func checkMaxChildrenMemory(r *checkRun) {
	h := r.in.Host
	if h == nil || len(r.pools()) == 0 {
		return
	}
	avail, availName := h.CgroupMemoryMax, "cgroup memory.max"
	if avail <= 0 {
		avail, availName = h.MemAvailable, "MemAvailable"
	}
	if avail <= 0 {
		return
	}
	reserve := h.MemoryReserve
	if reserve <= 0 {
		reserve = avail / 10
	}
	var terms []string
	var total int64
	var rel []Related
	var first *fpmconf.Pool
	for _, pool := range r.pools() {
		per, perName := h.ChildMemory, "measured PSS"
		if per <= 0 {
			ml := pool.PHPIni(r.in.PHPIni, "memory_limit")
			n, ok := ml.Size()
			if !ok || n <= 0 {
				continue // memory_limit = -1: unbounded, nothing to compute with
			}
			per, perName = n, "memory_limit"
			if ml.Pos.IsValid() {
				rel = append(rel, Related{ml.Pos, "memory_limit = " + ml.Value})
			}
		}
		n := int64(pool.PMMaxChildren.Value)
		total += n * per
		terms = append(terms, fmt.Sprintf("%d × %s (%s, pool %s)", n, mib(per), perName, pool.Name))
		rel = append(rel, Related{settingPos(pool.PMMaxChildren, pool), fmt.Sprintf("pool %s pm.max_children = %d", pool.Name, n)})
		if first == nil {
			first = pool
		}
	}
	budget := avail - reserve
	if first == nil || total <= budget {
		return
	}
	f := Finding{Severity: badgateway.SeverityWarning, Pos: settingPos(first.PMMaxChildren, first),
		Message: fmt.Sprintf("Σ pm.max_children × per-child memory = %s = %s > %s %s − reserve %s = %s: with every child busy the OOM killer ends children (502)",
			strings.Join(terms, " + "), mib(total), availName, mib(avail), mib(reserve), mib(budget)),
	}
	for _, x := range rel {
		if x.Pos != f.Pos {
			f.Related = append(f.Related, x)
		}
	}
	per := total / int64(max(first.PMMaxChildren.Value, 1))
	if len(r.pools()) == 1 && per > 0 {
		n := max(budget/per, 1)
		e := fpmEdit(first.PMMaxChildren, first, fmt.Sprintf("pm.max_children = %d", n))
		f.Fixes = []Fix{{Description: fmt.Sprintf("set `%s` in %s (%s / %s per child)", e.New, e.Pos, mib(budget), mib(per)), Edits: []Edit{e}}}
	} else {
		f.Fixes = []Fix{{Description: fmt.Sprintf("lower pm.max_children so that the sum stays below %s, or give php-fpm more memory", mib(budget))}}
	}
	r.report(f)
}

func checkListenBacklog(r *checkRun) {
	for _, pool := range r.pools() {
		b := pool.ListenBacklog
		if !b.IsSet() {
			continue
		}
		somax := 0
		if r.in.Host != nil {
			somax = r.in.Host.Somaxconn
		}
		q := b.Value
		if somax > 0 {
			q = pool.ListenQueue(somax)
		}
		mc := pool.PMMaxChildren.Value
		switch {
		case somax > 0 && b.Value > somax:
			r.report(Finding{Severity: badgateway.SeverityInfo, Pos: b.Pos, Cause: FPMMaxChildren,
				Message: fmt.Sprintf("pool %s listen.backlog = %d is capped by net.core.somaxconn = %d: the listen queue holds %d connections", pool.Name, b.Value, somax, q),
				Fixes:   []Fix{{Description: fmt.Sprintf("raise net.core.somaxconn to %d (sysctl), or set listen.backlog = %d", b.Value, somax)}},
			})
		case q >= mc && r.in.Nginx != nil && r.nginxConcurrency() > q+mc && r.poolReached(pool):
			n := r.nginxConcurrency()
			wc := r.in.Nginx.Main.WorkerConnections
			e := fpmEdit(b, pool, fmt.Sprintf("listen.backlog = %d", n))
			r.report(Finding{Severity: badgateway.SeverityWarning, Pos: b.Pos, Cause: FPMMaxChildren,
				Related: []Related{{settingPos(pool.PMMaxChildren, pool), fmt.Sprintf("pm.max_children = %d", mc)}, {dpos(wc.Directive), fmt.Sprintf("worker_connections %d", wc.Value)}},
				Message: fmt.Sprintf("pool %s holds pm.max_children + listen queue = %d + %d = %d requests, but nginx can send up to %d at once (worker_processes × worker_connections / 2): a burst beyond %d is refused (502) or times out connecting (504)",
					pool.Name, mc, q, mc+q, n, mc+q),
				Fixes: []Fix{{Description: fmt.Sprintf("set `%s` in %s (and net.core.somaxconn at least as high), or limit what nginx sends (limit_conn, max_conns on the upstream server)", e.New, e.Pos), Edits: []Edit{e}}},
			})
		case q > 0 && q < mc:
			e := fpmEdit(b, pool, fmt.Sprintf("listen.backlog = %d", max(mc*2, 128)))
			r.report(Finding{Severity: badgateway.SeverityWarning, Pos: b.Pos, Cause: FPMMaxChildren,
				Related: []Related{{settingPos(pool.PMMaxChildren, pool), fmt.Sprintf("pm.max_children = %d", mc)}},
				Message: fmt.Sprintf("pool %s: listen queue %d (listen.backlog = %d) is shorter than pm.max_children = %d: when every child is busy a burst is refused at once (unix socket: connect() failed (11: Resource temporarily unavailable), 502)",
					pool.Name, q, b.Value, mc),
				Fixes: []Fix{{Description: fmt.Sprintf("set `%s` in %s", e.New, e.Pos), Edits: []Edit{e}}},
			})
		}
	}
}

func checkPMInvariants(r *checkRun) {
	if r.in.FPM == nil {
		return
	}
	for _, p := range r.in.FPM.Problems {
		if p.Severity != badgateway.SeverityError || !errors.Is(p.Err, fpmconf.ErrValidation) {
			continue
		}
		// A key that is not set at all (php-fpm then points at the pool's
		// header, or at no line) may be set by a file the caller did not
		// give (a docker fragment overriding www.conf, a pool file
		// included from elsewhere): only values set in the files count.
		// So do values templated with ${ENV} that the environment here
		// does not define.
		if !p.Pos.IsValid() || r.isPoolHeader(p.Pos) || r.lineHasEnv(p.Pos) || r.pmTemplated(p.Err.Error()) {
			continue
		}
		r.report(Finding{Severity: badgateway.SeverityError, Pos: p.Pos,
			Message: "php-fpm refuses to start: " + p.Err.Error() + " (then nginx logs connect() failed: fpm_down symptoms)",
			Fixes:   []Fix{{Description: "correct the value so that `php-fpm -t` accepts the configuration"}},
		})
	}
}

// failedIncludeInScope reports whether an include nginx could not read
// sits at the level of loc or of an enclosing block: what it would set
// is unknown.
func (r *checkRun) failedIncludeInScope(loc *nginxconf.Location) bool {
	if len(r.failedIncludes) == 0 || loc == nil {
		return false
	}
	for d := loc.Directive; d != nil; d = d.Parent {
		for _, c := range d.Children {
			if c.Name == "include" && r.failedIncludes[lineKey{c.Pos.File, c.Pos.Line}] {
				return true
			}
		}
	}
	if loc.Server != nil && loc.Server.Directive != nil {
		for d := loc.Server.Directive; d != nil; d = d.Parent {
			for _, c := range d.Children {
				if c.Name == "include" && r.failedIncludes[lineKey{c.Pos.File, c.Pos.Line}] {
					return true
				}
			}
		}
	}
	return false
}

func checkScriptFilename(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if p.Module != "fastcgi" || p.Location == nil {
			continue
		}
		if _, ok := p.Location.Settings.FastCGI.Param("SCRIPT_FILENAME"); ok {
			continue
		}
		if r.failedIncludeInScope(p.Location) {
			continue // the missing include may set it
		}
		if r.in.FPM != nil && len(r.in.FPM.Pools) > 0 && len(r.reach[p]) == 0 && len(passAddrs(p)) > 0 {
			continue // not a php-fpm location as far as the pools tell
		}
		if len(r.reach[p]) == 0 && !looksPHP(p) {
			continue // another FastCGI application (Django, Zope, fcgiwrap …) may not need it
		}
		if looksStatus(p.Location) {
			continue // php-fpm answers its status and ping pages without a script
		}
		r.report(Finding{Severity: badgateway.SeverityError, Pos: dpos(p.Directive),
			Message: fmt.Sprintf("%s sends no SCRIPT_FILENAME (nginx's stock fastcgi_params lacks it): php-fpm answers \"Primary script unknown\" (404) for every request", passString(p)),
			Fixes: []Fix{{Description: fmt.Sprintf("add `fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;` next to %s, or `include fastcgi.conf;` instead of fastcgi_params", dpos(p.Directive)),
				Edits: []Edit{{Pos: dpos(p.Directive), New: "fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;", Insert: true}}}},
		})
	}
}

// locationFor returns the location of srv that serves uri, as nginx picks
// it (ngx_http_core_find_location): an exact match, else the longest
// prefix unless it is ^~ and a regex matches first. Regexes Go cannot
// compile are skipped. Nested locations are searched too.
func locationFor(locs []*nginxconf.Location, uri string) *nginxconf.Location {
	var best *nginxconf.Location
	for _, l := range locs {
		if l.Kind != "location" {
			continue
		}
		switch l.Modifier {
		case "=":
			if l.Match == uri {
				return l
			}
		case "", "^~":
			if strings.HasPrefix(uri, l.Match) && (best == nil || len(l.Match) > len(best.Match)) {
				best = l
			}
		}
	}
	if best != nil && len(best.Locations) > 0 {
		if inner := locationFor(best.Locations, uri); inner != nil {
			return inner
		}
	}
	if best != nil && best.Modifier == "^~" {
		return best
	}
	for _, l := range locs {
		if l.Kind != "location" || l.Modifier != "~" && l.Modifier != "~*" {
			continue
		}
		expr := l.Match
		if l.Modifier == "~*" {
			expr = "(?i)" + expr
		}
		re, err := regexp.Compile(expr)
		if err != nil {
			continue
		}
		if re.MatchString(uri) {
			return l
		}
	}
	return best
}

// effectivePass is the pass of loc or of the location an internal
// try_files/… could lead to: here simply loc's own pass.
func checkStatusExposure(r *checkRun) {
	if r.in.Nginx == nil || r.in.Nginx.HTTP == nil || len(r.pools()) == 0 {
		return
	}
	for _, pool := range r.pools() {
		for _, s := range []struct {
			key string
			set fpmconf.Setting[string]
		}{{"pm.status_path", pool.PMStatusPath}, {"ping.path", pool.PingPath}} {
			if s.set.Value == "" {
				continue
			}
			for _, srv := range r.in.Nginx.HTTP.Servers {
				loc := locationFor(srv.Locations, s.set.Value)
				if loc == nil || loc.Pass == nil || loc.Pass.Module != "fastcgi" || !containsPool(r.reach[loc.Pass], pool) {
					continue
				}
				if rules := loc.Settings.Access.Value; len(rules) > 0 {
					continue
				}
				sev := badgateway.SeverityWarning
				what := "shows every request, client address and script being served"
				if s.key == "ping.path" {
					sev, what = badgateway.SeverityInfo, "answers anyone (harmless, but a monitoring endpoint)"
				}
				r.report(Finding{Severity: sev, Pos: dpos(loc.Directive),
					Message: fmt.Sprintf("pool %s's %s %s is reachable through this location (%s) without allow/deny: it %s",
						pool.Name, s.key, s.set.Value, passString(loc.Pass), what),
					Related: []Related{{settingPos(s.set, pool), s.key + " = " + s.set.Value}},
					Fixes: []Fix{{Description: fmt.Sprintf("serve %s from its own `location = %s { allow 127.0.0.1; deny all; … }`", s.set.Value, s.set.Value),
						Edits: []Edit{{Pos: dpos(loc.Directive), Insert: true, New: fmt.Sprintf("location = %s { allow 127.0.0.1; deny all; include fastcgi.conf; %s; }", s.set.Value, passString(loc.Pass))}}}},
				})
			}
		}
	}
}

// looksPHP reports whether a fastcgi_pass location is for PHP when no pool
// tells: its match or its pass names php or fpm, or fastcgi_index is a
// .php file.
func looksPHP(p *nginxconf.Pass) bool {
	low := strings.ToLower(p.Raw)
	for l := p.Location; l != nil; l = l.Parent {
		low += " " + strings.ToLower(l.Match)
	}
	if strings.Contains(low, "php") || strings.Contains(low, "fpm") {
		return true
	}
	for l := p.Location; l != nil; l = l.Parent {
		if l.Directive == nil {
			continue
		}
		for _, d := range l.Directive.Find("fastcgi_index") {
			if strings.HasSuffix(strings.ToLower(d.Arg(0)), ".php") {
				return true
			}
		}
	}
	return false
}

// looksStatus reports whether a location serves php-fpm's status or ping
// page (its match names status or ping).
func looksStatus(l *nginxconf.Location) bool {
	for ; l != nil; l = l.Parent {
		m := strings.ToLower(l.Match)
		if strings.Contains(m, "status") || strings.Contains(m, "ping") {
			return true
		}
	}
	return false
}

func (r *checkRun) isPoolHeader(pos badgateway.Pos) bool {
	for _, pool := range r.pools() {
		if pool.NamePos.File == pos.File && pool.NamePos.Line == pos.Line {
			return true
		}
	}
	return false
}

// lineHasEnv reports whether the line at pos holds a ${NAME} reference.
func (r *checkRun) lineHasEnv(pos badgateway.Pos) bool {
	src, err := r.readFile(pos.File)
	if err != nil {
		return false
	}
	lines := strings.Split(string(src), "\n")
	if pos.Line > len(lines) {
		return false
	}
	return strings.Contains(lines[pos.Line-1], "${")
}

// pmTemplated reports whether the pool a php-fpm message names ("[pool
// www] …") sets one of its pm values from an ${ENV} reference.
func (r *checkRun) pmTemplated(msg string) bool {
	rest, ok := strings.CutPrefix(msg, "[pool ")
	if !ok {
		return false
	}
	name, _, ok := strings.Cut(rest, "]")
	if !ok || r.in.FPM == nil {
		return false
	}
	pool := r.in.FPM.Pool(name)
	if pool == nil {
		return false
	}
	for _, pos := range []badgateway.Pos{pool.PM.Pos, pool.PMMaxChildren.Pos, pool.PMStartServers.Pos, pool.PMMinSpareServers.Pos, pool.PMMaxSpareServers.Pos} {
		if pos.IsValid() && r.lineHasEnv(pos) {
			return true
		}
	}
	return false
}

// nginxConcurrency is how many upstream requests nginx can hold at once:
// worker_processes × worker_connections / 2 (each proxied request uses a
// client and an upstream connection); worker_processes auto counts as 1,
// a lower bound.
func (r *checkRun) nginxConcurrency() int {
	m := r.in.Nginx.Main
	w := max(m.WorkerProcesses.Value, 1)
	return w * m.WorkerConnections.Value / 2
}

func (r *checkRun) poolReached(pool *fpmconf.Pool) bool {
	for _, ps := range r.reach {
		if containsPool(ps, pool) {
			return true
		}
	}
	return false
}
