package realserver

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var (
	update     = flag.Bool("update", false, "rewrite testdata/incidents from fresh real-server runs (all but demo)")
	updateDemo = flag.Bool("update-demo", false, "rewrite testdata/incidents/demo too (examples/diagnose keeps a copy of it)")
)

// allScenarios is the table plus the demo incident.
func allScenarios() []Scenario { return append(Scenarios(), Demo()) }

// TestScenarios runs every scenario against real nginx and php-fpm; Run
// checks the statuses and wanted lines. With -update it rewrites the
// golden captures (of the scenarios -run selects) and
// testdata/incidents/README.md; the demo capture only with -update-demo,
// since examples/diagnose embeds a copy that must then be refreshed too.
func TestScenarios(t *testing.T) {
	t.Run("run", func(t *testing.T) {
		for _, sc := range allScenarios() {
			t.Run(sc.Name, func(t *testing.T) {
				t.Parallel()
				c := Run(t, sc)
				if testing.Verbose() {
					t.Logf("nginx-error.log:\n%s\nnginx-access.log:\n%s\nphp-fpm.log:\n%s", c.NginxErrorLog.Data, c.NginxAccessLog.Data, c.FPMLog.Data)
				}
				write := *update && sc.Name != "demo" || *updateDemo && sc.Name == "demo"
				if write && !t.Failed() {
					if err := c.WriteDir(IncidentDir(sc.Name)); err != nil {
						t.Fatal(err)
					}
				}
			})
		}
	})
	if (*update || *updateDemo) && !t.Failed() {
		if err := writeReadme(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestGolden checks, without servers, that every committed capture still
// meets its scenario: same requests, same statuses, wanted lines present.
func TestGolden(t *testing.T) {
	for _, sc := range allScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			c, err := Load(IncidentDir(sc.Name))
			if err != nil {
				t.Fatalf("%v (run go test ./internal/realserver -update)", err)
			}
			var want, got []string
			for i, r := range sc.Requests {
				m := r.Method
				if m == "" {
					m = "GET"
				}
				want = append(want, fmt.Sprintf("%s %s", m, r.Path))
				if i < len(c.Responses) && !r.allows(c.Responses[i].Status) {
					t.Errorf("status.txt line %d: status %d, want %d or one of %d", i+1, c.Responses[i].Status, r.Status, r.Or)
				}
			}
			for _, r := range c.Responses {
				got = append(got, fmt.Sprintf("%s %s", r.Method, r.Path))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("status.txt requests (-want +got):\n%s", diff)
			}
			if err := c.Check(sc.Want); err != nil {
				t.Error(err)
			}
			if diff := cmp.Diff(sc.Scripts, c.Scripts); diff != "" {
				t.Errorf("docroot.txtar (-want +got):\n%s", diff)
			}
			for _, f := range []File{c.NginxErrorLog, c.NginxConf, c.FPMConf, c.PHPIni} {
				if len(f.Data) == 0 {
					t.Errorf("%s is empty", f.Path)
				}
			}
		})
	}
}

// TestWriteLoad checks that Load reads back what WriteDir wrote.
func TestWriteLoad(t *testing.T) {
	in := &Capture{
		Name:           "x",
		NginxErrorLog:  File{Data: []byte("2026/11/21 00:40:38 [crit] 1#1: *1 connect() to unix:/s failed (2: No such file or directory)\n")},
		NginxAccessLog: File{Data: []byte("a\n")},
		FPMLog:         File{Data: []byte("[21-Nov-2026 00:40:38] NOTICE: ready to handle connections\n")},
		NginxConf:      File{Data: []byte("events {}\n")},
		FPMConf:        File{Data: []byte("[global]\n")},
		PHPIni:         File{Data: []byte("log_errors = On\n")},
		Scripts:        map[string]string{"index.php": "<?php\n", "sub/a.php": "<?php echo 1;\n"},
		Responses: []Response{
			{Method: "GET", Path: "/index.php", Status: 502, Elapsed: 12e6},
			{Method: "GET", Path: "/sleep.php?s=2", Status: 0, Elapsed: 501e6, Err: `Get "http://127.0.0.1:1/sleep.php?s=2": context deadline exceeded`},
		},
	}
	dir := filepath.Join(t.TempDir(), "x")
	if err := in.WriteDir(dir); err != nil {
		t.Fatal(err)
	}
	out, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	in.Dir = dir
	for _, f := range in.files() {
		f.f.Path = filepath.Join(dir, f.name)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("Load(WriteDir(c)) (-want +got):\n%s", diff)
	}
	if _, err := os.Stat(filepath.Join(dir, fpmStderrFile)); !os.IsNotExist(err) {
		t.Errorf("empty php-fpm stderr written: %v", err)
	}
}

// TestCheck checks that Check finds present, missing, counted and
// forbidden lines.
func TestCheck(t *testing.T) {
	c := &Capture{NginxErrorLog: File{Data: []byte(
		"x [error] 1#1: *1 connect() failed (111: Connection refused) while connecting to upstream\n" +
			"x [error] 1#1: *2 connect() failed (111: Connection refused) while connecting to upstream\n")}}
	tests := []struct {
		want Want
		ok   bool
	}{
		{Want{Log: NginxError, Line: []string{"[error]", "connect() failed (111: "}}, true},
		{Want{Log: NginxError, Line: []string{"connect() failed (111: ", "[error]"}}, false}, // order matters
		{Want{Log: NginxError, Line: []string{"connect() failed (111: "}, Min: 2}, true},
		{Want{Log: NginxError, Line: []string{"connect() failed (111: "}, Min: 3}, false},
		{Want{Log: NginxError, Line: []string{"(2: "}}, false},
		{Want{Log: NginxError, Line: []string{"(2: "}, None: true}, true},
		{Want{Log: NginxError, Line: []string{"(111: "}, None: true}, false},
		{Want{Log: FPMError, Line: []string{"(111: "}}, false},
	}
	for _, tt := range tests {
		if err := c.Check([]Want{tt.want}); (err == nil) != tt.ok {
			t.Errorf("Check(%v) = %v, want ok=%v", tt.want, err, tt.ok)
		}
	}
}

// writeReadme writes testdata/incidents/README.md from the scenario table
// and the captured statuses.
func writeReadme() error {
	var b strings.Builder
	b.WriteString(`# Incidents captured from real nginx and php-fpm

Generated by ` + "`go test ./internal/realserver -run TestScenarios -update`" + ` (do not edit; ` + "`-update-demo`" + `
rewrites ` + "`demo/`" + ` too, which examples/diagnose keeps a copy of; ` + "`-run TestScenarios/run/NAME`" + ` rewrites one):
each directory is one run of a scenario of internal/realserver (scenarios.go) against the real
Debian binaries nginx 1.22.1 and php-fpm8.2, started in a temporary directory on a free loopback
port and a unix socket, broken on purpose, sent the requests listed, then stopped. Nothing here is
hand-written: the logs are what the servers wrote (temporary paths, ports and pids are the real
ones of that run), the configs are the ones they ran with.

Files per directory: ` + "`nginx-error.log`" + ` (level info), ` + "`nginx-access.log`" + ` (log_format
` + "`upstreaminfo`" + ` in nginx.conf), ` + "`php-fpm.log`" + `, ` + "`php-fpm-access.log`" + `,
` + "`nginx.conf`, `php-fpm.conf`, `php.ini`" + `, ` + "`docroot.txtar`" + ` (the PHP scripts),
` + "`status.txt`" + ` (per request: method, path, status the client saw — 0 = no response —,
seconds, client error), and ` + "`php-fpm-stderr.log`" + ` when php-fpm printed anything.
Read them in Go with ` + "`realserver.Load(realserver.IncidentDir(name))`" + `.

| directory | cause | what was broken | client statuses |
|---|---|---|---|
`)
	for _, sc := range allScenarios() {
		c, err := Load(IncidentDir(sc.Name))
		if err != nil {
			return err
		}
		var st []string
		for _, r := range c.Responses {
			st = append(st, fmt.Sprint(r.Status))
		}
		fmt.Fprintf(&b, "| [`%s`](%s/) | `%s` | %s | %s |\n", sc.Name, sc.Name, sc.Cause,
			strings.ReplaceAll(sc.Doc, "|", `\|`), strings.Join(st, " "))
	}
	return os.WriteFile(filepath.Join(IncidentDir(""), "README.md"), []byte(b.String()), 0o644)
}
