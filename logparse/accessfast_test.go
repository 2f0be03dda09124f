package logparse

import (
	"math/rand/v2"
	"testing"
)

// decimalSeconds must agree with secondsDuration on every input (it is
// its fast path for whole values).
func TestDecimalSecondsAgrees(t *testing.T) {
	check := func(v string) {
		t.Helper()
		want, n := secondsDuration(v)
		wantOK := n > 0 && n == len(v)
		if !wantOK {
			want = 0
		}
		got, ok := decimalSeconds(v)
		if !ok {
			got = 0
		}
		if got != want || ok != wantOK {
			t.Errorf("decimalSeconds(%q) = %v, %v; secondsDuration: %v, %v", v, got, ok, want, wantOK)
		}
	}
	for _, v := range []string{"", "-", "0", "0.", ".5", "0.362", "2048", "0.00", "12.5", "123456789", "1234567890",
		"123456789012", "1234567890123", "0.123456789", "0.1234567890", "1.2.3", "1e3", "99999999.999999999", "5 ", " 5"} {
		check(v)
	}
	r := rand.New(rand.NewPCG(1, 2))
	const alpha = "0123456789.-x"
	for range 200000 {
		b := make([]byte, r.IntN(24))
		for i := range b {
			if r.IntN(8) == 0 {
				b[i] = alpha[r.IntN(len(alpha))]
			} else {
				b[i] = '0' + byte(r.IntN(10))
			}
		}
		check(string(b))
	}
}

// The cached $time_local must give what a fresh parse gives, whether the
// next stamp repeats the last one, shares its minute or not.
func TestTimeLocalCache(t *testing.T) {
	var zc zoneCache
	for _, v := range []string{
		"21/Nov/2026:01:02:37 +0000", "21/Nov/2026:01:02:37 +0000", "21/Nov/2026:01:02:38 +0000",
		"21/Nov/2026:01:02:59 +0000", "21/Nov/2026:01:03:00 +0000", "21/Nov/2026:01:03:00 +0100",
		"21/Nov/2026:01:03:0x +0100", "21/Nov/2026:01:03:61 +0100", "21/Nov/2026:01:03:60 +0100",
		"21/Nov/2026:01:03:05 -0130", "21/Nov/2026:01:03:05 -0130", "21/Nov/2026:01:03:05 -013x",
		"31/Dec/2026:23:59:59 +0000", "01/Jan/2027:00:00:00 +0000", "21/Xyz/2026:01:03:05 +0000",
	} {
		want, wantOK := parseTimeLocal(v, nil)
		got, ok := parseTimeLocal(v, &zc)
		if ok != wantOK || !got.Equal(want) || got.String() != want.String() {
			t.Errorf("%q: cached %v %v, fresh %v %v", v, got, ok, want, wantOK)
		}
	}
}

// indexURIEnd must find what a byte loop finds.
func TestIndexURIEnd(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	const alpha = "ab/.?\" %\x80\xff"
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = alpha[r.IntN(len(alpha))]
		}
		s := string(b)
		p := 0
		if len(s) > 0 {
			p = r.IntN(len(s) + 1)
		}
		want := len(s)
		for i := p; i < len(s); i++ {
			if c := s[i]; c == '?' || c == ' ' || c == '"' {
				want = i
				break
			}
		}
		if got := indexURIEnd(s, p); got != want {
			t.Fatalf("indexURIEnd(%q, %d) = %d, want %d", s, p, got, want)
		}
	}
}
