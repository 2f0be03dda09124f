package logparse

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var updateGolden = flag.Bool("update-fpm-golden", false, "rewrite testdata/golden/incidents.txt from the captured incidents")

// TestIncidentsGolden parses every log of the 57 real-server incidents of
// ../testdata/incidents (php-fpm error, slow and access logs, nginx access
// log with the log_format of the nginx.conf beside it and the
// access.format of the php-fpm.conf) and compares every entry's non-zero
// fields with testdata/golden/incidents.txt. No line may fail to parse.
// Rewrite the golden file with -update-fpm-golden after checking the diff.
func TestIncidentsGolden(t *testing.T) {
	dirs, err := filepath.Glob("../testdata/incidents/*/php-fpm.conf")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no incidents: %v", err)
	}
	var out bytes.Buffer
	counts := map[string]int{}
	for _, conf := range dirs {
		dir := filepath.Dir(conf)
		name := filepath.Base(dir)
		logs := func(file string) *os.File {
			f, err := os.Open(filepath.Join(dir, file))
			if err != nil {
				return nil
			}
			t.Cleanup(func() { f.Close() })
			return f
		}
		if f := logs("php-fpm.log"); f != nil {
			for e, err := range NewFPMReader(f, FPMReaderOptions{File: name + "/php-fpm.log"}).All() {
				if err != nil {
					t.Errorf("%v", err)
					continue
				}
				checkFPMSubstrings(t, &e)
				counts["php-fpm.log"]++
				skip := []string{"Pos", "Raw", "Lines", "Message"}
				if e.Event == FPMOther {
					skip = skip[:3] // unknown messages: keep the text
				}
				fmt.Fprintf(&out, "%s %s\n", e.Pos, goldenFields(e, skip...))
			}
		}
		if f := logs("php-fpm-slow.log"); f != nil {
			for e, err := range NewSlowReader(f, SlowReaderOptions{File: name + "/php-fpm-slow.log"}).All() {
				if err != nil {
					t.Errorf("%v", err)
					continue
				}
				counts["php-fpm-slow.log"]++
				fmt.Fprintf(&out, "%s %s\n", e.Pos, goldenFields(e, "Pos", "Raw"))
				for fr := range e.Frames() {
					fmt.Fprintf(&out, "  frame %s\n", goldenFields(fr, "Raw"))
				}
			}
		}
		ff, err := CompileFPMAccessFormat(fpmAccessFormatOf(t, conf))
		if err != nil {
			t.Fatal(err)
		}
		if f := logs("php-fpm-access.log"); f != nil {
			for e, err := range NewFPMAccessReader(f, ff, AccessReaderOptions{File: name + "/php-fpm-access.log"}).All() {
				if err != nil {
					t.Errorf("%v", err)
					continue
				}
				counts["php-fpm-access.log"]++
				fmt.Fprintf(&out, "%s %s\n", e.Pos, goldenFields(e, "Pos", "Raw", "Format"))
			}
		}
		af, err := CompileAccessFormat("upstreaminfo", EscapeDefault, logFormatOf(t, filepath.Join(dir, "nginx.conf"), "upstreaminfo"))
		if err != nil {
			t.Fatal(err)
		}
		if f := logs("nginx-access.log"); f != nil {
			for e, err := range NewAccessReader(f, af, AccessReaderOptions{File: name + "/nginx-access.log"}).All() {
				if err != nil {
					t.Errorf("%v", err)
					continue
				}
				counts["nginx-access.log"]++
				fmt.Fprintf(&out, "%s %s\n", e.Pos, goldenFields(e, "Pos", "Raw", "Format", "UpstreamAddr", "UpstreamStatus",
					"UpstreamResponseTime", "UpstreamConnectTime", "UpstreamHeaderTime", "UpstreamResponseLength"))
				for a := range e.Upstreams() {
					fmt.Fprintf(&out, "  attempt %s\n", goldenFields(a))
				}
			}
		}
	}
	t.Logf("entries: %v", counts)
	golden := "testdata/golden/incidents.txt"
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(golden), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update-fpm-golden)", err)
	}
	if d := cmp.Diff(string(want), out.String()); d != "" {
		t.Errorf("%s (-want +got):\n%s", golden, d)
	}
}

// goldenFields prints the non-zero fields of the struct v as "Name=value",
// leaving out the named fields; numbers that mean "absent" as -1 are left
// out too.
func goldenFields(v any, skip ...string) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		fv := rv.Field(i)
		if !f.IsExported() || fv.IsZero() || fv.CanInt() && fv.Int() == -1 || fv.CanFloat() && fv.Float() == -1 {
			continue
		}
		skipped := false
		for _, s := range skip {
			skipped = skipped || s == f.Name
		}
		if skipped {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		switch x := fv.Interface().(type) {
		case time.Time:
			fmt.Fprintf(&b, "%s=%s", f.Name, x.UTC().Format("2006-01-02T15:04:05.999999Z"))
		case string, UpstreamList:
			fmt.Fprintf(&b, "%s=%q", f.Name, x)
		default:
			fmt.Fprintf(&b, "%s=%v", f.Name, x)
		}
	}
	return b.String()
}

// logFormatOf returns the text of "log_format NAME '…' '…';" in an
// nginx.conf (single-quoted strings concatenated, as nginx does).
func logFormatOf(t *testing.T, conf, name string) string {
	t.Helper()
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "log_format "+name+" ")
	if i < 0 {
		t.Fatalf("%s: no log_format %s", conf, name)
	}
	s = s[i : strings.IndexByte(s[i:], ';')+i]
	var text strings.Builder
	for {
		a := strings.IndexByte(s, '\'')
		if a < 0 {
			break
		}
		e := strings.IndexByte(s[a+1:], '\'')
		text.WriteString(s[a+1 : a+1+e])
		s = s[a+1+e+1:]
	}
	return text.String()
}

// fpmAccessFormatOf returns the access.format of a php-fpm.conf (its
// double quotes removed and \" unescaped), or the default.
func fpmAccessFormatOf(t *testing.T, conf string) string {
	t.Helper()
	b, err := os.ReadFile(conf)
	if err != nil {
		t.Fatal(err)
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "access.format = "); ok {
			v = strings.TrimSuffix(strings.TrimPrefix(v, `"`), `"`)
			return strings.ReplaceAll(v, `\"`, `"`)
		}
	}
	return DefaultFPMAccessFormat
}
