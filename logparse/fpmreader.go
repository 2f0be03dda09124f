package logparse

import (
	"io"
	"iter"
	"strings"
	"time"
)

// DefaultFPMLogLimit is php-fpm's default log_limit (ZLOG_DEFAULT_LIMIT,
// sapi/fpm/fpm/zlog.h): the longest record it writes, newline included.
const DefaultFPMLogLimit = 1024

// FPMReaderOptions configures an FPMReader. The zero value means the
// defaults.
type FPMReaderOptions struct {
	// File is the file name put in every entry's Pos and every
	// ParseError's Pos; it may be empty.
	File string
	// Location is the time zone of the php-fpm host, in which its time
	// stamps (local time, no zone) are interpreted. Nil means UTC.
	Location *time.Location
	// Year is the year given to syslog headers' times ("Nov 21 00:51:13"
	// has none); 0 means the current year in Location.
	Year int
	// LogLimit is the log_limit of php-fpm.conf's [global] section (bytes,
	// newline included); zero or negative means DefaultFPMLogLimit. A
	// worker's line longer than that is wrapped by php-fpm into several
	// "said into" records of exactly LogLimit-1 bytes but the last; the
	// reader joins them into one entry (FPMEntry.Pieces).
	LogLimit int
	// MaxRecordBytes bounds a record; a longer one yields a *ParseError
	// wrapping ErrLineTooLong and is skipped. Zero or negative means
	// DefaultMaxRecordBytes (64 KiB).
	MaxRecordBytes int
	// ReuseRecord makes Read (and All) return entries whose strings point
	// into the reader's buffer, valid only until the next Read, so that a
	// record costs no allocation (as ErrorReaderOptions.ReuseRecord).
	ReuseRecord bool
}

// FPMReader reads php-fpm error-log records (ParseFPMLine's forms) from an
// io.Reader, one per line, joining the pieces of a worker's line that
// php-fpm wrapped at log_limit (sapi/fpm/fpm/zlog.c zlog_stream_buf_append:
// each piece but the last is LogLimit-1 bytes long and re-quoted; the
// pieces follow each other with the same pool, child and stream). Blank
// lines are skipped; a line that is not a record (raw worker output of
// decorate_workers_output = no, garbage) yields a *ParseError with its
// position and reading goes on. Memory is bounded by MaxRecordBytes.
//
// An FPMReader is not safe for concurrent use.
type FPMReader struct {
	lb    lineBuf
	opts  FPMReaderOptions
	limit int
	times fpmTimeCache
}

// NewFPMReader returns a reader of the php-fpm error log in src.
func NewFPMReader(src io.Reader, opts FPMReaderOptions) *FPMReader {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	limit := opts.LogLimit
	if limit <= 0 {
		limit = DefaultFPMLogLimit
	}
	return &FPMReader{lb: newLineBuf(src, opts.File, opts.MaxRecordBytes), opts: opts, limit: limit}
}

// Read returns the next record; io.EOF at the end of the input. A record
// that cannot be parsed gives a *ParseError (errors.Is it with the ErrXxx
// sentinels) and the caller may go on calling Read. Any other error comes
// from the underlying reader, after the records before it, and then again
// on every call.
func (x *FPMReader) Read() (FPMEntry, error) {
	lb := &x.lb
	for {
		startLine, startOff := lb.line, lb.off
		end, nl, ok, avail := lb.lineEnd(0)
		if !avail {
			if lb.err == nil {
				return FPMEntry{}, io.EOF
			}
			return FPMEntry{}, lb.err
		}
		if !ok {
			lb.skipLine()
			return FPMEntry{}, &ParseError{Pos: lb.pos(startLine, 0, startOff), Err: ErrLineTooLong}
		}
		first := trimEOL(lb.buf[lb.r : lb.r+end])
		if len(first) == 0 {
			lb.consume(end+nl, 1)
			continue
		}
		// Copied first (unless ReuseRecord), so that the fields point into
		// the copy; a wrapped line is parsed again after the look-ahead.
		s := x.lb.str(first, x.opts.ReuseRecord)
		e, zstart, col, err := parseFPMRecord(s, x.opts.Location, &x.times, x.opts.Year, lb.pos(startLine, 0, startOff), 1)
		if err != nil {
			lb.consume(end+nl, 1)
			return FPMEntry{}, &ParseError{Pos: lb.pos(startLine, col, startOff), Err: err}
		}
		rel, recEnd, phys, firstLen := end+nl, end, 1, len(first)
		looked := false
		if e.Event == FPMSaidInto && len(first)-zstart == x.limit-1 {
			looked = true
			// A wrapped worker line: join the pieces that follow.
			pool, child, stream := e.Pool, e.Child, e.Stream
			if x.opts.ReuseRecord {
				// The look-ahead may move the buffer under e's strings
				// (a rare path: these two copies are its only allocations).
				pool, stream = strings.Clone(pool), strings.Clone(stream)
			}
			plen := len(first) - zstart
			for nl == 1 && plen == x.limit-1 {
				var ok2, avail2 bool
				end, nl, ok2, avail2 = lb.lineEnd(rel)
				if !avail2 || !ok2 || end > lb.max {
					break
				}
				next := trimEOL(lb.buf[lb.r+rel : lb.r+end])
				var n FPMEntry
				nz, _, err := fpmPrefix(bytesToString(next, true), x.opts.Location, nil, x.opts.Year, &n)
				if err != nil {
					break
				}
				classifyFPM(&n)
				if n.Event != FPMSaidInto || n.Pool != pool || n.Child != child || n.Stream != stream {
					break
				}
				plen = len(next) - nz
				rel, recEnd = end+nl, end
				phys++
			}
		}
		rec := trimEOL(lb.buf[lb.r : lb.r+recEnd])
		if phys == 1 && looked {
			// The look-ahead may have moved the buffer: parse again.
			e, _, _, _ = parseFPMRecord(x.lb.str(rec, x.opts.ReuseRecord), x.opts.Location, &x.times, x.opts.Year, lb.pos(startLine, 0, startOff), 1)
		} else if phys > 1 {
			joined := x.lb.str(rec, x.opts.ReuseRecord)
			e, _, _, _ = parseFPMRecord(joined[:firstLen], x.opts.Location, &x.times, x.opts.Year, lb.pos(startLine, 0, startOff), phys)
			e.Raw, e.Pieces = joined, phys
			e.PipeClosed = x.lastPipeClosed(joined)
		}
		lb.consume(rel, phys)
		return e, nil
	}
}

// lastPipeClosed reports whether the last piece of a joined record s
// ends with ", pipe is closed".
func (x *FPMReader) lastPipeClosed(s string) bool {
	var n FPMEntry
	if _, _, err := fpmPrefix(s[strings.LastIndexByte(s, '\n')+1:], x.opts.Location, nil, x.opts.Year, &n); err != nil {
		return false
	}
	classifyFPM(&n)
	return n.PipeClosed
}

// AppendText appends the whole text of a FPMSaidInto record to dst — the
// text of every piece of a line php-fpm wrapped at log_limit, joined —
// and returns the extended slice. For other records it appends nothing.
func (e *FPMEntry) AppendText(dst []byte) []byte {
	if e.Event != FPMSaidInto {
		return dst
	}
	if e.Pieces <= 1 {
		return append(dst, e.Text...)
	}
	for line := range strings.SplitSeq(e.Raw, "\n") {
		var n FPMEntry
		if _, _, err := fpmPrefix(trimEOLString(line), nil, nil, 1, &n); err != nil {
			continue
		}
		classifyFPM(&n)
		dst = append(dst, n.Text...)
	}
	return dst
}

func trimEOLString(s string) string {
	for n := len(s); n > 0 && (s[n-1] == '\r' || s[n-1] == '\n'); n-- {
		s = s[:n-1]
	}
	return s
}

// All returns an iterator over the remaining records: each entry with a
// nil error, or a zero entry with a *ParseError for a bad record (the
// iteration goes on), or a final read error (the iteration stops). It is
// single-use: it consumes the reader.
func (x *FPMReader) All() iter.Seq2[FPMEntry, error] {
	return records(x.Read)
}
