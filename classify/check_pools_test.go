package classify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/google/go-cmp/cmp"
)

// TestPoolsFor: which pool each fastcgi_pass reaches, through upstream
// groups, path cleaning and TCP wildcard semantics.
func TestPoolsFor(t *testing.T) {
	dir := t.TempDir()
	pools := `[sock]
listen = /run/php/a.sock
[any]
listen = 9000
[v4]
listen = 127.0.0.1:9001
[wild6]
listen = [::]:9002
[lo6]
listen = [::1]:9003
[ip]
listen = 10.0.0.5:9004
`
	if err := os.WriteFile(filepath.Join(dir, "pools.conf"), []byte(pools), 0o644); err != nil {
		t.Fatal(err)
	}
	fpm, _ := fpmconf.Load(filepath.Join(dir, "pools.conf"), &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	for _, tc := range []struct {
		pass string
		want []string
	}{
		{"unix:/run/php/a.sock", []string{"sock"}},
		{"unix:/run//php/../php/a.sock", []string{"sock"}},
		{"unix:/run/php/b.sock", nil},
		{"127.0.0.1:9000", []string{"any"}},
		{"[::1]:9000", []string{"any"}},
		{"php:9000", []string{"any"}},
		{"localhost:9001", []string{"v4"}},
		{"127.0.0.1:9001", []string{"v4"}},
		{"[::1]:9001", nil},
		{"127.0.0.2:9001", nil},
		{"127.0.0.1:9002", []string{"wild6"}},
		{"localhost:9003", []string{"lo6"}},
		{"127.0.0.1:9003", nil},
		{"10.0.0.5:9004", []string{"ip"}},
		{"10.0.0.6:9004", nil},
		{"app.internal:9004", []string{"ip"}},
		{"grp", []string{"sock", "v4"}},
		{"$backend", nil},
	} {
		src := "events {}\nhttp {\n upstream grp { server unix:/run/php/a.sock; server 127.0.0.1:9001; server 127.0.0.1:9000 down; }\n" +
			" server { location / { fastcgi_pass " + tc.pass + "; } }\n}\n"
		n, err := nginxconf.Parse("nginx.conf", []byte(src), nil)
		if err != nil {
			t.Fatalf("%s: %v", tc.pass, err)
		}
		var got []string
		for p := range n.Passes() {
			for _, pool := range PoolsFor(p, fpm) {
				got = append(got, pool.Name)
			}
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("fastcgi_pass %s (-want +got):\n%s", tc.pass, diff)
		}
	}
}
