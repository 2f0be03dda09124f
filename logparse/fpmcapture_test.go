package logparse

import (
	"strings"
	"testing"
	"time"
)

// TestCapturedDebugLog reads testdata/logs/php-fpm-8.2-debug.log (real
// php-fpm 8.2, log_level = debug, default log_limit).
func TestCapturedDebugLog(t *testing.T) {
	const name = "../testdata/logs/php-fpm-8.2-debug.log"
	var saids []FPMEntry
	n := 0
	for e, err := range NewFPMReader(openT(t, name), FPMReaderOptions{File: name}).All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
		checkFPMSubstrings(t, &e)
		if e.Func == "" || e.PID == 0 || e.Time.Nanosecond() == 0 {
			t.Errorf("%s: decoration func %q pid %d time %v", e.Pos, e.Func, e.PID, e.Time)
		}
		if e.Event == FPMSaidInto {
			saids = append(saids, e)
		}
	}
	if n != 40 || len(saids) != 7 {
		t.Fatalf("%d records, %d said into", n, len(saids))
	}
	w := saids[0]
	text := string(w.AppendText(nil))
	if w.Pieces != 2 || w.Lines != 2 || len(strings.SplitN(w.Raw, "\n", 2)[0]) != 1023 || w.Func != "(null)" ||
		!strings.HasPrefix(text, "NOTICE: sapi_cgi_log_message(), line 632: PHP message: AAAA") || !strings.HasSuffix(text, "AAA...") ||
		w.InnerLevel != FPMLevelNotice || w.InnerEvent != FPMPHPMessage || !strings.HasPrefix(w.InnerMessage, "PHP message: AAA") {
		t.Errorf("wrapped: %d pieces, text %.100q…", w.Pieces, text)
	}
	if s := saids[5]; s.Stream != "stdout" || s.Text != "to stdout" || s.Pos.Line != 24 {
		t.Errorf("stdout: %+v", s)
	}
	if s := saids[6]; s.InnerLevel != FPMLevelDebug || s.InnerEvent != FPMPrimaryScriptUnknown || s.Pos.Line != 27 {
		t.Errorf("child's debug line: %+v", s)
	}
}

// TestCapturedAccessLogs reads the real access logs of testdata/logs with
// the formats they were written with (SOURCES.md).
func TestCapturedAccessLogs(t *testing.T) {
	ff, err := CompileFPMAccessFormat(`%R %u %t %T %{%Y-%m-%dT%H:%M:%S%z}t "%m %r%Q%q" %s %f %d %{milli}d %{micro}d %{kilo}M %{mega}M %M %C %{user}C %l %n %p %P %{REQUEST_METHOD}e %{Content-Type}o %%`)
	if err != nil {
		t.Fatal(err)
	}
	var fa []FPMAccessEntry
	for e, err := range NewFPMAccessReader(openT(t, "../testdata/logs/php-fpm-8.2-access-alltokens.log"), ff, AccessReaderOptions{}).All() {
		if err != nil {
			t.Fatal(err)
		}
		fa = append(fa, e)
	}
	if len(fa) != 3 {
		t.Fatalf("%d lines", len(fa))
	}
	e := fa[0]
	at := time.Date(2026, 11, 21, 1, 8, 37, 0, time.UTC)
	if !e.Time.Equal(at) || !e.EndTime.Equal(at) || e.Method != "GET" || e.RequestURI != "/big.php" || e.Query != "x=1" || e.Status != 500 ||
		e.ScriptFilename != "/tmp/fpmx/www/big.php" || e.Duration != 764*time.Microsecond || e.Memory != 2<<20 || e.CPU != 0 ||
		e.ContentLength != 0 || e.Pool != "www" || e.Child != 24837 || e.Master != 24836 || e.RemoteAddr != "-" || e.RemoteUser != "" {
		t.Errorf("%+v", e)
	}
	if v, _ := e.Var("%{%Y-%m-%dT%H:%M:%S%z}t"); v != "2026-11-21T01:08:37+0000" {
		t.Errorf("strftime %%t %q", v)
	}
	if v, _ := e.Var("%{Content-Type}o"); v != "-" {
		t.Errorf("%%o %q", v)
	}
	if fa[2].ScriptFilename != "-" || fa[2].Status != 404 {
		t.Errorf("unknown script: %+v", fa[2])
	}

	jf, err := CompileAccessFormat("j", EscapeJSON, realJSONFormat)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		f    *AccessFormat
	}{{"nginx-1.22.1-access-combined.log", CombinedAccessFormat()}, {"nginx-1.22.1-access-json.log", jf}} {
		var got []AccessEntry
		for e, err := range NewAccessReader(openT(t, "../testdata/logs/"+tt.name), tt.f, AccessReaderOptions{}).All() {
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, e)
		}
		if len(got) != 7 || string(tt.f.Unescape(nil, got[0].UserAgent)) != "ag\"ent\\é" || got[2].Status != 500 || got[3].Status != 200 {
			t.Errorf("%s: %d lines, %+v", tt.name, len(got), got)
			continue
		}
		// HTTP/0.9 requests: no protocol; no User-Agent ("-" or "").
		if e := got[4]; e.Method != "GET" || e.URI != "/index.html" || e.Protocol != "" || e.UserAgent != "" || e.Status != 200 {
			t.Errorf("%s: HTTP/0.9 line %+v", tt.name, e)
		}
	}
}
