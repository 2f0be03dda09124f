package logparse

import (
	"time"

	"github.com/badgateway/badgateway"
)

// AccessEscape is the escape= parameter of nginx's log_format directive
// (src/http/modules/ngx_http_log_module.c): how variable values were
// escaped when written.
type AccessEscape uint8

const (
	// EscapeDefault: '"', '\' and bytes below 0x20 or from 0x7f are written
	// as \xXX (ngx_http_log_escape).
	EscapeDefault AccessEscape = iota
	// EscapeJSON: JSON string escaping ('"' → \", '\' → \\, \n, \r, \t,
	// \b, \f, other bytes below 0x20 as \u00XX; ngx_escape_json).
	EscapeJSON
	// EscapeNone: values are written as they are.
	EscapeNone
)

// AccessEntry is one line of an nginx access log written with an
// AccessFormat (src/http/modules/ngx_http_log_module.c). The typed fields
// are filled from the variables the format has and are zero (numbers: -1)
// when it has none of them or the value was "-"; every variable's value,
// typed or not, is available through Var and Vars.
//
// Values are as nginx wrote them, still escaped (see AccessFormat.Unescape):
// nginx escapes only '"', '\' and control bytes, which requests rarely
// hold. Every string field is a substring of Raw, so an entry costs at most
// one string allocation (none in the reader's reuse mode). From a reader, a record of up to 1 KiB shares a 4 KiB block
// with its neighbours (most records then cost no allocation); an entry the
// caller keeps keeps that block alive.
type AccessEntry struct {
	// Pos is the line's position (file, 1-based line, byte offset).
	Pos badgateway.Pos
	// Raw is the line without its newline and trailing "\r".
	Raw string
	// Format is the format the line was parsed with.
	Format *AccessFormat

	// RemoteAddr ($remote_addr) and RemoteUser ($remote_user; "" for "-").
	RemoteAddr string
	RemoteUser string
	// Time is the request's end time, from $time_local
	// ("21/Nov/2026:01:02:37 +0000"), $time_iso8601
	// ("2026-11-21T01:02:37+00:00") or $msec ("1795222957.123"); zero when
	// the format has none of them (the last one wins). Its location is UTC
	// for a +0000 offset and $msec, else a fixed zone of the offset nginx
	// wrote.
	Time time.Time
	// Request is $request ("GET /x?a=1 HTTP/1.1"); Method, URI and
	// Protocol are its three parts, or $request_method, $request_uri and
	// $server_protocol when the format has them instead. A request line
	// nginx could not parse (a 400) may have fewer parts.
	Request  string
	Method   string
	URI      string
	Protocol string
	// Status is $status: nginx prints it with three digits, so a 9 (HTTP/0.9
	// simple response) is "009"; 0 when absent.
	Status int
	// BodyBytesSent ($body_bytes_sent), BytesSent ($bytes_sent) and
	// RequestLength ($request_length) are in bytes; -1 when absent.
	BodyBytesSent int64
	BytesSent     int64
	RequestLength int64
	// RequestTime is $request_time (seconds with millisecond resolution);
	// -1 when absent.
	RequestTime time.Duration
	// Referer ($http_referer), UserAgent ($http_user_agent) and Host
	// ($host, else $http_host); "" for "-" only for Referer and UserAgent.
	Referer   string
	UserAgent string
	Host      string

	// The $upstream_* variables, one value per upstream attempt (see
	// UpstreamList): "" when the format lacks the variable, "-" when nginx
	// had no upstream. Upstreams zips them into UpstreamAttempts.
	UpstreamAddr           UpstreamList
	UpstreamStatus         UpstreamList
	UpstreamResponseTime   UpstreamList
	UpstreamConnectTime    UpstreamList
	UpstreamHeaderTime     UpstreamList
	UpstreamResponseLength UpstreamList
}

// UpstreamList is the text of an $upstream_* variable of nginx
// (src/http/ngx_http_upstream.c ngx_http_upstream_addr_variable,
// ngx_http_upstream_status_variable, …): one value per attempt, ", "
// between the peers tried for one upstream group, " : " between groups
// when an internal redirect (X-Accel-Redirect, error_page) passed the
// request to another upstream, "-" for an attempt without a value (no
// response, no header) — e.g. "127.0.0.1:9001, 127.0.0.1:9002 : unix:/run/php.sock"
// or "502, 200". A value of a single "-" means no upstream at all. The
// methods do not allocate.
type UpstreamList string

// UpstreamAttempt is one attempt of the upstream lists of an AccessEntry,
// zipped by AccessEntry.Upstreams.
type UpstreamAttempt struct {
	// Group is 0 for the first upstream, +1 after each " : ".
	Group int
	// Addr is the peer ("127.0.0.1:9000", "unix:/run/php.sock", or the
	// group name when no live peer was left); "" when the format lacks
	// $upstream_addr.
	Addr string
	// Status is the status the peer answered; 0 for "-" or absent (502 and
	// 504 are what nginx records for failed connects and timeouts).
	Status int
	// ResponseTime, ConnectTime and HeaderTime are -1 for "-" or absent.
	ResponseTime time.Duration
	ConnectTime  time.Duration
	HeaderTime   time.Duration
	// ResponseLength is in bytes; -1 for "-" or absent.
	ResponseLength int64
}

// FPMAccessEntry is one line of a php-fpm access log (the pool's
// access.log) written with an FPMAccessFormat (sapi/fpm/fpm/fpm_log.c).
// Typed fields are zero (numbers: -1) when the format lacks their token;
// every token's value is available through Var. Every string field is a
// substring of Raw, so an entry costs at most one string allocation (none in
// the reader's reuse mode). From a reader, a record of up to 1 KiB shares a 4 KiB block
// with its neighbours (most records then cost no allocation); an entry the
// caller keeps keeps that block alive.
type FPMAccessEntry struct {
	// Pos is the line's position (file, 1-based line, byte offset).
	Pos badgateway.Pos
	// Raw is the line without its newline and trailing "\r".
	Raw string
	// Format is the format the line was parsed with.
	Format *FPMAccessFormat

	// RemoteAddr is %R, the address of the FastCGI peer (nginx's address
	// on TCP; "-" on a unix socket); RemoteUser is %u (REMOTE_USER, ""
	// when unset: php-fpm prints nothing, hence the two spaces of the
	// default format).
	RemoteAddr string
	RemoteUser string
	// Time is %t, the request's start time ("%d/%b/%Y:%H:%M:%S %z", zone
	// written by php-fpm); EndTime is %T, its end. A %{strftime}t or
	// %{strftime}T with a format the parser knows is parsed too
	// (see FPMAccessFormat). Zero when absent.
	Time    time.Time
	EndTime time.Time
	// Method (%m), RequestURI (%r, REQUEST_URI without the query) and
	// Query (%q, without "?"); ScriptFilename (%f).
	Method         string
	RequestURI     string
	Query          string
	ScriptFilename string
	// Status is %s, the status PHP returned.
	Status int
	// Duration is %d (any unit: seconds, milli, micro); -1 when absent.
	Duration time.Duration
	// Memory is %M in bytes (any unit: bytes, kilo, mega); -1 when absent.
	Memory int64
	// CPU is %C, the request's CPU use in percent; -1 when absent.
	CPU float64
	// ContentLength is %l (CONTENT_LENGTH); -1 when absent.
	ContentLength int64
	// Pool is %n; Child is %p (the child's pid) and Master %P (the
	// master's pid), 0 when absent.
	Pool   string
	Child  int
	Master int
}
