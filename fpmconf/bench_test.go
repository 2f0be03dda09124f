package fpmconf

import (
	"bytes"
	"os"
	"testing"
)

// corpusBytes is every corpus file concatenated, one big config.
func corpusBytes(b *testing.B) []byte {
	var buf bytes.Buffer
	for _, f := range corpusFiles(b) {
		data, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		buf.Write(data)
		buf.WriteByte('\n')
	}
	return buf.Bytes()
}

// BenchmarkLoadCorpus parses the 38 real php-fpm files as one input,
// beside BenchmarkLineSplitBaseline over the same bytes (the floor: split
// into lines with bytes.IndexByte). Compare with
//
//	go test -run '^$' -bench 'LoadCorpus|LineSplit' -count 6 ./fpmconf | benchstat -
func BenchmarkLoadCorpus(b *testing.B) {
	data := corpusBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		Load("corpus.conf", &Options{SkipHostChecks: true, AllowRunAsRoot: true, data: data, noInclude: true,
			LookupEnv: func(string) (string, bool) { return "", false }})
	}
}

func BenchmarkLineSplitBaseline(b *testing.B) {
	data := corpusBytes(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		for off := 0; off < len(data); {
			i := bytes.IndexByte(data[off:], '\n')
			if i < 0 {
				break
			}
			off += i + 1
			n++
		}
	}
	if n == 0 {
		b.Fatal("no lines")
	}
}

// BenchmarkParseLine is the per-line PHP INI parser alone on a typical line.
func BenchmarkParseLine(b *testing.B) {
	line := "php_admin_value[error_reporting] = E_ALL & ~E_DEPRECATED ; comment"
	b.SetBytes(int64(len(line)))
	b.ReportAllocs()
	for b.Loop() {
		parseLine(line, nil)
	}
}
