package classify_test

import (
	"fmt"
	"strings"

	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/logparse"
)

// A record captured from a real nginx 1.22.1 whose php-fpm pool killed the
// child serving the request (request_terminate_timeout): the record alone
// cannot tell that from a crash or an OOM kill, so the symptom lists the
// candidates and what decides.
func ExampleSymptomOf() {
	line := `2026/11/21 00:40:28 [error] 17706#17706: *29 recv() failed (104: Connection reset by peer) while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /killed HTTP/1.1", upstream: "fastcgi://127.0.0.1:45499", host: "127.0.0.1:38701"`
	e, err := logparse.ParseErrorLine([]byte(line))
	if err != nil {
		fmt.Println(err)
		return
	}
	s, _ := classify.SymptomOf(&e)
	fmt.Println(s.ID, s.Status, s.Upstream.Address())
	for _, c := range s.Candidates {
		fmt.Printf("%s %.2f\n", c.Cause, c.Confidence)
	}
	// Output:
	// recv_failed 502 fastcgi://127.0.0.1:45499
	// fpm_request_terminate 0.35
	// fpm_worker_crash 0.15
	// fpm_worker_killed 0.15
	// fpm_reload 0.10
	// fpm_allowed_clients 0.10
	// upstream_reset 0.10
}

// Diagnosing a log streamed through a Diagnoser: the records are real
// nginx 1.22.1 lines.
func ExampleDiagnoser() {
	log := `2026/11/21 00:40:26 [crit] 17706#17706: *3 connect() to unix:/tmp/bgcap.jkITOm/missing.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: capture.test, request: "GET /missing.php HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/missing.sock:", host: "127.0.0.1:38701"
2026/11/21 00:40:26 [error] 17706#17706: *25 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /header.php HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:", host: "127.0.0.1:38701"
2026/11/21 00:40:26 [error] 17706#17706: *25 upstream sent too big header while reading response header from upstream, client: 127.0.0.1, server: capture.test, request: "GET /header.php HTTP/1.1", upstream: "fastcgi://unix:/tmp/bgcap.jkITOm/fpm.sock:", host: "127.0.0.1:38701"
`
	d := classify.NewDiagnoser(nil)
	r := logparse.NewErrorReader(strings.NewReader(log), logparse.ErrorReaderOptions{File: "error.log"})
	for e, err := range r.All() {
		if err != nil {
			fmt.Println(err)
			continue
		}
		d.AddError(&e)
	}
	for _, v := range d.Report().Verdicts {
		fmt.Printf("%s ×%d (%d, %s confidence) first seen at %s\n", v.Cause, v.Count, v.Status, v.ConfidenceLevel(), v.Evidence[0].Pos)
		for _, a := range v.Alternatives {
			fmt.Printf("  or %s (%.2f)\n", a.Cause, a.Confidence)
		}
	}
	// Output:
	// header_too_big ×2 (502, high confidence) first seen at error.log:2
	// fpm_down ×1 (502, medium confidence) first seen at error.log:1
	//   or listen_mismatch (0.40)
}
