package logparse

import (
	"errors"
	"io"
	"iter"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// ErrNotSlowLog: the block does not start with a slow-log header
// "[dd-Mon-YYYY HH:MM:SS]  [pool P] pid N".
var ErrNotSlowLog = errors.New("not a php-fpm slow-log block")

// ParseSlowRecord parses one php-fpm slow-log block (see SlowEntry; lines
// separated by "\n", surrounding blank lines and a trailing "\r" on each
// line ignored). Times are interpreted in UTC; use ParseSlowRecordIn for
// the php-fpm host's zone. Lines of the block that are neither
// script_filename, a frame nor "+++ dump failed" are kept in Raw and
// otherwise ignored; a blank line followed by more text (a second block)
// is an error.
//
// Raw is a copy of block and every string field a substring of it (one
// allocation). The error is a *ParseError wrapping ErrNotSlowLog,
// ErrBadTime or ErrLineTooLong (more than DefaultMaxRecordBytes).
// ParseSlowRecord never panics and is safe for concurrent use.
func ParseSlowRecord(block []byte) (SlowEntry, error) {
	return ParseSlowRecordIn(block, time.UTC)
}

// ParseSlowRecordIn is ParseSlowRecord with the time interpreted in loc (nil
// means UTC).
func ParseSlowRecordIn(block []byte, loc *time.Location) (SlowEntry, error) {
	for len(block) > 0 && (block[0] == '\n' || block[0] == '\r') {
		block = block[1:]
	}
	block = trimEOL(block)
	if len(block) > DefaultMaxRecordBytes {
		return SlowEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1}, Err: ErrLineTooLong}
	}
	e, col, err := parseSlowRecord(string(block), loc, nil, badgateway.Pos{Line: 1})
	if err != nil {
		return SlowEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: col}, Err: err}
	}
	return e, nil
}

// isSlowHeader reports whether line starts like "[dd-Mon-YYYY
// HH:MM:SS]  [pool " (with ".uuuuuu" after the seconds under log_level =
// debug, as zlog_print_time writes the time).
func isSlowHeader[T ~string | ~[]byte](line T) bool {
	return slowHeaderLen(line) > 0
}

// slowHeaderLen returns the length of "[TIME]  [pool " at the start of
// line, 0 when there is none.
func slowHeaderLen[T ~string | ~[]byte](line T) int {
	if len(line) < 30 || line[0] != '[' || !fpmTimeShape(string(line[1:21])) {
		return 0
	}
	p := 21
	if line[p] == '.' {
		if len(line) < 37 {
			return 0
		}
		for _, c := range []byte(line[22:28]) {
			if !isDigit(c) {
				return 0
			}
		}
		p = 28
	}
	if len(line) < p+9 || string(line[p:p+9]) != "]  [pool " {
		return 0
	}
	return p + 9
}

func parseSlowRecord(s string, loc *time.Location, tc *fpmTimeCache, pos badgateway.Pos) (e SlowEntry, col int, err error) {
	if loc == nil {
		loc = time.UTC
	}
	e.Raw, e.Pos = s, pos
	hdr, rest, _ := strings.Cut(s, "\n")
	hdr = trimEOLString(hdr)
	hl := slowHeaderLen(hdr)
	if hl == 0 {
		return SlowEntry{}, 1, ErrNotSlowLog
	}
	t, ok := tc.parse(hdr[1:21], loc)
	if !ok {
		return SlowEntry{}, 2, ErrBadTime
	}
	if hl == 37 {
		us, _ := atou(hdr[22:28])
		t = t.Add(time.Duration(us) * time.Microsecond)
	}
	e.Time = t
	h := hdr[hl:]
	i := strings.LastIndex(h, "] pid ")
	if i < 0 {
		return SlowEntry{}, hl + 1, ErrNotSlowLog
	}
	pid, n := atoi(h[i+6:])
	if n == 0 || i+6+n != len(h) {
		return SlowEntry{}, hl + i + 7, ErrNotSlowLog
	}
	e.Pool, e.PID = h[:i], pid
	e.Lines = 1
	for rest != "" {
		var line string
		line, rest, _ = strings.Cut(rest, "\n")
		line = trimEOLString(line)
		if line == "" {
			if strings.TrimLeft(rest, "\r\n") != "" {
				// A second block: ParseSlowRecord takes one.
				return SlowEntry{}, 1, ErrNotSlowLog
			}
			continue
		}
		e.Lines++
		switch {
		case strings.HasPrefix(line, "script_filename = "):
			e.ScriptFilename = line[len("script_filename = "):]
		case strings.HasPrefix(line, "[0x"):
			e.NumFrames++
		case line == "+++ dump failed":
			e.DumpFailed = true
		}
	}
	return e, 0, nil
}

// Frames returns an iterator over the frame lines of the block, innermost
// first, parsed from Raw (e must stay valid; in SlowReader's reuse mode,
// until the next Read). A frame line that does not match
// "[0xADDR] FUNC() FILE:LINE" is yielded with what could be read and Raw.
// It does not allocate.
func (e *SlowEntry) Frames() iter.Seq[SlowFrame] {
	return func(yield func(SlowFrame) bool) {
		for line := range strings.SplitSeq(e.Raw, "\n") {
			line = trimEOLString(line)
			if !strings.HasPrefix(line, "[0x") {
				continue
			}
			if !yield(parseSlowFrame(line)) {
				return
			}
		}
	}
}

func parseSlowFrame(line string) SlowFrame {
	f := SlowFrame{Raw: line}
	end := strings.IndexByte(line, ']')
	if end < 0 {
		return f
	}
	for _, c := range []byte(line[3:end]) {
		var d byte
		switch {
		case c >= '0' && c <= '9':
			d = c - '0'
		case c >= 'a' && c <= 'f':
			d = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			d = c - 'A' + 10
		default:
			return f
		}
		f.Addr = f.Addr<<4 | uint64(d)
	}
	rest := strings.TrimPrefix(line[end+1:], " ")
	i := strings.Index(rest, "() ")
	if i < 0 {
		f.Func = strings.TrimSuffix(rest, "()")
		return f
	}
	f.Func, rest = rest[:i], rest[i+3:]
	if c := strings.LastIndexByte(rest, ':'); c >= 0 {
		if v, n := atoi(rest[c+1:]); n > 0 && c+1+n == len(rest) {
			f.File, f.Line = rest[:c], v
			return f
		}
	}
	f.File = rest
	return f
}

// SlowReaderOptions configures a SlowReader. The zero value means the
// defaults.
type SlowReaderOptions struct {
	// File is the file name put in every Pos; it may be empty.
	File string
	// Location is the time zone of the php-fpm host; nil means UTC.
	Location *time.Location
	// MaxRecordBytes bounds a block; a longer one yields a *ParseError
	// wrapping ErrLineTooLong and is skipped. Zero or negative means
	// DefaultMaxRecordBytes.
	MaxRecordBytes int
	// ReuseRecord: entries' strings point into the reader's buffer, valid
	// until the next Read (no allocation per block).
	ReuseRecord bool
}

// SlowReader reads php-fpm slow-log blocks from an io.Reader: a block
// starts at a header line and runs to the next blank line or header
// (php-fpm writes "\n" before each block, fpm_php_trace.c). Lines outside
// a block each yield a *ParseError wrapping ErrNotSlowLog, and reading
// goes on. Memory is bounded by MaxRecordBytes. A SlowReader is not safe
// for concurrent use.
type SlowReader struct {
	lb    lineBuf
	opts  SlowReaderOptions
	times fpmTimeCache
}

// NewSlowReader returns a reader of the php-fpm slow log in src.
func NewSlowReader(src io.Reader, opts SlowReaderOptions) *SlowReader {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	return &SlowReader{lb: newLineBuf(src, opts.File, opts.MaxRecordBytes), opts: opts}
}

// Read returns the next block; io.EOF at the end of the input. Errors are
// as for FPMReader.Read.
func (x *SlowReader) Read() (SlowEntry, error) {
	lb := &x.lb
	for {
		startLine, startOff := lb.line, lb.off
		end, nl, ok, avail := lb.lineEnd(0)
		if !avail {
			if lb.err == nil {
				return SlowEntry{}, io.EOF
			}
			return SlowEntry{}, lb.err
		}
		if !ok {
			lb.skipLine()
			return SlowEntry{}, &ParseError{Pos: lb.pos(startLine, 0, startOff), Err: ErrLineTooLong}
		}
		first := trimEOL(lb.buf[lb.r : lb.r+end])
		if len(first) == 0 {
			lb.consume(end+nl, 1)
			continue
		}
		if !isSlowHeader(first) {
			lb.consume(end+nl, 1)
			return SlowEntry{}, &ParseError{Pos: lb.pos(startLine, 1, startOff), Err: ErrNotSlowLog}
		}
		rel, recEnd, phys := end+nl, end, 1
		tooLong := false
		for nl == 1 {
			e2, nl2, ok2, avail2 := lb.lineEnd(rel)
			if !avail2 {
				break
			}
			if !ok2 {
				tooLong = true
				break
			}
			line := trimEOL(lb.buf[lb.r+rel : lb.r+e2])
			if len(line) == 0 || isSlowHeader(line) {
				break
			}
			end, nl = e2, nl2
			rel, recEnd = end+nl, end
			phys++
		}
		if tooLong || recEnd > lb.max {
			lb.consume(rel, phys)
			// Skip the rest of the block.
			for {
				e2, nl2, ok2, avail2 := lb.lineEnd(0)
				if !avail2 {
					break
				}
				if !ok2 {
					lb.skipLine()
					continue
				}
				line := trimEOL(lb.buf[lb.r : lb.r+e2])
				if len(line) == 0 || isSlowHeader(line) {
					break
				}
				lb.consume(e2+nl2, 1)
			}
			return SlowEntry{}, &ParseError{Pos: lb.pos(startLine, 0, startOff), Err: ErrLineTooLong}
		}
		s := lb.str(trimEOL(lb.buf[lb.r:lb.r+recEnd]), x.opts.ReuseRecord)
		e, col, err := parseSlowRecord(s, x.opts.Location, &x.times, lb.pos(startLine, 0, startOff))
		lb.consume(rel, phys)
		if err != nil {
			return SlowEntry{}, &ParseError{Pos: lb.pos(startLine, col, startOff), Err: err}
		}
		return e, nil
	}
}

// All returns an iterator over the remaining blocks, as FPMReader.All.
func (x *SlowReader) All() iter.Seq2[SlowEntry, error] {
	return records(x.Read)
}
