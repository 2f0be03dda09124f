package probe

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/textproto"
	"strconv"
	"time"
)

// FastCGI record types and constants, from the FastCGI 1.0 specification
// (fastcgi-archives.github.io/FastCGI_Specification.html, sections 3 and
// 8) and php-src sapi/fpm/fpm/fastcgi.h.
const (
	fcgiVersion1 = 1

	typeBeginRequest    = 1
	typeAbortRequest    = 2
	typeEndRequest      = 3
	typeParams          = 4
	typeStdin           = 5
	typeStdout          = 6
	typeStderr          = 7
	typeData            = 8
	typeGetValues       = 9
	typeGetValuesResult = 10
	typeUnknownType     = 11

	roleResponder  = 1
	fcgiHeaderLen  = 8
	fcgiMaxContent = 65535
	fcgiRequestID  = 1 // the only request on the connection, as nginx sends it
	firstBytesLen  = 64
)

// ProtocolStatus is the protocolStatus byte of FCGI_END_REQUEST
// (FastCGI specification section 5.5).
type ProtocolStatus uint8

// The protocol statuses of the FastCGI specification.
const (
	RequestComplete ProtocolStatus = 0 // FCGI_REQUEST_COMPLETE: normal end
	CantMPXConn     ProtocolStatus = 1 // FCGI_CANT_MPX_CONN: a second request on a connection that takes one
	Overloaded      ProtocolStatus = 2 // FCGI_OVERLOADED: the application ran out of a resource
	UnknownRole     ProtocolStatus = 3 // FCGI_UNKNOWN_ROLE: the role is not supported
)

// String returns the specification's name, e.g. "FCGI_REQUEST_COMPLETE".
func (s ProtocolStatus) String() string {
	switch s {
	case RequestComplete:
		return "FCGI_REQUEST_COMPLETE"
	case CantMPXConn:
		return "FCGI_CANT_MPX_CONN"
	case Overloaded:
		return "FCGI_OVERLOADED"
	case UnknownRole:
		return "FCGI_UNKNOWN_ROLE"
	}
	return "FCGI_PROTOCOL_STATUS(" + strconv.Itoa(int(s)) + ")"
}

// FastCGIResponse is what a FastCGI application answered to one request.
//
// Stdout is split as a CGI response (RFC 3875 section 6): Header holds the
// header block, Status the code of its "Status:" header (200 when the
// header is absent, as php-fpm omits it for 200), Body the rest. Stderr
// is kept apart, byte for byte ("Primary script unknown", PHP messages).
// AppStatus and ProtocolStatus come from FCGI_END_REQUEST.
type FastCGIResponse struct {
	Status         int
	Header         http.Header
	Body           []byte
	Stderr         []byte
	AppStatus      uint32
	ProtocolStatus ProtocolStatus
	Dial           time.Duration // time to connect
	Elapsed        time.Duration // time from the start of the connect to FCGI_END_REQUEST
}

// param is one FastCGI name-value pair.
type param struct{ name, value string }

// fpmParams returns the CGI parameters of a GET of path?query, the set
// nginx's stock fastcgi.conf sends that php-fpm looks at to route the
// request to ping.path or pm.status_path (php-src sapi/fpm/fpm/fpm_main.c
// init_request_info: SCRIPT_FILENAME, SCRIPT_NAME, REQUEST_METHOD,
// QUERY_STRING; fpm_status.c compares the request URI with the path).
func fpmParams(path, query string) []param {
	uri := path
	if query != "" {
		uri += "?" + query
	}
	return []param{
		{"GATEWAY_INTERFACE", "CGI/1.1"},
		{"SERVER_SOFTWARE", "badgateway-probe"},
		{"SERVER_PROTOCOL", "HTTP/1.1"},
		{"REQUEST_METHOD", "GET"},
		{"SCRIPT_FILENAME", path},
		{"SCRIPT_NAME", path},
		{"DOCUMENT_URI", path},
		{"REQUEST_URI", uri},
		{"QUERY_STRING", query},
		{"CONTENT_TYPE", ""},
		{"CONTENT_LENGTH", ""},
	}
}

// appendRecord appends one record of type typ carrying content (at most
// fcgiMaxContent bytes), padded to a multiple of 8 bytes as the
// specification recommends.
func appendRecord(b []byte, typ uint8, content []byte) []byte {
	pad := (8 - len(content)%8) % 8
	b = append(b, fcgiVersion1, typ, 0, fcgiRequestID, 0, 0, byte(pad), 0)
	binary.BigEndian.PutUint16(b[len(b)-4:], uint16(len(content)))
	b = append(b, content...)
	return append(b, make([]byte, pad)...)
}

// appendLength appends a name-value pair length: one byte below 128, four
// bytes with the top bit set otherwise (specification section 3.4).
func appendLength(b []byte, n int) []byte {
	if n < 128 {
		return append(b, byte(n))
	}
	return binary.BigEndian.AppendUint32(b, uint32(n)|1<<31)
}

// encodeRequest returns the bytes of one complete responder request:
// FCGI_BEGIN_REQUEST (flags 0: the server closes the connection), the
// params stream and an empty stdin stream.
func encodeRequest(params []param) []byte {
	b := appendRecord(nil, typeBeginRequest, []byte{0, roleResponder, 0, 0, 0, 0, 0, 0})
	var kv []byte
	for _, p := range params {
		kv = appendLength(kv, len(p.name))
		kv = appendLength(kv, len(p.value))
		kv = append(kv, p.name...)
		kv = append(kv, p.value...)
	}
	for len(kv) > 0 {
		n := min(len(kv), fcgiMaxContent)
		b = appendRecord(b, typeParams, kv[:n])
		kv = kv[n:]
	}
	b = appendRecord(b, typeParams, nil)
	return appendRecord(b, typeStdin, nil)
}

// firstBytes records the first firstBytesLen bytes read through it.
type firstBytes struct {
	r     io.Reader
	first []byte
}

func (f *firstBytes) Read(b []byte) (int, error) {
	n, err := f.r.Read(b)
	if k := firstBytesLen - len(f.first); k > 0 && n > 0 {
		f.first = append(f.first, b[:min(k, n)]...)
	}
	return n, err
}

// readResponse reads FastCGI records from r up to and including
// FCGI_END_REQUEST for request id 1 and assembles the response. It keeps
// at most max bytes of stdout and stderr together and reads at most 2*max
// plus 64 KiB bytes from r (record headers, padding, ignored records), so
// memory is bounded whatever r sends. Errors: ErrNotFastCGI or
// ErrInvalidRecord in a *ProtocolError, ErrNoEndRequest (wrapping
// io.ErrUnexpectedEOF), ErrResponseTooLarge, or r's own error. The
// response assembled so far (stderr, and stdout split as far as it goes)
// is returned with every error.
func readResponse(r io.Reader, max int) (resp *FastCGIResponse, err error) {
	fb := &firstBytes{r: &limitedReader{r: r, n: 2*int64(max) + 1<<16}}
	br := bufio.NewReaderSize(fb, 4096)
	resp = &FastCGIResponse{}
	var stdout []byte
	defer func() {
		if err != nil && len(stdout) > 0 {
			parseCGI(resp, stdout) // best effort: the reader's error says what went wrong
		}
	}()
	var off int64
	var hdr [fcgiHeaderLen]byte
	protoErr := func(kind error) error {
		return &ProtocolError{Err: kind, Offset: off, First: bytes.Clone(fb.first)}
	}
	for {
		var n int
		n, err = io.ReadFull(br, hdr[:])
		if n > 0 && hdr[0] != fcgiVersion1 {
			if off == 0 {
				return resp, protoErr(ErrNotFastCGI)
			}
			return resp, protoErr(fmt.Errorf("%w: version %d", ErrInvalidRecord, hdr[0]))
		}
		if err != nil {
			return resp, readErr(err)
		}
		typ := hdr[1]
		id := binary.BigEndian.Uint16(hdr[2:])
		clen := int(binary.BigEndian.Uint16(hdr[4:]))
		plen := int(hdr[6])
		switch {
		case typ == typeStdout || typ == typeStderr || typ == typeEndRequest:
			if id != fcgiRequestID {
				return resp, protoErr(fmt.Errorf("%w: type %d for request id %d", ErrInvalidRecord, typ, id))
			}
		case id == 0 && (typ == typeGetValuesResult || typ == typeUnknownType):
			// management records: read and ignore
		default:
			return resp, protoErr(fmt.Errorf("%w: type %d", ErrInvalidRecord, typ))
		}
		if typ == typeStdout || typ == typeStderr {
			if len(stdout)+len(resp.Stderr)+clen > max {
				return resp, ErrResponseTooLarge
			}
		}
		var content []byte
		switch typ {
		case typeStdout:
			stdout, err = readAppend(br, stdout, clen)
		case typeStderr:
			resp.Stderr, err = readAppend(br, resp.Stderr, clen)
		default:
			content, err = readAppend(br, nil, clen)
		}
		if err == nil {
			_, err = br.Discard(plen)
		}
		if err != nil {
			return resp, readErr(err)
		}
		off += int64(fcgiHeaderLen + clen + plen)
		if typ == typeEndRequest {
			if clen < 8 {
				return resp, protoErr(fmt.Errorf("%w: END_REQUEST body of %d bytes", ErrInvalidRecord, clen))
			}
			resp.AppStatus = binary.BigEndian.Uint32(content)
			resp.ProtocolStatus = ProtocolStatus(content[4])
			break
		}
	}
	return resp, parseCGI(resp, stdout)
}

// readAppend reads exactly n bytes from r and appends them to b.
func readAppend(r io.Reader, b []byte, n int) ([]byte, error) {
	l := len(b)
	b = append(b, make([]byte, n)...)
	_, err := io.ReadFull(r, b[l:])
	return b, err
}

func readErr(err error) error {
	if err == io.EOF || err == io.ErrUnexpectedEOF {
		return fmt.Errorf("%w: %w", ErrNoEndRequest, io.ErrUnexpectedEOF)
	}
	return err
}

// parseCGI splits stdout into the CGI header block and the body and sets
// resp.Status, resp.Header and resp.Body. Lines may end in CRLF (php-fpm)
// or LF (net/http/fcgi writes CRLF too).
func parseCGI(resp *FastCGIResponse, stdout []byte) error {
	if len(stdout) == 0 {
		return fmt.Errorf("%w: empty stdout", ErrInvalidHeader)
	}
	end, sep := -1, 0
	if i := bytes.Index(stdout, []byte("\r\n\r\n")); i >= 0 {
		end, sep = i, 4
	}
	if i := bytes.Index(stdout, []byte("\n\n")); i >= 0 && (end < 0 || i < end) {
		end, sep = i, 2
	}
	if end < 0 {
		resp.Body = stdout
		return fmt.Errorf("%w: no end of header in %d bytes", ErrInvalidHeader, len(stdout))
	}
	head := make([]byte, 0, end+4)
	head = append(append(head, stdout[:end]...), "\r\n\r\n"...)
	resp.Body = stdout[end+sep:]
	h, err := textproto.NewReader(bufio.NewReaderSize(bytes.NewReader(head), len(head))).ReadMIMEHeader()
	resp.Header = http.Header(h)
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInvalidHeader, err)
	}
	resp.Status = http.StatusOK
	if s := h.Get("Status"); s != "" {
		code, _, _ := cutSpace(s)
		c, err := strconv.Atoi(code)
		if err != nil || c < 100 || c > 999 {
			return fmt.Errorf("%w: Status %q", ErrInvalidHeader, s)
		}
		resp.Status = c
	}
	return nil
}

func cutSpace(s string) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// fastCGI sends one GET of path?query as a FastCGI responder request to
// network/address and reads the answer, all under the probe deadline.
func (p *Prober) fastCGI(ctx context.Context, network, address, path, query string) (*FastCGIResponse, error) {
	start := time.Now()
	var resp *FastCGIResponse
	dialDur, err := p.session(ctx, network, address, func(ctx context.Context, c net.Conn) error {
		if _, err := c.Write(encodeRequest(fpmParams(path, query))); err != nil {
			return ctxErr(ctx, "write", err)
		}
		var err error
		resp, err = readResponse(c, p.maxBytes())
		if err != nil && !errors.Is(err, ErrInvalidHeader) {
			err = ctxErr(ctx, "read", err)
		}
		return err
	})
	if resp != nil {
		resp.Dial = dialDur
		resp.Elapsed = time.Since(start)
	}
	p.logger().LogAttrs(ctx, slog.LevelDebug, "probe fastcgi", slog.String("network", network),
		slog.String("address", address), slog.String("path", path), errAttr(err))
	return resp, err
}
