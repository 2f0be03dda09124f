package classify

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"golang.org/x/tools/txtar"
)

// FuzzParseIgnores feeds arbitrary config text to the badgateway:ignore
// comment parser, seeded with every fixture's configs: no panic, every
// comment's position inside the input and on the marker, covered lines
// in order and inside the input.
func FuzzParseIgnores(f *testing.F) {
	files, _ := filepath.Glob("testdata/checks/*/*.txtar")
	for _, p := range files {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		for _, x := range ar.Files {
			f.Add(x.Data)
		}
	}
	f.Add([]byte("# badgateway:ignore\n; badgateway:ignore BG1001\nx # badgateway:ignore BG3007 why # want \"x\"\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		lines := bytes.Count(src, []byte("\n")) + 1
		for _, ig := range parseIgnores("f", src) {
			if ig.pos.Line < 1 || ig.pos.Line > lines || ig.pos.Offset < 0 || ig.pos.Offset >= int64(len(src)) {
				t.Fatalf("position %v outside the input (%d lines, %d bytes)", ig.pos, lines, len(src))
			}
			if !bytes.HasPrefix(src[ig.pos.Offset:], []byte(ignoreMarker)) {
				t.Fatalf("position %v is not at the marker", ig.pos)
			}
			if len(ig.lines) == 0 || ig.lines[0] != ig.pos.Line {
				t.Fatalf("comment at %v covers %v", ig.pos, ig.lines)
			}
			for i, l := range ig.lines {
				if l > lines || i > 0 && l <= ig.lines[i-1] {
					t.Fatalf("covered lines %v out of order or outside the input", ig.lines)
				}
			}
		}
	})
}

// FuzzCheckNginx runs every check over arbitrary nginx configs (read from
// memory, includes from an empty file system) paired with a fixed php-fpm
// pool: no panic, and every finding has a check code and a message.
func FuzzCheckNginx(f *testing.F) {
	files, _ := filepath.Glob("testdata/checks/*/*.txtar")
	for _, p := range files {
		ar, err := txtar.ParseFile(p)
		if err != nil {
			continue
		}
		for _, x := range ar.Files {
			if x.Name == "nginx.conf" {
				f.Add(x.Data)
			}
		}
	}
	ar, _ := txtar.ParseFile("testdata/checks/fastcgi_pass_listen/mismatch.txtar")
	var pool []byte
	for _, x := range ar.Files {
		if x.Name == "php-fpm.conf" {
			pool = x.Data
		}
	}
	dir := f.TempDir()
	fpmPath := filepath.Join(dir, "www.conf")
	if err := os.WriteFile(fpmPath, pool, 0o644); err != nil {
		f.Fatal(err)
	}
	fpm, _ := fpmconf.Load(fpmPath, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
	f.Fuzz(func(t *testing.T, src []byte) {
		n, _ := nginxconf.Parse("/fuzz/nginx.conf", src, &nginxconf.Options{FS: fstest.MapFS{}})
		read := func(string) ([]byte, error) { return src, nil }
		for _, fd := range CheckWith(CheckInput{Nginx: n, FPM: fpm, ReadFile: read}) {
			if fd.Check == "" || fd.Message == "" {
				t.Fatalf("finding without code or message: %+v", fd)
			}
		}
	})
}
