package fpmconf

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/badgateway/badgateway"
)

// Options configures Load. The zero value reads files as php-fpm 8.2 on
// Debian would with no -p prefix, sees the process environment, and checks
// the host like `php-fpm -t` does (directories, users and groups).
type Options struct {
	// Prefix is php-fpm's -p prefix, against which relative include,
	// listen, access.log, slowlog, chdir and php_value paths are resolved.
	// Empty means php-fpm's compiled-in defaults (Debian: /usr, and /var
	// for pid and error_log).
	Prefix string

	// LookupEnv resolves ${NAME} in values and section names. nil means
	// os.LookupEnv. PHP looks in the php.ini directives first; that step
	// is not modelled.
	LookupEnv func(name string) (string, bool)

	// AllowRunAsRoot is php-fpm's -R flag. Without it a pool without
	// `user` gets php-fpm's "user has not been defined" alert, as when
	// the master runs as root (the usual case).
	AllowRunAsRoot bool

	// SkipHostChecks turns off the checks that depend on the machine:
	// directories that must exist (prefix, chroot, chdir, the directories
	// of error_log, slowlog and access.log) and users and groups that must
	// exist. Set it when the files come from another host.
	SkipHostChecks bool

	// LookupUser and LookupGroup report whether a user or group name
	// exists (nil error). nil means os/user.Lookup and
	// os/user.LookupGroup. Unused with SkipHostChecks.
	LookupUser  func(name string) error
	LookupGroup func(name string) error

	// MaxFileSize bounds each file read (bytes); 0 means 16 MiB.
	MaxFileSize int64

	// data, when not nil, is the content of the top-level file (tests
	// and fuzzing: no file system access for it); noInclude turns
	// include= into a no-op.
	data      []byte
	noInclude bool
}

// Compiled-in defaults of Debian's php8.2-fpm (PHP_PREFIX, PHP_LOCALSTATEDIR).
const (
	phpPrefix        = "/usr"
	phpLocalStateDir = "/var"
	maxIncludeDepth  = 5 // "failed to include more than 5 files recursively"
	sunPathMax       = 108
)

// Error kinds, for errors.Is on a Problem's Err.
var (
	ErrSyntax     = errors.New("fpmconf: syntax error")        // PHP's INI parser rejects the line
	ErrUnknown    = errors.New("fpmconf: unknown entry")       // a key php-fpm does not know
	ErrValue      = errors.New("fpmconf: invalid value")       // a value php-fpm's handler rejects
	ErrInclude    = errors.New("fpmconf: include failed")      // an include= pattern or file
	ErrRead       = errors.New("fpmconf: cannot read file")    // I/O errors, size limit
	ErrValidation = errors.New("fpmconf: rejected by php-fpm") // php-fpm's post-processing checks
	ErrHost       = errors.New("fpmconf: host check failed")   // a directory, user or group missing here
	ErrNotice     = errors.New("fpmconf: php-fpm notice")      // NOTICE/WARNING php-fpm logs at start
)

// Error is the Err of every Problem Load reports. Msg is php-fpm 8.2's own
// wording for the condition (sapi/fpm/fpm/fpm_conf.c, fpm_unix.c; catalog
// fpm-messages.md §2.8) without the "[file:line] " prefix php-fpm adds,
// since the Problem's Pos carries the position. Level is the level
// php-fpm logs it at: ALERT, ERROR, WARNING or NOTICE, or "" for the few
// findings php-fpm does not log itself (they say so in Msg).
type Error struct {
	Kind  error
	Level string
	Msg   string
}

// Error returns Msg.
func (e *Error) Error() string { return e.Msg }

// Unwrap returns the kind sentinel.
func (e *Error) Unwrap() error { return e.Kind }

type loader struct {
	opts    Options
	cfg     *Config
	cur     *Pool // nil = [global]
	probs   badgateway.Problems
	prefix  string
	lookup  func(string) (string, bool)
	maxSize int64
	depth   int
	env     *iniEnv
	// per-pool bookkeeping
	backlogSet map[*Pool]bool
}

// Load reads a php-fpm configuration: a php-fpm.conf with [global] and
// pools, or a lone pool file. It follows include= patterns (globbed as
// php-fpm globs them, relative to the prefix, at most 5 files deep),
// applies PHP's INI syntax line by line exactly as php-fpm does, expands
// ${ENV} and $pool, keeps the last value of a repeated key and every
// php_value/php_admin_value/env entry, and then runs php-fpm's own
// start-up validation.
//
// The returned Config is never nil. Everything php-fpm would report —
// syntax errors, unknown keys, invalid values, failed includes, start-up
// check failures, and the NOTICE/WARNING lines php-fpm logs about the
// configuration — is in Config.Problems with its position; php-fpm stops
// at the first error, Load keeps going so that one bad line hides nothing.
// The error is Config.Problems.Err() restricted to SeverityError problems
// (nil when php-fpm would accept the configuration), or an I/O error
// wrapped in a Problem when the top-level file cannot be read.
//
// Load is safe for concurrent use with distinct Options.
func Load(path string, opts *Options) (*Config, error) {
	l := &loader{cfg: &Config{}, backlogSet: map[*Pool]bool{}}
	if opts != nil {
		l.opts = *opts
	}
	l.prefix = l.opts.Prefix
	l.cfg.Prefix = l.prefix
	l.lookup = l.opts.LookupEnv
	if l.lookup == nil {
		l.lookup = os.LookupEnv
	}
	l.env = &iniEnv{lookupEnv: l.lookup}
	l.maxSize = l.opts.MaxFileSize
	if l.maxSize <= 0 {
		l.maxSize = 16 << 20
	}
	initGlobal(&l.cfg.Global)
	if l.opts.data != nil {
		l.depth++
		l.cfg.Files = append(l.cfg.Files, File{Path: path})
		l.parse(path, l.opts.data, nil)
		l.depth--
	} else {
		l.loadFile(path, nil)
	}
	l.postProcess()
	l.cfg.Problems = l.probs
	var errs badgateway.Problems
	for _, p := range l.probs {
		if p.Severity == badgateway.SeverityError {
			errs = append(errs, p)
		}
	}
	return l.cfg, errs.Err()
}

func (l *loader) problem(pos badgateway.Pos, sev badgateway.Severity, kind error, level, format string, args ...any) {
	p := &badgateway.Problem{Pos: pos, Severity: sev, Err: &Error{Kind: kind, Level: level, Msg: fmt.Sprintf(format, args...)}}
	p.IncludedFrom = l.cfg.IncludedFrom(pos.File)
	l.probs = append(l.probs, p)
}

func (l *loader) errorf(pos badgateway.Pos, kind error, format string, args ...any) {
	l.problem(pos, badgateway.SeverityError, kind, "ERROR", format, args...)
}

func (l *loader) alertf(pos badgateway.Pos, format string, args ...any) {
	l.problem(pos, badgateway.SeverityError, ErrValidation, "ALERT", format, args...)
}

func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return fmt.Sprintf("%s (%d)", errnoString(errno), int(errno))
	}
	return err.Error()
}

// errnoString returns glibc's strerror text for the errno values php-fpm
// reports here (Go's texts differ in case).
func errnoString(e syscall.Errno) string {
	switch e {
	case syscall.ENOENT:
		return "No such file or directory"
	case syscall.EACCES:
		return "Permission denied"
	case syscall.EISDIR:
		return "Is a directory"
	case syscall.ENOTDIR:
		return "Not a directory"
	}
	s := e.Error()
	if s != "" {
		s = strings.ToUpper(s[:1]) + s[1:]
	}
	return s
}

// loadFile is fpm_conf_load_ini_file.
func (l *loader) loadFile(path string, from []badgateway.Pos) bool {
	top := badgateway.Pos{File: path}
	if len(from) > 0 {
		top = from[0]
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
		// a FIFO or device would block or never end (php-fpm would hang)
		l.errorf(top, ErrRead, "failed to load configuration file '%s': not a regular file", path)
		return false
	}
	f, err := os.Open(path)
	if err != nil {
		l.errorf(top, ErrRead, "failed to open configuration file '%s': %s", path, errnoText(err))
		return false
	}
	defer f.Close()
	if l.depth >= maxIncludeDepth {
		l.errorf(top, ErrInclude, "failed to include more than 5 files recursively")
		return false
	}
	data, err := io.ReadAll(io.LimitReader(f, l.maxSize+1))
	if err != nil {
		l.errorf(top, ErrRead, "failed to read configuration file '%s': %s", path, errnoText(err))
		return false
	}
	if int64(len(data)) > l.maxSize {
		l.errorf(top, ErrRead, "configuration file '%s' is larger than %d bytes", path, l.maxSize)
		return false
	}
	l.depth++
	defer func() { l.depth-- }()
	l.cfg.Files = append(l.cfg.Files, File{Path: path, IncludedFrom: from})
	return l.parse(path, data, from)
}

// parse feeds the file to PHP's INI parser one line at a time.
func (l *loader) parse(path string, data []byte, from []badgateway.Pos) bool {
	ok := true
	lineno := 0
	for off := 0; off < len(data); {
		lineno++
		end := len(data)
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			end = off + i
			next = end + 1
		}
		line := string(data[off:end])
		lineStart := off
		off = next
		if line == "" || isCommentOrBlank(line) {
			continue
		}
		pos := func(o int) badgateway.Pos {
			return badgateway.Pos{File: path, Line: lineno, Col: o + 1, Offset: int64(lineStart + o)}
		}
		stmts, serr := parseLine(line, l.env)
		var include *stmt
		for i := range stmts {
			st := &stmts[i]
			switch st.kind {
			case stmtSection:
				l.section(st.name, pos(st.nameOff))
			case stmtEntry:
				if !st.hasValue {
					l.errorf(pos(st.nameOff), ErrSyntax, msgNullValue)
					ok = false
					continue
				}
				if st.name == "include" {
					if include != nil {
						l.errorf(pos(st.nameOff), ErrInclude, msgTwoIncludes)
						ok = false
						continue
					}
					include = st
					continue
				}
				if !l.entry(st, pos(st.nameOff), pos(st.valueOff)) {
					ok = false
				}
			case stmtArray:
				if !l.array(st, pos(st.nameOff), pos(st.valueOff)) {
					ok = false
				}
			}
		}
		if serr != nil {
			o := serr.off
			if o > len(line) {
				o = len(line)
			}
			l.errorf(pos(o), ErrSyntax, "%s", serr.msg)
			ok = false
			continue
		}
		if include != nil {
			chain := append([]badgateway.Pos{pos(include.valueOff)}, from...)
			if !l.include(include.value, pos(include.valueOff), chain) {
				ok = false
			}
		}
	}
	return ok
}

// isCommentOrBlank reports whether PHP's scanner would see nothing but a
// comment or blanks on the line: tabs and spaces, then either the end or
// ';' (a '\r' would end the comment early, so such lines take the full
// path).
func isCommentOrBlank(line string) bool {
	i := 0
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	if i < len(line) && line[i] != ';' {
		return false
	}
	return strings.IndexByte(line[i:], '\r') < 0
}

// resolve is fpm_evaluate_full_path without $prefix expansion.
func (l *loader) resolve(p string, pool *Pool, def string) string {
	if p == "" || p[0] == '/' {
		return p
	}
	pfx := ""
	if pool != nil && pool.Prefix.Value != "" {
		pfx = pool.Prefix.Value
	}
	if pfx == "" {
		pfx = l.prefix
	}
	if pfx == "" {
		pfx = def
		if pfx == "" {
			pfx = phpPrefix
		}
	}
	return pfx + "/" + p
}

func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// include is fpm_conf_ini_parser_include: glob(GLOB_ERR|GLOB_MARK), load
// every match that is not a directory, in sorted order.
func (l *loader) include(pattern string, at badgateway.Pos, chain []badgateway.Pos) bool {
	if pattern == "" {
		// fpm_evaluate_full_path turns "" into "<prefix>/", a directory
		pattern = l.resolve("x", nil, "")
		pattern = pattern[:len(pattern)-1]
	} else {
		pattern = l.resolve(pattern, nil, "")
	}
	if l.opts.noInclude {
		return true
	}
	matches, any, aborted := globLikeC(pattern)
	if aborted {
		l.errorf(at, ErrInclude, "Unable to globalize '%s' (ret=2) from %s at line %d.", pattern, at.File, at.Line)
		return false
	}
	if !any {
		l.problem(at, badgateway.SeverityWarning, ErrInclude, "WARNING", "Nothing matches the include pattern '%s' from %s at line %d.", pattern, at.File, at.Line)
		return true
	}
	ok := true
	for _, m := range matches {
		if !l.loadFile(m, chain) {
			ok = false
		}
	}
	return ok
}

// globLikeC emulates glibc glob(3) with GLOB_ERR|GLOB_MARK closely enough
// for include patterns: a pattern without wildcards matches itself if it
// exists; otherwise the directory part is globbed (or taken as is) and
// each directory read. A directory that cannot be read aborts the glob
// (GLOB_ABORTED, php-fpm's "ret=2"), except one that is not a directory.
// Matches are sorted; directories among them are left out, as php-fpm
// skips them.
func globLikeC(pattern string) (matches []string, any, aborted bool) {
	ms, aborted := globRec(pattern, 0)
	any = len(ms) > 0
	for _, p := range ms {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() {
			matches = append(matches, p)
		}
	}
	return matches, any, aborted
}

func globRec(pattern string, depth int) ([]string, bool) {
	if !hasGlobMeta(pattern) {
		if _, err := os.Lstat(pattern); err != nil {
			return nil, false
		}
		return []string{pattern}, false
	}
	if depth > 64 {
		return nil, true
	}
	dir, base := ".", pattern
	if i := strings.LastIndexByte(pattern, '/'); i >= 0 {
		dir, base = pattern[:i], pattern[i+1:]
		if dir == "" {
			dir = "/"
		}
	}
	var dirs []string
	if hasGlobMeta(dir) {
		ds, ab := globRec(dir, depth+1)
		if ab {
			return nil, true
		}
		dirs = ds
	} else {
		dirs = []string{dir}
	}
	var out []string
	for _, d := range dirs {
		ents, err := os.ReadDir(d)
		if err != nil {
			if errors.Is(err, syscall.ENOTDIR) {
				continue
			}
			return nil, true
		}
		for _, e := range ents {
			name := e.Name()
			if name[0] == '.' && (base == "" || base[0] != '.') {
				continue
			}
			if ok, _ := filepath.Match(base, name); ok {
				p := d + "/" + name
				if d == "/" {
					p = "/" + name
				} else if d == "." && !strings.HasPrefix(pattern, "./") {
					p = name
				}
				out = append(out, p)
			}
		}
	}
	sort.Strings(out)
	return out, false
}

func (l *loader) section(name string, pos badgateway.Pos) {
	if strings.EqualFold(name, "global") {
		l.cur = nil
		return
	}
	for _, p := range l.cfg.Pools {
		if strings.EqualFold(p.Name, name) {
			l.cur = p
			return
		}
	}
	p := newPool(name, pos)
	l.cfg.Pools = append(l.cfg.Pools, p)
	l.cur = p
}

// expandPool is fpm_conf_expand_pool_name.
func (l *loader) expandPool(v string) (string, string) {
	if !strings.Contains(v, "$pool") {
		return v, ""
	}
	if l.cur == nil {
		return "", msgPoolUndefined
	}
	return strings.ReplaceAll(v, "$pool", l.cur.Name), ""
}

func (l *loader) entry(st *stmt, namePos, valPos badgateway.Pos) bool {
	key := strings.ToLower(st.name)
	var h handler
	var ok bool
	if l.cur == nil {
		h, ok = globalHandlers[key]
	} else {
		h, ok = poolHandlers[key]
	}
	if !ok {
		l.errorf(namePos, ErrUnknown, "unknown entry '%s'", st.name)
		return false
	}
	v := st.value
	if h.str {
		var msg string
		if v, msg = l.expandPool(v); msg != "" {
			l.errorf(valPos, ErrValue, "unable to parse value for entry '%s': %s", key, msg)
			return false
		}
	}
	if msg := h.set(l, v, valPos); msg != "" {
		l.errorf(valPos, ErrValue, "unable to parse value for entry '%s': %s", key, msg)
		return false
	}
	return true
}

func (l *loader) array(st *stmt, namePos, valPos badgateway.Pos) bool {
	if st.name == "access.suppress_path" {
		bad := false
		if st.offset != "" {
			l.errorf(namePos, ErrValue, msgSuppressKey)
			bad = true
		}
		if st.value == "" || st.value[0] != '/' {
			l.errorf(valPos, ErrValue, msgSuppressValue)
			bad = true
		}
		if bad {
			return false
		}
	} else if st.offset == "" {
		l.errorf(namePos, ErrValue, "You must provide a key for field '%s'", st.name)
		return false
	}
	if l.cur == nil {
		l.errorf(namePos, ErrValue, msgArrayInGlobal)
		return false
	}
	p := l.cur
	switch st.name {
	case "env":
		if st.value == "" {
			l.errorf(valPos, ErrValue, msgEmptyEnvValue)
			return false
		}
		v, _ := l.expandPool(st.value)
		p.Env = append(p.Env, EnvVar{Name: st.offset, Value: v, Pos: valPos})
	case "php_value", "php_admin_value":
		v, _ := l.expandPool(st.value)
		p.PHPValues = append(p.PHPValues, PHPValue{Name: st.offset, Value: v, Admin: st.name == "php_admin_value", Pos: valPos})
	case "php_flag", "php_admin_flag":
		b, msg := parseBool(st.value)
		if msg != "" {
			l.errorf(valPos, ErrValue, "error while parsing '%s[%s]' : %s", st.name, st.offset, msg)
			return false
		}
		v := "0"
		if b {
			v = "1"
		}
		p.PHPValues = append(p.PHPValues, PHPValue{Name: st.offset, Value: v, Admin: st.name == "php_admin_flag", Flag: true, Pos: valPos})
	case "access.suppress_path":
		v, _ := l.expandPool(st.value)
		p.AccessSuppressPath = append(p.AccessSuppressPath, Setting[string]{Value: v, Raw: st.value, Pos: valPos})
	default:
		l.errorf(namePos, ErrUnknown, "unknown directive '%s'", st.name)
		return false
	}
	return true
}

// hostDir reports whether path is a directory on this host.
func hostDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// hostFileDirErr is what open(O_CREAT) of path would fail with because of
// its directory, or nil.
func hostFileDirErr(path string) error {
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return pe.Err
		}
		return err
	}
	if !fi.IsDir() {
		return syscall.ENOTDIR
	}
	return nil
}

func (l *loader) userExists(name string) bool {
	if l.opts.LookupUser != nil {
		return l.opts.LookupUser(name) == nil
	}
	_, err := user.Lookup(name)
	return err == nil
}

func (l *loader) groupExists(name string) bool {
	if l.opts.LookupGroup != nil {
		return l.opts.LookupGroup(name) == nil
	}
	_, err := user.LookupGroup(name)
	return err == nil
}
