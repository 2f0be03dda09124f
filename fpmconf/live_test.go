package fpmconf

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fcgiGet sends one FastCGI request (FCGI_RESPONDER) for script over a
// unix socket and returns the body the script wrote (after the header
// block). It is the least a FastCGI client needs (FastCGI spec 1.0).
func fcgiGet(ctx context.Context, sock, script string) (string, error) {
	var d net.Dialer
	c, err := d.DialContext(ctx, "unix", sock)
	if err != nil {
		return "", err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	rec := func(typ byte, content []byte) []byte {
		h := []byte{1, typ, 0, 1, 0, 0, 0, 0}
		binary.BigEndian.PutUint16(h[4:], uint16(len(content)))
		return append(h, content...)
	}
	var params []byte
	for _, kv := range [][2]string{{"SCRIPT_FILENAME", script}, {"REQUEST_METHOD", "GET"}, {"SERVER_PROTOCOL", "HTTP/1.1"}} {
		params = append(params, byte(len(kv[0])), byte(len(kv[1])))
		params = append(params, kv[0]...)
		params = append(params, kv[1]...)
	}
	var req []byte
	req = append(req, rec(1, []byte{0, 1, 0, 0, 0, 0, 0, 0})...) // BEGIN_REQUEST, responder
	req = append(req, rec(4, params)...)
	req = append(req, rec(4, nil)...)
	req = append(req, rec(5, nil)...)
	if _, err := c.Write(req); err != nil {
		return "", err
	}
	var out bytes.Buffer
	for {
		h := make([]byte, 8)
		if _, err := io.ReadFull(c, h); err != nil {
			return "", err
		}
		n := int(binary.BigEndian.Uint16(h[4:]))
		body := make([]byte, n+int(h[6]))
		if _, err := io.ReadFull(c, body); err != nil {
			return "", err
		}
		switch h[1] {
		case 6: // STDOUT
			out.Write(body[:n])
		case 3: // END_REQUEST
			s := out.String()
			if i := strings.Index(s, "\r\n\r\n"); i >= 0 {
				s = s[i+4:]
			}
			return s, nil
		}
	}
}

// TestLiveOverridePrecedence starts the real php-fpm8.2 and asks a script
// for the ini values Pool.PHPIni predicts: php_admin_value beats
// php_value, and among duplicates the first in the file wins.
func TestLiveOverridePrecedence(t *testing.T) {
	fpm := needFPM(t)
	if os.Geteuid() != 0 {
		t.Skip("php-fpm with a pool user needs root here")
	}
	dir := t.TempDir()
	script := filepath.Join(dir, "ini.php")
	names := []string{"memory_limit", "max_execution_time", "display_errors", "post_max_size", "upload_max_filesize"}
	php := "<?php foreach (['" + strings.Join(names, "','") + "'] as $n) echo $n, '=', ini_get($n), \"\\n\";"
	if err := os.WriteFile(script, []byte(php), 0o644); err != nil {
		t.Fatal(err)
	}
	iniPath := filepath.Join(dir, "php.ini")
	if err := os.WriteFile(iniPath, []byte("max_execution_time = 120\nmemory_limit = 64M\npost_max_size = 16M\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "fpm.sock")
	conf := filepath.Join(dir, "fpm.conf")
	cfgText := fmt.Sprintf(`[global]
pid = %[1]s/fpm.pid
error_log = %[1]s/fpm.log
daemonize = no
[live]
listen = %[2]s
pm = static
pm.max_children = 1
php_value[memory_limit] = 256M
php_value[memory_limit] = 512M
php_value[max_execution_time] = 30
php_admin_value[max_execution_time] = 10
php_admin_value[max_execution_time] = 20
php_flag[display_errors] = off
`, dir, sock)
	if err := os.WriteFile(conf, []byte(cfgText), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, fpm, "-c", iniPath, "-R", "-F", "-y", conf, "-p", dir)
	cmd.Env = []string{"PATH=/usr/sbin:/usr/bin:/bin", "PHP_INI_SCAN_DIR="}
	var logs bytes.Buffer
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(os.Interrupt)
		cmd.Wait()
	}()
	var body string
	var err error
	for i := 0; i < 100; i++ {
		body, err = fcgiGet(ctx, sock, script)
		if err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		t.Fatalf("no answer from php-fpm: %v\n%s", err, logs.String())
	}
	real := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			real[k] = v
		}
	}
	cfg, err := Load(conf, &Options{AllowRunAsRoot: true})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	ini, err := LoadPHPIni(iniPath, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Pool("live")
	for _, n := range names {
		e := p.PHPIni(ini, n)
		if e.Value != real[n] {
			t.Errorf("%s: Load says %q (%s, %v), php-fpm runs with %q", n, e.Value, e.Source, e.Pos, real[n])
		}
	}
	t.Logf("php-fpm runs with %v", real)
	if len(real) != len(names) {
		t.Errorf("script output %q", body)
	}
}
