package nginxconf

import (
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// TestTokenizerRandomNginx compares our tokenizer with the real nginx on
// random token soup inside a "types" block, whose handler accepts any
// entry: nginx and we must agree on whether the file is accepted and, if
// not, on the line of the error.
func TestTokenizerRandomNginx(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	pieces := []string{"a", "b1", " ", " ", "\n", "\t", ";", ";", "{", "}", "\"q w\"", "'x;y'", `\"`, `\\`, `\`,
		"$v", "${v}", "#c\n", "\"", "'", ")", "(", "\"a\")", "ä", "\r\n",
		// Long pieces exercise the emulated 4096-byte read buffer.
		strings.Repeat("w", 1500), "#" + strings.Repeat("c", 2500) + "\n", "\"" + strings.Repeat("q", 3000) + "\"", strings.Repeat(" ", 1200)}
	seed := uint64(1)
	if v := os.Getenv("NGINXCONF_RANDOM_SEED"); v != "" {
		seed = uint64(atoi(v))
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	n := 80
	if testing.Short() {
		n = 20
	}
	if v := os.Getenv("NGINXCONF_RANDOM_CASES"); v != "" { // for long local runs
		n = atoi(v)
	}
	compared, skipped := 0, 0
	defer func() {
		t.Logf("%d cases with a syntax error compared, %d accepted, %d skipped", compared, n-compared-skipped, skipped)
	}()
	for i := 0; i < n; i++ {
		var b strings.Builder
		for j := 0; j < 4+rng.IntN(24); j++ {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		body := b.String()
		if strings.Contains(body, "include") {
			continue
		}
		src := "events {}\nhttp {\ntypes {\n" + body + "\n}\n}\n"

		dir := t.TempDir()
		conf := filepath.Join(dir, "nginx.conf")
		if err := os.WriteFile(conf, []byte("pid "+dir+"/nginx.pid;\nerror_log "+dir+"/error.log;\n"+src), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := runNginx(t, bin, dir, conf, false)
		nginxLine := 0
		if m := nginxErrLine.FindStringSubmatch(stderr); m != nil {
			if !strings.Contains(m[1], "unexpected") && !strings.Contains(m[1], "too long") &&
				!strings.Contains(m[1], "terminated by") && !strings.Contains(m[1], "no opening") {
				// A "}" in the soup closed the types block and nginx
				// stopped on a semantic error first: not comparable.
				skipped++
				continue
			}
			nginxLine = atoi(m[3]) - 2
			compared++
		} else if strings.Contains(stderr, "[emerg]") {
			t.Fatalf("case %d: unparsed nginx error: %s", i, stderr)
		}

		cfg, _ := Load("/etc/nginx/nginx.conf", &Options{FS: fstest.MapFS{"etc/nginx/nginx.conf": {Data: []byte(src)}}})
		ourLine := 0
		for _, p := range cfg.Problems {
			if errors.Is(p, ErrSyntax) {
				ourLine = p.Pos.Line
				break
			}
		}
		if ourLine != nginxLine {
			t.Errorf("case %d %q: nginx error line %d (%s), ours %d (%v)", i, body, nginxLine, strings.TrimSpace(stderr), ourLine, cfg.Problems)
		}
	}
}
