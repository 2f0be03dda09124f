package logparse

import (
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// phpSrcLine fills a php-src run-tests template line: "%s" of a time stamp
// with a time php-fpm 8.2 wrote (testdata/logs/php-fpm-8.2-capture.log),
// "%d" with a pid.
func phpSrcLines(t *testing.T, name, timeStamp string) []string {
	t.Helper()
	b, err := os.ReadFile("../testdata/logs/corpus/php-src-fpm-tests/" + name)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.Lines(string(b)) {
		l = strings.ReplaceAll(strings.TrimRight(l, "\n"), "%s", timeStamp)
		lines = append(lines, strings.ReplaceAll(l, "%d", "4242"))
	}
	return lines
}

// TestPHPSrcVectors parses php-src's own expectations for php-fpm's error
// and access logs (sapi/fpm/tests/015.phpt, 020.phpt).
func TestPHPSrcVectors(t *testing.T) {
	type ev struct {
		Event, Inner FPMEvent
		Pool, Addr   string
	}
	want := []ev{
		{Event: FPMOther, Pool: "pool1"}, {Event: FPMOther, Pool: "pool1"}, {Event: FPMRunning}, {Event: FPMReady},
		{Event: FPMSaidInto, Inner: FPMWrongAllowedClient, Pool: "pool2", Addr: "xxx"},
		{Event: FPMSaidInto, Inner: FPMNoAllowedAddresses, Pool: "pool2"},
		{Event: FPMSaidInto, Inner: FPMConnectionDisallowed, Pool: "pool2", Addr: "127.0.0.1"},
		{Event: FPMTerminating}, {Event: FPMExiting},
	}
	var got []ev
	for _, l := range phpSrcLines(t, "015.phpt.expectf-error-log.txt", "21-Nov-2026 00:40:25") {
		e, err := ParseFPMLine([]byte(l))
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, ev{e.Event, e.InnerEvent, e.Pool, e.Address})
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("015.phpt (-want +got):\n%s", d)
	}
	got = got[:0]
	for _, l := range phpSrcLines(t, "020.phpt.expectf-error-log.txt", "21-Nov-2026 00:40:25") {
		e, err := ParseFPMLine([]byte(l))
		if err != nil {
			t.Fatalf("%q: %v", l, err)
		}
		got = append(got, ev{Event: e.Event})
	}
	if d := cmp.Diff([]ev{{Event: FPMRunning}, {Event: FPMReady}, {Event: FPMTerminating}, {Event: FPMExiting}}, got); d != "" {
		t.Errorf("020.phpt (-want +got):\n%s", d)
	}
	f, err := CompileFPMAccessFormat(DefaultFPMAccessFormat)
	if err != nil {
		t.Fatal(err)
	}
	lines := phpSrcLines(t, "020.phpt.expectf-access-log.txt", "21/Nov/2026:01:02:35 +0000")
	e, err := f.Parse([]byte(lines[0]))
	if err != nil {
		t.Fatal(err)
	}
	if e.RemoteAddr != "127.0.0.1" || e.RemoteUser != "" || e.Method != "GET" || e.RequestURI != "/ping" || e.Status != 200 ||
		e.Time.Unix() != 1795222955 || e.Duration != -1 || e.Memory != -1 {
		t.Errorf("020.phpt access line: %+v", e)
	}
}
