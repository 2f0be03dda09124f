package classify

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/badgateway/badgateway/logparse"
)

// corpusLogs concatenates the nginx error logs and php-fpm logs of every
// real capture under testdata/incidents, n times over.
func corpusLogs(b *testing.B, n int) (nginx, fpm []byte) {
	b.Helper()
	dirs, err := filepath.Glob("../testdata/incidents/*")
	if err != nil || len(dirs) == 0 {
		b.Fatalf("no captures: %v", err)
	}
	var ng, fp bytes.Buffer
	for range n {
		for _, d := range dirs {
			if x, err := os.ReadFile(filepath.Join(d, "nginx-error.log")); err == nil {
				ng.Write(x)
			}
			if x, err := os.ReadFile(filepath.Join(d, "php-fpm.log")); err == nil {
				fp.Write(x)
			}
		}
	}
	return ng.Bytes(), fp.Bytes()
}

// BenchmarkDiagnose reads php-fpm's and nginx's error logs of all real
// captures (repeated, so the same seconds hold many events, as on a busy
// host) into a Diagnoser, beside the baseline of parsing the same bytes
// without diagnosing them.
//
//	go test -run='^$' -bench=Diagnose -benchtime=3x ./classify
func BenchmarkDiagnose(b *testing.B) {
	nginx, fpm := corpusLogs(b, 64)
	b.Run("parse-only", func(b *testing.B) {
		b.SetBytes(int64(len(nginx) + len(fpm)))
		b.ReportAllocs()
		for b.Loop() {
			for range logparse.NewFPMReader(bytes.NewReader(fpm), logparse.FPMReaderOptions{ReuseRecord: true}).All() {
			}
			for range logparse.NewErrorReader(bytes.NewReader(nginx), logparse.ErrorReaderOptions{ReuseRecord: true}).All() {
			}
		}
	})
	b.Run("diagnose", func(b *testing.B) {
		b.SetBytes(int64(len(nginx) + len(fpm)))
		b.ReportAllocs()
		for b.Loop() {
			d := NewDiagnoser(nil)
			for e, err := range logparse.NewFPMReader(bytes.NewReader(fpm), logparse.FPMReaderOptions{ReuseRecord: true}).All() {
				if err == nil {
					d.AddFPM(&e)
				}
			}
			for e, err := range logparse.NewErrorReader(bytes.NewReader(nginx), logparse.ErrorReaderOptions{ReuseRecord: true}).All() {
				if err == nil {
					d.AddError(&e)
				}
			}
			d.Report()
		}
	})
}
