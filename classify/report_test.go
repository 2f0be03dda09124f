package classify

import (
	"bufio"
	"encoding/json"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/badgateway/badgateway/logparse"
	"github.com/google/go-cmp/cmp"
)

// captureLog is a real nginx 1.22.1 error log (testdata/logs/SOURCES.md).
const captureLog = "../testdata/logs/nginx-1.22.1-capture.log"

// readLog parses a whole error log with the given reuse mode.
func readLog(t *testing.T, path string, reuse bool) *Diagnoser {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d := NewDiagnoser(nil)
	for e, err := range logparse.NewErrorReader(f, logparse.ErrorReaderOptions{File: path, ReuseRecord: reuse}).All() {
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		d.AddError(&e)
	}
	return d
}

// TestDiagnoseCapture diagnoses a real error log in which every failure
// was provoked on purpose (one request each, see testdata/logs/capture.sh)
// and checks the verdicts against what was provoked.
func TestDiagnoseCapture(t *testing.T) {
	r := readLog(t, captureLog, false).Report()
	type row struct {
		Cause  Code
		Count  int
		Status int
	}
	var got []row
	for _, v := range r.Verdicts {
		got = append(got, row{v.Cause, v.Count, v.Status})
	}
	// Order is the ranking; what each line of the capture provoked:
	want := []row{
		{ResolverUnreachable, 3, 502}, // resolver on a closed port: 2 send() failures + the request's "could not be resolved (110"
		{BackendDown, 3, 502},         // proxy_pass and an upstream{} group to a closed port
		{HeaderTooBig, 1, 502},        // 8 KiB header, small fastcgi_buffer_size
		{ResolverMissing, 1, 502},     // variable proxy_pass, no resolver
		{NginxWorkerCrash, 1, 0},      // worker killed with SIGSEGV
		{UpstreamReadTimeout, 1, 504}, // fastcgi_read_timeout 1s, script sleeps
		{FPMDown, 1, 502},             // fastcgi_pass to a missing unix socket
		{FPMDown, 1, 502},             // fastcgi_pass to a closed TCP port
		{RewriteCycle, 1, 500},
		{PHPFatalError, 1, 500},
		{PrimaryScriptUnknown, 1, 404},
		{FPMRequestTerminate, 1, 502}, // request_terminate_timeout on a TCP pool
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("verdicts (-want +got):\n%s", diff)
	}
	if r.Records != 73 {
		t.Errorf("Records = %d, want 73", r.Records)
	}
	if r.Unmatched != 0 {
		t.Errorf("Unmatched = %d, want 0", r.Unmatched)
	}
	// Every piece of evidence is the record at its position.
	lines := fileLines(t, captureLog)
	for _, v := range r.Verdicts {
		for _, ev := range v.Evidence {
			if ev.Pos.File != captureLog || ev.Pos.Line < 1 || ev.Pos.Line > len(lines) {
				t.Errorf("%s: evidence at %s outside the file", v.Cause, ev.Pos)
				continue
			}
			first, _, _ := strings.Cut(ev.Text, "\n")
			if lines[ev.Pos.Line-1] != first {
				t.Errorf("%s: evidence %s is %q, the file has %q", v.Cause, ev.Pos, first, lines[ev.Pos.Line-1])
			}
		}
	}
}

func fileLines(t *testing.T, path string) []string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		lines = append(lines, strings.TrimSuffix(sc.Text(), "\r"))
	}
	return lines
}

// TestDiagnoseReuse checks that a Diagnoser keeps nothing that points into
// a reused record buffer: the report is the same with and without reuse.
func TestDiagnoseReuse(t *testing.T) {
	a, err := json.Marshal(readLog(t, captureLog, false).Report())
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(readLog(t, captureLog, true).Report())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(a), string(b)); diff != "" {
		t.Errorf("report differs with ReuseRecord (-copy +reuse):\n%s", diff)
	}
}

// TestDiagnoserBounds feeds one record many times: the count grows, the
// evidence stays bounded (the first MaxEvidence-1 and the last).
func TestDiagnoserBounds(t *testing.T) {
	line := firstLineContaining(t, captureLog, "upstream sent too big header")
	d := NewDiagnoser(&Options{MaxEvidence: 3})
	const n = 1000
	base := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
	for i := range n {
		e, err := logparse.ParseErrorLine([]byte(line))
		if err != nil {
			t.Fatal(err)
		}
		e.Pos.Line = i + 1
		e.Time = base.Add(time.Duration(i) * time.Second)
		d.AddError(&e)
	}
	r := d.Report()
	if len(r.Verdicts) != 1 {
		t.Fatalf("got %d verdicts, want 1", len(r.Verdicts))
	}
	v := r.Verdicts[0]
	var lines []int
	for _, ev := range v.Evidence {
		lines = append(lines, ev.Pos.Line)
	}
	if diff := cmp.Diff([]int{1, 2, n}, lines); diff != "" {
		t.Errorf("evidence lines (-want +got):\n%s", diff)
	}
	if v.Count != n || !v.First.Equal(base) || !v.Last.Equal(base.Add((n-1)*time.Second)) {
		t.Errorf("count %d first %v last %v", v.Count, v.First, v.Last)
	}
}

func firstLineContaining(t *testing.T, path, s string) string {
	t.Helper()
	for _, l := range fileLines(t, path) {
		if strings.Contains(l, s) {
			return l
		}
	}
	t.Fatalf("%s has no line containing %q", path, s)
	return ""
}

// TestReportJSON checks the JSON field names the diagnose command
// promises.
func TestReportJSON(t *testing.T) {
	b, err := json.Marshal(readLog(t, captureLog, false).Report())
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Verdicts []map[string]json.RawMessage `json:"verdicts"`
		Problems []json.RawMessage            `json:"problems"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Verdicts) == 0 || doc.Problems == nil {
		t.Fatalf("no verdicts or no problems array: %s", b)
	}
	for _, k := range []string{"cause", "title", "status", "confidence", "count", "first", "last", "upstreams", "evidence", "alternatives", "remediation"} {
		if _, ok := doc.Verdicts[0][k]; !ok {
			t.Errorf("verdict has no %q: %s", k, b)
		}
	}
	var ev []map[string]any
	if err := json.Unmarshal(doc.Verdicts[0]["evidence"], &ev); err != nil || len(ev) == 0 {
		t.Fatalf("evidence: %v %s", err, doc.Verdicts[0]["evidence"])
	}
	for _, k := range []string{"file", "line", "text"} {
		if _, ok := ev[0][k]; !ok {
			t.Errorf("evidence has no %q", k)
		}
	}
}
