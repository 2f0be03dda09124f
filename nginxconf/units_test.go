package nginxconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var msecCases = []struct {
	in   string
	want time.Duration
	ok   bool
}{
	{"60s", 60 * time.Second, true},
	{"500ms", 500 * time.Millisecond, true},
	{"75", 75 * time.Second, true},
	{"1m30s", 90 * time.Second, true},
	{"1h 30m", 90 * time.Minute, true},
	{"2d", 48 * time.Hour, true},
	{"1w", 7 * 24 * time.Hour, true},
	{"0", 0, true},
	{"1s500ms", 1500 * time.Millisecond, true},
	{"1M", 0, false}, // months are not accepted in milliseconds
	{"1y", 0, false},
	{"5ss", 0, false},
	{"s", 0, false},
	{"1m1h", 0, false}, // units must decrease
	{"-1s", 0, false},
	{"1.5s", 0, false},
	{"99999999999999999999", 0, false},
}

func TestParseMsec(t *testing.T) {
	for _, tc := range msecCases {
		got, err := ParseMsec(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseMsec(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestParseSec(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"10s", 10 * time.Second, true},
		{"30", 30 * time.Second, true},
		{"1M", 30 * 24 * time.Hour, true},
		{"1y", 365 * 24 * time.Hour, true},
		{"500ms", 0, false},
		{"", 0, false},
	} {
		got, err := ParseSec(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseSec(%q) = %v, %v; want %v, ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

var sizeCases = []struct {
	in     string
	size   int64 // ParseSize; -1 = rejected
	offset int64 // ParseOffset; -1 = rejected
}{
	{"4k", 4096, 4096},
	{"8K", 8192, 8192},
	{"1m", 1 << 20, 1 << 20},
	{"2M", 2 << 20, 2 << 20},
	{"1g", -1, 1 << 30},
	{"100", 100, 100},
	{"0", 0, 0},
	{"k", -1, -1},
	{"1.5m", -1, -1},
	{"-1", -1, -1},
	{"1kb", -1, -1},
}

func TestParseSize(t *testing.T) {
	for _, tc := range sizeCases {
		got, err := ParseSize(tc.in)
		if err != nil {
			got = -1
		}
		if got != tc.size {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tc.in, got, err, tc.size)
		}
		got, err = ParseOffset(tc.in)
		if err != nil {
			got = -1
		}
		if got != tc.offset {
			t.Errorf("ParseOffset(%q) = %d, %v; want %d", tc.in, got, err, tc.offset)
		}
	}
}

// TestUnitsNginx checks that the real nginx accepts exactly the values
// our parsers accept: a millisecond slot (proxy_read_timeout), a size
// slot (proxy_buffer_size) and an offset slot (client_max_body_size).
func TestUnitsNginx(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	try := func(directive, value string) bool {
		dir := t.TempDir()
		conf := filepath.Join(dir, "nginx.conf")
		src := "pid " + dir + "/nginx.pid;\nerror_log " + dir + "/error.log;\nevents {}\nhttp {\n" + directive + " \"" + value + "\";\n}\n"
		if err := os.WriteFile(conf, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := runNginx(t, bin, dir, conf, false)
		return !strings.Contains(stderr, "[emerg]")
	}
	for _, tc := range msecCases {
		_, err := ParseMsec(tc.in)
		if got := try("proxy_read_timeout", tc.in); got != (err == nil) {
			t.Errorf("proxy_read_timeout %q: nginx accepts = %v, ParseMsec err = %v", tc.in, got, err)
		}
	}
	for _, tc := range sizeCases {
		if tc.in == "0" {
			continue // nginx refuses a zero proxy_buffer_size for other reasons
		}
		_, err := ParseSize(tc.in)
		if got := try("proxy_buffer_size", tc.in); got != (err == nil) {
			t.Errorf("proxy_buffer_size %q: nginx accepts = %v, ParseSize err = %v", tc.in, got, err)
		}
		_, err = ParseOffset(tc.in)
		if got := try("client_max_body_size", tc.in); got != (err == nil) {
			t.Errorf("client_max_body_size %q: nginx accepts = %v, ParseOffset err = %v", tc.in, got, err)
		}
	}
}
