package logparse

import (
	"io"
	"iter"
)

// AccessReaderOptions configures an AccessReader or an FPMAccessReader. The
// zero value means the defaults.
type AccessReaderOptions struct {
	// File is the file name put in every Pos; it may be empty.
	File string
	// MaxRecordBytes bounds a line; a longer one yields a *ParseError
	// wrapping ErrLineTooLong and is skipped. Zero or negative means
	// DefaultMaxRecordBytes (64 KiB).
	MaxRecordBytes int
	// ReuseRecord: entries' strings point into the reader's buffer, valid
	// until the next Read (no allocation per line), as
	// ErrorReaderOptions.ReuseRecord.
	ReuseRecord bool
}

// AccessReader reads an nginx access log written with one AccessFormat
// from an io.Reader, a line per entry. Blank lines are skipped; a line
// that does not match the format yields a *ParseError with its position
// and reading goes on. Memory is bounded by MaxRecordBytes. An
// AccessReader is not safe for concurrent use (its AccessFormat is).
type AccessReader struct {
	lb    lineBuf
	f     *AccessFormat
	reuse bool
	zc    zoneCache
}

// NewAccessReader returns a reader of the access log in src written with
// format f.
func NewAccessReader(src io.Reader, f *AccessFormat, opts AccessReaderOptions) *AccessReader {
	return &AccessReader{lb: newLineBuf(src, opts.File, opts.MaxRecordBytes), f: f, reuse: opts.ReuseRecord}
}

// Read returns the next entry; io.EOF at the end of the input. A line that
// cannot be parsed gives a *ParseError (ErrFormatMismatch,
// ErrLineTooLong) and the caller may go on calling Read; any other error
// comes from the underlying reader and is returned again on every call.
func (x *AccessReader) Read() (e AccessEntry, err error) {
	line, num, off, err := x.lb.nextLine()
	if err != nil {
		return AccessEntry{}, err
	}
	// Parsed in place into the result: an entry is a few hundred bytes.
	if col, err := x.f.parse(&e, x.lb.str(line, x.reuse), &x.zc); err != nil {
		return AccessEntry{}, &ParseError{Pos: x.lb.pos(num, col, off), Err: err}
	}
	e.Pos = x.lb.pos(num, 0, off)
	return e, nil
}

// All returns an iterator over the remaining entries: each entry with a
// nil error, or a zero entry with a *ParseError for a bad line (the
// iteration goes on), or a final read error (the iteration stops). It is
// single-use: it consumes the reader.
func (x *AccessReader) All() iter.Seq2[AccessEntry, error] {
	return records(x.Read)
}
