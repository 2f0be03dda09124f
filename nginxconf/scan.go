package nginxconf

import (
	"fmt"

	"github.com/badgateway/badgateway"
)

// confBuffer is NGX_CONF_BUFFER, the size of the buffer nginx reads a
// configuration file through. A single token that fills it is an error
// ("too long parameter"), so the scanner emulates the buffer's refills.
const confBuffer = 4096

// Results of scanner.next, named after ngx_conf_read_token's return codes.
const (
	tokStatement  = iota // NGX_OK: a statement terminated by ";"
	tokBlockStart        // NGX_CONF_BLOCK_START: a statement terminated by "{"
	tokBlockDone         // NGX_CONF_BLOCK_DONE: "}"
	tokFileDone          // NGX_CONF_FILE_DONE: end of input
)

// word is one argument of a statement, unquoted and unescaped as nginx does.
type word struct {
	val    string
	pos    badgateway.Pos // position of the first byte (the opening quote of a quoted word)
	quoted bool
}

// scanner reads statements from one file exactly as nginx 1.22's
// ngx_conf_read_token (src/core/ngx_conf_file.c) does: same word splitting,
// quoting, escapes, comments, error messages and error lines.
//
// It works on raw bytes: nothing is decoded as UTF-8.
type scanner struct {
	src       []byte
	file      string
	off       int // offset of the next byte to read
	line      int // current line (cf->conf_file->line)
	lineStart int // offset of the first byte of the current line
	bufLast   int // end of the emulated NGX_CONF_BUFFER window, as a file offset
	endPos    badgateway.Pos
}

func newScanner(file string, src []byte) *scanner {
	return &scanner{src: src, file: file, line: 1}
}

// syntaxError is a problem found by the scanner or the statement reader,
// worded as nginx words it, at the line nginx reports.
type syntaxError struct {
	pos badgateway.Pos
	msg string
}

func (e *syntaxError) Error() string { return e.msg }

func (s *scanner) errorf(format string, args ...any) *syntaxError {
	return &syntaxError{
		pos: badgateway.Pos{File: s.file, Line: s.line},
		msg: fmt.Sprintf(format, args...),
	}
}

func (s *scanner) posAt(off, line, lineStart int) badgateway.Pos {
	return badgateway.Pos{File: s.file, Line: line, Col: off - lineStart + 1, Offset: int64(off)}
}

func isConfSpace(ch byte) bool {
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n'
}

// next reads one statement's words into args (which it truncates first)
// and reports how the statement ended. After a tokStatement or
// tokBlockStart, s.endPos is the position of the ";" or "{"; after
// tokBlockDone, of the "}".
func (s *scanner) next(args []word) ([]word, int, *syntaxError) {
	args = args[:0]
	var (
		found, needSpace, sharpComment, variable bool
		quoted, sQuoted, dQuoted                 bool
		lastSpace                                = true
	)
	start := s.off
	startLine := s.line
	startLineStart := s.lineStart

	for {
		if s.off >= s.bufLast {
			if s.off >= len(s.src) {
				if len(args) > 0 || !lastSpace {
					return args, 0, s.errorf("unexpected end of file, expecting \";\" or \"}\"")
				}
				return args, tokFileDone, nil
			}
			if s.off-start == confBuffer {
				s.line = startLine
				if dQuoted {
					return args, 0, s.errorf("too long parameter, probably missing terminating '\"' character")
				}
				if sQuoted {
					return args, 0, s.errorf("too long parameter, probably missing terminating \"'\" character")
				}
				return args, 0, s.errorf("too long parameter \"%s...\" started", s.src[start:start+10])
			}
			s.bufLast = min(start+confBuffer, len(s.src))
		}

		ch := s.src[s.off]
		s.off++

		if ch == '\n' {
			s.line++
			s.lineStart = s.off
			sharpComment = false
		}
		if sharpComment {
			continue
		}
		if quoted {
			quoted = false
			continue
		}
		if needSpace {
			if isConfSpace(ch) {
				lastSpace = true
				needSpace = false
				continue
			}
			if ch == ';' {
				s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
				return args, tokStatement, nil
			}
			if ch == '{' {
				s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
				return args, tokBlockStart, nil
			}
			if ch != ')' {
				return args, 0, s.errorf("unexpected \"%c\"", ch)
			}
			lastSpace = true
			needSpace = false
		}

		if lastSpace {
			start = s.off - 1
			startLine = s.line
			startLineStart = s.lineStart
			if isConfSpace(ch) {
				continue
			}
			switch ch {
			case ';', '{':
				if len(args) == 0 {
					return args, 0, s.errorf("unexpected \"%c\"", ch)
				}
				s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
				if ch == '{' {
					return args, tokBlockStart, nil
				}
				return args, tokStatement, nil
			case '}':
				if len(args) != 0 {
					return args, 0, s.errorf("unexpected \"}\"")
				}
				s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
				return args, tokBlockDone, nil
			case '#':
				sharpComment = true
				continue
			case '\\':
				quoted = true
				lastSpace = false
				continue
			case '"':
				start++
				dQuoted = true
				lastSpace = false
				continue
			case '\'':
				start++
				sQuoted = true
				lastSpace = false
				continue
			case '$':
				variable = true
				lastSpace = false
				continue
			default:
				lastSpace = false
			}
			continue
		}

		if ch == '{' && variable {
			continue
		}
		variable = false
		if ch == '\\' {
			quoted = true
			continue
		}
		if ch == '$' {
			variable = true
			continue
		}
		switch {
		case dQuoted:
			if ch == '"' {
				dQuoted = false
				needSpace = true
				found = true
			}
		case sQuoted:
			if ch == '\'' {
				sQuoted = false
				needSpace = true
				found = true
			}
		case isConfSpace(ch) || ch == ';' || ch == '{':
			lastSpace = true
			found = true
		}
		if !found {
			continue
		}
		found = false
		w := word{val: unescapeWord(s.src[start : s.off-1])}
		w.quoted = needSpace // a quoted word is always followed by need_space
		wordStart := start
		if w.quoted {
			wordStart-- // the opening quote
		}
		w.pos = s.posAt(wordStart, startLine, startLineStart)
		args = append(args, w)
		if ch == ';' {
			s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
			return args, tokStatement, nil
		}
		if ch == '{' {
			s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
			return args, tokBlockStart, nil
		}
	}
}

// unescapeWord copies a word the way ngx_conf_read_token does: \" \' and
// \\ lose their backslash, \t \r \n become TAB, CR and LF, and any other
// backslash is kept as is.
func unescapeWord(b []byte) string {
	i := 0
	for i < len(b) && b[i] != '\\' {
		i++
	}
	if i == len(b) {
		return string(b)
	}
	out := make([]byte, i, len(b))
	copy(out, b[:i])
	for i < len(b) {
		c := b[i]
		if c == '\\' && i+1 < len(b) {
			switch b[i+1] {
			case '"', '\'', '\\':
				i++
				c = b[i]
			case 't':
				out = append(out, '\t')
				i += 2
				continue
			case 'r':
				out = append(out, '\r')
				i += 2
				continue
			case 'n':
				out = append(out, '\n')
				i += 2
				continue
			}
		}
		out = append(out, c)
		i++
	}
	return string(out)
}
