package logparse

import "strings"

// This file splits the part of a record after "*CID " into message, errno,
// action and context fields. nginx builds that part in three steps
// (src/core/ngx_log.c ngx_log_error_core, ngx_log_errno;
// src/http/ngx_http_request.c ngx_http_log_error, ngx_http_log_error_handler;
// src/core/ngx_resolver.c ngx_resolver_log_error):
//
//	MESSAGE[ (ERRNO: STRERROR)][ while ACTION][, client: ADDR[, server: NAME][, request: "…"][, subrequest: "…"][, upstream: "…"][, host: "…"][, referrer: "…"]]
//	MESSAGE[ (ERRNO: STRERROR)][ while resolving][, resolver: ADDR]
//
// The message, the request line, the Host and Referer headers and any URI
// echoed in a message are client- or application-controlled and are printed
// unescaped, so they may contain ", client: ", quotes and " while ". The
// context is therefore located by trying each ", client: " from the left and
// keeping the first one from which the rest of the record parses as nginx's
// context suffix (fields in nginx's order, client and server without
// spaces or quotes, quoted values ending where the next field's `", key: "`
// begins, the last one at the final quote) and whose request line looks like
// one (at most two spaces). A forgery in the message then fails because the
// real context would have to hide inside a forged request line; one in the
// Referer fails because an earlier candidate (the real one) already parsed.
// Among what remains, nginx's output is ambiguous and no parser can do
// better. The action and errno are then taken from the right end of what is
// left before the context.

const (
	fastcgiStderrPrefix = `FastCGI sent in stderr: "`
	dClient             = ", client: "
	dServer             = ", server: "
	dResolver           = ", resolver: "
	maxContextTries     = 32
	// maxActionLen bounds the action text searched for; nginx's longest
	// is 38 bytes ("reading client pipelined request line").
	maxActionLen = 96
	// maxErrnoLen bounds " (ERRNO: STRERROR)"; glibc's longest text is 49 bytes.
	maxErrnoLen = 96
)

// actionStart returns the index of the " while " that starts a plausible
// action at the end of r, or -1. It scans back over the bytes an action
// can hold (at most maxActionLen of them), so the message is never searched.
func actionStart(r string) int {
	lim := max(0, len(r)-maxActionLen-len(" while "))
	for i := len(r) - 1; i >= lim; i-- {
		c := r[i]
		if !actionByte(c) {
			return -1
		}
		// The first " while " met going back is the last one; it must be
		// followed by an action.
		if c == ' ' && i+len(" while ") < len(r) && r[i+1] == 'w' && r[i:i+len(" while ")] == " while " {
			return i
		}
	}
	return -1
}

// errnoStart returns the index of the " (" of a " (N: TEXT)" at the end of
// r (which ends with ')'), looking back at most maxErrnoLen bytes, or -1.
func errnoStart(r string) int {
	from := max(0, len(r)-maxErrnoLen)
	i := strings.LastIndexByte(r[from:], '(')
	if i < 0 {
		return -1
	}
	i += from
	if i == 0 || r[i-1] != ' ' || i+1 >= len(r) || !isDigit(r[i+1]) {
		return -1
	}
	return i - 1
}

// addrByte reports whether c can be part of an address nginx prints
// (IPv4, [IPv6], port, "unix:").
func addrByte(c byte) bool {
	return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':' || c == '[' || c == ']' ||
		c == 'u' || c == 'n' || c == 'i' || c == 'x'
}

// quoted context keys in nginx's order, with their delimiter `, key: "`.
var quotedKeys = [...]struct {
	key   string
	field Field
}{
	{`, request: "`, FieldRequest},
	{`, subrequest: "`, FieldSubrequest},
	{`, upstream: "`, FieldUpstream},
	{`, host: "`, FieldHost},
	{`, referrer: "`, FieldReferrer},
}

type context struct {
	fields                                                    Field
	client, server, request, subrequest, upstream, host, refr string
	resolver                                                  string
}

func (c *context) set(k int, v string) {
	c.fields |= quotedKeys[k].field
	switch k {
	case 0:
		c.request = v
	case 1:
		c.subrequest = v
	case 2:
		c.upstream = v
	case 3:
		c.host = v
	case 4:
		c.refr = v
	}
}

// body is what parseBody finds in the text after "PID#TID: [*CID ]". It is
// returned by value (not written through a pointer) so that the hot path
// stores its strings without GC write barriers.
type body struct {
	message, syscall, errnoText, action string
	errno                               int
	ctx                                 context
	truncated                           bool
}

// parseBody splits s, the text after "PID#TID: [*CID ]", into message,
// syscall, errno, action and context. atCap says the record has nginx's
// maximum length and was therefore probably cut.
func parseBody(s string, atCap bool) (b body) {
	start, c, found := findContext(s, atCap)
	if !found {
		start = len(s)
	}
	r := s[:start]
	// Action: " while ACTION" right before the context. nginx appends the
	// action only together with a context (ngx_http_log_error,
	// ngx_resolver_log_error), so a record without one has none, unless
	// it was cut. nginx's actions are short ("reading response header from
	// upstream"): only the tail is scanned, which keeps long records cheap.
	if !found && !atCap {
		// no action
	} else if i := actionStart(r); i >= 0 {
		a := r[i+len(" while "):]
		if !strings.HasPrefix(r, fastcgiStderrPrefix) || i > 0 && r[i-1] == '"' {
			b.action = a
			r = r[:i]
		}
	}
	// Errno: " (N: TEXT)" at the end.
	if n := len(r); n > 0 && r[n-1] == ')' {
		if i := errnoStart(r); i >= 0 {
			v, d := atou(r[i+2:])
			if d > 0 && d <= 10 && strings.HasPrefix(r[i+2+d:], ": ") && v <= 1<<31-1 {
				b.errno = int(v)
				b.errnoText = r[i+2+d+2 : n-1]
				r = r[:i]
			}
		}
	}
	b.message = r
	b.syscall = syscallName(r)
	if found {
		b.ctx = c
	}
	switch {
	case atCap:
		b.truncated = true
	case !found && b.action == "" && strings.HasPrefix(r, fastcgiStderrPrefix) && !strings.HasSuffix(r, `"`):
		// A stderr text without closing quote and context was cut, though
		// not at 2048 bytes (a relay or a build with another limit cut it).
		b.truncated = true
	}
	return b
}

// findContext returns the offset in s where the context suffix starts.
func findContext(s string, lenient bool) (int, context, bool) {
	fallback, fbStart := context{}, -1
	from := 0
	for try := 0; try < maxContextTries; try++ {
		i := strings.Index(s[from:], dClient)
		if i < 0 {
			break
		}
		i += from
		from = i + len(dClient)
		if !closedBefore(s[:i]) {
			continue
		}
		cc, ok := parseSuffix(s[i:], lenient)
		if !ok {
			continue
		}
		if cc.fields&FieldRequest == 0 || strings.Count(cc.request, " ") <= 2 {
			return i, cc, true
		}
		if fbStart < 0 {
			fallback, fbStart = cc, i
		}
	}
	if fbStart >= 0 {
		return fbStart, fallback, true
	}
	// Resolver context: ", resolver: ADDR" at the very end.
	// Scan back over the address first so that records without it cost
	// nothing.
	i := len(s)
	for i > 0 && len(s)-i < 64 && addrByte(s[i-1]) {
		i--
	}
	if i < len(s) && strings.HasSuffix(s[:i], dResolver) {
		i -= len(dResolver)
		return i, context{fields: FieldResolver, resolver: s[i+len(dResolver):]}, true
	}
	return 0, context{}, false
}

// closedBefore checks that the text before a ", client: " candidate can be
// the end of a message: a "FastCGI sent in stderr" text must be closed by
// its quote (nginx writes `FastCGI sent in stderr: "%*s"` and then the
// action and context), so a context-like text inside the stderr text, or
// at the end of one physical line of it, is not taken for the context.
func closedBefore(before string) bool {
	if !strings.HasPrefix(before, fastcgiStderrPrefix) {
		return true
	}
	if i := actionStart(before); i >= 0 {
		before = before[:i]
	}
	return len(before) > len(fastcgiStderrPrefix) && before[len(before)-1] == '"'
}

// parseSuffix parses t, which starts with ", client: ", as nginx's request
// context. With lenient (a record cut at 2048 bytes) the last field may be
// cut, and a cut delimiter at the end is ignored.
func parseSuffix(t string, lenient bool) (c context, ok bool) {
	p := len(dClient)
	v, n := untilCommaSpace(t[p:])
	if v == "" || !validAddr(v) {
		return c, false
	}
	c.client = v
	c.fields = FieldClient
	p += n
	if p == len(t) {
		return c, true
	}
	if strings.HasPrefix(t[p:], dServer) {
		p += len(dServer)
		v, n = untilCommaSpace(t[p:])
		if !validServer(v) {
			return c, false
		}
		c.server = v
		c.fields |= FieldServer
		p += n
	}
	last := -1
	for p < len(t) {
		k := quotedKeyAt(t[p:], last)
		if k < 0 {
			return c, lenient && partialDelim(t[p:])
		}
		p += len(quotedKeys[k].key)
		rest := t[p:]
		end := quotedValueEnd(rest, k)
		if end < 0 {
			if n := len(rest); n > 0 && rest[n-1] == '"' {
				c.set(k, rest[:n-1])
				return c, true
			}
			if lenient {
				c.set(k, rest)
				return c, true
			}
			return c, false
		}
		c.set(k, rest[:end])
		p += end + 1
		last = k
	}
	return c, true
}

// untilCommaSpace returns the text up to the next ", " (or all of s) and
// the number of bytes it spans.
func untilCommaSpace(s string) (string, int) {
	if i := strings.Index(s, ", "); i >= 0 {
		return s[:i], i
	}
	return s, len(s)
}

// quotedKeyAt returns the index of the quoted key whose delimiter starts s
// and comes after key index last in nginx's order, or -1.
func quotedKeyAt(s string, last int) int {
	if len(s) < 9 || s[0] != ',' || s[1] != ' ' {
		return -1
	}
	k := -1
	switch s[2] {
	case 'r':
		if s[3] == 'e' && s[4] == 'q' {
			k = 0
		} else {
			k = 4
		}
	case 's':
		k = 1
	case 'u':
		k = 2
	case 'h':
		k = 3
	default:
		return -1
	}
	if k <= last || !strings.HasPrefix(s, quotedKeys[k].key) {
		return -1
	}
	return k
}

// quotedValueEnd returns the index of the closing quote of a value of key
// k: the first `"` followed by the delimiter of a later key, or -1.
func quotedValueEnd(s string, k int) int {
	if k == len(quotedKeys)-1 {
		return -1 // referrer is always last: it runs to the final quote
	}
	from := 0
	for {
		i := strings.Index(s[from:], `", `)
		if i < 0 {
			return -1
		}
		i += from
		if quotedKeyAt(s[i+1:], k) >= 0 {
			return i
		}
		from = i + 1
	}
}

// partialDelim reports whether s is a cut beginning of a context delimiter
// (", ", ", ser", `, request: "`…), as left by nginx's 2048-byte cut.
func partialDelim(s string) bool {
	if len(s) < 2 || s[0] != ',' || s[1] != ' ' {
		return s == ","
	}
	for _, k := range quotedKeys {
		if strings.HasPrefix(k.key, s) {
			return true
		}
	}
	return strings.HasPrefix(dServer, s)
}

// validAddr accepts a client or resolver address as nginx prints it
// (c->addr_text: an IPv4 or IPv6 address, "unix:"; a resolver's ip:port).
func validAddr(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ' ', '"', ',', '\n', '\r':
			return false
		}
	}
	return true
}

// validServer accepts a server_name or listen address; it may be empty.
func validServer(v string) bool {
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case ' ', '"', '\n', '\r':
			return false
		}
	}
	return true
}

// plausibleAction accepts the log->action strings of nginx and its
// modules: words, digits, spaces and "/._-" ("reading response header from
// upstream", "processing HTTP/2 connection", "SSL handshaking").
func plausibleAction(a string) bool {
	if a == "" {
		return false
	}
	for i := 0; i < len(a); i++ {
		if !actionByte(a[i]) {
			return false
		}
	}
	return true
}

// actionByte reports whether c is one of [ -./0-9A-Z_a-z], with two
// constant bit masks for bytes 0-63 and 64-127.
func actionByte(c byte) bool {
	const (
		lo = 1<<' ' | 1<<'-' | 1<<'.' | 1<<'/' | (1<<10-1)<<'0'
		hi = (1<<26-1)<<('A'-64) | 1<<('_'-64) | (1<<26-1)<<('a'-64)
	)
	switch c >> 6 {
	case 0:
		return lo&(1<<(c&63)) != 0
	case 1:
		return hi&(1<<(c&63)) != 0
	}
	return false
}

// syscallName returns "name" when msg starts with "name(…)" where name is
// a C identifier and the parentheses hold no space: "connect() to …",
// "SSL_do_handshake() failed", "getrlimit(RLIMIT_NOFILE): …".
func syscallName(msg string) string {
	i := 0
	for i < len(msg) && i < 64 {
		c := msg[i]
		if c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || i > 0 && isDigit(c) {
			i++
			continue
		}
		break
	}
	if i == 0 || i >= len(msg) || msg[i] != '(' {
		return ""
	}
	for j := i + 1; j < len(msg) && j < i+64; j++ {
		switch msg[j] {
		case ')':
			return msg[:i]
		case ' ', '(':
			return ""
		}
	}
	return ""
}
