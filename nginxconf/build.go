package nginxconf

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// builder turns the statement tree into the typed model, checking the
// values of the directives it interprets as nginx does.
type builder struct {
	cfg        *Config
	probs      badgateway.Problems
	passes     []*Pass
	logFormats map[string]bool // names declared in the http block
}

func (b *builder) invalid(d *Directive, format string, args ...any) {
	b.probs = append(b.probs, &badgateway.Problem{
		Pos:          d.Pos,
		Err:          fmt.Errorf("%w: "+format, append([]any{ErrInvalid}, args...)...),
		IncludedFrom: d.IncludedFrom,
	})
}

func buildModel(cfg *Config) badgateway.Problems {
	b := &builder{cfg: cfg}
	var root []*Directive
	if cfg.Context == "main" {
		root = cfg.Root
	}
	cfg.Main = b.buildMain(root)
	switch cfg.Context {
	case "main":
		https := findIn(cfg.Root, "http")
		if len(https) > 0 {
			if len(https) > 1 {
				b.invalid(https[1], "\"http\" directive is duplicate")
			}
			cfg.HTTP = b.buildHTTP(https[0].Children, https[0])
		}
	case "http":
		cfg.HTTP = b.buildHTTP(cfg.Root, nil)
	case "server":
		h := b.buildHTTP(nil, nil)
		h.Servers = append(h.Servers, b.buildServer(nil, cfg.Root, h.Settings))
		cfg.HTTP = h
	case "location":
		h := b.buildHTTP(nil, nil)
		srv := b.buildServer(nil, nil, h.Settings)
		srv.Locations = append(srv.Locations, b.buildLocation(nil, cfg.Root, srv.Settings, nil, srv))
		h.Servers = append(h.Servers, srv)
		cfg.HTTP = h
	}
	b.linkPasses()
	return b.probs
}

// level groups the non-block statements of a block by name.
func level(children []*Directive) map[string][]*Directive {
	m := map[string][]*Directive{}
	for _, c := range children {
		if c.IsBlock || c.Name == "include" {
			continue
		}
		m[c.Name] = append(m[c.Name], c)
	}
	return m
}

func (b *builder) one(lvl map[string][]*Directive, name string) *Directive {
	ds := lvl[name]
	if len(ds) == 0 {
		return nil
	}
	if len(ds) > 1 {
		b.invalid(ds[1], "\"%s\" directive is duplicate", name)
	}
	return ds[0]
}

func (b *builder) nargs(d *Directive, min, max int) bool {
	if len(d.Args) < min || len(d.Args) > max {
		b.invalid(d, "invalid number of arguments in \"%s\" directive", d.Name)
		return false
	}
	return true
}

func (b *builder) msec(dst *Setting[time.Duration], lvl map[string][]*Directive, name string) {
	d := b.one(lvl, name)
	if d == nil || !b.nargs(d, 1, 1) {
		return
	}
	v, err := ParseMsec(d.Args[0])
	if err != nil {
		b.invalid(d, "\"%s\" directive invalid value", name)
		return
	}
	*dst = set(v, d)
}

func (b *builder) size(dst *Setting[int64], lvl map[string][]*Directive, name string, offset bool) {
	d := b.one(lvl, name)
	if d == nil || !b.nargs(d, 1, 1) {
		return
	}
	parse := ParseSize
	if offset {
		parse = ParseOffset
	}
	v, err := parse(d.Args[0])
	if err != nil {
		b.invalid(d, "\"%s\" directive invalid value", name)
		return
	}
	*dst = set(v, d)
}

func (b *builder) num(dst *Setting[int], lvl map[string][]*Directive, name string) {
	d := b.one(lvl, name)
	if d == nil || !b.nargs(d, 1, 1) {
		return
	}
	v, err := parseNumber(d.Args[0])
	if err != nil {
		b.invalid(d, "\"%s\" directive invalid number", name)
		return
	}
	*dst = set(v, d)
}

func (b *builder) flag(dst *Setting[bool], lvl map[string][]*Directive, name string) {
	d := b.one(lvl, name)
	if d == nil || !b.nargs(d, 1, 1) {
		return
	}
	switch {
	case equalFold(d.Args[0], "on"):
		*dst = set(true, d)
	case equalFold(d.Args[0], "off"):
		*dst = set(false, d)
	default:
		b.invalid(d, "invalid value \"%s\" in \"%s\" directive, it must be \"on\" or \"off\"", d.Args[0], name)
	}
}

func (b *builder) str(dst *Setting[string], lvl map[string][]*Directive, name string) {
	d := b.one(lvl, name)
	if d == nil || !b.nargs(d, 1, 1) {
		return
	}
	*dst = set(d.Args[0], d)
}

// buildMain reads the main context (and its events block).
func (b *builder) buildMain(root []*Directive) *Main {
	m := &Main{
		User:               set("nobody", nil),
		Group:              set("nogroup", nil),
		WorkerProcesses:    set(1, nil),
		WorkerConnections:  set(512, nil),
		WorkerRlimitNofile: set(0, nil),
		PID:                set("logs/nginx.pid", nil),
	}
	lvl := level(root)
	if d := b.one(lvl, "user"); d != nil && b.nargs(d, 1, 2) {
		m.User = set(d.Args[0], d)
		m.Group = set(d.Args[len(d.Args)-1], d)
	}
	if d := b.one(lvl, "worker_processes"); d != nil && b.nargs(d, 1, 1) {
		if d.Args[0] == "auto" {
			m.WorkerProcesses = set(0, d)
		} else if n, err := parseNumber(d.Args[0]); err == nil {
			m.WorkerProcesses = set(n, d)
		} else {
			b.invalid(d, "invalid value \"%s\" in \"worker_processes\" directive", d.Args[0])
		}
	}
	b.num(&m.WorkerRlimitNofile, lvl, "worker_rlimit_nofile")
	b.str(&m.PID, lvl, "pid")
	for _, d := range lvl["error_log"] {
		if e := b.errorLog(d); e != nil {
			m.ErrorLogs = append(m.ErrorLogs, e)
		}
	}
	if len(m.ErrorLogs) == 0 {
		m.ErrorLogs = []*ErrorLog{{Path: "logs/error.log", Level: "error"}}
	}
	for _, ev := range findIn(root, "events") {
		b.num(&m.WorkerConnections, level(ev.Children), "worker_connections")
	}
	return m
}

var logLevels = map[string]bool{
	"debug": true, "info": true, "notice": true, "warn": true,
	"error": true, "crit": true, "alert": true, "emerg": true,
}

func (b *builder) errorLog(d *Directive) *ErrorLog {
	if !b.nargs(d, 1, 9) {
		return nil
	}
	e := &ErrorLog{Path: d.Args[0], Level: "error", Directive: d, At: d.Pos.String()}
	for _, a := range d.Args[1:] {
		if logLevels[a] {
			e.Level = a
		} else if !strings.HasPrefix(a, "debug_") {
			b.invalid(d, "invalid log level \"%s\"", a)
		}
	}
	return e
}

// buildHTTP reads an http block (dir may be nil for a snippet).
func (b *builder) buildHTTP(children []*Directive, dir *Directive) *HTTP {
	h := &HTTP{Directive: dir}
	if dir != nil {
		h.At = dir.Pos.String()
	}
	h.LogFormats = append(h.LogFormats, &LogFormat{
		Name:   "combined",
		Escape: "default",
		Format: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`,
	})
	lvl := level(children)
	b.logFormats = map[string]bool{"combined": true}
	for _, d := range lvl["log_format"] {
		if len(d.Args) > 0 {
			b.logFormats[d.Args[0]] = true
		}
	}
	for _, d := range lvl["log_format"] {
		if len(d.Args) < 2 {
			b.invalid(d, "invalid number of arguments in \"log_format\" directive")
			continue
		}
		f := &LogFormat{Name: d.Args[0], Escape: "default", Directive: d, At: d.Pos.String()}
		rest := d.Args[1:]
		if e, ok := strings.CutPrefix(rest[0], "escape="); ok && len(rest) > 1 {
			f.Escape = e
			rest = rest[1:]
		}
		f.Format = strings.Join(rest, "")
		if f.Name == "combined" {
			b.invalid(d, "duplicate \"log_format\" name \"combined\"")
			continue
		}
		h.LogFormats = append(h.LogFormats, f)
	}
	for _, u := range findIn(children, "upstream") {
		h.Upstreams = append(h.Upstreams, b.buildUpstream(u))
	}
	h.Settings = b.merge(defaultSettings(b.cfg.Main), lvl)
	for _, s := range findIn(children, "server") {
		if s.IsBlock {
			h.Servers = append(h.Servers, b.buildServer(s, s.Children, h.Settings))
		}
	}
	markDefaults(h.Servers)
	return h
}

// markDefaults sets Listen.IsDefault on the default server of every
// address (ngx_http_add_addresses: default_server, else the first).
func markDefaults(servers []*Server) {
	first := map[string]*Listen{}
	marked := map[string]bool{}
	for _, s := range servers {
		for _, l := range s.Listen {
			key := "unix:" + l.Unix
			if l.Unix == "" {
				key = l.Host + "|" + strconv.Itoa(l.Port)
			}
			if _, ok := first[key]; !ok {
				first[key] = l
			}
			if l.DefaultServer && !marked[key] {
				marked[key] = true
				l.IsDefault = true
			}
		}
	}
	for key, l := range first {
		if !marked[key] {
			l.IsDefault = true
		}
	}
}

func (b *builder) buildServer(dir *Directive, children []*Directive, parent *Settings) *Server {
	s := &Server{Directive: dir}
	if dir != nil {
		s.At = dir.Pos.String()
	}
	lvl := level(children)
	for _, d := range lvl["listen"] {
		if l := b.listen(d); l != nil {
			s.Listen = append(s.Listen, l)
		}
	}
	if len(s.Listen) == 0 {
		s.Listen = []*Listen{{Raw: "*:80", Port: 80}}
	}
	for _, d := range lvl["server_name"] {
		s.ServerNames = append(s.ServerNames, d.Args...)
	}
	s.Settings = b.merge(parent, lvl)
	for _, c := range children {
		switch {
		case c.Name == "location" && c.IsBlock:
			s.Locations = append(s.Locations, b.buildLocation(c, c.Children, s.Settings, nil, s))
		case (c.Name == "if" || c.Name == "limit_except") && c.IsBlock:
			s.Ifs = append(s.Ifs, b.buildLocation(c, c.Children, s.Settings, nil, s))
		}
	}
	return s
}

func (b *builder) listen(d *Directive) *Listen {
	if len(d.Args) == 0 {
		b.invalid(d, "invalid number of arguments in \"listen\" directive")
		return nil
	}
	l := &Listen{Raw: d.Args[0], Directive: d, At: d.Pos.String()}
	addr := d.Args[0]
	switch {
	case strings.HasPrefix(addr, "unix:"):
		l.Unix = addr[len("unix:"):]
	default:
		host, port, hasPort, err := splitHostPort(addr)
		if err != "" {
			b.invalid(d, "%s in \"%s\" of the \"listen\" directive", err, addr)
			return nil
		}
		if !hasPort {
			if n, e := parseNumber(addr); e == nil {
				host, port = "", n
			} else {
				port = 80
			}
		}
		if host == "*" {
			host = ""
		}
		l.Host, l.Port = host, port
	}
	for _, p := range d.Args[1:] {
		switch p {
		case "default_server", "default":
			l.DefaultServer = true
		case "ssl":
			l.SSL = true
		case "http2":
			l.HTTP2 = true
		case "proxy_protocol":
			l.ProxyProtocol = true
		}
	}
	return l
}

// splitHostPort splits "host:port", "[v6]:port", "[v6]" and "host" like
// ngx_parse_inet_url. err is nginx's wording for a bad port.
func splitHostPort(s string) (host string, port int, hasPort bool, err string) {
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, false, "invalid host"
		}
		host = s[1:end]
		rest := s[end+1:]
		if rest == "" {
			return host, 0, false, ""
		}
		if rest[0] != ':' {
			return "", 0, false, "invalid host"
		}
		s = rest[1:]
		n, e := parseNumber(s)
		if e != nil || n < 1 || n > 65535 {
			return "", 0, false, "invalid port"
		}
		return host, n, true, ""
	}
	i := strings.LastIndexByte(s, ':')
	if i < 0 {
		return s, 0, false, ""
	}
	n, e := parseNumber(s[i+1:])
	if e != nil || n < 1 || n > 65535 {
		return "", 0, false, "invalid port"
	}
	return s[:i], n, true, ""
}

func (b *builder) buildLocation(dir *Directive, children []*Directive, parent *Settings, up *Location, srv *Server) *Location {
	l := &Location{Directive: dir, Kind: "location", Parent: up, Server: srv}
	if dir != nil {
		l.At = dir.Pos.String()
		l.Kind = dir.Name
		switch dir.Name {
		case "location":
			b.locationMatch(l, dir)
		case "if":
			l.Condition = b.ifCondition(dir)
		case "limit_except":
			l.Condition = dir.Args
		}
	}
	lvl := level(children)
	l.Settings = b.merge(parent, lvl)
	l.Pass = b.pass(lvl, l)
	for _, c := range children {
		switch {
		case c.Name == "location" && c.IsBlock:
			l.Locations = append(l.Locations, b.buildLocation(c, c.Children, l.Settings, l, srv))
		case (c.Name == "if" || c.Name == "limit_except") && c.IsBlock:
			l.Ifs = append(l.Ifs, b.buildLocation(c, c.Children, l.Settings, l, srv))
		}
	}
	return l
}

// locationMatch parses a location's arguments like ngx_http_core_location.
func (b *builder) locationMatch(l *Location, d *Directive) {
	switch len(d.Args) {
	case 2:
		l.Modifier, l.Match = d.Args[0], d.Args[1]
		switch l.Modifier {
		case "=", "~", "~*", "^~":
		default:
			b.invalid(d, "invalid location modifier \"%s\"", l.Modifier)
		}
	case 1:
		name := d.Args[0]
		switch {
		case strings.HasPrefix(name, "="):
			l.Modifier, l.Match = "=", name[1:]
		case strings.HasPrefix(name, "^~"):
			l.Modifier, l.Match = "^~", name[2:]
		case strings.HasPrefix(name, "~*"):
			l.Modifier, l.Match = "~*", name[2:]
		case strings.HasPrefix(name, "~"):
			l.Modifier, l.Match = "~", name[1:]
		case strings.HasPrefix(name, "@"):
			l.Modifier, l.Match = "@", name[1:]
		default:
			l.Match = name
		}
	default:
		b.invalid(d, "invalid number of arguments in \"location\" directive")
	}
}

// ifCondition strips the parentheses of an if condition like
// ngx_http_rewrite_if_condition.
func (b *builder) ifCondition(d *Directive) []string {
	if len(d.Args) == 0 || !strings.HasPrefix(d.Args[0], "(") || !strings.HasSuffix(d.Args[len(d.Args)-1], ")") {
		b.invalid(d, "invalid condition \"%s\"", strings.Join(d.Args, " "))
		return d.Args
	}
	args := append([]string(nil), d.Args...)
	args[0] = args[0][1:]
	last := len(args) - 1
	args[last] = args[last][:len(args[last])-1]
	out := args[:0]
	for _, a := range args {
		if a != "" {
			out = append(out, a)
		}
	}
	return out
}

// merge computes the settings of a level from its parent's and its own
// statements.
func (b *builder) merge(parent *Settings, lvl map[string][]*Directive) *Settings {
	s := *parent
	s.TryFiles = Setting[[]string]{}
	for _, m := range upstreamModules {
		b.mergeUpstream(s.For(m), parent.For(m), m, lvl)
	}
	b.size(&s.ClientMaxBodySize, lvl, "client_max_body_size", true)
	if d := b.one(lvl, "root"); d != nil && b.nargs(d, 1, 1) {
		s.Root, s.Alias = set(d.Args[0], d), false
	}
	if d := b.one(lvl, "alias"); d != nil && b.nargs(d, 1, 1) {
		if len(lvl["root"]) > 0 {
			b.invalid(d, "\"alias\" directive is duplicate, \"root\" directive was specified earlier")
		} else {
			s.Root, s.Alias = set(d.Args[0], d), true
		}
	}
	if d := b.one(lvl, "try_files"); d != nil && b.nargs(d, 2, 1<<20) {
		s.TryFiles = set(d.Args, d)
	}
	if d := b.one(lvl, "resolver"); d != nil && b.nargs(d, 1, 1<<20) {
		s.Resolver = set(b.resolver(d), d)
	}
	b.msec(&s.ResolverTimeout, lvl, "resolver_timeout")
	if rules := b.accessRules(lvl); rules != nil {
		s.Access = set(rules, rules[0].Directive)
	}
	if ds := lvl["error_log"]; len(ds) > 0 {
		s.ErrorLogs = nil
		for _, d := range ds {
			if e := b.errorLog(d); e != nil {
				s.ErrorLogs = append(s.ErrorLogs, e)
			}
		}
	}
	if ds := lvl["access_log"]; len(ds) > 0 {
		s.AccessLogs = nil
		for _, d := range ds {
			if !b.nargs(d, 1, 1<<20) {
				continue
			}
			a := &AccessLog{Directive: d, At: d.Pos.String()}
			if d.Args[0] == "off" {
				if len(d.Args) > 1 {
					b.invalid(d, "invalid parameter \"%s\"", d.Args[1])
				}
				a.Off = true
			} else {
				a.Path, a.Format = d.Args[0], "combined"
				if len(d.Args) > 1 {
					a.Format = d.Args[1]
					a.Params = d.Args[2:]
				}
				if b.cfg.Context == "main" && !b.logFormats[a.Format] {
					b.invalid(d, "unknown log format \"%s\"", a.Format)
				}
			}
			s.AccessLogs = append(s.AccessLogs, a)
		}
	}
	return &s
}

// moduleNames holds the directive names of each upstream module, built
// once (a read-only table).
type moduleNames struct {
	connect, send, read, bufferSize, buffers, busy, next, tries, nextTimeout, intercept, param, pass string
}

var directiveNames = func() map[string]moduleNames {
	m := map[string]moduleNames{}
	for _, mod := range upstreamModules {
		param := mod + "_param"
		if mod == "proxy" || mod == "grpc" {
			param = mod + "_set_header"
		}
		m[mod] = moduleNames{
			connect: mod + "_connect_timeout", send: mod + "_send_timeout", read: mod + "_read_timeout",
			bufferSize: mod + "_buffer_size", buffers: mod + "_buffers", busy: mod + "_busy_buffers_size",
			next: mod + "_next_upstream", tries: mod + "_next_upstream_tries", nextTimeout: mod + "_next_upstream_timeout",
			intercept: mod + "_intercept_errors", param: param, pass: mod + "_pass",
		}
	}
	return m
}()

func (b *builder) mergeUpstream(s, parent *UpstreamSettings, m string, lvl map[string][]*Directive) {
	*s = *parent
	n := directiveNames[m]
	b.msec(&s.ConnectTimeout, lvl, n.connect)
	b.msec(&s.SendTimeout, lvl, n.send)
	b.msec(&s.ReadTimeout, lvl, n.read)
	b.size(&s.BufferSize, lvl, n.bufferSize, false)
	if m != "grpc" {
		if d := b.one(lvl, n.buffers); d != nil && b.nargs(d, 2, 2) {
			n, err1 := parseNumber(d.Args[0])
			sz, err2 := ParseSize(d.Args[1])
			if err1 != nil || err2 != nil || n == 0 || sz == 0 {
				b.invalid(d, "invalid value \"%s %s\"", d.Args[0], d.Args[1])
			} else {
				s.Buffers = set(Buffers{n, sz}, d)
			}
		}
	}
	// *_busy_buffers_size: explicit values are inherited; the default is
	// recomputed at every level from the buffers in force there.
	if !s.BusyBuffersSize.IsDefault() || len(lvl[n.busy]) > 0 {
		b.size(&s.BusyBuffersSize, lvl, n.busy, false)
	}
	if s.BusyBuffersSize.IsDefault() {
		s.BusyBuffersSize = set(2*max(s.BufferSize.Value, s.Buffers.Value.Size), nil)
	}
	if d := b.one(lvl, n.next); d != nil && b.nargs(d, 1, 1<<20) {
		s.NextUpstream = set(d.Args, d)
	}
	b.num(&s.NextUpstreamTries, lvl, n.tries)
	b.msec(&s.NextUpstreamTimeout, lvl, n.nextTimeout)
	b.flag(&s.InterceptErrors, lvl, n.intercept)
	paramName := n.param
	if ds := lvl[paramName]; len(ds) > 0 {
		var ps []Param
		for _, d := range ds {
			max := 2
			if paramName == "fastcgi_param" || paramName == "uwsgi_param" || paramName == "scgi_param" {
				max = 3
			}
			if !b.nargs(d, 2, max) {
				continue
			}
			p := Param{Name: d.Args[0], Value: d.Args[1], Directive: d, At: d.Pos.String()}
			if len(d.Args) == 3 {
				if d.Args[2] != "if_not_empty" {
					b.invalid(d, "invalid parameter \"%s\"", d.Args[2])
				}
				p.IfNotEmpty = true
			}
			ps = append(ps, p)
		}
		s.Params = set(ps, ds[0])
	}
	switch m {
	case "proxy":
		if d := b.one(lvl, "proxy_http_version"); d != nil && b.nargs(d, 1, 1) {
			if d.Args[0] != "1.0" && d.Args[0] != "1.1" {
				b.invalid(d, "invalid value \"%s\" in \"proxy_http_version\" directive, it must be \"1.0\" or \"1.1\"", d.Args[0])
			} else {
				s.HTTPVersion = set(d.Args[0], d)
			}
		}
	case "fastcgi":
		b.flag(&s.KeepConn, lvl, "fastcgi_keep_conn")
		b.str(&s.SplitPathInfo, lvl, "fastcgi_split_path_info")
	}
}

func (b *builder) resolver(d *Directive) *Resolver {
	r := &Resolver{IPv4: true, IPv6: true}
	for _, a := range d.Args {
		switch {
		case strings.HasPrefix(a, "valid="):
			v, err := ParseSec(a[len("valid="):])
			if err != nil {
				b.invalid(d, "invalid parameter: %s", a)
			}
			r.Valid = v
		case a == "ipv4=on", a == "ipv4=off":
			r.IPv4 = a == "ipv4=on"
		case a == "ipv6=on", a == "ipv6=off":
			r.IPv6 = a == "ipv6=on"
		case strings.HasPrefix(a, "status_zone="):
		default:
			r.Addresses = append(r.Addresses, a)
		}
	}
	return r
}

// pass reads the *_pass of a block. When several modules set one, the
// last wins, as the last one sets the location's handler.
func (b *builder) pass(lvl map[string][]*Directive, l *Location) *Pass {
	var last *Directive
	var module string
	for _, m := range upstreamModules {
		d := b.one(lvl, directiveNames[m].pass)
		if d == nil || !b.nargs(d, 1, 1) {
			continue
		}
		if last == nil || d.Pos.Offset > last.Pos.Offset || d.Pos.File != last.Pos.File {
			last, module = d, m
		}
	}
	if last == nil {
		return nil
	}
	p, err := parsePass(module, last.Args[0])
	if err != "" {
		b.invalid(last, "%s", err)
	}
	p.Directive, p.At, p.Location = last, last.Pos.String(), l
	b.passes = append(b.passes, p)
	return p
}

// parsePass parses a *_pass argument like the module's pass handler and
// ngx_parse_url. err is nginx's wording when nginx rejects it.
func parsePass(module, raw string) (*Pass, string) {
	p := &Pass{Module: module, Raw: raw}
	url := raw
	lower := strings.ToLower(url)
	switch module {
	case "proxy":
		switch {
		case strings.HasPrefix(lower, "http://"):
			p.Scheme, url = "http", url[7:]
		case strings.HasPrefix(lower, "https://"):
			p.Scheme, url = "https", url[8:]
		default:
			if strings.Contains(url, "$") {
				p.Variables, p.HostVariables = true, true
				return p, ""
			}
			return p, fmt.Sprintf("invalid URL prefix in \"%s\"", raw)
		}
	case "grpc":
		switch {
		case strings.HasPrefix(lower, "grpc://"):
			p.Scheme, url = "grpc", url[7:]
		case strings.HasPrefix(lower, "grpcs://"):
			p.Scheme, url = "grpcs", url[8:]
		}
	case "uwsgi":
		switch {
		case strings.HasPrefix(lower, "uwsgi://"):
			p.Scheme, url = "uwsgi", url[8:]
		case strings.HasPrefix(lower, "suwsgi://"):
			p.Scheme, url = "suwsgi", url[9:]
		}
	}
	if strings.Contains(raw, "$") {
		// Evaluated per request. When the host part itself is literal
		// (proxy_pass http://backend$request_uri), nginx still looks it up
		// among the upstream groups first, so parse it.
		p.Variables = true
		hostport := url
		if i := strings.IndexAny(url, "/?"); i >= 0 {
			hostport = url[:i]
		}
		hostport = cutURIVariable(hostport)
		if strings.Contains(hostport, "$") {
			p.HostVariables = true
			return p, ""
		}
		if rest, ok := strings.CutPrefix(hostport, "unix:"); ok {
			p.Unix = rest
			return p, ""
		}
		if host, port, _, err := splitHostPort(hostport); err == "" {
			p.Host, p.Port = host, port
		}
		return p, ""
	}
	if rest, ok := strings.CutPrefix(url, "unix:"); ok {
		if module == "proxy" || module == "grpc" {
			// http://unix:/path:/uri — the path ends at the first ':'.
			if i := strings.IndexByte(rest, ':'); i >= 0 {
				p.Unix = rest[:i]
				if module == "proxy" {
					p.URI, p.HasURI = rest[i+1:], rest[i+1:] != ""
				}
			} else {
				p.Unix = rest
			}
		} else {
			p.Unix = rest
		}
		if p.Unix == "" {
			return p, fmt.Sprintf("no path in the unix domain socket in upstream \"%s\"", raw)
		}
		return p, ""
	}
	hostport := url
	if i := strings.IndexAny(url, "/?"); i >= 0 {
		hostport = url[:i]
		if module == "proxy" {
			p.URI, p.HasURI = url[i:], true
		} else if url[i] == '/' || module != "proxy" {
			return p, fmt.Sprintf("invalid host in upstream \"%s\"", raw)
		}
	}
	host, port, _, err := splitHostPort(hostport)
	if err != "" {
		return p, fmt.Sprintf("%s in upstream \"%s\"", err, raw)
	}
	if host == "" {
		return p, fmt.Sprintf("no host in upstream \"%s\"", raw)
	}
	p.Host, p.Port = host, port
	return p, ""
}

// linkPasses points each pass at the upstream block its host names, as
// ngx_http_upstream_add does at the end of the http block.
func (b *builder) linkPasses() {
	byName := map[string]*Upstream{}
	if b.cfg.HTTP != nil {
		for _, u := range b.cfg.HTTP.Upstreams {
			if k := strings.ToLower(u.Name); byName[k] == nil {
				byName[k] = u
			}
		}
	}
	for _, p := range b.passes {
		if p.HostVariables || p.Host == "" {
			continue
		}
		u := byName[strings.ToLower(p.Host)]
		if u == nil {
			if b.cfg.Context == "main" && !p.Variables && p.Port == 0 && p.Module != "proxy" && p.Module != "grpc" {
				b.invalid(p.Directive, "no port in upstream \"%s\"", p.Host)
			}
			continue
		}
		if p.Port != 0 {
			if !p.Variables {
				b.invalid(p.Directive, "upstream \"%s\" may not have port %d", u.Name, p.Port)
			}
			continue
		}
		p.Upstream, p.UpstreamName = u, u.Name
	}
}

func (b *builder) buildUpstream(d *Directive) *Upstream {
	u := &Upstream{
		Name:              d.Arg(0),
		Directive:         d,
		At:                d.Pos.String(),
		Balancer:          set("round_robin", nil),
		Keepalive:         set(0, nil),
		KeepaliveTimeout:  set(60*time.Second, nil),
		KeepaliveRequests: set(1000, nil),
	}
	if !d.IsBlock || len(d.Args) != 1 {
		b.invalid(d, "invalid number of arguments in \"upstream\" directive")
	}
	lvl := level(d.Children)
	for _, s := range lvl["server"] {
		if srv := b.upstreamServer(s); srv != nil {
			u.Servers = append(u.Servers, srv)
		}
	}
	b.num(&u.Keepalive, lvl, "keepalive")
	b.msec(&u.KeepaliveTimeout, lvl, "keepalive_timeout")
	b.num(&u.KeepaliveRequests, lvl, "keepalive_requests")
	for _, name := range []string{"least_conn", "ip_hash", "hash", "random"} {
		if ds := lvl[name]; len(ds) > 0 {
			if !u.Balancer.IsDefault() {
				b.invalid(ds[0], "load balancing method redefined")
			}
			u.Balancer = set(name, ds[0])
		}
	}
	if len(u.Servers) == 0 && d.IsBlock {
		b.invalid(d, "no servers are inside upstream")
	}
	return u
}

func (b *builder) upstreamServer(d *Directive) *UpstreamServer {
	if len(d.Args) == 0 {
		b.invalid(d, "invalid number of arguments in \"server\" directive")
		return nil
	}
	s := &UpstreamServer{Address: d.Args[0], Weight: 1, MaxFails: 1, FailTimeout: 10 * time.Second, Directive: d, At: d.Pos.String()}
	if rest, ok := strings.CutPrefix(s.Address, "unix:"); ok {
		s.Unix = rest
	} else {
		host, port, hasPort, err := splitHostPort(s.Address)
		if err != "" {
			b.invalid(d, "%s in upstream \"%s\"", err, s.Address)
			return nil
		}
		if !hasPort {
			port = 80
		}
		s.Host, s.Port = host, port
	}
	for _, a := range d.Args[1:] {
		key, val, hasVal := strings.Cut(a, "=")
		var err error
		switch {
		case key == "weight" && hasVal:
			s.Weight, err = parseNumber(val)
			if err == nil && s.Weight == 0 {
				err = ErrBadValue
			}
		case key == "max_fails" && hasVal:
			s.MaxFails, err = parseNumber(val)
		case key == "fail_timeout" && hasVal:
			s.FailTimeout, err = ParseSec(val)
		case key == "max_conns" && hasVal:
			s.MaxConns, err = parseNumber(val)
		case a == "backup":
			s.Backup = true
		case a == "down":
			s.Down = true
		case a == "resolve":
			s.Resolve = true // nginx >= 1.27.3 or NGINX Plus
		case key == "service" || key == "route" || key == "slow_start" || a == "drain":
			// NGINX Plus parameters: kept in Directive.Args only.
		default:
			err = ErrBadValue
		}
		if err != nil {
			b.invalid(d, "invalid parameter \"%s\"", a)
		}
	}
	return s
}

// accessRules reads the allow and deny directives of a level in order.
func (b *builder) accessRules(lvl map[string][]*Directive) []AccessRule {
	ds := append(append([]*Directive(nil), lvl["allow"]...), lvl["deny"]...)
	if len(ds) == 0 {
		return nil
	}
	sort.Slice(ds, func(i, j int) bool { return directiveBefore(ds[i], ds[j]) })
	var out []AccessRule
	for _, d := range ds {
		if !b.nargs(d, 1, 1) {
			continue
		}
		out = append(out, AccessRule{Allow: d.Name == "allow", Address: d.Args[0], Directive: d, At: d.Pos.String()})
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// uriVariables are the variables that hold a URI or its parts: in
// "http://backend$request_uri" the host part ends where they start.
var uriVariables = []string{"$request_uri", "$uri", "$document_uri", "$is_args", "$args", "$query_string", "${request_uri}", "${uri}"}

func cutURIVariable(hostport string) string {
	for i := strings.IndexByte(hostport, '$'); i >= 0; {
		for _, v := range uriVariables {
			rest := hostport[i:]
			if strings.HasPrefix(rest, v) && (len(rest) == len(v) || !isVarChar(rest[len(v)])) {
				return hostport[:i]
			}
		}
		j := strings.IndexByte(hostport[i+1:], '$')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return hostport
}

func isVarChar(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
