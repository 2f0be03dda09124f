package logparse

import (
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// decimalSeconds must agree with secondsDuration on every input (it is
// its fast path for whole values).
func TestDecimalSecondsAgrees(t *testing.T) {
	check := func(v string) {
		t.Helper()
		want, n := secondsDuration(v)
		wantOK := n > 0 && n == len(v)
		if !wantOK {
			want = 0
		}
		got, ok := decimalSeconds(v)
		if !ok {
			got = 0
		}
		if got != want || ok != wantOK {
			t.Errorf("decimalSeconds(%q) = %v, %v; secondsDuration: %v, %v", v, got, ok, want, wantOK)
		}
	}
	for _, v := range []string{"", "-", "0", "0.", ".5", "0.362", "2048", "0.00", "12.5", "123456789", "1234567890",
		"123456789012", "1234567890123", "0.123456789", "0.1234567890", "1.2.3", "1e3", "99999999.999999999", "5 ", " 5"} {
		check(v)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "0123456789.-x"
	for range 200000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = alpha[r.IntN(len(alpha))]
			} else {
				b[i] = '0' + byte(r.IntN(10))
			}
		}
		check(string(b))
	}
}

// The cached $time_local must give what a fresh parse gives, whether the
// next stamp repeats the last one, shares its minute or not.
func TestTimeLocalCache(t *testing.T) {
	var zc zoneCache
	for _, v := range []string{
		"21/Nov/2026:01:02:37 +0000", "21/Nov/2026:01:02:37 +0000", "21/Nov/2026:01:02:38 +0000",
		"21/Nov/2026:01:02:59 +0000", "21/Nov/2026:01:03:00 +0000", "21/Nov/2026:01:03:00 +0100",
		"21/Nov/2026:01:03:0x +0100", "21/Nov/2026:01:03:61 +0100", "21/Nov/2026:01:03:60 +0100",
		"21/Nov/2026:01:03:05 -0130", "21/Nov/2026:01:03:05 -0130", "21/Nov/2026:01:03:05 -013x",
		"31/Dec/2026:23:59:59 +0000", "01/Jan/2027:00:00:00 +0000", "21/Xyz/2026:01:03:05 +0000",
	} {
		want, wantOK := parseTimeLocal(v, nil)
		got, ok := parseTimeLocal(v, &zc)
		if ok != wantOK || !got.Equal(want) || got.String() != want.String() {
			t.Errorf("%q: cached %v %v, fresh %v %v", v, got, ok, want, wantOK)
		}
	}
}

// indexURIEnd must find what a byte loop finds.
func TestIndexURIEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alpha = "ab/.?\" %\x80\xff"
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		s := string(b)
		p := 0
		if len(s) > 0 {
			p = r.IntN(len(s) + 1)
		}
		want := len(s)
		for i := p; i < len(s); i++ {
			if c := s[i]; c == '?' || c == ' ' || c == '"' {
				want = i
				break
			}
		}
		if got := indexURIEnd(s, p); got != want {
			t.Fatalf("indexURIEnd(%q, %d) = %d, want %d", s, p, got, want)
		}
	}
}

// refAccessParse is the access-log parser without its fast paths: every
// value located by scan (as Vars does) and stored by set.
func refAccessParse(f *AccessFormat, s string, zc *zoneCache) (AccessEntry, int, error) {
	e := AccessEntry{Raw: s, Format: f, BodyBytesSent: -1, BytesSent: -1, RequestLength: -1, RequestTime: -1}
	p := 0
	for i, it := range f.items {
		vs, ve, err := f.scan(s, p, i)
		if err != nil {
			return AccessEntry{}, mismatchCol(s, p, it.lit), err
		}
		p = ve
		if it.name != "" && !e.set(it.kind, s[vs:ve], f.escape, zc) {
			return AccessEntry{}, vs + 1, ErrFormatMismatch
		}
	}
	if p != len(s) {
		return AccessEntry{}, p + 1, ErrFormatMismatch
	}
	if e.Request != "" && e.Method == "" {
		e.Method, e.URI, e.Protocol = splitRequest(e.Request)
	}
	return e, 0, nil
}

// refFPMAccessParse is the php-fpm access-log parser without its fast
// paths.
func refFPMAccessParse(f *FPMAccessFormat, s string, zc *zoneCache) (FPMAccessEntry, int, error) {
	e := FPMAccessEntry{Raw: s, Format: f, Duration: -1, Memory: -1, CPU: -1, ContentLength: -1}
	p := 0
	for i := range f.items {
		it := &f.items[i]
		vs, ve, err := f.scan(s, p, i)
		if err != nil {
			return FPMAccessEntry{}, mismatchCol(s, p, it.lit), err
		}
		p = ve
		if it.tok != "" && !e.set(it, s[vs:ve], zc) {
			return FPMAccessEntry{}, vs + 1, ErrFormatMismatch
		}
	}
	if p != len(s) {
		return FPMAccessEntry{}, p + 1, ErrFormatMismatch
	}
	return e, 0, nil
}

// sameTime: the same instant in the same zone (name and offset).
func sameTime(a, b time.Time) bool {
	return a.Equal(b) && a.String() == b.String()
}

// checkAccessFast parses each line of lines with parse and with
// refAccessParse (each with its own time cache, and without one) and
// fails on any difference.
func checkAccessFast(t *testing.T, af *AccessFormat, lines string) {
	t.Helper()
	var zc1, zc2 zoneCache
	for line := range strings.Lines(lines) {
		s := string(trimEOL([]byte(line)))
		for _, cached := range []bool{true, false} {
			z1, z2 := &zc1, &zc2
			if !cached {
				z1, z2 = nil, nil
			}
			var got AccessEntry
			gcol, gerr := af.parse(&got, s, z1)
			want, wcol, werr := refAccessParse(af, s, z2)
			if gerr != werr || gcol != wcol {
				t.Fatalf("%q: parse: col %d %v; reference: col %d %v", s, gcol, gerr, wcol, werr)
			}
			if gerr != nil {
				continue
			}
			if !sameTime(got.Time, want.Time) {
				t.Fatalf("%q: Time %v, reference %v", s, got.Time, want.Time)
			}
			got.Time, want.Time = time.Time{}, time.Time{}
			if got != want {
				t.Fatalf("%q:\nparse     %+v\nreference %+v", s, got, want)
			}
		}
	}
}

func checkFPMAccessFast(t *testing.T, ff *FPMAccessFormat, lines string) {
	t.Helper()
	var zc1, zc2 zoneCache
	for line := range strings.Lines(lines) {
		s := string(trimEOL([]byte(line)))
		for _, cached := range []bool{true, false} {
			z1, z2 := &zc1, &zc2
			if !cached {
				z1, z2 = nil, nil
			}
			var got FPMAccessEntry
			gcol, gerr := ff.parse(&got, s, z1)
			want, wcol, werr := refFPMAccessParse(ff, s, z2)
			if gerr != werr || gcol != wcol {
				t.Fatalf("%q: parse: col %d %v; reference: col %d %v", s, gcol, gerr, wcol, werr)
			}
			if gerr != nil {
				continue
			}
			if !sameTime(got.Time, want.Time) || !sameTime(got.EndTime, want.EndTime) {
				t.Fatalf("%q: Time %v %v, reference %v %v", s, got.Time, got.EndTime, want.Time, want.EndTime)
			}
			got.Time, want.Time, got.EndTime, want.EndTime = time.Time{}, time.Time{}, time.Time{}, time.Time{}
			if got != want && !(got.CPU != got.CPU && want.CPU != want.CPU) {
				t.Fatalf("%q:\nparse     %+v\nreference %+v", s, got, want)
			}
		}
	}
}

// TestAccessFastPathsAgree: on the captured logs, the parsers agree with
// their reference (scan + set) line by line, times cached or not.
func TestAccessFastPathsAgree(t *testing.T) {
	af, err := CompileAccessFormat("upstreaminfo", EscapeDefault, upstreamInfoFormat)
	if err != nil {
		t.Fatal(err)
	}
	for _, data := range seedFiles(t, "../testdata/incidents/*/nginx-access.log") {
		checkAccessFast(t, af, string(data))
	}
	checkAccessFast(t, CombinedAccessFormat(), realCombinedLine+"\n")
	jf, err := CompileAccessFormat("j", EscapeJSON, realJSONFormat)
	if err != nil {
		t.Fatal(err)
	}
	checkAccessFast(t, jf, realJSONLine+"\n")
	for _, format := range []string{`%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`, realFPMAccessFormat, DefaultFPMAccessFormat} {
		ff, err := CompileFPMAccessFormat(format)
		if err != nil {
			t.Fatal(err)
		}
		for _, data := range seedFiles(t, "../testdata/incidents/*/php-fpm-access.log") {
			checkFPMAccessFast(t, ff, string(data))
		}
	}
}

func FuzzAccessFastPaths(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/nginx-access.log") {
		f.Add(upstreamInfoFormat, uint8(0), string(data[:min(len(data), 2000)]))
	}
	f.Add(CombinedFormat, uint8(0), realCombinedLine)
	f.Add(realJSONFormat, uint8(1), realJSONLine)
	f.Add("$time_local $time_iso8601|$request_time $status$body_bytes_sent", uint8(2),
		"21/Nov/2026:01:02:37 +0000 2026-11-21T01:02:37+00:00|0.001 2001\n21/Nov/2026:01:02:38 +0000 2026-11-21T01:02:38+01:00|- 20012\n")
	f.Fuzz(func(t *testing.T, format string, esc uint8, lines string) {
		af, err := CompileAccessFormat("f", AccessEscape(esc%3), format)
		if err != nil {
			return
		}
		checkAccessFast(t, af, lines)
	})
}

func FuzzFPMAccessFastPaths(f *testing.F) {
	for _, data := range seedFiles(f, "../testdata/incidents/*/php-fpm-access.log") {
		f.Add(`%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`, string(data))
		f.Add(realFPMAccessFormat, string(data))
	}
	f.Add("%d|%{micro}d %{mega}M %C %{total}C %s %p", "1.5|0.25 3 0.00 12 200 1\n12345678901.5|2 3.75 1e2 5 200 2\n")
	f.Fuzz(func(t *testing.T, format, lines string) {
		ff, err := CompileFPMAccessFormat(format)
		if err != nil {
			return
		}
		checkFPMAccessFast(t, ff, lines)
	})
}
