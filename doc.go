// Package badgateway tells an operator why nginx answered 502 — and 504,
// and the 500, 404, 403 and 499 that get mistaken for them.
//
// It reads what an operator has: the nginx configuration, the php-fpm
// configuration and php.ini, the nginx error and access logs, the php-fpm
// log and slow log, and live probes of the backends. It answers with a
// cause code (see package classify), the log lines that show it, the
// configuration line that made it possible, and the change that fixes it.
//
// The module is a set of packages:
//
//	badgateway  (this package) shared vocabulary: Pos, Problem, Problems.
//	logparse    nginx error and access logs, php-fpm logs: pure line parsers and streaming readers.
//	nginxconf   nginx.conf or an `nginx -T` dump as a typed, positioned model.
//	fpmconf     php-fpm.conf, pools and php.ini as a typed, positioned model.
//	probe       live checks: FastCGI ping/status, sockets, TLS, DNS, host facts.
//	classify    all judgment: the cause registry, per-line symptoms, config
//	            checks, correlation, and Diagnose, which returns a ranked Report.
//
// logparse, nginxconf, fpmconf and probe are leaves: each imports only this
// package, the standard library and its own parser. classify imports them
// all. The command people run is examples/diagnose:
//
//	go run ./examples/diagnose -error-log /var/log/nginx/error.log
//
// From Go, diagnosing an error log takes a reader and a Diagnoser:
//
//	f, err := logparse.OpenLog("/var/log/nginx/error.log") // .gz rotations too
//	if err != nil { … }
//	defer f.Close()
//	d := classify.NewDiagnoser(nil)
//	r := logparse.NewErrorReader(f, logparse.ErrorReaderOptions{File: "error.log", Location: time.Local})
//	for e, err := range r.All() {
//		if err != nil { … } // a *logparse.ParseError names the bad line; reading goes on
//		d.AddError(&e)
//	}
//	for _, v := range d.Report().Verdicts { // most likely root cause first
//		fmt.Println(v.Cause, v.Count, v.Evidence[0].Pos, v.Remediation)
//	}
//
// This package holds only types. Pos is a 1-based file:line:col position
// shared by every model node and log entry; Problem and Problems carry the
// load and parse problems that loaders return next to a partial result.
package badgateway
