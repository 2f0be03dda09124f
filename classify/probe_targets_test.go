package classify

import (
	"net"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
	"github.com/google/go-cmp/cmp"
)

// loadIncident reads the nginx.conf and php-fpm.conf that a real-server
// run captured under testdata/incidents/NAME.
func loadIncident(t *testing.T, name string) (*nginxconf.Config, *fpmconf.Config) {
	t.Helper()
	dir := filepath.Join("..", "testdata", "incidents", name)
	n, err := nginxconf.Load(filepath.Join(dir, "nginx.conf"), nil)
	if err != nil {
		t.Fatalf("%s nginx.conf: %v", name, err)
	}
	f, err := fpmconf.Load(filepath.Join(dir, "php-fpm.conf"), &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	if err != nil && !strings.Contains(name, "invalid") {
		t.Logf("%s php-fpm.conf: %v", name, err)
	}
	return n, f
}

// shortTarget is a probe.Target with paths made relative to the run's
// directory and positions reduced to file base name and line, for tables.
type shortTarget struct {
	Kind                           string
	Network, Address, Pool         string
	Host, SNI, VerifyName, Trusted string
	User, Group                    string
	Pos                            string
	Sources                        []string
	StatusListen                   bool
	PingPath, PingResp, StatusPath string
}

func shortPos(p badgateway.Pos) string {
	return filepath.Base(p.File) + ":" + strconv.Itoa(p.Line)
}

// shorten replaces the run's temporary directory (taken from the pool's
// listen) with "DIR".
func shorten(plan *ProbePlan, dir string) []shortTarget {
	var out []shortTarget
	for i, t := range plan.Targets {
		s := shortTarget{Kind: t.Kind.String(), Network: t.Network, Address: t.Address, Pool: t.Pool,
			Host: t.Host, SNI: t.SNI, VerifyName: t.VerifyName, Trusted: t.TrustedCertificate,
			User: t.User, Group: t.Group, Pos: shortPos(t.Pos), StatusListen: plan.StatusListen[i],
			PingPath: t.PingPath, PingResp: t.PingResponse, StatusPath: t.StatusPath}
		if dir != "" {
			s.Address = strings.Replace(s.Address, dir, "DIR", 1)
		}
		for _, p := range plan.Sources[i] {
			s.Sources = append(s.Sources, shortPos(p))
		}
		out = append(out, s)
	}
	return out
}

func runDir(f *fpmconf.Config) string {
	for _, p := range f.Pools {
		if p.Listen.Value.Network == "unix" {
			return path.Dir(p.Listen.Value.Path)
		}
	}
	if f.Prefix != "" {
		return strings.TrimSuffix(f.Prefix, "/")
	}
	return ""
}

// TestProbeTargetsIncidents derives the targets from configs that real
// nginx 1.22.1 and php-fpm 8.2 ran with (testdata/incidents).
func TestProbeTargetsIncidents(t *testing.T) {
	www := func(s shortTarget) shortTarget {
		s.User, s.Group = "www-data", "www-data"
		if s.Pos == "" {
			s.Pos = s.Sources[0]
		}
		return s
	}
	sock := func(nginxLine, fpmLine int) shortTarget {
		return www(shortTarget{Kind: "fastcgi", Network: "unix", Address: "DIR/php-fpm.sock", Pool: "www",
			Sources: []string{"nginx.conf:" + strconv.Itoa(nginxLine), "php-fpm.conf:" + strconv.Itoa(fpmLine)}})
	}
	tests := []struct {
		name    string
		want    []shortTarget
		skipped int
	}{
		// One location and one pool on one socket: one target, both
		// positions.
		{"fpm_down_unix", []shortTarget{sock(54, 10)}, 0},
		{"socket_permission", []shortTarget{sock(54, 10)}, 0},
		// nginx names another socket than the pool: two targets, the
		// nginx one without a pool.
		{"listen_mismatch", []shortTarget{
			www(shortTarget{Kind: "fastcgi", Network: "unix", Address: "DIR/php8.1-fpm.sock", Sources: []string{"nginx.conf:54"}}),
			www(shortTarget{Kind: "fastcgi", Network: "unix", Address: "DIR/php-fpm.sock", Pool: "www", Sources: []string{"php-fpm.conf:10"}}),
		}, 0},
		// proxy_pass http:// to the pool's FastCGI port: the same address
		// twice, once per protocol.
		{"cfg_proxy_pass_fastcgi_tcp", nil, 0},
		// proxy_pass http://$backend: skipped.
		{"dns_nxdomain", []shortTarget{sock(61, 10)}, 1},
		// https:// with proxy_ssl_name and a trusted CA file.
		{"upstream_tls_verify", nil, 0},
		// https:// to an upstream group: Host and the certificate name are
		// the group's name, the position is the group's server line.
		{"cfg_https_upstream_group", nil, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, f := loadIncident(t, tc.name)
			plan := PlanProbes(n, f)
			got := shorten(plan, runDir(f))
			if len(plan.Skipped) != tc.skipped {
				t.Errorf("skipped = %+v, want %d", plan.Skipped, tc.skipped)
			}
			switch tc.name {
			case "cfg_proxy_pass_fastcgi_tcp":
				if len(got) != 2 || got[0].Kind != "http" || got[1].Kind != "fastcgi" || got[0].Address != got[1].Address ||
					got[1].Pool != "www" || got[0].Pool != "" || got[0].Host != "127.0.0.1" {
					t.Errorf("targets = %+v", got)
				}
				return
			case "upstream_tls_verify":
				if len(got) != 2 || got[0].Kind != "https" || got[0].VerifyName != "backend" || got[0].SNI != "" ||
					got[0].Trusted != "/etc/ssl/certs/ca-certificates.crt" || got[0].Host != "127.0.0.1" || got[0].Pos != "nginx.conf:64" {
					t.Errorf("targets = %+v", got)
				}
				return
			case "cfg_https_upstream_group":
				if len(got) != 2 || got[0].Kind != "https" || got[0].Host != "api" || got[0].VerifyName != "api" ||
					got[0].Pos != "nginx.conf:27" || !cmp.Equal(got[0].Sources, []string{"nginx.conf:27", "nginx.conf:65"}) {
					t.Errorf("targets = %+v", got)
				}
				return
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("targets (-want +got):\n%s", diff)
			}
		})
	}
}

// TestProbeTargetsAllIncidents checks every captured incident: every
// *_pass of nginx.conf is either a source of a target or skipped, every
// pool listen is a target, and no address is probed twice for one kind.
func TestProbeTargetsAllIncidents(t *testing.T) {
	dirs, _ := filepath.Glob("../testdata/incidents/*/nginx.conf")
	if len(dirs) < 40 {
		t.Fatalf("only %d incidents", len(dirs))
	}
	for _, nc := range dirs {
		name := filepath.Base(filepath.Dir(nc))
		n, f := loadIncident(t, name)
		checkPlan(t, name, n, f)
	}
}

// checkPlan asserts the invariants of PlanProbes on one config pair.
func checkPlan(t *testing.T, name string, n *nginxconf.Config, f *fpmconf.Config) *ProbePlan {
	t.Helper()
	plan := PlanProbes(n, f)
	if len(plan.Sources) != len(plan.Targets) || len(plan.StatusListen) != len(plan.Targets) {
		t.Fatalf("%s: lengths differ", name)
	}
	sourced := map[badgateway.Pos]bool{}
	seen := map[targetKey]bool{}
	for i, tg := range plan.Targets {
		for _, p := range plan.Sources[i] {
			sourced[p] = true
		}
		if len(plan.Sources[i]) == 0 || plan.Sources[i][0] != tg.Pos {
			t.Errorf("%s: target %d %s: Pos %v is not the first source %v", name, i, tg.Address, tg.Pos, plan.Sources[i])
		}
		k := keyOf(&tg)
		if seen[k] {
			t.Errorf("%s: %v probed twice", name, k)
		}
		seen[k] = true
		switch tg.Network {
		case "unix":
			if tg.Address == "" {
				t.Errorf("%s: empty socket path", name)
			}
		case "tcp":
			h, p, err := net.SplitHostPort(tg.Address)
			port, _ := strconv.Atoi(p)
			if err != nil || h == "" || port < 1 || port > 65535 {
				t.Errorf("%s: bad address %q", name, tg.Address)
			}
			// nginx may connect to 0.0.0.0 (Linux takes it for a local
			// address) and the probe does as nginx does; a pool's wildcard
			// listen must be turned into a loopback address.
			if tg.Pool != "" && !strings.HasPrefix(shortPos(tg.Pos), "nginx.conf") && (h == "0.0.0.0" || h == "::" || h == "*") {
				t.Errorf("%s: wildcard address %q", name, tg.Address)
			}
		default:
			t.Errorf("%s: network %q", name, tg.Network)
		}
		if n != nil && (tg.User != n.Main.User.Value || tg.Group != n.Main.Group.Value) {
			t.Errorf("%s: user %s/%s, nginx has %s/%s", name, tg.User, tg.Group, n.Main.User.Value, n.Main.Group.Value)
		}
		if tg.Kind == probe.KindUnknown {
			t.Errorf("%s: kind unknown for %s", name, tg.Address)
		}
	}
	for _, s := range plan.Skipped {
		sourced[s.Pos] = true
		if s.Reason == "" || s.What == "" {
			t.Errorf("%s: skipped without reason: %+v", name, s)
		}
	}
	if n != nil {
		for p := range n.Passes() {
			if !sourced[dpos(p.Directive)] {
				t.Errorf("%s: %s at %v is neither probed nor skipped", name, passString(p), dpos(p.Directive))
			}
		}
	}
	if f != nil {
		for _, pool := range f.Pools {
			if _, _, ok := localAddr(pool.Listen.Value); ok && !sourced[pool.Listen.Pos] && pool.Listen.IsSet() {
				// The pool's listen was merged into a pass target: its
				// position must be among that target's sources.
				t.Errorf("%s: pool %s listen %v not among the sources", name, pool.Name, pool.Listen.Pos)
			}
			for i, tg := range plan.Targets {
				if plan.StatusListen[i] && tg.Pool == pool.Name && tg.StatusPath != pool.PMStatusPath.Value {
					t.Errorf("%s: status_listen target without the status path", name)
				}
			}
		}
	}
	return plan
}

// TestProbeTargetsCorpus runs PlanProbes on every nginx file of the corpus
// (real configs of public projects) alone and with the php-fpm pools of
// its project, and checks the invariants of checkPlan.
func TestProbeTargetsCorpus(t *testing.T) {
	ctx := corpusContexts(t)
	nfiles, ffiles := corpusFiles(t, nginxCorpus), corpusFiles(t, fpmCorpus)
	if len(nfiles) == 0 || len(ffiles) == 0 {
		t.Fatal("empty corpus")
	}
	pools := map[string]*fpmconf.Config{}
	for _, rel := range ffiles {
		cfg, _ := fpmconf.Load(filepath.Join(fpmCorpus, rel), &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true,
			LookupEnv: func(string) (string, bool) { return "", false }})
		checkPlan(t, rel, nil, cfg)
		g := corpusGroup(rel)
		if pools[g] == nil {
			pools[g] = &fpmconf.Config{}
		}
		pools[g].Pools = append(pools[g].Pools, cfg.Pools...)
	}
	var targets, skipped, merged, pairs int
	kinds := map[string]int{}
	for _, rel := range nfiles {
		c := ctx[rel]
		if c == "" {
			c = "main"
		}
		n, _ := nginxconf.Load(filepath.Join(nginxCorpus, rel), &nginxconf.Options{Context: c})
		plan := checkPlan(t, rel, n, nil)
		targets += len(plan.Targets)
		skipped += len(plan.Skipped)
		for _, tg := range plan.Targets {
			kinds[tg.Kind.String()]++
		}
		u := pools[corpusGroup(rel)]
		if u == nil || len(u.Pools) == 0 {
			continue
		}
		pairs++
		both := checkPlan(t, rel+" + pools", n, u)
		// A fastcgi_pass that reaches a pool of the group (PoolsFor) is
		// one target with that pool's name, not two.
		for p := range n.Passes() {
			if p.Module != "fastcgi" || len(PoolsFor(p, u)) == 0 {
				continue
			}
			found := false
			for i, tg := range both.Targets {
				if tg.Kind == probe.KindFastCGI && tg.Pool != "" && containsPos(both.Sources[i], dpos(p.Directive)) {
					found = true
				}
			}
			if !found && !p.HostVariables && p.Upstream == nil {
				t.Errorf("%s: %s reaches a pool but its target has no pool", rel, passString(p))
			} else if found {
				merged++
			}
		}
	}
	t.Logf("%d nginx files: %d targets %v, %d skipped; %d pairs with pools: %d fastcgi_pass merged with their pool's listen",
		len(nfiles), targets, kinds, skipped, pairs, merged)
	if targets == 0 || merged == 0 {
		t.Errorf("nothing derived from the corpus")
	}
}

// TestProbeTargetsListen checks the listen forms of php-fpm: a port
// alone, 0.0.0.0 and [::] become loopback addresses; pm.status_listen is
// a second target with the pool's paths.
func TestProbeTargetsListen(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "php-fpm.conf")
	writeFile(t, conf, `[global]
error_log = /dev/null
[a]
listen = 9001
pm = static
pm.max_children = 1
ping.path = /ping
pm.status_path = /status
pm.status_listen = 127.0.0.1:9100
[b]
listen = 0.0.0.0:9002
pm = static
pm.max_children = 1
[c]
listen = [::]:9003
pm = static
pm.max_children = 1
ping.path = /fpm-ping
ping.response = ok
`)
	f, _ := fpmconf.Load(conf, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	// Three locations pass to pool a: one target, every position kept.
	n, _ := nginxconf.Parse("nginx.conf", []byte("user www-data web;\nevents{}\nhttp{server{location / {fastcgi_pass 127.0.0.1:9001;}\n"+
		"location /x {fastcgi_pass 127.0.0.1:9001;}\nlocation /y {fastcgi_pass 127.0.0.1:9001;}}}\n"), nil)
	plan := PlanProbes(n, f)
	got := shorten(plan, "")
	want := []shortTarget{
		{Kind: "fastcgi", Network: "tcp", Address: "127.0.0.1:9001", Pool: "a", PingPath: "/ping", PingResp: "pong", StatusPath: "/status",
			User: "www-data", Group: "web", Pos: "nginx.conf:3", Sources: []string{"nginx.conf:3", "nginx.conf:4", "nginx.conf:5", "php-fpm.conf:4"}},
		{Kind: "fastcgi", Network: "tcp", Address: "127.0.0.1:9100", Pool: "a", PingPath: "/ping", PingResp: "pong", StatusPath: "/status",
			User: "www-data", Group: "web", Pos: "php-fpm.conf:9", Sources: []string{"php-fpm.conf:9"}, StatusListen: true},
		{Kind: "fastcgi", Network: "tcp", Address: "127.0.0.1:9002", Pool: "b",
			User: "www-data", Group: "web", Pos: "php-fpm.conf:11", Sources: []string{"php-fpm.conf:11"}},
		{Kind: "fastcgi", Network: "tcp", Address: "[::1]:9003", Pool: "c", PingPath: "/fpm-ping", PingResp: "ok",
			User: "www-data", Group: "web", Pos: "php-fpm.conf:15", Sources: []string{"php-fpm.conf:15"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("targets (-want +got):\n%s", diff)
	}
	// Without nginx: no user, so the prober skips the access check.
	for _, tg := range ProbeTargets(nil, f) {
		if tg.User != "" {
			t.Errorf("user %q without an nginx config", tg.User)
		}
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestProbeLookups: which variable hosts give a name to look up.
func TestProbeLookups(t *testing.T) {
	src := `events {}
http {
    resolver 10.0.0.2:5353 ipv6=off;
    server {
        set $outer api.example;
        location /a { set $b "app.example"; proxy_pass http://${b}:8080/x; }
        location /b { proxy_pass https://$outer; }
        location /c { set $c 10.0.0.9; proxy_pass http://$c; }
        location /d { set $d app.example; proxy_pass http://$d.internal; }
        location /e { proxy_pass http://$nowhere; }
        location /f { set $f $host; proxy_pass http://$f; }
    }
}
`
	n, err := nginxconf.Parse("nginx.conf", []byte(src), nil)
	if err != nil {
		t.Fatal(err)
	}
	plan := PlanProbes(n, nil)
	var got []string
	for _, l := range plan.Lookups {
		got = append(got, l.Name+"@"+l.Server+"@"+strconv.Itoa(l.Pos.Line))
	}
	want := []string{"app.example@10.0.0.2:5353@6", "api.example@10.0.0.2:5353@7"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("lookups (-want +got):\n%s", diff)
	}
	if len(plan.Skipped) != 6 || len(plan.Targets) != 0 {
		t.Errorf("skipped %d, targets %d: %+v", len(plan.Skipped), len(plan.Targets), plan.Skipped)
	}
	if !strings.Contains(plan.Skipped[0].Reason, "looked up through nginx's resolver 10.0.0.2:5353") {
		t.Errorf("reason: %s", plan.Skipped[0].Reason)
	}
}
