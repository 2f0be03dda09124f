// Package realserver runs real nginx and real php-fpm for tests, breaks them
// on purpose one way per scenario, and captures what they wrote.
//
// It is test support: only tests of other packages import it, so it may use
// package testing. Each call of [Run] starts its own nginx (the Debian binary
// "nginx", 1.22.1 here) and php-fpm ("php-fpm8.2") in a fresh temporary
// directory, with configs rendered from small text/template strings (see
// [Scenario]), on free loopback ports and a unix socket of that directory;
// it sends the scenario's requests with net/http, runs the scenario's
// actions (stop php-fpm, kill a busy child with SIGSEGV, reload, …), waits
// until the wanted log lines are written, stops both servers and returns a
// [Capture]: the nginx error log (level info) and access log (log_format
// "upstreaminfo", with $upstream_addr, $upstream_status and the
// $upstream_*_time lists), the php-fpm error and access logs, the configs
// used, and the status every client saw. Nothing is shared between runs
// (no fixed port, no shared path), so scenarios may run with t.Parallel.
//
// [Scenarios] is the table of incidents the project reproduces, each with
// the cause code of TAXONOMY.md it demonstrates ([Scenario].Cause), the
// statuses the clients must see, and the nginx and php-fpm lines that must
// appear (message prefix and errno number, never errno text). The lines
// are the ones nginx 1.22.1 and php-fpm 8.2 really wrote here. [Demo] is
// one mixed incident from a single nginx and php-fpm, for
// examples/diagnose.
//
// The captures are committed as golden files under
// testdata/incidents/<scenario>/ (see [IncidentDir], [Load] and
// testdata/incidents/README.md), refreshed by
//
//	go test ./internal/realserver -run TestScenarios -update
//
// The temporary paths, ports and pids in those logs are the real ones of
// the run that wrote them.
//
// A test of another package uses the same table live, or the goldens
// without servers:
//
//	for _, sc := range realserver.Scenarios() {
//		t.Run(sc.Name, func(t *testing.T) {
//			t.Parallel()
//			c := realserver.Run(t, sc) // or realserver.Load(realserver.IncidentDir(sc.Name))
//			// parse c.NginxErrorLog.Data, c.FPMLog.Data, c.NginxConf.Data …
//			// and assert the verdict is sc.Cause
//		})
//	}
//
// Where nginx or php-fpm8.2 is not installed, [Require] (called by [Run])
// skips the test, except with CI=true in the environment, where it fails it.
// php-fpm is started with -R (--allow-to-run-as-root) because the tests run
// as root here and in CI; the pools run as root and nginx's workers as
// www-data, as on Debian. Only the processes a run started are ever
// signalled (their process groups, and children verified by parent pid).
package realserver
