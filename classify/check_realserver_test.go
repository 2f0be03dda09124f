package classify

import (
	"bytes"
	"flag"
	"slices"
	"testing"
	"time"

	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/logparse"
)

var updateIncidents = flag.Bool("update-incidents", false, "rewrite testdata/incidents/cfg_* from fresh real-server runs of realserver.ConfigScenarios")

// configFinding is the check each config scenario's configs must trigger
// ("" for the controls, which must trigger none of the cross-checks).
var configFinding = map[string]string{
	"cfg_listen_unix_to_tcp":      "BG1001",
	"cfg_listen_tcp_to_unix":      "BG1001",
	"cfg_path_clean":              "",
	"cfg_allowed_clients_ok":      "",
	"cfg_proxy_pass_fastcgi_tcp":  "BG1005",
	"cfg_https_upstream_group":    "BG1006",
	"cfg_proxy_pass_double_slash": "BG3003",
}

func init() {
	for name, check := range configFinding {
		if check == "" {
			continue
		}
		sc := scenarioCause(name)
		withConfigs[name] = struct {
			top   Code
			check string
		}{sc, check}
	}
}

func scenarioCause(name string) Code {
	for _, sc := range realserver.ConfigScenarios() {
		if sc.Name == name {
			return Code(sc.Cause)
		}
	}
	return ""
}

// feed adds every record of an nginx error log to d.
func feed(t *testing.T, d *Diagnoser, log []byte, name string) {
	t.Helper()
	r := logparse.NewErrorReader(bytes.NewReader(log), logparse.ErrorReaderOptions{File: name, Location: time.UTC})
	for e, err := range r.All() {
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		d.AddError(&e)
	}
}

// checkConfigScenario asserts the finding the capture's configs give and
// the verdict configs + error log give.
func checkConfigScenario(t *testing.T, sc realserver.Scenario, c *realserver.Capture) {
	t.Helper()
	want, ok := configFinding[sc.Name]
	if !ok {
		t.Fatalf("config scenario %s has no expectation in configFinding", sc.Name)
	}
	opts := loadCaptureConfigs(t, c)
	fs := CheckWith(CheckInput{Nginx: opts.Nginx, FPM: opts.FPM, PHPIni: opts.PHPIni})
	var codes []string
	for _, f := range fs {
		codes = append(codes, f.Check)
	}
	if want == "" {
		for _, f := range fs {
			if f.Check < "BG2000" { // the cross-checks of addresses and protocols
				t.Errorf("control scenario: unexpected finding %v", f)
			}
		}
		d := NewDiagnoser(opts)
		feed(t, d, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
		if r := d.Report(); len(r.Verdicts) != 0 {
			t.Errorf("control scenario: verdicts %v", causes(r))
		}
		return
	}
	if !slices.Contains(codes, want) {
		t.Errorf("configs give findings %v, want %s", codes, want)
	}
	checkWithConfigs(t, sc.Name, c)
	// The log alone must not already say it with high confidence: else the
	// scenario would not show what the configs add.
	r := diagnoseCapture(t, c.Log(realserver.NginxError), c.NginxErrorLog.Path)
	if len(r.Verdicts) > 0 && r.Verdicts[0].Cause == Code(sc.Cause) && r.Verdicts[0].ConfidenceLevel() == "high" && sc.Cause != "tls_mismatch" {
		t.Logf("note: the log alone already gives %s with high confidence", sc.Cause)
	}
}

// TestConfigScenarios runs realserver.ConfigScenarios with real nginx and
// php-fpm (skipped without them, except under CI=true) and checks the
// finding and the verdict; -update-incidents rewrites their captures.
func TestConfigScenarios(t *testing.T) {
	for _, sc := range realserver.ConfigScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			t.Parallel()
			c := realserver.Run(t, sc)
			if t.Failed() {
				t.Logf("nginx-error.log:\n%s\nphp-fpm.log:\n%s", c.NginxErrorLog.Data, c.FPMLog.Data)
				return
			}
			checkConfigScenario(t, sc, c)
			if *updateIncidents && !t.Failed() {
				if err := c.WriteDir(realserver.IncidentDir(sc.Name)); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// TestConfigScenarioGoldens checks the same on the committed captures.
func TestConfigScenarioGoldens(t *testing.T) {
	for _, sc := range realserver.ConfigScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			c, err := realserver.Load(realserver.IncidentDir(sc.Name))
			if err != nil {
				t.Fatalf("%v (run go test ./classify -run TestConfigScenarios -update-incidents)", err)
			}
			if err := c.Check(sc.Want); err != nil {
				t.Error(err)
			}
			checkConfigScenario(t, sc, c)
		})
	}
}
