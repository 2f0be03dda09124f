package nginxconf

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// ErrTooLarge is wrapped by the problem reported for a file larger than
// Options.MaxFileSize.
var ErrTooLarge = errors.New("file too large")

// ErrNotRegular is wrapped by the warning reported for an included path
// that is not a regular file (a device such as /dev/zero, a FIFO, a
// socket): nginx takes its size from fstat, which is 0, and reads nothing;
// so does Load, without opening it.
var ErrNotRegular = errors.New("not a regular file, read as empty like nginx does")

// ErrIsDirectory is wrapped by the problem reported when an include
// names a directory (nginx: pread() failed (21: Is a directory)).
var ErrIsDirectory = errors.New("is a directory")

// fileSystem is where the loader reads configuration files from: the
// operating system, an fs.FS, or the files of an nginx -T dump.
type fileSystem interface {
	// read returns the contents of the file at the absolute, slash
	// separated path name, at most max bytes.
	read(name string, max int64) ([]byte, error)
	// readDir lists a directory for glob matching, names only, any order.
	readDir(name string) ([]string, error)
	// isDir reports whether name is an existing directory (following
	// symbolic links).
	isDir(name string) bool
}

type osFS struct{}

func (osFS) read(name string, max int64) ([]byte, error) {
	fi, err := os.Stat(name) // Stat first: opening a FIFO would block.
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, ErrIsDirectory
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, fi.Size(), max)
	}
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// nginx reads the size fstat gave; read at most that (and the limit).
	b, err := io.ReadAll(io.LimitReader(f, min(fi.Size(), max)))
	if err != nil {
		return nil, err
	}
	return b, nil
}

func (osFS) readDir(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

func (osFS) isDir(name string) bool {
	fi, err := os.Stat(name)
	return err == nil && fi.IsDir()
}

// ioFS adapts an fs.FS: the absolute path "/etc/nginx/nginx.conf" is the
// fs.FS name "etc/nginx/nginx.conf".
type ioFS struct{ fsys fs.FS }

func fsName(name string) string {
	name = strings.TrimPrefix(path.Clean("/"+name), "/")
	if name == "" {
		return "."
	}
	return name
}

func (f ioFS) read(name string, max int64) ([]byte, error) {
	n := fsName(name)
	fi, err := fs.Stat(f.fsys, n)
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, ErrIsDirectory
	}
	if !fi.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, fi.Size(), max)
	}
	r, err := f.fsys.Open(n)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(io.LimitReader(r, max))
}

func (f ioFS) readDir(name string) ([]string, error) {
	ents, err := fs.ReadDir(f.fsys, fsName(name))
	if err != nil {
		return nil, err
	}
	names := make([]string, len(ents))
	for i, e := range ents {
		names[i] = e.Name()
	}
	return names, nil
}

func (f ioFS) isDir(name string) bool {
	fi, err := fs.Stat(f.fsys, fsName(name))
	return err == nil && fi.IsDir()
}

// mapFS holds the files of an nginx -T dump, by absolute path.
type mapFS struct {
	files map[string][]byte
	dirs  map[string][]string
}

func newMapFS(files map[string][]byte) *mapFS {
	m := &mapFS{files: files, dirs: map[string][]string{}}
	seen := map[string]bool{}
	for name := range files {
		for p := name; p != "/" && p != "." && p != ""; {
			dir, base := path.Split(p)
			dir = path.Clean(dir)
			if !seen[dir+"\x00"+base] {
				seen[dir+"\x00"+base] = true
				m.dirs[dir] = append(m.dirs[dir], base)
			}
			p = dir
		}
	}
	return m
}

func (m *mapFS) read(name string, max int64) ([]byte, error) {
	b, ok := m.files[path.Clean(name)]
	if !ok {
		if _, isDir := m.dirs[path.Clean(name)]; isDir {
			return nil, ErrIsDirectory
		}
		return nil, fs.ErrNotExist
	}
	if int64(len(b)) > max {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), max)
	}
	return b, nil
}

func (m *mapFS) readDir(name string) ([]string, error) {
	names, ok := m.dirs[path.Clean(name)]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return names, nil
}

func (m *mapFS) isDir(name string) bool {
	_, ok := m.dirs[path.Clean(name)]
	return ok
}

// hasGlobMeta reports whether nginx treats an include path as a pattern
// (ngx_conf_include: strpbrk(file, "*?[")).
func hasGlobMeta(s string) bool { return strings.ContainsAny(s, "*?[") }

// glob expands pattern like glob(3) called with flags 0, as nginx's
// ngx_open_glob does: wildcards do not match a leading "." of a name,
// "[!...]" negates a class, unreadable directories are skipped, and the
// result is sorted bytewise (nginx never calls setlocale, so strcoll is
// strcmp). A pattern without matches gives no names and no error.
func glob(fsys fileSystem, pattern string) ([]string, error) {
	if !strings.HasPrefix(pattern, "/") {
		return nil, fmt.Errorf("glob pattern %q is not absolute", pattern)
	}
	parts := strings.Split(pattern[1:], "/")
	cur := []string{"/"}
	for i, part := range parts {
		last := i == len(parts)-1
		if part == "" {
			if last {
				// "dir/" matches the directory itself.
				var next []string
				for _, c := range cur {
					if fsys.isDir(c) {
						next = append(next, c)
					}
				}
				cur = next
			}
			continue
		}
		var next []string
		if !hasGlobMeta(part) {
			for _, c := range cur {
				p := joinPath(c, unescapeGlob(part))
				if last || fsys.isDir(p) {
					next = append(next, p)
				}
			}
		} else {
			goPat := globToGo(part)
			if _, err := path.Match(goPat, ""); err != nil {
				return nil, fmt.Errorf("glob pattern %q: %w", pattern, err)
			}
			for _, c := range cur {
				names, err := fsys.readDir(c)
				if err != nil {
					continue
				}
				sort.Strings(names)
				for _, n := range names {
					if strings.HasPrefix(n, ".") && !strings.HasPrefix(part, ".") {
						continue
					}
					if ok, _ := path.Match(goPat, n); !ok {
						continue
					}
					p := joinPath(c, n)
					if !last && !fsys.isDir(p) {
						continue
					}
					next = append(next, p)
				}
			}
		}
		cur = next
		if len(cur) == 0 {
			return nil, nil
		}
	}
	if len(parts) > 0 && !hasGlobMeta(parts[len(parts)-1]) {
		// A literal last component must exist.
		var next []string
		for _, c := range cur {
			if _, err := fsys.readDir(c); err == nil || fileExists(fsys, c) {
				next = append(next, c)
			}
		}
		cur = next
	}
	sort.Strings(cur)
	return cur, nil
}

func fileExists(fsys fileSystem, name string) bool {
	_, err := fsys.read(name, 0)
	return err == nil || errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotRegular) || errors.Is(err, ErrIsDirectory)
}

func joinPath(dir, name string) string {
	if strings.HasSuffix(dir, "/") {
		return dir + name
	}
	return dir + "/" + name
}

// globToGo turns a glob(3) component into a path.Match pattern: only the
// class negation differs ("[!a]" vs "[^a]").
func globToGo(p string) string {
	if !strings.Contains(p, "[!") {
		return p
	}
	return strings.ReplaceAll(p, "[!", "[^")
}

func unescapeGlob(p string) string {
	if !strings.Contains(p, `\`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] == '\\' && i+1 < len(p) {
			i++
		}
		b.WriteByte(p[i])
	}
	return b.String()
}

// absPath makes a native path absolute and slash separated.
func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		p = a
	}
	return filepath.ToSlash(p)
}
