package classify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// The fixtures follow gixy's layout (tests/plugins/simply/<plugin>/):
// testdata/checks/<check name>/<case>.txtar holds a positive case and
// <case>_fp.txtar a case that must give nothing. Each archive holds
// nginx.conf (or nginx-server.conf, read in the server context),
// php-fpm.conf, php.ini (each optional), host.json
// (HostFacts fields) and passwd/group (HostFacts.Accounts). Comments in
// the configs say what must be found, in the style of analysistest:
//
//	fastcgi_pass unix:/run/a.sock;   # want "BG1001"
//	listen = /run/b.sock             ; related "BG1001"
//	fastcgi_buffer_size 1k;          # want "BG3004 suppressed"
//
// "want" is a finding's primary position, "related" one of its Related
// positions, "suppressed" a finding covered by a badgateway:ignore comment.
// The found set must equal the wanted set exactly.

var wantRE = regexp.MustCompile(`[#;]\s*(want|related)\s+"([^"]+)"`)

type mark struct {
	kind string // want or related
	code string // "BG1001" or "BG1001 suppressed"
	file string
	line int
}

func (m mark) String() string { return fmt.Sprintf("%s:%d %s %q", m.file, m.line, m.kind, m.code) }

// loadFixture writes the archive's files into a directory and loads them.
func loadFixture(t *testing.T, path string) (CheckInput, []mark) {
	t.Helper()
	ar, err := txtar.ParseFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var in CheckInput
	var marks []mark
	var passwd, group []byte
	for _, f := range ar.Files {
		p := filepath.Join(dir, f.Name)
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
		for i, ln := range bytes.Split(f.Data, []byte("\n")) {
			for _, m := range wantRE.FindAllSubmatch(ln, -1) {
				marks = append(marks, mark{string(m[1]), string(m[2]), f.Name, i + 1})
			}
		}
	}
	for _, f := range ar.Files {
		p := filepath.Join(dir, f.Name)
		switch f.Name {
		case "nginx.conf":
			in.Nginx, _ = nginxconf.Load(p, nil)
		case "nginx-server.conf": // a snippet such as sites-enabled/app
			in.Nginx, _ = nginxconf.Load(p, &nginxconf.Options{Context: "server"})
		case "php-fpm.conf":
			in.FPM, _ = fpmconf.Load(p, &fpmconf.Options{SkipHostChecks: true, AllowRunAsRoot: true})
		case "php.ini":
			in.PHPIni, _ = fpmconf.LoadPHPIni(p, nil)
		case "host.json":
			in.Host = &HostFacts{}
			if err := json.Unmarshal(f.Data, in.Host); err != nil {
				t.Fatalf("host.json: %v", err)
			}
		case "passwd":
			passwd = f.Data
		case "group":
			group = f.Data
		}
	}
	if passwd != nil {
		if in.Host == nil {
			in.Host = &HostFacts{}
		}
		users, _ := probe.ParsePasswd(bytes.NewReader(passwd), "passwd")
		groups, _ := probe.ParseGroup(bytes.NewReader(group), "group")
		in.Host.Accounts = &probe.Accounts{Users: users, Groups: groups}
	}
	if in.Nginx != nil {
		for _, p := range in.Nginx.Problems {
			t.Logf("nginx.conf problem: %v", p)
		}
	}
	return in, marks
}

func relName(p string) string { return filepath.Base(p) }

// TestCheckFixtures is the meta-test: every fixture's findings are exactly
// its want/related comments; every check has a positive and a _fp case.
func TestCheckFixtures(t *testing.T) {
	dirs, err := filepath.Glob("testdata/checks/*")
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string][2]bool{} // check name -> positive, _fp
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.txtar"))
		name := filepath.Base(dir)
		for _, file := range files {
			fp := strings.HasSuffix(file, "_fp.txtar")
			t.Run(name+"/"+strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
				in, marks := loadFixture(t, file)
				got := map[string]bool{}
				for _, f := range CheckWith(in) {
					code := f.Check
					if f.Suppressed != nil {
						code += " suppressed"
						if f.Suppressed.Reason == "" {
							t.Errorf("%v suppressed without a reason", f)
						}
					}
					got[mark{"want", code, relName(f.Pos.File), f.Pos.Line}.String()] = true
					for _, r := range f.Related {
						got[mark{"related", code, relName(r.Pos.File), r.Pos.Line}.String()] = true
					}
					if f.Message == "" {
						t.Errorf("%s: empty message", f.Check)
					}
					if f.Check != "BG0001" && len(f.Fixes) == 0 {
						t.Errorf("%v: no fix", f)
					}
				}
				want := map[string]bool{}
				checkCode := ""
				if c, ok := LookupCheck(name); ok {
					checkCode = c.Code
				} else if name != "suppression" {
					t.Fatalf("directory %s names no check", name)
				}
				hasOwn := false
				for _, m := range marks {
					want[m.String()] = true
					if m.kind == "want" && strings.HasPrefix(m.code, checkCode) {
						hasOwn = true
					}
				}
				// related marks are only compared when the fixture has some for
				// that check, so positive cases may list a subset... no: exact.
				if diff := cmp.Diff(sortedKeys(want), sortedKeys(filterRelated(got, marks))); diff != "" {
					t.Errorf("findings differ from the fixture's comments (-want +got):\n%s", diff)
				}
				if fp && len(marks) > 0 && name != "suppression" {
					t.Errorf("a _fp fixture must want nothing")
				}
				if !fp && !hasOwn && checkCode != "" {
					t.Errorf("positive fixture wants no %s finding", checkCode)
				}
				c := covered[name]
				if fp {
					c[1] = true
				} else {
					c[0] = true
				}
				covered[name] = c
			})
		}
	}
	for _, c := range Checks() {
		if c.Code == "BG0001" {
			c = &Checker{Name: "suppression"}
		}
		if got := covered[c.Name]; !got[0] || !got[1] {
			t.Errorf("check %s: positive fixture %v, _fp fixture %v (want both)", c.Name, got[0], got[1])
		}
	}
}

// filterRelated keeps the related positions of a finding only when the
// fixture marks at least one related position for that code: positive
// fixtures mark the positions that matter (the pool's listen line).
func filterRelated(got map[string]bool, marks []mark) map[string]bool {
	relCodes := map[string]bool{}
	for _, m := range marks {
		if m.kind == "related" {
			relCodes[m.code] = true
		}
	}
	out := map[string]bool{}
	for k := range got {
		if strings.Contains(k, " related ") {
			code := k[strings.Index(k, `"`)+1 : len(k)-1]
			if !relCodes[code] {
				continue
			}
		}
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	var s []string
	for k := range m {
		s = append(s, k)
	}
	sort.Strings(s)
	return s
}
