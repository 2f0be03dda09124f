package classify

import (
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/badgateway/badgateway/logparse"
)

// Access logs, slow logs and the timeline.
//
// nginx's access log shows what its error log cannot: a 502 the application
// sent itself (no error line, an upstream header received), a failed peer
// whose retry succeeded ("502, 200"), a kept-alive connection closed under a
// retried GET, a 499. A request can be in both logs; for a cause both logs
// show, a verdict counts the larger number of records, not their sum.

// accessCause maps one access-log record to the cause it shows alone, with
// the status the client got; "" when it shows none.
func accessCause(e *logparse.AccessEntry) (Code, float64, string) {
	if e.Status == 499 {
		return ClientClosedRequest, 0.9, ""
	}
	var attempts []logparse.UpstreamAttempt
	for a := range e.Upstreams() {
		attempts = append(attempts, a)
	}
	if len(attempts) == 0 {
		return "", 0, ""
	}
	last := attempts[len(attempts)-1]
	if len(attempts) > 1 && e.Status < 500 && last.Status > 0 && last.Status < 500 {
		// An attempt failed, a later one answered: which peer failed?
		for _, a := range attempts[:len(attempts)-1] {
			if a.Status != 502 && a.Status != 504 {
				continue
			}
			if a.Addr != "" && a.Addr == last.Addr && a.Status == 502 {
				// nginx retries the same peer only for a cached (kept-alive)
				// connection that failed: the backend closed it on reuse.
				return UpstreamKeepaliveClosed, 0.8, "the retry went to the same peer"
			}
			return UpstreamPartiallyDown, 0.8, ""
		}
	}
	if e.Status == 502 && last.Status == 502 && (last.HeaderTime >= 0 || last.ResponseLength > 0) {
		// nginx records 502 for its own failures too, but then no header
		// arrived and no body came: this 502 came from the application.
		return App502, 0.85, ""
	}
	return "", 0, ""
}

// accessAcc counts the access-log records of one verdict key.
type accessAcc struct {
	count    int
	confSum  float64
	span     span
	statuses map[int]int
	samples  samples
	note     string
}

// AddAccess adds one record of nginx's access log (parsed with the
// log_format it was written with). The Diagnoser copies what it keeps.
func (d *Diagnoser) AddAccess(e *logparse.AccessEntry) {
	d.accessRecords++
	cause, conf, note := accessCause(e)
	if cause == "" {
		return
	}
	addr := ""
	for a := range e.Upstreams() {
		if a.Status == 502 || a.Status == 504 || addr == "" {
			addr = a.Addr
		}
	}
	if cause == ClientClosedRequest || addr == "-" {
		addr = ""
	}
	k := vkey{cause, addr}
	if d.access == nil {
		d.access = map[vkey]*accessAcc{}
	}
	a := d.access[k]
	if a == nil {
		k.upstream = strings.Clone(addr)
		a = &accessAcc{statuses: map[int]int{}, note: note}
		d.access[k] = a
		d.accessOrder = append(d.accessOrder, k)
	}
	a.count++
	a.confSum += conf
	a.statuses[e.Status]++
	a.span.add(e.Time)
	a.samples.add(Evidence{Pos: e.Pos, Time: e.Time, Text: e.Raw}, d.opts.maxEvidence())
	d.tick(e.Time, cause)
}

// mergeAccess folds the access-log verdicts into vs: into the error log's
// verdict of the same cause and upstream when there is one (count = the
// larger), else as verdicts of their own.
func (d *Diagnoser) mergeAccess(vs []Verdict) []Verdict {
	for _, k := range d.accessOrder {
		a := d.access[k]
		evs := a.samples.list()
		merged := false
		for i := range vs {
			v := &vs[i]
			if k.upstream != "" && len(v.Upstreams) > 0 && !sameUpstream(v.Upstreams[0], k.upstream) {
				continue
			}
			if v.Cause != k.cause {
				// The access log decides between the error log's candidates:
				// e.g. a premature close whose GET was retried on the same
				// peer ("502, 200") is a kept-alive connection closed.
				j := slices.IndexFunc(v.Alternatives, func(x Alternative) bool { return x.Cause == k.cause })
				if j < 0 || k.upstream == "" {
					continue
				}
				old := Alternative{Cause: v.Cause, Title: v.Title, Confidence: 0.1}
				reg, _ := Lookup(k.cause)
				v.Cause, v.Title, v.Remediation = k.cause, reg.Title, reg.Remediation
				v.Confidence = math.Max(v.Confidence, a.confSum/float64(a.count))
				v.Alternatives = append(slices.Delete(v.Alternatives, j, j+1), old)
				if a.note != "" {
					v.Notes = append(v.Notes, "Decided by the access log: "+a.note+".")
				}
			}
			v.Count = max(v.Count, a.count)
			v.First, v.Last = minTime(v.First, a.span.first), maxTime(v.Last, a.span.last)
			v.Related = append(v.Related, evs[:min(len(evs), 2)]...)
			merged = true
			break
		}
		if merged {
			continue
		}
		reg, _ := Lookup(k.cause)
		v := Verdict{Cause: k.cause, Title: reg.Title, Count: a.count, First: a.span.first, Last: a.span.last,
			Confidence: a.confSum / float64(a.count), Evidence: evs, Remediation: reg.Remediation,
			Symptoms: map[string]int{"access_log": a.count}}
		if k.upstream != "" {
			v.Upstreams = []string{k.upstream}
		}
		best, bestN := 0, 0
		for st, n := range a.statuses {
			if n > bestN || n == bestN && st > best {
				best, bestN = st, n
			}
		}
		v.Status = best
		if a.note != "" {
			v.Notes = append(v.Notes, "From the access log: "+a.note+".")
		}
		vs = append(vs, v)
	}
	return vs
}

// sameUpstream compares an error-log upstream address
// ("fastcgi://127.0.0.1:9000", "http://unix:/run/app.sock") with an
// access-log $upstream_addr peer ("127.0.0.1:9000", "unix:/run/app.sock").
func sameUpstream(errorLogAddr, peer string) bool {
	u := ParseUpstream(errorLogAddr)
	return u.Peer == peer || u.Peer == strings.TrimSuffix(peer, ":")
}

// slowIndex keeps php-fpm slow-log blocks for timeout verdicts.
type slowEntry struct {
	t      time.Time
	script string
	ev     Evidence
}

// AddSlow adds one block of php-fpm's slow log: a request that ran past
// request_slowlog_timeout, with its script and stack. Timeouts of nginx
// records added later show the slow-log block of the same script as
// related evidence.
func (d *Diagnoser) AddSlow(e *logparse.SlowEntry) {
	if e.Time.IsZero() || len(d.slow) >= maxFPMEvents {
		return
	}
	d.slow = append(d.slow, slowEntry{t: e.Time, script: strings.Clone(e.ScriptFilename),
		ev: Evidence{Pos: e.Pos, Time: e.Time, Text: strings.Clone(e.Raw)}})
	d.slowSorted = false
}

// slowFor returns the slow-log block of the script of e's request logged
// within the saturation lookback before e (a request that runs past
// request_slowlog_timeout is logged once, before nginx gives up on it).
func (d *Diagnoser) slowFor(e *logparse.ErrorEntry) *Evidence {
	if len(d.slow) == 0 || e.Time.IsZero() {
		return nil
	}
	if !d.slowSorted {
		sort.SliceStable(d.slow, func(i, j int) bool { return d.slow[i].t.Before(d.slow[j].t) })
		d.slowSorted = true
	}
	_, uri, _ := strings.Cut(e.Request, " ")
	uri, _, _ = strings.Cut(uri, " ")
	uri, _, _ = strings.Cut(uri, "?")
	from, to := e.Time.Add(-saturationLookback), e.Time.Add(d.opts.window())
	i := sort.Search(len(d.slow), func(i int) bool { return !d.slow[i].t.Before(from) })
	for ; i < len(d.slow) && !d.slow[i].t.After(to); i++ {
		if uri != "" && strings.HasSuffix(d.slow[i].script, uri) {
			return &d.slow[i].ev
		}
	}
	return nil
}

// Minute is one minute of the timeline: how many records showed each cause.
type Minute struct {
	Start  time.Time    `json:"start"`
	Counts map[Code]int `json:"counts"`
}

// maxMinutes bounds the timeline (a week of minutes).
const maxMinutes = 7 * 24 * 60

// tick counts one record of cause in its minute.
func (d *Diagnoser) tick(t time.Time, cause Code) {
	if t.IsZero() {
		return
	}
	m := t.Truncate(time.Minute).Unix()
	if d.minutes == nil {
		d.minutes = map[int64]map[Code]int{}
		d.minuteLoc = t.Location()
	}
	c := d.minutes[m]
	if c == nil {
		if len(d.minutes) >= maxMinutes {
			return
		}
		c = map[Code]int{}
		d.minutes[m] = c
	}
	c[cause]++
}

// timeline returns the minutes in time order, the error-log and access-log
// records of each cause counted (a request in both logs counts in both).
func (d *Diagnoser) timeline() []Minute {
	keys := make([]int64, 0, len(d.minutes))
	for k := range d.minutes {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]Minute, 0, len(keys))
	for _, k := range keys {
		c := make(map[Code]int, len(d.minutes[k]))
		for code, n := range d.minutes[k] {
			c[code] = n
		}
		out = append(out, Minute{Start: time.Unix(k, 0).In(d.minuteLoc), Counts: c})
	}
	return out
}

// String formats a minute as "2026-11-21 00:51  fpm_down 3, upstream_read_timeout 2".
func (m Minute) String() string {
	codes := make([]Code, 0, len(m.Counts))
	for c := range m.Counts {
		codes = append(codes, c)
	}
	sort.Slice(codes, func(i, j int) bool {
		if m.Counts[codes[i]] != m.Counts[codes[j]] {
			return m.Counts[codes[i]] > m.Counts[codes[j]]
		}
		return codes[i] < codes[j]
	})
	var b strings.Builder
	b.WriteString(m.Start.Format("2006-01-02 15:04"))
	for i, c := range codes {
		if i == 0 {
			b.WriteString("  ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(string(c))
		b.WriteByte(' ')
		b.WriteString(strconv.Itoa(m.Counts[c]))
	}
	return b.String()
}
