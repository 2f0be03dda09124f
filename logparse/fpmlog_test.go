package logparse

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// isSubstring reports whether f is empty or lies inside raw in memory.
func isSubstring(f, raw string) bool {
	if f == "" {
		return true
	}
	fp, rp := uintptr(unsafe.Pointer(unsafe.StringData(f))), uintptr(unsafe.Pointer(unsafe.StringData(raw)))
	return fp >= rp && fp+uintptr(len(f)) <= rp+uintptr(len(raw))
}

func fpmUTC(s string) time.Time {
	t, err := time.Parse("2006-01-02 15:04:05.999999", s)
	if err != nil {
		panic(err)
	}
	return t
}

// Lines are verbatim from the real php-fpm 8.2.35 logs under
// testdata/incidents and testdata/logs (file named in the comment), or
// from the catalog (fpm-messages.md) where this machine cannot produce
// them (said so).
func TestParseFPMLine(t *testing.T) {
	tests := []struct {
		name, line string
		want       FPMEntry
	}{
		{"exited signal", // fpm_request_terminate/php-fpm.log
			`[21-Nov-2026 01:02:34] WARNING: [pool www] child 32613 exited on signal 15 (SIGTERM) after 2.014416 seconds from start`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Message: "[pool www] child 32613 exited on signal 15 (SIGTERM) after 2.014416 seconds from start",
				Pool: "www", Event: FPMChildExited, Child: 32613, Signal: 15, SignalName: "SIGTERM", Duration: 2014416 * time.Microsecond}},
		{"exited core dumped", // catalog fpm-messages.md §2.3 (no core dumps on this machine)
			`[20-Nov-2026 23:53:39] WARNING: [pool www] child 12 exited on signal 11 (SIGSEGV - core dumped) after 3.120000 seconds from start`,
			FPMEntry{Time: fpmUTC("2026-11-20 23:53:39"), Level: FPMLevelWarning, Pool: "www", Event: FPMChildExited, Child: 12, Signal: 11, SignalName: "SIGSEGV", CoreDumped: true, Duration: 3120 * time.Millisecond}},
		{"exited code", // template of fpm_children.c, catalog §2.3 (pm.max_requests recycling)
			`[21-Nov-2026 01:02:34] NOTICE: [pool www] child 7 exited with code 0 after 10.500000 seconds from start`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelNotice, Pool: "www", Event: FPMChildExited, Child: 7, Duration: 10500 * time.Millisecond}},
		{"started", `[21-Nov-2026 00:40:28] NOTICE: [pool tcp] child 18088 started`, // logs/php-fpm-8.2-capture.log
			FPMEntry{Time: fpmUTC("2026-11-21 00:40:28"), Level: FPMLevelNotice, Pool: "tcp", Event: FPMChildStarted, Child: 18088}},
		{"timed out", // logs/php-fpm-8.2-capture.log
			`[21-Nov-2026 00:40:28] WARNING: [pool www] child 17544, script '/tmp/bgcap.jkITOm/www/sleep.php' (request: "GET /timeout") execution timed out (2.066616 sec), terminating`,
			FPMEntry{Time: fpmUTC("2026-11-21 00:40:28"), Level: FPMLevelWarning, Pool: "www", Event: FPMTimedOut, Child: 17544,
				Script: "/tmp/bgcap.jkITOm/www/sleep.php", Method: "GET", RequestURI: "/timeout", Duration: 2066616 * time.Microsecond}},
		{"too slow with query", // demo/php-fpm.log
			`[21-Nov-2026 01:02:35] WARNING: [pool www] child 32601, script '/tmp/bgw-974012840/www/checkout.php' (request: "POST /checkout.php?s=1.5") executing too slow (1.127480 sec), logging`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:35"), Level: FPMLevelWarning, Pool: "www", Event: FPMTooSlow, Child: 32601,
				Script: "/tmp/bgw-974012840/www/checkout.php", Method: "POST", RequestURI: "/checkout.php", Query: "s=1.5", Duration: 1127480 * time.Microsecond}},
		{"max children", `[21-Nov-2026 01:02:34] WARNING: [pool www] server reached pm.max_children setting (2), consider raising it`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Pool: "www", Event: FPMMaxChildren, Limit: 2}},
		{"max children ondemand", `[21-Nov-2026 01:02:34] WARNING: [pool www] server reached max_children setting (1), consider raising it`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Pool: "www", Event: FPMMaxChildren, Limit: 1, OnDemand: true}},
		{"seems busy", // catalog §2.1 template with numbers
			`[21-Nov-2026 01:02:34] WARNING: [pool www] seems busy (you may need to increase pm.start_servers, or pm.min/max_spare_servers), spawning 8 children, there are 0 idle, and 12 total children`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Pool: "www", Event: FPMSeemsBusy, Spawning: 8, Idle: 0, Total: 12}},
		{"said into pipe closed", // catalog §1 template (", pipe is closed")
			`[21-Nov-2026 01:02:34] WARNING: [pool www] child 5 said into stderr: "ERROR: Connection disallowed: IP address '127.0.0.1' has been dropped.", pipe is closed`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Pool: "www", Event: FPMSaidInto, Child: 5, Stream: "stderr",
				Text: "ERROR: Connection disallowed: IP address '127.0.0.1' has been dropped.", PipeClosed: true, Pieces: 1,
				InnerLevel: FPMLevelError, InnerMessage: "Connection disallowed: IP address '127.0.0.1' has been dropped.", InnerEvent: FPMConnectionDisallowed, Address: "127.0.0.1"}},
		{"said into quotes inside", // logs/php-fpm-8.2-capture.log
			`[21-Nov-2026 00:40:29] WARNING: [pool www] child 17543 said into stderr: "NOTICE: PHP message: he said "hi", client: 6.6.6.6, server: evil while faking"`,
			FPMEntry{Time: fpmUTC("2026-11-21 00:40:29"), Level: FPMLevelWarning, Pool: "www", Event: FPMSaidInto, Child: 17543, Stream: "stderr",
				Text: `NOTICE: PHP message: he said "hi", client: 6.6.6.6, server: evil while faking`, Pieces: 1,
				InnerLevel: FPMLevelNotice, InnerMessage: `PHP message: he said "hi", client: 6.6.6.6, server: evil while faking`, InnerEvent: FPMPHPMessage}},
		{"said into script denied", // security_limit_extensions/php-fpm.log
			`[21-Nov-2026 01:02:37] WARNING: [pool www] child 454 said into stderr: "NOTICE: Access to the script '/tmp/bgw-3/www/page.html' has been denied (see security.limit_extensions)"`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:37"), Level: FPMLevelWarning, Pool: "www", Event: FPMSaidInto, Child: 454, Stream: "stderr",
				Text: "NOTICE: Access to the script '/tmp/bgw-3/www/page.html' has been denied (see security.limit_extensions)", Pieces: 1,
				InnerLevel: FPMLevelNotice, InnerMessage: "Access to the script '/tmp/bgw-3/www/page.html' has been denied (see security.limit_extensions)", InnerEvent: FPMScriptDenied}},
		{"bind failed", // fpm_bind_failed/php-fpm.log
			`[21-Nov-2026 01:02:34] ERROR: unable to bind listening socket for address '127.0.0.1:43155': Address already in use (98)`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelError, Event: FPMBindFailed, Address: "127.0.0.1:43155", ErrnoText: "Address already in use", Errno: 98}},
		{"config alert", // fpm_config_invalid/php-fpm.log
			`[21-Nov-2026 01:02:34] ALERT: [pool www] pm.start_servers(5) must not be less than pm.min_spare_servers(1) and not greater than pm.max_spare_servers(2)`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelAlert, Pool: "www", Event: FPMConfigInvalid}},
		{"init failed", `[21-Nov-2026 01:02:34] ERROR: FPM initialization failed`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelError, Event: FPMInitFailed}},
		{"post process", `[21-Nov-2026 01:02:34] ERROR: failed to post process the configuration`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelError, Event: FPMConfigInvalid}},
		{"running", `[21-Nov-2026 00:40:25] NOTICE: fpm is running, pid 17534`,
			FPMEntry{Time: fpmUTC("2026-11-21 00:40:25"), Level: FPMLevelNotice, Event: FPMRunning, MasterPID: 17534}},
		{"reloading", `[21-Nov-2026 01:02:34] NOTICE: Reloading in progress ...`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelNotice, Event: FPMReloading}},
		{"inherited", `[21-Nov-2026 01:02:35] NOTICE: using inherited socket fd=7, "/tmp/bgw-1/php-fpm.sock"`, // fpm_reload/php-fpm.log
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:35"), Level: FPMLevelNotice, Event: FPMInheritedSocket, FD: 7, Address: "/tmp/bgw-1/php-fpm.sock"}},
		{"debug decoration", // real php-fpm 8.2 with log_level = debug (TestRealStack writes such lines)
			`[21-Nov-2026 01:08:33.650806] DEBUG: pid 24705, fpm_children_make(), line 460: [pool www] child 24706 started`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:08:33.650806"), Level: FPMLevelDebug, PID: 24705, Func: "fpm_children_make", SourceLine: 460,
				Pool: "www", Event: FPMChildStarted, Child: 24706}},
		{"debug worker output", // real php-fpm 8.2, log_level = debug: "(null)(), line 0"
			`[21-Nov-2026 01:08:37.483324] WARNING: pid 24836, (null)(), line 0: [pool www] child 24837 said into stdout: "to stdout"`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:08:37.483324"), Level: FPMLevelWarning, PID: 24836, Func: "(null)", Pool: "www", Event: FPMSaidInto,
				Child: 24837, Stream: "stdout", Text: "to stdout", Pieces: 1}},
		{"child line", // php-src sapi/fpm/tests/015.phpt template (the child's own zlog line)
			`ERROR: Wrong IP address 'xxx' in listen.allowed_clients`,
			FPMEntry{Form: FPMFormChild, Level: FPMLevelError, Event: FPMWrongAllowedClient, Address: "xxx"}},
		{"syslog journald", // catalog fpm-messages.md §1
			`php-fpm[812]: [WARNING] [pool www] child 12 exited on signal 9 (SIGKILL) after 3.120000 seconds from start`,
			FPMEntry{Form: FPMFormSyslog, Level: FPMLevelWarning, PID: 812, SyslogPriority: -1, SyslogTag: "php-fpm", Pool: "www",
				Event: FPMChildExited, Child: 12, Signal: 9, SignalName: "SIGKILL", Duration: 3120 * time.Millisecond}},
		{"syslog file", // the same message as a syslog daemon writes it to a file (header of RFC 3164)
			`Nov 21 00:51:13 web1 php-fpm[812]: [NOTICE] ready to handle connections`,
			FPMEntry{Form: FPMFormSyslog, Time: time.Date(2026, 11, 21, 0, 51, 13, 0, time.UTC), Level: FPMLevelNotice, PID: 812, SyslogPriority: -1,
				SyslogHost: "web1", SyslogTag: "php-fpm", Event: FPMReady}},
		{"process max", `[21-Nov-2026 01:02:34] WARNING: The maximum number of processes has been reached. Please review your configuration and consider raising 'process.max'`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Event: FPMProcessMax}},
		{"failed threshold", `[21-Nov-2026 01:02:34] WARNING: failed processes threshold (10 in 60 sec) is reached, initiating reload`,
			FPMEntry{Time: fpmUTC("2026-11-21 01:02:34"), Level: FPMLevelWarning, Event: FPMFailedThreshold, Limit: 10, Duration: time.Minute}},
		{"unknown", `[21-Nov-2026 00:40:25] NOTICE: systemd monitor interval set to 10000ms`,
			FPMEntry{Time: fpmUTC("2026-11-21 00:40:25"), Level: FPMLevelNotice, Event: FPMOther}},
	}
	ignore := cmpopts.IgnoreFields(FPMEntry{}, "Raw", "Pos", "Lines", "Message")
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseFPMLineIn([]byte(tt.line+"\n"), time.UTC)
			if err != nil {
				t.Fatal(err)
			}
			if syslogYear := tt.want.Form == FPMFormSyslog && !tt.want.Time.IsZero(); syslogYear {
				tt.want.Time = tt.want.Time.AddDate(time.Now().Year()-2026, 0, 0)
			}
			if d := cmp.Diff(tt.want, got, ignore); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
			if got.Raw != tt.line || got.Lines != 1 || got.Pos.Line != 1 || !strings.HasSuffix(tt.line, got.Message) || got.Message == "" {
				t.Errorf("Raw %q Lines %d Pos %v Message %q", got.Raw, got.Lines, got.Pos, got.Message)
			}
			if tt.want.Message != "" && got.Message != tt.want.Message {
				t.Errorf("Message %q, want %q", got.Message, tt.want.Message)
			}
			checkFPMSubstrings(t, &got)
		})
	}
}

func TestParseFPMLineErrors(t *testing.T) {
	for _, tt := range []struct {
		line string
		err  error
		col  int
	}{
		{"", ErrNotFPMLog, 1},
		{"raw worker output", ErrNotFPMLog, 1},
		{"[21-Nov-2026 00:40:25] BOGUS: x", ErrBadFPMLevel, 24},
		{"[31-Feb-2026 00:40:25] NOTICE: x", ErrBadTime, 2},
		{"[21-Nov-2026 00:40:25.12] NOTICE: x", ErrBadTime, 22},
		{"[21-Nov-2026 01:02:35]  [pool www] pid 32594", ErrNotFPMLog, 24},
		{"<999>Nov 21 00:51:13 h php-fpm[1]: [NOTICE] x", ErrBadSyslog, 1},
		{"php-fpm[812]: [NOPE] x", ErrBadFPMLevel, 16},
		{strings.Repeat("x", DefaultMaxRecordBytes+1), ErrLineTooLong, 0},
	} {
		_, err := ParseFPMLine([]byte(tt.line))
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, tt.err) || pe.Pos.Col != tt.col || pe.Pos.Line != 1 {
			t.Errorf("%.40q: %v (col %v), want %v at col %d", tt.line, err, pe, tt.err, tt.col)
		}
	}
}

// A worker line wrapped at log_limit: the two records as real php-fpm 8.2
// wrote them in TestRealStack's set-up (log_level = debug, default
// log_limit), the first exactly 1023 bytes, then an unrelated record.
func TestFPMReaderWrapped(t *testing.T) {
	prefix := "[21-Nov-2026 01:08:37.475972] WARNING: pid 24836, (null)(), line 0: [pool www] child 24837 said into stderr: \""
	head := "NOTICE: sapi_cgi_log_message(), line 632: PHP message: "
	first := prefix + head + strings.Repeat("A", DefaultFPMLogLimit-1-len(prefix)-len(head)-1) + "\""
	second := strings.Replace(prefix, "475972", "475979", 1) + strings.Repeat("A", 150) + "...\""
	third := "[21-Nov-2026 01:08:37.475980] WARNING: pid 24836, (null)(), line 0: [pool www] child 24837 said into stderr: \"Stack trace:\""
	if len(first) != DefaultFPMLogLimit-1 {
		t.Fatalf("test record is %d bytes", len(first))
	}
	log := first + "\n" + second + "\n" + third + "\n"
	var got []FPMEntry
	for e, err := range NewFPMReader(strings.NewReader(log), FPMReaderOptions{File: "fpm.log"}).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 2 {
		t.Fatalf("%d records, want 2", len(got))
	}
	e := got[0]
	text := string(e.AppendText(nil))
	wantText := head + strings.Repeat("A", DefaultFPMLogLimit-1-len(prefix)-len(head)-1) + strings.Repeat("A", 150) + "..."
	if e.Pieces != 2 || e.Lines != 2 || e.Raw != first+"\n"+second || text != wantText || e.InnerEvent != FPMPHPMessage || e.Pos.Line != 1 {
		t.Errorf("joined: pieces %d lines %d pos %v text %q", e.Pieces, e.Lines, e.Pos, text)
	}
	if got[1].Pos.Line != 3 || got[1].Text != "Stack trace:" || got[1].Pieces != 1 {
		t.Errorf("after: %+v", got[1])
	}
	// With a larger log_limit the same lines are three records.
	n := 0
	for _, err := range NewFPMReader(strings.NewReader(log), FPMReaderOptions{LogLimit: 8192}).All() {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 3 {
		t.Errorf("log_limit 8192: %d records, want 3", n)
	}
}

func TestFPMReaderBadLines(t *testing.T) {
	log := "[21-Nov-2026 00:40:25] NOTICE: fpm is running, pid 17534\n\nraw output of a worker\r\n[21-Nov-2026 00:40:25] NOTICE: ready to handle connections\r\n" +
		strings.Repeat("y", 300) + "\n[21-Nov-2026 00:40:31] NOTICE: Terminating ..."
	var events []FPMEvent
	var errs []string
	for e, err := range NewFPMReader(strings.NewReader(log), FPMReaderOptions{File: "f.log", MaxRecordBytes: 200}).All() {
		if err != nil {
			errs = append(errs, err.Error())
			continue
		}
		events = append(events, e.Event)
		if strings.HasSuffix(e.Raw, "\r") {
			t.Errorf("Raw keeps its CR: %q", e.Raw)
		}
	}
	if d := cmp.Diff([]FPMEvent{FPMRunning, FPMReady, FPMTerminating}, events); d != "" {
		t.Errorf("events (-want +got):\n%s", d)
	}
	wantErrs := []string{"f.log:3:1: " + ErrNotFPMLog.Error(), "f.log:5: " + ErrLineTooLong.Error()}
	if d := cmp.Diff(wantErrs, errs); d != "" {
		t.Errorf("errors (-want +got):\n%s", d)
	}
}

func TestFPMReaderAllocs(t *testing.T) {
	log := strings.Repeat("[21-Nov-2026 00:40:28] WARNING: [pool www] child 17544, script '/tmp/bgcap.jkITOm/www/sleep.php' (request: \"GET /timeout\") execution timed out (2.066616 sec), terminating\n", 100)
	for _, reuse := range []bool{false, true} {
		allocs := testing.AllocsPerRun(20, func() {
			r := NewFPMReader(strings.NewReader(log), FPMReaderOptions{ReuseRecord: reuse})
			for _, err := range r.All() {
				if err != nil {
					t.Fatal(err)
				}
			}
		})
		// The reader itself costs a few allocations (buffer, iterator).
		if per := (allocs - 5) / 100; per > map[bool]float64{false: 1, true: 0}[reuse]+0.02 {
			t.Errorf("reuse %v: %.2f allocations per record", reuse, per)
		}
	}
}

// A ", pipe is closed" suffix that zlog wrapped: the first record ends with
// its start after the closing quote, the next holds the rest without
// quotes (zlog.c zlog_stream_finish_buffer_suffix). Built with that
// algorithm from the prefix real php-fpm 8.2 writes, with a log_limit of
// 100: provoking the exact length from a real child is not practical.
func TestFPMReaderWrappedPipeClosed(t *testing.T) {
	prefix := `[21-Nov-2026 01:08:37] WARNING: [pool www] child 5 said into stderr: `
	text := strings.Repeat("x", 100-1-len(prefix)-2-len(", pipe is"))
	first := prefix + `"` + text + `", pipe is`
	second := prefix + " closed"
	if len(first) != 99 {
		t.Fatalf("first record %d bytes", len(first))
	}
	var got []FPMEntry
	for e, err := range NewFPMReader(strings.NewReader(first+"\n"+second+"\n"), FPMReaderOptions{LogLimit: 100}).All() {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, e)
	}
	if len(got) != 1 || got[0].Pieces != 2 || !got[0].PipeClosed || got[0].Text != text || string(got[0].AppendText(nil)) != text {
		t.Errorf("%+v", got)
	}
}
