package classify

import (
	"slices"
	"testing"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/nginxconf"
)

// withConfigs says what the error log plus the configs the servers ran
// with must give, where the configs decide more than the log alone: the
// top verdict and the check whose finding that verdict must link. Every
// other scenario must keep its nginx-log-only top verdict.
var withConfigs = map[string]struct {
	top   Code
	check string // "" = no finding expected on the verdict
}{
	"fpm_down_unix":                     {FPMDown, ""},
	"fpm_down_tcp":                      {FPMDown, ""},
	"fpm_stale_socket":                  {FPMStaleSocket, ""},
	"listen_mismatch":                   {ListenMismatch, "BG1001"},
	"socket_permission":                 {SocketPermission, "BG1003"},
	"fpm_allowed_clients":               {FPMAllowedClient, "BG1004"},
	"fpm_allowed_clients_quiet":         {FPMAllowedClient, "BG1004"},
	"protocol_mismatch_http_to_fastcgi": {ProtocolMismatch, "BG1005"},
	"protocol_mismatch_fastcgi_to_http": {ProtocolMismatch, "BG1005"},
	"tls_mismatch":                      {TLSMismatch, "BG1006"},
	"upstream_keepalive_closed":         {UpstreamKeepaliveClosed, ""},
	"header_too_big":                    {HeaderTooBig, "BG3004"},
	"resolver_missing":                  {ResolverMissing, "BG3002"},
	"fpm_config_invalid":                {FPMDown, "BG2004"},
	"proxy_pass_uri_rewrite":            {ProxyPassURIRewrite, "BG3003"},
	"fpm_request_terminate":             {FPMRequestTerminate, "BG2001"},
}

// ruledOut lists the causes the configs make impossible where the log
// alone cannot tell: the base pool sets no request_terminate_timeout and
// listens on a unix socket (no listen.allowed_clients check).
var ruledOut = map[string][]Code{
	"fpm_worker_crash":  {FPMRequestTerminate, FPMAllowedClient},
	"fpm_worker_killed": {FPMRequestTerminate, FPMAllowedClient},
	"fpm_reload":        {FPMRequestTerminate, FPMAllowedClient},
}

// loadCaptureConfigs loads the nginx.conf, php-fpm.conf and php.ini a
// capture's servers ran with.
func loadCaptureConfigs(t *testing.T, c *realserver.Capture) *Options {
	t.Helper()
	opts := &Options{}
	opts.Nginx, _ = nginxconf.Parse(c.NginxConf.Path, c.NginxConf.Data, nil)
	for _, p := range opts.Nginx.Problems {
		t.Errorf("nginx.conf: %v", p)
	}
	if c.FPMConf.Path != "" {
		opts.FPM, _ = fpmconf.Load(c.FPMConf.Path, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	}
	if c.PHPIni.Path != "" {
		opts.PHPIni, _ = fpmconf.LoadPHPIni(c.PHPIni.Path, nil)
	}
	return opts
}

func checkWithConfigs(t *testing.T, name string, c *realserver.Capture) {
	t.Helper()
	opts := loadCaptureConfigs(t, c)
	r := diagnoseWith(t, c, opts)
	exp, ok := withConfigs[name]
	if !ok {
		nginxOnly, ok := nginxLogOnly[name]
		if !ok || nginxOnly.none {
			return
		}
		if len(r.Verdicts) == 0 {
			t.Fatalf("no verdict with configs")
		}
		top := r.Verdicts[0]
		if nginxOnly.alt == "" {
			if top.Cause != nginxOnly.top {
				t.Errorf("with configs the top verdict is %v, want the log-only %s", causes(r), nginxOnly.top)
			}
			return
		}
		// The record alone cannot decide; the configs may rule candidates
		// out (no request_terminate_timeout, no allowed_clients) but the
		// real cause must stay the verdict or one of its alternatives.
		var alts []Code
		for _, a := range top.Alternatives {
			alts = append(alts, a.Cause)
		}
		if top.Cause != nginxOnly.alt && !slices.Contains(alts, nginxOnly.alt) {
			t.Errorf("with configs: verdict %s, alternatives %v; the real cause %s is lost", top.Cause, alts, nginxOnly.alt)
		}
		for _, c := range ruledOut[name] {
			if top.Cause == c || slices.Contains(alts, c) {
				t.Errorf("with configs %s is still a candidate (%s, alternatives %v); the pool's config rules it out", c, top.Cause, alts)
			}
		}
		return
	}
	if len(r.Verdicts) == 0 {
		t.Fatalf("no verdict with configs")
	}
	top := r.Verdicts[0]
	if top.Cause != exp.top {
		t.Errorf("top verdict with configs %s, want %s; all: %v", top.Cause, exp.top, causes(r))
	}
	if exp.check == "" {
		return
	}
	var codes []string
	for _, f := range top.Findings {
		codes = append(codes, f.Check)
		if !f.Pos.IsValid() {
			t.Errorf("finding %s has no position", f.Check)
		}
	}
	if !slices.Contains(codes, exp.check) {
		t.Errorf("verdict %s links findings %v, want %s; all findings: %v", top.Cause, codes, exp.check, r.Findings)
	}
}

func diagnoseWith(t *testing.T, c *realserver.Capture, opts *Options) *Report {
	t.Helper()
	d := NewDiagnoser(opts)
	feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
	return d.Report()
}

// TestGoldenIncidentsWithConfigs diagnoses every committed capture with
// the configs its servers ran with.
func TestGoldenIncidentsWithConfigs(t *testing.T) {
	for _, sc := range append(realserver.Scenarios(), realserver.ConfigScenarios()...) {
		t.Run(sc.Name, func(t *testing.T) {
			c, err := realserver.Load(realserver.IncidentDir(sc.Name))
			if err != nil {
				t.Skipf("no golden capture: %v", err)
			}
			checkWithConfigs(t, sc.Name, c)
		})
	}
	for name := range withConfigs {
		if _, err := realserver.Load(realserver.IncidentDir(name)); err != nil {
			t.Errorf("expectation %s has no golden capture: %v", name, err)
		}
	}
}
