package logparse_test

import (
	"fmt"
	"log"
	"strings"

	"github.com/badgateway/badgateway/logparse"
)

// A line real php-fpm 8.2 wrote when request_terminate_timeout killed a
// request (testdata/incidents/demo/php-fpm.log).
func ExampleParseFPMLine() {
	line := `[21-Nov-2026 01:02:36] WARNING: [pool www] child 32599, script '/srv/www/checkout.php' (request: "POST /checkout.php?s=3") execution timed out (2.101626 sec), terminating`
	e, err := logparse.ParseFPMLine([]byte(line))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Time, e.Level, e.Event, e.Pool, e.Child)
	fmt.Println(e.Method, e.RequestURI, e.Query, e.Script, e.Duration)
	// Output:
	// 2026-11-21 01:02:36 +0000 UTC WARNING timed_out www 32599
	// POST /checkout.php s=3 /srv/www/checkout.php 2.101626s
}

// Reading a php-fpm error log: the child killed by the timeout exits on
// SIGTERM; a worker's stderr line comes through catch_workers_output.
func ExampleFPMReader_All() {
	logText := `[21-Nov-2026 00:40:28] WARNING: [pool tcp] child 17545 exited on signal 15 (SIGTERM) after 3.003265 seconds from start
[21-Nov-2026 00:40:28] NOTICE: [pool tcp] child 18088 started
[21-Nov-2026 01:02:37] WARNING: [pool www] child 300 said into stderr: "ERROR: Connection disallowed: IP address '127.0.0.1' has been dropped."
not a php-fpm line
`
	r := logparse.NewFPMReader(strings.NewReader(logText), logparse.FPMReaderOptions{File: "php-fpm.log"})
	for e, err := range r.All() {
		if err != nil {
			fmt.Println("problem:", err)
			continue
		}
		switch e.Event {
		case logparse.FPMChildExited:
			fmt.Println(e.Pos, e.Event, e.Child, e.Signal, e.SignalName, e.Duration)
		case logparse.FPMSaidInto:
			fmt.Println(e.Pos, e.Event, e.Stream, e.InnerLevel, e.InnerEvent, e.Address)
		default:
			fmt.Println(e.Pos, e.Event, e.Child)
		}
	}
	// Output:
	// php-fpm.log:1 child_exited 17545 15 SIGTERM 3.003265s
	// php-fpm.log:2 child_started 18088
	// php-fpm.log:3 said_into stderr ERROR connection_disallowed 127.0.0.1
	// problem: php-fpm.log:4:1: not a php-fpm error-log record
}

// An nginx access log with upstream variables: the first peer of the
// group refused the kept-alive connection (502), the retry succeeded
// (testdata/incidents/upstream_keepalive_closed/nginx-access.log).
func ExampleCompileAccessFormat() {
	format, err := logparse.CompileAccessFormat("upstreaminfo", logparse.EscapeDefault,
		`$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent" `+
			`rt=$request_time ua="$upstream_addr" us="$upstream_status" urt="$upstream_response_time" uct="$upstream_connect_time" uht="$upstream_header_time"`)
	if err != nil {
		log.Fatal(err)
	}
	line := `127.0.0.1 - - [21/Nov/2026:01:02:38 +0000] "GET /api/b HTTP/1.1" 200 11 "-" "Go-http-client/1.1" rt=0.028 ua="127.0.0.1:41279, 127.0.0.1:41279" us="502, 200" urt="0.000, 0.028" uct="0.000, 0.000" uht="-, 0.028"`
	e, err := format.Parse([]byte(line))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Time, e.Method, e.URI, e.Status, e.RequestTime)
	for a := range e.Upstreams() {
		fmt.Println(a.Group, a.Addr, a.Status, a.HeaderTime)
	}
	// Output:
	// 2026-11-21 01:02:38 +0000 UTC GET /api/b 200 28ms
	// 0 127.0.0.1:41279 502 -1ns
	// 0 127.0.0.1:41279 200 28ms
}

// php-fpm's access log with the access.format of the captured incidents.
func ExampleCompileFPMAccessFormat() {
	format, err := logparse.CompileFPMAccessFormat(`%R - %u %t "%m %r%Q%q" %s %f %{mili}d %{kilo}M %C%% pid=%p`)
	if err != nil {
		log.Fatal(err)
	}
	e, err := format.Parse([]byte(`- -  21/Nov/2026:01:02:34 +0000 "GET /search.php?q=shoes" 200 /srv/www/search.php 4.819 2048 0.00% pid=32595`))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Time, e.Method, e.RequestURI, e.Query, e.Status, e.Duration, e.Memory, e.Child)
	// Output:
	// 2026-11-21 01:02:34 +0000 UTC GET /search.php q=shoes 200 4.819ms 2097152 32595
}

// A php-fpm slow log block (testdata/incidents/fpm_slowlog/php-fpm-slow.log).
func ExampleSlowReader_All() {
	slow := `
[21-Nov-2026 01:02:35]  [pool www] pid 32592
script_filename = /srv/www/slow.php
[0x00007f69a68151c0] usleep() /srv/www/slow.php:6
[0x00007f69a68150f0] fetch_rates() /srv/www/slow.php:13
`
	for e, err := range logparse.NewSlowReader(strings.NewReader(slow), logparse.SlowReaderOptions{}).All() {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(e.Pos, e.Pool, e.PID, e.ScriptFilename)
		for f := range e.Frames() {
			fmt.Printf("  %s() %s:%d\n", f.Func, f.File, f.Line)
		}
	}
	// Output:
	// 2 www 32592 /srv/www/slow.php
	//   usleep() /srv/www/slow.php:6
	//   fetch_rates() /srv/www/slow.php:13
}
