package nginxconf

import (
	"bytes"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/tufanbarisyildirim/gonginx/parser"
)

var (
	benchOnce sync.Once
	benchConf []byte
)

// benchConfig builds a ~5 MB nginx.conf from real server blocks: every
// corpus file nginx accepts in the http or server context that has no
// include and that gonginx also parses, wrapped in one http block and
// repeated until the size is reached.
func benchConfig(b *testing.B) []byte {
	benchOnce.Do(func() {
		var parts [][]byte
		for _, v := range readVerdicts(b) {
			if v.verdict != "ok" || (v.context != "http" && v.context != "server") {
				continue
			}
			src, err := os.ReadFile(filepath.Join(corpusDir, v.file))
			if err != nil || bytes.Contains(src, []byte("include")) || bytes.Contains(src, []byte("_by_lua")) {
				continue
			}
			if v.context == "server" {
				src = append(append([]byte("server {\n"), src...), "\n}\n"...)
			}
			if _, err := parser.NewStringParser(string(src), parser.WithSkipValidDirectivesErr()).Parse(); err != nil {
				continue
			}
			parts = append(parts, src)
		}
		sort.Slice(parts, func(i, j int) bool { return bytes.Compare(parts[i], parts[j]) < 0 })
		var buf bytes.Buffer
		buf.WriteString("events {}\nhttp {\n")
		for buf.Len() < 5<<20 {
			for _, p := range parts {
				buf.Write(p)
				buf.WriteByte('\n')
			}
		}
		buf.WriteString("}\n")
		benchConf = buf.Bytes()
	})
	if len(benchConf) < 5<<20 {
		b.Fatalf("bench config only %d bytes", len(benchConf))
	}
	return benchConf
}

// BenchmarkLoad measures Parse (tokenizer, tree and the whole typed model
// with effective settings) on a ~5 MB config of real server blocks,
// beside gonginx's parse of the same bytes (tree only) and the line-split
// floor. Compare with:
//
//	go test -run='^$' -bench=. -benchmem -count=6 ./nginxconf | tee new.txt
//	benchstat new.txt
func BenchmarkLoad(b *testing.B) {
	data := benchConfig(b)
	b.Run("nginxconf", func(b *testing.B) {
		fsys := fstest.MapFS{}
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			cfg, _ := Parse("/etc/nginx/nginx.conf", data, &Options{FS: fsys})
			if cfg.HTTP == nil || len(cfg.HTTP.Servers) == 0 {
				b.Fatal("no servers")
			}
		}
	})
	b.Run("gonginx", func(b *testing.B) {
		s := string(data)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			c, err := parser.NewStringParser(s, parser.WithSkipValidDirectivesErr()).Parse()
			if err != nil || len(c.Block.Directives) == 0 {
				b.Fatal(err)
			}
		}
	})
	b.Run("linesplit", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			n := 0
			for rest := data; len(rest) > 0; n++ {
				i := bytes.IndexByte(rest, '\n')
				if i < 0 {
					break
				}
				rest = rest[i+1:]
			}
			if n == 0 {
				b.Fatal("no lines")
			}
		}
	})
}
