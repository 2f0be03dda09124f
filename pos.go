package badgateway

import (
	"strconv"
)

// Pos is a position in an input file: a config file or a log file.
//
// Line and Col are 1-based; Col counts bytes, not runes, as nginx and
// php-fpm do. A zero Line means the line is unknown, a zero Col means the
// column is unknown. Offset is the 0-based byte offset of the position in
// the file; it is meaningful only when Line is not zero.
//
// Pos is a plain value: it is safe to copy and to compare with ==.
type Pos struct {
	File   string // path as given by the caller or as resolved by an include; may be empty (stdin, a buffer)
	Line   int    // 1-based line; 0 = unknown
	Col    int    // 1-based byte column; 0 = unknown
	Offset int64  // 0-based byte offset of Line:Col in File
}

// IsValid reports whether the position names a line.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position like go/token does: "file:line:col",
// "file:line" when the column is unknown, "file" when the line is unknown,
// "line:col" or "line" when the file name is empty, and "-" when nothing
// is known.
func (p Pos) String() string {
	b := make([]byte, 0, len(p.File)+16)
	b = p.AppendTo(b)
	return string(b)
}

// AppendTo appends the String form of p to b and returns the result.
func (p Pos) AppendTo(b []byte) []byte {
	b = append(b, p.File...)
	if p.IsValid() {
		if p.File != "" {
			b = append(b, ':')
		}
		b = strconv.AppendInt(b, int64(p.Line), 10)
		if p.Col > 0 {
			b = append(b, ':')
			b = strconv.AppendInt(b, int64(p.Col), 10)
		}
	}
	if len(b) == 0 {
		b = append(b, '-')
	}
	return b
}
