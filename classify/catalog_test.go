package classify

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/badgateway/badgateway/logparse"
)

// catalogFile is the machine-readable copy of the message catalog
// (testdata/catalog/SOURCES.md says where it comes from).
const catalogFile = "../testdata/catalog/nginx-messages.json"

type catalogMessage struct {
	ID      string   `json:"id"`
	Fmt     string   `json:"fmt"`
	Actions []string `json:"actions"`
	Status  string   `json:"status"`
	Level   string   `json:"level"`
}

type catalog struct {
	Messages []catalogMessage `json:"messages"`
	GRPC     []struct {
		Format string `json:"format"`
		Level  string `json:"level"`
	} `json:"grpc_http2_proxy_messages"`
}

func loadCatalog(t *testing.T) catalog {
	t.Helper()
	b, err := os.ReadFile(catalogFile)
	if err != nil {
		t.Fatal(err)
	}
	var c catalog
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// want is what one catalogued message must map to, for its first real
// action (or no action). Every catalog id must have an entry: a new
// catalog message forces a decision here.
type want struct {
	status int  // Symptom.Status
	cause  Code // top candidate; "" = the record is context, no cause
	errno  int  // errno the rendered record carries (0 = none)
	http   bool // render with an http:// upstream instead of fastcgi://
	tcp    bool // render with a TCP fastcgi:// upstream instead of a unix socket
	none   bool // SymptomOf must report false
}

var catalogWant = map[string]want{
	// §4.1
	"connect_to_failed":     {status: 502, cause: FPMDown, errno: errnoENOENT},
	"connect_failed":        {status: 502, cause: FPMDown, errno: errnoECONNREFUSED, tcp: true},
	"kevent_connect_failed": {status: 502, cause: FPMDown, errno: errnoECONNREFUSED, tcp: true},
	"socket_failed":         {status: 500, cause: NginxFDLimit, errno: errnoEMFILE},
	"worker_connections":    {status: 500, cause: NginxWorkerConnections},
	"bind_failed":           {status: 500, cause: LocalPortsExhausted, errno: errnoEADDRNOTAVAIL},
	"no_live_upstreams":     {status: 502, cause: NoLiveUpstreams},
	"server_disabled":       {status: 0},
	// §4.2
	"no_port":               {status: 500, cause: PassTargetInvalid},
	"parse_url_in_upstream": {status: 500, cause: PassTargetInvalid},
	"invalid_url_prefix":    {status: 500, cause: PassTargetInvalid},
	"invalid_local_address": {status: 0},
	// §4.3
	"no_resolver":                    {status: 502, cause: ResolverMissing},
	"could_not_be_resolved":          {status: 502, cause: DNSNXDomain, errno: 3},
	"zone_could_not_be_resolved":     {status: 0, cause: ResolverUnreachable, errno: errnoETIMEDOUT},
	"zone_service_not_resolved":      {status: 0, cause: DNSNXDomain, errno: 3},
	"zone_service_host_not_resolved": {status: 0, cause: DNSNXDomain, errno: 3},
	"zone_memory":                    {status: 0, cause: NoLiveUpstreams},
	"dns_error_name":                 {status: 0, cause: ResolverUnreachable},
	"dns_error":                      {status: 0, cause: ResolverUnreachable},
	"resolver_connect":               {status: 0, cause: ResolverUnreachable, errno: errnoECONNREFUSED},
	// §4.4
	"writev_failed":   {status: 502, cause: FPMRequestTerminate, errno: errnoEPIPE},
	"send_failed":     {status: 502, cause: UpstreamReset, errno: errnoECONNRESET, http: true},
	"sendfile_failed": {status: 502, cause: FPMRequestTerminate, errno: errnoECONNRESET},
	"tcp_push_failed": {status: 500},
	// §4.5
	"recv_failed":            {status: 502, cause: FPMRequestTerminate, errno: errnoECONNRESET},
	"kevent_closed":          {status: 502, cause: UpstreamReset, errno: errnoECONNRESET, http: true},
	"premature_close_header": {status: 502, cause: UpstreamPrematurelyClosed, http: true},
	"premature_response_ssl": {status: 502, cause: TLSMismatch, http: true},
	"too_big_header":         {status: 502, cause: HeaderTooBig},
	"too_big_early_hints":    {status: 0, http: true},
	// §4.6
	"upstream_timed_out":          {status: 504, cause: FPMMaxChildren, errno: errnoETIMEDOUT},
	"upstream_timed_out_body":     {status: 200, cause: UpstreamTruncatedBody, errno: errnoETIMEDOUT},
	"upstream_timed_out_upgraded": {status: 0, errno: errnoETIMEDOUT, http: true},
	// §4.7
	"no_valid_http10":      {status: 9, cause: ProtocolMismatch, http: true},
	"invalid_header":       {status: 502, cause: UpstreamInvalidHeader, http: true},
	"http10_early_hints":   {status: 502, cause: UpstreamInvalidHeader, http: true},
	"dup_header_fatal":     {status: 502, cause: UpstreamInvalidHeader, http: true},
	"dup_header_ignored":   {status: 0, http: true},
	"cl_and_te":            {status: 502, cause: UpstreamInvalidHeader, http: true},
	"invalid_cl":           {status: 502, cause: UpstreamInvalidHeader, http: true},
	"unknown_te":           {status: 502, cause: UpstreamInvalidHeader, http: true},
	"invalid_status":       {status: 502, cause: UpstreamInvalidHeader},
	"cache_invalid_header": {status: 500, http: true},
	// §4.8
	"readv_failed":           {status: 200, cause: UpstreamTruncatedBody, errno: errnoECONNRESET, http: true},
	"recv_failed_body":       {status: 200, cause: UpstreamTruncatedBody, errno: errnoECONNRESET, http: true},
	"premature_close_body":   {status: 200, cause: UpstreamTruncatedBody, http: true},
	"more_than_cl":           {status: 0, http: true},
	"invalid_chunked":        {status: 200, cause: UpstreamTruncatedBody, http: true},
	"data_after_final_chunk": {status: 0, http: true},
	"too_big_trailers":       {status: 200, cause: UpstreamTruncatedBody, http: true},
	"invalid_trailer":        {status: 200, cause: UpstreamTruncatedBody, http: true},
	"data_after_trailers":    {status: 0, http: true},
	"kevent_upstream_closed": {status: 200, cause: UpstreamTruncatedBody, http: true},
	// §4.9 (the rendered stderr text "x" is neither a fatal nor a script error)
	"fastcgi_stderr":            {status: 0},
	"fastcgi_premature_stdout":  {status: 502, cause: UpstreamInvalidHeader},
	"fastcgi_premature_request": {status: 200, cause: UpstreamTruncatedBody},
	"fastcgi_unexpected_record": {status: 502, cause: UpstreamInvalidHeader},
	"fastcgi_bad_version":       {status: 502, cause: ProtocolMismatch},
	"fastcgi_bad_type":          {status: 502, cause: UpstreamInvalidHeader},
	"fastcgi_reqid_hi":          {status: 502, cause: UpstreamInvalidHeader},
	"fastcgi_reqid_lo":          {status: 502, cause: UpstreamInvalidHeader},
	"fastcgi_join_invalid":      {status: 500, cause: UpstreamInvalidHeader},
	"fastcgi_record_too_big":    {status: 500},
	"fastcgi_len_mismatch":      {status: 500},
	// §4.10
	"uwsgi_too_little":   {status: 500},
	"uwsgi_too_big":      {status: 500},
	"uwsgi_len_mismatch": {status: 500},
	"scgi_len_mismatch":  {status: 500},
	"suwsgi_ssl":         {status: 500},
	// §4.11
	"ssl_do_handshake":    {status: 502, cause: TLSMismatch, errno: errnoECONNRESET, http: true},
	"ssl_peer_closed":     {status: 502, cause: TLSMismatch, errno: errnoECONNRESET, http: true},
	"ssl_verify_error":    {status: 502, cause: UpstreamTLSVerify, http: true},
	"ssl_name_mismatch":   {status: 502, cause: UpstreamTLSVerify, http: true},
	"ssl_read_failed":     {status: 502, cause: UpstreamReset, http: true},
	"ssl_write_failed":    {status: 502, cause: UpstreamReset, http: true},
	"ssl_shutdown_failed": {status: 0, http: true},
	"ssl_sni_failed":      {status: 500, http: true},
	"ssl_alpn_failed":     {status: 500, http: true},
	"ssl_session_alloc":   {status: 0, http: true},
	// §4.12
	"client_closed_upstream_too":        {status: 499, cause: ClientClosedRequest},
	"client_closed":                     {status: 499, cause: ClientClosedRequest},
	"epoll_client_closed_upstream_too":  {status: 499, cause: ClientClosedRequest, errno: errnoECONNRESET},
	"epoll_client_closed":               {status: 499, cause: ClientClosedRequest},
	"kevent_client_closed_upstream_too": {status: 499, cause: ClientClosedRequest},
	"client_timed_out":                  {status: 0, errno: errnoETIMEDOUT},
	"writev_client":                     {status: 0, cause: ClientClosedRequest, errno: errnoEPIPE},
	// §4.13
	"buffered_temp_file": {status: 0, http: true},
	"upgrade_subrequest": {status: 500, http: true},
	"thread_too_long":    {status: 0},
	"no_upstream_conf":   {status: 500},
	// §4.14
	"limit_req":            {status: 503, cause: RateLimited},
	"limit_req_delay":      {status: 0},
	"limit_conn":           {status: 503, cause: RateLimited},
	"static_open_failed":   {status: 404, errno: errnoENOENT},
	"index_not_found":      {status: 404, errno: errnoENOENT},
	"dir_index_forbidden":  {status: 403},
	"access_forbidden":     {status: 403},
	"rewrite_cycle":        {status: 500, cause: RewriteCycle},
	"worker_exited_signal": {status: 0, cause: NginxWorkerCrash},
}

// Render substitutions for the C format verbs of the catalog.
var verbRe = regexp.MustCompile(`%(\*s|V|s|d|ui|uz|uA|i|l|P|02xd)`)

func render(id, format string) string {
	msg := strings.ReplaceAll(format, `\x%02xd`, `\x0D`)
	n := 0
	return verbRe.ReplaceAllStringFunc(msg, func(v string) string {
		n++
		switch {
		case id == "connect_to_failed" || id == "resolver_connect":
			return "unix:/run/php/php8.2-fpm.sock"
		case id == "parse_url_in_upstream" && n == 1:
			return "invalid port"
		case id == "fastcgi_bad_version":
			return "72"
		case id == "worker_exited_signal" && v == "%s" && n == 1:
			return "worker process"
		case id == "worker_exited_signal" && v == "%s":
			return " (core dumped)"
		case id == "static_open_failed" && n == 1:
			return "open()"
		case id == "ssl_session_alloc":
			return ""
		case v == "%d" || v == "%ui" || v == "%uz" || v == "%uA" || v == "%i" || v == "%l" || v == "%P":
			return "11"
		}
		return "x"
	})
}

// entryFor builds the record a parser gives for a rendered catalog message:
// the errno and the " while " action split off, as nginx writes them.
func entryFor(id, format, action string, w want) logparse.ErrorEntry {
	msg := render(id, format)
	e := logparse.ErrorEntry{Level: logparse.LevelError, CID: 7, Errno: w.errno,
		Fields: logparse.FieldClient | logparse.FieldServer | logparse.FieldRequest | logparse.FieldUpstream,
		Client: "127.0.0.1", Server: "localhost", Request: "GET /index.php HTTP/1.1",
		Upstream: "fastcgi://unix:/run/php/php8.2-fpm.sock:"}
	if w.http {
		e.Upstream = "http://127.0.0.1:8080/index.php"
	}
	if w.tcp {
		e.Upstream = "fastcgi://127.0.0.1:9000"
	}
	// "%V could not be resolved (%i: %s)": the parenthesised code is split
	// off like an errno; a following literal " while …" becomes the action.
	if before, after, ok := strings.Cut(msg, " (11: x)"); ok && !strings.HasPrefix(id, "dns_error") {
		msg = before
		if a, ok := strings.CutPrefix(after, " while "); ok {
			action = a
		}
	}
	if before, after, ok := strings.Cut(msg, " while "); ok && id != "rewrite_cycle" {
		msg, action = before, after
	}
	if strings.HasPrefix(id, "zone_") || strings.HasPrefix(id, "dns_error") || id == "worker_exited_signal" || id == "thread_too_long" {
		e.Fields, e.Client, e.Server, e.Request, e.Upstream = 0, "", "", "", ""
	}
	if id == "worker_exited_signal" {
		e.CID, e.Level = 0, logparse.LevelAlert
	}
	if id == "tcp_push_failed" {
		e.Level = logparse.LevelCrit
	}
	if id == "dns_error_name" || id == "dns_error" {
		action = "resolving"
	}
	e.Message, e.Action = msg, action
	return e
}

func firstAction(m catalogMessage) string {
	for _, a := range m.Actions {
		if !strings.HasPrefix(a, "(") {
			if i := strings.Index(a, " ("); i > 0 {
				a = a[:i]
			}
			if i := strings.Index(a, " + "); i > 0 {
				a = a[:i]
			}
			return a
		}
	}
	return ""
}

// TestCatalogCoverage renders every catalogued nginx message (§4) into a
// record and checks the symptom it maps to against catalogWant.
func TestCatalogCoverage(t *testing.T) {
	cat := loadCatalog(t)
	seen := map[string]bool{}
	for _, m := range cat.Messages {
		seen[m.ID] = true
		w, ok := catalogWant[m.ID]
		if !ok {
			t.Errorf("catalog message %q (%s) has no expectation in catalogWant", m.ID, m.Fmt)
			continue
		}
		t.Run(m.ID, func(t *testing.T) {
			e := entryFor(m.ID, m.Fmt, firstAction(m), w)
			s, ok := SymptomOf(&e)
			if w.none {
				if ok {
					t.Fatalf("SymptomOf(%q while %q) = %+v, want none", e.Message, e.Action, s)
				}
				return
			}
			if !ok {
				t.Fatalf("SymptomOf(%q while %q) not recognised", e.Message, e.Action)
			}
			if s.ID != m.ID {
				t.Errorf("ID = %q, want %q (message %q while %q)", s.ID, m.ID, e.Message, e.Action)
			}
			if s.Status != w.status {
				t.Errorf("Status = %d, want %d (catalog: %s)", s.Status, w.status, m.Status)
			}
			if s.Cause() != w.cause {
				t.Errorf("Cause = %q, want %q; candidates %+v", s.Cause(), w.cause, s.Candidates)
			}
			for _, cand := range s.Candidates {
				if _, ok := Lookup(cand.Cause); !ok {
					t.Errorf("candidate %q is not in the registry", cand.Cause)
				}
				if cand.Confidence <= 0 || cand.Confidence > 1 {
					t.Errorf("candidate %q confidence %v outside (0,1]", cand.Cause, cand.Confidence)
				}
			}
		})
	}
	for id := range catalogWant {
		if !seen[id] {
			t.Errorf("catalogWant has %q, which the catalog does not", id)
		}
	}
}

// TestCatalogGRPC checks that every gRPC / HTTP/2-proxy message (catalog §5)
// is recognised: header-phase protocol errors are 502, request-creation
// errors 500.
func TestCatalogGRPC(t *testing.T) {
	cat := loadCatalog(t)
	if len(cat.GRPC) == 0 {
		t.Fatal("no gRPC messages in the catalog")
	}
	for _, m := range cat.GRPC {
		msg := render("grpc", m.Format)
		e := logparse.ErrorEntry{Level: logparse.LevelError, CID: 3, Message: msg, Action: actReadingHeader,
			Fields: logparse.FieldUpstream, Upstream: "grpc://127.0.0.1:50051"}
		s, ok := SymptomOf(&e)
		if !ok {
			t.Errorf("%q not recognised", msg)
			continue
		}
		var wantStatus int
		switch {
		case strings.HasPrefix(msg, "too long http2 "), strings.HasPrefix(msg, "no buffer space"),
			msg == "zero length URI to proxy", strings.HasSuffix(msg, "protocol requires SSL support"),
			strings.Contains(msg, " in upstream \""):
			wantStatus = 500
		case msg == "no connection data found for keepalive http2 connection":
			wantStatus = 0
		default:
			wantStatus = 502
		}
		if s.Status != wantStatus {
			t.Errorf("%q: Status = %d, want %d", msg, s.Status, wantStatus)
		}
		if wantStatus == 502 && s.Cause() == "" {
			t.Errorf("%q: no cause", msg)
		}
	}
}
