package classify

import (
	"context"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// probeNow is a realserver action that probes the running servers with
// the targets their configs give, and stores the results in *out.
func probeNow(out *[]*probe.Result, timeout time.Duration) realserver.Action {
	return probeWith(out, timeout, "")
}

// probeWith is probeNow, giving FastCGI targets without a ping.path the
// ping path ping (when not empty): a test-only way to make the prober
// talk to a FastCGI address no pool of the config claims.
func probeWith(out *[]*probe.Result, timeout time.Duration, ping string) realserver.Action {
	return func(ctx context.Context, e *realserver.Env) error {
		n, _ := nginxconf.Load(e.NginxConf, nil)
		f, _ := fpmconf.Load(e.FPMConf, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
		p := probe.Prober{Timeout: timeout}
		targets := ProbeTargets(n, f)
		for i := range targets {
			if targets[i].Kind == probe.KindFastCGI && targets[i].PingPath == "" {
				targets[i].PingPath = ping
			}
		}
		*out = p.ProbeAll(ctx, targets)
		return nil
	}
}

func scenarioNamed(t *testing.T, name string) realserver.Scenario {
	t.Helper()
	for _, sc := range append(realserver.Scenarios(), realserver.ConfigScenarios()...) {
		if sc.Name == name {
			return sc
		}
	}
	t.Fatalf("no scenario %s", name)
	return realserver.Scenario{}
}

// outcomeFor returns the outcome of the target of kind k (the first one).
func outcomeFor(t *testing.T, outs []ProbeOutcome, k probe.Kind, network string) ProbeOutcome {
	t.Helper()
	for _, o := range outs {
		if o.Target.Kind == k && (network == "" || o.Target.Network == network) && !o.StatusListen {
			return o
		}
	}
	t.Fatalf("no %v target in %+v", k, outs)
	return ProbeOutcome{}
}

// TestProbeRealServers breaks real nginx and php-fpm the way the
// realserver scenarios do, probes them while they run (the targets come
// from the configs they run with), and checks both what one probe shows
// (ClassifyProbe) and the diagnosis of the real nginx error log with the
// probes folded in.
func TestProbeRealServers(t *testing.T) {
	tests := []struct {
		scenario string
		kind     probe.Kind
		network  string
		// want is the probe's cause; top the first verdict with logs and
		// probes; logsOnly diagnoses without the configs (so that the
		// probe, not the config, decides).
		want, top Code
		logsOnly  bool
		// fpm is added to the scenario's php-fpm templates.
		fpm string
		// ping is given to FastCGI targets without a ping.path.
		ping string
		// related: the top verdict holds the probe as evidence.
		related bool
		// decided: the probe changed the logs' verdict.
		decided bool
	}{
		// No php-fpm: the socket file is missing (ENOENT).
		{scenario: "fpm_down_unix", kind: probe.KindFastCGI, want: FPMDown, top: FPMDown, related: true},
		{scenario: "fpm_down_tcp", kind: probe.KindFastCGI, want: FPMDown, top: FPMDown, related: true},
		// SIGKILLed php-fpm: the file stays, connect is refused.
		{scenario: "fpm_stale_socket", kind: probe.KindFastCGI, want: FPMStaleSocket, top: FPMStaleSocket, related: true},
		// root:root 0660 socket, nginx's user www-data: the prober (root)
		// connects, the access check as www-data is denied.
		{scenario: "socket_permission", kind: probe.KindFastCGI, want: SocketPermission, top: SocketPermission, related: true},
		// listen.allowed_clients without 127.0.0.1: accepted, then closed.
		// The log alone says a reset (request_terminate first); the probe
		// decides. (The pool gets a ping.path: without one the probe only
		// dials, and the dial succeeds.)
		{scenario: "fpm_allowed_clients", kind: probe.KindFastCGI, want: FPMAllowedClient, top: FPMAllowedClient, logsOnly: true, related: true, decided: true,
			fpm: `{{define "pool"}}ping.path = /ping{{end}}`},
		// proxy_pass http://unix:SOCKET of php-fpm: php-fpm closes an
		// HTTP request.
		{scenario: "protocol_mismatch_http_to_fastcgi", kind: probe.KindHTTP, want: ProtocolMismatch, top: ProtocolMismatch, related: true},
		// fastcgi_pass to an HTTP server (a second server of the same
		// nginx), pinged with a path no pool sets: nginx answers 400 in
		// HTTP.
		{scenario: "protocol_mismatch_fastcgi_to_http", kind: probe.KindFastCGI, network: "tcp", want: ProtocolMismatch, top: ProtocolMismatch,
			related: true, ping: "/ping"},
		// proxy_pass https:// to a plaintext server.
		{scenario: "tls_mismatch", kind: probe.KindHTTPS, want: TLSMismatch, top: TLSMismatch, related: true},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			sc := scenarioNamed(t, tc.scenario)
			var results []*probe.Result
			sc.FPM += tc.fpm
			sc.After = append(sc.After, probeWith(&results, 2*time.Second, tc.ping))
			c := realserver.Run(t, sc)
			if len(results) == 0 {
				t.Fatal("no probe ran")
			}
			outs := ClassifyProbes(results, nil)
			o := outcomeFor(t, outs, tc.kind, tc.network)
			t.Logf("probe: %s → %v", o.Saw, o.Candidates)
			if o.Cause() != tc.want {
				t.Errorf("probe cause = %q (%s), want %q", o.Cause(), o.Saw, tc.want)
			}
			if o.Target.Pos.Line == 0 || o.Saw == "" {
				t.Errorf("outcome without position or description: %+v", o)
			}
			opts := loadCaptureConfigs(t, c)
			if tc.logsOnly {
				opts = nil
			}
			d := NewDiagnoser(opts)
			feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
			before := d.Report()
			for _, r := range results {
				d.AddProbe(r)
			}
			rep := d.Report()
			if len(rep.Verdicts) == 0 {
				t.Fatalf("no verdict")
			}
			v := rep.Verdicts[0]
			if v.Cause != tc.top {
				t.Errorf("top verdict = %s, want %s; verdicts %v", v.Cause, tc.top, causes(rep))
			}
			if tc.related {
				ev := probeEvidence(&o)
				if !slices.Contains(v.Related, ev) && !slices.Contains(v.Evidence, ev) {
					t.Errorf("verdict %s lacks the probe evidence %q: related %v", v.Cause, ev.Text, v.Related)
				}
			}
			if tc.decided {
				if before.Verdicts[0].Cause == tc.top {
					t.Errorf("the logs alone already gave %s", tc.top)
				}
				if !slices.ContainsFunc(v.Notes, func(n string) bool { return strings.Contains(n, "decided") }) {
					t.Errorf("no note of the decision: %v", v.Notes)
				}
			}
			if v.Count < before.Verdicts[0].Count && !tc.decided {
				t.Errorf("count fell from %d to %d", before.Verdicts[0].Count, v.Count)
			}
		})
	}
}

// TestProbeSaturatedPool fills a static pool of one child with a slow
// request and probes while it runs: the pool's own socket accepts but no
// child answers (the ping times out) while pm.status_listen, served by
// php-fpm's master, shows the one child busy. No request failed, so no
// log shows it: the probe makes its own fpm_max_children verdict.
func TestProbeSaturatedPool(t *testing.T) {
	t.Parallel()
	var results []*probe.Result
	sc := realserver.Scenario{
		Name: "probe_saturated",
		Nginx: `{{define "location"}}            fastcgi_read_timeout 10s;
{{end}}`,
		FPM: `{{define "pm"}}pm = static
pm.max_children = 1{{end}}{{define "pool"}}ping.path = /ping
pm.status_path = /status
pm.status_listen = {{.Dir}}/status.sock{{end}}`,
		Scripts: map[string]string{
			"slow.php": "<?php file_put_contents(__DIR__ . '/busy', getmypid()); sleep(2); echo \"done\\n\";\n",
			"ok.txt":   "static\n",
		},
		Requests: []realserver.Request{
			{Path: "/slow.php", Status: 200, Async: true},
			// Served by nginx alone, once the child is busy: the probes run
			// just before it.
			{Path: "/ok.txt", Status: 200, Before: realserver.Seq(realserver.WaitFile("busy"), probeNow(&results, 500*time.Millisecond))},
		},
	}
	c := realserver.Run(t, sc)
	outs := ClassifyProbes(results, nil)
	if len(outs) != 2 {
		t.Fatalf("outcomes = %+v", outs)
	}
	var pool, status *ProbeOutcome
	for i := range outs {
		if outs[i].StatusListen {
			status = &outs[i]
		} else {
			pool = &outs[i]
		}
	}
	if pool == nil || status == nil {
		t.Fatalf("status_listen not recognised: %+v", outs)
	}
	for _, o := range outs {
		t.Logf("%s → %v", o.Saw, o.Candidates)
	}
	if !strings.HasSuffix(status.Target.Address, "/status.sock") || len(status.Candidates) != 0 {
		t.Errorf("status target %s keeps candidates %v", status.Target.Address, status.Candidates)
	}
	if pool.Cause() != FPMMaxChildren || pool.Candidates[0].Confidence != 0.9 || !strings.Contains(pool.Saw, "pm.status_listen") {
		t.Errorf("pool outcome = %+v", pool)
	}
	// The same with the config telling which target is pm.status_listen.
	opts := loadCaptureConfigs(t, c)
	outs2 := ClassifyProbes(results, opts.FPM)
	for i := range outs {
		if outs2[i].StatusListen != outs[i].StatusListen || outs2[i].Cause() != outs[i].Cause() {
			t.Errorf("with the config: %+v, without: %+v", outs2[i], outs[i])
		}
	}
	d := NewDiagnoser(opts)
	feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
	for _, r := range results {
		d.AddProbe(r)
	}
	rep := d.Report()
	if len(rep.Verdicts) != 1 {
		t.Fatalf("verdicts = %v", causes(rep))
	}
	v := rep.Verdicts[0]
	if v.Cause != FPMMaxChildren || v.Count != 1 || len(v.Evidence) != 1 || v.Evidence[0].Pos != pool.Target.Pos ||
		v.Upstreams[0] != "fastcgi://unix:"+pool.Target.Address || v.Status != 502 {
		t.Errorf("verdict = %+v", v)
	}
}

// TestProbeHealthyRulesOut probes a healthy pool with ping.path and
// folds it into the diagnosis of an fpm_down log on the same socket:
// the verdict stays (the log shows what happened) and says the probe
// found the pool answering.
func TestProbeHealthyRulesOut(t *testing.T) {
	t.Parallel()
	var results []*probe.Result
	sc := realserver.Scenario{
		Name:    "probe_healthy",
		FPM:     `{{define "pool"}}ping.path = /ping{{end}}`,
		Scripts: map[string]string{"index.php": "<?php echo \"ok\\n\";\n"},
		Before:  []realserver.Action{realserver.StopFPM()},
		Requests: []realserver.Request{
			{Path: "/index.php", Status: 502},
			{Path: "/index.php", Status: 200, Before: realserver.StartFPM()},
		},
		After: []realserver.Action{probeNow(&results, 2*time.Second)},
	}
	c := realserver.Run(t, sc)
	outs := ClassifyProbes(results, nil)
	if len(outs) != 1 || outs[0].Cause() != "" || !slices.Contains(outs[0].RulesOut, FPMDown) ||
		!slices.Contains(outs[0].RulesOut, SocketPermission) {
		t.Fatalf("outcomes = %+v", outs)
	}
	d := NewDiagnoser(loadCaptureConfigs(t, c))
	feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
	for _, r := range results {
		d.AddProbe(r)
	}
	rep := d.Report()
	if len(rep.Verdicts) != 1 || rep.Verdicts[0].Cause != FPMDown {
		t.Fatalf("verdicts = %v", causes(rep))
	}
	v := rep.Verdicts[0]
	if !slices.ContainsFunc(v.Notes, func(n string) bool { return strings.Contains(n, "absent at the time of the probe") }) {
		t.Errorf("notes = %v", v.Notes)
	}
	if probe.Errno(results[0].DialErr) != 0 || results[0].PingErr != nil {
		t.Errorf("probe = %+v", results[0])
	}
}

// TestProbeLookupRealServers looks up, through nginx's own resolver, the
// name that `set $backend NAME; proxy_pass http://$backend;` resolves per
// request, while the servers of the scenario run: a DNS responder of the
// test that says NXDOMAIN (dns_nxdomain), and a resolver address where
// nothing listens (resolver_unreachable).
func TestProbeLookupRealServers(t *testing.T) {
	for _, tc := range []struct {
		scenario string
		want     Code
	}{
		{"dns_nxdomain", DNSNXDomain},
		{"resolver_unreachable", ResolverUnreachable},
	} {
		t.Run(tc.scenario, func(t *testing.T) {
			t.Parallel()
			sc := scenarioNamed(t, tc.scenario)
			var plan *ProbePlan
			var outs []ProbeOutcome
			var res []*probe.DNSResult
			var errs []error
			sc.After = append(sc.After, func(ctx context.Context, e *realserver.Env) error {
				n, _ := nginxconf.Load(e.NginxConf, nil)
				f, _ := fpmconf.Load(e.FPMConf, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
				plan = PlanProbes(n, f)
				p := probe.Prober{Timeout: 2 * time.Second}
				for _, l := range plan.Lookups {
					r, err := p.Resolve(ctx, l.Name, l.Server)
					res, errs = append(res, r), append(errs, err)
					outs = append(outs, ClassifyLookup(l, r, err))
				}
				return nil
			})
			c := realserver.Run(t, sc)
			if len(plan.Lookups) != 1 || plan.Lookups[0].Name != "backend.example.internal" || plan.Lookups[0].Pos.Line == 0 {
				t.Fatalf("lookups = %+v", plan.Lookups)
			}
			o := outs[0]
			t.Logf("%s → %v", o.Saw, o.Candidates)
			if o.Cause() != tc.want {
				t.Fatalf("lookup cause = %s (%v), want %s", o.Cause(), errs[0], tc.want)
			}
			d := NewDiagnoser(loadCaptureConfigs(t, c))
			feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
			d.AddLookup(plan.Lookups[0], res[0], errs[0])
			rep := d.Report()
			if len(rep.Verdicts) == 0 || rep.Verdicts[0].Cause != tc.want {
				t.Fatalf("verdicts = %v", causes(rep))
			}
			if ev := probeEvidence(&o); !slices.Contains(rep.Verdicts[0].Related, ev) {
				t.Errorf("no lookup evidence in %+v", rep.Verdicts[0].Related)
			}
			// Without the logs, the lookup is its own verdict.
			d2 := NewDiagnoser(nil)
			d2.AddLookup(plan.Lookups[0], res[0], errs[0])
			r2 := d2.Report()
			if len(r2.Verdicts) != 1 || r2.Verdicts[0].Cause != tc.want || len(r2.Verdicts[0].Upstreams) != 0 ||
				r2.Verdicts[0].Evidence[0].Pos != plan.Lookups[0].Pos {
				t.Errorf("lookup alone: %+v", r2.Verdicts)
			}
		})
	}
}

// TestProbeListenQueueFull fills a static pool of one child and its unix
// socket's listen queue (listen.backlog = 1: the kernel queues two
// connections) with slow requests through nginx, then probes: connect(2)
// to the pool's socket fails at once with EAGAIN, while pm.status_listen
// answers.
func TestProbeListenQueueFull(t *testing.T) {
	t.Parallel()
	var results []*probe.Result
	anyStatus := []int{200, 502, 504}
	sc := realserver.Scenario{
		Name: "probe_queue_full",
		Nginx: `{{define "location"}}            fastcgi_read_timeout 10s;
{{end}}`,
		FPM: `{{define "pm"}}pm = static
pm.max_children = 1{{end}}{{define "pool"}}listen.backlog = 1
pm.status_path = /status
pm.status_listen = {{.Dir}}/status.sock{{end}}`,
		Scripts: map[string]string{
			"slow.php": "<?php file_put_contents(__DIR__ . '/busy', getmypid()); sleep(1); echo \"done\\n\";\n",
			"ok.txt":   "static\n",
		},
		Requests: []realserver.Request{
			{Path: "/slow.php?1", Status: 200, Or: anyStatus, Async: true},
			{Path: "/slow.php?2", Status: 200, Or: anyStatus, Async: true, Before: realserver.WaitFile("busy")},
			{Path: "/slow.php?3", Status: 200, Or: anyStatus, Async: true, Before: realserver.Sleep(50 * time.Millisecond)},
			{Path: "/ok.txt", Status: 200, Before: realserver.Seq(realserver.Sleep(200*time.Millisecond), probeNow(&results, 500*time.Millisecond))},
		},
	}
	realserver.Run(t, sc)
	outs := ClassifyProbes(results, nil)
	var pool *ProbeOutcome
	for i := range outs {
		t.Logf("%s → %v", outs[i].Saw, outs[i].Candidates)
		if !outs[i].StatusListen {
			pool = &outs[i]
		}
	}
	if pool == nil {
		t.Fatalf("outcomes = %+v", outs)
	}
	var r *probe.Result
	for _, x := range results {
		if x.Target.Address == pool.Target.Address {
			r = x
		}
	}
	if probe.Errno(r.DialErr) != syscall.EAGAIN {
		t.Fatalf("dial = %v, want EAGAIN", r.DialErr)
	}
	if pool.Cause() != FPMMaxChildren || pool.Candidates[0].Confidence != 0.9 || !strings.Contains(pool.Saw, "EAGAIN") {
		t.Errorf("pool outcome = %+v", pool)
	}
}
