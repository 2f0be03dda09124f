package fpmconf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// The oracle: the real php-fpm8.2 -tt prints every effective global and
// pool setting (fpm_conf_dump). For every php-fpm file of the corpus we
// run it and Load on the same wrapper file and compare every printed
// setting, or, when php-fpm rejects the file, the reason it gives.

const fpmBinary = "php-fpm8.2"

// corpusDir holds the real configuration files (copied into testdata/fpmconf).
var corpusDir = filepath.Join("..", "testdata", "fpmconf", "corpus")

// oracleEnv is the environment both php-fpm and Load see: the variables
// the corpus files reference.
var oracleEnv = map[string]string{
	"PHP_FPM_POOL_NAME":               "www",
	"PHP_FPM_PM_CONTROL":              "dynamic",
	"PHP_FPM_PM_MAX_CHILDREN":         "20",
	"PHP_FPM_PM_START_SERVERS":        "2",
	"PHP_FPM_PM_MIN_SPARE_SERVERS":    "1",
	"PHP_FPM_PM_MAX_SPARE_SERVERS":    "3",
	"PHP_FPM_PM_MAX_REQUESTS":         "0",
	"PHP_FPM_PM_STATUS_PATH":          "/status",
	"PHP_FPM_PROCESS_CONTROL_TIMEOUT": "10s",
}

func needFPM(t testing.TB) string {
	t.Helper()
	p, err := exec.LookPath(fpmBinary)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s not found under CI=true: %v", fpmBinary, err)
		}
		t.Skipf("%s not installed: %v", fpmBinary, err)
	}
	return p
}

func corpusFiles(t testing.TB) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(corpusDir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	if len(files) == 0 {
		t.Fatal("empty corpus")
	}
	return files
}

// fpmResult is what php-fpm -tt said.
type fpmResult struct {
	ok       bool
	dump     map[string]string // "section\x00key" -> value; arrays keep their [key] in the key
	order    map[string][]string
	reason   string   // first ERROR/ALERT, without its [file:line] prefix
	warnings []string // WARNING lines
	output   string
}

var (
	fpmLineRE     = regexp.MustCompile(`^\[[^\]]*\] (NOTICE|WARNING|ERROR|ALERT|DEBUG): (?:pid \d+, [a-z_]+\(\), line \d+: )?(.*)$`)
	errnoSuffixRE = regexp.MustCompile(`: [A-Z][^:]* \(\d+\)$`)
	fpmPrefixRE   = regexp.MustCompile(`^\[[^\]]*:\d+\] `)
)

func parseFPMOutput(out string) fpmResult {
	r := fpmResult{dump: map[string]string{}, order: map[string][]string{}, output: out}
	section := ""
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "PHP:  ") && r.reason == "" {
			r.reason = strings.TrimSpace(strings.TrimPrefix(line, "PHP:  "))
			if i := strings.Index(r.reason, " in Unknown on line"); i >= 0 {
				r.reason = r.reason[:i]
			}
			continue
		}
		m := fpmLineRE.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		level, msg := m[1], m[2]
		switch level {
		case "WARNING":
			r.warnings = append(r.warnings, normWarning(msg))
			continue
		case "ERROR", "ALERT":
			if r.reason == "" {
				r.reason = fpmPrefixRE.ReplaceAllString(msg, "")
			}
			continue
		case "NOTICE":
			if strings.HasSuffix(msg, "test is successful") {
				r.ok = true
				continue
			}
			if strings.HasPrefix(msg, "\t") {
				kv := strings.SplitN(msg[1:], " = ", 2)
				if len(kv) == 2 && section != "" {
					k := section + "\x00" + kv[0]
					r.dump[k] = kv[1]
					r.order[section] = append(r.order[section], kv[0]+" = "+kv[1])
				}
				continue
			}
			if strings.HasPrefix(msg, "[") && strings.HasSuffix(msg, "]") && !strings.HasPrefix(msg, "[pool ") {
				section = msg[1 : len(msg)-1]
			}
		}
	}
	return r
}

func yesno(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func strOr(s Setting[string]) string {
	if s.Value == "" && !s.IsSet() {
		return "undefined"
	}
	return s.Value
}

func secs(d time.Duration) string { return strconv.Itoa(int(d/time.Second)) + "s" }

// dumpLike renders a Config the way fpm_conf_dump prints it.
func dumpLike(c *Config) map[string][]string {
	out := map[string][]string{}
	g := &c.Global
	add := func(sec, k, v string) {
		// php-fpm's dump is read line by line: a value with a newline
		// ends there
		if i := strings.IndexAny(v, "\r\n"); i >= 0 {
			v = v[:i]
		}
		out[sec] = append(out[sec], k+" = "+v)
	}
	add("global", "pid", strOr(g.Pid))
	add("global", "error_log", strOr(g.ErrorLog))
	add("global", "syslog.ident", g.SyslogIdent.Value)
	add("global", "syslog.facility", strconv.Itoa(g.SyslogFacility.Value))
	add("global", "log_buffering", yesno(g.LogBuffering.Value))
	if g.LogLevel.IsSet() {
		add("global", "log_level", strings.ToUpper(g.LogLevel.Value.String()))
	} else {
		// php-fpm prints its unset level 0 as "unknown value"; zlog keeps
		// logging at notice.
		add("global", "log_level", "unknown value")
	}
	add("global", "log_limit", strconv.Itoa(g.LogLimit.Value))
	add("global", "emergency_restart_interval", secs(g.EmergencyRestartInterval.Value))
	add("global", "emergency_restart_threshold", strconv.Itoa(g.EmergencyRestartThreshold.Value))
	add("global", "process_control_timeout", secs(g.ProcessControlTimeout.Value))
	add("global", "process.max", strconv.Itoa(g.ProcessMax.Value))
	prio := func(n int) string {
		if n == priorityUnset {
			return "undefined"
		}
		return strconv.Itoa(n)
	}
	add("global", "process.priority", prio(g.ProcessPriority.Value))
	add("global", "daemonize", yesno(g.Daemonize.Value))
	add("global", "rlimit_files", strconv.Itoa(g.RlimitFiles.Value))
	add("global", "rlimit_core", strconv.Itoa(g.RlimitCore.Value))
	add("global", "events.mechanism", g.EventsMechanism.Value)
	add("global", "systemd_interval", secs(g.SystemdInterval.Value))
	for _, p := range c.Pools {
		s := p.Name
		add(s, "prefix", strOr(p.Prefix))
		add(s, "user", strOr(p.User))
		add(s, "group", strOr(p.Group))
		if p.Listen.IsSet() || p.Listen.Value.Address != "" {
			add(s, "listen", p.Listen.Value.Address)
		} else {
			add(s, "listen", "undefined")
		}
		add(s, "listen.backlog", strconv.Itoa(p.ListenBacklog.Value))
		add(s, "listen.acl_users", strOr(p.ListenACLUsers))
		add(s, "listen.acl_groups", strOr(p.ListenACLGroups))
		add(s, "listen.owner", strOr(p.ListenOwner))
		add(s, "listen.group", strOr(p.ListenGroup))
		add(s, "listen.mode", strOr(p.ListenMode))
		add(s, "listen.allowed_clients", strOr(p.ListenAllowedClients))
		add(s, "process.priority", prio(p.ProcessPriority.Value))
		add(s, "process.dumpable", yesno(p.ProcessDumpable.Value))
		pm := p.PM.Value.String()
		if p.PM.Value == PMUnset {
			pm = "ondemand" // PM2STR's last branch
		}
		add(s, "pm", pm)
		add(s, "pm.max_children", strconv.Itoa(p.PMMaxChildren.Value))
		add(s, "pm.start_servers", strconv.Itoa(p.PMStartServers.Value))
		add(s, "pm.min_spare_servers", strconv.Itoa(p.PMMinSpareServers.Value))
		add(s, "pm.max_spare_servers", strconv.Itoa(p.PMMaxSpareServers.Value))
		add(s, "pm.max_spawn_rate", strconv.Itoa(p.PMMaxSpawnRate.Value))
		add(s, "pm.process_idle_timeout", strconv.Itoa(int(p.PMProcessIdleTimeout.Value/time.Second)))
		add(s, "pm.max_requests", strconv.Itoa(p.PMMaxRequests.Value))
		add(s, "pm.status_path", strOr(p.PMStatusPath))
		add(s, "pm.status_listen", strOr(p.PMStatusListen))
		add(s, "ping.path", strOr(p.PingPath))
		add(s, "ping.response", strOr(p.PingResponse))
		add(s, "access.log", strOr(p.AccessLog))
		add(s, "access.format", strOr(p.AccessFormat))
		for i := len(p.AccessSuppressPath) - 1; i >= 0; i-- {
			add(s, "access.suppress_path[]", p.AccessSuppressPath[i].Value)
		}
		add(s, "slowlog", strOr(p.Slowlog))
		add(s, "request_slowlog_timeout", secs(p.RequestSlowlogTimeout.Value))
		add(s, "request_slowlog_trace_depth", strconv.Itoa(p.RequestSlowlogTraceDepth.Value))
		add(s, "request_terminate_timeout", secs(p.RequestTerminateTimeout.Value))
		add(s, "request_terminate_timeout_track_finished", yesno(p.RequestTerminateTimeoutTrackFinished.Value))
		add(s, "rlimit_files", strconv.Itoa(p.RlimitFiles.Value))
		add(s, "rlimit_core", strconv.Itoa(p.RlimitCore.Value))
		add(s, "chroot", strOr(p.Chroot))
		add(s, "chdir", strOr(p.Chdir))
		add(s, "catch_workers_output", yesno(p.CatchWorkersOutput.Value))
		add(s, "decorate_workers_output", yesno(p.DecorateWorkersOutput.Value))
		add(s, "clear_env", yesno(p.ClearEnv.Value))
		add(s, "security.limit_extensions", p.SecurityLimitExtensions.Value)
		for i := len(p.Env) - 1; i >= 0; i-- {
			add(s, "env["+p.Env[i].Name+"]", p.Env[i].Value)
		}
		for _, admin := range []bool{false, true} {
			for i := len(p.PHPValues) - 1; i >= 0; i-- {
				v := p.PHPValues[i]
				if v.Admin != admin {
					continue
				}
				k := "php_value"
				if admin {
					k = "php_admin_value"
				}
				add(s, k+"["+v.Name+"]", v.Value)
			}
		}
	}
	return out
}

// firstReason is the text of the first problem php-fpm would stop on.
func firstReason(c *Config) string {
	for _, p := range c.Problems {
		if p.Severity == badgateway.SeverityError {
			var e *Error
			if errors.As(p.Err, &e) {
				return e.Msg
			}
			return p.Err.Error()
		}
	}
	return ""
}

// sameReason compares php-fpm's first error with ours: exact, except that
// the errno text php-fpm appends to system errors and the "(ret=2) from
// FILE at line N." tail (whose line number php-fpm 8.2 miscounts after an
// include) are compared without those parts, and bison's "expecting"
// lists are not compared.
func sameReason(fpm, ours string) bool {
	norm := func(s string) string {
		if i := strings.IndexAny(s, "\r\n"); i >= 0 {
			s = s[:i] // php-fpm's log is read line by line
		}
		s = errnoSuffixRE.ReplaceAllString(s, "")
		if i := strings.Index(s, " from "); i >= 0 && strings.HasPrefix(s, "Unable to globalize") {
			s = s[:i]
		}
		if i := strings.Index(s, ", expecting"); i >= 0 && strings.HasPrefix(s, "syntax error") {
			s = s[:i]
		}
		if strings.HasPrefix(s, "failed to open configuration file") {
			if i := strings.LastIndex(s, "': "); i >= 0 {
				s = s[:i+1]
			}
		}
		return s
	}
	return norm(fpm) == norm(ours)
}

// namesOf lists every user and group name the model references.
func namesOf(c *Config) (users, groups []string) {
	for _, p := range c.Pools {
		for _, u := range []string{p.User.Value, p.ListenOwner.Value} {
			if u != "" {
				users = append(users, u)
			}
		}
		for _, g := range []string{p.Group.Value, p.ListenGroup.Value} {
			if g != "" {
				groups = append(groups, g)
			}
		}
	}
	return users, groups
}

type oracleRun struct {
	fpm         string
	namespace   bool
	passwd, grp []byte
}

func newOracle(t *testing.T) *oracleRun {
	fpm := needFPM(t)
	o := &oracleRun{fpm: fpm}
	if os.Geteuid() == 0 && os.Getenv("FPMCONF_ORACLE_NO_NAMESPACE") == "" {
		if err := exec.Command("unshare", "-m", "true").Run(); err == nil {
			o.namespace = true
		}
	}
	if o.namespace {
		var err error
		if o.passwd, err = os.ReadFile("/etc/passwd"); err != nil {
			o.namespace = false
		}
		if o.grp, err = os.ReadFile("/etc/group"); err != nil {
			o.namespace = false
		}
	}
	return o
}

// run executes php-fpm -tt on wrapper inside dir. With a private mount
// namespace, users and groups the config names are added to a private
// copy of /etc/passwd and /etc/group, so that the host's accounts do not
// decide the outcome.
func (o *oracleRun) run(t *testing.T, dir, wrapper string, users, groups []string) fpmResult {
	env := []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	for k, v := range oracleEnv {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	args := []string{"-n", "-tt", "-R", "-y", wrapper, "-p", dir}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var cmd *exec.Cmd
	needNS := false
	for _, u := range users {
		if _, err := user.Lookup(u); err != nil {
			needNS = true
		}
	}
	for _, g := range groups {
		if _, err := user.LookupGroup(g); err != nil {
			needNS = true
		}
	}
	if o.namespace && needNS {
		pw := append([]byte(nil), o.passwd...)
		gr := append([]byte(nil), o.grp...)
		for i, u := range users {
			if !passwdName(u) {
				continue
			}
			pw = fmt.Appendf(pw, "%s:x:%d:%d::/nonexistent:/usr/sbin/nologin\n", u, 60000+i, 60000+i)
		}
		for i, g := range groups {
			if !passwdName(g) {
				continue
			}
			gr = fmt.Appendf(gr, "%s:x:%d:\n", g, 61000+i)
		}
		pwf, grf := filepath.Join(dir, "passwd"), filepath.Join(dir, "group")
		if err := os.WriteFile(pwf, pw, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(grf, gr, 0o644); err != nil {
			t.Fatal(err)
		}
		script := `mount --bind "$1" /etc/passwd && mount --bind "$2" /etc/group && shift 2 && exec "$@"`
		cmd = exec.CommandContext(ctx, "unshare", append([]string{"-m", "sh", "-c", script, "sh", pwf, grf, o.fpm}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, o.fpm, args...)
	}
	cmd.Env = env
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	_ = cmd.Run() // exit status 78 when the configuration is rejected
	return parseFPMOutput(out.String())
}

type oracleStats struct {
	mu                                                            sync.Mutex
	files, filesSame, keysTotal, keysSame, rejected, rejectedSame int
}

func (s *oracleStats) add(o *oracleStats) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.files += o.files
	s.filesSame += o.filesSame
	s.keysTotal += o.keysTotal
	s.keysSame += o.keysSame
	s.rejected += o.rejected
	s.rejectedSame += o.rejectedSame
}

func (s *oracleStats) String() string {
	return fmt.Sprintf("%d/%d files agree; %d/%d settings printed by php-fpm -tt equal ours; %d files rejected by php-fpm, %d with the same first reason",
		s.filesSame, s.files, s.keysSame, s.keysTotal, s.rejected, s.rejectedSame)
}

// check wraps entry (absolute) in a [global] section that points pid and
// error_log into dir, runs php-fpm -tt and Load on it and compares.
func (o *oracleRun) check(t *testing.T, entry, dir string, agg *oracleStats) {
	t.Helper()
	st := &oracleStats{}
	defer agg.add(st)
	st.files++
	wrapper := filepath.Join(dir, "w.conf")
	w := fmt.Sprintf("include=%s\n[global]\npid = %s/fpm.pid\nerror_log = %s/fpm.log\n", entry, dir, dir)
	if err := os.WriteFile(wrapper, []byte(w), 0o644); err != nil {
		t.Fatal(err)
	}
	opts := &Options{
		Prefix:         dir,
		AllowRunAsRoot: true,
		LookupEnv:      func(k string) (string, bool) { v, ok := oracleEnv[k]; return v, ok },
	}
	cfg, _ := Load(wrapper, opts)
	users, groups := namesOf(cfg)
	if o.namespace {
		known := map[string]bool{}
		for _, n := range append(users, groups...) {
			// names /etc/passwd cannot hold stay unknown on both sides
			if passwdName(n) {
				known[n] = true
			}
		}
		opts.LookupUser = func(n string) error { return lookupIn(n, known) }
		opts.LookupGroup = func(n string) error { return lookupIn(n, known) }
		cfg, _ = Load(wrapper, opts)
	}
	res := o.run(t, dir, wrapper, users, groups)
	ours := firstReason(cfg)
	if !res.ok {
		st.rejected++
		if !sameReason(res.reason, ours) {
			t.Errorf("php-fpm rejects with %q, Load's first error is %q\nphp-fpm output:\n%s\nproblems: %v", res.reason, ours, res.output, cfg.Problems)
			return
		}
		st.rejectedSame++
		st.filesSame++
		return
	}
	if ours != "" {
		t.Errorf("php-fpm accepts, Load reports %q (problems %v)", ours, cfg.Problems)
		return
	}
	var ourWarnings []string
	for _, p := range cfg.Problems {
		var e *Error
		if errors.As(p.Err, &e) && e.Level == "WARNING" {
			ourWarnings = append(ourWarnings, normWarning(e.Msg))
		}
	}
	same := true
	if diff := cmp.Diff(res.warnings, ourWarnings); diff != "" {
		same = false
		t.Errorf("warnings differ (-php-fpm +Load):\n%s", diff)
	}
	got := dumpLike(cfg)
	for sec, want := range res.order {
		st.keysTotal += len(want)
		g := got[sec]
		for _, line := range want {
			if contains(g, line) {
				st.keysSame++
			}
		}
		if diff := cmp.Diff(want, g); diff != "" {
			same = false
			t.Errorf("[%s] settings differ from php-fpm -tt (-php-fpm +Load):\n%s", sec, diff)
		}
	}
	if len(got) != len(res.order) {
		same = false
		t.Errorf("sections: php-fpm has %d, Load %d", len(res.order), len(got))
	}
	if same {
		st.filesSame++
	}
}

func TestOracleCorpus(t *testing.T) {
	o := newOracle(t)
	var st oracleStats
	for _, f := range corpusFiles(t) {
		abs, err := filepath.Abs(f)
		if err != nil {
			t.Fatal(err)
		}
		name, _ := filepath.Rel(corpusDir, f)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			o.check(t, abs, t.TempDir(), &st)
		})
	}
	t.Cleanup(func() {
		t.Logf("oracle corpus: %v; namespace=%v", &st, o.namespace)
		if st.files != 38 {
			t.Errorf("corpus has %d files, want 38", st.files)
		}
	})
}

// TestOracleEdge runs the hand-made edge cases of edge.txtar through the
// same oracle. Every file whose name has no '/' is a case (a lone pool or
// global file); the others are written next to them for include= tests.
func TestOracleEdge(t *testing.T) {
	o := newOracle(t)
	ar, err := txtar.ParseFile(filepath.Join("..", "testdata", "fpmconf", "edge.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	var st oracleStats
	for _, f := range ar.Files {
		if strings.Contains(f.Name, "/") {
			continue
		}
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			for _, g := range ar.Files {
				p := filepath.Join(dir, g.Name)
				if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
					t.Fatal(err)
				}
				data := bytes.ReplaceAll(g.Data, []byte("@DIR@"), []byte(dir))
				if err := os.WriteFile(p, data, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			o.check(t, filepath.Join(dir, f.Name), dir, &st)
		})
	}
	t.Cleanup(func() { t.Logf("oracle edge cases: %v; namespace=%v", &st, o.namespace) })
}

// normWarning drops the " from FILE at line N." tail php-fpm adds to
// include warnings (its line numbers are off after an include).
func normWarning(s string) string {
	if i := strings.Index(s, "' from "); i >= 0 && strings.HasPrefix(s, "Nothing matches") {
		return s[:i+1]
	}
	return s
}

// passwdName reports whether a name can be a line of /etc/passwd or
// /etc/group: no ':' or line breaks, and not starting with the comment and
// NIS markers '#', '+', '-'.
func passwdName(n string) bool {
	return n != "" && !strings.ContainsAny(n, ":\n\r") && !strings.ContainsAny(n[:1], "#+-")
}

func lookupIn(n string, known map[string]bool) error {
	if known[n] {
		return nil
	}
	return errors.New("unknown")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
