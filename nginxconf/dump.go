package nginxconf

import (
	"bytes"
	"errors"
	"path"

	"github.com/badgateway/badgateway"
)

// ErrNoDump is returned (and recorded as a problem) by LoadDump when its
// input holds no "# configuration file PATH:" header.
var ErrNoDump = errors.New("no \"# configuration file PATH:\" header: not the output of nginx -T")

const dumpHeader = "# configuration file "

// SplitDump splits the output of "nginx -T" into its files: the path of
// each "# configuration file PATH:" header and the bytes that follow it,
// without the newline nginx adds after each file (src/core/nginx.c).
// Lines before the first header (nginx's "syntax is ok" messages when
// stderr was captured too) are ignored. The order is nginx's: the main
// file first, then every other file in the order it was first read.
//
// A file whose own text holds a line starting with "# configuration file "
// and ending with ":" cannot be told apart from a header; nginx does not
// escape it either.
func SplitDump(dump []byte) (paths []string, contents [][]byte) {
	add := func(name string, b []byte) {
		paths = append(paths, name)
		contents = append(contents, bytes.TrimSuffix(b, []byte("\n")))
	}
	name, have, start := "", false, 0
	for off := 0; off < len(dump); {
		line := dump[off:]
		next := len(line)
		if nl := bytes.IndexByte(line, '\n'); nl >= 0 {
			line, next = line[:nl], nl+1
		}
		if len(line) > len(dumpHeader)+1 && bytes.HasPrefix(line, []byte(dumpHeader)) && line[len(line)-1] == ':' {
			if have {
				add(name, dump[start:off])
			}
			name, have, start = string(line[len(dumpHeader):len(line)-1]), true, off+next
		}
		off += next
	}
	if have {
		add(name, dump[start:])
	}
	return paths, contents
}

// LoadDump builds the model from the output of "nginx -T" (stdout, or
// stdout and stderr together): the first file of the dump is the main
// file, and includes are resolved among the dumped files only, so the
// result is what Load gives on the host the dump was taken on. Positions
// name the original paths and lines.
//
// Like Load, it never returns a nil *Config, and the error is
// Config.Problems.Err(). Options.FS is ignored; ConfPrefix defaults to the
// directory of the main file.
func LoadDump(dump []byte, opts *Options) (*Config, error) {
	paths, contents := SplitDump(dump)
	var o Options
	if opts != nil {
		o = *opts
	}
	o.FS = nil
	l := newLoader(&o)
	if len(paths) == 0 {
		cfg := &Config{Context: l.opts.Context}
		cfg.Problems.Add(badgateway.Pos{}, ErrNoDump)
		return cfg, cfg.Problems.Err()
	}
	files := make(map[string][]byte, len(paths))
	for i, p := range paths {
		p = path.Clean(p)
		if _, dup := files[p]; !dup {
			files[p] = contents[i]
		}
	}
	l.fsys = newMapFS(files)
	return l.run(path.Clean(paths[0]))
}
