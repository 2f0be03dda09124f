package classify

import "strings"

// Upstream is an upstream address as nginx prints it in the "upstream:"
// context field: schema, then the peer name, then for unix sockets a ":"
// separator, then the URI part (src/http/ngx_http_request.c
// ngx_http_log_error_handler: "%V%V%s%V").
//
//	fastcgi://unix:/run/php/php8.2-fpm.sock:  -> {Scheme: "fastcgi", Peer: "unix:/run/php/php8.2-fpm.sock"}
//	http://10.0.0.5:8080/api/x                -> {Scheme: "http", Peer: "10.0.0.5:8080", URI: "/api/x"}
//	http://backend/api/x                      -> {Scheme: "http", Peer: "backend", URI: "/api/x"} (a group name)
//
// The zero value means the upstream is unknown.
type Upstream struct {
	Scheme string // "fastcgi", "http", "https", "uwsgi", "suwsgi", "scgi", "grpc", "grpcs"; "" when unknown
	Peer   string // "unix:/path", "host:port", "[v6]:port", or an upstream group name
	URI    string // the URI part nginx passes (proxy_pass), "" for FastCGI
}

// ParseUpstream splits the value of an "upstream:" field. It never fails:
// a value it cannot split is returned whole in Peer.
func ParseUpstream(s string) Upstream {
	var u Upstream
	if i := strings.Index(s, "://"); i > 0 && isScheme(s[:i]) {
		u.Scheme, s = s[:i], s[i+3:]
	}
	if rest, ok := strings.CutPrefix(s, "unix:"); ok {
		if j := strings.IndexByte(rest, ':'); j >= 0 {
			u.Peer, u.URI = s[:5+j], rest[j+1:]
		} else {
			u.Peer = s
		}
		return u
	}
	if j := strings.IndexByte(s, '/'); j >= 0 {
		u.Peer, u.URI = s[:j], s[j:]
	} else {
		u.Peer = s
	}
	return u
}

func isScheme(s string) bool {
	switch s {
	case "fastcgi", "http", "https", "uwsgi", "suwsgi", "scgi", "grpc", "grpcs":
		return true
	}
	return false
}

// IsZero reports whether nothing is known of the upstream.
func (u Upstream) IsZero() bool { return u.Scheme == "" && u.Peer == "" && u.URI == "" }

// Unix reports whether the peer is a unix socket.
func (u Upstream) Unix() bool { return strings.HasPrefix(u.Peer, "unix:") }

// FastCGI reports whether the upstream speaks FastCGI (fastcgi_pass).
func (u Upstream) FastCGI() bool { return u.Scheme == "fastcgi" }

// HTTP reports whether the upstream is an HTTP(S) backend (proxy_pass).
func (u Upstream) HTTP() bool { return u.Scheme == "http" || u.Scheme == "https" }

// Address returns the upstream without its URI part: "fastcgi://unix:/run/php.sock"
// or "http://10.0.0.5:8080". It identifies a peer (or a group) for grouping.
func (u Upstream) Address() string {
	if u.Scheme == "" {
		return u.Peer
	}
	return u.Scheme + "://" + u.Peer
}

// String returns the upstream as nginx prints it.
func (u Upstream) String() string {
	s := u.Address()
	if u.Unix() {
		s += ":"
	}
	return s + u.URI
}
