package logparse

import (
	"bytes"
	"compress/gzip"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/badgateway/badgateway"
	"github.com/google/go-cmp/cmp"
)

func readAll(t testing.TB, r io.Reader, opts ErrorReaderOptions) (entries []ErrorEntry, errs []error) {
	t.Helper()
	for e, err := range NewErrorReader(r, opts).All() {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		entries = append(entries, e)
	}
	return entries, errs
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// recordSummary is what TestErrorReaderCapture compares per record.
type recordSummary struct {
	Line, Lines int
	CID         uint64
	Level       Level
	Truncated   bool
}

func TestErrorReaderCapture(t *testing.T) {
	data := readFile(t, captureLog)
	entries, errs := readAll(t, bytes.NewReader(data), ErrorReaderOptions{File: "error.log"})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	// 80 physical lines; the records at lines 27, 31 and 35 span 3, 3 and 4.
	if len(entries) != 80-2-2-3 {
		t.Errorf("%d records, want %d", len(entries), 80-2-2-3)
	}
	var multi []recordSummary
	physical := 0
	for _, e := range entries {
		physical += e.Lines
		if e.Pos.File != "error.log" {
			t.Errorf("Pos.File = %q", e.Pos.File)
		}
		// Pos.Offset points at the record's bytes in the file.
		if !bytes.HasPrefix(data[e.Pos.Offset:], []byte(e.Raw)) {
			t.Errorf("line %d: data at offset %d is not Raw", e.Pos.Line, e.Pos.Offset)
		}
		if e.Lines > 1 || e.Truncated {
			multi = append(multi, recordSummary{e.Pos.Line, e.Lines, e.CID, e.Level, e.Truncated})
		}
		checkSubstrings(t, e)
	}
	if physical != 80 {
		t.Errorf("records cover %d physical lines, want 80", physical)
	}
	want := []recordSummary{
		{23, 1, 15, LevelError, true},
		{27, 3, 19, LevelError, true},
		{31, 3, 21, LevelError, false},
		{35, 4, 23, LevelError, false},
		{58, 1, 41, LevelError, true},
	}
	if diff := cmp.Diff(want, multi); diff != "" {
		t.Errorf("multi-line and cut records (-want +got):\n%s", diff)
	}
	// Each record equals what ParseErrorLine makes of its Raw.
	for _, e := range entries {
		one, err := ParseErrorLine([]byte(e.Raw))
		if err != nil {
			t.Fatal(err)
		}
		one.Pos = e.Pos
		if diff := cmp.Diff(e, one); diff != "" {
			t.Errorf("line %d: reader and ParseErrorLine differ (-reader +line):\n%s", e.Pos.Line, diff)
		}
	}
}

// TestErrorReaderReuse checks that reuse mode gives the same entries while
// each is still current.
func TestErrorReaderReuse(t *testing.T) {
	data := readFile(t, captureLog)
	want, _ := readAll(t, bytes.NewReader(data), ErrorReaderOptions{})
	var got []ErrorEntry
	// A tiny reader forces buffer compaction between records.
	for e, err := range NewErrorReader(iotest.HalfReader(bytes.NewReader(data)), ErrorReaderOptions{ReuseRecord: true}).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, cloneEntry(e))
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reuse mode differs (-default +reuse):\n%s", diff)
	}
}

// cloneEntry copies an entry out of the reader's buffer.
func cloneEntry(e ErrorEntry) ErrorEntry {
	c, err := ParseErrorLine([]byte(e.Raw))
	if err != nil {
		panic(err)
	}
	c.Pos = e.Pos
	return c
}

func TestErrorReaderCRLF(t *testing.T) {
	data := readFile(t, captureLog)
	want, _ := readAll(t, bytes.NewReader(data), ErrorReaderOptions{})
	crlf := bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))
	got, errs := readAll(t, bytes.NewReader(crlf), ErrorReaderOptions{})
	if len(errs) != 0 || len(got) != len(want) {
		t.Fatalf("CRLF: %d records, %v; want %d", len(got), errs, len(want))
	}
	for i := range want {
		w, g := want[i], got[i]
		if g.Pos.Line != w.Pos.Line || g.Lines != w.Lines || g.CID != w.CID {
			t.Errorf("record %d: line %d/%d lines %d/%d", i, g.Pos.Line, w.Pos.Line, g.Lines, w.Lines)
		}
		if w.Lines > 1 || w.Truncated {
			continue // interior "\r" stays in Raw; a CRLF copy is no longer at the cap
		}
		g.Pos, w.Pos = badgateway.Pos{}, badgateway.Pos{}
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("record %d (-LF +CRLF):\n%s", i, diff)
		}
	}
}

func TestErrorReaderBadLines(t *testing.T) {
	// nginx lines from the capture with hand-made junk around them.
	good1 := "2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11"
	good2 := "2026/11/21 00:40:28 [error] 17706#17706: send() failed (111: Connection refused) while resolving, resolver: 127.0.0.1:42442"
	input := strings.Join([]string{
		"orphan continuation line", // 1: no record before it
		"",                         // 2: blank, skipped
		good1,                      // 3
		"2026/11/21 00:40:29 [fatal] 1#1: bad level", // 4
		"  continuation of the bad record",           // 5
		"\x00\x01binary",                             // 6: continues record 4
		good2,                                        // 7: complete with its context
		"stray line after a complete record",         // 8: not joined to 7
		"",                                           // 9: trailing blank
	}, "\n")
	var got []string
	for e, err := range NewErrorReader(strings.NewReader(input), ErrorReaderOptions{File: "x.log"}).All() {
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("non-parse error %v", err)
			}
			got = append(got, pe.Error())
			continue
		}
		got = append(got, e.Pos.String()+" "+e.Message)
	}
	want := []string{
		"x.log:1:1: not an nginx error-log record",
		"x.log:3 worker process 17706 exited on signal 11",
		"x.log:4:21: bad level",
		"x.log:7 send() failed",
		"x.log:8:1: not an nginx error-log record",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestErrorReaderStderrContext reads a real record whose stderr text has a
// first line ending like a context (testdata/logs/capture-stderr-context.sh):
// the record is still joined, and the real context is found.
func TestErrorReaderStderrContext(t *testing.T) {
	data := readFile(t, "../testdata/logs/nginx-1.22.1-stderr-context.log")
	entries, errs := readAll(t, bytes.NewReader(data), ErrorReaderOptions{})
	if len(errs) != 0 || len(entries) != 1 {
		t.Fatalf("%d records, errors %v; want 1 record", len(entries), errs)
	}
	e := entries[0]
	if e.Lines != 3 || e.Client != "127.0.0.1" || e.Server != "ctx.test" || e.Request != "GET /ctx.php HTTP/1.1" || e.Action != "reading response header from upstream" {
		t.Errorf("Lines %d client %q server %q request %q action %q", e.Lines, e.Client, e.Server, e.Request, e.Action)
	}
	want := []string{"first line, client: 6.6.6.6, server: evil\nsecond line, request: \"GET /fake HTTP/1.1\"\nthird line"}
	var got []string
	for m := range e.PHPMessages() {
		got = append(got, m)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("PHP messages (-want +got):\n%s", diff)
	}
}

func TestErrorReaderTooLong(t *testing.T) {
	data := readFile(t, captureLog)
	// With a 1000-byte limit the three 2047-byte records are too long; the
	// records after each are still read.
	entries, errs := readAll(t, bytes.NewReader(data), ErrorReaderOptions{MaxRecordBytes: 1000})
	var lines []int
	for _, err := range errs {
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrLineTooLong) {
			t.Fatalf("err = %v, want ErrLineTooLong", err)
		}
		lines = append(lines, pe.Pos.Line)
	}
	if diff := cmp.Diff([]int{23, 27, 58}, lines); diff != "" {
		t.Errorf("too-long records at lines (-want +got):\n%s", diff)
	}
	all, _ := readAll(t, bytes.NewReader(data), ErrorReaderOptions{})
	if len(entries) != len(all)-3 {
		t.Errorf("%d records, want %d", len(entries), len(all)-3)
	}

	// 10 MB of garbage without a newline, then a real line: memory stays
	// bounded, one error, and the real line is read.
	garbage := io.MultiReader(io.LimitReader(repeatReader('z'), 10<<20),
		strings.NewReader("\n2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11\n"))
	r := NewErrorReader(garbage, ErrorReaderOptions{})
	_, err := r.Read()
	var pe *ParseError
	if !errors.As(err, &pe) || !errors.Is(err, ErrLineTooLong) || pe.Pos.Line != 1 {
		t.Fatalf("garbage: err = %v, want ErrLineTooLong at line 1", err)
	}
	e, err := r.Read()
	if err != nil || e.Pos.Line != 2 || e.Pos.Offset != 10<<20+1 || e.Level != LevelAlert {
		t.Errorf("after garbage: %+v, %v; want the alert at line 2", e.Pos, err)
	}
	if _, err := r.Read(); err != io.EOF {
		t.Errorf("end: %v, want io.EOF", err)
	}
	if c := cap(r.buf); c > DefaultMaxRecordBytes+2*peekLen+2 {
		t.Errorf("buffer grew to %d bytes", c)
	}
}

type repeatReader byte

func (b repeatReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(b)
	}
	return len(p), nil
}

func TestErrorReaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	line := "2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11\n"
	src := io.MultiReader(strings.NewReader(line+line), iotest.ErrReader(boom))
	var n int
	var last error
	for _, err := range NewErrorReader(src, ErrorReaderOptions{}).All() {
		if err != nil {
			last = err
			continue
		}
		n++
	}
	if n != 2 || !errors.Is(last, boom) {
		t.Errorf("%d records, last error %v; want 2 records then %v", n, last, boom)
	}
	// A read error after a last line without newline still gives the line.
	src = io.MultiReader(strings.NewReader(strings.TrimSuffix(line, "\n")), iotest.ErrReader(boom))
	r := NewErrorReader(src, ErrorReaderOptions{})
	if e, err := r.Read(); err != nil || e.CID != 0 || e.PID != 17704 {
		t.Errorf("first Read: %v", err)
	}
	for range 2 {
		if _, err := r.Read(); !errors.Is(err, boom) {
			t.Errorf("Read after error: %v, want %v", err, boom)
		}
	}
}

func TestErrorReaderEarlyBreak(t *testing.T) {
	r := NewErrorReader(bytes.NewReader(readFile(t, captureLog)), ErrorReaderOptions{})
	for e := range r.All() {
		if e.Pos.Line != 1 {
			t.Errorf("first line %d", e.Pos.Line)
		}
		break
	}
	// The iterator is single-use: a second range continues.
	for e := range r.All() {
		if e.Pos.Line != 2 {
			t.Errorf("second range starts at line %d, want 2", e.Pos.Line)
		}
		break
	}
	if entries, errs := readAll(t, strings.NewReader(""), ErrorReaderOptions{}); len(entries)+len(errs) != 0 {
		t.Errorf("empty input gave %v %v", entries, errs)
	}
}

func TestOpenLog(t *testing.T) {
	data := readFile(t, captureLog)
	dir := t.TempDir()
	plain := filepath.Join(dir, "error.log")
	// A gzip file without .gz in its name is still recognised.
	zipped := filepath.Join(dir, "error.log.1")
	if err := os.WriteFile(plain, data, 0o644); err != nil {
		t.Fatal(err)
	}
	var zb bytes.Buffer
	zw := gzip.NewWriter(&zb)
	zw.Write(data)
	zw.Close()
	if err := os.WriteFile(zipped, zb.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{plain, zipped} {
		f, err := OpenLog(name)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(f)
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("%s: read %d bytes, %v; want the log", name, len(got), err)
		}
		if err := f.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	}
	if _, err := OpenLog(filepath.Join(dir, "missing.log")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	// A corrupt gzip header is an error naming the file.
	bad := filepath.Join(dir, "bad.gz")
	os.WriteFile(bad, []byte{0x1f, 0x8b, 0, 0}, 0o644)
	if _, err := OpenLog(bad); err == nil || !strings.Contains(err.Error(), "bad.gz") {
		t.Errorf("bad gzip: %v", err)
	}
}

// TestOpenLogStdin swaps os.Stdin for a pipe; it is not parallel.
func TestOpenLogStdin(t *testing.T) {
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	old := os.Stdin
	os.Stdin = pr
	defer func() { os.Stdin = old; pr.Close() }()
	go func() {
		zw := gzip.NewWriter(pw)
		zw.Write([]byte("2026/11/21 00:40:29 [alert] 17704#17704: worker process 17706 exited on signal 11\n"))
		zw.Close()
		pw.Close()
	}()
	f, err := OpenLog("-")
	if err != nil {
		t.Fatal(err)
	}
	entries, errs := readAll(t, f, ErrorReaderOptions{File: "-"})
	if len(entries) != 1 || len(errs) != 0 || entries[0].Level != LevelAlert {
		t.Errorf("stdin: %v %v", entries, errs)
	}
	f.Close()
	if _, err := pr.Stat(); err != nil {
		t.Errorf("Close closed stdin: %v", err)
	}
}

func TestErrorReaderAllocs(t *testing.T) {
	data := readFile(t, captureLog)
	var records int
	for range NewErrorReader(bytes.NewReader(data), ErrorReaderOptions{}).All() {
		records++
	}
	for _, reuse := range []bool{false, true} {
		src := bytes.NewReader(data)
		r := NewErrorReader(src, ErrorReaderOptions{ReuseRecord: reuse})
		allocs := testing.AllocsPerRun(20, func() {
			src.Reset(data)
			*r = ErrorReader{src: r.src, opts: r.opts, max: r.max, limit: r.limit, buf: r.buf, line: 1}
			for _, err := range r.All() {
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		perRecord := allocs / float64(records)
		want := 1.0
		if reuse {
			want = 0
		}
		// All() itself may cost a closure allocation per call; allow that.
		if perRecord > want+1.0/float64(records) {
			t.Errorf("ReuseRecord=%v: %.3f allocations per record (%v per run of %d), want ≤ %v", reuse, perRecord, allocs, records, want)
		}
	}
}

func TestPHPMessages(t *testing.T) {
	tests := []struct {
		name string
		raw  string
		want []string
	}{
		{"php 8.2.35 joins with '; '", captureRecord(t, 25),
			[]string{"first message", "second message", "PHP Warning:  third, a warning in /tmp/bgcap.jkITOm/www/multi.php on line 1"}},
		{"newlines inside one message", captureRecord(t, 31), []string{"line one\nline two\nline three"}},
		{"stack trace", captureRecord(t, 35), []string{"PHP Fatal error:  Uncaught Error: Call to undefined function undefined_function_xyz() in /tmp/bgcap.jkITOm/www/fatal.php:1\nStack trace:\n#0 {main}\n  thrown in /tmp/bgcap.jkITOm/www/fatal.php on line 1"}},
		{"fpm's own text", captureRecord(t, 21), []string{"Primary script unknown"}},
		{"not a stderr record", captureRecord(t, 11), nil},
		{
			// Copied from corpus/logs/elastic-beats: PHP ≤ 7.2 separates
			// messages with "\n" (PHP 8.2 cannot write this).
			"php 7.2 newline separator",
			"2019/10/30 23:26:34 [error] 205860#205860: *180289 FastCGI sent in stderr: \"PHP message: PHP Warning:  A in x.php on line 0\nPHP message: PHP Warning:  B in x.php on line 0\nPHP message: PHP Warning:  C in x.php on line 0",
			[]string{"PHP Warning:  A in x.php on line 0", "PHP Warning:  B in x.php on line 0", "PHP Warning:  C in x.php on line 0"},
		},
		{
			// The PHP 7.3 – 8.2.1 form (no separator), verbatim from
			// catalog/fpm-messages.md; PHP 8.2.35 cannot write it.
			"php 7.3 no separator",
			`2026/11/21 00:40:26 [error] 1#1: *1 FastCGI sent in stderr: "PHP message: APHP message: B" while reading response header from upstream, client: 127.0.0.1, server: x, request: "GET / HTTP/1.1", upstream: "fastcgi://127.0.0.1:9000", host: "x"`,
			[]string{"A", "B"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := ParseErrorLine([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for m := range e.PHPMessages() {
				got = append(got, m)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("PHPMessages (-want +got):\n%s", diff)
			}
			text, ok := e.FastCGIStderr()
			if ok != (tt.want != nil) {
				t.Errorf("FastCGIStderr ok = %v", ok)
			}
			if diff := cmp.Diff(tt.want, AppendPHPMessages(nil, text)); ok && diff != "" {
				t.Errorf("AppendPHPMessages (-want +got):\n%s", diff)
			}
		})
	}
	// A cut record's text runs to the cut, without a closing quote.
	e, _ := ParseErrorLine([]byte(captureRecord(t, 23)))
	text, _ := e.FastCGIStderr()
	if !strings.HasPrefix(text, "PHP message: AAA") || !strings.HasSuffix(text, "AAA") {
		t.Errorf("cut text = %.40q…%q", text, text[len(text)-5:])
	}
	e, _ = ParseErrorLine([]byte(captureRecord(t, 25)))
	dst := make([]string, 0, 8)
	if n := testing.AllocsPerRun(100, func() {
		for range e.PHPMessages() {
		}
		text, _ := e.FastCGIStderr()
		dst = AppendPHPMessages(dst[:0], text)
	}); n != 0 {
		t.Errorf("PHPMessages/AppendPHPMessages: %v allocations, want 0", n)
	}
}
