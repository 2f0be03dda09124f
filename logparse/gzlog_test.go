package logparse

import (
	"compress/gzip"
	"os"
	"path/filepath"
	"testing"
)

// TestReadersGzip reads gzip rotations of real logs through OpenLog with
// each new reader and checks that they give as many entries as the plain
// files.
func TestReadersGzip(t *testing.T) {
	dir := t.TempDir()
	gz := func(src string) string {
		data, err := os.ReadFile(src)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, filepath.Base(filepath.Dir(src))+"-"+filepath.Base(src)+".1.gz")
		f, err := os.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		zw := gzip.NewWriter(f)
		if _, err := zw.Write(data); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := f.Close(); err != nil {
			t.Fatal(err)
		}
		return name
	}
	const demo = "../testdata/incidents/demo/"
	af, err := CompileAccessFormat("upstreaminfo", EscapeDefault, upstreamInfoFormat)
	if err != nil {
		t.Fatal(err)
	}
	ff, err := CompileFPMAccessFormat(fpmAccessFormatOf(t, demo+"php-fpm.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ file, kind string }{
		{"php-fpm.log", "fpm"}, {"php-fpm-slow.log", "slow"}, {"nginx-access.log", "access"}, {"php-fpm-access.log", "fpmaccess"},
	} {
		n := map[string]int{}
		for _, name := range []string{demo + tt.file, gz(demo + tt.file)} {
			rc, err := OpenLog(name)
			if err != nil {
				t.Fatal(err)
			}
			var bad error
			switch tt.kind {
			case "fpm":
				for _, err := range NewFPMReader(rc, FPMReaderOptions{File: name}).All() {
					n[name]++
					bad = firstErr(bad, err)
				}
			case "slow":
				for _, err := range NewSlowReader(rc, SlowReaderOptions{File: name}).All() {
					n[name]++
					bad = firstErr(bad, err)
				}
			case "access":
				for _, err := range NewAccessReader(rc, af, AccessReaderOptions{File: name}).All() {
					n[name]++
					bad = firstErr(bad, err)
				}
			case "fpmaccess":
				for _, err := range NewFPMAccessReader(rc, ff, AccessReaderOptions{File: name}).All() {
					n[name]++
					bad = firstErr(bad, err)
				}
			}
			rc.Close()
			if bad != nil {
				t.Errorf("%s: %v", name, bad)
			}
		}
		if len(n) != 2 || n[demo+tt.file] == 0 {
			t.Errorf("%s: entries %v", tt.file, n)
		}
		var counts []int
		for _, v := range n {
			counts = append(counts, v)
		}
		if len(counts) == 2 && counts[0] != counts[1] {
			t.Errorf("%s: plain and gzip differ: %v", tt.file, n)
		}
	}
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
