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

// Byte classes of byteClass.
const (
	clsAction     = 1 << iota // [ -./0-9A-Z_a-z]: may be part of an action (actionByte)
	clsW                      // 'w', the byte actionStart recognises " while " by
	clsAddr                   // [0-9a-fA-F.:[\]unix]: may be part of an address (addrByte)
	clsAddrStop               // one of ` ",\n\r`: ends or invalidates a client address (validAddr)
	clsServerStop             // one of ` "\n\r`: ends or invalidates a server name (validServer)
	clsIdent                  // [A-Za-z_]: may start a syscall name (syscallName)
	clsIdentCont              // [A-Za-z_0-9]: may continue a syscall name
)

// byteClass maps each byte to its cls* bits: one look-up per byte in the
// scanning loops instead of a chain of comparisons. It is a constant, so it
// cannot be changed; TestByteClass checks it against the definitions above.
const byteClass = "" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x18\x00\x00\x18\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x19\x00\x18\x00\x00\x00\x00\x00\x00\x00\x00\x00\x08\x01\x05\x01" +
	"\x45\x45\x45\x45\x45\x45\x45\x45\x45\x45\x04\x00\x00\x00\x00\x00" +
	"\x00\x65\x65\x65\x65\x65\x65\x61\x61\x61\x61\x61\x61\x61\x61\x61" +
	"\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x61\x04\x00\x04\x00\x61" +
	"\x00\x65\x65\x65\x65\x65\x65\x61\x61\x65\x61\x61\x61\x61\x65\x61" +
	"\x61\x61\x61\x61\x61\x65\x61\x63\x65\x61\x61\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00" +
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

// actionStart returns the index of the " while " that starts a plausible
// action at the end of r, or -1. It scans back over the bytes an action
// can hold (at most maxActionLen of them), so the message is never searched.
// The first " while " met going back is the last one; it must be followed
// by an action. It is recognised at its 'w', one byte before its space is
// reached, which keeps the loop to one table look-up per byte.
func actionStart(r string) int {
	lim := max(0, len(r)-maxActionLen-len(" while "))
	for i := len(r) - 1; i >= lim; i-- {
		switch byteClass[r[i]] & (clsAction | clsW) {
		case 0:
			return -1
		case clsAction | clsW:
			if j := i - 1; j >= lim && j+len(" while ") < len(r) && r[j:j+len(" while ")] == " while " {
				return j
			}
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
func addrByte(c byte) bool { return byteClass[c]&clsAddr != 0 }

// The delimiters `, key: "` of the quoted context fields.
const (
	keyRequest    = `, request: "`
	keySubrequest = `, subrequest: "`
	keyUpstream   = `, upstream: "`
	keyHost       = `, host: "`
	keyReferrer   = `, referrer: "`
)

// quoted context keys in nginx's order, with their delimiter `, key: "`.
var quotedKeys = [...]struct {
	key   string
	field Field
}{
	{keyRequest, FieldRequest},
	{keySubrequest, FieldSubrequest},
	{keyUpstream, FieldUpstream},
	{keyHost, FieldHost},
	{keyReferrer, FieldReferrer},
}

// context holds the context fields of one ", client: " candidate while
// findContext tries it.
type context struct {
	fields                                                    Field
	client, server, request, subrequest, upstream, host, refr string
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

// store copies the fields into e.
func (c *context) store(e *ErrorEntry) {
	e.Fields = c.fields
	e.Client, e.Server, e.Request, e.Subrequest = c.client, c.server, c.request, c.subrequest
	e.Upstream, e.Host, e.Referrer = c.upstream, c.host, c.refr
}

// parseBody splits s, the text after "PID#TID: [*CID ]", into e's Message,
// Syscall, Errno, ErrnoText, Action, context fields and Truncated, which it
// expects zero. atCap says the record has nginx's maximum length and was
// therefore probably cut. It writes through e instead of returning parts by
// value: copying the parts between frames cost more than the write
// barrier checks of the stores.
func parseBody(e *ErrorEntry, s string, atCap bool) {
	start, found := findContext(e, s, atCap)
	if !found {
		start = len(s)
	}
	r := s[:start]
	// Action: " while ACTION" right before the context. nginx appends the
	// action only together with a context (ngx_http_log_error,
	// ngx_resolver_log_error), so a record without one has none, unless
	// it was cut. nginx's actions are short ("reading response header from
	// upstream"): only the tail is scanned, which keeps long records cheap.
	if found || atCap {
		if i := actionStart(r); i >= 0 {
			if !isStderrRecord(r) || i > 0 && r[i-1] == '"' {
				e.Action = r[i+len(" while "):]
				r = r[:i]
			}
		}
	}
	// Errno: " (N: TEXT)" at the end.
	if n := len(r); n > 0 && r[n-1] == ')' {
		if i := errnoStart(r); i >= 0 {
			v, d := atou(r[i+2:])
			if d > 0 && d <= 10 && strings.HasPrefix(r[i+2+d:], ": ") && v <= 1<<31-1 {
				e.Errno = int(v)
				e.ErrnoText = r[i+2+d+2 : n-1]
				r = r[:i]
			}
		}
	}
	e.Message = r
	e.Syscall = syscallName(r)
	switch {
	case atCap:
		e.Truncated = true
	case !found && e.Action == "" && isStderrRecord(r) && !strings.HasSuffix(r, `"`):
		// A stderr text without closing quote and context was cut, though
		// not at 2048 bytes (a relay or a build with another limit cut it).
		e.Truncated = true
	}
}

// findContext finds the context suffix of s, stores its fields in e and
// returns the offset in s where it starts; found is false when s has none
// (e is then left alone).
func findContext(e *ErrorEntry, s string, lenient bool) (start int, found bool) {
	var c, fallback context
	fbStart := -1
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
		c = context{}
		if !parseSuffix(&c, s[i:], lenient) {
			continue
		}
		if c.fields&FieldRequest == 0 || strings.Count(c.request, " ") <= 2 {
			c.store(e)
			return i, true
		}
		if fbStart < 0 {
			fallback, fbStart = c, i
		}
	}
	if fbStart >= 0 {
		fallback.store(e)
		return fbStart, true
	}
	// Resolver context: ", resolver: ADDR" at the very end.
	// Scan back over the address first so that records without it cost
	// nothing.
	i := len(s)
	for i > 0 && len(s)-i < 64 && addrByte(s[i-1]) {
		i--
	}
	if i < len(s) && strings.HasSuffix(s[:i], dResolver) {
		e.Fields, e.Resolver = FieldResolver, s[i:]
		return i - len(dResolver), true
	}
	return 0, false
}

// isStderrRecord reports whether the message m starts with
// fastcgiStderrPrefix; most do not, which the first byte tells.
func isStderrRecord(m string) bool {
	return len(m) >= len(fastcgiStderrPrefix) && m[0] == 'F' && m[:len(fastcgiStderrPrefix)] == fastcgiStderrPrefix
}

// closedBefore checks that the text before a ", client: " candidate can be
// the end of a message: a "FastCGI sent in stderr" text must be closed by
// its quote (nginx writes `FastCGI sent in stderr: "%*s"` and then the
// action and context), so a context-like text inside the stderr text, or
// at the end of one physical line of it, is not taken for the context.
func closedBefore(before string) bool {
	if !isStderrRecord(before) {
		return true
	}
	if i := actionStart(before); i >= 0 {
		before = before[:i]
	}
	return len(before) > len(fastcgiStderrPrefix) && before[len(before)-1] == '"'
}

// parseSuffix parses t, which starts with ", client: ", as nginx's request
// context into c (which it expects zero). With lenient (a record cut at
// 2048 bytes) the last field may be cut, and a cut delimiter at the end is
// ignored.
func parseSuffix(c *context, t string, lenient bool) bool {
	// Client: the text up to the first ", " (or the end); not empty and
	// without any of ` ",\n\r` (validAddr). The first such byte decides:
	// only the "," of ", " may end a valid address.
	p := len(dClient)
	q := p
	for q < len(t) && byteClass[t[q]]&clsAddrStop == 0 {
		q++
	}
	if q == p || q < len(t) && (t[q] != ',' || q+1 == len(t) || t[q+1] != ' ') {
		return false
	}
	c.client = t[p:q]
	c.fields = FieldClient
	p = q
	if p == len(t) {
		return true
	}
	if strings.HasPrefix(t[p:], dServer) {
		// Server: the text up to the first ", " (or the end), without any
		// of ` "\n\r` (validServer), possibly empty. The first such byte
		// must be the space of that ", ".
		p += len(dServer)
		q = p
		for q < len(t) && byteClass[t[q]]&clsServerStop == 0 {
			q++
		}
		switch {
		case q == len(t):
		case t[q] == ' ' && q > p && t[q-1] == ',':
			q--
		default:
			return false
		}
		c.server = t[p:q]
		c.fields |= FieldServer
		p = q
	}
	last := -1
	for p < len(t) {
		k := quotedKeyAt(t[p:], last)
		if k < 0 {
			return lenient && partialDelim(t[p:])
		}
		p += len(quotedKeys[k].key)
		rest := t[p:]
		end := quotedValueEnd(rest, k)
		if end < 0 {
			if n := len(rest); n > 0 && rest[n-1] == '"' {
				c.set(k, rest[:n-1])
				return true
			}
			if lenient {
				c.set(k, rest)
				return true
			}
			return false
		}
		c.set(k, rest[:end])
		p += end + 1
		last = k
	}
	return true
}

// quotedKeyAt returns the index of the quoted key whose delimiter starts s
// and comes after key index last in nginx's order, or -1.
//
// The keys are spelled out as constants so that the compiler compares
// them with a few word loads instead of a memequal call.
func quotedKeyAt(s string, last int) int {
	if len(s) < 9 || s[0] != ',' || s[1] != ' ' {
		return -1
	}
	k, ok := -1, false
	switch s[2] {
	case 'r':
		if s[3] == 'e' && s[4] == 'q' {
			k, ok = 0, len(s) >= len(keyRequest) && s[:len(keyRequest)] == keyRequest
		} else {
			k, ok = 4, len(s) >= len(keyReferrer) && s[:len(keyReferrer)] == keyReferrer
		}
	case 's':
		k, ok = 1, len(s) >= len(keySubrequest) && s[:len(keySubrequest)] == keySubrequest
	case 'u':
		k, ok = 2, len(s) >= len(keyUpstream) && s[:len(keyUpstream)] == keyUpstream
	case 'h':
		k, ok = 3, len(s) >= len(keyHost) && s[:len(keyHost)] == keyHost
	}
	if !ok || k <= last {
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
	for from := 0; ; {
		i := strings.IndexByte(s[from:], '"')
		if i < 0 {
			return -1
		}
		i += from
		if i+2 < len(s) && s[i+1] == ',' && s[i+2] == ' ' && quotedKeyAt(s[i+1:], k) >= 0 {
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
// (c->addr_text: an IPv4 or IPv6 address, "unix:"; a resolver's ip:port):
// no ` ",\n\r`.
func validAddr(v string) bool {
	for i := 0; i < len(v); i++ {
		if byteClass[v[i]]&clsAddrStop != 0 {
			return false
		}
	}
	return true
}

// validServer accepts a server_name or listen address; it may be empty:
// no ` "\n\r`.
func validServer(v string) bool {
	for i := 0; i < len(v); i++ {
		if byteClass[v[i]]&clsServerStop != 0 {
			return false
		}
	}
	return true
}

// actionByte reports whether c can be part of the log->action strings of
// nginx and its modules: [ -./0-9A-Z_a-z] ("reading response header from
// upstream", "processing HTTP/2 connection", "SSL handshaking").
func actionByte(c byte) bool { return byteClass[c]&clsAction != 0 }

// syscallName returns "name" when msg starts with "name(…)" where name is
// a C identifier and the parentheses hold no space: "connect() to …",
// "SSL_do_handshake() failed", "getrlimit(RLIMIT_NOFILE): …".
func syscallName(msg string) string {
	if len(msg) == 0 || byteClass[msg[0]]&clsIdent == 0 {
		return ""
	}
	i := 1
	for i < len(msg) && i < 64 && byteClass[msg[i]]&clsIdentCont != 0 {
		i++
	}
	if i >= len(msg) || msg[i] != '(' {
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
