package fpmconf

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cliHardcoded are the directives php-cli forces on the command-line level
// (sapi/cli/php_cli.c HARDCODED_INI), so php.ini cannot show through them.
var cliHardcoded = map[string]bool{
	"html_errors": true, "register_argc_argv": true, "implicit_flush": true,
	"output_buffering": true, "max_execution_time": true, "max_input_time": true,
}

// TestPHPIniOracle compares LoadPHPIni with what the real php8.2 reads
// from the same file (ini_get of every directive it knows).
func TestPHPIniOracle(t *testing.T) {
	php, err := exec.LookPath("php8.2")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("php8.2 not found under CI=true: %v", err)
		}
		t.Skipf("php8.2 not installed: %v", err)
	}
	env := map[string]string{"FPMCONF_TEST_TIMEOUT": "17"}
	for _, name := range []string{"php.ini-debian", "phpini-edge.ini"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("..", "testdata", "fpmconf", name)
			ini, err := LoadPHPIni(path, &Options{LookupEnv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
			if err != nil {
				t.Fatalf("LoadPHPIni: %v", err)
			}
			names := ini.Names()
			if len(names) < 5 {
				t.Fatalf("only %d directives read", len(names))
			}
			js, _ := json.Marshal(names)
			code := `$r = []; foreach (json_decode($argv[1]) as $n) { $v = ini_get($n); if ($v !== false) $r[$n] = $v; } echo json_encode($r);`
			cmd := exec.Command(php, "-c", path, "-r", code, string(js))
			cmd.Env = []string{"PATH=/usr/bin:/bin", "PHP_INI_SCAN_DIR=", "FPMCONF_TEST_TIMEOUT=17"}
			var out, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &stderr
			if err := cmd.Run(); err != nil {
				t.Fatalf("php8.2: %v\n%s", err, stderr.String())
			}
			var real map[string]string
			if err := json.Unmarshal(out.Bytes(), &real); err != nil {
				t.Fatalf("php8.2 output %q: %v", out.String(), err)
			}
			want, got := map[string]string{}, map[string]string{}
			for n, v := range real {
				if cliHardcoded[n] {
					continue
				}
				want[n] = v
				got[n] = ini.Values[n].Value
			}
			if len(want) < 5 {
				t.Fatalf("php8.2 knows only %d of the directives", len(want))
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("php.ini values differ from php8.2's ini_get (-php +LoadPHPIni):\n%s", diff)
			}
			t.Logf("%s: %d directives compared with php8.2", name, len(want))
		})
	}
}

func TestPHPIniEdge(t *testing.T) {
	ini, err := LoadPHPIni(filepath.Join("..", "testdata", "fpmconf", "phpini-edge.ini"), &Options{LookupEnv: func(string) (string, bool) { return "", false }})
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"memory_limit":           "256M", // not 1G: [PATH=...] is skipped
		"display_errors":         "",
		"log_errors":             "1",
		"error_reporting":        "22527",
		"max_input_vars":         "2000",
		"user_agent":             "multi\nline",
		"session.name":           "PHPSESSID",
		"default_socket_timeout": "",
		"auto_prepend_file":      "",
	} {
		if got := ini.Values[name].Value; got != want {
			t.Errorf("%s = %q, want %q", name, got, want)
		}
	}
	if p := ini.Values["max_input_vars"].Pos; p.Line != 12 || p.Col != 18 {
		t.Errorf("max_input_vars position %v, want line 12 col 18", p)
	}
}

func TestPHPIniSyntaxErrorStops(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "php.ini")
	if err := os.WriteFile(p, []byte("memory_limit = 1G\nbad = a = b\nmax_execution_time = 5\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ini, err := LoadPHPIni(p, nil)
	if err == nil {
		t.Fatal("no error for a syntax error")
	}
	if len(ini.Problems) != 1 || ini.Problems[0].Pos.Line != 2 {
		t.Fatalf("problems %v, want one on line 2", ini.Problems)
	}
	if _, ok := ini.Values["max_execution_time"]; ok {
		t.Error("a directive after the syntax error was kept; PHP stops there")
	}
	if ini.Values["memory_limit"].Value != "1G" {
		t.Errorf("memory_limit %q, want 1G", ini.Values["memory_limit"].Value)
	}
}
