package realserver

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"time"
)

// SelfSignedCert writes a fresh self-signed ECDSA P-256 certificate for
// 127.0.0.1 and "backend", valid for a day, to NAME.crt and its key to
// NAME.key in the run's directory, for a TLS backend server block
// (ssl_certificate {{.Dir}}/NAME.crt). Use it in Scenario.Setup.
func SelfSignedCert(name string) Action {
	return func(ctx context.Context, e *Env) error {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return err
		}
		now := time.Now()
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(now.UnixNano()),
			Subject:      pkix.Name{CommonName: "backend"},
			DNSNames:     []string{"backend"},
			IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			return err
		}
		kder, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return err
		}
		if err := os.WriteFile(e.Path(name+".crt"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
			return err
		}
		return os.WriteFile(e.Path(name+".key"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder}), 0o600)
	}
}

// NXDomain answers DNS queries on UDP {{addr name}} with NXDOMAIN (RCODE
// 3, the question echoed), as a resolver does for a name that does not
// exist. It runs until the test ends. Use it in Scenario.Setup.
func NXDomain(name string) Action {
	return func(ctx context.Context, e *Env) error {
		addr, err := e.Addr(name)
		if err != nil {
			return err
		}
		pc, err := net.ListenPacket("udp", addr)
		if err != nil {
			return err
		}
		e.t.Cleanup(func() { pc.Close() })
		go func() {
			buf := make([]byte, 512)
			for {
				n, from, err := pc.ReadFrom(buf)
				if err != nil {
					return
				}
				if n < 12 {
					continue
				}
				// Header: same ID; QR=1, opcode and RD copied, RA=1,
				// RCODE=3; QDCOUNT kept; AN, NS, AR counts 0. The
				// question follows unchanged (EDNS records dropped with
				// ARCOUNT 0 would leave trailing bytes, so cut at the
				// end of the first question).
				resp := append([]byte(nil), buf[:n]...)
				resp[2] = 0x80 | resp[2]&0x79
				resp[3] = 0x80 | 3
				resp[6], resp[7], resp[8], resp[9], resp[10], resp[11] = 0, 0, 0, 0, 0, 0
				if end := questionEnd(resp); end > 0 {
					resp = resp[:end]
				}
				pc.WriteTo(resp, from)
			}
		}()
		return nil
	}
}

// questionEnd returns the offset after the first question of a DNS
// message (QNAME labels, QTYPE, QCLASS), or 0 if it is malformed.
func questionEnd(m []byte) int {
	i := 12
	for i < len(m) {
		l := int(m[i])
		if l == 0 {
			i++
			if i+4 > len(m) {
				return 0
			}
			return i + 4
		}
		if l&0xC0 != 0 {
			return 0
		}
		i += 1 + l
	}
	return 0
}
