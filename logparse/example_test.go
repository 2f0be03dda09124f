package logparse_test

import (
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/badgateway/badgateway/logparse"
)

// A line real nginx 1.22.1 wrote when php-fpm's unix socket was missing.
func ExampleParseErrorLine() {
	line := `2026/11/21 00:40:26 [crit] 17706#17706: *3 connect() to unix:/run/php/php8.2-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /nosock HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "127.0.0.1:38701"`
	e, err := logparse.ParseErrorLine([]byte(line))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(e.Time, e.Level, e.CID)
	fmt.Println(e.Syscall, e.Errno, e.ErrnoText)
	fmt.Println(e.Action)
	fmt.Println(e.Upstream)
	fmt.Println(e.Request)
	// Output:
	// 2026-11-21 00:40:26 +0000 UTC crit 3
	// connect 2 No such file or directory
	// connecting to upstream
	// fastcgi://unix:/run/php/php8.2-fpm.sock:
	// GET /nosock HTTP/1.1
}

// Reading a log: the FastCGI stderr record spans four physical lines. A
// line that starts no record continues the one before it, so junk at the
// very start yields a *ParseError, and reading goes on.
func ExampleErrorReader_All() {
	logText := `-- junk --
2026/11/21 00:40:26 [error] 17706#17706: *23 FastCGI sent in stderr: "PHP message: PHP Fatal error:  Uncaught Error: Call to undefined function f() in /srv/fatal.php:1
Stack trace:
#0 {main}
  thrown in /srv/fatal.php on line 1" while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /fatal.php HTTP/1.1", upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:", host: "127.0.0.1:38701"
2026/11/21 00:40:28 [error] 17706#17706: *29 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /killed HTTP/1.1", upstream: "fastcgi://127.0.0.1:45499", host: "127.0.0.1:38701"
`
	r := logparse.NewErrorReader(strings.NewReader(logText), logparse.ErrorReaderOptions{
		File:     "error.log",
		Location: time.UTC, // the nginx host's zone
	})
	for e, err := range r.All() {
		if err != nil {
			fmt.Println("problem:", err)
			continue
		}
		fmt.Printf("%s (%d lines): %s errno=%d while %q\n", e.Pos, e.Lines, e.Level, e.Errno, e.Action)
		for m := range e.PHPMessages() {
			fmt.Printf("  PHP: %.55s…\n", m)
		}
	}
	// Output:
	// problem: error.log:1:1: not an nginx error-log record
	// error.log:2 (4 lines): error errno=0 while "reading response header from upstream"
	//   PHP: PHP Fatal error:  Uncaught Error: Call to undefined fun…
	// error.log:6 (1 lines): error errno=104 while "reading response header from upstream"
}

// PHP 8.2.2 and later join the messages of one FastCGI record with "; ".
func ExampleAppendPHPMessages() {
	stderr := "PHP message: first message; PHP message: second message; PHP message: PHP Warning:  third, a warning in /srv/multi.php on line 1"
	for _, m := range logparse.AppendPHPMessages(nil, stderr) {
		fmt.Println(m)
	}
	// Output:
	// first message
	// second message
	// PHP Warning:  third, a warning in /srv/multi.php on line 1
}

// OpenLog reads plain and gzip-compressed logs alike; "-" is stdin.
func ExampleOpenLog() {
	f, err := logparse.OpenLog("../testdata/logs/nginx-1.22.1-capture.log")
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	n, truncated := 0, 0
	for e, err := range logparse.NewErrorReader(f, logparse.ErrorReaderOptions{}).All() {
		if err != nil {
			log.Fatal(err)
		}
		n++
		if e.Truncated {
			truncated++
		}
	}
	fmt.Println(n, "records,", truncated, "cut at 2048 bytes")
	// Output:
	// 73 records, 3 cut at 2048 bytes
}
