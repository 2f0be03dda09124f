package logparse

import (
	"strconv"
	"time"

	"github.com/badgateway/badgateway"
)

// FPMLevel is a php-fpm log level. The values are php-fpm's own ZLOG_DEBUG
// (1) … ZLOG_ALERT (5) from sapi/fpm/fpm/zlog.h, so that — unlike Level —
// a larger value is more severe; the zero value means unknown.
type FPMLevel int8

// The php-fpm log levels, as zlog.c prints them ("DEBUG" … "ALERT").
const (
	FPMLevelUnknown FPMLevel = iota
	FPMLevelDebug
	FPMLevelNotice
	FPMLevelWarning
	FPMLevelError
	FPMLevelAlert
)

// FPMForm says how a php-fpm error-log record was framed
// (sapi/fpm/fpm/zlog.c zlog_buf_prefix).
type FPMForm uint8

const (
	// FPMFormPlain is the master's line in its error_log file:
	// "[21-Nov-2026 00:51:13] WARNING: message", with log_level = debug
	// "[21-Nov-2026 00:51:13.123456] WARNING: pid 1, func(), line 9: message".
	FPMFormPlain FPMForm = iota
	// FPMFormChild is a line written by a child process (or printed on
	// stderr before the master daemonises, or by "php-fpm -t"): no time,
	// "NOTICE: message" (debug: "NOTICE: func(), line 9: message").
	FPMFormChild
	// FPMFormSyslog is a record of error_log = syslog: "[WARNING] message"
	// after the syslog daemon's header ("Nov 21 00:51:13 host php-fpm[812]: ",
	// with or without "<PRI>", or only "php-fpm[812]: " as journald shows it).
	FPMFormSyslog
)

// FPMEvent is the kind of a php-fpm error-log record, recognised from its
// message (format strings of php-fpm 8.2, sapi/fpm/fpm/*.c; see the
// catalog, fpm-messages.md §2). FPMOther is any other message: it still
// parses, with Message, Pool and Errno filled in when present.
type FPMEvent uint8

// The php-fpm events. The comment gives the message and the FPMEntry
// fields set (besides Pool, which every "[pool P] " message sets).
const (
	FPMOther FPMEvent = iota
	// "[pool P] child N exited with code C after S seconds from start", or
	// "… exited on signal S (SIGNAME[ - core dumped]) after …"
	// (fpm_children.c): Child, ExitCode or Signal+SignalName+CoreDumped,
	// Duration (the child's lifetime).
	FPMChildExited
	// "[pool P] child N started" (fpm_children.c): Child.
	FPMChildStarted
	// "[pool P] child N, script 'F' (request: "M URI[?QUERY]") execution
	// timed out (S sec), terminating" (fpm_request.c,
	// request_terminate_timeout; the master sends SIGTERM): Child, Script,
	// Method, RequestURI, Query, Duration (time the request had run).
	FPMTimedOut
	// "… executing too slow (S sec), logging" (fpm_request.c,
	// request_slowlog_timeout): the same fields as FPMTimedOut.
	FPMTooSlow
	// "[pool P] server reached pm.max_children setting (N), consider raising
	// it" (pm = dynamic) or "… reached max_children setting (N) …"
	// (pm = ondemand), fpm_process_ctl.c: Limit = N, OnDemand.
	FPMMaxChildren
	// "[pool P] seems busy (you may need to increase pm.start_servers, or
	// pm.min/max_spare_servers), spawning N children, there are I idle, and
	// T total children" (fpm_process_ctl.c): Spawning, Idle, Total.
	FPMSeemsBusy
	// "The maximum number of processes has been reached. Please review your
	// configuration and consider raising 'process.max'" (fpm_children.c).
	FPMProcessMax
	// "failed processes threshold (N in S sec) is reached, initiating
	// reload" (fpm_children.c, emergency_restart_threshold): Limit = N,
	// Duration = S seconds.
	FPMFailedThreshold
	// "[pool P] child N said into stderr: "TEXT"" (or stdout; fpm_stdio.c,
	// catch_workers_output): Child, Stream, Text, PipeClosed, Pieces,
	// InnerLevel, InnerMessage, InnerEvent (and Address for a dropped
	// connection).
	FPMSaidInto
	// "Reloading in progress ..." (fpm_process_ctl.c, SIGUSR2).
	FPMReloading
	// "reloading: execvp("BIN", {…})" (fpm_process_ctl.c): the master
	// re-executes itself.
	FPMReexec
	// "using inherited socket fd=N, "ADDR"" (fpm_sockets.c, after a
	// reload): FD, Address.
	FPMInheritedSocket
	// "fpm is running, pid N" (fpm.c): MasterPID.
	FPMRunning
	// "ready to handle connections" (fpm_events.c).
	FPMReady
	// "Terminating ..." (SIGINT/SIGTERM, fpm_events.c).
	FPMTerminating
	// "Finishing ..." (SIGQUIT, fpm_events.c).
	FPMFinishing
	// "exiting, bye-bye!" (fpm_process_ctl.c).
	FPMExiting
	// "unable to bind listening socket for address 'ADDR': TEXT (ERRNO)"
	// (fpm_sockets.c): Address, ErrnoText, Errno.
	FPMBindFailed
	// "Another FPM instance seems to already listen on ADDR" (fpm_sockets.c;
	// older "An another …"): Address.
	FPMAnotherInstance
	// A configuration check that failed (fpm_conf.c, ALERT or ERROR, e.g.
	// "[pool P] pm.start_servers(N) must not be less than …", "failed to
	// post process the configuration", "failed to load configuration file
	// 'F'", "[F:L] unknown entry 'K'", "No pool defined. …",
	// "[pool P] wrong format for access.format '…'").
	FPMConfigInvalid
	// "FPM initialization failed" (fpm.c): php-fpm did not start.
	FPMInitFailed
	// "Connection disallowed: IP address 'ADDR' has been dropped."
	// (fastcgi.c, listen.allowed_clients; a child's line): Address.
	FPMConnectionDisallowed
	// "Wrong IP address 'ADDR' in listen.allowed_clients" (fastcgi.c): Address.
	FPMWrongAllowedClient
	// "There are no allowed addresses[ for this pool]" (fastcgi.c).
	FPMNoAllowedAddresses
	// "child N stopped for tracing" (fpm_children.c, slowlog): Child.
	FPMStoppedForTracing
	// "about to trace N" (fpm_php_trace.c): Child.
	FPMAboutToTrace
	// "finished trace of N" (fpm_php_trace.c): Child.
	FPMFinishedTrace
	// "PHP message: …" (fpm_main.c sapi_cgi_log_message, a child's line;
	// also the usual InnerEvent of FPMSaidInto).
	FPMPHPMessage
	// "Primary script unknown" (fpm_main.c, DEBUG).
	FPMPrimaryScriptUnknown
	// "Unable to open primary script: F (TEXT)" (fpm_main.c): Script, ErrnoText.
	FPMUnableToOpenScript
	// "Access to the script 'F' has been denied (see
	// security.limit_extensions)" (fpm_php.c): Script.
	FPMScriptDenied

	numFPMEvents
)

var fpmEventNames = [numFPMEvents]string{
	"other", "child_exited", "child_started", "timed_out", "too_slow", "max_children",
	"seems_busy", "process_max", "failed_threshold", "said_into", "reloading", "reexec",
	"inherited_socket", "running", "ready", "terminating", "finishing", "exiting",
	"bind_failed", "another_instance", "config_invalid", "init_failed",
	"connection_disallowed", "wrong_allowed_client", "no_allowed_addresses",
	"stopped_for_tracing", "about_to_trace", "finished_trace", "php_message",
	"primary_script_unknown", "unable_to_open_script", "script_denied",
}

// String returns the event's stable snake_case name ("child_exited",
// "timed_out", …; "other").
func (k FPMEvent) String() string {
	if k < numFPMEvents {
		return fpmEventNames[k]
	}
	return "fpm_event(" + strconv.Itoa(int(k)) + ")"
}

// MarshalText implements encoding.TextMarshaler with String's names.
func (k FPMEvent) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// FPMEntry is one record of a php-fpm error log (the global error_log of
// php-fpm.conf), split as sapi/fpm/fpm/zlog.c writes it and typed by
// message (FPMEvent):
//
//	[dd-Mon-YYYY HH:MM:SS[.uuuuuu]] LEVEL: [pid N, FUNC(), line L: ]MESSAGE
//	LEVEL: [FUNC(), line L: ]MESSAGE                              (child, no time)
//	[SYSLOG HEADER ]TAG[PID]: [LEVEL] [FUNC(), line L: ]MESSAGE  (error_log = syslog)
//
// Every string field is a substring of Raw, so an entry costs at most one
// string allocation (none in the reader's reuse mode). From a reader, a record of up to 1 KiB shares a 4 KiB block
// with its neighbours (most records then cost no allocation); an entry the
// caller keeps keeps that block alive.
// Fields that the event does not set are zero.
type FPMEntry struct {
	// Pos is where the record starts (file, 1-based line, byte offset).
	Pos badgateway.Pos
	// Lines is the number of physical lines of the record: 1, or more for
	// a worker's line that php-fpm wrapped at log_limit (see Pieces).
	Lines int
	// Raw is the record as read, physical lines joined with "\n", without
	// the final newline and trailing "\r".
	Raw string

	Form FPMForm
	// Time is the wall-clock time php-fpm wrote (local time of the php-fpm
	// host, no zone in the log; strftime "%d-%b-%Y %H:%M:%S", microseconds
	// with log_level = debug), interpreted in the caller's location (UTC by
	// default). For FPMFormSyslog it is the syslog header's time, whose
	// year is FPMReaderOptions.Year. Zero when the record has no time
	// (FPMFormChild, journald's "php-fpm[812]: " form).
	Time  time.Time
	Level FPMLevel
	// PID is the master's pid of the debug decoration ("pid N, ") or the
	// pid in the syslog tag ("php-fpm[N]"); 0 when absent.
	PID int
	// Func and SourceLine are the C function and source line of the debug
	// decoration ("fpm_children_make(), line 460: "; php-fpm writes
	// "(null)(), line 0: " for worker output); empty and 0 otherwise.
	Func       string
	SourceLine int

	// Message is the text after the prefix and the decoration, e.g.
	// "[pool www] child 123 exited on signal 9 (SIGKILL) after 3.120000
	// seconds from start" (for a wrapped worker line, the first piece's).
	Message string
	// Pool is the pool name of a "[pool P] " message; empty otherwise.
	Pool  string
	Event FPMEvent
	// Child is the child's pid (FPMChildExited, FPMChildStarted,
	// FPMTimedOut, FPMTooSlow, FPMSaidInto, the tracing events).
	Child int

	// ExitCode is the child's exit code of "exited with code C"; Signal,
	// SignalName ("SIGSEGV") and CoreDumped describe "exited on signal S
	// (SIGNAME - core dumped)". Signal is 0 for an exit with a code.
	ExitCode   int
	Signal     int
	SignalName string
	CoreDumped bool
	// Duration is the child's lifetime for FPMChildExited ("after S seconds
	// from start"), the time the request had run for FPMTimedOut and
	// FPMTooSlow ("(S sec)"), the interval for FPMFailedThreshold;
	// microsecond resolution as php-fpm prints it.
	Duration time.Duration

	// Script is SCRIPT_FILENAME as php-fpm printed it; Method, RequestURI
	// and Query (without the "?") are the request of FPMTimedOut and
	// FPMTooSlow ("(request: "GET /x.php?a=1")").
	Script     string
	Method     string
	RequestURI string
	Query      string

	// Limit is N of "reached pm.max_children setting (N)" and of "failed
	// processes threshold (N in S sec)". OnDemand is set for the ondemand
	// wording "reached max_children setting" (no "pm.").
	Limit    int
	OnDemand bool
	// Spawning, Idle and Total are the counts of FPMSeemsBusy.
	Spawning, Idle, Total int

	// Stream is "stderr" or "stdout" for FPMSaidInto. Text is what the
	// child wrote, without php-fpm's quotes; for a line php-fpm wrapped
	// at log_limit into several records (Pieces > 1, one physical line
	// each, Lines == Pieces) it is the first piece only: AppendText joins
	// all pieces. PipeClosed is set for the ", pipe is closed" suffix of
	// the child's last line.
	Stream     string
	Text       string
	PipeClosed bool
	Pieces     int
	// InnerLevel and InnerMessage are Text split like a child's line
	// ("NOTICE: PHP message: …" gives FPMLevelNotice and "PHP message:
	// …"); InnerEvent is the event of InnerMessage (FPMConnectionDisallowed,
	// FPMPHPMessage, FPMUnableToOpenScript, …). Zero when Text is not a
	// child's zlog line (decorate off, or a plain print).
	InnerLevel   FPMLevel
	InnerMessage string
	InnerEvent   FPMEvent

	// Address is the listening address of FPMBindFailed,
	// FPMInheritedSocket and FPMAnotherInstance, or the client address of
	// FPMConnectionDisallowed and FPMWrongAllowedClient (also when it came
	// inside a FPMSaidInto record).
	Address string
	// FD is the inherited socket's descriptor (FPMInheritedSocket).
	FD int
	// Errno and ErrnoText come from php-fpm's ZLOG_SYSERROR suffix
	// ": STRERROR (ERRNO)" (zlog.c), e.g. "Address already in use" and 98;
	// 0 and "" when absent. The text is the C library's: match Errno.
	Errno     int
	ErrnoText string
	// MasterPID is N of "fpm is running, pid N".
	MasterPID int

	// SyslogPriority, SyslogHost and SyslogTag are the syslog header of an
	// FPMFormSyslog record, as for ErrorEntry (SyslogPriority -1 without
	// "<PRI>"); SyslogTag is the tag without "[PID]" ("php-fpm").
	SyslogPriority int
	SyslogHost     string
	SyslogTag      string
}

var fpmLevelNames = [...]string{"", "DEBUG", "NOTICE", "WARNING", "ERROR", "ALERT"}

// String returns the level as php-fpm prints it ("WARNING", …), or
// "UNKNOWN".
func (l FPMLevel) String() string {
	if l > 0 && int(l) < len(fpmLevelNames) {
		return fpmLevelNames[l]
	}
	return "UNKNOWN"
}

// MarshalText implements encoding.TextMarshaler with String's words.
func (l FPMLevel) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// ParseFPMLevel returns the FPMLevel php-fpm prints as name ("DEBUG" …
// "ALERT"), or FPMLevelUnknown.
func ParseFPMLevel(name string) FPMLevel {
	switch name {
	case "DEBUG":
		return FPMLevelDebug
	case "NOTICE":
		return FPMLevelNotice
	case "WARNING":
		return FPMLevelWarning
	case "ERROR":
		return FPMLevelError
	case "ALERT":
		return FPMLevelAlert
	}
	return FPMLevelUnknown
}

// String returns "plain", "child" or "syslog".
func (f FPMForm) String() string {
	switch f {
	case FPMFormPlain:
		return "plain"
	case FPMFormChild:
		return "child"
	case FPMFormSyslog:
		return "syslog"
	}
	return "fpm_form(" + strconv.Itoa(int(f)) + ")"
}
