package logparse

import (
	"io"
	"iter"
	"math/bits"
	"strings"
	"time"

	"github.com/badgateway/badgateway"
)

// DefaultFPMAccessFormat is php-fpm's default access.format (fpm_conf.c):
// "%R - %u %t \"%m %r\" %s".
const DefaultFPMAccessFormat = `%R - %u %t "%m %r" %s`

// FPMAccessFormat is a compiled php-fpm access.format
// (sapi/fpm/fpm/fpm_log.c fpm_log_write): literal text and "%X" or
// "%{ARG}X" tokens. Compile once and parse many lines; an FPMAccessFormat
// is immutable and safe for concurrent use.
type FPMAccessFormat struct {
	text  string
	items []fpmAccessItem
}

type fpmAccessItem struct {
	lit   string // literal text before the token
	tok   string // the token as written, "%{ARG}X"; "" for a final literal
	verb  byte
	arg   string
	width int // fixed width of a time value, 0 when unknown
	// next is the literal after the token when the value simply runs to
	// it (parsed inline by parse); "" otherwise. nextW, nextM and nextPat
	// are as accessItem's.
	next                  string
	nextW, nextM, nextPat uint64
	// scale is the unit of %d (nanoseconds per second written: 1 for
	// seconds, 1000 for milli, 10^6 for micro) or of %M (bytes per unit),
	// chosen once; cpu is set for a %C that is parsed (total, or no
	// argument).
	scale float64
	div   time.Duration
	cpu   bool
	// kind is verb as a dense number for parse's switch (fk*).
	kind uint8
	// litW and litM are lit's first (up to) eight bytes and their mask.
	litW, litM uint64
	// quick: a string token (or %s) whose value runs to a next of at
	// most 8 bytes, after a literal of at most 8: parse's inner loop,
	// which makes no call, takes it.
	quick bool
	// num: a %d, %M or %C (parsed) whose next literal cannot start
	// inside a decimal number: parse reads the number and then expects
	// next, one pass instead of a search and a parse.
	num bool
	// op is how parse finds a value not searched for next (the
	// accessItem.op values; opTimeLocal for any fixed width).
	op uint8
}

// The fpmAccessItem.kind values: the tokens parse stores inline, fkOther
// for the others (set).
const (
	fkNone = iota
	fkR
	fku
	fkm
	fkr
	fkq
	fkf
	fkn
	fks
	fkp
	fkt
	fkd
	fkM
	fkC
	fkOther
)

// CompileFPMAccessFormat compiles an access.format value (without the
// quotes of php-fpm.conf; "\"" already unescaped). The tokens are php-fpm
// 8.2's: %C %d %e %f %l %m %M %n %o %p %P %q %Q %r %R %s %t %T %u and "%%",
// with "{ARG}" where php-fpm takes one (%{NAME}e and %{NAME}o require it);
// see FPMAccessEntry for the typed fields. The error is a *ParseError
// wrapping ErrBadLogFormat, Pos.Col the 1-based byte at fault, for an
// unknown token, an unclosed "{" or a missing required argument (php-fpm
// itself refuses such a format: "wrong format for access.format").
func CompileFPMAccessFormat(format string) (*FPMAccessFormat, error) {
	f := &FPMAccessFormat{text: format}
	var lit strings.Builder
	litStart := 0
	_ = litStart
	for i := 0; i < len(format); {
		c := format[i]
		if c != '%' {
			lit.WriteByte(c)
			i++
			continue
		}
		start := i
		i++
		if i >= len(format) {
			return nil, &ParseError{Pos: badgateway.Pos{Line: 1, Col: start + 1}, Err: ErrBadLogFormat}
		}
		if format[i] == '%' {
			lit.WriteByte('%')
			i++
			continue
		}
		arg := ""
		if format[i] == '{' {
			end := strings.IndexByte(format[i:], '}')
			if end < 0 {
				return nil, &ParseError{Pos: badgateway.Pos{Line: 1, Col: i + 1}, Err: ErrBadLogFormat}
			}
			arg = format[i+1 : i+end]
			i += end + 1
			if i >= len(format) {
				return nil, &ParseError{Pos: badgateway.Pos{Line: 1, Col: start + 1}, Err: ErrBadLogFormat}
			}
		}
		verb := format[i]
		i++
		if !strings.ContainsRune("CdeflmMnopPqQrRstTu", rune(verb)) || (verb == 'e' || verb == 'o') && arg == "" {
			return nil, &ParseError{Pos: badgateway.Pos{Line: 1, Col: start + 1}, Err: ErrBadLogFormat}
		}
		it := fpmAccessItem{lit: lit.String(), tok: format[start:i], verb: verb, arg: arg}
		if verb == 't' || verb == 'T' {
			if arg == "" {
				it.width = 26
			} else {
				it.width = strftimeWidth(arg)
			}
		}
		f.items = append(f.items, it)
		lit.Reset()
	}
	if lit.Len() > 0 || len(f.items) == 0 {
		f.items = append(f.items, fpmAccessItem{lit: lit.String()})
	}
	for i := range f.items {
		it := &f.items[i]
		it.div, it.scale = 1, 1
		it.litW, it.litM = litWord(it.lit)
		if it.tok != "" {
			it.kind = fkOther
			if k := strings.IndexByte("RumrqfnspTdMC", it.verb); k >= 0 && it.verb != 'T' {
				it.kind = uint8(k + fkR)
			}
			if it.verb == 't' {
				it.kind = fkt
			}
		}
		switch it.verb {
		case 'd':
			switch it.arg {
			case "milli", "mili":
				it.div = 1000
			case "micro":
				it.div = 1000000
			}
		case 'M':
			switch it.arg {
			case "kilo":
				it.scale = 1024
			case "mega":
				it.scale = 1024 * 1024
			}
		case 'C':
			it.cpu = it.arg == "" || it.arg == "total"
		}
		switch {
		case it.width > 0:
			it.op = opTimeLocal
		case it.tok == "":
			it.op = opEnd
		case i+1 == len(f.items):
			it.op = opRest
		case f.items[i+1].lit == "" && it.verb == 'r':
			it.op = opURI
		case f.items[i+1].lit == "" && it.verb == 'Q':
			it.op = opQuery
		}
		if i+1 < len(f.items) && it.tok != "" && it.width == 0 {
			it.next = f.items[i+1].lit
			if it.next != "" {
				it.nextW, it.nextM = litWord(it.next)
				it.nextPat = uint64(it.next[0]) * 0x0101010101010101
				c := it.next[0]
				it.num = (it.kind == fkd || it.kind == fkM || it.kind == fkC && it.cpu) && !isDigit(c) && c != '.'
				switch it.kind {
				case fkR, fku, fkm, fkr, fkq, fkf, fkn, fks, fkp:
					it.quick = len(it.next) <= 8 && len(it.lit) <= 8
				}
				if it.num {
					it.quick = len(it.next) <= 8 && len(it.lit) <= 8
				}
			}
		}
		switch it.op {
		case opURI, opQuery, opEnd:
			it.quick = len(it.lit) <= 8
		case opRest:
			switch it.kind {
			case fkR, fku, fkm, fkr, fkq, fkf, fkn, fks, fkp:
				it.quick = len(it.lit) <= 8
			}
		}
	}
	return f, nil
}

// strftimeWidth is the output width of a strftime format made only of
// fixed-width conversions (%d %m %Y %y %H %M %S %b %z %e %j %s excluded),
// 0 otherwise.
func strftimeWidth(f string) int {
	w := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			w++
			continue
		}
		i++
		if i >= len(f) {
			return 0
		}
		switch f[i] {
		case 'd', 'm', 'H', 'M', 'S', 'y':
			w += 2
		case 'Y':
			w += 4
		case 'b':
			w += 3
		case 'z':
			w += 5
		case '%':
			w++
		default:
			return 0
		}
	}
	return w
}

// Text returns the format text.
func (f *FPMAccessFormat) Text() string { return f.text }

// Parse parses one php-fpm access-log line written with f (trailing "\r"
// and "\n" removed). Raw is a copy of line and every string field a
// substring of it (one allocation). The error is a *ParseError wrapping
// ErrFormatMismatch or ErrLineTooLong. Parse never panics and is safe for
// concurrent use.
func (f *FPMAccessFormat) Parse(line []byte) (FPMAccessEntry, error) {
	line = trimEOL(line)
	if len(line) > DefaultMaxRecordBytes {
		return FPMAccessEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1}, Err: ErrLineTooLong}
	}
	var e FPMAccessEntry
	if col, err := f.parse(&e, string(line), nil); err != nil {
		return FPMAccessEntry{}, &ParseError{Pos: badgateway.Pos{Line: 1, Col: col}, Err: err}
	}
	e.Pos = badgateway.Pos{Line: 1}
	return e, nil
}

// scan checks the literal of item i at p and returns the token value's
// bounds.
func (f *FPMAccessFormat) scan(s string, p, i int) (vs, ve int, err error) {
	it := &f.items[i]
	if !hasLit(s, p, it.lit) {
		return 0, 0, ErrFormatMismatch
	}
	p += len(it.lit)
	if it.tok == "" {
		if p != len(s) {
			return p, p, ErrFormatMismatch
		}
		return p, p, nil
	}
	if it.width > 0 {
		if len(s)-p < it.width {
			return 0, 0, ErrFormatMismatch
		}
		return p, p + it.width, nil
	}
	if i+1 >= len(f.items) {
		return p, len(s), nil
	}
	next := f.items[i+1].lit
	if next == "" {
		// Tokens side by side ("%r%Q%q"): use what the value can hold.
		e := p
		switch it.verb {
		case 'Q':
			if e < len(s) && s[e] == '?' {
				e++
			}
			return p, e, nil
		case 'r':
			return p, indexURIEnd(s, p), nil
		case 's', 'p', 'P', 'l', 'M':
			for e < len(s) && isDigit(s[e]) {
				e++
			}
			return p, e, nil
		case 'd', 'C':
			for e < len(s) && (isDigit(s[e]) || s[e] == '.') {
				e++
			}
			return p, e, nil
		}
		for k := i + 1; k < len(f.items); k++ {
			if l := f.items[k].lit; l != "" {
				if j := findLit(s, p, l); j >= 0 {
					return p, j, nil
				}
				return p, len(s), nil
			}
		}
		return p, len(s), nil
	}
	if j := findLit(s, p, next); j >= 0 {
		return p, j, nil
	}
	return 0, 0, ErrFormatMismatch
}

// parse parses s (the line without EOL) into e, which must be zero; on
// error e is left partly filled.
func (f *FPMAccessFormat) parse(e *FPMAccessEntry, s string, zc *zoneCache) (col int, err error) {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	e.Raw, e.Format = s, f
	e.Duration, e.Memory, e.CPU, e.ContentLength = -1, -1, -1, -1
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
			if it.num {
				// A number then next (see the num case below), read
				// here without scanDecimal's call.
				var sec, frac uint64
				j := vs
				for ; j < len(s); j++ {
					c := s[j] - '0'
					if c > 9 {
						break
					}
					sec = sec*10 + uint64(c)
				}
				if j == vs || j-vs > 9 {
					break
				}
				m := 0
				if j < len(s) && s[j] == '.' {
					k := j + 1
					for ; k < len(s); k++ {
						c := s[k] - '0'
						if c > 9 {
							break
						}
						frac = frac*10 + uint64(c)
					}
					if m = k - j - 1; m == 0 || m > 9 {
						break
					}
					j = k
				}
				if len(s)-j < 8 || wordAt(s, j)&it.nextM != it.nextW {
					break
				}
				d := time.Duration(sec)*time.Second + time.Duration(frac)*pow10ns[m]
				switch it.kind {
				case fkd:
					switch it.div {
					case 1000:
						d /= 1000
					case 1000000:
						d /= 1000000
					}
					e.Duration = d
				case fkM:
					if m == 0 && sec < 1<<53/uint64(time.Second) {
						e.Memory = int64(sec) * int64(it.scale)
					} else {
						e.Memory = int64(float64(d) / float64(time.Second) * it.scale)
					}
				default:
					e.CPU = float64(d) / float64(time.Second)
				}
				p, litOK = j, true
				continue
			}
			ve := -1
			switch it.op {
			case opScan: // next follows
				for j := vs; len(s)-j >= 16; j += 8 {
					x := wordAt(s, j) ^ it.nextPat
					if m := (x - lo) &^ x & hi; m != 0 {
						ve = j + bits.TrailingZeros64(m)>>3
						break
					}
				}
				if ve < 0 || wordAt(s, ve)&it.nextM != it.nextW {
					goto slow
				}
			case opURI: // as indexURIEnd
				j := vs
				for ; len(s)-j >= 8; j += 8 {
					w := wordAt(s, j)
					x, y, z := w^('?'*lo), w^(' '*lo), w^('"'*lo)
					if m := ((x-lo)&^x | (y-lo)&^y | (z-lo)&^z) & hi; m != 0 {
						ve = j + bits.TrailingZeros64(m)>>3
						break
					}
				}
				if ve < 0 {
					for ve = j; ve < len(s); ve++ {
						if c := s[ve]; c == '?' || c == ' ' || c == '"' {
							break
						}
					}
				}
			case opQuery:
				ve = vs
				if vs < len(s) && s[vs] == '?' {
					ve++
				}
			case opRest:
				ve = len(s)
			case opEnd:
				if vs != len(s) {
					goto slow
				}
				ve = vs
			default:
				goto slow
			}
			v := s[vs:ve]
			switch it.kind {
			case fkp:
				// As atoi: the leading digits (at most 9).
				n := 0
				for k := 0; k < len(v) && k < 9; k++ {
					c := v[k] - '0'
					if c > 9 {
						break
					}
					n = n*10 + int(c)
				}
				e.Child = n
			case fkR:
				e.RemoteAddr = v
			case fku:
				e.RemoteUser = v
			case fkm:
				e.Method = v
			case fkr:
				e.RequestURI = v
			case fkq:
				e.Query = v
			case fkf:
				e.ScriptFilename = v
			case fkn:
				e.Pool = v
			case fks:
				if len(v) != 3 || !isDigit(v[0]) || !isDigit(v[1]) || !isDigit(v[2]) {
					goto slow
				}
				e.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
			}
			p, litOK = ve, it.op == opScan
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
		if it.num && lok {
			// A number then next: its value is what the search would
			// find, since next cannot start inside it.
			vs = p + len(it.lit)
			if sec, frac, m, end := scanDecimal(s, vs); end > vs && len(s)-end >= len(it.next) &&
				(len(s)-end >= 8 && len(it.next) <= 8 && wordAt(s, end)&it.nextM == it.nextW || hasLit(s, end, it.next)) {
				d := time.Duration(sec)*time.Second + time.Duration(frac)*pow10ns[m]
				switch it.kind {
				case fkd:
					switch it.div {
					case 1000:
						d /= 1000
					case 1000000:
						d /= 1000000
					}
					e.Duration = d
				case fkM:
					if m == 0 && sec < 1<<53/uint64(time.Second) {
						// Exact in float64: the same as below.
						e.Memory = int64(sec) * int64(it.scale)
					} else {
						e.Memory = int64(float64(d) / float64(time.Second) * it.scale)
					}
				default:
					e.CPU = float64(d) / float64(time.Second)
				}
				p, litOK = end, true
				continue
			}
		}
		if it.next != "" && lok {
			// Inline: the value runs to the first occurrence of next,
			// searched eight bytes at a time.
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
				if ve = findLit(s, vs, it.next); ve < 0 {
					return vs + 1, ErrFormatMismatch
				}
			}
			litOK = true
		} else {
			// Fixed widths and the end of the line here, the rest (and
			// every mismatch) by scan.
			litOK = false
			vs = p + len(it.lit)
			fast := false
			if it.op != opScan && lok {
				switch it.op {
				case opTimeLocal:
					ve, fast = vs+it.width, len(s)-vs >= it.width
				case opRest:
					ve, fast = len(s), true
				case opEnd:
					ve, fast = vs, vs == len(s)
				case opURI:
					ve, fast = indexURIEnd(s, vs), true
				case opQuery:
					ve, fast = vs, true
					if vs < len(s) && s[vs] == '?' {
						ve++
					}
				}
			}
			if !fast {
				if vs, ve, err = f.scan(s, p, i); err != nil {
					return mismatchCol(s, p, it.lit), err
				}
			}
		}
		p = ve
		v := s[vs:ve]
		switch it.kind {
		case fkNone:
		case fkR:
			e.RemoteAddr = v
		case fku:
			e.RemoteUser = v
		case fkm:
			e.Method = v
		case fkr:
			e.RequestURI = v
		case fkq:
			e.Query = v
		case fkf:
			e.ScriptFilename = v
		case fkn:
			e.Pool = v
		case fks:
			if len(v) == 3 && isDigit(v[0]) && isDigit(v[1]) && isDigit(v[2]) {
				e.Status = int(v[0]-'0')*100 + int(v[1]-'0')*10 + int(v[2]-'0')
				break
			}
			st, n := atoi(v)
			if n == 0 || n != len(v) {
				return vs + 1, ErrFormatMismatch
			}
			e.Status = st
		case fkp:
			e.Child, _ = atoi(v)
		case fkt:
			if it.arg != "" {
				if !e.set(it, v, zc) {
					return vs + 1, ErrFormatMismatch
				}
				break
			}
			t, ok := parseTimeLocal(v, zc)
			if !ok {
				return vs + 1, ErrFormatMismatch
			}
			e.Time = t
		case fkd:
			d, ok := decimalSeconds(v)
			if !ok {
				return vs + 1, ErrFormatMismatch
			}
			switch it.div {
			case 1000:
				d /= 1000
			case 1000000:
				d /= 1000000
			}
			e.Duration = d
		case fkM:
			// A decimal number: read as seconds, as php-fpm's "%.0f"
			// may have no fraction.
			m, ok := decimalSeconds(v)
			if !ok {
				return vs + 1, ErrFormatMismatch
			}
			e.Memory = int64(float64(m) / float64(time.Second) * it.scale)
		case fkC:
			if it.cpu {
				d, ok := decimalSeconds(v)
				if !ok {
					return vs + 1, ErrFormatMismatch
				}
				e.CPU = float64(d) / float64(time.Second)
			}
		default:
			if !e.set(it, v, zc) {
				return vs + 1, ErrFormatMismatch
			}
		}
	}
	if p != len(s) {
		return p + 1, ErrFormatMismatch
	}
	return 0, nil
}

// indexURIEnd returns the index of the first '?', ' ' or '"' in s from p
// (len(s) when none): where a %r followed by a token ends. Eight bytes at a
// time: the lowest byte flagged by any of the three zero-byte tests is
// exact.
func indexURIEnd(s string, p int) int {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	i := p
	for ; len(s)-i >= 8; i += 8 {
		w := wordAt(s, i)
		x, y, z := w^('?'*lo), w^(' '*lo), w^('"'*lo)
		if m := ((x-lo)&^x | (y-lo)&^y | (z-lo)&^z) & hi; m != 0 {
			return i + bits.TrailingZeros64(m)>>3
		}
	}
	for ; i < len(s); i++ {
		if c := s[i]; c == '?' || c == ' ' || c == '"' {
			return i
		}
	}
	return len(s)
}

// decimalSeconds parses all of v as a decimal number of seconds
// ("%ld.%06d", any number of fraction digits), as secondsDuration does;
// the common short values without its loops.
func decimalSeconds(v string) (time.Duration, bool) {
	var sec, frac uint64
	i := 0
	for ; i < len(v); i++ {
		c := v[i] - '0'
		if c > 9 {
			break
		}
		sec = sec*10 + uint64(c)
	}
	if i == 0 || i > 9 {
		// Empty, or long enough to overflow: secondsDuration decides.
		d, n := secondsDuration(v)
		return d, n > 0 && n == len(v)
	}
	if i == len(v) {
		return time.Duration(sec) * time.Second, true
	}
	if v[i] != '.' {
		return 0, false
	}
	j := i + 1
	for ; j < len(v); j++ {
		c := v[j] - '0'
		if c > 9 {
			break
		}
		frac = frac*10 + uint64(c)
	}
	m := j - i - 1
	if j != len(v) || m == 0 || m > 9 {
		d, n := secondsDuration(v)
		return d, n > 0 && n == len(v)
	}
	return time.Duration(sec)*time.Second + time.Duration(frac)*pow10ns[m], true
}

// scanDecimal reads a decimal number at s[i:] as decimalSeconds accepts
// it without falling back (1-9 integer digits, optionally "." and 1-9
// fraction digits): its parts and its end; end == i when there is none.
func scanDecimal(s string, i int) (sec, frac uint64, m, end int) {
	j := i
	for ; j < len(s); j++ {
		c := s[j] - '0'
		if c > 9 {
			break
		}
		sec = sec*10 + uint64(c)
	}
	if j == i || j-i > 9 {
		return 0, 0, 0, i
	}
	if j < len(s) && s[j] == '.' {
		k := j + 1
		for ; k < len(s); k++ {
			c := s[k] - '0'
			if c > 9 {
				break
			}
			frac = frac*10 + uint64(c)
		}
		m = k - j - 1
		if m == 0 || m > 9 {
			return 0, 0, 0, i
		}
		j = k
	}
	return sec, frac, m, j
}

// pow10ns[m] is the nanoseconds of one unit of the m-th fraction digit.
var pow10ns = [10]time.Duration{1e9, 1e8, 1e7, 1e6, 1e5, 1e4, 1e3, 100, 10, 1}

// set stores v, the value of it, in its typed field (the tokens parse
// does not handle inline); false if v is malformed.
func (e *FPMAccessEntry) set(it *fpmAccessItem, v string, zc *zoneCache) bool {
	switch it.verb {
	case 'R':
		e.RemoteAddr = v
	case 'u':
		e.RemoteUser = v
	case 't', 'T':
		var t time.Time
		if it.arg == "" {
			var ok bool
			if t, ok = parseTimeLocal(v, zc); !ok {
				return false
			}
		} else if it.width > 0 {
			t = parseStrftime(it.arg, v, zc)
		}
		if it.verb == 't' {
			e.Time = t
		} else {
			e.EndTime = t
		}
	case 'm':
		e.Method = v
	case 'r':
		e.RequestURI = v
	case 'q':
		e.Query = v
	case 'f':
		e.ScriptFilename = v
	case 's':
		st, n := atoi(v)
		if n == 0 || n != len(v) {
			return false
		}
		e.Status = st
	case 'd':
		d, n := secondsDuration(v)
		if n == 0 || n != len(v) {
			return false
		}
		switch it.arg {
		case "milli", "mili":
			d /= 1000
		case "micro":
			d /= 1000000
		}
		e.Duration = d
	case 'M':
		m, n := secondsDuration(v) // a decimal number; reuse the parser
		if n == 0 || n != len(v) {
			return false
		}
		b := float64(m) / float64(time.Second)
		switch it.arg {
		case "kilo":
			b *= 1024
		case "mega":
			b *= 1024 * 1024
		}
		e.Memory = int64(b)
	case 'C':
		if it.arg == "" || it.arg == "total" {
			d, n := secondsDuration(v)
			if n == 0 || n != len(v) {
				return false
			}
			e.CPU = float64(d) / float64(time.Second)
		}
	case 'l':
		e.ContentLength = int64Value(v)
	case 'n':
		e.Pool = v
	case 'p':
		e.Child, _ = atoi(v)
	case 'P':
		e.Master, _ = atoi(v)
	}
	return true
}

// parseStrftime parses v written with the fixed-width strftime format f
// (see strftimeWidth); zero time when it does not match.
func parseStrftime(f, v string, zc *zoneCache) time.Time {
	year, mon, day, hh, mm, ss := 1970, 1, 1, 0, 0, 0
	zone := "+0000"
	p := 0
	for i := 0; i < len(f); i++ {
		if f[i] != '%' {
			if p >= len(v) || v[p] != f[i] {
				return time.Time{}
			}
			p++
			continue
		}
		i++
		var w int
		switch f[i] {
		case 'Y':
			w = 4
		case 'b':
			w = 3
		case 'z':
			w = 5
		case '%':
			w = 1
		default:
			w = 2
		}
		if p+w > len(v) {
			return time.Time{}
		}
		x := v[p : p+w]
		p += w
		num := func() int {
			n, k := atoi(x)
			if k != len(x) {
				return -1
			}
			return n
		}
		switch f[i] {
		case 'Y':
			year = num()
		case 'y':
			year = 2000 + num()
		case 'm':
			mon = num()
		case 'd':
			day = num()
		case 'H':
			hh = num()
		case 'M':
			mm = num()
		case 'S':
			ss = num()
		case 'b':
			mon = fpmMonth(x)
		case 'z':
			zone = x
		}
	}
	if hh < 0 || mm < 0 || ss < 0 || year < 0 {
		return time.Time{}
	}
	t, _ := civilTime(year, mon, day, hh, mm, ss, zone, zc)
	return t
}

// Var returns the value of token (as written in the format, e.g. "%f" or
// "%{REQUEST_METHOD}e") in the entry's line and whether the format has it.
// It re-reads Raw and does not allocate.
func (e *FPMAccessEntry) Var(token string) (string, bool) {
	f := e.Format
	if f == nil {
		return "", false
	}
	p := 0
	for i := range f.items {
		vs, ve, err := f.scan(e.Raw, p, i)
		if err != nil {
			return "", false
		}
		p = ve
		if f.items[i].tok == token {
			return e.Raw[vs:ve], true
		}
	}
	return "", false
}

// FPMAccessReader reads a php-fpm access log written with one
// FPMAccessFormat, a line per entry, like AccessReader. It is not safe for
// concurrent use.
type FPMAccessReader struct {
	lb    lineBuf
	f     *FPMAccessFormat
	reuse bool
	zc    zoneCache
}

// NewFPMAccessReader returns a reader of the php-fpm access log in src
// written with format f.
func NewFPMAccessReader(src io.Reader, f *FPMAccessFormat, opts AccessReaderOptions) *FPMAccessReader {
	return &FPMAccessReader{lb: newLineBuf(src, opts.File, opts.MaxRecordBytes), f: f, reuse: opts.ReuseRecord}
}

// Read returns the next entry; io.EOF at the end. Errors are as for
// AccessReader.Read.
func (x *FPMAccessReader) Read() (e FPMAccessEntry, err error) {
	line, num, off, err := x.lb.nextLine()
	if err != nil {
		return FPMAccessEntry{}, err
	}
	if col, err := x.f.parse(&e, x.lb.str(line, x.reuse), &x.zc); err != nil {
		return FPMAccessEntry{}, &ParseError{Pos: x.lb.pos(num, col, off), Err: err}
	}
	e.Pos = x.lb.pos(num, 0, off)
	return e, nil
}

// All returns an iterator over the remaining entries, as AccessReader.All.
func (x *FPMAccessReader) All() iter.Seq2[FPMAccessEntry, error] {
	return records(x.Read)
}
