package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"
)

// ErrNoSuchHost: the name does not exist (NXDOMAIN); nginx logs it as
// "could not be resolved (3: Host not found)".
var ErrNoSuchHost = errors.New("no such host")

// DNSResult is the answer to a name lookup.
type DNSResult struct {
	Name    string
	Server  string       // the resolver asked, "host:port"; "" = the system's (/etc/resolv.conf)
	Addrs   []netip.Addr // IPv4 and IPv6 addresses, in the resolver's order
	Elapsed time.Duration
}

// Resolve looks up the A and AAAA records of name, asking server (an
// nginx `resolver` address: "10.0.0.2", "10.0.0.2:5353" or "[::1]:53";
// port 53 when none) or, when server is empty, the servers of
// /etc/resolv.conf. It always uses Go's own resolver (never the C
// library's), so that cancelling ctx stops the lookup at once.
// Only DNS queries are sent. A literal IP address resolves to itself.
//
// The Go resolver reads /etc/hosts before asking a server, as the C
// library does, while nginx's own resolver never reads it; names listed
// there resolve here but may not in nginx.
//
// The error is a *net.DNSError, wrapped: errors.Is(err, ErrNoSuchHost)
// for NXDOMAIN, syscall.ETIMEDOUT for a resolver that does not answer in
// time (a *TimeoutError), syscall.ECONNREFUSED when the resolver's port is
// closed.
func (p *Prober) Resolve(ctx context.Context, name, server string) (*DNSResult, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout())
	defer cancel()
	res := &DNSResult{Name: name}
	// The Go resolver keeps only the text of a read or dial error in its
	// *net.DNSError; connErr keeps the error itself, for errors.Is.
	var mu sync.Mutex
	var connErr error
	keep := func(err error) {
		mu.Lock()
		if connErr == nil {
			connErr = err
		}
		mu.Unlock()
	}
	if server != "" {
		if _, _, err := net.SplitHostPort(server); err != nil {
			server = net.JoinHostPort(server, "53")
		}
		res.Server = server
	}
	r := &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			if server != "" {
				address = server
			}
			d := net.Dialer{Timeout: p.dialTimeout()}
			c, err := d.DialContext(ctx, network, address)
			if err != nil {
				keep(err)
				return nil, err
			}
			// The resolver bounds each query with its own timeout
			// (resolv.conf "timeout:", 5 s by default) but does not stop
			// reading when the lookup is cancelled: close the connection
			// then, so no goroutine outlives the probe.
			ec := &errConn{Conn: c, keep: keep, stop: context.AfterFunc(ctx, func() { c.Close() })}
			if pc, ok := c.(net.PacketConn); ok {
				// The Go resolver frames queries by whether the
				// connection is a PacketConn: keep it one.
				return &errPacketConn{errConn: ec, pc: pc}, nil
			}
			return ec, nil
		},
	}
	start := time.Now()
	addrs, err := r.LookupNetIP(ctx, "ip", name)
	res.Elapsed = time.Since(start)
	for _, a := range addrs {
		res.Addrs = append(res.Addrs, a.Unmap())
	}
	if err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && res.Server != "" {
			de.Server = res.Server
		}
		mu.Lock()
		cerr := connErr
		mu.Unlock()
		switch {
		case de != nil && de.IsNotFound:
			err = fmt.Errorf("probe: resolve %s: %w: %w", name, ErrNoSuchHost, err)
		case ctx.Err() == nil && cerr != nil && Errno(cerr) != 0 && !errors.Is(err, Errno(cerr)):
			err = fmt.Errorf("%w (%w)", err, Errno(cerr))
		default:
			err = ctxErr(ctx, "resolve", err)
		}
	}
	p.logger().LogAttrs(ctx, slog.LevelDebug, "probe dns", slog.String("name", name), slog.String("server", server), errAttr(err))
	return res, err
}

// errConn reports its read and write errors to keep.
type errConn struct {
	net.Conn
	keep func(error)
	stop func() bool
}

func (c *errConn) Close() error {
	c.stop()
	return c.Conn.Close()
}

func (c *errConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if err != nil {
		c.keep(err)
	}
	return n, err
}

func (c *errConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if err != nil {
		c.keep(err)
	}
	return n, err
}

// errPacketConn is an errConn over a datagram connection.
type errPacketConn struct {
	*errConn
	pc net.PacketConn
}

func (c *errPacketConn) ReadFrom(b []byte) (int, net.Addr, error) { return c.pc.ReadFrom(b) }

func (c *errPacketConn) WriteTo(b []byte, addr net.Addr) (int, error) { return c.pc.WriteTo(b, addr) }
