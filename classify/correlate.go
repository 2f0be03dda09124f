package classify

import (
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/badgateway/badgateway/logparse"
)

// Correlation of the nginx error log with php-fpm's error log.
//
// An nginx record alone often cannot decide: a FastCGI connection reset
// (104) is a request_terminate_timeout kill, a crash, an OOM kill, a reload
// or a dropped connection alike. php-fpm writes which one it was in the
// same second. The Diagnoser indexes php-fpm's events as they are added
// (AddFPM) and looks them up for every nginx record added after them
// (AddError), within Options.Window of the record's time to allow for clock
// skew between the files. So: add the php-fpm logs first.

// DefaultWindow is the default Options.Window.
const DefaultWindow = 2 * time.Second

// saturationLookback is how long before a timeout a "server reached
// max_children" warning still explains it: php-fpm warns once when the pool
// fills, nginx times out up to fastcgi_read_timeout (60 s by default) later.
const saturationLookback = 2 * time.Minute

// maxFPMEvents bounds the php-fpm events kept for correlation.
const maxFPMEvents = 200000

// fpmEvent is a php-fpm record that points at a cause.
type fpmEvent struct {
	t     time.Time
	cause Code
	// Lifecycle events (start, stop, failed start) set life: they explain
	// nginx's connect failures for as long as they are the last one.
	life bool
	// method and uri are the request of an "execution timed out" record.
	method, uri string
	ev          Evidence
}

// fpmIndex holds the php-fpm events in three lists — per-request events
// (kills, crashes, reloads, dropped connections), lifecycle events (start,
// stop, failed start) and saturation warnings — each sorted by time once a
// lookup needs it, so that every lookup is a binary search plus a bounded
// scan, whatever the size of the logs.
type fpmIndex struct {
	death, life, sat eventList
	first, last      time.Time // the time span the php-fpm log covers
	records          int
	dropped          int // events past maxFPMEvents, not indexed
}

// eventList is a list of events sorted by time on demand.
type eventList struct {
	events []fpmEvent
	sorted bool
}

func (l *eventList) add(ev fpmEvent) {
	if n := len(l.events); n == 0 {
		l.sorted = true
	} else if ev.t.Before(l.events[n-1].t) {
		l.sorted = false
	}
	l.events = append(l.events, ev)
}

func (l *eventList) sort() []fpmEvent {
	if !l.sorted {
		sort.SliceStable(l.events, func(i, j int) bool { return l.events[i].t.Before(l.events[j].t) })
		l.sorted = true
	}
	return l.events
}

// search returns the index of the first event after t.
func (l *eventList) after(t time.Time) int {
	ev := l.sort()
	return sort.Search(len(ev), func(i int) bool { return ev[i].t.After(t) })
}

// near returns up to max events of [from, to], the nearest to t first.
func (l *eventList) near(t, from, to time.Time, max int, f func(fpmEvent)) {
	ev := l.sort()
	j := l.after(t) // ev[j-1] <= t < ev[j]
	i := j - 1
	for n := 0; n < max; n++ {
		left := i >= 0 && !ev[i].t.Before(from)
		right := j < len(ev) && !ev[j].t.After(to)
		switch {
		case left && (!right || t.Sub(ev[i].t) <= ev[j].t.Sub(t)):
			f(ev[i])
			i--
		case right:
			f(ev[j])
			j++
		default:
			return
		}
	}
}

func (x *fpmIndex) add(ev fpmEvent) {
	if len(x.death.events)+len(x.life.events)+len(x.sat.events) >= maxFPMEvents {
		x.dropped++
		return
	}
	switch {
	case ev.life:
		x.life.add(ev)
	case ev.cause == FPMMaxChildren:
		x.sat.add(ev)
	default:
		x.death.add(ev)
	}
}

// lastLife returns the last lifecycle event at or before t.
func (x *fpmIndex) lastLife(t time.Time) (fpmEvent, bool) {
	j := x.life.after(t)
	if j == 0 {
		return fpmEvent{}, false
	}
	return x.life.events[j-1], true
}

// lastSat returns the last saturation warning in [from, to].
func (x *fpmIndex) lastSat(from, to time.Time) (fpmEvent, bool) {
	j := x.sat.after(to)
	if j == 0 || x.sat.events[j-1].t.Before(from) {
		return fpmEvent{}, false
	}
	return x.sat.events[j-1], true
}

// upAndDown reports whether the lifecycle events in [from, to] include
// both php-fpm being up and php-fpm stopping or failing.
func (x *fpmIndex) upAndDown(from, to time.Time) bool {
	ev := x.life.sort()
	i := sort.Search(len(ev), func(i int) bool { return !ev[i].t.Before(from) })
	up, down := false, false
	for ; i < len(ev) && !ev[i].t.After(to) && !(up && down); i++ {
		if ev[i].cause == "" {
			up = true
		} else {
			down = true
		}
	}
	return up && down
}

// maxNear is how many of the php-fpm events nearest to an nginx record
// bestDeath weighs: on a busy host one second holds many events, and the
// nearest decide.
const maxNear = 64

// covers reports whether the php-fpm log spans t (± w).
func (x *fpmIndex) covers(t time.Time, w time.Duration) bool {
	return x.records > 0 && !x.first.IsZero() && !t.Before(x.first.Add(-w)) && !t.After(x.last.Add(w))
}

// fpmCause says which cause a php-fpm record points at, and whether it is
// a lifecycle event. Code "" means the record explains nothing by itself.
func fpmCause(e *logparse.FPMEntry) (Code, bool) {
	switch e.Event {
	case logparse.FPMTimedOut:
		return FPMRequestTerminate, false
	case logparse.FPMChildExited:
		switch e.Signal {
		case 0:
			if e.ExitCode != 0 {
				return FPMWorkerCrash, false
			}
		case 9: // SIGKILL: the OOM killer, a cgroup limit, kill -9
			return FPMWorkerKilled, false
		case 4, 6, 7, 8, 11, 31: // SIGILL, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS
			return FPMWorkerCrash, false
		}
		// SIGTERM follows "execution timed out" (that record decides) or a
		// stop; SIGQUIT is a graceful end.
	case logparse.FPMReloading, logparse.FPMReexec, logparse.FPMInheritedSocket:
		return FPMReload, false
	case logparse.FPMConnectionDisallowed, logparse.FPMNoAllowedAddresses, logparse.FPMWrongAllowedClient:
		return FPMAllowedClient, false
	case logparse.FPMSaidInto:
		switch e.InnerEvent {
		case logparse.FPMConnectionDisallowed, logparse.FPMNoAllowedAddresses, logparse.FPMWrongAllowedClient:
			return FPMAllowedClient, false
		}
	case logparse.FPMMaxChildren, logparse.FPMProcessMax:
		return FPMMaxChildren, false
	case logparse.FPMConfigInvalid, logparse.FPMInitFailed:
		return FPMConfigInvalid, true
	case logparse.FPMBindFailed, logparse.FPMAnotherInstance:
		return FPMBindFailed, true
	case logparse.FPMTerminating, logparse.FPMFinishing, logparse.FPMExiting:
		return FPMDown, true
	case logparse.FPMReady, logparse.FPMRunning:
		return "", true // php-fpm is up: connect failures after it are not a stop
	}
	return "", false
}

// AddFPM adds one record of php-fpm's error log. Add php-fpm's logs before
// the nginx error logs they should explain: AddError looks up the php-fpm
// events already added. The Diagnoser copies what it keeps, so e may be
// reused by the caller.
func (d *Diagnoser) AddFPM(e *logparse.FPMEntry) {
	x := &d.fpm
	x.records++
	if !e.Time.IsZero() {
		if x.first.IsZero() || e.Time.Before(x.first) {
			x.first = e.Time
		}
		if e.Time.After(x.last) {
			x.last = e.Time
		}
	}
	cause, life := fpmCause(e)
	if (cause == "" && !life) || e.Time.IsZero() {
		return
	}
	if e.Event == logparse.FPMInitFailed {
		// "FPM initialization failed" follows the specific error (a bind
		// failure, a config check): that one names the cause.
		if n := len(x.life.events); n > 0 && e.Time.Sub(x.life.events[n-1].t) <= 5*time.Second &&
			(x.life.events[n-1].cause == FPMBindFailed || x.life.events[n-1].cause == FPMConfigInvalid) {
			return
		}
	}
	ev := fpmEvent{t: e.Time, cause: cause, life: life,
		ev: Evidence{Pos: e.Pos, Time: e.Time, Text: strings.Clone(e.Raw)}}
	if e.Event == logparse.FPMTimedOut {
		ev.method, ev.uri = strings.Clone(e.Method), strings.Clone(e.RequestURI)
		if e.Query != "" {
			ev.uri += "?" + e.Query
		}
	}
	x.add(ev)
	if cause != "" {
		d.fpmCounts[cause]++
	}
}

// deathCauses are the php-fpm causes of a FastCGI reset or premature close.
var deathCauses = []Code{FPMRequestTerminate, FPMWorkerCrash, FPMWorkerKilled, FPMReload, FPMAllowedClient}

// correlate decides a FastCGI record's cause from php-fpm's events, when
// php-fpm's log was added and covers the record's time. It returns the
// symptom, possibly with new candidates, and the php-fpm record that
// decided, if any.
func (d *Diagnoser) correlate(s Symptom, e *logparse.ErrorEntry) (Symptom, *Evidence) {
	if d.fpm.records == 0 || e.Time.IsZero() || len(s.Candidates) == 0 {
		return s, nil
	}
	w := d.opts.window()
	has := func(code Code) bool {
		return slices.ContainsFunc(s.Candidates, func(c Candidate) bool { return c.Cause == code })
	}
	switch {
	case has(FPMRequestTerminate) || has(FPMWorkerCrash):
		// A reset or close mid-request.
		if best, ok := d.fpm.bestDeath(e, w); ok {
			return decided(s, best.cause, 0.9, "php-fpm's log in the same seconds says what happened"), &best.ev
		}
		if d.fpm.covers(e.Time, w) {
			// php-fpm logged nothing: not a timeout kill, crash, OOM kill or
			// reload (each is logged at the default log_level). A dropped
			// connection is logged only with catch_workers_output.
			return demote(s, []Code{FPMRequestTerminate, FPMWorkerCrash, FPMWorkerKilled, FPMReload},
				"php-fpm's log covers this time and shows no kill, crash or reload: with catch_workers_output = no, "+
					"a connection dropped by listen.allowed_clients is not logged; else the reset came from elsewhere"), nil
		}
	case has(FPMDown) || has(FPMStaleSocket) || has(ListenMismatch):
		// A connect failure: what php-fpm last did before it — unless
		// php-fpm both came up and went down (or failed) within the
		// window, where one-second logs cannot order the records.
		if d.fpm.upAndDown(e.Time.Add(-w), e.Time.Add(w)) {
			s.Decide = "php-fpm's log shows it stopping and starting within these seconds (a restart window): " +
				"its one-second times cannot be ordered against nginx's record; the configs decide whether nginx's address is php-fpm's"
			return s, nil
		}
		if life, ok := d.fpm.lastLife(e.Time.Add(w)); ok {
			switch life.cause {
			case FPMConfigInvalid, FPMBindFailed:
				return decided(s, life.cause, 0.9, "php-fpm's log shows it failed to start before this record"), &life.ev
			case FPMDown:
				if s.Cause() == FPMStaleSocket {
					// Stopped, and its socket file left behind.
					return s, &life.ev
				}
				return decided(s, FPMDown, 0.9, "php-fpm's log shows it was stopped before this record"), &life.ev
			case "":
				// php-fpm was running: a missing socket or refused address is
				// not php-fpm being down.
				if has(ListenMismatch) && s.Cause() == FPMDown {
					return decided(s, ListenMismatch, 0.75, "php-fpm's log shows it running at that time: nginx connects to an address it does not listen on"), &life.ev
				}
			}
		}
	}
	if has(FPMMaxChildren) || has(UpstreamReadTimeout) || has(UpstreamConnectTimout) {
		if ev, ok := d.fpm.lastSat(e.Time.Add(-saturationLookback), e.Time.Add(w)); ok {
			return decided(s, FPMMaxChildren, 0.9, "php-fpm warned that the pool reached pm.max_children before this timeout"), &ev.ev
		}
		if d.fpm.covers(e.Time, w) && s.Cause() == UpstreamReadTimeout && has(FPMMaxChildren) {
			// php-fpm's log covers this time and warns of no full pool: a
			// slow script is likelier (a static pool does not warn, so the
			// alternative stays).
			for i := range s.Candidates {
				if s.Candidates[i].Cause == FPMMaxChildren {
					s.Candidates[i].Confidence = 0.15
				} else if s.Candidates[i].Cause == UpstreamReadTimeout {
					s.Candidates[i].Confidence = 0.8
				}
			}
			s.Decide = "php-fpm's log covers this time and shows no `server reached pm.max_children` warning " +
				"(a pm = static pool logs none: its status page's `max children reached` tells); the slow log names the slow script"
		}
		if life, ok := d.fpm.lastLife(e.Time.Add(w)); ok && life.cause == FPMBindFailed {
			// Another process holds the pool's address: nginx's requests
			// wait on it.
			return decided(s, FPMBindFailed, 0.8, "php-fpm's log shows it could not bind its address: another process holds it"), &life.ev
		}
	}
	return s, nil
}

// bestDeath picks, among the maxNear per-request events nearest to e within
// ±w, the one that explains a reset of e: a timed-out request with the same
// method and URI first, then by cause in the order of deathCauses, the
// nearest in time.
func (x *fpmIndex) bestDeath(e *logparse.ErrorEntry, w time.Duration) (fpmEvent, bool) {
	method, uri, _ := strings.Cut(e.Request, " ")
	uri, _, _ = strings.Cut(uri, " ")
	var best fpmEvent
	bestRank := -1
	x.death.near(e.Time, e.Time.Add(-w), e.Time.Add(w), maxNear, func(ev fpmEvent) {
		rank := 0
		switch {
		case ev.cause == FPMRequestTerminate && ev.method == method && ev.uri == uri:
			rank = 100
		default:
			i := slices.Index(deathCauses, ev.cause)
			if i < 0 {
				return
			}
			rank = 50 - i
		}
		// near yields the nearest first: a tie keeps the nearer.
		if rank > bestRank {
			best, bestRank = ev, rank
		}
	})
	return best, bestRank >= 0
}

// decided makes code the symptom's cause with confidence conf; the other
// candidates stay as unlikely alternatives.
func decided(s Symptom, code Code, conf float64, why string) Symptom {
	out := []Candidate{c(code, conf)}
	for _, x := range s.Candidates {
		if x.Cause != code {
			out = append(out, c(x.Cause, min(x.Confidence, 0.05)))
		}
	}
	s.Candidates, s.Decide = out, why
	return s
}

// demote lowers the given candidates to unlikely alternatives and
// re-ranks the rest.
func demote(s Symptom, codes []Code, why string) Symptom {
	var keep, low []Candidate
	for _, x := range s.Candidates {
		if slices.Contains(codes, x.Cause) {
			low = append(low, c(x.Cause, min(x.Confidence, 0.05)))
		} else {
			keep = append(keep, x)
		}
	}
	if len(keep) == 0 {
		return s
	}
	// Spread what the demoted candidates held over the rest.
	total := 0.0
	for _, x := range keep {
		total += x.Confidence
	}
	for i := range keep {
		keep[i].Confidence = min(0.8, keep[i].Confidence/total*0.8)
	}
	sort.SliceStable(keep, func(i, j int) bool { return keep[i].Confidence > keep[j].Confidence })
	s.Candidates, s.Decide = append(keep, low...), why
	return s
}
