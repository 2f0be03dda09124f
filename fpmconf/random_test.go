package fpmconf

import (
	"math/rand/v2"
	"os"
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
