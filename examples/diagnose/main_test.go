package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/builtin.txt")

// captureLog is a real nginx 1.22.1 error log (testdata/logs/SOURCES.md).
const captureLog = "../../testdata/logs/nginx-1.22.1-capture.log"

func runCmd(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(args, strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

// TestBuiltinIncident runs the command as the README's first command does
// and compares the report with testdata/builtin.txt (-update rewrites it).
func TestBuiltinIncident(t *testing.T) {
	code, out, errs := runCmd(t, "")
	if code != 0 || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	const golden = "testdata/builtin.txt"
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), out); diff != "" {
		t.Errorf("report differs from %s (-want +got):\n%s", golden, diff)
	}
	if !strings.Contains(out, "-error-log") {
		t.Error("the built-in report does not say how to point the command at your own logs")
	}
}

// TestBuiltinJSON checks the JSON output of the built-in incident.
func TestBuiltinJSON(t *testing.T) {
	code, out, _ := runCmd(t, "", "-format", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	var doc struct {
		Verdicts []struct {
			Cause    string `json:"cause"`
			Count    int    `json:"count"`
			Evidence []struct {
				File string `json:"file"`
				Line int    `json:"line"`
				Text string `json:"text"`
			} `json:"evidence"`
		} `json:"verdicts"`
		Problems []json.RawMessage `json:"problems"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(doc.Verdicts) == 0 {
		t.Fatal("no verdicts for the built-in incident")
	}
	for _, v := range doc.Verdicts {
		if v.Count == 0 || len(v.Evidence) == 0 || v.Evidence[0].Line == 0 || v.Evidence[0].Text == "" {
			t.Errorf("verdict %s without count or evidence: %+v", v.Cause, v)
		}
	}
}

// TestInputs reads the same real log as a file, as a gzip rotation whose
// name does not end in .gz, and from stdin: the reports agree.
func TestInputs(t *testing.T) {
	raw, err := os.ReadFile(captureLog)
	if err != nil {
		t.Fatal(err)
	}
	gz := filepath.Join(t.TempDir(), "error.log.1")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(raw)
	zw.Close()
	if err := os.WriteFile(gz, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	causes := func(out string) []string {
		var doc struct {
			Verdicts []struct {
				Cause string `json:"cause"`
				Count int    `json:"count"`
			} `json:"verdicts"`
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		var s []string
		for _, v := range doc.Verdicts {
			s = append(s, v.Cause)
		}
		return s
	}
	code, plain, _ := runCmd(t, "", "-format", "json", "-tz", "UTC", "-error-log", captureLog)
	if code != 0 {
		t.Fatalf("plain: exit %d", code)
	}
	code, zipped, _ := runCmd(t, "", "-format", "json", "-tz", "UTC", "-error-log", gz)
	if code != 0 {
		t.Fatalf("gzip: exit %d", code)
	}
	code, stdin, _ := runCmd(t, string(raw), "-format", "json", "-tz", "UTC", "-error-log", "-")
	if code != 0 {
		t.Fatalf("stdin: exit %d", code)
	}
	want := causes(plain)
	if len(want) == 0 {
		t.Fatal("no verdicts from the capture")
	}
	if diff := cmp.Diff(want, causes(zipped)); diff != "" {
		t.Errorf("gzip (-plain +gzip):\n%s", diff)
	}
	if diff := cmp.Diff(want, causes(stdin)); diff != "" {
		t.Errorf("stdin (-plain +stdin):\n%s", diff)
	}
}

// TestMissingFile: an unreadable input is a problem in the report and exit
// status 1, and the other inputs are still diagnosed.
func TestMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nope.log")
	code, out, _ := runCmd(t, "", "-tz", "UTC", "-error-log", missing, "-error-log", captureLog)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.Contains(out, missing) || !strings.Contains(out, "header_too_big") {
		t.Errorf("report should name the missing file and still diagnose the other:\n%s", out)
	}
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{"-format", "xml"},
		{"-tz", "Not/AZone"},
		{"-no-such-flag"},
		{"stray-argument"},
	} {
		if code, _, errs := runCmd(t, "", args...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, stderr %q; want 2 and a message", args, code, errs)
		}
	}
	if code, _, _ := runCmd(t, "", "-h"); code != 0 {
		t.Errorf("-h: exit %d, want 0", code)
	}
}

// TestIncidentIsGolden keeps the embedded incident identical to the golden
// capture it was copied from.
func TestIncidentIsGolden(t *testing.T) {
	names := []string{"nginx.conf"}
	for _, f := range incidentFiles {
		names = append(names, f.name)
	}
	for _, name := range names {
		golden, err := os.ReadFile("../../testdata/incidents/demo/" + name)
		if err != nil {
			t.Fatal(err)
		}
		embedded, err := incident.ReadFile("incident/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(golden, embedded) {
			t.Errorf("incident/%s differs from testdata/incidents/demo/%s: copy it again", name, name)
		}
	}
}

// TestConfigs: -nginx-conf, -fpm-conf and -php-ini are read and their
// problems shown with file:line; the captured configs of the demo load clean.
func TestConfigs(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(bad, []byte("events {}\nhttp {\n    server { listen 80; }\n}\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	badPool := filepath.Join(dir, "www.conf")
	if err := os.WriteFile(badPool, []byte("[www]\nlisten = /run/php.sock\npm = dynamic\npm.max_children = 5\npm.start_servers = 10\npm.min_spare_servers = 1\npm.max_spare_servers = 3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "", "-nginx-conf", bad, "-fpm-conf", badPool)
	if code != 0 {
		t.Errorf("exit %d, want 0 (the files were read)", code)
	}
	for _, want := range []string{bad + ":5", badPool + ":", "pm.start_servers(10)"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "built-in incident") {
		t.Error("configs given, but the built-in incident was diagnosed")
	}

	demo := "../../testdata/incidents/demo/"
	code, out, _ = runCmd(t, "", "-nginx-conf", demo+"nginx.conf", "-php-ini", demo+"php.ini")
	if code != 0 || strings.Contains(out, "Problems reading") {
		t.Errorf("demo configs: exit %d\n%s", code, out)
	}
}

// TestAllLogs reads every log of a real capture through the flags: php-fpm's
// log decides the resets, the access log is read with the config's format.
func TestAllLogs(t *testing.T) {
	demo := "../../testdata/incidents/demo/"
	args := []string{"-format", "json", "-tz", "UTC", "-nginx-conf", demo + "nginx.conf",
		"-fpm-log", demo + "php-fpm.log", "-slow-log", demo + "php-fpm-slow.log",
		"-error-log", demo + "nginx-error.log", "-access-log", demo + "nginx-access.log"}
	code, out, errs := runCmd(t, "", args...)
	if code != 0 && code != 3 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var doc struct {
		Verdicts []struct {
			Cause      string  `json:"cause"`
			Confidence float64 `json:"confidence"`
			Related    []struct {
				File string `json:"file"`
			} `json:"related"`
		} `json:"verdicts"`
		FPM      int `json:"fpm_records"`
		Slow     int `json:"slow_records"`
		Access   int `json:"access_records"`
		Timeline []struct {
			Counts map[string]int `json:"counts"`
		} `json:"timeline"`
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if doc.FPM == 0 || doc.Slow == 0 || doc.Access != 18 || len(doc.Timeline) == 0 {
		t.Errorf("fpm %d, slow %d, access %d records, %d minutes; want all read (18 access records)", doc.FPM, doc.Slow, doc.Access, len(doc.Timeline))
	}
	if len(doc.Verdicts) == 0 || doc.Verdicts[0].Cause != "fpm_request_terminate" || doc.Verdicts[0].Confidence < 0.8 ||
		len(doc.Verdicts[0].Related) == 0 || doc.Verdicts[0].Related[0].File != demo+"php-fpm.log" {
		t.Errorf("top verdict %+v, want fpm_request_terminate decided by php-fpm's log", doc.Verdicts)
	}

	// -since after the incident: every record is skipped.
	code, out, _ = runCmd(t, "", append(args, "-since", "2030-01-01 00:00")...)
	if code != 0 && code != 3 || !strings.Contains(out, `"verdicts":[]`) {
		t.Errorf("-since 2030: exit %d, %s", code, out[:min(len(out), 300)])
	}
	// -until before the incident: likewise.
	code, out, _ = runCmd(t, "", append(args, "-until", "2020-01-01T00:00:00Z")...)
	if code != 0 && code != 3 || !strings.Contains(out, `"verdicts":[]`) {
		t.Errorf("-until 2020: exit %d", code)
	}
	for _, bad := range [][]string{
		{"-access-log", demo + "nginx-access.log", "-access-format", "nope", "-nginx-conf", demo + "nginx.conf"},
		{"-access-log", demo + "nginx-access.log", "-access-format", "upstreaminfo"}, // no config defines it
		{"-since", "yesterday"},
	} {
		if code, _, errs := runCmd(t, "", bad...); code != 2 || errs == "" {
			t.Errorf("%v: exit %d, want 2 with a message", bad, code)
		}
	}
}
