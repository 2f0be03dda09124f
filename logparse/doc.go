// Package logparse parses the logs an nginx + php-fpm operator has, into
// typed entries with their source positions, fast and with bounded memory.
//
// # nginx error log
//
// ParseErrorLine parses one record; ErrorReader streams a whole log
// (iter.Seq2 via All, or Read in the style of encoding/csv), joining
// multi-line records; OpenLog opens plain files, gzip rotations (detected by
// their magic bytes) and "-" for standard input. Each record becomes an
// ErrorEntry: time, level, pid, tid, connection number, message, the system
// call, errno and action taken from the message, and the context fields
// nginx appends.
//
// The formats, and the nginx source that writes them (nginx 1.22.1 and
// mainline agree):
//
//	plain    YYYY/MM/DD HH:MM:SS [LEVEL] PID#TID: [*CID ]MESSAGE[ (ERRNO: STRERROR)][ while ACTION][CONTEXT]
//	         src/core/ngx_log.c ngx_log_error_core, ngx_log_errno; time from src/core/ngx_times.c
//	context  , client: ADDR, server: NAME[, request: "…"][, subrequest: "…"][, upstream: "…"][, host: "…"][, referrer: "…"]
//	         src/http/ngx_http_request.c ngx_http_log_error, ngx_http_log_error_handler
//	         , resolver: ADDR      src/core/ngx_resolver.c ngx_resolver_log_error
//	syslog   <PRI>Mmm dd HH:MM:SS HOST TAG: + the plain line (src/core/ngx_syslog.c),
//	         or the same without <PRI> as a syslog daemon writes it to a file
//	console  nginx: [LEVEL] MESSAGE    start-up errors on stderr (ngx_log_error_core, ngx_log_stderr)
//
// nginx formats a record into a buffer of NGX_MAX_ERROR_STR = 2048 bytes
// (src/core/ngx_log.h) and cuts what does not fit, newline included: a long
// "FastCGI sent in stderr" text loses its closing quote, its action and all
// its context. Such records are 2047 bytes long and are marked Truncated.
// nginx does not escape what it logs: the text a FastCGI application sent on
// stderr keeps its newlines, so one record spans several physical lines;
// a line that does not start like a record (time stamp, syslog header,
// "nginx: ") continues the record before it.
//
// The request line, the Host and Referer headers, the URIs nginx echoes in
// messages and the stderr text of the application are controlled by clients
// or applications and may contain ", client: ", quotes and " while ". The
// parser therefore does not split on delimiters: it locates the context by
// its structure (fields in nginx's order, client and server without spaces
// or quotes, quoted values that end where the next field begins) and takes
// the errno and the action from the right end of what precedes it. Where a
// Referer embeds a complete, valid-looking context, the real one (found
// first, from the left) wins. See errorbody.go for the rules.
//
// Contexts of other modules (stream's ", bytes from/to client:…", mail's
// ", login: …", OCSP's ", responder: …") are not split: they stay in
// Message, and so does their action.
//
// Errno numbers are the platform's; their text comes from the C library and
// differs between glibc and musl ("Connection timed out" vs "Operation timed
// out"): match ErrorEntry.Errno, never ErrnoText.
//
// FastCGIStderr and PHPMessages take a "FastCGI sent in stderr" record apart
// (src/http/modules/ngx_http_fastcgi_module.c; php-fpm's "PHP message: "
// prefix from sapi/fpm/fpm/fpm_main.c, separated by "\n" up to PHP 7.2,
// nothing in 7.3 to 8.2.1 and "; " from 8.2.2).
//
// # php-fpm logs and access logs
//
// ParseFPMLine and FPMReader read php-fpm's error log (sapi/fpm/fpm/zlog.c:
// "[21-Nov-2026 00:51:13] WARNING: …", with log_level = debug's
// microseconds and "pid N, func(), line N: ", a child's "NOTICE: …",
// error_log = syslog) into FPMEntry values typed by FPMEvent (child exited
// on a signal, execution timed out, max_children reached, said into
// stderr — pieces wrapped at log_limit joined —, reload, bind failure,
// configuration alerts, …). SlowReader reads the slow log's blocks
// (fpm_php_trace.c) into SlowEntry values with their stack frames.
// CompileAccessFormat compiles an nginx log_format (escape=default, json or
// none; "combined" is CombinedFormat) and AccessReader reads the access
// log into AccessEntry values, the $upstream_* lists typed as
// UpstreamList and zipped into UpstreamAttempts; CompileFPMAccessFormat
// and FPMAccessReader do the same for php-fpm's access.format
// (fpm_log.c). All readers stream with bounded memory, skip bad lines
// with a *ParseError and allocate at most one string per record.
//
// # Errors, memory, speed
//
// A record that cannot be parsed gives a *ParseError (file:line:col and an
// ErrXxx sentinel for errors.Is); the reader goes on with the next record.
// Nothing panics and memory is bounded by ErrorReaderOptions.MaxRecordBytes
// whatever the input. ParseErrorLine and the reader allocate one string per
// record (every field is a substring of it); with ReuseRecord the reader
// allocates nothing per record. Times have no zone in the log: pass the
// nginx host's *time.Location (UTC by default).
//
// ParseErrorLine and OpenLog are safe for concurrent use; an ErrorReader is
// not.
package logparse
