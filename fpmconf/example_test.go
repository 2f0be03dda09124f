package fpmconf_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/badgateway/badgateway/fpmconf"
)

// writeFiles puts example files in a fresh directory and returns it.
func writeFiles(files map[string]string) string {
	dir, err := os.MkdirTemp("", "fpmconf-example")
	if err != nil {
		panic(err)
	}
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			panic(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			panic(err)
		}
	}
	return dir
}

func ExampleLoad() {
	dir := writeFiles(map[string]string{
		"php-fpm.conf": "[global]\nerror_log = /proc/self/fd/2\ninclude = pool.d/*.conf\n",
		"pool.d/www.conf": `[www]
user = www-data
listen = /run/php/$pool.sock
pm = dynamic
pm.max_children = 10
pm.min_spare_servers = 2
pm.max_spare_servers = 4
request_terminate_timeout = 1m30s ; php-fpm drops the s, then atoi("1m30") = 1 second
`,
	})
	defer os.RemoveAll(dir)

	cfg, err := fpmconf.Load(filepath.Join(dir, "php-fpm.conf"), &fpmconf.Options{Prefix: dir, SkipHostChecks: true})
	if err != nil {
		fmt.Println("php-fpm would refuse to start:", err)
	}
	p := cfg.Pool("www")
	fmt.Println(p.Listen.Value.Network, p.Listen.Value.Path)
	fmt.Println("pm:", p.PM.Value, "max_children:", p.PMMaxChildren.Value, "start_servers:", p.PMStartServers.Value)
	fmt.Println("request_terminate_timeout:", p.RequestTerminateTimeout.Value, "set on line", p.RequestTerminateTimeout.Pos.Line)
	for _, pr := range cfg.Problems {
		fmt.Println(pr.Severity, pr.Err)
	}
	// Output:
	// unix /run/php/www.sock
	// pm: dynamic max_children: 10 start_servers: 3
	// request_terminate_timeout: 1s set on line 8
	// info [pool www] pm.start_servers is not set. It's been set to 3.
}

func ExampleLoad_problems() {
	dir := writeFiles(map[string]string{"www.conf": `[www]
listen = 127.0.0.1:9000
pm = dynamic
pm.max_children = 5
pm.min_spare_servers = 1
pm.max_spare_servers = 3
pm.start_servers = 10
# php-fpm 8 does not accept shell comments
`})
	defer os.RemoveAll(dir)

	cfg, err := fpmconf.Load(filepath.Join(dir, "www.conf"), &fpmconf.Options{AllowRunAsRoot: true, SkipHostChecks: true})
	fmt.Println(err != nil)
	for _, pr := range cfg.Problems {
		fmt.Printf("line %d: %v\n", pr.Pos.Line, pr.Err)
	}
	// Output:
	// true
	// line 8: value is NULL for a ZEND_INI_PARSER_ENTRY
	// line 7: [pool www] pm.start_servers(10) must not be less than pm.min_spare_servers(1) and not greater than pm.max_spare_servers(3)
}

func ExamplePool_PHPIni() {
	dir := writeFiles(map[string]string{
		"php.ini":  "[PHP]\nmax_execution_time = 120\nmemory_limit = 128M\n",
		"www.conf": "[www]\nuser = www-data\nlisten = 9000\npm = static\npm.max_children = 4\nphp_admin_value[memory_limit] = 512M\n",
	})
	defer os.RemoveAll(dir)

	ini, _ := fpmconf.LoadPHPIni(filepath.Join(dir, "php.ini"), nil)
	cfg, _ := fpmconf.Load(filepath.Join(dir, "www.conf"), &fpmconf.Options{SkipHostChecks: true})
	p := cfg.Pool("www")
	for _, name := range []string{"max_execution_time", "memory_limit", "post_max_size"} {
		e := p.PHPIni(ini, name)
		fmt.Printf("%s = %s (%s line %d)\n", e.Name, e.Value, e.Source, e.Pos.Line)
	}
	// Output:
	// max_execution_time = 120 (php.ini line 2)
	// memory_limit = 512M (php_admin_value line 6)
	// post_max_size = 8M (default line 0)
}

func ExampleParseListen() {
	for _, a := range []string{"9000", "127.0.0.1:9000", "[::]:9000", "/run/php/php8.2-fpm.sock"} {
		l := fpmconf.ParseListen(a)
		fmt.Printf("%s: %s host=%q port=%d any=%v\n", a, l.Network, l.Host, l.Port, l.AnyHost)
	}
	// Output:
	// 9000: tcp host="" port=9000 any=true
	// 127.0.0.1:9000: tcp host="127.0.0.1" port=9000 any=false
	// [::]:9000: tcp host="::" port=9000 any=true
	// /run/php/php8.2-fpm.sock: unix host="" port=0 any=false
}
