package classify

import (
	"bufio"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/google/go-cmp/cmp"
)

var updateCorpus = flag.Bool("update-corpus", false, "rewrite testdata/corpus-findings.txt")

const (
	nginxCorpus = "../testdata/nginxconf/corpus"
	fpmCorpus   = "../testdata/fpmconf/corpus"
)

// corpusContexts reads the context each nginx corpus file is read in
// (nginx-verdicts.tsv: the first context nginx 1.22.1 accepted it in).
func corpusContexts(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open("../testdata/nginxconf/nginx-verdicts.tsv")
	if err != nil {
		t.Skipf("no corpus: %v", err)
	}
	defer f.Close()
	ctx := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if strings.HasPrefix(l, "#") || strings.HasPrefix(l, "file\t") {
			continue
		}
		if c := strings.Split(l, "\t"); len(c) > 2 {
			ctx[c[0]] = c[1]
		}
	}
	return ctx
}

// corpusGroup is what "belongs together": the project slug and the first
// directory below it (centminmod/config, ddev/containers, …), so that two
// unrelated demos of one repository are not paired.
func corpusGroup(rel string) string {
	parts := strings.SplitN(rel, "/", 3)
	if len(parts) < 3 {
		return parts[0]
	}
	return parts[0] + "/" + parts[1]
}

func corpusFiles(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && !strings.HasSuffix(p, ".md") {
			r, _ := filepath.Rel(root, p)
			out = append(out, filepath.ToSlash(r))
		}
		return nil
	})
	sort.Strings(out)
	return out
}

// TestCorpusFindings runs Check on every nginx corpus file alone, every
// php-fpm corpus file alone, and every nginx file that has a fastcgi_pass
// together with all the pools of its group, and compares the findings with
// testdata/corpus-findings.txt, where each one was reviewed (the file's
// header says how). A new finding, or one that disappears, fails the
// test: review it, then -update-corpus.
func TestCorpusFindings(t *testing.T) {
	ctx := corpusContexts(t)
	nfiles, ffiles := corpusFiles(t, nginxCorpus), corpusFiles(t, fpmCorpus)
	if len(nfiles) == 0 || len(ffiles) == 0 {
		t.Fatal("empty corpus")
	}
	loadN := func(rel string) *nginxconf.Config {
		c := ctx[rel]
		if c == "" {
			c = "main"
		}
		cfg, _ := nginxconf.Load(filepath.Join(nginxCorpus, rel), &nginxconf.Options{Context: c})
		return cfg
	}
	loadF := func(rel string) *fpmconf.Config {
		cfg, _ := fpmconf.Load(filepath.Join(fpmCorpus, rel), &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true,
			LookupEnv: func(string) (string, bool) { return "", false }})
		return cfg
	}
	abs, _ := filepath.Abs("..")
	var lines []string
	counts := map[string]int{}
	emit := func(mode, subject string, fs []Finding) {
		for _, f := range fs {
			counts[mode+" "+f.Check]++
			pos := strings.TrimPrefix(f.Pos.String(), abs+"/")
			lines = append(lines, fmt.Sprintf("%s %s %s %s: %s", mode, f.Check, subject, pos, f.Severity))
		}
	}
	for _, rel := range nfiles {
		emit("nginx", rel, Check(loadN(rel), nil, nil))
	}
	pools := map[string]*fpmconf.Config{}
	for _, rel := range ffiles {
		cfg := loadF(rel)
		emit("fpm", rel, Check(nil, cfg, nil))
		g := corpusGroup(rel)
		if pools[g] == nil {
			pools[g] = &fpmconf.Config{}
		}
		pools[g].Pools = append(pools[g].Pools, cfg.Pools...)
		pools[g].Files = append(pools[g].Files, cfg.Files...)
	}
	pairs, passes, reached := 0, 0, 0
	for _, rel := range nfiles {
		u := pools[corpusGroup(rel)]
		if u == nil || len(u.Pools) == 0 {
			continue
		}
		n := loadN(rel)
		fastcgi := false
		for p := range n.Passes() {
			fastcgi = fastcgi || p.Module == "fastcgi"
		}
		if !fastcgi {
			continue
		}
		pairs++
		for p := range n.Passes() {
			if p.Module == "fastcgi" {
				passes++
				if len(PoolsFor(p, u)) > 0 {
					reached++
				}
			}
		}
		emit("pair", rel+" + "+corpusGroup(rel), Check(n, u, nil))
	}
	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%s: %d", k, counts[k])
	}
	t.Logf("%d nginx files, %d php-fpm files, %d pairs: %d of their %d fastcgi_pass reach a pool of the group", len(nfiles), len(ffiles), pairs, reached, passes)

	const golden = "testdata/corpus-findings.txt"
	if *updateCorpus {
		old, _ := os.ReadFile(golden)
		header := ""
		for _, l := range strings.SplitAfter(string(old), "\n") {
			if !strings.HasPrefix(l, "#") {
				break
			}
			header += l
		}
		if err := os.WriteFile(golden, []byte(header+strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	b, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if l != "" && !strings.HasPrefix(l, "#") {
			want = append(want, l)
		}
	}
	if diff := cmp.Diff(want, lines); diff != "" {
		t.Errorf("corpus findings changed (-want +got); review each, then -update-corpus:\n%s", diff)
	}
}
