package realserver_test

import (
	"fmt"

	"github.com/badgateway/badgateway/internal/realserver"
)

// Load reads a committed capture; Check asserts lines in it the way the
// live scenario does.
func ExampleLoad() {
	c, err := realserver.Load(realserver.IncidentDir("fpm_down_unix"))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, r := range c.Responses {
		fmt.Println(r.Method, r.Path, r.Status)
	}
	err = c.Check([]realserver.Want{
		{Log: realserver.NginxError, Line: []string{"[crit]", "connect() to unix:", "failed (2: ", "while connecting to upstream"}},
		{Log: realserver.NginxError, Line: []string{"(111: "}, None: true},
	})
	fmt.Println("check:", err)
	// Output:
	// GET /index.php 502
	// check: <nil>
}

// A scenario as data: php-fpm is not started, nginx passes to its socket.
// In a test, realserver.Run(t, sc) starts the servers, sends the request,
// checks the status and the wanted lines, and returns the capture.
func ExampleScenario() {
	sc := realserver.Scenario{
		Name:    "my_fpm_down",
		Cause:   "fpm_down",
		NoFPM:   true,
		Scripts: map[string]string{"index.php": "<?php echo 1;\n"},
		Requests: []realserver.Request{
			{Path: "/index.php", Status: 502},
		},
		Want: []realserver.Want{
			{Log: realserver.NginxError, Line: []string{"[crit]", "connect() to unix:", "(2: "}},
		},
	}
	fmt.Println(sc.Want[0])
	// Output:
	// nginx-error.log: line with "[crit]" … "connect() to unix:" … "(2: "
}
