package main

import (
	"context"
	"encoding/json"
	"strings"
	"syscall"
	"testing"

	"github.com/badgateway/badgateway/internal/realserver"
)

// probeReport is the part of the JSON report the probe tests read.
type probeReport struct {
	Verdicts []struct {
		Cause     string   `json:"cause"`
		Upstreams []string `json:"upstreams"`
		Evidence  []struct {
			File string `json:"file"`
			Line int    `json:"line"`
			Text string `json:"text"`
		} `json:"evidence"`
		Related []struct {
			Text string `json:"text"`
		} `json:"related"`
	} `json:"verdicts"`
}

// diagnoseLive is a realserver action: it runs `diagnose -probe` on the
// configs the servers run with, while they run, and keeps its exit code,
// JSON output and stderr.
func diagnoseLive(t *testing.T, code *int, out, errOut *string, extra ...string) realserver.Action {
	return func(ctx context.Context, e *realserver.Env) error {
		args := append([]string{"-nginx-conf", e.NginxConf, "-fpm-conf", e.FPMConf, "-probe", "-probe-timeout", "5s"}, extra...)
		*code, *out, *errOut = runCmd(t, "", args...)
		return nil
	}
}

// TestProbeLive runs `diagnose -probe` against real php-fpm 8.2 and nginx
// 1.22.1 (skipped without them, failed under CI=true): a socket nginx's
// user may not open, a socket left by a SIGKILLed php-fpm, and a healthy
// pool. No log is given: what is found, the probes found.
func TestProbeLive(t *testing.T) {
	tests := []struct {
		name   string
		sc     realserver.Scenario
		format string
		want   string // the cause of the only verdict; "" = none
	}{
		{name: "socket_permission", want: "socket_permission", format: "json", sc: realserver.Scenario{
			FPM: `{{define "listen_perms"}}listen.owner = root
listen.group = root
listen.mode = 0660{{end}}`}},
		{name: "stale_socket", want: "fpm_stale_socket", format: "json", sc: realserver.Scenario{
			Before: []realserver.Action{realserver.KillFPM(syscall.SIGKILL)}}},
		{name: "healthy", want: "", format: "json", sc: realserver.Scenario{FPM: `{{define "pool"}}ping.path = /ping{{end}}`}},
		{name: "healthy_text", want: "", format: "text", sc: realserver.Scenario{FPM: `{{define "pool"}}ping.path = /ping{{end}}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var code int
			var out, errOut string
			sc := tc.sc
			sc.Name = "diagnose_probe_" + tc.name
			sc.After = append(sc.After, diagnoseLive(t, &code, &out, &errOut, "-format", tc.format))
			c := realserver.Run(t, sc)
			if code != 0 || errOut != "" {
				t.Fatalf("exit %d, stderr %q\n%s", code, errOut, out)
			}
			t.Logf("diagnose -probe:\n%s", out)
			if tc.format == "text" {
				if !strings.Contains(out, "Read live probes of 1 targets from the configs") || !strings.Contains(out, "0 show a cause") ||
					!strings.Contains(out, "No cause") {
					t.Errorf("text report:\n%s", out)
				}
				return
			}
			var rep probeReport
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			if tc.want == "" {
				if len(rep.Verdicts) != 0 {
					t.Errorf("verdicts on a healthy pool: %s", out)
				}
				return
			}
			if len(rep.Verdicts) != 1 {
				t.Fatalf("verdicts: %s", out)
			}
			v := rep.Verdicts[0]
			if v.Cause != tc.want || len(v.Evidence) != 1 || v.Evidence[0].File != c.NginxConf.Path || v.Evidence[0].Line == 0 ||
				!strings.HasPrefix(v.Evidence[0].Text, "probe fastcgi unix:") || len(v.Upstreams) != 1 ||
				!strings.HasPrefix(v.Upstreams[0], "fastcgi://unix:") {
				t.Errorf("verdict: %s", out)
			}
		})
	}
}

// TestProbeLiveDNS runs `diagnose -probe` with the real nginx error log of
// the dns_nxdomain scenario (a resolver that answers NXDOMAIN, a DNS
// responder of the test): the lookup of the name through nginx's resolver
// joins the log's dns_nxdomain verdict.
func TestProbeLiveDNS(t *testing.T) {
	t.Parallel()
	var sc realserver.Scenario
	for _, s := range realserver.Scenarios() {
		if s.Name == "dns_nxdomain" {
			sc = s
		}
	}
	if sc.Name == "" {
		t.Fatal("no dns_nxdomain scenario")
	}
	var code int
	var out, errOut string
	sc.After = append(sc.After, func(ctx context.Context, e *realserver.Env) error {
		return diagnoseLive(t, &code, &out, &errOut, "-format", "json", "-error-log", e.NginxErrorLog, "-tz", "UTC")(ctx, e)
	})
	realserver.Run(t, sc)
	t.Logf("diagnose -probe:\n%s", out)
	if code != 0 || errOut != "" {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	var rep probeReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Verdicts) == 0 || rep.Verdicts[0].Cause != "dns_nxdomain" {
		t.Fatalf("verdicts: %s", out)
	}
	found := false
	for _, r := range rep.Verdicts[0].Related {
		found = found || strings.HasPrefix(r.Text, "probe dns lookup of backend.example.internal through resolver ") && strings.HasSuffix(r.Text, "NXDOMAIN)")
	}
	if !found {
		t.Errorf("no lookup among the related evidence: %s", out)
	}
}

// TestProbeUsage: -probe without a config is a usage error.
func TestProbeUsage(t *testing.T) {
	code, _, errOut := runCmd(t, "", "-probe", "-error-log", "-")
	if code != 2 || !strings.Contains(errOut, "-probe needs -nginx-conf or -fpm-conf") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}
