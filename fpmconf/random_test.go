package fpmconf

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestOracleRandom is a differential test, run on demand: it writes
// random pool files built from INI's tricky pieces and compares Load
// with php-fpm8.2 -tt on each. FPMCONF_RANDOM=N runs N files (seeded,
// reproducible with FPMCONF_SEED).
func TestOracleRandom(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FPMCONF_RANDOM"))
	if n <= 0 {
		t.Skip("set FPMCONF_RANDOM=N to run N random files against php-fpm")
	}
	seed, _ := strconv.ParseUint(os.Getenv("FPMCONF_SEED"), 10, 64)
	o := newOracle(t)
	keys := []string{"access.format", "ping.response", "listen.owner", "php_value[x]", "php_admin_value[y z]", "env[E]",
		"pm.max_children", "request_terminate_timeout", "catch_workers_output", "php_flag[f]", "listen.backlog",
		"security.limit_extensions", "access.suppress_path[]", "rlimit_core", "pm.status_path"}
	frags := []string{`"`, `'`, `${PHP_FPM_POOL_NAME}`, `${X}`, `$pool`, `E_ALL`, `E_NOTICE`, `~`, `|`, `&`, `^`, `!`, `(`, `)`,
		`;c`, ` `, "\t", `yes`, `Off`, `NULL`, `none`, `abc`, `12`, `1.5`, `-3`, `\"`, `\\`, `$`, `{`, `}`, `[`, `]`, `=`,
		`#`, "`", `/p`, `[www]`, `[`, `pm`, `listen`, `user`, `a.b`, "\xef\xbb\xbf", `s`, `m`, `.php`, `"q"`, `'r'`, `:`, `,`, "\r"}
	var st oracleStats
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		var b strings.Builder
		b.WriteString("[www]\nlisten = /run/rnd.sock\npm = static\npm.max_children = 3\n")
		for j := 0; j < 1+r.IntN(3); j++ {
			if r.IntN(4) == 0 {
				// a line made of pieces only: sections, labels, junk
				for k := 0; k < 1+r.IntN(6); k++ {
					b.WriteString(frags[r.IntN(len(frags))])
				}
				b.WriteString("\n")
				continue
			}
			b.WriteString(keys[r.IntN(len(keys))])
			b.WriteString([]string{" = ", "=", " =\t", " = "}[r.IntN(4)])
			for k := 0; k < r.IntN(6); k++ {
				b.WriteString(frags[r.IntN(len(frags))])
			}
			b.WriteString("\n")
		}
		text := b.String()
		t.Run(strconv.Itoa(i), func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			p := filepath.Join(dir, "r.conf")
			if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			o.check(t, p, dir, &st)
			if t.Failed() {
				t.Logf("input:\n%q", text)
			}
		})
	}
	t.Cleanup(func() { t.Logf("random: %v", &st) })
}

// TestPHPIniRandom is the on-demand differential test of LoadPHPIni
// against the real php8.2 (FPMCONF_RANDOM=N files, FPMCONF_SEED).
func TestPHPIniRandom(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("FPMCONF_RANDOM"))
	if n <= 0 {
		t.Skip("set FPMCONF_RANDOM=N to run N random php.ini files against php8.2")
	}
	php, err := exec.LookPath("php8.2")
	if err != nil {
		t.Skip("php8.2 not installed")
	}
	seed, _ := strconv.ParseUint(os.Getenv("FPMCONF_SEED"), 10, 64)
	// directives PHP stores without validating them
	names := []string{"error_log", "user_agent", "sendmail_path", "error_reporting", "auto_prepend_file", "mail.log", "highlight.string"}
	frags := []string{`"`, `'`, `${FPMCONF_T}`, `${X}`, `E_ALL`, `~`, `|`, `&`, `(`, `)`, `;c`, ` `, "\t", `yes`, `Off`, `NULL`,
		`abc`, `12`, `1.5`, `\"`, `\\`, `$`, `{`, `}`, `[`, `]`, `=`, `!`, `#`, "`", `"q"`, `'r'`, "\n", "\r\n", `[PHP]`, `[PATH=/x]`, `[Session]`}
	code := `$r = []; foreach (json_decode($argv[1]) as $n) { $r[$n] = ini_get($n); } echo "\n@@JSON@@\n", json_encode($r);`
	js, _ := json.Marshal(names)
	run := func(args ...string) map[string]string {
		cmd := exec.Command(php, append(args, "-r", code, string(js))...)
		cmd.Env = []string{"PATH=/usr/bin:/bin", "PHP_INI_SCAN_DIR=", "FPMCONF_T=tv"}
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("php8.2: %v", err)
		}
		if i := bytes.LastIndex(out, []byte("\n@@JSON@@\n")); i >= 0 {
			out = out[i+10:] // after start-up warnings
		}
		var m map[string]string
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%q: %v", out, err)
		}
		return m
	}
	defaults := run("-n")
	for i := 0; i < n; i++ {
		r := rand.New(rand.NewPCG(seed, uint64(i)))
		var b strings.Builder
		for j := 0; j < 1+r.IntN(5); j++ {
			if r.IntN(5) == 0 {
				b.WriteString(frags[r.IntN(len(frags))])
			}
			b.WriteString(names[r.IntN(len(names))])
			b.WriteString([]string{" = ", "=", " =\t"}[r.IntN(3)])
			for k := 0; k < r.IntN(5); k++ {
				b.WriteString(frags[r.IntN(len(frags))])
			}
			b.WriteString("\n")
		}
		text := b.String()
		dir := t.TempDir()
		path := filepath.Join(dir, "php.ini")
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		ini, _ := LoadPHPIni(path, &Options{LookupEnv: func(k string) (string, bool) {
			if k == "FPMCONF_T" {
				return "tv", true
			}
			return "", false
		}})
		real := run("-c", path)
		for _, nm := range names {
			got, ok := ini.Values[nm]
			want := real[nm]
			if !ok {
				got.Value = defaults[nm] // not set in the file: php's default
			}
			if got.Value != want {
				t.Errorf("file %d: %s = %q, php8.2 reads %q\ninput: %q", i, nm, got.Value, want, text)
			}
		}
	}
}
