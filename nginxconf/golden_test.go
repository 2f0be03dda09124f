package nginxconf

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// goldenJSON is what the golden tests compare: the typed model and the
// problems, as text.
type goldenJSON struct {
	Config   *Config  `json:"config"`
	Problems []string `json:"problems,omitempty"`
}

// loadArchive loads a txtar archive's files as /etc/nginx/NAME. The
// archive comment may set "main: NAME" (default nginx.conf) and
// "context: CTX".
func loadArchive(t *testing.T, ar *txtar.Archive) *Config {
	t.Helper()
	fsys := fstest.MapFS{}
	mainFile, ctx := "nginx.conf", ""
	for _, line := range strings.Split(string(ar.Comment), "\n") {
		if v, ok := strings.CutPrefix(line, "main: "); ok {
			mainFile = strings.TrimSpace(v)
		}
		if v, ok := strings.CutPrefix(line, "context: "); ok {
			ctx = strings.TrimSpace(v)
		}
	}
	for _, f := range ar.Files {
		if f.Name == "want.json" {
			continue
		}
		fsys["etc/nginx/"+f.Name] = &fstest.MapFile{Data: f.Data}
	}
	cfg, _ := Load("/etc/nginx/"+mainFile, &Options{FS: fsys, Context: ctx, ConfPrefix: "/etc/nginx"})
	return cfg
}

// TestGolden loads each testdata/golden/*.txtar and compares the model,
// as JSON, with the archive's want.json; -update rewrites it.
func TestGolden(t *testing.T) {
	paths, err := filepath.Glob("testdata/golden/*.txtar")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no golden archives: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			ar, err := txtar.ParseFile(p)
			if err != nil {
				t.Fatal(err)
			}
			cfg := loadArchive(t, ar)
			g := goldenJSON{Config: cfg}
			for _, pr := range cfg.Problems {
				g.Problems = append(g.Problems, pr.Error())
			}
			got, err := json.MarshalIndent(g, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			var want []byte
			idx := -1
			for i, f := range ar.Files {
				if f.Name == "want.json" {
					want, idx = f.Data, i
				}
			}
			if *update {
				if idx < 0 {
					ar.Files = append(ar.Files, txtar.File{Name: "want.json"})
					idx = len(ar.Files) - 1
				}
				ar.Files[idx].Data = got
				if err := os.WriteFile(p, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("model (-want +got):\n%s", diff)
			}
			if !bytes.Contains(want, []byte(`"path"`)) {
				t.Errorf("want.json looks empty")
			}
		})
	}
}
