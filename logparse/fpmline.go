package logparse

import (
	"errors"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// Errors of the php-fpm and access-log parsers that a *ParseError wraps.
// Test for them with errors.Is. ErrBadTime, ErrBadSyslog and ErrLineTooLong
// are shared with the nginx error-log parser.
var (
	// ErrNotFPMLog: the line does not start like a php-fpm error-log record
	// ("[dd-Mon-YYYY HH:MM:SS] LEVEL: ", "LEVEL: ", a syslog header or
	// "TAG[PID]: " followed by "[LEVEL] "). Raw worker output
	// (decorate_workers_output = no) gives this error.
	ErrNotFPMLog = errors.New("not a php-fpm error-log record")
	// ErrBadFPMLevel: the level word is not one of php-fpm's.
	ErrBadFPMLevel = errors.New("bad php-fpm level")
)

// ParseFPMLine parses one php-fpm error-log line (sapi/fpm/fpm/zlog.c; see
// FPMEntry for the three forms and FPMEvent for the messages recognised).
// Trailing "\r" and "\n" bytes are removed. Times are interpreted in UTC;
// use ParseFPMLineIn to give the location of the php-fpm host. A syslog
// header's time gets the current year (FPMReader lets the caller choose).
//
// Raw is a copy of line and every other string field a substring of it,
// so a call costs one allocation. A worker's line wrapped at log_limit
// over several records is joined only by FPMReader.
//
// The error is a *ParseError wrapping ErrNotFPMLog, ErrBadTime,
// ErrBadFPMLevel, ErrBadSyslog or ErrLineTooLong (more than
// DefaultMaxRecordBytes). ParseFPMLine never panics; an unknown message is
// not an error (Event is FPMOther). It is safe for concurrent use.
func ParseFPMLine(line []byte) (FPMEntry, error) {
	return ParseFPMLineIn(line, time.UTC)
}

// ParseFPMLineIn is ParseFPMLine with the time stamps interpreted in loc,
// the time zone of the php-fpm host. A nil loc means UTC.
func ParseFPMLineIn(line []byte, loc *time.Location) (FPMEntry, error) {
	line = trimEOL(line)
	if len(line) > DefaultMaxRecordBytes {
		return FPMEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1}, Err: ErrLineTooLong}
	}
	e, _, col, err := parseFPMRecord(string(line), loc, nil, 0, badgateway.Pos{Line: 1}, 1)
	if err != nil {
		return FPMEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: col}, Err: err}
	}
	return e, nil
}

// parseFPMRecord parses the record s. It returns the offset where the zlog
// text starts (after a syslog header), for the log_limit check.
func parseFPMRecord(s string, loc *time.Location, tc *fpmTimeCache, year int, pos badgateway.Pos, lines int) (e FPMEntry, zstart, col int, err error) {
	e.Raw, e.Pos, e.Lines = s, pos, lines
	zstart, col, err = fpmPrefix(s, loc, tc, year, &e)
	if err != nil {
		return FPMEntry{}, 0, col, err
	}
	classifyFPM(&e)
	return e, zstart, 0, nil
}

// fpmPrefix parses the prefix of a record into e (form, time, level,
// decoration, syslog header, Message) and returns the offset where the
// zlog text starts (after a syslog header). col is 1-based.
func fpmPrefix(s string, loc *time.Location, tc *fpmTimeCache, year int, e *FPMEntry) (zstart, col int, err error) {
	if loc == nil {
		loc = time.UTC
	}
	var msg int
	switch {
	case len(s) > 0 && s[0] == '[' && len(s) >= 21 && fpmTimeShape(s[1:21]):
		e.Form = FPMFormPlain
		t, ok := tc.parse(s[1:21], loc)
		if !ok {
			return 0, 2, ErrBadTime
		}
		q := 21
		if q < len(s) && s[q] == '.' {
			us, n := atou(s[q+1 : min(len(s), q+7)])
			if n != 6 {
				return 0, q + 1, ErrBadTime
			}
			t = t.Add(time.Duration(us) * time.Microsecond)
			q += 7
		}
		e.Time = t
		if !strings.HasPrefix(s[q:], "] ") {
			return 0, q + 1, ErrNotFPMLog
		}
		q += 2
		if strings.HasPrefix(s[q:], " [pool ") {
			// A slow-log header ("]  [pool"), not an error-log record.
			return 0, q + 1, ErrNotFPMLog
		}
		l, n := fpmLevelColon(s[q:])
		if n == 0 {
			return 0, q + 1, ErrBadFPMLevel
		}
		e.Level = l
		q += n
		if strings.HasPrefix(s[q:], "pid ") {
			if pid, n := atou(s[q+4:]); n > 0 && n <= 10 && strings.HasPrefix(s[q+4+n:], ", ") {
				if fn, line, m := fpmDecoration(s[q+4+n+2:]); m > 0 {
					e.PID, e.Func, e.SourceLine = int(pid), fn, line
					q += 4 + n + 2 + m
				}
			}
		}
		msg = q
	default:
		if l, n := fpmLevelColon(s); n > 0 {
			e.Form = FPMFormChild
			e.Level = l
			q := n
			if fn, line, m := fpmDecoration(s[q:]); m > 0 {
				e.Func, e.SourceLine = fn, line
				q += m
			}
			msg = q
			break
		}
		e.Form = FPMFormSyslog
		q := 0
		if len(s) > 0 && (s[0] == '<' || syslogTimeShape(s)) {
			pri, host, tag, n, err := parseSyslogHeader(s)
			if err != nil {
				return 0, n + 1, err
			}
			e.SyslogPriority, e.SyslogHost, e.SyslogTag = pri, host, tag
			e.Time = syslogTime(s[max(0, strings.IndexByte(s, '>')+1):], loc, year)
			q = n
		} else {
			// journald's "TAG[PID]: " without a header.
			c := strings.Index(s[:min(len(s), 66)], ": ")
			if c <= 0 || strings.IndexByte(s[:c], ' ') >= 0 {
				return 0, 1, ErrNotFPMLog
			}
			e.SyslogPriority, e.SyslogTag = -1, s[:c]
			q = c + 2
		}
		if tag := e.SyslogTag; strings.HasSuffix(tag, "]") {
			if i := strings.LastIndexByte(tag, '['); i > 0 {
				if pid, n := atou(tag[i+1:]); n > 0 && n <= 10 && i+1+n == len(tag)-1 {
					e.PID, e.SyslogTag = int(pid), tag[:i]
				}
			}
		}
		zstart = q
		if !strings.HasPrefix(s[q:], "[") {
			return 0, q + 1, ErrNotFPMLog
		}
		end := strings.IndexByte(s[q:min(len(s), q+10)], ']')
		if end < 0 {
			return 0, q + 1, ErrNotFPMLog
		}
		l := ParseFPMLevel(s[q+1 : q+end])
		if l == FPMLevelUnknown {
			return 0, q + 2, ErrBadFPMLevel
		}
		e.Level = l
		q += end + 1
		if q < len(s) && s[q] == ' ' {
			q++
		}
		if fn, line, m := fpmDecoration(s[q:]); m > 0 {
			e.Func, e.SourceLine = fn, line
			q += m
		}
		msg = q
	}
	e.Message = s[msg:]
	return zstart, 0, nil
}

// fpmLevelColon parses "LEVEL: " at the start of s and returns the level
// and the bytes used, 0 when s does not start so.
func fpmLevelColon(s string) (FPMLevel, int) {
	c := strings.IndexByte(s[:min(len(s), 9)], ':')
	if c < 5 {
		return FPMLevelUnknown, 0
	}
	l := ParseFPMLevel(s[:c])
	if l == FPMLevelUnknown {
		return l, 0
	}
	n := c + 1
	if n < len(s) && s[n] == ' ' {
		n++
	}
	return l, n
}

// fpmDecoration parses "FUNC(), line N: " at the start of s.
func fpmDecoration(s string) (fn string, line, n int) {
	i := strings.Index(s[:min(len(s), 128)], "(), line ")
	if i <= 0 || strings.IndexByte(s[:i], ' ') >= 0 && s[:i] != "(null)" {
		return "", 0, 0
	}
	v, m := atou(s[i+9:])
	if m == 0 || m > 9 || !strings.HasPrefix(s[i+9+m:], ": ") {
		return "", 0, 0
	}
	return s[:i], int(v), i + 9 + m + 2
}

// fpmTimeShape reports whether s starts with "dd-Mon-YYYY HH:MM:SS".
func fpmTimeShape(s string) bool {
	if len(s) < 20 || s[2] != '-' || s[6] != '-' || s[11] != ' ' || s[14] != ':' || s[17] != ':' {
		return false
	}
	for _, i := range [...]int{0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19} {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func fpmMonth(s string) int {
	m := strings.Index(months, s[:3])
	if m < 0 || m%3 != 0 {
		return 0
	}
	return m/3 + 1
}

// fpmTimeCache remembers the minute of the last "dd-Mon-YYYY HH:MM:SS"
// parsed. A nil *fpmTimeCache parses every time.
type fpmTimeCache struct {
	key   [17]byte
	valid bool
	loc   *time.Location
	base  time.Time
}

func (tc *fpmTimeCache) parse(s string, loc *time.Location) (time.Time, bool) {
	if tc == nil {
		return parseFPMTime(s, loc)
	}
	if tc.valid && tc.loc == loc && s[:17] == string(tc.key[:]) {
		if ss := d2(s, 18); ss <= 60 {
			return tc.base.Add(time.Duration(ss) * time.Second), true
		}
		return time.Time{}, false
	}
	t, ok := parseFPMTime(s, loc)
	if ok {
		copy(tc.key[:], s[:17])
		tc.valid, tc.loc = true, loc
		tc.base = t.Add(-time.Duration(d2(s, 18)) * time.Second)
	}
	return t, ok
}

// parseFPMTime parses zlog's strftime "%d-%b-%Y %H:%M:%S" (C locale) at
// the start of s, already checked by fpmTimeShape.
func parseFPMTime(s string, loc *time.Location) (time.Time, bool) {
	day, mon := d2(s, 0), fpmMonth(s[3:6])
	year := d2(s, 7)*100 + d2(s, 9)
	hh, mm, ss := d2(s, 12), d2(s, 15), d2(s, 18)
	if mon == 0 || day < 1 || day > daysIn(time.Month(mon), year) || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}, false
	}
	if loc == time.UTC {
		secs := daysFromCivil(year, mon, day)*86400 + int64(hh*3600+mm*60+ss)
		return time.Unix(secs, 0).UTC(), true
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, 0, loc), true
}

// syslogTime parses "Mmm dd HH:MM:SS" with the given year (0: the
// current year in loc).
func syslogTime(s string, loc *time.Location, year int) time.Time {
	if !syslogTimeShape(s) {
		return time.Time{}
	}
	if year == 0 {
		year = time.Now().In(loc).Year()
	}
	mon := fpmMonth(s[:3])
	day := int(s[5] - '0')
	if s[4] != ' ' {
		day += 10 * int(s[4]-'0')
	}
	hh, mm, ss := d2(s, 7), d2(s, 10), d2(s, 13)
	if day < 1 || day > daysIn(time.Month(mon), year) || hh > 23 || mm > 59 || ss > 60 {
		return time.Time{}
	}
	return time.Date(year, time.Month(mon), day, hh, mm, ss, 0, loc)
}
