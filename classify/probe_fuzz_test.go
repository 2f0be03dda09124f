package classify

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
)

// FuzzPlanProbes derives probe targets from arbitrary nginx configs: it
// must not panic, and every pass must be a target's source or skipped.
// Seeds: the nginx.conf of every captured incident.
func FuzzPlanProbes(f *testing.F) {
	files, _ := filepath.Glob("../testdata/incidents/*/nginx.conf")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("events{}\nhttp{server{location /{set $b x;proxy_pass http://${b}:1/;}}}"))
	f.Add([]byte("events{}\nhttp{upstream u{server unix:/run/php//php-fpm.sock;server 127.0.0.1:9000 down;}server{location /{fastcgi_pass u;}}}"))
	// A pool on the socket and the TCP port the incidents use, with
	// pm.status_listen: passes merge with it.
	fpmPath := filepath.Join(f.TempDir(), "php-fpm.conf")
	if err := os.WriteFile(fpmPath, []byte("[www]\nlisten = /run/php/php-fpm.sock\npm = static\npm.max_children = 1\n"+
		"ping.path = /ping\npm.status_path = /status\npm.status_listen = 127.0.0.1:9001\n[tcp]\nlisten = 9000\npm = static\npm.max_children = 1\n"), 0o644); err != nil {
		f.Fatal(err)
	}
	fpm, _ := fpmconf.Load(fpmPath, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	if len(fpm.Pools) != 2 {
		f.Fatalf("pools: %v", fpm.Problems)
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		// No file system: includes find nothing.
		n, _ := nginxconf.Parse("/fuzz/nginx.conf", src, &nginxconf.Options{FS: fstest.MapFS{}})
		plan := PlanProbes(n, fpm)
		if len(plan.Sources) != len(plan.Targets) || len(plan.StatusListen) != len(plan.Targets) {
			t.Fatal("lengths differ")
		}
		sourced := map[[2]int]bool{}
		for i := range plan.Targets {
			for _, p := range plan.Sources[i] {
				sourced[[2]int{p.Line, p.Col}] = true
			}
		}
		for _, s := range plan.Skipped {
			sourced[[2]int{s.Pos.Line, s.Pos.Col}] = true
		}
		for p := range n.Passes() {
			if d := dpos(p.Directive); !sourced[[2]int{d.Line, d.Col}] {
				t.Fatalf("%s at %v neither probed nor skipped", passString(p), d)
			}
		}
		for _, l := range plan.Lookups {
			if l.Name == "" || l.Server == "" {
				t.Fatalf("empty lookup %+v", l)
			}
		}
	})
}
