package nginxconf

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite golden files from the current results (and from the real nginx)")

// nginxBinary returns the path of the real nginx, or skips the test when
// it is missing — except under CI=true, where a missing nginx fails it.
func nginxBinary(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("nginx")
	if err != nil {
		if _, e := os.Stat("/usr/sbin/nginx"); e == nil {
			return "/usr/sbin/nginx"
		}
		if os.Getenv("CI") == "true" {
			t.Fatalf("nginx not found and CI=true: %v", err)
		}
		t.Skipf("nginx not installed: %v", err)
	}
	return p
}

// wrapConf returns an nginx.conf that reads file in context ctx, with
// pid and logs kept in dir.
func wrapConf(dir, file, ctx string) string {
	inc := fmt.Sprintf("include %s;\n", file)
	head := fmt.Sprintf("pid %s/nginx.pid;\nerror_log %s/error.log;\n", dir, dir)
	switch ctx {
	case "main":
		return inc // the file brings its own events, pid, ...
	case "http":
		return head + "events {}\nhttp {\n" + inc + "}\n"
	case "server":
		return head + "events {}\nhttp {\nserver {\n" + inc + "}\n}\n"
	case "location":
		return head + "events {}\nhttp {\nserver {\nlocation / {\n" + inc + "}\n}\n}\n"
	case "stream":
		return head + "events {}\nstream {\n" + inc + "}\n"
	}
	panic("unknown context " + ctx)
}

// writeFS copies an fs.FS's files under dir, except those under skip.
func writeFS(t *testing.T, fsys fs.FS, dir string, only string) {
	t.Helper()
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasPrefix(p, only) {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// wrapperName is the file name of the nginx.conf the tests write next to
// the corpus files, so that nginx's conf prefix is the sandbox.
const wrapperName = "__wrapper.conf"

var nginxErrLine = regexp.MustCompile(`\[emerg\] [0-9#]+: (.*) in (/\S+):([0-9]+)\n`)

// runNginx runs nginx -t (or -T) on conf and returns stdout and stderr.
func runNginx(t *testing.T, bin, dir, conf string, dump bool) (string, string) {
	t.Helper()
	flagT := "-t"
	if dump {
		flagT = "-T"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, flagT, "-q", "-e", "stderr", "-p", dir+"/", "-c", conf)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run() // nginx -t exits 1 on a bad config; the output says why
	return stdout.String(), stderr.String()
}

// TestCorpusSyntaxLinesNginx re-derives, with the real nginx, the line of
// the first error for every corpus file whose verdict is "syntax", and
// checks testdata/syntax-lines.tsv (which TestCorpusOracle uses) against
// it; -update rewrites the file.
func TestCorpusSyntaxLinesNginx(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	files := corpusFiles(t)
	var rows []string
	for _, v := range readVerdicts(t) {
		if v.verdict != "syntax" {
			continue
		}
		dir := t.TempDir()
		fsys, p := sandboxFS(files, v)
		writeFS(t, fsys, dir, "sandbox/")
		file := dir + p
		conf := dir + sandbox + "/" + wrapperName
		if err := os.WriteFile(conf, []byte(wrapConf(dir, file, v.context)), 0o644); err != nil {
			t.Fatal(err)
		}
		_, stderr := runNginx(t, bin, dir, conf, false)
		m := nginxErrLine.FindStringSubmatch(stderr)
		if m == nil || m[2] != file {
			t.Errorf("%s: nginx did not report an error in the file: %s", v.file, stderr)
			continue
		}
		rows = append(rows, v.file+"\t"+m[3]+"\t"+m[1])
	}
	sort.Strings(rows)
	got := "# corpus file\tline of nginx 1.22.1's first error\tits message (written by TestCorpusSyntaxLinesNginx -update)\n" + strings.Join(rows, "\n") + "\n"
	const golden = "testdata/syntax-lines.tsv"
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if string(want) != got {
		t.Errorf("%s differs from the real nginx; run with -update and review:\n%s", golden, got)
	}
}

// TestCorpusStatementsNginxDump re-derives statement counts of a sample
// of accepted corpus files from the real "nginx -T": the dump is loaded
// with LoadDump and must name the same files, in the same order, as Load
// reads from disk, with the statement counts of nginx-verdicts.tsv.
func TestCorpusStatementsNginxDump(t *testing.T) {
	t.Parallel()
	bin := nginxBinary(t)
	files := corpusFiles(t)
	n, skipped := 0, 0
	for i, v := range readVerdicts(t) {
		// Every 7th accepted file that needed no stub: the wrapper's
		// stubs are files outside the sandbox we cannot create here.
		if v.verdict != "ok" || len(v.stubs) > 0 || i%7 != 0 {
			continue
		}
		dir := t.TempDir()
		fsys, p := sandboxFS(files, v)
		writeFS(t, fsys, dir, "sandbox/")
		file := dir + p
		conf := dir + sandbox + "/" + wrapperName
		if err := os.WriteFile(conf, []byte(wrapConf(dir, file, v.context)), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, stderr := runNginx(t, bin, dir, conf, true)
		if strings.Contains(stderr, "unknown directive") {
			// The verdicts were taken with Debian's dynamic modules
			// (lua, headers-more, stream); this nginx lacks them.
			t.Logf("%s: skipped, needs a module: %s", v.file, strings.TrimSpace(stderr))
			skipped++
			continue
		}
		n++
		if !strings.Contains(stdout, "# configuration file ") {
			t.Errorf("%s: nginx -T failed: %s", v.file, stderr)
			continue
		}
		dump, _ := LoadDump([]byte(stdout), nil)
		// The dump holds the wrapper too; count the files it read for the
		// corpus file (all but the wrapper).
		got := 0
		var names []string
		for _, f := range dump.Files {
			if f.Path == conf {
				continue
			}
			got += f.Statements
			names = append(names, strings.TrimPrefix(f.Path, dir))
		}
		if got != v.withIncludes {
			t.Errorf("%s: statements in the files of nginx -T = %d, nginx-verdicts.tsv %d (files %v)", v.file, got, v.withIncludes, names)
		}
		// Load from disk, in the same sandbox, must read the same files.
		opts := &Options{Context: v.context, ConfPrefix: dir + sandbox}
		cfg, _ := Load(file, opts)
		var loaded []string
		for _, f := range cfg.Files {
			loaded = append(loaded, strings.TrimPrefix(f.Path, dir))
		}
		if strings.Join(loaded, "\n") != strings.Join(names, "\n") {
			t.Errorf("%s: Load read %v, nginx -T dumped %v", v.file, loaded, names)
		}
	}
	if n < 20 {
		t.Errorf("sample has only %d files", n)
	}
	t.Logf("checked %d files against nginx -T (%d skipped for lack of a module)", n, skipped)
}
