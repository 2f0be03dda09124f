package nginxconf

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"time"
)

// PageSize is the memory page size nginx's "one page" defaults assume
// (proxy_buffer_size 4k|8k and friends): 4096 bytes, as on x86-64 and
// most arm64 Linux systems.
const PageSize = 4096

// Settings are the effective settings of one level (http, server,
// location, if): the value nginx uses after its inheritance rules, or
// its default, each with the directive that set it.
//
// Scalar directives are inherited from the enclosing level when a level
// does not set them. Array directives (fastcgi_param, proxy_set_header,
// access_log, error_log, ...) are inherited only when the level sets none
// of them: one fastcgi_param in a location drops every fastcgi_param of
// the server. try_files is not inherited at all. The order of directives
// within a level does not matter: a directive after a nested location
// still applies to it. Sources: the merge_loc_conf functions of
// src/http/ngx_http_core_module.c and src/http/modules/ngx_http_*_module.c
// in nginx 1.22.
type Settings struct {
	Proxy   UpstreamSettings `json:"proxy"`
	FastCGI UpstreamSettings `json:"fastcgi"`
	UWSGI   UpstreamSettings `json:"uwsgi"`
	SCGI    UpstreamSettings `json:"scgi"`
	GRPC    UpstreamSettings `json:"grpc"`

	// ClientMaxBodySize in bytes, default 1m; 0 disables the check.
	ClientMaxBodySize Setting[int64] `json:"client_max_body_size"`
	// Root is the root or alias path; Alias reports which one. Default
	// root "html" (relative to the nginx prefix).
	Root  Setting[string] `json:"root"`
	Alias bool            `json:"alias,omitempty"`
	// TryFiles is this level's try_files (never inherited); nil Value
	// when not set.
	TryFiles Setting[[]string] `json:"try_files"`
	// Resolver is in force from the closest level that sets one; nil
	// Value when none does (nginx then logs "no resolver defined to
	// resolve NAME" for names it must resolve at run time).
	Resolver Setting[*Resolver] `json:"resolver"`
	// Access lists the allow and deny rules in force, in order (an
	// array: inherited only when a level has none); nil Value = none.
	Access Setting[[]AccessRule] `json:"access"`
	// ResolverTimeout default 30s.
	ResolverTimeout Setting[time.Duration] `json:"resolver_timeout"`
	// ErrorLogs are the error_log directives in force; when no level of
	// http sets one, the main ones.
	ErrorLogs []*ErrorLog `json:"error_logs"`
	// AccessLogs are the access_log directives in force; default one
	// entry "logs/access.log" "combined" with a nil Directive (Debian's
	// build: /var/log/nginx/access.log).
	AccessLogs []*AccessLog `json:"access_logs"`
}

// UpstreamSettings are the settings of one upstream module (proxy_*,
// fastcgi_*, uwsgi_*, scgi_*, grpc_*). Fields for directives a module
// does not have keep their default and are never set (grpc has no
// grpc_buffers; only proxy has http_version; only fastcgi has keep_conn
// and split_path_info).
type UpstreamSettings struct {
	// Timeouts: default 60s each.
	ConnectTimeout Setting[time.Duration] `json:"connect_timeout"`
	SendTimeout    Setting[time.Duration] `json:"send_timeout"`
	ReadTimeout    Setting[time.Duration] `json:"read_timeout"`
	// BufferSize is the buffer for the response header, in bytes:
	// default one page (PageSize). A larger header gives "upstream sent
	// too big header".
	BufferSize Setting[int64] `json:"buffer_size"`
	// Buffers: default 8 × one page.
	Buffers Setting[Buffers] `json:"buffers"`
	// BusyBuffersSize in bytes: default twice the larger of BufferSize
	// and one of Buffers (computed per level, as nginx does).
	BusyBuffersSize Setting[int64] `json:"busy_buffers_size"`
	// NextUpstream: default ["error", "timeout"].
	NextUpstream Setting[[]string] `json:"next_upstream"`
	// NextUpstreamTries: 0 (default) = unlimited.
	NextUpstreamTries Setting[int] `json:"next_upstream_tries"`
	// NextUpstreamTimeout: 0 (default) = unlimited.
	NextUpstreamTimeout Setting[time.Duration] `json:"next_upstream_timeout"`
	// InterceptErrors: default off.
	InterceptErrors Setting[bool] `json:"intercept_errors"`
	// Params are fastcgi_param / uwsgi_param / scgi_param, or
	// proxy_set_header / grpc_set_header, in order; the Setting's
	// Directive is the first of the level they come from.
	Params Setting[[]Param] `json:"params"`
	// HTTPVersion is proxy_http_version: default "1.0".
	HTTPVersion Setting[string] `json:"http_version,omitempty"`
	// KeepConn is fastcgi_keep_conn: default off.
	KeepConn Setting[bool] `json:"keep_conn"`
	// SplitPathInfo is fastcgi_split_path_info's regular expression, ""
	// when not set.
	SplitPathInfo Setting[string] `json:"split_path_info"`
}

// Buffers is the value of a *_buffers directive.
type Buffers struct {
	Number int   `json:"number"`
	Size   int64 `json:"size"`
}

// Param is one fastcgi_param (uwsgi_param, scgi_param) or
// proxy_set_header (grpc_set_header).
type Param struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	// IfNotEmpty is the fastcgi_param "if_not_empty" flag.
	IfNotEmpty bool       `json:"if_not_empty,omitempty"`
	Directive  *Directive `json:"-"`
	At         string     `json:"at"`
}

// Param returns the last param named name: an exact match, else one
// that differs only in case (header names are case-insensitive).
func (u *UpstreamSettings) Param(name string) (Param, bool) {
	for i := len(u.Params.Value) - 1; i >= 0; i-- {
		if u.Params.Value[i].Name == name {
			return u.Params.Value[i], true
		}
	}
	for i := len(u.Params.Value) - 1; i >= 0; i-- {
		if equalFold(u.Params.Value[i].Name, name) {
			return u.Params.Value[i], true
		}
	}
	return Param{}, false
}

// ProxyHeader returns the value nginx sends for a request header to an
// HTTP backend: the proxy_set_header in force, or nginx's own default
// for Host ("$proxy_host") and Connection ("close"); ok is false when
// neither sets it (the client's header is passed unchanged).
func (s *Settings) ProxyHeader(name string) (value string, from *Directive, ok bool) {
	for i := len(s.Proxy.Params.Value) - 1; i >= 0; i-- {
		p := s.Proxy.Params.Value[i]
		if equalFold(p.Name, name) {
			return p.Value, p.Directive, true
		}
	}
	switch {
	case equalFold(name, "Host"):
		return "$proxy_host", nil, true
	case equalFold(name, "Connection"):
		return "close", nil, true
	}
	return "", nil, false
}

// For returns the settings of the module a pass uses.
func (s *Settings) For(module string) *UpstreamSettings {
	switch module {
	case "proxy":
		return &s.Proxy
	case "fastcgi":
		return &s.FastCGI
	case "uwsgi":
		return &s.UWSGI
	case "scgi":
		return &s.SCGI
	case "grpc":
		return &s.GRPC
	}
	return nil
}

// AccessRule is one allow or deny directive (ngx_http_access_module).
type AccessRule struct {
	Allow bool `json:"allow"`
	// Address is an address, a CIDR, "unix:" or "all".
	Address   string     `json:"address"`
	Directive *Directive `json:"-"`
	At        string     `json:"at"`
}

// Resolver is a resolver directive.
type Resolver struct {
	// Addresses of the name servers as written ("127.0.0.53",
	// "[::1]:5353").
	Addresses []string `json:"addresses"`
	// Valid overrides the answers' TTL when not zero.
	Valid time.Duration `json:"valid,omitempty"`
	// IPv4, IPv6: which address families are looked up (default both).
	IPv4 bool `json:"ipv4"`
	IPv6 bool `json:"ipv6"`
}

var upstreamModules = []string{"proxy", "fastcgi", "uwsgi", "scgi", "grpc"}

func defaultUpstreamSettings(module string) UpstreamSettings {
	u := UpstreamSettings{
		ConnectTimeout:  set(60*time.Second, nil),
		SendTimeout:     set(60*time.Second, nil),
		ReadTimeout:     set(60*time.Second, nil),
		BufferSize:      set(int64(PageSize), nil),
		Buffers:         set(Buffers{8, PageSize}, nil),
		BusyBuffersSize: set(int64(2*PageSize), nil),
		NextUpstream:    set([]string{"error", "timeout"}, nil),
	}
	if module == "proxy" {
		u.HTTPVersion = set("1.0", nil)
	}
	return u
}

func defaultSettings(main *Main) *Settings {
	s := &Settings{
		ClientMaxBodySize: set(int64(1<<20), nil),
		Root:              set("html", nil),
		ResolverTimeout:   set(30*time.Second, nil),
		ErrorLogs:         main.ErrorLogs,
		AccessLogs:        []*AccessLog{{Path: "logs/access.log", Format: "combined"}},
	}
	for _, m := range upstreamModules {
		*s.For(m) = defaultUpstreamSettings(m)
	}
	return s
}

// MarshalJSON writes only the settings that some directive set (inherited
// or not), by their JSON names; defaults are left out.
func (s *Settings) MarshalJSON() ([]byte, error) { return marshalSet(s) }

// MarshalJSON writes only the settings that some directive set.
func (u *UpstreamSettings) MarshalJSON() ([]byte, error) { return marshalSet(u) }

type defaulter interface{ IsDefault() bool }

func marshalSet(v any) ([]byte, error) {
	rv := reflect.ValueOf(v).Elem()
	rt := rv.Type()
	var b bytes.Buffer
	b.WriteByte('{')
	first := true
	for i := 0; i < rt.NumField(); i++ {
		f := rv.Field(i)
		name, _, _ := strings.Cut(rt.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		switch x := f.Interface().(type) {
		case defaulter:
			if x.IsDefault() {
				continue
			}
		case UpstreamSettings:
			if string(mustJSON(&x)) == "{}" {
				continue
			}
			f = reflect.ValueOf(&x)
		case bool:
			if !x {
				continue
			}
		}
		val, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, err
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		key, _ := json.Marshal(name)
		b.Write(key)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}
