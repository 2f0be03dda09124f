package main

import (
	"encoding/json"
	"strings"
	"testing"
)

// A real incident: nginx passes to php8.1-fpm.sock, the pool listens on
// php-fpm.sock (testdata/incidents/listen_mismatch, captured from nginx
// 1.22.1 and php-fpm 8.2).
const mismatch = "../../testdata/incidents/listen_mismatch/"

func mismatchArgs(extra ...string) []string {
	return append([]string{"-tz", "UTC", "-error-log", mismatch + "nginx-error.log",
		"-nginx-conf", mismatch + "nginx.conf", "-fpm-conf", mismatch + "php-fpm.conf", "-php-ini", mismatch + "php.ini"}, extra...)
}

// TestFindingsText: with the configs, the ENOENT is listen_mismatch (not
// fpm_down), the verdict names the finding, and the finding shows both
// configs' lines and a fix.
func TestFindingsText(t *testing.T) {
	code, out, errs := runCmd(t, "", mismatchArgs()...)
	if code != 0 {
		t.Fatalf("exit %d, stderr %q\n%s", code, errs, out)
	}
	first := strings.Index(out, "1. ")
	if first < 0 || !strings.HasPrefix(out[first:], "1. listen_mismatch") {
		t.Errorf("first verdict is not listen_mismatch:\n%s", out)
	}
	for _, want := range []string{
		"explained by the config: BG1001 fastcgi_pass_listen at ",
		"listen_mismatch/nginx.conf:54:13: error BG1001",
		"Config findings (",
		"see " + mismatch + "php-fpm.conf:10",
		"fix: set `fastcgi_pass unix:",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
}

// TestFindingsJSON: the JSON report carries the findings and the verdict's.
func TestFindingsJSON(t *testing.T) {
	code, out, _ := runCmd(t, "", mismatchArgs("-format", "json")...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	type finding struct {
		Check string `json:"check"`
		Cause string `json:"cause"`
		Pos   struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"pos"`
		Related []struct {
			Pos struct {
				File string `json:"file"`
				Line int    `json:"line"`
			} `json:"pos"`
		} `json:"related"`
	}
	var doc struct {
		Verdicts []struct {
			Cause    string    `json:"cause"`
			Findings []finding `json:"findings"`
		} `json:"verdicts"`
		Findings []finding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Verdicts) == 0 || doc.Verdicts[0].Cause != "listen_mismatch" || len(doc.Verdicts[0].Findings) == 0 {
		t.Fatalf("verdicts %+v", doc.Verdicts)
	}
	f := doc.Verdicts[0].Findings[0]
	if f.Check != "BG1001" || f.Pos.Line != 54 || len(f.Related) == 0 || !strings.HasSuffix(f.Related[0].Pos.File, "php-fpm.conf") || f.Related[0].Pos.Line != 10 {
		t.Errorf("finding %+v, want BG1001 at nginx.conf:54 with php-fpm.conf:10", f)
	}
	if len(doc.Findings) == 0 {
		t.Error("no findings in the report")
	}
}

// TestSARIFFormat: -format sarif prints a SARIF 2.1.0 log whose result
// points at both files (the full schema check is classify's TestSARIFSchema).
func TestSARIFFormat(t *testing.T) {
	code, out, _ := runCmd(t, "", mismatchArgs("-format", "sarif")...)
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
				RelatedLocations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"relatedLocations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if doc.Version != "2.1.0" || len(doc.Runs) != 1 {
		t.Fatalf("version %q, %d runs", doc.Version, len(doc.Runs))
	}
	found := false
	for _, r := range doc.Runs[0].Results {
		if r.RuleID != "BG1001" {
			continue
		}
		found = true
		if r.Level != "error" || len(r.Locations) != 1 || !strings.HasSuffix(r.Locations[0].PhysicalLocation.ArtifactLocation.URI, "nginx.conf") ||
			r.Locations[0].PhysicalLocation.Region.StartLine != 54 || len(r.RelatedLocations) == 0 ||
			!strings.HasSuffix(r.RelatedLocations[0].PhysicalLocation.ArtifactLocation.URI, "php-fpm.conf") {
			t.Errorf("BG1001 result %+v", r)
		}
	}
	if !found {
		t.Errorf("no BG1001 result:\n%s", out)
	}
}

// TestFailOn: -fail-on makes findings fail the run (exit 3); findings
// below the threshold do not.
func TestFailOn(t *testing.T) {
	if code, _, _ := runCmd(t, "", mismatchArgs("-fail-on", "error")...); code != 3 {
		t.Errorf("-fail-on error: exit %d, want 3", code)
	}
	// The demo's configs give warnings only (its timeout ladder).
	demo := "../../testdata/incidents/demo/"
	args := []string{"-tz", "UTC", "-nginx-conf", demo + "nginx.conf", "-fpm-conf", demo + "php-fpm.conf", "-php-ini", demo + "php.ini"}
	if code, out, _ := runCmd(t, "", append(args, "-fail-on", "error")...); code != 0 {
		t.Errorf("demo -fail-on error: exit %d, want 0\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "", append(args, "-fail-on", "warning")...); code != 3 {
		t.Errorf("demo -fail-on warning: exit %d, want 3", code)
	}
	if code, _, errs := runCmd(t, "", "-fail-on", "fatal"); code != 2 || errs == "" {
		t.Errorf("-fail-on fatal: exit %d, stderr %q", code, errs)
	}
	if code, _, errs := runCmd(t, "", "-passwd", "/etc/passwd"); code != 2 || errs == "" {
		t.Errorf("-passwd without -group: exit %d, stderr %q", code, errs)
	}
}
