package logparse

import (
	"errors"
	"iter"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// Lines written by the real nginx 1.22.1 of this machine (a run like
// TestRealStack's: combined and an escape=json format, User-Agent
// `ag"ent\é`), kept verbatim.
const (
	realCombinedLine = `127.0.0.1 - - [21/Nov/2026:01:08:34 +0000] "GET /big.php?x=1 HTTP/1.1" 502 157 "-" "ag\x22ent\x5C\xC3\xA9"`
	realJSONFormat   = `{"a":"$request","u":"$http_user_agent","s":$status}`
	realJSONLine     = `{"a":"GET /big.php?x=1 HTTP/1.1","u":"ag\"ent\\é","s":502}`
	// testdata/incidents/upstream_keepalive_closed/nginx-access.log:2
	realUpstreamLine   = `127.0.0.1 - - [21/Nov/2026:01:02:38 +0000] "GET /api/b HTTP/1.1" 200 11 "-" "Go-http-client/1.1" rt=0.028 ua="127.0.0.1:41279, 127.0.0.1:41279" us="502, 200" urt="0.000, 0.028" uct="0.000, 0.000" uht="-, 0.028"`
	upstreamInfoFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" rt=$request_time ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time" uct="$upstream_connect_time" uht="$upstream_header_time"`
)

// samePointer compares the formats of entries by identity.
var samePointer = cmp.Options{
	cmp.Comparer(func(a, b *AccessFormat) bool { return a == b }),
	cmp.Comparer(func(a, b *FPMAccessFormat) bool { return a == b }),
}

func TestAccessFormatParse(t *testing.T) {
	e, err := CombinedAccessFormat().Parse([]byte(realCombinedLine + "\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := AccessEntry{Pos: e.Pos, Raw: realCombinedLine, Format: e.Format, RemoteAddr: "127.0.0.1",
		Time: time.Date(2026, 11, 21, 1, 8, 34, 0, time.UTC), Request: "GET /big.php?x=1 HTTP/1.1", Method: "GET", URI: "/big.php?x=1",
		Protocol: "HTTP/1.1", Status: 502, BodyBytesSent: 157, BytesSent: -1, RequestLength: -1, RequestTime: -1, UserAgent: `ag\x22ent\x5C\xC3\xA9`}
	if d := cmp.Diff(want, e, samePointer); d != "" {
		t.Errorf("combined (-want +got):\n%s", d)
	}
	if got := string(e.Format.Unescape(nil, e.UserAgent)); got != "ag\"ent\\é" {
		t.Errorf("unescaped %q", got)
	}
	jf, err := CompileAccessFormat("j", EscapeJSON, realJSONFormat)
	if err != nil {
		t.Fatal(err)
	}
	j, err := jf.Parse([]byte(realJSONLine))
	if err != nil {
		t.Fatal(err)
	}
	if j.Status != 502 || j.Request != "GET /big.php?x=1 HTTP/1.1" || j.UserAgent != `ag\"ent\\é` || string(jf.Unescape(nil, j.UserAgent)) != "ag\"ent\\é" {
		t.Errorf("json: %+v", j)
	}
	uf, err := CompileAccessFormat("upstreaminfo", EscapeDefault, upstreamInfoFormat)
	if err != nil {
		t.Fatal(err)
	}
	u, err := uf.Parse([]byte(realUpstreamLine))
	if err != nil {
		t.Fatal(err)
	}
	var got []UpstreamAttempt
	for a := range u.Upstreams() {
		got = append(got, a)
	}
	wantA := []UpstreamAttempt{
		{Addr: "127.0.0.1:41279", Status: 502, ResponseTime: 0, ConnectTime: 0, HeaderTime: -1, ResponseLength: -1},
		{Addr: "127.0.0.1:41279", Status: 200, ResponseTime: 28 * time.Millisecond, ConnectTime: 0, HeaderTime: 28 * time.Millisecond, ResponseLength: -1},
	}
	if d := cmp.Diff(wantA, got); d != "" {
		t.Errorf("attempts (-want +got):\n%s", d)
	}
	if u.RequestTime != 28*time.Millisecond || u.UpstreamStatus.Last() != "200" || u.UpstreamStatus.Len() != 2 {
		t.Errorf("upstream entry: %+v", u)
	}
	var vars []string
	for n, v := range u.Vars() {
		vars = append(vars, n+"="+v)
	}
	if len(vars) != 14 || vars[0] != "remote_addr=127.0.0.1" || vars[13] != "upstream_header_time=-, 0.028" {
		t.Errorf("Vars: %q", vars)
	}
	if v, ok := u.Var("upstream_status"); !ok || v != "502, 200" {
		t.Errorf("Var: %q %v", v, ok)
	}
	if _, ok := u.Var("nope"); ok {
		t.Error("Var of a missing variable")
	}
}

func TestUpstreamList(t *testing.T) {
	collect := func(seq iter.Seq2[int, string]) []string {
		var out []string
		for g, v := range seq {
			out = append(out, string(rune('0'+g))+":"+v)
		}
		return out
	}
	for _, tt := range []struct {
		l    UpstreamList
		want []string
		last string
	}{
		{"", nil, ""},
		{"-", nil, ""},
		{"502", []string{"0:502"}, "502"},
		{"502, 200", []string{"0:502", "0:200"}, "200"},
		{"unix:/a.sock : unix:/b.sock", []string{"0:unix:/a.sock", "1:unix:/b.sock"}, "unix:/b.sock"},
		{"10.0.0.1:80, 10.0.0.2:80 : -, 0.001", []string{"0:10.0.0.1:80", "0:10.0.0.2:80", "1:-", "1:0.001"}, "0.001"},
	} {
		if d := cmp.Diff(tt.want, collect(tt.l.Values())); d != "" {
			t.Errorf("%q (-want +got):\n%s", tt.l, d)
		}
		if tt.l.Len() != len(tt.want) || tt.l.Last() != tt.last {
			t.Errorf("%q: Len %d Last %q", tt.l, tt.l.Len(), tt.l.Last())
		}
	}
}

func TestCompileAccessFormatErrors(t *testing.T) {
	for _, tt := range []struct {
		format string
		col    int
	}{
		{"$", 1}, {"a $ b", 3}, {"${remote_addr", 1}, {"${}", 1}, {"x${a-b}", 2},
	} {
		_, err := CompileAccessFormat("x", EscapeDefault, tt.format)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrBadLogFormat) || pe.Pos.Col != tt.col {
			t.Errorf("%q: %v, want ErrBadLogFormat at col %d", tt.format, err, tt.col)
		}
	}
	if _, err := ParseAccessEscape("xml"); !errors.Is(err, ErrBadLogFormat) {
		t.Errorf("escape=xml: %v", err)
	}
	f, err := CompileAccessFormat("x", EscapeDefault, "${remote_addr}-$status")
	if err != nil || strings.Join(f.Vars(), ",") != "remote_addr,status" {
		t.Errorf("braces: %v %v", f.Vars(), err)
	}
}

func TestAccessReaderBadLines(t *testing.T) {
	log := realCombinedLine + "\n\nnot an access line\n" + strings.Replace(realCombinedLine, "502", "5x2", 1) + "\n" + realCombinedLine
	var statuses []int
	var errs []string
	for e, err := range NewAccessReader(strings.NewReader(log), CombinedAccessFormat(), AccessReaderOptions{File: "access.log"}).All() {
		if err != nil {
			if !errors.Is(err, ErrFormatMismatch) {
				t.Errorf("%v is not ErrFormatMismatch", err)
			}
			errs = append(errs, err.(*ParseError).Pos.String())
			continue
		}
		statuses = append(statuses, e.Status)
	}
	if d := cmp.Diff([]int{502, 502}, statuses); d != "" {
		t.Errorf("statuses (-want +got):\n%s", d)
	}
	// Line 3: $remote_addr runs to the end, where " - " is missing;
	// line 4: the $status value is malformed.
	if d := cmp.Diff([]string{"access.log:3:19", "access.log:4:72"}, errs); d != "" {
		t.Errorf("error positions (-want +got):\n%s", d)
	}
}

func TestAccessReaderAllocs(t *testing.T) {
	log := strings.Repeat(realUpstreamLine+"\n", 100)
	uf, err := CompileAccessFormat("upstreaminfo", EscapeDefault, upstreamInfoFormat)
	if err != nil {
		t.Fatal(err)
	}
	for _, reuse := range []bool{false, true} {
		allocs := testing.AllocsPerRun(20, func() {
			for _, err := range NewAccessReader(strings.NewReader(log), uf, AccessReaderOptions{ReuseRecord: reuse}).All() {
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		if per := (allocs - 5) / 100; per > map[bool]float64{false: 1, true: 0}[reuse]+0.02 {
			t.Errorf("reuse %v: %.2f allocations per line", reuse, per)
		}
	}
}

func TestFPMAccessFormat(t *testing.T) {
	// testdata/incidents/demo: its access.format and line 2.
	f, err := CompileFPMAccessFormat(`%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`)
	if err != nil {
		t.Fatal(err)
	}
	line := `- -  21/Nov/2026:01:02:34 +0000 "GET /search.php?q=shoes" 200 /tmp/bgw-974012840/www/search.php 4.819 2048 0.00% pid=32595`
	e, err := f.Parse([]byte(line))
	if err != nil {
		t.Fatal(err)
	}
	want := FPMAccessEntry{Pos: e.Pos, Raw: line, Format: f, RemoteAddr: "-", Time: time.Date(2026, 11, 21, 1, 2, 34, 0, time.UTC),
		Method: "GET", RequestURI: "/search.php", Query: "q=shoes", ScriptFilename: "/tmp/bgw-974012840/www/search.php", Status: 200,
		Duration: 4819 * time.Microsecond, Memory: 2048 * 1024, CPU: 0, ContentLength: -1, Child: 32595}
	if d := cmp.Diff(want, e, samePointer); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	if v, ok := e.Var("%f"); !ok || v != want.ScriptFilename {
		t.Errorf("Var(%%f) = %q %v", v, ok)
	}
	for _, tt := range []struct {
		format string
		col    int
	}{{"%", 1}, {"%x", 1}, {"%{user", 2}, {"%e", 1}, {"a %{X}o %{", 10}, {"%{Y}", 1}} {
		_, err := CompileFPMAccessFormat(tt.format)
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrBadLogFormat) || pe.Pos.Col != tt.col {
			t.Errorf("%q: %v, want ErrBadLogFormat at col %d", tt.format, err, tt.col)
		}
	}
	if _, err := f.Parse([]byte(strings.Replace(line, "pid=", "pod=", 1))); !errors.Is(err, ErrFormatMismatch) {
		t.Errorf("mismatch: %v", err)
	}
}
