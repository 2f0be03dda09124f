package logparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// seedFiles returns the contents of the files matching the patterns.
func seedFiles(t testing.TB, patterns ...string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, p := range patterns {
		names, err := filepath.Glob(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range names {
			b, err := os.ReadFile(n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b)
		}
	}
	return out
}

// checkParseError checks that err is a *ParseError with a sentinel and a
// position inside an input of n bytes.
func checkParseError(t *testing.T, err error, n int) {
	t.Helper()
	var pe *ParseError
	if !errors.As(err, &pe) || pe.Err == nil {
		t.Fatalf("error %v is not a *ParseError with a sentinel", err)
	}
	if pe.Pos.Offset < 0 || pe.Pos.Offset > int64(n) || pe.Pos.Col < 0 || pe.Pos.Line < 1 {
		t.Fatalf("position %+v outside the input of %d bytes", pe.Pos, n)
	}
}

func FuzzParseFPMLine(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/php-fpm.log", "../testdata/logs/php-fpm-8.2-capture.log") {
		for line := range strings.Lines(string(data)) {
			f.Add([]byte(line))
		}
	}
	for _, s := range []string{"ERROR: x", "php-fpm[1]: [NOTICE] x", "[21-Nov-2026 01:08:37.475972] WARNING: pid 1, (null)(), line 0: [pool ",
		"<13>Nov 21 00:51:13 h php-fpm[812]: [WARNING] [pool www] child 12 exited on signal 9 (SIGKILL) after 3.1 seconds from start"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := ParseFPMLine(line)
		if err != nil {
			checkParseError(t, err, len(line))
			return
		}
		checkFPMSubstrings(t, &e)
		if e.Raw != string(trimEOL(line)) || e.Lines != 1 {
			t.Fatalf("Raw %q of %q, Lines %d", e.Raw, line, e.Lines)
		}
		_ = e.AppendText(nil)
	})
}

func FuzzFPMReader(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/php-fpm.log", "../testdata/logs/php-fpm-8.2-capture.log") {
		f.Add(data, 0)
	}
	// Two pieces of a wrapped line with a log_limit of 80.
	f.Add([]byte("[21-Nov-2026 01:08:37] WARNING: [pool www] child 5 said into stderr: \"abcdefghijklm\"\n"+
		"[21-Nov-2026 01:08:37] WARNING: [pool www] child 5 said into stderr: \"nop\", pipe is closed\n"), 80)
	f.Fuzz(func(t *testing.T, data []byte, limit int) {
		opts := FPMReaderOptions{LogLimit: limit % 4096, MaxRecordBytes: 1024, ReuseRecord: limit%2 == 0}
		line := 0
		for e, err := range NewFPMReader(bytes.NewReader(data), opts).All() {
			if err != nil {
				checkParseError(t, err, len(data))
				continue
			}
			checkFPMSubstrings(t, &e)
			if e.Pos.Line <= line || e.Pos.Offset < 0 || e.Pos.Offset+int64(len(e.Raw)) > int64(len(data)) || e.Lines < 1 {
				t.Fatalf("position %+v (after line %d), %d bytes of %d", e.Pos, line, len(e.Raw), len(data))
			}
			line = e.Pos.Line
			if !bytes.Contains(data, []byte(e.Raw)) {
				t.Fatalf("Raw %q is not in the input", e.Raw)
			}
		}
	})
}

func FuzzSlowReader(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/php-fpm-slow.log") {
		f.Add(data)
	}
	f.Add([]byte(slowLogText))
	f.Fuzz(func(t *testing.T, data []byte) {
		for e, err := range NewSlowReader(bytes.NewReader(data), SlowReaderOptions{MaxRecordBytes: 2048}).All() {
			if err != nil {
				checkParseError(t, err, len(data))
				continue
			}
			n := 0
			for fr := range e.Frames() {
				n++
				if !isSubstring(fr.Func, e.Raw) || !isSubstring(fr.File, e.Raw) || !isSubstring(fr.Raw, e.Raw) {
					t.Fatalf("frame %+v outside Raw", fr)
				}
			}
			if n != e.NumFrames || !isSubstring(e.Pool, e.Raw) || !isSubstring(e.ScriptFilename, e.Raw) {
				t.Fatalf("%d frames, %+v", n, e)
			}
		}
		e, err := ParseSlowRecord(data)
		if err != nil {
			checkParseError(t, err, len(data))
		} else if e.Pos.Line != 1 {
			t.Fatalf("Pos %v", e.Pos)
		}
	})
}

func FuzzAccessFormat(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/nginx-access.log") {
		for line := range strings.Lines(string(data)) {
			f.Add(upstreamInfoFormat, uint8(0), []byte(line))
		}
	}
	f.Add(CombinedFormat, uint8(0), []byte(realCombinedLine))
	f.Add(realJSONFormat, uint8(1), []byte(realJSONLine))
	f.Add("$a$b${c}|$upstream_addr $status", uint8(2), []byte("xy|1.1.1.1:80, 2.2.2.2:80 : unix:/s 200"))
	f.Fuzz(func(t *testing.T, format string, esc uint8, line []byte) {
		af, err := CompileAccessFormat("f", AccessEscape(esc%3), format)
		if err != nil {
			checkParseError(t, err, len(format))
			return
		}
		e, err := af.Parse(line)
		if err != nil {
			checkParseError(t, err, len(line))
			return
		}
		for _, s := range []string{e.RemoteAddr, e.RemoteUser, e.Request, e.Method, e.URI, e.Protocol, e.Referer, e.UserAgent, e.Host,
			string(e.UpstreamAddr), string(e.UpstreamStatus), string(e.UpstreamResponseTime), string(e.UpstreamConnectTime),
			string(e.UpstreamHeaderTime), string(e.UpstreamResponseLength)} {
			if !isSubstring(s, e.Raw) {
				t.Fatalf("%q outside Raw %q", s, e.Raw)
			}
		}
		for range e.Upstreams() {
		}
		nv := 0
		for _, v := range e.Vars() {
			nv++
			if !isSubstring(v, e.Raw) {
				t.Fatalf("value %q outside Raw", v)
			}
			_ = af.Unescape(nil, v)
		}
		// Vars re-reads Raw the slow way: it must agree with Parse.
		if nv != len(af.Vars()) {
			t.Fatalf("Vars gave %d of %d values of a line Parse accepted", nv, len(af.Vars()))
		}
		// The reader agrees with Parse.
		r := NewAccessReader(bytes.NewReader(line), af, AccessReaderOptions{})
		if _, err := r.Read(); err != nil && err != io.EOF && !strings.ContainsAny(string(trimEOL(line)), "\n") {
			t.Fatalf("reader: %v, Parse: ok", err)
		}
	})
}

func FuzzFPMAccessFormat(f *testing.F) {
	demo := `%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`
	for _, data := range seedFiles(f, "../testdata/incidents/*/php-fpm-access.log") {
		for line := range strings.Lines(string(data)) {
			f.Add(demo, []byte(line))
		}
	}
	f.Add(DefaultFPMAccessFormat, []byte(`127.0.0.1 -  21/Nov/2026:01:02:35 +0000 "GET /ping" 200`))
	f.Add(realFPMAccessFormat, []byte(`-  21/Nov/2026:01:08:37 +0000 21/Nov/2026:01:08:37 +0000 "GET /x" 200`))
	f.Fuzz(func(t *testing.T, format string, line []byte) {
		ff, err := CompileFPMAccessFormat(format)
		if err != nil {
			checkParseError(t, err, len(format))
			return
		}
		e, err := ff.Parse(line)
		if err != nil {
			checkParseError(t, err, len(line))
			return
		}
		for _, s := range []string{e.RemoteAddr, e.RemoteUser, e.Method, e.RequestURI, e.Query, e.ScriptFilename, e.Pool} {
			if !isSubstring(s, e.Raw) {
				t.Fatalf("%q outside Raw %q", s, e.Raw)
			}
		}
		// Var re-reads Raw the slow way: it must agree with Parse.
		for _, it := range ff.items {
			if v, ok := e.Var(it.tok); it.tok != "" && (!ok || !isSubstring(v, e.Raw)) {
				t.Fatalf("Var(%q) = %q, %v on a line Parse accepted", it.tok, v, ok)
			}
		}
	})
}
