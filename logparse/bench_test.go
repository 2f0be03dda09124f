package logparse

import (
	"bytes"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The benchmarks run over a realistic error log of about 32 MB built in
// memory from the real records of testdata/logs/nginx-1.22.1-capture.log
// (connect/recv/timeout errors, FastCGI stderr records with several lines and
// records cut at 2047 bytes, [info] client lines, master notices), repeated
// with a different time stamp and connection number each time, so that no
// two records are equal. Beside the parser they measure, over the same bytes
// and in the same run, two baselines:
//
//   - BenchmarkLineSplit: splitting into lines with bytes.IndexByte, the
//     floor no line parser can beat;
//   - BenchmarkRegexp: the full-line regexp of catalog/nginx-messages.md §1
//     with FindStringSubmatch on each line, what a competent user writes by
//     hand.
//
// Run them together and compare with benchstat (golang.org/x/perf/cmd/benchstat):
//
//	go test -run='^$' -bench=. -benchtime=3x -count=6 ./logparse | tee bench.txt
//	benchstat -col .name bench.txt
//
// Each op is one pass over the whole corpus; MB/s is comparable across the
// benchmarks, allocs/record and ns/record are per nginx record.
//
// On a shared machine wall-clock MB/s swing with other people's load;
// BenchmarkRatios runs all contenders interleaved in each iteration and
// measures process CPU time, so its ratios are the numbers to quote:
//
//	go test -run='^$' -bench=Ratios -benchtime=5x -count=5 ./logparse
//
// The targets (issue 2): ParseErrorLine and the reader at ≥ 10 % of
// BenchmarkLineSplit's MB/s, ≥ 40× BenchmarkRegexp's, ≤ 1 allocs/record
// (0 with ReuseRecord). allocs/record is reported as a metric.

const benchCorpusBytes = 32 << 20

var (
	benchOnce sync.Once
	benchData []byte // the corpus
	// benchEnds holds the end offset of each record of benchData (the next
	// starts after its '\n'), for ParseErrorLine. Offsets, not slices: an
	// index of 150 000 slices is pointers the GC would scan at every cycle
	// of the allocating benchmarks, and that marking time (and the write
	// barriers it keeps on) would be charged to the code measured.
	benchEnds []int
)

func benchCorpus(b *testing.B) ([]byte, benchIndex) {
	benchOnce.Do(func() {
		data, err := os.ReadFile(captureLog)
		if err != nil {
			b.Fatal(err)
		}
		var templates []string
		for e, err := range NewErrorReader(bytes.NewReader(data), ErrorReaderOptions{}).All() {
			if err != nil {
				b.Fatal(err)
			}
			templates = append(templates, e.Raw)
		}
		out := make([]byte, 0, benchCorpusBytes+64<<10)
		var ends []int
		for i := 0; len(out) < benchCorpusBytes; i++ {
			t := templates[i%len(templates)]
			out = appendVaried(out, t, i)
			ends = append(ends, len(out))
			out = append(out, '\n')
		}
		benchData, benchEnds = out, ends
	})
	return benchData, benchIndex{benchData, benchEnds}
}

// benchIndex gives the records of the corpus.
type benchIndex struct {
	data []byte
	ends []int
}

func (x benchIndex) len() int { return len(x.ends) }

// parseAll calls ParseErrorLine on every record.
func (x benchIndex) parseAll(b *testing.B) {
	start := 0
	for _, end := range x.ends {
		if _, err := ParseErrorLine(x.data[start:end:end]); err != nil {
			b.Fatal(err)
		}
		start = end + 1
	}
}

// appendVaried appends record t with its time's seconds and minutes and
// its connection number changed according to i, keeping every length (so
// cut records stay 2047 bytes long).
func appendVaried(dst []byte, t string, i int) []byte {
	start := len(dst)
	dst = append(dst, t...)
	rec := dst[start:]
	// "YYYY/MM/DD HH:MM:SS": minutes at 14, seconds at 17.
	if isDigit(rec[0]) {
		sec := i % 60
		min := (i / 60) % 60
		rec[14], rec[15] = byte('0'+min/10), byte('0'+min%10)
		rec[17], rec[18] = byte('0'+sec/10), byte('0'+sec%10)
	}
	// "*CID " with the same number of digits.
	if j := bytes.Index(rec, []byte(": *")); j >= 0 {
		k := j + 3
		n := 0
		for k+n < len(rec) && isDigit(rec[k+n]) {
			n++
		}
		if n > 0 {
			lo := 1
			for range n - 1 {
				lo *= 10
			}
			v := lo + i%(9*lo)
			copy(rec[k:k+n], strconv.Itoa(v))
		}
	}
	return dst
}

// lineRE is the regexp of catalog/nginx-messages.md §1, verbatim.
var lineRE = regexp.MustCompile(`^(?P<time>\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}) \[(?P<level>emerg|alert|crit|error|warn|notice|info|debug)\] (?P<pid>\d+)#(?P<tid>\d+): (?:\*(?P<cid>\d+) )?(?P<msg>.*?)(?: while (?P<action>[^,]+?))?(?:, client: (?P<client>[^,]*))?(?:, server: (?P<server>[^,]*))?(?:, request: "(?P<request>[^"]*)")?(?:, subrequest: "(?P<subrequest>[^"]*)")?(?:, upstream: "(?P<upstream>[^"]*)")?(?:, host: "(?P<host>[^"]*)")?(?:, referrer: "(?P<referrer>[^"]*)")?$`)

// reportPerRecord adds allocs/record and ns/record metrics.
func reportPerRecord(b *testing.B, records int, before *runtime.MemStats) {
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	n := float64(b.N) * float64(records)
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/n, "allocs/record")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/n, "ns/record")
}

func BenchmarkLineSplit(b *testing.B) {
	data, _ := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	lines := 0
	for b.Loop() {
		lines = 0
		for rest := data; len(rest) > 0; {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			rest = rest[i+1:]
			lines++
		}
	}
	b.ReportMetric(float64(lines), "lines/op")
}

func BenchmarkRegexp(b *testing.B) {
	data, _ := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	matched := 0
	for b.Loop() {
		matched = 0
		for rest := data; len(rest) > 0; {
			i := bytes.IndexByte(rest, '\n')
			if i < 0 {
				break
			}
			if m := lineRE.FindStringSubmatch(string(rest[:i])); m != nil {
				matched++
			}
			rest = rest[i+1:]
		}
	}
	b.ReportMetric(float64(matched), "matched/op")
}

func BenchmarkParseErrorLine(b *testing.B) {
	data, recs := benchCorpus(b)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	for b.Loop() {
		recs.parseAll(b)
	}
	reportPerRecord(b, recs.len(), &before)
}

func BenchmarkErrorReader(b *testing.B) {
	data, recs := benchCorpus(b)
	for _, mode := range []struct {
		name  string
		reuse bool
	}{{"default", false}, {"reuse", true}} {
		b.Run(mode.name, func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			src := bytes.NewReader(data)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			for b.Loop() {
				src.Reset(data)
				r := NewErrorReader(src, ErrorReaderOptions{ReuseRecord: mode.reuse})
				n := 0
				for {
					_, err := r.Read()
					if err == io.EOF {
						break
					}
					if err != nil {
						b.Fatal(err)
					}
					n++
				}
				if n != recs.len() {
					b.Fatalf("%d records, want %d", n, recs.len())
				}
			}
			reportPerRecord(b, recs.len(), &before)
		})
	}
}

// BenchmarkRatios runs the contenders of bench_test.go interleaved, one
// after the other in every iteration over the same corpus, and reports
// their throughput in MB per CPU-second together with the ratios the
// targets are stated in (parser / line split in %, parser / regexp as a
// factor). The regexp runs over the first 1/16 of the corpus (the same
// 73-record cycle) to keep the run short; MB/s is per byte either way.
//
//	go test -run='^$' -bench=Ratios -benchtime=5x ./logparse
func BenchmarkRatios(b *testing.B) {
	data, recs := benchCorpus(b)
	reSlice := data[:bytes.IndexByte(data[len(data)/16:], '\n')+len(data)/16+1]
	var split, parse, rdDefault, rdReuse, re time.Duration
	measure := func(d *time.Duration, f func()) {
		runtime.GC()
		start := cpuTime()
		f()
		*d += cpuTime() - start
	}
	src := bytes.NewReader(data)
	readAll := func(reuse bool) {
		src.Reset(data)
		r := NewErrorReader(src, ErrorReaderOptions{ReuseRecord: reuse})
		for {
			if _, err := r.Read(); err == io.EOF {
				return
			} else if err != nil {
				b.Fatal(err)
			}
		}
	}
	for b.Loop() {
		measure(&split, func() {
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
		})
		measure(&parse, func() { recs.parseAll(b) })
		measure(&rdDefault, func() { readAll(false) })
		measure(&rdReuse, func() { readAll(true) })
		measure(&re, func() {
			for rest := reSlice; len(rest) > 0; {
				i := bytes.IndexByte(rest, '\n')
				if i < 0 {
					break
				}
				lineRE.FindStringSubmatch(string(rest[:i]))
				rest = rest[i+1:]
			}
		})
	}
	mbps := func(bytes int, d time.Duration) float64 {
		return float64(bytes) * float64(b.N) / 1e6 / d.Seconds()
	}
	s, p, dd, ru, rx := mbps(len(data), split), mbps(len(data), parse), mbps(len(data), rdDefault), mbps(len(data), rdReuse), mbps(len(reSlice), re)
	b.ReportMetric(s, "split-MB/cpu-s")
	b.ReportMetric(rx, "regexp-MB/cpu-s")
	b.ReportMetric(p, "parse-MB/cpu-s")
	b.ReportMetric(dd, "reader-MB/cpu-s")
	b.ReportMetric(ru, "reuse-MB/cpu-s")
	b.ReportMetric(100*p/s, "parse/split-%")
	b.ReportMetric(100*dd/s, "reader/split-%")
	b.ReportMetric(100*ru/s, "reuse/split-%")
	b.ReportMetric(p/rx, "parse/regexp-x")
	b.ReportMetric(dd/rx, "reader/regexp-x")
	b.ReportMetric(ru/rx, "reuse/regexp-x")
}
