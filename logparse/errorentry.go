package logparse

import (
	"time"

	"github.com/badgateway/badgateway"
)

// Level is an nginx error-log level. The values are nginx's own
// NGX_LOG_EMERG (1) … NGX_LOG_DEBUG (8) from src/core/ngx_log.h, so that a
// smaller value is more severe; the zero value means unknown.
type Level int8

// The nginx error-log levels, in nginx's order (src/core/ngx_log.c err_levels).
const (
	LevelUnknown Level = iota
	LevelEmerg
	LevelAlert
	LevelCrit
	LevelError
	LevelWarn
	LevelNotice
	LevelInfo
	LevelDebug
)

// Form says how an error-log record was framed.
type Form uint8

const (
	// FormPlain is nginx's own error-log line:
	// "2026/11/20 10:00:00 [error] 123#123: *4 message…".
	FormPlain Form = iota
	// FormConsole is a start-up message nginx printed on its console
	// (stderr): "nginx: [emerg] unknown directive … in /etc/nginx/nginx.conf:12".
	// It has no time, pid or tid.
	FormConsole
	// FormSyslog is a plain line wrapped by nginx's syslog writer
	// (src/core/ngx_syslog.c): "<PRI>Mmm dd HH:MM:SS HOST TAG: " followed by
	// the full plain line, nginx's own time stamp included.
	FormSyslog
)

// Field is a bit set of the context fields present in an ErrorEntry.
// nginx appends each field only when it is known (src/http/ngx_http_request.c
// ngx_http_log_error), and some may be present but empty (", server: ,"),
// so presence is recorded apart from the value.
type Field uint16

// Context fields, in the order nginx writes them.
const (
	FieldClient     Field = 1 << iota // ", client: ADDR"
	FieldServer                       // ", server: NAME"
	FieldRequest                      // ", request: \"LINE\""
	FieldSubrequest                   // ", subrequest: \"URI\""
	FieldUpstream                     // ", upstream: \"URL\""
	FieldHost                         // ", host: \"HOST\""
	FieldReferrer                     // ", referrer: \"URL\""
	FieldResolver                     // ", resolver: ADDR" (the resolver's own lines, src/core/ngx_resolver.c)
)

// ErrorEntry is one record of an nginx error log, split into every field
// nginx writes (see ../shared catalog §1 and nginx src/core/ngx_log.c,
// src/http/ngx_http_request.c ngx_http_log_error):
//
//	YYYY/MM/DD HH:MM:SS [LEVEL] PID#TID: *CID MESSAGE[ (ERRNO: TEXT)][ while ACTION][, client: …][, server: …][, request: "…"][, subrequest: "…"][, upstream: "…"][, host: "…"][, referrer: "…"]
//
// Every string field is a substring of Raw, so an entry costs at most one
// string allocation (none in the reader's reuse mode, where the strings are
// only valid until the next record is read). From a reader, a record of up to 1 KiB shares a 4 KiB block
// with its neighbours (most records then cost no allocation); an entry the
// caller keeps keeps that block alive.
type ErrorEntry struct {
	// Pos is where the record starts: the file named by the reader, the
	// 1-based line of its first physical line and that line's byte offset.
	// ParseErrorLine leaves File empty and Line 1.
	Pos badgateway.Pos
	// Lines is the number of physical lines joined into this record (1 for
	// most records; more for a "FastCGI sent in stderr" text with newlines).
	Lines int
	// Raw is the record as read, physical lines joined with "\n" (a file
	// with CRLF line ends keeps the "\r" before each inner "\n"), without
	// the final newline and trailing "\r".
	Raw string

	Form Form
	// Time is the wall-clock time nginx wrote (local time of the nginx
	// host, 1-second resolution, no zone in the log), interpreted in the
	// location the caller gave (ErrorReaderOptions.Location; UTC for
	// ParseErrorLine). Zero for FormConsole records.
	Time  time.Time
	Level Level
	PID   int    // nginx process id; 0 when absent
	TID   uint64 // thread id (equal to PID on Linux builds --with-threads, else 0)
	// CID is the connection number of "*CID"; 0 means the record has none
	// (master/worker-level lines such as "signal process started").
	CID uint64

	// Message is the text after "*CID " (or after "PID#TID: ", or after
	// "nginx: [LEVEL] " for FormConsole) without the errno, action and
	// context, e.g. `connect() to unix:/run/php/php8.2-fpm.sock failed`
	// or `FastCGI sent in stderr: "Primary script unknown"`. A message may
	// itself contain " while " and commas; ngx_log_errno's "..." (inserted
	// when the message filled the line) stays at its end.
	Message string
	// Syscall is the name of the system or library call when Message starts
	// with one, without the parentheses: "connect", "recv", "SSL_do_handshake",
	// "open"; empty otherwise.
	Syscall string
	// Errno and ErrnoText come from the " (N: TEXT)" nginx appends after the
	// message (ngx_log_errno). The text is the C library's strerror and
	// differs between glibc and musl: match Errno, never ErrnoText. The
	// resolver's "NAME could not be resolved (3: Host not found)" reports
	// its resolver code here too. 0 when there is none.
	Errno     int
	ErrnoText string
	// Action is the text after " while ", e.g. "reading response header
	// from upstream"; empty when nginx logged no action.
	Action string

	// Context fields: present when Fields has their bit.
	Fields     Field
	Client     string // client address, "unix:" for unix listeners
	Server     string // server_name of the server{}, or the listen address before the request is known
	Request    string // request line, client-controlled
	Subrequest string // subrequest URI
	Upstream   string // schema + peer + URI, e.g. "fastcgi://unix:/run/php/php8.2-fpm.sock:" or "http://backend/api" (group name when no peer was live)
	Host       string // Host header, client-controlled
	Referrer   string // Referer header (nginx spells it "referrer"), client-controlled
	Resolver   string // resolver address of the resolver's own lines

	// Truncated reports that the record reached nginx's NGX_MAX_ERROR_STR
	// (2048 bytes with the newline, so 2047 bytes of Raw after any syslog
	// header; src/core/ngx_log.h) and was cut: the message may end
	// mid-text, a quoted text has no closing quote, and the action and
	// context fields are missing or cut (the last one present may hold a
	// partial value). It is also set for a "FastCGI sent in stderr" text
	// with no closing quote and no context that is shorter (cut by a relay
	// or by a build with another limit).
	Truncated bool

	// SyslogPriority, SyslogHost and SyslogTag are the header of a
	// FormSyslog record ("<PRI>Mmm dd HH:MM:SS HOST TAG: "); zero otherwise.
	// SyslogPriority is -1 when the header has no "<PRI>" (the file format
	// of a syslog daemon); SyslogHost is empty when nginx had not read the
	// host name yet (its first start-up lines).
	SyslogPriority int
	SyslogHost     string
	SyslogTag      string
}
