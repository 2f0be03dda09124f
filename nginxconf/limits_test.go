package nginxconf

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func hasProblem(cfg *Config, target error, line int) bool {
	for _, p := range cfg.Problems {
		if errors.Is(p, target) && (line == 0 || p.Pos.Line == line) {
			return true
		}
	}
	return false
}

func TestIncludes(t *testing.T) {
	fsys := fstest.MapFS{
		"etc/nginx/nginx.conf": {Data: []byte("events {}\nhttp {\n    include conf.d/*.conf;\n    include \"quoted.conf\";\n    include missing.conf;\n    include nomatch/*.conf;\n    server {\n        include snip.conf;\n    }\n    server {\n        include snip.conf;\n    }\n}\n")},
		// glob(3) order is bytewise, and hidden files are skipped.
		"etc/nginx/conf.d/b.conf":       {Data: []byte("upstream b { server 127.0.0.1:2; }\n")},
		"etc/nginx/conf.d/a.conf":       {Data: []byte("upstream a { server 127.0.0.1:1; }\n")},
		"etc/nginx/conf.d/B.conf":       {Data: []byte("upstream B2 { server 127.0.0.1:3; }\n")},
		"etc/nginx/conf.d/.hidden.conf": {Data: []byte("upstream hidden { server 127.0.0.1:4; }\n")},
		"etc/nginx/quoted.conf":         {Data: []byte("log_format q '$status';\n")},
		"etc/nginx/snip.conf":           {Data: []byte("listen 8080;\nlocation / { proxy_pass http://a; }\n")},
	}
	cfg, _ := Load("/etc/nginx/nginx.conf", &Options{FS: fsys})
	var names []string
	for _, u := range cfg.HTTP.Upstreams {
		names = append(names, u.Name)
	}
	if got := strings.Join(names, ","); got != "B2,a,b" {
		t.Errorf("upstreams in include order = %s, want B2,a,b", got)
	}
	if cfg.LogFormat("q") == nil {
		t.Errorf("quoted include not read")
	}
	if !hasProblem(cfg, fs.ErrNotExist, 5) {
		t.Errorf("missing include: want a not-exist problem at line 5, got %v", cfg.Problems)
	}
	if len(cfg.Problems) != 1 {
		t.Errorf("want only the missing include as a problem, got %v", cfg.Problems)
	}
	// One snippet, two include sites: two instances with their own
	// context and chain.
	if len(cfg.HTTP.Servers) != 2 {
		t.Fatalf("servers = %d", len(cfg.HTTP.Servers))
	}
	for i, s := range cfg.HTTP.Servers {
		if len(s.Locations) != 1 || s.Locations[0].Pass.Upstream == nil {
			t.Fatalf("server %d: locations %v", i, s.Locations)
		}
		chain := s.Locations[0].Directive.IncludedFrom
		wantLine := []int{8, 11}[i]
		if len(chain) != 1 || chain[0].Line != wantLine {
			t.Errorf("server %d: include chain %v, want nginx.conf:%d", i, chain, wantLine)
		}
		if s.Listen[0].Port != 8080 {
			t.Errorf("server %d: listen %+v", i, s.Listen[0])
		}
	}
	if cfg.HTTP.Servers[0].Locations[0] == cfg.HTTP.Servers[1].Locations[0] {
		t.Errorf("the two instances are the same object")
	}
	// The snippet is one file, read once.
	n := 0
	for _, f := range cfg.Files {
		if strings.HasSuffix(f.Path, "snip.conf") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("snip.conf listed %d times in Files", n)
	}
}

func TestLimits(t *testing.T) {
	t.Run("cycle", func(t *testing.T) {
		fsys := fstest.MapFS{
			"a.conf": {Data: []byte("include b.conf;\n")},
			"b.conf": {Data: []byte("worker_processes 2;\ninclude a.conf;\n")},
		}
		cfg, _ := Load("/a.conf", &Options{FS: fsys})
		if !hasProblem(cfg, ErrIncludeCycle, 2) {
			t.Errorf("want an include cycle at b.conf:2, got %v", cfg.Problems)
		}
		if cfg.Main.WorkerProcesses.Value != 2 {
			t.Errorf("the rest of b.conf was lost")
		}
	})
	t.Run("depth", func(t *testing.T) {
		fsys := fstest.MapFS{}
		for i := 0; i < 10; i++ {
			fsys[filepath.Join("d", string(rune('a'+i))+".conf")] = &fstest.MapFile{Data: []byte("include " + string(rune('a'+i+1)) + ".conf;\n")}
		}
		cfg, _ := Load("/d/a.conf", &Options{FS: fsys, MaxIncludeDepth: 3})
		if !hasProblem(cfg, ErrLimit, 0) {
			t.Errorf("want a depth limit problem, got %v", cfg.Problems)
		}
	})
	t.Run("files", func(t *testing.T) {
		// Each level includes the next one twice: 2^n reads without a bound.
		fsys := fstest.MapFS{}
		for i := 0; i < 30; i++ {
			next := string(rune('a'+i+1)) + ".conf"
			fsys[string(rune('a'+i))+".conf"] = &fstest.MapFile{Data: []byte("include " + next + ";\ninclude " + next + ";\n")}
		}
		cfg, _ := Load("/a.conf", &Options{FS: fsys, MaxFiles: 100})
		if !hasProblem(cfg, ErrLimit, 0) {
			t.Errorf("want a file count problem")
		}
	})
	t.Run("size", func(t *testing.T) {
		fsys := fstest.MapFS{"big.conf": {Data: []byte(strings.Repeat("# x\n", 1000))}}
		cfg, _ := Load("/big.conf", &Options{FS: fsys, MaxFileSize: 100})
		if !hasProblem(cfg, ErrTooLarge, 0) {
			t.Errorf("want a size problem, got %v", cfg.Problems)
		}
	})
	t.Run("directives", func(t *testing.T) {
		fsys := fstest.MapFS{"many.conf": {Data: []byte(strings.Repeat("worker_processes 1;\n", 100))}}
		cfg, _ := Load("/many.conf", &Options{FS: fsys, MaxDirectives: 10})
		if !hasProblem(cfg, ErrLimit, 11) || len(cfg.Root) != 10 {
			t.Errorf("want a directive limit at line 11 and 10 directives, got %d, %v", len(cfg.Root), cfg.Problems)
		}
	})
	t.Run("devzero", func(t *testing.T) {
		fsys := fstest.MapFS{"z.conf": {Data: []byte("include /dev/zero;\nworker_processes 3;\n")}}
		_ = fsys
		dir := t.TempDir()
		conf := filepath.Join(dir, "z.conf")
		if err := os.WriteFile(conf, []byte("include /dev/zero;\nworker_processes 3;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, _ := Load(conf, nil)
		if !hasProblem(cfg, ErrNotRegular, 1) || cfg.Main.WorkerProcesses.Value != 3 {
			t.Errorf("want /dev/zero read as empty with a warning, got %v", cfg.Problems)
		}
	})
	t.Run("symlink loop and directory", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink(filepath.Join(dir, "loop1"), filepath.Join(dir, "loop2")); err != nil {
			t.Skip(err)
		}
		if err := os.Symlink(filepath.Join(dir, "loop2"), filepath.Join(dir, "loop1")); err != nil {
			t.Fatal(err)
		}
		if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte("include loop1;\ninclude sub;\nworker_processes 5;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		cfg, _ := Load(conf, nil)
		if len(cfg.Problems) != 2 || cfg.Problems[0].Pos.Line != 1 || !hasProblem(cfg, ErrIsDirectory, 2) {
			t.Errorf("want problems at lines 1 (loop) and 2 (directory), got %v", cfg.Problems)
		}
		if cfg.Main.WorkerProcesses.Value != 5 {
			t.Errorf("the rest of the file was lost")
		}
	})
}
