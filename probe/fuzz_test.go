package probe

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

// FuzzFastCGIRecords feeds arbitrary bytes to the FastCGI record reader as
// a server's answer. Seeds: every raw answer of real php-fpm 8.2 in
// testdata/fpm82 and the fault table of TestReadResponseFaults.
// Properties: no panic; the kept bytes stay within the limit; a
// ProtocolError's First is at most 64 bytes and its Offset inside the
// input; reading one byte at a time gives the same result as reading in
// large chunks.
func FuzzFastCGIRecords(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "fpm82", "*.bin"))
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint16(0))
		f.Add(b, uint16(100))
	}
	ok := rec(typeStdout, 1, "Status: 503 Service Unavailable\r\nX: y\r\n\r\nbusy", 4)
	for _, b := range [][]byte{
		[]byte("HTTP/1.1 400 Bad Request\r\n\r\n"),
		cat(ok, endRequest(0, 0)),
		cat(ok, []byte{1, 6, 0}),
		cat(rec(typeUnknownType, 0, "12345678", 0), rec(typeStderr, 1, "e", 7), ok, endRequest(1, Overloaded)),
		cat(rec(typeStdout, 1, "Status: abc\r\n\r\n", 0), endRequest(0, 0)),
		cat(rec(typeStdout, 1, "a\n\nb", 0), endRequest(0, 0)),
		cat(rec(typeStdout, 1, ": x\r\n\r\n", 0), endRequest(0, 0)),
	} {
		f.Add(b, uint16(0))
	}
	f.Fuzz(func(t *testing.T, in []byte, limit uint16) {
		max := int(limit)
		if max == 0 {
			max = 1 << 20
		}
		resp, err := readResponse(bytes.NewReader(in), max)
		if resp == nil {
			t.Fatal("nil response")
		}
		if len(resp.Body)+len(resp.Stderr) > max {
			t.Fatalf("kept %d+%d bytes over the limit %d", len(resp.Body), len(resp.Stderr), max)
		}
		var pe *ProtocolError
		if !errors.As(err, &pe) {
			pe = nil
		}
		if pe != nil && (len(pe.First) > firstBytesLen || pe.Offset > int64(len(in)) || pe.Offset < 0) {
			t.Fatalf("protocol error out of bounds: %#v", pe)
		}
		if err == nil && (resp.Status < 100 || resp.Status > 999) {
			t.Fatalf("status %d without error", resp.Status)
		}
		resp2, err2 := readResponse(iotest.OneByteReader(bytes.NewReader(in)), max)
		// The same outcome; only a ProtocolError's First may be shorter
		// when the bytes arrive one at a time.
		var pe2 *ProtocolError
		switch {
		case (err == nil) != (err2 == nil):
			t.Fatalf("chunked err %v, byte-wise err %v", err, err2)
		case pe != nil:
			if !errors.As(err2, &pe2) || pe.Err.Error() != pe2.Err.Error() || pe.Offset != pe2.Offset || !bytes.HasPrefix(pe.First, pe2.First) {
				t.Fatalf("chunked err %v, byte-wise err %v", err, err2)
			}
		case err != nil && err.Error() != err2.Error():
			t.Fatalf("chunked err %v, byte-wise err %v", err, err2)
		}
		if d := cmp.Diff(resp, resp2); d != "" {
			t.Fatalf("chunked vs byte-wise (-chunked +byte-wise)\n%s", d)
		}
	})
}

// FuzzParseStatus checks that any status body decodes or fails with
// ErrStatusFormat, never panics. Seeds: real php-fpm 8.2 status pages.
func FuzzParseStatus(f *testing.F) {
	for _, name := range []string{"status.bin", "status-short.bin", "status-saturated.bin"} {
		resp, err := readResponse(bytes.NewReader(capture(f, name)), 1<<20)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(resp.Body)
	}
	f.Add([]byte(`{"pool":"www","process manager":"dynamic","processes":[{"pid":-1}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		st, err := ParseStatus(body)
		if err != nil && !errors.Is(err, ErrStatusFormat) {
			t.Fatalf("err %v does not wrap ErrStatusFormat", err)
		}
		if err == nil && (st.Pool == "" || st.ProcessManager == "") {
			t.Fatalf("accepted %+v", st)
		}
	})
}

// FuzzAccounts checks the passwd and group readers: no panic, every
// problem and every entry positioned on a line of the input, and no
// entry with an empty name.
func FuzzAccounts(f *testing.F) {
	f.Add("root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n")
	f.Add("www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\r\nbroken:x:1\n+nis::::::\n")
	f.Add("sockets:x:900:nobody, www-data\nroot:x:0:\n")
	if b, err := os.ReadFile("/etc/passwd"); err == nil {
		f.Add(string(b))
	}
	if b, err := os.ReadFile("/etc/group"); err == nil {
		f.Add(string(b))
	}
	f.Fuzz(func(t *testing.T, in string) {
		lines := strings.Count(in, "\n") + 1
		users, probs := ParsePasswd(strings.NewReader(in), "passwd")
		groups, probs2 := ParseGroup(strings.NewReader(in), "group")
		for _, p := range append(probs, probs2...) {
			if p.Pos.Line < 1 || p.Pos.Line > lines || p.Pos.Offset > int64(len(in)) {
				t.Fatalf("problem outside the input: %v", p)
			}
		}
		for _, u := range users {
			if u.Name == "" || u.Pos.Line < 1 || u.Pos.Line > lines {
				t.Fatalf("bad user %+v", u)
			}
		}
		a := &Accounts{Users: users, Groups: groups}
		seen := map[string]bool{}
		for _, u := range users {
			if seen[u.Name] {
				continue // getpwnam finds the first of duplicate names
			}
			seen[u.Name] = true
			id, err := a.Identity(u.Name, "")
			if err != nil || id.User != u.Name || id.UID != u.UID || !id.HasGroup(u.GID) {
				t.Fatalf("Identity(%q) = %+v, %v; want the user of line %d", u.Name, id, err, u.Pos.Line)
			}
		}
	})
}

// FuzzParseACL checks the POSIX ACL xattr decoder: no panic, and a
// decoded ACL re-encodes to the input.
func FuzzParseACL(f *testing.F) {
	f.Add(encodeACL([]ACLEntry{{ACLUserObj, 6, 0}, {ACLUser, 6, 65534}, {ACLGroupObj, 6, 0}, {ACLMask, 6, 0}, {ACLOther, 0, 0}}))
	f.Add([]byte{2, 0, 0, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		acl, err := parseACL(in)
		if err != nil {
			return
		}
		out := []byte{2, 0, 0, 0}
		for _, e := range acl {
			out = append(out, byte(e.Tag), byte(e.Tag>>8), byte(e.Perm), byte(e.Perm>>8), byte(e.ID), byte(e.ID>>8), byte(e.ID>>16), byte(e.ID>>24))
		}
		if !bytes.Equal(in, out) {
			t.Fatalf("round trip: % x -> % x", in, out)
		}
	})
}
