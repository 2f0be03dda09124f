package probe

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// rec builds one FastCGI record for request id 1 (or id) with the given
// padding, as a server would send it.
func rec(typ uint8, id uint16, content string, pad int) []byte {
	b := []byte{1, typ, byte(id >> 8), byte(id), byte(len(content) >> 8), byte(len(content)), byte(pad), 0}
	b = append(b, content...)
	return append(b, make([]byte, pad)...)
}

func endRequest(app uint32, proto ProtocolStatus) []byte {
	return rec(typeEndRequest, 1, string([]byte{byte(app >> 24), byte(app >> 16), byte(app >> 8), byte(app), byte(proto), 0, 0, 0}), 0)
}

func cat(bs ...[]byte) []byte { return bytes.Join(bs, nil) }

func TestReadResponseCaptured(t *testing.T) {
	// Raw answers of real php-fpm 8.2 (testdata/fpm82, see SOURCES.md).
	tests := []struct {
		file   string
		status int
		body   string // prefix
		stderr string
		ctype  string
	}{
		{"ping.bin", 200, "pong", "", "text/plain;charset=UTF-8"},
		{"status.bin", 200, `{"pool":"www","process manager":"static"`, "", "application/json"},
		{"status-short.bin", 200, `{"pool":"www"`, "", "application/json"},
		{"status-saturated.bin", 200, `{"pool":"www"`, "", "application/json"},
		{"notfound.bin", 404, "File not found.\n", "Primary script unknown", "text/html; charset=UTF-8"},
		{"slow.bin", 200, "done", "", "text/html; charset=UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			resp, err := readResponse(bytes.NewReader(capture(t, tt.file)), 1<<20)
			if err != nil {
				t.Fatal(err)
			}
			if resp.Status != tt.status || !hasPrefix(resp.Body, tt.body) || string(resp.Stderr) != tt.stderr ||
				resp.Header.Get("Content-Type") != tt.ctype {
				t.Errorf("status %d body %.40q stderr %q content-type %q; want %d %.40q %q %q",
					resp.Status, resp.Body, resp.Stderr, resp.Header.Get("Content-Type"), tt.status, tt.body, tt.stderr, tt.ctype)
			}
			if resp.AppStatus != 0 || resp.ProtocolStatus != RequestComplete {
				t.Errorf("end request %d %v", resp.AppStatus, resp.ProtocolStatus)
			}
		})
	}
}

func TestReadResponseFaults(t *testing.T) {
	ok := rec(typeStdout, 1, "Status: 503 Service Unavailable\r\nX: y\r\n\r\nbusy", 4)
	tests := []struct {
		name  string
		in    []byte
		max   int
		want  []error
		first string // ProtocolError.First prefix
		check func(*testing.T, *FastCGIResponse)
	}{
		{name: "http answer", in: []byte("HTTP/1.1 400 Bad Request\r\n\r\n"), want: []error{ErrNotFastCGI}, first: "HTTP/1.1 400 Bad Request"},
		{name: "short garbage", in: []byte("<ht"), want: []error{ErrNotFastCGI}, first: "<ht"},
		{name: "tls alert", in: []byte{0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46}, want: []error{ErrNotFastCGI}},
		{name: "empty", in: nil, want: []error{ErrNoEndRequest, io.ErrUnexpectedEOF}},
		{name: "cut in header", in: cat(ok, []byte{1, 6, 0}), want: []error{ErrNoEndRequest}},
		{name: "cut in content", in: cat(ok, rec(typeStdout, 1, "abcdef", 0)[:11]), want: []error{ErrNoEndRequest}},
		{name: "no end request", in: ok, want: []error{ErrNoEndRequest}, check: func(t *testing.T, r *FastCGIResponse) {
			if r.Status != 503 || string(r.Body) != "busy" {
				t.Errorf("partial response %d %q", r.Status, r.Body)
			}
		}},
		{name: "garbage after records", in: cat(ok, []byte("HTTP/1.1")), want: []error{ErrInvalidRecord}},
		{name: "request type from server", in: cat(rec(typeBeginRequest, 1, "12345678", 0)), want: []error{ErrInvalidRecord}},
		{name: "other request id", in: cat(rec(typeStdout, 2, "x", 0)), want: []error{ErrInvalidRecord}},
		{name: "type 0", in: cat(rec(0, 1, "", 0)), want: []error{ErrInvalidRecord}},
		{name: "short end request", in: cat(ok, rec(typeEndRequest, 1, "1234", 0)), want: []error{ErrInvalidRecord}},
		{name: "too large", in: cat(rec(typeStdout, 1, string(make([]byte, 100)), 4), endRequest(0, 0)), max: 64, want: []error{ErrResponseTooLarge}},
		{name: "stderr counts", in: cat(rec(typeStderr, 1, string(make([]byte, 40)), 0), rec(typeStdout, 1, string(make([]byte, 40)), 0)), max: 64, want: []error{ErrResponseTooLarge}},
		{name: "endless empty records", in: bytes.Repeat(rec(typeStdout, 1, "", 0), 100000), max: 64, want: []error{ErrResponseTooLarge}},
		{name: "no header end", in: cat(rec(typeStdout, 1, "Content-Type: text/plain\r\nhello", 0), endRequest(0, 0)), want: []error{ErrInvalidHeader}},
		{name: "empty stdout", in: endRequest(0, 0), want: []error{ErrInvalidHeader}},
		{name: "bad status", in: cat(rec(typeStdout, 1, "Status: abc\r\n\r\n", 0), endRequest(0, 0)), want: []error{ErrInvalidHeader}},
		{
			name: "split records, LF headers, management record, overloaded",
			in: cat(rec(typeUnknownType, 0, "12345678", 0), rec(typeStdout, 1, "Status: 502 Bad", 1), rec(typeStderr, 1, "err1 ", 3),
				rec(typeStdout, 1, " Gateway\nContent-Type: text/plain\n\nbo", 0), rec(typeStderr, 1, "err2", 0),
				rec(typeStdout, 1, "dy", 0), rec(typeStdout, 1, "", 0), endRequest(255, Overloaded), []byte("trailing bytes are not read")),
			check: func(t *testing.T, r *FastCGIResponse) {
				want := &FastCGIResponse{Status: 502, Header: http.Header{"Status": {"502 Bad Gateway"}, "Content-Type": {"text/plain"}},
					Body: []byte("body"), Stderr: []byte("err1 err2"), AppStatus: 255, ProtocolStatus: Overloaded}
				if d := cmp.Diff(want, r); d != "" {
					t.Errorf("(-want +got)\n%s", d)
				}
			},
		},
		{
			name: "status header, kept with body",
			in:   cat(ok, endRequest(0, 0)),
			check: func(t *testing.T, r *FastCGIResponse) {
				if r.Status != 503 || string(r.Body) != "busy" || r.Header.Get("X") != "y" {
					t.Errorf("got %d %q %v", r.Status, r.Body, r.Header)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			max := tt.max
			if max == 0 {
				max = 1 << 20
			}
			resp, err := readResponse(bytes.NewReader(tt.in), max)
			if resp == nil {
				t.Fatal("nil response")
			}
			diffErr(t, err, tt.want...)
			if tt.want == nil && err != nil {
				t.Errorf("err = %v", err)
			}
			var pe *ProtocolError
			if tt.first != "" && (!errors.As(err, &pe) || !hasPrefix(pe.First, tt.first)) {
				t.Errorf("err = %#v, want ProtocolError with First %q", err, tt.first)
			}
			if tt.check != nil {
				tt.check(t, resp)
			}
		})
	}
}

func TestEncodeRequest(t *testing.T) {
	// The request must decode as BEGIN_REQUEST, PARAMS..., empty PARAMS,
	// empty STDIN, each record 8-byte aligned, with long values using the
	// four-byte length form.
	long := string(bytes.Repeat([]byte("x"), 200))
	b := encodeRequest([]param{{"SCRIPT_NAME", "/ping"}, {"LONG", long}})
	var types []uint8
	var params []byte
	for len(b) > 0 {
		if len(b) < 8 || b[0] != 1 || b[3] != 1 {
			t.Fatalf("bad record header % x", b[:min(8, len(b))])
		}
		clen, plen := int(b[4])<<8|int(b[5]), int(b[6])
		if (clen+plen)%8 != 0 {
			t.Errorf("record type %d not aligned: %d+%d", b[1], clen, plen)
		}
		types = append(types, b[1])
		if b[1] == typeParams {
			params = append(params, b[8:8+clen]...)
		}
		if b[1] == typeBeginRequest && !bytes.Equal(b[8:8+clen], []byte{0, 1, 0, 0, 0, 0, 0, 0}) {
			t.Errorf("begin request body % x", b[8:8+clen])
		}
		b = b[8+clen+plen:]
	}
	if d := cmp.Diff([]uint8{typeBeginRequest, typeParams, typeParams, typeStdin}, types); d != "" {
		t.Errorf("record types (-want +got)\n%s", d)
	}
	want := append([]byte("\x0b\x05SCRIPT_NAME/ping\x04\x80\x00\x00\xc8LONG"), long...)
	if !bytes.Equal(params, want) {
		t.Errorf("params %q, want %q", params, want)
	}
}

func TestPingStatusFake(t *testing.T) {
	body := statusBody(t)
	for _, network := range []string{"unix", "tcp"} {
		t.Run(network, func(t *testing.T) {
			tg := fakeFPM(t, network, body)
			var p Prober
			resp, err := p.Ping(context.Background(), tg)
			if err != nil {
				t.Fatalf("ping: %v", err)
			}
			if string(resp.Body) != "pong" || resp.Status != 200 {
				t.Errorf("ping = %d %q", resp.Status, resp.Body)
			}
			st, _, err := p.Status(context.Background(), tg)
			if err != nil {
				t.Fatalf("status: %v", err)
			}
			if st.Pool != "www" || st.ProcessManager != "static" || len(st.Processes) != 1 || st.Processes[0].RequestURI != "/status?json&full" {
				t.Errorf("status = %+v", st)
			}

			tg.PingResponse = "ok"
			_, err = p.Ping(context.Background(), tg)
			diffErr(t, err, ErrPingResponse)

			tg.PingPath = "/nope"
			resp, err = p.Ping(context.Background(), tg)
			diffErr(t, err, ErrHTTPStatus)
			if resp == nil || resp.Status != 404 {
				t.Errorf("resp = %+v", resp)
			}
		})
	}
}

func TestStatusNotJSON(t *testing.T) {
	tg := fakeFPM(t, "unix", []byte("<html>not json</html>"))
	var p Prober
	st, resp, err := p.Status(context.Background(), tg)
	diffErr(t, err, ErrStatusFormat)
	if st != nil || resp == nil || !hasPrefix(resp.Body, "<html>") {
		t.Errorf("st = %v, resp = %+v", st, resp)
	}
}

func TestFastCGIGarbageServer(t *testing.T) {
	for _, network := range []string{"unix", "tcp"} {
		t.Run(network, func(t *testing.T) {
			addr := serve(t, network, garbage)
			var p Prober
			_, err := p.Ping(context.Background(), Target{Network: network, Address: addr, PingPath: "/ping"})
			diffErr(t, err, ErrNotFastCGI)
			var pe *ProtocolError
			if !errors.As(err, &pe) || !hasPrefix(pe.First, "HTTP/1.1 400 Bad Request\r\n") || pe.Offset != 0 {
				t.Errorf("err = %#v", err)
			}
		})
	}
}

func TestFastCGISilentServer(t *testing.T) {
	for _, network := range []string{"unix", "tcp"} {
		t.Run(network+"/deadline", func(t *testing.T) {
			addr := serve(t, network, silent)
			var p Prober
			ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
			defer cancel()
			_, err := p.Ping(ctx, Target{Network: network, Address: addr, PingPath: "/ping"})
			diffErr(t, err, context.DeadlineExceeded, syscall.ETIMEDOUT)
			if Errno(err) != syscall.ETIMEDOUT {
				t.Errorf("Errno(%v) = %v", err, Errno(err))
			}
		})
		t.Run(network+"/prober timeout", func(t *testing.T) {
			addr := serve(t, network, silent)
			p := Prober{Timeout: 150 * time.Millisecond}
			_, _, err := p.Status(context.Background(), Target{Network: network, Address: addr, StatusPath: "/status"})
			diffErr(t, err, syscall.ETIMEDOUT)
		})
		t.Run(network+"/cancel", func(t *testing.T) {
			addr := serve(t, network, silent)
			var p Prober
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			_, err := p.Ping(ctx, Target{Network: network, Address: addr, PingPath: "/ping"})
			diffErr(t, err, context.Canceled)
			if errors.Is(err, syscall.ETIMEDOUT) {
				t.Errorf("cancel reported as timeout: %v", err)
			}
		})
	}
}

func TestFastCGIDialErrors(t *testing.T) {
	dir := t.TempDir()
	// A socket file with nobody listening: php-fpm killed without cleanup.
	stale := filepath.Join(dir, "stale.sock")
	l, err := net.ListenUnix("unix", &net.UnixAddr{Name: stale, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	l.SetUnlinkOnClose(false)
	l.Close()
	// A TCP port with nobody listening.
	tl := listen(t, "tcp")
	closed := tl.Addr().String()
	tl.Close()
	notSock := filepath.Join(dir, "file")
	os.WriteFile(notSock, nil, 0o644)

	tests := []struct {
		network, addr string
		want          syscall.Errno
	}{
		{"unix", filepath.Join(dir, "missing.sock"), syscall.ENOENT},
		{"unix", stale, syscall.ECONNREFUSED},
		{"unix", notSock, syscall.ECONNREFUSED},
		{"tcp", closed, syscall.ECONNREFUSED},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.addr), func(t *testing.T) {
			var p Prober
			_, err := p.Ping(context.Background(), Target{Network: tt.network, Address: tt.addr, PingPath: "/ping"})
			diffErr(t, err, tt.want)
			var oe *net.OpError
			if !errors.As(err, &oe) || oe.Op != "dial" {
				t.Errorf("err = %#v, want a dial *net.OpError", err)
			}
			if Errno(err) != tt.want {
				t.Errorf("Errno = %v", Errno(err))
			}
		})
	}
}
