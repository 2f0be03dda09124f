package probe

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// BenchmarkReadResponse parses real php-fpm 8.2 answers (testdata/fpm82)
// with the record reader; the walk/ sub-benchmarks are the baseline, a
// loop that only hops from record header to record header over the same
// bytes and copies nothing — the floor any record reader has.
//
//	go test -run='^$' -bench=ReadResponse -benchmem ./probe
func BenchmarkReadResponse(b *testing.B) {
	for _, name := range []string{"ping.bin", "status.bin", "notfound.bin"} {
		in := capture(b, name)
		b.Run("walk/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			for b.Loop() {
				n := 0
				for off := 0; off+8 <= len(in); {
					n++
					off += 8 + int(binary.BigEndian.Uint16(in[off+4:])) + int(in[off+6])
				}
				if n == 0 {
					b.Fatal("no records")
				}
			}
		})
		b.Run("read/"+name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			b.ReportAllocs()
			r := bytes.NewReader(in)
			for b.Loop() {
				r.Reset(in)
				if _, err := readResponse(r, 1<<20); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
