// Command diagnose tells why nginx answered 502 (and 504, and their
// look-alikes): it reads nginx's and php-fpm's logs and configs and prints
// the causes, ranked
// most-likely-root-cause first, with the log lines that show them and the
// change that fixes them.
//
// Usage:
//
//	diagnose [-error-log FILE]... [-fpm-log FILE]... [-slow-log FILE]... [-access-log FILE]...
//	         [-nginx-conf FILE] [-fpm-conf FILE] [-php-ini FILE] [-passwd FILE -group FILE]
//	         [-access-format NAME] [-since TIME] [-until TIME] [-tz ZONE]
//	         [-format text|json|sarif] [-fail-on SEVERITY] [-probe [-probe-timeout D]]
//
// With no input it diagnoses a built-in incident: logs captured from real
// nginx 1.22.1 and php-fpm 8.2 (see incident/SOURCES.md).
//
// Flags:
//
//	-error-log FILE  an nginx error log; repeatable; "-" reads standard input;
//	                 gzip-compressed files (rotations such as error.log.2.gz)
//	                 are read transparently.
//	-fpm-log FILE    php-fpm's error log (repeatable, .gz, "-"): read first, so
//	                 that nginx's records are matched with php-fpm's events of
//	                 the same seconds (a 104 reset is then a request_terminate
//	                 kill, a crash, an OOM kill, a reload or a dropped
//	                 connection, as php-fpm's log says).
//	-slow-log FILE   php-fpm's slow log (repeatable): names the slow script of
//	                 a timeout.
//	-access-log FILE nginx's access log (repeatable): shows what the error log
//	                 cannot (the application's own 502, a retried peer, a
//	                 kept-alive connection closed, 499s).
//	-access-format NAME
//	                 the log_format the access logs were written with: a name
//	                 defined in -nginx-conf; default the format of its http
//	                 block's access_log, else nginx's "combined".
//	-since TIME, -until TIME
//	                 only records in this span (RFC 3339, or
//	                 "2006-01-02 15:04[:05]" in -tz's zone).
//	-nginx-conf FILE nginx.conf (with everything it includes) or the output of
//	                 `nginx -T`; its load problems (syntax errors, missing
//	                 includes) are listed with file:line.
//	-fpm-conf FILE   php-fpm.conf or a pool file; problems are php-fpm's own
//	                 start-up errors, with its wording and file:line.
//	-php-ini FILE    the php.ini php-fpm runs with.
//	-passwd FILE, -group FILE
//	                 the host's /etc/passwd and /etc/group, for the socket
//	                 permission check (nginx's user's groups).
//	-probe           probe the live host (see probe.go): every *_pass peer and
//	                 php-fpm pool listen/pm.status_listen of the configs is
//	                 connected to, pinged (the pool's own ping.path and
//	                 pm.status_path only), TLS-handshaked or sent an HTTP HEAD;
//	                 what the probes show joins the diagnosis. Needs a config.
//	-probe-timeout D the total time the probes may take (default 10s).
//
// With a config, the configs are cross-checked (classify.Check: fastcgi_pass
// vs pool listen, socket permissions, the timeout ladder, …): the findings
// are listed with file:line in both configs and a fix, and the diagnosis of
// the logs uses the configs (ENOENT on an address no pool listens on is
// listen_mismatch, not fpm_down); each verdict lists the findings that
// explain it. A "# badgateway:ignore CODE reason" comment (";" in php-fpm
// files) suppresses a finding; suppressed findings are still listed.
//
//	-format F        text (default), a report to read; json, for programs:
//	                 {"verdicts":[{"cause","title","status","confidence",
//	                 "count","first","last","upstreams","evidence":[{"file",
//	                 "line","text"}],"alternatives","remediation","findings"}],
//	                 "problems":[…],"timeline":[{"start","counts"}],
//	                 "findings":[{"check","name","cause",
//	                 "severity","pos","related","message","fixes","suppressed"}]};
//	                 or sarif: the findings as a SARIF 2.1.0 log, for code
//	                 scanning (GitHub, GitLab, IDEs).
//	-fail-on SEV     exit 3 when a finding that is not suppressed has severity
//	                 SEV or higher: error, warning or info (for CI).
//	-tz ZONE         the time zone of the nginx host, in which the log's times
//	                 (local time, no zone) are read: "Local" (default), "UTC",
//	                 or an IANA name such as "Europe/Berlin".
//
// Exit status: 0 when the report was printed (whatever it found, config
// problems included); 1 when an input could not be opened or read to its
// end (the report covers the rest and lists the problem); 2 on a usage
// error; 3 when -fail-on is given and a finding at or above it exists (and
// every input was read).
package main

import (
	"bytes"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
	"github.com/badgateway/badgateway/classify"
	"github.com/badgateway/badgateway/fpmconf"
	"github.com/badgateway/badgateway/logparse"
	"github.com/badgateway/badgateway/nginxconf"
	"github.com/badgateway/badgateway/probe"
)

// The built-in incident: real logs, see incident/SOURCES.md.
//
//go:embed incident
var incident embed.FS

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// multi is a repeatable string flag.
type multi []string

func (m *multi) String() string     { return strings.Join(*m, ",") }
func (m *multi) Set(s string) error { *m = append(*m, s); return nil }

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	flags := flag.NewFlagSet("diagnose", flag.ContinueOnError)
	flags.SetOutput(stderr)
	var errorLogs multi
	flags.Var(&errorLogs, "error-log", "nginx error log `FILE` (repeatable; - = stdin; .gz read transparently)")
	format := flags.String("format", "text", "output `format`: text, json or sarif")
	failOn := flags.String("fail-on", "", "exit 3 when a finding of this `severity` or higher exists: error, warning or info")
	passwd := flags.String("passwd", "", "the host's /etc/passwd (`FILE`), for the socket permission check")
	group := flags.String("group", "", "the host's /etc/group (`FILE`), for the socket permission check")
	tz := flags.String("tz", "Local", "time `zone` of the nginx host: Local, UTC or an IANA name")
	nginxConf := flags.String("nginx-conf", "", "nginx.conf or the output of nginx -T (`FILE`)")
	fpmConf := flags.String("fpm-conf", "", "php-fpm.conf or a pool file (`FILE`)")
	phpIni := flags.String("php-ini", "", "the php.ini php-fpm runs with (`FILE`)")
	var fpmLogs, slowLogs, accessLogs multi
	flags.Var(&fpmLogs, "fpm-log", "php-fpm error log `FILE` (repeatable; - = stdin; .gz read transparently)")
	flags.Var(&slowLogs, "slow-log", "php-fpm slow log `FILE` (repeatable)")
	flags.Var(&accessLogs, "access-log", "nginx access log `FILE` (repeatable), written with -access-format")
	accessFmt := flags.String("access-format", "", "log_format `NAME` of the access logs (default: the access_log of -nginx-conf, else combined)")
	sinceFlag := flags.String("since", "", "ignore records before this `time` (RFC 3339 or \"2006-01-02 15:04:05\" in -tz)")
	untilFlag := flags.String("until", "", "ignore records after this `time`")
	doProbe := flags.Bool("probe", false, "probe the addresses of -nginx-conf/-fpm-conf live (connect, ping, status, TLS, HEAD)")
	probeTimeout := flags.Duration("probe-timeout", 10*time.Second, "total `duration` of the -probe probes")
	flags.Usage = func() {
		fmt.Fprintf(stderr, "usage: diagnose [-error-log FILE]... [-nginx-conf FILE] [-fpm-conf FILE] [-php-ini FILE] [-passwd FILE -group FILE] [-format text|json|sarif] [-fail-on SEVERITY] [-tz ZONE]\n\n"+
			"Tells why nginx answered 502/504 from its error logs. With no input it diagnoses a built-in real incident.\n\n")
		flags.PrintDefaults()
	}
	if err := flags.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "diagnose: unexpected argument %q (give logs with -error-log FILE)\n", flags.Arg(0))
		return 2
	}
	if *format != "text" && *format != "json" && *format != "sarif" {
		fmt.Fprintf(stderr, "diagnose: -format must be text, json or sarif, not %q\n", *format)
		return 2
	}
	var failSev badgateway.Severity
	if *failOn != "" {
		if err := failSev.UnmarshalText([]byte(*failOn)); err != nil {
			fmt.Fprintf(stderr, "diagnose: -fail-on must be error, warning or info, not %q\n", *failOn)
			return 2
		}
	}
	if (*passwd == "") != (*group == "") {
		fmt.Fprintf(stderr, "diagnose: -passwd and -group go together\n")
		return 2
	}
	loc, err := time.LoadLocation(*tz)
	if err != nil {
		fmt.Fprintf(stderr, "diagnose: -tz: %v\n", err)
		return 2
	}
	since, err := parseBound(*sinceFlag, loc)
	if err != nil {
		fmt.Fprintf(stderr, "diagnose: -since: %v\n", err)
		return 2
	}
	until, err := parseBound(*untilFlag, loc)
	if err != nil {
		fmt.Fprintf(stderr, "diagnose: -until: %v\n", err)
		return 2
	}

	status := 0
	var summary []string // one line per config read, for the text report
	var probs []badgateway.Problems
	opts := &classify.Options{ReadFile: os.ReadFile} // for badgateway:ignore comments
	if *nginxConf != "" {
		cfg, ok := loadNginx(*nginxConf)
		opts.Nginx = cfg
		probs = append(probs, cfg.Problems)
		status = max(status, readStatus(ok))
		summary = append(summary, fmt.Sprintf("nginx config %s: %d files, %d problems", *nginxConf, len(cfg.Files), len(cfg.Problems)))
	}
	if *fpmConf != "" {
		cfg, _ := fpmconf.Load(*fpmConf, nil)
		opts.FPM = cfg
		probs = append(probs, cfg.Problems)
		status = max(status, readStatus(readable(*fpmConf)))
		summary = append(summary, fmt.Sprintf("php-fpm config %s: %d files, %d pools, %d problems", *fpmConf, len(cfg.Files), len(cfg.Pools), len(cfg.Problems)))
	}
	if *phpIni != "" {
		ini, _ := fpmconf.LoadPHPIni(*phpIni, nil)
		if ini == nil {
			ini = &fpmconf.PHPIni{}
		}
		opts.PHPIni = ini
		probs = append(probs, ini.Problems)
		status = max(status, readStatus(readable(*phpIni)))
		summary = append(summary, fmt.Sprintf("php.ini %s: %d values, %d problems", *phpIni, len(ini.Values), len(ini.Problems)))
	}
	if *passwd != "" {
		acc, p, ok := loadAccounts(*passwd, *group)
		opts.Host = &classify.HostFacts{Accounts: acc}
		probs = append(probs, p)
		status = max(status, readStatus(ok))
	}
	probed, probeSummary, err := probeLive(*doProbe, opts, *probeTimeout)
	if err != nil {
		fmt.Fprintf(stderr, "diagnose: %v\n", err)
		return 2
	}
	summary = append(summary, probeSummary...)
	d := classify.NewDiagnoser(opts)
	addProbes(d, probed)
	for _, ps := range probs {
		for _, p := range ps {
			d.AddProblem(p)
		}
	}
	in := &inputs{d: d, loc: loc, since: since, until: until, stdin: stdin}
	if f, ok := stderr.(*os.File); ok && isTerminal(f) {
		in.progress = stderr
	}
	builtin := len(errorLogs)+len(fpmLogs)+len(slowLogs)+len(accessLogs) == 0 && *nginxConf == "" && *fpmConf == "" && *phpIni == ""
	if builtin {
		if err := readIncident(in); err != nil { // cannot happen: the files are embedded
			fmt.Fprintf(stderr, "diagnose: %v\n", err)
			return 1
		}
	}
	var af *logparse.AccessFormat
	if len(accessLogs) > 0 {
		if af, err = accessFormat(opts.Nginx, *accessFmt); err != nil {
			fmt.Fprintf(stderr, "diagnose: -access-format: %v\n", err)
			return 2
		}
	}
	in.each(fpmLogs, in.fpmLog)
	in.each(slowLogs, in.slowLog)
	in.each(errorLogs, in.errorLog)
	in.each(accessLogs, in.accessLog(af))
	status = max(status, in.status)

	rep := d.Report()
	if *format == "sarif" {
		b, err := classify.SARIF(rep.Findings)
		if err != nil {
			fmt.Fprintf(stderr, "diagnose: %v\n", err)
			return 1
		}
		stdout.Write(append(b, '\n'))
	} else if *format == "json" {
		b, err := rep.MarshalJSON()
		if err != nil {
			fmt.Fprintf(stderr, "diagnose: %v\n", err)
			return 1
		}
		stdout.Write(append(b, '\n'))
	} else {
		writeText(stdout, rep, builtin, summary)
	}
	if status == 0 && *failOn != "" {
		for _, f := range rep.Findings {
			if f.Suppressed == nil && classify.AtLeast(f.Severity, failSev) {
				return 3
			}
		}
	}
	return status
}

// loadAccounts reads a passwd and a group file; ok is false when one could
// not be read.
func loadAccounts(passwd, group string) (*probe.Accounts, badgateway.Problems, bool) {
	var probs badgateway.Problems
	acc := &probe.Accounts{}
	ok := true
	if f, err := os.Open(passwd); err == nil {
		var p badgateway.Problems
		acc.Users, p = probe.ParsePasswd(f, passwd)
		probs = append(probs, p...)
		f.Close()
	} else {
		probs = append(probs, &badgateway.Problem{Pos: badgateway.Pos{File: passwd}, Err: err})
		ok = false
	}
	if f, err := os.Open(group); err == nil {
		var p badgateway.Problems
		acc.Groups, p = probe.ParseGroup(f, group)
		probs = append(probs, p...)
		f.Close()
	} else {
		probs = append(probs, &badgateway.Problem{Pos: badgateway.Pos{File: group}, Err: err})
		ok = false
	}
	return acc, probs, ok
}

// loadNginx reads an nginx config: an `nginx -T` dump (recognised by its
// "# configuration file PATH:" headers) or a file with its includes. It
// reports false when the file itself could not be read.
func loadNginx(path string) (*nginxconf.Config, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		cfg, _ := nginxconf.Load(path, nil) // gives the problem with its position
		return cfg, false
	}
	if bytes.HasPrefix(data, []byte("# configuration file ")) || bytes.Contains(data, []byte("\n# configuration file ")) {
		cfg, _ := nginxconf.LoadDump(data, nil)
		return cfg, true
	}
	cfg, _ := nginxconf.Load(path, nil)
	return cfg, true
}

// readable reports whether path can be opened for reading.
func readable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// readStatus is the exit status for a config file: 1 when it could not be
// read at all.
func readStatus(readable bool) int {
	if !readable {
		return 1
	}
	return 0
}

func displayName(name string) string {
	if name == "-" {
		return "stdin"
	}
	return name
}
