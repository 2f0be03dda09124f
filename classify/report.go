package classify

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// Options tunes a Diagnoser. The zero value means defaults.
type Options struct {
	// MaxEvidence is how many log records a verdict keeps as evidence: the
	// first MaxEvidence-1 and the last. Default 5.
	MaxEvidence int
	// MaxRoutes bounds the memory spent on remembering which upstreams and
	// routes failed (used to explain "no live upstreams"). Default 10000.
	MaxRoutes int
	// Nginx and FPM are the configurations the logs were written under, when
	// known (either may be nil). They let the diagnosis decide between causes
	// a log record alone cannot (see refine.go).
	Nginx *nginxconf.Config
	FPM   *fpmconf.Config
	// PHPIni and Host complete the config checks run when Nginx or FPM is
	// set (see Check); both may be nil.
	PHPIni *fpmconf.PHPIni
	Host   *HostFacts
	// ReadFile reads the config files again for their "badgateway:ignore"
	// comments (e.g. os.ReadFile); nil reads nothing, so that a Diagnoser
	// does no I/O, and no finding is suppressed.
	ReadFile func(path string) ([]byte, error)
	// MaxProblems bounds the problems a Diagnoser keeps (a file of
	// unparseable lines must not grow memory); the rest are counted in
	// Report.ProblemsDropped. Default 1000.
	MaxProblems int
	// Window is how far apart in time an nginx record and a php-fpm record
	// may be and still be the same event: the logs have one-second
	// resolution and the hosts' clocks may differ. Default DefaultWindow
	// (2 s).
	Window time.Duration
}

func (o *Options) window() time.Duration {
	if o == nil || o.Window <= 0 {
		return DefaultWindow
	}
	return o.Window
}

func (o *Options) maxEvidence() int {
	if o == nil || o.MaxEvidence <= 0 {
		return 5
	}
	return max(o.MaxEvidence, 2)
}

func (o *Options) maxRoutes() int {
	if o == nil || o.MaxRoutes <= 0 {
		return 10000
	}
	return o.MaxRoutes
}

// Evidence is one log record that shows a verdict.
type Evidence struct {
	Pos  badgateway.Pos // file and 1-based line of the record
	Time time.Time      // the record's time; zero when the record has none
	Text string         // the record as written (physical lines joined with "\n")
}

// MarshalJSON encodes evidence as {"file","line","time","text"}.
func (e Evidence) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		File string     `json:"file"`
		Line int        `json:"line"`
		Time *time.Time `json:"time,omitempty"`
		Text string     `json:"text"`
	}{e.Pos.File, e.Pos.Line, timePtr(e.Time), e.Text})
}

// Alternative is a cause that the same evidence could also show, with the
// confidence the evidence gives it and what would decide.
type Alternative struct {
	Cause      Code    `json:"cause"`
	Title      string  `json:"title"`
	Confidence float64 `json:"confidence"`
	Decide     string  `json:"decide,omitempty"`
}

// Verdict is one cause found in the input, for one upstream.
type Verdict struct {
	Cause Code
	Title string
	// Status is the status clients got most often from the records of this
	// verdict (502, 504, 500, 404, 403, 499, 503, 200 for cut bodies, 9 for
	// nginx's HTTP/0.9 "009"); 0 when the records decide none.
	Status int
	// Confidence is how sure the verdict is, from 0 to 1: the mean of what
	// each record alone gives the cause, lowered when the cause is only the
	// most likely of several (see Alternatives). ConfidenceLevel names it.
	Confidence float64
	Count      int       // records that show the cause
	First      time.Time // time of the first record; zero when unknown
	Last       time.Time // time of the last record
	// Upstreams are the upstream addresses concerned ("fastcgi://unix:/run/php.sock",
	// "http://10.0.0.5:8080", or a group name), empty when the records name none.
	Upstreams []string
	// Symptoms counts the records by catalog message id.
	Symptoms map[string]int
	// Evidence holds sample records: the first few and the last.
	Evidence []Evidence
	// Alternatives are the other causes the same records can come from,
	// most likely first, with what would decide.
	Alternatives []Alternative
	// Remediation is the registry's fix for the cause.
	Remediation string
	// RootCauses, for a verdict that is a consequence of others (no live
	// upstreams), are the causes of the earlier failures on the same
	// upstream route, and RootEvidence the first of those records.
	RootCauses   []Code
	RootEvidence []Evidence
	// Notes are caveats a reader should know, in plain sentences.
	Notes []string
	// Findings are the config findings that predict this cause (Options
	// configs only; see Check).
	Findings []Finding
	// Related are records of other logs (php-fpm's) that decided the
	// cause, at most three.
	Related []Evidence
}

// ConfidenceLevel names Confidence: "high" (≥ 0.8), "medium" (≥ 0.5) or "low".
func (v *Verdict) ConfidenceLevel() string {
	switch {
	case v.Confidence >= 0.8:
		return "high"
	case v.Confidence >= 0.5:
		return "medium"
	}
	return "low"
}

// MarshalJSON encodes the verdict with the field names of the diagnose
// command's JSON output.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type alt = Alternative
	return json.Marshal(struct {
		Cause        Code           `json:"cause"`
		Title        string         `json:"title"`
		Status       int            `json:"status"`
		Confidence   float64        `json:"confidence"`
		Level        string         `json:"confidence_level"`
		Count        int            `json:"count"`
		First        *time.Time     `json:"first,omitempty"`
		Last         *time.Time     `json:"last,omitempty"`
		Upstreams    []string       `json:"upstreams"`
		Symptoms     map[string]int `json:"symptoms,omitempty"`
		Evidence     []Evidence     `json:"evidence"`
		Alternatives []alt          `json:"alternatives"`
		Remediation  string         `json:"remediation"`
		RootCauses   []Code         `json:"root_causes,omitempty"`
		RootEvidence []Evidence     `json:"root_evidence,omitempty"`
		Notes        []string       `json:"notes,omitempty"`
		Findings     []Finding      `json:"findings,omitempty"`
		Related      []Evidence     `json:"related,omitempty"`
	}{v.Cause, v.Title, v.Status, round2(v.Confidence), v.ConfidenceLevel(), v.Count, timePtr(v.First), timePtr(v.Last),
		nonNil(v.Upstreams), v.Symptoms, nonNil(v.Evidence), nonNil(v.Alternatives), v.Remediation, v.RootCauses, v.RootEvidence, v.Notes, v.Findings, v.Related})
}

// Report is the result of a diagnosis.
type Report struct {
	// Verdicts in rank order: the most likely root cause of the errors
	// first. A verdict that is a consequence of others (no live upstreams)
	// ranks after its root causes.
	Verdicts []Verdict
	// Problems are the inputs that could not be read or parsed, with their
	// positions; the verdicts were made from the rest.
	Problems badgateway.Problems
	// Other counts records with an error status and no gateway cause,
	// most frequent first.
	Other []OtherSymptom
	// Records is the number of error-log records read; Symptoms how many of
	// them are catalogued symptoms; Unmatched how many records at level
	// error or more severe matched no catalogued message.
	Records, Symptoms, Unmatched int
	// ProblemsDropped counts the problems past Options.MaxProblems.
	ProblemsDropped int
	// FPMRecords, AccessRecords and SlowRecords count the records of
	// php-fpm's error log, nginx's access log and php-fpm's slow log.
	FPMRecords, AccessRecords, SlowRecords int
	// Timeline counts, per minute, the records of each cause, in time
	// order (error-log and access-log records; a request in both counts in
	// both).
	Timeline []Minute
	// Findings are the config checks' findings (Options configs only),
	// suppressed ones included; see Check.
	Findings []Finding
}

// MarshalJSON encodes the report as {"verdicts":[…],"problems":[…],"records":N,…}.
func (r *Report) MarshalJSON() ([]byte, error) {
	type problem struct {
		File     string              `json:"file"`
		Line     int                 `json:"line,omitempty"`
		Severity badgateway.Severity `json:"severity"`
		Message  string              `json:"message"`
	}
	probs := make([]problem, 0, len(r.Problems))
	for _, p := range r.Problems {
		msg := "unknown problem"
		if p.Err != nil {
			msg = p.Err.Error()
		}
		probs = append(probs, problem{p.Pos.File, p.Pos.Line, p.Severity, msg})
	}
	return json.Marshal(struct {
		Verdicts  []Verdict      `json:"verdicts"`
		Problems  []problem      `json:"problems"`
		Other     []OtherSymptom `json:"other,omitempty"`
		Records   int            `json:"records"`
		Symptoms  int            `json:"symptoms"`
		Unmatched int            `json:"unmatched"`
		Dropped   int            `json:"problems_dropped,omitempty"`
		FPM       int            `json:"fpm_records,omitempty"`
		Access    int            `json:"access_records,omitempty"`
		Slow      int            `json:"slow_records,omitempty"`
		Timeline  []Minute       `json:"timeline,omitempty"`
		Findings  []Finding      `json:"findings,omitempty"`
	}{nonNil(r.Verdicts), probs, r.Other, r.Records, r.Symptoms, r.Unmatched, r.ProblemsDropped, r.FPMRecords, r.AccessRecords, r.SlowRecords, r.Timeline, r.Findings})
}

// Diagnoser folds log records into a Report. It keeps bounded state (counts,
// a few samples per verdict, a bounded table of failing routes), so it can
// digest logs of any size in one pass.
//
// A Diagnoser is not safe for concurrent use; feed it from one goroutine.
// It does no I/O and reads no clock.
type Diagnoser struct {
	opts      Options
	verdicts  map[vkey]*acc
	order     []vkey // first-seen order, for stable output
	routes    map[routeKey]*routeAcc
	problems  badgateway.Problems
	records   int
	symptoms  int
	unmatched int
	other     map[otherKey]int
	fpm       fpmIndex
	fpmCounts map[Code]int

	problemsDropped int
	accessRecords   int
	access          map[vkey]*accessAcc
	accessOrder     []vkey
	slow            []slowEntry
	slowSorted      bool
	minutes         map[int64]map[Code]int
	minuteLoc       *time.Location
	cfg             *cfgIndex       // built from opts on first use (refine.go)
	probes          []*probe.Result // live probes (probe_fold.go)
	lookups         []ProbeOutcome  // live DNS lookups (probe_dns.go)
}

type otherKey struct {
	id     string
	status int
}

// OtherSymptom counts records that show a client error status but no
// gateway cause: a static file's 404, `access forbidden by rule`, nginx's
// own 500s. They are listed so that nothing with an error status is silently
// dropped.
type OtherSymptom struct {
	ID     string `json:"id"`     // catalog message id
	Status int    `json:"status"` // status the client usually got
	Count  int    `json:"count"`
}

type vkey struct {
	cause    Code
	upstream string
}

type acc struct {
	count    int
	confSum  float64
	span     span
	upstream string
	symptoms map[string]int
	statuses map[int]int
	samples  samples
	alts     map[Code]*altAcc
	related  []Evidence // records of other logs that decided
	// route is set for no_live_upstreams verdicts.
	route   routeKey
	isGroup bool
}

type altAcc struct {
	count   int
	confSum float64
	decide  string
}

// routeKey identifies where a request was sent: the upstream scheme and
// the server{} name. A "no live upstreams" record and the failures of the
// group's peers share it although their peer (and, for proxy_pass, their
// URI) differ. Without the nginx config this is a heuristic: two groups
// used by one server{} are not told apart.
type routeKey struct {
	scheme, server string
}

type routeAcc struct {
	causes map[Code]*rootAcc
}

type rootAcc struct {
	count int
	first Evidence
}

// NewDiagnoser returns a Diagnoser with the given options (nil = defaults).
func NewDiagnoser(opts *Options) *Diagnoser {
	d := &Diagnoser{verdicts: map[vkey]*acc{}, routes: map[routeKey]*routeAcc{}, fpmCounts: map[Code]int{}}
	if opts != nil {
		d.opts = *opts
	}
	return d
}

// AddError adds one nginx error-log record. The Diagnoser copies what it
// keeps, so e may be reused by the caller (logparse's reuse mode).
func (d *Diagnoser) AddError(e *logparse.ErrorEntry) {
	d.records++
	s, ok := SymptomOf(e)
	if !ok {
		if e.Level != logparse.LevelUnknown && e.Level <= logparse.LevelError {
			d.unmatched++
		}
		return
	}
	d.symptoms++
	s = d.refine(s, e)
	s, related := d.correlate(s, e)
	if len(s.Candidates) == 0 {
		if s.Status != 0 {
			if d.other == nil {
				d.other = map[otherKey]int{}
			}
			d.other[otherKey{s.ID, s.Status}]++
		}
		return
	}
	top := s.Candidates[0]
	addr := s.Upstream.Address()
	k := vkey{top.Cause, addr}
	a := d.verdicts[k]
	if a == nil {
		// Keys and kept strings are cloned: e may point into a reused buffer.
		addr = strings.Clone(addr)
		k.upstream = addr
		a = &acc{upstream: addr, symptoms: map[string]int{}, statuses: map[int]int{}, alts: map[Code]*altAcc{}}
		d.verdicts[k] = a
		d.order = append(d.order, k)
	}
	a.count++
	a.confSum += top.Confidence
	a.symptoms[s.ID]++
	a.statuses[s.Status]++
	a.span.add(e.Time)
	ev := Evidence{Pos: e.Pos, Time: e.Time, Text: e.Raw}
	a.samples.add(ev, d.opts.maxEvidence())
	d.tick(e.Time, top.Cause)
	if related != nil && len(a.related) < 3 && !slices.ContainsFunc(a.related, func(r Evidence) bool { return r.Pos == related.Pos }) {
		a.related = append(a.related, *related) // already a copy
	}
	if top.Cause == UpstreamReadTimeout || top.Cause == FPMRequestTerminate {
		if slow := d.slowFor(e); slow != nil && len(a.related) < 3 && !slices.ContainsFunc(a.related, func(r Evidence) bool { return r.Pos == slow.Pos }) {
			a.related = append(a.related, *slow)
		}
	}
	for _, alt := range s.Candidates[1:] {
		x := a.alts[alt.Cause]
		if x == nil {
			x = &altAcc{}
			a.alts[alt.Cause] = x
		}
		x.count++
		x.confSum += alt.Confidence
		x.decide = s.Decide
	}
	if s.Upstream.Scheme != "" {
		rk := routeKey{s.Upstream.Scheme, e.Server}
		if top.Cause == NoLiveUpstreams {
			if !a.isGroup {
				a.route = routeKey{strings.Clone(rk.scheme), strings.Clone(rk.server)}
			}
			a.isGroup = true
		} else if s.Status >= 500 || s.Status == 0 {
			d.noteRoute(rk, top.Cause, ev)
		}
	}
}

func (d *Diagnoser) noteRoute(rk routeKey, cause Code, ev Evidence) {
	r := d.routes[rk]
	if r == nil {
		if len(d.routes) >= d.opts.maxRoutes() {
			return
		}
		r = &routeAcc{causes: map[Code]*rootAcc{}}
		rk = routeKey{strings.Clone(rk.scheme), strings.Clone(rk.server)}
		d.routes[rk] = r
	}
	x := r.causes[cause]
	if x == nil {
		ev.Text = strings.Clone(ev.Text)
		x = &rootAcc{first: ev}
		r.causes[cause] = x
	}
	x.count++
}

// AddProblem records a problem met while reading the input (a parse error
// with its position); it appears in the Report's Problems, up to
// Options.MaxProblems.
func (d *Diagnoser) AddProblem(p *badgateway.Problem) {
	limit := d.opts.MaxProblems
	if limit <= 0 {
		limit = 1000
	}
	if len(d.problems) >= limit {
		d.problemsDropped++
		return
	}
	d.problems = append(d.problems, p)
}

// Report returns the diagnosis of everything added so far. It may be called
// more than once; later Adds change later reports.
func (d *Diagnoser) Report() *Report {
	r := &Report{Problems: append(badgateway.Problems(nil), d.problems...), Records: d.records, Symptoms: d.symptoms, Unmatched: d.unmatched,
		ProblemsDropped: d.problemsDropped, FPMRecords: d.fpm.records, AccessRecords: d.accessRecords, SlowRecords: len(d.slow), Timeline: d.timeline()}
	for k, n := range d.other {
		r.Other = append(r.Other, OtherSymptom{k.id, k.status, n})
	}
	sort.Slice(r.Other, func(i, j int) bool {
		a, b := r.Other[i], r.Other[j]
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Status < b.Status
	})
	for _, k := range d.order {
		a := d.verdicts[k]
		v := a.verdict(k.cause)
		if a.isGroup {
			d.explainGroup(&v, a)
		}
		r.Verdicts = append(r.Verdicts, v)
	}
	r.Verdicts = mergeSaturation(r.Verdicts, d.opts.maxEvidence())
	r.Verdicts = d.mergeAccess(r.Verdicts)
	r.Verdicts = d.foldProbes(r.Verdicts)
	scores := map[Code]float64{}
	for i := range r.Verdicts {
		v := &r.Verdicts[i]
		if x, ok := scores[v.Cause]; !ok || score(v) < x {
			scores[v.Cause] = score(v) // the weakest verdict of each cause
		}
	}
	sort.SliceStable(r.Verdicts, func(i, j int) bool {
		return rankScore(&r.Verdicts[i], scores) > rankScore(&r.Verdicts[j], scores)
	})
	d.attachFindings(r)
	return r
}

func (a *acc) verdict(cause Code) Verdict {
	reg, _ := Lookup(cause)
	v := Verdict{
		Cause: cause, Title: reg.Title, Count: a.count, First: a.span.first, Last: a.span.last,
		Remediation: reg.Remediation, Symptoms: map[string]int{},
	}
	for id, n := range a.symptoms {
		v.Symptoms[id] = n
	}
	if a.upstream != "" {
		v.Upstreams = []string{a.upstream}
	}
	v.Evidence = a.samples.list()
	v.Related = append(v.Related, a.related...)
	// The most common status; records that decide none (0) count only when
	// no record decides one.
	best, bestN := 0, -1
	for st, n := range a.statuses {
		if st == 0 {
			n = 0
		}
		if n > bestN || n == bestN && st > best {
			best, bestN = st, n
		}
	}
	v.Status = best
	v.Confidence = a.confSum / float64(a.count)
	for code, x := range a.alts {
		ak, _ := Lookup(code)
		// An alternative backed by only some of the records counts for less.
		conf := x.confSum / float64(a.count)
		v.Alternatives = append(v.Alternatives, Alternative{Cause: code, Title: ak.Title, Confidence: round2(conf), Decide: x.decide})
	}
	sort.Slice(v.Alternatives, func(i, j int) bool {
		if v.Alternatives[i].Confidence != v.Alternatives[j].Confidence {
			return v.Alternatives[i].Confidence > v.Alternatives[j].Confidence
		}
		return v.Alternatives[i].Cause < v.Alternatives[j].Cause
	})
	return v
}

// explainGroup links a "no live upstreams" verdict to the failures on the
// same route (same scheme and server{}), whose peers are the group's servers.
func (d *Diagnoser) explainGroup(v *Verdict, a *acc) {
	r := d.routes[a.route]
	if r == nil {
		v.Notes = append(v.Notes, "The failures that marked the group's servers down are not in this input: "+
			"read the error log from before the first record (a rotated file), and check that error_log's level is error or lower.")
		return
	}
	type root struct {
		code Code
		n    int
		ev   Evidence
	}
	var roots []root
	for code, x := range r.causes {
		roots = append(roots, root{code, x.count, x.first})
	}
	sort.Slice(roots, func(i, j int) bool {
		if roots[i].n != roots[j].n {
			return roots[i].n > roots[j].n
		}
		return roots[i].code < roots[j].code
	})
	for _, rt := range roots {
		v.RootCauses = append(v.RootCauses, rt.code)
		v.RootEvidence = append(v.RootEvidence, rt.ev)
	}
}

// score is a verdict's weight: confidence × log of its count × how much
// its status matters to someone chasing 502/504s.
func score(v *Verdict) float64 {
	return v.Confidence * math.Log2(1+float64(v.Count)) * statusWeight(v.Status)
}

// rankScore ranks verdicts: a consequence (no live upstreams with known
// roots) ranks just below the weakest verdict of its root causes. scores
// holds the weakest verdict's score of each cause.
func rankScore(v *Verdict, scores map[Code]float64) float64 {
	s := score(v)
	if len(v.RootCauses) > 0 {
		low := math.Inf(1)
		for _, c := range v.RootCauses {
			if x, ok := scores[c]; ok && x < low {
				low = x
			}
		}
		if !math.IsInf(low, 1) {
			return math.Min(s, low*0.99)
		}
	}
	return s
}

func statusWeight(status int) float64 {
	switch status {
	case 502, 504:
		return 1
	case 0:
		return 0.8 // dropped connections: a load balancer in front reports 502
	case 500, 503:
		return 0.6
	case 404, 403:
		return 0.5
	}
	return 0.4 // 499, cut bodies, HTTP/0.9
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// Input is everything Diagnose reads, already parsed.
type Input struct {
	// ErrorLog holds nginx error-log records, in the order they were read.
	ErrorLog []logparse.ErrorEntry
	// Problems are read or parse problems met on the way; they are passed
	// through to the Report.
	Problems badgateway.Problems
	// Probes are live probe results (see Diagnoser.AddProbe).
	Probes []*probe.Result
}

// Diagnose returns the diagnosis of in with default options. It is pure
// and safe for concurrent use. For inputs too large to hold in memory use
// a Diagnoser, which takes records one at a time.
func Diagnose(in Input) *Report {
	d := NewDiagnoser(nil)
	for i := range in.ErrorLog {
		d.AddError(&in.ErrorLog[i])
	}
	for _, p := range in.Problems {
		d.AddProblem(p)
	}
	for _, r := range in.Probes {
		d.AddProbe(r)
	}
	return d.Report()
}

// saturationWindow is how close in time connect-phase failures and read
// timeouts on one FastCGI upstream must be to show one saturated pool.
const saturationWindow = time.Minute

// mergeSaturation folds a FastCGI upstream's read timeouts into its
// fpm_max_children verdict when both happen within saturationWindow: a
// listen queue that refuses or drops new connections (EAGAIN on a unix
// socket, a connect timeout on TCP) while queued requests time out reading
// is one pool whose children are all busy, not a slow script.
func mergeSaturation(vs []Verdict, maxEvidence int) []Verdict {
	out := vs[:0:0]
	merged := make([]bool, len(vs))
	for i := range vs {
		mc := vs[i]
		if merged[i] || mc.Cause != FPMMaxChildren || len(mc.Upstreams) != 1 || !strings.HasPrefix(mc.Upstreams[0], "fastcgi://") {
			continue
		}
		for j := range vs {
			rt := &vs[j]
			if merged[j] || rt.Cause != UpstreamReadTimeout || len(rt.Upstreams) != 1 || rt.Upstreams[0] != mc.Upstreams[0] ||
				!overlaps(mc.First, mc.Last, rt.First, rt.Last, saturationWindow) {
				continue
			}
			merged[j] = true
			n := mc.Count
			mc.Count += rt.Count
			mc.First, mc.Last = minTime(mc.First, rt.First), maxTime(mc.Last, rt.Last)
			syms := map[string]int{}
			for id, k := range mc.Symptoms {
				syms[id] += k
			}
			for id, k := range rt.Symptoms {
				syms[id] += k
			}
			mc.Symptoms = syms
			mc.Evidence = mergeEvidence(mc.Evidence, rt.Evidence, maxEvidence)
			if rt.Count > n {
				mc.Status = rt.Status
			}
			// The connect-phase failures alone gave fpm_max_children a fair
			// chance; together with the read timeouts it is the likely cause.
			mc.Confidence = math.Max(mc.Confidence, 0.85)
			alts := map[Code]Alternative{}
			for _, a := range append(append([]Alternative(nil), mc.Alternatives...), rt.Alternatives...) {
				if a.Cause == FPMMaxChildren {
					continue
				}
				if b, ok := alts[a.Cause]; !ok || a.Confidence > b.Confidence {
					alts[a.Cause] = a
				}
			}
			ak, _ := Lookup(UpstreamReadTimeout)
			alts[UpstreamReadTimeout] = Alternative{Cause: UpstreamReadTimeout, Title: ak.Title, Confidence: 0.15,
				Decide: "php-fpm's log (`server reached pm.max_children`, static pools log nothing) and its status page (`max children reached`, `listen queue`)"}
			mc.Alternatives = mc.Alternatives[:0:0]
			for _, a := range alts {
				a.Confidence = math.Min(a.Confidence, 0.15)
				mc.Alternatives = append(mc.Alternatives, a)
			}
			sort.Slice(mc.Alternatives, func(a, b int) bool { return mc.Alternatives[a].Cause < mc.Alternatives[b].Cause })
			mc.Notes = append(mc.Notes, fmt.Sprintf("%d read timeouts on the same pool at the same time as the refused or timed-out connections: "+
				"requests waited in the listen queue behind busy children.", rt.Count))
		}
		vs[i] = mc
	}
	for i := range vs {
		if !merged[i] {
			out = append(out, vs[i])
		}
	}
	return out
}

// mergeEvidence keeps the earliest max-1 records of a and b and the latest.
func mergeEvidence(a, b []Evidence, max int) []Evidence {
	all := append(append([]Evidence(nil), a...), b...)
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].Time.Equal(all[j].Time) {
			return all[i].Time.Before(all[j].Time)
		}
		return all[i].Pos.Line < all[j].Pos.Line
	})
	if len(all) <= max {
		return all
	}
	return append(all[:max-1:max-1], all[len(all)-1])
}

func overlaps(a0, a1, b0, b1 time.Time, slack time.Duration) bool {
	if a0.IsZero() || b0.IsZero() {
		return false
	}
	return !a0.After(b1.Add(slack)) && !b0.After(a1.Add(slack))
}

func minTime(a, b time.Time) time.Time {
	if a.IsZero() || !b.IsZero() && b.Before(a) {
		return b
	}
	return a
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// samples keeps a verdict's evidence: the first n-1 records and the last.
// Records may point into a reader's reused buffer: the kept ones are
// copied, the last into a reused buffer of its own, so that a record past
// the first few costs no allocation.
type samples struct {
	first   []Evidence
	last    Evidence // Text kept in lastTxt
	lastTxt []byte
	hasLast bool
}

// add keeps ev if it is among the first n-1 records, else as the last.
func (s *samples) add(ev Evidence, n int) {
	if len(s.first) < n-1 {
		ev.Text = strings.Clone(ev.Text)
		s.first = append(s.first, ev)
		return
	}
	s.lastTxt = append(s.lastTxt[:0], ev.Text...)
	ev.Text = ""
	s.last, s.hasLast = ev, true
}

// list returns the kept records, the last one last, in a fresh slice.
func (s *samples) list() []Evidence {
	out := append([]Evidence(nil), s.first...)
	if s.hasLast {
		l := s.last
		l.Text = string(s.lastTxt)
		out = append(out, l)
	}
	return out
}

// span is the time range of a verdict's records; zero times are skipped.
type span struct{ first, last time.Time }

func (sp *span) add(t time.Time) {
	if t.IsZero() {
		return
	}
	if sp.first.IsZero() || t.Before(sp.first) {
		sp.first = t
	}
	if t.After(sp.last) {
		sp.last = t
	}
}
