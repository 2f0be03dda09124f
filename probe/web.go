package probe

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"reflect"
	"strconv"
	"time"
)

// HTTPResult is the answer of an HTTP upstream to the probe's HEAD request.
type HTTPResult struct {
	Proto   string      // "HTTP/1.1"
	Status  int         // status code
	Header  http.Header // response header
	First   []byte      // the first bytes of the answer (at most 64)
	TLS     *TLSResult  // the handshake, for KindHTTPS targets
	Dial    time.Duration
	Elapsed time.Duration // from the start of the connect to the end of the response header
}

// Certificate is what the probe reports of one certificate of a chain.
type Certificate struct {
	Subject     string // RFC 2253 form
	Issuer      string
	DNSNames    []string
	IPAddresses []string
	NotBefore   time.Time
	NotAfter    time.Time
}

// TLSResult is the outcome of a TLS handshake with an upstream.
type TLSResult struct {
	Version     uint16 // tls.VersionTLS12, …
	VersionName string // "TLS 1.3"
	CipherSuite string
	ALPN        string // the negotiated protocol; "" when none
	SNI         string // the server name sent; "" when none
	VerifyName  string // the name the certificate was checked against
	// Certificates is the chain the server sent, leaf first.
	Certificates []Certificate
	// Verify is the chain verification against Target.TrustedCertificate
	// or the system roots: nil when it verifies, else the crypto/x509
	// error (x509.UnknownAuthorityError for a self-signed or unknown CA,
	// x509.CertificateInvalidError for an expired certificate, …); nginx
	// logs these as "upstream SSL certificate verify error".
	Verify error
	// NameMatch is nil when the leaf certificate is valid for VerifyName,
	// else the *x509.HostnameError.
	NameMatch error
	Dial      time.Duration
	Handshake time.Duration
}

func (t *Target) verifyName() string {
	switch {
	case t.VerifyName != "":
		return t.VerifyName
	case t.SNI != "":
		return t.SNI
	case t.Host != "":
		if h, _, err := net.SplitHostPort(t.Host); err == nil {
			return h
		}
		return t.Host
	}
	return t.host()
}

func (t *Target) hostHeader() string {
	if t.Host != "" {
		return t.Host
	}
	if t.Network == "unix" {
		return "localhost"
	}
	return t.Address
}

// handshake runs a TLS client handshake on c and fills a TLSResult. The
// certificate is not verified during the handshake (so that a bad chain
// is reported, not just refused); Verify and NameMatch say what a
// verifying client would conclude.
func (p *Prober) handshake(ctx context.Context, c net.Conn, t *Target) (*tls.Conn, *TLSResult, error) {
	res := &TLSResult{SNI: t.SNI, VerifyName: t.verifyName()}
	cfg := &tls.Config{
		ServerName:         t.SNI,
		InsecureSkipVerify: true, // verified below, to report the reason
		NextProtos:         t.ALPN,
		MinVersion:         tls.VersionTLS10,
	}
	// Record the first bytes the server sends, for a plaintext answer.
	fb := &firstBytes{r: c}
	tc := tls.Client(&recordingConn{Conn: c, r: fb}, cfg)
	start := time.Now()
	err := tc.HandshakeContext(ctx)
	res.Handshake = time.Since(start)
	if err != nil {
		var rh tls.RecordHeaderError
		if errors.As(err, &rh) {
			return nil, res, &ProtocolError{Err: ErrPlaintext, First: bytes.Clone(fb.first)}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, res, fmt.Errorf("probe: TLS handshake: peer closed the connection (%w)", io.ErrUnexpectedEOF)
		}
		// crypto/tls reports an alert from the peer as a *net.OpError with
		// Op "remote error" around its (unexported, uint8) alert type.
		var oe *net.OpError
		if errors.As(err, &oe) && oe.Op == "remote error" {
			if v := reflect.ValueOf(oe.Err); v.Kind() == reflect.Uint8 {
				return nil, res, &TLSAlertError{Alert: uint8(v.Uint()), Err: err}
			}
		}
		return nil, res, ctxErr(ctx, "handshake", err)
	}
	cs := tc.ConnectionState()
	res.Version = cs.Version
	res.VersionName = tls.VersionName(cs.Version)
	res.CipherSuite = tls.CipherSuiteName(cs.CipherSuite)
	res.ALPN = cs.NegotiatedProtocol
	for _, c := range cs.PeerCertificates {
		cert := Certificate{Subject: c.Subject.String(), Issuer: c.Issuer.String(), DNSNames: c.DNSNames, NotBefore: c.NotBefore, NotAfter: c.NotAfter}
		for _, ip := range c.IPAddresses {
			cert.IPAddresses = append(cert.IPAddresses, ip.String())
		}
		res.Certificates = append(res.Certificates, cert)
	}
	if len(cs.PeerCertificates) == 0 {
		res.Verify = errors.New("probe: no certificate")
		res.NameMatch = res.Verify
		return tc, res, nil
	}
	opts := x509.VerifyOptions{Intermediates: x509.NewCertPool()}
	if t.TrustedCertificate != "" {
		pem, err := os.ReadFile(t.TrustedCertificate)
		if err != nil {
			return tc, res, err
		}
		opts.Roots = x509.NewCertPool()
		if !opts.Roots.AppendCertsFromPEM(pem) {
			return tc, res, fmt.Errorf("probe: %s: no PEM certificate", t.TrustedCertificate)
		}
	}
	for _, c := range cs.PeerCertificates[1:] {
		opts.Intermediates.AddCert(c)
	}
	_, res.Verify = cs.PeerCertificates[0].Verify(opts)
	res.NameMatch = cs.PeerCertificates[0].VerifyHostname(res.VerifyName)
	return tc, res, nil
}

// TLSAlertError is a TLS alert the peer sent during the handshake. Alert
// is the RFC 8446 section 6 AlertDescription number — the one nginx logs
// as "SSL alert number N" (40 handshake_failure, 70 protocol_version, …).
// errors.Is(err, ErrTLSAlert) is true for it.
type TLSAlertError struct {
	Alert uint8
	Err   error
}

// Error gives the alert number and crypto/tls's description.
func (e *TLSAlertError) Error() string {
	return "TLS alert " + strconv.Itoa(int(e.Alert)) + ": " + e.Err.Error()
}

// Unwrap returns the crypto/tls error and ErrTLSAlert.
func (e *TLSAlertError) Unwrap() []error { return []error{e.Err, ErrTLSAlert} }

// recordingConn reads through r (which reads the Conn).
type recordingConn struct {
	net.Conn
	r io.Reader
}

func (c *recordingConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// TLS dials t and runs a TLS handshake (a ClientHello with t.SNI and
// t.ALPN; nothing else is sent). The error is nil when the handshake
// completed, whether or not the certificate verifies (see
// TLSResult.Verify). It wraps ErrPlaintext in a *ProtocolError when the
// server answered in plaintext (an https:// upstream that is plain HTTP),
// io.ErrUnexpectedEOF when it closed the connection (a FastCGI server
// does), a *TLSAlertError when it refused the handshake with an alert
// (no common version or cipher), or the dial error.
func (p *Prober) TLS(ctx context.Context, t Target) (*TLSResult, error) {
	var res *TLSResult
	dial, err := p.session(ctx, t.Network, t.Address, func(ctx context.Context, c net.Conn) error {
		tc, r, err := p.handshake(ctx, c, &t)
		res = r
		if tc != nil {
			tc.Close()
		}
		return err
	})
	if res != nil {
		res.Dial = dial
	}
	p.logger().LogAttrs(ctx, slog.LevelDebug, "probe tls", slog.String("address", t.Address), errAttr(err))
	return res, err
}

// HTTP sends "HEAD t.URI HTTP/1.1" with Host t.Host and "Connection:
// close" to t (over TLS for KindHTTPS) and reads the response header.
//
// The error wraps ErrTLSAnswer in a *ProtocolError when a plaintext
// request is answered with a TLS record (an http:// upstream that speaks
// TLS and sends an alert), ErrNotHTTP when the answer is not an HTTP
// response (a FastCGI server, for example),
// io.ErrUnexpectedEOF when the peer closed without answering, the TLS
// errors of Prober.TLS for KindHTTPS, or the dial error. A server that
// answers a plaintext request with an HTTP 400 (nginx: "The plain HTTP
// request was sent to HTTPS port"; Go: "Client sent an HTTP request to an
// HTTPS server") gives a result, not an error: use Prober.TLS to tell.
func (p *Prober) HTTP(ctx context.Context, t Target) (*HTTPResult, error) {
	res := &HTTPResult{}
	start := time.Now()
	dial, err := p.session(ctx, t.Network, t.Address, func(ctx context.Context, c net.Conn) error {
		var rw io.ReadWriter = c
		if t.Kind == KindHTTPS {
			tc, tr, err := p.handshake(ctx, c, &t)
			res.TLS = tr
			if err != nil {
				return err
			}
			rw = tc
		}
		uri := t.URI
		if uri == "" {
			uri = "/"
		}
		req := "HEAD " + uri + " HTTP/1.1\r\nHost: " + t.hostHeader() + "\r\nUser-Agent: badgateway-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n"
		if _, err := io.WriteString(rw, req); err != nil {
			return ctxErr(ctx, "write", err)
		}
		fb := &firstBytes{r: &limitedReader{r: rw, n: int64(p.maxBytes())}}
		br := bufio.NewReader(fb)
		head, err := br.Peek(5)
		if err != nil && len(head) == 0 {
			if errors.Is(err, io.EOF) {
				return fmt.Errorf("probe: HTTP HEAD: peer closed the connection without an answer (%w)", io.ErrUnexpectedEOF)
			}
			return ctxErr(ctx, "read", err)
		}
		res.First = bytes.Clone(fb.first)
		if len(head) >= 3 && (head[0] == 0x15 || head[0] == 0x16) && head[1] == 3 {
			return &ProtocolError{Err: ErrTLSAnswer, First: res.First}
		}
		resp, err := http.ReadResponse(br, &http.Request{Method: http.MethodHead})
		res.First = bytes.Clone(fb.first)
		if err != nil {
			if errors.Is(err, ErrResponseTooLarge) {
				return ErrResponseTooLarge
			}
			var ne net.Error
			if errors.As(err, &ne) || ctx.Err() != nil {
				return ctxErr(ctx, "read", err)
			}
			return &ProtocolError{Err: fmt.Errorf("%w: %v", ErrNotHTTP, err), First: res.First}
		}
		resp.Body.Close()
		res.Proto, res.Status, res.Header = resp.Proto, resp.StatusCode, resp.Header
		return nil
	})
	res.Dial = dial
	res.Elapsed = time.Since(start)
	p.logger().LogAttrs(ctx, slog.LevelDebug, "probe http", slog.String("address", t.Address), errAttr(err))
	return res, err
}
