package probe

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// DialResult is a successful connect.
type DialResult struct {
	Network string
	Address string
	Local   string        // local address of the connection ("" or "@" for unix)
	Remote  string        // the peer address
	Elapsed time.Duration // time to connect
}

// Dial connects to network/address and closes the connection at once;
// nothing is sent. The error is the dial's *net.OpError (errors.Is
// ENOENT, ECONNREFUSED, EACCES, EAGAIN — a unix socket whose listen queue
// is full — ENETUNREACH, EHOSTUNREACH) or a *TimeoutError (ETIMEDOUT).
func (p *Prober) Dial(ctx context.Context, network, address string) (*DialResult, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	c, dur, err := p.dial(ctx, network, address)
	p.logger().LogAttrs(ctx, slog.LevelDebug, "probe dial", slog.String("network", network), slog.String("address", address), errAttr(err))
	if err != nil {
		return nil, err
	}
	defer c.Close()
	return &DialResult{Network: network, Address: address, Local: c.LocalAddr().String(), Remote: c.RemoteAddr().String(), Elapsed: dur}, nil
}

// Protocol is what a peer was seen to speak.
type Protocol uint8

// Protocols. ProtoUnknown means nothing was learnt: the peer was not
// asked, did not answer, or closed the connection.
const (
	ProtoUnknown Protocol = iota
	ProtoFastCGI          // answered with FastCGI records
	ProtoHTTP             // answered in plaintext HTTP
	ProtoTLS              // completed a TLS handshake, or answered plaintext with a TLS record
	ProtoOther            // answered with bytes that are none of these
)

var protoNames = [...]string{"unknown", "fastcgi", "http", "tls", "other"}

// String returns "unknown", "fastcgi", "http", "tls" or "other".
func (p Protocol) String() string {
	if int(p) < len(protoNames) {
		return protoNames[p]
	}
	return "protocol(" + strconv.Itoa(int(p)) + ")"
}

// sniff names the protocol of a peer's first bytes.
func sniff(first []byte) Protocol {
	switch {
	case len(first) == 0:
		return ProtoUnknown
	case bytes.HasPrefix(first, []byte("HTTP/")):
		return ProtoHTTP
	case len(first) >= 2 && (first[0] == 0x15 || first[0] == 0x16) && first[1] == 3:
		return ProtoTLS
	case first[0] == fcgiVersion1:
		return ProtoFastCGI
	}
	return ProtoOther
}

// Result is every probe run for one Target. Each probe has a value and an
// error field; a value is nil when the probe did not run or failed before
// getting one (some failures keep a partial value, see each method).
type Result struct {
	Target Target

	// Dial: every target.
	Dial    *DialResult
	DialErr error

	// Socket and Access: unix targets; Access only when Target.User is
	// set. AccessErr wraps ErrUnknownUser when the user or group is not in
	// Root/etc/passwd or Root/etc/group.
	Socket    *SocketInfo
	SocketErr error
	Access    *Access
	AccessErr error

	// Ping and Status: KindFastCGI targets with PingPath / StatusPath,
	// after a successful dial.
	Ping           *FastCGIResponse
	PingErr        error
	Status         *Status
	StatusResponse *FastCGIResponse
	StatusErr      error

	// HTTP: KindHTTP and KindHTTPS targets (over TLS for KindHTTPS).
	HTTP    *HTTPResult
	HTTPErr error
	// TLS: KindHTTPS targets (the handshake before the HEAD), and KindHTTP
	// targets too, on a second connection, to find a TLS server behind an
	// http:// upstream. For KindHTTP, TLSErr == nil means TLS is spoken.
	TLS    *TLSResult
	TLSErr error

	// Speaks is what the peer was seen to speak, from all of the above.
	Speaks Protocol

	Elapsed time.Duration
}

// Probe runs the probes that fit t.Kind, in order, and never fails as a
// whole: each probe's outcome is in its fields. What is sent: nothing to
// KindStream or KindUnknown targets; FastCGI GETs of PingPath and of
// StatusPath?json&full to KindFastCGI targets; a TLS ClientHello and an
// HTTP HEAD to KindHTTP and KindHTTPS targets.
func (p *Prober) Probe(ctx context.Context, t Target) *Result {
	start := time.Now()
	r := &Result{Target: t}
	defer func() { r.Elapsed = time.Since(start) }()
	if t.Network == "unix" {
		r.Socket, r.SocketErr = p.StatSocket(ctx, t.Address)
		if t.User != "" {
			a, aerr := p.Accounts(ctx) // problems in the files matter only if the user is not found
			id, err := a.Identity(t.User, t.Group)
			if err != nil {
				r.AccessErr = errors.Join(err, aerr)
			} else {
				r.Access, r.AccessErr = p.Access(ctx, t.Address, id)
			}
		}
	}
	r.Dial, r.DialErr = p.Dial(ctx, t.Network, t.Address)
	if r.DialErr != nil {
		return r
	}
	switch t.Kind {
	case KindFastCGI:
		if t.PingPath != "" {
			r.Ping, r.PingErr = p.Ping(ctx, t)
			r.note(fastCGIAnswered(r.Ping, r.PingErr), r.PingErr)
		}
		if t.StatusPath != "" {
			r.Status, r.StatusResponse, r.StatusErr = p.Status(ctx, t)
			r.note(fastCGIAnswered(r.StatusResponse, r.StatusErr), r.StatusErr)
		}
	case KindHTTP:
		r.HTTP, r.HTTPErr = p.HTTP(ctx, t)
		r.note(false, r.HTTPErr)
		if r.HTTPErr == nil {
			r.Speaks = ProtoHTTP
		}
		r.TLS, r.TLSErr = p.TLS(ctx, t)
		if r.TLSErr == nil {
			r.Speaks = ProtoTLS
		}
	case KindHTTPS:
		r.HTTP, r.HTTPErr = p.HTTP(ctx, t)
		r.TLS = r.HTTP.TLS
		if r.TLS != nil && r.TLS.Version != 0 {
			r.Speaks = ProtoTLS
		} else {
			r.TLSErr = r.HTTPErr
			r.note(false, r.HTTPErr)
		}
	}
	return r
}

// fastCGIAnswered reports whether a FastCGI exchange got a complete
// FastCGI answer, whatever it said.
func fastCGIAnswered(resp *FastCGIResponse, err error) bool {
	return resp != nil && (err == nil || errors.Is(err, ErrHTTPStatus) || errors.Is(err, ErrPingResponse) ||
		errors.Is(err, ErrStatusFormat) || errors.Is(err, ErrInvalidHeader))
}

// note updates Speaks from one probe's outcome: ok says a well-formed
// answer of the probe's own protocol (FastCGI) came back; err may carry
// the peer's first bytes.
func (r *Result) note(ok bool, err error) {
	if ok {
		r.Speaks = ProtoFastCGI
		return
	}
	var pe *ProtocolError
	if errors.As(err, &pe) {
		switch {
		case errors.Is(pe.Err, ErrTLSAnswer):
			r.Speaks = ProtoTLS
		case errors.Is(pe.Err, ErrInvalidRecord):
			r.Speaks = ProtoFastCGI // FastCGI, if a broken one
		default:
			if s := sniff(pe.First); s != ProtoUnknown {
				r.Speaks = s
			}
		}
	}
}

// ProbeAll runs Probe for every target, at most 4 at a time, and returns
// the results in the order of targets. ctx bounds the whole run.
func (p *Prober) ProbeAll(ctx context.Context, targets []Target) []*Result {
	out := make([]*Result, len(targets))
	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			out[i] = p.Probe(ctx, t)
		}()
	}
	wg.Wait()
	return out
}
