package nginxconf

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"testing/fstest"
)

// FuzzLoad feeds arbitrary bytes to Parse (with a small in-memory file
// system for includes) and checks: no panic, a non-nil Config, every
// position of the main file inside the input, a statement count no larger
// than the input allows, and a model that marshals to JSON.
func FuzzLoad(f *testing.F) {
	for _, tc := range tokenCases {
		f.Add([]byte(tc.src))
	}
	var names []string
	_ = filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			names = append(names, p)
		}
		return nil
	})
	sort.Strings(names)
	for i, p := range names {
		if i%4 != 0 { // a quarter of the corpus keeps the seed set fast
			continue
		}
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	fsys := fstest.MapFS{
		"f/inc.conf":      {Data: []byte("fastcgi_param SCRIPT_FILENAME $request_filename;\nlocation /i { proxy_pass http://u; }\n")},
		"f/conf.d/a.conf": {Data: []byte("upstream u { server 127.0.0.1:1 max_fails=0; keepalive 2; }\n")},
		"f/self.conf":     {Data: []byte("include self.conf;\n")},
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, _ := Parse("/f/nginx.conf", data, &Options{FS: fsys, MaxDirectives: 10000, MaxFiles: 200})
		if cfg == nil || cfg.Main == nil {
			t.Fatal("nil Config or Main")
		}
		count := 0
		var check func(list []*Directive)
		check = func(list []*Directive) {
			for _, d := range list {
				count++
				if d.Pos.File == "/f/nginx.conf" {
					if d.Pos.Line < 1 || d.Pos.Offset < 0 || d.Pos.Offset >= int64(len(data)) {
						t.Fatalf("directive %q at %v outside the input (%d bytes)", d.Name, d.Pos, len(data))
					}
					if d.End.Line != 0 && d.End.Offset < d.Pos.Offset {
						t.Fatalf("directive %q ends at %v before it starts at %v", d.Name, d.End, d.Pos)
					}
				}
				check(d.Children)
			}
		}
		check(cfg.Root)
		if count > 10000+len(data) {
			t.Fatalf("%d directives from %d bytes", count, len(data))
		}
		for _, p := range cfg.Problems {
			if p.Err == nil {
				t.Fatalf("problem without an error at %v", p.Pos)
			}
		}
		if _, err := json.Marshal(cfg); err != nil {
			t.Fatalf("model does not marshal: %v", err)
		}
	})
}
