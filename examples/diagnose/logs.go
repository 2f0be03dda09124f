package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
)

// inputs reads every log into the Diagnoser, in the order correlation needs:
// php-fpm's error logs and slow logs first (nginx records are matched to the
// php-fpm events already read), then nginx's error logs, then its access logs.
type inputs struct {
	d     *classify.Diagnoser
	loc   *time.Location
	since time.Time // records before it are skipped; zero = no bound
	until time.Time // records after it are skipped; zero = no bound
	stdin io.Reader
	// progress, when set (a terminal), shows how much of each file was read.
	progress io.Writer
	// status is 1 once an input could not be opened or read to its end.
	status  int
	skipped int // records outside -since/-until
}

// keep reports whether a record of time t is inside -since/-until; a record
// without a time is kept.
func (in *inputs) keep(t time.Time) bool {
	if t.IsZero() {
		return true
	}
	if !in.since.IsZero() && t.Before(in.since) || !in.until.IsZero() && t.After(in.until) {
		in.skipped++
		return false
	}
	return true
}

// open opens a log ("-" = standard input, gzip by content); a file that
// cannot be opened becomes a problem.
func (in *inputs) open(name string) (io.ReadCloser, bool) {
	if name == "-" {
		return io.NopCloser(in.stdin), true
	}
	f, err := logparse.OpenLog(name)
	if err != nil {
		in.d.AddProblem(&badgateway.Problem{Pos: badgateway.Pos{File: name}, Err: err})
		in.status = 1
		return nil, false
	}
	if in.progress != nil {
		if st, err := os.Stat(name); err == nil && st.Size() > 64<<20 {
			return &progressReader{ReadCloser: f, name: name, w: in.progress}, true
		}
	}
	return f, true
}

// feed reads the records of seq into add; a bad record becomes a problem
// with its position and reading goes on; a read error ends the file.
func feed[E any](in *inputs, name string, seq iter.Seq2[E, error], timeOf func(*E) time.Time, add func(*E)) {
	for e, err := range seq {
		if err != nil {
			var pe *logparse.ParseError
			if errors.As(err, &pe) {
				in.d.AddProblem(&badgateway.Problem{Pos: pe.Pos, Severity: badgateway.SeverityWarning, Err: pe.Err})
				continue
			}
			in.d.AddProblem(&badgateway.Problem{Pos: badgateway.Pos{File: name}, Err: err})
			in.status = 1
			return
		}
		if in.keep(timeOf(&e)) {
			add(&e)
		}
	}
}

// each opens every named file and feeds it with read.
func (in *inputs) each(names []string, read func(r io.Reader, name string)) {
	for _, name := range names {
		r, ok := in.open(name)
		if !ok {
			continue
		}
		read(r, displayName(name))
		r.Close()
	}
}

func (in *inputs) fpmLog(r io.Reader, name string) {
	x := logparse.NewFPMReader(r, logparse.FPMReaderOptions{File: name, Location: in.loc, ReuseRecord: true})
	feed(in, name, x.All(), func(e *logparse.FPMEntry) time.Time { return e.Time }, in.d.AddFPM)
}

func (in *inputs) slowLog(r io.Reader, name string) {
	x := logparse.NewSlowReader(r, logparse.SlowReaderOptions{File: name, Location: in.loc})
	feed(in, name, x.All(), func(e *logparse.SlowEntry) time.Time { return e.Time }, in.d.AddSlow)
}

func (in *inputs) errorLog(r io.Reader, name string) {
	x := logparse.NewErrorReader(r, logparse.ErrorReaderOptions{File: name, Location: in.loc, ReuseRecord: true})
	feed(in, name, x.All(), func(e *logparse.ErrorEntry) time.Time { return e.Time }, in.d.AddError)
}

func (in *inputs) accessLog(f *logparse.AccessFormat) func(r io.Reader, name string) {
	return func(r io.Reader, name string) {
		x := logparse.NewAccessReader(r, f, logparse.AccessReaderOptions{File: name, ReuseRecord: true})
		feed(in, name, x.All(), func(e *logparse.AccessEntry) time.Time { return e.Time }, in.d.AddAccess)
	}
}

// accessFormat compiles the access log's format: the log_format named by
// -access-format, else the one of the http block's access_log in the nginx
// config, else nginx's predefined "combined".
func accessFormat(cfg *nginxconf.Config, name string) (*logparse.AccessFormat, error) {
	if name == "" && cfg != nil && cfg.HTTP != nil && cfg.HTTP.Settings != nil {
		for _, l := range cfg.HTTP.Settings.AccessLogs {
			if !l.Off && l.Format != "" {
				name = l.Format
				break
			}
		}
	}
	if name == "" || name == "combined" {
		return logparse.CombinedAccessFormat(), nil
	}
	if cfg == nil {
		return nil, fmt.Errorf("-access-format %q needs -nginx-conf, which defines it", name)
	}
	lf := cfg.LogFormat(name)
	if lf == nil {
		return nil, fmt.Errorf("the nginx config defines no log_format %q", name)
	}
	esc, err := logparse.ParseAccessEscape(lf.Escape)
	if err != nil {
		return nil, err
	}
	return logparse.CompileAccessFormat(lf.Name, esc, lf.Format)
}

// parseBound reads a -since/-until time: RFC 3339, or "2006-01-02
// 15:04[:05]" in the nginx host's zone.
func parseBound(s string, loc *time.Location) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a time: use RFC 3339 or \"2006-01-02 15:04:05\"", s)
}

// progressReader shows on a terminal how much of a large file was read
// (decompressed bytes for a .gz file), at most once a second.
type progressReader struct {
	io.ReadCloser
	name string
	w    io.Writer
	n    int64
	last time.Time
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.ReadCloser.Read(b)
	p.n += int64(n)
	if now := time.Now(); now.Sub(p.last) >= time.Second || err == io.EOF {
		p.last = now
		fmt.Fprintf(p.w, "\rdiagnose: %s: %d MB read", p.name, p.n>>20)
		if err == io.EOF {
			fmt.Fprintln(p.w)
		}
	}
	return n, err
}

// isTerminal reports whether f is a character device (a terminal).
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// The built-in incident's files (incident/SOURCES.md), read in the order
// of a real diagnosis. It was captured on a UTC host.
var incidentFiles = []struct {
	name string
	read func(in *inputs, r io.Reader, name string)
}{
	{"php-fpm.log", (*inputs).fpmLog},
	{"php-fpm-slow.log", (*inputs).slowLog},
	{"nginx-error.log", (*inputs).errorLog},
	{"nginx-access.log", nil}, // read with the log_format of incident/nginx.conf
}

// readIncident reads the built-in incident's logs into in.
func readIncident(in *inputs) error {
	loc := in.loc
	in.loc = time.UTC
	defer func() { in.loc = loc }()
	conf, err := incident.ReadFile("incident/nginx.conf")
	if err != nil {
		return err
	}
	cfg, _ := nginxconf.Parse("incident/nginx.conf", conf, nil)
	af, err := accessFormat(cfg, "")
	if err != nil {
		return err
	}
	for _, f := range incidentFiles {
		data, err := incident.ReadFile("incident/" + f.name)
		if err != nil {
			return err
		}
		name := "incident/" + f.name
		if f.read == nil {
			in.accessLog(af)(bytes.NewReader(data), name)
			continue
		}
		f.read(in, bytes.NewReader(data), name)
	}
	return nil
}
