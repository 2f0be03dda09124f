package classify

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/badgateway/badgateway/nginxconf"
)

// Run with:
//
//	go test -run='^$' -bench='Corpus' -count=6 ./classify | tee new.txt
//	benchstat new.txt
//
// BenchmarkCheckCorpus runs every check over every nginx corpus file (read
// once, outside the loop); BenchmarkWalkCorpus is the baseline: only
// visiting every pass and location of the same configs, the traversal any
// check needs. Bytes are the corpus files' sizes.
func loadNginxCorpus(b *testing.B) ([]*nginxconf.Config, int64) {
	b.Helper()
	var cfgs []*nginxconf.Config
	var n int64
	filepath.Walk(nginxCorpus, func(p string, fi os.FileInfo, err error) error {
		if err != nil || !fi.Mode().IsRegular() {
			return nil
		}
		c, _ := nginxconf.Load(p, &nginxconf.Options{Context: "main"})
		cfgs = append(cfgs, c)
		n += fi.Size()
		return nil
	})
	if len(cfgs) == 0 {
		b.Skip("no corpus")
	}
	return cfgs, n
}

func BenchmarkCheckCorpus(b *testing.B) {
	cfgs, n := loadNginxCorpus(b)
	noRead := func(string) ([]byte, error) { return nil, os.ErrNotExist }
	b.SetBytes(n)
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cfgs {
			CheckWith(CheckInput{Nginx: c, ReadFile: noRead})
		}
	}
}

func BenchmarkWalkCorpus(b *testing.B) {
	cfgs, n := loadNginxCorpus(b)
	b.SetBytes(n)
	b.ReportAllocs()
	sink := 0
	for b.Loop() {
		for _, c := range cfgs {
			for p := range c.Passes() {
				sink += len(p.Raw)
			}
			for l := range c.Locations() {
				sink += len(l.Match)
			}
		}
	}
	_ = sink
}
