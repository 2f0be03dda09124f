package logparse

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// seedLogs are the real logs the fuzzers start from: our captures, the
// corpus copies and, when present, the real-server incidents of
// internal/realserver.
func seedLogs(t testing.TB) map[string][]byte {
	t.Helper()
	logs := map[string][]byte{}
	for _, pattern := range []string{
		"../testdata/logs/*.log",
		"../testdata/logs/corpus/*/*.log",
		"../testdata/incidents/*/nginx-error.log",
	} {
		names, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range names {
			if strings.Contains(name, "php-fpm") {
				continue
			}
			b, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			logs[name] = b
		}
	}
	return logs
}

func FuzzParseErrorLine(f *testing.F) {
	for _, data := range seedLogs(f) {
		for e, err := range NewErrorReader(bytes.NewReader(data), ErrorReaderOptions{}).All() {
			if err == nil {
				f.Add([]byte(e.Raw))
			}
		}
	}
	for _, s := range []string{"", "nginx: ", "<1>Jan  1 00:00:00  x: ", "2026/11/21 00:40:26 [error] 1#1: *1 x, client: ",
		"2026/11/21 00:40:26 [error] 1#1: *1 x while y, client: a, server: , request: \"\", host: \"\"\r\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		e, err := ParseErrorLine(line)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Err == nil {
				t.Fatalf("error %v is not a *ParseError with a reason", err)
			}
			if pe.Pos.Line != 1 || pe.Pos.Col < 0 || pe.Pos.Col > len(line)+1 {
				t.Fatalf("error position %+v outside the input (%d bytes)", pe.Pos, len(line))
			}
			if len(trimEOL(line)) > DefaultMaxRecordBytes && !errors.Is(err, ErrLineTooLong) {
				t.Fatalf("over-long input gave %v", err)
			}
			return
		}
		if e.Raw != string(trimEOL(line)) {
			t.Fatalf("Raw %q is not the input %q", e.Raw, line)
		}
		if e.Lines != 1+strings.Count(e.Raw, "\n") || e.Pos.Line != 1 {
			t.Fatalf("Lines %d Pos %+v", e.Lines, e.Pos)
		}
		checkSubstrings(t, e)
		// Parsing Raw again gives the same entry.
		again, err := ParseErrorLine([]byte(e.Raw))
		if err != nil {
			t.Fatalf("Raw does not parse again: %v", err)
		}
		if again != e {
			t.Fatalf("parse of Raw differs (-first +again):\n%s", cmp.Diff(e, again))
		}
	})
}

func FuzzErrorReader(f *testing.F) {
	for _, data := range seedLogs(f) {
		f.Add(data, uint16(0))
		f.Add(data, uint16(300))
	}
	f.Add([]byte("x\n\n\r\n2026/11/21 00:40:26 [error] 1#1: a\n b\n\nnginx: [emerg] c\n"), uint16(10))
	f.Fuzz(func(t *testing.T, data []byte, max uint16) {
		opts := ErrorReaderOptions{MaxRecordBytes: int(max), File: "f"}
		limit := int(max)
		if limit <= 0 {
			limit = DefaultMaxRecordBytes
		}
		r := NewErrorReader(bytes.NewReader(data), opts)
		reuse := NewErrorReader(bytes.NewReader(data), ErrorReaderOptions{MaxRecordBytes: int(max), File: "f", ReuseRecord: true})
		lines := 1 + bytes.Count(data, []byte("\n"))
		for n := 0; ; n++ {
			if n > lines+1 {
				t.Fatalf("more than %d results from %d lines", n, lines)
			}
			e, err := r.Read()
			e2, err2 := reuse.Read()
			if err == io.EOF {
				if err2 != io.EOF {
					t.Fatalf("reuse mode: %v at the end", err2)
				}
				break
			}
			if (err == nil) != (err2 == nil) {
				t.Fatalf("default and reuse modes differ: %v / %v", err, err2)
			}
			if c := cap(r.buf); c > limit+peekLen+2 && c > 64<<10 {
				t.Fatalf("buffer of %d bytes for a limit of %d", c, limit)
			}
			if err != nil {
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("non-parse error %v", err)
				}
				if pe.Pos.File != "f" || pe.Pos.Line < 1 || pe.Pos.Line > lines || pe.Pos.Offset < 0 || pe.Pos.Offset > int64(len(data)) {
					t.Fatalf("error position %+v outside the input (%d lines, %d bytes)", pe.Pos, lines, len(data))
				}
				if want := 1 + bytes.Count(data[:pe.Pos.Offset], []byte("\n")); pe.Pos.Line != want {
					t.Fatalf("error at offset %d says line %d, want %d", pe.Pos.Offset, pe.Pos.Line, want)
				}
				continue
			}
			off := e.Pos.Offset
			if off < 0 || off+int64(len(e.Raw)) > int64(len(data)) || string(data[off:off+int64(len(e.Raw))]) != e.Raw {
				t.Fatalf("Raw %q is not the input at offset %d", e.Raw, off)
			}
			if want := 1 + bytes.Count(data[:off], []byte("\n")); e.Pos.Line != want {
				t.Fatalf("record at offset %d says line %d, want %d", off, e.Pos.Line, want)
			}
			if len(e.Raw) > limit {
				t.Fatalf("record of %d bytes over the limit %d", len(e.Raw), limit)
			}
			if e.Lines != 1+strings.Count(e.Raw, "\n") {
				t.Fatalf("Lines %d for %q", e.Lines, e.Raw)
			}
			checkSubstrings(t, e)
			if c := cloneEntry(e2); c != e {
				t.Fatalf("reuse mode differs (-default +reuse):\n%s", cmp.Diff(e, c))
			}
		}
	})
}

// TestIncidentLogs reads the nginx error logs the real-server harness
// captured (testdata/incidents, written by internal/realserver).
func TestIncidentLogs(t *testing.T) {
	names, _ := filepath.Glob("../testdata/incidents/*/nginx-error.log")
	if len(names) == 0 {
		t.Skip("no testdata/incidents/*/nginx-error.log yet")
	}
	records := 0
	for _, name := range names {
		data := readFile(t, name)
		entries, errs := readAll(t, bytes.NewReader(data), ErrorReaderOptions{File: name})
		for _, err := range errs {
			t.Errorf("%v", err)
		}
		for _, e := range entries {
			records++
			checkSubstrings(t, e)
			if !bytes.HasPrefix(data[e.Pos.Offset:], []byte(e.Raw)) {
				t.Errorf("%s: Raw is not at offset %d", e.Pos, e.Pos.Offset)
			}
			if e.Level == LevelUnknown || e.Time.IsZero() || e.PID == 0 {
				t.Errorf("%s: level %v time %v pid %d", e.Pos, e.Level, e.Time, e.PID)
			}
			// nginx gives every request-scoped record (one with *CID) at
			// [info] or above a client context unless it was cut.
			if e.CID != 0 && !e.Truncated && e.Fields&FieldClient == 0 && e.Level <= LevelInfo {
				t.Errorf("%s: *%d record without client context: %q", e.Pos, e.CID, e.Raw)
			}
			if e.Fields&FieldUpstream != 0 && !strings.Contains(e.Upstream, "://") {
				t.Errorf("%s: upstream %q has no schema", e.Pos, e.Upstream)
			}
			if strings.Contains(e.Raw, " while ") && e.Action == "" && !strings.Contains(e.Message, " while ") {
				t.Errorf("%s: action lost: %q", e.Pos, e.Raw)
			}
		}
	}
	t.Logf("%d incident logs, %d records", len(names), records)
}
