package classify_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
)

// writeConfigs writes an nginx.conf and a php-fpm pool into a new
// directory: nginx passes to php8.1's socket, the pool listens on php8.2's.
func writeConfigs() (dir string, nginx *nginxconf.Config, fpm *fpmconf.Config) {
	dir, _ = os.MkdirTemp("", "classify-example")
	os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(`user www-data;
events {}
http {
    server {
        listen 80;
        location ~ \.php$ {
            include fastcgi.conf;
            fastcgi_pass unix:/run/php/php8.1-fpm.sock;
        }
    }
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "fastcgi.conf"), []byte("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "www.conf"), []byte(`[www]
user = www-data
group = www-data
listen = /run/php/php8.2-fpm.sock
listen.owner = www-data
listen.group = www-data
pm = static
pm.max_children = 5
request_terminate_timeout = 120s
`), 0o644)
	nginx, _ = nginxconf.Load(filepath.Join(dir, "nginx.conf"), nil)
	fpm, _ = fpmconf.Load(filepath.Join(dir, "www.conf"), &fpmconf.Options{SkipHostChecks: true})
	return dir, nginx, fpm
}

func short(p badgateway.Pos) string { return fmt.Sprintf("%s:%d", filepath.Base(p.File), p.Line) }

// Cross-checking an nginx config and a php-fpm pool: the fastcgi_pass
// reaches no pool (with the pool's listen line as related position and a
// fix in either file).
func ExampleCheck() {
	dir, nginx, fpm := writeConfigs()
	defer os.RemoveAll(dir)
	for _, f := range classify.Check(nginx, fpm, nil) {
		fmt.Printf("%s %s %s → %s\n", short(f.Pos), f.Severity, f.Check, f.Cause)
		for _, r := range f.Related {
			fmt.Printf("  see %s: %s\n", short(r.Pos), r.Message)
		}
		for _, x := range f.Fixes {
			fmt.Printf("  fix: %s\n", strings.ReplaceAll(x.Description, dir+"/", ""))
		}
	}
	// Output:
	// nginx.conf:8 error BG1001 → listen_mismatch
	//   see www.conf:4: pool www listens on /run/php/php8.2-fpm.sock
	//   fix: set `fastcgi_pass unix:/run/php/php8.2-fpm.sock;` at nginx.conf:8:13
	//   fix: make pool www listen where nginx connects: `listen = /run/php/php8.1-fpm.sock` at www.conf:4:10
}

// The same configs make the diagnosis of a real nginx record decide
// between php-fpm being down and the two configs disagreeing.
func ExampleDiagnoser_withConfigs() {
	dir, nginx, fpm := writeConfigs()
	defer os.RemoveAll(dir)
	line := `2026/11/21 01:02:37 [crit] 465#465: *1 connect() to unix:/run/php/php8.1-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: localhost, request: "GET /index.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.1-fpm.sock:", host: "127.0.0.1:34911"`
	e, _ := logparse.ParseErrorLine([]byte(line))
	for _, opts := range []*classify.Options{nil, {Nginx: nginx, FPM: fpm}} {
		d := classify.NewDiagnoser(opts)
		d.AddError(&e)
		v := d.Report().Verdicts[0]
		fmt.Printf("%s (%s confidence)", v.Cause, v.ConfidenceLevel())
		for _, f := range v.Findings {
			fmt.Printf(", explained by %s at %s", f.Check, short(f.Pos))
		}
		fmt.Println()
	}
	// Output:
	// fpm_down (medium confidence)
	// listen_mismatch (high confidence), explained by BG1001 at nginx.conf:8
}

// Findings as a SARIF 2.1.0 log for code scanning.
func ExampleSARIF() {
	dir, nginx, fpm := writeConfigs()
	defer os.RemoveAll(dir)
	b, err := classify.SARIF(classify.Check(nginx, fpm, nil))
	if err != nil {
		fmt.Println(err)
		return
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID    string `json:"ruleId"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation struct {
						Region struct {
							StartLine int `json:"startLine"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	json.Unmarshal(b, &log)
	r := log.Runs[0].Results[0]
	fmt.Println(log.Version, r.RuleID, r.Level, r.Locations[0].PhysicalLocation.Region.StartLine)
	// Output:
	// 2.1.0 BG1001 error 8
}

// The registry of checks, with the cause each predicts.
func ExampleChecks() {
	for _, c := range classify.Checks()[:4] {
		fmt.Println(strings.TrimSpace(c.Code + " " + c.Name + " " + string(c.Cause)))
	}
	// Output:
	// BG0001 ignore_comment
	// BG1001 fastcgi_pass_listen listen_mismatch
	// BG1002 fastcgi_pass_variable listen_mismatch
	// BG1003 socket_permission socket_permission
}
