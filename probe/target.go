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
//
// From nginx, for every peer of every *_pass (the servers of an upstream
// group, one Target each):
//
//	fastcgi_pass unix:PATH      Kind KindFastCGI, Network "unix", Address PATH
//	fastcgi_pass HOST:PORT      Kind KindFastCGI, Network "tcp",  Address "HOST:PORT"
//	proxy_pass http://H[:P]     Kind KindHTTP,  Network "tcp", Address "H:P" (P = 80 by default)
//	proxy_pass https://H[:P]    Kind KindHTTPS, Network "tcp", Address "H:P" (P = 443 by default)
//	proxy_pass http://unix:PATH Network "unix", Address PATH
//	uwsgi_pass, scgi_pass, grpc_pass, memcached_pass: Kind KindStream
//	Host        the effective proxy_set_header Host, else the proxy_pass host
//	SNI         proxy_ssl_name (default: the proxy_pass host) only with proxy_ssl_server_name on
//	VerifyName  proxy_ssl_name, else the proxy_pass host
//	TrustedCertificate  proxy_ssl_trusted_certificate
//	User, Group the `user` directive (nginx's build default when absent, usually nobody)
//	Pos         the *_pass directive, or the upstream's server line
//
// From php-fpm, for every pool, with Pool = the pool name, PingPath =
// ping.path, PingResponse = ping.response, StatusPath = pm.status_path,
// User/Group = nginx's worker user as above:
//
//	listen = PATH               Network "unix", Address PATH
//	listen = PORT, 0.0.0.0:PORT Network "tcp",  Address "127.0.0.1:PORT"
//	listen = [::]:PORT          Network "tcp",  Address "[::1]:PORT"
//	listen = ADDR:PORT          Network "tcp",  Address "ADDR:PORT"
//	pm.status_listen = ADDR     a second Target, the same way, with StatusPath and PingPath
//	                            (php-fpm 8.2 serves both there, from its own process,
//	                            while the pool's children are all busy)
//
// A host name in Address is resolved by the dial with the system's
// resolver; to check nginx's own `resolver`, call Prober.Resolve.
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
	// that listen address, with the same StatusPath and PingPath.
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
