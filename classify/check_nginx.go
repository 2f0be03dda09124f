package classify

import (
	"fmt"
	"strings"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/nginxconf"
)

func checkKeepalive(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		u := p.Upstream
		if u == nil || u.Keepalive.Value <= 0 || p.Location == nil {
			continue
		}
		st := p.Location.Settings
		var missing []string
		var edits []Edit
		switch p.Module {
		case "proxy":
			if v := st.Proxy.HTTPVersion.Value; v != "1.1" {
				missing = append(missing, fmt.Sprintf("proxy_http_version 1.1 (in force: %s)", v))
				edits = append(edits, Edit{Pos: dpos(p.Directive), Insert: true, New: "proxy_http_version 1.1;"})
			}
			if v, _, _ := st.ProxyHeader("Connection"); v != "" {
				missing = append(missing, fmt.Sprintf(`proxy_set_header Connection "" (in force: %q)`, v))
				edits = append(edits, Edit{Pos: dpos(p.Directive), Insert: true, New: `proxy_set_header Connection "";`})
			}
		case "fastcgi":
			if !st.FastCGI.KeepConn.Value {
				missing = append(missing, "fastcgi_keep_conn on")
				edits = append(edits, Edit{Pos: dpos(p.Directive), Insert: true, New: "fastcgi_keep_conn on;"})
			}
		default:
			continue
		}
		if len(missing) == 0 {
			continue
		}
		r.report(Finding{Severity: badgateway.SeverityWarning, Pos: dpos(p.Directive),
			Related: []Related{{dpos(u.Keepalive.Directive), fmt.Sprintf("upstream %s keepalive %d", u.Name, u.Keepalive.Value)}},
			Message: fmt.Sprintf("upstream %s keeps %d idle connections, but %s lacks %s: no connection is reused (or, with HTTP/1.0 and a backend that keeps it open anyway, a reused one is closed under nginx's feet)",
				u.Name, u.Keepalive.Value, passString(p), strings.Join(missing, " and ")),
			Fixes: []Fix{{Description: fmt.Sprintf("add %s in the location at %s", editsText(edits), dpos(p.Location.Directive)), Edits: edits}},
		})
	}
}

// hostVariable returns the variable a pass's host is made of
// ("$backend" of "http://$backend/x"), or "".
func hostVariable(raw string) string {
	s := raw
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	}
	if j := strings.IndexAny(s, "/"); j >= 0 {
		s = s[:j]
	}
	if strings.HasPrefix(s, "$") && !strings.ContainsAny(s[1:], "$:.") {
		return strings.Trim(s[1:], "{}")
	}
	return ""
}

// setValues returns the values "set $name VALUE" gives anywhere in the
// config, and whether a map or geo block defines $name.
func setValues(cfg *nginxconf.Config, name string) (vals []string, mapped bool) {
	for _, d := range cfg.Root {
		for x := range d.Walk() {
			switch x.Name {
			case "set":
				if len(x.Args) == 2 && strings.Trim(x.Args[0], "${}") == name {
					vals = append(vals, x.Args[1])
				}
			case "map", "geo", "split_clients", "perl_set", "js_set", "set_by_lua", "set_by_lua_block", "set_by_lua_file":
				for _, a := range x.Args {
					if strings.Trim(a, "${}") == name {
						mapped = true
					}
				}
			}
			if strings.HasSuffix(x.Name, "_by_lua_block") || strings.HasSuffix(x.Name, "_by_lua") {
				if strings.Contains(x.Body, "ngx.var."+name) {
					mapped = true
				}
			}
		}
	}
	return vals, mapped
}

func checkResolver(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		if !p.HostVariables || p.Location == nil || p.Location.Settings.Resolver.Value != nil {
			continue
		}
		if p.Unix != "" {
			continue
		}
		// A variable whose every value names an upstream group needs no
		// resolver; nor does one set to an IP address.
		if h := literalHost(p.Raw); h != "" && (r.in.Nginx.Upstream(h) != nil || isIPHost(h)) {
			continue // "http://octane$suffix": the host is literal, the variable adds the query
		}
		if v := hostVariable(p.Raw); v != "" {
			vals, mapped := setValues(r.in.Nginx, v)
			if mapped {
				continue // map/geo/lua: values not followed
			}
			allKnown := len(vals) > 0
			for _, x := range vals {
				h := x
				if i := strings.LastIndexByte(h, ':'); i > 0 && !strings.Contains(h[:i], ":") {
					h = h[:i]
				}
				_, isIP := parseHost(strings.Trim(h, "[]"))
				if r.in.Nginx.Upstream(x) == nil && !isIP && !strings.HasPrefix(x, "unix:") {
					allKnown = false
				}
			}
			if allKnown {
				continue
			}
		}
		r.report(Finding{Severity: badgateway.SeverityWarning, Pos: dpos(p.Directive),
			Message: fmt.Sprintf("%s has a variable host and no resolver is in scope: unless the value always names an upstream group or an IP address, nginx logs \"no resolver defined to resolve NAME\" (502)", passString(p)),
			Fixes: []Fix{{Description: fmt.Sprintf("add `resolver 127.0.0.53 valid=30s;` (your DNS server) in the server or http block, or name an upstream group, above %s", dpos(p.Directive)),
				Edits: []Edit{{Pos: dpos(p.Directive), Insert: true, New: "resolver 127.0.0.53 valid=30s;"}}}},
		})
	}
}

// backendURI returns the URI nginx sends for request uri to a proxy_pass
// with URI part passURI in a prefix location matching prefix: the matched
// prefix is replaced by the URI part (ngx_http_proxy_create_request).
func backendURI(prefix, passURI, uri string) string {
	return passURI + strings.TrimPrefix(uri, prefix)
}

func checkProxyPassURI(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	for p := range r.in.Nginx.Passes() {
		loc := p.Location
		if p.Module != "proxy" || !p.HasURI || p.Variables || loc == nil || loc.Kind != "location" {
			continue
		}
		if loc.Modifier != "" && loc.Modifier != "^~" {
			continue // exact and named locations send the URI part as is; regexes cannot have one
		}
		prefix := loc.Match
		if prefix == "" || prefix == p.URI {
			continue // identity: /api/ → /api/
		}
		sample := prefix + "x"
		if !strings.HasSuffix(prefix, "/") {
			sample = prefix + "/x"
		}
		got := backendURI(prefix, p.URI, sample)
		f := Finding{Severity: badgateway.SeverityInfo, Pos: dpos(p.Directive),
			Related: []Related{{dpos(loc.Directive), "location " + prefix}}}
		switch {
		case !strings.HasSuffix(prefix, "/") && strings.HasSuffix(p.URI, "/"):
			f.Severity = badgateway.SeverityWarning
			f.Message = fmt.Sprintf("location %s with %s: a request for %s reaches the backend as %s (double slash); the backend may answer 404", prefix, passString(p), sample, got)
			e := replace(loc.Directive, "")
			_ = e
			f.Fixes = []Fix{{Description: fmt.Sprintf("make the prefix end in a slash: `location %s/` (at %s), or drop the slash from the URI part", prefix, dpos(loc.Directive))}}
		case strings.HasSuffix(prefix, "/") && !strings.HasSuffix(p.URI, "/"):
			f.Severity = badgateway.SeverityWarning
			f.Message = fmt.Sprintf("location %s with %s: a request for %s reaches the backend as %s (the slash is lost); the backend may answer 404", prefix, passString(p), sample, got)
			nr := p.Raw + "/"
			f.Fixes = []Fix{{Description: fmt.Sprintf("set `proxy_pass %s;` at %s", nr, dpos(p.Directive)), Edits: []Edit{replace(p.Directive, "proxy_pass "+nr+";")}}}
		default:
			f.Message = fmt.Sprintf("location %s with %s replaces the matched prefix: a request for %s reaches the backend as %s", prefix, passString(p), sample, got)
			keep := strings.TrimSuffix(p.Raw, p.URI)
			f.Fixes = []Fix{{Description: fmt.Sprintf("if the backend expects %s, drop the URI part: `proxy_pass %s;` at %s", sample, keep, dpos(p.Directive)),
				Edits: []Edit{replace(p.Directive, "proxy_pass "+keep+";")}}}
		}
		r.report(f)
	}
}

func checkHeaderBuffer(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	seen := map[*nginxconf.Directive]bool{}
	for p := range r.in.Nginx.Passes() {
		if p.Location == nil {
			continue
		}
		st := p.Location.Settings.For(p.Module)
		if st == nil {
			continue
		}
		bs := st.BufferSize
		if bs.Directive == nil || bs.Value >= nginxconf.PageSize || seen[bs.Directive] {
			continue
		}
		seen[bs.Directive] = true
		r.report(Finding{Severity: badgateway.SeverityWarning, Pos: bs.Directive.Pos,
			Related: []Related{{dpos(p.Directive), passString(p)}},
			Message: fmt.Sprintf("%s is %d bytes, below one page (4096): response headers larger than that (a few cookies, a CSP) give \"upstream sent too big header\" (502)", bs.Directive.Name, bs.Value),
			Fixes: []Fix{{Description: fmt.Sprintf("set `%s 16k;` at %s", bs.Directive.Name, bs.Directive.Pos),
				Edits: []Edit{replace(bs.Directive, bs.Directive.Name+" 16k;")}}},
		})
	}
}

var logLevelRank = map[string]int{"debug": 0, "info": 1, "notice": 2, "warn": 3, "error": 4, "crit": 5, "alert": 6, "emerg": 7}

func checkErrorLog(r *checkRun) {
	if r.in.Nginx == nil {
		return
	}
	logs := append([]*nginxconf.ErrorLog(nil), r.in.Nginx.Main.ErrorLogs...)
	if r.in.Nginx.HTTP != nil {
		seen := map[*nginxconf.ErrorLog]bool{}
		add := func(ls []*nginxconf.ErrorLog) {
			for _, l := range ls {
				if !seen[l] {
					seen[l] = true
					logs = append(logs, l)
				}
			}
		}
		add(r.in.Nginx.HTTP.Settings.ErrorLogs)
		for _, s := range r.in.Nginx.HTTP.Servers {
			add(s.Settings.ErrorLogs)
		}
		for l := range r.in.Nginx.Locations() {
			add(l.Settings.ErrorLogs)
		}
	}
	done := map[*nginxconf.Directive]bool{}
	for _, l := range logs {
		if l.Directive == nil || done[l.Directive] {
			continue
		}
		done[l.Directive] = true
		var why string
		switch {
		case logLevelRank[l.Level] > logLevelRank["error"]:
			why = fmt.Sprintf("level %s drops the [error] records that show most 502/504 causes (connect() failed (111), upstream timed out (110), recv() failed (104))", l.Level)
		case l.Path == "/dev/null":
			why = "/dev/null discards every record: no 502 leaves a trace"
		case l.Path == "off":
			why = "\"off\" is not special to error_log: nginx writes to a file named off in its prefix"
		default:
			continue
		}
		r.report(Finding{Severity: badgateway.SeverityWarning, Pos: l.Directive.Pos,
			Message: fmt.Sprintf("error_log %s %s: %s", l.Path, l.Level, why),
			Fixes: []Fix{{Description: fmt.Sprintf("set `error_log /var/log/nginx/error.log error;` at %s", l.Directive.Pos),
				Edits: []Edit{replace(l.Directive, "error_log /var/log/nginx/error.log error;")}}},
		})
	}
}

func checkSinglePeer(r *checkRun) {
	if r.in.Nginx == nil || r.in.Nginx.HTTP == nil {
		return
	}
	for _, u := range r.in.Nginx.HTTP.Upstreams {
		var live []*nginxconf.UpstreamServer
		for _, s := range u.Servers {
			if !s.Backup && !s.Down {
				live = append(live, s)
			}
		}
		if len(live) != 1 || len(u.Servers) != 1 {
			continue
		}
		s := live[0]
		if !strings.EqualFold(s.Host, "localhost") || s.MaxFails == 0 || s.Resolve {
			continue
		}
		r.report(Finding{Severity: badgateway.SeverityWarning, Pos: dpos(s.Directive),
			Related: []Related{{dpos(u.Directive), "upstream " + u.Name}},
			Message: fmt.Sprintf("upstream %s has one server, %s, but localhost resolves to 127.0.0.1 and ::1: two peers, so max_fails=%d applies; a backend on one address only makes every other attempt fail and marks that peer down: \"no live upstreams\" (502) for fail_timeout=%s",
				u.Name, s.Address, s.MaxFails, s.FailTimeout),
			Fixes: []Fix{{Description: fmt.Sprintf("name the address the backend listens on: `server 127.0.0.1:%d;` at %s", s.Port, dpos(s.Directive)),
				Edits: []Edit{replace(s.Directive, fmt.Sprintf("server 127.0.0.1:%d;", s.Port))}}},
		})
	}
}

// literalHost returns the literal host a pass's target starts with when a
// variable follows it directly ("octane" of "http://octane$suffix"), or "".
func literalHost(raw string) string {
	s := raw
	i := strings.Index(s, "://")
	if i < 0 || strings.Contains(s[:i], "$") {
		return ""
	}
	s = s[i+3:]
	j := strings.IndexByte(s, '$')
	if j <= 0 {
		return ""
	}
	h := s[:j]
	if strings.ContainsAny(h, "/:") {
		return "" // a port or a path first: the model parsed the host already
	}
	return h
}

func isIPHost(h string) bool {
	_, ok := parseHost(strings.Trim(h, "[]"))
	return ok
}
