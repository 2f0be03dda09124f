package fpmconf

import (
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
	"gopkg.in/ini.v1"
)

var update = flag.Bool("update", false, "rewrite the golden want.json sections")

// writeArchive writes every file of ar except env and want.json into dir.
func writeArchive(t *testing.T, ar *txtar.Archive, dir string) map[string]string {
	t.Helper()
	env := map[string]string{}
	for _, f := range ar.Files {
		switch f.Name {
		case "want.json":
			continue
		case "env":
			for _, line := range strings.Split(string(f.Data), "\n") {
				if k, v, ok := strings.Cut(line, "="); ok {
					env[k] = v
				}
			}
			continue
		}
		p := filepath.Join(dir, f.Name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return env
}

// goldenView is what the golden files record.
type goldenView struct {
	Config    *Config                `json:"config"`
	Problems  []string               `json:"problems"`
	Effective map[string][]Effective `json:"effective,omitempty"`
}

var effectiveNames = []string{"max_execution_time", "memory_limit", "post_max_size", "display_errors", "upload_max_filesize"}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "testdata", "fpmconf", "golden", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			env := writeArchive(t, ar, dir)
			opts := &Options{
				Prefix:         dir,
				SkipHostChecks: true,
				LookupEnv:      func(k string) (string, bool) { v, ok := env[k]; return v, ok },
			}
			cfg, _ := Load(filepath.Join(dir, "fpm.conf"), opts)
			view := goldenView{Config: cfg}
			for _, p := range cfg.Problems {
				view.Problems = append(view.Problems, p.Error())
			}
			var ini *PHPIni
			if _, err := os.Stat(filepath.Join(dir, "php.ini")); err == nil {
				if ini, err = LoadPHPIni(filepath.Join(dir, "php.ini"), opts); err != nil {
					t.Fatalf("LoadPHPIni: %v", err)
				}
			}
			view.Effective = map[string][]Effective{}
			for _, p := range cfg.Pools {
				for _, n := range effectiveNames {
					view.Effective[p.Name] = append(view.Effective[p.Name], p.PHPIni(ini, n))
				}
			}
			got, err := json.MarshalIndent(view, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = []byte(strings.ReplaceAll(string(got), dir, "$DIR") + "\n")
			idx := -1
			for i, f := range ar.Files {
				if f.Name == "want.json" {
					idx = i
				}
			}
			if idx < 0 {
				t.Fatal("no want.json section")
			}
			if *update {
				ar.Files[idx].Data = got
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if diff := cmp.Diff(string(ar.Files[idx].Data), string(got)); diff != "" {
				t.Errorf("model differs from %s (-want +got); rerun with -update if intended:\n%s", file, diff)
			}
		})
	}
}

// load writes files (name -> content) into a temp dir and loads fpm.conf.
func load(t *testing.T, files map[string]string, opts *Options) (*Config, string) {
	t.Helper()
	dir := t.TempDir()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	o := Options{SkipHostChecks: true, AllowRunAsRoot: true, LookupEnv: func(string) (string, bool) { return "", false }}
	if opts != nil {
		o = *opts
		if o.LookupEnv == nil {
			o.LookupEnv = func(string) (string, bool) { return "", false }
		}
	}
	o.Prefix = dir
	cfg, _ := Load(filepath.Join(dir, "fpm.conf"), &o)
	return cfg, dir
}

const basePool = "[www]\nlisten = /run/www.sock\npm = static\npm.max_children = 5\n"

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Duration
		err  string
	}{
		{"10", 10 * time.Second, ""},
		{"10s", 10 * time.Second, ""},
		{"2m", 2 * time.Minute, ""},
		{"3h", 3 * time.Hour, ""},
		{"1d", 24 * time.Hour, ""},
		{"1m30s", time.Second, ""}, // php-fpm reads atoi("1m30") = 1
		{"-5", -5 * time.Second, ""},
		{"0", 0, ""},
		{"10s ; comment", 10 * time.Second, ""},
		{"10s;", 10 * time.Second, ""},
		{"5x", 0, msgBadTimeSuffix},
		{"", 0, msgBadTime},
		{`"90"`, 90 * time.Second, ""},
	} {
		t.Run(tc.in, func(t *testing.T) {
			cfg, _ := load(t, map[string]string{"fpm.conf": basePool + "request_terminate_timeout = " + tc.in + "\n"}, nil)
			p := cfg.Pool("www")
			if tc.err != "" {
				if len(cfg.Problems) == 0 || !strings.Contains(cfg.Problems[0].Error(), tc.err) {
					t.Fatalf("problems %v, want %q", cfg.Problems, tc.err)
				}
				if !errors.Is(cfg.Problems[0], ErrValue) {
					t.Errorf("problem is not ErrValue: %v", cfg.Problems[0])
				}
				if got := cfg.Problems[0].Pos; got.Line != 5 || got.Col != 29 {
					t.Errorf("position %v, want line 5 col 29", got)
				}
				return
			}
			if len(cfg.Problems) != 0 {
				t.Fatalf("problems: %v", cfg.Problems)
			}
			if got := p.RequestTerminateTimeout.Value; got != tc.want {
				t.Errorf("request_terminate_timeout = %v, want %v", got, tc.want)
			}
			if got := p.RequestTerminateTimeout.Pos; got.Line != 5 || got.Col != 29 {
				t.Errorf("position %v, want line 5 col 29", got)
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"128M": 128 << 20, "1G": 1 << 30, "512k": 512 << 10, "-1": -1, "100": 100, "0x10": 16, "": 0} {
		if got, ok := ParseSize(in); got != want || !ok {
			t.Errorf("ParseSize(%q) = %d, %v; want %d, true", in, got, ok, want)
		}
	}
	if got, ok := ParseSize("12 apples"); ok || got != 12 {
		t.Errorf("ParseSize(12 apples) = %d, %v; want 12, false", got, ok)
	}
}

func TestPoolVariable(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": "[global]\nerror_log = /x/$pool.log\n[api]\nlisten = /run/$pool.sock\npm = static\npm.max_children = 1\nslowlog = /log/$pool-$pool.slow\nenv[NAME] = $pool\nphp_value[session.name] = $pool\npm.max_requests = 5\n"}, nil)
	p := cfg.Pool("api")
	for _, c := range []struct{ got, want string }{
		{p.Listen.Value.Path, "/run/api.sock"},
		{p.Slowlog.Value, "/log/api-api.slow"},
		{p.Env[0].Value, "api"},
		{p.PHPValues[0].Value, "api"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
	if len(cfg.Problems) != 1 || !strings.Contains(cfg.Problems[0].Error(), msgPoolUndefined) || cfg.Problems[0].Pos.Line != 2 {
		t.Errorf("problems %v, want $pool in [global] rejected at line 2", cfg.Problems)
	}
}

func TestEnvExpansion(t *testing.T) {
	env := map[string]string{"POOL": "shop", "SOCK": "/run/shop.sock", "N": "7"}
	cfg, _ := load(t, map[string]string{"fpm.conf": "[${POOL}]\nlisten = ${SOCK}\npm = static\npm.max_children = ${N}\nuser = \"${POOL}-user\"\ngroup = ${MISSING}x\n"},
		&Options{SkipHostChecks: true, LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	p := cfg.Pool("shop")
	if p == nil {
		t.Fatalf("no pool shop; pools %v problems %v", cfg.Pools, cfg.Problems)
	}
	if p.Listen.Value.Path != "/run/shop.sock" || p.PMMaxChildren.Value != 7 || p.User.Value != "shop-user" || p.Group.Value != "x" {
		t.Errorf("listen %q max_children %d user %q group %q", p.Listen.Value.Path, p.PMMaxChildren.Value, p.User.Value, p.Group.Value)
	}
	if p.PMMaxChildren.Raw != "7" {
		t.Errorf("Raw = %q, want the expanded text 7", p.PMMaxChildren.Raw)
	}
}

func TestIncludes(t *testing.T) {
	cfg, dir := load(t, map[string]string{
		"fpm.conf":          "[global]\nerror_log = /proc/self/fd/2\ninclude = pool.d/*.conf\ninclude = missing.conf\n",
		"pool.d/b.conf":     "[b]\nlisten = /run/b.sock\npm = static\npm.max_children = 2\n",
		"pool.d/a.conf":     "[a]\nlisten = /run/a.sock\npm = static\npm.max_children = 1\ninclude = sub/x.conf\n",
		"sub/x.conf":        "pm.max_requests = 9\n",
		"pool.d/dir.conf/x": "",
	}, nil)
	var names []string
	for _, p := range cfg.Pools {
		names = append(names, p.Name)
	}
	if diff := cmp.Diff([]string{"a", "b"}, names); diff != "" {
		t.Errorf("pools (-want +got):\n%s", diff)
	}
	// the included file continues the pool that was current: [a]
	if got := cfg.Pool("a").PMMaxRequests; got.Value != 9 || got.Pos.File != filepath.Join(dir, "sub/x.conf") || got.Pos.Line != 1 {
		t.Errorf("pm.max_requests %+v, want 9 from sub/x.conf:1", got)
	}
	chain := cfg.IncludedFrom(filepath.Join(dir, "sub/x.conf"))
	if len(chain) != 2 || chain[0].File != filepath.Join(dir, "pool.d/a.conf") || chain[1].File != filepath.Join(dir, "fpm.conf") || chain[1].Line != 3 {
		t.Errorf("include chain %v", chain)
	}
	if len(cfg.Problems) != 1 || cfg.Problems[0].Severity != badgateway.SeverityWarning || !strings.Contains(cfg.Problems[0].Error(), "Nothing matches the include pattern") {
		t.Errorf("problems %v, want one warning for missing.conf", cfg.Problems)
	}
}

func TestIncludeLoopBounded(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": "include = fpm.conf\n"}, nil)
	found := false
	for _, p := range cfg.Problems {
		if strings.Contains(p.Error(), "failed to include more than 5 files recursively") {
			found = true
		}
	}
	if !found {
		t.Errorf("problems %v, want the recursion limit", cfg.Problems)
	}
	if len(cfg.Files) != 5 {
		t.Errorf("read %d files, want 5", len(cfg.Files))
	}
}

func TestOverridePrecedence(t *testing.T) {
	dir := t.TempDir()
	iniPath := filepath.Join(dir, "php.ini")
	if err := os.WriteFile(iniPath, []byte("max_execution_time = 120\nmemory_limit = 64M\npost_max_size = 16M\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ini, err := LoadPHPIni(iniPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg, _ := load(t, map[string]string{"fpm.conf": basePool +
		"php_value[max_execution_time] = 30\n" + // line 5
		"php_admin_value[max_execution_time] = 10\n" + // line 6: admin wins
		"php_admin_value[max_execution_time] = 20\n" + // line 7: first admin entry wins
		"php_value[memory_limit] = 256M\n" + // line 8
		"php_value[memory_limit] = 512M\n" + // line 9
		"php_flag[display_errors] = off\n"}, nil) // line 10
	p := cfg.Pool("www")
	for _, tc := range []struct {
		name, value, source string
		line                int
	}{
		{"max_execution_time", "10", "php_admin_value", 6},
		{"memory_limit", "256M", "php_value", 8},
		{"display_errors", "0", "php_flag", 10},
		{"post_max_size", "16M", "php.ini", 3},
		{"upload_max_filesize", "2M", "default", 0},
	} {
		got := p.PHPIni(ini, tc.name)
		if got.Value != tc.value || got.Source != tc.source || got.Pos.Line != tc.line {
			t.Errorf("%s = %+v, want %s from %s line %d", tc.name, got, tc.value, tc.source, tc.line)
		}
	}
}

func TestDuplicatesAndCase(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": basePool + "PM.Max_Children = 9\n[WWW]\nuser = nobody\nphp_value[x] = 1\nphp_value[x] = 2\nPhp_Value[y] = 3\n"}, nil)
	if len(cfg.Pools) != 1 {
		t.Fatalf("pools %d, want 1 ([WWW] reopens [www])", len(cfg.Pools))
	}
	p := cfg.Pools[0]
	if p.PMMaxChildren.Value != 9 || p.PMMaxChildren.Pos.Line != 5 {
		t.Errorf("pm.max_children %+v, want 9 from line 5", p.PMMaxChildren)
	}
	if len(p.PHPValues) != 2 {
		t.Errorf("php values %v, want both x entries kept", p.PHPValues)
	}
	if len(cfg.Problems) != 1 || !errors.Is(cfg.Problems[0], ErrUnknown) || cfg.Problems[0].Pos.Line != 10 {
		t.Errorf("problems %v, want unknown directive 'Php_Value' at line 10", cfg.Problems)
	}
}

func TestListen(t *testing.T) {
	for in, want := range map[string]Listen{
		"/run/php.sock":   {Address: "/run/php.sock", Network: "unix", Path: "/run/php.sock"},
		"9000":            {Address: "9000", Network: "tcp", Port: 9000, AnyHost: true, IPv6: true},
		"127.0.0.1:9000":  {Address: "127.0.0.1:9000", Network: "tcp", Host: "127.0.0.1", Port: 9000},
		"0.0.0.0:9000":    {Address: "0.0.0.0:9000", Network: "tcp", Host: "0.0.0.0", Port: 9000, AnyHost: true},
		"[::]:9000":       {Address: "[::]:9000", Network: "tcp", Host: "::", Port: 9000, AnyHost: true, IPv6: true},
		"[::1]:9000":      {Address: "[::1]:9000", Network: "tcp", Host: "::1", Port: 9000, IPv6: true},
		"localhost:9000":  {Address: "localhost:9000", Network: "tcp", Host: "localhost", Port: 9000},
		"127.0.0.1:99999": {Address: "127.0.0.1:99999", Network: "tcp", Host: "127.0.0.1"},
		"php-fpm.sock":    {Address: "php-fpm.sock", Network: "unix", Path: "php-fpm.sock"},
	} {
		if diff := cmp.Diff(want, ParseListen(in)); diff != "" {
			t.Errorf("ParseListen(%q) (-want +got):\n%s", in, diff)
		}
	}
}

func TestHostChecks(t *testing.T) {
	cfg, dir := load(t, map[string]string{"fpm.conf": "[global]\nerror_log = /proc/self/fd/2\n" + basePool + "user = no-such-user-fpmconf\nchdir = /no/such/dir\n"},
		&Options{LookupUser: func(string) error { return errors.New("no") }, LookupGroup: func(string) error { return nil }})
	var msgs []string
	for _, p := range cfg.Problems {
		msgs = append(msgs, p.Err.Error())
		if !errors.Is(p, ErrHost) {
			t.Errorf("%v is not ErrHost", p)
		}
	}
	want := []string{
		"[pool www] the chdir path '/no/such/dir' does not exist or is not a directory",
		"[pool www] cannot get uid for user 'no-such-user-fpmconf'",
	}
	if diff := cmp.Diff(want, msgs); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	_ = dir
	cfg, _ = load(t, map[string]string{"fpm.conf": basePool + "user = no-such-user-fpmconf\nchdir = /no/such/dir\n"}, &Options{SkipHostChecks: true})
	if len(cfg.Problems) != 0 {
		t.Errorf("SkipHostChecks: problems %v", cfg.Problems)
	}
}

func TestUserNotDefinedAsRoot(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": basePool}, &Options{SkipHostChecks: true})
	if len(cfg.Problems) != 1 || cfg.Problems[0].Err.Error() != "[pool www] user has not been defined" || cfg.Problems[0].Pos.Line != 1 {
		t.Errorf("problems %v, want the user alert at the [www] header", cfg.Problems)
	}
}

func TestValidationPositions(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": "[www]\nlisten = 9000\npm = dynamic\npm.max_children = 5\npm.min_spare_servers = 1\npm.max_spare_servers = 3\npm.start_servers = 10\n"}, nil)
	if len(cfg.Problems) != 1 {
		t.Fatalf("problems %v", cfg.Problems)
	}
	p := cfg.Problems[0]
	want := "[pool www] pm.start_servers(10) must not be less than pm.min_spare_servers(1) and not greater than pm.max_spare_servers(3)"
	if p.Err.Error() != want || p.Pos.Line != 7 || p.Pos.Col != 20 || !errors.Is(p, ErrValidation) {
		t.Errorf("got %v (%v), want %q at 7:20", p, p.Pos, want)
	}
	var e *Error
	if !errors.As(p, &e) || e.Level != "ALERT" {
		t.Errorf("level %+v, want ALERT", e)
	}
}

// TestIniV1Differences shows, on the corpus, why gopkg.in/ini.v1 is not
// used to read php-fpm files even with the most faithful options: it
// accepts '#' comment lines that php-fpm 8.2 rejects and strips the
// backticks php-fpm keeps. The test fails if ini.v1 stops differing, so
// the package doc stays true.
func TestIniV1Differences(t *testing.T) {
	opts := ini.LoadOptions{KeyValueDelimiters: "=", IgnoreContinuation: true, IgnoreInlineComment: true,
		PreserveSurroundedQuote: true, AllowShadows: true}
	hashFile := filepath.Join(corpusDir, "devilbox-docker-php-fpm", "Dockerfiles", "base", "data", "php-fpm.conf", "php-fpm-5.2.conf")
	if f, err := ini.LoadSources(opts, []byte("[www]\n# comment\nlisten = 9000\n")); err != nil || f.Section("www").Key("listen").Value() != "9000" {
		t.Errorf("ini.v1 no longer silently drops '#' lines: %v", err)
	}
	cfg, _ := load(t, map[string]string{"fpm.conf": "[www]\n# comment\nlisten = 9000\n"}, nil)
	if len(cfg.Problems) == 0 || !errors.Is(cfg.Problems[0], ErrSyntax) || cfg.Problems[0].Pos.Line != 2 {
		t.Errorf("Load does not reject the '#' line like php-fpm: %v", cfg.Problems)
	}
	f, err := ini.LoadSources(opts, []byte("[www]\naccess.format = `%R %s`\n"))
	if err != nil {
		t.Fatal(err)
	}
	if v := f.Section("www").Key("access.format").Value(); v != "%R %s" {
		t.Errorf("ini.v1 no longer strips backticks: %q", v)
	}
	cfg, _ = load(t, map[string]string{"fpm.conf": basePool + "access.format = `%R %s`\n"}, nil)
	if v := cfg.Pool("www").AccessFormat.Value; v != "`%R %s`" {
		t.Errorf("Load changed backticks: %q", v)
	}
	// One line without '=' fails the whole file in ini.v1; Load keeps the
	// rest and reports that line (php-fpm: "value is NULL").
	if _, err := ini.LoadSources(opts, []byte("[www]\nlisten = 9000\ncatch_workers_output\n")); err == nil {
		t.Error("ini.v1 no longer fails a file on a line without '='")
	}
	cfg, _ = load(t, map[string]string{"fpm.conf": basePool + "catch_workers_output\nuser = x\n"}, nil)
	if cfg.Pool("www").User.Value != "x" || len(cfg.Problems) != 1 || cfg.Problems[0].Pos.Line != 5 {
		t.Errorf("Load: user %q, problems %v", cfg.Pool("www").User.Value, cfg.Problems)
	}
	// A real file php-fpm rejects on line 1 ("<?xml version=...") that
	// ini.v1 loads without complaint.
	if _, err := ini.LoadSources(opts, hashFile); err == nil {
		cfg, _ := Load(hashFile, &Options{SkipHostChecks: true})
		if !cfg.Problems.HasErrors() {
			t.Errorf("Load accepts %s", hashFile)
		}
	}
}

func TestProblemsSortedStable(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": "[www]\nbad line\nlisten = 9000\npm = static\npm.max_children = 0\n"}, nil)
	var lines []int
	for _, p := range cfg.Problems {
		lines = append(lines, p.Pos.Line)
	}
	if !sort.IntsAreSorted(lines) {
		t.Errorf("problem lines %v not in file order", lines)
	}
}

func TestSocketPermissions(t *testing.T) {
	cfg, _ := load(t, map[string]string{"fpm.conf": basePool + "user = www-data\n[acl]\nlisten = /run/acl.sock\npm = static\npm.max_children = 1\nlisten.acl_users = nginx,apache\nlisten.owner = x\n[own]\nlisten = /run/own.sock\npm = static\npm.max_children = 1\nlisten.owner = nginx\nlisten.mode = 0666\n"}, nil)
	for name, want := range map[string]SocketPerm{
		"www": {Mode: 0o660},
		"acl": {Mode: 0o660, ACLUsers: []string{"nginx", "apache"}},
		"own": {Owner: "nginx", OwnerGroup: true, Mode: 0o666},
	} {
		if diff := cmp.Diff(want, cfg.Pool(name).SocketPermissions()); diff != "" {
			t.Errorf("%s (-want +got):\n%s", name, diff)
		}
	}
}

func TestListenQueue(t *testing.T) {
	p := newPool("www", badgateway.Pos{})
	if got := p.ListenQueue(4096); got != 4096 {
		t.Errorf("default backlog -1: queue %d, want somaxconn 4096", got)
	}
	p.ListenBacklog.Value = 511
	if got := p.ListenQueue(128); got != 128 {
		t.Errorf("511 on somaxconn 128: %d, want 128", got)
	}
	if got := p.ListenQueue(4096); got != 511 {
		t.Errorf("511 on somaxconn 4096: %d, want 511", got)
	}
}

func TestEffectiveConversions(t *testing.T) {
	for v, want := range map[string]bool{"1": true, "On": true, "yes": true, "": false, "0": false, "off": false, "2": true} {
		if got := (Effective{Value: v}).Bool(); got != want {
			t.Errorf("Bool(%q) = %v, want %v", v, got, want)
		}
	}
	if n, ok := (Effective{Value: "256M"}).Size(); n != 256<<20 || !ok {
		t.Errorf("Size(256M) = %d, %v", n, ok)
	}
}

func TestNoHangOnSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo.conf")
	if err := syscallMkfifo(fifo); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan *Config, 1)
	go func() {
		cfg, _ := Load(fifo, &Options{SkipHostChecks: true})
		done <- cfg
	}()
	select {
	case cfg := <-done:
		if len(cfg.Problems) == 0 || !errors.Is(cfg.Problems[0], ErrRead) {
			t.Errorf("problems %v, want ErrRead", cfg.Problems)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Load blocked on a FIFO")
	}
	if _, err := LoadPHPIni("/dev/zero", nil); err == nil {
		t.Error("LoadPHPIni(/dev/zero) did not fail")
	}
}
