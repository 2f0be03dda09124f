package fpmconf

import (
	"io"
	"os"
	"sort"
	"strings"

	"github.com/badgateway/badgateway"
)

// IniValue is one php.ini directive: the value PHP reads (after INI rules:
// quotes, constants, ${ENV}; yes/on/true as "1", no/off/false/none as "")
// and where it was set.
type IniValue struct {
	Name  string         `json:"name"`
	Value string         `json:"value"`
	Pos   badgateway.Pos `json:"pos"`
}

// PHPIni is a loaded php.ini: the directives outside [PATH=…] and
// [HOST=…] sections, last one winning as in PHP. It is not modified after
// LoadPHPIni returns and is safe for concurrent reads.
type PHPIni struct {
	Path     string              `json:"path"`
	Values   map[string]IniValue `json:"values"`
	Problems badgateway.Problems `json:"-"`
}

// Get returns a directive's value as set in the file.
func (ini *PHPIni) Get(name string) (IniValue, bool) {
	if ini == nil {
		return IniValue{}, false
	}
	v, ok := ini.Values[name]
	return v, ok
}

// Names returns the directive names in sorted order.
func (ini *PHPIni) Names() []string {
	names := make([]string, 0, len(ini.Values))
	for n := range ini.Values {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// phpIniDefaults are PHP 8.2's built-in values of the directives that
// matter to gateway errors (what php8.2 -n reports, opcache loaded;
// max_execution_time is 30 for FPM, the CLI forces 0), used when neither
// php.ini nor the pool sets them. Sizes are php.ini size strings (see
// ParseSize), times are seconds, booleans "1" or "0".
var phpIniDefaults = map[string]string{
	"max_execution_time":              "30",
	"max_input_time":                  "-1",
	"memory_limit":                    "128M",
	"post_max_size":                   "8M",
	"upload_max_filesize":             "2M",
	"default_socket_timeout":          "60",
	"display_errors":                  "1",
	"log_errors":                      "0",
	"error_log":                       "",
	"max_input_vars":                  "1000",
	"output_buffering":                "0",
	"opcache.enable":                  "1",
	"opcache.memory_consumption":      "128",
	"opcache.interned_strings_buffer": "8",
	"opcache.max_accelerated_files":   "10000",
	"opcache.jit_buffer_size":         "0",
}

// LoadPHPIni reads a php.ini the way PHP's startup does
// (zend_parse_ini_file, ZEND_INI_SCANNER_NORMAL): PHP's INI syntax over the
// whole file, ${NAME} from the process environment (opts.LookupEnv when
// opts is not nil), constants such as E_ALL evaluated. Like PHP, it stops
// at the first syntax error: directives after it are not in the result
// (PHP does not apply them either) and the error is returned as a
// Problem. [PATH=…] and [HOST=…] sections, which apply only to some
// scripts, are skipped.
//
// The returned PHPIni is never nil; the error is nil or a
// badgateway.Problems.
func LoadPHPIni(path string, opts *Options) (*PHPIni, error) {
	ini := &PHPIni{Path: path, Values: map[string]IniValue{}}
	var o Options
	if opts != nil {
		o = *opts
	}
	lookup := o.LookupEnv
	if lookup == nil {
		lookup = os.LookupEnv
	}
	max := o.MaxFileSize
	if max <= 0 {
		max = 16 << 20
	}
	if fi, err := os.Stat(path); err == nil && !fi.Mode().IsRegular() {
		ini.Problems.Add(badgateway.Pos{File: path}, &Error{Kind: ErrRead, Level: "ERROR", Msg: "not a regular file"})
		return ini, ini.Problems.Err()
	}
	f, err := os.Open(path)
	if err != nil {
		ini.Problems.Add(badgateway.Pos{File: path}, &Error{Kind: ErrRead, Level: "ERROR", Msg: err.Error()})
		return ini, ini.Problems.Err()
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = &Error{Kind: ErrRead, Level: "ERROR", Msg: "file is larger than the size limit"}
	}
	if err != nil {
		ini.Problems.Add(badgateway.Pos{File: path}, &Error{Kind: ErrRead, Level: "ERROR", Msg: err.Error()})
		return ini, ini.Problems.Err()
	}
	parsePHPIni(ini, path, string(data), lookup)
	return ini, ini.Problems.Err()
}

func parsePHPIni(ini *PHPIni, path, text string, lookup func(string) (string, bool)) {
	lines := lineStarts(text)
	pos := func(off int) badgateway.Pos {
		i := sort.Search(len(lines), func(i int) bool { return lines[i] > off }) - 1
		if i < 0 {
			i = 0
		}
		return badgateway.Pos{File: path, Line: i + 1, Col: off - lines[i] + 1, Offset: int64(off)}
	}
	stmts, serr := parseText(text, &iniEnv{lookupEnv: lookup})
	skip := false
	for _, st := range stmts {
		switch st.kind {
		case stmtSection:
			u := strings.ToUpper(st.name)
			skip = strings.HasPrefix(u, "PATH=") || strings.HasPrefix(u, "HOST=")
		case stmtEntry:
			if skip {
				continue
			}
			if !st.hasValue {
				continue // php_ini_parser_cb ignores a bare name
			}
			ini.Values[st.name] = IniValue{Name: st.name, Value: st.value, Pos: pos(st.valueOff)}
		case stmtArray:
			// extension[] and the like: not relevant here.
		}
	}
	if serr != nil {
		off := serr.off
		if off > len(text) {
			off = len(text)
		}
		ini.Problems = append(ini.Problems, &badgateway.Problem{Pos: pos(off), Err: &Error{Kind: ErrSyntax, Level: "ERROR", Msg: serr.msg}})
	}
}

// PHPIniDefault returns PHP 8.2's built-in value of a directive that
// matters to gateway errors (max_execution_time, memory_limit,
// post_max_size, upload_max_filesize, default_socket_timeout,
// display_errors, log_errors, error_log, max_input_time, max_input_vars,
// output_buffering and the opcache memory settings), as php8.2 -n reports
// it with opcache loaded (max_execution_time is 30 for FPM; the CLI forces
// 0). ok is false for other directives.
func PHPIniDefault(name string) (value string, ok bool) {
	value, ok = phpIniDefaults[name]
	return value, ok
}

func lineStarts(text string) []int {
	starts := []int{0}
	for i := 0; i < len(text); i++ {
		if text[i] == '\n' {
			starts = append(starts, i+1)
		}
	}
	return starts
}

// Effective is the value a pool's PHP runs with for one ini directive.
type Effective struct {
	Name   string         `json:"name"`
	Value  string         `json:"value"`
	Source string         `json:"source"` // "php_admin_value", "php_admin_flag", "php_value", "php_flag", "php.ini" or "default"
	Pos    badgateway.Pos `json:"pos"`    // where Source set it; zero for "default"
}

// PHPIni returns the value the pool's PHP runs with for directive name:
// the pool's php_admin_value/php_admin_flag, else its php_value/php_flag
// (see PHPSetting for the order php-fpm applies them in), else the php.ini
// value (ini may be nil), else PHP's built-in default from PHPIniDefault
// ("" and Source "default" when the directive is not listed there).
//
// Not modelled: the PHP_VALUE/PHP_ADMIN_VALUE FastCGI parameters a web
// server may send per request, .user.ini files, ini_set() and
// set_time_limit() in scripts (possible for php_value, not for
// php_admin_value), and directives that only take effect at master start
// (opcache.memory_consumption set in a pool does not resize the shared
// memory).
func (p *Pool) PHPIni(ini *PHPIni, name string) Effective {
	if v, ok := p.PHPSetting(name); ok {
		src := "php_value"
		switch {
		case v.Admin && v.Flag:
			src = "php_admin_flag"
		case v.Admin:
			src = "php_admin_value"
		case v.Flag:
			src = "php_flag"
		}
		return Effective{Name: name, Value: v.Value, Source: src, Pos: v.Pos}
	}
	if v, ok := ini.Get(name); ok {
		return Effective{Name: name, Value: v.Value, Source: "php.ini", Pos: v.Pos}
	}
	v, _ := PHPIniDefault(name)
	return Effective{Name: name, Value: v, Source: "default"}
}

// Size reads the value as a php.ini quantity (see ParseSize): bytes for
// memory_limit/post_max_size/upload_max_filesize (-1 = no limit), seconds
// for max_execution_time/max_input_time/default_socket_timeout (0 or -1 =
// no limit, as PHP defines for each).
func (e Effective) Size() (int64, bool) { return ParseSize(e.Value) }

// Bool reads the value as PHP's zend_ini_parse_bool does: "on", "yes",
// "true" (any case) are true, anything else is true when its leading
// integer is not zero.
func (e Effective) Bool() bool {
	switch strings.ToLower(strings.TrimSpace(e.Value)) {
	case "on", "yes", "true":
		return true
	}
	return cStrtol(e.Value) != 0
}
