package nginxconf

import (
	"encoding/json"
	"iter"
	"time"

	"github.com/badgateway/badgateway"
)

// Config is the configuration nginx would run with, as far as it could
// be read: the statement tree and the typed model built from it.
//
// A Config is read-only after Load returns and safe for concurrent reads.
type Config struct {
	// Path is the absolute path of the main file.
	Path string `json:"path"`
	// Prefix is the conf prefix relative paths were resolved against,
	// with a trailing slash.
	Prefix string `json:"prefix"`
	// Context is the context the main file was read in (Options.Context).
	Context string `json:"context"`
	// Files lists every distinct file read, in the order nginx first
	// reads them (the order of "nginx -T").
	Files []*File `json:"files"`
	// Root holds the top-level statements, includes expanded.
	Root []*Directive `json:"-"`

	// Main holds the main-context settings (defaults when the file was
	// loaded as a snippet of another context).
	Main *Main `json:"main"`
	// HTTP is the http block; nil when there is none. A snippet loaded
	// in the http, server or location context gets an HTTP whose
	// Directive is nil and which holds the snippet's servers (or one
	// Server with a nil Directive holding its locations, and so on).
	HTTP *HTTP `json:"http,omitempty"`

	// Problems found while loading, in the order they were found.
	Problems badgateway.Problems `json:"-"`
}

// Setting is the value in force for a directive and where it was set.
// When no directive sets it, Value is nginx's default and Directive is
// nil.
type Setting[T any] struct {
	Value T
	// Directive is the statement that set Value; nil for a default.
	Directive *Directive
}

// IsDefault reports whether the value is nginx's default.
func (s Setting[T]) IsDefault() bool { return s.Directive == nil }

// Pos is the position of the directive that set the value; the zero Pos
// for a default.
func (s Setting[T]) Pos() badgateway.Pos {
	if s.Directive == nil {
		return badgateway.Pos{}
	}
	return s.Directive.Pos
}

// IncludedFrom is the include chain of the directive that set the value.
func (s Setting[T]) IncludedFrom() []badgateway.Pos {
	if s.Directive == nil {
		return nil
	}
	return s.Directive.IncludedFrom
}

// MarshalJSON writes {"value": V, "at": "file:line:col"}, or
// {"value": V, "default": true}; a time.Duration value is written as a
// Go duration string ("1m30s").
func (s Setting[T]) MarshalJSON() ([]byte, error) {
	if d, ok := any(s.Value).(time.Duration); ok {
		// Durations as Go duration strings ("1m30s"), not nanoseconds.
		return Setting[string]{Value: d.String(), Directive: s.Directive}.MarshalJSON()
	}
	if s.Directive == nil {
		return json.Marshal(struct {
			Value   T    `json:"value"`
			Default bool `json:"default"`
		}{s.Value, true})
	}
	return json.Marshal(struct {
		Value T      `json:"value"`
		At    string `json:"at"`
	}{s.Value, s.Directive.Pos.String()})
}

func set[T any](v T, d *Directive) Setting[T] { return Setting[T]{Value: v, Directive: d} }

// Main is the main (top-level) context and the events block.
type Main struct {
	// User and Group the worker processes run as (directive "user").
	// Defaults: "nobody" and "nogroup" (nginx's compiled-in defaults on
	// Debian); Group is the user name when "user" has one argument.
	User  Setting[string] `json:"user"`
	Group Setting[string] `json:"group"`
	// WorkerProcesses is the number of workers; 0 means "auto" (one per
	// CPU). Default 1.
	WorkerProcesses Setting[int] `json:"worker_processes"`
	// WorkerConnections (events block): default 512.
	WorkerConnections Setting[int] `json:"worker_connections"`
	// WorkerRlimitNofile: 0 (the default) means not set: workers keep
	// the limit they inherit.
	WorkerRlimitNofile Setting[int] `json:"worker_rlimit_nofile"`
	// ErrorLogs are the main-level error_log directives; when there is
	// none, one default entry: "logs/error.log" (relative to the nginx
	// prefix; Debian's build uses /var/log/nginx/error.log) at "error".
	ErrorLogs []*ErrorLog `json:"error_logs"`
	// PID file: default "logs/nginx.pid" (Debian's build: /run/nginx.pid).
	PID Setting[string] `json:"pid"`
}

// ErrorLog is one error_log directive.
type ErrorLog struct {
	// Path is the file, "stderr", "syslog:..." or "memory:...". Note that
	// "off" is not special to nginx: it is a file named "off".
	Path string `json:"path"`
	// Level is the minimum level written: debug, info, notice, warn,
	// error (the default), crit, alert or emerg.
	Level string `json:"level"`
	// Directive is nil for the default log.
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
}

// HTTP is the http block.
type HTTP struct {
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
	// Servers in order: for each address:port, the first server listening
	// on it is the default unless another says default_server.
	Servers []*Server `json:"servers"`
	// Upstreams are the upstream blocks, in order.
	Upstreams []*Upstream `json:"upstreams,omitempty"`
	// LogFormats lists the log_format directives, after the predefined
	// "combined" format (which has a nil Directive).
	LogFormats []*LogFormat `json:"log_formats"`
	// Settings are the effective settings at the http level.
	Settings *Settings `json:"settings"`
}

// Server is a server block of http.
type Server struct {
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
	// Listen holds the listen directives; when there is none, one
	// default entry, *:80 (nginx run as root), with a nil Directive.
	Listen []*Listen `json:"listen"`
	// ServerNames lists every name of every server_name directive; empty
	// when there is none ("" is the default name).
	ServerNames []string `json:"server_names,omitempty"`
	// Locations are the top-level locations, in order.
	Locations []*Location `json:"locations,omitempty"`
	// Ifs are the server-level if blocks.
	Ifs []*Location `json:"ifs,omitempty"`
	// Settings are the effective settings at the server level.
	Settings *Settings `json:"settings"`
}

// Listen is one listen directive of a server (ngx_http_core_listen).
type Listen struct {
	// Raw is the address argument as written.
	Raw string `json:"raw"`
	// Unix is the socket path for "unix:PATH"; Host and Port otherwise.
	// Host is "" for "all addresses" ("80", "*:80"), "[::]" style hosts
	// are kept with brackets removed ("::").
	Unix string `json:"unix,omitempty"`
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// Parameters that matter for routing.
	DefaultServer bool `json:"default_server,omitempty"`
	// IsDefault reports whether this server is the default server for
	// this address: the one marked default_server, else the first server
	// that listens on it (order is kept as nginx reads it).
	IsDefault     bool       `json:"is_default,omitempty"`
	SSL           bool       `json:"ssl,omitempty"`
	HTTP2         bool       `json:"http2,omitempty"`
	ProxyProtocol bool       `json:"proxy_protocol,omitempty"`
	Directive     *Directive `json:"-"`
	At            string     `json:"at,omitempty"`
}

// Location is a location block, or an if or limit_except block, which
// nginx turns into an unnamed location of its own with the settings of
// the enclosing one.
type Location struct {
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
	// Kind is "location", "if" or "limit_except".
	Kind string `json:"kind"`
	// Modifier is "" (prefix), "=", "~", "~*", "^~" or "@" (named);
	// Match is the prefix, the exact URI, the regular expression or the
	// name. Both are empty for if and limit_except.
	Modifier string `json:"modifier,omitempty"`
	Match    string `json:"match,omitempty"`
	// Condition is an if block's condition, parentheses removed:
	// ["$request_method", "=", "POST"], ["-f", "$request_filename"].
	// For limit_except, the methods.
	Condition []string `json:"condition,omitempty"`
	// Locations are the nested locations; Ifs the if blocks directly in
	// this location (limit_except blocks are in Ifs too).
	Locations []*Location `json:"locations,omitempty"`
	Ifs       []*Location `json:"ifs,omitempty"`
	// Pass is the *_pass directive of this block, nil when there is none
	// (the content handler is not inherited by nested locations).
	Pass *Pass `json:"pass,omitempty"`
	// Settings are the effective settings in this block.
	Settings *Settings `json:"settings"`
	// Parent is the enclosing location (nil for a top-level location or
	// a server-level if); Server the server it belongs to.
	Parent *Location `json:"-"`
	Server *Server   `json:"-"`
}

// Pass is a proxy_pass, fastcgi_pass, uwsgi_pass, scgi_pass or grpc_pass
// target, parsed as nginx does (ngx_parse_url; ngx_http_proxy_pass for
// the URI part).
type Pass struct {
	// Module is "proxy", "fastcgi", "uwsgi", "scgi" or "grpc".
	Module string `json:"module"`
	// Raw is the argument as written.
	Raw string `json:"raw"`
	// Scheme is "http", "https", "grpc", "grpcs", "uwsgi", "suwsgi"
	// as written, or "" where the module has none (fastcgi, scgi).
	Scheme string `json:"scheme,omitempty"`
	// Variables reports that the target contains variables: it is
	// evaluated per request. URI is then not parsed.
	Variables bool `json:"variables,omitempty"`
	// HostVariables reports that the host part itself contains
	// variables (proxy_pass http://$backend): unless the value names an
	// upstream group at run time, nginx must resolve it then and needs a
	// resolver ("no resolver defined to resolve NAME"). When only the URI
	// has variables (http://backend$request_uri), Host, Port or Unix are
	// parsed and Upstream is linked, as nginx looks the host up among the
	// upstream groups first.
	HostVariables bool `json:"host_variables,omitempty"`
	// Unix is the socket path of a "unix:" target.
	Unix string `json:"unix,omitempty"`
	// Host and Port of a TCP target; Port is 0 when none was written
	// (proxy_pass then uses 80 or 443; an upstream name has none).
	Host string `json:"host,omitempty"`
	Port int    `json:"port,omitempty"`
	// URI is proxy_pass's (and grpc's) URI part, "" when there is none;
	// HasURI tells "http://b/" (URI "/") from "http://b".
	URI    string `json:"uri,omitempty"`
	HasURI bool   `json:"has_uri,omitempty"`
	// Upstream is the upstream block the host names, nil when it names
	// none (a host name or address nginx resolves at start-up).
	Upstream     *Upstream  `json:"-"`
	UpstreamName string     `json:"upstream,omitempty"`
	Directive    *Directive `json:"-"`
	At           string     `json:"at,omitempty"`
	// Location is the block the pass is in.
	Location *Location `json:"-"`
}

// Upstream is an upstream block of http.
type Upstream struct {
	Name      string            `json:"name"`
	Directive *Directive        `json:"-"`
	At        string            `json:"at,omitempty"`
	Servers   []*UpstreamServer `json:"servers"`
	// Balancer is "round_robin" (default), "least_conn", "ip_hash",
	// "hash" or "random".
	Balancer Setting[string] `json:"balancer"`
	// Keepalive is the number of idle connections cached per worker; 0
	// (the default) means none: every request opens a new connection.
	Keepalive Setting[int] `json:"keepalive"`
	// KeepaliveTimeout default 60s; KeepaliveRequests default 1000.
	KeepaliveTimeout  Setting[time.Duration] `json:"keepalive_timeout"`
	KeepaliveRequests Setting[int]           `json:"keepalive_requests"`
}

// UpstreamServer is a server directive of an upstream block
// (ngx_http_upstream_server).
type UpstreamServer struct {
	// Address is the address as written; Unix, or Host and Port, its
	// parts (Port is 80 when not written, as nginx does).
	Address string `json:"address"`
	Unix    string `json:"unix,omitempty"`
	Host    string `json:"host,omitempty"`
	Port    int    `json:"port,omitempty"`
	// Weight default 1; MaxFails default 1 (0 disables failure
	// accounting); FailTimeout default 10s; MaxConns 0 = unlimited.
	Weight      int           `json:"weight"`
	MaxFails    int           `json:"max_fails"`
	FailTimeout time.Duration `json:"fail_timeout"`
	MaxConns    int           `json:"max_conns,omitempty"`
	Backup      bool          `json:"backup,omitempty"`
	Down        bool          `json:"down,omitempty"`
	Resolve     bool          `json:"resolve,omitempty"`
	Directive   *Directive    `json:"-"`
	At          string        `json:"at,omitempty"`
}

// LogFormat is a log_format directive (or the predefined "combined").
type LogFormat struct {
	Name string `json:"name"`
	// Escape is "default", "json" or "none".
	Escape string `json:"escape"`
	// Format is the format string: nginx joins the arguments with
	// nothing between them.
	Format    string     `json:"format"`
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
}

// AccessLog is one access_log directive.
type AccessLog struct {
	// Off is true for "access_log off".
	Off bool `json:"off,omitempty"`
	// Path and Format name (default "combined"); Params holds the other
	// arguments (buffer=, gzip, flush=, if=).
	Path      string     `json:"path,omitempty"`
	Format    string     `json:"format,omitempty"`
	Params    []string   `json:"params,omitempty"`
	Directive *Directive `json:"-"`
	At        string     `json:"at,omitempty"`
}

// Locations yields every location, if and limit_except block of every
// server, depth first in reading order.
func (c *Config) Locations() iter.Seq[*Location] {
	return func(yield func(*Location) bool) {
		if c.HTTP == nil {
			return
		}
		for _, s := range c.HTTP.Servers {
			if !yieldLocs(s.Ifs, yield) || !yieldLocs(s.Locations, yield) {
				return
			}
		}
	}
}

func yieldLocs(list []*Location, yield func(*Location) bool) bool {
	for _, l := range list {
		if !yield(l) || !yieldLocs(l.Ifs, yield) || !yieldLocs(l.Locations, yield) {
			return false
		}
	}
	return true
}

// Passes yields every *_pass target of the http block, in reading order.
func (c *Config) Passes() iter.Seq[*Pass] {
	return func(yield func(*Pass) bool) {
		for l := range c.Locations() {
			if l.Pass != nil && !yield(l.Pass) {
				return
			}
		}
	}
}

// Upstream returns the http upstream block named name (compared without
// regard to case, as nginx does), or nil.
func (c *Config) Upstream(name string) *Upstream {
	if c.HTTP == nil {
		return nil
	}
	for _, u := range c.HTTP.Upstreams {
		if equalFold(u.Name, name) {
			return u
		}
	}
	return nil
}

// LogFormat returns the log_format named name, or nil.
func (c *Config) LogFormat(name string) *LogFormat {
	if c.HTTP == nil {
		return nil
	}
	for _, f := range c.HTTP.LogFormats {
		if f.Name == name {
			return f
		}
	}
	return nil
}

func equalFold(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
