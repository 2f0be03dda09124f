package logparse

import (
	"iter"
	"strings"
	"time"
)

// next returns the first value of l, its group step (0; 1 when a " : "
// precedes the rest) and the rest.
func (l UpstreamList) next() (v string, sep byte, rest UpstreamList) {
	s := string(l)
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ',' && i+1 < len(s) && s[i+1] == ' ':
			return s[:i], ',', UpstreamList(s[i+2:])
		case s[i] == ' ' && strings.HasPrefix(s[i:], " : "):
			return s[:i], ':', UpstreamList(s[i+3:])
		}
	}
	return s, 0, ""
}

// Values returns an iterator over the attempts of l: the group (0 for the
// first upstream, +1 after each " : ") and the value as written ("-" for
// none). An empty list, or a single "-", yields nothing. It does not
// allocate.
func (l UpstreamList) Values() iter.Seq2[int, string] {
	return func(yield func(int, string) bool) {
		if l == "" || l == "-" {
			return
		}
		group := 0
		for rest := l; ; {
			v, sep, r := rest.next()
			if !yield(group, v) || sep == 0 {
				return
			}
			if sep == ':' {
				group++
			}
			rest = r
		}
	}
}

// Len returns the number of attempts in l (0 for "" and "-").
func (l UpstreamList) Len() int {
	n := 0
	for range l.Values() {
		n++
	}
	return n
}

// Last returns the value of the last attempt ("" when there is none):
// for $upstream_status, the status nginx passed on.
func (l UpstreamList) Last() string {
	s := string(l)
	if s == "-" {
		return ""
	}
	i := 0
	if j := strings.LastIndex(s, ", "); j >= 0 {
		i = j + 2
	}
	if j := strings.LastIndex(s, " : "); j >= 0 && j+3 > i {
		i = j + 3
	}
	return s[i:]
}

// Upstreams returns an iterator over the upstream attempts of the entry,
// its $upstream_addr, $upstream_status, $upstream_*_time and
// $upstream_response_length lists zipped (nginx writes the same number of
// values in each, one per attempt). It yields nothing when the request
// went to no upstream ("-"). It reads e each time it runs and does not
// allocate.
func (e *AccessEntry) Upstreams() iter.Seq[UpstreamAttempt] {
	return func(yield func(UpstreamAttempt) bool) {
		lists := [6]UpstreamList{e.UpstreamAddr, e.UpstreamStatus, e.UpstreamResponseTime,
			e.UpstreamConnectTime, e.UpstreamHeaderTime, e.UpstreamResponseLength}
		driver := -1
		for i, l := range lists {
			if l != "" {
				driver = i
				break
			}
		}
		if driver < 0 || lists[driver] == "-" {
			return
		}
		group := 0
		for {
			a := UpstreamAttempt{Group: group, ResponseTime: -1, ConnectTime: -1, HeaderTime: -1, ResponseLength: -1}
			var vals [6]string
			var seps [6]byte
			for i := range lists {
				if lists[i] != "" {
					vals[i], seps[i], lists[i] = lists[i].next()
				}
			}
			a.Addr = vals[0]
			if st, n := atoi(vals[1]); n > 0 && n == len(vals[1]) {
				a.Status = st
			}
			a.ResponseTime = upstreamTime(vals[2])
			a.ConnectTime = upstreamTime(vals[3])
			a.HeaderTime = upstreamTime(vals[4])
			if vals[5] != "" {
				a.ResponseLength = int64Value(vals[5])
			}
			if !yield(a) || seps[driver] == 0 {
				return
			}
			if seps[driver] == ':' {
				group++
			}
		}
	}
}

// upstreamTime parses an $upstream_*_time value ("0.012"); -1 for "-",
// empty or malformed.
func upstreamTime(v string) time.Duration {
	d, n := secondsDuration(v)
	if n == 0 || n != len(v) {
		return -1
	}
	return d
}
