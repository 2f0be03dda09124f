package fpmconf

// This file implements PHP's INI syntax (Zend/zend_ini_scanner.l and
// Zend/zend_ini_parser.y, scanner mode ZEND_INI_SCANNER_NORMAL) for one
// line at a time, as php-fpm uses it: fpm_conf_load_ini_file in
// sapi/fpm/fpm/fpm_conf.c reads the file one line at a time, appends "\n"
// and calls zend_parse_ini_string on that line alone. A quoted string
// therefore never spans lines, and every line is parsed on its own.
//
// The scanner below follows the re2c rules of PHP 8.2 (longest match, ties
// to the earlier rule); it is written from reading those rules, not copied.

import (
	"strconv"
	"strings"
)

// token kinds of the Zend INI scanner.
type tokKind int

const (
	tEOF         tokKind = iota // end of input (also re2c's "return 0")
	tSection                    // "["
	tRaw                        // 'single quoted'
	tConstant                   // [a-zA-Z_][a-zA-Z0-9_]*
	tNumber                     // -?[0-9]+ or a decimal
	tString                     // anything else in a value
	tWhitespace                 // blanks inside a value
	tLabel                      // an option name
	tOffset                     // an option name followed by "["
	tDollarCurly                // "${"
	tVarname                    // the name inside ${...}
	tQuoted                     // the text of a "double quoted" part
	tTrue                       // true, on, yes
	tFalse                      // false, off, no, none
	tNull                       // null
	tEOL                        // END_OF_LINE
	tChar                       // a single character token: = ] " } | & ^ ~ ! ( ) and the TOKENS set
)

type token struct {
	kind tokKind
	ch   byte   // for tChar
	text string // value for string-like tokens
	off  int    // byte offset of the token's text in the line
}

// scanner states.
type scanState int

const (
	stInitial scanState = iota
	stValue
	stSectionValue
	stOffset
	stDoubleQuotes
	stVarname
)

type lexer struct {
	s     string // the line, with php-fpm's appended "\n"
	pos   int
	state scanState
	stack []scanState
	start int // where the line starts after a UTF-8 BOM
}

// isLabelChar is PHP 8.2's LABEL_CHAR, [^=\n\r\t;&|^$~(){}!"[\x00]: unlike
// later versions it allows ']' (measured: "a]b = 1" is the key "a]b").
func isLabelChar(c byte) bool {
	switch c {
	case '=', '\n', '\r', '\t', ';', '&', '|', '^', '$', '~', '(', ')', '{', '}', '!', '"', '[', 0:
		return false
	}
	return true
}

func isTabSpace(c byte) bool { return c == ' ' || c == '\t' }

func isConstStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isConstChar(c byte) bool { return isConstStart(c) || (c >= '0' && c <= '9') }

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// at returns the byte at i or 0 past the end (PHP scans a NUL-terminated buffer).
func (l *lexer) at(i int) byte {
	if i < len(l.s) {
		return l.s[i]
	}
	return 0
}

func (l *lexer) push(s scanState) { l.stack = append(l.stack, l.state); l.state = s }
func (l *lexer) pop() {
	if n := len(l.stack); n > 0 {
		l.state = l.stack[n-1]
		l.stack = l.stack[:n-1]
	} else {
		l.state = stInitial
	}
}

// matchLabel returns the length of {LABEL} at i (0 if none).
func (l *lexer) matchLabel(i int) int {
	j := i
	for j < len(l.s) && isLabelChar(l.s[j]) {
		j++
	}
	return j - i
}

// matchTabs returns the number of tabs and spaces at i.
func (l *lexer) matchTabs(i int) int {
	j := i
	for j < len(l.s) && isTabSpace(l.s[j]) {
		j++
	}
	return j - i
}

// matchNewline returns the length of {NEWLINE} at i.
func (l *lexer) matchNewline(i int) int {
	switch l.at(i) {
	case '\n':
		return 1
	case '\r':
		if l.at(i+1) == '\n' {
			return 2
		}
		return 1
	}
	return 0
}

// matchWord matches ("true"|"on"|...){TABS_AND_SPACES}* for the given
// words, ignoring case (PHP reads On, OFF, Yes, NULL the same way).
func (l *lexer) matchWord(i int, words ...string) int {
	best := 0
	for _, w := range words {
		if len(l.s)-i >= len(w) && strings.EqualFold(l.s[i:i+len(w)], w) {
			n := len(w) + l.matchTabs(i+len(w))
			if n > best {
				best = n
			}
		}
	}
	return best
}

func (l *lexer) matchConstant(i int) int {
	if !isConstStart(l.at(i)) {
		return 0
	}
	j := i + 1
	for j < len(l.s) && isConstChar(l.s[j]) {
		j++
	}
	return j - i
}

// matchNumber matches [-]?{LNUM}|{DNUM}.
func (l *lexer) matchNumber(i int) int {
	best := 0
	// [-]?[0-9]+
	j := i
	if l.at(j) == '-' {
		j++
	}
	k := j
	for isDigit(l.at(k)) {
		k++
	}
	if k > j {
		best = k - i
	}
	// [0-9]*[.][0-9]+ | [0-9]+[.][0-9]*
	j = i
	for isDigit(l.at(j)) {
		j++
	}
	intDigits := j - i
	if l.at(j) == '.' {
		k := j + 1
		for isDigit(l.at(k)) {
			k++
		}
		frac := k - j - 1
		if frac > 0 || intDigits > 0 {
			if k-i > best {
				best = k - i
			}
		}
	}
	return best
}

// matchLiteralDollar matches "$"([^{\000]|("\\"{ANY_CHAR})) at i.
func (l *lexer) matchLiteralDollar(i int) int {
	if l.at(i) != '$' || i+1 >= len(l.s) {
		return 0
	}
	c := l.s[i+1]
	if c == '\\' && i+2 < len(l.s) {
		// both alternatives match; the longer one wins inside a repetition
		return 3
	}
	if c == '{' || c == 0 {
		return 0
	}
	return 2
}

// matchValueChars matches {VALUE_CHARS}+.
func (l *lexer) matchValueChars(i int) int {
	j := i
	for j < len(l.s) {
		c := l.s[j]
		if c == '$' {
			n := l.matchLiteralDollar(j)
			if n == 0 {
				break
			}
			j += n
			continue
		}
		switch c {
		case '=', ' ', '\t', '\n', '\r', ';', '&', '|', '^', '~', '(', ')', '!', '"', '\'', 0:
			return j - i
		}
		j++
	}
	return j - i
}

// matchSectionValueChars matches {SECTION_VALUE_CHARS}+.
func (l *lexer) matchSectionValueChars(i int) int {
	j := i
	for j < len(l.s) {
		c := l.s[j]
		switch c {
		case '$':
			n := l.matchLiteralDollar(j)
			if n == 0 {
				return j - i
			}
			j += n
			continue
		case '\\':
			if j+1 < len(l.s) {
				j += 2
				continue
			}
			return j - i
		case '\n', '\r', ';', '"', '\'', ']':
			return j - i
		}
		j++
	}
	return j - i
}

// matchSingleQuoted matches "'"[^']+"'".
func (l *lexer) matchSingleQuoted(i int) int {
	if l.at(i) != '\'' {
		return 0
	}
	k := strings.IndexByte(l.s[i+1:], '\'')
	if k <= 0 {
		return 0
	}
	return k + 2
}

// matchComment matches {TABS_AND_SPACES}*[;][^\r\n]*{NEWLINE}.
func (l *lexer) matchComment(i int) int {
	j := i + l.matchTabs(i)
	if l.at(j) != ';' {
		return 0
	}
	j++
	for j < len(l.s) && l.s[j] != '\r' && l.s[j] != '\n' {
		j++
	}
	n := l.matchNewline(j)
	if n == 0 {
		return 0
	}
	return j + n - i
}

func trimBlank(s string) string {
	return strings.TrimLeft(strings.TrimRight(s, " \t\r\n"), " \t")
}

// next returns the next token. It never returns an error: like re2c's
// "return 0", a character no rule accepts ends the input.
func (l *lexer) next() token {
	if l.pos >= len(l.s) {
		if l.state == stValue {
			l.state = stInitial
			return token{kind: tEOL, off: l.pos}
		}
		return token{kind: tEOF, off: l.pos}
	}
	i := l.pos
	c := l.s[i]
	switch l.state {
	case stInitial:
		return l.nextInitial(i, c)
	case stValue:
		return l.nextValue(i, c)
	case stSectionValue, stOffset:
		return l.nextSectionOrOffset(i, c)
	case stDoubleQuotes:
		return l.nextDoubleQuotes(i, c)
	case stVarname:
		return l.nextVarname(i, c)
	}
	return token{kind: tEOF, off: i}
}

func (l *lexer) emit(kind tokKind, i, n int, text string) token {
	l.pos = i + n
	return token{kind: kind, text: text, off: i}
}

func (l *lexer) emitChar(i, n int) token {
	c := l.s[i]
	l.pos = i + n
	return token{kind: tChar, ch: c, off: i}
}

func (l *lexer) nextInitial(i int, c byte) token {
	// Candidate rules in file order; keep the longest, first on ties.
	type cand struct {
		n    int
		rule int
	}
	best := cand{}
	try := func(n, rule int) {
		if n > best.n {
			best = cand{n, rule}
		}
	}
	if c == '[' {
		try(1, 1) // section start
	}
	if n := l.matchLabel(i); n > 0 && l.at(i+n) == '[' {
		try(n+1+l.matchTabs(i+n+1), 2) // option with offset
	}
	try(l.matchWord(i, "true", "on", "yes"), 3)
	try(l.matchWord(i, "false", "off", "no", "none"), 4)
	try(l.matchWord(i, "null"), 5)
	try(l.matchLabel(i), 6)
	if j := i + l.matchTabs(i); l.at(j) == '=' {
		try(j+1+l.matchTabs(j+1)-i, 7) // start of the value
	}
	if strings.IndexByte(":,.[]\"'()&|^+-/*=%$!~<>?@{}", c) >= 0 && c != 0 {
		try(1, 8)
	}
	if n := l.matchTabs(i); n > 0 {
		try(n, 9)
	}
	if n := l.matchTabs(i); l.matchNewline(i+n) > 0 {
		try(n+l.matchNewline(i+n), 10)
	}
	try(l.matchComment(i), 11)
	switch best.rule {
	case 1:
		l.state = stSectionValue
		return l.emit(tSection, i, 1, "")
	case 2:
		raw := l.s[i : i+best.n]
		name := strings.TrimLeft(raw, " \t")
		lead := len(raw) - len(name)
		name = strings.TrimRight(name, " \t\r\n[")
		l.state = stOffset
		t := l.emit(tOffset, i, best.n, name)
		t.off = i + lead
		return t
	case 3:
		return l.emit(tTrue, i, best.n, "1")
	case 4:
		return l.emit(tFalse, i, best.n, "")
	case 5:
		return l.emit(tNull, i, best.n, "")
	case 6:
		raw := l.s[i : i+best.n]
		name := strings.TrimLeft(raw, " \t")
		lead := len(raw) - len(name)
		t := l.emit(tLabel, i, best.n, trimBlank(raw))
		t.off = i + lead
		return t
	case 7:
		l.state = stValue
		t := l.emitChar(i, best.n)
		t.ch = '='
		return t
	case 8:
		return l.emitChar(i, 1)
	case 9:
		l.pos = i + best.n
		return l.next()
	case 10, 11:
		return l.emit(tEOL, i, best.n, "")
	}
	// no rule: re2c's <*>[^] returns 0
	l.pos = len(l.s)
	return token{kind: tEOF, off: i}
}

func (l *lexer) nextValue(i int, c byte) token {
	type cand struct{ n, rule int }
	best := cand{}
	try := func(n, rule int) {
		if n > best.n {
			best = cand{n, rule}
		}
	}
	try(l.matchSingleQuoted(i), 1) // raw string
	if c == '$' && l.at(i+1) == '{' {
		try(2, 2)
	}
	try(l.matchWord(i, "true", "on", "yes"), 3)
	try(l.matchWord(i, "false", "off", "no", "none"), 4)
	try(l.matchWord(i, "null"), 5)
	if n := l.matchTabs(i); l.matchNewline(i+n) > 0 {
		try(n+l.matchNewline(i+n), 6) // end of value
	}
	try(l.matchConstant(i), 7)
	try(l.matchNumber(i), 8)
	if strings.IndexByte("&|^~()!", c) >= 0 {
		try(1+l.matchTabs(i+1), 9)
	}
	if c == '=' {
		try(1, 10)
	}
	try(l.matchValueChars(i), 11)
	if n := l.matchTabs(i); l.at(i+n) == '"' {
		try(n+1, 12)
	}
	try(l.matchTabs(i), 13)
	try(l.matchComment(i), 14)
	switch best.rule {
	case 1:
		return l.emit(tRaw, i, best.n, l.s[i+1:i+best.n-1])
	case 2:
		l.push(stVarname)
		return l.emit(tDollarCurly, i, 2, "")
	case 3:
		return l.emit(tTrue, i, best.n, "1")
	case 4:
		return l.emit(tFalse, i, best.n, "")
	case 5:
		return l.emit(tNull, i, best.n, "")
	case 6, 14:
		l.state = stInitial
		return l.emit(tEOL, i, best.n, "")
	case 7:
		return l.emit(tConstant, i, best.n, l.s[i:i+best.n])
	case 8:
		return l.emit(tNumber, i, best.n, l.s[i:i+best.n])
	case 9:
		return l.emitChar(i, best.n)
	case 10:
		// "=" inside a value ends it without being consumed
		l.state = stInitial
		return token{kind: tEOL, off: i}
	case 11:
		return l.emit(tString, i, best.n, l.s[i:i+best.n])
	case 12:
		l.push(stDoubleQuotes)
		t := l.emitChar(i+best.n-1, 1)
		return t
	case 13:
		return l.emit(tWhitespace, i, best.n, l.s[i:i+best.n])
	}
	// An unterminated ' followed by another ': measured with php-fpm 8.2,
	// the value ends and the first ' is consumed (the rest is read as a
	// new statement: "a = x''" gives "value is NULL" for the label "'").
	if c == '\'' && l.at(i+1) == '\'' {
		l.state = stInitial
		return l.emit(tEOL, i, 1, "")
	}
	// No rule of ST_VALUE takes the character (an unterminated ', a NUL):
	// re2c's <*>[^] rule wins over <ST_VALUE,ST_RAW>[^] and returns 0, so
	// the parser sees the end of input here and the rest of the line is
	// ignored (measured with php-fpm 8.2: "a = x'y" sets a to "x").
	l.pos = len(l.s)
	return token{kind: tEOF, off: i}
}

func (l *lexer) nextSectionOrOffset(i int, c byte) token {
	type cand struct{ n, rule int }
	best := cand{}
	try := func(n, rule int) {
		if n > best.n {
			best = cand{n, rule}
		}
	}
	try(l.matchSingleQuoted(i), 1)
	if l.state == stSectionValue && c == ']' {
		n := 1 + l.matchTabs(i+1)
		n += l.matchNewline(i + n)
		try(n, 2)
	}
	if l.state == stOffset {
		if n := l.matchTabs(i); l.at(i+n) == ']' {
			try(n+1, 3)
		}
	}
	if c == '$' && l.at(i+1) == '{' {
		try(2, 4)
	}
	try(l.matchConstant(i), 5)
	try(l.matchNumber(i), 6)
	try(l.matchSectionValueChars(i), 7)
	if n := l.matchTabs(i); l.at(i+n) == '"' {
		try(n+1, 8)
	}
	try(l.matchTabs(i), 9)
	switch best.rule {
	case 1:
		return l.emit(tRaw, i, best.n, l.s[i+1:i+best.n-1])
	case 2, 3:
		l.state = stInitial
		t := l.emitChar(i+best.n-1, 1)
		if best.rule == 2 {
			t = token{kind: tChar, ch: ']', off: i}
		} else {
			t.ch = ']'
		}
		l.pos = i + best.n
		return t
	case 4:
		l.push(stVarname)
		return l.emit(tDollarCurly, i, 2, "")
	case 5:
		return l.emit(tConstant, i, best.n, l.s[i:i+best.n])
	case 6:
		return l.emit(tNumber, i, best.n, l.s[i:i+best.n])
	case 7:
		return l.emit(tString, i, best.n, l.s[i:i+best.n])
	case 8:
		l.push(stDoubleQuotes)
		return l.emitChar(i+best.n-1, 1)
	case 9:
		return l.emit(tWhitespace, i, best.n, l.s[i:i+best.n])
	}
	l.pos = len(l.s)
	return token{kind: tEOF, off: i}
}

func (l *lexer) nextDoubleQuotes(i int, c byte) token {
	if c == '"' {
		l.pop()
		t := l.emitChar(i, 1+l.matchTabs(i+1))
		return t
	}
	if c == '$' && l.at(i+1) == '{' {
		l.push(stVarname)
		return l.emit(tDollarCurly, i, 2, "")
	}
	// Scan the quoted text up to '"' or "${"; a backslash escapes the next
	// byte, except that \" at the end of the line ends the string (PHP's
	// special case for Windows paths such as "C:\path\").
	j := i
loop:
	for j < len(l.s) {
		ch := l.s[j]
		j++
		switch ch {
		case '"':
			j--
			break loop
		case '$':
			if j < len(l.s) && l.s[j] == '{' {
				j--
				break loop
			}
		case '\\':
			if j < len(l.s) {
				esc := l.s[j]
				j++
				if esc == '"' && (j >= len(l.s) || l.s[j] == '\n' || l.s[j] == '\r') {
					j--
					break loop
				}
			}
		}
	}
	l.pos = j
	return token{kind: tQuoted, text: unescapeDouble(l.s[i:j]), off: i}
}

// unescapeDouble applies zend_ini_escape_string for '"': \" \\ and \$ lose
// their backslash, every other backslash stays.
func unescapeDouble(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			if i+1 >= len(s) {
				b.WriteByte('\\')
				continue
			}
			switch s[i+1] {
			case '"', '\\', '$':
				b.WriteByte(s[i+1])
			default:
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
			}
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (l *lexer) nextVarname(i int, c byte) token {
	if c == '}' {
		l.pop()
		return l.emitChar(i, 1)
	}
	if n := l.matchLabel(i); n > 0 {
		return l.emit(tVarname, i, n, l.s[i:i+n])
	}
	l.pos = len(l.s)
	return token{kind: tEOF, off: i}
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of file"
	case tSection:
		return "TC_SECTION"
	case tRaw:
		return "TC_RAW"
	case tConstant:
		return "TC_CONSTANT"
	case tNumber:
		return "TC_NUMBER"
	case tString:
		return "TC_STRING"
	case tWhitespace:
		return "TC_WHITESPACE"
	case tLabel:
		return "TC_LABEL"
	case tOffset:
		return "TC_OFFSET"
	case tDollarCurly:
		return "TC_DOLLAR_CURLY"
	case tVarname:
		return "TC_VARNAME"
	case tQuoted:
		return "TC_QUOTED_STRING"
	case tTrue:
		return "BOOL_TRUE"
	case tFalse:
		return "BOOL_FALSE"
	case tNull:
		return "NULL_NULL"
	case tEOL:
		return "END_OF_LINE"
	case tChar:
		return "'" + string(t.ch) + "'"
	}
	return "token"
}

// stmtKind is what one parsed statement asks of php-fpm's callback.
type stmtKind int

const (
	stmtSection stmtKind = iota // ZEND_INI_PARSER_SECTION
	stmtEntry                   // ZEND_INI_PARSER_ENTRY
	stmtArray                   // ZEND_INI_PARSER_POP_ENTRY
)

// stmt is one statement of a line.
type stmt struct {
	kind     stmtKind
	name     string // section name, option name
	nameOff  int
	offset   string // array key
	value    string // processed value
	hasValue bool   // false for a bare label (php-fpm: "value is NULL")
	valueOff int    // byte offset of the value (or of where it would start)
}

// iniEnv resolves ${NAME} and constants while parsing.
type iniEnv struct {
	lookupEnv func(string) (string, bool)
}

// syntaxError is a Zend INI parse error, worded like bison's messages.
type syntaxError struct {
	msg string
	off int
}

func (e *syntaxError) Error() string { return e.msg }

// lineParser is a recursive-descent parser for zend_ini_parser.y's grammar.
type lineParser struct {
	lx   lexer
	tok  token
	env  *iniEnv
	errs *syntaxError
}

// parseLine parses one line of a php-fpm config (without its "\n") and
// returns its statements. A syntax error stops the line, as in PHP;
// statements before it are returned with it, because PHP's callback has
// already seen them.
func parseLine(line string, env *iniEnv) ([]stmt, *syntaxError) {
	if k := strings.IndexByte(line, 0); k >= 0 {
		line = line[:k] // php-fpm hands the line on as a C string
	}
	return parseText(line+"\n", env)
}

// parseText parses a whole INI text, as zend_parse_ini_file does for
// php.ini: statements up to the first syntax error, and that error.
func parseText(text string, env *iniEnv) ([]stmt, *syntaxError) {
	p := &lineParser{env: env}
	p.lx.s = text
	if len(text) > 3 && strings.HasPrefix(text, "\xef\xbb\xbf") {
		p.lx.pos = 3
		p.lx.start = 3
	}
	p.advance()
	var out []stmt
	for p.tok.kind != tEOF {
		st, ok := p.statement()
		if !ok {
			return out, p.errs
		}
		if st != nil {
			out = append(out, *st)
		}
	}
	return out, nil
}

func (p *lineParser) advance() { p.tok = p.lx.next() }

func (p *lineParser) fail(expect string) {
	if p.errs != nil {
		return
	}
	msg := "syntax error, unexpected " + p.tok.describe()
	if expect != "" {
		msg += ", expecting " + expect
	}
	p.errs = &syntaxError{msg: msg, off: p.tok.off}
}

func (p *lineParser) isChar(c byte) bool { return p.tok.kind == tChar && p.tok.ch == c }

func (p *lineParser) statement() (*stmt, bool) {
	switch p.tok.kind {
	case tSection:
		off := p.tok.off
		p.advance()
		name, ok := p.stringList(true)
		if !ok {
			return nil, false
		}
		if !p.isChar(']') {
			p.fail("']'")
			return nil, false
		}
		p.advance()
		return &stmt{kind: stmtSection, name: name, nameOff: off + 1}, true
	case tLabel:
		st := &stmt{kind: stmtEntry, name: p.tok.text, nameOff: p.tok.off}
		p.advance()
		if !p.isChar('=') {
			st.valueOff = p.tok.off
			return st, true // a bare label: entry without a value
		}
		eq := p.tok
		p.advance()
		st.hasValue = true
		st.valueOff = p.tok.off
		if st.valueOff < eq.off {
			st.valueOff = eq.off + 1
		}
		v, ok := p.stringOrValue()
		if !ok {
			return nil, false
		}
		st.value = v
		return st, true
	case tOffset:
		st := &stmt{kind: stmtArray, name: p.tok.text, nameOff: p.tok.off}
		p.advance()
		if !p.isChar(']') {
			k, ok := p.stringList(false)
			if !ok {
				return nil, false
			}
			st.offset = k
		}
		if !p.isChar(']') {
			p.fail("']'")
			return nil, false
		}
		p.advance()
		if !p.isChar('=') {
			p.fail("'='")
			return nil, false
		}
		p.advance()
		st.hasValue = true
		st.valueOff = p.tok.off
		v, ok := p.stringOrValue()
		if !ok {
			return nil, false
		}
		st.value = v
		return st, true
	case tEOL:
		p.advance()
		return nil, true
	}
	p.fail("")
	return nil, false
}

func (p *lineParser) stringOrValue() (string, bool) {
	switch p.tok.kind {
	case tTrue, tFalse, tNull:
		v := p.tok.text
		p.advance()
		return v, true
	case tEOL:
		p.advance()
		return "", true
	}
	return p.expr(0)
}

// expr parses expr with '|' '&' '^' left-associative at one level, and
// the unary '~' '!' above them. Values are strings; operators work on
// C ints (atoi) and give decimal strings, as zend_ini_do_op does.
func (p *lineParser) expr(depth int) (string, bool) {
	if depth > 200 {
		p.fail("")
		return "", false
	}
	left, ok := p.unary(depth)
	if !ok {
		return "", false
	}
	for p.tok.kind == tChar && (p.tok.ch == '|' || p.tok.ch == '&' || p.tok.ch == '^') {
		op := p.tok.ch
		p.advance()
		right, ok := p.unary(depth)
		if !ok {
			return "", false
		}
		a, b := cAtoi32(left), cAtoi32(right)
		var r int32
		switch op {
		case '|':
			r = a | b
		case '&':
			r = a & b
		case '^':
			r = a ^ b
		}
		left = strconv.FormatInt(int64(r), 10)
	}
	return left, true
}

func (p *lineParser) unary(depth int) (string, bool) {
	if depth > 200 {
		p.fail("")
		return "", false
	}
	switch {
	case p.isChar('~'):
		p.advance()
		v, ok := p.unary(depth + 1)
		if !ok {
			return "", false
		}
		return strconv.FormatInt(int64(^cAtoi32(v)), 10), true
	case p.isChar('!'):
		p.advance()
		v, ok := p.unary(depth + 1)
		if !ok {
			return "", false
		}
		if cAtoi32(v) == 0 {
			return "1", true
		}
		return "0", true
	case p.isChar('('):
		p.advance()
		v, ok := p.expr(depth + 1)
		if !ok {
			return "", false
		}
		if !p.isChar(')') {
			p.fail("'^' or '|' or '&' or ')'")
			return "", false
		}
		p.advance()
		return v, true
	}
	return p.valueList()
}

// valueList parses var_string_list (constants looked up).
func (p *lineParser) valueList() (string, bool) {
	var b strings.Builder
	n := 0
	for {
		switch p.tok.kind {
		case tDollarCurly:
			v, ok := p.varRef()
			if !ok {
				return "", false
			}
			b.WriteString(v)
		case tConstant:
			b.WriteString(lookupConstant(p.tok.text))
			p.advance()
		case tRaw, tNumber, tString, tWhitespace:
			b.WriteString(p.tok.text)
			p.advance()
		case tChar:
			if p.tok.ch != '"' {
				goto done
			}
			v, ok := p.encapsed()
			if !ok {
				return "", false
			}
			b.WriteString(v)
		default:
			goto done
		}
		n++
	}
done:
	if n == 0 {
		p.fail("")
		return "", false
	}
	return b.String(), true
}

// stringList parses var_string_list_section (section=true: constants are
// literal) or option_offset's var_string_list (constants looked up).
func (p *lineParser) stringList(section bool) (string, bool) {
	var b strings.Builder
	for {
		switch p.tok.kind {
		case tDollarCurly:
			v, ok := p.varRef()
			if !ok {
				return "", false
			}
			b.WriteString(v)
		case tConstant:
			if section {
				b.WriteString(p.tok.text)
			} else {
				b.WriteString(lookupConstant(p.tok.text))
			}
			p.advance()
		case tRaw, tNumber, tString, tWhitespace:
			b.WriteString(p.tok.text)
			p.advance()
		case tChar:
			if p.tok.ch != '"' {
				return b.String(), true
			}
			v, ok := p.encapsed()
			if !ok {
				return "", false
			}
			b.WriteString(v)
		default:
			return b.String(), true
		}
	}
}

func (p *lineParser) encapsed() (string, bool) {
	p.advance() // opening '"'
	var b strings.Builder
	for {
		switch p.tok.kind {
		case tDollarCurly:
			v, ok := p.varRef()
			if !ok {
				return "", false
			}
			b.WriteString(v)
		case tQuoted:
			b.WriteString(p.tok.text)
			p.advance()
		case tChar:
			if p.tok.ch == '"' {
				p.advance()
				return b.String(), true
			}
			p.fail("TC_DOLLAR_CURLY or TC_QUOTED_STRING or '\"'")
			return "", false
		default:
			p.fail("TC_DOLLAR_CURLY or TC_QUOTED_STRING or '\"'")
			return "", false
		}
	}
}

func (p *lineParser) varRef() (string, bool) {
	p.advance() // ${
	if p.tok.kind != tVarname {
		p.fail("TC_VARNAME")
		return "", false
	}
	name := p.tok.text
	p.advance()
	if !p.isChar('}') {
		p.fail("'}'")
		return "", false
	}
	p.advance()
	if p.env != nil && p.env.lookupEnv != nil {
		if v, ok := p.env.lookupEnv(name); ok {
			return v, true
		}
	}
	return "", true
}

// cAtoi32 is C's atoi on a 64-bit Linux (strtol, then truncated to int).
func cAtoi32(s string) int32 { return int32(cStrtol(s)) }

// cStrtol is glibc strtol(s, NULL, 10): leading blanks, a sign, digits;
// out of range values clamp to the int64 limits.
func cStrtol(s string) int64 {
	i := 0
	for i < len(s) && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r')) {
		i++
	}
	neg := false
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		neg = s[i] == '-'
		i++
	}
	var v uint64
	over := false
	for ; i < len(s) && isDigit(s[i]); i++ {
		if v > (1<<63)/10 {
			over = true
			continue
		}
		v = v*10 + uint64(s[i]-'0')
		if v > 1<<63 {
			over = true
		}
	}
	if neg {
		if over || v > 1<<63 {
			return -1 << 63
		}
		return -int64(v)
	}
	if over || v > 1<<63-1 {
		return 1<<63 - 1
	}
	return int64(v)
}
