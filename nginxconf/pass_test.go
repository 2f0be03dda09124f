package nginxconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var emptyFS = fstest.MapFS{}

var passCases = []struct {
	module, raw string
	want        Pass
	ok          bool
}{
	{"proxy", "http://127.0.0.1:8080", Pass{Scheme: "http", Host: "127.0.0.1", Port: 8080}, true},
	{"proxy", "https://[::1]:8443/api/", Pass{Scheme: "https", Host: "::1", Port: 8443, URI: "/api/", HasURI: true}, true},
	{"proxy", "http://10.0.0.1/", Pass{Scheme: "http", Host: "10.0.0.1", URI: "/", HasURI: true}, true},
	{"proxy", "HTTP://10.0.0.1", Pass{Scheme: "http", Host: "10.0.0.1"}, true},
	{"proxy", "http://unix:/run/app.sock:/v1", Pass{Scheme: "http", Unix: "/run/app.sock", URI: "/v1", HasURI: true}, true},
	{"proxy", "http://unix:/run/app.sock", Pass{Scheme: "http", Unix: "/run/app.sock"}, true},
	{"proxy", "10.0.0.1:80", Pass{}, false},
	{"proxy", "http://$host:9000", Pass{Scheme: "http", Variables: true, HostVariables: true}, true},
	{"proxy", "http://127.0.0.1:8080$request_uri", Pass{Scheme: "http", Variables: true, Host: "127.0.0.1", Port: 8080}, true},
	{"fastcgi", "127.0.0.1:9000", Pass{Host: "127.0.0.1", Port: 9000}, true},
	{"fastcgi", "unix:/run/php/php8.2-fpm.sock", Pass{Unix: "/run/php/php8.2-fpm.sock"}, true},
	{"fastcgi", "[::1]:9000", Pass{Host: "::1", Port: 9000}, true},
	{"fastcgi", "127.0.0.1:99999", Pass{}, false},
	{"fastcgi", "$host:9000", Pass{Variables: true, HostVariables: true}, true},
	{"uwsgi", "suwsgi://127.0.0.1:3031", Pass{Scheme: "suwsgi", Host: "127.0.0.1", Port: 3031}, true},
	{"scgi", "unix:/run/scgi.sock", Pass{Unix: "/run/scgi.sock"}, true},
	{"grpc", "grpc://127.0.0.1:50051", Pass{Scheme: "grpc", Host: "127.0.0.1", Port: 50051}, true},
	{"grpc", "127.0.0.1:50051", Pass{Host: "127.0.0.1", Port: 50051}, true},
}

func TestParsePass(t *testing.T) {
	for _, tc := range passCases {
		got, err := parsePass(tc.module, tc.raw)
		if (err == "") != tc.ok {
			t.Errorf("%s_pass %s: err %q, want ok=%v", tc.module, tc.raw, err, tc.ok)
		}
		if !tc.ok {
			continue
		}
		tc.want.Module, tc.want.Raw = tc.module, tc.raw
		if diff := cmp.Diff(&tc.want, got, cmpopts.IgnoreFields(Pass{}, "Directive", "Location", "Upstream")); diff != "" {
			t.Errorf("%s_pass %s (-want +got):\n%s", tc.module, tc.raw, diff)
		}
	}
}

// TestParsePassNginx checks that the real nginx accepts exactly the pass
// targets parsePass accepts.
func TestParsePassNginx(t *testing.T) {
	bin := nginxBinary(t)
	for _, tc := range passCases {
		dir := t.TempDir()
		conf := filepath.Join(dir, "nginx.conf")
		src := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\nhttp {\n server {\n  location / {\n   " +
			tc.module + "_pass " + tc.raw + ";\n  }\n }\n}\n"
		if err := os.WriteFile(conf, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := runNginx(t, bin, dir, conf, false)
		if accepted := !strings.Contains(stderr, "[emerg]"); accepted != tc.ok {
			t.Errorf("%s_pass %s: nginx accepts = %v, we say %v: %s", tc.module, tc.raw, accepted, tc.ok, stderr)
		}
	}
}

func TestDefaultServer(t *testing.T) {
	src := "events {}\nhttp {\n server { listen 80; server_name a; }\n server { listen 80 default_server; server_name b; }\n server { listen 8080; server_name c; }\n server { listen 8080; server_name d; }\n server { server_name e; }\n}\n"
	cfg, err := Parse("/etc/nginx/nginx.conf", []byte(src), &Options{FS: emptyFS})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, s := range cfg.HTTP.Servers {
		for _, l := range s.Listen {
			if l.IsDefault {
				got = append(got, s.ServerNames[0]+"@"+l.Raw)
			}
		}
	}
	// e listens on *:80 by default, like a's "80".
	if diff := cmp.Diff([]string{"b@80", "c@8080"}, got); diff != "" {
		t.Errorf("default servers (-want +got):\n%s", diff)
	}
}
