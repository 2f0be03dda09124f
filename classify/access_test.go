package classify

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/badgateway/badgateway/internal/realserver"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
)

// accessFormat compiles the access_log format of a capture's nginx.conf.
func accessFormat(t *testing.T, c *realserver.Capture) *logparse.AccessFormat {
	t.Helper()
	cfg, _ := nginxconf.Parse(c.NginxConf.Path, c.NginxConf.Data, nil)
	if cfg.HTTP == nil {
		t.Fatalf("%s has no http block", c.NginxConf.Path)
	}
	// The format the http block's access_log names.
	name := "combined"
	if logs := cfg.HTTP.Settings.AccessLogs; len(logs) > 0 && logs[0].Format != "" {
		name = logs[0].Format
	}
	lf := cfg.LogFormat(name)
	if lf == nil {
		t.Fatalf("%s: no log_format %q", c.NginxConf.Path, name)
	}
	esc, err := logparse.ParseAccessEscape(lf.Escape)
	if err != nil {
		t.Fatal(err)
	}
	f, err := logparse.CompileAccessFormat(lf.Name, esc, lf.Format)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// diagnoseAll feeds a capture's php-fpm log, slow log, nginx error log and
// nginx access log, in that order.
func diagnoseAll(t *testing.T, c *realserver.Capture) *Report {
	t.Helper()
	d := NewDiagnoser(nil)
	for e, err := range logparse.NewFPMReader(bytes.NewReader(c.Log(realserver.FPMError)), logparse.FPMReaderOptions{File: c.FPMLog.Path}).All() {
		if err == nil {
			d.AddFPM(&e)
		}
	}
	for e, err := range logparse.NewSlowReader(bytes.NewReader(c.Log(realserver.FPMSlow)), logparse.SlowReaderOptions{File: c.FPMSlowLog.Path}).All() {
		if err == nil {
			d.AddSlow(&e)
		}
	}
	for e, err := range logparse.NewErrorReader(bytes.NewReader(c.Log(realserver.NginxError)), logparse.ErrorReaderOptions{File: c.NginxErrorLog.Path}).All() {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		d.AddError(&e)
	}
	f := accessFormat(t, c)
	for e, err := range logparse.NewAccessReader(bytes.NewReader(c.Log(realserver.NginxAccess)), f, logparse.AccessReaderOptions{File: c.NginxAccessLog.Path}).All() {
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		d.AddAccess(&e)
	}
	return d.Report()
}

// TestAccessGolden: the access log decides what the error log cannot.
func TestAccessGolden(t *testing.T) {
	for name, want := range map[string]Code{
		// The application answered 502 itself: no error line at all.
		"app_502": App502,
		// One peer refused, the retry on the other answered 200.
		"upstream_partially_down": BackendDown,
		// A GET retried on the same peer after a kept-alive connection was
		// closed ("502, 200"), and the POST that could not be retried.
		"upstream_keepalive_closed": UpstreamKeepaliveClosed,
		"client_closed_request":     ClientClosedRequest,
	} {
		t.Run(name, func(t *testing.T) {
			c, err := realserver.Load(realserver.IncidentDir(name))
			if err != nil {
				t.Fatal(err)
			}
			r := diagnoseAll(t, c)
			if r.AccessRecords == 0 {
				t.Fatal("no access-log record read")
			}
			var got []Code
			for _, v := range r.Verdicts {
				got = append(got, v.Cause)
			}
			if !slices.Contains(got, want) {
				t.Errorf("verdicts %v lack %s", got, want)
			}
			if name == "app_502" && (len(r.Verdicts) == 0 || r.Verdicts[0].Cause != App502 || r.Verdicts[0].Evidence[0].Pos.File != c.NginxAccessLog.Path) {
				t.Errorf("app_502: verdicts %v, want app_502 first, shown by the access log", got)
			}
			if name == "upstream_partially_down" && !slices.Contains(got, UpstreamPartiallyDown) {
				t.Errorf("verdicts %v lack upstream_partially_down (the access log's 502, 200)", got)
			}
		})
	}
}

// TestAccessCounts: a 499 in the access log and its [info] line in the
// error log are one request, counted once.
func TestAccessCounts(t *testing.T) {
	c, err := realserver.Load(realserver.IncidentDir("client_closed_request"))
	if err != nil {
		t.Fatal(err)
	}
	r := diagnoseAll(t, c)
	for _, v := range r.Verdicts {
		if v.Cause == ClientClosedRequest && v.Count != 1 {
			t.Errorf("client_closed_request counted %d times, want 1", v.Count)
		}
	}
}

// TestSlowAndTimeline: in the demo, the read timeouts show the slow-log
// block of the slow script, and the timeline counts causes per minute.
func TestSlowAndTimeline(t *testing.T) {
	c, err := realserver.Load(realserver.IncidentDir("demo"))
	if err != nil {
		t.Fatal(err)
	}
	r := diagnoseAll(t, c)
	if r.SlowRecords == 0 || r.FPMRecords == 0 {
		t.Fatalf("slow %d, fpm %d records: the demo has both logs", r.SlowRecords, r.FPMRecords)
	}
	for _, v := range r.Verdicts {
		if v.Cause != UpstreamReadTimeout {
			continue
		}
		found := false
		for _, rel := range v.Related {
			found = found || rel.Pos.File == c.FPMSlowLog.Path
		}
		if !found {
			t.Errorf("upstream_read_timeout shows no slow-log block; related %v", v.Related)
		}
	}
	total := 0
	for _, m := range r.Timeline {
		if m.Start.Second() != 0 || m.Start.Nanosecond() != 0 {
			t.Errorf("minute %v is not on a minute", m.Start)
		}
		for _, n := range m.Counts {
			total += n
		}
	}
	if len(r.Timeline) == 0 || total < 9 {
		t.Errorf("timeline %v counts %d records, want the demo's 9 errors at least", r.Timeline, total)
	}
	for i := 1; i < len(r.Timeline); i++ {
		if !r.Timeline[i-1].Start.Before(r.Timeline[i].Start) {
			t.Errorf("timeline not in time order at %d", i)
		}
	}
	_ = time.Minute
}
