package probe

import (
	"net"
	"strconv"

	"github.com/badgateway/badgateway"
)

// Kind says which protocol a target is expected to speak.
type Kind uint8

// Target kinds. The zero value KindUnknown probes nothing but the dial.
const (
	KindUnknown Kind = iota
	// KindFastCGI: a fastcgi_pass address, a php-fpm pool's listen, or its
	// pm.status_listen.
	KindFastCGI
	// KindHTTP: a proxy_pass http:// upstream.
	KindHTTP
	// KindHTTPS: a proxy_pass https:// upstream.
	KindHTTPS
	// KindStream: any other upstream (uwsgi_pass, scgi_pass, grpc_pass,
	// memcached_pass): dial only.
	KindStream
)

var kindNames = [...]string{"unknown", "fastcgi", "http", "https", "stream"}

// String returns "fastcgi", "http", "https", "stream" or "unknown".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Target is one address to probe and what to ask it. It is a plain value
// that a caller (package classify) fills from the nginx and php-fpm
// models: one Target per *_pass peer, per pool listen and per
// pm.status_listen.
type Target struct {
	Kind    Kind
	Network string // "unix" or "tcp" ("tcp4", "tcp6" also work)
	Address string // socket path for "unix"; "host:port" for "tcp"

	// Pool is the php-fpm pool name, kept for the caller's labels.
	Pool string
	// PingPath is the pool's ping.path ("" = do not ping); PingResponse
	// its ping.response ("" means php-fpm's default "pong").
	PingPath     string
	PingResponse string
	// StatusPath is the pool's pm.status_path ("" = do not ask). To probe
	// pm.status_listen, make a second KindFastCGI target whose Address is
	// that listen address, with the same StatusPath.
	StatusPath string

	// Host is the Host header of the HTTP HEAD probe (nginx sends the
	// proxy_pass host unless proxy_set_header Host says otherwise); empty
	// means the host part of Address.
	Host string
	// URI is the request target of the HEAD probe; empty means "/".
	URI string
	// SNI is the server name sent in the TLS ClientHello (nginx sends one
	// only with proxy_ssl_server_name on; its value is proxy_ssl_name);
	// empty sends none.
	SNI string
	// VerifyName is the name the certificate must carry (proxy_ssl_name);
	// empty means SNI, else Host, else the host part of Address.
	VerifyName string
	// TrustedCertificate is a PEM file of CA certificates to verify the
	// upstream's chain with (proxy_ssl_trusted_certificate); empty means
	// the system roots.
	TrustedCertificate string
	// ALPN lists the protocols offered in the ClientHello; nil offers
	// none, as nginx 1.22 does towards upstreams.
	ALPN []string

	// User is the account that connects to a unix socket target: nginx's
	// worker user (the `user` directive; nginx's default is "nobody",
	// Debian's package uses "www-data"). A name or a numeric uid. Empty
	// skips the access check.
	User string
	// Group is the group of nginx's `user USER GROUP`; empty means the
	// user's primary group.
	Group string

	// Pos is where the target was configured (the *_pass or listen
	// directive); the prober only copies it into the Result.
	Pos badgateway.Pos
}

// host returns the host part of Address ("" for unix sockets).
func (t *Target) host() string {
	if t.Network == "unix" {
		return ""
	}
	h, _, err := net.SplitHostPort(t.Address)
	if err != nil {
		return t.Address
	}
	return h
}
