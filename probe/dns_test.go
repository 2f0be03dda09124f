package probe

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fakeDNS answers A and AAAA questions over UDP from zone (names without
// the final dot); other names get NXDOMAIN. With silent, it never
// answers. It returns the server address.
func fakeDNS(t *testing.T, zone map[string][]netip.Addr, silent bool) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if silent {
				continue
			}
			if resp := dnsAnswer(buf[:n], zone); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	t.Cleanup(func() { pc.Close(); wg.Wait() })
	return pc.LocalAddr().String()
}

// dnsAnswer builds the response to one query (RFC 1035 section 4.1).
func dnsAnswer(q []byte, zone map[string][]netip.Addr) []byte {
	if len(q) < 12 {
		return nil
	}
	var labels []string
	i := 12
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	addrs, ok := zone[strings.ToLower(strings.Join(labels, "."))]
	var answers [][]byte
	for _, a := range addrs {
		if (qtype == 1 && a.Is4()) || (qtype == 28 && a.Is6()) {
			rr := []byte{0xc0, 12} // pointer to the question's name
			rr = binary.BigEndian.AppendUint16(rr, qtype)
			rr = binary.BigEndian.AppendUint16(rr, 1)
			rr = binary.BigEndian.AppendUint32(rr, 60)
			rr = binary.BigEndian.AppendUint16(rr, uint16(len(a.AsSlice())))
			answers = append(answers, append(rr, a.AsSlice()...))
		}
	}
	rcode := byte(0)
	if !ok {
		rcode = 3 // NXDOMAIN
	}
	h := []byte{q[0], q[1], 0x80 | q[2]&0x01, 0x80 | rcode, 0, 1, 0, byte(len(answers)), 0, 0, 0, 0}
	resp := append(h, question...)
	for _, a := range answers {
		resp = append(resp, a...)
	}
	return resp
}

func TestResolve(t *testing.T) {
	zone := map[string][]netip.Addr{
		"app.badgateway.test": {netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::3")},
	}
	server := fakeDNS(t, zone, false)
	var p Prober
	ctx := context.Background()

	res, err := p.Resolve(ctx, "app.badgateway.test", server)
	if err != nil {
		t.Fatal(err)
	}
	got := append([]netip.Addr(nil), res.Addrs...)
	want := []netip.Addr{netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("fd00::3")}
	if d := cmp.Diff(want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); d != "" {
		t.Errorf("addrs (-want +got)\n%s", d)
	}
	if res.Server != server {
		t.Errorf("server = %q", res.Server)
	}

	_, err = p.Resolve(ctx, "missing.badgateway.test", server)
	diffErr(t, err, ErrNoSuchHost)

	// A literal address needs no server.
	res, err = p.Resolve(ctx, "192.0.2.7", "")
	if err != nil || len(res.Addrs) != 1 || res.Addrs[0] != netip.MustParseAddr("192.0.2.7") {
		t.Errorf("literal: %+v, %v", res, err)
	}
	// Port 53 is the default.
	if res, _ := p.Resolve(ctx, "x.badgateway.test", "127.0.0.1"); res.Server != "127.0.0.1:53" {
		t.Errorf("server = %q", res.Server)
	}
}

func TestResolveUnreachable(t *testing.T) {
	var p Prober
	t.Run("silent", func(t *testing.T) {
		server := fakeDNS(t, nil, true)
		ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
		defer cancel()
		_, err := p.Resolve(ctx, "app.badgateway.test", server)
		diffErr(t, err, syscall.ETIMEDOUT)
	})
	t.Run("refused", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		server := pc.LocalAddr().String()
		pc.Close()
		_, err = p.Resolve(context.Background(), "app.badgateway.test", server)
		diffErr(t, err, syscall.ECONNREFUSED)
	})
}
