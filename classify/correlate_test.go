package classify

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/logparse"
)

// withFPMLog is what nginx's and php-fpm's error logs together must lead
// to, for the scenarios where php-fpm's log decides what nginx's cannot.
var withFPMLog = map[string]struct {
	top    Code
	high   bool // the verdict must be high confidence
	silent bool // php-fpm logs nothing for it: no related record
}{
	"fpm_request_terminate":     {FPMRequestTerminate, true, false},
	"fpm_request_terminate_tcp": {FPMRequestTerminate, true, false},
	"fpm_worker_crash":          {FPMWorkerCrash, true, false},
	"fpm_worker_killed":         {FPMWorkerKilled, true, false},
	"fpm_reload":                {FPMReload, true, false},
	"fpm_allowed_clients":       {FPMAllowedClient, true, false},
	// catch_workers_output = no: php-fpm logs nothing, which rules out a
	// kill, crash or reload; a dropped connection stays the likeliest.
	"fpm_allowed_clients_quiet": {FPMAllowedClient, false, true},
	"fpm_config_invalid":        {FPMConfigInvalid, true, false},
	"fpm_bind_failed":           {FPMBindFailed, true, false},
	"fpm_max_children_dynamic":  {FPMMaxChildren, true, false},
	"fpm_max_children_ondemand": {FPMMaxChildren, true, false},
	// pm = static logs nothing when saturated: nginx's log decides alone.
	"fpm_max_children_static": {FPMMaxChildren, true, true},
	// php-fpm started, was asked for nothing and stopped in the same second
	// as nginx's failure: one-second logs cannot order that, so php-fpm's
	// log must not decide (the configs do, see refine.go).
	"listen_mismatch": {FPMDown, false, false},
}

// diagnoseLogs feeds php-fpm's error log, then nginx's.
func diagnoseLogs(t *testing.T, c *realserver.Capture) *Report {
	t.Helper()
	d := NewDiagnoser(nil)
	fr := logparse.NewFPMReader(bytes.NewReader(c.Log(realserver.FPMError)), logparse.FPMReaderOptions{File: c.FPMLog.Path, Location: time.UTC})
	for e, err := range fr.All() {
		if err != nil {
			continue // worker output without decoration: not an event
		}
		d.AddFPM(&e)
	}
	nr := logparse.NewErrorReader(bytes.NewReader(c.Log(realserver.NginxError)), logparse.ErrorReaderOptions{File: c.NginxErrorLog.Path, Location: time.UTC})
	for e, err := range nr.All() {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		d.AddError(&e)
	}
	return d.Report()
}

// TestCorrelateGolden diagnoses the committed captures with both error
// logs.
func TestCorrelateGolden(t *testing.T) {
	for name, want := range withFPMLog {
		t.Run(name, func(t *testing.T) {
			c, err := realserver.Load(realserver.IncidentDir(name))
			if err != nil {
				t.Fatal(err)
			}
			r := diagnoseLogs(t, c)
			if len(r.Verdicts) == 0 {
				t.Fatal("no verdict")
			}
			top := r.Verdicts[0]
			if top.Cause != want.top {
				t.Errorf("top verdict %s (%.2f), want %s; all %v", top.Cause, top.Confidence, want.top, causes(r))
			}
			if want.high && top.ConfidenceLevel() != "high" {
				t.Errorf("%s is %s confidence (%.2f), want high", top.Cause, top.ConfidenceLevel(), top.Confidence)
			}
			if want.high && !want.silent && len(top.Related) == 0 {
				t.Errorf("%s shows no php-fpm record", top.Cause)
			}
			for _, rel := range top.Related {
				if rel.Pos.File != c.FPMLog.Path || rel.Pos.Line == 0 {
					t.Errorf("related record at %s, want a line of %s", rel.Pos, c.FPMLog.Path)
				}
			}
		})
	}
}

// TestCorrelateDemo: in the demo, php-fpm's log turns the resets into
// request_terminate_timeout kills and the connect failures into a stop.
func TestCorrelateDemo(t *testing.T) {
	c, err := realserver.Load(realserver.IncidentDir("demo"))
	if err != nil {
		t.Fatal(err)
	}
	r := diagnoseLogs(t, c)
	got := map[Code]Verdict{}
	for _, v := range r.Verdicts {
		got[v.Cause] = v
	}
	if v := got[FPMRequestTerminate]; v.Count != 4 || v.ConfidenceLevel() != "high" {
		t.Errorf("fpm_request_terminate: %d records, %s confidence; want 4, high", v.Count, v.ConfidenceLevel())
	}
	// php-fpm stopped and started again in the very second of nginx's
	// connect failures: the logs cannot order them, so the failures stay
	// undecided between fpm_down and listen_mismatch, and say why.
	if v := got[FPMDown]; v.Count != 3 || v.ConfidenceLevel() == "high" || len(v.Alternatives) == 0 ||
		!strings.Contains(v.Alternatives[0].Decide, "restart window") {
		t.Errorf("fpm_down: %d records, %s confidence, alternatives %+v; want 3 undecided, naming the restart window",
			v.Count, v.ConfidenceLevel(), v.Alternatives)
	}
	if r.Verdicts[0].Cause != FPMRequestTerminate {
		t.Errorf("top verdict %s, want fpm_request_terminate; all %v", r.Verdicts[0].Cause, causes(r))
	}
}

// TestCorrelateWindow: a php-fpm log whose clock is an hour off explains
// nothing, unless Options.Window allows for that skew.
func TestCorrelateWindow(t *testing.T) {
	c, err := realserver.Load(realserver.IncidentDir("fpm_worker_crash"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDiagnoser(nil)
	fr := logparse.NewFPMReader(bytes.NewReader(c.Log(realserver.FPMError)), logparse.FPMReaderOptions{Location: time.UTC})
	shift := time.Hour // php-fpm's clock an hour off: outside any window
	for e, err := range fr.All() {
		if err == nil {
			e.Time = e.Time.Add(shift)
			d.AddFPM(&e)
		}
	}
	nr := logparse.NewErrorReader(bytes.NewReader(c.Log(realserver.NginxError)), logparse.ErrorReaderOptions{Location: time.UTC})
	for e, err := range nr.All() {
		if err == nil {
			d.AddError(&e)
		}
	}
	if top := d.Report().Verdicts[0]; top.Cause != FPMRequestTerminate || top.ConfidenceLevel() == "high" {
		t.Errorf("with php-fpm's log an hour off, top = %s %s; want the undecided fpm_request_terminate", top.Cause, top.ConfidenceLevel())
	}
	// With a window as wide as the skew, the records meet again.
	d = NewDiagnoser(&Options{Window: 2 * shift})
	fr = logparse.NewFPMReader(bytes.NewReader(c.Log(realserver.FPMError)), logparse.FPMReaderOptions{Location: time.UTC})
	for e, err := range fr.All() {
		if err == nil {
			e.Time = e.Time.Add(shift)
			d.AddFPM(&e)
		}
	}
	nr = logparse.NewErrorReader(bytes.NewReader(c.Log(realserver.NginxError)), logparse.ErrorReaderOptions{Location: time.UTC})
	for e, err := range nr.All() {
		if err == nil {
			d.AddError(&e)
		}
	}
	if top := d.Report().Verdicts[0]; top.Cause != FPMWorkerCrash {
		t.Errorf("with Window covering the skew, top = %s, want fpm_worker_crash", top.Cause)
	}
}

// TestCorrelateRunning: php-fpm's log shows it up and running (the real
// "fpm is running" and "ready" records of the listen_mismatch capture, a
// minute earlier, without the stop at the end): nginx's missing socket is
// then another address than php-fpm's, not php-fpm being down.
func TestCorrelateRunning(t *testing.T) {
	c, err := realserver.Load(realserver.IncidentDir("listen_mismatch"))
	if err != nil {
		t.Fatal(err)
	}
	d := NewDiagnoser(nil)
	fr := logparse.NewFPMReader(bytes.NewReader(c.Log(realserver.FPMError)), logparse.FPMReaderOptions{File: c.FPMLog.Path, Location: time.UTC})
	for e, err := range fr.All() {
		if err != nil || e.Event == logparse.FPMTerminating || e.Event == logparse.FPMExiting {
			continue
		}
		e.Time = e.Time.Add(-time.Minute)
		d.AddFPM(&e)
	}
	nr := logparse.NewErrorReader(bytes.NewReader(c.Log(realserver.NginxError)), logparse.ErrorReaderOptions{Location: time.UTC})
	for e, err := range nr.All() {
		if err == nil {
			d.AddError(&e)
		}
	}
	r := d.Report()
	if top := r.Verdicts[0]; top.Cause != ListenMismatch || len(top.Related) == 0 {
		t.Errorf("top = %s with %d related records, want listen_mismatch shown by php-fpm's ready record", top.Cause, len(top.Related))
	}
}
