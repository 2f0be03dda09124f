package logparse

import (
	"bytes"
	"io"
	"iter"
	"unsafe"

	"github.com/badgateway/badgateway"
)

// lineBuf is the buffered line source of the php-fpm and access-log
// readers: unread data is buf[r:w], lines are located relative to r and
// stay valid until consume; memory is bounded by about max bytes.
type lineBuf struct {
	src   io.Reader
	file  string
	max   int
	limit int
	buf   []byte
	r, w  int
	err   error
	line  int      // 1-based line number of buf[r]
	off   int64    // byte offset of buf[r]
	block strBlock // the shared block str copies records into
}

func newLineBuf(src io.Reader, file string, max int) lineBuf {
	if max <= 0 {
		max = DefaultMaxRecordBytes
	}
	limit := max + 2
	return lineBuf{src: src, file: file, max: max, limit: limit, line: 1, buf: make([]byte, min(limit, 64<<10))}
}

func (x *lineBuf) pos(line, col int, off int64) badgateway.Pos {
	return badgateway.Pos{File: x.file, Line: line, Col: col, Offset: off}
}

func (x *lineBuf) consume(n, lines int) {
	x.r += n
	x.off += int64(n)
	x.line += lines
}

// fill compacts the buffer and reads more data; it reports whether data
// was added.
func (x *lineBuf) fill() bool {
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

// lineEnd finds the line starting at buf[r+rel]: the offset (relative to
// r) of its end and nl = 1 when it ends with '\n' (0 at the end of the
// input). ok is false when the data from r on exceeds the record limit.
// It reports avail = false when no byte of the line is there (end of input).
func (x *lineBuf) lineEnd(rel int) (end, nl int, ok, avail bool) {
	scanned := rel
	for {
		if x.r+scanned < x.w {
			if i := bytes.IndexByte(x.buf[x.r+scanned:x.w], '\n'); i >= 0 {
				return scanned + i, 1, true, true
			}
			scanned = x.w - x.r
		}
		if scanned > x.max {
			return scanned, 0, false, true
		}
		if !x.fill() {
			return scanned, 0, true, scanned > rel
		}
	}
}

// skipLine consumes the rest of an overlong line (through its '\n').
func (x *lineBuf) skipLine() {
	for {
		if i := bytes.IndexByte(x.buf[x.r:x.w], '\n'); i >= 0 {
			x.consume(i+1, 1)
			return
		}
		x.consume(x.w-x.r, 0)
		if !x.fill() {
			return
		}
	}
}

// Records of up to strMaxShared bytes are copied into shared blocks of
// strBlockSize bytes rather than one allocation each: a block holds a dozen
// typical records, so most records cost no allocation, and a record the
// caller keeps keeps at most its block alive. Longer records get their own.
const (
	strBlockSize = 4096
	strMaxShared = 1024
)

// str returns b as a string: with reuse a view of the buffer (valid until
// the next read); else a copy, carved from a shared block for a short record.
// The bytes handed out are never written again: a full block is replaced,
// not reused.
func (x *lineBuf) str(b []byte, reuse bool) string {
	if reuse {
		return bytesToString(b, true)
	}
	return x.block.copy(b)
}

// strBlock is the block records are copied into (see strBlockSize).
type strBlock []byte

// copy returns a string copy of b that no later read changes: carved from
// the block for up to strMaxShared bytes, its own allocation for more.
func (blk *strBlock) copy(b []byte) string {
	if len(b) == 0 || len(b) > strMaxShared {
		return string(b)
	}
	if cap(*blk)-len(*blk) < len(b) {
		*blk = make([]byte, 0, strBlockSize)
	}
	start := len(*blk)
	*blk = append(*blk, b...)
	v := (*blk)[start:]
	return unsafe.String(unsafe.SliceData(v), len(v))
}

// bytesToString returns b as a string: a copy, or with reuse a view of the
// buffer.
func bytesToString(b []byte, reuse bool) string {
	if reuse {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(b)
}

// nextLine returns the next non-blank line without its EOL, already
// consumed: the slice stays valid until the next call. An overlong line
// gives a *ParseError wrapping ErrLineTooLong; the end gives io.EOF or the
// read error.
func (x *lineBuf) nextLine() (line []byte, num int, off int64, err error) {
	for {
		num, off = x.line, x.off
		end, nl, ok, avail := x.lineEnd(0)
		if !avail {
			if x.err == nil {
				return nil, num, off, io.EOF
			}
			return nil, num, off, x.err
		}
		if !ok || end > x.max {
			x.skipLine()
			return nil, num, off, &ParseError{Pos: x.pos(num, 0, off), Err: ErrLineTooLong}
		}
		line = trimEOL(x.buf[x.r : x.r+end])
		x.consume(end+nl, 1)
		if len(line) > 0 {
			return line, num, off, nil
		}
	}
}

// records turns a reader's Read into the iterator its All returns: each
// entry with a nil error, or a *ParseError for a bad record (iteration goes
// on), or a final read error (iteration stops); io.EOF ends it.
func records[E any](read func() (E, error)) iter.Seq2[E, error] {
	return func(yield func(E, error) bool) {
		for {
			e, err := read()
			if err == io.EOF {
				return
			}
			if !yield(e, err) {
				return
			}
			if _, ok := err.(*ParseError); err != nil && !ok {
				return
			}
		}
	}
}
