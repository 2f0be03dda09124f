package realserver

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"text/template"
	"time"
)

// Scenario is one way to break nginx and php-fpm, declared as data. The
// zero value of every field means "the base setup": a static pool of two
// children on a unix socket, nginx passing *.php to it, no request.
//
// A Scenario holds functions (actions); use a fresh value from [Scenarios]
// or [Demo] per run.
type Scenario struct {
	// Name is the scenario's directory under testdata/incidents.
	Name string
	// Cause is the cause code of TAXONOMY.md this scenario demonstrates,
	// the verdict classify should reach from the capture; empty for a
	// control scenario that shows no incident (every client got its 2xx).
	Cause string
	// Doc says in a sentence what is broken and what the client sees.
	Doc string

	// Nginx, FPM and PHPIni redefine blocks of the base templates (see
	// templates.go): e.g. `{{define "location"}}fastcgi_read_timeout 1s;{{end}}`.
	// Blocks of nginx.conf: user, main, events, http, server,
	// script_filename, pass, location. php-fpm.conf: global, pool_user,
	// listen, listen_perms, pm, pool.
	// php.ini: ini.
	Nginx, FPM, PHPIni string
	// Scripts are files to write into the document root, by relative path.
	Scripts map[string]string

	// NoFPM leaves php-fpm stopped: nginx runs alone. Its php-fpm.conf and
	// php.ini are still written and captured, as on a host where php-fpm
	// is installed but not running.
	NoFPM bool
	// FPMFails says php-fpm is expected to refuse to start (an invalid
	// config): Run fails the test if it starts, and goes on with nginx
	// alone if it does not.
	FPMFails bool

	// Setup runs before the servers start (e.g. HoldAddr).
	Setup []Action
	// Before runs after the servers started, before the first request.
	Before []Action
	// Requests are sent one after another (Async ones in the background).
	Requests []Request
	// After runs once every response has arrived, before the servers stop.
	After []Action

	// Want lists the log lines the servers must have written.
	Want []Want
}

// Request is one HTTP request to nginx, sent with net/http on a fresh
// connection (no keep-alive).
type Request struct {
	Method string // "" means GET
	Path   string // with query, e.g. "/sleep.php?s=3"
	Body   string
	// BodySize, when > 0 and Body is empty, sends a body of that many
	// bytes ("xxx…", form-encoded), generated as it is sent.
	BodySize int64
	// Status is the status the client must see; 0 means no response at all
	// (the client gave up, see Timeout, or the connection failed).
	Status int
	// Or lists other statuses the client may see where timing decides
	// (which of several queued requests a freed child takes first).
	Or []int
	// Timeout bounds the client's wait; 0 means 10 s. A shorter one makes
	// the client give up first (nginx's 499).
	Timeout time.Duration
	// Before runs just before the request is sent.
	Before Action
	// During runs concurrently with the request, once it has been sent.
	During Action
	// Async sends the request in the background: the next request starts
	// at once; Run waits for all of them before the scenario's After.
	Async bool
}

// allows reports whether status is the request's Status or one of Or.
func (r Request) allows(status int) bool {
	return status == r.Status || slices.Contains(r.Or, status)
}

// Action is a step of a scenario that acts on the running servers. It
// must return within ctx's deadline.
type Action func(ctx context.Context, e *Env) error

// Log names one of the captured logs.
type Log string

// The logs a Want can name; the values are the golden file names.
const (
	NginxError  Log = "nginx-error.log"
	NginxAccess Log = "nginx-access.log"
	FPMError    Log = "php-fpm.log"
	FPMAccess   Log = "php-fpm-access.log"
	FPMSlow     Log = "php-fpm-slow.log" // written only with request_slowlog_timeout
)

// Want is a line a log must (or must not) contain: a line matches when it
// holds every string of Line in that order, or of one of Or (where the
// real servers write one of several lines, depending on timing). Match
// nginx lines on message prefix and errno number ("connect() to unix:",
// "(2: "), never errno text.
type Want struct {
	Log  Log
	Line []string
	Or   [][]string
	// Min is the fewest matching lines; 0 means 1.
	Min int
	// None inverts the want: no line may match.
	None bool
}

// String describes the want for test failures, e.g.
// `nginx-error.log: line with "[crit]" … "(2: "`.
func (w Want) String() string {
	q := make([]string, len(w.Line))
	for i, s := range w.Line {
		q[i] = fmt.Sprintf("%q", s)
	}
	s := fmt.Sprintf("%s: line with %s", w.Log, strings.Join(q, " … "))
	for _, alt := range w.Or {
		s += " or " + Want{Line: alt}.String()[len(": "):]
	}
	switch {
	case w.None:
		s = "no " + s
	case w.Min > 1:
		s = fmt.Sprintf("%d× %s", w.Min, s)
	}
	return s
}

// File is one captured file.
type File struct {
	// Path is where the file was: the server's temporary path after Run
	// (removed when the test ends), the golden file's path after Load.
	Path string
	Data []byte
}

// Response is what the client got for one Request.
type Response struct {
	Method string
	Path   string
	// Status is the HTTP status, 0 when there was no response.
	Status int
	// Err is the client's error when there was no response.
	Err string
	// Elapsed is the time from sending to the end of the body, rounded to
	// the millisecond.
	Elapsed time.Duration
}

// Capture is what one run of a scenario left behind. The log files are
// read after both servers stopped, so they are complete.
type Capture struct {
	Name string
	// Dir is the run's temporary directory (removed at the end of the
	// test); the logs name paths inside it. After Load, the golden dir.
	Dir string

	NginxErrorLog, NginxAccessLog File
	FPMLog, FPMAccessLog          File
	// FPMSlowLog is the pool's slowlog; empty unless the scenario sets
	// request_slowlog_timeout.
	FPMSlowLog                 File
	NginxConf, FPMConf, PHPIni File
	// FPMStderr is what php-fpm printed on stdout/stderr (start-up errors
	// before its log is open); usually empty.
	FPMStderr File

	// Scripts are the document root's files, by relative path.
	Scripts map[string]string

	// Responses are in the order of the scenario's Requests.
	Responses []Response
}

// Log returns the named log's bytes.
func (c *Capture) Log(l Log) []byte {
	switch l {
	case NginxError:
		return c.NginxErrorLog.Data
	case NginxAccess:
		return c.NginxAccessLog.Data
	case FPMError:
		return c.FPMLog.Data
	case FPMAccess:
		return c.FPMAccessLog.Data
	case FPMSlow:
		return c.FPMSlowLog.Data
	}
	return nil
}

// Check returns an error naming every Want the capture does not meet, or
// nil.
func (c *Capture) Check(wants []Want) error {
	var errs []error
	for _, w := range wants {
		n := w.count(c.Log(w.Log))
		min := max(w.Min, 1)
		switch {
		case w.None && n > 0:
			errs = append(errs, fmt.Errorf("want %v; %d lines match", w, n))
		case !w.None && n < min:
			errs = append(errs, fmt.Errorf("want %v; %d lines match", w, n))
		}
	}
	return errors.Join(errs...)
}

// count returns the number of lines of log that match w.
func (w Want) count(log []byte) int {
	n := 0
	for line := range bytes.Lines(log) {
		ok := matchLine(string(line), w.Line)
		for _, alt := range w.Or {
			ok = ok || matchLine(string(line), alt)
		}
		if ok {
			n++
		}
	}
	return n
}

func matchLine(line string, parts []string) bool {
	for _, p := range parts {
		i := strings.Index(line, p)
		if i < 0 {
			return false
		}
		line = line[i+len(p):]
	}
	return true
}

// Env is one run's servers and paths; it is also the data of the config
// templates. Actions receive it. Addr and Path are safe for concurrent
// use; the other methods may run concurrently with requests in flight but
// not with each other (one action starting or stopping php-fpm at a time).
type Env struct {
	Name    string // the scenario's name
	Dir     string // the run's directory (mode 0755, so www-data can reach the socket)
	DocRoot string // Dir/www

	NginxAddr string // "127.0.0.1:PORT" nginx listens on
	FPMSocket string // Dir/php-fpm.sock, the base pool's listen

	NginxConf, FPMConf, PHPIni    string // paths of the rendered configs
	NginxErrorLog, NginxAccessLog string
	FPMLogPath, FPMAccessLogPath  string
	FPMSlowLogPath                string

	t        testing.TB
	sc       *Scenario
	mu       sync.Mutex
	addrs    map[string]string
	async    sync.WaitGroup // Async requests in flight
	rendered bool
	nginx    *process
	fpm      *process
}

// Addr returns a free loopback "127.0.0.1:PORT" for name, the same for the
// same name throughout a run. Templates call it as {{addr "fpm"}}.
func (e *Env) Addr(name string) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if a, ok := e.addrs[name]; ok {
		return a, nil
	}
	a, err := freeAddr()
	if err != nil {
		return "", err
	}
	e.addrs[name] = a
	return a, nil
}

// Path returns Dir/name.
func (e *Env) Path(name string) string { return filepath.Join(e.Dir, name) }

func (e *Env) path(name string) string { return e.Path(name) }

// render executes base with the scenario's block definitions over it and
// writes the result to path.
func (e *Env) render(defs, base, path string) error {
	tmpl, err := template.New(filepath.Base(path)).Funcs(template.FuncMap{"addr": e.Addr}).Parse(base)
	if err != nil {
		return fmt.Errorf("base template %s: %w", filepath.Base(path), err)
	}
	if defs != "" {
		if tmpl, err = tmpl.Parse(defs); err != nil {
			return fmt.Errorf("scenario %s template for %s: %w", e.Name, filepath.Base(path), err)
		}
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, e); err != nil {
		return fmt.Errorf("scenario %s: %s: %w", e.Name, filepath.Base(path), err)
	}
	return os.WriteFile(path, b.Bytes(), 0o644)
}

// runTimeout bounds one whole run.
const runTimeout = 60 * time.Second

// Run runs the scenario with real nginx and php-fpm and returns what they
// wrote. It calls Require first (skip, or fail under CI=true, without the
// binaries). It fails the test (t.Errorf) when a client saw another status
// than the Request says or a Want is not met, and stops the test
// (t.Fatalf) when the servers cannot be set up. Both servers are stopped
// before Run returns, and again by t.Cleanup should Run not reach the end;
// the directory is removed when the test ends.
//
// Run is safe to call from parallel tests: each run has its own
// directory, ports and processes.
func Run(t testing.TB, sc Scenario) *Capture {
	t.Helper()
	Require(t)
	ctx, cancel := context.WithTimeout(context.Background(), runTimeout)
	defer cancel()

	e, err := newEnv(t, &sc)
	if err != nil {
		t.Fatalf("%s: %v", sc.Name, err)
	}
	t.Cleanup(func() {
		if err := e.stopAll(); err != nil {
			t.Errorf("%s: cleanup: %v", sc.Name, err)
		}
	})

	if err := e.renderFPM(); err != nil {
		t.Fatalf("%s: %v", sc.Name, err)
	}
	for i, a := range sc.Setup {
		if err := a(ctx, e); err != nil {
			t.Fatalf("%s: Setup[%d]: %v", sc.Name, i, err)
		}
	}
	if !sc.NoFPM {
		err := e.StartFPM(ctx)
		switch {
		case sc.FPMFails && err == nil:
			t.Errorf("%s: php-fpm started; want it to refuse its config", sc.Name)
		case !sc.FPMFails && err != nil:
			t.Fatalf("%s: %v", sc.Name, err)
		}
	}
	if err := e.startNginx(ctx); err != nil {
		t.Fatalf("%s: %v", sc.Name, err)
	}
	for i, a := range sc.Before {
		if err := a(ctx, e); err != nil {
			t.Fatalf("%s: Before[%d]: %v", sc.Name, i, err)
		}
	}
	responses := e.send(ctx, t, sc.Requests)
	for i, a := range sc.After {
		if err := a(ctx, e); err != nil {
			t.Fatalf("%s: After[%d]: %v", sc.Name, i, err)
		}
	}
	e.settle(ctx, sc.Want)
	if err := e.stopAll(); err != nil {
		t.Errorf("%s: stop: %v", sc.Name, err)
	}

	c := &Capture{Name: sc.Name, Dir: e.Dir, Scripts: maps.Clone(sc.Scripts), Responses: responses}
	for _, f := range []struct {
		dst  *File
		path string
	}{
		{&c.NginxErrorLog, e.NginxErrorLog},
		{&c.NginxAccessLog, e.NginxAccessLog},
		{&c.FPMLog, e.FPMLogPath},
		{&c.FPMAccessLog, e.FPMAccessLogPath},
		{&c.FPMSlowLog, e.FPMSlowLogPath},
		{&c.NginxConf, e.NginxConf},
		{&c.FPMConf, e.FPMConf},
		{&c.PHPIni, e.PHPIni},
		{&c.FPMStderr, e.path("php-fpm.stderr")},
	} {
		f.dst.Path = f.path
		// A log the run never wrote stays nil.
		if data, _ := os.ReadFile(f.path); len(data) > 0 {
			f.dst.Data = data
		}
	}

	for i, r := range responses {
		if req := sc.Requests[i]; !req.allows(r.Status) {
			t.Errorf("%s: request %d %s %s: status %d (%s), want %d", sc.Name, i, r.Method, r.Path, r.Status, r.Err, append([]int{req.Status}, req.Or...))
		}
	}
	if err := c.Check(sc.Want); err != nil {
		t.Errorf("%s:\n%v\n%s", sc.Name, err, tail(e.NginxErrorLog, e.FPMLogPath))
	}
	return c
}

// settleTimeout bounds the wait for the servers' logs to catch up.
const settleTimeout = 2 * time.Second

// settle waits, at most settleTimeout, until the logs meet every Want that
// is not a None. The servers log asynchronously: php-fpm's master logs a
// child's death only when it reaps it, which can be after nginx has
// already answered the client, so stopping php-fpm at once could lose the
// line (or demote it to DEBUG, as php-fpm does while it terminates).
func (e *Env) settle(ctx context.Context, wants []Want) {
	ctx, cancel := context.WithTimeout(ctx, settleTimeout)
	defer cancel()
	for {
		met := true
		for _, w := range wants {
			if w.None {
				continue
			}
			data, _ := os.ReadFile(e.logPath(w.Log))
			if w.count(data) < max(w.Min, 1) {
				met = false
				break
			}
		}
		if met {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(pollInterval):
		}
	}
}

// logPath returns the path of the named log of this run.
func (e *Env) logPath(l Log) string {
	switch l {
	case NginxError:
		return e.NginxErrorLog
	case NginxAccess:
		return e.NginxAccessLog
	case FPMError:
		return e.FPMLogPath
	case FPMAccess:
		return e.FPMAccessLogPath
	case FPMSlow:
		return e.FPMSlowLogPath
	}
	return ""
}

// newEnv makes the run's directory and document root. The directory is
// made with os.MkdirTemp rather than t.TempDir to keep the socket path
// well under the 108 bytes of sun_path, and mode 0755 so that nginx's
// workers (www-data) can reach the socket.
func newEnv(t testing.TB, sc *Scenario) (*Env, error) {
	dir, err := os.MkdirTemp("", "bgw-")
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	e := &Env{
		Name:             sc.Name,
		Dir:              dir,
		DocRoot:          filepath.Join(dir, "www"),
		FPMSocket:        filepath.Join(dir, "php-fpm.sock"),
		NginxConf:        filepath.Join(dir, "nginx.conf"),
		FPMConf:          filepath.Join(dir, "php-fpm.conf"),
		PHPIni:           filepath.Join(dir, "php.ini"),
		NginxErrorLog:    filepath.Join(dir, string(NginxError)),
		NginxAccessLog:   filepath.Join(dir, string(NginxAccess)),
		FPMLogPath:       filepath.Join(dir, string(FPMError)),
		FPMAccessLogPath: filepath.Join(dir, string(FPMAccess)),
		FPMSlowLogPath:   filepath.Join(dir, string(FPMSlow)),
		t:                t,
		sc:               sc,
		addrs:            map[string]string{},
	}
	if e.NginxAddr, err = freeAddr(); err != nil {
		return nil, err
	}
	for _, d := range []string{e.DocRoot, e.path("tmp")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	for name, body := range sc.Scripts {
		p := filepath.Join(e.DocRoot, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, err
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			return nil, err
		}
	}
	return e, nil
}

// send sends the requests in order and returns the responses in the same
// order; Async requests and During actions are waited for before it
// returns.
func (e *Env) send(ctx context.Context, t testing.TB, reqs []Request) []Response {
	out := make([]Response, len(reqs))
	var wg sync.WaitGroup // During actions
	for i, r := range reqs {
		if r.Before != nil {
			if err := r.Before(ctx, e); err != nil {
				t.Fatalf("%s: request %d %s: Before: %v", e.Name, i, r.Path, err)
			}
		}
		if r.During != nil {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := r.During(ctx, e); err != nil {
					t.Errorf("%s: request %d %s: During: %v", e.Name, i, r.Path, err)
				}
			}()
		}
		if r.Async {
			e.async.Add(1)
			go func() {
				defer e.async.Done()
				out[i] = e.do(ctx, r)
			}()
			continue
		}
		out[i] = e.do(ctx, r)
	}
	e.async.Wait()
	wg.Wait()
	return out
}

// do sends one request on a fresh connection and reads the whole body.
func (e *Env) do(ctx context.Context, r Request) Response {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	timeout := r.Timeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	resp := Response{Method: method, Path: r.Path}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var body io.Reader
	switch {
	case r.Body != "":
		body = strings.NewReader(r.Body)
	case r.BodySize > 0:
		body = io.LimitReader(xReader{}, r.BodySize)
	}
	req, err := http.NewRequestWithContext(ctx, method, "http://"+e.NginxAddr+r.Path, body)
	if err != nil {
		resp.Err = err.Error()
		return resp
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if r.Body == "" {
			req.ContentLength = r.BodySize
		}
	}
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	start := time.Now()
	res, err := client.Do(req)
	if err != nil {
		resp.Err = err.Error()
		resp.Elapsed = time.Since(start).Round(time.Millisecond)
		return resp
	}
	_, err = io.Copy(io.Discard, res.Body)
	res.Body.Close()
	resp.Elapsed = time.Since(start).Round(time.Millisecond)
	resp.Status = res.StatusCode
	if err != nil {
		resp.Err = err.Error()
	}
	return resp
}

// xReader reads an endless run of 'x'.
type xReader struct{}

func (xReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	return len(p), nil
}
