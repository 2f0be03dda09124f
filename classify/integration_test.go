package classify

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/logparse"
)

// nginxLogOnly says what the nginx error log alone must lead to for each
// scenario of internal/realserver, whose Cause field names the real cause.
//
//   - top: the first verdict (the most likely root cause).
//   - alt: the real cause, when a single nginx record cannot tell it from
//     its siblings (a 104 reset on FastCGI: request_terminate, crash, kill,
//     reload and allowed_clients all look the same to nginx): it must be
//     one of the top verdict's alternatives, and the verdict must say what
//     decides.
//   - needs: the real cause shows only in another input (php-fpm's log, the
//     access log); the nginx log gives top, which is what nginx saw.
type nginxExpect struct {
	top   Code
	alt   Code
	needs string
	// none: the error log holds nothing to diagnose.
	none bool
	// because explains a top verdict that deliberately differs from the
	// scenario's label: the label names the symptom, the verdict the root
	// cause that more than one record shows (with high confidence).
	because string
}

var nginxLogOnly = map[string]nginxExpect{
	"fpm_down_unix":             {top: FPMDown},
	"fpm_down_tcp":              {top: FPMDown},
	"fpm_stale_socket":          {top: FPMStaleSocket},
	"socket_permission":         {top: SocketPermission},
	"fpm_request_terminate":     {top: FPMRequestTerminate},
	"fpm_request_terminate_tcp": {top: FPMRequestTerminate},
	"upstream_read_timeout":     {top: UpstreamReadTimeout},
	"header_too_big":            {top: HeaderTooBig},
	// The group's peers failed first (fpm_down), then no live upstreams:
	// checked apart in checkNoLive.
	"no_live_upstreams":         {top: FPMDown},
	"fpm_worker_crash":          {top: FPMRequestTerminate, alt: FPMWorkerCrash},
	"fpm_worker_killed":         {top: FPMRequestTerminate, alt: FPMWorkerKilled},
	"fpm_reload":                {top: FPMRequestTerminate, alt: FPMReload},
	"fpm_allowed_clients":       {top: FPMRequestTerminate, alt: FPMAllowedClient},
	"fpm_allowed_clients_quiet": {top: FPMRequestTerminate, alt: FPMAllowedClient},
	"primary_script_unknown":    {top: PrimaryScriptUnknown},
	"php_fatal_error":           {top: PHPFatalError},
	"php_memory_limit":          {top: PHPFatalError},
	"client_closed_request":     {top: ClientClosedRequest},
	// unix socket, backlog 1: connect() fails with EAGAIN (11) → decided.
	"fpm_max_children_static": {top: FPMMaxChildren},
	// TCP-like queueing on a unix socket with a large backlog: the requests
	// wait and nginx's read timeout fires; only php-fpm's log tells.
	"fpm_max_children_dynamic":  {top: UpstreamReadTimeout, alt: FPMMaxChildren},
	"fpm_max_children_ondemand": {top: UpstreamReadTimeout, alt: FPMMaxChildren},
	// pm = static, one child, listen.backlog = 1 on TCP: the first
	// requests queue and time out reading, later SYNs are dropped and time
	// out connecting. Both on one pool at once: merged into fpm_max_children,
	// the pool saturation that made the connect timeout fire.
	"upstream_connect_timeout": {top: FPMMaxChildren, alt: UpstreamConnectTimout,
		because: "the connect timeouts come from a saturated pool (pm = static, one child, listen.backlog = 1)"},
	"protocol_mismatch_fastcgi_to_http": {top: ProtocolMismatch},
	// proxy_pass to php-fpm: php-fpm drops the connection, nginx logs a
	// premature close or reset; the configs (issue 5) decide.
	"protocol_mismatch_http_to_fastcgi": {top: UpstreamReset, alt: ProtocolMismatch},
	"script_permission_denied":          {top: ScriptPermission},
	"security_limit_extensions":         {top: SecurityLimitExt},
	"php_max_execution_time":            {top: PHPMaxExecutionTime},
	// max_execution_time counts CPU time: a sleeping script succeeds.
	"php_max_execution_time_sleep": {none: true},
	"nginx_worker_connections":     {top: NginxWorkerConnections},
	"tls_mismatch":                 {top: TLSMismatch},
	"resolver_unreachable":         {top: ResolverUnreachable},
	"resolver_missing":             {top: ResolverMissing},
	"upstream_truncated_body":      {top: UpstreamTruncatedBody},
	"upstream_prematurely_closed":  {top: UpstreamPrematurelyClosed},
	// The error log shows premature closes; the access log's `502, 200`
	// or the upstream's keepalive in the config tell (issues 5, 6).
	"upstream_keepalive_closed": {top: UpstreamPrematurelyClosed, alt: UpstreamKeepaliveClosed},
	"fpm_config_invalid":        {top: FPMDown, needs: "php-fpm's log: `FPM initialization failed`"},
	// php-fpm runs, but on another socket: the configs decide (issue 5).
	"listen_mismatch":         {top: FPMDown, alt: ListenMismatch},
	"backend_down":            {top: BackendDown},
	"upstream_partially_down": {top: BackendDown, needs: "the access log: $upstream_status `502, 200`"},
	// The backend (another server{} of the same nginx) logs the rewritten
	// path's 404; the proxy_pass URI part shows only in the config.
	"proxy_pass_uri_rewrite":  {none: true, needs: "the nginx config: proxy_pass with a URI part"},
	"upstream_send_timeout":   {top: UpstreamSendTimeout},
	"upstream_invalid_header": {top: UpstreamInvalidHeader},
	"nginx_fd_limit":          {top: NginxFDLimit},
	"upstream_tls_verify":     {top: UpstreamTLSVerify},
	"upstream_tls_protocol":   {top: UpstreamTLSProtocol},
	"dns_nxdomain":            {top: DNSNXDomain},
	// A control: a slow request logged by the slow log, answered 200.
	"fpm_slowlog":     {none: true},
	"fpm_bind_failed": {top: UpstreamReadTimeout, needs: "php-fpm's log: `unable to bind listening socket`"},
	"app_502":         {none: true, needs: "the access log: $upstream_status 502 with no error line"},
}

// diagnoseCapture diagnoses the nginx error log of a capture.
func diagnoseCapture(t *testing.T, log []byte, name string) *Report {
	t.Helper()
	d := NewDiagnoser(nil)
	r := logparse.NewErrorReader(bytes.NewReader(log), logparse.ErrorReaderOptions{File: name, Location: time.UTC})
	for e, err := range r.All() {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		d.AddError(&e)
	}
	return d.Report()
}

func checkNginxOnly(t *testing.T, sc realserver.Scenario, r *Report) {
	t.Helper()
	exp, ok := nginxLogOnly[sc.Name]
	if !ok {
		t.Fatalf("scenario %q has no expectation in nginxLogOnly", sc.Name)
	}
	if exp.none {
		if len(r.Verdicts) != 0 {
			t.Errorf("want no verdict from the error log, got %s first", r.Verdicts[0].Cause)
		}
		return
	}
	if len(r.Verdicts) == 0 {
		t.Fatalf("no verdict (records %d, symptoms %d)", r.Records, r.Symptoms)
	}
	top := r.Verdicts[0]
	if top.Cause != exp.top {
		t.Errorf("top verdict %s, want %s; all: %v", top.Cause, exp.top, causes(r))
	}
	if exp.alt == "" && exp.needs == "" && sc.Name != "no_live_upstreams" && exp.top != Code(sc.Cause) {
		t.Errorf("expectation says the nginx log decides, but top %s is not the scenario's cause %s", exp.top, sc.Cause)
	}
	if exp.alt != "" {
		if exp.alt != Code(sc.Cause) {
			t.Errorf("expectation alt %s is not the scenario's cause %s", exp.alt, sc.Cause)
		}
		var alts []Code
		for _, a := range top.Alternatives {
			alts = append(alts, a.Cause)
		}
		if !slices.Contains(alts, exp.alt) {
			t.Errorf("real cause %s is not among the alternatives of %s: %v", exp.alt, top.Cause, alts)
		}
		if top.Alternatives[0].Decide == "" {
			t.Errorf("verdict %s has alternatives but does not say what decides", top.Cause)
		}
		if top.ConfidenceLevel() == "high" && exp.because == "" {
			t.Errorf("verdict %s is %s confidence although the record cannot decide", top.Cause, top.ConfidenceLevel())
		}
	}
	if len(top.Evidence) == 0 || top.Evidence[0].Pos.Line == 0 {
		t.Errorf("verdict %s has no positioned evidence", top.Cause)
	}
	if sc.Name == "no_live_upstreams" {
		checkNoLive(t, r)
	}
}

// checkNoLive: "no live upstreams" is found, points at the failures that
// marked the group's servers down, and ranks after them.
func checkNoLive(t *testing.T, r *Report) {
	t.Helper()
	for i, v := range r.Verdicts {
		if v.Cause != NoLiveUpstreams {
			continue
		}
		if !slices.Contains(v.RootCauses, FPMDown) || len(v.RootEvidence) == 0 {
			t.Errorf("no_live_upstreams roots = %v (%d records), want fpm_down with its record", v.RootCauses, len(v.RootEvidence))
		}
		for _, w := range r.Verdicts[i+1:] {
			if slices.Contains(v.RootCauses, w.Cause) {
				t.Errorf("no_live_upstreams ranks above its root cause %s", w.Cause)
			}
		}
		return
	}
	t.Errorf("no no_live_upstreams verdict; got %v", causes(r))
}

func causes(r *Report) []Code {
	var c []Code
	for _, v := range r.Verdicts {
		c = append(c, v.Cause)
	}
	return c
}

// TestRealServers runs every scenario with real nginx and php-fpm (skipped
// when they are missing, except under CI=true) and checks the verdict
// reached from the error log nginx wrote.
func TestRealServers(t *testing.T) {
	for _, sc := range realserver.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			c := realserver.Run(t, sc)
			checkNginxOnly(t, sc, diagnoseCapture(t, c.Log(realserver.NginxError), c.NginxErrorLog.Path))
			checkAllLogs(t, sc, c)
		})
	}
}

// TestGoldenIncidents checks the same verdicts on the committed captures
// (testdata/incidents), with no server needed.
func TestGoldenIncidents(t *testing.T) {
	for _, sc := range realserver.Scenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			c, err := realserver.Load(realserver.IncidentDir(sc.Name))
			if err != nil {
				t.Fatal(err)
			}
			checkNginxOnly(t, sc, diagnoseCapture(t, c.Log(realserver.NginxError), c.NginxErrorLog.Path))
			checkAllLogs(t, sc, c)
		})
	}
}

// checkAllLogs diagnoses every log the servers wrote (php-fpm's error and
// slow logs, nginx's error and access logs) and checks the top verdict of
// the scenarios that php-fpm's log or the access log decide (withFPMLog,
// allLogsWant).
func checkAllLogs(t *testing.T, sc realserver.Scenario, c *realserver.Capture) {
	t.Helper()
	want, ok := withFPMLog[sc.Name]
	if !ok {
		code, ok := allLogsWant[sc.Name]
		if !ok {
			return
		}
		want.top = code
	}
	r := diagnoseAll(t, c)
	if len(r.Verdicts) == 0 || r.Verdicts[0].Cause != want.top {
		t.Errorf("all logs: top verdict %v, want %s", causes(r), want.top)
	}
}

// allLogsWant: scenarios the access log decides, with every log read.
var allLogsWant = map[string]Code{
	"app_502":                   App502,
	"upstream_keepalive_closed": UpstreamKeepaliveClosed,
	"client_closed_request":     ClientClosedRequest,
}
