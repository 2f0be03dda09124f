// Package realserver runs real nginx and real php-fpm for tests, breaks them
// on purpose one way per scenario, and captures what they wrote.
//
// It is test support: only tests of other packages import it, so it may use
// package testing. Each call of [Run] starts its own nginx (the Debian binary
// "nginx", 1.22.1 here) and php-fpm ("php-fpm8.2") in a fresh temporary
// directory, with configs rendered from small text/template strings, on a
// free loopback port and a unix socket of that directory; it sends the
// scenario's requests with net/http, runs the scenario's actions (stop
// php-fpm, kill a busy child with SIGSEGV, reload, …), stops both servers and
// returns a [Capture]: the nginx error and access logs, the php-fpm error and
// access logs, the configs used, and the status every client saw. Nothing is
// shared between runs (no fixed port, no shared path), so scenarios may run
// with t.Parallel.
//
// [Scenarios] is the table of incidents the project reproduces (php-fpm
// down on a unix socket and on TCP, socket permission denied,
// request_terminate_timeout, fastcgi_read_timeout, header too big, no live
// upstreams, worker crash, Primary script unknown, PHP fatal error, …), each
// with the cause code of TAXONOMY.md it demonstrates, the statuses the
// clients must see and the nginx and php-fpm lines that must appear (message
// prefix and errno number, never errno text). [Demo] is one mixed incident
// from a single nginx and php-fpm, for examples/diagnose.
//
// The captures are also committed as golden files under
// testdata/incidents/<scenario>/ (see [IncidentDir] and [Load]), refreshed by
// "go test ./internal/realserver -update". The temporary paths and pids in
// those logs are the real ones of the run that wrote them.
//
// Where nginx or php-fpm8.2 is not installed, [Require] (called by [Run])
// skips the test, except with CI=true in the environment, where it fails it.
// php-fpm is started with -R (--allow-to-run-as-root) because the tests run
// as root here and in CI; the pools run as root and nginx's workers as
// www-data, as on Debian.
package realserver
