//go:build unix

package logparse

import (
	"bytes"
	"io"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime is the CPU time (user + system) this process used so far. Unlike
// wall time it does not grow while other processes hold the CPUs, so the
// ratios below stay meaningful on a shared machine.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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
		measure(&parse, func() {
			for _, r := range recs {
				if _, err := ParseErrorLine(r); err != nil {
					b.Fatal(err)
				}
			}
		})
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
