package logparse

import (
	"iter"
	"strings"
)

// phpMessagePrefix is what php-fpm puts before each PHP error it sends on
// the FastCGI stderr stream (sapi/fpm/fpm/fpm_main.c sapi_cgi_log_message).
const phpMessagePrefix = "PHP message: "

// FastCGIStderr returns the text a FastCGI application sent on stderr, as
// nginx quoted it in a `FastCGI sent in stderr: "…"` record
// (src/http/modules/ngx_http_fastcgi_module.c), without the quotes, and
// true; or "" and false when the record is not one. The text is a
// substring of Raw (no allocation) and may span several lines. For a
// Truncated record it runs to the cut and has no closing quote.
func (e *ErrorEntry) FastCGIStderr() (string, bool) {
	m := e.Message
	if !strings.HasPrefix(m, fastcgiStderrPrefix) {
		return "", false
	}
	m = m[len(fastcgiStderrPrefix):]
	if n := len(m); n > 0 && m[n-1] == '"' && !(e.Truncated && e.Fields == 0 && e.Action == "") {
		m = m[:n-1]
	}
	return m, true
}

// PHPMessages returns an iterator over the PHP messages in the record's
// FastCGI stderr text (see FastCGIStderr and AppendPHPMessages); it yields
// nothing when the record is not a "FastCGI sent in stderr" record. The
// iterator reads *e each time it runs (e must stay valid; in ErrorReader's
// reuse mode, until the next Read); it can be used any number of times and
// does not allocate.
func (e *ErrorEntry) PHPMessages() iter.Seq[string] {
	return func(yield func(string) bool) { yieldPHPMessages(e, yield) }
}

func yieldPHPMessages(e *ErrorEntry, yield func(string) bool) {
	text, _ := e.FastCGIStderr()
	for rest := text; rest != ""; {
		var m string
		m, rest = nextPHPMessage(rest)
		if m != "" && !yield(m) {
			return
		}
	}
}

// AppendPHPMessages splits stderr, the text of a FastCGI stderr record (see
// ErrorEntry.FastCGIStderr), into the PHP messages it holds, appends them
// to dst and returns the extended slice. Each message is a substring of
// stderr without its "PHP message: " prefix, e.g. "PHP Fatal error:  Uncaught
// Error: …". php-fpm separates messages sent in one FastCGI record by "\n"
// (PHP ≤ 7.2), by nothing (7.3 – 8.2.1) or by "; " (≥ 8.2.2, php bug
// #77106); all three are recognised, and the separator is removed. A
// message's own newlines (a stack trace) are kept. Text before the first
// "PHP message: " (php-fpm's own "Primary script unknown", or output of
// another FastCGI application) is appended as one message. Empty messages
// are skipped. With enough capacity in dst it does not allocate.
func AppendPHPMessages(dst []string, stderr string) []string {
	for rest := stderr; rest != ""; {
		var m string
		m, rest = nextPHPMessage(rest)
		if m != "" {
			dst = append(dst, m)
		}
	}
	return dst
}

// nextPHPMessage returns the first message of s and the rest after it.
func nextPHPMessage(s string) (msg, rest string) {
	s = strings.TrimPrefix(s, phpMessagePrefix)
	i := strings.Index(s, phpMessagePrefix)
	if i < 0 {
		return s, ""
	}
	msg, rest = s[:i], s[i:]
	switch {
	case strings.HasSuffix(msg, "; "):
		msg = msg[:len(msg)-2]
	case strings.HasSuffix(msg, "\r\n"):
		msg = msg[:len(msg)-2]
	case strings.HasSuffix(msg, "\n"):
		msg = msg[:len(msg)-1]
	}
	return msg, rest
}
