package logparse

import (
	"errors"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/badgateway/badgateway"
)

// MaxErrorStr is nginx's NGX_MAX_ERROR_STR (src/core/ngx_log.h): the size of
// the buffer an error-log record is formatted into, final newline included.
// A record that filled it is 2047 bytes long without its newline and was cut
// there (see ErrorEntry.Truncated).
const MaxErrorStr = 2048

// DefaultMaxRecordBytes is the longest record ParseErrorLine and the
// ErrorReader accept by default (ErrorReaderOptions.MaxRecordBytes): 64 KiB,
// far above the 2047 bytes nginx itself can write, so that records written
// through syslog relays or by builds with a larger NGX_MAX_ERROR_STR still fit.
const DefaultMaxRecordBytes = 64 << 10

// Errors that a *ParseError wraps. Test for them with errors.Is.
var (
	// ErrNotErrorLog: the line does not start like any nginx error-log
	// record ("YYYY/MM/DD HH:MM:SS [", "<PRI>Mmm dd HH:MM:SS", "nginx: ").
	ErrNotErrorLog = errors.New("not an nginx error-log record")
	// ErrBadTime: the time stamp has the right shape but is not a valid
	// date and time (month 13, hour 24, …).
	ErrBadTime = errors.New("bad time stamp")
	// ErrBadLevel: the word between "[" and "]" is not an nginx level.
	ErrBadLevel = errors.New("bad level")
	// ErrBadPID: "PID#TID: " is missing or its numbers are malformed.
	ErrBadPID = errors.New(`bad "PID#TID: "`)
	// ErrBadSyslog: a syslog header ("<PRI>Mmm dd HH:MM:SS HOST TAG: ") is malformed.
	ErrBadSyslog = errors.New("bad syslog header")
	// ErrLineTooLong: the record is longer than the maximum record size
	// (DefaultMaxRecordBytes unless the caller chose another).
	ErrLineTooLong = errors.New("record too long")
)

// ParseError is the error returned for a record that could not be parsed.
// Pos names the file (as given to the reader; empty for ParseErrorLine), the
// 1-based line where the record starts, the 1-based byte column where the
// problem was found on that line (0 when unknown) and the record's byte
// offset. Err is one of the ErrXxx sentinels of this package.
type ParseError struct {
	Pos badgateway.Pos
	Err error
}

// Error formats the error as "file:line:col: reason"; the reason (the
// sentinel) names the kind of log, e.g. "not a php-fpm error-log record".
func (e *ParseError) Error() string {
	b := e.Pos.AppendTo(make([]byte, 0, 64))
	b = append(b, ": "...)
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns e.Err.
func (e *ParseError) Unwrap() error { return e.Err }

// ParseErrorLine parses one nginx error-log record: a single line, or a
// multi-line record whose physical lines are separated by "\n" (a
// "FastCGI sent in stderr" text with newlines). Trailing "\r" and "\n"
// bytes are removed. Times are interpreted in UTC; use
// ParseErrorLineIn to give the location of the nginx host.
//
// It accepts nginx's own lines (src/core/ngx_log.c ngx_log_error_core),
// the same lines wrapped by nginx's syslog writer (src/core/ngx_syslog.c) or
// by a syslog daemon's file, and start-up messages printed on the console
// ("nginx: [emerg] …"); see ErrorEntry for the fields. The entry's Raw is a
// copy of line and every other string field is a substring of Raw, so a
// call costs one allocation. line is not retained.
//
// The error is a *ParseError wrapping ErrNotErrorLog, ErrBadTime,
// ErrBadLevel, ErrBadPID, ErrBadSyslog or ErrLineTooLong (more than
// DefaultMaxRecordBytes). ParseErrorLine never panics; the message part of a
// record is never an error, whatever bytes it holds.
//
// ParseErrorLine is safe for concurrent use.
func ParseErrorLine(line []byte) (ErrorEntry, error) {
	return ParseErrorLineIn(line, time.UTC)
}

// ParseErrorLineIn is ParseErrorLine with the time stamps interpreted in
// loc, the time zone of the nginx host (nginx writes local time with no
// zone). A nil loc means UTC.
func ParseErrorLineIn(line []byte, loc *time.Location) (e ErrorEntry, err error) {
	line = trimEOL(line)
	if len(line) > DefaultMaxRecordBytes {
		return ErrorEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1}, Err: ErrLineTooLong}
	}
	// Plain lines (starting with a digit) are checked by parseRecord
	// itself; others are checked here so that garbage costs no copy.
	if len(line) == 0 || !isDigit(line[0]) && !isRecordStart(bytesString(line)) {
		return ErrorEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: 1}, Err: ErrNotErrorLog}
	}
	if col, err := parseRecord(&e, string(line), loc, nil, badgateway.Pos{Line: 1}, 0); err != nil {
		return ErrorEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: col}, Err: err}
	}
	return e, nil
}

// trimEOL removes the trailing "\r" and "\n" bytes, as the reader does
// for the end of a record.
func trimEOL(b []byte) []byte {
	for n := len(b); n > 0 && (b[n-1] == '\n' || b[n-1] == '\r'); n-- {
		b = b[:n-1]
	}
	return b
}

// parseRecord parses the record s (already without its final EOL) into e,
// which it expects zero. Raw is s and every string field is a substring of
// s. On error it returns the 1-based byte column of the problem (e is then
// partly filled; callers discard it). pos becomes e.Pos; lines becomes
// e.Lines, or when 0 it is counted. The entry is filled in place: passing
// it up by value through the helpers cost more than their stores' write
// barrier checks.
func parseRecord(e *ErrorEntry, s string, loc *time.Location, tc *timeCache, pos badgateway.Pos, lines int) (col int, err error) {
	if loc == nil {
		loc = time.UTC
	}
	e.Raw, e.Pos, e.Lines = s, pos, lines
	if lines == 0 {
		// Most records are one line: IndexByte answers that for half the
		// cost of Count.
		e.Lines = 1
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			e.Lines += 1 + strings.Count(s[i+1:], "\n")
		}
	}
	p, hdr := 0, 0
	switch {
	case len(s) > 0 && isDigit(s[0]):
		e.Form = FormPlain
	case strings.HasPrefix(s, "nginx: "):
		e.Form = FormConsole
		p = len("nginx: ")
		if l, n := levelBracket(s[p:]); n > 0 {
			e.Level = l
			p += n
		}
		parseBody(e, s[p:], false)
		return 0, nil
	default:
		e.Form = FormSyslog
		pri, host, tag, n, err := parseSyslogHeader(s)
		if err != nil {
			return n + 1, err
		}
		e.SyslogPriority, e.SyslogHost, e.SyslogTag = pri, host, tag
		p, hdr = n, n
	}
	// Plain line (possibly after a syslog header).
	t, ok := tc.parse(s[p:], loc)
	if !ok {
		if len(s)-p < 19 || !timeShape(s[p:]) {
			return p + 1, ErrNotErrorLog
		}
		return p + 1, ErrBadTime
	}
	e.Time = t
	p += 19
	if !strings.HasPrefix(s[p:], " [") {
		return p + 1, ErrNotErrorLog
	}
	p++
	l, n := levelBracket(s[p:])
	if n == 0 {
		return p + 1, ErrBadLevel
	}
	e.Level = l
	p += n
	// PID#TID:
	pid, n := atou(s[p:])
	if n == 0 || n > 10 || p+n >= len(s) || s[p+n] != '#' || pid > 1<<31-1 {
		return p + 1, ErrBadPID
	}
	e.PID = int(pid)
	p += n + 1
	// TID: on Linux builds with threads it repeats PID; comparing the
	// digits is cheaper than parsing them again.
	var tid uint64
	if q := p + n; q <= len(s) && s[p:q] == s[p-n-1:p-1] && (q == len(s) || !isDigit(s[q])) {
		tid = pid
	} else {
		tid, n = atou(s[p:])
	}
	if n == 0 || n > 20 || !strings.HasPrefix(s[p+n:], ": ") {
		// ": " may be missing only when the record is empty after "PID#TID:".
		if !(n > 0 && n <= 20 && s[p+n:] == ":") {
			return p + 1, ErrBadPID
		}
	}
	e.TID = tid
	p += n + 2
	if p > len(s) {
		p = len(s)
	}
	// *CID
	if p < len(s) && s[p] == '*' {
		cid, n := atou(s[p+1:])
		if n > 0 && n <= 20 && p+1+n < len(s) && s[p+1+n] == ' ' {
			e.CID = cid
			p += 1 + n + 1
		}
	}
	parseBody(e, s[p:], len(s)-hdr >= MaxErrorStr-1)
	return 0, nil
}

// levelBracket parses "[level] " at the start of s and returns the level
// and the number of bytes used, 0 if s does not start with a known level.
// It compares the one name s[1] allows (constants, which the compiler
// compares with word loads) instead of looking for the "]".
func levelBracket(s string) (Level, int) {
	if len(s) < 3 || s[0] != '[' {
		return LevelUnknown, 0
	}
	var l Level
	n := 0
	switch s[1] {
	case 'e':
		if len(s) >= len("[error]") && s[:len("[error]")] == "[error]" {
			l, n = LevelError, len("[error]")
		} else if len(s) >= len("[emerg]") && s[:len("[emerg]")] == "[emerg]" {
			l, n = LevelEmerg, len("[emerg]")
		}
	case 'a':
		if len(s) >= len("[alert]") && s[:len("[alert]")] == "[alert]" {
			l, n = LevelAlert, len("[alert]")
		}
	case 'c':
		if len(s) >= len("[crit]") && s[:len("[crit]")] == "[crit]" {
			l, n = LevelCrit, len("[crit]")
		}
	case 'w':
		if len(s) >= len("[warn]") && s[:len("[warn]")] == "[warn]" {
			l, n = LevelWarn, len("[warn]")
		}
	case 'n':
		if len(s) >= len("[notice]") && s[:len("[notice]")] == "[notice]" {
			l, n = LevelNotice, len("[notice]")
		}
	case 'i':
		if len(s) >= len("[info]") && s[:len("[info]")] == "[info]" {
			l, n = LevelInfo, len("[info]")
		}
	case 'd':
		if len(s) >= len("[debug]") && s[:len("[debug]")] == "[debug]" {
			l, n = LevelDebug, len("[debug]")
		}
	}
	if n == 0 {
		return LevelUnknown, 0
	}
	if n < len(s) && s[n] == ' ' {
		n++
	}
	return l, n
}

// ParseLevel returns the Level nginx prints as name ("emerg" … "debug"),
// or LevelUnknown.
func ParseLevel(name string) Level {
	switch name {
	case "emerg":
		return LevelEmerg
	case "alert":
		return LevelAlert
	case "crit":
		return LevelCrit
	case "error":
		return LevelError
	case "warn":
		return LevelWarn
	case "notice":
		return LevelNotice
	case "info":
		return LevelInfo
	case "debug":
		return LevelDebug
	}
	return LevelUnknown
}

var levelNames = [...]string{"", "emerg", "alert", "crit", "error", "warn", "notice", "info", "debug"}

// String returns the level as nginx prints it ("error", "warn", …), or
// "unknown" for LevelUnknown and out-of-range values.
func (l Level) String() string {
	if l > 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "unknown"
}

// MarshalText implements encoding.TextMarshaler with String's words.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// String returns "plain", "console" or "syslog".
func (f Form) String() string {
	switch f {
	case FormPlain:
		return "plain"
	case FormConsole:
		return "console"
	case FormSyslog:
		return "syslog"
	}
	return "form(" + strconv.Itoa(int(f)) + ")"
}

// atou parses leading ASCII digits of s (at most 20) and returns the value
// and the number of digits; values that overflow uint64 report n == 0.
func atou(s string) (v uint64, n int) {
	// 19 digits cannot overflow (10^19-1 < 2^64-1); longer runs take the
	// checked path.
	for ; n < len(s) && isDigit(s[n]); n++ {
		if n == 19 {
			return atouLong(s, v)
		}
		v = v*10 + uint64(s[n]-'0')
	}
	return v, n
}

// atouLong finishes atou after 19 digits whose value is v.
func atouLong(s string, v uint64) (uint64, int) {
	n := 19
	for ; n < len(s) && n < 21 && isDigit(s[n]); n++ {
		d := uint64(s[n] - '0')
		if v > (1<<64-1)/10 || v == (1<<64-1)/10 && d > (1<<64-1)%10 {
			return 0, 0
		}
		v = v*10 + d
	}
	return v, n
}

func isDigit(c byte) bool { return c-'0' < 10 }

// le64 returns s[i:i+8] as a little-endian word; the compiler makes it one
// load.
func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// The first 16 bytes of nginx's time stamp as two little-endian words
// ("YYYY/MM/" and "DD HH:MM"): the bytes that are digits and the value of
// the others.
const (
	timeDigitsA = 0x00ffff00ffffffff
	timeSepA    = '/'<<32 | '/'<<56
	timeDigitsB = 0xffff00ffff00ffff
	timeSepB    = ' '<<16 | ':'<<40
)

// timeWord reports whether the bytes of x marked in digits are ASCII
// digits and the others equal those of sep: the separators are compared
// first, then every digit byte is checked to be 0x30-0x3f and to stay
// below 0x40 when 6 is added (no carry can cross bytes by then).
func timeWord(x, digits, sep uint64) bool {
	const hi, zeros, six = 0xf0f0f0f0f0f0f0f0, 0x3030303030303030, 0x0606060606060606
	return x&^digits == sep && x&(hi&digits) == zeros&digits && (x+six&digits)&(hi&digits) == zeros&digits
}

// timeShape reports whether s starts with "dddd/dd/dd dd:dd:dd".
func timeShape(s string) bool {
	return len(s) >= 19 && timeWord(le64(s, 0), timeDigitsA, timeSepA) && timeWord(le64(s, 8), timeDigitsB, timeSepB) &&
		s[16] == ':' && isDigit(s[17]) && isDigit(s[18])
}

func d2(s string, i int) int { return int(s[i]-'0')*10 + int(s[i+1]-'0') }

// timeCache remembers the minute of the last time stamp a reader parsed:
// consecutive records mostly share it, and adding seconds is cheaper than
// time.Date. A nil *timeCache parses every time.
type timeCache struct {
	keyA, keyB uint64 // "YYYY/MM/DD HH:MM" as le64 words
	valid      bool
	loc        *time.Location
	base       time.Time // that minute, second 0
}

func (tc *timeCache) parse(s string, loc *time.Location) (time.Time, bool) {
	if tc == nil {
		return parseNginxTime(s, loc)
	}
	if tc.valid && tc.loc == loc && len(s) >= 19 && le64(s, 0) == tc.keyA && le64(s, 8) == tc.keyB {
		if s[16] == ':' && isDigit(s[17]) && isDigit(s[18]) {
			if ss := d2(s, 17); ss <= 60 {
				return tc.base.Add(time.Duration(ss) * time.Second), true
			}
		}
		return time.Time{}, false
	}
	t, ok := parseNginxTime(s, loc)
	if ok {
		tc.keyA, tc.keyB = le64(s, 0), le64(s, 8)
		tc.valid, tc.loc = true, loc
		tc.base = t.Add(-time.Duration(d2(s, 17)) * time.Second)
	}
	return t, ok
}

// parseNginxTime parses nginx's "%4d/%02d/%02d %02d:%02d:%02d"
// (src/core/ngx_times.c) at the start of s.
func parseNginxTime(s string, loc *time.Location) (time.Time, bool) {
	if len(s) < 19 {
		return time.Time{}, false
	}
	a, b := le64(s, 0), le64(s, 8)
	if !timeWord(a, timeDigitsA, timeSepA) || !timeWord(b, timeDigitsB, timeSepB) ||
		s[16] != ':' || !isDigit(s[17]) || !isDigit(s[18]) {
		return time.Time{}, false
	}
	a -= 0x3030303030303030 & timeDigitsA // digit values; no borrow, each byte is >= '0'
	b -= 0x3030303030303030 & timeDigitsB
	dig := func(w uint64, i int) int { return int(w >> (8 * i) & 0xff) }
	year := dig(a, 0)*1000 + dig(a, 1)*100 + dig(a, 2)*10 + dig(a, 3)
	mon, day := dig(a, 5)*10+dig(a, 6), dig(b, 0)*10+dig(b, 1)
	hh, mm, ss := dig(b, 3)*10+dig(b, 4), dig(b, 6)*10+dig(b, 7), d2(s, 17)
	if mon < 1 || mon > 12 || day < 1 || day > daysIn(time.Month(mon), year) || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if loc == time.UTC {
		// The same instant as time.Date, without its normalisation and zone
		// lookup (about 3× cheaper).
		var days int64
		if year > 0 {
			days = daysFromCivilU(uint(year), uint(mon), uint(day))
		} else {
			days = daysFromCivil(year, mon, day)
		}
		secs := days*86400 + int64(hh*3600+mm*60+ss)
		return time.Unix(secs, 0).UTC(), true
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, 0, loc), true
}

// daysFromCivil returns the number of days from 1970-01-01 to the given
// proleptic Gregorian date (Howard Hinnant's days_from_civil).
func daysFromCivil(y, m, d int) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 {
		era = (y - 399) / 400
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era)*146097 + int64(doe) - 719468
}

// daysFromCivilU is daysFromCivil for years 1 to 9999 (what four digits
// can spell, year 0 excepted), in unsigned arithmetic: its divisions by
// constants need no sign corrections.
func daysFromCivilU(y, m, d uint) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return int64(era*146097+doe) - 719468
}

func daysIn(m time.Month, year int) int {
	switch m {
	case time.February:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case time.April, time.June, time.September, time.November:
		return 30
	}
	return 31
}

const months = "JanFebMarAprMayJunJulAugSepOctNovDec"

// syslogTimeShape reports whether s starts with "Mmm dd HH:MM:SS " (day
// space-padded, as ngx_syslog.c and RFC 3164 write it).
func syslogTimeShape(s string) bool {
	if len(s) < 16 {
		return false
	}
	m := strings.Index(months, s[:3])
	if m < 0 || m%3 != 0 || s[3] != ' ' || (s[4] != ' ' && !isDigit(s[4])) || !isDigit(s[5]) || s[6] != ' ' {
		return false
	}
	return isDigit(s[7]) && isDigit(s[8]) && s[9] == ':' && isDigit(s[10]) && isDigit(s[11]) && s[12] == ':' &&
		isDigit(s[13]) && isDigit(s[14]) && s[15] == ' '
}

// parseSyslogHeader parses "[<PRI>]Mmm dd HH:MM:SS [HOST ]TAG: " (HOST is
// left out with nginx's "nohostname" and may be empty) and returns its
// length, or the offset of the problem and an error.
func parseSyslogHeader(s string) (pri int, host, tag string, n int, err error) {
	p := 0
	pri = -1
	if len(s) > 0 && s[0] == '<' {
		v, n := atou(s[1:])
		if n == 0 || n > 3 || v > 191 || 1+n >= len(s) || s[1+n] != '>' {
			return 0, "", "", 0, ErrBadSyslog
		}
		pri = int(v)
		p = n + 2
	}
	if !syslogTimeShape(s[p:]) {
		return 0, "", "", p, ErrNotErrorLog
	}
	p += 16
	// HOST may be empty (nginx's master before it knows the host name writes
	// two spaces).
	sp := strings.IndexByte(s[p:min(len(s), p+256)], ' ')
	if sp < 0 {
		return 0, "", "", p, ErrBadSyslog
	}
	if tok := s[p : p+sp]; len(tok) > 1 && tok[len(tok)-1] == ':' {
		// "nohostname": "<PRI>Mmm dd HH:MM:SS TAG: " (ngx_syslog_add_header).
		return pri, "", tok[:len(tok)-1], p + sp + 1, nil
	}
	host = s[p : p+sp]
	p += sp + 1
	colon := strings.Index(s[p:min(len(s), p+66)], ": ")
	if colon <= 0 || strings.IndexByte(s[p:p+colon], ' ') >= 0 {
		return 0, "", "", p, ErrBadSyslog
	}
	return pri, host, s[p : p+colon], p + colon + 2, nil
}

// isRecordStart reports whether line starts a new error-log record: a plain
// time stamp followed by " [", a syslog header, or "nginx: ". Lines that do
// not are continuation lines of the record before them.
func isRecordStart(line string) bool {
	if len(line) < 7 {
		return false
	}
	c := line[0]
	switch {
	case isDigit(c):
		if len(line) < 21 || line[19] != ' ' || line[20] != '[' {
			return false
		}
		return timeShape(line)
	case c == '<':
		i := 1
		for i < len(line) && i < 5 && isDigit(line[i]) {
			i++
		}
		if i == 1 || i >= len(line) || line[i] != '>' {
			return false
		}
		return syslogTimeShape(line[i+1 : min(len(line), i+17)])
	case c == 'n':
		return line[:7] == "nginx: "
	case c >= 'A' && c <= 'S':
		return syslogTimeShape(line[:min(len(line), 16)])
	}
	return false
}

// bytesString returns b as a string without copying; b must not change
// while the string is in use.
func bytesString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
