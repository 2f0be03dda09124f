package realserver

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"golang.org/x/tools/txtar"
)

// Golden file names of a capture directory, besides the logs named by Log.
const (
	nginxConfFile = "nginx.conf"
	fpmConfFile   = "php-fpm.conf"
	phpIniFile    = "php.ini"
	fpmStderrFile = "php-fpm-stderr.log"
	statusFile    = "status.txt"
	scriptsFile   = "docroot.txtar"
)

// IncidentDir returns the directory of the golden capture of the scenario
// name: testdata/incidents/NAME at the module root, found from this
// source file's path (so it works from any package's test).
func IncidentDir(name string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return filepath.Join("testdata", "incidents", name)
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "incidents", name)
}

// files lists the capture's files with their golden names.
func (c *Capture) files() []struct {
	name string
	f    *File
} {
	return []struct {
		name string
		f    *File
	}{
		{string(NginxError), &c.NginxErrorLog},
		{string(NginxAccess), &c.NginxAccessLog},
		{string(FPMError), &c.FPMLog},
		{string(FPMAccess), &c.FPMAccessLog},
		{string(FPMSlow), &c.FPMSlowLog},
		{nginxConfFile, &c.NginxConf},
		{fpmConfFile, &c.FPMConf},
		{phpIniFile, &c.PHPIni},
		{fpmStderrFile, &c.FPMStderr},
	}
}

// WriteDir writes the capture into dir (created if needed) as golden
// files: the logs under their Log names (an empty log is written empty:
// the server wrote nothing there), nginx.conf, php-fpm.conf, php.ini,
// php-fpm-stderr.log when php-fpm printed anything, php-fpm-slow.log when
// the pool wrote a slow log, docroot.txtar with the
// scripts, and status.txt with one line per request:
//
//	METHOD PATH STATUS ELAPSED[ ERROR]
//
// STATUS is 0 when the client got no response, ELAPSED in seconds with
// millisecond precision ("1.004s").
func (c *Capture) WriteDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, f := range c.files() {
		if (f.name == fpmStderrFile || f.name == string(FPMSlow)) && len(f.f.Data) == 0 {
			os.Remove(filepath.Join(dir, f.name))
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, f.name), f.f.Data, 0o644); err != nil {
			return err
		}
	}
	var st bytes.Buffer
	for _, r := range c.Responses {
		fmt.Fprintf(&st, "%s %s %d %.3fs", r.Method, r.Path, r.Status, r.Elapsed.Seconds())
		if r.Err != "" {
			fmt.Fprintf(&st, " %s", strings.ReplaceAll(r.Err, "\n", " "))
		}
		st.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(dir, statusFile), st.Bytes(), 0o644); err != nil {
		return err
	}
	ar := &txtar.Archive{Comment: []byte("Scripts of the document root, by path.\n")}
	names := make([]string, 0, len(c.Scripts))
	for n := range c.Scripts {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		ar.Files = append(ar.Files, txtar.File{Name: n, Data: []byte(c.Scripts[n])})
	}
	return os.WriteFile(filepath.Join(dir, scriptsFile), txtar.Format(ar), 0o644)
}

// Load reads a capture written by WriteDir (a golden directory such as
// IncidentDir("fpm_down_unix")). File paths are the golden files' paths;
// Dir is dir. A missing log or config is left empty; a missing or
// malformed status.txt is an error naming its line.
func Load(dir string) (*Capture, error) {
	c := &Capture{Name: filepath.Base(dir), Dir: dir}
	for _, f := range c.files() {
		p := filepath.Join(dir, f.name)
		data, err := os.ReadFile(p)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
		if len(data) == 0 {
			data = nil
		}
		f.f.Path, f.f.Data = p, data
	}
	st, err := os.ReadFile(filepath.Join(dir, statusFile))
	if err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(bytes.NewReader(st))
	for n := 1; sc.Scan(); n++ {
		f := strings.SplitN(sc.Text(), " ", 5)
		if len(f) < 4 {
			return nil, fmt.Errorf("%s:%d: want METHOD PATH STATUS ELAPSED", filepath.Join(dir, statusFile), n)
		}
		status, err1 := strconv.Atoi(f[2])
		elapsed, err2 := time.ParseDuration(f[3])
		if err := errors.Join(err1, err2); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", filepath.Join(dir, statusFile), n, err)
		}
		r := Response{Method: f[0], Path: f[1], Status: status, Elapsed: elapsed}
		if len(f) == 5 {
			r.Err = f[4]
		}
		c.Responses = append(c.Responses, r)
	}
	if data, err := os.ReadFile(filepath.Join(dir, scriptsFile)); err == nil {
		for _, f := range txtar.Parse(data).Files {
			if c.Scripts == nil {
				c.Scripts = map[string]string{}
			}
			c.Scripts[f.Name] = string(f.Data)
		}
	}
	return c, nil
}
