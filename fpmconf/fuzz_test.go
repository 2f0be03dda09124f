package fpmconf

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "testdata", "fpmconf", "corpus", "*", "*"))
	_ = filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	for _, p := range files {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	if ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "fpmconf", "edge.txtar")); err == nil {
		for _, file := range ar.Files {
			f.Add(file.Data)
		}
	}
	for _, s := range []string{"", "[", "[a", "a=\"", "a=${", "a=(((", "x[=1", "\xef\xbb\xbf[w]\nlisten=1", "a = $\n", "a='", "a=~!~!1", "[${A}]\n"} {
		f.Add([]byte(s))
	}
}

// FuzzLoad: Load never panics, and every problem position lies inside the
// input (line and column of a real byte, or one past a line's end).
func FuzzLoad(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := &Options{SkipHostChecks: true, data: data, noInclude: true,
			LookupEnv: func(k string) (string, bool) { return strings.Repeat("v", len(k)%7), true }}
		cfg, _ := Load("fuzz.conf", opts)
		lines := strings.Split(string(data), "\n")
		for _, p := range cfg.Problems {
			if !p.Pos.IsValid() || p.Pos.File != "fuzz.conf" {
				continue
			}
			if p.Pos.Line > len(lines) {
				t.Fatalf("problem line %d past the end (%d lines): %v", p.Pos.Line, len(lines), p)
			}
			if p.Pos.Col < 1 || p.Pos.Col > len(lines[p.Pos.Line-1])+1 {
				t.Fatalf("problem column %d outside line %d (%d bytes): %v", p.Pos.Col, p.Pos.Line, len(lines[p.Pos.Line-1]), p)
			}
			if p.Pos.Offset < 0 || p.Pos.Offset > int64(len(data)) {
				t.Fatalf("offset %d outside input: %v", p.Pos.Offset, p)
			}
		}
	})
}

// FuzzPHPIni: the php.ini reader never panics and keeps positions inside
// the input.
func FuzzPHPIni(f *testing.F) {
	addSeeds(f)
	if b, err := os.ReadFile(filepath.Join("..", "testdata", "fpmconf", "php.ini-debian")); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ini := &PHPIni{Values: map[string]IniValue{}}
		parsePHPIni(ini, "php.ini", string(data), func(string) (string, bool) { return "", false })
		for _, v := range ini.Values {
			if v.Pos.Offset < 0 || v.Pos.Offset > int64(len(data)) {
				t.Fatalf("offset %d outside input for %s", v.Pos.Offset, v.Name)
			}
		}
		for _, p := range ini.Problems {
			if p.Pos.Offset < 0 || p.Pos.Offset > int64(len(data)) {
				t.Fatalf("problem offset %d outside input", p.Pos.Offset)
			}
		}
	})
}
