package logparse

import (
	"errors"
	"iter"
	"math/bits"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// CombinedFormat is the format text of nginx's predefined "combined"
// log_format (src/http/modules/ngx_http_log_module.c ngx_http_combined_fmt),
// the format of access_log without a format name.
const CombinedFormat = `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent"`

// Errors of the access-log parsers that a *ParseError wraps.
var (
	// ErrBadLogFormat: a log_format or access.format text cannot be
	// compiled (a "$" without a variable name, an unknown escape= value,
	// an unknown php-fpm "%" token or an unclosed "%{").
	ErrBadLogFormat = errors.New("bad log format")
	// ErrFormatMismatch: the line does not match its format (a literal
	// part is missing or a typed value such as $status is malformed).
	ErrFormatMismatch = errors.New("line does not match the log format")
)

// AccessFormat is a compiled nginx log_format: the format text split into
// literal text and variables, ready to parse lines written with it.
// Compile once and parse many lines; an AccessFormat is immutable and safe
// for concurrent use.
type AccessFormat struct {
	name   string
	text   string
	escape AccessEscape
	items  []accessItem
}

// accessItem is a variable with the literal text that precedes it; the
// last item may be only a literal (name == "").
type accessItem struct {
	lit  string
	name string
	kind accessVar
	// next is the literal after the variable when the value simply runs
	// to it (the common case, parsed inline by parse); "" otherwise.
	next string
	// nextW and nextM are next's first (up to) eight bytes as a
	// little-endian word and the mask of those bytes; nextPat is next[0]
	// in every byte, for the word-wide search.
	nextW, nextM, nextPat uint64
	// litW and litM are lit's first (up to) eight bytes and their mask.
	litW, litM uint64
	// quick: a value parse's inner loop, which makes no call, can take:
	// a string, $status or a byte count running to a next of at most 8
	// bytes, after a literal of at most 8.
	quick bool
	// op is how parse finds a value that is not searched for next
	// (opScan: by scan).
	op uint8
}

// The accessItem.op values.
const (
	opScan      = iota
	opTimeLocal // $time_local: 26 bytes
	opTimeISO   // $time_iso8601: 25 bytes
	opRest      // the last variable: to the end of the line
	opEnd       // the final literal: then the end of the line
	opURI       // php-fpm %r before another token: to '?', ' ' or '"'
	opQuery     // php-fpm %Q before another token: "?" or nothing
)

type accessVar uint8

const (
	avOther accessVar = iota
	avRemoteAddr
	avRemoteUser
	avTimeLocal
	avTimeISO8601
	avMsec
	avRequest
	avRequestMethod
	avRequestURI
	avServerProtocol
	avStatus
	avBodyBytesSent
	avBytesSent
	avRequestLength
	avRequestTime
	avReferer
	avUserAgent
	avHost
	avHTTPHost
	avUpstreamAddr
	avUpstreamStatus
	avUpstreamResponseTime
	avUpstreamConnectTime
	avUpstreamHeaderTime
	avUpstreamResponseLength
	avUpstreamOther // another $upstream_* list ($upstream_bytes_received, …)
)

var accessVars = map[string]accessVar{
	"remote_addr": avRemoteAddr, "remote_user": avRemoteUser, "time_local": avTimeLocal,
	"time_iso8601": avTimeISO8601, "msec": avMsec, "request": avRequest,
	"request_method": avRequestMethod, "request_uri": avRequestURI, "server_protocol": avServerProtocol,
	"status": avStatus, "body_bytes_sent": avBodyBytesSent, "bytes_sent": avBytesSent,
	"request_length": avRequestLength, "request_time": avRequestTime, "http_referer": avReferer,
	"http_user_agent": avUserAgent, "host": avHost, "http_host": avHTTPHost,
	"upstream_addr": avUpstreamAddr, "upstream_status": avUpstreamStatus,
	"upstream_response_time": avUpstreamResponseTime, "upstream_connect_time": avUpstreamConnectTime,
	"upstream_header_time": avUpstreamHeaderTime, "upstream_response_length": avUpstreamResponseLength,
	"upstream_bytes_received": avUpstreamOther, "upstream_bytes_sent": avUpstreamOther,
	"upstream_cache_status": avUpstreamOther,
}

// ParseAccessEscape returns the AccessEscape of log_format's escape=
// value ("default", "json" or "none"); the error wraps ErrBadLogFormat.
func ParseAccessEscape(s string) (AccessEscape, error) {
	switch s {
	case "default", "":
		return EscapeDefault, nil
	case "json":
		return EscapeJSON, nil
	case "none":
		return EscapeNone, nil
	}
	return 0, &ParseError{Err: ErrBadLogFormat}
}

// String returns "default", "json" or "none".
func (e AccessEscape) String() string {
	switch e {
	case EscapeJSON:
		return "json"
	case EscapeNone:
		return "none"
	}
	return "default"
}

// CompileAccessFormat compiles the text of a log_format directive — its
// strings concatenated, as nginx does (src/http/modules/ngx_http_log_module.c
// ngx_http_log_compile_format) — with its escape= mode. Variables are
// "$name" or "${name}" (letters, digits, "_"); every variable is accepted:
// the ones AccessEntry types fill its fields, the others are kept as raw
// values (AccessEntry.Var). name is informational (Name).
//
// How a line is split: each variable's value runs to the first occurrence
// of the literal text that follows it in the format, which escaping makes
// exact for quoted values ('"' is written \x22, or \" with escape=json,
// which the search skips). $time_local and $time_iso8601 have a fixed
// width; an $upstream_* list followed by a literal starting with a space
// or a comma is read value by value (", " and " : " inside it). Two
// variables side by side ("$host$request_uri") are split where the first
// one's value cannot go on (digits for numbers, "/" ends a host), else at
// the literal after the second. With escape=none a value that holds its
// following literal is cut there: nginx wrote the line ambiguously.
//
// The error is a *ParseError wrapping ErrBadLogFormat, whose Pos.Col is the
// 1-based byte of the format text at fault.
func CompileAccessFormat(name string, escape AccessEscape, format string) (*AccessFormat, error) {
	f := &AccessFormat{name: name, text: format, escape: escape}
	lit := 0
	for i := 0; i < len(format); {
		if format[i] != '$' {
			i++
			continue
		}
		start := i
		i++
		brace := i < len(format) && format[i] == '{'
		if brace {
			i++
		}
		j := i
		for j < len(format) && isVarChar(format[j]) {
			j++
		}
		if j == i || brace && (j >= len(format) || format[j] != '}') {
			return nil, &ParseError{Pos: badgateway.Pos{Line: 1, Col: start + 1}, Err: ErrBadLogFormat}
		}
		v := format[i:j]
		if brace {
			j++
		}
		k, ok := accessVars[v]
		if !ok && strings.HasPrefix(v, "upstream_") {
			k = avUpstreamOther
		}
		f.items = append(f.items, accessItem{lit: format[lit:start], name: v, kind: k})
		lit, i = j, j
	}
	if lit < len(format) || len(f.items) == 0 {
		f.items = append(f.items, accessItem{lit: format[lit:]})
	}
	for i := range f.items {
		it := &f.items[i]
		it.litW, it.litM = litWord(it.lit)
		switch {
		case it.kind == avTimeLocal:
			it.op = opTimeLocal
		case it.kind == avTimeISO8601:
			it.op = opTimeISO
		case it.name == "":
			it.op = opEnd
		case i+1 == len(f.items):
			it.op = opRest
		}
		if it.name == "" || i+1 >= len(f.items) {
			continue
		}
		next := f.items[i+1].lit
		switch it.kind {
		case avTimeLocal, avTimeISO8601:
			continue
		case avUpstreamAddr, avUpstreamStatus, avUpstreamResponseTime, avUpstreamConnectTime,
			avUpstreamHeaderTime, avUpstreamResponseLength, avUpstreamOther:
			if next != "" && (next[0] == ' ' || next[0] == ',') {
				continue
			}
		}
		if next != "" && !(escape == EscapeJSON && next[0] == '"') {
			it.next = next
			it.nextW, it.nextM = litWord(next)
			it.nextPat = uint64(next[0]) * 0x0101010101010101
			switch it.kind {
			case avOther, avUpstreamOther, avRemoteAddr, avRemoteUser, avRequest, avRequestMethod, avRequestURI,
				avServerProtocol, avStatus, avBodyBytesSent, avBytesSent, avRequestLength, avReferer, avUserAgent,
				avHost, avHTTPHost, avUpstreamAddr, avUpstreamStatus, avUpstreamResponseTime, avUpstreamConnectTime,
				avUpstreamHeaderTime, avUpstreamResponseLength:
				it.quick = len(next) <= 8 && len(it.lit) <= 8
			}
		}
	}
	return f, nil
}

// litWord returns the first (up to) eight bytes of lit as a little-endian
// word and the mask of the bytes it holds.
func litWord(lit string) (w, m uint64) {
	for k := 0; k < len(lit) && k < 8; k++ {
		w |= uint64(lit[k]) << (8 * k)
		m |= 0xff << (8 * k)
	}
	return w, m
}

// wordAt returns s[i:i+8] as a little-endian word (one bounds check; the
// compiler makes it one load).
func wordAt(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

func isVarChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_'
}

// CombinedAccessFormat returns nginx's predefined "combined" format
// (CombinedFormat, escape=default), freshly compiled.
func CombinedAccessFormat() *AccessFormat {
	f, err := CompileAccessFormat("combined", EscapeDefault, CombinedFormat)
	if err != nil {
		panic("logparse: combined format: " + err.Error())
	}
	return f
}

// Name returns the format's name as given to CompileAccessFormat.
func (f *AccessFormat) Name() string { return f.name }

// Text returns the format text.
func (f *AccessFormat) Text() string { return f.text }

// Escape returns the escape= mode.
func (f *AccessFormat) Escape() AccessEscape { return f.escape }

// Vars returns the names of the format's variables (without "$"), in
// order; a variable used twice appears twice.
func (f *AccessFormat) Vars() []string {
	var v []string
	for _, it := range f.items {
		if it.name != "" {
			v = append(v, it.name)
		}
	}
	return v
}

// Parse parses one access-log line written with f. Trailing "\r" and "\n"
// are removed. Raw is a copy of line and every string field a substring of
// it (one allocation). The error is a *ParseError wrapping
// ErrFormatMismatch (Pos.Col: the byte where the line departs from the
// format) or ErrLineTooLong. Parse never panics and is safe for concurrent
// use.
func (f *AccessFormat) Parse(line []byte) (AccessEntry, error) {
	line = trimEOL(line)
	if len(line) > DefaultMaxRecordBytes {
		return AccessEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1}, Err: ErrLineTooLong}
	}
	var e AccessEntry
	if col, err := f.parse(&e, string(line), nil); err != nil {
		return AccessEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: col}, Err: err}
	}
	e.Pos = badgateway.Pos{Line: 1}
	return e, nil
}

// scan locates the value of item i in s from p: it checks the literal and
// returns the value's bounds. col is 1-based on error.
func (f *AccessFormat) scan(s string, p, i int) (vs, ve int, err error) {
	it := &f.items[i]
	if !hasLit(s, p, it.lit) {
		return 0, 0, ErrFormatMismatch
	}
	p += len(it.lit)
	if it.name == "" {
		if p != len(s) {
			return p, p, ErrFormatMismatch
		}
		return p, p, nil
	}
	next := ""
	last := i+1 >= len(f.items)
	if !last {
		next = f.items[i+1].lit
	}
	switch it.kind {
	case avTimeLocal:
		if len(s)-p >= 26 && s[p+2] == '/' && s[p+20] == ' ' {
			return p, p + 26, nil
		}
	case avTimeISO8601:
		if len(s)-p >= 25 && s[p+4] == '-' && s[p+10] == 'T' {
			return p, p + 25, nil
		}
	case avUpstreamAddr, avUpstreamStatus, avUpstreamResponseTime, avUpstreamConnectTime,
		avUpstreamHeaderTime, avUpstreamResponseLength, avUpstreamOther:
		// A list holds ", " and " : ": read it value by value when the
		// next literal starts with a byte of those separators; else (a
		// quote, "|"…) the literal cannot occur inside and find is exact.
		if next != "" && (next[0] == ' ' || next[0] == ',') && !strings.HasPrefix(next, ", ") && !strings.HasPrefix(next, " : ") {
			return p, f.scanList(s, p, next), nil
		}
	}
	if last || next == "" {
		if last {
			return p, len(s), nil
		}
		// Two variables side by side: this one runs to the first byte
		// that cannot be in its value, else up to the next literal.
		e := p
		for e < len(s) && valueChar(it.kind, s[e]) {
			e++
		}
		if e > p && it.kind != avOther {
			return p, e, nil
		}
		// Fall back: up to the literal after the next variable.
		for k := i + 1; k < len(f.items); k++ {
			if l := f.items[k].lit; l != "" {
				return p, f.find(s, p, l), nil
			}
		}
		return p, len(s), nil
	}
	return p, f.find(s, p, next), nil
}

// hasLit reports whether s has lit at p (strings.HasPrefix without the
// call for the short literals of log formats).
func hasLit(s string, p int, lit string) bool {
	if len(s)-p < len(lit) {
		return false
	}
	if len(lit) > 8 {
		return s[p:p+len(lit)] == lit
	}
	for k := 0; k < len(lit); k++ {
		if s[p+k] != lit[k] {
			return false
		}
	}
	return true
}

// find returns the index of the first occurrence of lit in s from p (len(s)
// when none). With escape=json, a '"' preceded by an odd number of
// backslashes is part of a value, not the literal.
func (f *AccessFormat) find(s string, p int, lit string) int {
	for from := p; ; {
		i := findLit(s, from, lit)
		if i < 0 {
			return len(s)
		}
		if f.escape == EscapeJSON && lit[0] == '"' {
			bs := 0
			for k := i - 1; k >= p && s[k] == '\\'; k-- {
				bs++
			}
			if bs%2 == 1 {
				from = i + 1
				continue
			}
		}
		return i
	}
}

// findLit returns the index of the first occurrence of lit (not empty) in
// s from p, or -1.
func findLit(s string, p int, lit string) int {
	for i := p; i < len(s); i++ {
		if i = indexByteFrom(s, i, lit[0]); i < 0 {
			return -1
		}
		if hasLit(s, i, lit) {
			return i
		}
	}
	return -1
}

// indexByteFrom returns the index of the first c in s from p, or -1.
// Log values are short: eight bytes at a time (SWAR) find it before
// IndexByte's call would pay off, which takes over after 64 bytes.
func indexByteFrom(s string, p int, c byte) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	pat := uint64(c) * lo
	i := p
	for end := min(len(s), p+64); i+8 <= end; i += 8 {
		x := wordAt(s, i) ^ pat
		if m := (x - lo) &^ x & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	if i < min(len(s), p+64) {
		for end := min(len(s), p+64); i < end; i++ {
			if s[i] == c {
				return i
			}
		}
	}
	if i >= len(s) {
		return -1
	}
	if j := strings.IndexByte(s[i:], c); j >= 0 {
		return i + j
	}
	return -1
}

// scanList reads an $upstream_* list at p: values without spaces joined
// by ", " or " : ", ending where next (which does not start with a list
// separator) matches.
func (f *AccessFormat) scanList(s string, p int, next string) int {
	e := p
	n0 := next[0]
	for {
		for e < len(s) {
			c := s[e]
			if c == ' ' || c == ',' || c == n0 && strings.HasPrefix(s[e:], next) {
				break
			}
			e++
		}
		switch {
		case e+2 < len(s) && s[e] == ',' && s[e+1] == ' ' && s[e+2] != ' ':
			e += 2
		case e+3 < len(s) && s[e] == ' ' && s[e+1] == ':' && s[e+2] == ' ' && s[e+3] != ' ':
			e += 3
		default:
			if !strings.HasPrefix(s[e:], next) {
				// Not a list after all: fall back to the literal.
				return f.find(s, p, next)
			}
			return e
		}
	}
}

// valueChar reports whether c can be part of a value of kind.
func valueChar(kind accessVar, c byte) bool {
	switch kind {
	case avStatus, avBodyBytesSent, avBytesSent, avRequestLength:
		return isDigit(c) || c == '-'
	case avRequestTime, avMsec:
		return isDigit(c) || c == '.' || c == '-'
	case avRemoteAddr:
		return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' || c == '.' || c == ':' || c == '-' || c == 'u' || c == 'n' || c == 'x' || c == 'i'
	case avHost, avHTTPHost:
		return c != '/' && c != ' ' && c != '"'
	}
	return c != ' ' && c != '"'
}

// parse parses s (the line without EOL) into e, which must be zero; on
// error e is left partly filled. zc caches time zones (nil: none).
func (f *AccessFormat) parse(e *AccessEntry, s string, zc *zoneCache) (col int, err error) {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	e.Raw, e.Format = s, f
	e.BodyBytesSent, e.BytesSent, e.RequestLength, e.RequestTime = -1, -1, -1, -1
	p := 0
	litOK := false // the literal at p was already matched by the search
	items := f.items
	for i := 0; i < len(items); i++ {
		// The quick items, in a loop without calls (whose values stay
		// in registers); the others, or a quick one this loop cannot
		// finish, below.
		for ; i < len(items); i++ {
			it := &items[i]
			if !it.quick {
				break
			}
			if !litOK && (len(s)-p < 8 || wordAt(s, p)&it.litM != it.litW) {
				break
			}
			vs := p + len(it.lit)
			ve := -1
			for j := vs; len(s)-j >= 16; j += 8 {
				x := wordAt(s, j) ^ it.nextPat
				if m := (x - lo) &^ x & hi; m != 0 {
					ve = j + bits.TrailingZeros64(m)>>3
					break
				}
			}
			if ve < 0 || wordAt(s, ve)&it.nextM != it.nextW {
				break
			}
			v := s[vs:ve]
			switch it.kind {
			case avRemoteAddr:
				e.RemoteAddr = v
			case avRequest:
				e.Request = v
			case avRequestMethod:
				e.Method = v
			case avRequestURI:
				e.URI = v
			case avServerProtocol:
				e.Protocol = v
			case avHost:
				e.Host = v
			case avHTTPHost:
				if e.Host == "" && v != "-" && !(v == "" && f.escape == EscapeJSON) {
					e.Host = v
				}
			case avReferer, avUserAgent, avRemoteUser:
				if v == "-" || v == "" && f.escape == EscapeJSON {
					break
				}
				switch it.kind {
				case avReferer:
					e.Referer = v
				case avUserAgent:
					e.UserAgent = v
				default:
					e.RemoteUser = v
				}
			case avStatus:
				if len(v) != 3 || !isDigit(v[0]) || !isDigit(v[1]) || !isDigit(v[2]) {
					goto slow
				}
				e.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
			case avBodyBytesSent, avBytesSent, avRequestLength:
				// 1-18 digits, as int64Value reads them; else below.
				if len(v) == 0 || len(v) > 18 {
					goto slow
				}
				var n int64
				for k := 0; k < len(v); k++ {
					c := v[k] - '0'
					if c > 9 {
						goto slow
					}
					n = n*10 + int64(c)
				}
				switch it.kind {
				case avBodyBytesSent:
					e.BodyBytesSent = n
				case avBytesSent:
					e.BytesSent = n
				default:
					e.RequestLength = n
				}
			case avUpstreamAddr:
				e.UpstreamAddr = UpstreamList(v)
			case avUpstreamStatus:
				e.UpstreamStatus = UpstreamList(v)
			case avUpstreamResponseTime:
				e.UpstreamResponseTime = UpstreamList(v)
			case avUpstreamConnectTime:
				e.UpstreamConnectTime = UpstreamList(v)
			case avUpstreamHeaderTime:
				e.UpstreamHeaderTime = UpstreamList(v)
			case avUpstreamResponseLength:
				e.UpstreamResponseLength = UpstreamList(v)
			}
			p, litOK = ve, true
		}
	slow:
		if i >= len(items) {
			break
		}
		it := &items[i]
		var vs, ve int
		// Does the item's literal start at p? Known when the last
		// search matched it; else one masked word comparison.
		lok := litOK
		if !lok {
			if len(s)-p >= 8 && len(it.lit) <= 8 {
				lok = wordAt(s, p)&it.litM == it.litW
			} else {
				lok = hasLit(s, p, it.lit)
			}
		}
		if it.next != "" && lok {
			// Inline: the value runs to the first occurrence of next;
			// the first eight bytes are searched here, the rest by
			// indexByteFrom.
			vs = p + len(it.lit)
			if len(s)-vs >= 8 {
				x := wordAt(s, vs) ^ it.nextPat
				if m := (x - lo) &^ x & hi; m != 0 {
					ve = vs + bits.TrailingZeros64(m)>>3
				} else {
					ve = indexByteFrom(s, vs+8, it.next[0])
				}
			} else {
				ve = indexByteFrom(s, vs, it.next[0])
			}
			ok := false
			if ve >= 0 {
				if len(s)-ve >= 8 && len(it.next) <= 8 {
					ok = wordAt(s, ve)&it.nextM == it.nextW
				} else {
					ok = hasLit(s, ve, it.next)
				}
			}
			if !ok {
				ve = f.find(s, vs, it.next)
			}
			litOK = ve < len(s)
		} else {
			// The fixed-width times and the end of the line here, the
			// rest (and every mismatch) by scan.
			litOK = false
			vs = p + len(it.lit)
			fast := false
			if it.op != opScan && lok {
				switch it.op {
				case opTimeLocal:
					ve = vs + 26
					fast = len(s)-vs >= 26 && s[vs+2] == '/' && s[vs+20] == ' '
				case opTimeISO:
					ve = vs + 25
					fast = len(s)-vs >= 25 && s[vs+4] == '-' && s[vs+10] == 'T'
				case opRest:
					ve, fast = len(s), true
				case opEnd:
					ve, fast = vs, vs == len(s)
				}
			}
			if !fast {
				var err error
				vs, ve, err = f.scan(s, p, i)
				if err != nil {
					return mismatchCol(s, p, it.lit), err
				}
			}
		}
		p = ve
		v := s[vs:ve]
		switch it.kind {
		case avOther, avUpstreamOther:
		case avTimeLocal:
			t, ok := parseTimeLocal(v, zc)
			if !ok {
				return vs + 1, ErrFormatMismatch
			}
			e.Time = t
		case avRequestTime:
			if v == "-" || v == "" && f.escape == EscapeJSON {
				break
			}
			d, ok := decimalSeconds(v)
			if !ok {
				return vs + 1, ErrFormatMismatch
			}
			e.RequestTime = d
		case avRemoteAddr:
			e.RemoteAddr = v
		case avRequest:
			e.Request = v
		case avStatus:
			// nginx writes three digits.
			if len(v) == 3 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) {
				e.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
				break
			}
			st, n := atoi(v)
			if n == 0 || n != len(v) {
				return vs + 1, ErrFormatMismatch
			}
			e.Status = st
		case avReferer, avUserAgent, avRemoteUser:
			if v == "-" || v == "" && f.escape == EscapeJSON {
				break
			}
			switch it.kind {
			case avReferer:
				e.Referer = v
			case avUserAgent:
				e.UserAgent = v
			default:
				e.RemoteUser = v
			}
		case avUpstreamAddr:
			e.UpstreamAddr = UpstreamList(v)
		case avUpstreamStatus:
			e.UpstreamStatus = UpstreamList(v)
		case avUpstreamResponseTime:
			e.UpstreamResponseTime = UpstreamList(v)
		case avUpstreamConnectTime:
			e.UpstreamConnectTime = UpstreamList(v)
		case avUpstreamHeaderTime:
			e.UpstreamHeaderTime = UpstreamList(v)
		case avUpstreamResponseLength:
			e.UpstreamResponseLength = UpstreamList(v)
		default:
			if !e.set(it.kind, v, f.escape, zc) {
				return vs + 1, ErrFormatMismatch
			}
		}
	}
	if p != len(s) {
		return p + 1, ErrFormatMismatch
	}
	if e.Request != "" && e.Method == "" {
		e.Method, e.URI, e.Protocol = splitRequest(e.Request)
	}
	return 0, nil
}

// mismatchCol is the 1-based column where s departs from lit at p.
func mismatchCol(s string, p int, lit string) int {
	k := 0
	for k < len(lit) && p+k < len(s) && s[p+k] == lit[k] {
		k++
	}
	return p + k + 1
}

// splitRequest splits a request line "METHOD URI PROTOCOL"; the URI may
// itself hold spaces only when nginx logged a bad request, so the method
// is up to the first space and the protocol after the last.
func splitRequest(r string) (method, uri, proto string) {
	sp := strings.IndexByte(r, ' ')
	if sp < 0 {
		return r, "", ""
	}
	method, rest := r[:sp], r[sp+1:]
	if l := strings.LastIndexByte(rest, ' '); l >= 0 && strings.HasPrefix(rest[l+1:], "HTTP/") {
		return method, rest[:l], rest[l+1:]
	}
	return method, rest, ""
}

// set stores v in the typed field of kind; false if v is malformed.
func (e *AccessEntry) set(kind accessVar, v string, esc AccessEscape, zc *zoneCache) bool {
	var dash bool
	switch kind {
	case avRemoteUser, avRequestTime, avReferer, avUserAgent, avHTTPHost:
		dash = v == "-" || v == "" && esc == EscapeJSON
	}
	switch kind {
	case avRemoteAddr:
		e.RemoteAddr = v
	case avRemoteUser:
		if !dash {
			e.RemoteUser = v
		}
	case avTimeLocal:
		t, ok := parseTimeLocal(v, zc)
		if !ok {
			return false
		}
		e.Time = t
	case avTimeISO8601:
		t, ok := parseISO8601(v, zc)
		if !ok {
			return false
		}
		e.Time = t
	case avMsec:
		d, n := secondsDuration(v)
		if n != len(v) || n == 0 {
			return false
		}
		e.Time = time.Unix(0, 0).Add(d).UTC()
	case avRequest:
		e.Request = v
	case avRequestMethod:
		e.Method = v
	case avRequestURI:
		e.URI = v
	case avServerProtocol:
		e.Protocol = v
	case avStatus:
		st, n := atoi(v)
		if n == 0 || n != len(v) {
			return false
		}
		e.Status = st
	case avBodyBytesSent:
		e.BodyBytesSent = int64Value(v)
	case avBytesSent:
		e.BytesSent = int64Value(v)
	case avRequestLength:
		e.RequestLength = int64Value(v)
	case avRequestTime:
		if !dash {
			d, n := secondsDuration(v)
			if n == 0 || n != len(v) {
				return false
			}
			e.RequestTime = d
		}
	case avReferer:
		if !dash {
			e.Referer = v
		}
	case avUserAgent:
		if !dash {
			e.UserAgent = v
		}
	case avHost:
		e.Host = v
	case avHTTPHost:
		if e.Host == "" && !dash {
			e.Host = v
		}
	case avUpstreamAddr:
		e.UpstreamAddr = UpstreamList(v)
	case avUpstreamStatus:
		e.UpstreamStatus = UpstreamList(v)
	case avUpstreamResponseTime:
		e.UpstreamResponseTime = UpstreamList(v)
	case avUpstreamConnectTime:
		e.UpstreamConnectTime = UpstreamList(v)
	case avUpstreamHeaderTime:
		e.UpstreamHeaderTime = UpstreamList(v)
	case avUpstreamResponseLength:
		e.UpstreamResponseLength = UpstreamList(v)
	}
	return true
}

func int64Value(v string) int64 {
	n, k := atou(v)
	if k == 0 || k != len(v) || n > 1<<62 {
		return -1
	}
	return int64(n)
}

// zoneCache keeps the last fixed zone made for a UTC offset, so that a
// reader does not allocate one per line, and the last $time_local (or %t)
// parsed, since consecutive lines mostly share its second or its minute.
type zoneCache struct {
	off int
	loc *time.Location

	// w is the last time stamp as words of its bytes 0-7, 8-15, 16-23
	// and 18-25; valid when it was checked and parsed into last.
	w     [4]uint64
	valid bool
	last  time.Time // that time stamp
	// Its minute, second 0: Unix seconds and location.
	baseSec int64
	baseLoc *time.Location
}

func (zc *zoneCache) zone(off int) *time.Location {
	if off == 0 {
		return time.UTC
	}
	if zc != nil && zc.loc != nil && zc.off == off {
		return zc.loc
	}
	loc := time.FixedZone("", off)
	if zc != nil {
		zc.off, zc.loc = off, loc
	}
	return loc
}

// parseTimeLocal parses nginx's $time_local "21/Nov/2026:01:02:37 +0000"
// (src/core/ngx_times.c, "%02d/%s/%d:%02d:%02d:%02d %c%02i%02i"). With zc,
// a time stamp equal to the last one, or in its minute, is not parsed
// again: its bytes are compared as four words.
func parseTimeLocal(v string, zc *zoneCache) (time.Time, bool) {
	if len(v) != 26 {
		return time.Time{}, false
	}
	var w [4]uint64
	if zc != nil {
		w = [4]uint64{wordAt(v, 0), wordAt(v, 8), wordAt(v, 16), wordAt(v, 18)}
		if zc.valid && w[0] == zc.w[0] && w[1] == zc.w[1] {
			if w[2] == zc.w[2] && w[3] == zc.w[3] {
				return zc.last, true
			}
			// Bytes 16-17 ("m:") and 20-25 (" +0000") as before: the
			// same minute, only the seconds to check.
			const m2, m3 = 0xffff, 0xffffffffffff0000
			if w[2]&m2 == zc.w[2]&m2 && w[3]&m3 == zc.w[3]&m3 && isDigit(v[18]) && isDigit(v[19]) {
				if ss := d2(v, 18); ss <= 60 {
					t := time.Unix(zc.baseSec+int64(ss), 0).In(zc.baseLoc)
					zc.w[2], zc.w[3], zc.last = w[2], w[3], t
					return t, true
				}
			}
		}
	}
	if v[2] != '/' || v[6] != '/' || v[11] != ':' || v[14] != ':' || v[17] != ':' || v[20] != ' ' {
		return time.Time{}, false
	}
	for _, i := range [...]int{0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25} {
		if !isDigit(v[i]) {
			return time.Time{}, false
		}
	}
	ss := d2(v, 18)
	mon := fpmMonth(v[3:6])
	t, ok := civilTime(d2(v, 7)*100+d2(v, 9), mon, d2(v, 0), d2(v, 12), d2(v, 15), ss, v[21:], zc)
	if ok && zc != nil {
		zc.w, zc.valid, zc.last = w, true, t
		zc.baseSec, zc.baseLoc = t.Unix()-int64(ss), t.Location()
	}
	return t, ok
}

// parseISO8601 parses $time_iso8601 "2026-11-21T01:02:37+00:00".
func parseISO8601(v string, zc *zoneCache) (time.Time, bool) {
	if len(v) != 25 || v[4] != '-' || v[7] != '-' || v[10] != 'T' || v[13] != ':' || v[16] != ':' || v[22] != ':' {
		return time.Time{}, false
	}
	for _, i := range [...]int{0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 23, 24} {
		if !isDigit(v[i]) {
			return time.Time{}, false
		}
	}
	z := v[19:20] + v[20:22] + v[23:25]
	return civilTime(d2(v, 0)*100+d2(v, 2), d2(v, 5), d2(v, 8), d2(v, 11), d2(v, 14), d2(v, 17), z, zc)
}

// civilTime builds the instant of a civil time with the zone "+hhmm".
func civilTime(year, mon, day, hh, mm, ss int, zone string, zc *zoneCache) (time.Time, bool) {
	if mon < 1 || mon > 12 || day < 1 || day > daysIn(time.Month(mon), year) || hh > 23 || mm > 59 || ss > 60 || len(zone) != 5 {
		return time.Time{}, false
	}
	if zone[0] != '+' && zone[0] != '-' || !isDigit(zone[1]) || !isDigit(zone[2]) || !isDigit(zone[3]) || !isDigit(zone[4]) {
		return time.Time{}, false
	}
	off := (d2(zone, 1)*60 + d2(zone, 3)) * 60
	if zone[0] == '-' {
		off = -off
	}
	secs := daysFromCivil(year, mon, day)*86400 + int64(hh*3600+mm*60+ss) - int64(off)
	return time.Unix(secs, 0).In(zc.zone(off)), true
}

// Var returns the value of the format's variable name (without "$") in
// the entry's line, as written (escaped), and whether the format has it;
// the first occurrence when the format uses it twice. It re-reads Raw
// and does not allocate.
func (e *AccessEntry) Var(name string) (string, bool) {
	for n, v := range e.Vars() {
		if n == name {
			return v, true
		}
	}
	return "", false
}

// Vars returns an iterator over the format's variables and their values in
// the entry's line, in order, read from Raw (e must stay valid). It does
// not allocate.
func (e *AccessEntry) Vars() iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		f := e.Format
		if f == nil {
			return
		}
		p := 0
		for i := range f.items {
			vs, ve, err := f.scan(e.Raw, p, i)
			if err != nil {
				return
			}
			p = ve
			if f.items[i].name != "" && !yield(f.items[i].name, e.Raw[vs:ve]) {
				return
			}
		}
	}
}

// Unescape appends v, a value written with the format's escape mode,
// decoded to dst: "\xXX" for escape=default, JSON's backslash escapes for
// escape=json; escape=none values are appended as they are. Malformed
// escapes are kept as written.
func (f *AccessFormat) Unescape(dst []byte, v string) []byte {
	if f.escape == EscapeNone || strings.IndexByte(v, '\\') < 0 {
		return append(dst, v...)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' || i+1 >= len(v) {
			dst = append(dst, c)
			continue
		}
		if f.escape == EscapeDefault {
			if v[i+1] == 'x' && i+3 < len(v) {
				if h, ok := unhex2(v[i+2], v[i+3]); ok {
					dst = append(dst, h)
					i += 3
					continue
				}
			}
			dst = append(dst, c)
			continue
		}
		switch v[i+1] {
		case '"', '\\', '/':
			dst = append(dst, v[i+1])
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'u':
			if i+5 < len(v) && v[i+2] == '0' && v[i+3] == '0' {
				if h, ok := unhex2(v[i+4], v[i+5]); ok {
					dst = append(dst, h)
					i += 5
					continue
				}
			}
			dst = append(dst, c, v[i+1])
		default:
			dst = append(dst, c, v[i+1])
		}
		i++
	}
	return dst
}

func unhex2(a, b byte) (byte, bool) {
	h, ok1 := unhex(a)
	l, ok2 := unhex(b)
	return h<<4 | l, ok1 && ok2
}

func unhex(c byte) (byte, bool) {
	switch {
	case c >= '0' && c <= '9':
		return c - '0', true
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10, true
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}
