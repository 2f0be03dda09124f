package nginxconf

import (
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
)

// effectiveCase names a directive, two values as written and as
// Settings holds them, and how to read it from Settings.
type effectiveCase struct {
	directive      string
	outer, inner   string // arguments as written
	def            any    // nginx's default
	outerV, innerV any
	get            func(*Settings) (any, *Directive)
}

func up(m string, f func(*UpstreamSettings) (any, *Directive)) func(*Settings) (any, *Directive) {
	return func(s *Settings) (any, *Directive) { return f(s.For(m)) }
}

func effectiveCases() []effectiveCase {
	var cases []effectiveCase
	for _, m := range upstreamModules {
		cases = append(cases,
			effectiveCase{m + "_connect_timeout", "5s", "500ms", 60 * time.Second, 5 * time.Second, 500 * time.Millisecond,
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.ConnectTimeout.Value, u.ConnectTimeout.Directive })},
			effectiveCase{m + "_send_timeout", "1m", "90", 60 * time.Second, time.Minute, 90 * time.Second,
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.SendTimeout.Value, u.SendTimeout.Directive })},
			effectiveCase{m + "_read_timeout", "300s", "1h", 60 * time.Second, 300 * time.Second, time.Hour,
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.ReadTimeout.Value, u.ReadTimeout.Directive })},
			effectiveCase{m + "_buffer_size", "16k", "1m", int64(PageSize), int64(16 << 10), int64(1 << 20),
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.BufferSize.Value, u.BufferSize.Directive })},
			effectiveCase{m + "_busy_buffers_size", "64k", "128k", int64(2 * PageSize), int64(64 << 10), int64(128 << 10),
				up(m, func(u *UpstreamSettings) (any, *Directive) {
					return u.BusyBuffersSize.Value, u.BusyBuffersSize.Directive
				})},
			effectiveCase{m + "_next_upstream", "error", "off", []string{"error", "timeout"}, []string{"error"}, []string{"off"},
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.NextUpstream.Value, u.NextUpstream.Directive })},
			effectiveCase{m + "_next_upstream_tries", "3", "1", 0, 3, 1,
				up(m, func(u *UpstreamSettings) (any, *Directive) {
					return u.NextUpstreamTries.Value, u.NextUpstreamTries.Directive
				})},
			effectiveCase{m + "_next_upstream_timeout", "10s", "2s", time.Duration(0), 10 * time.Second, 2 * time.Second,
				up(m, func(u *UpstreamSettings) (any, *Directive) {
					return u.NextUpstreamTimeout.Value, u.NextUpstreamTimeout.Directive
				})},
			effectiveCase{m + "_intercept_errors", "on", "off", false, true, false,
				up(m, func(u *UpstreamSettings) (any, *Directive) {
					return u.InterceptErrors.Value, u.InterceptErrors.Directive
				})},
		)
		if m != "grpc" {
			cases = append(cases, effectiveCase{m + "_buffers", "4 32k", "8 4k", Buffers{8, PageSize}, Buffers{4, 32 << 10}, Buffers{8, 4 << 10},
				up(m, func(u *UpstreamSettings) (any, *Directive) { return u.Buffers.Value, u.Buffers.Directive })})
		}
		param := m + "_param"
		if m == "proxy" || m == "grpc" {
			param = m + "_set_header"
		}
		cases = append(cases, effectiveCase{param, "A 1", "B 2", []string(nil), []string{"A=1"}, []string{"B=2"},
			up(m, func(u *UpstreamSettings) (any, *Directive) {
				var out []string
				for _, p := range u.Params.Value {
					out = append(out, p.Name+"="+p.Value)
				}
				return out, u.Params.Directive
			})})
	}
	cases = append(cases,
		effectiveCase{"proxy_http_version", "1.1", "1.0", "1.0", "1.1", "1.0",
			func(s *Settings) (any, *Directive) { return s.Proxy.HTTPVersion.Value, s.Proxy.HTTPVersion.Directive }},
		effectiveCase{"fastcgi_keep_conn", "on", "off", false, true, false,
			func(s *Settings) (any, *Directive) { return s.FastCGI.KeepConn.Value, s.FastCGI.KeepConn.Directive }},
		effectiveCase{"fastcgi_split_path_info", `^(.+\.php)(/.+)$`, `^(.+?\.php)(/.*)$`, "", `^(.+\.php)(/.+)$`, `^(.+?\.php)(/.*)$`,
			func(s *Settings) (any, *Directive) {
				return s.FastCGI.SplitPathInfo.Value, s.FastCGI.SplitPathInfo.Directive
			}},
		effectiveCase{"client_max_body_size", "10m", "1g", int64(1 << 20), int64(10 << 20), int64(1 << 30),
			func(s *Settings) (any, *Directive) { return s.ClientMaxBodySize.Value, s.ClientMaxBodySize.Directive }},
		effectiveCase{"root", "/srv/a", "/srv/b", "html", "/srv/a", "/srv/b",
			func(s *Settings) (any, *Directive) { return s.Root.Value, s.Root.Directive }},
		effectiveCase{"resolver", "127.0.0.53", "10.0.0.2 valid=10s", []string(nil), []string{"127.0.0.53"}, []string{"10.0.0.2"},
			func(s *Settings) (any, *Directive) {
				if s.Resolver.Value == nil {
					return []string(nil), nil
				}
				return s.Resolver.Value.Addresses, s.Resolver.Directive
			}},
		effectiveCase{"resolver_timeout", "5s", "1s", 30 * time.Second, 5 * time.Second, time.Second,
			func(s *Settings) (any, *Directive) { return s.ResolverTimeout.Value, s.ResolverTimeout.Directive }},
		effectiveCase{"access_log", "/var/log/a.log", "off", []string{"logs/access.log"}, []string{"/var/log/a.log"}, []string{"off"},
			func(s *Settings) (any, *Directive) {
				var out []string
				for _, a := range s.AccessLogs {
					if a.Off {
						out = append(out, "off")
					} else {
						out = append(out, a.Path)
					}
				}
				return out, s.AccessLogs[0].Directive
			}},
		effectiveCase{"error_log", "/var/log/e.log warn", "stderr", []string{"logs/error.log:error"}, []string{"/var/log/e.log:warn"}, []string{"stderr:error"},
			func(s *Settings) (any, *Directive) {
				var out []string
				for _, e := range s.ErrorLogs {
					out = append(out, e.Path+":"+e.Level)
				}
				return out, s.ErrorLogs[0].Directive
			}},
	)
	return cases
}

// TestEffective checks, for every directive the model resolves, nginx's
// inheritance: the value set in http reaches a nested location through
// an included server file; a location that sets it gets its own value
// (from an included snippet), and its nested location inherits that; a
// config that never sets it gets nginx's default. Positions are checked
// too.
func TestEffective(t *testing.T) {
	for _, tc := range effectiveCases() {
		t.Run(tc.directive, func(t *testing.T) {
			nginxConf := fmt.Sprintf("events {}\nhttp {\n    %s %s;\n    include servers/*.conf;\n}\n", tc.directive, tc.outer)
			server := "server {\n    location /a {\n        location /a/b {\n        }\n    }\n    location /c {\n        include snippet.conf;\n        location /c/d {\n        }\n    }\n}\n"
			snippet := fmt.Sprintf("# snippet\n%s %s;\n", tc.directive, tc.inner)
			fsys := fstest.MapFS{
				"etc/nginx/nginx.conf":         {Data: []byte(nginxConf)},
				"etc/nginx/servers/app.conf":   {Data: []byte(server)},
				"etc/nginx/snippet.conf":       {Data: []byte(snippet)},
				"etc/nginx/empty/nginx.conf":   {Data: []byte("events {}\nhttp {\n    include ../servers/*.conf;\n}\n")},
				"etc/nginx/empty/snippet.conf": {Data: []byte("# nothing\n")},
			}
			cfg, err := Load("/etc/nginx/nginx.conf", &Options{FS: fsys})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			locs := map[string]*Location{}
			for l := range cfg.Locations() {
				locs[l.Match] = l
			}
			check := func(where string, s *Settings, want any, wantAt string) {
				t.Helper()
				got, d := tc.get(s)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s: value (-want +got):\n%s", where, diff)
				}
				gotAt := ""
				if d != nil {
					gotAt = d.Pos.String()
					var chain []string
					for _, p := range d.IncludedFrom {
						chain = append(chain, p.String())
					}
					want := []string{"/etc/nginx/servers/app.conf:7:9", "/etc/nginx/nginx.conf:4:5"}
					if !strings.Contains(wantAt, "snippet") {
						want = nil
					}
					if diff := cmp.Diff(want, chain); diff != "" {
						t.Errorf("%s: include chain (-want +got):\n%s", where, diff)
					}
				}
				if gotAt != wantAt {
					t.Errorf("%s: set at %q, want %q", where, gotAt, wantAt)
				}
			}
			check("http", cfg.HTTP.Settings, tc.outerV, "/etc/nginx/nginx.conf:3:5")
			check("location /a/b", locs["/a/b"].Settings, tc.outerV, "/etc/nginx/nginx.conf:3:5")
			check("location /c", locs["/c"].Settings, tc.innerV, "/etc/nginx/snippet.conf:2:1")
			check("location /c/d", locs["/c/d"].Settings, tc.innerV, "/etc/nginx/snippet.conf:2:1")

			// Nothing set anywhere: nginx's default.
			cfg, err = Load("/etc/nginx/empty/nginx.conf", &Options{FS: fsys})
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			for l := range cfg.Locations() {
				if l.Match == "/c/d" {
					check("default", l.Settings, tc.def, "")
				}
			}
		})
	}
}

// TestArrayInheritance pins the rule that matters for SCRIPT_FILENAME:
// one fastcgi_param in a location drops all those of the server, while
// scalar directives still inherit.
func TestArrayInheritance(t *testing.T) {
	src := `events {}
http {
    fastcgi_read_timeout 120s;
    server {
        include fastcgi.conf;
        location ~ \.php$ {
            fastcgi_param HTTPS on;
            fastcgi_pass unix:/run/php.sock;
        }
        location /ok.php {
            fastcgi_pass unix:/run/php.sock;
        }
        location /notry {
            try_files $uri =404;
            location /notry/inner {
            }
        }
    }
}
`
	fsys := fstest.MapFS{
		"etc/nginx/nginx.conf":   {Data: []byte(src)},
		"etc/nginx/fastcgi.conf": {Data: []byte("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\nfastcgi_param QUERY_STRING $query_string;\n")},
	}
	cfg, err := Load("/etc/nginx/nginx.conf", &Options{FS: fsys})
	if err != nil {
		t.Fatal(err)
	}
	locs := map[string]*Location{}
	for l := range cfg.Locations() {
		locs[l.Match] = l
	}
	if _, ok := locs[`\.php$`].Settings.FastCGI.Param("SCRIPT_FILENAME"); ok {
		t.Errorf(`location ~ \.php$ sets its own fastcgi_param: SCRIPT_FILENAME must not be inherited`)
	}
	p, ok := locs["/ok.php"].Settings.FastCGI.Param("SCRIPT_FILENAME")
	if !ok || p.Directive.Pos.String() != "/etc/nginx/fastcgi.conf:1:1" || p.Directive.IncludedFrom[0].String() != "/etc/nginx/nginx.conf:5:9" {
		t.Errorf("location /ok.php: SCRIPT_FILENAME = %+v, %v; want it from fastcgi.conf:1 included at nginx.conf:5", p, ok)
	}
	if got := locs[`\.php$`].Settings.FastCGI.ReadTimeout; got.Value != 120*time.Second || got.Pos().Line != 3 {
		t.Errorf("read timeout = %v at %v, want 2m0s at line 3", got.Value, got.Pos())
	}
	if got := locs["/notry/inner"].Settings.TryFiles; got.Value != nil {
		t.Errorf("try_files inherited into a nested location: %v", got.Value)
	}
	if got := locs["/notry"].Settings.TryFiles; len(got.Value) != 2 {
		t.Errorf("try_files = %v", got.Value)
	}
}
