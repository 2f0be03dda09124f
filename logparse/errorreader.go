package logparse

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"io"
	"iter"
	"os"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// ErrorReaderOptions configures an ErrorReader. The zero value means the
// defaults.
type ErrorReaderOptions struct {
	// File is the file name put in every entry's Pos and every
	// ParseError's Pos; it may be empty (stdin, a buffer).
	File string
	// Location is the time zone of the nginx host, in which the time
	// stamps (local time, no zone) are interpreted. Nil means UTC.
	Location *time.Location
	// MaxRecordBytes bounds a record (all its physical lines with their
	// separators). A longer record yields a *ParseError wrapping
	// ErrLineTooLong at the record's first line, is skipped, and reading
	// resumes at the next line that starts a record. The reader's memory is
	// bounded by about this size. Zero or negative means
	// DefaultMaxRecordBytes (64 KiB; nginx itself writes at most 2047
	// bytes).
	MaxRecordBytes int
	// ReuseRecord makes Read (and All) return entries whose string fields
	// point into the reader's buffer instead of a fresh copy, so that a
	// record costs no allocation. Those strings are valid only until the
	// next call to Read, like bufio.Scanner.Bytes or encoding/csv's
	// ReuseRecord: copy (strings.Clone) what must outlive the loop. An
	// ErrorEntry obtained this way must not be retained.
	ReuseRecord bool
}

// ErrorReader reads nginx error-log records from an io.Reader: single-line
// records and multi-line records (a physical line that does not start a
// record — no time stamp, syslog header or "nginx: " prefix — continues the
// record before it, as the newlines of a "FastCGI sent in stderr" text do;
// but a record whose first line already ends with its context is complete,
// and a line after it that starts no record is reported as a bad line).
// Each record is parsed like ParseErrorLine and carries its Pos (file,
// 1-based line of its first physical line, byte offset) and Lines.
//
// A bad record yields a *ParseError with its position and reading goes on
// with the next record; blank lines are skipped. Memory is bounded by
// ErrorReaderOptions.MaxRecordBytes whatever the input holds.
//
// An ErrorReader is not safe for concurrent use.
type ErrorReader struct {
	src   io.Reader
	opts  ErrorReaderOptions
	max   int // MaxRecordBytes
	limit int // buffer size limit
	buf   []byte
	r, w  int      // unread data is buf[r:w]
	err   error    // sticky read error; io.EOF at the end
	line  int      // 1-based line number of buf[r]
	off   int64    // byte offset of buf[r]
	block strBlock // the shared block records are copied into
	times timeCache
	// started is the offset of the line after the last record, which
	// Read already found to start a record (-1 when none): the next Read
	// does not check it again. isRecordStart decides from at most 22
	// bytes, which peekLen covers, and no byte it needs can be a '\n', so
	// checking the line alone or with what follows it gives the same answer.
	started int64
}

// peekLen is how much of a line isRecordStart needs to decide.
const peekLen = 32

// NewErrorReader returns a reader of the nginx error log in src.
func NewErrorReader(src io.Reader, opts ErrorReaderOptions) *ErrorReader {
	max := opts.MaxRecordBytes
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	limit := max + peekLen + 2
	return &ErrorReader{src: src, opts: opts, max: max, limit: limit, line: 1, started: -1,
		buf: make([]byte, min(limit, 64<<10))}
}

// Read returns the next record. At the end of the input it returns io.EOF.
// A record that cannot be parsed gives a *ParseError (errors.Is it with the
// ErrXxx sentinels) and the caller may go on calling Read. Any other error
// comes from the underlying reader; it is returned after the records read
// before it, and then again on every call.
func (x *ErrorReader) Read() (e ErrorEntry, err error) {
	for {
		if x.r == x.w && !x.fill() {
			return ErrorEntry{}, x.err
		}
		startLine, startOff := x.line, x.off
		end, nl, ok := x.lineEnd(0)
		if !ok {
			return x.tooLong(startLine, startOff)
		}
		first := x.buf[x.r : x.r+end]
		if len(trimEOL(first)) == 0 {
			x.consume(end+nl, 1)
			continue
		}
		if startOff != x.started && !isRecordStart(bytesString(first)) {
			x.consume(end+nl, 1)
			return ErrorEntry{}, &ParseError{Pos: x.pos(startLine, 1, startOff), Err: ErrNotErrorLog}
		}
		rel, phys, recEnd := end+nl, 1, end
		for nl == 1 {
			x.ensure(rel + peekLen)
			avail := x.w - x.r - rel
			if avail <= 0 {
				break
			}
			if isRecordStart(bytesString(x.buf[x.r+rel : x.r+rel+min(avail, peekLen)])) {
				x.started = x.off + int64(rel)
				break
			}
			if phys == 1 && x.complete(x.buf[x.r:x.r+recEnd]) {
				// The first line already ends with nginx's context: the
				// next line is not part of it (nginx appends the context
				// last), but a stray line of its own.
				break
			}
			end, nl, ok = x.lineEnd(rel)
			if !ok || end > x.max {
				return x.tooLong(startLine, startOff)
			}
			rel, recEnd = end+nl, end
			phys++
		}
		if recEnd > x.max {
			return x.tooLong(startLine, startOff)
		}
		rec := trimEOL(x.buf[x.r : x.r+recEnd])
		var s string
		if x.opts.ReuseRecord {
			s = bytesString(rec)
		} else {
			s = x.block.copy(rec)
		}
		lines := 1
		if phys > 1 {
			lines += bytes.Count(rec, nlSep) // trailing blank lines were trimmed
		}
		col, err := parseRecord(&e, s, x.opts.Location, &x.times, x.pos(startLine, 0, startOff), lines)
		x.consume(rel, phys)
		if err != nil {
			return ErrorEntry{}, &ParseError{Pos: x.pos(startLine, col, startOff), Err: err}
		}
		return e, nil
	}
}

var nlSep = []byte{'\n'}

// complete reports whether line is a whole record by itself: it parses and
// ends with a context suffix, which nginx writes last. It does not allocate.
func (x *ErrorReader) complete(line []byte) bool {
	line = trimEOL(line)
	s := bytesString(line)
	// Fields != 0 needs a ", client: " or ", resolver: " in the line: most
	// first lines of multi-line records have neither and need no parse.
	if len(line) == 0 || !strings.Contains(s, dClient) && !strings.Contains(s, dResolver) {
		return false
	}
	var e ErrorEntry
	if _, err := parseRecord(&e, s, x.opts.Location, nil, badgateway.Pos{}, 1); err != nil {
		return false
	}
	return e.Fields != 0 && !e.Truncated
}

// All returns an iterator over the remaining records: each entry with a nil
// error, or a zero entry with a *ParseError for a bad record (the iteration
// goes on), or a final read error (the iteration stops). It stops at the end
// of the input. The iterator is single-use: it consumes the reader, and a
// second range over it continues where the first stopped.
func (x *ErrorReader) All() iter.Seq2[ErrorEntry, error] {
	return records(x.Read)
}

func (x *ErrorReader) pos(line, col int, off int64) badgateway.Pos {
	return badgateway.Pos{File: x.opts.File, Line: line, Col: col, Offset: off}
}

func (x *ErrorReader) consume(n, lines int) {
	x.r += n
	x.off += int64(n)
	x.line += lines
}

// fill compacts the buffer and reads more data. It reports whether data
// was added.
func (x *ErrorReader) fill() bool {
	if x.err != nil {
		return false
	}
	if x.r > 0 {
		x.w = copy(x.buf, x.buf[x.r:x.w])
		x.r = 0
	}
	if x.w == len(x.buf) {
		if len(x.buf) >= x.limit {
			return false
		}
		nb := make([]byte, min(2*len(x.buf), x.limit))
		copy(nb, x.buf[:x.w])
		x.buf = nb
	}
	for range 100 {
		n, err := x.src.Read(x.buf[x.w:])
		x.w += n
		if err != nil {
			x.err = err
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	x.err = io.ErrNoProgress
	return false
}

// ensure reads until n bytes are unread or no more can be read.
func (x *ErrorReader) ensure(n int) {
	for x.w-x.r < n && x.fill() {
	}
}

// lineEnd finds the end of the line starting at buf[r+rel]: the offset
// (relative to r) of its '\n' and nl = 1, or the end of the data and nl = 0
// at the end of the input. ok is false when the line does not fit in the
// record limit.
func (x *ErrorReader) lineEnd(rel int) (end, nl int, ok bool) {
	scanned := rel
	for {
		if i := bytes.IndexByte(x.buf[x.r+scanned:x.w], '\n'); i >= 0 {
			return scanned + i, 1, true
		}
		scanned = x.w - x.r
		if scanned > x.max {
			return scanned, 0, false
		}
		if !x.fill() {
			return scanned, 0, x.err != nil
		}
	}
}

// tooLong skips the record that starts at buf[r] — every line up to the
// next line that starts a record — and returns its ErrLineTooLong.
func (x *ErrorReader) tooLong(line int, off int64) (ErrorEntry, error) {
	for {
		i := bytes.IndexByte(x.buf[x.r:x.w], '\n')
		if i < 0 {
			x.consume(x.w-x.r, 0)
			if !x.fill() {
				break
			}
			continue
		}
		x.consume(i+1, 1)
		x.ensure(peekLen)
		if avail := x.w - x.r; avail == 0 || isRecordStart(bytesString(x.buf[x.r:x.r+min(avail, peekLen)])) {
			break
		}
	}
	return ErrorEntry{}, &ParseError{Pos: x.pos(line, 0, off), Err: ErrLineTooLong}
}

// OpenLog opens a log file for reading: name "-" is standard input (Close
// then leaves it open), and content that starts with the gzip magic bytes
// (1f 8b) is decompressed whatever the file is called, so rotated
// "error.log.2.gz" files read like the live one. The caller must Close the
// result. Errors are those of os.Open and gzip.NewReader (with the file
// name).
func OpenLog(name string) (io.ReadCloser, error) {
	var f *os.File
	if name == "-" {
		f = os.Stdin
	} else {
		var err error
		if f, err = os.Open(name); err != nil {
			return nil, err
		}
	}
	br := bufio.NewReaderSize(f, 64<<10)
	closer := io.Closer(f)
	if name == "-" {
		closer = nopCloser{}
	}
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		zr, err := gzip.NewReader(br)
		if err != nil {
			closer.Close()
			return nil, &os.PathError{Op: "gunzip", Path: name, Err: err}
		}
		return &gzipFile{zr: zr, f: closer}, nil
	}
	return readCloser{br, closer}, nil
}

type nopCloser struct{}

func (nopCloser) Close() error { return nil }

type readCloser struct {
	io.Reader
	io.Closer
}

type gzipFile struct {
	zr *gzip.Reader
	f  io.Closer
}

func (g *gzipFile) Read(p []byte) (int, error) { return g.zr.Read(p) }

func (g *gzipFile) Close() error {
	err := g.zr.Close()
	if err2 := g.f.Close(); err == nil {
		err = err2
	}
	return err
}
