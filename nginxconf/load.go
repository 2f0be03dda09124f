package nginxconf

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/badgateway/badgateway"
)

// Default resource bounds; see Options.
const (
	DefaultMaxIncludeDepth = 32
	DefaultMaxFiles        = 10000
	DefaultMaxFileSize     = 16 << 20
	DefaultMaxDirectives   = 2_000_000
)

// Sentinel kinds of problems, for errors.Is on a Problem.
var (
	// ErrSyntax is wrapped by every syntax error; the message is nginx's.
	ErrSyntax = errors.New("syntax error")
	// ErrIncludeCycle is wrapped when a file includes itself, directly or
	// through other files (nginx would recurse until it runs out of file
	// descriptors).
	ErrIncludeCycle = errors.New("include cycle")
	// ErrLimit is wrapped when a resource bound of Options was hit; the
	// rest of the input concerned was skipped.
	ErrLimit = errors.New("limit exceeded")
	// ErrInvalid is wrapped by a directive nginx would reject for its
	// value ("invalid value", "is duplicate", ...).
	ErrInvalid = errors.New("invalid directive")
)

// Options tunes Load, LoadDump and Parse. The zero value (or a nil
// *Options) means defaults. An Options value is only read.
type Options struct {
	// ConfPrefix is the directory relative include paths (and other
	// relative config paths) are resolved against: nginx's conf prefix.
	// Empty means the directory of the main file, which is what nginx
	// does for "nginx -c FILE".
	ConfPrefix string

	// Context is the block context the top-level file is read in:
	// "" or "main" for a whole nginx.conf; "http", "server", "location",
	// "events", "upstream", "stream", ... to load a snippet such as
	// sites-enabled/app on its own. The typed model is then built as if
	// the file were inside such a block of an otherwise empty nginx.conf.
	Context string

	// FS, when not nil, is where files are read from: the absolute path
	// "/etc/nginx/nginx.conf" is looked up as "etc/nginx/nginx.conf" in
	// FS (as with os.DirFS("/") or a copy of a host's root). Nil means the
	// operating system's files.
	FS fs.FS

	// Bounds; zero means the Default values. MaxIncludeDepth limits
	// nested includes, MaxFiles the number of file reads (an included
	// file read three times counts three), MaxFileSize the size of one
	// file in bytes, MaxDirectives the statements kept in total.
	MaxIncludeDepth int
	MaxFiles        int
	MaxFileSize     int64
	MaxDirectives   int
}

func (o *Options) withDefaults() Options {
	var v Options
	if o != nil {
		v = *o
	}
	if v.MaxIncludeDepth <= 0 {
		v.MaxIncludeDepth = DefaultMaxIncludeDepth
	}
	if v.MaxFiles <= 0 {
		v.MaxFiles = DefaultMaxFiles
	}
	if v.MaxFileSize <= 0 {
		v.MaxFileSize = DefaultMaxFileSize
	}
	if v.MaxDirectives <= 0 {
		v.MaxDirectives = DefaultMaxDirectives
	}
	if v.Context == "" {
		v.Context = "main"
	}
	return v
}

// File is one configuration file that was read.
type File struct {
	// Path is the absolute path nginx would open.
	Path string `json:"path"`
	// Size in bytes.
	Size int `json:"size"`
	// Statements is the number of statements nginx's tokenizer reads in
	// this file when it is read in full: every directive, block and
	// include counts one, and so does every entry of a map/types/geo/...
	// block and a whole *_by_lua_block. Statements of included files are
	// not counted here.
	Statements int `json:"statements"`
	// IncludedFrom is the include chain of the first read, innermost
	// first; empty for the main file.
	IncludedFrom []badgateway.Pos `json:"included_from,omitempty"`
	// Complete is false when a syntax error or a limit stopped the read
	// before the end of the file.
	Complete bool `json:"complete"`

	src []byte
}

// loader holds the state of one Load.
type loader struct {
	opts       Options
	fsys       fileSystem
	prefix     string
	problems   badgateway.Problems
	files      map[string]*File
	order      []*File
	reads      int
	directives int
	stack      []string // paths being read, outermost first
	args       []word
	limitHit   map[string]bool
}

func newLoader(opts *Options) *loader {
	l := &loader{opts: opts.withDefaults(), files: map[string]*File{}, limitHit: map[string]bool{}}
	if l.opts.FS != nil {
		l.fsys = ioFS{l.opts.FS}
	} else {
		l.fsys = osFS{}
	}
	return l
}

// Load reads the nginx configuration file at path and every file it
// includes, as nginx 1.22 does, and builds the model.
//
// Load never returns a nil *Config: whatever could be read is in it, and
// every problem met (missing or unreadable file, syntax error with nginx's
// message at nginx's line, include cycle, limit hit, invalid value in a
// directive the model interprets) is in Config.Problems, each with its
// include chain. The error is Config.Problems.Err(): nil when there is no
// problem at all.
//
// Relative include paths are resolved against Options.ConfPrefix (default:
// the directory of path); glob patterns expand in glob(3) order. A file
// included several times is read once from disk but parsed once per
// include site, each copy in its own context. Load is safe for concurrent
// use; it does not modify opts.
func Load(path string, opts *Options) (*Config, error) {
	l := newLoader(opts)
	main := path
	if l.opts.FS == nil {
		main = absPath(path)
	} else if !strings.HasPrefix(main, "/") {
		main = "/" + main
	}
	return l.run(main)
}

// Parse reads a configuration held in memory, as if it were the file
// name. Includes are resolved like Load does (on Options.FS or the
// operating system). Parse is meant for configurations generated or
// received as bytes, and for fuzzing; its results are those of Load.
func Parse(name string, src []byte, opts *Options) (*Config, error) {
	l := newLoader(opts)
	if !strings.HasPrefix(name, "/") {
		if l.opts.FS == nil {
			name = absPath(name)
		} else {
			name = "/" + name
		}
	}
	l.fsys = &overlayFS{name: path.Clean(name), src: src, next: l.fsys}
	return l.run(path.Clean(name))
}

// overlayFS serves one in-memory file over another fileSystem.
type overlayFS struct {
	name string
	src  []byte
	next fileSystem
}

func (o *overlayFS) read(name string, max int64) ([]byte, error) {
	if path.Clean(name) == o.name {
		if int64(len(o.src)) > max {
			return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(o.src), max)
		}
		return o.src, nil
	}
	return o.next.read(name, max)
}

func (o *overlayFS) readDir(name string) ([]string, error) {
	names, err := o.next.readDir(name)
	if path.Dir(o.name) == path.Clean(name) {
		base := path.Base(o.name)
		for _, n := range names {
			if n == base {
				return names, err
			}
		}
		return append(names, base), nil
	}
	return names, err
}

func (o *overlayFS) isDir(name string) bool {
	if path.Dir(o.name) == path.Clean(name) {
		return true
	}
	return o.next.isDir(name)
}

func (l *loader) run(mainPath string) (*Config, error) {
	if l.opts.ConfPrefix != "" {
		p := l.opts.ConfPrefix
		if l.opts.FS == nil {
			p = absPath(p)
		}
		l.prefix = strings.TrimSuffix(p, "/") + "/"
	} else {
		l.prefix = path.Dir(mainPath) + "/"
	}
	root := &Directive{Name: l.opts.Context, IsBlock: true}
	children, _ := l.readFile(mainPath, nil, root, badgateway.Pos{})
	root.Children = children
	cfg := &Config{Path: mainPath, Context: l.opts.Context, Root: root.Children, Files: l.order, Prefix: l.prefix}
	for _, c := range root.Children {
		c.Parent = nil
	}
	l.problems = append(l.problems, buildModel(cfg)...)
	cfg.Problems = l.problems
	return cfg, cfg.Problems.Err()
}

func (l *loader) addProblem(pos badgateway.Pos, chain []badgateway.Pos, sev badgateway.Severity, err error) {
	l.problems = append(l.problems, &badgateway.Problem{Pos: pos, Severity: sev, Err: err, IncludedFrom: chain})
}

// readFile reads one file in the context of parent and returns its
// statements. ok is false when the file could not be read at all.
func (l *loader) readFile(name string, chain []badgateway.Pos, parent *Directive, incPos badgateway.Pos) ([]*Directive, bool) {
	where := incPos
	var whereChain []badgateway.Pos
	if len(chain) > 0 {
		whereChain = chain[1:]
	}
	if where.Line == 0 {
		where = badgateway.Pos{File: name}
	}
	for _, s := range l.stack {
		if s == name {
			l.addProblem(where, whereChain, badgateway.SeverityError,
				fmt.Errorf("%w: %q includes itself (chain: %s)", ErrIncludeCycle, name, strings.Join(append(l.stack, name), " -> ")))
			return nil, false
		}
	}
	if len(l.stack) > l.opts.MaxIncludeDepth {
		l.addProblem(where, whereChain, badgateway.SeverityError,
			fmt.Errorf("%w: include depth %d reached at %q", ErrLimit, l.opts.MaxIncludeDepth, name))
		return nil, false
	}
	if l.reads >= l.opts.MaxFiles {
		l.addProblem(where, whereChain, badgateway.SeverityError,
			fmt.Errorf("%w: %d file reads reached, %q not read", ErrLimit, l.opts.MaxFiles, name))
		return nil, false
	}
	l.reads++

	f := l.files[name]
	if f == nil {
		src, err := l.fsys.read(name, l.opts.MaxFileSize)
		if err != nil {
			sev := badgateway.SeverityError
			if errors.Is(err, ErrNotRegular) {
				sev = badgateway.SeverityWarning
				src, err = nil, nil
			}
			if err != nil {
				l.addProblem(where, whereChain, sev, fmt.Errorf("open() %q failed: %w", name, err))
				return nil, false
			}
			l.addProblem(where, whereChain, sev, fmt.Errorf("%q: %w", name, ErrNotRegular))
		}
		f = &File{Path: name, Size: len(src), IncludedFrom: chain, src: src, Statements: -1}
		l.files[name] = f
		l.order = append(l.order, f)
	}

	l.stack = append(l.stack, name)
	defer func() { l.stack = l.stack[:len(l.stack)-1] }()

	r := &fileReader{l: l, s: newScanner(name, f.src), chain: chain, file: f}
	children, err := r.parse(parent, false, handlerMode(parent.Name))
	count := r.statements
	complete := err == nil
	if err != nil {
		l.addProblem(err.pos, chain, badgateway.SeverityError, fmt.Errorf("%w: %s", ErrSyntax, err.msg))
	}
	if f.Statements < 0 || (complete && !f.Complete) {
		f.Statements = count
		f.Complete = complete
	}
	return children, true
}

// fileReader reads the statements of one file instance, like
// ngx_conf_parse does with its blocks.
type fileReader struct {
	l          *loader
	s          *scanner
	chain      []badgateway.Pos
	file       *File
	statements int
	stopped    bool // a limit stopped the read
}

// handlerMode reports whether nginx reads a block's contents with a custom
// handler (cf->handler) instead of as directives: every statement is an
// entry, and "{" is an error.
func handlerMode(block string) bool {
	switch block {
	case "map", "types", "geo", "split_clients", "charset_map", "match":
		return true
	}
	return false
}

// handlerInclude reports whether the handler of a block treats
// "include FILE" as an include (types, map and geo do).
func handlerInclude(block string) bool {
	switch block {
	case "types", "map", "geo":
		return true
	}
	return false
}

// parse reads statements until the end of the block (inBlock) or of the
// file.
func (r *fileReader) parse(parent *Directive, inBlock, handler bool) ([]*Directive, *syntaxError) {
	var out []*Directive
	for {
		var rc int
		var err *syntaxError
		r.l.args, rc, err = r.s.next(r.l.args)
		if err != nil {
			return out, err
		}
		switch rc {
		case tokBlockDone:
			if !inBlock {
				return out, r.s.errorf("unexpected \"}\"")
			}
			parent.End = r.s.endPos
			return out, nil
		case tokFileDone:
			if inBlock {
				return out, r.s.errorf("unexpected end of file, expecting \"}\"")
			}
			return out, nil
		}
		if handler && rc == tokBlockStart {
			return out, r.s.errorf("unexpected \"{\"")
		}
		r.statements++
		if r.l.directives >= r.l.opts.MaxDirectives {
			if !r.l.limitHit["directives"] {
				r.l.limitHit["directives"] = true
				r.l.addProblem(r.l.args[0].pos, r.chain, badgateway.SeverityError,
					fmt.Errorf("%w: %d directives reached, the rest is skipped", ErrLimit, r.l.opts.MaxDirectives))
			}
			return out, &syntaxError{pos: r.l.args[0].pos, msg: "stopped: directive limit"}
		}
		r.l.directives++

		d := r.newDirective(parent, rc == tokBlockStart)
		name := d.Name

		if !handler {
			if e := checkBlockKind(name, parent.Name, rc == tokBlockStart, r.s); e != nil {
				out = append(out, d)
				return out, e
			}
		}

		if rc == tokBlockStart {
			if strings.HasSuffix(name, "_by_lua_block") {
				body, e := r.luaBlock()
				if e != nil {
					out = append(out, d)
					return out, e
				}
				d.Body = body
				d.End = r.s.endPos
				out = append(out, d)
				continue
			}
			children, e := r.parse(d, true, handlerMode(name))
			d.Children = children
			out = append(out, d)
			if e != nil {
				return out, e
			}
			continue
		}

		d.End = r.s.endPos
		out = append(out, d)
		if name == "include" && len(d.Args) == 1 && (!handler || handlerInclude(parent.Name)) {
			out = append(out, r.include(d, parent)...)
		}
	}
}

func (r *fileReader) newDirective(parent *Directive, block bool) *Directive {
	args := r.l.args
	d := &Directive{
		Name:         args[0].val,
		Pos:          args[0].pos,
		Context:      parent.Name,
		Parent:       parent,
		IsBlock:      block,
		seq:          r.l.directives,
		IncludedFrom: r.chain,
	}
	if len(args) > 1 {
		d.Args = make([]string, len(args)-1)
		d.ArgPos = make([]badgateway.Pos, len(args)-1)
		quoted := false
		for i, a := range args[1:] {
			d.Args[i] = a.val
			d.ArgPos[i] = a.pos
			quoted = quoted || a.quoted
		}
		if quoted {
			d.ArgQuoted = make([]bool, len(args)-1)
			for i, a := range args[1:] {
				d.ArgQuoted[i] = a.quoted
			}
		}
	}
	return d
}

// include resolves and reads the files of an include directive, each in
// the context of parent, and returns their statements.
func (r *fileReader) include(d *Directive, parent *Directive) []*Directive {
	target := d.Args[0]
	if !strings.HasPrefix(target, "/") {
		target = r.l.prefix + target // ngx_get_full_name: prefix + name, not cleaned
	}
	chain := make([]badgateway.Pos, 0, len(r.chain)+1)
	chain = append(chain, d.Pos)
	chain = append(chain, r.chain...)

	var names []string
	if !hasGlobMeta(target) {
		names = []string{cleanPath(target)}
	} else {
		m, err := glob(r.l.fsys, target)
		if err != nil {
			r.l.addProblem(d.Pos, r.chain, badgateway.SeverityError, fmt.Errorf("glob() %q failed: %w", target, err))
			return nil
		}
		names = m
	}
	var out []*Directive
	for _, n := range names {
		n = cleanPath(n)
		d.Files = append(d.Files, n)
		children, _ := r.l.readFile(n, chain, parent, d.Pos)
		out = append(out, children...)
	}
	return out
}

func cleanPath(p string) string {
	if p == "" {
		return p
	}
	return path.Clean(p)
}

// luaBlock reads the body of a *_by_lua_block like the lua module's own
// lexer (ngx_http_lua_conf_lua_block_parse): Lua strings, long brackets
// and comments may hold braces; the body ends at the "}" that balances
// the opening one.
func (r *fileReader) luaBlock() (string, *syntaxError) {
	s := r.s
	src := s.src
	start := s.off
	startLine := s.line
	level := 1
	for s.off < len(src) {
		ch := src[s.off]
		switch {
		case ch == '\n':
			s.off++
			s.line++
			s.lineStart = s.off
		case ch == '{':
			s.off++
			level++
		case ch == '}':
			s.off++
			level--
			if level == 0 {
				s.endPos = s.posAt(s.off-1, s.line, s.lineStart)
				s.bufLast = max(s.bufLast, min(s.off, len(src)))
				return string(src[start : s.off-1]), nil
			}
		case ch == '-' && s.off+1 < len(src) && src[s.off+1] == '-':
			s.off += 2
			if n := longBracket(src[s.off:]); n > 0 {
				if !r.skipLongBracket(n) {
					return "", r.luaEOF(startLine)
				}
				continue
			}
			for s.off < len(src) && src[s.off] != '\n' {
				s.off++
			}
		case ch == '[':
			if n := longBracket(src[s.off:]); n > 0 {
				if !r.skipLongBracket(n) {
					return "", r.luaEOF(startLine)
				}
				continue
			}
			s.off++
		case ch == '"' || ch == '\'':
			s.off++
			for s.off < len(src) && src[s.off] != ch {
				if src[s.off] == '\\' && s.off+1 < len(src) {
					s.off++
				}
				if src[s.off] == '\n' {
					s.line++
					s.lineStart = s.off + 1
				}
				s.off++
			}
			if s.off >= len(src) {
				return "", r.luaEOF(startLine)
			}
			s.off++
		default:
			s.off++
		}
	}
	return "", r.luaEOF(startLine)
}

func (r *fileReader) luaEOF(line int) *syntaxError {
	r.s.line = line
	return r.s.errorf("unexpected end of file, expecting terminating characters for lua code block")
}

// longBracket returns the length of a Lua opening long bracket "[=*[" at
// the start of b, or 0.
func longBracket(b []byte) int {
	if len(b) < 2 || b[0] != '[' {
		return 0
	}
	i := 1
	for i < len(b) && b[i] == '=' {
		i++
	}
	if i < len(b) && b[i] == '[' {
		return i + 1
	}
	return 0
}

// skipLongBracket skips a long bracket string or comment whose opening
// bracket (n bytes) starts at the scanner's offset.
func (r *fileReader) skipLongBracket(n int) bool {
	s := r.s
	closeB := make([]byte, n)
	closeB[0] = ']'
	for i := 1; i < n-1; i++ {
		closeB[i] = '='
	}
	closeB[n-1] = ']'
	rest := s.src[s.off+n:]
	i := bytes.Index(rest, closeB)
	if i < 0 {
		return false
	}
	seg := s.src[s.off : s.off+n+i+n]
	for j, c := range seg {
		if c == '\n' {
			s.line++
			s.lineStart = s.off + j + 1
		}
	}
	s.off += len(seg)
	return true
}

// blockDirectives are nginx 1.22 directives (core and Debian's modules)
// that take a block; nonBlockDirectives a set of frequent ones that do
// not. nginx reports "directive X has no opening {" or "directive X is
// not terminated by ;" (ngx_conf_handler) for them; unknown names are not
// judged here.
var blockDirectives = map[string]bool{
	"http": true, "events": true, "server": true, "location": true, "upstream": true,
	"if": true, "limit_except": true, "map": true, "geo": true, "types": true,
	"split_clients": true, "charset_map": true, "stream": true, "mail": true,
}

var nonBlockDirectives = map[string]bool{
	"include": true, "root": true, "alias": true, "listen": true, "server_name": true,
	"index": true, "try_files": true, "return": true, "rewrite": true, "set": true,
	"add_header": true, "proxy_pass": true, "fastcgi_pass": true, "uwsgi_pass": true,
	"scgi_pass": true, "grpc_pass": true, "fastcgi_param": true, "proxy_set_header": true,
	"access_log": true, "error_log": true, "user": true, "worker_processes": true,
	"worker_connections": true, "pid": true, "log_format": true, "ssl_certificate": true,
	"ssl_certificate_key": true, "client_max_body_size": true, "keepalive": true,
	"resolver": true, "allow": true, "deny": true, "expires": true, "error_page": true,
}

func checkBlockKind(name, context string, block bool, s *scanner) *syntaxError {
	if name == "server" && context == "upstream" {
		if block {
			return s.errorf("directive \"%s\" is not terminated by \";\"", name)
		}
		return nil
	}
	switch {
	case block && nonBlockDirectives[name]:
		return s.errorf("directive \"%s\" is not terminated by \";\"", name)
	case !block && blockDirectives[name]:
		return s.errorf("directive \"%s\" has no opening \"{\"", name)
	}
	return nil
}
