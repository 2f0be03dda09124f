package logparse

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"
	"time"
)

// Benchmarks of the php-fpm error-log, slow-log and access-log parsers.
// Each runs over a corpus of about 8 MB made of the real logs of the 57
// captured incidents (../testdata/incidents/*/: php-fpm.log plus
// ../testdata/logs/php-fpm-8.2-capture.log; php-fpm-slow.log;
// nginx-access.log with the upstreaminfo log_format of their nginx.conf;
// php-fpm-access.log with their access.format), repeated. The baseline is
// splitting the same bytes into lines with bytes.IndexByte; the target
// (issue 6) is ≥ 10 % of its throughput and ≤ 1 allocation per record (0
// with ReuseRecord). BenchmarkLogRatios runs every contender interleaved
// and measures process CPU time, whose ratios are the numbers to quote on
// a shared machine:
//
//	go test -run='^$' -bench=LogRatios -benchtime=5x ./logparse
//
// and the per-reader benchmarks, for benchstat:
//
//	go test -run='^$' -bench='FPMReader|SlowReader|AccessReader|FPMAccessReader|LogLineSplit' -count=6 ./logparse
const logBenchBytes = 8 << 20

type logCorpus struct {
	data    []byte
	records int // records in data (lines, or blocks for the slow log)
}

var (
	logBenchOnce sync.Once
	logBench     map[string]*logCorpus
	benchFormat  *AccessFormat
	benchFPMFmt  *FPMAccessFormat
)

func logCorpora(b *testing.B) map[string]*logCorpus {
	logBenchOnce.Do(func() {
		read := func(pattern string, extra ...string) []byte {
			names, _ := filepath.Glob(pattern)
			var out []byte
			for _, n := range append(names, extra...) {
				d, err := os.ReadFile(n)
				if err != nil {
					b.Fatal(err)
				}
				out = append(out, d...)
				if len(out) > 0 && out[len(out)-1] != '\n' {
					out = append(out, '\n')
				}
			}
			return out
		}
		grow := func(seed []byte) []byte {
			out := make([]byte, 0, logBenchBytes+len(seed))
			for len(out) < logBenchBytes {
				out = append(out, seed...)
			}
			return out
		}
		var err error
		benchFormat, err = CompileAccessFormat("upstreaminfo", EscapeDefault, upstreamInfoFormat)
		if err != nil {
			b.Fatal(err)
		}
		benchFPMFmt, err = CompileFPMAccessFormat(`%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`)
		if err != nil {
			b.Fatal(err)
		}
		logBench = map[string]*logCorpus{
			"fpm":       {data: grow(read("../testdata/incidents/*/php-fpm.log", "../testdata/logs/php-fpm-8.2-capture.log"))},
			"slow":      {data: grow(read("../testdata/incidents/*/php-fpm-slow.log"))},
			"access":    {data: grow(read("../testdata/incidents/*/nginx-access.log"))},
			"fpmaccess": {data: grow(read("../testdata/incidents/*/php-fpm-access.log"))},
		}
		for name, c := range logBench {
			n, err := readCorpus(name, c.data, false)
			if err != nil {
				b.Fatal(err)
			}
			c.records = n
		}
	})
	return logBench
}

// readCorpus reads data with the reader of the named corpus and returns
// the number of records.
func readCorpus(name string, data []byte, reuse bool) (int, error) {
	src := bytes.NewReader(data)
	n := 0
	var err error
	switch name {
	case "fpm":
		r := NewFPMReader(src, FPMReaderOptions{ReuseRecord: reuse})
		for ; ; n++ {
			if _, err = r.Read(); err != nil {
				break
			}
		}
	case "slow":
		r := NewSlowReader(src, SlowReaderOptions{ReuseRecord: reuse})
		for ; ; n++ {
			if _, err = r.Read(); err != nil {
				break
			}
		}
	case "access":
		r := NewAccessReader(src, benchFormat, AccessReaderOptions{ReuseRecord: reuse})
		for ; ; n++ {
			if _, err = r.Read(); err != nil {
				break
			}
		}
	case "fpmaccess":
		r := NewFPMAccessReader(src, benchFPMFmt, AccessReaderOptions{ReuseRecord: reuse})
		for ; ; n++ {
			if _, err = r.Read(); err != nil {
				break
			}
		}
	}
	if err == io.EOF {
		err = nil
	}
	return n, err
}

func splitLines(data []byte) int {
	n := 0
	for rest := data; len(rest) > 0; n++ {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	return n
}

func benchReader(b *testing.B, name string) {
	c := logCorpora(b)[name]
	for _, mode := range []struct {
		name  string
		reuse bool
	}{{"default", false}, {"reuse", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				n, err := readCorpus(name, c.data, mode.reuse)
				if err != nil || n != c.records {
					b.Fatalf("%d records, %v", n, err)
				}
			}
			reportPerRecord(b, c.records, &before)
		})
	}
}

func BenchmarkFPMReader(b *testing.B)       { benchReader(b, "fpm") }
func BenchmarkSlowReader(b *testing.B)      { benchReader(b, "slow") }
func BenchmarkAccessReader(b *testing.B)    { benchReader(b, "access") }
func BenchmarkFPMAccessReader(b *testing.B) { benchReader(b, "fpmaccess") }

// BenchmarkLogLineSplit is the baseline over each corpus.
func BenchmarkLogLineSplit(b *testing.B) {
	for _, name := range []string{"fpm", "slow", "access", "fpmaccess"} {
		c := logCorpora(b)[name]
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(c.data)))
			b.ReportAllocs()
			for b.Loop() {
				if splitLines(c.data) == 0 {
					b.Fatal("no lines")
				}
			}
		})
	}
}

// BenchmarkLogRatios runs the line split and every reader (default and
// reuse mode) interleaved over each corpus and reports MB per CPU-second
// and each reader's throughput as a percentage of the line split's.
func BenchmarkLogRatios(b *testing.B) {
	corpora := logCorpora(b)
	names := []string{"fpm", "slow", "access", "fpmaccess"}
	split := map[string]time.Duration{}
	rd := map[string]time.Duration{}
	ru := map[string]time.Duration{}
	measure := func(d *time.Duration, f func()) {
		runtime.GC()
		start := cpuTime()
		f()
		*d += cpuTime() - start
	}
	for b.Loop() {
		for _, name := range names {
			c := corpora[name]
			var d time.Duration
			measure(&d, func() { splitLines(c.data) })
			split[name] += d
			d = 0
			measure(&d, func() { readCorpus(name, c.data, false) })
			rd[name] += d
			d = 0
			measure(&d, func() { readCorpus(name, c.data, true) })
			ru[name] += d
		}
	}
	for _, name := range names {
		mb := float64(len(corpora[name].data)) * float64(b.N) / 1e6
		s, r, u := mb/split[name].Seconds(), mb/rd[name].Seconds(), mb/ru[name].Seconds()
		b.ReportMetric(r, name+"-MB/cpu-s")
		b.ReportMetric(100*r/s, name+"/split-%")
		b.ReportMetric(100*u/s, name+"-reuse/split-%")
	}
}
