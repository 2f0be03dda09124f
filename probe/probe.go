package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// Default limits used when the corresponding Prober field is zero.
const (
	DefaultTimeout          = 5 * time.Second // whole exchange of one probe
	DefaultDialTimeout      = 2 * time.Second // connect (and TLS handshake start) of one probe
	DefaultMaxResponseBytes = 1 << 20         // bytes of FastCGI stdout+stderr, HTTP head, kept per probe
)

// Prober runs live probes. The zero value is ready to use with the
// defaults above, the real root file system and no logging.
//
// A Prober never sends anything but the fixed requests documented on each
// method: a FastCGI GET of php-fpm's ping.path or pm.status_path, an HTTP
// HEAD, a TLS ClientHello, a DNS query. Every method takes a context first;
// its deadline (and the Prober's Timeout, whichever is sooner) bounds the
// whole exchange, and cancelling it closes the connection at once.
//
// A Prober is safe for concurrent use by multiple goroutines as long as its
// fields are not changed after the first call.
type Prober struct {
	// Timeout bounds one probe (dial, request and response together).
	// Zero means DefaultTimeout.
	Timeout time.Duration
	// DialTimeout bounds the connect of one probe. Zero means
	// DefaultDialTimeout. It never extends Timeout.
	DialTimeout time.Duration
	// MaxResponseBytes caps how many response bytes one probe keeps
	// (FastCGI stdout and stderr together, an HTTP response head). A
	// response over the cap fails with ErrResponseTooLarge. Zero means
	// DefaultMaxResponseBytes.
	MaxResponseBytes int
	// Root is the directory that host facts are read under: Root+"/proc",
	// Root+"/sys/fs/cgroup", Root+"/etc/passwd", Root+"/etc/group". Empty
	// means "/". Tests point it at a fixture tree. Socket paths given to
	// Stat, Access and Dial are used as given, never under Root.
	Root string
	// Logger receives one debug record per probe. Nil discards.
	Logger *slog.Logger
}

func (p *Prober) timeout() time.Duration {
	if p == nil || p.Timeout <= 0 {
		return DefaultTimeout
	}
	return p.Timeout
}

func (p *Prober) dialTimeout() time.Duration {
	if p == nil || p.DialTimeout <= 0 {
		return DefaultDialTimeout
	}
	return p.DialTimeout
}

func (p *Prober) maxBytes() int {
	if p == nil || p.MaxResponseBytes <= 0 {
		return DefaultMaxResponseBytes
	}
	return p.MaxResponseBytes
}

func (p *Prober) path(elem ...string) string {
	root := "/"
	if p != nil && p.Root != "" {
		root = p.Root
	}
	return filepath.Join(append([]string{root}, elem...)...)
}

func (p *Prober) logger() *slog.Logger {
	if p == nil || p.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return p.Logger
}

// Sentinel errors. Errors returned by this package wrap them (and, for
// network failures, the *net.OpError with its syscall.Errno), so test them
// with errors.Is.
var (
	// ErrNotFastCGI: the peer answered a FastCGI request with bytes that
	// are not FastCGI records (an HTTP server, a TLS server). The
	// *ProtocolError holds the first bytes seen. nginx logs this case as
	// "upstream sent unsupported FastCGI protocol version: N".
	ErrNotFastCGI = errors.New("peer does not speak FastCGI")
	// ErrInvalidRecord: a FastCGI record that php-fpm never sends (a
	// request-side type, a wrong request id, a short END_REQUEST body).
	ErrInvalidRecord = errors.New("invalid FastCGI record")
	// ErrNoEndRequest: the connection ended before FCGI_END_REQUEST. A
	// php-fpm child that dies mid-request shows this (or ECONNRESET).
	ErrNoEndRequest = errors.New("connection closed before FastCGI END_REQUEST")
	// ErrResponseTooLarge: the response exceeded Prober.MaxResponseBytes.
	ErrResponseTooLarge = errors.New("response larger than the probe's limit")
	// ErrInvalidHeader: the CGI header block in FastCGI stdout is
	// malformed or never ends (nginx: "upstream sent invalid header").
	ErrInvalidHeader = errors.New("invalid CGI response header")
	// ErrPingResponse: the ping answer was not ping.response.
	ErrPingResponse = errors.New("ping answer differs from ping.response")
	// ErrStatusFormat: the status page answer is not php-fpm's JSON.
	ErrStatusFormat = errors.New("status page answer is not php-fpm JSON")
	// ErrHTTPStatus: a ping or status request was answered with a status
	// other than 200 (php-fpm answers 404 "File not found." when the path
	// is not its ping.path or pm.status_path).
	ErrHTTPStatus = errors.New("non-200 status")
	// ErrPlaintext: a TLS handshake was answered with plaintext (an
	// https:// upstream that speaks plain HTTP or FastCGI).
	ErrPlaintext = errors.New("TLS handshake answered in plaintext")
	// ErrTLSAnswer: a plaintext request was answered with a TLS record
	// (an http:// upstream that speaks TLS).
	ErrTLSAnswer = errors.New("plaintext request answered with TLS")
	// ErrTLSAlert: the peer refused a TLS handshake with an alert; the
	// *TLSAlertError holds the alert number.
	ErrTLSAlert = errors.New("TLS alert from peer")
	// ErrNotHTTP: an HTTP request was answered with bytes that are not an
	// HTTP response (nginx: "upstream sent no valid HTTP/1.0 header").
	ErrNotHTTP = errors.New("peer does not speak HTTP")
	// ErrUnknownUser: a user or group name is not in /etc/passwd or
	// /etc/group.
	ErrUnknownUser = errors.New("unknown user")
	// ErrNotSocket: the path exists but is not a unix socket.
	ErrNotSocket = errors.New("not a socket")
)

// ProtocolError reports a peer that broke the protocol a probe spoke. Err
// is one of the sentinels (ErrNotFastCGI, ErrInvalidRecord, ErrNotHTTP,
// ErrTLSAnswer, ErrPlaintext); First holds the first bytes the peer sent
// (at most 64), Offset the byte offset in the response where the fault was
// found.
type ProtocolError struct {
	Err    error
	Offset int64
	First  []byte
}

// Error formats the fault, its offset and the first bytes seen.
func (e *ProtocolError) Error() string {
	return fmt.Sprintf("%v at byte %d (peer sent %q)", e.Err, e.Offset, e.First)
}

// Unwrap returns e.Err.
func (e *ProtocolError) Unwrap() error { return e.Err }

// TimeoutError reports a probe step that ran out of time: the context's
// deadline or the Prober's Timeout. errors.Is(err, syscall.ETIMEDOUT) and
// errors.Is(err, context.DeadlineExceeded) are both true for it, so a
// probe timeout matches nginx's "(110: Connection timed out)" the same way
// a kernel ETIMEDOUT does. Op is "dial", "write", "read", "handshake" or
// "resolve"; Err is the underlying error (often a *net.OpError).
type TimeoutError struct {
	Op  string
	Err error
}

// Error says which step timed out and why.
func (e *TimeoutError) Error() string { return "probe " + e.Op + " timed out: " + e.Err.Error() }

// Unwrap returns e.Err.
func (e *TimeoutError) Unwrap() error { return e.Err }

// Timeout reports true, like net.Error.
func (e *TimeoutError) Timeout() bool { return true }

// Is reports whether target is syscall.ETIMEDOUT, context.DeadlineExceeded
// or os.ErrDeadlineExceeded.
func (e *TimeoutError) Is(target error) bool {
	return target == syscall.ETIMEDOUT || target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}

// Errno returns the syscall.Errno inside err (through *net.OpError,
// *os.SyscallError, *fs.PathError), or 0 when there is none. A
// TimeoutError gives ETIMEDOUT. Use it to compare a probe with the errno
// number in an nginx log line ("(111: Connection refused)").
func Errno(err error) syscall.Errno {
	var e syscall.Errno
	if errors.As(err, &e) {
		return e
	}
	var t *TimeoutError
	if errors.As(err, &t) {
		return syscall.ETIMEDOUT
	}
	return 0
}

// ctxErr turns a failure that happened because ctx ended into an error that
// says so: a TimeoutError for a deadline, context.Canceled otherwise.
func ctxErr(ctx context.Context, op string, err error) error {
	if err == nil {
		return nil
	}
	var t *TimeoutError
	if errors.As(err, &t) {
		return err
	}
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return &TimeoutError{Op: op, Err: err}
	case ctx.Err() != nil:
		if errors.Is(err, context.Canceled) {
			return err
		}
		return fmt.Errorf("probe %s: %w: %w", op, context.Canceled, err)
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() && !errors.Is(err, syscall.ETIMEDOUT) {
		return &TimeoutError{Op: op, Err: err}
	}
	return err
}

// session dials network/address under the probe's deadline and runs fn on
// the connection. The connection has a deadline equal to the context's;
// cancelling ctx closes it. The dial duration is returned.
func (p *Prober) session(ctx context.Context, network, address string, fn func(ctx context.Context, c net.Conn) error) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	c, dialDur, err := p.dial(ctx, network, address)
	if err != nil {
		return dialDur, err
	}
	defer c.Close()
	if dl, ok := ctx.Deadline(); ok {
		c.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	err = fn(ctx, c)
	return dialDur, err
}

// dial connects under the DialTimeout and returns the connection and how
// long the connect took.
func (p *Prober) dial(ctx context.Context, network, address string) (net.Conn, time.Duration, error) {
	d := net.Dialer{Timeout: p.dialTimeout()}
	start := time.Now()
	c, err := d.DialContext(ctx, network, address)
	dur := time.Since(start)
	if err != nil {
		return nil, dur, ctxErr(ctx, "dial", err)
	}
	return c, dur, nil
}

// limitedReader reads at most n bytes from r, then fails with
// ErrResponseTooLarge (not io.EOF, so a cut response is never mistaken for
// a complete one).
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(b []byte) (int, error) {
	if l.n <= 0 {
		return 0, ErrResponseTooLarge
	}
	if int64(len(b)) > l.n {
		b = b[:l.n]
	}
	n, err := l.r.Read(b)
	l.n -= int64(n)
	return n, err
}

// errAttr is the log attribute of a probe's outcome.
func errAttr(err error) slog.Attr {
	if err == nil {
		return slog.String("err", "")
	}
	return slog.String("err", err.Error())
}
